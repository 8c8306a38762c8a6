//! The file system as input (issue 22, classes 5 and 6): links, loops, FIFOs and
//! unreadable folders are error records and the run goes on; nothing outside the
//! folder given is written or deleted; every channel reads within its limit. Each
//! child is bounded in time (a hang is killed and fails the test).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::io::Read as _;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(120);
const CASE: &str = "tests/scenarios/unsubscribe/account_frozen";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs bylaw in `cwd` with `stdin`, within [`BOUND`]: (status, stdout, stderr).
fn run(cwd: &Path, args: &[&str], stdin: Stdio) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bylaw"))
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut o, mut e) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = o.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = e.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?}: still running after {BOUND:?}: killed (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    (status.code(), out, err)
}

/// A corpus folder with two cases and their goldens, in a fresh temporary folder.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("corpus");
    std::fs::create_dir(&c).unwrap();
    for name in ["a", "b"] {
        std::fs::copy(
            root().join(format!("{CASE}.yaml")),
            c.join(format!("{name}.yaml")),
        )
        .unwrap();
        std::fs::copy(
            root().join(format!("{CASE}.decision.yaml")),
            c.join(format!("{name}.decision.yaml")),
        )
        .unwrap();
    }
    dir
}

fn rules() -> String {
    root().join("rules").display().to_string()
}

fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_link_to_a_parent_folder_is_one_error_record_not_a_loop() {
    let dir = corpus();
    let c = dir.path().join("corpus");
    symlink(&c, c.join("again")).unwrap();
    symlink(dir.path(), c.join("up")).unwrap();
    let (code, out, _) = run(
        dir.path(),
        &["evaluate", "--rules", &rules(), "--facts-dir", "corpus"],
        Stdio::null(),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(
        lines.iter().filter(|l| l.contains("not followed")).count(),
        2,
        "{out}"
    );
    assert_eq!(code, Some(2));
    // snapshot and diff walk the same way
    let (code, out, _) = run(
        dir.path(),
        &["snapshot", "--rules", &rules(), "corpus"],
        Stdio::null(),
    );
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(out.matches("not followed").count(), 2, "{out}");
    let (code, out, _) = run(
        dir.path(),
        &["diff", "--base", &rules(), "--rules", &rules(), "corpus"],
        Stdio::null(),
    );
    assert_eq!(code, Some(1), "{out}");
}

#[test]
fn a_fifo_is_an_error_record_and_the_run_goes_on() {
    let dir = corpus();
    let c = dir.path().join("corpus");
    if !mkfifo(&c.join("x.json")) {
        return;
    }
    let (code, out, _) = run(
        dir.path(),
        &["evaluate", "--rules", &rules(), "--facts-dir", "corpus"],
        Stdio::null(),
    );
    assert_eq!(code, Some(2));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[2].contains("x.json") && lines[2].contains("FIFO"),
        "{out}"
    );
    assert!(lines[0].contains("\"decision\""), "{out}");
    // named directly, it is refused before it is opened
    let (code, _, err) = run(
        dir.path(),
        &["evaluate", "--rules", &rules(), "--facts", "corpus/x.json"],
        Stdio::null(),
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("FIFO"), "{err}");
    let (code, out, _) = run(
        dir.path(),
        &["snapshot", "--rules", &rules(), "corpus"],
        Stdio::null(),
    );
    assert_eq!(code, Some(1));
    assert!(out.contains("FIFO"), "{out}");
}

#[test]
fn an_unreadable_folder_is_named_and_the_run_goes_on() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = corpus();
    let locked = dir.path().join("corpus/locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&locked).is_ok() {
        return; // run as root: permissions do not bind
    }
    let (code, out, _) = run(
        dir.path(),
        &["evaluate", "--rules", &rules(), "--facts-dir", "corpus"],
        Stdio::null(),
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, Some(2));
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.contains("corpus/locked"), "{out}");
}

#[test]
fn accept_never_writes_or_deletes_outside_the_corpus() {
    let dir = corpus();
    let c = dir.path().join("corpus");
    let outside = dir.path().join("outside.yaml");
    std::fs::write(&outside, "keep me\n").unwrap();
    // a golden that is a link to a file outside the corpus
    std::fs::remove_file(c.join("a.decision.yaml")).unwrap();
    symlink(&outside, c.join("a.decision.yaml")).unwrap();
    let (code, out, err) = run(
        dir.path(),
        &["snapshot", "--rules", &rules(), "corpus", "--accept"],
        Stdio::null(),
    );
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep me\n");
    // an orphan golden reached through a link to a folder outside
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("gone.decision.yaml"), "keep me\n").unwrap();
    std::fs::remove_file(c.join("a.decision.yaml")).unwrap();
    symlink(&elsewhere, c.join("linked")).unwrap();
    let _ = run(
        dir.path(),
        &["snapshot", "--rules", &rules(), "corpus", "--accept"],
        Stdio::null(),
    );
    assert!(elsewhere.join("gone.decision.yaml").exists());
}

