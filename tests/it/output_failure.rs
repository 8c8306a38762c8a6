//! Every command ends promptly when it cannot write its output (issue 22, class 3): a
//! closed pipe ends quietly with the command's usual status, any other failed write
//! (`/dev/full`) is one error line and exit status 1; never a panic, never a hang.
//! Each child is bounded in time: past the bound it is killed and the test fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Far above what any of these commands needs; a deadlock is caught by it.
const BOUND: Duration = Duration::from_secs(120);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bylaw(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bylaw"));
    c.current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Waits for the child within [`BOUND`]; kills it and fails past that.
fn wait_bounded(mut child: Child, what: &str) -> (ExitStatus, String) {
    let started = Instant::now();
    // stderr is read on a thread, so that a chatty child cannot block on it.
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status, reader.join().unwrap());
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {BOUND:?}: killed (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A JSONL stream of `n` snapshots, written at test time (not committed): enough
/// output to fill any pipe buffer many times over.
fn jsonl(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.jsonl");
    let mut text = String::new();
    for i in 0..n {
        // Bad input on purpose: each line is still one output record, and quick to decide.
        text.push_str(&format!("{{\"id\": \"s-{i}\", \"request\": {{}}}}\n"));
    }
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn commands(jsonl: &str) -> Vec<Vec<String>> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&[
            "evaluate",
            "--rules",
            "rules",
            "--facts",
            "examples/unsubscribe.yaml",
        ]),
        v(&[
            "evaluate",
            "--rules",
            "rules",
            "--facts-jsonl",
            jsonl,
            "--jobs",
            "2",
        ]),
        v(&[
            "evaluate",
            "--rules",
            "rules",
            "--facts-dir",
            "tests/scenarios",
        ]),
        v(&["check", "--rules", "rules"]),
        v(&["schema", "--rules", "rules", "--policy", "unsubscribe"]),
        v(&["test", "rules"]),
        v(&["diff", "--base", "rules", "tests/scenarios"]),
        v(&["completions", "bash"]),
        v(&["man"]),
        v(&["snapshot", "tests/scenarios"]),
        v(&["fmt", "--check", "rules"]),
        v(&[
            "test",
            "tests/mutate_files/rules",
            "--mutate",
            "--no-golden",
        ]),
    ]
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let (_dir, path) = jsonl(20_000);
    for args in commands(path.to_str().unwrap()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = bylaw(&args).stdout(Stdio::piped()).spawn().unwrap();
        // The reader goes away at once, as `| head -0` would.
        drop(child.stdout.take());
        let (status, stderr) = wait_bounded(child, &args.join(" "));
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("cannot write"), "{args:?}: {stderr}");
        assert!(matches!(status.code(), Some(0..=4)), "{args:?}: {status:?}");
    }
}

#[test]
fn a_pipe_closed_after_the_first_line_ends_the_batch_promptly() {
    // `| head -1`: before the fix, with ≥ ~5,000 lines, the run hung for ever at 0% CPU.
    let (_dir, path) = jsonl(50_000);
    let path = path.to_str().unwrap();
    for jobs in ["1", "2", "4"] {
        let args = [
            "evaluate",
            "--rules",
            "rules",
            "--facts-jsonl",
            path,
            "--jobs",
            jobs,
        ];
        let mut child = bylaw(&args).stdout(Stdio::piped()).spawn().unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut first = [0u8; 64];
        out.read_exact(&mut first).unwrap();
        drop(out);
        let (status, stderr) = wait_bounded(child, &args.join(" "));
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(status.code(), Some(1), "{stderr}");
    }
}

#[test]
fn a_failed_write_is_one_error_line_and_status_1() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let (_dir, path) = jsonl(20_000);
    // `fmt --check` on formatted rules prints nothing: there is nothing to fail.
    for args in commands(path.to_str().unwrap())
        .into_iter()
        .filter(|a| a[0] != "fmt")
    {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let child = bylaw(&args).stdout(full).spawn().unwrap();
        let (status, stderr) = wait_bounded(child, &args.join(" "));
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(status.code(), Some(1), "{args:?}: {stderr}");
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("cannot write the output"))
            .collect();
        assert_eq!(errors.len(), 1, "{args:?}: {stderr}");
    }
}

/// Waits for a child whose stderr is not read here, within [`BOUND`].
fn status_bounded(mut child: Child, what: &str) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {BOUND:?}: killed (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn stderr_that_cannot_be_written_never_panics_or_hangs() {
    // stderr full (`2>/dev/full`): a command that had something to say there ends with
    // status 1, one that had not with its usual status; stderr a closed pipe: quiet,
    // the usual status. `2>&-` is `/dev/null` to the Rust runtime. A panic would be
    // status 101 (its message is lost with stderr).
    let (_dir, path) = jsonl(2_000);
    let mut all = commands(path.to_str().unwrap());
    let bad = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    all.push(bad(&[
        "check",
        "--rules",
        "tests/bad_inputs/rules/nul_byte.bylaw",
    ]));
    all.push(bad(&[
        "evaluate",
        "--facts",
        "tests/bad_inputs/facts/merge_key.yaml",
    ]));
    all.push(bad(&["evaluate", "--no-such-flag"]));
    for args in all {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let what = args.join(" ");
        let child = bylaw(&args).stdout(Stdio::null()).spawn().unwrap();
        let (usual, said) = wait_bounded(child, &what);
        assert!(!said.contains("panicked"), "{what}: {said}");
        if Path::new("/dev/full").exists() {
            let full = std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap();
            let child = bylaw(&args)
                .stdout(Stdio::null())
                .stderr(full)
                .spawn()
                .unwrap();
            let status = status_bounded(child, &what);
            let expected = if said.is_empty() {
                usual.code()
            } else {
                Some(1)
            };
            assert_eq!(status.code(), expected, "{what} 2>/dev/full");
        }
        let mut child = bylaw(&args).stdout(Stdio::null()).spawn().unwrap();
        drop(child.stderr.take());
        let status = status_bounded(child, &what);
        assert_eq!(status.code(), usual.code(), "{what} 2>closed pipe");
    }
}
