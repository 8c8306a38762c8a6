//! Witness values: the value nearest the boundary that makes a comparison come out as
//! wanted (exactly 1000.00 USD for "not `> 1000 USD`", one second after a time for
//! `>`), and stand-ins of a fact's declared type where any value of it will do.

use std::sync::Arc;

use chrono::TimeDelta;
use rust_decimal::Decimal;

use crate::schema::{Record, Ty};
use crate::syntax::ast::BinaryOp;
use crate::value::{Money, Value};

use super::patch::Seg;

/// The operator with its operands swapped: `a < b` is `b > a`.
pub(crate) fn flip(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        other => other,
    }
}

/// The comparison that holds exactly when `op` does not.
pub(crate) fn negate(op: BinaryOp) -> Option<BinaryOp> {
    Some(match op {
        BinaryOp::Eq => BinaryOp::Ne,
        BinaryOp::Ne => BinaryOp::Eq,
        BinaryOp::Lt => BinaryOp::Ge,
        BinaryOp::Le => BinaryOp::Gt,
        BinaryOp::Gt => BinaryOp::Le,
        BinaryOp::Ge => BinaryOp::Lt,
        BinaryOp::In => BinaryOp::NotIn,
        BinaryOp::NotIn => BinaryOp::In,
        _ => return None,
    })
}

/// A value `x` with `x op v`, as near `v` as the values allow, in the precision of
/// `current` (the fact's value now) when it is finer. `None` for `!=` (see [`other`])
/// and values that have no order.
pub(crate) fn boundary(op: BinaryOp, v: &Value, current: Option<&Value>) -> Option<Value> {
    let step = |up: bool| step(v, current, up);
    match op {
        BinaryOp::Eq | BinaryOp::Le | BinaryOp::Ge => Some(rescaled(v, current)),
        BinaryOp::Gt => step(true),
        BinaryOp::Lt => step(false),
        _ => None,
    }
}

/// `v` written with the decimal places of `current`, when it has more (1000 USD as
/// 1000.00 USD when the fact was 2000.00 USD).
fn rescaled(v: &Value, current: Option<&Value>) -> Value {
    let scale = current.and_then(scale_of).unwrap_or(0);
    match v {
        Value::Number(n) if n.scale() < scale => {
            let mut n = *n;
            n.rescale(scale);
            Value::Number(n)
        }
        Value::Money(m) if m.amount.scale() < scale => {
            let mut amount = m.amount;
            amount.rescale(scale);
            Value::Money(Money {
                amount,
                currency: m.currency,
            })
        }
        other => other.clone(),
    }
}

fn scale_of(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => Some(n.scale()),
        Value::Money(m) => Some(m.amount.scale()),
        _ => None,
    }
}

/// The next value above (or below) `v`: one unit of the last decimal place, one second.
fn step(v: &Value, current: Option<&Value>, up: bool) -> Option<Value> {
    let v = rescaled(v, current);
    let unit = |d: &Decimal| Decimal::new(1, d.scale());
    let next = |d: Decimal| {
        if up {
            d.checked_add(unit(&d))
        } else {
            d.checked_sub(unit(&d))
        }
    };
    let second = TimeDelta::seconds(if up { 1 } else { -1 });
    Some(match v {
        Value::Number(n) => Value::Number(next(n)?),
        Value::Money(m) => Value::Money(Money {
            amount: next(m.amount)?,
            currency: m.currency,
        }),
        Value::Time(t) => Value::Time(t.checked_add_signed(second)?),
        Value::Duration(d) => Value::Duration(d.checked_add(&second)?),
        _ => return None,
    })
}

/// A value of type `ty` (or of `current`'s kind) that is none of `excluded`; the first
/// of an enumeration's values, the other boolean, a stand-in text `<name>`.
pub(crate) fn other(
    excluded: &[Value],
    ty: Option<&Ty>,
    current: Option<&Value>,
    name: &str,
) -> Option<Value> {
    candidates(ty, current, name)
        .into_iter()
        .find(|c| !excluded.iter().any(|x| x.equals(c)) && !matches!(c, Value::Null))
}

