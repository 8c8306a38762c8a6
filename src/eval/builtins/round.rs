//! `round`, `floor`, `ceil` and `round_money`: the only places a value is rounded, in
//! the mode the rule names. Written around a division (`round(paid / 3, 2, "half_up")`)
//! or a unit conversion (`floor(hours(usage))`), they round the exact quotient.

use rust_decimal::Decimal;

use super::exact::{self, Mode, MAX_PLACES, MODES};
use super::type_error;
use crate::eval::error::EvalError;
use crate::value::{Money, Value};

/// What is rounded: a value, or the exact quotient of two.
pub enum Operand<'v> {
    /// A value.
    Value(&'v Value),
    /// `num / den`, not yet divided.
    Quotient(&'v Value, &'v Value),
}

/// Whether `name` is one of the rounding functions.
pub fn is_rounding(name: &str) -> bool {
    matches!(name, "round" | "floor" | "ceil" | "round_money")
}

/// Calls rounding function `name` on `x` and the rest of its arguments.
pub fn call(name: &str, x: Operand<'_>, rest: &[&Value]) -> Result<Value, EvalError> {
    let (num, den, currency) = parts(name, x)?;
    let (places, mode) = match name {
        "round" => (
            places(rest.first().copied(), name)?,
            mode(rest.get(1).copied())?,
        ),
        "floor" | "ceil" => {
            let places = match rest.first() {
                Some(p) => places(Some(p), name)?,
                None => 0,
            };
            let mode = if name == "floor" {
                Mode::Floor
            } else {
                Mode::Ceiling
            };
            (places, mode)
        }
        // round_money
        _ => {
            let Some(c) = currency else {
                return Err(type_error(name, "money", Value::Number(num).type_of()));
            };
            (exact::minor_unit(c), mode(rest.first().copied())?)
        }
    };
    let r = exact::div_round(num, den, places, mode).ok_or_else(|| {
        if den.is_zero() {
            EvalError::Arithmetic("division by zero".into())
        } else {
            EvalError::Arithmetic(format!(
                "`{name}` cannot hold its result in {places} places: it is out of range"
            ))
        }
    })?;
    Ok(match currency {
        Some(currency) => Value::Money(Money {
            amount: exact::money_scale(r, currency),
            currency,
        }),
        None => Value::Number(r),
    })
}

/// The numerator, denominator and (for money) currency of what is rounded.
fn parts(
    name: &str,
    x: Operand<'_>,
) -> Result<(Decimal, Decimal, Option<crate::value::currency::Currency>), EvalError> {
    let (a, b) = match x {
        Operand::Value(v) => (v, None),
        Operand::Quotient(a, b) => (a, Some(b)),
    };
    // A duration divided by a duration: their nanoseconds.
    if let (Value::Duration(x), Some(Value::Duration(y))) = (a, b) {
        return Ok((nanos(x), nanos(y), None));
    }
    let den = match b {
        None => Decimal::ONE,
        Some(Value::Number(n)) => *n,
        Some(Value::Money(m)) => {
            return match a {
                Value::Money(x) if x.currency == m.currency => Ok((x.amount, m.amount, None)),
                Value::Money(x) => Err(EvalError::Currency {
                    path: None,
                    op: "divide".into(),
                    left: x.to_string(),
                    right: m.to_string(),
                }),
                other => Err(type_error(name, "money divided by money", other.type_of())),
            };
        }
        Some(other) => return Err(type_error(name, "a number or money", other.type_of())),
    };
    match a {
        Value::Number(n) => Ok((*n, den, None)),
        Value::Money(m) => Ok((m.amount, den, Some(m.currency))),
        other => Err(type_error(name, "a number or money", other.type_of())),
    }
}

fn nanos(d: &chrono::TimeDelta) -> Decimal {
    Decimal::from_i128_with_scale(
        i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos()),
        0,
    )
}

fn places(v: Option<&Value>, name: &str) -> Result<u32, EvalError> {
    match v {
        Some(Value::Number(n)) if n.fract().is_zero() && *n >= Decimal::ZERO => {
            match u32::try_from(*n) {
                Ok(p) if p <= MAX_PLACES => Ok(p),
                _ => Err(EvalError::Invalid(format!(
                    "`{name}` rounds to 0 to {MAX_PLACES} places, not {n}"
                ))),
            }
        }
        Some(Value::Number(n)) => Err(EvalError::Invalid(format!(
            "`{name}` rounds to a whole number of places (0 to {MAX_PLACES}), not {n}"
        ))),
        Some(other) => Err(type_error(name, "a number of places", other.type_of())),
        None => Err(type_error(
            name,
            "a number of places",
            crate::value::Type::Null,
        )),
    }
}

fn mode(v: Option<&Value>) -> Result<Mode, EvalError> {
    match v {
        Some(Value::String(s)) => Mode::named(s).ok_or_else(|| {
            EvalError::Invalid(format!(
                "{:?} is not a rounding mode: write one of {}",
                crate::limits::shorten(s),
                mode_names()
            ))
        }),
        Some(other) => Err(type_error("round", "a rounding mode", other.type_of())),
        None => Err(type_error(
            "round",
            "a rounding mode",
            crate::value::Type::Null,
        )),
    }
}

/// `"half_up", "half_even", "down", "up"`.
pub fn mode_names() -> String {
    MODES
        .iter()
        .map(|(n, _)| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
