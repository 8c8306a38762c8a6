//! `bylaw diff`: a corpus under two rule versions; transitions with the rules responsible,
//! details, source moves, `git:` bases, bad input, JSONL and JSON output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use bylaw::author::impact;
use bylaw::run::corpus::Corpus;
use bylaw::{Engine, Options};
use predicates::prelude::*;

const THRESHOLD: &str = "resource.order.amount > 1000 USD";
const TIGHTER: &str = "resource.order.amount > 500 USD";

fn bylaw() -> Command {
    Command::cargo_bin("bylaw").unwrap()
}

/// A copy of `rules/` in `dir`, with `unsubscribe.bylaw` passed through `edit`.
fn rules_copy(dir: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir("rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "bylaw") {
            continue; // rules/tests/ and the like
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap();
        let text = if name == "unsubscribe.bylaw" {
            edit(&text)
        } else {
            text
        };
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir.to_path_buf()
}

fn tighten(text: &str) -> String {
    assert!(
        text.contains(THRESHOLD),
        "the threshold moved: fix the test"
    );
    text.replace(THRESHOLD, TIGHTER)
}

/// Five cases: two orders between 500 and 1000 USD (allowed, then reviewed), one of
/// 2000 USD (reviewed either way), a denied one and a disassociation.
fn corpus(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let exactly =
        std::fs::read_to_string("tests/scenarios/unsubscribe/order_exactly_1000.yaml").unwrap();
    std::fs::write(corpus.join("a_1000.yaml"), &exactly).unwrap();
    assert!(exactly.contains("\"1000.00\""));
    std::fs::write(
        corpus.join("b_700.yaml"),
        exactly.replace("\"1000.00\"", "\"700.00\""),
    )
    .unwrap();
    std::fs::write(
        corpus.join("c_300.yaml"),
        exactly.replace("\"1000.00\"", "\"300.00\""),
    )
    .unwrap();
    for (from, to) in [
        (
            "tests/scenarios/unsubscribe/worked_example_approved_oct01.yaml",
            "d_2000.yaml",
        ),
        (
            "tests/scenarios/unsubscribe/account_frozen.yaml",
            "e_denied.yaml",
        ),
        (
            "tests/scenarios/disassociate/balance_covers_expected.json",
            "f_disassociate.json",
        ),
    ] {
        std::fs::copy(from, corpus.join(to)).unwrap();
    }
    corpus
}

fn diff(base: &str, rules: &Path, corpus: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    bylaw()
        .args(["diff", "--base", base, "--rules"])
        .arg(rules)
        .args(extra)
        .arg(corpus)
        .assert()
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

#[test]
fn a_tightened_threshold_moves_cases_to_review_and_names_the_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let old = rules_copy(&tmp.path().join("old"), str::to_string);
    let new = rules_copy(&tmp.path().join("new"), tighten);
    let corpus = corpus(tmp.path());

    let out = diff(old.to_str().unwrap(), &new, &corpus, &[]).code(4);
    let text = stdout(&out);
    assert!(text.contains("allowed → needs_review: 2\n"), "{text}");
    assert!(
        text.contains("unsubscribe.large_order_review  now matches (review, pending)"),
        "{text}"
    );
    assert!(text.contains("a_1000.yaml, "), "{text}");
    assert!(text.contains("b_700.yaml"), "{text}");
    // The 2000 USD order keeps its decision; its evidence names the new threshold.
    assert!(
        text.contains("decision unchanged, warnings/effects/messages/values changed: 1"),
        "{text}"
    );
    assert!(
        text.contains("6 cases: 3 unchanged, 2 decision changed, 1 details changed"),
        "{text}"
    );

    let out = diff(old.to_str().unwrap(), &new, &corpus, &["--format", "json"]).code(4);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let t = &json["transitions"][0];
    assert_eq!(
        (&t["from"], &t["to"], &t["count"]),
        (
            &serde_json::json!("allowed"),
            &serde_json::json!("needs_review"),
            &serde_json::json!(2)
        )
    );
    assert_eq!(t["rules"][0]["rule"], "unsubscribe.large_order_review");
    assert_eq!(t["rules"][0]["count"], 2);
    assert_eq!(json["summary"]["decision_changed"], 2);
    assert_eq!(json["transitions"].as_array().unwrap().len(), 1);
    let cases = json["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    assert!(cases[0]["case"].as_str().unwrap().ends_with("a_1000.yaml"));
    assert_eq!(cases[0]["class"], "decision");
    assert!(cases[0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "unsubscribe.large_order_review" && r["change"] == "matched"));
}

#[test]
fn the_same_rules_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let old = rules_copy(&tmp.path().join("old"), str::to_string);
    let corpus = corpus(tmp.path());
    diff(old.to_str().unwrap(), Path::new("rules"), &corpus, &[])
        .code(0)
        .stdout(predicate::str::contains(
            "6 cases: 6 unchanged, 0 decision changed, 0 details changed, 0 only source moved, 0 bad input",
        ));
}

/// A comment above the rules shifts every location: reported apart, and not a change.
#[test]
fn rules_that_only_moved_are_reported_apart_and_exit_0() {
    let tmp = tempfile::tempdir().unwrap();
    let old = rules_copy(&tmp.path().join("old"), str::to_string);
    let new = rules_copy(&tmp.path().join("new"), |t| format!("# a new comment\n{t}"));
    let corpus = corpus(tmp.path());
    let out = diff(old.to_str().unwrap(), &new, &corpus, &[]).code(0);
    let text = stdout(&out);
    assert!(text.contains("only source locations moved: 5"), "{text}");
    assert!(text.contains("moved down 1 line"), "{text}");
    assert!(text.contains("0 decision changed, 0 details changed, 5 only source moved"));
    let out = diff(old.to_str().unwrap(), &new, &corpus, &["--format", "json"]).code(0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["source_only"]["count"], 5);
    let moved = &json["source_only"]["moves"][0];
    let line = |s: &serde_json::Value| -> u64 {
        s.as_str()
            .unwrap()
            .rsplit_once(':')
            .unwrap()
            .1
            .parse()
            .unwrap()
    };
    assert_eq!(line(&moved["to"]), line(&moved["from"]) + 1);
}

fn git(repo: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

/// The base read from git, without a second checkout: the working tree against HEAD, a
/// commit against its parent, a folder named at a revision, and from outside the repo.
#[test]
fn git_bases_read_the_rules_at_a_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let rules = rules_copy(&repo.join("policies"), str::to_string);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "rules"]);
    let corpus = corpus(tmp.path());

    // Uncommitted: the working tree against HEAD.
    rules_copy(&rules, tighten);
    let out = diff("git:HEAD", &rules, &corpus, &[]).code(4);
    assert!(stdout(&out).contains("allowed → needs_review: 2"));
    // The sources are cited as the working tree's: nothing but the change shows.
    assert!(
        !stdout(&out).contains("source locations"),
        "{}",
        stdout(&out)
    );

    // Committed: HEAD against its parent, with the folder named or not, from elsewhere.
    git(&repo, &["commit", "-q", "-am", "tighter"]);
    diff("git:HEAD", &rules, &corpus, &[]).code(0);
    for base in ["git:HEAD~1", "git:HEAD~1:policies", "git:HEAD~1:policies/"] {
        let out = bylaw()
            .current_dir(tmp.path())
            .args(["diff", "--base", base, "--rules"])
            .arg(&rules)
            .arg(&corpus)
            .assert()
            .code(4);
        assert!(
            stdout(&out).contains("allowed → needs_review: 2"),
            "{base}: {}",
            stdout(&out)
        );
    }

    // A revision git does not know, and a folder not there at the revision.
    diff("git:no-such-rev", &rules, &corpus, &[])
        .code(1)
        .stderr(predicate::str::contains("git:no-such-rev").and(predicate::str::contains("git")));
    diff("git:HEAD:nowhere", &rules, &corpus, &[]).code(1);
    diff("git:--output=x", &rules, &corpus, &[])
        .code(1)
        .stderr(predicate::str::contains("is not a revision"));
}

