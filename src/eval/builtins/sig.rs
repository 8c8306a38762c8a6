//! What the checker knows of the built-ins defined here: the kinds each argument
//! takes, the type of the result, and the literal arguments it can check (a rounding
//! mode, a unit, an offset) before anything runs.

use crate::report::diagnostic::{did_you_mean, Diagnostic};
use crate::schema::Ty;
use crate::syntax::ast::{Expr, ExprKind};

/// A built-in's signature.
pub struct Sig {
    /// By argument: the kinds it takes (as [`Ty::kind`] names them) and, for a
    /// message, what it takes in words.
    pub params: &'static [(&'static [&'static str], &'static str)],
    /// The result's type, from the arguments' types.
    pub result: fn(&[Ty]) -> Ty,
}

const NUM_OR_MONEY: (&[&str], &str) = (&["number", "money"], "a number or money");
const PLACES: (&[&str], &str) = (&["number"], "a whole number of places");
const MODE: (&[&str], &str) = (&["string"], "a rounding mode such as \"half_up\"");
const TIME: (&[&str], &str) = (&["timestamp"], "a timestamp");
const OFFSET: (&[&str], &str) = (&["string"], "an offset such as \"+08:00\"");
const DURATION: (&[&str], &str) = (&["duration"], "a duration");
const LIST: (&[&str], &str) = (&["list"], "a list");
const STRING: (&[&str], &str) = (&["string"], "a string");
const NUMBER: (&[&str], &str) = (&["number"], "a number");

fn same_number(t: &[Ty]) -> Ty {
    match t.first().map(Ty::kind) {
        Some("money") => Ty::Money,
        Some("number") => Ty::Decimal,
        // A wrong argument is reported once, not again where the result is used.
        _ => Ty::Any,
    }
}
fn integer(_: &[Ty]) -> Ty {
    Ty::Integer
}
fn decimal(_: &[Ty]) -> Ty {
    Ty::Decimal
}
fn money(_: &[Ty]) -> Ty {
    Ty::Money
}
fn time(_: &[Ty]) -> Ty {
    Ty::Time
}
fn duration(_: &[Ty]) -> Ty {
    Ty::Duration
}
fn boolean(_: &[Ty]) -> Ty {
    Ty::Bool
}
fn string(_: &[Ty]) -> Ty {
    Ty::String
}
fn same_list(t: &[Ty]) -> Ty {
    match t.first().map(Ty::required) {
        Some(l @ Ty::List(_)) => l.clone(),
        _ => Ty::Any,
    }
}

/// The signature of a built-in defined here.
pub fn signature(name: &str) -> Option<Sig> {
    let s = |params, result| Some(Sig { params, result });
    match name {
        "round" => s(&[NUM_OR_MONEY, PLACES, MODE], same_number),
        "floor" | "ceil" => s(&[NUM_OR_MONEY, PLACES], same_number),
        "round_money" => s(&[(&["money"], "money"), MODE], money),
        "days" | "hours" | "minutes" | "seconds" => s(&[DURATION], decimal),
        "duration" => s(
            &[NUMBER, (&["string"], "a unit such as \"hours\"")],
            duration,
        ),
        "hour" | "minute" | "weekday" => s(&[TIME, OFFSET], integer),
        "start_of" => s(
            &[TIME, (&["string"], "a unit such as \"month\""), OFFSET],
            time,
        ),
        "add_months" | "add_years" => s(&[TIME, (&["number"], "a whole number")], time),
        "months_between" | "years_between" => s(&[TIME, TIME], integer),
        "distinct" | "sort" => s(&[LIST], same_list),
        "ends_with" => s(&[STRING, STRING], boolean),
        "join" => s(&[(&["list"], "a list of strings"), STRING], string),
        "text" => s(
            &[
                (
                    &[
                        "number",
                        "money",
                        "string",
                        "bool",
                        "timestamp",
                        "duration",
                        "list",
                        "record",
                        "null",
                    ],
                    "a value",
                ),
                PLACES,
            ],
            string,
        ),
        _ => None,
    }
}

/// The words a literal argument of `name` may be, by argument, for checking.
pub fn literal_words(name: &str) -> Option<(usize, &'static [&'static str])> {
    const MODES: &[&str] = &["half_up", "half_even", "down", "up"];
    const UNITS: &[&str] = &["days", "hours", "minutes", "seconds"];
    const STARTS: &[&str] = &["hour", "day", "month", "year"];
    match name {
        "round" => Some((2, MODES)),
        "round_money" => Some((1, MODES)),
        "duration" => Some((1, UNITS)),
        "start_of" => Some((1, STARTS)),
        _ => None,
    }
}

/// A literal argument that is not one of the words it may be: its index, and the
/// message. Offsets written as literals are checked too.
pub fn literal_error(name: &str, args: &[Expr]) -> Option<(usize, String, Vec<&'static str>)> {
    if let Some((i, words)) = literal_words(name) {
        if let Some(ExprKind::String(s)) = args.get(i).map(|a| &a.kind) {
            if !words.contains(&&**s) {
                let listed = words
                    .iter()
                    .map(|w| format!("{w:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Some((
                    i,
                    format!(
                        "{s:?} is not a {} for `{name}`: write one of {listed}",
                        what(name)
                    ),
                    words.to_vec(),
                ));
            }
        }
    }
    let offset_at = match name {
        "hour" | "minute" | "weekday" | "year" | "month" | "day" => 1,
        "start_of" => 2,
        _ => return None,
    };
    if let Some(ExprKind::String(s)) = args.get(offset_at).map(|a| &a.kind) {
        if let Err(e) = crate::eval::functions::parse_offset(s) {
            return Some((offset_at, e.to_string(), Vec::new()));
        }
    }
    None
}

/// The diagnostic for a literal argument that is not one the built-in takes, at that
/// argument, with "did you mean" among the words it may be.
pub fn literal_arg(name: &str, args: &[Expr]) -> Option<Diagnostic> {
    let (i, message, words) = literal_error(name, args)?;
    let a = args.get(i)?;
    let d = Diagnostic::at(&a.span, message);
    Some(match &a.kind {
        ExprKind::String(s) => match did_you_mean(s, words.iter().copied()) {
            Some(w) => d.hint(format!("did you mean {w:?}?")),
            None => d,
        },
        _ => d,
    })
}

fn what(name: &str) -> &'static str {
    match name {
        "round" | "round_money" => "rounding mode",
        "duration" => "unit of time",
        _ => "unit",
    }
}
