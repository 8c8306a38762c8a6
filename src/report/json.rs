//! Compact JSON for decisions, written directly: the streaming mode writes one per
//! snapshot, and serde_json's general path (escaping checked byte by byte, numbers
//! through `fmt`) cost as much as deciding. The output is byte-for-byte what
//! `serde_json::to_vec` gives for the same decision (tested below and in
//! `tests/it/render_json.rs`), so the two are interchangeable.

use std::fmt::Write as _;

use crate::decision::{Decision, Evidence, FactRef, Item, Match, Miss, ReviewStatus, RuleError};
use crate::value::{format_duration, write_time, DecimalText, Value};

/// Appends `d` as compact JSON.
pub fn write_decision(out: &mut Vec<u8>, d: &Decision) {
    out.extend_from_slice(b"{\"decision\":\"");
    out.extend_from_slice(d.decision.as_str().as_bytes());
    out.extend_from_slice(b"\",\"policies\":");
    list(out, &d.policies, |out, p| string(out, p));
    write_rules(out, &d.matched, &d.errors, &d.not_matched);
    out.extend_from_slice(b",\"items\":");
    list(out, &d.items, write_item);
    out.push(b'}');
}

fn write_item(out: &mut Vec<u8>, i: &Item) {
    out.extend_from_slice(b"{\"id\":");
    string(out, &i.id);
    out.extend_from_slice(b",\"path\":");
    string(out, &i.path);
    out.extend_from_slice(b",\"decision\":\"");
    out.extend_from_slice(i.decision.as_str().as_bytes());
    out.push(b'"');
    write_rules(out, &i.matched, &i.errors, &i.not_matched);
    out.push(b'}');
}

/// The rules of a decision or an item: `matched`, `errors`, and `not_matched` if any.
fn write_rules(out: &mut Vec<u8>, matched: &[Match], errors: &[RuleError], misses: &[Miss]) {
    out.extend_from_slice(b",\"matched\":");
    list(out, matched, write_match);
    out.extend_from_slice(b",\"errors\":");
    list(out, errors, write_error);
    if !misses.is_empty() {
        out.extend_from_slice(b",\"not_matched\":");
        list(out, misses, write_miss);
    }
}

fn write_match(out: &mut Vec<u8>, m: &Match) {
    out.extend_from_slice(b"{\"rule\":");
    string(out, &m.rule);
    out.extend_from_slice(b",\"kind\":\"");
    out.extend_from_slice(m.kind.as_str().as_bytes());
    out.extend_from_slice(b"\",\"message\":");
    string(out, &m.message);
    out.extend_from_slice(b",\"source\":");
    string(out, &m.source);
    out.extend_from_slice(b",\"evidence\":");
    list(out, &m.evidence, write_evidence);
    out.extend_from_slice(b",\"value\":");
    match &m.value {
        Some(v) => value(out, v),
        None => out.extend_from_slice(b"null"),
    }
    if let Some(s) = &m.status {
        out.extend_from_slice(b",\"status\":");
        write_status(out, s);
    }
    out.push(b'}');
}

fn write_status(out: &mut Vec<u8>, s: &ReviewStatus) {
    out.extend_from_slice(b"{\"state\":\"");
    out.extend_from_slice(s.state.as_str().as_bytes());
    out.push(b'"');
    if let Some(by) = &s.by {
        out.extend_from_slice(b",\"by\":");
        string(out, by);
    }
    if let Some(at) = &s.at {
        out.extend_from_slice(b",\"at\":");
        value(out, at);
    }
    if !s.evidence.is_empty() {
        out.extend_from_slice(b",\"evidence\":");
        list(out, &s.evidence, write_evidence);
    }
    out.push(b'}');
}

fn write_evidence(out: &mut Vec<u8>, e: &Evidence) {
    out.extend_from_slice(b"{\"condition\":");
    string(out, &e.condition);
    out.extend_from_slice(if e.holds {
        b",\"holds\":true,\"facts\":"
    } else {
        b",\"holds\":false,\"facts\":"
    });
    list(out, &e.facts, write_fact);
    if e.omitted > 0 {
        out.extend_from_slice(b",\"omitted\":");
        out.extend_from_slice(e.omitted.to_string().as_bytes());
    }
    out.push(b'}');
}

fn write_fact(out: &mut Vec<u8>, f: &FactRef) {
    out.push(b'{');
    if let Some(p) = &f.path {
        out.extend_from_slice(b"\"path\":");
        string(out, p);
        out.push(b',');
    }
    if let Some(l) = &f.let_name {
        out.extend_from_slice(b"\"let\":");
        string(out, l);
        out.push(b',');
    }
    if let Some(c) = &f.call {
        out.extend_from_slice(b"\"call\":");
        string(out, c);
        out.push(b',');
    }
    out.extend_from_slice(b"\"value\":");
    value(out, &f.value);
    if f.absent {
        out.extend_from_slice(b",\"absent\":true");
    }
    out.push(b'}');
}

