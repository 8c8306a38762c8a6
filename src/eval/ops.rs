//! Operators on values: equality, membership, exact arithmetic on numbers, money and
//! durations, and the work each costs.

use chrono::TimeDelta;
use rust_decimal::Decimal;

use super::error::EvalError;
use crate::syntax::ast::{Expr, ExprKind};
use crate::value::{Money, Type, Value};

/// The work an operator does going through a value: a list's or record's elements,
/// a string's bytes (cheaper per byte).
pub(super) fn weight(v: &Value) -> usize {
    match v {
        Value::List(items) => items.len(),
        Value::Map(m) => m.len(),
        Value::String(s) => s.as_bytes().len() / 16,
        _ => 0,
    }
}

/// `a == lit` for a string, boolean or number literal, when `a` is of the same kind or null.
pub(super) fn literal_eq(a: &Value, lit: &Expr) -> Option<bool> {
    match (a, &lit.kind) {
        (Value::String(x), ExprKind::String(y)) => Some(x.as_bytes() == y.as_bytes()),
        (Value::Bool(x), ExprKind::Bool(y)) => Some(x == y),
        (Value::Number(x), ExprKind::Number(y)) => Some(x == y),
        (Value::Null, ExprKind::String(_) | ExprKind::Bool(_) | ExprKind::Number(_)) => Some(false),
        _ => None,
    }
}

/// `a in [lit, …]` for a list of such literals.
pub(super) fn literal_member(a: &Value, list: &Expr) -> Option<bool> {
    let ExprKind::List(items) = &list.kind else {
        return None;
    };
    let mut found = false;
    for item in items {
        found |= literal_eq(a, item)?;
    }
    Some(found)
}

/// `[i]`, without the formatting machinery (paths are built for every evidence fact).
pub(super) fn push_index(out: &mut String, i: usize) {
    out.push('[');
    crate::value::push_uint(out, i as u64);
    out.push(']');
}

pub(super) fn equal(a: &Value, b: &Value) -> Result<bool, EvalError> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(a == b),
        (Value::Money(x), Value::Money(y)) if x.currency != y.currency => {
            Err(EvalError::Currency {
                path: None,
                op: "compare".into(),
                left: x.to_string(),
                right: y.to_string(),
            })
        }
        _ if a.type_of() == b.type_of() => Ok(a.equals(b)),
        _ => Err(EvalError::Type {
            path: None,
            expected: format!("{} on both sides", a.type_of()),
            found: b.type_of(),
            context: "cannot compare".into(),
        }),
    }
}

pub(super) fn member(a: &Value, b: &Value) -> Result<bool, EvalError> {
    match b {
        // As with `==`, a value of another type than the list's is an error, not
        // `false`: `7 in ["pending"]` must not quietly let a wrong-typed fact through.
        Value::List(items)
            if !matches!(a, Value::Null)
                && !items.is_empty()
                && !items
                    .iter()
                    .any(|x| x.type_of() == a.type_of() || matches!(x, Value::Null)) =>
        {
            Err(EvalError::Type {
                path: None,
                expected: format!("{} like the list's elements", items[0].type_of()),
                found: a.type_of(),
                context: "cannot use `in` a list".into(),
            })
        }
        Value::List(items) => Ok(items.iter().any(|x| x.equals(a))),
        Value::Map(_) => match a {
            Value::String(k) => Ok(b.get(k).is_some()),
            other => Err(type_error("`in` a record", "a string key", other)),
        },
        Value::String(s) => match a {
            Value::String(part) => Ok(s.contains(&**part)),
            other => Err(type_error("`in` a string", "a string", other)),
        },
        other => Err(type_error(
            "`in`",
            "a list, record or string on the right",
            other,
        )),
    }
}

pub(super) fn type_error(context: &str, expected: &str, found: &Value) -> EvalError {
    EvalError::Type {
        path: None,
        expected: expected.into(),
        found: found.type_of(),
        context: format!("cannot use {context}"),
    }
}

pub(super) fn overflow(what: &str) -> EvalError {
    EvalError::Arithmetic(format!(
        "{what} is out of range (more digits than a decimal holds)"
    ))
}

pub(super) fn money_op(
    op: &str,
    x: &Money,
    y: &Money,
    f: impl Fn(Decimal, Decimal) -> Option<Decimal>,
) -> Result<Value, EvalError> {
    if x.currency != y.currency {
        return Err(EvalError::Currency {
            path: None,
            op: op.into(),
            left: x.to_string(),
            right: y.to_string(),
        });
    }
    let amount = f(x.amount, y.amount).ok_or_else(|| overflow("the amount"))?;
    Ok(Value::Money(Money {
        amount,
        currency: x.currency,
    }))
}

