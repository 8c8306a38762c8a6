//! Rule sets in folders: what a folder loads (sub-folders too; not `tests/` folders nor
//! hidden files), `bylaw check` file by file, and policy IDs unique across the set.

#![allow(clippy::unwrap_used, reason = "tests fail by panicking")]

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn policy(id: &str) -> String {
    format!("policy {id}\nfacts request\napplies when request.action == \"{id}\"\n\ndeny r {{\n  message \"no\"\n  when request.n > 1\n}}\n")
}

#[test]
fn a_folder_loads_its_sub_folders_but_not_tests_nor_hidden_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.bylaw", &policy("a"));
    write(dir.path(), "billing/b.bylaw", &policy("b"));
    write(dir.path(), "billing/deep/c.bylaw", &policy("c"));
    // Near misses: none of these is loaded (they would not even parse).
    write(dir.path(), "tests/t.bylaw", "not a policy");
    write(dir.path(), "billing/tests/t.bylaw", "not a policy");
    write(dir.path(), ".git/x.bylaw", "not a policy");
    write(dir.path(), "billing/.draft.bylaw", "not a policy");
    write(dir.path(), "billing/notes.txt", "not a policy");
    let engine = bylaw::Engine::from_dir(dir.path()).unwrap();
    let ids: Vec<&str> = engine.policies().map(|p| p.id.name.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let names: Vec<&str> = engine
        .policies()
        .map(|p| p.span.source.name.as_str())
        .collect();
    let shown = dir.path().display().to_string();
    assert_eq!(
        names,
        [
            format!("{shown}/a.bylaw"),
            format!("{shown}/billing/b.bylaw"),
            format!("{shown}/billing/deep/c.bylaw")
        ]
    );
}

#[test]
fn check_reports_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.bylaw", &policy("a"));
    write(dir.path(), "billing/b.bylaw", &policy("b"));
    Command::cargo_bin("bylaw")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--rules", "."])
        .assert()
        .success()
        .stdout("ok: 2 policies, 2 rules\n  a.bylaw: policy a, 1 rule\n  billing/b.bylaw: policy b, 1 rule\n");
    write(
        dir.path(),
        "billing/b.bylaw",
        &policy("b").replace("request.n", "reqest.n"),
    );
    Command::cargo_bin("bylaw")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--rules", "."])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("billing/b.bylaw:7:"))
        .stderr(predicate::str::ends_with(
            "1 error in the rules\n  a.bylaw: ok\n  billing/b.bylaw: 1 error\n",
        ));
}

#[test]
fn a_policy_id_given_in_two_folders_is_an_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "billing/renew.bylaw", &policy("renew"));
    write(dir.path(), "legacy/renew.bylaw", &policy("renew"));
    Command::cargo_bin("bylaw")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--rules", "."])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the policy `renew` is defined twice",
        ))
        .stderr(predicate::str::contains("legacy/renew.bylaw:1:8"))
        .stderr(predicate::str::contains(
            "also defined at billing/renew.bylaw:1:8",
        ));
    // Near miss: the same file name in two folders is fine when the IDs differ.
    write(dir.path(), "legacy/renew.bylaw", &policy("renew_legacy"));
    Command::cargo_bin("bylaw")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--rules", "."])
        .assert()
        .success();
}

/// `--facts-dir` decides snapshots only: golden decisions, test files and hidden
/// files are passed over; a broken snapshot is still reported.
#[test]
fn facts_dir_passes_over_files_that_are_not_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/unsubscribe.yaml"),
    )
    .unwrap();
    write(dir.path(), "a.yaml", &example);
    write(dir.path(), "a.decision.yaml", "decision: allowed\n");
    write(
        dir.path(),
        "sub/unsubscribe_tests.yaml",
        "# tests\ndescription: x\npolicy: unsubscribe\ncases:\n  - name: c\n    facts: {}\n",
    );
    write(dir.path(), ".hidden.yaml", "not: [a snapshot");
    write(dir.path(), ".git/x.json", "{");
    // Near miss: a snapshot with a fact named `cases` is a snapshot.
    write(
        dir.path(),
        "sub/cases.yaml",
        "cases: []\nrequest: {action: x}\n",
    );
    write(dir.path(), "sub/broken.json", "{");
    let out = Command::cargo_bin("bylaw")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["evaluate", "--rules", "rules", "--facts-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let files: Vec<String> = stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let f = v["file"].as_str().unwrap().to_string();
            f.rsplit_once(&*dir.path().display().to_string())
                .map_or(f.clone(), |(_, rel)| rel.to_string())
        })
        .collect();
    assert_eq!(files, ["/a.yaml", "/sub/broken.json", "/sub/cases.yaml"]);
}
