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
#[cfg(test)]
mod marks_tests;
pub mod positions;
#[cfg(test)]
mod relocate_tests;
mod scalars;
mod syntax_messages;
mod time;
mod visitor;
pub mod walk;
mod yaml_features;
mod yaml_reader;
mod yaml_scan;

pub(crate) use scalars::looks_like_time;
pub use time::rfc3339_exact;

pub(crate) use scalars::parse_amount;
use scalars::*;
use visitor::*;

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

/// What kind of problem a [`FactsError`] is, said by the reader that found it: a
/// report's hint is chosen by it, never by the message's wording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum FactsErrorKind {
    /// A problem without a hint of its own kind.
    #[default]
    Other,
    /// JSON syntax: something else was expected where `found` is.
    Syntax {
        /// What was found instead.
        found: crate::syntax::Found,
    },
    /// Lists and records nested past the limit.
    TooDeep,
    /// A decimal with more significant digits than allowed.
    TooManyDigits {
        /// The most allowed.
        max: usize,
    },
    /// A key given twice in one record.
    DuplicateKey,
    /// A number written with more digits than can be read exactly.
    InexactNumber,
    /// A file that starts with a byte order mark.
    ByteOrderMark,
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
    /// What kind of problem it is.
    pub kind: FactsErrorKind,
    /// The fact the problem is at (`resources[0].amount`), where the reader knows it:
    /// the error was placed by it.
    pub path: Option<Box<str>>,
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
            kind: FactsErrorKind::Other,
            path: None,
        }
    }

    fn of_kind(self, kind: FactsErrorKind) -> FactsError {
        FactsError { kind, ..self }
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
    load_str_with(text_of(bytes, origin, limits)?, format, origin, limits)
}

/// Reads a snapshot from bytes, with what places its values in its text (for a schema
/// violation's line and column): a YAML snapshot's places are recorded as it is read.
pub fn load_bytes_placed(
    bytes: &[u8],
    format: Format,
    origin: &str,
) -> Result<(Value, Places), FactsError> {
    let limits = Limits::default();
    let text = text_of(bytes, origin, &limits)?;
    let mut marks = positions::Marks::of(format);
    let value = load(
        text,
        format,
        origin,
        &limits,
        Reader::DirectFirst,
        &mut marks,
    )?;
    Ok((value, Places { format, marks }))
}

/// What places a snapshot's values in the text it was read from: for YAML, where its
/// reader met each node; JSON is scanned again when there is something to place (its
/// reader is the fast path of every JSONL stream, and a scan costs only a rejection).
#[derive(Debug, Clone)]
pub struct Places {
    format: Format,
    marks: positions::Marks,
}

impl Places {
    /// Where the values are in `text`, the text the snapshot was read from. YAML: from
    /// the marks, with no second parse.
    pub fn positions(&self, text: &str) -> positions::Positions {
        match self.format {
            Format::Yaml => positions::Positions::from_marks(text, &self.marks),
            Format::Json => positions::Positions::scan(text, Format::Json),
        }
    }
}

/// The text of a snapshot's bytes: within the size limit, without a byte order mark,
/// UTF-8.
fn text_of<'b>(bytes: &'b [u8], origin: &str, limits: &Limits) -> Result<&'b str, FactsError> {
    check_size(bytes.len(), origin, limits)?;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(FactsError::plain(
            origin,
            "the file starts with a byte order mark (BOM); save it as UTF-8 without one",
        )
        .of_kind(FactsErrorKind::ByteOrderMark));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        FactsError::plain(
            origin,
            format!("not valid UTF-8 (bad byte at offset {})", e.valid_up_to()),
        )
    })
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
    load(
        text,
        format,
        origin,
        limits,
        Reader::DirectFirst,
        &mut positions::Marks::of(format),
    )
}

