//! The type checker: each kind of error, with its message (insta), and the guards it accepts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bylaw::Engine;

const SCHEMA: &str = r#"
policy t
facts {
  request: {
    action:       string
    mode:         "single" | "batch"
    submitted_at: timestamp
    reason:       string?
    amount:       money
    count:        integer
    wait:         duration
    tags:         [string]
    filter:       { project: string? }?
  }
  review: { outcome: "approved" | "rejected", decided_at: timestamp }?
  items: [{ id: string, amount: money, promotion: { event: string, invoices: [{ by: string }] }? }]
}
"#;

/// The rule file `SCHEMA` + `rest` checked: "ok", or every error as `bylaw check` prints it.
fn check(rest: &str) -> String {
    let text = format!("{SCHEMA}{rest}");
    match Engine::from_sources([("t.bylaw".to_string(), text)]) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    }
}

fn deny(when: &str) -> String {
    check(&format!("deny r {{\n  message \"m\"\n  when {when}\n}}\n"))
}

#[test]
fn the_catalogue_type_checks() {
    let engine = Engine::from_dir("rules").unwrap();
    assert_eq!(
        engine.schemas().count(),
        2,
        "both policies declare typed facts"
    );
}

#[test]
fn unknown_paths_suggest_the_closest() {
    insta::assert_snapshot!(deny(
        "request.acton == \"x\" or request.xyz == \"y\" or review.outcom == \"approved\""
    ));
}

#[test]
fn unknown_types_in_the_schema() {
    let text = "policy u\nfacts {\n  a: integr\n  b: { n: numbr, n: string }\n  c: \"x\" | \"y\" | \"x\"\n}\n";
    let out = match Engine::from_sources([("u.bylaw".to_string(), text.to_string())]) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    };
    insta::assert_snapshot!(out);
}

#[test]
fn money_compared_with_a_number() {
    insta::assert_snapshot!(deny("request.amount > 1000"));
}

#[test]
fn timestamp_compared_with_a_string() {
    insta::assert_snapshot!(deny("request.submitted_at < \"2021-09-30\""));
}

#[test]
fn strings_outside_their_enumeration() {
    insta::assert_snapshot!(deny(
        "request.mode == \"batchh\" or request.mode in [\"single\", \"dual\"]"
    ));
}

#[test]
fn arithmetic_on_mixed_types() {
    insta::assert_snapshot!(deny(
        "request.amount + request.count > 2 USD or request.submitted_at + request.count > request.submitted_at"
    ));
}

#[test]
fn optional_facts_read_without_a_test() {
    insta::assert_snapshot!(check(
        "deny r {\n  message \"{review.outcome}\"\n  when trim(request.reason) == \"\" or request.filter.project == \"p\"\n}\n"
    ));
}

#[test]
fn quantifiers_over_something_that_is_not_a_list() {
    insta::assert_snapshot!(deny(
        "any(t in request.action where t == \"x\") or count(x in request.amount where true) > 0"
    ));
}

#[test]
fn conditions_and_arguments_of_the_wrong_type() {
    insta::assert_snapshot!(deny("request.mode or trim(request.count) == \"\""));
}

#[test]
fn every_error_at_once() {
    let out = deny(
        "request.acton == \"x\" or request.amount > 1 or request.mode == \"b\" or trim(request.reason) == \"\"",
    );
    assert!(out.ends_with("4 errors in the rules"), "{out}");
}

#[test]
fn presence_tests_and_defaults_guard_optional_facts() {
    let guards = [
        "present(request.reason) and trim(request.reason) == \"\"",
        "not present(request.reason) or trim(request.reason) == \"\"",
        "request.reason != null and trim(request.reason) == \"\"",
        "request.reason == null or trim(request.reason) == \"\"",
        "trim(request.reason ?? \"\") == \"\"",
        "if present(request.reason) then trim(request.reason) == \"\" else false",
        "if request.reason == null then false else trim(request.reason) == \"\"",
        "present(request.filter.project) and trim(request.filter.project) == \"p\"",
        "present(review.decided_at) and review.outcome == \"approved\"",
        "present(review) and review.decided_at > request.submitted_at",
        "review != null and review.outcome == \"approved\"",
        "request.filter.project ?? \"\" == \"p\"",
        "any(i in items where i.promotion != null and count(i.promotion.invoices) > 0)",
    ];
    for g in guards {
        assert_eq!(deny(g), "ok", "{g}");
    }
}

