//! `bylaw snapshot`: goldens beside snapshots; unchanged, changed, new, orphaned and bad
//! input; `--accept`, `--review` with answers on stdin; JSONL goldens; the library API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use bylaw::author::snapshot::{self, Answer, Pending, State};
use bylaw::run::corpus::Corpus;
use bylaw::Engine;
use predicates::prelude::*;

const ALLOWED: &str = "tests/scenarios/unsubscribe/order_exactly_1000.yaml";
const DENIED: &str = "tests/scenarios/unsubscribe/account_frozen.yaml";
const JSON: &str = "tests/scenarios/disassociate/balance_covers_expected.json";

fn bylaw() -> Command {
    Command::cargo_bin("bylaw").unwrap()
}

/// A corpus folder with three scenarios copied in.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::copy(ALLOWED, dir.path().join("allowed.yaml")).unwrap();
    std::fs::copy(DENIED, dir.path().join("sub/denied.yaml")).unwrap();
    std::fs::copy(JSON, dir.path().join("disassociate.json")).unwrap();
    dir
}

fn snapshot(dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    bylaw()
        .args(["snapshot", "--rules", "rules"])
        .args(extra)
        .arg(dir)
        .assert()
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

#[test]
fn new_goldens_then_accept_then_unchanged() {
    let dir = corpus();
    let out = snapshot(dir.path(), &[]).code(4);
    let text = stdout(&out);
    assert!(
        text.contains("0 unchanged, 0 changed, 3 new, 0 orphaned, 0 bad input"),
        "{text}"
    );
    assert!(text.contains("allowed.yaml → allowed"), "{text}");
    assert!(
        text.contains("denied.yaml → denied: unsubscribe.account_frozen"),
        "{text}"
    );
    assert!(!dir.path().join("allowed.decision.yaml").exists());

    let out = snapshot(dir.path(), &["--accept"]).code(0);
    assert!(stdout(&out).contains("wrote 3 goldens"));
    for golden in [
        "allowed.decision.yaml",
        "sub/denied.decision.yaml",
        "disassociate.decision.yaml",
    ] {
        assert!(dir.path().join(golden).is_file(), "{golden} not written");
    }

    snapshot(dir.path(), &[])
        .code(0)
        .stdout("3 unchanged, 0 changed, 0 new, 0 orphaned, 0 bad input\n");
}

/// A golden is exactly what `bylaw evaluate --format yaml` prints.
#[test]
fn a_golden_is_the_yaml_of_evaluate() {
    let dir = corpus();
    snapshot(dir.path(), &["--accept"]).code(0);
    for (snap, golden) in [
        ("allowed.yaml", "allowed.decision.yaml"),
        ("disassociate.json", "disassociate.decision.yaml"),
    ] {
        let evaluated = bylaw()
            .args([
                "evaluate", "--rules", "rules", "--format", "yaml", "--facts",
            ])
            .arg(dir.path().join(snap))
            .assert();
        let golden = std::fs::read_to_string(dir.path().join(golden)).unwrap();
        assert_eq!(stdout(&evaluated), golden);
    }
}

#[test]
fn changed_new_and_orphaned_are_reported_with_a_readable_diff() {
    let dir = corpus();
    snapshot(dir.path(), &["--accept"]).code(0);
    // Changed: the account is no longer frozen, so the deny goes.
    let denied = dir.path().join("sub/denied.yaml");
    let text = std::fs::read_to_string(&denied).unwrap();
    assert!(text.contains("frozen_for_legal: true"));
    std::fs::write(
        &denied,
        text.replacen("frozen_for_legal: true", "frozen_for_legal: false", 1),
    )
    .unwrap();
    // New: a second copy. Orphaned: the JSON snapshot is deleted, its golden stays.
    std::fs::copy(ALLOWED, dir.path().join("sub/another.yaml")).unwrap();
    std::fs::remove_file(dir.path().join("disassociate.json")).unwrap();

    let out = snapshot(dir.path(), &[]).code(4);
    let text = stdout(&out);
    assert!(
        text.contains("1 unchanged, 1 changed, 1 new, 1 orphaned, 0 bad input"),
        "{text}"
    );
    assert!(text.contains("changed: "), "{text}");
    assert!(text.contains("decision: denied → allowed"), "{text}");
    assert!(text.contains("- deny unsubscribe.account_frozen"), "{text}");
    assert!(text.contains("new: "), "{text}");
    assert!(
        text.contains("orphaned: ") && text.contains("disassociate.decision.yaml"),
        "{text}"
    );

    let out = snapshot(dir.path(), &["--accept"]).code(0);
    assert!(
        stdout(&out).contains("wrote 2 goldens, removed 1 orphaned"),
        "{}",
        stdout(&out)
    );
    assert!(!dir.path().join("disassociate.decision.yaml").exists());
    assert!(dir.path().join("sub/another.decision.yaml").is_file());
    let golden = std::fs::read_to_string(dir.path().join("sub/denied.decision.yaml")).unwrap();
    assert!(golden.starts_with("decision: allowed\n"), "{golden}");
    snapshot(dir.path(), &[])
        .code(0)
        .stdout(predicate::str::contains("3 unchanged, 0 changed"));
}

#[test]
fn bad_input_is_reported_per_file_while_the_rest_are_compared() {
    let dir = corpus();
    snapshot(dir.path(), &["--accept"]).code(0);
    std::fs::write(dir.path().join("broken.yaml"), "request: [unclosed\n").unwrap();
    // And a real change beside it, which must still be found.
    std::fs::write(
        dir.path().join("sub/denied.yaml"),
        std::fs::read_to_string(ALLOWED).unwrap(),
    )
    .unwrap();
    let out = snapshot(dir.path(), &[]).code(1);
    let text = stdout(&out);
    assert!(text.contains("bad input: "), "{text}");
    assert!(text.contains("broken.yaml"), "{text}");
    assert!(
        text.contains("2 unchanged, 1 changed, 0 new, 0 orphaned, 1 bad input"),
        "{text}"
    );
    // Accepting writes the rest, never a golden for the bad file.
    snapshot(dir.path(), &["--accept"]).code(1);
    assert!(!dir.path().join("broken.decision.yaml").exists());
    std::fs::remove_file(dir.path().join("broken.yaml")).unwrap();
    snapshot(dir.path(), &[]).code(0);
}

#[test]
fn review_reads_answers_from_stdin() {
    let dir = corpus();
    // Three new cases: accept the first, refuse the second, and the input ends.
    let out = bylaw()
        .args(["snapshot", "--rules", "rules", "--review"])
        .arg(dir.path())
        .write_stdin("y\nn\n")
        .assert()
        .code(4);
    let text = stdout(&out);
    assert!(
        text.contains("wrote 1 golden, removed 0 orphaned, kept 2"),
        "{text}"
    );
    // A new case is shown in full when asked about.
    assert!(text.contains("  decision: allowed"), "{text}");
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("accept this decision?"), "{stderr}");
    // The corpus is in name order: allowed.yaml, disassociate.json, sub/denied.yaml.
    assert!(dir.path().join("allowed.decision.yaml").is_file());
    assert!(!dir.path().join("disassociate.decision.yaml").exists());
    assert!(!dir.path().join("sub/denied.decision.yaml").exists());

    // `a` accepts this one and the rest; answers that mean nothing are asked again.
    bylaw()
        .args(["snapshot", "--rules", "rules", "--review"])
        .arg(dir.path())
        .write_stdin("maybe\na\n")
        .assert()
        .code(0);
    snapshot(dir.path(), &[]).code(0);
}

