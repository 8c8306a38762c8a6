//! Scenario tests: every fact snapshot under `tests/scenarios/<policy>/` is decided by
//! the real rule set in `rules/`, and its decision must be the golden beside it
//! (`case.yaml` → `case.decision.yaml`): the same comparison as
//! `bylaw snapshot tests/scenarios`, which also writes them (`--accept`, `--review`).
//!
//! Each scenario file names, in its first comment (YAML) or `_comment` field (JSON),
//! the sentence of the seed document it exercises. The coverage tests below read the
//! engine's own decisions over all scenarios: a rule no scenario matches, or one that
//! matches in every scenario where it is evaluated, fails them.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bylaw::author::snapshot;
use bylaw::decision::{Item, Match, Miss};
use bylaw::input::{self, Format};
use bylaw::run::corpus::Corpus;
use bylaw::syntax::ast::ExprKind;
use bylaw::{Decision, Engine, Options};

const RULES: &str = "rules";
const SCENARIOS: &str = "tests/scenarios";

fn engine() -> Engine {
    Engine::from_dir(RULES).expect("the rules in rules/ load")
}

fn load(path: &Path) -> bylaw::Value {
    let format = Format::from_path(path).expect("a scenario is .yaml or .json");
    let text = std::fs::read_to_string(path).expect("the scenario is readable");
    input::load_str(&text, format, &path.display().to_string())
        .unwrap_or_else(|e| panic!("the scenario does not load: {e}"))
}

fn decide(engine: &Engine, path: &Path, explain: bool) -> Decision {
    let opts = Options {
        explain,
        ..Options::default()
    };
    engine.evaluate_with(&load(path), &opts)
}

/// Every scenario's decision is its golden's; a failure shows what changed, case by case.
#[test]
fn scenario_decisions_match_their_goldens() {
    let engine = engine();
    let corpus = Corpus::from_paths(&[PathBuf::from(SCENARIOS)]).expect("the scenarios list");
    let run = snapshot::check(&engine, &corpus, 2).expect("the scenarios are compared");
    let summary = run.summary();
    assert!(
        summary.clean() && summary.bad_input == 0 && summary.unchanged > 0,
        "the scenarios' decisions differ from their goldens:\n\n{}\n\
         If the changes are intended: cargo run -- snapshot --review {SCENARIOS}",
        run.render()
    );
}

/// Every scenario file (goldens are not scenarios), sorted.
fn scenario_files() -> Vec<PathBuf> {
    bylaw::run::batch::snapshot_files(Path::new(SCENARIOS))
        .expect("the scenarios folder is readable")
}

/// The ID of every rule the engine loaded, with whether its condition is the literal `true`.
fn all_rules(engine: &Engine) -> Vec<(String, bool)> {
    engine
        .policies()
        .flat_map(|p| {
            p.rules.iter().map(move |r| {
                let unconditional = r
                    .when()
                    .is_some_and(|w| matches!(w.kind, ExprKind::Bool(true)));
                (format!("{}.{}", p.id.name, r.name.name), unconditional)
            })
        })
        .collect()
}

/// The rules that matched and those that were evaluated and did not, per scenario.
fn outcomes(engine: &Engine) -> Vec<(PathBuf, BTreeSet<String>, BTreeSet<String>)> {
    let matched_ids = |ms: &[Match]| ms.iter().map(|m| m.rule.to_string()).collect::<Vec<_>>();
    let missed_ids = |ms: &[Miss]| ms.iter().map(|m| m.rule.to_string()).collect::<Vec<_>>();
    scenario_files()
        .into_iter()
        .map(|path| {
            let d = decide(engine, &path, true);
            let mut matched: BTreeSet<String> = matched_ids(&d.matched).into_iter().collect();
            let mut missed: BTreeSet<String> = missed_ids(&d.not_matched).into_iter().collect();
            for Item {
                matched: m,
                not_matched: n,
                ..
            } in &d.items
            {
                matched.extend(matched_ids(m));
                missed.extend(missed_ids(n));
            }
            (path, matched, missed)
        })
        .collect()
}

#[test]
fn every_rule_matches_in_some_scenario() {
    let engine = engine();
    let outcomes = outcomes(&engine);
    assert!(!outcomes.is_empty(), "no scenario under {SCENARIOS}");
    let uncovered: Vec<String> = all_rules(&engine)
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| !outcomes.iter().any(|(_, m, _)| m.contains(id)))
        .collect();
    assert!(
        uncovered.is_empty(),
        "no scenario in which these rules match: {uncovered:?}"
    );
}

/// A near miss for every rule that has a condition: a scenario where it was evaluated
/// and did not hold. A rule whose condition is the literal `true` cannot miss.
#[test]
fn every_conditional_rule_misses_in_some_scenario() {
    let engine = engine();
    let outcomes = outcomes(&engine);
    let never_missed: Vec<String> = all_rules(&engine)
        .into_iter()
        .filter(|(_, unconditional)| !unconditional)
        .map(|(id, _)| id)
        .filter(|id| !outcomes.iter().any(|(_, _, n)| n.contains(id)))
        .collect();
    assert!(
        never_missed.is_empty(),
        "no scenario in which these rules are evaluated and do not match: {never_missed:?}"
    );
}

/// Each scenario says which sentence of its seed it exercises.
#[test]
fn every_scenario_names_its_seed_sentence() {
    for path in scenario_files() {
        let text = std::fs::read_to_string(&path).expect("the scenario is readable");
        let named = match Format::from_path(&path) {
            Some(Format::Yaml) => text.trim_start().starts_with('#'),
            _ => load(&path)
                .get("_comment")
                .is_some_and(|c| !c.to_string().trim().is_empty()),
        };
        assert!(
            named,
            "{} does not start with a comment naming its seed sentence",
            path.display()
        );
    }
}

/// `--now` (here `Options::now`) wins over the snapshot's own `now`: the review that is
/// pending at the snapshot's `now` is approved automatically at the later one.
#[test]
fn now_from_options_overrides_the_snapshot() {
    let engine = engine();
    let path = Path::new(SCENARIOS).join("unsubscribe/review_pending_before_24h.yaml");
    let facts = load(&path);
    assert_eq!(engine.evaluate(&facts).decision.as_str(), "needs_review");
    let later =
        chrono::DateTime::parse_from_rfc3339("2021-10-01T10:00:00+08:00").expect("a valid time");
    let opts = Options {
        now: Some(later),
        ..Options::default()
    };
    let d = engine.evaluate_with(&facts, &opts);
    assert_eq!(d.decision.as_str(), "allowed");
    let review = d.items[0]
        .matched
        .iter()
        .find(|m| &*m.rule == "unsubscribe.large_order_review")
        .and_then(|m| m.status.as_ref())
        .expect("the review matched with a status");
    assert_eq!(review.by.as_deref(), Some("automatic"));
}
