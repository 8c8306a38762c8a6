//! Refusing rule text nested too deeply, before pest (which recurses once per
//! level) sees it.

use std::sync::Arc;

use super::parser::ParseError;
use super::span::{Source, Span};

/// pest recurses once per bracket and once per `if` (the only construct that nests
/// without brackets), so text nested deeper than `max` is refused before pest sees
/// it. A small lexer: it skips comments and strings, and reads the `{holes}` of a
/// message template (a string right after the word `message`) as code.
///
/// Returns the deepest nesting found, which tells how much stack parsing needs.
pub(crate) fn check_nesting(source: &Arc<Source>, max: usize) -> Result<usize, ParseError> {
    #[derive(PartialEq)]
    enum Mode {
        Code,
        Str,
        Template,
        Comment,
    }
    /// An open bracket: whether it is a template's hole, and the `if`s opened inside it.
    struct Open {
        hole: bool,
        ifs: usize,
    }
    let text = &source.text;
    let mut mode = Mode::Code;
    let mut open: Vec<Open> = Vec::new();
    // `if`s outside any bracket; they end with the `let` they belong to.
    let mut top_ifs = 0usize;
    // Brackets open, plus `if`s open inside and outside them: kept as they change,
    // since it is compared on every character.
    let mut depth = 0usize;
    let mut escaped = false;
    // The last character of code that is not white space (to tell `.if`, a field, from `if`).
    let mut prev = ' ';
    // The last word of code, to tell a message template from a plain string.
    let mut last_word = String::new();
    let mut deepest = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        match mode {
            Mode::Comment => {
                if ch == '\n' {
                    mode = Mode::Code;
                }
                continue;
            }
            Mode::Str | Mode::Template => {
                match ch {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' | '\n' => mode = Mode::Code,
                    '{' if mode == Mode::Template => {
                        open.push(Open { hole: true, ifs: 0 });
                        depth += 1;
                        mode = Mode::Code;
                    }
                    _ => {}
                }
                prev = '"';
                last_word.clear();
            }
            Mode::Code => match ch {
                '#' => mode = Mode::Comment,
                '"' => {
                    mode = if last_word == "message" {
                        Mode::Template
                    } else {
                        Mode::Str
                    };
                }
                '(' | '[' | '{' => {
                    open.push(Open {
                        hole: false,
                        ifs: 0,
                    });
                    depth += 1;
                }
                ')' | ']' | '}' => {
                    if let Some(o) = open.pop() {
                        depth -= 1 + o.ifs;
                        if o.hole && ch == '}' {
                            mode = Mode::Template;
                        }
                    }
                }
                c if c.is_ascii_alphanumeric() || c == '_' => {
                    let mut end = i + c.len_utf8();
                    while let Some(&(j, d)) = chars.peek() {
                        if !(d.is_ascii_alphanumeric() || d == '_') {
                            break;
                        }
                        end = j + d.len_utf8();
                        chars.next();
                    }
                    let word = &text[i..end];
                    let field = prev == '.';
                    if word == "if" && !field {
                        match open.last_mut() {
                            Some(o) => o.ifs += 1,
                            None => top_ifs += 1,
                        }
                        depth += 1;
                    }
                    if word == "let" && !field && open.is_empty() && starts_let(&text[end..]) {
                        depth -= top_ifs;
                        top_ifs = 0;
                    }
                    last_word.clear();
                    if !field {
                        last_word.push_str(word);
                    }
                    prev = 'a';
                    if depth > max {
                        return Err(too_nested(source, i, end, max));
                    }
                    deepest = deepest.max(depth);
                    continue;
                }
                _ => {}
            },
        }
        if mode == Mode::Code && !ch.is_whitespace() && ch != '#' {
            prev = ch;
            if !ch.is_ascii_alphanumeric() && ch != '_' {
                last_word.clear();
            }
        }
        if depth > max {
            return Err(too_nested(source, i, i + ch.len_utf8(), max));
        }
        deepest = deepest.max(depth);
    }
    Ok(deepest)
}

/// Whether `rest` (the text after the word `let`) goes on `NAME =` (not `==`): the
/// start of a declaration, which cannot occur inside an expression.
fn starts_let(rest: &str) -> bool {
    let rest = rest.trim_start();
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    if name_len == 0 {
        return false;
    }
    let after = rest[name_len..].trim_start();
    after.starts_with('=') && !after.starts_with("==")
}

fn too_nested(source: &Arc<Source>, start: usize, end: usize, max: usize) -> ParseError {
    ParseError::at(
        &Span::new(source, start, end),
        format!("brackets and `if`s are nested more than {max} deep, the limit"),
    )
}