#[test]
fn only_moved_sources_are_told_apart_and_asked_about_together() {
    let dir = corpus();
    let rules = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "bylaw") {
            continue; // rules/tests/ and the like
        }
        std::fs::copy(&path, rules.path().join(path.file_name().unwrap())).unwrap();
    }
    let run = |extra: &[&str], stdin: &str| {
        bylaw()
            .arg("snapshot")
            .arg("--rules")
            .arg(rules.path())
            .args(extra)
            .arg(dir.path())
            .write_stdin(stdin.to_string())
            .assert()
    };
    run(&["--accept"], "").code(0);
    let file = rules.path().join("unsubscribe.bylaw");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("# a comment\n# and another\n{text}")).unwrap();

    let out = run(&[], "").code(4);
    let text = stdout(&out);
    assert!(
        text.contains("changed: 2 cases where only source locations moved"),
        "{text}"
    );
    assert!(text.contains("moved down 2 lines"), "{text}");
    assert!(!text.contains("decision:"), "{text}");

    // One answer for all of them.
    let out = run(&["--review"], "y\n").code(0);
    assert!(stdout(&out).contains("wrote 2 goldens"));
    run(&[], "").code(0);
}

#[test]
fn jsonl_files_get_one_golden_with_a_line_per_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let line = |path: &str| {
        let v: serde_json::Value =
            serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        serde_json::to_string(&v).unwrap()
    };
    let cases = dir.path().join("cases.jsonl");
    std::fs::write(
        &cases,
        format!("{}\n\n{}\n{}\n", line(ALLOWED), line(DENIED), line(ALLOWED)),
    )
    .unwrap();
    let out = snapshot(dir.path(), &[]).code(4);
    assert!(stdout(&out).contains("3 new"), "{}", stdout(&out));
    snapshot(dir.path(), &["--accept"]).code(0);
    let golden = std::fs::read_to_string(dir.path().join("cases.decision.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = golden
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["decision"]["decision"], "denied");
    snapshot(dir.path(), &[]).code(0);

    // The last line goes: its golden line is an orphan; the second changes.
    std::fs::write(&cases, format!("{}\n\n{}\n", line(ALLOWED), line(ALLOWED))).unwrap();
    let out = snapshot(dir.path(), &[]).code(4);
    let text = stdout(&out);
    assert!(
        text.contains("1 unchanged, 1 changed, 0 new, 1 orphaned"),
        "{text}"
    );
    assert!(text.contains("cases.jsonl:3"), "{text}");
    assert!(text.contains("cases.decision.jsonl (line 4)"), "{text}");
    snapshot(dir.path(), &["--accept"]).code(0);
    let golden = std::fs::read_to_string(dir.path().join("cases.decision.jsonl")).unwrap();
    assert_eq!(golden.lines().count(), 2);
    snapshot(dir.path(), &[]).code(0);
}

