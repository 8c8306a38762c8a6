//! Loading fact snapshots (JSON or YAML) into [`Value`]s, exactly.
//!
//! Money objects (`{amount, currency}`) become [`Value::Money`], strings shaped like
//! date-times become [`Value::Time`] (an offset is required), numbers keep their
//! exact decimal text, and duplicate keys are refused: two parsers could disagree on
//! which one wins.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::limits::{shorten, Limits, DECIMAL_CAPACITY};
use crate::value::currency::Currency;
use crate::value::{Map, Money, Value};

mod direct;
pub mod positions;
mod yaml_scan;

/// The formats a snapshot may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

impl Format {
    /// The format a file's extension names, if any.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }
}

/// A snapshot that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.render())]
pub struct FactsError {
    /// The file (or `<stdin>`).
    pub origin: String,
    /// 1-based line, where the parser knows it.
    pub line: Option<usize>,
    /// 1-based column, where the parser knows it.
    pub column: Option<usize>,
    /// What was wrong.
    pub message: String,
}

impl FactsError {
    fn render(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", self.origin, self.message),
            (Some(l), None) => format!("{}:{l}: {}", self.origin, self.message),
            _ => format!("{}: {}", self.origin, self.message),
        }
    }

    fn plain(origin: &str, message: impl Into<String>) -> FactsError {
        FactsError {
            origin: origin.to_string(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

/// Reads a snapshot from bytes. `origin` names it in errors.
pub fn load_bytes(bytes: &[u8], format: Format, origin: &str) -> Result<Value, FactsError> {
    load_bytes_with(bytes, format, origin, &Limits::default())
}

/// Reads a snapshot from bytes within `limits`.
pub fn load_bytes_with(
    bytes: &[u8],
    format: Format,
    origin: &str,
    limits: &Limits,
) -> Result<Value, FactsError> {
    check_size(bytes.len(), origin, limits)?;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(FactsError::plain(
            origin,
            "the file starts with a byte order mark (BOM); save it as UTF-8 without one",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        FactsError::plain(
            origin,
            format!("not valid UTF-8 (bad byte at offset {})", e.valid_up_to()),
        )
    })?;
    load_str_with(text, format, origin, limits)
}

/// Reads a snapshot from text. `origin` names it in errors.
pub fn load_str(text: &str, format: Format, origin: &str) -> Result<Value, FactsError> {
    load_str_with(text, format, origin, &Limits::default())
}

fn check_size(len: usize, origin: &str, limits: &Limits) -> Result<(), FactsError> {
    if len > limits.max_snapshot_bytes {
        return Err(FactsError::plain(
            origin,
            format!(
                "the snapshot is {len} bytes, more than the limit of {} bytes",
                limits.max_snapshot_bytes
            ),
        ));
    }
    Ok(())
}

/// Reads a snapshot from text within `limits`.
pub fn load_str_with(
    text: &str,
    format: Format,
    origin: &str,
    limits: &Limits,
) -> Result<Value, FactsError> {
    load(text, format, origin, limits, Reader::DirectFirst)
}

/// Reads a JSON snapshot with serde alone, as the direct reader must agree with.
pub(crate) fn load_json_by_serde(
    text: &str,
    origin: &str,
    limits: &Limits,
) -> Result<Value, FactsError> {
    load(text, Format::Json, origin, limits, Reader::Serde)
}

/// Which reader reads JSON.
#[derive(PartialEq)]
enum Reader {
    /// [`direct`], and serde for what it gives up on.
    DirectFirst,
    Serde,
}

fn load(
    text: &str,
    format: Format,
    origin: &str,
    limits: &Limits,
    reader: Reader,
) -> Result<Value, FactsError> {
    check_size(text.len(), origin, limits)?;
    if text.trim().is_empty() {
        return Err(FactsError::plain(origin, "the snapshot is empty"));
    }
    if format == Format::Yaml {
        if let Some(e) = nul_error(text, origin) {
            return Err(e);
        }
        if let Some(line) = yaml_scan::flow_too_deep(text, limits.max_fact_depth) {
            return Err(FactsError {
                line: Some(line),
                ..FactsError::plain(
                    origin,
                    format!(
                        "lists and records are nested more than {} deep, the limit",
                        limits.max_fact_depth
                    ),
                )
            });
        }
        if let Some(line) = yaml_scan::binary_tag(text) {
            return Err(FactsError {
                line: Some(line),
                ..FactsError::plain(
                    origin,
                    "binary data (`!!binary`), which snapshots may not hold; write it as a string",
                )
            });
        }
    }
    let root = Seg::Root;
    let (mut entries, mut items) = SCRATCH.with(|s| {
        s.try_borrow_mut()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    });
    if format == Format::Json && reader == Reader::DirectFirst {
        if let Some(value) = direct::read(text, limits, &mut entries, &mut items) {
            keep_scratch(entries, items);
            return snapshot(value, origin);
        }
    }
    let budget = Budget {
        limits,
        values: Cell::new(0),
        size: Cell::new(0),
        max_size: text
            .len()
            .saturating_mul(limits.max_alias_expansion)
            .max(4096),
        inexact: match format {
            Format::Yaml => yaml_scan::long_numbers(text),
            Format::Json => Vec::new(),
        },
        entries: RefCell::new(entries),
        items: RefCell::new(items),
    };
    let seed = NodeSeed(&root, &budget);
    let value = match format {
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let v = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
            keep_scratch(budget.entries.into_inner(), budget.items.into_inner());
            // serde_json refuses a NUL wherever it is (in a string as a control character,
            // elsewhere as a syntax error), so only text it refused needs searching for one.
            v.map_err(|e| {
                nul_error(text, origin)
                    .unwrap_or_else(|| relocate(json_error(origin, &e), text, format))
            })?
        }
        Format::Yaml => {
            let de = serde_yaml::Deserializer::from_str(text);
            let v = seed.deserialize(de);
            keep_scratch(budget.entries.into_inner(), budget.items.into_inner());
            let v = v.map_err(|e| relocate(yaml_error(origin, &e), text, format))?;
            positions::yaml_decimals(text, v)
        }
    };
    snapshot(value, origin)
}

/// A snapshot's whole value, which must be a record.
fn snapshot(value: Value, origin: &str) -> Result<Value, FactsError> {
    match value {
        Value::Map(_) => Ok(value),
        other => Err(FactsError::plain(
            origin,
            format!(
                "a snapshot must be a record of facts (`key: value` pairs), found {}",
                other.type_of()
            ),
        )),
    }
}

/// A NUL in the text is refused with its line, before anything else is said about it.
fn nul_error(text: &str, origin: &str) -> Option<FactsError> {
    let pos = text.find('\0')?;
    let line = text[..pos].matches('\n').count() + 1;
    Some(FactsError {
        line: Some(line),
        ..FactsError::plain(origin, "the snapshot contains a NUL character")
    })
}

/// The most record entries and list elements a thread keeps buffers for between
/// snapshots: more than usual snapshots hold, little memory.
const SCRATCH_KEPT: usize = 4096;

thread_local! {
    /// [`Budget`]'s buffers, kept for the thread's next snapshot: allocating them anew
    /// for each line of a stream cost as much as a few values.
    static SCRATCH: RefCell<(Map, Vec<Value>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Gives a finished snapshot's buffers back to the thread, emptied (after an error they
/// may still hold values), unless they grew unusually large.
fn keep_scratch(mut entries: Map, mut items: Vec<Value>) {
    entries.clear();
    items.clear();
    SCRATCH.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            if entries.capacity() <= SCRATCH_KEPT && entries.capacity() > s.0.capacity() {
                s.0 = entries;
            }
            if items.capacity() <= SCRATCH_KEPT && items.capacity() > s.1.capacity() {
                s.1 = items;
            }
        }
    });
}

fn json_error(origin: &str, e: &serde_json::Error) -> FactsError {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) if e.line() > 0 => text[..i].to_string(),
        _ => text,
    };
    FactsError {
        origin: origin.to_string(),
        line: (e.line() > 0).then_some(e.line()),
        column: (e.line() > 0).then_some(e.column()),
        message: tidy(&message),
    }
}

