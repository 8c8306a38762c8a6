//! `bylaw test` as a library: test files, expectations, failures, coverage.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::path::Path;

use bylaw::author::testing::report::TextOptions;
use bylaw::author::testing::{self, RunOptions};
use bylaw::Engine;

fn engine() -> Engine {
    Engine::from_dir("rules").unwrap_or_else(|e| panic!("{e}"))
}

/// The small policy the tests of the runner itself use.
fn refund() -> Engine {
    Engine::from_dir("tests/test_files/rules").unwrap_or_else(|e| panic!("{e}"))
}

fn load(path: &str) -> testing::TestFile {
    testing::load_file(Path::new(path), path)
}

fn plain(report: &testing::report::Report) -> String {
    report.text(TextOptions {
        color: false,
        quiet: false,
    })
}

#[test]
fn the_shipped_test_files_pass() {
    let files: Vec<_> = testing::discover(Path::new("rules"))
        .map(|w| w.files)
        .unwrap()
        .iter()
        .map(|p| load(p.to_str().unwrap()))
        .collect();
    assert!(files.len() >= 2, "rules/tests holds a file per policy");
    let opts = RunOptions {
        coverage: true,
        ..RunOptions::default()
    };
    let report = testing::run(&engine(), &files, &opts);
    assert!(report.ok(), "{}", plain(&report));
    assert!(report.passed >= 40, "{}", report.summary());
    let cov = report.coverage.unwrap();
    assert!(cov.percent >= 90.0, "{}", cov.text(false));
    // Every rule is shown to match by some case.
    let never: Vec<_> = cov.rules.iter().filter(|r| r.matched == 0).collect();
    assert!(never.is_empty(), "{never:?}");
}

#[test]
fn failures_are_reported_expected_against_actual() {
    let report = testing::run(
        &refund(),
        &[load("tests/test_files/failing.yaml")],
        &RunOptions::default(),
    );
    assert_eq!((report.passed, report.failed), (1, 2));
    insta::assert_snapshot!(plain(&report));
}

#[test]
fn mistakes_in_a_test_file_are_shown_at_their_place() {
    let report = testing::run(
        &refund(),
        &[load("tests/test_files/mistakes.yaml")],
        &RunOptions::default(),
    );
    assert_eq!((report.passed, report.failed), (0, 4));
    insta::assert_snapshot!(plain(&report));
}

#[test]
fn a_file_that_is_not_yaml_is_one_failure() {
    let f = testing::parse_file(
        "bad.yaml",
        "cases:\n  - name: x\n    set: {a[0]: 1}\n",
        Path::new("."),
    );
    let report = testing::run(&refund(), &[f], &RunOptions::default());
    assert_eq!((report.passed, report.failed), (0, 1));
    insta::assert_snapshot!(plain(&report));
}

/// Near miss of the flow hint: a file that is not YAML outside `{…}` and `[…]` gets
/// the general hint, with saphyr-parser's place and words.
#[test]
fn a_file_that_is_not_yaml_outside_flow_gets_the_general_hint() {
    let f = testing::parse_file(
        "bad.yaml",
        "cases:\n  - name: x\n   set: {a: 1}\n",
        Path::new("."),
    );
    let text = plain(&testing::run(&refund(), &[f], &RunOptions::default()));
    assert!(
        text.contains("error: this is not valid YAML: while parsing a block collection, did not find expected '-' indicator\n    --> bad.yaml:3:4\n"),
        "{text}"
    );
    assert!(
        text.contains("= help: a test file is YAML: `cases:` followed by a list of cases"),
        "{text}"
    );
    assert!(!text.contains("quote text"), "{text}");
}

#[test]
fn the_summary_line_is_last() {
    let report = testing::run(
        &refund(),
        &[load("tests/test_files/failing.yaml")],
        &RunOptions::default(),
    );
    let text = plain(&report);
    assert_eq!(text.lines().last(), Some("1 passed, 2 failed"));
}

#[test]
fn filter_selects_cases_and_says_when_it_selects_none() {
    let files = [load("rules/tests/unsubscribe.yaml")];
    let opts = |f: &str| RunOptions {
        filter: Some(f.into()),
        ..RunOptions::default()
    };
    let report = testing::run(&engine(), &files, &opts("frozen"));
    assert_eq!((report.passed, report.failed), (2, 0));
    let report = testing::run(&engine(), &files, &opts("a frozen acount"));
    assert_eq!(report.passed + report.failed, 0);
    assert_eq!(
        report.notes,
        ["no case matches `--filter a frozen acount`; did you mean `a frozen account blocks the request`?"]
    );
}

