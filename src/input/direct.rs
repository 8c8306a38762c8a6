//! A direct reader for JSON snapshots: the usual line, well formed, read straight into
//! [`Value`]s without serde's visitors (which were a third of loading one).
//!
//! It is an accelerator, not a second definition of JSON. It accepts only text the
//! serde reader in [`super`] accepts, and builds the value that reader builds. On
//! anything else it gives up (`None`): a syntax error, a limit passed, a malformed
//! time or money, a repeated key, or merely something it leaves to serde (an escape
//! in a string, a number with an exponent). The serde reader then reads the text
//! again, and says what is wrong worded and placed as it always was. A test reads
//! generated, hand-written and mangled snapshots both ways and compares.

use std::collections::HashSet;
use std::sync::Arc;

use super::{
    integer, intern_key, json_number, money, repeated, text_value, Seg, JSON_NUMBER_TOKEN,
};
use crate::limits::Limits;
use crate::value::{Map, Value};

/// serde_json's nesting limit is 128 containers; well below it, the serde reader decides.
const MAX_NESTING: usize = 100;

/// Reads `text` as one JSON value, or gives up. `entries` and `items` are empty
/// buffers for records and lists being read; they come back empty, as they were lent.
pub(super) fn read(
    text: &str,
    limits: &Limits,
    entries: &mut Map,
    items: &mut Vec<Value>,
) -> Option<Value> {
    let mut r = Reader {
        bytes: text.as_bytes(),
        text,
        at: 0,
        limits,
        values: 0,
        size: 0,
        max_size: text
            .len()
            .saturating_mul(limits.max_alias_expansion)
            .max(4096),
        entries,
        items,
    };
    let value = r.value(0);
    // Whatever was given up on part-way stays in the buffers; they are lent empty.
    r.entries.clear();
    r.items.clear();
    let value = value?;
    r.skip_space();
    (r.at == r.bytes.len()).then_some(value)
}

struct Reader<'t, 'b> {
    bytes: &'t [u8],
    text: &'t str,
    /// The next byte to read.
    at: usize,
    limits: &'b Limits,
    /// What the serde reader's `Budget` counts, counted alike.
    values: usize,
    size: usize,
    max_size: usize,
    /// The entries of the records being read, innermost last, and likewise the
    /// elements of the lists (as the serde reader keeps them).
    entries: &'b mut Map,
    items: &'b mut Vec<Value>,
}

