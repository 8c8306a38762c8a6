//! Where each value and key of a document was written, by path: snapshots (to place a
//! schema violation or a value error at `file:line:col`) and test files (to show a
//! problem with a caret, like one in a rule file) share this one record.
//!
//! A YAML snapshot's places are recorded by its reader as it reads ([`Marks`]: where
//! each node starts, in document order) and made into paths only when there is
//! something to place ([`Positions::from_marks`]), with no second parse. JSON's readers
//! record none, so a JSON snapshot is scanned again (a small scanner), only then. A
//! test file is placed, and told YAML or not, by one pass of saphyr's event parser.
//!
//! What is recorded is byte ranges: of each value (`resources[2]`, where it starts) and
//! of each key (`order`). Lines and columns come from a byte offset through a
//! line-start index built once and searched by halves, and columns (in characters)
//! through a running character count kept every [`BLOCK`] bytes: placing every value of
//! a long one-line snapshot stays linear. Values reached through a YAML alias have no
//! place of their own: they are placed at the alias, as is anything the scanners cannot
//! follow at its nearest placed ancestor.

use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::Format;
use crate::syntax::{Source, Span};

/// The deepest nesting followed (the loaders refuse deeper documents anyway).
const MAX_DEPTH: usize = 256;

/// Bytes between two kept character counts: a column costs at most this many steps
/// beyond the binary search for its line.
const BLOCK: usize = 64;

/// The byte ranges of a document's values and keys by path (`resources[2].order.amount`),
/// and the index that turns a byte offset into a line and column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Positions {
    values: HashMap<String, (usize, usize)>,
    keys: HashMap<String, (usize, usize)>,
    lines: Lines,
}

impl Positions {
    /// Scans a document's text. Text the scanner cannot follow just yields fewer positions.
    pub fn scan(text: &str, format: Format) -> Positions {
        let mut p = Positions {
            lines: Lines::new(text, format),
            ..Positions::default()
        };
        match format {
            Format::Json => {
                let mut s = JsonScanner {
                    text,
                    bytes: text.as_bytes(),
                    i: 0,
                    out: &mut p,
                };
                s.skip_ws();
                // `None` means text the scanner gave up on; what it placed so far stays.
                let _ = s.value("", 0);
            }
            // Text that is not YAML just yields fewer positions.
            Format::Yaml => {
                let _ = scan_yaml(text, &mut p);
            }
        }
        p
    }

    /// Where the value at `path` was written (a record's field: its key), as 1-based
    /// line and column, if known.
    pub fn get(&self, path: &str) -> Option<(usize, usize)> {
        if path.is_empty() {
            return None; // the document itself is not a place worth naming
        }
        let &(start, _) = self.keys.get(path).or_else(|| self.values.get(path))?;
        Some(self.lines.line_col(start))
    }

    /// Every path placed (values and keys), for tests that compare two placings.
    #[cfg(test)]
    pub(crate) fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .values
            .keys()
            .chain(self.keys.keys())
            .cloned()
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    /// Where the value at `path` was written, or else its closest placed ancestor
    /// (a missing field is reported where its record is).
    pub fn nearest(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path;
        loop {
            if let Some(at) = self.get(p) {
                return Some(at);
            }
            p = parent(p).filter(|p| !p.is_empty())?;
        }
    }

    /// The span of the value at `path`, else of its key, else of the closest parent.
    pub fn value(&self, source: &Arc<Source>, path: &str) -> Span {
        self.span(source, path, false)
    }

    /// The span of the key that leads to `path` (the value's when there is no key).
    pub fn key(&self, source: &Arc<Source>, path: &str) -> Span {
        self.span(source, path, true)
    }

    fn span(&self, source: &Arc<Source>, path: &str, key_first: bool) -> Span {
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

/// `cases[2].matches` → `cases[2]` → `cases` → `` → `None`.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// The path of a record's field.
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

// ------------------------------------------------------------------ lines

/// Byte offset → 1-based line and column (in characters), as the format counts them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Lines {
    /// The byte offset where each line starts (the first is 0).
    starts: Vec<usize>,
    /// Characters before byte `k * BLOCK`, for each k.
    chars: Vec<usize>,
    /// The text's bytes, to count the characters of a block's first part.
    text: Vec<u8>,
}

impl Lines {
    /// JSON breaks lines at `\n` only; YAML (as saphyr counts) also at a lone `\r`.
    fn new(text: &str, format: Format) -> Lines {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut chars = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut count = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if i % BLOCK == 0 {
                chars.push(count);
            }
            if b & 0xC0 != 0x80 {
                count += 1;
            }
            let breaks = match b {
                b'\n' => true,
                b'\r' => format == Format::Yaml && bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if breaks {
                starts.push(i + 1);
            }
        }
        chars.push(count);
        Lines {
            starts,
            chars,
            text: bytes.to_vec(),
        }
    }

