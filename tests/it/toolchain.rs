//! The policy author's commands: `bylaw test`, diagnostics on the command line,
//! completions, the man page, help texts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use assert_cmd::Command;
use predicates::prelude::*;

fn bylaw() -> Command {
    let mut c = Command::cargo_bin("bylaw").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn stdout_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stderr.clone()).unwrap()
}

#[test]
fn test_runs_the_rules_tests_and_ends_with_the_summary() {
    let a = bylaw().args(["test", "rules/"]).assert().success();
    let out = stdout_of(&a);
    let last = out.lines().last().unwrap();
    let re = predicates::str::is_match(r"^\d+ passed, 0 failed$").unwrap();
    assert!(re.eval(last), "{out}");
    assert!(!out.contains('\x1b'), "no colour when piped");
}

#[test]
fn test_exits_1_on_a_failing_case() {
    bylaw()
        .args(["test", "--rules", "tests/test_files/rules"])
        .arg("tests/test_files/failing.yaml")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL tests/test_files/failing.yaml:9",
        ))
        .stdout(predicate::str::ends_with("1 passed, 2 failed\n"));
}

#[test]
fn test_finds_the_rules_from_the_paths() {
    // No --rules: `rules/` holds rule files, so it is both the rules and the tests.
    bylaw()
        .args(["test", "rules/", "--quiet", "--filter", "frozen"])
        .assert()
        .success()
        .stdout("2 passed, 0 failed\n");
}

#[test]
fn test_json_for_machines() {
    let a = bylaw()
        .args(["test", "rules/", "--format", "json", "--coverage"])
        .assert()
        .success()
        .stderr(predicate::str::is_match(r"^\d+ passed, 0 failed\n$").unwrap());
    let v: serde_json::Value = serde_json::from_str(&stdout_of(&a)).unwrap();
    assert_eq!(v["failed"], 0);
    assert!(v["coverage"]["percent"].as_f64().unwrap() > 0.0);
    assert_eq!(v["coverage"]["rules"].as_array().unwrap().len(), 26);
}

#[test]
fn test_coverage_and_its_minimum() {
    let a = bylaw()
        .args(["test", "--rules", "rules", "rules/tests/disassociate.yaml"])
        .args(["--coverage", "--quiet"])
        .assert()
        .success();
    let out = stdout_of(&a);
    assert!(out.contains("coverage: "), "{out}");
    // The unsubscribe rules have no case in this file: far below 90%.
    let a = bylaw()
        .args(["test", "--rules", "rules", "rules/tests/disassociate.yaml"])
        .args(["--min-coverage", "90", "--quiet"])
        .assert()
        .code(1);
    let out = stdout_of(&a);
    assert!(out.contains("is below --min-coverage 90"), "{out}");
    assert!(out.ends_with(" passed, 0 failed\n"), "{out}");
    bylaw()
        .args(["test", "rules/", "--min-coverage", "101"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a percentage"));
}

#[test]
fn test_without_test_files_says_so() {
    let dir = tempfile::tempdir().unwrap();
    bylaw()
        .args(["test", "--rules", "rules"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no test files"));
}

#[test]
fn check_errors_are_plain_when_piped_even_without_no_color() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.bylaw"),
        "policy p\nfacts account\ndeny x {\n  mesage \"m\"\n}\n",
    )
    .unwrap();
    let a = bylaw()
        .args(["check", "--rules"])
        .arg(dir.path())
        .assert()
        .code(1);
    let err = stderr_of(&a);
    assert!(!err.contains('\x1b'), "{err}");
    assert!(err.contains("p.bylaw:4:3"), "{err}");
    assert!(err.contains("  |   ^^^^^^"), "{err}");
    assert!(err.contains("= help: did you mean `message`?"), "{err}");
    assert!(err.ends_with("1 error in the rules\n"), "{err}");
}

#[test]
fn evaluate_shows_where_a_rule_failed() {
    let text = std::fs::read_to_string("tests/test_files/snapshots/refund.yaml").unwrap();
    let text = text.replace("blocked: false, ", "");
    let a = bylaw()
        .args(["evaluate", "--rules", "tests/test_files/rules"])
        .args(["--facts", "-", "--input-format", "yaml"])
        .write_stdin(text)
        .assert()
        .code(1);
    insta::assert_snapshot!(stderr_of(&a));
    // The decision on stdout is unchanged by it.
    assert!(stdout_of(&a).starts_with("decision: error"));
}

#[test]
fn evaluate_shows_where_a_snapshot_is_broken() {
    let a = bylaw()
        .args(["evaluate", "--facts", "-", "--input-format", "json"])
        .write_stdin("{\"request\": {\"action\": \"x\",}}")
        .assert()
        .code(1);
    let err = stderr_of(&a);
    assert!(err.contains("--> <stdin>:1:"), "{err}");
    assert!(err.contains("{\"request\": {\"action\": \"x\",}}"), "{err}");
    assert!(err.contains('^'), "{err}");
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_bylaw()"),
        ("zsh", "#compdef bylaw"),
        ("fish", "complete -c bylaw"),
    ] {
        bylaw()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(marker))
            .stdout(predicate::str::contains("min-coverage"));
    }
}

#[test]
fn man_pages() {
    bylaw()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH bylaw 1"));
    let dir = tempfile::tempdir().unwrap();
    bylaw()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let page = std::fs::read_to_string(dir.path().join("bylaw-test.1")).unwrap();
    assert!(page.contains("bylaw test"), "{page}");
    assert!(page.contains("min\\-coverage"), "{page}");
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    for sub in ["evaluate", "check", "test", "completions", "man"] {
        bylaw()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"))
            .stdout(predicate::str::contains(format!("bylaw {sub}")));
    }
}