fn write_error(out: &mut Vec<u8>, e: &RuleError) {
    out.extend_from_slice(b"{\"rule\":");
    optional_string(out, e.rule.as_deref());
    if let Some(k) = e.kind {
        out.extend_from_slice(b",\"kind\":\"");
        out.extend_from_slice(k.as_str().as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(b",\"path\":");
    optional_string(out, e.path.as_deref());
    out.extend_from_slice(b",\"reason\":");
    string(out, &e.reason);
    if let Some(s) = &e.source {
        out.extend_from_slice(b",\"source\":");
        location(out, s);
    }
    if let Some(o) = &e.origin {
        out.extend_from_slice(b",\"origin\":");
        location(out, o);
    }
    out.extend_from_slice(if e.blocking {
        b",\"blocking\":true}"
    } else {
        b",\"blocking\":false}"
    });
}

/// A location as its `Serialize` writes it: the string `file:line`.
fn location(out: &mut Vec<u8>, l: &crate::decision::Location) {
    string(out, &l.to_string());
}

fn write_miss(out: &mut Vec<u8>, m: &Miss) {
    out.extend_from_slice(b"{\"rule\":");
    string(out, &m.rule);
    out.extend_from_slice(b",\"kind\":\"");
    out.extend_from_slice(m.kind.as_str().as_bytes());
    out.extend_from_slice(b"\",\"source\":");
    string(out, &m.source);
    out.extend_from_slice(b",\"evidence\":");
    list(out, &m.evidence, write_evidence);
    out.push(b'}');
}

/// A value as `Value`'s `Serialize` writes it.
pub fn value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => match i64::try_from(*n) {
            Ok(i) if n.scale() == 0 => display(out, &i),
            _ => decimal(out, n),
        },
        Value::String(s) => string(out, s),
        Value::Money(m) => {
            out.extend_from_slice(b"{\"amount\":");
            decimal(out, &m.amount);
            out.extend_from_slice(b",\"currency\":");
            string(out, &m.currency);
            out.push(b'}');
        }
        Value::Time(t) => {
            out.push(b'"');
            // Time text is digits and signs only: nothing to escape.
            let _ = write_time(t, &mut Utf8(out));
            out.push(b'"');
        }
        Value::Duration(d) => string(out, &format_duration(*d)),
        Value::List(items) => list(out, items, value),
        Value::Map(m) => {
            out.push(b'{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                string(out, k);
                out.push(b':');
                value(out, v);
            }
            out.push(b'}');
        }
    }
}

fn list<T>(out: &mut Vec<u8>, items: &[T], mut each: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(out, item);
    }
    out.push(b']');
}

fn optional_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// A number's or amount's text: digits, sign and point, nothing to escape.
fn display(out: &mut Vec<u8>, v: &impl std::fmt::Display) {
    let _ = write!(Utf8(out), "{v}");
}

/// A decimal as a JSON string (`"12.50"`): its digits are exact only as text.
fn decimal(out: &mut Vec<u8>, d: &rust_decimal::Decimal) {
    out.push(b'"');
    out.extend_from_slice(DecimalText::of(d).as_str().as_bytes());
    out.push(b'"');
}

/// A JSON string, escaped as serde_json escapes: `"`, `\` and control characters.
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut rest = s.as_bytes();
    // Runs that need no escape are found eight bytes at a time and copied whole:
    // conditions quote string literals, so many texts have a few quotes to escape.
    while let Some(at) = first_escape(rest) {
        let (run, tail) = rest.split_at(at);
        out.extend_from_slice(run);
        let Some((&b, after)) = tail.split_first() else {
            break;
        };
        escape(out, b);
        rest = after;
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Where the first byte of `bytes` that needs an escape is, looked for eight bytes at
/// a time: text is most of a decision, and a byte at a time was most of the time
/// spent writing one.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `x` that is below `n` (n ≤ 0x80), and stray bits
    // only above such a byte: zero exactly when no byte is below `n`. Bytes of 0x80
    // and up (UTF-8 continuations, leads) never count.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let Ok(eight) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(eight);
        let control = below(x, 0x20);
        let quote = below(x ^ (ONES * u64::from(b'"')), 1);
        let backslash = below(x ^ (ONES * u64::from(b'\\')), 1);
        let found = control | quote | backslash;
        if found != 0 {
            // Stray bits are only above a byte that counts: the lowest is exact.
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| needs_escape(b))
        .map(|i| at + i)
}

fn escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        }
    }
}

/// `fmt::Write` into a byte buffer.
struct Utf8<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Utf8<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let cases = [
            "",
            "plain",
            "quote \" and backslash \\",
            "line\nbreak\ttab\rreturn",
            "\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f}",
            "é ü 漢字 🎉",
            "request.mode == \"batch\" and resource.package in [\"resource_package\", \"add_on\"]",
            "\"\"\"\"\"\"\"\"\"\\\\\n\n12345678\"",
        ];
        for c in cases {
            let mut out = Vec::new();
            string(&mut out, c);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(c).unwrap()
            );
        }
    }

    #[test]
    fn the_eight_bytes_at_a_time_test_finds_every_byte_that_needs_an_escape() {
        // Every byte value, at every place of texts one shorter and one longer than a
        // word, among neighbours that need no escape (ASCII and the top of UTF-8).
        for filler in [b'a', b'~', b' ', 0x80, 0xff] {
            for len in 1..=17 {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut text = vec![filler; len];
                        text[at] = b;
                        let expected = text.iter().position(|&b| needs_escape(b));
                        assert_eq!(first_escape(&text), expected, "{text:?}");
                        // A second byte that needs one, after the first, is not the first.
                        text.push(b'"');
                        assert_eq!(first_escape(&text), expected.or(Some(len)), "{text:?}");
                    }
                }
            }
        }
        assert_eq!(first_escape(b""), None);
    }
}
