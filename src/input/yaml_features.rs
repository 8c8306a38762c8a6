//! The YAML features a snapshot may use, and the refusal of every other one.
//!
//! serde_yaml reads what it does not implement as something else: a merge key
//! (`<<: *base`) arrives as an ordinary key named `<<`, and a tag spelled through a
//! `%TAG` directive (`!e!binary`) or verbatim (`!<tag:yaml.org,2002:binary>`) arrives
//! as plain text. A producer who wrote those meant something else, and a filter
//! silently absent is a decision silently wrong. So the snapshot reader
//! (`yaml_reader.rs`, on saphyr-parser's events) checks each event here as it reads
//! it: a feature is either read with its standard meaning or refused, never read as
//! something else.

#[cfg(test)]
use saphyr_parser::Parser;
use saphyr_parser::{Event, ScalarStyle, Span, Tag};

/// A YAML feature the snapshot reader does not implement, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is refused, and what to write instead.
    pub message: String,
}

/// The core-schema tags serde_yaml reads with their standard meaning, per node kind.
const SCALAR_TAGS: [&str; 5] = ["str", "int", "float", "bool", "null"];
const CORE: &str = "tag:yaml.org,2002:";

#[derive(Clone, Copy)]
enum Frame {
    /// A mapping; `true` while its next node is a key.
    Map(bool),
    Seq,
}

/// The `%TAG` directive of `text`, if it has one. Directives come before the document,
/// each on its own line from the first column. `%TAG` rebinds handles (even `!!`), so
/// after one no tag means what it reads as.
pub(crate) fn tag_directive(text: &str) -> Option<Unsupported> {
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("%TAG") {
            return Some(Unsupported {
                line: i + 1,
                column: 1,
                message: "a `%TAG` directive, which snapshots may not use: tags are \
                          refused but for `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`"
                    .into(),
            });
        }
    }
    None
}

/// A parser error, as a refusal: where saphyr-parser refuses text another YAML reader
/// may accept, and the two would read it differently.
pub(crate) fn parse_error(e: &saphyr_parser::ScanError) -> Unsupported {
    Unsupported {
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: format!(
            "YAML that parsers read differently ({}); write it plainly",
            e.info()
        ),
    }
}

/// Checks a document's events one at a time, in document order, for the features the
/// reader refuses (aliases are not followed: each written node is checked once).
#[derive(Default)]
pub(crate) struct Features {
    stack: Vec<Frame>,
}

