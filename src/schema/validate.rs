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

use crate::input::parse_amount;
use crate::limits::shorten;
use crate::report::diagnostic::did_you_mean;
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
    let root: &[(Arc<str>, Value)] = match value {
        Value::Map(entries) => entries,
        _ => &[],
    };
    let mut v = Validator { strict, out, root };
    match value {
        Value::Map(entries) => match v.record(entries, schema, &At::Root, true) {
            Some(changed) => Value::Map(changed.into()),
            None => value.clone(),
        },
        other => {
            v.problem(
                &At::Root,
                format!(
                    "a snapshot must be a record of facts, found {}",
                    other.type_of()
                ),
            );
            other.clone()
        }
    }
}

/// Where a value sits, spelled out (`resources[2].order`) only for a problem: most
/// snapshots have none, and building every path as text cost more than checking.
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn path(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, s: &mut String) {
        match self {
            At::Root => {}
            At::Key(parent, key) => {
                parent.write(s);
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(key);
            }
            At::Index(parent, i) => {
                parent.write(s);
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
}

struct Validator<'o, 'r> {
    strict: bool,
    out: &'o mut Vec<Problem>,
    /// The snapshot's top-level facts, which `required when` conditions may read.
    root: &'r [(Arc<str>, Value)],
}

/// The elements of a list or record being checked, copied only once one of them differs
/// from what the snapshot holds: most subtrees come through unchanged, and share the
/// snapshot's instead of being rebuilt.
struct Changed<'v, T: Clone> {
    original: &'v [T],
    copy: Option<Vec<T>>,
}

impl<'v, T: Clone> Changed<'v, T> {
    fn new(original: &'v [T]) -> Self {
        Changed {
            original,
            copy: None,
        }
    }

    /// Element `i` stays as it was (`None`) or becomes `new`.
    fn set(&mut self, i: usize, new: Option<T>) {
        match (new, &mut self.copy) {
            (Some(new), None) => {
                let mut copy = Vec::with_capacity(self.original.len() + 4);
                copy.extend_from_slice(&self.original[..i]);
                copy.push(new);
                self.copy = Some(copy);
            }
            (Some(new), Some(copy)) => copy.push(new),
            (None, Some(copy)) => copy.push(self.original[i].clone()),
            (None, None) => {}
        }
    }

    /// Adds an element after the original ones.
    fn push(&mut self, new: T) {
        self.copy
            .get_or_insert_with(|| self.original.to_vec())
            .push(new);
    }
}

impl Validator<'_, '_> {
    fn problem(&mut self, at: &At<'_>, message: String) {
        self.out.push(Problem {
            path: at.path(),
            message,
        });
    }

    /// The record as the rules read it, or `None` when that is the record itself.
    fn record(
        &mut self,
        entries: &[(Arc<str>, Value)],
        schema: &Record,
        at: &At<'_>,
        top: bool,
    ) -> Option<Map> {
        let mut out = Changed::new(entries);
        // The declared fields found, as bits (the first 64; any others are searched for).
        let mut found_fields = 0u64;
        for (i, (key, value)) in entries.iter().enumerate() {
            let here = At::Key(at, key);
            let new = match schema.fields.iter().position(|f| *f.name == **key) {
                Some(j) => {
                    if j < 64 {
                        found_fields |= 1 << j;
                    }
                    if matches!(value, Value::Null) {
                        self.required_when(schema, j, entries, &here, "null");
                    }
                    self.value(value, &schema.fields[j].ty, &here)
                }
                None if top && &**key == "now" => {
                    // Built in: a timestamp whatever the policy, overridden by `--now`.
                    let text = match value {
                        Value::String(s) if crate::input::looks_like_time(s) => Some(s),
                        _ => None,
                    };
                    if let Some(s) = text {
                        let why = crate::input::rfc3339_exact(s)
                            .err()
                            .unwrap_or_else(|| "not read as one".into());
                        self.problem(
                            &here,
                            format!(
                                "{:?} is not a valid RFC 3339 time with an offset ({why}); write e.g. `2021-09-30T10:00:00+08:00`",
                                shorten(s)
                            ),
                        );
                    } else if !matches!(value, Value::Time(_)) {
                        let found = found(value);
                        self.problem(
                            &here,
                            format!(
                                "expected a timestamp (RFC 3339 with an offset), found {found}"
                            ),
                        );
                    }
                    None
                }
                None => {
                    if self.strict {
                        let mut message =
                            "not declared in the schema (`--strict` refuses undeclared fields)"
                                .to_string();
                        if let Some(s) = did_you_mean(key, schema.names()) {
                            message.push_str(&format!("; did you mean `{s}`?"));
                        }
                        self.problem(&here, message);
                    }
                    None
                }
            };
            out.set(i, new.map(|v| (key.clone(), v)));
        }
        for (j, field) in schema.fields.iter().enumerate() {
            let seen = j < 64 && found_fields >> j & 1 == 1;
            if seen || entries.iter().any(|(k, _)| **k == *field.name) {
                continue;
            }
            if field.ty.is_optional() || field.ty == Ty::Any {
                self.required_when(schema, j, entries, &At::Key(at, &field.name), "missing");
                out.push((Arc::from(field.name.as_str()), Value::Null));
            } else {
                self.problem(
                    &At::Key(at, &field.name),
                    format!("required ({}), but missing", field.ty),
                );
            }
        }
        out.copy
    }

    /// A violation when field `j` of `schema` is absent or null (`how`) although its
    /// `required when` condition holds on `entries` (its record) and the top-level facts.
    fn required_when(
        &mut self,
        schema: &Record,
        j: usize,
        entries: &[(Arc<str>, Value)],
        at: &At<'_>,
        how: &str,
    ) {
        let Some(field) = schema.fields.get(j) else {
            return;
        };
        let root = self.root;
        for p in schema.presence.iter().filter(|p| p.field == field.name) {
            if p.holds(entries, root) {
                let message = format!("{} ({}), but {how}", p.describe(), field.ty.required());
                self.problem(at, message);
            }
        }
    }

    /// The value as the rules read it, or `None` when that is the value itself.
    fn value(&mut self, v: &Value, ty: &Ty, at: &At<'_>) -> Option<Value> {
        match (ty, v) {
            (Ty::Any, _) | (Ty::Optional(_) | Ty::Null, Value::Null) => None,
            (Ty::Optional(t), _) => self.value(v, t, at),
            (Ty::Union(alts), _) if !matches!(v, Value::Null) => self.union(v, alts, ty, at),
            (Ty::Refined(t, r), _) if !matches!(v, Value::Null) => {
                let before = self.out.len();
                // Text cannot be bounded in JSON Schema (but at zero): a bounded
                // number is written as one, as the export says.
                if let (Ty::Decimal, Value::String(s)) = (&**t, v) {
                    if !r.at_least_zero() && (r.min.is_some() || r.max.is_some()) {
                        self.problem(
                            at,
                            format!("expected {}, written as a number (a bounded number cannot be text), found the string {:?}", ty, shorten(s)),
                        );
                        return None;
                    }
                }
                let new = self.value(v, t, at);
                if self.out.len() == before {
                    if let Some(why) = r.refuses(new.as_ref().unwrap_or(v)) {
                        self.problem(at, why);
                    }
                }
                new
            }
            (_, Value::Null) => {
                self.problem(at, format!("required ({ty}), but null"));
                None
            }
            (Ty::Bool, Value::Bool(_))
            | (Ty::Decimal, Value::Number(_))
            | (Ty::String, Value::String(_))
            | (Ty::Money, Value::Money(_))
            | (Ty::Time, Value::Time(_))
            | (Ty::Duration, Value::Duration(_)) => None,
            (Ty::Integer, Value::Number(n)) => {
                if !n.fract().is_zero() {
                    self.problem(at, format!("expected an integer, found {n}"));
                }
                None
            }
            (Ty::Decimal, Value::String(s)) => match parse_amount(s) {
                Ok(n) => Some(Value::Number(n)),
                Err(_) => {
                    self.problem(at, format!("expected a number, found the string {s:?}"));
                    None
                }
            },
            (Ty::String, Value::Time(t)) => Some(Value::string(&format_time(t))),
            // The reader keeps text shaped like a time but not one (no offset, a date
            // that does not exist) as text: only the schema says it was meant as a time.
            (Ty::Time, Value::String(s)) if crate::input::looks_like_time(s) => {
                match crate::input::rfc3339_exact(s) {
                    Ok(t) => Some(Value::Time(t)),
                    Err(e) => {
                        self.problem(
                        at,
                        format!(
                            "{:?} is not a valid RFC 3339 time with an offset ({e}); write e.g. `2021-09-30T10:00:00+08:00`",
                            shorten(s)
                        ),
                    );
                        None
                    }
                }
            }
            (Ty::Enum(values), Value::String(s)) => {
                if !values.iter().any(|x| **x == **s) {
                    let mut message = format!("{s:?} is not one of ");
                    let _ = write_values(&mut message, values);
                    if let Some(m) = did_you_mean(s, values.iter().map(String::as_str)) {
                        message.push_str(&format!("; did you mean {m:?}?"));
                    }
                    self.problem(at, message);
                }
                None
            }
            (Ty::Duration, Value::String(s)) => match parse_duration(s) {
                Some(d) if !s.is_empty() => Some(Value::Duration(d)),
                _ => {
                    self.problem(
                        at,
                        format!("expected a duration such as \"24h\" or \"1h30m\", found {s:?}"),
                    );
                    None
                }
            },
            (Ty::List(t), Value::List(items)) => {
                let mut out = Changed::new(items);
                for (i, item) in items.iter().enumerate() {
                    let new = self.value(item, t, &At::Index(at, i));
                    out.set(i, new);
                }
                out.copy.map(|items| Value::List(items.into()))
            }
            (Ty::Record(r), Value::Map(entries)) => self
                .record(entries, r, at, false)
                .map(|m| Value::Map(m.into())),
            // `{amount, currency}` is read as money; a schema that wants a record gets one.
            (Ty::Record(r), Value::Money(m)) => {
                let entries: Map = vec![
                    (Arc::from("amount"), Value::Number(m.amount)),
                    (Arc::from("currency"), Value::string(&m.currency)),
                ];
                let record = self.record(&entries, r, at, false).unwrap_or(entries);
                Some(Value::Map(record.into()))
            }
            (Ty::Money, Value::Map(_)) => {
                self.problem(
                    at,
                    "expected money: a record of exactly `amount` (a decimal string such as \"12.50\") and `currency` (such as `USD`)".to_string(),
                );
                None
            }
            _ => {
                let found = found(v);
                self.problem(at, format!("expected {}, found {found}", expected(ty)));
                None
            }
        }
    }
}

impl Validator<'_, '_> {
    /// A value of a union: the first alternative that takes it as it is, else the first
    /// that takes it rewritten (`"12.50"` for a decimal), else a violation (that of the
    /// one alternative of the value's kind, when there is one: it says more).
    fn union(&mut self, v: &Value, alts: &[Ty], ty: &Ty, at: &At<'_>) -> Option<Value> {
        let mut rewritten = None;
        for alt in alts {
            let mut scratch = Vec::new();
            let new = Validator {
                strict: self.strict,
                out: &mut scratch,
                root: self.root,
            }
            .value(v, alt, at);
            if scratch.is_empty() {
                match new {
                    None => return None,
                    Some(n) => {
                        rewritten.get_or_insert(n);
                    }
                }
            }
        }
        if rewritten.is_some() {
            return rewritten;
        }
        let same_kind: Vec<&Ty> = alts.iter().filter(|a| holds_kind(a, v)).collect();
        if let [only] = same_kind.as_slice() {
            return self.value(v, only, at);
        }
        let found = found(v);
        self.problem(at, format!("expected {}, found {found}", expected(ty)));
        None
    }
}

/// Whether `v` is of the kind of alternative `t` (so that its problems are the union's).
fn holds_kind(t: &Ty, v: &Value) -> bool {
    matches!(
        (t, v),
        (Ty::Bool, Value::Bool(_))
            | (Ty::Integer | Ty::Decimal, Value::Number(_))
            | (Ty::String | Ty::Enum(_), Value::String(_))
            | (Ty::Money, Value::Money(_))
            | (Ty::Time, Value::Time(_))
            | (Ty::Duration, Value::Duration(_))
            | (Ty::List(_), Value::List(_))
            | (Ty::Record(_), Value::Map(_))
            // Written as text, read as these: text is of their kind too.
            | (Ty::Time | Ty::Duration | Ty::Decimal, Value::String(_))
    ) || matches!(t, Ty::Refined(inner, _) if holds_kind(inner, v))
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
