//! Durations as numbers and back, a time's calendar fields in an offset, the start
//! of an hour, day, month or year, and calendar arithmetic. Never the clock.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Timelike};
use rust_decimal::Decimal;

use super::exact;
use super::type_error;
use crate::eval::error::EvalError;
use crate::eval::functions::parse_offset;
use crate::value::Value;

/// Nanoseconds in a unit a duration is converted to or from.
fn unit_nanos(unit: &str) -> Option<i64> {
    Some(match unit {
        "days" => 86_400_000_000_000,
        "hours" => 3_600_000_000_000,
        "minutes" => 60_000_000_000,
        "seconds" => 1_000_000_000,
        _ => return None,
    })
}

/// The unit a conversion function converts a duration to (`hours` → `"hours"`).
pub fn conversion_unit(name: &str) -> Option<&'static str> {
    match name {
        "days" => Some("days"),
        "hours" => Some("hours"),
        "minutes" => Some("minutes"),
        "seconds" => Some("seconds"),
        _ => None,
    }
}

/// A duration's length in `unit` as a quotient not yet divided (nanoseconds, the
/// unit's nanoseconds), so that `floor(hours(d))` rounds the exact value.
pub fn in_unit_parts(d: &Value, unit: &str, f: &str) -> Result<(Value, Value), EvalError> {
    let Value::Duration(d) = d else {
        return Err(type_error(f, "a duration", d.type_of()));
    };
    let nanos = i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos());
    let per = unit_nanos(unit).unwrap_or(1);
    Ok((
        Value::Number(Decimal::from_i128_with_scale(nanos, 0)),
        Value::Number(Decimal::from(per)),
    ))
}

/// Calls a time or duration built-in; `None` when `name` is not one.
pub fn call(name: &str, args: &[&Value]) -> Option<Result<Value, EvalError>> {
    let arg = |i: usize| args.get(i).copied().unwrap_or(&Value::Null);
    Some(match name {
        "days" | "hours" | "minutes" | "seconds" => {
            in_unit_parts(arg(0), name, name).and_then(|(n, d)| match (&n, &d) {
                (Value::Number(a), Value::Number(b)) => match exact::div(*a, *b) {
                    Ok(Some(q)) => Ok(Value::Number(q.normalize())),
                    Ok(None) => Err(EvalError::Arithmetic(format!(
                        "`{name}` is out of range"
                    ))),
                    Err(approx) => Err(EvalError::Inexact {
                        expr: None,
                        value: format!("{} {name}", approx.normalize()),
                        hint: format!(
                            "it is not a whole number of {name}: round it, e.g. `floor({name}(d))` (rounded down) or `round({name}(d), 2, \"half_up\")`"
                        ),
                    }),
                },
                _ => Ok(Value::Null),
            })
        }
        "duration" => duration(arg(0), arg(1)),
        "hour" | "minute" | "weekday" | "year" | "month" | "day" => {
            local(arg(0), args.get(1).copied(), name).map(|t| {
                let n = match name {
                    "hour" => i64::from(t.hour()),
                    "minute" => i64::from(t.minute()),
                    "weekday" => i64::from(t.weekday().number_from_monday()),
                    "year" => i64::from(t.year()),
                    "month" => i64::from(t.month()),
                    _ => i64::from(t.day()),
                };
                Value::Number(Decimal::from(n))
            })
        }
        "start_of" => start_of(arg(0), arg(1), args.get(2).copied()),
        "add_months" | "add_years" => {
            let per = if name == "add_years" { 12 } else { 1 };
            match (arg(0), whole(arg(1), name)) {
                (Value::Time(t), Ok(n)) => n
                    .checked_mul(per)
                    .and_then(|n| add_months(t, n))
                    .map(Value::Time)
                    .ok_or_else(|| EvalError::Arithmetic("the time is out of range".into())),
                (_, Err(e)) => Err(e),
                (other, _) => Err(type_error(name, "a timestamp", other.type_of())),
            }
        }
        "months_between" | "years_between" => match (arg(0), arg(1)) {
            (Value::Time(a), Value::Time(b)) => {
                let months = months_between(a, b);
                let n = if name == "years_between" {
                    months.div_euclid(12)
                } else {
                    months
                };
                Ok(Value::Number(Decimal::from(n)))
            }
            (Value::Time(_), other) | (other, _) => {
                Err(type_error(name, "two timestamps", other.type_of()))
            }
        },
        _ => return None,
    })
}

/// `duration(n, "hours")`: `n` of a unit as a duration, in whole seconds.
fn duration(n: &Value, unit: &Value) -> Result<Value, EvalError> {
    let Value::Number(n) = n else {
        return Err(type_error("duration", "a number", n.type_of()));
    };
    let Value::String(u) = unit else {
        return Err(type_error("duration", "a unit", unit.type_of()));
    };
    let per = unit_nanos(u).ok_or_else(|| {
        EvalError::Invalid(format!(
            "{:?} is not a unit of time: write \"days\", \"hours\", \"minutes\" or \"seconds\"",
            crate::limits::shorten(u)
        ))
    })?;
    let nanos = exact::mul(*n, Decimal::from(per))
        .ok_or_else(|| EvalError::Arithmetic("the duration is out of range".into()))?;
    if !nanos.fract().is_zero() || !(nanos / Decimal::from(1_000_000_000)).fract().is_zero() {
        return Err(EvalError::Arithmetic(format!(
            "{n} {u} is not a whole number of seconds, as a duration must be"
        )));
    }
    i64::try_from(nanos)
        .ok()
        .map(TimeDelta::nanoseconds)
        .map(Value::Duration)
        .ok_or_else(|| EvalError::Arithmetic("the duration is out of range".into()))
}

