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
    decision(&mut Json::<false>::new(out), d);
}

/// Appends `d` as `serde_json::to_string_pretty` writes it (no line end after it): the
/// same writer as [`write_decision`], with the pretty printer's whitespace written as
/// it goes (`report::pretty`).
pub(crate) fn write_decision_pretty(out: &mut Vec<u8>, d: &Decision) {
    decision(&mut Json::<true>::new(out), d);
}

/// A value as `Value`'s `Serialize` writes it.
pub fn value(out: &mut Vec<u8>, v: &Value) {
    any(&mut Json::<false>::new(out), v);
}

/// [`value`] as `serde_json::to_string_pretty` writes it.
#[cfg(test)]
pub(crate) fn value_pretty(out: &mut Vec<u8>, v: &Value) {
    any(&mut Json::<true>::new(out), v);
}

/// A key as [`Json::key`] takes it: `key!("rule")` is `,"rule":`.
macro_rules! key {
    ($name:literal) => {
        concat!(",\"", $name, "\":")
    };
}

/// The output and, when `PRETTY`, what serde_json's `PrettyFormatter` keeps: the depth
/// (two spaces a level) and whether the open object or array has a value yet (an
/// empty one stays `{}` or `[]`; a full one closes on a line of its own).
struct Json<'a, const PRETTY: bool> {
    out: &'a mut Vec<u8>,
    depth: usize,
    has_value: bool,
}

impl<'a, const PRETTY: bool> Json<'a, PRETTY> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        Json {
            out,
            depth: 0,
            has_value: false,
        }
    }

    #[inline(always)]
    fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    // The helpers are inlined, and what only the pretty form needs (depth, whether a
    // container has a value yet) is kept only for it, so that the compact writer is
    // what it was when written out by hand: a key is one copy of a literal.
    #[inline(always)]
    fn open(&mut self, b: u8) {
        self.out.push(b);
        if PRETTY {
            self.depth += 1;
            self.has_value = false;
        }
    }

    /// An object and its first key (see [`Json::key`]).
    #[inline(always)]
    fn object(&mut self, first: &'static str) {
        self.open(b'{');
        self.key_at(first, true);
    }

    #[inline(always)]
    fn close(&mut self, b: u8) {
        if PRETTY {
            self.depth = self.depth.saturating_sub(1);
            if self.has_value {
                self.newline();
            }
            // The object or array around it has a value now: this one.
            self.has_value = true;
        }
        self.out.push(b);
    }

    /// Before an element of an array or a key of an object, `first` or not.
    #[inline(always)]
    fn next(&mut self, first: bool) {
        if !first {
            self.out.push(b',');
        }
        if PRETTY {
            self.has_value = true;
            self.newline();
        }
    }

    /// A key after another, with nothing to escape (the decision's field names), and
    /// its colon, given as [`key!`] writes it: comma, quotes and colon (`,"rule":`).
    #[inline(always)]
    fn key(&mut self, key: &'static str) {
        self.key_at(key, false);
    }

    /// A key, the object's `first` or not: compact, one copy of a literal of known
    /// length (with its comma or without).
    #[inline(always)]
    fn key_at(&mut self, key: &'static str, first: bool) {
        let bytes = key.as_bytes();
        let unseparated = bytes.get(1..).unwrap_or_default();
        if PRETTY {
            self.next(first);
            self.colon(unseparated);
        } else if first {
            self.out.extend_from_slice(unseparated);
        } else {
            self.out.extend_from_slice(bytes);
        }
    }

    #[inline(always)]
    fn colon(&mut self, quote_colon: &[u8]) {
        self.out.extend_from_slice(quote_colon);
        if PRETTY {
            self.out.push(b' ');
        }
    }

    fn newline(&mut self) {
        const SPACES: &[u8; 64] = &[b' '; 64];
        self.out.push(b'\n');
        let mut n = self.depth * 2;
        while n > 0 {
            let step = n.min(SPACES.len());
            self.out.extend_from_slice(&SPACES[..step]);
            n -= step;
        }
    }

    #[inline(always)]
    fn string(&mut self, s: &str) {
        string(self.out, s);
    }

    /// A field whose value is a string with nothing to escape (an outcome, a kind).
    #[inline(always)]
    fn word(&mut self, k: &'static str, w: &str) {
        self.key(k);
        self.quoted(w);
    }

    /// A string with nothing to escape.
    #[inline(always)]
    fn quoted(&mut self, w: &str) {
        self.out.push(b'"');
        self.out.extend_from_slice(w.as_bytes());
        self.out.push(b'"');
    }

    #[inline(always)]
    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.open(b'[');
        for (i, item) in items.iter().enumerate() {
            self.next(i == 0);
            each(self, item);
        }
        self.close(b']');
    }
}

