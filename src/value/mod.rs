//! Runtime values: what facts are read into and what expressions compute.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, TimeDelta, Timelike};
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

pub mod currency;

use crate::value::currency::Currency;

/// A record's entries in the order they were written, while it is being built.
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
    String(Text),
    /// An exact amount in a currency.
    Money(Money),
    /// An instant with the offset it was written in.
    Time(DateTime<FixedOffset>),
    /// A span of time.
    Duration(TimeDelta),
    /// A list.
    List(Arc<[Value]>),
    /// A record: its entries in one allocation, their count in the value itself, so a
    /// field lookup goes to the entries directly (through a vector's header first, it
    /// waited on memory twice: 7.8 → 7.4 µs a decision on 20,000 snapshots).
    Map(Arc<[(Arc<str>, Value)]>),
}

/// The text a value holds. Up to 23 bytes (most ids, names and states) it is kept in
/// the value itself: nothing to allocate when a snapshot is read, and nothing more to
/// fetch from memory when it is compared. Longer text is shared.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(smol_str::SmolStr);

impl Text {
    /// `s` as a value's text.
    pub fn new(s: &str) -> Text {
        Text(smol_str::SmolStr::new(s))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The text's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Text {
        Text(smol_str::SmolStr::from(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An exact amount in a currency: never converted, never rounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// The amount.
    pub amount: Decimal,
    /// The ISO 4217 code (`USD`).
    pub currency: Currency,
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
        Value::String(Text::new(s))
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
            Value::Map(m) => m
                .iter()
                .find(|(k, _)| same_key(k.as_bytes(), key.as_bytes()))
                .map(|(_, v)| v),
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

/// Whether two keys are the same. Fields are looked up by name on every read, and
/// most keys are 8 to 16 bytes: those are compared as two words (overlapping when
/// shorter than 16), not through a call to `memcmp`.
pub(crate) fn same_key(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |s: &[u8]| match (s.first_chunk::<8>(), s.last_chunk::<8>()) {
        (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
        _ => (0, 0),
    };
    if (8..=16).contains(&a.len()) {
        word(a) == word(b)
    } else {
        a == b
    }
}

/// `24h`, `1h30m`, `-2d`: the largest units that divide it exactly.
pub(crate) fn format_duration(d: TimeDelta) -> String {
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
    let mut out = String::with_capacity(32);
    // Writing to a String cannot fail.
    let _ = write_time(t, &mut out);
    out
}

/// Writes a time as [`format_time`] does. Decisions are full of times, so the common
/// case (years 0-9999, whole-minute offsets) is written digit by digit rather than
/// through chrono's general formatter, which is several times slower; the rest
/// goes through chrono.
pub(crate) fn write_time(t: &DateTime<FixedOffset>, w: &mut impl fmt::Write) -> fmt::Result {
    let local = t.naive_local();
    let offset = t.offset().local_minus_utc();
    let nanos = local.nanosecond();
    let year = local.year();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 || offset % 60 != 0 {
        return w.write_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
    let mut b = TimeDigits {
        buf: [0; 40],
        len: 0,
    };
    b.num(4, year.unsigned_abs());
    b.byte(b'-');
    b.num(2, local.month());
    b.byte(b'-');
    b.num(2, local.day());
    b.byte(b'T');
    b.num(2, local.hour());
    b.byte(b':');
    b.num(2, local.minute());
    b.byte(b':');
    b.num(2, local.second());
    if nanos != 0 {
        b.byte(b'.');
        if nanos % 1_000_000 == 0 {
            b.num(3, nanos / 1_000_000);
        } else if nanos % 1_000 == 0 {
            b.num(6, nanos / 1_000);
        } else {
            b.num(9, nanos);
        }
    }
    if offset == 0 {
        b.byte(b'Z');
    } else {
        b.byte(if offset < 0 { b'-' } else { b'+' });
        let minutes = offset.unsigned_abs() / 60;
        b.num(2, minutes / 60);
        b.byte(b':');
        b.num(2, minutes % 60);
    }
    match b.buf.get(..b.len).and_then(|t| std::str::from_utf8(t).ok()) {
        Some(text) => w.write_str(text),
        None => w.write_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
    }
}

/// A time's text being written, digit by digit.
struct TimeDigits {
    buf: [u8; 40],
    len: usize,
}

impl TimeDigits {
    fn byte(&mut self, c: u8) {
        if let Some(b) = self.buf.get_mut(self.len) {
            *b = c;
        }
        self.len += 1;
    }

    /// `value` in `digits` digits, zero-padded.
    fn num(&mut self, digits: usize, value: u32) {
        let mut v = value;
        for k in (0..digits).rev() {
            if let Some(b) = self.buf.get_mut(self.len + k) {
                *b = b'0' + (v % 10) as u8;
            }
            v /= 10;
        }
        self.len += digits;
    }
}

/// Pushes `v`'s text as its `Display` writes it (what a message shows), the common
/// kinds (text, numbers, money, times) without the formatting machinery: messages
/// are built for every rule a decision reports.
#[inline]
pub(crate) fn push_text(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Number(n) => out.push_str(DecimalText::of(n).as_str()),
        Value::Money(m) => {
            out.push_str(DecimalText::of(&m.amount).as_str());
            out.push(' ');
            out.push_str(&m.currency);
        }
        // Writing to a String cannot fail.
        Value::Time(t) => {
            let _ = write_time(t, out);
        }
        // Lists of ids are common in messages: written as `Display` writes them
        // (elements as literals), without the formatting machinery where it can.
        Value::List(items) => push_list(out, items),
        v => {
            use fmt::Write as _;
            let _ = write!(out, "{v}");
        }
    }
}

/// A list as `Display` writes it. Out of line: `push_text` is inlined where messages
/// are built, and most holes are not lists.
#[inline(never)]
fn push_list(out: &mut String, items: &[Value]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match item {
            Value::String(s) => push_quoted(out, s),
            other => push_text(out, other),
        }
    }
    out.push(']');
}

/// Pushes `s` quoted as `{s:?}` writes it. Text of printable ASCII without `"` or `\`
/// is the same quoted; anything else goes through `Debug`, which knows its escapes.
fn push_quoted(out: &mut String, s: &str) {
    if s.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        use fmt::Write as _;
        let _ = write!(out, "{s:?}");
    }
}

/// Pushes `n`'s decimal digits, without the formatting machinery (list positions in
/// paths, months: short numbers written for many decisions).
pub(crate) fn push_uint(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    while let Some(next) = at.checked_sub(1) {
        at = next;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Digits are ASCII: pushed as characters, not checked again as UTF-8.
    for &d in digits.get(at..).unwrap_or(&[]) {
        out.push(char::from(d));
    }
}

/// A decimal's text exactly as its `Display` writes it (`-12.50`: the digits, with the
/// point where the scale puts it), built on the stack without the formatting machinery:
/// every amount in a message or a decision is written this way.
pub struct DecimalText {
    buf: [u8; 48],
    start: usize,
}

impl DecimalText {
    /// `d`'s text.
    pub fn of(d: &Decimal) -> DecimalText {
        let mut t = DecimalText {
            buf: [b'0'; 48],
            start: 48,
        };
        let scale = d.scale() as usize;
        let mut m = d.mantissa().unsigned_abs();
        let mut written = 0;
        // Digits from the last; at least one before the point.
        while m > 0 || written <= scale {
            if written == scale && scale > 0 {
                t.push(b'.');
            }
            t.push(b'0' + (m % 10) as u8);
            m /= 10;
            written += 1;
        }
        if d.is_sign_negative() {
            t.push(b'-');
        }
        t
    }

    fn push(&mut self, b: u8) {
        if let Some(at) = self.start.checked_sub(1) {
            if let Some(slot) = self.buf.get_mut(at) {
                *slot = b;
                self.start = at;
            }
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.buf
            .get(self.start..)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

/// A short text formatted on the stack: serialising a number or an amount needs its
/// text only for a moment, so it should not cost an allocation.
struct StackText {
    buf: [u8; 64],
    len: usize,
}

impl StackText {
    /// `value`'s text, or `None` when it does not fit.
    fn of(value: &impl fmt::Display) -> Option<StackText> {
        use fmt::Write as _;
        let mut t = StackText {
            buf: [0; 64],
            len: 0,
        };
        write!(t, "{value}").ok().map(|()| t)
    }

    fn as_str(&self) -> &str {
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Serialises `value`'s text as a string, through the stack when it fits.
fn serialize_text<S: Serializer>(s: S, value: &impl fmt::Display) -> Result<S::Ok, S::Error> {
    match StackText::of(value) {
        Some(t) => s.serialize_str(t.as_str()),
        None => s.serialize_str(&value.to_string()),
    }
}

/// A time's RFC 3339 text, for [`serialize_text`].
struct TimeText<'a>(&'a DateTime<FixedOffset>);

impl fmt::Display for TimeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(self.0, f)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(DecimalText::of(&self.amount).as_str())?;
        f.write_str(" ")?;
        f.write_str(&self.currency)
    }
}

/// Text as a message shows it: strings bare, money `2000.00 USD`, times RFC 3339.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(DecimalText::of(n).as_str()),
            Value::String(s) => f.write_str(s),
            Value::Money(m) => write!(f, "{m}"),
            Value::Time(t) => write_time(t, f),
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
                _ => serialize_text(s, n),
            },
            Value::String(v) => s.serialize_str(v),
            Value::Money(m) => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("amount", &AmountText(&m.amount))?;
                map.serialize_entry("currency", &*m.currency)?;
                map.end()
            }
            Value::Time(t) => serialize_text(s, &TimeText(t)),
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

/// An amount serialised as its exact decimal text.
struct AmountText<'a>(&'a Decimal);

impl Serialize for AmountText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_text(s, self.0)
    }
}

#[cfg(test)]
mod tests;