#[test]
fn a_dangling_rule_file_link_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("rules");
    std::fs::create_dir(&r).unwrap();
    for f in std::fs::read_dir(root().join("rules")).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(&f, r.join(f.file_name().unwrap())).unwrap();
        }
    }
    let (code, ..) = run(dir.path(), &["check", "--rules", "rules"], Stdio::null());
    assert_eq!(code, Some(0));
    symlink(r.join("gone.bylaw"), r.join("extra.bylaw")).unwrap();
    let (code, _, err) = run(dir.path(), &["check", "--rules", "rules"], Stdio::null());
    assert_eq!(code, Some(1));
    assert!(err.contains("extra.bylaw"), "{err}");
}

#[test]
fn standard_input_and_files_are_read_within_the_limit() {
    // `--facts - < /dev/zero`: ends at the limit, not out of memory
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let (code, _, err) = run(
        root(),
        &["evaluate", "--facts", "-", "--input-format", "json"],
        Stdio::from(zero),
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("limit"), "{err}");
    // a terabyte sparse file: refused by its size, never allocated
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(1 << 40)
        .unwrap();
    let (code, _, err) = run(
        root(),
        &["evaluate", "--facts", big.to_str().unwrap()],
        Stdio::null(),
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("limit"), "{err}");
}

#[test]
fn jobs_are_bounded_with_a_clear_message() {
    for n in ["18446744073709551615", "1000000000", "0", "257", "x"] {
        let (code, _, err) = run(
            root(),
            &["evaluate", "--facts-dir", "tests/scenarios", "--jobs", n],
            Stdio::null(),
        );
        assert_eq!(code, Some(1), "{n}: {err}");
        assert!(err.contains("from 1 to 256"), "{n}: {err}");
    }
    let (code, out, _) = run(
        root(),
        &[
            "evaluate",
            "--facts-dir",
            "tests/scenarios/unsubscribe",
            "--jobs",
            "256",
        ],
        Stdio::null(),
    );
    assert!(matches!(code, Some(0..=3)), "{out}");
}

/// A copy of the shipped rules, their test files and the examples these read, in a
/// fresh temporary folder.
fn rules_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in [
        "rules",
        "rules/tests",
        "examples",
        "tests/scenarios/disassociate",
    ] {
        let to = dir.path().join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir(root().join(sub)).unwrap() {
            let f = f.unwrap().path();
            if f.is_file() {
                std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
            }
        }
    }
    dir
}

#[test]
fn the_rules_folder_is_walked_like_every_other_folder() {
    let dir = rules_copy();
    let r = dir.path().join("rules");
    let outside = dir.path().join("outside.bylaw");
    std::fs::copy(r.join("unsubscribe.bylaw"), &outside).unwrap();
    // near miss: a sub-folder and a link to a file inside are read, a hidden file not
    std::fs::create_dir(r.join("more")).unwrap();
    std::fs::write(r.join(".draft.bylaw"), "not a rule file").unwrap();
    let (code, _, err) = run(dir.path(), &["check", "--rules", "rules"], Stdio::null());
    assert_eq!(code, Some(0), "{err}");
    // a link outside the folder, a link to a folder, a FIFO: each an error naming it
    symlink(&outside, r.join("more/out.bylaw")).unwrap();
    symlink(dir.path(), r.join("up")).unwrap();
    let fifo = mkfifo(&r.join("pipe.bylaw"));
    let (code, _, err) = run(dir.path(), &["check", "--rules", "rules"], Stdio::null());
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("out.bylaw") && err.contains("outside the folder"),
        "{err}"
    );
    assert!(
        err.contains("rules/up") && err.contains("not followed"),
        "{err}"
    );
    if fifo {
        assert!(err.contains("pipe.bylaw") && err.contains("FIFO"), "{err}");
    }
    // `evaluate` loads rules the same way
    let facts = root().join("examples/unsubscribe.yaml");
    let (code, _, err) = run(
        dir.path(),
        &[
            "evaluate",
            "--rules",
            "rules",
            "--facts",
            facts.to_str().unwrap(),
        ],
        Stdio::null(),
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("out.bylaw"), "{err}");
    // `bylaw test FOLDER` reports it too, rather than loading another rules folder
    let (code, _, err) = run(dir.path(), &["test", "rules"], Stdio::null());
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("out.bylaw"), "{err}");
}

#[test]
fn test_files_are_walked_like_every_other_folder() {
    let dir = rules_copy();
    let t = dir.path().join("rules/tests");
    let (code, _, err) = run(dir.path(), &["test", "rules", "--quiet"], Stdio::null());
    assert_eq!(code, Some(0), "{err}");
    // a dangling link and a FIFO with a test file's name: failures naming them, no hang
    symlink(t.join("gone.yaml"), t.join("dangling.yaml")).unwrap();
    let fifo = mkfifo(&t.join("pipe.yaml"));
    let (code, out, err) = run(dir.path(), &["test", "rules", "--quiet"], Stdio::null());
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("dangling.yaml"), "{out}");
    if fifo {
        assert!(out.contains("pipe.yaml") && out.contains("FIFO"), "{out}");
    }
    // the shipped cases still ran
    assert!(out.contains("passed"), "{out}");
}