impl Features {
    /// The refusal of this event, if it uses a feature snapshots may not use.
    pub(crate) fn check(&mut self, event: &Event<'_>, span: &Span) -> Option<Unsupported> {
        let at = |message: String| Unsupported {
            line: span.start.line(),
            column: span.start.col() + 1,
            message,
        };
        let is_key = match self.stack.last_mut() {
            Some(Frame::Map(key)) => match event {
                Event::Scalar(..)
                | Event::Alias(..)
                | Event::MappingStart(..)
                | Event::SequenceStart(..) => {
                    let is_key = *key;
                    *key = !*key;
                    is_key
                }
                _ => false,
            },
            _ => false,
        };
        match event {
            Event::Scalar(value, style, _, tag) => {
                if let Some(tag) = tag {
                    if !core(tag, &SCALAR_TAGS) {
                        return Some(at(refused_tag(tag)));
                    }
                    // `!!int "12"`: readers differ on whether the tag or the quotes win.
                    if *style != ScalarStyle::Plain && tag.suffix != "str" {
                        return Some(at(format!(
                            "the tag `!!{}` on a quoted value, which YAML readers read \
                             differently; write the value plainly",
                            tag.suffix
                        )));
                    }
                } else if *style == ScalarStyle::Plain && !is_key {
                    // A key is a name, looked up as written (`n:`, `off:` are facts).
                    if let Some(why) = ambiguous(value) {
                        return Some(at(format!(
                            "`{value}` is read differently by YAML readers ({why}); quote \
                             it (\"{value}\") for text, or write the value plainly"
                        )));
                    }
                }
                if is_key && *style == ScalarStyle::Plain && value == "<<" {
                    return Some(at(
                        "a merge key (`<<`), which snapshots may not use: write the \
                         merged keys out (or quote the key, `\"<<\"`, to mean the text)"
                            .into(),
                    ));
                }
            }
            Event::MappingStart(_, tag) | Event::SequenceStart(_, tag) => {
                let kind = if matches!(event, Event::MappingStart(..)) {
                    "map"
                } else {
                    "seq"
                };
                if let Some(tag) = tag {
                    if !core(tag, &[kind]) {
                        return Some(at(refused_tag(tag)));
                    }
                }
                self.stack.push(if kind == "map" {
                    Frame::Map(true)
                } else {
                    Frame::Seq
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Alias(_) => {}
        }
        None
    }
}

/// The first unsupported feature of `text`, if any.
#[cfg(test)]
fn unsupported(text: &str) -> Option<Unsupported> {
    if let Some(u) = tag_directive(text) {
        return Some(u);
    }
    let mut features = Features::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => return Some(parse_error(&e)),
        };
        if let Some(u) = features.check(&event, &span) {
            return Some(u);
        }
    }
    None
}

/// Why a plain scalar is read as different values by YAML 1.1 readers (libyaml,
/// PyYAML) and YAML 1.2 readers, if it is:
/// `017` is 15 or 17, `0b101` is 5 or text, `12:30` is 750 or text. Only forms
/// both read alike are accepted unquoted: `true`/`false` (any case), `null`/`~`,
/// decimal integers without a leading zero, `0x…`, and decimals with a point.
fn ambiguous(s: &str) -> Option<&'static str> {
    // `yes`, `no`, `on`, `off` are booleans to YAML 1.1 and text to YAML 1.2; serde_yaml
    // and yaml-rust2 both read (and serde_yaml writes) them as text, so they are kept.
    if s == "Null" || s == "NULL" {
        return Some("null to some, text to others; write `null`");
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let b = body.as_bytes();
    let digit_start = b.first().is_some_and(|c| c.is_ascii_digit() || *c == b'.');
    if !digit_start {
        return None;
    }
    let numeric =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'-' | b'+');
    if !b.iter().all(|&c| numeric(c)) {
        return None; // `1 apple`, `2021-09-30T10:00:00+08:00 x`: text to every reader
    }
    if body.contains('_') {
        return Some("a number in YAML 1.1 (digits grouped by `_`), text in YAML 1.2");
    }
    if body.starts_with("0b") || body.starts_with("0o") {
        return Some("a number in one YAML version, text in the other");
    }
    if b.len() > 1
        && b[0] == b'0'
        && b[1].is_ascii_digit()
        && body.bytes().all(|c| c.is_ascii_digit())
    {
        return Some("octal in YAML 1.1, decimal in YAML 1.2");
    }
    // YAML 1.1's base 60: `[1-9][0-9_]*(:[0-5]?[0-9])+` (`08:00` is text to both).
    let mut parts = body.split(':');
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let sixty = |p: &&str| {
        let whole = p.split('.').next().unwrap_or("");
        (1..=2).contains(&whole.len())
            && whole.bytes().all(|c| c.is_ascii_digit())
            && whole.parse::<u8>().is_ok_and(|n| n < 60)
    };
    if !rest.is_empty()
        && first
            .bytes()
            .next()
            .is_some_and(|c| (b'1'..=b'9').contains(&c))
        && first.bytes().all(|c| c.is_ascii_digit())
        && rest.iter().all(sixty)
    {
        return Some("a number in base 60 in YAML 1.1, text in YAML 1.2");
    }
    let mantissa = body.split(['e', 'E']).next().unwrap_or(body);
    if mantissa.len() < body.len()
        && !mantissa.contains('.')
        && mantissa.bytes().all(|c| c.is_ascii_digit())
    {
        return Some("a number in YAML 1.2, text in YAML 1.1 (which wants a point: `1.0e3`)");
    }
    None
}

/// Whether `tag` is one of the core schema's `kinds`, written `!!kind`.
fn core(tag: &Tag, kinds: &[&str]) -> bool {
    tag.handle == CORE && kinds.contains(&tag.suffix.as_str())
}