#[test]
fn json_report_for_machines() {
    let report = testing::run(
        &refund(),
        &[load("tests/test_files/failing.yaml")],
        &RunOptions::default(),
    );
    let v = report.json();
    assert_eq!(v["passed"], 1);
    assert_eq!(v["failed"], 2);
    let case = &v["files"][0]["cases"][1];
    assert_eq!(case["passed"], false);
    assert_eq!(case["decision"], "denied");
    assert_eq!(case["failures"][0]["what"], "decision");
    assert_eq!(case["failures"][0]["expected"], "allowed");
    assert_eq!(case["failures"][0]["actual"], "denied");
    assert_eq!(
        case["failures"][0]["at"],
        "tests/test_files/failing.yaml:15:15"
    );
}

// ------------------------------------------------------------------ coverage

const POLICY: &str = r#"
policy p
facts a, b, c
let both = a and b
deny x { message "x" when a and b }
deny y { message "y" when not (a or c) }
warn z { message "z" when both or c }
warn w { message "w" when true }
"#;

fn coverage_of(cases: &str) -> testing::Coverage {
    let engine = Engine::from_sources([("p.bylaw".to_string(), POLICY.to_string())]).unwrap();
    let file = testing::parse_file("t.yaml", cases, Path::new("."));
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let opts = RunOptions {
        coverage: true,
        ..RunOptions::default()
    };
    testing::run(&engine, &[file], &opts).coverage.unwrap()
}

fn decisive(cov: &testing::Coverage, rule: &str) -> Vec<(String, bool, bool)> {
    cov.rules
        .iter()
        .find(|r| r.rule == rule)
        .unwrap()
        .conditions
        .iter()
        .map(|c| (c.condition.clone(), c.decisive_true, c.decisive_false))
        .collect()
}

#[test]
fn both_sides_of_a_true_and_are_decisive() {
    let cov = coverage_of(
        "cases:\n  - {name: t, facts: {a: true, b: true, c: false}, matches: [x, z, w], does_not_match: [y]}\n",
    );
    assert_eq!(
        decisive(&cov, "p.x"),
        [("a".into(), true, false), ("b".into(), true, false)]
    );
}

#[test]
fn only_the_false_side_of_a_false_and_is_decisive() {
    let cov = coverage_of(
        "cases:\n  - {name: t, facts: {a: false, b: true, c: false}, matches: [y, w], does_not_match: [x, z]}\n",
    );
    assert_eq!(
        decisive(&cov, "p.x"),
        [("a".into(), false, true), ("b".into(), false, false)]
    );
    // Two false sides: flipping either alone changes nothing.
    let cov = coverage_of(
        "cases:\n  - {name: t, facts: {a: false, b: false, c: false}, matches: [y, w], does_not_match: [x, z]}\n",
    );
    assert_eq!(
        decisive(&cov, "p.x"),
        [("a".into(), false, false), ("b".into(), false, false)]
    );
}

