//! Where each node of a YAML test file was written, so that a problem in a test
//! file can be shown like a problem in a rule file: line, column, caret.
//!
//! serde_yaml gives values without places, so the text is read a second time with
//! saphyr's event parser (as snapshots are, `facts::positions`), which marks every node; a node is named by its path
//! (`cases[2].matches[0]`), the same path the loader walks.

use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::syntax::{Source, Span};

/// The byte ranges of a YAML document's nodes and keys, by path.
#[derive(Debug, Default)]
pub struct Positions {
    values: HashMap<String, (usize, usize)>,
    keys: HashMap<String, (usize, usize)>,
}

impl Positions {
    /// Reads the places of every node; an unreadable document has none (serde_yaml
    /// reports the syntax error with its own place).
    pub fn of(text: &str) -> Positions {
        // The parser counts characters; spans count bytes.
        let bytes_at = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        });
        let mut recv = Receiver {
            text,
            bytes_at,
            stack: Vec::new(),
            out: Positions::default(),
        };
        // An event the parser cannot read ends the walk: what was placed so far stays.
        for event in Parser::new_from_str(text) {
            let Ok((event, span)) = event else {
                break;
            };
            recv.on_event(event, span.start.index());
        }
        recv.out
    }

    /// The span of the value at `path`, else of its key, else of the closest parent.
    pub fn value(&self, source: &Arc<Source>, path: &str) -> Span {
        self.find(source, path, false)
    }

    /// The span of the key that leads to `path` (the value's when there is no key).
    pub fn key(&self, source: &Arc<Source>, path: &str) -> Span {
        self.find(source, path, true)
    }

    fn find(&self, source: &Arc<Source>, path: &str, key_first: bool) -> Span {
        let mut p = path;
        loop {
            let hit = if key_first {
                self.keys.get(p).or_else(|| self.values.get(p))
            } else {
                self.values.get(p).or_else(|| self.keys.get(p))
            };
            if let Some(&(s, e)) = hit {
                return Span::new(source, s, e);
            }
            match parent(p) {
                Some(up) => p = up,
                None => return Span::new(source, 0, 0),
            }
        }
    }
}

/// `cases[2].matches` → `cases[2]` → `cases` → ``.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// The path of a map entry.
pub(crate) fn child_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The path of a list element.
pub(crate) fn child_index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

enum Frame {
    Seq {
        path: String,
        next: usize,
    },
    Map {
        path: String,
        key: Option<String>,
        first: bool,
    },
}

struct Receiver<'t> {
    text: &'t str,
    /// Byte offset of each character, when the text is not all ASCII.
    bytes_at: Option<Vec<usize>>,
    stack: Vec<Frame>,
    out: Positions,
}

impl Receiver<'_> {
    /// The path of the node about to be read, and whether it is a map key.
    fn slot(&self) -> (String, bool) {
        match self.stack.last() {
            None => (String::new(), false),
            Some(Frame::Seq { path, next }) => (child_index(path, *next), false),
            Some(Frame::Map {
                path, key: None, ..
            }) => (path.clone(), true),
            Some(Frame::Map {
                path, key: Some(k), ..
            }) => (child_key(path, k), false),
        }
    }

    /// A value was read: the parent moves on.
    fn advance(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Seq { next, .. }) => *next += 1,
            Some(Frame::Map { key, .. }) => *key = None,
            None => {}
        }
    }

    fn scalar_end(&self, start: usize, value: &str, style: ScalarStyle) -> usize {
        let rest = self.text.get(start..).unwrap_or("");
        let line_end = start + rest.find('\n').unwrap_or(rest.len());
        let end = match style {
            ScalarStyle::Plain if rest.starts_with(value) => start + value.len(),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => start + value.len() + 2,
            _ => line_end,
        };
        end.min(line_end).max(start)
    }
}

impl Receiver<'_> {
    /// One event, starting at character `index`.
    fn on_event(&mut self, ev: Event, index: usize) {
        let start = match &self.bytes_at {
            Some(v) => v.get(index).copied().unwrap_or(self.text.len()),
            None => index.min(self.text.len()),
        };
        match ev {
            Event::Scalar(value, style, ..) => {
                let (path, is_key) = self.slot();
                let end = self.scalar_end(start, &value, style);
                if is_key {
                    if let Some(Frame::Map {
                        path, key, first, ..
                    }) = self.stack.last_mut()
                    {
                        // A block record is marked after its first key; it starts at that key.
                        if *first {
                            *first = false;
                            if let Some(v) = self.out.values.get_mut(path.as_str()) {
                                v.0 = v.0.min(start);
                                v.1 = v.0 + 1;
                            }
                        }
                        self.out.keys.insert(child_key(path, &value), (start, end));
                        *key = Some(value.into_owned());
                    }
                } else {
                    self.out.values.insert(path, (start, end));
                    self.advance();
                }
            }
            Event::Alias(_) => {
                let (path, is_key) = self.slot();
                if is_key {
                    if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                        *key = Some("*".into());
                    }
                } else {
                    self.out.values.insert(path, (start, start + 1));
                    self.advance();
                }
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let (path, is_key) = self.slot();
                // A record or list used as a key: its contents get no useful path.
                let path = if is_key { format!("{path}.?") } else { path };
                self.out.values.insert(path.clone(), (start, start + 1));
                self.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq { path, next: 0 }
                } else {
                    Frame::Map {
                        path,
                        key: None,
                        first: true,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
                self.advance();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_of_values_and_keys() {
        let text = "cases:\n  - name: one\n    matches: [a.b, \"c\"]\n";
        let src = Source::new("t.yaml", text);
        let pos = Positions::of(text);
        let name = pos.value(&src, "cases[0].name");
        assert_eq!((name.line_col(), name.text()), ((2, 11), "one"));
        let m = pos.value(&src, "cases[0].matches[1]");
        assert_eq!((m.line_col(), m.text()), ((3, 20), "\"c\""));
        let k = pos.key(&src, "cases[0].matches");
        assert_eq!(k.text(), "matches");
        // An unknown path falls back to its closest known parent.
        assert_eq!(pos.value(&src, "cases[0].nope[3]").line_col(), (2, 5));
    }

    #[test]
    fn byte_offsets_after_non_ascii_text() {
        let text = "cases:\n  - name: \"é ü\"\n    decision: denied\n";
        let src = Source::new("t.yaml", text);
        let pos = Positions::of(text);
        assert_eq!(pos.value(&src, "cases[0].decision").text(), "denied");
    }
}