fn yaml_error(origin: &str, e: &serde_yaml::Error) -> FactsError {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    // serde_yaml puts its own path first (`a.b: at `a.b.c`: …`); ours is more precise.
    let message = match message.find(": at `") {
        Some(i) => message[i + 2..].to_string(),
        None => message,
    };
    let loc = e.location();
    FactsError {
        origin: origin.to_string(),
        line: loc.as_ref().map(|l| l.line()),
        column: loc.as_ref().map(|l| l.column()),
        message: tidy(&message),
    }
}

/// An error about one field (`at `request.action`: …`) is placed at that field's key, at
/// its last occurrence (the duplicate, for a key that appears twice): serde places it at
/// the end of the key (JSON) or at the record (YAML, which also prefixes its own path).
fn relocate(mut e: FactsError, text: &str, format: Format) -> FactsError {
    let Some(at) = e.message.find("at `") else {
        return e;
    };
    let path = e.message[at + 4..].split('`').next().unwrap_or("");
    if let Some((line, column)) = positions::Positions::scan(text, format).get(path) {
        e.message = e.message[at..].to_string();
        e.line = Some(line);
        e.column = Some(column);
    }
    e
}

/// serde's wording is for Rust programmers; a few phrases are said in a snapshot author's terms.
fn tidy(message: &str) -> String {
    message
        .replace(
            "invalid type: enum",
            "a tagged YAML value (`!tag`), which snapshots may not use",
        )
        .replace(", expected a fact value", "")
}

