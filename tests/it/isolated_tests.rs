//! Author tests isolated by policy: a test file tests the policy it names (`policy:`)
//! or lives beside; its cases are decided by that policy alone and its short rule
//! names resolve inside it, so a new policy never changes its results.

#![allow(clippy::unwrap_used, reason = "tests fail by panicking")]

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

/// A second policy whose rules are named as three of unsubscribe's, and which applies
/// to unsubscribe's snapshots too (and denies them all).
const REFUNDS: &str = r#"policy refunds
facts request
applies when request.action in ["refund", "unsubscribe_inactive"]

deny account_frozen {
  message "refunds are frozen"
  when true
}

warn reason_required {
  message "say why"
  when request.mode == "batch"
}

effect coupons_returned {
  message "no coupons back"
  when true
  value 0
}
"#;

const REFUNDS_TESTS: &str = r#"policy: refunds
cases:
  - name: a refund is refused
    facts: {request: {action: refund, mode: single}}
    decision: denied
    matches: [account_frozen, coupons_returned]
    does_not_match: [reason_required]
"#;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// A temporary copy of `rules/` (and the snapshots its tests read) with the
/// refunds policy added in a sub-folder, its tests beside it.
fn rule_set() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("rules"), &dir.path().join("rules"));
    copy_dir(&root.join("examples"), &dir.path().join("examples"));
    copy_dir(
        &root.join("tests/scenarios"),
        &dir.path().join("tests/scenarios"),
    );
    let billing = dir.path().join("rules/billing");
    std::fs::create_dir_all(billing.join("tests")).unwrap();
    std::fs::write(billing.join("refunds.bylaw"), REFUNDS).unwrap();
    std::fs::write(billing.join("tests/refunds.yaml"), REFUNDS_TESTS).unwrap();
    dir
}

fn bylaw(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("bylaw").unwrap();
    c.current_dir(dir);
    c
}

#[test]
fn a_policy_with_clashing_rule_names_leaves_the_others_tests_passing() {
    // How many cases rules/tests/ has in the repository, all passing there.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let alone = bylaw(root)
        .args(["test", "rules/tests", "--rules", "rules", "--quiet"])
        .assert()
        .success();
    let alone = String::from_utf8(alone.get_output().stdout.clone()).unwrap();
    let n: usize = alone
        .lines()
        .last()
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(n > 0, "{alone}");
    let dir = rule_set();
    // rules/tests/ unchanged: the same cases pass beside the clashing policy.
    bylaw(dir.path())
        .args(["test", "rules/tests", "--rules", "rules", "--quiet"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with(format!("{n} passed, 0 failed\n")));
    // The whole folder: the new policy's tests too, found beside it.
    bylaw(dir.path())
        .args(["test", "rules", "--quiet"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with(format!(
            "{} passed, 0 failed\n",
            n + 1
        )));
}

#[test]
fn a_test_file_without_a_policy_still_sees_the_clash() {
    // Near miss: a file that names no policy and lives beside none runs against the
    // whole set, where a short name two policies share is ambiguous.
    let dir = rule_set();
    let loose = dir.path().join("loose");
    std::fs::create_dir_all(&loose).unwrap();
    std::fs::write(
        loose.join("mixed.yaml"),
        "cases:\n  - name: c\n    facts: {request: {action: refund, mode: single}}\n    matches: [account_frozen]\n",
    )
    .unwrap();
    bylaw(dir.path())
        .args(["test", "loose/mixed.yaml", "--rules", "rules"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("names rules of several policies"));
}

#[test]
fn policy_runs_one_policys_files_with_its_coverage_alone() {
    let dir = rule_set();
    bylaw(dir.path())
        .args(["test", "rules", "--policy", "refunds", "--coverage"])
        .assert()
        .success()
        .stdout(predicate::str::contains("billing.refunds").not())
        .stdout(predicate::str::contains("refunds.account_frozen"))
        .stdout(predicate::str::contains("unsubscribe.").not())
        .stdout(predicate::str::ends_with("1 passed, 0 failed\n"));
    bylaw(dir.path())
        .args(["test", "rules", "--coverage", "--quiet"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "coverage of policy unsubscribe: 100%",
        ))
        .stdout(predicate::str::contains(
            "coverage of folder rules/billing: ",
        ))
        .stdout(predicate::str::contains("coverage of folder rules: 100%"));
    bylaw(dir.path())
        .args(["test", "rules", "--policy", "refund"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no policy `refund`"));
}

#[test]
fn a_test_file_naming_a_policy_not_loaded_fails_with_a_suggestion() {
    let dir = rule_set();
    std::fs::write(
        dir.path().join("rules/billing/tests/refunds.yaml"),
        REFUNDS_TESTS.replace("policy: refunds", "policy: refund"),
    )
    .unwrap();
    bylaw(dir.path())
        .args([
            "test",
            "rules/billing/tests/refunds.yaml",
            "--rules",
            "rules",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "the test file is for the policy `refund`, which is not loaded",
        ))
        .stdout(predicate::str::contains("did you mean `refunds`?"));
}

#[test]
fn a_goal_marked_unreachable_is_counted_apart_with_its_reason() {
    let dir = rule_set();
    let tests = dir.path().join("rules/billing/tests/refunds.yaml");
    bylaw(dir.path())
        .args(["test", "rules", "--policy", "refunds", "--coverage"])
        .assert()
        .success()
        .stdout(predicate::str::contains("coverage: 75.0% (3 of 4 goals"));
    let marked = REFUNDS_TESTS.replace(
        "cases:",
        "unreachable:\n  - rule: reason_required\n    goal: matched\n    reason: refunds are never batched\ncases:",
    );
    std::fs::write(&tests, &marked).unwrap();
    bylaw(dir.path())
        .args(["test", "rules", "--policy", "refunds", "--coverage"])
        .assert()
        .success()
        .stdout(predicate::str::contains("coverage: 100.0% (3 of 3 goals"))
        .stdout(predicate::str::contains(
            "unreachable, counted apart (1):\n  refunds.reason_required matched: refunds are never batched  (rules/billing/tests/refunds.yaml:4)",
        ));
    // Near miss: a goal a case meets is counted as any other, with a note.
    std::fs::write(&tests, marked.replace("goal: matched", "goal: not matched")).unwrap();
    bylaw(dir.path())
        .args(["test", "rules", "--policy", "refunds", "--coverage"])
        .assert()
        .success()
        .stdout(predicate::str::contains("coverage: 75.0% (3 of 4 goals"))
        .stdout(predicate::str::contains(
            "`refunds.reason_required` not matched is marked unreachable, but a case meets it",
        ));
}
