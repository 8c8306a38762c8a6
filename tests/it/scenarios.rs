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

/// Each scenario says which sentence of its seed it exercises: its first comment (YAML)
/// or `_comment` (JSON) names a seed file that one of the rules' policies encodes
/// (`source "…"`) and quotes a sentence of it. When the seed documents are on this
/// machine (`BYLAW_SEEDS`, else `../shared/seeds` or `/work/shared/seeds`), the quoted
/// sentence must be in the seed, word for word (white space aside).
#[test]
fn every_scenario_names_its_seed_sentence() {
    let engine = engine();
    let sources: BTreeSet<String> = engine
        .policies()
        .filter_map(|p| p.source_doc.as_ref().map(|s| s.value.clone()))
        .collect();
    let seeds = seeds_dir();
    let mut problems = Vec::new();
    for path in scenario_files() {
        let comment = leading_comment(&path);
        let Some(seed) = comment
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '_'))
            .find(|w| sources.contains(*w))
        else {
            problems.push(format!(
                "{}: the first comment names no seed a policy encodes ({sources:?})",
                path.display()
            ));
            continue;
        };
        let Some(sentence) = quoted(&comment) else {
            problems.push(format!(
                "{}: the first comment quotes no sentence of {seed}",
                path.display()
            ));
            continue;
        };
        if let Some(dir) = &seeds {
            let text = std::fs::read_to_string(dir.join(seed))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(seed).display()));
            // A quote may leave words out (`...`) and join a list's lead-in to one of
            // its items: each sentence of it must be in the seed.
            let text = squash(&text);
            for part in sentence
                .split(['…'])
                .flat_map(|p| p.split("..."))
                .flat_map(|p| p.split(". "))
                .map(|p| squash(p.trim().trim_end_matches('.')))
                .filter(|p| p.len() > 3)
            {
                if !text.contains(&part) {
                    problems.push(format!("{}: \"{part}\" is not in {seed}", path.display()));
                }
            }
        }
    }
    if seeds.is_none() {
        eprintln!("the seed documents are not on this machine: the quoted sentences were not compared with them");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The folder of seed documents, when this machine has it.
fn seeds_dir() -> Option<PathBuf> {
    std::env::var_os("BYLAW_SEEDS")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            PathBuf::from("../shared/seeds"),
            PathBuf::from("/work/shared/seeds"),
        ])
        .find(|d| d.is_dir())
}

/// The scenario's first comment: its leading `#` lines (YAML) or `_comment` (JSON).
fn leading_comment(path: &Path) -> String {
    match Format::from_path(path) {
        Some(Format::Yaml) => {
            let text = std::fs::read_to_string(path).expect("the scenario is readable");
            text.lines()
                .map_while(|l| l.trim_start().strip_prefix('#'))
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => match load(path).get("_comment") {
            Some(bylaw::Value::String(s)) => s.to_string(),
            _ => String::new(),
        },
    }
}

/// The first text between double quotes, else between single quotes (JSON comments),
/// without a trailing ellipsis (a quote may stop mid-sentence).
fn quoted(comment: &str) -> Option<String> {
    ['"', '\''].iter().find_map(|q| {
        let start = comment.find(*q)? + 1;
        let len = comment.get(start..)?.find(*q)?;
        let inner = comment.get(start..start + len)?;
        let inner = inner.trim().trim_end_matches(['…', '.']).trim();
        (inner.len() > 10).then(|| inner.to_string())
    })
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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