/// Values of type `ty` to try where any will do, the likeliest first.
pub(crate) fn candidates(ty: Option<&Ty>, current: Option<&Value>, name: &str) -> Vec<Value> {
    let placeholder = || Value::string(&format!("<{name}>"));
    let Some(ty) = ty.map(Ty::required) else {
        return match current {
            Some(Value::Bool(b)) => vec![Value::Bool(!b)],
            Some(Value::Number(_)) => vec![Value::Number(Decimal::ZERO)],
            Some(Value::String(_)) | None => vec![placeholder()],
            Some(_) => Vec::new(),
        };
    };
    match ty {
        Ty::Bool => vec![Value::Bool(true), Value::Bool(false)],
        Ty::Integer | Ty::Decimal => vec![Value::Number(Decimal::ZERO)],
        Ty::String | Ty::Any => vec![placeholder()],
        Ty::Enum(values) => values.iter().map(|v| Value::string(v)).collect(),
        Ty::Money => match current {
            Some(Value::Money(m)) => vec![Value::Money(Money {
                amount: Decimal::ZERO,
                currency: m.currency,
            })],
            _ => Vec::new(),
        },
        Ty::List(_) => vec![Value::List(Arc::from(Vec::new()))],
        Ty::Record(r) => record(r).into_iter().collect(),
        Ty::Time | Ty::Duration | Ty::Null | Ty::Optional(_) => Vec::new(),
        Ty::Union(alts) => alts
            .iter()
            .flat_map(|t| candidates(Some(t), current, name))
            .collect(),
        // A bound itself is the likeliest value inside the range; nothing is made up
        // to match a pattern.
        Ty::Refined(t, r) => {
            let mut c = candidates(Some(t), current, name);
            let bound = match **t {
                Ty::Integer => r.min.map(|b| b.ceil()).or(r.max.map(|b| b.floor())),
                _ => r.min.or(r.max),
            };
            if let (Some(b), Ty::Integer | Ty::Decimal) = (bound, &**t) {
                c.insert(0, Value::Number(b));
            }
            c.retain(|v| r.refuses(v).is_none());
            c
        }
    }
}

/// A record of type `r` with each required field given its first candidate.
fn record(r: &Record) -> Option<Value> {
    let mut fields = Vec::new();
    for f in &r.fields {
        if f.ty.is_optional() {
            continue;
        }
        let v = candidates(Some(&f.ty), None, &f.name).into_iter().next()?;
        fields.push((Arc::<str>::from(f.name.as_str()), v));
    }
    Some(Value::Map(fields.into()))
}

/// The declared type at a fact path, if the schema says.
pub(crate) fn ty_at<'r>(schema: &'r Record, segs: &[Seg]) -> Option<&'r Ty> {
    let (Seg::Key(first), rest) = segs.split_first()? else {
        return None;
    };
    let mut ty = &schema.get(first)?.ty;
    for s in rest {
        ty = match (ty.required(), s) {
            (Ty::Record(r), Seg::Key(k)) => &r.get(k)?.ty,
            (Ty::List(t), Seg::Index(_)) => t,
            _ => return None,
        };
    }
    Some(ty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::currency::Currency;

    fn usd(s: &str) -> Value {
        Value::Money(Money {
            amount: s.parse().unwrap(),
            currency: Currency::new("USD").unwrap(),
        })
    }

    #[test]
    fn boundaries_sit_on_the_limit_in_the_facts_precision() {
        // not `> 1000 USD` is `<= 1000 USD`: exactly 1000.00 USD for a 2000.00 USD fact.
        let w = boundary(BinaryOp::Le, &usd("1000"), Some(&usd("2000.00"))).unwrap();
        assert_eq!(w.to_string(), "1000.00 USD");
        let w = boundary(BinaryOp::Gt, &usd("1000"), Some(&usd("2000.00"))).unwrap();
        assert_eq!(w.to_string(), "1000.01 USD");
        let t: chrono::DateTime<chrono::FixedOffset> =
            chrono::DateTime::parse_from_rfc3339("2021-09-30T10:00:00+08:00").unwrap();
        let w = boundary(BinaryOp::Gt, &Value::Time(t), None).unwrap();
        assert_eq!(w.to_string(), "2021-09-30T10:00:01+08:00");
        assert_eq!(boundary(BinaryOp::Ne, &Value::Bool(true), None), None);
    }

    #[test]
    fn other_values_avoid_the_excluded_ones() {
        let ty = Ty::Enum(Arc::from(vec!["main".to_string(), "sub".to_string()]));
        let o = other(&[Value::string("main")], Some(&ty), None, "role").unwrap();
        assert_eq!(o, Value::string("sub"));
        let o = other(&[Value::string("x")], Some(&Ty::String), None, "status").unwrap();
        assert_eq!(o, Value::string("<status>"));
    }
}