impl<'t> Reader<'t, '_> {
    /// Accounts for one value holding `bytes` bytes of text, as `Budget::take` does.
    fn take(&mut self, bytes: usize) -> Option<()> {
        self.values += 1;
        self.size = self.size.saturating_add(bytes).saturating_add(1);
        (bytes <= self.limits.max_string_bytes
            && self.values <= self.limits.max_fact_values
            && self.size <= self.max_size)
            .then_some(())
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The value at the next non-space byte; `depth` is how many records and lists
    /// enclose it.
    fn value(&mut self, depth: usize) -> Option<Value> {
        self.skip_space();
        match *self.bytes.get(self.at)? {
            b'{' => self.record(depth),
            b'[' => self.list(depth),
            b'"' => {
                let s = self.string()?;
                self.take(s.len())?;
                text_value(s).ok()
            }
            b't' => self.word("true", Value::Bool(true)),
            b'f' => self.word("false", Value::Bool(false)),
            b'n' => self.word("null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Option<Value> {
        if !self.bytes[self.at..].starts_with(word.as_bytes()) {
            return None;
        }
        self.at += word.len();
        self.take(0)?;
        Some(value)
    }

    /// A string with no escape and no control character, its quotes left out.
    fn string(&mut self) -> Option<&'t str> {
        let start = self.at + 1;
        let end = special_byte(self.bytes, start)?;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        // Both ends are quotes, so both are character boundaries.
        let text: &'t str = self.text;
        text.get(start..end)
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?`; an exponent is left to serde.
    fn number(&mut self) -> Option<Value> {
        let start = self.at;
        let negative = self.bytes[start] == b'-';
        let digits = |from: usize| {
            self.bytes[from..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        };
        let int_start = start + usize::from(negative);
        let int_len = digits(int_start);
        if int_len == 0 || (int_len > 1 && self.bytes[int_start] == b'0') {
            return None;
        }
        let mut end = int_start + int_len;
        let whole = self.bytes.get(end) != Some(&b'.');
        if !whole {
            let frac_len = digits(end + 1);
            if frac_len == 0 {
                return None;
            }
            end += 1 + frac_len;
        }
        if let Some(b'e' | b'E') = self.bytes.get(end) {
            return None;
        }
        self.at = end;
        self.take(0)?;
        let text = self.text.get(start..end)?;
        // serde_json hands over a whole number that fits 64 bits as an integer, any
        // other (and `-0`) as its text.
        if whole {
            let fits = if negative {
                text != "-0" && text.parse::<i64>().is_ok()
            } else {
                text.parse::<u64>().is_ok()
            };
            if fits {
                return integer(self.limits, text.parse::<i128>().ok()?).ok();
            }
        }
        super::check_decimal_text(self.limits, text).ok()?;
        json_number(text).ok()
    }

    /// Enters a list or record at its opening bracket; `Some(true)` when it closes at
    /// once (`[]`, `{}`).
    fn open(&mut self, depth: usize, close: u8) -> Option<bool> {
        // Nested deeper than the limits: refused.
        (depth < self.limits.max_fact_depth && depth < MAX_NESTING).then_some(())?;
        self.take(0)?;
        self.at += 1;
        self.skip_space();
        let empty = self.bytes.get(self.at) == Some(&close);
        if empty {
            self.at += 1;
        }
        Some(empty)
    }

    fn list(&mut self, depth: usize) -> Option<Value> {
        if self.open(depth, b']')? {
            return Some(Value::List(Arc::new([])));
        }
        let start = self.items.len();
        loop {
            let v = self.value(depth + 1)?;
            if self.items.len() - start == self.limits.max_list_len {
                return None;
            }
            self.items.push(v);
            self.skip_space();
            match *self.bytes.get(self.at)? {
                b',' => self.at += 1,
                b']' => break,
                _ => return None,
            }
        }
        self.at += 1;
        Some(Value::List(self.items.drain(start..).collect()))
    }

    fn record(&mut self, depth: usize) -> Option<Value> {
        if self.open(depth, b'}')? {
            return Some(Value::Map(Arc::new([])));
        }
        let start = self.entries.len();
        let mut seen: Option<HashSet<Arc<str>>> = None;
        loop {
            if self.bytes.get(self.at) != Some(&b'"') {
                return None;
            }
            let key = self.string()?;
            // serde_json's private key for a number's text: serde reads that record as one.
            if key == JSON_NUMBER_TOKEN {
                return None;
            }
            let key = intern_key(key);
            self.take(key.len())?;
            if repeated(&self.entries[start..], &mut seen, &key) {
                return None;
            }
            self.skip_space();
            if self.bytes.get(self.at) != Some(&b':') {
                return None;
            }
            self.at += 1;
            let v = self.value(depth + 1)?;
            self.entries.push((key, v));
            self.skip_space();
            match *self.bytes.get(self.at)? {
                b',' => {
                    self.at += 1;
                    self.skip_space();
                }
                b'}' => break,
                _ => return None,
            }
        }
        self.at += 1;
        if let Some(m) =
            money::<serde_json::Error>(&self.entries[start..], &Seg::Root, self.limits, None)
                .ok()?
        {
            self.entries.truncate(start);
            return Some(m);
        }
        Some(Value::Map(self.entries.drain(start..).collect()))
    }
}

/// Where the first quote, backslash or control character at or after `from` is, eight
/// bytes at a time: strings are most of a snapshot's bytes.
fn special_byte(bytes: &[u8], mut from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    // The high bit of each byte that is zero in `w`; the lowest such bit is exact (a
    // borrow can only mark bytes above a zero one).
    let zeros = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS;
    while let Some(chunk) = bytes.get(from..from + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let found = zeros(w ^ (ONES * u64::from(b'"')))
            | zeros(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS);
        if found != 0 {
            return Some(from + (found.trailing_zeros() / 8) as usize);
        }
        from += 8;
    }
    let rest = bytes.get(from..)?;
    rest.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{load_json_by_serde, load_str_with, Format};

    /// Reads `text` with the direct reader first and with serde alone: the same value
    /// (in full: a decimal's scale, a time's offset) or the same error. Says whether the
    /// direct reader read it by itself.
    fn agree(text: &str, limits: &Limits) -> bool {
        let both = load_str_with(text, Format::Json, "t", limits);
        let alone = load_json_by_serde(text, "t", limits);
        assert_eq!(format!("{both:?}"), format!("{alone:?}"), "{text}");
        let direct = read(text, limits, &mut Map::new(), &mut Vec::new());
        if let Some(v) = direct.clone() {
            let direct = crate::input::snapshot(v, "t");
            assert_eq!(format!("{direct:?}"), format!("{alone:?}"), "{text}");
        }
        direct.is_some()
    }

    fn seeds() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for name in ["examples/unsubscribe.yaml", "examples/disassociate.yaml"] {
            let text = std::fs::read_to_string(root.join(name)).unwrap_or_default();
            let v = crate::input::load_str(&text, Format::Yaml, name).expect(name);
            out.push(serde_json::to_string(&v).expect(name));
            out.push(serde_json::to_string_pretty(&v).expect(name));
        }
        out
    }

    #[test]
    fn the_usual_snapshot_is_read_directly_as_serde_reads_it() {
        let limits = Limits::default();
        for text in seeds() {
            assert!(agree(&text, &limits), "given up on: {text}");
        }
        for text in [
            r#"{"a": 1, "b": -2, "c": 0, "d": 1.50, "e": -0.5, "f": 18446744073709551615}"#,
            r#"{"a": -9223372036854775808, "b": 1234567890123456789012345678, "c": 1.0000}"#,
            r#" { "t" : "2021-09-30T10:00:00+08:00" , "u": "2021-09-30T10:00:00Z" } "#,
            r#"{"m": {"currency": "CNY", "amount": "-12.50"}, "n": {"amount": 3, "currency": "USD"}}"#,
            r#"{"x": [], "y": {}, "z": [null, true, false, "", [[]], {"k": {}}]}"#,
            "{\"tab\":\t\"é ✓ \u{7f}\",\r\n\"\":0}",
        ] {
            assert!(agree(text, &limits), "given up on: {text}");
        }
    }

    #[test]
    fn what_the_direct_reader_gives_up_on_serde_reads_or_refuses_as_before() {
        let limits = Limits::default();
        let read = |text: &str| load_str_with(text, Format::Json, "t", &limits);
        for text in [
            // Left to serde, and read by it.
            r#"{"a": "line\nbreak", "b\"": 1}"#,
            r#"{"a": 1e3, "b": 1.5E-2, "c": -0}"#,
        ] {
            agree(text, &limits);
            assert!(read(text).is_ok(), "refused: {text}");
        }
        // Refused (the first left to serde, which refuses its own private number key).
        for text in [
            r#"{"$serde_json::private::Number": "12"}"#,
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": -}"#,
            r#"{"a": .5}"#,
            r#"{"a": 1,}"#,
            r#"{"a": [1,]}"#,
            r#"{"a" 1}"#,
            r#"{a: 1}"#,
            r#"{"a": 1} x"#,
            r#"{"a": 1}}"#,
            r#"{"a": tru}"#,
            r#"{"a": nulll}"#,
            "{\"a\": \"\u{1}\"}",
            "{\"a\": \"\0\"}",
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": "2021-09-30T10:00:00.0000000001+08:00"}"#,
            r#"{"m": {"amount": "1,5", "currency": "USD"}}"#,
            r#"{"m": {"amount": "1.5", "currency": "usd"}}"#,
            r#"{"a": 123456789012345678901234567890}"#,
            r#"{"a": 1.00000000000000000000000000001}"#,
            r#"{"a": "#,
            r#"{"a": "unclosed}"#,
            "[1, 2]",
            "\"text\"",
            "7",
        ] {
            agree(text, &limits);
            assert!(read(text).is_err(), "accepted: {text}");
        }
        // Text shaped like a time but not one is text (only a schema says it is a time).
        for text in [
            r#"{"a": "2021-09-31T10:00:00+08:00"}"#,
            r#"{"a": "2021-09-30T10:00:00"}"#,
        ] {
            agree(text, &limits);
            assert!(
                matches!(read(text).unwrap().get("a"), Some(Value::String(_))),
                "{text}"
            );
        }
        // A record of many keys is checked for repeats through a set.
        let many = |repeat: &str| {
            let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
            format!("{{{}{repeat}}}", keys.join(", "))
        };
        assert!(agree(&many(""), &limits));
        assert!(!agree(&many(", \"k3\": 0"), &limits));
        assert!(!agree(&many(", \"k39\": 0"), &limits));
    }

    #[test]
    fn the_limits_are_kept_as_serde_keeps_them() {
        let nested = |n: usize| format!("{{\"a\": {}1{}}}", "[".repeat(n), "]".repeat(n));
        let limits = Limits::default();
        assert!(agree(&nested(limits.max_fact_depth - 1), &limits));
        assert!(!agree(&nested(limits.max_fact_depth), &limits));
        assert!(!agree(&nested(300), &limits));
        let tight = Limits {
            max_string_bytes: 4,
            max_list_len: 3,
            max_fact_values: 12,
            max_decimal_digits: 4,
            ..Limits::default()
        };
        for (text, direct) in [
            (r#"{"abcd": "wxyz", "l": [1, 2, 3]}"#, true),
            (r#"{"abcde": 1}"#, false),
            (r#"{"a": "vwxyz"}"#, false),
            (r#"{"l": [1, 2, 3, 4]}"#, false),
            (r#"{"a": 1234, "b": 12.34}"#, true),
            (r#"{"a": 12345}"#, false),
            (r#"{"a": 1.2345}"#, false),
            (r#"{"m": {"amount": "12345", "currency": "USD"}}"#, false),
            (r#"{"a": [1, 2, 3], "b": [1, 2, 3], "c": 1}"#, false),
        ] {
            assert_eq!(agree(text, &tight), direct, "{text}");
        }
    }

    #[test]
    fn the_first_special_byte_is_found_wherever_it_is() {
        for len in 0..24 {
            for at in 0..len {
                for special in [b'"', b'\\', 0, 0x1f] {
                    // Bytes just beside the special ones, and a special byte after the
                    // first, which must not be taken for it.
                    let mut bytes: Vec<u8> = (0..len)
                        .map(|i| [b'#', b'!', 0x20, b']', 0xff][i % 5])
                        .collect();
                    bytes[at] = special;
                    if at + 1 < len {
                        bytes[at + 1] = b'"';
                    }
                    assert_eq!(special_byte(&bytes, 0), Some(at), "{bytes:?}");
                    assert_eq!(
                        special_byte(&bytes, at + 1),
                        (at + 1 < len).then_some(at + 1)
                    );
                }
            }
            let plain = vec![b'a'; len];
            assert_eq!(special_byte(&plain, 0), None);
        }
    }

    /// Every snapshot above, and the seeds cut short, with a byte dropped, doubled or
    /// replaced by one that matters to JSON at every position.
    #[test]
    fn mangled_snapshots_are_read_alike() {
        let limits = Limits::default();
        let bytes = b"\"\\,:{}[]0-.eE \n\0t";
        for seed in seeds().iter().step_by(2) {
            let seed = seed.as_bytes();
            for at in 0..seed.len() {
                let mut variants = vec![seed[..at].to_vec()];
                let mut dropped = seed.to_vec();
                dropped.remove(at);
                variants.push(dropped);
                let mut doubled = seed.to_vec();
                doubled.insert(at, seed[at]);
                variants.push(doubled);
                for &b in bytes {
                    let mut replaced = seed.to_vec();
                    replaced[at] = b;
                    variants.push(replaced);
                }
                for v in variants {
                    if let Ok(text) = std::str::from_utf8(&v) {
                        agree(text, &limits);
                    }
                }
            }
        }
    }
}