/// `t` at `offset` (its own offset without one).
fn local(t: &Value, offset: Option<&Value>, f: &str) -> Result<DateTime<FixedOffset>, EvalError> {
    let Value::Time(t) = t else {
        return Err(type_error(f, "a timestamp", t.type_of()));
    };
    match offset {
        None => Ok(*t),
        Some(Value::String(o)) => Ok(t.with_timezone(&parse_offset(o)?)),
        Some(other) => Err(type_error(
            f,
            "an offset such as \"+08:00\"",
            other.type_of(),
        )),
    }
}

/// The first instant of `t`'s hour, day, month or year, at `offset`.
fn start_of(t: &Value, unit: &Value, offset: Option<&Value>) -> Result<Value, EvalError> {
    let t = local(t, offset, "start_of")?;
    let Value::String(unit) = unit else {
        return Err(type_error("start_of", "a unit", unit.type_of()));
    };
    let date = t.date_naive();
    let (date, time) = match unit.as_str() {
        "hour" => (date, NaiveTime::from_hms_opt(t.hour(), 0, 0)),
        "day" => (date, NaiveTime::from_hms_opt(0, 0, 0)),
        "month" => (
            date.with_day(1).unwrap_or(date),
            NaiveTime::from_hms_opt(0, 0, 0),
        ),
        "year" => (
            NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date),
            NaiveTime::from_hms_opt(0, 0, 0),
        ),
        other => {
            return Err(EvalError::Invalid(format!(
            "{:?} is not a unit `start_of` knows: write \"hour\", \"day\", \"month\" or \"year\"",
            crate::limits::shorten(other)
        )))
        }
    };
    time.and_then(|time| date.and_time(time).and_local_timezone(*t.offset()).single())
        .map(Value::Time)
        .ok_or_else(|| EvalError::Arithmetic("the time is out of range".into()))
}

/// `t` plus `n` calendar months at its own offset, the time of day kept; a day past
/// the end of the month it lands in becomes that month's last day (Jan 31 + 1 month
/// is Feb 28, or 29 in a leap year).
pub fn add_months(t: &DateTime<FixedOffset>, n: i64) -> Option<DateTime<FixedOffset>> {
    let local = t.naive_local();
    let total = i64::from(local.year())
        .checked_mul(12)?
        .checked_add(i64::from(local.month0()))?
        .checked_add(n)?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    let last = last_day(year, month)?;
    let date = NaiveDate::from_ymd_opt(year, month, local.day().min(last))?;
    date.and_time(local.time())
        .and_local_timezone(*t.offset())
        .single()
}

fn last_day(year: i32, month: u32) -> Option<u32> {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    next.pred_opt().map(|d| d.day())
}

/// Whole calendar months from `a` to `b`, rounded down: the largest `m` with
/// `add_months(a, m) <= b` (negative when `b` is earlier).
pub fn months_between(a: &DateTime<FixedOffset>, b: &DateTime<FixedOffset>) -> i64 {
    let (x, y) = (a.naive_local(), b.with_timezone(a.offset()).naive_local());
    let mut m = (i64::from(y.year()) - i64::from(x.year())) * 12 + i64::from(y.month())
        - i64::from(x.month());
    // At most one month off either way.
    for _ in 0..2 {
        match add_months(a, m) {
            Some(t) if t > *b => m -= 1,
            _ => break,
        }
    }
    for _ in 0..2 {
        match add_months(a, m + 1) {
            Some(t) if t <= *b => m += 1,
            _ => break,
        }
    }
    m
}

fn whole(v: &Value, f: &str) -> Result<i64, EvalError> {
    match v {
        Value::Number(n) if n.fract().is_zero() => i64::try_from(*n)
            .map_err(|_| EvalError::Arithmetic(format!("`{f}`: {n} is out of range"))),
        Value::Number(n) => Err(EvalError::Invalid(format!(
            "`{f}` adds a whole number, not {n}"
        ))),
        other => Err(type_error(f, "a whole number", other.type_of())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn months_are_added_with_the_end_of_month_rule() {
        let cases = [
            ("2021-01-31T10:00:00+08:00", 1, "2021-02-28T10:00:00+08:00"),
            ("2024-01-31T10:00:00+08:00", 1, "2024-02-29T10:00:00+08:00"),
            ("2024-02-29T00:00:00Z", 12, "2025-02-28T00:00:00Z"),
            ("2021-03-31T00:00:00Z", -1, "2021-02-28T00:00:00Z"),
            ("2021-12-15T00:00:00Z", 1, "2022-01-15T00:00:00Z"),
            ("2021-01-15T00:00:00Z", -13, "2019-12-15T00:00:00Z"),
        ];
        for (a, n, want) in cases {
            assert_eq!(add_months(&t(a), n), Some(t(want)), "{a} + {n}");
        }
    }

    #[test]
    fn whole_months_between_are_rounded_down() {
        let m = |a, b| months_between(&t(a), &t(b));
        assert_eq!(m("2021-01-31T00:00:00Z", "2021-02-28T00:00:00Z"), 1);
        assert_eq!(m("2021-01-15T00:00:00Z", "2021-02-14T23:59:59Z"), 0);
        assert_eq!(m("2021-01-15T00:00:00Z", "2022-01-15T00:00:00Z"), 12);
        assert_eq!(m("2021-03-15T00:00:00Z", "2021-02-20T00:00:00Z"), -1);
        assert_eq!(m("2021-03-15T00:00:00Z", "2021-03-15T00:00:00Z"), 0);
    }
}