/// Reads a JSON snapshot with serde alone, as the direct reader must agree with.
pub(crate) fn load_json_by_serde(
    text: &str,
    origin: &str,
    limits: &Limits,
) -> Result<Value, FactsError> {
    load(
        text,
        Format::Json,
        origin,
        limits,
        Reader::Serde,
        &mut positions::Marks::default(),
    )
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
    marks: &mut positions::Marks,
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
                .of_kind(FactsErrorKind::TooDeep)
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
    let budget = Budget::new(limits, text, Vec::new(), entries, items);
    let value = match format {
        Format::Json => {
            let seed = NodeSeed(&root, &budget);
            let mut de = serde_json::Deserializer::from_str(text);
            let v = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
            let kind = budget.kind.take();
            let raised = budget.raised.take();
            keep_scratch(budget.entries.into_inner(), budget.items.into_inner());
            // serde_json refuses a NUL wherever it is (in a string as a control character,
            // elsewhere as a syntax error), so only text it refused needs searching for one.
            v.map_err(|e| {
                nul_error(text, origin).unwrap_or_else(|| {
                    relocate(json_error(origin, &e, text, kind), raised, text, format)
                })
            })?
        }
        Format::Yaml => {
            let v = yaml_reader::read(text, &budget, &mut marks.0);
            keep_scratch(budget.entries.into_inner(), budget.items.into_inner());
            v.map_err(|refused| word_yaml_refusal(text, origin, limits, refused))?
        }
    };
    snapshot(value, origin)
}

/// The message for a YAML snapshot the reader refused: libyaml's (through serde_yaml
/// and the serde reader, as before the reader was saphyr-parser's) wherever libyaml
/// refuses the text too, so that the messages users see keep their wording; else the
/// reader's own (a feature snapshots may not use, text saphyr-parser refuses).
fn word_yaml_refusal(
    text: &str,
    origin: &str,
    limits: &Limits,
    refused: yaml_reader::Refused,
) -> FactsError {
    let root = Seg::Root;
    let budget = Budget::new(
        limits,
        text,
        yaml_scan::long_numbers(text),
        Vec::new(),
        Vec::new(),
    );
    let de = serde_yaml::Deserializer::from_str(text);
    match NodeSeed(&root, &budget).deserialize(de) {
        Err(e) => relocate(
            yaml_error(origin, &e, text, budget.kind.take()),
            budget.raised.take(),
            text,
            Format::Yaml,
        ),
        Ok(_) => FactsError {
            origin: origin.to_string(),
            line: refused.line,
            column: refused.column,
            message: refused.message,
            kind: refused.kind,
            path: None,
        },
    }
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

/// A serde_json error as the snapshot's author reads it; `kind` is the visitor's, for
/// an error it raised.
fn json_error(
    origin: &str,
    e: &serde_json::Error,
    source: &str,
    kind: FactsErrorKind,
) -> FactsError {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) if e.line() > 0 => text[..i].to_string(),
        _ => text,
    };
    let (message, kind) = if e.is_syntax() || e.is_eof() {
        let found = syntax_messages::token_at(source, e.line(), e.column());
        syntax_messages::explain(&message, &found)
    } else {
        (message, kind)
    };
    FactsError {
        origin: origin.to_string(),
        line: (e.line() > 0).then_some(e.line()),
        column: (e.line() > 0).then_some(e.column()),
        message: tidy(&message),
        kind,
        path: None,
    }
}

/// A serde_yaml error as the snapshot's author reads it; `kind` is the visitor's, for
/// an error it raised.
fn yaml_error(
    origin: &str,
    e: &serde_yaml::Error,
    source: &str,
    kind: FactsErrorKind,
) -> FactsError {
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
    let found = loc
        .as_ref()
        .map(|l| syntax_messages::token_at(source, l.line(), l.column()))
        .unwrap_or_default();
    let (message, syntax) = syntax_messages::explain(&message, &found);
    FactsError {
        origin: origin.to_string(),
        line: loc.as_ref().map(|l| l.line()),
        column: loc.as_ref().map(|l| l.column()),
        message: tidy(&message),
        kind: match syntax {
            FactsErrorKind::Other => kind,
            syntax => syntax,
        },
        path: None,
    }
}

/// An error the visitor raised at a fact (`raised`) is worded from its own parts and
/// placed at that fact's key, at its last occurrence (the duplicate, for a key that
/// appears twice): serde places it at the end of the key (JSON) or at the record (YAML,
/// which also prefixes its own path to the text). Any other error is left as it is.
fn relocate(mut e: FactsError, raised: Option<Raised>, text: &str, format: Format) -> FactsError {
    let Some(raised) = raised else {
        return e;
    };
    e.message = raised.worded();
    if let Some((line, column)) = positions::Positions::scan(text, format).get(&raised.path) {
        e.line = Some(line);
        e.column = Some(column);
    }
    e.path = Some(raised.path.into_boxed_str());
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