fn decision<const P: bool>(w: &mut Json<'_, P>, d: &Decision) {
    w.object(key!("decision"));
    w.quoted(d.decision.as_str());
    w.key(key!("policies"));
    w.list(&d.policies, |w, p| w.string(p));
    rules(w, &d.matched, &d.errors, &d.not_matched);
    w.key(key!("items"));
    w.list(&d.items, item);
    w.close(b'}');
}

fn item<const P: bool>(w: &mut Json<'_, P>, i: &Item) {
    w.object(key!("id"));
    w.string(&i.id);
    w.key(key!("path"));
    w.string(&i.path);
    w.word(key!("decision"), i.decision.as_str());
    rules(w, &i.matched, &i.errors, &i.not_matched);
    w.close(b'}');
}

/// The rules of a decision or an item: `matched`, `errors`, and `not_matched` if any.
fn rules<const P: bool>(
    w: &mut Json<'_, P>,
    matched: &[Match],
    errors: &[RuleError],
    misses: &[Miss],
) {
    w.key(key!("matched"));
    w.list(matched, write_match);
    w.key(key!("errors"));
    w.list(errors, error);
    if !misses.is_empty() {
        w.key(key!("not_matched"));
        w.list(misses, miss);
    }
}

fn write_match<const P: bool>(w: &mut Json<'_, P>, m: &Match) {
    w.object(key!("rule"));
    w.string(&m.rule);
    w.word(key!("kind"), m.kind.as_str());
    w.key(key!("message"));
    w.string(&m.message);
    w.key(key!("source"));
    location(w, &m.source);
    w.key(key!("evidence"));
    w.list(&m.evidence, evidence);
    w.key(key!("value"));
    match &m.value {
        Some(v) => any(w, v),
        None => w.raw(b"null"),
    }
    if let Some(s) = &m.status {
        w.key(key!("status"));
        status(w, s);
    }
    w.close(b'}');
}

fn status<const P: bool>(w: &mut Json<'_, P>, s: &ReviewStatus) {
    w.object(key!("state"));
    w.quoted(s.state.as_str());
    if let Some(by) = &s.by {
        w.key(key!("by"));
        w.string(by);
    }
    if let Some(at) = &s.at {
        w.key(key!("at"));
        any(w, at);
    }
    if !s.evidence.is_empty() {
        w.key(key!("evidence"));
        w.list(&s.evidence, evidence);
    }
    w.close(b'}');
}

fn evidence<const P: bool>(w: &mut Json<'_, P>, e: &Evidence) {
    w.object(key!("condition"));
    w.string(&e.condition);
    w.key(key!("holds"));
    w.raw(if e.holds { b"true" } else { b"false" });
    w.key(key!("facts"));
    w.list(&e.facts, fact);
    if e.omitted > 0 {
        w.key(key!("omitted"));
        display(w.out, &e.omitted);
    }
    w.close(b'}');
}

fn fact<const P: bool>(w: &mut Json<'_, P>, f: &FactRef) {
    w.open(b'{');
    // The first key is the first of these the fact has.
    let mut first = true;
    if let Some(p) = &f.path {
        w.key_at(key!("path"), first);
        w.string(p);
        first = false;
    }
    if let Some(l) = &f.let_name {
        w.key_at(key!("let"), first);
        w.string(l);
        first = false;
    }
    if let Some(c) = &f.call {
        w.key_at(key!("call"), first);
        w.string(c);
        first = false;
    }
    w.key_at(key!("value"), first);
    any(w, &f.value);
    if f.absent {
        w.key(key!("absent"));
        w.raw(b"true");
    }
    w.close(b'}');
}

