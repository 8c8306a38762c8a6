//! Batch summaries and exit statuses with all four outcomes and bad records: the counts
//! are right and the exit status is the worst outcome in the order denied (2) > error or
//! bad record (1) > needs_review (3) > allowed (0), whichever records come first.

use assert_cmd::Command;
use bylaw::run::batch::{stream_jsonl, Record};
use bylaw::{Engine, Options, Outcome};
use serde_json::Value as J;

/// The worked example as one JSON line, with `edit` applied and its own ID.
fn line(id: &str, edit: impl FnOnce(&mut J)) -> String {
    let text = std::fs::read_to_string("examples/unsubscribe.yaml").unwrap();
    let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut json: J = serde_json::to_value(value).unwrap();
    json["id"] = J::String(id.into());
    edit(&mut json);
    serde_json::to_string(&json).unwrap()
}

fn allowed() -> String {
    line("allowed", |_| {})
}

/// Unreviewed, an hour before the automatic approval.
fn needs_review() -> String {
    line("review", |j| {
        j.as_object_mut().unwrap().remove("review");
    })
}

/// Schema-valid, but 9000 CNY cannot be held against 1000 USD: the review errors.
fn error() -> String {
    line("error", |j| {
        j["resources"][0]["order"]["amount"] =
            serde_json::json!({"amount": "9000.00", "currency": "CNY"});
    })
}

fn denied() -> String {
    line("denied", |j| {
        j["account"]["frozen_for_legal"] = J::Bool(true)
    })
}

fn bad() -> String {
    "{not json".into()
}

fn summary_of(lines: &[String]) -> bylaw::run::batch::Summary {
    let engine = Engine::from_dir("rules").unwrap();
    let input = lines.join("\n") + "\n";
    let mut outcomes = Vec::new();
    let summary = stream_jsonl(
        &engine,
        &Options::default(),
        input.as_bytes(),
        "in",
        2,
        1 << 20,
        |r: &Record| {
            outcomes.push(r.decision.as_ref().map(|d| d.decision));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(outcomes.len(), lines.len());
    summary
}

#[test]
fn each_record_is_decided_as_intended() {
    let s = summary_of(&[allowed(), needs_review(), error(), denied(), bad()]);
    assert_eq!(
        (
            s.total,
            s.allowed,
            s.needs_review,
            s.error,
            s.denied,
            s.bad_input
        ),
        (5, 1, 1, 1, 1, 1)
    );
}

#[test]
fn the_worst_outcome_is_ranked_denied_error_review_allowed() {
    let cases: [(Vec<String>, Outcome); 9] = [
        (vec![allowed(), allowed()], Outcome::Allowed),
        (vec![allowed(), needs_review()], Outcome::NeedsReview),
        (vec![needs_review(), error()], Outcome::Error),
        (vec![error(), needs_review()], Outcome::Error),
        (vec![needs_review(), bad()], Outcome::Error),
        (vec![bad(), allowed()], Outcome::Error),
        (vec![error(), denied()], Outcome::Denied),
        (vec![denied(), bad()], Outcome::Denied),
        (
            vec![bad(), denied(), error(), needs_review(), allowed()],
            Outcome::Denied,
        ),
    ];
    for (lines, want) in cases {
        let s = summary_of(&lines);
        assert_eq!(s.worst(), want, "{s:?}");
    }
}

#[test]
fn the_cli_exits_with_the_worst_outcome_and_summarises_all_four() {
    let run = |lines: Vec<String>| {
        let out = Command::cargo_bin("bylaw")
            .unwrap()
            .args(["evaluate", "--facts-jsonl", "-", "--jobs", "2"])
            .write_stdin(lines.join("\n") + "\n")
            .output()
            .unwrap();
        let n = String::from_utf8(out.stdout).unwrap().lines().count();
        assert_eq!(n, lines.len(), "one record per line");
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    assert_eq!(run(vec![allowed()]).0, Some(0));
    assert_eq!(run(vec![allowed(), needs_review()]).0, Some(3));
    assert_eq!(run(vec![needs_review(), error()]).0, Some(1));
    assert_eq!(run(vec![needs_review(), bad()]).0, Some(1));
    assert_eq!(run(vec![error(), denied()]).0, Some(2));
    let (code, stderr) = run(vec![
        allowed(),
        needs_review(),
        error(),
        denied(),
        bad(),
        allowed(),
    ]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("6 snapshots: 2 allowed, 1 denied, 1 needs_review, 1 error, 1 bad input"),
        "{stderr}"
    );
}
