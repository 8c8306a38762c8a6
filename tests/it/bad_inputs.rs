//! The bad-input corpus (`tests/bad_inputs/`): every malformed snapshot and rule file
//! gets exit status 1 and one clear message naming the file (and, where known, the
//! path and line). The messages are snapshots: review them when they change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers, not library code

use std::path::Path;

use assert_cmd::Command;

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("bylaw")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code, Some(1), "{args:?}\n{stdout}\n{stderr}");
    // No panic message, no backtrace: a clear error only.
    assert!(!stderr.contains("panicked"), "{stderr}");
    let mut s = "exit status: 1\n".to_string();
    if !stderr.is_empty() {
        s.push_str(&format!("--- stderr\n{stderr}"));
    }
    if !stdout.is_empty() {
        s.push_str(&format!("--- stdout\n{stdout}"));
    }
    s
}

#[test]
fn malformed_snapshots_are_refused_with_a_clear_message() {
    let mut n = 0;
    insta::glob!("..", "bad_inputs/facts/*", |path| {
        let file = relative(path);
        let out = run(&["evaluate", "--rules", "rules/", "--facts", &file]);
        assert!(out.contains(&file), "the message names the file:\n{out}");
        insta::assert_snapshot!(out);
        n += 1;
    });
    assert!(n >= 25, "{n} malformed snapshots");
}

#[test]
fn malformed_rule_files_are_refused_with_a_clear_message() {
    let mut n = 0;
    insta::glob!("..", "bad_inputs/rules/*", |path| {
        let file = relative(path);
        let out = run(&["check", "--rules", &file]);
        assert!(out.contains(&file), "the message names the file:\n{out}");
        insta::assert_snapshot!(out);
        n += 1;
    });
    assert!(n >= 25, "{n} malformed rule files");
}