#[test]
fn not_and_or_and_lets_are_opened() {
    let cov = coverage_of(
        "cases:\n  - {name: t, facts: {a: false, b: true, c: false}, matches: [y, w], does_not_match: [x, z]}\n",
    );
    // not (a or c) with both false: each alone would make it false.
    assert_eq!(
        decisive(&cov, "p.y"),
        [("a".into(), false, true), ("c".into(), false, true)]
    );
    // `both` is a let holding `a and b`: its leaves are the chain's.
    let z = decisive(&cov, "p.z");
    assert_eq!(
        z.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    let via: Vec<_> = cov.rules[2]
        .conditions
        .iter()
        .map(|c| c.via_let.clone())
        .collect();
    assert_eq!(via, [Some("both".into()), Some("both".into()), None]);
}

#[test]
fn a_missing_fact_is_never_decisive_but_its_sibling_can_be() {
    // b is missing: `a and b` with a false is false; flipping a would make it an error.
    let cov = coverage_of("cases:\n  - {name: t, facts: {a: false, c: false}, matches: [y, w], does_not_match: [x, z]}\n");
    assert_eq!(
        decisive(&cov, "p.x"),
        [("a".into(), false, true), ("b".into(), false, false)]
    );
}

#[test]
fn the_percentage_counts_outcomes_and_decisive_conditions() {
    let cov = coverage_of(
        "cases:\n  - {name: t, facts: {a: true, b: true, c: false}, matches: [x, z, w], does_not_match: [y]}\n  - {name: u, facts: {a: false, b: true, c: false}, matches: [y, w], does_not_match: [x, z]}\n",
    );
    let x = cov.rules.iter().find(|r| r.rule == "p.x").unwrap();
    assert_eq!((x.matched, x.not_matched, x.errored), (1, 1, 0));
    let w = cov.rules.iter().find(|r| r.rule == "p.w").unwrap();
    assert_eq!(w.constant, Some(true));
    // Goals: x 2+2, y 2+2, z 2+3, w 1 = 14. Met: x 2+2 (a both ways, b when true);
    // y: matched in u only, not matched in t → 2, a decisive, c decisive → 4;
    // z: matched in t, not in u → 2; a, b decisive in t → 2 more, c decisive (false) in u → 1;
    // w 1. 4 + 4 + 5 + 1 = 14.
    assert_eq!((cov.covered, cov.goals), (14, 14), "{}", cov.text(false));
    assert!((cov.percent - 100.0).abs() < f64::EPSILON);
    let cov = coverage_of(
        "cases:\n  - {name: t, facts: {a: true, b: true, c: false}, matches: [x, z, w], does_not_match: [y]}\n",
    );
    assert!(cov.percent < 100.0);
    assert!(
        cov.text(false).contains("never did not match"),
        "{}",
        cov.text(false)
    );
}

#[test]
fn a_bare_rule_id_shared_by_two_policies_is_ambiguous() {
    let q = "policy q\nfacts a\ndeny x { message \"q\" when a }\n";
    let engine = Engine::from_sources([
        ("p.bylaw".to_string(), POLICY.to_string()),
        ("q.bylaw".to_string(), q.to_string()),
    ])
    .unwrap();
    let file = testing::parse_file(
        "t.yaml",
        "cases:\n  - {name: t, facts: {a: true, b: true, c: true}, matches: [x]}\n",
        Path::new("."),
    );
    let report = testing::run(&engine, &[file], &RunOptions::default());
    let text = plain(&report);
    assert!(
        text.contains("`x` names rules of several policies"),
        "{text}"
    );
    assert!(text.contains("write one of: p.x, q.x"), "{text}");
}

fn run_policy(cases: &str) -> testing::report::Report {
    let engine = Engine::from_sources([("p.bylaw".to_string(), POLICY.to_string())]).unwrap();
    let file = testing::parse_file("t.yaml", cases, Path::new("."));
    testing::run(&engine, &[file], &RunOptions::default())
}

#[test]
fn an_erroring_rule_never_satisfies_does_not_match() {
    // b is missing: `a and b` with a true cannot be decided, so x is withheld.
    let r = run_policy("cases:\n  - {name: t, facts: {a: true, c: false}, does_not_match: [x]}\n");
    assert_eq!((r.passed, r.failed), (0, 1));
    let text = plain(&r);
    assert!(text.contains("actual:   could not be evaluated"), "{text}");
    assert!(text.contains("write `errors: [x]` instead"), "{text}");
    // Saying so passes.
    let r = run_policy("cases:\n  - {name: t, facts: {a: true, c: false}, errors: [x]}\n");
    assert_eq!((r.passed, r.failed), (1, 0), "{}", plain(&r));
    // A rule decided not to match still satisfies it.
    let r = run_policy(
        "cases:\n  - {name: t, facts: {a: false, b: true, c: true}, does_not_match: [x]}\n",
    );
    assert_eq!((r.passed, r.failed), (1, 0), "{}", plain(&r));
}

#[test]
fn a_case_without_expectations_is_an_error_not_a_pass() {
    let r = run_policy("cases:\n  - {name: t, facts: {a: true, b: true, c: false}}\n");
    assert_eq!((r.passed, r.failed), (0, 1));
    let text = plain(&r);
    assert!(text.contains("this case states no expectation"), "{text}");
    // Nor do items with empty expectations count.
    let r =
        run_policy("cases:\n  - {name: t, facts: {a: true, b: true, c: false}, items: {x: {}}}\n");
    assert_eq!((r.passed, r.failed), (0, 1), "{}", plain(&r));
}

#[test]
fn a_condition_counts_only_where_the_case_checks_its_rule() {
    // x does not match, and y denies anyway: `decision: denied` would hold whichever
    // way x went, so this case shows nothing about x's conditions.
    let cov = coverage_of(
        "cases:\n  - {name: t, facts: {a: false, b: true, c: false}, decision: denied}\n",
    );
    assert_eq!(
        decisive(&cov, "p.x"),
        [("a".into(), false, false), ("b".into(), false, false)]
    );
    // Naming x checks it.
    let cov = coverage_of(
        "cases:\n  - {name: t, facts: {a: false, b: true, c: false}, does_not_match: [x]}\n",
    );
    assert_eq!(
        decisive(&cov, "p.x"),
        [("a".into(), false, true), ("b".into(), false, false)]
    );
    // With a and b true and y false, x alone denies: the decision checks it.
    let cov = coverage_of(
        "cases:\n  - {name: t, facts: {a: true, b: true, c: true}, decision: denied}\n",
    );
    assert_eq!(
        decisive(&cov, "p.x"),
        [("a".into(), true, false), ("b".into(), true, false)]
    );
}
