//! Lists and text: `min`/`max` of a list, `distinct`, `sort`, `ends_with`, `join`,
//! and `text`, the conversion of any value to text (numbers and money with a given
//! number of digits).

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::type_error;
use crate::eval::error::EvalError;
use crate::eval::functions::compare;
use crate::value::{push_text, Type, Value};

/// The most elements `distinct` compares pairwise (records, lists: kinds that cannot
/// be sorted); sortable kinds have no such limit.
const MAX_PAIRWISE: usize = 2_000;

/// Calls a list or text built-in; `None` when `name` is not one.
pub fn call(name: &str, args: &[&Value]) -> Option<Result<Value, EvalError>> {
    let arg = |i: usize| args.get(i).copied().unwrap_or(&Value::Null);
    Some(match name {
        "min" | "max" => extreme(name, arg(0)),
        "distinct" => list(arg(0), name).and_then(distinct),
        "sort" => list(arg(0), name).and_then(sort),
        "ends_with" => match (arg(0), arg(1)) {
            (Value::String(s), Value::String(p)) => Ok(Value::Bool(s.ends_with(p.as_str()))),
            (Value::String(_), other) | (other, _) => {
                Err(type_error(name, "strings", other.type_of()))
            }
        },
        "contains" => match arg(0) {
            Value::List(_) => crate::eval::ops::member(arg(1), arg(0)).map(Value::Bool),
            other => Err(type_error(name, "a string or a list", other.type_of())),
        },
        "join" => join(arg(0), arg(1)),
        "text" => text(arg(0), args.get(1).copied()),
        _ => return None,
    })
}

fn list<'v>(v: &'v Value, f: &str) -> Result<&'v [Value], EvalError> {
    match v {
        Value::List(l) => Ok(l),
        other => Err(type_error(f, "a list", other.type_of())),
    }
}

/// The least or greatest element of a non-empty list of one comparable kind.
fn extreme(name: &str, v: &Value) -> Result<Value, EvalError> {
    let items = list(v, name)?;
    let mut best = items.first().ok_or_else(|| {
        EvalError::Invalid(format!(
            "`{name}` of an empty list has no value; test `count(…) > 0` first"
        ))
    })?;
    for v in items.iter().skip(1) {
        let ord = compare(v, best)?;
        if (name == "min" && ord.is_lt()) || (name == "max" && ord.is_gt()) {
            best = v;
        }
    }
    Ok(best.clone())
}

/// Whether every element can be ordered against the first (one kind, one currency).
fn sortable(items: &[Value]) -> Result<bool, EvalError> {
    let Some(first) = items.first() else {
        return Ok(true);
    };
    if !matches!(
        first.type_of(),
        Type::Number | Type::String | Type::Money | Type::Time | Type::Duration
    ) {
        return Ok(false);
    }
    for v in items {
        compare(first, v)?;
    }
    Ok(true)
}

/// The list without repeated elements, each kept where it first appears.
fn distinct(items: &[Value]) -> Result<Value, EvalError> {
    let keep: Vec<bool> = if sortable(items)? {
        // Sorted by value then position: a repeat follows the first of its value.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| by_value(items, a, b).then(a.cmp(&b)));
        let mut keep = vec![true; items.len()];
        for w in order.windows(2) {
            if let [a, b] = *w {
                if by_value(items, a, b).is_eq() {
                    if let Some(k) = keep.get_mut(b) {
                        *k = false;
                    }
                }
            }
        }
        keep
    } else if items.len() > MAX_PAIRWISE {
        return Err(EvalError::Invalid(format!(
            "`distinct` compares records, lists and booleans pairwise: at most {MAX_PAIRWISE} elements, not {}",
            items.len()
        )));
    } else {
        (0..items.len())
            .map(|i| {
                let v = items.get(i);
                !items.iter().take(i).any(|w| v.is_some_and(|v| v.equals(w)))
            })
            .collect()
    };
    Ok(Value::List(
        items
            .iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(v, _)| v.clone())
            .collect(),
    ))
}

fn by_value(items: &[Value], a: usize, b: usize) -> Ordering {
    match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => x.order(y).unwrap_or(Ordering::Equal),
        _ => Ordering::Equal,
    }
}

/// The list in ascending order (a stable sort: equal values keep their order).
fn sort(items: &[Value]) -> Result<Value, EvalError> {
    if !sortable(items)? {
        let found = items.first().map_or(Type::Null, Value::type_of);
        return Err(type_error(
            "sort",
            "a list of numbers, strings, money of one currency, timestamps or durations",
            found,
        ));
    }
    let mut out = items.to_vec();
    out.sort_by(|a, b| a.order(b).unwrap_or(Ordering::Equal));
    Ok(Value::List(out.into()))
}

/// A list of strings joined with a separator.
fn join(v: &Value, sep: &Value) -> Result<Value, EvalError> {
    let items = list(v, "join")?;
    let Value::String(sep) = sep else {
        return Err(type_error("join", "a separator string", sep.type_of()));
    };
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        match item {
            Value::String(s) => out.push_str(s),
            other => {
                return Err(EvalError::Type {
                    path: None,
                    expected: "a list of strings (convert other values with `text(…)`)".into(),
                    found: other.type_of(),
                    context: "`join`".into(),
                })
            }
        }
    }
    Ok(Value::string(&out))
}

/// Any value as a message shows it; a number or money with exactly `places` digits
/// after the point (padded with zeros; more digits than that is an error, never a
/// silent rounding: round first).
fn text(v: &Value, places: Option<&Value>) -> Result<Value, EvalError> {
    let Some(places) = places else {
        let mut out = String::new();
        push_text(&mut out, v);
        return Ok(Value::string(&out));
    };
    let p = match places {
        Value::Number(n) if n.fract().is_zero() && *n >= Decimal::ZERO => u32::try_from(*n)
            .ok()
            .filter(|p| *p <= super::exact::MAX_PLACES),
        _ => None,
    }
    .ok_or_else(|| {
        EvalError::Invalid(format!(
            "`text` writes 0 to {} digits after the point, not {places}",
            super::exact::MAX_PLACES
        ))
    })?;
    let with = |d: Decimal| -> Result<Decimal, EvalError> {
        let mut n = d.normalize();
        if n.scale() > p {
            return Err(EvalError::Invalid(format!(
                "{d} has more than {p} digits after the point; round it first, e.g. `text(round(x, {p}, \"half_even\"), {p})`"
            )));
        }
        n.rescale(p);
        Ok(n)
    };
    let shown = match v {
        Value::Number(n) => Value::Number(with(*n)?),
        Value::Money(m) => Value::Money(crate::value::Money {
            amount: with(m.amount)?,
            currency: m.currency,
        }),
        other => return Err(type_error("text", "a number or money", other.type_of())),
    };
    let mut out = String::new();
    push_text(&mut out, &shown);
    Ok(Value::string(&out))
}
