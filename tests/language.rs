//! Test policies for the language itself (not the catalogue): each folder under
//! `tests/language/` holds `rules/` and `scenarios/`, and every scenario's decision must
//! be its golden, as `bylaw snapshot --rules tests/language/NAME/rules
//! tests/language/NAME/scenarios` checks (and, with `--accept`, writes).

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use std::path::PathBuf;

use bylaw::author::snapshot;
use bylaw::run::corpus::Corpus;
use bylaw::Engine;

fn check(name: &str) {
    let rules = format!("tests/language/{name}/rules");
    let scenarios = format!("tests/language/{name}/scenarios");
    let engine = Engine::from_dir(&rules).unwrap_or_else(|e| panic!("{rules} loads: {e}"));
    let corpus = Corpus::from_paths(&[PathBuf::from(&scenarios)]).expect("the scenarios list");
    let run = snapshot::check(&engine, &corpus, 2).expect("the scenarios are compared");
    let summary = run.summary();
    assert!(
        summary.clean() && summary.bad_input == 0 && summary.unchanged > 0,
        "the decisions differ from their goldens:\n\n{}\n\
         If the changes are intended: cargo run -- snapshot --rules {rules} --review {scenarios}",
        run.render()
    );
}

/// Exact money and explicit rounding, durations and calendar time, as a refund policy
/// uses them.
#[test]
fn exact_refund_policy_decisions_match_their_goldens() {
    check("exact");
}
