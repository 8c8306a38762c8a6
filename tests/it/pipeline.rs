//! One snapshot, one decision: `evaluate` (one file, a folder), `snapshot`, `diff` and
//! the library decide through the same pipeline (read → conform → decide). Pinned on the
//! case that once split them: a declared `string` fact whose text looks like a time.

use std::path::Path;

use assert_cmd::Command;
use bylaw::input::{self, Format};
use bylaw::{Engine, Outcome};
use predicates::prelude::*;

fn bylaw() -> Command {
    Command::cargo_bin("bylaw").unwrap()
}

/// examples/unsubscribe.yaml with its `reason` set to `reason`, alone in a folder.
fn corpus(reason: &str) -> tempfile::TempDir {
    let text = std::fs::read_to_string("examples/unsubscribe.yaml").unwrap();
    let changed = text.replace(
        "reason: \"Bought twice by mistake\"",
        &format!("reason: \"{reason}\""),
    );
    assert!(
        text.contains("reason: \"Bought twice by mistake\""),
        "the example's reason moved"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("case.yaml"), changed).unwrap();
    dir
}

fn evaluate_yaml(file: &Path) -> String {
    let out = bylaw()
        .args([
            "evaluate", "--rules", "rules", "--format", "yaml", "--facts",
        ])
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_string_that_looks_like_a_time_gets_one_decision_everywhere() {
    let dir = corpus("2021-09-30T10:00:00+08:00");
    let file = dir.path().join("case.yaml");
    let evaluated = evaluate_yaml(&file);
    assert!(evaluated.starts_with("decision: allowed\n"), "{evaluated}");

    // The golden `snapshot --accept` writes is what `evaluate` prints.
    bylaw()
        .args(["snapshot", "--rules", "rules", "--accept"])
        .arg(dir.path())
        .assert()
        .success();
    let golden = std::fs::read_to_string(dir.path().join("case.decision.yaml")).unwrap();
    assert_eq!(golden, evaluated);
    bylaw()
        .args(["snapshot", "--rules", "rules"])
        .arg(dir.path())
        .assert()
        .success();

    // A folder in batch: the same decision.
    let out = bylaw()
        .args(["evaluate", "--rules", "rules", "--facts-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(
        line.contains(r#""decision":{"decision":"allowed""#),
        "{line}"
    );

    // `diff` of a rule set against itself: nothing changed, nothing bad.
    bylaw()
        .args(["diff", "--base", "rules", "--rules", "rules"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(
            predicates::str::contains("1 unchanged").and(predicates::str::contains("0 bad input")),
        );

    // `bylaw test`: a case on that file expects what `evaluate` says.
    let tests = dir.path().join("tests.yaml");
    std::fs::write(
        &tests,
        "cases:\n  - name: a reason that looks like a time\n    facts_file: case.yaml\n    decision: allowed\n",
    )
    .unwrap();
    bylaw()
        .args(["test", "--rules", "rules"])
        .arg(&tests)
        .assert()
        .success()
        .stdout(predicates::str::contains("1 passed, 0 failed"));

    // The library: the entry point from bytes conforms first, as the commands do.
    let engine = Engine::from_dir("rules").unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let d = engine
        .decide_bytes(&bytes, Format::Yaml, "case.yaml")
        .unwrap();
    assert_eq!(d.decision, Outcome::Allowed);
    assert_eq!(serde_yaml::to_string(&d).unwrap(), evaluated);
    // Near miss: `Engine::evaluate` takes the value as it is (documented), and the
    // unconformed time cannot be read as the `string` the rule expects.
    let raw = input::load_bytes(&bytes, Format::Yaml, "case.yaml").unwrap();
    assert_eq!(engine.evaluate(&raw).decision, Outcome::Error);
}

#[test]
fn a_plain_reason_is_allowed_by_every_path_too() {
    let dir = corpus("Bought twice by mistake");
    let file = dir.path().join("case.yaml");
    let evaluated = evaluate_yaml(&file);
    assert!(evaluated.starts_with("decision: allowed\n"), "{evaluated}");
    let engine = Engine::from_dir("rules").unwrap();
    let raw = input::load_bytes(&std::fs::read(&file).unwrap(), Format::Yaml, "case.yaml").unwrap();
    assert_eq!(engine.evaluate(&raw).decision, Outcome::Allowed);
    let conformed = engine
        .decide_value(&raw, &bylaw::Options::default())
        .unwrap();
    assert_eq!(conformed.decision, Outcome::Allowed);
    assert_eq!(serde_yaml::to_string(&conformed).unwrap(), evaluated);
}

#[test]
fn a_snapshot_that_breaks_the_schema_is_refused_by_the_library_entry_points() {
    let engine = Engine::from_dir("rules").unwrap();
    let r = engine.decide_bytes(
        b"request: {action: unsubscribe_inactive, reason: 3}",
        Format::Yaml,
        "x.yaml",
    );
    let e = r.unwrap_err();
    assert!(matches!(e, bylaw::Rejected::Invalid { .. }), "{e}");
    assert!(e.to_string().starts_with("x.yaml:1:"), "{e}");
}

/// A violation deep in a YAML snapshot (inside a flow record in a list, on a `\r\n`
/// line, after non-ASCII text on that line: columns count characters) is placed at its
/// line and column, from the places the reader recorded; the near miss, a violation at
/// the top, at its key.
#[test]
fn a_violation_deep_in_a_yaml_snapshot_is_placed_where_it_was_written() {
    let engine = Engine::from_dir("rules").unwrap();
    let text = std::fs::read_to_string("examples/unsubscribe.yaml")
        .unwrap()
        .replace("id: t-9", "id: të-9")
        .replace("kind: renewal", "kind: [renewal]")
        .replace('\n', "\r\n");
    let line = text.lines().position(|l| l.contains("[renewal]")).unwrap() + 1;
    let written = text.lines().nth(line - 1).unwrap();
    let column = written[..written.find("kind").unwrap()].chars().count() + 1;
    let e = engine
        .decide_bytes(text.as_bytes(), Format::Yaml, "deep.yaml")
        .unwrap_err();
    let bylaw::Rejected::Invalid { violations, .. } = e else {
        panic!("{e}")
    };
    let v = &violations[0];
    assert_eq!(v.path, "resources[0].transactions[0].kind", "{v:?}");
    assert_eq!((v.line, v.column), (Some(line), Some(column)), "{v:?}");
    let top = text.replacen("request:", "request: 3\r\nx:", 1);
    let e = engine
        .decide_bytes(top.as_bytes(), Format::Yaml, "top.yaml")
        .unwrap_err();
    assert!(e.to_string().starts_with("top.yaml:"), "{e}");
    let bylaw::Rejected::Invalid { violations, .. } = e else {
        panic!("{e}")
    };
    assert_eq!(
        (
            violations[0].path.as_str(),
            violations[0].line,
            violations[0].column
        ),
        (
            "request",
            Some(
                1 + text
                    .lines()
                    .position(|l| l.starts_with("request:"))
                    .unwrap()
            ),
            Some(1)
        )
    );
}
