//! The YAML features a snapshot may use, and the refusal of every other one.
//!
//! serde_yaml reads what it does not implement as something else: a merge key
//! (`<<: *base`) arrives as an ordinary key named `<<`, and a tag spelled through a
//! `%TAG` directive (`!e!binary`) or verbatim (`!<tag:yaml.org,2002:binary>`) arrives
//! as plain text. A producer who wrote those meant something else, and a filter
//! silently absent is a decision silently wrong. So the document's events (from
//! saphyr-parser, a second YAML parser) are checked after serde_yaml accepted the
//! text: a feature is either read with its standard meaning or refused here, never
//! read as something else. Where the two parsers disagree on whether the text is
//! YAML at all, it is refused too.

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

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

/// The first unsupported feature of `text` (a document serde_yaml accepted), if any.
pub(crate) fn unsupported(text: &str) -> Option<Unsupported> {
    // Directives come before the document, each on its own line from the first column.
    // `%TAG` rebinds handles (even `!!`), so after one no tag means what it reads as.
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
    let mut stack: Vec<Frame> = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => {
                return Some(Unsupported {
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                    message: format!(
                        "YAML that parsers read differently ({}); write it plainly",
                        e.info()
                    ),
                })
            }
        };
        let at = |message: String| Unsupported {
            line: span.start.line(),
            column: span.start.col() + 1,
            message,
        };
        let is_key = match stack.last_mut() {
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
            Event::Scalar(ref value, style, _, ref tag) => {
                if let Some(tag) = tag {
                    if !core(tag, &SCALAR_TAGS) {
                        return Some(at(refused_tag(tag)));
                    }
                }
                if is_key && style == ScalarStyle::Plain && value == "<<" {
                    return Some(at(
                        "a merge key (`<<`), which snapshots may not use: write the \
                         merged keys out (or quote the key, `\"<<\"`, to mean the text)"
                            .into(),
                    ));
                }
            }
            Event::MappingStart(_, ref tag) | Event::SequenceStart(_, ref tag) => {
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
                stack.push(if kind == "map" {
                    Frame::Map(true)
                } else {
                    Frame::Seq
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Alias(_) => {}
        }
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
}
