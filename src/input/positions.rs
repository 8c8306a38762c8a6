//! Where each value of a snapshot was written, so a violation can say `file:line:col`.
//!
//! serde gives no positions for values that parsed fine, so the text is read again:
//! JSON by a small scanner, YAML by an event parser that reports where each node
//! starts. It runs only when there is something to report (a valid snapshot never
//! pays for it), on text the loader already accepted.
//!
//! Record fields are placed at their key (`order:`), list elements where they start.
//! Values reached through a YAML alias have no place of their own: they are placed at
//! the alias's nearest placed ancestor, as is anything the scanners cannot follow.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

use super::Format;

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
                    counted: 0,
                    counted_to: 0,
                    out: &mut p.map,
                };
                s.skip_ws();
                // `None` means text the scanner gave up on; what it placed so far stays.
                let _ = s.value(&mut String::new(), 0);
            }
            Format::Yaml => scan_yaml(text, &mut p.map),
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
    /// Characters of the line counted so far, up to byte `counted_to`: the column is
    /// counted on from the last one, not from the line's start for each value (which
    /// was quadratic on a long one-line snapshot).
    counted: usize,
    counted_to: usize,
    out: &'o mut HashMap<String, (usize, usize)>,
}

impl JsonScanner<'_, '_> {
    fn here(&mut self) -> (usize, usize) {
        if self.counted_to < self.line_start {
            self.counted = 0;
            self.counted_to = self.line_start;
        }
        self.counted += self
            .text
            .get(self.counted_to..self.i)
            .map_or(0, |s| s.chars().count());
        self.counted_to = self.counted_to.max(self.i);
        (self.line, self.counted + 1)
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
                    let at = self.here();
                    self.out.insert(child.clone(), at);
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

fn scan_yaml(text: &str, out: &mut HashMap<String, (usize, usize)>) {
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
