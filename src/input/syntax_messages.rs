//! The JSON and YAML parsers' syntax messages say what the parser wanted in its own
//! terms ("expected value", "key must be a string"); a snapshot's author needs what was
//! expected where, and what was found there. Messages not listed are kept as they are.

/// The author's version of a parser message, given the text found at its place, and
/// its kind: [`FactsErrorKind::Syntax`] where it says what was expected and found.
pub(crate) fn explain(message: &str, found: &str) -> (String, FactsErrorKind) {
    let said = say(message, found);
    let kind = if message == "expected value" && is_not_a_number(found) {
        FactsErrorKind::Other
    } else if matches!(
        message,
        "expected value"
            | "key must be a string"
            | "expected `:`"
            | "expected `,` or `}`"
            | "expected `,` or `]`"
    ) && !(message == "key must be a string"
        && (found.starts_with("//") || found.starts_with("/*")))
    {
        FactsErrorKind::Syntax {
            found: if found.is_empty() {
                Found::EndOfFile
            } else {
                Found::Word(found.to_string())
            },
        }
    } else {
        FactsErrorKind::Other
    };
    (said, kind)
}

fn say(message: &str, found: &str) -> String {
    let shown = if found.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{found}`")
    };
    let comment = found.starts_with("//") || found.starts_with("/*");
    match message {
        "expected value" if is_not_a_number(found) => format!(
            "expected a value, found {shown}: JSON has no NaN or infinity; leave the fact out, or write it as a string"
        ),
        "expected value" => format!(
            "expected a value (text in double quotes, a number, true, false, null, a [list] or a {{record}}), found {shown}"
        ),
        "invalid number" if is_not_a_number(found) => format!(
            "{shown} is not a number: JSON has no NaN or infinity; leave the fact out, or write it as a string"
        ),
        "invalid number" => format!(
            "{shown} is not a JSON number: write digits with an optional `-`, fraction and exponent (no `+`, leading zeros or trailing dot)"
        ),
        "key must be a string" if comment => format!(
            "JSON has no comments ({shown}): remove it, put the note in a `_comment` field, or write the snapshot in YAML, where `#` starts a comment"
        ),
        "key must be a string" => {
            format!("expected a key in double quotes (\"key\": value), found {shown}")
        }
        "trailing comma" => format!(
            "a comma just before this {shown}: remove it (JSON allows no comma after the last element)"
        ),
        "trailing characters" => format!(
            "more text after the snapshot's closing `}}`: found {shown}; a file holds one snapshot (use a .jsonl file for several)"
        ),
        "expected `:`" => format!("expected `:` between a key and its value, found {shown}"),
        "expected `,` or `}`" => format!(
            "expected `,` before the next field or `}}` closing the record, found {shown}"
        ),
        "expected `,` or `]`" => format!(
            "expected `,` before the next element or `]` closing the list, found {shown}"
        ),
        "EOF while parsing a value" => {
            "the file ends where a value was expected: the text looks cut off".to_string()
        }
        m if m.starts_with("EOF while parsing") => {
            let what = match m.trim_start_matches("EOF while parsing ") {
                "an object" => "a record",
                "a list" => "a list",
                "a string" => "text in quotes",
                other => other,
            };
            format!("the file ends inside {what}: the text looks cut off (a closing quote, `]` or `}}` is missing)")
        }
        "found character that cannot start any token" if found.starts_with('\t') => {
            "a tab indents this line: YAML indents with spaces only".to_string()
        }
        "found character that cannot start any token" => format!(
            "{shown} cannot start a YAML value here: quote the value (\"…\") if it is text"
        ),
        m if m.starts_with("found unexpected end of stream")
            && m.contains("while scanning a quoted scalar") =>
        {
            "the file ends inside quoted text: a closing quote is missing".to_string()
        }
        "invalid type: sequence, expected a string key"
        | "invalid type: map, expected a string key" => {
            "a key must be text (a fact's name), found a list or record: `? [a, b]` makes a list a key".to_string()
        }
        m if m.contains("more than one document") => {
            "the file holds more than one YAML document (`---` starts another): a snapshot is one document; use a .jsonl file for several".to_string()
        }
        m => m.to_string(),
    }
}

fn is_not_a_number(found: &str) -> bool {
    let f = found.trim_start_matches(['-', '+']);
    ["NaN", "Infinity", "nan", "inf", "infinity"].contains(&f)
}

use super::FactsErrorKind;
use crate::syntax::Found;

/// The token at a 1-based line and column of `text`: up to the next white space or
/// `,` `]` `}` `:` (the whole line's rest for a comment, the white space itself when it
/// is a tab).
pub(crate) fn token_at(text: &str, line: usize, column: usize) -> String {
    let Some(l) = text.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    let rest: String = l.chars().skip(column.saturating_sub(1)).collect();
    if rest.starts_with('\t') {
        return "\t".into();
    }
    if rest.starts_with("//") || rest.starts_with("/*") {
        return rest.trim_end().chars().take(40).collect();
    }
    let end = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | ']' | '}' | ':'))
        .map_or(rest.len(), |(i, _)| i);
    rest.get(..end)
        .unwrap_or("")
        .trim()
        .chars()
        .take(40)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_cut_where_json_would() {
        assert_eq!(token_at("{\"a\": NaN}", 1, 7), "NaN");
        assert_eq!(token_at("{\n  // note\n}", 2, 3), "// note");
        assert_eq!(token_at("[1,]", 1, 4), "]");
        assert_eq!(token_at("", 3, 1), "");
    }

    #[test]
    fn unknown_messages_are_kept() {
        assert_eq!(explain("something else", "x").0, "something else");
        assert!(explain("invalid number", "-Infinity")
            .0
            .contains("no NaN or infinity"));
    }

    #[test]
    fn what_was_expected_and_found_is_a_syntax_kind() {
        assert_eq!(
            explain("expected `:`", "1").1,
            FactsErrorKind::Syntax {
                found: Found::Word("1".into())
            }
        );
        assert_eq!(
            explain("expected value", "").1,
            FactsErrorKind::Syntax {
                found: Found::EndOfFile
            }
        );
        // near misses: NaN and comments have their own advice
        assert_eq!(explain("expected value", "NaN").1, FactsErrorKind::Other);
        assert_eq!(
            explain("key must be a string", "// x").1,
            FactsErrorKind::Other
        );
        assert_eq!(explain("trailing comma", "]").1, FactsErrorKind::Other);
    }
}
