//! Evaluator tests for exact arithmetic and explicit rounding, durations and calendar
//! time, and the list and text built-ins: each construct where it gives a value, and
//! each error it raises (an inexact result is an error naming the expression).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use bylaw::input::{load_str, Format};
use bylaw::{Decision, Engine, Value};

const FACTS: &str = r#"
paid: {amount: "75.80", currency: USD}
big: {amount: "7000.00", currency: USD}
yen: {amount: "1000", currency: JPY}
dinar: {amount: "1.5", currency: KWD}
at: 2021-01-31T23:30:00+08:00
leap: 2024-01-31T10:00:00Z
ids: [b, a, b, c, a]
amounts: [{amount: "3.00", currency: USD}, {amount: "1.50", currency: USD}]
recs: [{k: 1}, {k: 1}, {k: 2}]
"#;

fn run(expr: &str) -> Decision {
    let src = format!(
        "policy t\nfacts paid, big, yen, dinar, at, leap, ids, amounts, recs\n\
         let x = {expr}\neffect e {{\n  message \"{{x}}\"\n  when true\n  value x\n}}\n"
    );
    let engine =
        Engine::from_sources([("t.bylaw".to_string(), src)]).unwrap_or_else(|e| panic!("{e}"));
    let facts = load_str(FACTS, Format::Yaml, "facts").unwrap();
    engine.evaluate(&facts)
}

/// The value as a message shows it, or `ERR` and the evaluation error.
fn shown(expr: &str) -> String {
    let d = run(expr);
    match (d.matched.first(), d.errors.first()) {
        (Some(m), _) => m.value.clone().unwrap_or(Value::Null).to_string(),
        // Every expression is the harness's `let x`, which each error now names.
        (None, Some(e)) => format!("ERR {}", e.reason.trim_end_matches(" (via let `x`)")),
        _ => panic!("neither matched nor failed: {d:?}"),
    }
}

macro_rules! cases {
    ($($expr:expr => $want:expr),* $(,)?) => {
        $( assert_eq!(shown($expr), $want, "expression: {}", $expr); )*
    };
}

#[test]
fn a_division_that_does_not_end_is_an_error_naming_it() {
    cases! {
        "paid / 3" => "ERR `paid / 3` is 25.266666666666666666666666667 USD…, which cannot be held exactly (it would be rounded): round it where it is divided, e.g. `round(a / b, 2, \"half_even\")`, which rounds the exact quotient",
        "1 / 3 * 3 == 1" => "ERR `1 / 3` is 0.3333333333333333333333333333…, which cannot be held exactly (it would be rounded): round it where it is divided, e.g. `round(a / b, 2, \"half_even\")`, which rounds the exact quotient",
        "paid / 4" => "18.95 USD",
        "1 / 8 * 8 == 1" => "true",
        "paid / 0" => "ERR division by zero",
        "round(paid / 0, 2, \"up\")" => "ERR division by zero",
    }
}

#[test]
fn a_product_is_exact_or_an_error() {
    cases! {
        "0.000000000000001 * 0.000000000000001" => "ERR `0.000000000000001 * 0.000000000000001` is 0.0000000000000000000000000000…, which cannot be held exactly (it would be rounded): a product keeps every digit, at most 28 after the point: round a factor first",
        "0.10 * 0.10" => "0.0100",
        "7922816251426433759354395033 * 100" => "ERR the product is out of range (more digits than a decimal holds)",
    }
}

#[test]
fn money_has_its_minor_unit_or_the_digits_it_needs() {
    cases! {
        "100.00 USD * 0.15" => "15.00 USD",
        "100.00 USD * 15 / 100" => "15.00 USD",
        "100.00 USD * 0" => "0.00 USD",
        "100.00 USD * 0.001" => "0.10 USD",
        "100.00 USD / 8" => "12.50 USD",
        "round(100.00 USD / 3, 0, \"down\")" => "33.00 USD",
        "money(0, \"USD\")" => "0.00 USD",
        "100 USD - 0.5 USD" => "99.50 USD",
        "paid * 0.001" => "0.0758 USD",
        "yen * 0.5" => "500 JPY",
        "dinar * 2" => "3.000 KWD",
        "sum(amounts)" => "4.50 USD",
        // Literals and facts keep the digits written.
        "100 USD" => "100 USD",
        "paid" => "75.80 USD",
    }
}

