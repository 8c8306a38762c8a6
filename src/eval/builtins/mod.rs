//! The built-in functions added for exact money, time and text: rounding, durations
//! as numbers, calendar fields and arithmetic, lists and text. [`super::functions`]
//! holds the first ones and dispatches here for the rest.

pub mod exact;
mod quotient;
pub mod round;
pub mod sig;
pub mod text;
pub mod time;

use super::error::EvalError;
use super::functions::Builtin;
use crate::value::Value;

/// A built-in `f` given a value of the wrong kind.
fn type_error(f: &str, expected: &str, found: crate::value::Type) -> EvalError {
    EvalError::Type {
        path: None,
        expected: expected.to_string(),
        found,
        context: format!("`{f}`"),
    }
}

const fn b(name: &'static str, min: usize, max: usize, doc: &'static str) -> Builtin {
    Builtin {
        name,
        min,
        max,
        doc,
    }
}

/// The built-ins defined here.
pub const MORE_BUILTINS: &[Builtin] = &[
    b(
        "round",
        3,
        3,
        "round(x, places, \"half_up\"|\"half_even\"|\"down\"|\"up\"): a number or money rounded",
    ),
    b(
        "floor",
        1,
        2,
        "floor(x, places?): rounded toward minus infinity",
    ),
    b(
        "ceil",
        1,
        2,
        "ceil(x, places?): rounded toward plus infinity",
    ),
    b(
        "round_money",
        2,
        2,
        "round_money(m, mode): money rounded to its currency's minor unit",
    ),
    b(
        "days",
        1,
        1,
        "days(d): a duration in days, as an exact number",
    ),
    b(
        "hours",
        1,
        1,
        "hours(d): a duration in hours, as an exact number",
    ),
    b(
        "minutes",
        1,
        1,
        "minutes(d): a duration in minutes, as an exact number",
    ),
    b(
        "seconds",
        1,
        1,
        "seconds(d): a duration in seconds, as an exact number",
    ),
    b(
        "duration",
        2,
        2,
        "duration(n, \"hours\"): n of a unit as a duration",
    ),
    b("hour", 1, 2, "hour(t, offset?): the hour (0-23)"),
    b("minute", 1, 2, "minute(t, offset?): the minute (0-59)"),
    b(
        "weekday",
        1,
        2,
        "weekday(t, offset?): 1 (Monday) to 7 (Sunday)",
    ),
    b(
        "start_of",
        2,
        3,
        "start_of(t, \"hour\"|\"day\"|\"month\"|\"year\", offset?)",
    ),
    b(
        "add_months",
        2,
        2,
        "add_months(t, n): n calendar months later (end-of-month rule)",
    ),
    b(
        "add_years",
        2,
        2,
        "add_years(t, n): n calendar years later (end-of-month rule)",
    ),
    b(
        "months_between",
        2,
        2,
        "months_between(a, b): whole calendar months from a to b, rounded down",
    ),
    b(
        "years_between",
        2,
        2,
        "years_between(a, b): whole calendar years from a to b, rounded down",
    ),
    b(
        "distinct",
        1,
        1,
        "distinct(list): without repeats, first occurrences kept",
    ),
    b("sort", 1, 1, "sort(list): in ascending order"),
    b("ends_with", 2, 2, "ends_with(s, suffix)"),
    b("join", 2, 2, "join(list, sep): strings joined with sep"),
    b(
        "text",
        1,
        2,
        "text(x, places?): a value as text; a number or money with places digits",
    ),
];

/// Calls a built-in defined here (or a form of an older one added here: `min` of a
/// list, `year(t, offset)`, `contains(list, x)`); `None` when it is not one.
pub fn call(name: &str, args: &[&Value]) -> Option<Result<Value, EvalError>> {
    if round::is_rounding(name) {
        let (x, rest) = args.split_first()?;
        return Some(round::call(name, round::Operand::Value(x), rest));
    }
    time::call(name, args).or_else(|| text::call(name, args))
}
