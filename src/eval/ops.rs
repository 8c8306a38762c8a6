//! Operators on values: equality, membership, exact arithmetic on numbers, money and
//! durations, and the work each costs.

use chrono::TimeDelta;
use rust_decimal::Decimal;

use super::builtins::exact;
use super::error::EvalError;
use crate::compile::{Node, NodeKind};
use crate::syntax::ast::BinaryOp;
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
pub(super) fn literal_eq(a: &Value, lit: &Node) -> Option<bool> {
    let NodeKind::Const(lit) = &lit.kind else {
        return None;
    };
    match (a, lit) {
        (Value::String(x), Value::String(y)) => Some(x.as_bytes() == y.as_bytes()),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (Value::Null, Value::String(_) | Value::Bool(_) | Value::Number(_)) => Some(false),
        _ => None,
    }
}

/// `a in [lit, …]` for a list of such literals.
pub(super) fn literal_member(a: &Value, list: &Node) -> Option<bool> {
    let NodeKind::List(items) = &list.kind else {
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

/// `a == b`, with one rule at every depth: values of different kinds (other than null,
/// which equals only null) are an error, whether they are the operands or elements of
/// lists or records being compared. `false` would let a wrong-kinded fact through a
/// `!=` guard (fail open); a union-typed fact is tested with `is`, which never fails.
pub(super) fn equal(a: &Value, b: &Value) -> Result<bool, EvalError> {
    let mut at = String::new();
    equal_at(a, b, &mut at)
}

fn equal_at(a: &Value, b: &Value, at: &mut String) -> Result<bool, EvalError> {
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
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            let mut all = true;
            for (i, (v, w)) in x.iter().zip(y.iter()).enumerate() {
                let len = at.len();
                push_index(at, i);
                // Every pair is looked at, so that a mismatch of kinds is reported
                // even after a first unequal pair.
                all &= equal_at(v, w, at)?;
                at.truncate(len);
            }
            Ok(all)
        }
        (Value::Map(x), Value::Map(y)) => {
            let mut all = x.len() == y.len();
            for (k, v) in x.iter() {
                match b.get(k) {
                    Some(w) => {
                        let len = at.len();
                        at.push('.');
                        at.push_str(k);
                        all &= equal_at(v, w, at)?;
                        at.truncate(len);
                    }
                    None => all = false,
                }
            }
            Ok(all)
        }
        _ if a.type_of() == b.type_of() => Ok(a.equals(b)),
        _ => Err(EvalError::Type {
            path: None,
            expected: format!("{} on both sides", a.type_of()),
            found: b.type_of(),
            context: if at.is_empty() {
                "cannot compare".into()
            } else {
                format!("cannot compare (at element `{at}`)")
            },
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
        // Elements of another kind than `a` are passed over (a list may mix kinds);
        // those of its kind are compared as `==` does, nested kinds included.
        Value::List(items) => {
            let mut found = false;
            for x in items.iter() {
                if x.type_of() == a.type_of()
                    || matches!(x, Value::Null)
                    || matches!(a, Value::Null)
                {
                    found |= equal(x, a)?;
                }
            }
            Ok(found)
        }
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
    Ok(money(amount, x.currency))
}

/// Money computed by an operator, at the scale [`exact::money_scale`] gives it.
fn money(amount: Decimal, currency: crate::value::currency::Currency) -> Value {
    Value::Money(Money {
        amount: exact::money_scale(amount, currency),
        currency,
    })
}

/// `a + b` on numbers, money of one currency, time + duration, durations, strings.
pub fn add(a: &Value, b: &Value) -> Result<Value, EvalError> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => exact::add(*x, *y)
            .map(Value::Number)
            .ok_or_else(|| overflow("the sum")),
        (Value::Money(x), Value::Money(y)) => money_op("add", x, y, exact::add),
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
        (Value::Number(x), Value::Number(y)) => exact::sub(*x, *y)
            .map(Value::Number)
            .ok_or_else(|| overflow("the difference")),
        (Value::Money(x), Value::Money(y)) => money_op("subtract", x, y, exact::sub),
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

/// A product a decimal cannot hold exactly: out of range, or with digits it would drop.
fn product_error(x: Decimal, y: Decimal, what: &str) -> EvalError {
    match x.checked_mul(y) {
        Some(p) => EvalError::Inexact {
            expr: None,
            value: p.to_string(),
            hint: "a product keeps every digit, at most 28 after the point: round a factor first"
                .into(),
        },
        None => overflow(what),
    }
}

/// A duration's nanoseconds, exactly.
fn nanos(d: &TimeDelta) -> Decimal {
    Decimal::from_i128_with_scale(
        i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos()),
        0,
    )
}

/// A duration of `n` nanoseconds, which must be whole seconds (as durations are
/// written and shown).
fn duration_of(n: Decimal) -> Result<Value, EvalError> {
    if !n.fract().is_zero() || !(n / Decimal::from(1_000_000_000)).fract().is_zero() {
        return Err(EvalError::Arithmetic(
            "a duration must be a whole number of seconds".into(),
        ));
    }
    i64::try_from(n)
        .ok()
        .map(TimeDelta::nanoseconds)
        .map(Value::Duration)
        .ok_or_else(|| overflow("the duration"))
}

/// `a * b`.
pub fn mul(a: &Value, b: &Value) -> Result<Value, EvalError> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => exact::mul(*x, *y)
            .map(Value::Number)
            .ok_or_else(|| product_error(*x, *y, "the product")),
        (Value::Money(m), Value::Number(n)) | (Value::Number(n), Value::Money(m)) => {
            exact::mul(m.amount, *n)
                .map(|amount| money(amount, m.currency))
                .ok_or_else(|| product_error(m.amount, *n, "the amount"))
        }
        (Value::Duration(d), Value::Number(n)) | (Value::Number(n), Value::Duration(d)) => {
            duration_of(exact::mul(nanos(d), *n).ok_or_else(|| overflow("the duration"))?)
        }
        _ => Err(arith_error("multiply", a, b)),
    }
}