#[test]
fn round_rounds_the_exact_quotient_in_the_mode_named() {
    cases! {
        "round(paid / 3, 2, \"half_up\")" => "25.27 USD",
        "round(paid / 3, 2, \"down\")" => "25.26 USD",
        "round(paid / 3, 2, \"up\")" => "25.27 USD",
        "round(-paid / 3, 2, \"down\")" => "-25.26 USD",
        "round(-paid / 3, 2, \"up\")" => "-25.27 USD",
        "round(paid / 3, 2, \"half_up\") * 3" => "75.81 USD",
        "round(big / 3, 2, \"half_even\") * 3 == big" => "false",
        "big / 7 * 7 == big" => "true",
        "round(1 / 8, 2, \"half_even\")" => "0.12",
        "round(3 / 8, 2, \"half_even\")" => "0.38",
        "round(1 / 8, 2, \"half_up\")" => "0.13",
        "round(big / paid, 3, \"half_up\")" => "92.348",
    }
}

#[test]
fn each_mode_on_ties_and_on_negative_values() {
    let modes = ["half_up", "half_even", "down", "up"];
    let cases: [(&str, [&str; 4]); 6] = [
        ("2.5", ["3", "2", "2", "3"]),
        ("3.5", ["4", "4", "3", "4"]),
        ("-2.5", ["-3", "-2", "-2", "-3"]),
        ("-3.5", ["-4", "-4", "-3", "-4"]),
        ("0.45", ["0", "0", "0", "1"]),
        ("-0.55", ["-1", "-1", "0", "-1"]),
    ];
    for (x, want) in cases {
        for (mode, want) in modes.iter().zip(want) {
            assert_eq!(
                shown(&format!("round({x}, 0, \"{mode}\")")),
                want,
                "{x} {mode}"
            );
        }
    }
    cases! {
        "floor(-2.5)" => "-3",
        "ceil(-2.5)" => "-2",
        "floor(2.567, 2)" => "2.56",
        "ceil(2.561, 2)" => "2.57",
        "round(0.125 USD, 2, \"half_even\")" => "0.12 USD",
        "round(-0.125 USD, 2, \"half_up\")" => "-0.13 USD",
        "round(1, 2, \"half_up\")" => "1.00",
    }
}

#[test]
fn money_is_rounded_to_its_currencys_minor_unit() {
    cases! {
        "round_money(paid / 3, \"half_even\")" => "25.27 USD",
        "round_money(yen / 3, \"down\")" => "333 JPY",
        "round_money(dinar / 7, \"half_up\")" => "0.214 KWD",
        "round_money(12.345 USD, \"half_even\")" => "12.34 USD",
        "round_money(3, \"half_up\")" => "ERR `round_money`: expected money, found a number",
    }
}

#[test]
fn rounding_arguments_are_checked_when_they_are_not_literals() {
    cases! {
        "round(paid, 2 + 27, \"up\")" => "ERR `round` rounds to 0 to 28 places, not 29",
        "round(paid, 1.5, \"up\")" => "ERR `round` rounds to a whole number of places (0 to 28), not 1.5",
        "round(paid, 2, trim(\" sideways \"))" => "ERR \"sideways\" is not a rounding mode: write one of \"half_up\", \"half_even\", \"down\", \"up\"",
    }
}

#[test]
fn durations_become_numbers_and_back() {
    cases! {
        "hours(90m)" => "1.5",
        "minutes(1h30m)" => "90",
        "days(36h)" => "1.5",
        "seconds(2m)" => "120",
        "hours(3h59m)" => "ERR `hours(3h59m)` is 3.9833333333333333333333333333 hours…, which cannot be held exactly (it would be rounded): it is not a whole number of hours: round it, e.g. `floor(hours(d))` (rounded down) or `round(hours(d), 2, \"half_up\")`",
        "floor(hours(3h59m))" => "3",
        "ceil(hours(3h59m))" => "4",
        "round(hours(3h59m), 2, \"half_up\")" => "3.98",
        "duration(1.5, \"hours\")" => "1h30m",
        "duration(3, \"days\")" => "3d",
        "duration(0.5, \"seconds\")" => "ERR 0.5 seconds is not a whole number of seconds, as a duration must be",
        "90s / 4" => "ERR a duration must be a whole number of seconds",
        "duration(1, \"weeks\")" => "ERR \"weeks\" is not a unit of time: write \"days\", \"hours\", \"minutes\" or \"seconds\"",
        "24h * 1.5" => "1d12h",
        "24h / 4" => "6h",
        "3h59m / 1h" => "ERR `3h59m / 1h` is 3.9833333333333333333333333333…, which cannot be held exactly (it would be rounded): round it where it is divided, e.g. `round(a / b, 2, \"half_even\")`, which rounds the exact quotient",
        "floor(3h59m / 1h)" => "3",
        "36h / 24h" => "1.5",
        "-90m / 1h" => "-1.5",
        "floor(-90m / 1h)" => "-2",
    }
}

