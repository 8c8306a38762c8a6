//! Checking a loaded snapshot against a schema, and giving the rules the snapshot as the
//! schema reads it.
//!
//! Every violation is collected (not just the first) with its document path. The value
//! that comes back is the one the rules are evaluated on; it differs from the input in
//! three ways, each what the schema says the producer meant:
//! - an optional field that is absent is there, as null (so `p == null` and `p != null`
//!   are presence tests, as the type checker assumes);
//! - a `duration` written as text (`"24h"`) is a duration, and a `decimal` written as a
//!   decimal string (`"12.50"`) is a number;
//! - a `string` field whose text looked like a time (the loader reads those as times) is
//!   text again, in RFC 3339 form.

use std::sync::Arc;

use crate::diagnostic::did_you_mean;
use crate::facts::parse_amount;
use crate::syntax::parser::parse_duration;
use crate::value::{format_time, Map, Value};

use super::{write_values, Record, Ty};

/// One way a snapshot breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a document path: `resources[2].order.amount`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Checks the top-level record of a snapshot; returns the snapshot as the rules will see it.
/// With `strict`, fields the schema does not declare are violations too.
pub fn snapshot(value: &Value, schema: &Record, strict: bool, out: &mut Vec<Problem>) -> Value {
    let mut v = Validator { strict, out };
    let mut path = String::new();
    match value {
        Value::Map(entries) => Value::Map(Arc::new(v.record(entries, schema, &mut path, true))),
        other => {
            v.problem(
                &path,
                format!(
                    "a snapshot must be a record of facts, found {}",
                    other.type_of()
                ),
            );
            other.clone()
        }
    }
}

struct Validator<'o> {
    strict: bool,
    out: &'o mut Vec<Problem>,
}

impl Validator<'_> {
    fn problem(&mut self, path: &str, message: String) {
        self.out.push(Problem {
            path: path.to_string(),
            message,
        });
    }

    fn record(&mut self, entries: &Map, schema: &Record, path: &mut String, top: bool) -> Map {
        let mut out: Map = Vec::with_capacity(entries.len());
        for (key, value) in entries.iter() {
            let len = push_key(path, key);
            match schema.get(key) {
                Some(field) => out.push((key.clone(), self.value(value, &field.ty, path))),
                None if top && &**key == "now" => {
                    // Built in: a timestamp whatever the policy, overridden by `--now`.
                    if !matches!(value, Value::Time(_)) {
                        let found = found(value);
                        self.problem(
                            path,
                            format!(
                                "expected a timestamp (RFC 3339 with an offset), found {found}"
                            ),
                        );
                    }
                    out.push((key.clone(), value.clone()));
                }
                None => {
                    if self.strict {
                        let mut message =
                            "not declared in the schema (`--strict` refuses undeclared fields)"
                                .to_string();
                        if let Some(s) = did_you_mean(key, schema.names()) {
                            message.push_str(&format!("; did you mean `{s}`?"));
                        }
                        self.problem(path, message);
                    }
                    out.push((key.clone(), value.clone()));
                }
            }
            path.truncate(len);
        }
        for field in &schema.fields {
            if entries.iter().any(|(k, _)| **k == *field.name) {
                continue;
            }
            if field.ty.is_optional() || field.ty == Ty::Any {
                out.push((Arc::from(field.name.as_str()), Value::Null));
            } else {
                let len = push_key(path, &field.name);
                self.problem(path, format!("required ({}), but missing", field.ty));
                path.truncate(len);
            }
        }
        out
    }

    fn value(&mut self, v: &Value, ty: &Ty, path: &mut String) -> Value {
        match (ty, v) {
            (Ty::Any, _) | (Ty::Optional(_) | Ty::Null, Value::Null) => v.clone(),
            (Ty::Optional(t), _) => self.value(v, t, path),
            (_, Value::Null) => {
                self.problem(path, format!("required ({ty}), but null"));
                v.clone()
            }
            (Ty::Bool, Value::Bool(_))
            | (Ty::Decimal, Value::Number(_))
            | (Ty::String, Value::String(_))
            | (Ty::Money, Value::Money(_))
            | (Ty::Time, Value::Time(_))
            | (Ty::Duration, Value::Duration(_)) => v.clone(),
            (Ty::Integer, Value::Number(n)) => {
                if !n.fract().is_zero() {
                    self.problem(path, format!("expected an integer, found {n}"));
                }
                v.clone()
            }
            (Ty::Decimal, Value::String(s)) => match parse_amount(s) {
                Ok(n) => Value::Number(n),
                Err(_) => {
                    self.problem(path, format!("expected a number, found the string {s:?}"));
                    v.clone()
                }
            },
            (Ty::String, Value::Time(t)) => Value::string(&format_time(t)),
            (Ty::Enum(values), Value::String(s)) => {
                if !values.iter().any(|x| **x == **s) {
                    let mut message = format!("{s:?} is not one of ");
                    let _ = write_values(&mut message, values);
                    if let Some(m) = did_you_mean(s, values.iter().map(String::as_str)) {
                        message.push_str(&format!("; did you mean {m:?}?"));
                    }
                    self.problem(path, message);
                }
                v.clone()
            }
            (Ty::Duration, Value::String(s)) => match parse_duration(s) {
                Some(d) if !s.is_empty() => Value::Duration(d),
                _ => {
                    self.problem(
                        path,
                        format!("expected a duration such as \"24h\" or \"1h30m\", found {s:?}"),
                    );
                    v.clone()
                }
            },
            (Ty::List(t), Value::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    out.push(self.value(item, t, path));
                    path.truncate(len);
                }
                Value::List(out.into())
            }
            (Ty::Record(r), Value::Map(entries)) => {
                Value::Map(Arc::new(self.record(entries, r, path, false)))
            }
            // `{amount, currency}` is read as money; a schema that wants a record gets one.
            (Ty::Record(r), Value::Money(m)) => {
                let entries: Map = vec![
                    (Arc::from("amount"), Value::Number(m.amount)),
                    (Arc::from("currency"), Value::String(m.currency.clone())),
                ];
                Value::Map(Arc::new(self.record(&entries, r, path, false)))
            }
            (Ty::Money, Value::Map(_)) => {
                self.problem(
                    path,
                    "expected money: a record of exactly `amount` (a decimal string such as \"12.50\") and `currency` (such as `USD`)".to_string(),
                );
                v.clone()
            }
            _ => {
                let found = found(v);
                self.problem(path, format!("expected {}, found {found}", expected(ty)));
                v.clone()
            }
        }
    }
}

/// Appends `.key` (or `key` at the top) to a path; returns the length to truncate back to.
fn push_key(path: &mut String, key: &str) -> usize {
    let len = path.len();
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
    len
}

/// A type as a violation asks for it, with an example where the form is not obvious.
fn expected(ty: &Ty) -> String {
    match ty {
        Ty::Money => "money (`{amount: \"12.50\", currency: USD}`)".to_string(),
        Ty::Time => {
            "a timestamp (RFC 3339 with an offset, e.g. `2021-09-30T10:00:00+08:00`)".to_string()
        }
        Ty::Duration => "a duration (`24h`, `1h30m`)".to_string(),
        t => t.to_string(),
    }
}

/// A value as a violation names it: its kind, and the value itself when short.
fn found(v: &Value) -> String {
    let shown = match v {
        Value::String(s) if s.chars().count() <= 40 => format!(" {s:?}"),
        Value::Number(_) | Value::Bool(_) | Value::Money(_) | Value::Time(_) => format!(" `{v}`"),
        _ => String::new(),
    };
    format!("{}{shown}", v.type_of())
}