/// A quotient a decimal cannot hold exactly, shown with its currency (or unit).
fn inexact(approx: Decimal, unit: &str) -> EvalError {
    EvalError::Inexact {
        expr: None,
        value: format!("{}{unit}", approx.normalize()),
        hint: "round it where it is divided, e.g. `round(a / b, 2, \"half_even\")`, which rounds the exact quotient".into(),
    }
}

/// An exact quotient, or why there is none.
fn quotient(x: Decimal, y: Decimal, unit: &str, what: &str) -> Result<Decimal, EvalError> {
    match exact::div(x, y) {
        Ok(Some(q)) => Ok(q),
        Ok(None) if y.is_zero() => Err(EvalError::Arithmetic("division by zero".into())),
        Ok(None) => Err(overflow(what)),
        Err(approx) => Err(inexact(approx, unit)),
    }
}

/// `a / b`: exact, or an error (never a rounded quotient).
pub fn div(a: &Value, b: &Value) -> Result<Value, EvalError> {
    match (a, b) {
        // Normalized: 3 / 2 is 1.5, not 1.50.
        (Value::Number(x), Value::Number(y)) => {
            quotient(*x, *y, "", "the quotient").map(|q| Value::Number(q.normalize()))
        }
        (Value::Money(m), Value::Number(n)) => {
            let unit = format!(" {}", m.currency.as_str());
            quotient(m.amount, *n, &unit, "the amount").map(|q| money(q, m.currency))
        }
        (Value::Money(x), Value::Money(y)) => {
            if x.currency != y.currency {
                return Err(EvalError::Currency {
                    path: None,
                    op: "divide".into(),
                    left: x.to_string(),
                    right: y.to_string(),
                });
            }
            quotient(x.amount, y.amount, "", "the ratio").map(|q| Value::Number(q.normalize()))
        }
        (Value::Duration(d), Value::Number(n)) => {
            duration_of(quotient(nanos(d), *n, " nanoseconds", "the duration")?)
        }
        (Value::Duration(x), Value::Duration(y)) => {
            quotient(nanos(x), nanos(y), "", "the ratio").map(|q| Value::Number(q.normalize()))
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

/// `a op b` for the arithmetic operators, `None` when it fails or `op` is another:
/// what compiling folds constants with, so a folded constant is what evaluating the
/// operation gives.
pub(crate) fn arithmetic(op: BinaryOp, a: &Value, b: &Value) -> Option<Value> {
    match op {
        BinaryOp::Add => add(a, b),
        BinaryOp::Sub => sub(a, b),
        BinaryOp::Mul => mul(a, b),
        BinaryOp::Div => div(a, b),
        _ => return None,
    }
    .ok()
}
