//! `bylaw test --mutate`: the runner kills what a test notices, reports what none does
//! with the case that would, keeps declared equivalents apart, and the catalogue's own
//! tests leave no mutant alive.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use bylaw::author::testing::mutate::{self, Declared, EditKind, Fate, MutationReport, Suite};
use bylaw::author::testing::{self, TestFile};

const RULES: &str = "tests/mutate_files/rules";

fn sources() -> Vec<(String, String)> {
    bylaw::run::engine::rule_sources(Path::new(RULES)).unwrap()
}

fn weak() -> TestFile {
    let path = format!("{RULES}/tests/limit.yaml");
    testing::load_file(Path::new(&path), &path)
}

/// The weak file with the two cases the report asks for.
fn strong() -> TestFile {
    let text = std::fs::read_to_string(format!("{RULES}/tests/limit.yaml")).unwrap()
        + r#"
  - name: exactly at the limit is allowed
    facts: {order: {amount: {amount: "100", currency: USD}, express: false}}
    decision: allowed

  - name: one dollar over the limit is denied
    facts: {order: {amount: {amount: "101", currency: USD}, express: false}}
    decision: denied
"#;
    testing::parse_file("strong.yaml", &text, Path::new(&format!("{RULES}/tests")))
}

fn run(tests: Vec<TestFile>, declared: &[Declared]) -> MutationReport {
    let suite = Suite::from_parts(tests, &[]).unwrap();
    mutate::run(sources(), &suite, declared, 2).unwrap()
}

fn find<'r>(r: &'r MutationReport, edit: &str) -> &'r mutate::Mutant {
    r.mutants
        .iter()
        .find(|m| m.edit == edit)
        .unwrap_or_else(|| panic!("no mutant `{edit}` in {:#?}", r.mutants))
}