    /// Characters before byte `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / BLOCK;
        let kept = self.chars.get(block).copied().unwrap_or(0);
        let from = (block * BLOCK).min(self.text.len());
        let to = offset.min(self.text.len());
        kept + self
            .text
            .get(from..to)
            .map_or(0, |s| s.iter().filter(|&&b| b & 0xC0 != 0x80).count())
    }

    fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col = self
            .chars_before(offset)
            .saturating_sub(self.chars_before(start));
        (line + 1, col + 1)
    }
}

// ------------------------------------------------------------------ JSON

struct JsonScanner<'t, 'o> {
    text: &'t str,
    bytes: &'t [u8],
    i: usize,
    out: &'o mut Positions,
}

impl JsonScanner<'_, '_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == b).then(|| self.i += 1)
    }

    /// One value at `path`, whose position the caller recorded.
    fn value(&mut self, path: &str, depth: usize) -> Option<()> {
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
                    let at = self.i;
                    let key = self.string()?;
                    let child = child_key(path, &key);
                    self.out.keys.insert(child.clone(), (at, self.i));
                    self.eat(b':')?;
                    self.skip_ws();
                    let start = self.i;
                    self.value(&child, depth + 1)?;
                    self.out.values.insert(child, (start, self.i));
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
                    let child = child_index(path, index);
                    let start = self.i;
                    self.out.values.insert(child.clone(), (start, start + 1));
                    self.value(&child, depth + 1)?;
                    self.out.values.insert(child, (start, self.i));
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

/// One node of a YAML document where it starts (saphyr's character index), in
/// document order: what the YAML snapshot reader records as it reads, so that a value
/// can be placed without reading the text again.
#[derive(Debug, Clone)]
pub(crate) enum Mark {
    /// A record's key.
    Key(Arc<str>, usize),
    /// A scalar value (or an alias, in a scan).
    Value(usize),
    /// A list (`true`) or record opens.
    Open(usize, bool),
    /// The innermost open list or record closes.
    Close,
}

/// The places of a YAML snapshot's nodes as its reader met them ([`Mark`]s, document
/// order; what an alias repeats is marked at the alias). Turned into [`Positions`]
/// only when there is something to place.
#[derive(Debug, Clone, Default)]
pub struct Marks(pub(crate) Vec<Mark>);

/// The most marks a thread keeps a buffer for between snapshots.
const MARKS_KEPT: usize = 4096;

thread_local! {
    /// A finished snapshot's marks buffer, for the thread's next snapshot: a buffer
    /// grown anew for each snapshot cost more than recording the marks.
    static KEPT: std::cell::RefCell<Vec<Mark>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Marks {
    /// Empty marks for a document in `format`: YAML's in the buffer the thread kept,
    /// if any; JSON records none (nor touches the kept buffer).
    pub(crate) fn of(format: Format) -> Marks {
        match format {
            Format::Yaml => Marks(
                KEPT.with(|k| k.try_borrow_mut().map(|mut k| std::mem::take(&mut *k)))
                    .unwrap_or_default(),
            ),
            Format::Json => Marks::default(),
        }
    }
}

impl Drop for Marks {
    /// The buffer goes back to the thread, emptied, unless it grew unusually large.
    fn drop(&mut self) {
        let mut buffer = std::mem::take(&mut self.0);
        if buffer.capacity() == 0 || buffer.capacity() > MARKS_KEPT {
            return;
        }
        buffer.clear();
        KEPT.with(|k| {
            if let Ok(mut k) = k.try_borrow_mut() {
                if buffer.capacity() > k.capacity() {
                    *k = buffer;
                }
            }
        });
    }
}

impl Positions {
    /// The positions of a YAML document from the marks its reader recorded: no parse,
    /// only the line index of `text` (the document the marks were recorded in).
    pub fn from_marks(text: &str, marks: &Marks) -> Positions {
        let mut p = Positions {
            lines: Lines::new(text, Format::Yaml),
            ..Positions::default()
        };
        let bytes = ByteOffsets::new(text);
        let mut recv = Receiver {
            stack: Vec::new(),
            out: &mut p,
        };
        for mark in &marks.0 {
            let node = match mark {
                Mark::Key(k, i) => (Node::Key(k), bytes.of(*i)),
                Mark::Value(i) => (Node::Value, bytes.of(*i)),
                Mark::Open(i, list) => (Node::Open { list: *list }, bytes.of(*i)),
                Mark::Close => (Node::Close, 0),
            };
            // The end of a value is not recorded (a snapshot's places are starts).
            if !recv.on_node(node.0, node.1, node.1) {
                break;
            }
        }
        p
    }
}

/// Character index → byte offset (the parser counts characters; ranges count bytes).
struct ByteOffsets {
    /// Byte offset of each character, when the text is not all ASCII.
    at: Option<Vec<usize>>,
    len: usize,
}

impl ByteOffsets {
    fn new(text: &str) -> ByteOffsets {
        let at = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        });
        ByteOffsets {
            at,
            len: text.len(),
        }
    }

    fn of(&self, index: usize) -> usize {
        match &self.at {
            Some(v) => v.get(index).copied().unwrap_or(self.len),
            None => index.min(self.len),
        }
    }
}