fn error<const P: bool>(w: &mut Json<'_, P>, e: &RuleError) {
    w.object(key!("rule"));
    optional_string(w, e.rule.as_deref());
    if let Some(k) = e.kind {
        w.word(key!("kind"), k.as_str());
    }
    w.key(key!("path"));
    optional_string(w, e.path.as_deref());
    w.key(key!("reason"));
    w.string(&e.reason);
    if let Some(s) = &e.source {
        w.key(key!("source"));
        location(w, s);
    }
    if let Some(o) = &e.origin {
        w.key(key!("origin"));
        location(w, o);
    }
    w.key(key!("blocking"));
    w.raw(if e.blocking { b"true" } else { b"false" });
    w.close(b'}');
}

/// A location as its `Serialize` writes it: the string `file:line`, written in place
/// (a match's is written for every matched rule).
fn location<const P: bool>(w: &mut Json<'_, P>, l: &crate::decision::Location) {
    w.string(l.file());
    // The line goes inside the file's quotes (only the file can need escapes): `:`,
    // the digits and the closing quote, built on the stack and copied once (through
    // `fmt`, the line cost more than the rest of the location).
    w.out.pop();
    let mut tail = [b'"'; 22];
    let mut at = tail.len() - 1;
    let mut n = l.line();
    loop {
        at -= 1;
        if let Some(d) = tail.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 1 {
            break;
        }
    }
    at -= 1;
    if let Some(colon) = tail.get_mut(at) {
        *colon = b':';
    }
    w.out.extend_from_slice(tail.get(at..).unwrap_or(&[]));
}

fn miss<const P: bool>(w: &mut Json<'_, P>, m: &Miss) {
    w.object(key!("rule"));
    w.string(&m.rule);
    w.word(key!("kind"), m.kind.as_str());
    w.key(key!("source"));
    location(w, &m.source);
    w.key(key!("evidence"));
    w.list(&m.evidence, evidence);
    w.close(b'}');
}

/// A value as `Value`'s `Serialize` writes it.
fn any<const P: bool>(w: &mut Json<'_, P>, v: &Value) {
    match v {
        Value::Null => w.raw(b"null"),
        Value::Bool(true) => w.raw(b"true"),
        Value::Bool(false) => w.raw(b"false"),
        Value::Number(n) => match i64::try_from(*n) {
            Ok(i) if n.scale() == 0 => display(w.out, &i),
            _ => decimal(w.out, n),
        },
        Value::String(s) => w.string(s),
        Value::Money(m) => {
            w.object(key!("amount"));
            decimal(w.out, &m.amount);
            w.key(key!("currency"));
            w.string(&m.currency);
            w.close(b'}');
        }
        Value::Time(t) => {
            w.out.push(b'"');
            // Time text is digits and signs only: nothing to escape.
            let _ = write_time(t, &mut Utf8(w.out));
            w.out.push(b'"');
        }
        Value::Duration(d) => w.string(&format_duration(*d)),
        Value::List(items) => w.list(items, any),
        Value::Map(m) => {
            w.open(b'{');
            for (i, (k, v)) in m.iter().enumerate() {
                w.next(i == 0);
                w.string(k);
                w.colon(b":");
                any(w, v);
            }
            w.close(b'}');
        }
    }
}

fn optional_string<const P: bool>(w: &mut Json<'_, P>, s: Option<&str>) {
    match s {
        Some(s) => w.string(s),
        None => w.raw(b"null"),
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

    #[test]
    fn locations_are_written_as_their_serialize_writes_them() {
        let text = "x\n".repeat(123_460);
        for name in ["rules/a.bylaw", "we\"ird\\ \u{1}.bylaw", ""] {
            let source = crate::syntax::Source::new(name, text.clone());
            for line in [1usize, 9, 10, 99, 100, 12_345, 123_456] {
                let at = (line - 1) * 2;
                let l =
                    crate::decision::Location::new(crate::syntax::Span::new(&source, at, at + 1));
                assert_eq!(l.line(), line);
                let mut out = Vec::new();
                location(&mut Json::<false>::new(&mut out), &l);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_json::to_string(&l).unwrap()
                );
            }
        }
    }
}
