//! The YAML snapshot reader: one pass over saphyr-parser's events that builds the
//! values within the [`Budget`], refuses the features snapshots may not use
//! ([`yaml_features`]) and keeps the digits a decimal was written with.
//!
//! It reads as serde_yaml read before it (the scalars' meanings, the keys, aliases
//! repeated where they are used), so that a snapshot means what it meant. What it
//! refuses is worded by the serde reader ([`super::load`]'s fallback), so that the
//! messages users see stay those of libyaml; the reader's own message is used where
//! libyaml accepts the text (a feature refused, saphyr refusing the text).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::positions::Mark;
use super::yaml_features::{self, Features, Unsupported};
use super::*;

/// Why a document was refused, in the reader's own words, and where.
pub(super) struct Refused {
    pub(super) line: Option<usize>,
    pub(super) column: Option<usize>,
    pub(super) message: String,
    pub(super) kind: FactsErrorKind,
}

impl From<Unsupported> for Refused {
    fn from(u: Unsupported) -> Refused {
        Refused {
            line: Some(u.line),
            column: Some(u.column),
            message: u.message,
            kind: FactsErrorKind::Other,
        }
    }
}

/// An error of the visitor functions shared with the serde reader (`visitor.rs`).
#[derive(Debug)]
pub(super) struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

impl de::Error for Message {
    fn custom<T: fmt::Display>(msg: T) -> Message {
        Message(msg.to_string())
    }
}

const CORE: &str = "tag:yaml.org,2002:";

enum Frame {
    /// A list; `start` is where its elements begin in the budget's item buffer,
    /// `count` how many it has so far.
    Seq { start: usize, count: usize },
    /// A record; `start` is where its entries begin in the entry buffer, `key` the key
    /// whose value comes next, `seen` the set of keys of a large record.
    Map {
        start: usize,
        key: Option<Arc<str>>,
        seen: Option<HashSet<Arc<str>>>,
    },
}

/// An anchored node: where its events are on the tape (`end` once it is complete).
struct Anchor {
    start: usize,
    end: Option<usize>,
}

struct Reader<'t, 'b, 'm> {
    budget: &'b Budget<'b>,
    stack: Vec<Frame>,
    /// The document's value, once read.
    root: Option<Value>,
    /// The events from the first anchor on (aliases repeat them), with `tape_from`
    /// the count of events read before it.
    tape: Vec<Event<'t>>,
    recording: bool,
    /// Anchors by id, and the stack depths at which anchored collections opened.
    anchors: HashMap<usize, Anchor>,
    open: Vec<(usize, usize)>,
    /// Aliases followed, and events read: serde_yaml refused more than 100 of the one
    /// per event of the document ("repetition limit exceeded").
    jumps: usize,
    events: usize,
    /// Where the event being read starts: line and column, and character index.
    here: (usize, usize),
    here_index: usize,
    /// Where each node starts, in document order (what an alias repeats: at the alias),
    /// to place a schema violation without reading the text again.
    marks: &'m mut Vec<Mark>,
    /// Off while an alias repeats its node: what it repeats has no place of its own.
    marking: bool,
}

/// Reads a YAML snapshot's text (already checked for NULs, deep flow nesting and
/// `!!binary`), marking where each node starts in `marks`. `Err` for text the reader
/// refuses, in its own words.
pub(super) fn read(
    text: &str,
    budget: &Budget<'_>,
    marks: &mut Vec<Mark>,
) -> Result<Value, Refused> {
    if let Some(u) = yaml_features::tag_directive(text) {
        return Err(u.into());
    }
    let mut features = Features::default();
    let mut reader = Reader {
        budget,
        stack: Vec::new(),
        root: None,
        tape: Vec::new(),
        recording: false,
        anchors: HashMap::new(),
        open: Vec::new(),
        jumps: 0,
        events: 0,
        here: (1, 1),
        here_index: 0,
        marks,
        marking: true,
    };
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| Refused::from(yaml_features::parse_error(&e)))?;
        if let Some(u) = features.check(&event, &span) {
            return Err(u.into());
        }
        reader.here = (span.start.line(), span.start.col() + 1);
        reader.here_index = span.start.index();
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(reader.refuse(
                        "the file holds more than one YAML document (`---` starts another): a snapshot is one document; use a .jsonl file for several".into(),
                    ));
                }
            }
            event => reader.original(event)?,
        }
    }
    if reader.jumps > reader.events.saturating_mul(100) {
        return Err(reader.refuse("repetition limit exceeded".into()));
    }
    match reader.root.take() {
        Some(v) => Ok(v),
        None => Err(reader.refuse("the snapshot is empty".into())),
    }
}

