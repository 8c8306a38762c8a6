//! The command line: exit statuses, output forms, and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use assert_cmd::Command;
use predicates::prelude::*;

fn bylaw() -> Command {
    Command::cargo_bin("bylaw").unwrap()
}

/// The README's sample with one line changed.
fn unsubscribe_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string("examples/unsubscribe.yaml").unwrap();
    assert!(text.contains(from), "sample has no `{from}`");
    text.replace(from, to)
}

fn evaluate_stdin(yaml: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    bylaw()
        .args([
            "evaluate",
            "--rules",
            "rules/",
            "--facts",
            "-",
            "--input-format",
            "yaml",
        ])
        .args(extra)
        .write_stdin(yaml.to_string())
        .assert()
}

#[test]
fn allowed_exits_0() {
    bylaw()
        .args([
            "evaluate",
            "--rules",
            "rules/",
            "--facts",
            "examples/unsubscribe.yaml",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("decision: allowed"))
        .stdout(predicate::str::contains("billing cycle 2021/9"));
}

#[test]
fn denied_exits_2() {
    bylaw()
        .args([
            "evaluate",
            "--rules",
            "rules/",
            "--facts",
            "examples/disassociate.yaml",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::starts_with("decision: denied"))
        .stdout(predicate::str::contains("disassociate.historical_debt"))
        .stdout(predicate::str::contains("rules/disassociate.bylaw:"));
}

#[test]
fn needs_review_exits_3() {
    let yaml = unsubscribe_with(
        "review: {outcome: approved, decided_at: 2021-09-30T18:00:00+08:00}",
        "",
    );
    let yaml = yaml.replace(
        "now: 2021-10-01T09:00:00+08:00",
        "now: 2021-09-30T12:00:00+08:00",
    );
    evaluate_stdin(&yaml, &[])
        .code(3)
        .stdout(predicate::str::contains("REVIEW pending"));
}

#[test]
fn error_exits_1_and_still_prints_the_decision() {
    let yaml = unsubscribe_with("currency: USD}, paid_at", "currency: CNY}, paid_at");
    evaluate_stdin(&yaml, &["--format", "json"])
        .code(1)
        .stdout(predicate::str::contains("\"decision\": \"error\""))
        .stdout(predicate::str::contains(
            "\"path\": \"resources[0].order.amount\"",
        ));
}

#[test]
fn now_on_the_command_line_wins() {
    let yaml = unsubscribe_with(
        "review: {outcome: approved, decided_at: 2021-09-30T18:00:00+08:00}",
        "",
    );
    // Without a review, 23 hours after submission (the snapshot's `now`) it is pending...
    evaluate_stdin(&yaml, &[]).code(3);
    // ...and at 24 hours (`--now`) approved automatically.
    evaluate_stdin(&yaml, &["--now", "2021-10-01T10:00:00+08:00"])
        .code(0)
        .stdout(predicate::str::contains(
            "approved by automatic at 2021-10-01T10:00:00+08:00",
        ));
}

#[test]
fn json_and_yaml_outputs_carry_the_contract_fields() {
    let out = bylaw()
        .args([
            "evaluate",
            "--facts",
            "examples/disassociate.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "denied");
    let m = &v["matched"][0];
    for field in ["rule", "kind", "message", "source", "evidence", "value"] {
        assert!(m.get(field).is_some(), "matched rule lacks `{field}`: {m}");
    }
    assert!(v["errors"].is_array() && v["items"].is_array());
    bylaw()
        .args([
            "evaluate",
            "--facts",
            "examples/disassociate.yaml",
            "--format",
            "yaml",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::starts_with("decision: denied"));
}

#[test]
fn explain_lists_rules_that_did_not_match() {
    bylaw()
        .args([
            "evaluate",
            "--facts",
            "examples/unsubscribe.yaml",
            "--explain",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no match"))
        .stdout(predicate::str::contains(
            "unsubscribe.transaction_in_progress",
        ));
}

#[test]
fn output_is_deterministic() {
    let run = || {
        bylaw()
            .args([
                "evaluate",
                "--facts",
                "examples/disassociate.yaml",
                "--format",
                "json",
            ])
            .output()
            .unwrap()
    };
    let (a, b) = (run(), run());
    // Two empty or failing runs would compare equal too: each must print a decision.
    for out in [&a, &b] {
        assert_eq!(out.status.code(), Some(2), "the example is denied");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["decision"], "denied", "{v}");
    }
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn check_is_clean_on_the_shipped_rules() {
    bylaw()
        .args(["check", "--rules", "rules/"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("ok: 2 policies"));
}

#[test]
fn check_reports_every_error_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.bylaw"),
        "policy a\nfacts x\ndeny r { message \"m\" when y > 1 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.bylaw"),
        "policy a\nfacts x\nwarn r { message \"m\" when presnt(x) }\n",
    )
    .unwrap();
    bylaw()
        .args(["check", "--rules"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a.bylaw:3:27"))
        .stderr(predicate::str::contains("unknown name `y`"))
        .stderr(predicate::str::contains("the policy `a` is defined twice"))
        .stderr(predicate::str::contains("did you mean `present`?"))
        .stderr(predicate::str::contains("3 errors in the rules"));
}

/// Bad input: exit 1, one clear message on stderr naming the file, no decision, no backtrace.
fn bad_input(name: &str, content: &str, wants: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    let assert = bylaw()
        .args(["evaluate", "--facts"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout("");
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(name),
        "stderr does not name the file: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    for w in wants {
        assert!(stderr.contains(w), "stderr lacks `{w}`: {stderr}");
    }
}

#[test]
fn malformed_yaml() {
    bad_input("bad.yaml", "request: {action: [unclosed\n", &["bad.yaml:"]);
}

#[test]
fn malformed_json() {
    bad_input(
        "bad.json",
        "{\"request\": {\"action\": }\n",
        &["bad.json:1:"],
    );
}

#[test]
fn top_level_list() {
    bad_input(
        "list.yaml",
        "- a\n- b\n",
        &["must be a record of facts", "found a list"],
    );
}

#[test]
fn money_amount_that_is_not_a_decimal() {
    bad_input(
        "amount.yaml",
        "sub_account:\n  available_balance: {amount: \"12,5\", currency: USD}\n",
        &[
            "sub_account.available_balance.amount",
            "`12,5` is not a decimal amount",
            "amount.yaml:2:",
        ],
    );
}

#[test]
fn timestamp_without_offset() {
    bad_input(
        "time.json",
        "{\"request\": {\"submitted_at\": \"2021-09-30T10:00:00\"}}",
        &["request.submitted_at", "with an offset"],
    );
}

#[test]
fn unknown_output_format() {
    bylaw()
        .args([
            "evaluate",
            "--facts",
            "examples/unsubscribe.yaml",
            "--format",
            "xml",
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("invalid value 'xml'"));
}

#[test]
fn missing_facts_file() {
    bylaw()
        .args(["evaluate", "--facts", "no/such/file.yaml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no/such/file.yaml"));
}

#[test]
fn unknown_extension_without_input_format() {
    bylaw()
        .args(["evaluate", "--facts", "README.md"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--input-format"));
}

#[test]
fn bad_now() {
    bylaw()
        .args([
            "evaluate",
            "--facts",
            "examples/unsubscribe.yaml",
            "--now",
            "2021-10-01T09:00:00",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("with an offset"));
}

#[test]
fn bad_rules_folder() {
    bylaw()
        .args([
            "evaluate",
            "--rules",
            "no-such-dir",
            "--facts",
            "examples/unsubscribe.yaml",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no-such-dir"));
}
