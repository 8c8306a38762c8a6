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
    let bytes = text.as_bytes();
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
    let mut last_word = "";
    let mut deepest = 0usize;
    // Bytes, not chars: everything this looks for is ASCII, and a byte of a multi-byte
    // character never equals an ASCII one. Only code decodes characters (to skip
    // white space); comments and strings are skipped a run at a time.
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Runs that change nothing below are passed over whole: the inside of a
        // string up to the next character that matters there, and white space in
        // code (neither changes the depth, so neither can be the first place too deep).
        let run = match mode {
            Mode::Str | Mode::Template if !escaped => {
                let template = mode == Mode::Template;
                let rest = &bytes[i..];
                let stop = |c: &u8| matches!(c, b'\\' | b'"' | b'\n') || (template && *c == b'{');
                let n = rest.iter().position(stop).unwrap_or(rest.len());
                if n > 0 {
                    prev = '"';
                    last_word = "";
                }
                n
            }
            Mode::Code => bytes[i..]
                .iter()
                .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
                .count(),
            _ => 0,
        };
        if run > 0 {
            i += run;
            continue;
        }
        let mut len = 1;
        match mode {
            Mode::Comment => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n + 1);
                mode = Mode::Code;
                continue;
            }
            Mode::Str | Mode::Template => {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' | b'\n' => mode = Mode::Code,
                    b'{' if mode == Mode::Template => {
                        open.push(Open { hole: true, ifs: 0 });
                        depth += 1;
                        mode = Mode::Code;
                    }
                    _ => {}
                }
                prev = '"';
                last_word = "";
            }
            Mode::Code => match b {
                b'#' => mode = Mode::Comment,
                b'"' => {
                    mode = if last_word == "message" || last_word == "remedy" {
                        Mode::Template
                    } else {
                        Mode::Str
                    };
                }
                b'(' | b'[' | b'{' => {
                    open.push(Open {
                        hole: false,
                        ifs: 0,
                    });
                    depth += 1;
                }
                b')' | b']' | b'}' => {
                    if let Some(o) = open.pop() {
                        depth -= 1 + o.ifs;
                        if o.hole && b == b'}' {
                            mode = Mode::Template;
                        }
                    }
                }
                c if c.is_ascii_alphanumeric() || c == b'_' => {
                    let end = bytes[i..]
                        .iter()
                        .position(|d| !(d.is_ascii_alphanumeric() || *d == b'_'))
                        .map_or(bytes.len(), |n| i + n);
                    let word = text.get(i..end).unwrap_or_default();
                    let field = prev == '.';
                    if word == "if" && !field {
                        match open.last_mut() {
                            Some(o) => o.ifs += 1,
                            None => top_ifs += 1,
                        }
                        depth += 1;
                    }
                    if word == "let"
                        && !field
                        && open.is_empty()
                        && starts_let(text.get(end..).unwrap_or_default())
                    {
                        depth -= top_ifs;
                        top_ifs = 0;
                    }
                    last_word = if field { "" } else { word };
                    prev = 'a';
                    if depth > max {
                        return Err(too_nested(source, i, end, max));
                    }
                    deepest = deepest.max(depth);
                    i = end;
                    continue;
                }
                _ => {}
            },
        }
        if mode == Mode::Code {
            let ch = if b.is_ascii() {
                char::from(b)
            } else {
                // `i` is always on a character's start here; `get` keeps that from
                // being a panic if it ever were not.
                let ch = text
                    .get(i..)
                    .and_then(|t| t.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                len = ch.len_utf8();
                ch
            };
            if !ch.is_whitespace() && ch != '#' {
                prev = ch;
                if !ch.is_ascii_alphanumeric() && ch != '_' {
                    last_word = "";
                }
            }
        }
        if depth > max {
            return Err(too_nested(source, i, i + len, max));
        }
        deepest = deepest.max(depth);
        i += len;
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
    .of_kind(super::ParseKind::TooDeep)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deepest nesting, or the byte range of the error.
    fn depth(text: &str, max: usize) -> Result<usize, (usize, usize)> {
        check_nesting(&Source::new("t", text), max).map_err(|e| (e.span.start, e.span.end))
    }

    #[test]
    fn brackets_and_ifs_count_where_they_are_code() {
        let cases: &[(&str, usize)] = &[
            ("let a = (1 + [2])", 2),
            ("let a = if b then if c then 1 else 2 else 3", 2),
            ("let a = if b then 1 else 2\nlet c = if d then 1 else 2", 1),
            ("let a = x.if", 0),
            ("let a = \"((((\" # ((((\nlet b = (1)", 1),
            ("deny r { message \"{ (a) } and { [b] }\" }", 3),
            ("deny r { cites \"{ ( \" }", 1),
            ("deny r { message \"\\{ (\" when (a) }", 2),
            ("let a = \u{e9}l\u{e8}ve (\u{a0}(x))", 2),
            ("let a = (if b == \"(\" then 1 else 2)", 2),
            ("let a = [if x let b = 1]", 2),
            ("# ((\n", 0),
            ("let a = ((", 2),
            // Runs passed over whole: escaped quotes, brackets and `#` inside strings,
            // text between a template's holes, white space between brackets.
            ("let a = \"a\\\"(( # \\\\\" + (1)", 1),
            (
                "deny r { message \"a long text {(a)} and \\{ then {[b]}\" when (x) }",
                3,
            ),
            ("let a = (\n\n   [\t\r\n  {} ]  )", 3),
        ];
        for (text, want) in cases {
            assert_eq!(depth(text, 100), Ok(*want), "{text:?}");
        }
    }

    #[test]
    fn too_deep_points_at_the_first_bracket_or_if_past_the_limit() {
        assert_eq!(depth("let a = ((((", 2), Err((10, 11)));
        assert_eq!(depth("let a = (if if", 2), Err((12, 14)));
        assert_eq!(depth("deny r { message \"{ ({", 2), Err((20, 21)));
        assert_eq!(depth("let a = \u{e9}((\u{e9}(", 2), Err((14, 15)));
        assert_eq!(depth("let a = (\n  (\n\t  (", 2), Err((17, 18)));
        assert_eq!(depth("let a = \"((\" ( \"(\\\"\" ((", 2), Err((22, 23)));
    }
}