impl<'t> Reader<'t, '_, '_> {
    /// A node event as written in the document: recorded for aliases once there are
    /// anchors, then read.
    fn original(&mut self, event: Event<'t>) -> Result<(), Refused> {
        self.events += 1;
        let anchor = match &event {
            Event::Scalar(_, _, id, _)
            | Event::SequenceStart(id, _)
            | Event::MappingStart(id, _) => *id,
            _ => 0,
        };
        if anchor > 0 {
            self.recording = true;
        }
        if self.recording {
            let at = self.tape.len();
            self.tape.push(event.clone());
            if anchor > 0 {
                let end = matches!(event, Event::Scalar(..)).then_some(at + 1);
                self.anchors.insert(anchor, Anchor { start: at, end });
                if end.is_none() {
                    self.open.push((anchor, self.stack.len()));
                }
            }
        }
        let closes = matches!(event, Event::SequenceEnd | Event::MappingEnd);
        self.event(event)?;
        if closes {
            while let Some(&(id, depth)) = self.open.last() {
                if depth < self.stack.len() {
                    break;
                }
                self.open.pop();
                if let Some(a) = self.anchors.get_mut(&id) {
                    a.end = Some(self.tape.len());
                }
            }
        }
        Ok(())
    }

    /// Reads one node event, as written or repeated by an alias.
    fn event(&mut self, event: Event<'t>) -> Result<(), Refused> {
        match event {
            Event::Alias(id) => self.alias(id),
            Event::Scalar(value, style, _, tag) => {
                if matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
                    return self.key(&value);
                }
                self.mark(Mark::Value(self.here_index));
                let v = self.scalar(&value, style, tag.as_deref())?;
                self.done(v)
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
                    return Err(self.refuse(
                        "a key must be text (a fact's name), found a list or record: `? [a, b]` makes a list a key".into(),
                    ));
                }
                if self.stack.len() + 1 > self.budget.limits.max_fact_depth {
                    self.budget.kind.set(FactsErrorKind::TooDeep);
                    return Err(self.refuse(format!(
                        "lists and records are nested more than {} deep, the limit",
                        self.budget.limits.max_fact_depth
                    )));
                }
                self.take(0)?;
                let list = matches!(event, Event::SequenceStart(..));
                self.mark(Mark::Open(self.here_index, list));
                self.stack.push(if list {
                    Frame::Seq {
                        start: self.budget.items.borrow().len(),
                        count: 0,
                    }
                } else {
                    Frame::Map {
                        start: self.budget.entries.borrow().len(),
                        key: None,
                        seen: None,
                    }
                });
                Ok(())
            }
            Event::SequenceEnd => match self.stack.pop().inspect(|_| self.mark(Mark::Close)) {
                Some(Frame::Seq { start, .. }) => {
                    let items: Arc<[Value]> =
                        self.budget.items.borrow_mut().drain(start..).collect();
                    self.done(Value::List(items))
                }
                _ => Err(self.refuse("a list ends where none is open".into())),
            },
            Event::MappingEnd => match self.stack.pop().inspect(|_| self.mark(Mark::Close)) {
                Some(Frame::Map {
                    start, key: None, ..
                }) => {
                    let m = {
                        let entries = self.budget.entries.borrow();
                        money::<Message>(
                            &entries[start..],
                            &Seg::Root,
                            self.budget.limits,
                            Some(self.budget),
                        )
                    };
                    let v = match m {
                        Ok(Some(m)) => {
                            self.budget.entries.borrow_mut().truncate(start);
                            m
                        }
                        Ok(None) => {
                            Value::Map(self.budget.entries.borrow_mut().drain(start..).collect())
                        }
                        Err(_) => {
                            // Worded again with the record's place.
                            let path = self.path();
                            let entries = self.budget.entries.borrow();
                            let at = Seg::Key(&Seg::Root, &path);
                            let at = if path.is_empty() { &Seg::Root } else { &at };
                            let e = money::<Message>(
                                &entries[start..],
                                at,
                                self.budget.limits,
                                Some(self.budget),
                            );
                            let message = e.err().map_or_else(String::new, |e| e.0);
                            drop(entries);
                            return Err(self.refuse_here(message));
                        }
                    };
                    self.done(v)
                }
                _ => Err(self.refuse("a record ends where none is open".into())),
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => Ok(()),
        }
    }

    /// An alias: the anchored node's events read again here, as serde_yaml did.
    fn alias(&mut self, id: usize) -> Result<(), Refused> {
        self.jumps += 1;
        let Some(&Anchor {
            start,
            end: Some(end),
        }) = self.anchors.get(&id)
        else {
            return Err(
                self.refuse("an alias (`*name`) to a node that is not complete before it".into())
            );
        };
        if matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
            // A key: serde_yaml read an alias to text as that text.
            return match &self.tape[start] {
                Event::Scalar(value, ..) if end == start + 1 => {
                    let value = value.clone();
                    self.key(&value)
                }
                _ => Err(self.refuse(
                    "a key must be text (a fact's name), found a list or record: `? [a, b]` makes a list a key".into(),
                )),
            };
        }
        // Placed at the alias, as a whole (the scanner placed aliases so).
        self.mark(Mark::Value(self.here_index));
        let marking = std::mem::replace(&mut self.marking, false);
        for i in start..end {
            let event = self.tape[i].clone();
            self.event(event)?;
        }
        self.marking = marking;
        Ok(())
    }

    fn mark(&mut self, mark: Mark) {
        if self.marking {
            self.marks.push(mark);
        }
    }

    fn key(&mut self, text: &str) -> Result<(), Refused> {
        let key = intern_key(text);
        // The key's path is worked out only for a refusal.
        if let Err(m) = self.budget.take::<Message>(&Seg::Root, key.len()) {
            return Err(self.refuse_at(&self.path_with(&key), m.0));
        }
        let Some(Frame::Map {
            start,
            key: slot,
            seen,
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        if repeated(&self.budget.entries.borrow()[*start..], seen, &key) {
            self.budget.kind.set(FactsErrorKind::DuplicateKey);
            let path = self.path_with(&key);
            return Err(self.refuse_at(&path, "this key appears twice in the same record".into()));
        }
        if self.marking {
            self.marks
                .push(Mark::Key(Arc::clone(&key), self.here_index));
        }
        *slot = Some(key);
        Ok(())
    }

    /// A finished value, into its list or record (or as the document's value).
    fn done(&mut self, v: Value) -> Result<(), Refused> {
        let max = self.budget.limits.max_list_len;
        match self.stack.last_mut() {
            None => {
                self.root = Some(v);
                Ok(())
            }
            Some(Frame::Seq { count, .. }) => {
                if *count == max {
                    // Said of the list, as the serde reader says it.
                    let path = self.path();
                    let list = &path[..path.rfind('[').unwrap_or(0)];
                    return Err(self.refuse_at(
                        list,
                        format!("the list has more than {max} elements, the limit"),
                    ));
                }
                *count += 1;
                self.budget.items.borrow_mut().push(v);
                Ok(())
            }
            Some(Frame::Map { key, .. }) => {
                if let Some(k) = key.take() {
                    self.budget.entries.borrow_mut().push((k, v));
                }
                Ok(())
            }
        }
    }

    /// A scalar's value, as serde_yaml resolved it: the core schema's tags, else a
    /// plain scalar's null, boolean, integer or float, else text.
    fn scalar(&mut self, v: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, Refused> {
        let b = self.budget;
        let visitor = || NodeVisitor(&Seg::Root, b);
        let result: Result<Value, Message> = match tag {
            Some(t) if t.handle == CORE && t.suffix == "bool" => match parse_bool(v) {
                Some(x) => visitor().visit_bool(x),
                None => Err(Message(format!(
                    "invalid value: string {v:?}, expected a boolean"
                ))),
            },
            Some(t) if t.handle == CORE && t.suffix == "int" => match self.int(v) {
                Some(r) => r,
                None => Err(Message(format!(
                    "invalid value: string {v:?}, expected an integer"
                ))),
            },
            Some(t) if t.handle == CORE && t.suffix == "float" => match parse_f64(v) {
                Some(f) => self.float(v, f),
                None => Err(Message(format!(
                    "invalid value: string {v:?}, expected a float"
                ))),
            },
            Some(t) if t.handle == CORE && t.suffix == "null" => match parse_null(v) {
                true => visitor().visit_unit(),
                false => Err(Message(format!(
                    "invalid value: string {v:?}, expected null"
                ))),
            },
            Some(_) => visitor().visit_str(v),
            None if style == ScalarStyle::Plain => self.untagged(v),
            None => visitor().visit_str(v),
        };
        result.map_err(|m| self.refuse_here(m.0))
    }

    fn untagged(&mut self, v: &str) -> Result<Value, Message> {
        let visitor = NodeVisitor(&Seg::Root, self.budget);
        if v.is_empty() || parse_null(v) {
            return visitor.visit_unit();
        }
        if let Some(x) = parse_bool(v) {
            return visitor.visit_bool(x);
        }
        if let Some(r) = self.int(v) {
            return r;
        }
        if !digits_but_not_number(v) {
            if let Some(f) = parse_f64(v) {
                return self.float(v, f);
            }
        }
        visitor.visit_str(v)
    }

    /// serde_yaml's integers: `u64`, then `i64`, then the 128-bit ones.
    fn int(&mut self, v: &str) -> Option<Result<Value, Message>> {
        let visitor = NodeVisitor(&Seg::Root, self.budget);
        if let Some(n) = parse_unsigned_int(v, u64::from_str_radix) {
            return Some(visitor.visit_u64(n));
        }
        if let Some(n) = parse_negative_int(v, i64::from_str_radix) {
            return Some(visitor.visit_i64(n));
        }
        if let Some(n) = parse_unsigned_int(v, u128::from_str_radix) {
            return Some(visitor.visit_u128(n));
        }
        parse_negative_int(v, i128::from_str_radix).map(|n| visitor.visit_i128(n))
    }

    /// A float, read as the serde reader reads it, with its written digits kept: `2000.10`
    /// stays `2000.10` (a float would say `2000.1`). Written with more digits than a
    /// float holds, it is refused: the float is not the number written.
    fn float(&mut self, written: &str, f: f64) -> Result<Value, Message> {
        let mantissa = written.split(['e', 'E']).next().unwrap_or("");
        let digits = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .skip_while(|&d| d == b'0')
            .count();
        if digits > 15 {
            self.budget.take::<Message>(&Seg::Root, 0)?;
            return Err(Message(format!(
                "a number read as `{f}` was written with more digits than YAML reads exactly; write it as a string (\"...\")"
            )));
        }
        let v = NodeVisitor(&Seg::Root, self.budget).visit_f64::<Message>(f)?;
        if let Value::Number(n) = v {
            if is_plain_decimal(written) {
                if let Ok(exact) = Decimal::from_str_exact(written) {
                    if exact == n {
                        return Ok(Value::Number(exact));
                    }
                }
            }
        }
        Ok(v)
    }

    fn take(&mut self, bytes: usize) -> Result<(), Refused> {
        self.budget
            .take::<Message>(&Seg::Root, bytes)
            .map_err(|m| self.refuse_here(m.0))
    }

    /// The path of the value being read (`a.b[2]`).
    fn path(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Seq { count, .. } => path.push_str(&format!("[{count}]")),
                Frame::Map { key, .. } => {
                    if let Some(k) = key {
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(k);
                    }
                }
            }
        }
        path
    }

    fn path_with(&self, key: &str) -> String {
        let path = self.path();
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    }

    fn refuse_here(&self, message: String) -> Refused {
        let path = self.path();
        self.refuse_at(&path, message)
    }

    fn refuse_at(&self, path: &str, message: String) -> Refused {
        if path.is_empty() {
            self.refuse(message)
        } else {
            self.refuse(format!("at `{path}`: {message}"))
        }
    }

    fn refuse(&self, message: String) -> Refused {
        Refused {
            line: Some(self.here.0),
            column: Some(self.here.1),
            message,
            kind: self.budget.kind.take(),
        }
    }
}