#[test]
fn bad_input_is_reported_per_file_while_the_rest_are_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let old = rules_copy(&tmp.path().join("old"), str::to_string);
    let new = rules_copy(&tmp.path().join("new"), tighten);
    let corpus = corpus(tmp.path());
    std::fs::write(corpus.join("broken.json"), "{\"request\": ").unwrap();
    let out = diff(old.to_str().unwrap(), &new, &corpus, &[]).code(1);
    let text = stdout(&out);
    assert!(text.contains("allowed → needs_review: 2"), "{text}");
    assert!(text.contains("bad input: 1\n"), "{text}");
    assert!(text.contains("broken.json"), "{text}");
    assert!(text.contains("1 bad input"), "{text}");
}

#[test]
fn jsonl_corpora_name_cases_by_line() {
    let tmp = tempfile::tempdir().unwrap();
    let old = rules_copy(&tmp.path().join("old"), str::to_string);
    let new = rules_copy(&tmp.path().join("new"), tighten);
    let corpus = corpus(tmp.path());
    let mut jsonl = String::new();
    for name in ["c_300.yaml", "b_700.yaml"] {
        let v: serde_json::Value =
            serde_yaml::from_str(&std::fs::read_to_string(corpus.join(name)).unwrap()).unwrap();
        jsonl.push_str(&serde_json::to_string(&v).unwrap());
        jsonl.push('\n');
    }
    jsonl.push_str("not json\n");
    let file = tmp.path().join("cases.jsonl");
    std::fs::write(&file, jsonl).unwrap();
    let out = diff(old.to_str().unwrap(), &new, &file, &["--format", "json"]).code(1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["summary"]["cases"], 3);
    assert!(json["transitions"][0]["examples"][0]
        .as_str()
        .unwrap()
        .ends_with("cases.jsonl:2"));
    assert!(json["bad_input"][0]["case"]
        .as_str()
        .unwrap()
        .ends_with("cases.jsonl:3"));
}

/// The library: two engines, a corpus, a report.
#[test]
fn the_library_groups_cases_by_transition() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = Corpus::from_paths(&[corpus(tmp.path())]).unwrap();
    let load = |edit: fn(&str) -> String| {
        let sources = bylaw::run::engine::rule_sources(Path::new("rules"))
            .unwrap()
            .into_iter()
            .map(|(name, text)| {
                let text = if name.ends_with("unsubscribe.bylaw") {
                    edit(&text)
                } else {
                    text
                };
                (name, text)
            });
        Engine::from_sources(sources).unwrap()
    };
    let (old, new) = (load(str::to_string), load(tighten));
    let report = impact::diff(&old, &new, &Options::default(), &corpus, 2, 1).unwrap();
    assert!(report.changed());
    assert_eq!(report.transitions.len(), 1);
    assert_eq!(
        report.transitions[0].examples.len(),
        1,
        "one example asked for"
    );
    // And back: the same cases, the other way round.
    let back = impact::diff(&new, &old, &Options::default(), &corpus, 1, 3).unwrap();
    assert_eq!(
        (
            back.transitions[0].from.as_str(),
            back.transitions[0].to.as_str()
        ),
        ("needs_review", "allowed")
    );
    assert_eq!(
        back.transitions[0].rules[0].change,
        "no longer matches (review, was pending)"
    );
}