enum Frame {
    /// A list at `path`; `next` is the index of the next element.
    Seq { path: String, next: usize },
    /// A record at `path`; `key` is the key whose value comes next, if one was read;
    /// `first` until its first key was read.
    Map {
        path: String,
        key: Option<String>,
        first: bool,
    },
}

/// A node as the path builder sees it: from the parser's events (a scan) or from the
/// reader's marks.
enum Node<'k> {
    Key(&'k str),
    Value,
    Open { list: bool },
    Close,
}

/// Why a text is not YAML, as saphyr-parser says where it stops: typed, with its place
/// apart from its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlSyntaxError {
    /// The byte offset where the parser stopped.
    pub(crate) offset: usize,
    /// What it found wrong (without a place: `offset` is the place).
    pub(crate) problem: String,
    /// Where it stopped, for the hint.
    pub(crate) kind: YamlSyntaxKind,
}

/// Where in the document a [`YamlSyntaxError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum YamlSyntaxKind {
    /// Inside a flow collection (`{…}`, `[…]`), where `[`, `]`, `{`, `}` and `,` end
    /// plain text.
    InFlow,
    /// Anywhere else.
    Other,
}

impl Positions {
    /// Scans a YAML document's text, or says why it is not YAML: one saphyr-parser pass
    /// gives the places and the verdict (a test file's).
    pub(crate) fn scan_yaml_checked(text: &str) -> Result<Positions, YamlSyntaxError> {
        let mut p = Positions {
            lines: Lines::new(text, Format::Yaml),
            ..Positions::default()
        };
        scan_yaml(text, &mut p)?;
        Ok(p)
    }
}

/// Reads the places of every node of the first document; what was placed before an
/// event the parser cannot read stays. The parse goes on to the end of the first
/// document (or past the deepest nesting followed) for its verdict.
fn scan_yaml(text: &str, out: &mut Positions) -> Result<(), YamlSyntaxError> {
    let bytes = ByteOffsets::new(text);
    let mut recv = Receiver {
        stack: Vec::new(),
        out,
    };
    let mut placing = true;
    // Whether each open collection is written in flow style.
    let mut flow: Vec<bool> = Vec::new();
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlSyntaxError {
            offset: bytes.of(e.marker().index()),
            problem: e.info().to_string(),
            kind: match flow.last() {
                Some(true) => YamlSyntaxKind::InFlow,
                _ => YamlSyntaxKind::Other,
            },
        })?;
        let start = bytes.of(span.start.index());
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                flow.push(matches!(text.as_bytes().get(start), Some(b'[' | b'{')));
                if flow.len() > MAX_DEPTH {
                    return Ok(());
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                flow.pop();
            }
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Ok(());
                }
            }
            _ => {}
        }
        if !placing {
            continue;
        }
        placing = match event {
            Event::Scalar(value, style, ..) => {
                let end = scalar_end(text, start, &value, style);
                if recv.expects_key() {
                    recv.on_node(Node::Key(&value), start, end)
                } else {
                    recv.on_node(Node::Value, start, end)
                }
            }
            // An alias key has no name of its own here.
            Event::Alias(_) if recv.expects_key() => recv.on_node(Node::Key("*"), start, start),
            Event::Alias(_) => recv.on_node(Node::Value, start, start + 1),
            Event::SequenceStart(..) => recv.on_node(Node::Open { list: true }, start, start + 1),
            Event::MappingStart(..) => recv.on_node(Node::Open { list: false }, start, start + 1),
            Event::SequenceEnd | Event::MappingEnd => recv.on_node(Node::Close, start, start),
            Event::DocumentEnd | Event::StreamEnd => false,
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => true,
        };
    }
    Ok(())
}

