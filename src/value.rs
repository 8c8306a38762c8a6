//! Runtime values: what facts are read into and what expressions compute.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeDelta};
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// A map's entries in the order they were written.
pub type Map = Vec<(Arc<str>, Value)>;

/// A value: a fact read from a snapshot, or what an expression computes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An exact decimal (integers included).
    Number(Decimal),
    /// Text.
    String(Arc<str>),
    /// An exact amount in a currency.
    Money(Money),
    /// An instant with the offset it was written in.
    Time(DateTime<FixedOffset>),
    /// A span of time.
    Duration(TimeDelta),
    /// A list.
    List(Arc<[Value]>),
    /// A record.
    Map(Arc<Map>),
}

/// An exact amount in a currency: never converted, never rounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// The amount.
    pub amount: Decimal,
    /// The ISO 4217 code (`USD`).
    pub currency: Arc<str>,
}

/// The kinds of value, for messages and type checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// `null`.
    Null,
    /// A boolean.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// Money.
    Money,
    /// A timestamp.
    Time,
    /// A duration.
    Duration,
    /// A list.
    List,
    /// A record.
    Map,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Null => "null",
            Type::Bool => "a boolean",
            Type::Number => "a number",
            Type::String => "a string",
            Type::Money => "money",
            Type::Time => "a timestamp",
            Type::Duration => "a duration",
            Type::List => "a list",
            Type::Map => "a record",
        })
    }
}

impl Value {
    /// A string value.
    pub fn string(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    /// The kind of value.
    pub fn type_of(&self) -> Type {
        match self {
            Value::Null => Type::Null,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::Money(_) => Type::Money,
            Value::Time(_) => Type::Time,
            Value::Duration(_) => Type::Duration,
            Value::List(_) => Type::List,
            Value::Map(_) => Type::Map,
        }
    }

    /// A record's field, if this is a record and has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m.iter().find(|(k, _)| &**k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Equality across kinds: numbers by value (`1.0 == 1`), money by amount and currency,
    /// times by instant; values of different kinds are unequal.
    pub fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::Money(a), Value::Money(b)) => a.amount == b.amount && a.currency == b.currency,
            (Value::Time(a), Value::Time(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| other.get(k).is_some_and(|w| v.equals(w)))
                    && b.iter().all(|(k, _)| self.get(k).is_some())
            }
            _ => self == other,
        }
    }

    /// Order of two values of the same comparable kind; `None` when they cannot be ordered.
    pub fn order(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => Some(a.cmp(b)),
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
            (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
            (Value::Money(a), Value::Money(b)) if a.currency == b.currency => {
                Some(a.amount.cmp(&b.amount))
            }
            _ => None,
        }
    }
}

/// `24h`, `1h30m`, `-2d`: the largest units that divide it exactly.
pub fn format_duration(d: TimeDelta) -> String {
    if d.is_zero() {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut secs = d.num_seconds();
    if secs < 0 {
        out.push('-');
        secs = -secs;
    }
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        let n = secs / size;
        if n > 0 {
            out.push_str(&n.to_string());
            out.push_str(unit);
            secs %= size;
        }
    }
    if out.is_empty() || out == "-" {
        out.push_str("0s");
    }
    out
}

/// RFC 3339 with the offset the time carries, seconds (and fractions only when present).
pub fn format_time(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Text as a message shows it: strings bare, money `2000.00 USD`, times RFC 3339.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => f.write_str(s),
            Value::Money(m) => write!(f, "{m}"),
            Value::Time(t) => f.write_str(&format_time(t)),
            Value::Duration(d) => f.write_str(&format_duration(*d)),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", Literal(v))?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {}", Literal(v))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A value as the rule language would write it (`"text"` quoted), for evidence.
pub struct Literal<'a>(pub &'a Value);

impl fmt::Display for Literal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::String(s) => write!(f, "{s:?}"),
            other => write!(f, "{other}"),
        }
    }
}

/// JSON/YAML form: numbers with scale 0 that fit are integers, other decimals are
/// strings (so no reader rounds them), money is `{amount, currency}` as in snapshots.
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => match i64::try_from(*n) {
                Ok(i) if n.scale() == 0 => s.serialize_i64(i),
                _ => s.serialize_str(&n.to_string()),
            },
            Value::String(v) => s.serialize_str(v),
            Value::Money(m) => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("amount", &m.amount.to_string())?;
                map.serialize_entry("currency", &*m.currency)?;
                map.end()
            }
            Value::Time(t) => s.serialize_str(&format_time(t)),
            Value::Duration(d) => s.serialize_str(&format_duration(*d)),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items.iter() {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    map.serialize_entry(&**k, v)?;
                }
                map.end()
            }
        }
    }
}