fn refused_tag(tag: &Tag) -> String {
    let written = if tag.handle.is_empty() {
        format!("!<{}>", tag.suffix)
    } else if tag.handle == CORE {
        format!("!!{}", tag.suffix)
    } else {
        tag.to_string()
    };
    format!(
        "the tag `{written}`, which snapshots may not use: only `!!str`, `!!int`, `!!float`, \
         `!!bool` and `!!null` on values (`!!map`, `!!seq` on records and lists) keep their \
         YAML meaning; write the value plainly"
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly
    use super::*;

    fn refused(text: &str) -> Option<(usize, usize)> {
        unsupported(text).map(|u| (u.line, u.column))
    }

    #[test]
    fn merge_keys_are_refused_where_they_are() {
        let text = "base: &b\n  filter: strict\nreq:\n  <<: *b\n  x: 1\n";
        assert_eq!(refused(text), Some((4, 3)));
        assert_eq!(refused("a: {<<: {b: 1}}\n"), Some((1, 5)));
        assert_eq!(refused("- <<: [1]\n"), Some((1, 3)));
        // near misses: a quoted key, `<<` as a value
        assert_eq!(refused("a:\n  \"<<\": 1\n"), None);
        assert_eq!(refused("a: <<\n"), None);
        assert_eq!(refused("a: [<<, x]\n"), None);
    }

    #[test]
    fn tags_are_refused_however_they_are_spelled() {
        for text in [
            "%TAG !e! tag:yaml.org,2002:\n---\na: !e!binary aGk=\n",
            "%TAG !! tag:example.com,2000:\n---\na: !!str x\n",
            "a: !<tag:yaml.org,2002:binary> aGk=\n",
            "a: !<tag:example.com:money> 1\n",
            "a: !<!money> 1\n",
            "a: !money 1\n",
            "a: ! 1\n",
            "a: !!timestamp 2021-01-01\n",
            "a: !!binary aGk=\n",
            "a: !!merge x\n",
            "a: !!set {x: null}\n",
            "a: !!omap [x: 1]\n",
            "a: !!str [1]\n",
            "!!seq {a: 1}\n",
            "? !e x\n: 1\n",
        ] {
            assert!(unsupported(text).is_some(), "{text}");
        }
        for text in [
            "a: !!str 1\n",
            "a: !!int 1\n",
            "a: !!float 1.5\n",
            "a: !!bool true\n",
            "a: !!null ~\n",
            "a: !!map {b: 1}\n",
            "a: !!seq [1]\n",
            "a: \"!e!binary\"\n",
            "%YAML 1.2\n---\na: 1\n",
        ] {
            assert_eq!(unsupported(text), None, "{text}");
        }
    }

    #[test]
    fn scalars_yaml_versions_read_differently_are_refused() {
        for v in [
            "Null",
            "NULL",
            "017",
            "-017",
            "0b101",
            "0o17",
            "1_000",
            "12:30",
            "190:20:30",
            "1e3",
            "-2E5",
        ] {
            assert!(unsupported(&format!("a: {v}\n")).is_some(), "{v}");
            assert!(unsupported(&format!("a: [{v}]\n")).is_some(), "{v}");
            // a key is a name, read as written
            assert_eq!(unsupported(&format!("{v}: 1\n")), None, "{v}");
        }
        assert!(unsupported("a: !!int \"12\"\n").is_some());
        // near misses: quoted, or read alike by every reader
        for v in [
            "\"yes\"",
            "'017'",
            "true",
            "False",
            "null",
            "~",
            "0",
            "17",
            "-3",
            "+1",
            "0x1F",
            "1.5",
            ".5",
            "1.",
            "1.0e3",
            "2021-09-30",
            "2021-09-30T10:00:00+08:00",
            "10:00 am",
            "yesterday",
            "no-reply",
            "1 apple",
            "v1.2.3",
        ] {
            assert_eq!(unsupported(&format!("a: {v}\n")), None, "{v}");
        }
        assert_eq!(unsupported("a: !!str 017\n"), None);
    }
}
