//! Batch evaluation: order kept, bad records isolated, counts right, exit status the worst.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use assert_cmd::Command;
use bylaw::run::batch::{stream_jsonl, stream_jsonl_bytes, write_record, Record};
use bylaw::{Engine, Options};

fn example_line(path: &str, id: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut json: serde_json::Value = serde_json::to_value(value).unwrap();
    json["id"] = serde_json::Value::String(id.to_string());
    serde_json::to_string(&json).unwrap()
}

fn corpus(n: usize) -> String {
    let allowed = example_line("examples/unsubscribe.yaml", "x");
    let denied = example_line("examples/disassociate.yaml", "x");
    let mut out = String::new();
    for i in 0..n {
        let line = match i % 5 {
            0 | 1 => allowed.replace("\"id\":\"x\"", &format!("\"id\":\"s{i}\"")),
            2 | 3 => denied.replace("\"id\":\"x\"", &format!("\"id\":\"s{i}\"")),
            _ => "{not json".to_string(),
        };
        out.push_str(&line);
        out.push('\n');
        if i % 7 == 0 {
            out.push('\n'); // blank lines are skipped, but still counted as lines
        }
    }
    out
}

#[test]
fn order_is_kept_and_bad_lines_are_isolated_on_many_threads() {
    let engine = Engine::from_dir("rules").unwrap();
    let input = corpus(1500);
    let mut records: Vec<(Option<usize>, Option<String>, bool)> = Vec::new();
    let summary = stream_jsonl(
        &engine,
        &Options::default(),
        input.as_bytes(),
        "in",
        4,
        1 << 20,
        |r: &Record| {
            records.push((r.line, r.id.clone(), r.decision.is_some()));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(records.len(), 1500);
    // In input order, each line once.
    let lines: Vec<usize> = records.iter().map(|r| r.0.unwrap()).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]));
    for (i, (_, id, ok)) in records.iter().enumerate() {
        if i % 5 == 4 {
            assert!(!ok && id.is_none(), "record {i} should be an error");
        } else {
            assert_eq!(
                id.as_deref(),
                Some(format!("\"s{i}\"").trim_matches('"')),
                "record {i}"
            );
        }
    }
    assert_eq!(summary.total, 1500);
    assert_eq!(summary.allowed, 600);
    assert_eq!(summary.denied, 600);
    assert_eq!(summary.bad_input, 300);
    assert_eq!(summary.worst(), bylaw::Outcome::Denied);
}

/// The CLI streams with workers writing whole chunks of records: across many chunks
/// and threads it writes, line for line, what deciding record by record writes.
#[test]
fn workers_writing_chunks_write_what_record_by_record_writes() {
    let engine = Engine::from_dir("rules").unwrap();
    let input = format!("{}{}\n{}\n", corpus(1500), "x".repeat(3000), "\u{feff}{}");
    let stream = |workers| {
        let mut by_record = Vec::new();
        let records = stream_jsonl(
            &engine,
            &Options::default(),
            input.as_bytes(),
            "in",
            workers,
            2000,
            |r: &Record| write_record(&mut by_record, r),
        )
        .unwrap();
        let mut by_chunk = Vec::new();
        let mut counted = 0;
        let chunks = stream_jsonl_bytes(
            &engine,
            &Options::default(),
            input.as_bytes(),
            "in",
            workers,
            2000,
            |bytes, n| {
                counted += n;
                by_chunk.extend_from_slice(bytes);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(records, chunks);
        assert_eq!(counted, chunks.total);
        (
            String::from_utf8(by_record).unwrap(),
            String::from_utf8(by_chunk).unwrap(),
        )
    };
    for workers in [1, 4] {
        let (by_record, by_chunk) = stream(workers);
        assert_eq!(by_record.lines().count(), 1502);
        assert!(
            by_record == by_chunk,
            "{workers} workers: the outputs differ"
        );
    }
}

#[test]
fn an_over_long_line_is_an_error_record_not_an_allocation() {
    let engine = Engine::from_dir("rules").unwrap();
    let input = format!(
        "{}\n{}\n",
        "x".repeat(10_000),
        example_line("examples/unsubscribe.yaml", "ok")
    );
    let mut errors = Vec::new();
    let summary = stream_jsonl(
        &engine,
        &Options::default(),
        input.as_bytes(),
        "in",
        2,
        1000,
        |r: &Record| {
            errors.push(r.error.clone());
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(summary.total, 2);
    assert!(
        errors[0]
            .as_deref()
            .unwrap()
            .contains("in:1: the line is 10001 bytes"),
        "{errors:?}"
    );
    assert!(errors[1].is_none());
}

#[test]
fn cli_streams_jsonl_and_reports_a_summary() {
    let out = Command::cargo_bin("bylaw")
        .unwrap()
        .args(["evaluate", "--facts-jsonl", "-", "--jobs", "2"])
        .write_stdin(corpus(10))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "denied is the worst outcome");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 10);
    assert_eq!(lines[0]["decision"]["decision"], "allowed");
    assert_eq!(lines[2]["decision"]["decision"], "denied");
    assert!(lines[4]["error"].as_str().unwrap().contains("<stdin>:"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("10 snapshots: 4 allowed, 4 denied, 0 needs_review, 0 error, 2 bad input"),
        "{stderr}"
    );
}

#[test]
fn cli_evaluates_a_folder_and_reports_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("examples/unsubscribe.yaml", dir.path().join("a.yaml")).unwrap();
    std::fs::write(dir.path().join("b.json"), "{broken").unwrap();
    std::fs::copy("examples/disassociate.yaml", dir.path().join("c.yml")).unwrap();
    let out = Command::cargo_bin("bylaw")
        .unwrap()
        .args(["evaluate", "--facts-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0]["file"].as_str().unwrap().ends_with("a.yaml"));
    assert!(lines[1]["error"].as_str().unwrap().contains("b.json"));
    assert_eq!(lines[2]["decision"]["decision"], "denied");
    assert_eq!(out.status.code(), Some(2));
}