#[test]
fn a_weak_test_file_lets_the_boundary_survive_and_says_which_case_kills_it() {
    let r = run(vec![weak()], &[]);
    let m = find(&r, "`>` → `>=`");
    assert_eq!(m.fate, Fate::Survived);
    assert_eq!(m.kind, EditKind::Boundary);
    assert_eq!(m.at, format!("{RULES}/limit.bylaw:10"));
    assert!(
        m.hint
            .contains("no case has `order.amount` equal to `100 USD`"),
        "{}",
        m.hint
    );
    // The literal nudged up survives too, and its hint names the value in between.
    let up = find(&r, "`100 USD` → `101 USD`");
    assert_eq!(up.fate, Fate::Survived);
    assert!(up.hint.contains("equal to `101 USD`"), "{}", up.hint);
    // What the cases do check is killed, by the case that notices.
    let or = find(&r, "`and` → `or`");
    assert_eq!(
        or.fate,
        Fate::Killed {
            by: format!("{RULES}/tests/limit.yaml: a small order is allowed")
        }
    );
    let not = find(&r, "`not` removed from `not order.express`");
    assert!(matches!(not.fate, Fate::Killed { .. }), "{:?}", not.fate);
    assert_eq!((r.killed(), r.survived()), (4, 3));
    assert!(r.kill_rate() < 60.0, "{}", r.kill_rate());
    let text = r.text(false);
    assert!(
        text.contains("survived (no test notices the edit):"),
        "{text}"
    );
    assert!(
        text.contains("limit.bylaw:10  `>` → `>=`  (deny too_large)"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("kill rate 57.1%"), "{text}");
}

#[test]
fn the_cases_the_report_asks_for_kill_every_mutant() {
    let r = run(vec![strong()], &[]);
    assert_eq!(r.survived(), 0, "{}", r.text(true));
    assert_eq!(r.kill_rate(), 100.0);
}

#[test]
fn a_declared_equivalent_is_listed_apart_and_a_stale_one_is_reported() {
    let declared = vec![
        Declared {
            at: format!("{RULES}/limit.bylaw:10"),
            edit: "`>` → `>=`".into(),
            reason: "said so for the test".into(),
        },
        Declared {
            at: format!("{RULES}/limit.bylaw:10"),
            edit: "`and` → `or`".into(),
            reason: "a test kills it, so this is stale".into(),
        },
    ];
    let r = run(vec![weak()], &declared);
    assert!(matches!(
        find(&r, "`>` → `>=`").fate,
        Fate::Equivalent { .. }
    ));
    assert_eq!((r.equivalent(), r.survived()), (1, 2));
    assert_eq!(r.stale, vec![declared[1].clone()]);
    let text = r.text(false);
    assert!(text.contains("because said so for the test"), "{text}");
    assert!(text.contains("stale declarations"), "{text}");
    let json = r.json();
    assert_eq!(json["equivalent"], 1);
    assert_eq!(json["stale"][0]["edit"], "`and` → `or`");
}

#[test]
fn failing_tests_are_refused_before_any_mutant() {
    let text = "cases:\n  - name: wrong\n    facts: {order: {amount: {amount: \"1\", currency: USD}, express: false}}\n    decision: denied\n";
    let bad = testing::parse_file("bad.yaml", text, Path::new(RULES));
    let suite = Suite::from_parts(vec![bad], &[]).unwrap();
    let err = mutate::run(sources(), &suite, &[], 1).unwrap_err();
    assert!(err.to_string().contains("bad.yaml: wrong"), "{err}");
}

/// The catalogue: its tests and golden decisions kill every mutant of rules/ that is
/// not declared equivalent in rules/mutants.yaml, and the checker refuses the edits
/// no author could write (a string outside an enumeration).
#[test]
fn the_catalogue_leaves_no_mutant_alive() {
    let sources = bylaw::run::engine::rule_sources(Path::new("rules")).unwrap();
    let suite = Suite::load(
        &[PathBuf::from("rules")],
        &[PathBuf::from("tests/scenarios")],
    )
    .unwrap();
    let declared = mutate::equivalent::load(Path::new("rules/mutants.yaml")).unwrap();
    let r = mutate::run(sources, &suite, &declared, 2).unwrap();
    assert_eq!(r.survived(), 0, "{}", r.text(false));
    assert!(r.stale.is_empty(), "{}", r.text(false));
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    let invalid = find(&r, "`\"batch\"` → `\"batc\"`");
    assert!(
        matches!(&invalid.fate, Fate::Invalid { reason } if reason.contains("not a possible value")),
        "{:?}",
        invalid.fate
    );
    assert!(r.killed() > 150, "{}", r.summary());
    // Every kind of edit is made somewhere in the catalogue.
    for kind in [
        EditKind::Boundary,
        EditKind::Equality,
        EditKind::Literal,
        EditKind::DropOperand,
        EditKind::Connective,
        EditKind::RemoveNot,
        EditKind::AddNot,
        EditKind::DropElement,
        EditKind::AssumePresent,
        EditKind::Quantifier,
        EditKind::Arithmetic,
    ] {
        assert!(
            r.mutants.iter().any(|m| m.kind == kind),
            "no {kind:?} mutant"
        );
    }
    let duration = find(&r, "`24h` → `23h` (±1 hour)");
    assert!(
        matches!(duration.fate, Fate::Killed { .. }),
        "{:?}",
        duration.fate
    );
}

#[test]
fn the_command_fails_under_the_minimum_kill_rate_and_prints_json() {
    let out = Command::cargo_bin("bylaw")
        .unwrap()
        .args([
            "test",
            RULES,
            "--mutate",
            "--no-golden",
            "--min-kill-rate",
            "90",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("kill rate 57.1% is below --min-kill-rate 90"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("kill rate 57.1%"), "{stdout}");

    let out = Command::cargo_bin("bylaw")
        .unwrap()
        .args(["test", RULES, "--mutate", "--no-golden", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["survived"], 3);
    let survivor = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["fate"] == "survived" && m["kind"] == "boundary")
        .unwrap();
    assert_eq!(survivor["at"], format!("{RULES}/limit.bylaw:10"));
    assert_eq!(survivor["edit"], "`>` → `>=`");
}

/// The gap the issue found in the catalogue: `?? false` on a blocking fact silently
/// allows a snapshot without it. A test file that never leaves the fact out lets the
/// dropped default survive; one case without it kills it.
#[test]
fn a_default_that_no_case_uses_survives_and_one_missing_fact_kills_it() {
    let policy = r#"policy hold
facts account
deny frozen {
  message "frozen"
  when account.frozen ?? false
}
"#;
    let sources = vec![("hold.bylaw".to_string(), policy.to_string())];
    let cases = "cases:\n  - {name: frozen, facts: {account: {frozen: true}}, decision: denied}\n  - {name: thawed, facts: {account: {frozen: false}}, decision: allowed}\n";
    let weak = testing::parse_file("weak.yaml", cases, Path::new("."));
    let suite = Suite::from_parts(vec![weak], &[]).unwrap();
    let r = mutate::run(sources.clone(), &suite, &[], 1).unwrap();
    let m = find(&r, "`?? false` dropped");
    assert_eq!((m.kind, &m.fate), (EditKind::DropDefault, &Fate::Survived));
    assert!(
        m.hint
            .contains("no case leaves `account.frozen` missing or null"),
        "{}",
        m.hint
    );
    let strong = testing::parse_file(
        "strong.yaml",
        &format!("{cases}  - {{name: unknown, facts: {{account: {{}}}}, decision: allowed}}\n"),
        Path::new("."),
    );
    let suite = Suite::from_parts(vec![strong], &[]).unwrap();
    let r = mutate::run(sources, &suite, &[], 1).unwrap();
    assert!(matches!(
        find(&r, "`?? false` dropped").fate,
        Fate::Killed { .. }
    ));
}