#[test]
fn a_rule_condition_guards_its_message_value_and_review() {
    let rule = r#"
let decided = present(review.decided_at) and review.decided_at <= request.submitted_at + request.wait
let approved_at = if decided then review.decided_at else null

review r {
  message "{review.outcome} at {review.decided_at}"
  when    decided
  rejected when review.outcome == "rejected"
  approved by "manager" at review.decided_at when review.outcome == "approved"
}

effect e {
  message "{approved_at}"
  when    approved_at != null
  value   year(approved_at)
}
"#;
    assert_eq!(check(rule), "ok");
    let unguarded = "effect e {\n  message \"m\"\n  when true\n  value year(if present(review) then review.decided_at else null)\n}\n";
    assert!(
        check(unguarded).contains("may be absent or null"),
        "{}",
        check(unguarded)
    );
}

#[test]
fn untyped_facts_are_not_type_checked() {
    let text =
        "policy u\nfacts request\ndeny r {\n  message \"m\"\n  when request.acton > 1000\n}\n";
    assert!(Engine::from_sources([("u.bylaw".to_string(), text.to_string())]).is_ok());
}

#[test]
fn other_type_errors() {
    insta::assert_snapshot!(check(
        r#"let t = if request.count > 1 then request.submitted_at else "later"
deny r {
  message "{sum(i.id for i in items)}"
  when    request.mode in request.count or (present(review) and review.decided_at < request.wait)
}
"#
    ));
}

#[test]
fn now_is_built_in() {
    let text = "policy u\nfacts { now: timestamp }\n";
    let out = Engine::from_sources([("u.bylaw".to_string(), text.to_string())])
        .unwrap_err()
        .to_string();
    assert!(
        out.contains("`now` is built in and cannot be declared"),
        "{out}"
    );
    // `now` needs no test: without it (and without `--now`) evaluation fails closed.
    assert_eq!(deny("now > request.submitted_at + request.wait"), "ok");
}

#[test]
fn lets_that_refer_to_each_other_end() {
    // A cycle is the name checker's error; narrowing through it must still end.
    let mut lets = String::from("let l0 = l1 and l1\n");
    for i in 1..40 {
        lets.push_str(&format!("let l{i} = l{} and l{}\n", i + 1, i + 1));
    }
    lets.push_str("let l40 = l0 and present(request.reason)\n");
    let out = check(&format!(
        "{lets}deny r {{\n  message \"m\"\n  when l0 and trim(request.reason) == \"\"\n}}\n"
    ));
    assert!(out.contains("is defined in terms of itself"), "{out}");
}

#[test]
fn a_status_clause_runs_after_the_earlier_ones_failed() {
    let rule = r#"
review r {
  when    true
  rejected when review == null
  approved by "manager" at review.decided_at when review.outcome == "approved"
  message "{review.outcome}"
}
"#;
    // The approval runs only once `review == null` failed; the message does not depend on it.
    let out = check(rule);
    assert!(out.ends_with("1 error in the rules"), "{out}");
    assert!(out.contains("23 |   message \"{review.outcome}\""), "{out}");
}

#[test]
fn a_name_its_place_does_not_see_is_one_error_not_typed() {
    // `applies` is decided before any element is taken, and a function's body sees its
    // parameters only (`syntax::scoping::scope`): the name is unknown there, and the
    // type checker does not type it as what it names elsewhere.
    let rule = "deny r {\n  message \"m\"\n  when true\n}\n";
    let out = check(&format!(
        "applies when item.wrong > 0\nfor each item in items identified by item.id\n{rule}"
    ));
    assert!(out.contains("unknown name `item`"), "{out}");
    assert!(out.ends_with("1 error in the rules"), "{out}");
    let out = check(&format!("fn f(a: integer) -> integer = now\n{rule}"));
    assert!(out.contains("unknown name `now`"), "{out}");
    assert!(out.ends_with("1 error in the rules"), "{out}");
    // Near miss: where the element is seen, its field is typed (and this one is wrong).
    let out = check(
        "for each item in items identified by item.id\ndeny r {\n  message \"m\"\n  when item.wrong > 0\n}\n",
    );
    assert!(out.contains("has no field `wrong`"), "{out}");
    assert!(!out.contains("unknown name"), "{out}");
}