// serde_yaml's resolution of plain scalars (serde_yaml 0.9, `de.rs`), kept as it was
// so that a snapshot means what it meant when serde_yaml read it.

fn parse_null(v: &str) -> bool {
    matches!(v, "null" | "Null" | "NULL" | "~")
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

type Radix<T> = fn(&str, u32) -> Result<T, std::num::ParseIntError>;

fn parse_unsigned_int<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

fn parse_negative_int<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = match scalar.strip_prefix('+') {
        Some(u) if u.starts_with(['+', '-']) => return None,
        Some(u) => u,
        None => scalar,
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN.copysign(1.0));
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros followed by digits: text in YAML 1.2.
fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly
    use super::*;

    /// The serde reader (serde_yaml's values through the shared visitor), as the
    /// snapshot reader was before this one: it still words refusals.
    fn by_serde(text: &str) -> Result<Value, String> {
        let limits = Limits::default();
        let budget = Budget::new(
            &limits,
            text,
            super::super::yaml_scan::long_numbers(text),
            Vec::new(),
            Vec::new(),
        );
        let de = serde_yaml::Deserializer::from_str(text);
        NodeSeed(&Seg::Root, &budget)
            .deserialize(de)
            .map_err(|e| e.to_string())
    }

    fn by_saphyr(text: &str) -> Result<Value, String> {
        let limits = Limits::default();
        let budget = Budget::new(&limits, text, Vec::new(), Vec::new(), Vec::new());
        read(text, &budget, &mut Vec::new()).map_err(|r| r.message)
    }

    /// Every document this reader reads, the serde reader read alike (numbers by
    /// value: this one keeps the written digits). `BYLAW_YAML_CORPUS=DIR` adds the
    /// files of DIR (`tests/it/yaml_agree.rs` writes its generated documents there).
    #[test]
    fn what_is_read_the_serde_reader_read_alike() {
        let mut docs: Vec<String> = [
            "a: 1\nb: -2\nc: 0x1F\nd: +3\ne: 1.50\nf: .5\ng: -0.0\nh: ~\ni: null\nj:\nk: true\nl: False\n",
            "a: !!str 12\nb: !!int 12\nc: !!float 1\nd: !!bool true\ne: !!null ~\nf: !!map {x: 1}\ng: !!seq [1]\n",
            "a: &x {amount: 1.50, currency: USD}\nb: *x\nc: [*x, *x]\n",
            "a: &s text\n*s : 1\n",
            "m: {amount: \"2000.00\", currency: CNY}\nt: 2021-09-30T10:00:00+08:00\nu: \"2021-09-30T10:00:00\"\n",
            "a: 9223372036854775808\nb: -9223372036854775809\nc: 123456789012345678901234567890\n",
            "a: 1e300\nb: 0.1e-30\nc: .inf\nd: .nan\n",
            "a: |\n  block\nb: >\n  folded\n  text\nc: '' \nd: \"\"\n",
            "---\na: 1\n...\n",
            "a: 1\n---\nb: 2\n",
            "a: [1, 2\n",
            "- 1\n- 2\n",
            "a: 1\na: 2\n",
            "a: 1.0000000000000000001\n",
            "a: !!null ''\n",
            "a: !!int x\n",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if let Some(dir) = std::env::var_os("BYLAW_YAML_CORPUS") {
            for entry in std::fs::read_dir(dir).unwrap() {
                docs.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
            }
        }
        let (mut read_both, mut refused_here, mut refused_both) = (0, 0, 0);
        for doc in &docs {
            match (by_saphyr(doc), by_serde(doc)) {
                (Ok(ours), Ok(theirs)) => {
                    assert_eq!(ours, theirs, "{doc}");
                    read_both += 1;
                }
                (Ok(ours), Err(e)) => panic!("{doc}\nread as {ours:?}, serde: {e}"),
                (Err(_), Ok(_)) => refused_here += 1,
                (Err(_), Err(_)) => refused_both += 1,
            }
        }
        eprintln!(
            "read by both {read_both}, refused here only {refused_here}, by both {refused_both}"
        );
        assert!(read_both > 5 && refused_both > 3);
    }

    #[test]
    fn written_digits_are_kept() {
        let v = by_saphyr("a: 2000.10\nb: 2.0\nc: &c 1.50\nd: *c\ne: 1.0e3\n").unwrap();
        let text = serde_json::to_string(&v).unwrap();
        // A decimal with places is written as a string (JSON numbers are floats to many).
        assert_eq!(
            text,
            r#"{"a":"2000.10","b":"2.0","c":"1.50","d":"1.50","e":1000}"#
        );
    }
}
