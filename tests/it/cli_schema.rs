//! The command line around the schema: `evaluate` refuses snapshots that break it (exit 1,
//! one message per violation, no decision), `--strict`, and `bylaw schema`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::*;

fn bylaw() -> Command {
    Command::cargo_bin("bylaw").unwrap()
}

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The unsubscribe example with two mistakes and an undeclared field.
fn broken() -> String {
    std::fs::read_to_string("examples/unsubscribe.yaml")
        .unwrap()
        .replace("mode: single", "mode: batchy")
        .replace(
            "frozen_for_legal: false, enterprise",
            "frozen_for_legal: \"no\", enterprise",
        )
        .replace("    name: web-1\n", "    name: web-1\n    colour: red\n")
}

#[test]
fn an_invalid_snapshot_is_not_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let f = file(&dir, "bad.yaml", &broken());
    let out = bylaw()
        .args(["evaluate", "--facts"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout("")
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out)
        .unwrap()
        .replace(&*f.to_string_lossy(), "bad.yaml");
    insta::assert_snapshot!(err);
}

#[test]
fn strict_refuses_undeclared_fields() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("examples/unsubscribe.yaml")
        .unwrap()
        .replace("    name: web-1\n", "    name: web-1\n    colour: red\n");
    let f = file(&dir, "extra.yaml", &text);
    bylaw()
        .args(["evaluate", "--facts"])
        .arg(&f)
        .assert()
        .code(0);
    bylaw()
        .args(["evaluate", "--strict", "--facts"])
        .arg(&f)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "extra.yaml:17:5: `resources[0].colour`: not declared in the schema",
        ));
}

#[test]
fn json_violations_name_the_line_too() {
    let dir = tempfile::tempdir().unwrap();
    let f = file(
        &dir,
        "bad.json",
        "{\n  \"request\": {\n    \"action\": \"disassociate_sub_account\",\n    \"risks_acknowledged\": \"yes\"\n  }\n}\n",
    );
    bylaw()
        .args(["evaluate", "--facts"])
        .arg(&f)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "bad.json:4:5: `request.risks_acknowledged`: expected a boolean, found a string \"yes\"",
        ))
        .stderr(predicate::str::contains("bad.json: `main_account`: required (a record), but missing"));
}

#[test]
fn the_examples_still_decide() {
    bylaw()
        .args([
            "evaluate",
            "--strict",
            "--facts",
            "examples/unsubscribe.yaml",
        ])
        .assert()
        .code(0);
    bylaw()
        .args([
            "evaluate",
            "--strict",
            "--facts",
            "examples/disassociate.yaml",
        ])
        .assert()
        .code(2);
}

#[test]
fn schema_prints_one_policy() {
    let out = bylaw()
        .args([
            "schema",
            "--format",
            "json-schema",
            "--policy",
            "unsubscribe",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let s: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(s["title"], "Unsubscribing from inactive resources");
    assert!(s["required"]
        .as_array()
        .unwrap()
        .contains(&"resources".into()));
}

#[test]
fn schema_writes_every_policy_or_asks_which() {
    bylaw()
        .args(["schema"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("choose one with --policy"));
    bylaw()
        .args(["schema", "--policy", "unsubscrib"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no policy `unsubscrib`"));
    let dir = tempfile::tempdir().unwrap();
    bylaw()
        .args(["schema", "--out"])
        .arg(dir.path())
        .assert()
        .code(0);
    for p in ["unsubscribe", "disassociate"] {
        let text = std::fs::read_to_string(dir.path().join(format!("{p}.schema.json"))).unwrap();
        assert!(text.contains("\"$id\": \"urn:bylaw:policy:"), "{text}");
    }
}

#[test]
fn check_reports_type_errors() {
    let dir = tempfile::tempdir().unwrap();
    let rules = std::fs::read_to_string("rules/disassociate.bylaw")
        .unwrap()
        .replace(
            "request.actor.role != \"main\"",
            "request.actor.rol != \"boss\"",
        );
    file(&dir, "disassociate.bylaw", &rules);
    bylaw()
        .args(["check", "--rules"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`request.actor` has no field `rol`",
        ))
        .stderr(predicate::str::contains(
            "did you mean `request.actor.role`?",
        ));
    bylaw()
        .args(["check", "--rules", "rules/"])
        .assert()
        .code(0);
}
