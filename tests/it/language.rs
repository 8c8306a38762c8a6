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

/// The test policies are in `bylaw fmt`'s layout, and formatting them keeps their tree:
/// the formatter knows every construct they use.
#[test]
fn the_test_policies_are_formatted_and_round_trip() {
    use bylaw::author::fmt::format_source;
    use bylaw::syntax::{parse_policy, Source};
    let name = "tests/language/exact/rules/refund.bylaw";
    let text = std::fs::read_to_string(name).expect("the test policy is readable");
    let once = format_source(&Source::new(name, &text)).expect("the test policy formats");
    assert_eq!(once, text, "{name} is not formatted: run `bylaw fmt` on it");
    // Rounding modes and units written on one line or broken keep the same tree.
    let squeezed = "policy p\nfacts a\nlet x = round( a.b/3 ,2,\"half_up\")+floor(hours(a.d))\n";
    let formatted = format_source(&Source::new("p", squeezed)).expect("formats");
    assert_eq!(
        parse_policy(&Source::new("a", squeezed)).expect("parses"),
        parse_policy(&Source::new("b", &formatted)).expect("formatted text parses")
    );
}