#[test]
fn a_times_fields_in_an_offset() {
    cases! {
        "year(at)" => "2021",
        "month(at, \"Z\")" => "1",
        "day(at, \"Z\")" => "31",
        "day(at, \"+09:00\")" => "1",
        "month(at, \"+09:00\")" => "2",
        "hour(at)" => "23",
        "hour(at, \"Z\")" => "15",
        "minute(at)" => "30",
        "weekday(at)" => "7",
        "weekday(at, \"+09:00\")" => "1",
        "hour(at, \"CET\")" => "ERR `CET` is not a UTC offset; write it like `+08:00` (named time zones are not supported)",
    }
}

#[test]
fn a_time_truncated_and_the_start_of_a_month_or_year() {
    cases! {
        "start_of(at, \"hour\")" => "2021-01-31T23:00:00+08:00",
        "start_of(at, \"day\")" => "2021-01-31T00:00:00+08:00",
        "start_of(at, \"day\", \"Z\")" => "2021-01-31T00:00:00Z",
        "start_of(at, \"month\", \"+09:00\")" => "2021-02-01T00:00:00+09:00",
        "start_of(at, \"year\")" => "2021-01-01T00:00:00+08:00",
        "start_of(at, \"week\")" => "ERR \"week\" is not a unit `start_of` knows: write \"hour\", \"day\", \"month\" or \"year\"",
    }
}

#[test]
fn calendar_arithmetic_with_the_end_of_month_rule() {
    cases! {
        "add_months(at, 1)" => "2021-02-28T23:30:00+08:00",
        "add_months(leap, 1)" => "2024-02-29T10:00:00Z",
        "add_years(add_months(leap, 1), 1)" => "2025-02-28T10:00:00Z",
        "add_months(at, -2)" => "2020-11-30T23:30:00+08:00",
        "add_years(at, 1)" => "2022-01-31T23:30:00+08:00",
        "add_months(at, 1.5)" => "ERR `add_months` adds a whole number, not 1.5",
        "months_between(at, add_months(at, 1))" => "1",
        "months_between(at, add_months(at, 1) - 1s)" => "0",
        "years_between(leap, 2025-02-28T10:00:00Z)" => "1",
        "months_between(add_months(at, 3), at)" => "-3",
        "floor(hours(2021-02-01T00:00:00+08:00 - at))" => "0",
        "floor(minutes(2021-02-01T00:00:00+08:00 - at))" => "30",
    }
}

#[test]
fn lists_and_text() {
    cases! {
        "min(ids)" => "a",
        "max(amounts)" => "3.00 USD",
        "min(3, 2)" => "2",
        "min([])" => "ERR `min` of an empty list has no value; test `count(…) > 0` first",
        "max([1, \"a\"])" => "ERR cannot compare: expected a string on both sides, found a number",
        "distinct(ids)" => "[\"b\", \"a\", \"c\"]",
        "distinct(recs)" => "[{k: 1}, {k: 2}]",
        "sort(ids)" => "[\"a\", \"a\", \"b\", \"b\", \"c\"]",
        "sort([2.0, 1, 2])" => "[1, 2.0, 2]",
        "sort(recs)" => "ERR `sort`: expected a list of numbers, strings, money of one currency, timestamps or durations, found a record",
        "len(distinct(ids))" => "3",
        "upper(\"ecs\") + lower(\"-ABC\")" => "ECS-abc",
        "ends_with(\"ecs-1.log\", \".log\")" => "true",
        "ends_with(\"ecs-1.log\", \".txt\")" => "false",
        "contains(ids, \"c\")" => "true",
        "contains(ids, \"d\")" => "false",
        "contains(\"abc\", \"b\")" => "true",
        "join(ids, \", \")" => "b, a, b, c, a",
        "join([1, 2], \", \")" => "ERR `join`: expected a list of strings (convert other values with `text(…)`), found a number",
        "\"refund: \" + text(paid)" => "refund: 75.80 USD",
        "text(12.5, 2)" => "12.50",
        "text(yen, 2)" => "1000.00 JPY",
        "text(12.345, 2)" => "ERR 12.345 has more than 2 digits after the point; round it first, e.g. `text(round(x, 2, \"half_even\"), 2)`",
        "text(3h)" => "3h",
    }
}