/// `a + b` on numbers, money of one currency, time + duration, durations, strings.
pub fn add(a: &Value, b: &Value) -> Result<Value, EvalError> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .checked_add(*y)
            .map(Value::Number)
            .ok_or_else(|| overflow("the sum")),
        (Value::Money(x), Value::Money(y)) => money_op("add", x, y, |p, q| p.checked_add(q)),
        (Value::Time(t), Value::Duration(d)) | (Value::Duration(d), Value::Time(t)) => t
            .checked_add_signed(*d)
            .map(Value::Time)
            .ok_or_else(|| EvalError::Arithmetic("the time is out of range".into())),
        (Value::Duration(x), Value::Duration(y)) => x
            .checked_add(y)
            .map(Value::Duration)
            .ok_or_else(|| overflow("the duration")),
        (Value::String(x), Value::String(y)) => Ok(Value::string(&format!("{x}{y}"))),
        (Value::List(x), Value::List(y)) => {
            Ok(Value::List(x.iter().chain(y.iter()).cloned().collect()))
        }
        _ => Err(arith_error("add", a, b)),
    }
}

/// `a - b`.
pub fn sub(a: &Value, b: &Value) -> Result<Value, EvalError> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .checked_sub(*y)
            .map(Value::Number)
            .ok_or_else(|| overflow("the difference")),
        (Value::Money(x), Value::Money(y)) => money_op("subtract", x, y, |p, q| p.checked_sub(q)),
        (Value::Time(t), Value::Duration(d)) => t
            .checked_sub_signed(*d)
            .map(Value::Time)
            .ok_or_else(|| EvalError::Arithmetic("the time is out of range".into())),
        (Value::Time(x), Value::Time(y)) => Ok(Value::Duration(x.signed_duration_since(*y))),
        (Value::Duration(x), Value::Duration(y)) => x
            .checked_sub(y)
            .map(Value::Duration)
            .ok_or_else(|| overflow("the duration")),
        _ => Err(arith_error("subtract", a, b)),
    }
}

/// `a * b`.
pub fn mul(a: &Value, b: &Value) -> Result<Value, EvalError> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .checked_mul(*y)
            .map(Value::Number)
            .ok_or_else(|| overflow("the product")),
        (Value::Money(m), Value::Number(n)) | (Value::Number(n), Value::Money(m)) => m
            .amount
            .checked_mul(*n)
            .map(|amount| {
                Value::Money(Money {
                    amount,
                    currency: m.currency,
                })
            })
            .ok_or_else(|| overflow("the amount")),
        (Value::Duration(d), Value::Number(n)) | (Value::Number(n), Value::Duration(d)) => {
            let secs = Decimal::from(d.num_seconds())
                .checked_mul(*n)
                .ok_or_else(|| overflow("the duration"))?;
            if !secs.fract().is_zero() {
                return Err(EvalError::Arithmetic(
                    "a duration must be a whole number of seconds".into(),
                ));
            }
            i64::try_from(secs)
                .ok()
                .and_then(TimeDelta::try_seconds)
                .map(Value::Duration)
                .ok_or_else(|| overflow("the duration"))
        }
        _ => Err(arith_error("multiply", a, b)),
    }
}

/// `a / b`.
pub fn div(a: &Value, b: &Value) -> Result<Value, EvalError> {
    let by_zero = || EvalError::Arithmetic("division by zero".into());
    match (a, b) {
        (_, Value::Number(n)) if n.is_zero() => Err(by_zero()),
        // Normalized: 3 / 2 is 1.5, not 1.50.
        (Value::Number(x), Value::Number(y)) => x
            .checked_div(*y)
            .map(|q| Value::Number(q.normalize()))
            .ok_or_else(|| overflow("the quotient")),
        (Value::Money(m), Value::Number(n)) => m
            .amount
            .checked_div(*n)
            .map(|amount| {
                Value::Money(Money {
                    amount,
                    currency: m.currency,
                })
            })
            .ok_or_else(|| overflow("the amount")),
        (Value::Money(x), Value::Money(y)) => {
            if x.currency != y.currency {
                return Err(EvalError::Currency {
                    path: None,
                    op: "divide".into(),
                    left: x.to_string(),
                    right: y.to_string(),
                });
            }
            if y.amount.is_zero() {
                return Err(by_zero());
            }
            x.amount
                .checked_div(y.amount)
                .map(Value::Number)
                .ok_or_else(|| overflow("the ratio"))
        }
        _ => Err(arith_error("divide", a, b)),
    }
}

pub(super) fn arith_error(op: &str, a: &Value, b: &Value) -> EvalError {
    let found = if matches!(
        a.type_of(),
        Type::Number | Type::Money | Type::Time | Type::Duration
    ) {
        b.type_of()
    } else {
        a.type_of()
    };
    EvalError::Type {
        path: None,
        expected: "numbers, money of one currency, or a time and a duration".into(),
        found,
        context: format!("cannot {op} {} and {}", a.type_of(), b.type_of()),
    }
}
