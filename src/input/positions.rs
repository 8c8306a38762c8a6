//! Where each value of a snapshot was written, so a violation can say `file:line:col`.
//!
//! serde gives no positions for values that parsed fine, so the text is read again:
//! JSON by a small scanner, YAML by an event parser that reports where each node
//! starts. It runs only when there is something to report (a valid snapshot never
//! pays for it), on text the loader already accepted.
//!
//! The YAML scan also gives back the digits a decimal was written with (`yaml_decimals`).
//!
//! Record fields are placed at their key (`order:`), list elements where they start.
//! Values reached through a YAML alias have no place of their own: they are placed at
//! the alias's nearest placed ancestor, as is anything the scanners cannot follow.

use std::collections::HashMap;

use rust_decimal::Decimal;
use saphyr_parser::{Event, Parser, ScalarStyle};

use super::Format;
use crate::value::{Money, Value};

/// The deepest nesting followed (the loaders refuse deeper documents anyway).
const MAX_DEPTH: usize = 256;

/// Document paths (`resources[2].order.amount`) → 1-based line and column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Positions {
    map: HashMap<String, (usize, usize)>,
}

impl Positions {
    /// Scans a snapshot's text. Text the scanner cannot follow just yields fewer positions.
    pub fn scan(text: &str, format: Format) -> Positions {
        let mut p = Positions::default();
        match format {
            Format::Json => {
                let mut s = JsonScanner {
                    text,
                    bytes: text.as_bytes(),
                    i: 0,
                    line: 1,
                    line_start: 0,
                    out: &mut p.map,
                };
                s.skip_ws();
                // `None` means text the scanner gave up on; what it placed so far stays.
                let _ = s.value(&mut String::new(), 0);
            }
            Format::Yaml => scan_yaml(text, &mut p.map, &mut HashMap::new()),
        }
        p
    }

    /// Where the value at `path` was written, if known.
    pub fn get(&self, path: &str) -> Option<(usize, usize)> {
        self.map.get(path).copied()
    }

    /// Where the value at `path` was written, or else its closest placed ancestor
    /// (a missing field is reported where its record is).
    pub fn nearest(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path;
        loop {
            if let Some(at) = self.get(p) {
                return Some(at);
            }
            p = parent(p)?;
        }
    }
}

/// `a.b[2]` → `a.b`, `a.b` → `a`, `a` → `None`.
fn parent(path: &str) -> Option<&str> {
    let cut = path.rfind(['.', '['])?;
    Some(&path[..cut])
}

fn child_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

// ------------------------------------------------------------------ JSON

struct JsonScanner<'t, 'o> {
    text: &'t str,
    bytes: &'t [u8],
    i: usize,
    line: usize,
    line_start: usize,
    out: &'o mut HashMap<String, (usize, usize)>,
}

impl JsonScanner<'_, '_> {
    fn here(&self) -> (usize, usize) {
        let col = self
            .text
            .get(self.line_start..self.i)
            .map_or(0, |s| s.chars().count());
        (self.line, col + 1)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                b' ' | b'\t' | b'\r' => self.i += 1,
                _ => break,
            }
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == b).then(|| self.i += 1)
    }

    /// One value at `path`, whose position the caller recorded.
    fn value(&mut self, path: &mut String, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        match self.peek()? {
            b'{' => {
                self.i += 1;
                self.skip_ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.skip_ws();
                    let at = self.here();
                    let key = self.string()?;
                    let child = child_key(path, &key);
                    self.out.insert(child.clone(), at);
                    self.eat(b':')?;
                    self.value(&mut child.clone(), depth + 1)?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.skip_ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(());
                }
                let mut index = 0usize;
                loop {
                    self.skip_ws();
                    let mut child = format!("{path}[{index}]");
                    self.out.insert(child.clone(), self.here());
                    self.value(&mut child, depth + 1)?;
                    index += 1;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(|_| ()),
            _ => {
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.i += 1;
                }
                Some(())
            }
        }
    }

    /// A string starting at the current `"`, unescaped.
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i;
        self.i += 1;
        let mut escaped = false;
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => {
                    let raw = self.text.get(start..self.i)?;
                    return if raw.contains('\\') {
                        serde_json::from_str(raw).ok()
                    } else {
                        raw.get(1..raw.len() - 1).map(str::to_string)
                    };
                }
                _ => {}
            }
        }
        None
    }
}

// ------------------------------------------------------------------ YAML

enum Frame {
    /// A mapping at `path`; `key` is the key whose value comes next, if one was read.
    Map { path: String, key: Option<String> },
    /// A sequence at `path`; `next` is the index of the next element.
    Seq { path: String, next: usize },
}

/// YAML hands decimals over as binary floats, which keep a value of up to 15 digits but
/// not its text: `2000.10` arrives as `2000.1`. This puts the written digits back, for
/// every plain decimal scalar whose written value is the one loaded.
pub(crate) fn yaml_decimals(text: &str, value: Value) -> Value {
    if !has_fraction(&value) {
        return value;
    }
    let mut written = HashMap::new();
    scan_yaml(text, &mut HashMap::new(), &mut written);
    let mut path = String::new();
    restore(value, &written, &mut path)
}