/// Where a value sits in the snapshot, without allocating while parsing.
enum Seg<'a> {
    Root,
    Key(&'a Seg<'a>, &'a str),
    Index(&'a Seg<'a>, usize),
}

impl fmt::Display for Seg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Root => Ok(()),
            Seg::Key(Seg::Root, k) => f.write_str(k),
            Seg::Key(p, k) => write!(f, "{p}.{k}"),
            Seg::Index(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}

impl Seg<'_> {
    /// How deep the value at this place is nested (a top-level fact is 1).
    fn depth(&self) -> usize {
        let mut n = 0;
        let mut at = self;
        loop {
            match at {
                Seg::Root => return n,
                Seg::Key(p, _) | Seg::Index(p, _) => {
                    n += 1;
                    at = p;
                }
            }
        }
    }

    fn error<E: de::Error>(&self, message: impl fmt::Display) -> E {
        match self {
            Seg::Root => E::custom(message),
            _ => E::custom(format!("at `{self}`: {message}")),
        }
    }
}

/// What reading one snapshot has used of its [`Limits`] so far.
struct Budget<'l> {
    limits: &'l Limits,
    /// Values read.
    values: Cell<usize>,
    /// One per value plus the bytes of every string and key: bounded by the text's size,
    /// unless YAML aliases repeat parts of it.
    size: Cell<usize>,
    max_size: usize,
    /// The floats (as bits) of numbers written with more digits than a float holds.
    inexact: Vec<u64>,
    /// The entries of the records being read, innermost last, and likewise the elements
    /// of the lists: one buffer each for the whole snapshot, so that a record or list is
    /// allocated once, at its final size, instead of growing a vector of its own.
    entries: RefCell<Map>,
    items: RefCell<Vec<Value>>,
}

impl Budget<'_> {
    /// Accounts for one value holding `bytes` bytes of text, before it is built.
    #[inline]
    fn take<E: de::Error>(&self, at: &Seg<'_>, bytes: usize) -> Result<(), E> {
        let values = self.values.get() + 1;
        let size = self.size.get().saturating_add(bytes).saturating_add(1);
        if bytes > self.limits.max_string_bytes
            || values > self.limits.max_fact_values
            || size > self.max_size
        {
            return Err(self.refuse(at, bytes, values));
        }
        self.values.set(values);
        self.size.set(size);
        Ok(())
    }

    /// Why [`Budget::take`] refused: kept out of line, the common case stays small.
    #[cold]
    fn refuse<E: de::Error>(&self, at: &Seg<'_>, bytes: usize, values: usize) -> E {
        let limits = self.limits;
        if bytes > limits.max_string_bytes {
            return at.error(format!(
                "a string of {bytes} bytes is longer than the limit of {} bytes",
                limits.max_string_bytes
            ));
        }
        if values > limits.max_fact_values {
            return at.error(format!(
                "the snapshot holds more than {} values, the limit",
                limits.max_fact_values
            ));
        }
        at.error(format!(
            "the snapshot expands to more than {} times its size (YAML aliases `*name` repeat what they refer to)",
            limits.max_alias_expansion
        ))
    }

    /// Refuses a list or record nested deeper than the limit.
    fn enter<E: de::Error>(&self, at: &Seg<'_>) -> Result<(), E> {
        if at.depth() + 1 > self.limits.max_fact_depth {
            return Err(at.error(format!(
                "lists and records are nested more than {} deep, the limit",
                self.limits.max_fact_depth
            )));
        }
        Ok(())
    }

    fn number<E: de::Error>(&self, at: &Seg<'_>, text: &str) -> Result<(), E> {
        check_decimal_text(self.limits, text).map_err(|m| at.error(m))
    }
}

