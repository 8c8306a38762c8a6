//! Built-in functions. The checker knows their names and arities from [`BUILTINS`].

use std::borrow::Borrow;
use std::fmt::Write as _;
use std::str::FromStr;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Datelike, FixedOffset};
use rust_decimal::Decimal;

use super::error::EvalError;
use crate::value::currency::Currency;
use crate::value::{Money, Type, Value};

/// A built-in function's name, arity and one-line description.
pub struct Builtin {
    /// The name as called.
    pub name: &'static str,
    /// Fewest arguments.
    pub min: usize,
    /// Most arguments.
    pub max: usize,
    /// What it does (for `docs/language.md` and hints).
    pub doc: &'static str,
}

/// Every built-in function.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "present",
        min: 1,
        max: 1,
        doc: "present(path): true when the fact exists and is not null",
    },
    Builtin {
        name: "require",
        min: 1,
        max: 1,
        doc: "require(path): the fact's value; the rule fails closed (an error naming the fact) when it is absent or null",
    },
    Builtin {
        name: "trim",
        min: 1,
        max: 1,
        doc: "trim(s): s without leading and trailing white space",
    },
    Builtin {
        name: "lower",
        min: 1,
        max: 1,
        doc: "lower(s): s in lower case",
    },
    Builtin {
        name: "upper",
        min: 1,
        max: 1,
        doc: "upper(s): s in upper case",
    },
    Builtin {
        name: "contains",
        min: 2,
        max: 2,
        doc: "contains(s, part) or contains(list, x): whether s contains part, or the list x",
    },
    Builtin {
        name: "starts_with",
        min: 2,
        max: 2,
        doc: "starts_with(s, prefix)",
    },
    Builtin {
        name: "len",
        min: 1,
        max: 1,
        doc: "len(x): elements of a list or record, characters of a string",
    },
    Builtin {
        name: "count",
        min: 1,
        max: 1,
        doc: "count(list): how many elements",
    },
    Builtin {
        name: "sum",
        min: 1,
        max: 1,
        doc: "sum(list): total of numbers, or of money in one currency",
    },
    Builtin {
        name: "min",
        min: 1,
        max: 2,
        doc: "min(a, b) or min(list): the smallest of comparable values",
    },
    Builtin {
        name: "max",
        min: 1,
        max: 2,
        doc: "max(a, b) or max(list): the largest of comparable values",
    },
    Builtin {
        name: "money",
        min: 2,
        max: 2,
        doc: "money(amount, currency): money from a number and a code",
    },
    Builtin {
        name: "to_offset",
        min: 2,
        max: 2,
        doc: "to_offset(t, \"+08:00\"): the same instant at another UTC offset",
    },
    Builtin {
        name: "format_time",
        min: 2,
        max: 2,
        doc: "format_time(t, \"%Y/%-m\"): t formatted (strftime) at its own offset",
    },
    Builtin {
        name: "year",
        min: 1,
        max: 2,
        doc: "year(t, offset?): the calendar year at t's offset",
    },
    Builtin {
        name: "month",
        min: 1,
        max: 2,
        doc: "month(t, offset?): the calendar month (1-12) at t's offset",
    },
    Builtin {
        name: "day",
        min: 1,
        max: 2,
        doc: "day(t, offset?): the day of the month at t's offset",
    },
    Builtin {
        name: "calendar_month",
        min: 2,
        max: 2,
        doc: "calendar_month(t, \"+08:00\"): the month t falls in at that offset, written `2021/9`",
    },
];

/// The built-in of that name.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    all().find(|b| b.name == name)
}

/// Every built-in: those here, then those in `eval::builtins`.
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    BUILTINS.iter().chain(super::builtins::MORE_BUILTINS)
}

/// Calls a built-in on evaluated arguments (`present` is handled by the evaluator).
pub fn call<V: Borrow<Value>>(name: &str, args: &[V]) -> Result<Value, EvalError> {
    // Arguments may be borrowed from the snapshot: a fact is not copied to be read.
    static NULL: Value = Value::Null;
    let arg = |i: usize| args.get(i).map_or(&NULL, Borrow::borrow);
    match name {
        "trim" => Ok(Value::string(string(arg(0), name)?.trim())),
        "lower" => Ok(Value::string(&string(arg(0), name)?.to_lowercase())),
        "upper" => Ok(Value::string(&string(arg(0), name)?.to_uppercase())),
        "contains" if matches!(arg(0), Value::String(_)) => Ok(Value::Bool(
            string(arg(0), name)?.contains(string(arg(1), name)?),
        )),
        "starts_with" => Ok(Value::Bool(
            string(arg(0), name)?.starts_with(string(arg(1), name)?),
        )),
        "len" => match arg(0) {
            Value::List(l) => Ok(number(l.len())),
            Value::Map(m) => Ok(number(m.len())),
            Value::String(s) => Ok(number(s.chars().count())),
            other => Err(type_error("len", "a list, record or string", other)),
        },
        "count" => match arg(0) {
            Value::List(l) => Ok(number(l.len())),
            other => Err(type_error("count", "a list", other)),
        },
        "sum" => match arg(0) {
            Value::List(l) => sum(l.iter()),
            other => Err(type_error("sum", "a list", other)),
        },
        "min" | "max" if args.len() == 2 => {
            let ord = compare(arg(0), arg(1))?;
            let first = (name == "min") == ord.is_le();
            Ok(if first {
                arg(0).clone()
            } else {
                arg(1).clone()
            })
        }
        "money" => {
            let amount = match arg(0) {
                Value::Number(n) => *n,
                other => return Err(type_error("money", "a number", other)),
            };
            let code = string(arg(1), name)?;
            let Some(currency) = Currency::new(code) else {
                return Err(EvalError::Invalid(format!(
                    "`{}` is not an ISO 4217 currency code (such as `USD` or `CNY`)",
                    crate::limits::shorten(code)
                )));
            };
            Ok(Value::Money(Money {
                amount: super::builtins::exact::money_scale(amount, currency),
                currency,
            }))
        }
        "to_offset" => {
            let t = time(arg(0), name)?;
            let offset = parse_offset(string(arg(1), name)?)?;
            Ok(Value::Time(t.with_timezone(&offset)))
        }
        "format_time" => {
            let t = time(arg(0), name)?;
            let pattern = string(arg(1), name)?;
            let items = time_format(pattern)?;
            let mut out = String::new();
            write!(out, "{}", t.format_with_items(items.iter())).map_err(|_| {
                EvalError::Invalid(format!("cannot format a time with `{pattern}`"))
            })?;
            Ok(Value::string(&out))
        }
        "year" if args.len() == 1 => Ok(number_i(i64::from(time(arg(0), name)?.year()))),
        "month" if args.len() == 1 => Ok(number(time(arg(0), name)?.month() as usize)),
        "day" if args.len() == 1 => Ok(number(time(arg(0), name)?.day() as usize)),
        "calendar_month" => {
            let t = time(arg(0), name)?.with_timezone(&parse_offset(string(arg(1), name)?)?);
            // `2021/9`, as `format!("{}/{}")` writes it, without the formatting machinery.
            let mut out = String::with_capacity(8);
            if t.year() < 0 {
                out.push('-');
            }
            crate::value::push_uint(&mut out, u64::from(t.year().unsigned_abs()));
            out.push('/');
            crate::value::push_uint(&mut out, u64::from(t.month()));
            Ok(Value::string(&out))
        }
        _ => {
            let args: Vec<&Value> = args.iter().map(Borrow::borrow).collect();
            super::builtins::call(name, &args)
                .unwrap_or_else(|| Err(EvalError::Invalid(format!("unknown function `{name}`"))))
        }
    }
}