#[test]
fn snapshots_that_would_share_a_golden_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(ALLOWED, dir.path().join("case.yaml")).unwrap();
    std::fs::copy(JSON, dir.path().join("case.json")).unwrap();
    let out = snapshot(dir.path(), &[]).code(1);
    let text = stdout(&out);
    assert!(text.contains("would share the golden"), "{text}");
    assert!(text.contains("1 new"), "{text}");
}

#[test]
fn missing_corpus_and_bad_rules_are_errors() {
    bylaw()
        .args(["snapshot", "no/such/folder"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no/such/folder"));
    bylaw()
        .args(["snapshot", "README.md"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a snapshot"));
    let dir = corpus();
    bylaw()
        .args(["snapshot", "--rules", "no/rules"])
        .arg(dir.path())
        .assert()
        .code(1);
}

/// The library API a Rust test (like tests/it/scenarios.rs) or another tool uses: answers
/// can be injected, and each pending case carries its delta.
#[test]
fn the_library_reports_deltas_and_applies_chosen_answers() {
    let dir = corpus();
    let engine = Engine::from_dir("rules").unwrap();
    let corpus = Corpus::from_paths(&[dir.path().to_path_buf()]).unwrap();
    let run = snapshot::check(&engine, &corpus, 2).unwrap();
    assert_eq!(run.summary().new, 3);
    let mut asked = Vec::new();
    let applied = run
        .apply(|p| {
            if let Pending::Case(c) = p {
                asked.push(c.case.name());
            }
            match asked.len() {
                1 => Answer::Skip,
                _ => Answer::AcceptAll,
            }
        })
        .unwrap();
    assert_eq!(asked.len(), 2, "`all` stops the questions");
    assert_eq!((applied.written, applied.kept), (2, 1));

    // Change a golden by hand: the run names the change, rule by rule.
    let golden: PathBuf = dir.path().join("sub/denied.decision.yaml");
    let text = std::fs::read_to_string(&golden).unwrap();
    std::fs::write(
        &golden,
        text.replace("decision: denied", "decision: allowed"),
    )
    .unwrap();
    let run = snapshot::check(&engine, &corpus, 1).unwrap();
    let changed: Vec<_> = run
        .cases
        .iter()
        .filter_map(|c| match &c.state {
            State::Changed { delta, .. } => Some(delta),
            _ => None,
        })
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (changed[0].before.as_str(), changed[0].after.as_str()),
        ("allowed", "denied")
    );
}

/// Goldens are not snapshots to `evaluate --facts-dir` either.
#[test]
fn evaluate_facts_dir_skips_goldens() {
    let dir = corpus();
    snapshot(dir.path(), &["--accept"]).code(0);
    let out = bylaw()
        .args(["evaluate", "--rules", "rules", "--facts-dir"])
        .arg(dir.path())
        .assert();
    assert_eq!(stdout(&out).lines().count(), 3);
}