/// Where a scalar written at byte `start` ends, as far as one line tells.
fn scalar_end(text: &str, start: usize, value: &str, style: ScalarStyle) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let line_end = start + rest.find('\n').unwrap_or(rest.len());
    let end = match style {
        ScalarStyle::Plain if rest.starts_with(value) => start + value.len(),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => start + value.len() + 2,
        _ => line_end,
    };
    end.min(line_end).max(start)
}

/// Builds the paths of a document's nodes as they come, in document order.
struct Receiver<'o> {
    stack: Vec<Frame>,
    out: &'o mut Positions,
}

impl Receiver<'_> {
    /// Whether the next node is a record's key.
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    /// The path of the node about to be read, and whether it is a record's key.
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

    /// One node, written from byte `start` to `end`; `false` once the document is over.
    fn on_node(&mut self, node: Node<'_>, start: usize, end: usize) -> bool {
        match node {
            Node::Key(name) => {
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
                    self.out.keys.insert(child_key(path, name), (start, end));
                    *key = Some(name.to_string());
                }
            }
            Node::Value => {
                let (path, _) = self.slot();
                self.out.values.insert(path, (start, end));
                self.advance();
            }
            Node::Open { list } => {
                if self.stack.len() >= MAX_DEPTH {
                    return false;
                }
                let (path, is_key) = self.slot();
                // A record or list used as a key: its contents get no useful path.
                let path = if is_key { format!("{path}.?") } else { path };
                self.out.values.insert(path.clone(), (start, end));
                self.stack.push(if list {
                    Frame::Seq { path, next: 0 }
                } else {
                    Frame::Map {
                        path,
                        key: None,
                        first: true,
                    }
                });
            }
            Node::Close => {
                self.stack.pop();
                self.advance();
                // The first document is the whole snapshot or test file.
                return !self.stack.is_empty();
            }
        }
        true
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
        assert_eq!(p.get(""), None);
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

    #[test]
    fn columns_count_characters_and_yaml_lines_break_at_a_lone_cr() {
        // Near miss: JSON counts a lone `\r` as whitespace on the same line.
        let json = "{\"é\": 1,\r \"ü\": [true, \"ß\", 2]}";
        let p = Positions::scan(json, Format::Json);
        assert_eq!(p.get("ü[2]"), Some((1, 28)));
        let yaml = "a: é\rb:\r\n  - ü\n  - x\n";
        let p = Positions::scan(yaml, Format::Yaml);
        assert_eq!(p.get("b"), Some((2, 1)));
        assert_eq!(p.get("b[1]"), Some((4, 5)));
    }

    #[test]
    fn columns_past_a_block_boundary() {
        let long = "é".repeat(100);
        let text = format!("{{\"{long}\": [1, 2]}}");
        let p = Positions::scan(&text, Format::Json);
        assert_eq!(p.get(&format!("{long}[1]")), Some((1, 110)));
    }

    #[test]
    fn places_of_values_and_keys() {
        let text = "cases:\n  - name: one\n    matches: [a.b, \"c\"]\n";
        let src = Source::new("t.yaml", text);
        let pos = Positions::scan(text, Format::Yaml);
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
        let pos = Positions::scan(text, Format::Yaml);
        assert_eq!(pos.value(&src, "cases[0].decision").text(), "denied");
    }
}
