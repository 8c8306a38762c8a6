//! The checker on the built-ins for exact money, time and text: each takes the kinds it
//! documents, with the caret on the argument that is wrong, and literal rounding
//! modes, units and offsets are checked before anything runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bylaw::Engine;

const SCHEMA: &str = r#"
policy t
facts {
  request: { submitted_at: timestamp, amount: money, count: integer, wait: duration, tags: [string], name: string }
}
"#;

fn check(rest: &str) -> String {
    let text = format!("{SCHEMA}{rest}");
    match Engine::from_sources([("t.bylaw".to_string(), text)]) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    }
}

fn value(expr: &str) -> String {
    check(&format!(
        "effect e {{\n  message \"m\"\n  when true\n  value {expr}\n}}\n"
    ))
}

#[test]
fn every_new_built_in_type_checks_where_it_is_used_right() {
    let ok = [
        "round(request.amount / 3, 2, \"half_up\")",
        "round(request.amount, 2, \"half_even\") > 1 USD",
        "floor(hours(request.wait)) + ceil(1.5) + floor(2.25, 1)",
        "round_money(request.amount * 0.15, \"down\") + 1 USD",
        "days(request.wait) + minutes(request.wait) + seconds(request.wait)",
        "request.submitted_at + duration(request.count, \"hours\")",
        "hour(request.submitted_at, \"+08:00\") + minute(request.submitted_at) + weekday(request.submitted_at)",
        "year(request.submitted_at, \"Z\") + month(request.submitted_at, \"+08:00\") + day(request.submitted_at)",
        "start_of(request.submitted_at, \"month\", \"+08:00\") < add_months(request.submitted_at, 1)",
        "add_years(request.submitted_at, 1) > request.submitted_at",
        "months_between(request.submitted_at, now) + years_between(request.submitted_at, now)",
        "join(sort(distinct(request.tags)), \", \") + text(request.amount, 2) + text(request.count)",
        "ends_with(request.name, \".log\") and contains(request.tags, \"x\")",
        "min(request.tags) + max([\"a\", \"b\"])",
        "request.wait / 1h + 1",
        "request.wait / 2 + 1h",
    ];
    for e in ok {
        assert_eq!(value(e), "ok", "{e}");
    }
}

#[test]
fn a_wrong_argument_gets_the_caret() {
    insta::assert_snapshot!(value(
        "text(round(request.name, 2, \"half_up\")) + text(hours(request.count)) + text(add_months(request.submitted_at, request.name))"
    ));
}

#[test]
fn a_rounding_mode_unit_or_offset_that_does_not_exist() {
    insta::assert_snapshot!(value(
        "text(round(request.amount, 2, \"half_upp\")) + text(start_of(request.submitted_at, \"week\")) + text(hour(request.submitted_at, \"CET\")) + text(duration(1, \"hour\"))"
    ));
}

#[test]
fn unknown_names_and_arities() {
    insta::assert_snapshot!(value(
        "rounds(request.amount, 2) + round(request.amount, 2)"
    ));
}

#[test]
fn results_have_their_types() {
    // The result of `hours` is a number: comparing it with money is an error here.
    insta::assert_snapshot!(value(
        "hours(request.wait) > 1 USD or round(request.amount, 2, \"up\") > 1 or text(1) > 2"
    ));
}

#[test]
fn help_texts_fit_their_own_case() {
    // A string fact compared with a time: no "write it without quotes".
    let out = value("request.submitted_at > request.name");
    assert!(out.contains("declare the fact as a `timestamp`"), "{out}");
    let out = value("request.submitted_at > \"2021-09-30\"");
    assert!(out.contains("without quotes"), "{out}");
    // Booleans are of one kind but have no order.
    let out = value("min(true, false)");
    assert!(
        out.contains(
            "`min` orders numbers, strings, money, timestamps or durations, not a boolean"
        ),
        "{out}"
    );
    // A duration divided by a duration is a number.
    assert_eq!(value("request.wait / 24h > 1.5"), "ok");
    assert_eq!(value("24h / 1h == 24"), "ok");
}