struct NodeSeed<'a>(&'a Seg<'a>, &'a Budget<'a>);

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(NodeVisitor(self.0, self.1))
    }
}

struct NodeVisitor<'a>(&'a Seg<'a>, &'a Budget<'a>);

/// serde_json's private key for a number's exact text (feature `arbitrary_precision`).
const JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> Visitor<'de> for NodeVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a fact value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.1.take(self.0, 0)?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.1.take(self.0, 0)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.visit_i128(i128::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.visit_i128(i128::from(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.1.take(self.0, 0)?;
        integer(self.1.limits, v).map_err(|m| self.0.error(m))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        i128::try_from(v)
            .map_err(|_| self.0.error(format!("{v} is too large for a decimal")))
            .and_then(|v| self.visit_i128(v))
    }

    /// YAML hands numbers over as binary floats. Up to 15 significant digits a float
    /// reproduces the decimal that was written; beyond that it may not, so such a
    /// number must be written as a string.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.1.take(self.0, 0)?;
        if !v.is_finite() {
            return Err(self
                .0
                .error(format!("`{v}` is not a number a fact may hold")));
        }
        if self.1.inexact.contains(&v.to_bits()) {
            return Err(self.0.error(format!(
                "a number read as `{v}` was written with more digits than YAML reads exactly; write it as a string (\"...\")"
            )));
        }
        let text = format!("{v}");
        let digits = text
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>();
        let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
        if significant > 15 {
            return Err(self.0.error(format!(
                "the number `{}` cannot be read exactly; write it as a string (\"...\")",
                shorten(&text)
            )));
        }
        self.1.number(self.0, &text)?;
        // Exact: a float's shortest text can have more decimal places than a decimal
        // holds (1e-30), and that must be refused, not rounded to 0.
        Decimal::from_str_exact(&text).map(Value::Number).map_err(|_| {
            self.0.error(format!(
                "the number `{}` has more decimal places than a decimal holds (28); it would be rounded",
                shorten(&text)
            ))
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.1.take(self.0, v.len())?;
        text_value(v).map_err(|m| self.0.error(m))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.1.enter(self.0)?;
        self.1.take(self.0, 0)?;
        let max = self.1.limits.max_list_len;
        let start = self.1.items.borrow().len();
        loop {
            let len = self.1.items.borrow().len() - start;
            let at = Seg::Index(self.0, len);
            let Some(v) = seq.next_element_seed(NodeSeed(&at, self.1))? else {
                break;
            };
            if len == max {
                return Err(self
                    .0
                    .error(format!("the list has more than {max} elements, the limit")));
            }
            self.1.items.borrow_mut().push(v);
        }
        // A drain knows its length: the list is allocated once, at its size.
        let items: Arc<[Value]> = self.1.items.borrow_mut().drain(start..).collect();
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut next = map.next_key_seed(KeySeed)?;
        if next.as_deref() == Some(JSON_NUMBER_TOKEN) {
            let text: String = map.next_value()?;
            self.1.take(self.0, 0)?;
            self.1.number(self.0, &text)?;
            return json_number(&text).map_err(|m| self.0.error(m));
        }
        self.1.enter(self.0)?;
        self.1.take(self.0, 0)?;
        let start = self.1.entries.borrow().len();
        let mut seen = None;
        while let Some(key) = next.take() {
            let here = Seg::Key(self.0, &key);
            self.1.take(&here, key.len())?;
            if repeated(&self.1.entries.borrow()[start..], &mut seen, &key) {
                return Err(here.error("this key appears twice in the same record"));
            }
            let value = map.next_value_seed(NodeSeed(&here, self.1))?;
            self.1.entries.borrow_mut().push((key, value));
            next = map.next_key_seed(KeySeed)?;
        }
        let mut entries = self.1.entries.borrow_mut();
        if let Some(m) = money(&entries[start..], self.0, self.1.limits)? {
            entries.truncate(start);
            return Ok(m);
        }
        // A drain knows its length: the record is allocated once, at its size.
        Ok(Value::Map(entries.drain(start..).collect()))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Value, A::Error> {
        Err(self
            .0
            .error("a tagged YAML value (`!tag`), which snapshots may not use"))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Value, E> {
        Err(self.0.error("binary data, which snapshots may not hold"))
    }
}

/// The value a string of the snapshot holds: a time when it is shaped like one (and
/// then it must be a valid one), else the text.
fn text_value(v: &str) -> Result<Value, String> {
    if looks_like_time(v) {
        if let Some(t) = plain_time(v) {
            return Ok(Value::Time(t));
        }
        return DateTime::parse_from_rfc3339(v).map(Value::Time).map_err(|e| {
            format!(
                "`{}` is not a valid RFC 3339 time with an offset ({e}); write e.g. `2021-09-30T10:00:00+08:00`",
                shorten(v)
            )
        });
    }
    Ok(Value::string(v))
}

/// A whole number as a fact: a decimal of scale 0, within the limits on digits.
fn integer(limits: &Limits, v: i128) -> Result<Value, String> {
    check_decimal_text(limits, &v.to_string())?;
    Decimal::try_from_i128_with_scale(v, 0)
        .ok()
        .map(Value::Number)
        .ok_or_else(|| format!("{v} is too large for a decimal"))
}

/// Whether `key` is already among the record's keys read so far (`these`). Records are
/// small: a scan finds a repeated key sooner than hashing would. Past `SCAN` keys,
/// a set (`seen`, made then) keeps a huge record from costing quadratic time.
fn repeated(
    these: &[(Arc<str>, Value)],
    seen: &mut Option<HashSet<Arc<str>>>,
    key: &Arc<str>,
) -> bool {
    const SCAN: usize = 32;
    match seen {
        Some(set) => !set.insert(Arc::clone(key)),
        None if these.len() < SCAN => these
            .iter()
            .any(|(k, _)| crate::value::same_key(k.as_bytes(), key.as_bytes())),
        None => {
            let set = seen.insert(these.iter().map(|(k, _)| Arc::clone(k)).collect());
            !set.insert(Arc::clone(key))
        }
    }
}

/// Reads a record key. Map keys must be strings; YAML allows others, which facts may not use.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Arc<str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Arc<str>, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Arc<str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Arc<str>, E> {
                Ok(intern_key(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Arc<str>, E> {
                Err(E::custom(format!(
                    "the key `{v}` is a boolean; quote it if it is meant as a name"
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Arc<str>, E> {
                Ok(Arc::from(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Arc<str>, E> {
                Ok(Arc::from(v.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

/// Slots of the key table; a power of two, with room to spare for a policy's few dozen
/// distinct keys so that two of them rarely share a slot.
const KEY_SLOTS: usize = 1024;
/// Longer keys are not kept: they are rare, and the table's memory stays small.
const KEY_MAX_KEPT: usize = 32;

thread_local! {
    /// The keys read last on this thread, by hash. The same few dozen keys (`id`,
    /// `amount`, …) recur in every snapshot: allocating each anew, and freeing it with
    /// the snapshot, was a large part of loading. A key found here is shared instead.
    /// A slot holds the last key that hashed to it, so the table never grows.
    static KEYS: RefCell<[Option<Arc<str>>; KEY_SLOTS]> =
        const { RefCell::new([const { None }; KEY_SLOTS]) };
}

/// The key as an `Arc<str>`, shared with earlier snapshots' when the table has it.
fn intern_key(key: &str) -> Arc<str> {
    if key.len() > KEY_MAX_KEPT {
        return Arc::from(key);
    }
    let slot = key_slot(key.as_bytes());
    KEYS.with(|table| {
        let mut table = table.borrow_mut();
        match &mut table[slot] {
            Some(kept) if crate::value::same_key(kept.as_bytes(), key.as_bytes()) => {
                Arc::clone(kept)
            }
            other => Arc::clone(other.insert(Arc::from(key))),
        }
    })
}

/// A key's slot in the key table, from its length and its first and last eight bytes
/// (fewer when shorter), a word at a time: a byte at a time was a tenth of loading.
/// Keys that share all three share a slot, which only costs a miss.
fn key_slot(b: &[u8]) -> usize {
    let n = b.len();
    let (head, tail) = match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
        _ => (b.iter().fold(0, |w, &x| w << 8 | u64::from(x)), 0),
    };
    let mixed = (head ^ tail.rotate_left(29) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // The top bits of a multiplication are its best mixed.
    (mixed >> (64 - KEY_SLOTS.trailing_zeros())) as usize
}

fn json_number(text: &str) -> Result<Value, String> {
    if text.contains(['e', 'E']) {
        // Exponent notation: exact only when the decimal type can hold it.
        return Decimal::from_scientific(text)
            .map(Value::Number)
            .map_err(|_| format!("the number `{text}` cannot be held exactly"));
    }
    exact_decimal(text).map(Value::Number).map_err(|_| {
        format!(
            "the number `{text}` has more digits than a decimal holds (28); it would be rounded"
        )
    })
}

/// `{amount, currency}` with nothing else is money.
fn money<E: de::Error>(
    entries: &[(Arc<str>, Value)],
    at: &Seg<'_>,
    limits: &Limits,
) -> Result<Option<Value>, E> {
    if entries.len() != 2 {
        return Ok(None);
    }
    let (Some(amount), Some(currency)) = (field(entries, "amount"), field(entries, "currency"))
    else {
        return Ok(None);
    };
    let amount = match amount {
        Value::Number(n) => *n,
        Value::String(s) => {
            let here = Seg::Key(at, "amount");
            let n = parse_amount(s).map_err(|m| here.error(m))?;
            check_decimal_text(limits, s).map_err(|m| here.error(m))?;
            n
        }
        other => {
            return Err(Seg::Key(at, "amount").error(format!(
                "a money amount must be a decimal string such as \"2000.00\", found {}",
                other.type_of()
            )))
        }
    };
    let currency = match currency {
        Value::String(c) => match Currency::new(c) {
            Some(c) => c,
            None => {
                return Err(Seg::Key(at, "currency").error(format!(
                    "`{}` is not an ISO 4217 currency code (such as `USD` or `CNY`)",
                    shorten(c)
                )))
            }
        },
        other => {
            return Err(Seg::Key(at, "currency").error(format!(
                "a currency must be an ISO 4217 code such as `USD`, found {}",
                other.type_of()
            )))
        }
    };
    Ok(Some(Value::Money(Money { amount, currency })))
}

fn field<'m>(entries: &'m [(Arc<str>, Value)], key: &str) -> Option<&'m Value> {
    entries.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
}

/// [`Limits::check_decimal_text`], without its work for the usual number: one with no
/// more digits in all than a decimal may have cannot have too many significant ones.
fn check_decimal_text(limits: &Limits, text: &str) -> Result<(), String> {
    let max = limits.max_decimal_digits.min(DECIMAL_CAPACITY);
    if text.bytes().filter(u8::is_ascii_digit).count() <= max {
        return Ok(());
    }
    limits.check_decimal_text(text)
}

/// A money amount: a plain decimal (`-12.50`), nothing else (`12,5`, `1e3`, `$5` are refused).
pub fn parse_amount(s: &str) -> Result<Decimal, String> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut parts = body.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits_ok = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !digits_ok {
        return Err(format!(
            "`{}` is not a decimal amount; write it like \"2000.00\" (a dot for decimals, no thousands separators)",
            shorten(s)
        ));
    }
    exact_decimal(s).map_err(|_| {
        format!(
            "the amount `{}` has more digits than a decimal holds (28); it would be rounded",
            shorten(s)
        )
    })
}

/// [`Decimal::from_str_exact`], with the usual number (`-12.50`: at most 18 digits and
/// a dot) read directly: every amount and number of a snapshot goes through here, and
/// the general parser took a tenth of loading one.
fn exact_decimal(text: &str) -> Result<Decimal, rust_decimal::Error> {
    match plain_decimal(text) {
        Some(d) => Ok(d),
        None => Decimal::from_str_exact(text),
    }
}

/// `[-]DIGITS[.DIGITS]` with at most 18 digits, as `Decimal::from_str_exact` reads it
/// (the same value and scale); `None` for any other text, and for `-0` (whose sign the
/// general parser decides).
fn plain_decimal(text: &str) -> Option<Decimal> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let mut mantissa = 0i64;
    let mut digits = 0;
    // Digits after the dot, once there is one.
    let mut scale: Option<u32> = None;
    for &b in body.as_bytes() {
        match b {
            b'0'..=b'9' if digits < 18 => {
                mantissa = mantissa * 10 + i64::from(b - b'0');
                digits += 1;
                if let Some(s) = &mut scale {
                    *s += 1;
                }
            }
            b'.' if scale.is_none() && digits > 0 => scale = Some(0),
            _ => return None,
        }
    }
    if digits == 0 || scale == Some(0) || (negative && mantissa == 0) {
        return None;
    }
    let mantissa = if negative { -mantissa } else { mantissa };
    // At most 17 places, within the 28 a decimal holds; `try_new` rather than trust it.
    Decimal::try_new(mantissa, scale.unwrap_or(0)).ok()
}

/// An active ISO 4217 code (`USD`); see [`crate::value::currency`].
pub fn is_currency_code(s: &str) -> bool {
    crate::value::currency::is_iso4217(s)
}

/// `YYYY-MM-DDT…`: a string meant as a date-time, which must then parse with an offset.
fn looks_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 16
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && matches!(b[10], b'T' | b't' | b' ')
        && b[11..13].iter().all(u8::is_ascii_digit)
        && b[13] == b':'
}

/// `2021-09-30T10:00:00+08:00` (or `…Z`), the usual form, read directly as
/// `DateTime::parse_from_rfc3339` reads it: every time in a snapshot goes through here,
/// and chrono's general parser was a tenth of loading one. `None` for any other text,
/// for a value out of range and for a `-00:00` offset: chrono decides those.
fn plain_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    let num = |at: usize, len: usize| -> Option<u32> {
        let digits = b.get(at..at + len)?;
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let shape = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return None;
    }
    let offset = match &b[19..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (num(20, 2)?, num(23, 2)?);
            if hours > 23 || minutes > 59 || (*sign == b'-' && hours + minutes == 0) {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5, 2)?, num(8, 2)?)?;
    let local = date.and_hms_opt(num(11, 2)?, num(14, 2)?, num(17, 2)?)?;
    FixedOffset::east_opt(offset)?
        .from_local_datetime(&local)
        .single()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly
    use super::*;

    /// The next number of a fixed pseudo-random sequence (xorshift64).
    fn xorshift(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn a_plain_time_is_read_as_chrono_reads_it() {
        let mut texts: Vec<String> = [
            "2021-09-30T10:00:00+08:00",
            "2021-09-30T10:00:00Z",
            "2021-09-30T10:00:00z",
            "2021-09-30t10:00:00Z",
            "2021-09-30 10:00:00Z",
            "2021-09-30T10:00:00-00:00",
            "2021-09-30T10:00:00+00:00",
            "2021-09-30T10:00:00.5Z",
            "2021-09-30T10:00:60Z",
            "2020-02-29T00:00:00Z",
            "2021-02-29T00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-09-30T24:00:00Z",
            "2021-09-30T10:00:00+24:00",
            "2021-09-30T10:00:00+23:59",
            "2021-09-30T10:00:00-23:59",
            "2021-09-30T10:00:00+08:60",
            "2021-09-30T10:00:00+0800",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59-12:00",
            "2021-09-30T10:00:00+08:00 ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every field at and past its limits, from a fixed seed.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| xorshift(&mut seed) % n;
        for _ in 0..20_000 {
            let offset = match next(4) {
                0 => "Z".to_string(),
                1 => format!("-{:02}:{:02}", next(26), next(62)),
                _ => format!("+{:02}:{:02}", next(26), next(62)),
            };
            texts.push(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{offset}",
                next(10_000),
                next(14),
                next(33),
                next(26),
                next(62),
                next(62)
            ));
        }
        let mut fast = 0;
        for t in &texts {
            if let Some(time) = plain_time(t) {
                fast += 1;
                let general = DateTime::parse_from_rfc3339(t);
                assert_eq!(Ok(time), general, "{t:?}");
                // The same offset too (equality compares instants).
                assert_eq!(
                    Ok(time.offset()),
                    general.as_ref().map(DateTime::offset),
                    "{t:?}"
                );
            }
        }
        assert!(fast > texts.len() / 3, "{fast} of {}", texts.len());
        for t in [
            "2021-09-30T10:00:00+08:00",
            "2021-09-30T10:00:00Z",
            "2020-02-29T23:59:59-05:30",
        ] {
            assert!(plain_time(t).is_some(), "{t}");
        }
    }

    #[test]
    fn a_plain_decimal_is_read_as_the_general_parser_reads_it() {
        let mut texts: Vec<String> = [
            "0",
            "7",
            "-7",
            "007",
            "0.50",
            "-0.50",
            "12.5",
            "1.",
            ".5",
            "-",
            "",
            "-0",
            "-0.00",
            "1.2.3",
            "1e3",
            "+1",
            " 1",
            "1 ",
            "١",
            "999999999999999999",
            "-999999999999999999",
            "9999999999999999999",
            "0.000000000000000001",
            "123456789.123456789",
            "1234567890.12345678",
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Digits and a dot in every place, from a fixed seed.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in 1..24 {
            for _ in 0..200 {
                let mut s = String::new();
                for i in 0..len {
                    match xorshift(&mut seed) % 23 {
                        0 if i > 0 => s.push('.'),
                        1 if i == 0 => s.push('-'),
                        n => s.push(char::from(b'0' + (n % 10) as u8)),
                    }
                }
                texts.push(s);
            }
        }
        let mut fast = 0;
        for t in &texts {
            let general = Decimal::from_str_exact(t);
            match plain_decimal(t) {
                Some(d) => {
                    fast += 1;
                    // The same representation: value, scale and sign.
                    assert_eq!(Ok(d.serialize()), general.map(|g| g.serialize()), "{t:?}");
                }
                None => assert_eq!(exact_decimal(t), general, "{t:?}"),
            }
        }
        assert!(fast > texts.len() / 2, "{fast} of {}", texts.len());
    }

    fn record(keys: &[String]) -> String {
        let fields: Vec<String> = keys.iter().map(|k| format!("\"{k}\": 1")).collect();
        format!("{{\"r\": {{{}}}}}", fields.join(", "))
    }

    #[test]
    fn a_repeated_key_is_found_in_large_records_too() {
        // Past the scanned size a set finds repeats: check both sides of it.
        for n in [2, 31, 32, 33, 100] {
            let mut keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            assert!(load_str(&record(&keys), Format::Json, "s").is_ok(), "{n}");
            keys.push(format!("k{}", n / 2));
            let e = load_str(&record(&keys), Format::Json, "s").unwrap_err();
            assert_eq!(
                e.message,
                format!(
                    "at `r.k{}`: this key appears twice in the same record",
                    n / 2
                ),
                "{n}"
            );
        }
    }

    #[test]
    fn shared_keys_read_the_same_as_fresh_ones() {
        // Keys that share a slot of the table, long keys and escaped keys.
        let long = "k".repeat(KEY_MAX_KEPT + 1);
        let text = format!(
            "{{\"{long}\": [{{\"a\\u0062\": 1, \"ab\": 2}}], \"x\": {{\"{long}\": null}}}}"
        );
        let e = load_str(&text, Format::Json, "s").unwrap_err();
        assert!(e.message.contains("appears twice"), "{e}");
        let keys: Vec<String> = (0..3 * KEY_SLOTS).map(|i| format!("k{i}")).collect();
        for _ in 0..2 {
            let v = load_str(&record(&keys), Format::Json, "s").unwrap();
            let Some(Value::Map(r)) = v.get("r") else {
                panic!("{v:?}")
            };
            let read: Vec<&str> = r.iter().map(|(k, _)| &**k).collect();
            assert_eq!(read, keys.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_nul_is_reported_before_anything_else_wrong() {
        // JSON is searched for a NUL only once reading failed: the NUL still comes first.
        for text in [
            "{\"a\": 1, \"a\": 2,\n \"b\": \"\0\"}",
            "{\"a\": 1}\n\0",
            "\0{}",
        ] {
            let e = load_str(text, Format::Json, "s").unwrap_err();
            assert_eq!(
                e.message, "the snapshot contains a NUL character",
                "{text:?}"
            );
            assert_eq!(
                e.line,
                Some(text[..text.find('\0').unwrap()].matches('\n').count() + 1)
            );
        }
    }

    #[test]
    fn nested_lists_and_records_keep_their_own_elements() {
        let text = r#"{"a": [[1, [2, 3]], {"b": [4], "c": {"amount": "1.50", "currency": "USD"}}, []], "d": {}}"#;
        let v = load_str(text, Format::Json, "s").unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"a":[[1,[2,3]],{"b":[4],"c":{"amount":"1.50","currency":"USD"}},[]],"d":{}}"#
        );
    }
}