/// A strftime pattern, refused when it has a specifier chrono does not know
/// (formatting with one would fail half-way).
pub fn time_format(pattern: &str) -> Result<Vec<Item<'_>>, EvalError> {
    let items: Vec<Item<'_>> = StrftimeItems::new(pattern).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return Err(EvalError::TimeFormat {
            pattern: pattern.to_string(),
        });
    }
    Ok(items)
}

/// `+08:00`, `-05:30`, `Z` or `UTC`.
pub fn parse_offset(s: &str) -> Result<FixedOffset, EvalError> {
    let bad = || {
        EvalError::Invalid(format!(
            "`{s}` is not a UTC offset; write it like `+08:00` (named time zones are not supported)"
        ))
    };
    if s == "Z" || s == "UTC" || s == "+00:00" {
        return FixedOffset::east_opt(0).ok_or_else(bad);
    }
    let b = s.as_bytes();
    if b.len() != 6 || !matches!(b[0], b'+' | b'-') || b[3] != b':' {
        return Err(bad());
    }
    let h = i32::from_str(&s[1..3]).map_err(|_| bad())?;
    let m = i32::from_str(&s[4..6]).map_err(|_| bad())?;
    if h > 23 || m > 59 {
        return Err(bad());
    }
    let secs = (h * 3600 + m * 60) * if b[0] == b'-' { -1 } else { 1 };
    FixedOffset::east_opt(secs).ok_or_else(bad)
}

/// Orders two values of one comparable kind (money of one currency).
pub fn compare(a: &Value, b: &Value) -> Result<std::cmp::Ordering, EvalError> {
    if let (Value::Money(x), Value::Money(y)) = (a, b) {
        if x.currency != y.currency {
            return Err(EvalError::Currency {
                path: None,
                op: "compare".into(),
                left: x.to_string(),
                right: y.to_string(),
            });
        }
    }
    a.order(b).ok_or_else(|| EvalError::Type {
        path: None,
        expected: match a.type_of() {
            Type::Null | Type::Bool | Type::List | Type::Map => {
                "numbers, strings, money, timestamps or durations".to_string()
            }
            t => format!("{t} on both sides"),
        },
        found: if matches!(
            a.type_of(),
            Type::Null | Type::Bool | Type::List | Type::Map
        ) {
            a.type_of()
        } else {
            b.type_of()
        },
        context: "cannot compare".into(),
    })
}

/// Total of numbers, or of money in one currency; an empty list sums to 0.
pub fn sum<'v>(items: impl Iterator<Item = &'v Value>) -> Result<Value, EvalError> {
    let mut total: Option<Value> = None;
    for v in items {
        total = Some(match (total, v) {
            (None, Value::Number(_) | Value::Money(_)) => v.clone(),
            (Some(acc), _) => super::ops::add(&acc, v)?,
            (None, other) => return Err(type_error("sum", "numbers or money", other)),
        });
    }
    Ok(total.unwrap_or(Value::Number(Decimal::ZERO)))
}

fn string<'v>(v: &'v Value, f: &str) -> Result<&'v str, EvalError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(type_error(f, "a string", other)),
    }
}

fn time(v: &Value, f: &str) -> Result<DateTime<FixedOffset>, EvalError> {
    match v {
        Value::Time(t) => Ok(*t),
        other => Err(type_error(f, "a timestamp", other)),
    }
}

fn number(n: usize) -> Value {
    Value::Number(Decimal::from(n))
}

fn number_i(n: i64) -> Value {
    Value::Number(Decimal::from(n))
}

fn type_error(f: &str, expected: &str, found: &Value) -> EvalError {
    EvalError::Type {
        path: None,
        expected: expected.to_string(),
        found: found.type_of(),
        context: format!("`{f}`"),
    }
}