fn has_fraction(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.scale() > 0,
        Value::Money(m) => m.amount.scale() > 0,
        Value::List(items) => items.iter().any(has_fraction),
        Value::Map(m) => m.iter().any(|(_, v)| has_fraction(v)),
        _ => false,
    }
}

fn restore(v: Value, written: &HashMap<String, String>, path: &mut String) -> Value {
    match v {
        Value::Number(n) => match written
            .get(path.as_str())
            .map(|t| Decimal::from_str_exact(t))
        {
            Some(Ok(exact)) if exact == n => Value::Number(exact),
            _ => Value::Number(n),
        },
        Value::Money(m) => {
            let key = format!("{path}.amount");
            match written.get(&key).map(|t| Decimal::from_str_exact(t)) {
                Some(Ok(exact)) if exact == m.amount => Value::Money(Money {
                    amount: exact,
                    currency: m.currency,
                }),
                _ => Value::Money(m),
            }
        }
        Value::List(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    let out = restore(item.clone(), written, path);
                    path.truncate(len);
                    out
                })
                .collect(),
        ),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, item)| {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    let out = restore(item.clone(), written, path);
                    path.truncate(len);
                    (k.clone(), out)
                })
                .collect(),
        ),
        other => other,
    }
}

/// `-12.50`: a decimal YAML reads as a float, written without exponent.
fn is_plain_decimal(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut parts = body.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn scan_yaml(
    text: &str,
    out: &mut HashMap<String, (usize, usize)>,
    decimals: &mut HashMap<String, String>,
) {
    let mut stack: Vec<Frame> = Vec::new();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            return;
        };
        let at = (span.start.line(), span.start.col() + 1);
        let opens = matches!(event, Event::MappingStart(..) | Event::SequenceStart(..));
        match event {
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => continue,
            Event::StreamEnd | Event::DocumentEnd => return,
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                if stack.is_empty() {
                    return; // the first document is the snapshot
                }
                continue;
            }
            Event::Scalar(ref s, ..) => {
                // A scalar where a key is due is that key.
                if let Some(Frame::Map {
                    path,
                    key: key @ None,
                }) = stack.last_mut()
                {
                    let child = child_key(path, s);
                    out.insert(child, at);
                    *key = Some(s.to_string());
                    continue;
                }
            }
            Event::Alias(_) | Event::MappingStart(..) | Event::SequenceStart(..) => {}
        }
        // A node (a value): where does it sit?
        let path = match stack.last_mut() {
            None => String::new(),
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => child_key(path, &k),
                None => return, // a mapping or alias as a key: snapshots do not use them
            },
            Some(Frame::Seq { path, next }) => {
                let child = format!("{path}[{next}]");
                *next += 1;
                out.insert(child.clone(), at);
                child
            }
        };
        if let Event::Scalar(ref s, ScalarStyle::Plain, ..) = event {
            if is_plain_decimal(s) {
                decimals.insert(path.clone(), s.to_string());
            }
        }
        if opens {
            if stack.len() >= MAX_DEPTH {
                return;
            }
            stack.push(match event {
                Event::SequenceStart(..) => Frame::Seq { path, next: 0 },
                _ => Frame::Map { path, key: None },
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_places_keys_and_elements() {
        let text = "{\n  \"a\": {\"b\": [1, {\"c\": \"x\"}]},\n  \"d\\u0065\": null\n}";
        let p = Positions::scan(text, Format::Json);
        assert_eq!(p.get("a"), Some((2, 3)));
        assert_eq!(p.get("a.b"), Some((2, 9)));
        assert_eq!(p.get("a.b[0]"), Some((2, 15)));
        assert_eq!(p.get("a.b[1]"), Some((2, 18)));
        assert_eq!(p.get("a.b[1].c"), Some((2, 19)));
        assert_eq!(p.get("de"), Some((3, 3)));
        assert_eq!(p.nearest("a.b[1].c.zz"), Some((2, 19)));
        assert_eq!(p.nearest("zz"), None);
    }

    #[test]
    fn yaml_places_keys_and_elements() {
        let text = "a:\n  b:\n    - 1\n    - {c: x}\nd: null\ne: [p, q]\n";
        let p = Positions::scan(text, Format::Yaml);
        assert_eq!(p.get("a"), Some((1, 1)));
        assert_eq!(p.get("a.b"), Some((2, 3)));
        assert_eq!(p.get("a.b[0]"), Some((3, 7)));
        assert_eq!(p.get("a.b[1]"), Some((4, 7)));
        assert_eq!(p.get("a.b[1].c"), Some((4, 8)));
        assert_eq!(p.get("d"), Some((5, 1)));
        assert_eq!(p.get("e[1]"), Some((6, 8)));
    }
}
