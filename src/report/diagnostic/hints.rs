//! Hints for diagnostics raised without one: how to fix what the message says is
//! wrong. The stage that finds a problem says what it is; this table teaches the
//! fix, so every stage's errors end with a next step.

use super::did_you_mean;

/// Words reserved inside expressions (grammar rule `keyword`).
const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "where", "for", "if", "then", "else", "true", "false", "null",
];

/// A hint for a diagnostic's message, when the message is one this table knows.
pub(crate) fn for_message(message: &str) -> Option<String> {
    if !message.contains("expected `policy NAME`") {
        if let Some(h) = expected_found(message) {
            return Some(h);
        }
    }
    let table: &[(&str, &str)] = &[
        (
            "expected `policy NAME`",
            "a rule file starts with `policy NAME`, e.g. `policy unsubscribe`",
        ),
        (
            "the file is empty",
            "a rule file starts with `policy NAME`, e.g. `policy unsubscribe`",
        ),
        (
            "are nested more than",
            "give parts of the expression names with `let NAME = …` and use the names",
        ),
        (
            "levels deep",
            "give parts of the expression names with `let NAME = …` and use the names",
        ),
        (
            "is not a valid time format",
            "strftime, as in `format_time(t, \"%Y/%-m\")` for 2021/9",
        ),
        (
            "is not a valid time",
            "write a date and time that exist, with an offset: `2021-09-30T10:00:00+08:00`",
        ),
        (
            "more than the 28 a decimal may have",
            "amounts are never rounded: write at most 28 significant digits",
        ),
        (
            "is defined in terms of itself",
            "a `let` may use other lets, but not itself, directly or through them",
        ),
        (
            "clause; this is a second",
            "keep one: join two conditions with `and`, two messages into one",
        ),
        (
            "this header clause is given twice",
            "a policy has one `title`, `source`, `facts`, `applies when` and `for each`: keep one",
        ),
        ("is declared twice", "list each fact once after `facts`"),
        (
            "is already the name of a fact",
            "choose another name, so that the fact stays readable",
        ),
        (
            "cannot be used on",
            "both sides must be of one kind: numbers, money (`1000 USD`), times or durations; see docs/language.md",
        ),
        (
            "different currencies, which are never converted",
            "compare amounts of one currency: money is never converted",
        ),
        (
            "needs true or false",
            "`not`, `and` and `or` join conditions; compare a value first, e.g. `x > 0`",
        ),
        (
            "a condition must be true or false",
            "compare the value, e.g. `x > 0` or `x == \"text\"`, or test it with `present(x)`",
        ),
        (
            "an approval time must be a timestamp",
            "e.g. `review.decided_at` or `request.submitted_at + 24h`",
        ),
        (
            "is not a valid offset",
            "write an offset as `+08:00`, `-05:00` or `Z`",
        ),
        ("is not valid UTF-8", "save the file as UTF-8"),
        (
            "this key appears twice",
            "keep one of the two: readers disagree on which one wins",
        ),
        (
            "cannot be read exactly",
            "write the number as a string, e.g. amount: \"2000.00\"",
        ),
        (
            "byte order mark",
            "save the file as UTF-8 without a BOM",
        ),
    ];
    table
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map(|(_, h)| (*h).to_string())
}

/// `expected A, B or C, found X`: the parser's errors. A misspelled keyword gets
/// "did you mean"; a reserved word used as a name, the rule; an unclosed thing, a pointer.
fn expected_found(message: &str) -> Option<String> {
    let rest = message.strip_prefix("expected ")?;
    let (expected, found) = rest.rsplit_once(", found ")?;
    let words: Vec<&str> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|w| w.split_whitespace().next())
        .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
        .collect();
    if let Some(word) = found.strip_prefix('`').and_then(|f| f.strip_suffix('`')) {
        if let Some(s) = did_you_mean(word, words.iter().copied()) {
            return Some(format!("did you mean `{s}`?"));
        }
        if RESERVED.contains(&word) && expected.contains("a name") {
            return Some(format!(
                "`{word}` is a reserved word; choose another name (`{word}_`, for instance)"
            ));
        }
        if expected.contains("a rule (`deny`") {
            return Some(
                "a rule starts with its kind: `deny`, `review`, `warn` or `effect`, then `NAME { … }`"
                    .into(),
            );
        }
        if expected.contains("an expression") {
            return Some("complete the clause, e.g. `when request.reason != \"\"`".into());
        }
    }
    if found == "the end of the file" {
        return Some("is every `{` closed by a `}`, and every clause complete?".into());
    }
    if found == "the end of the line" {
        return Some(
            "close the text with `\"` on the same line; write `\\n` for a line break".into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelled_clause_keywords_get_did_you_mean() {
        let m = "expected `approved by`, `cites`, `message`, `rejected when`, `value` or `when`, found `mesage`";
        assert_eq!(for_message(m).as_deref(), Some("did you mean `message`?"));
    }

    #[test]
    fn reserved_words_and_unknown_messages() {
        let h = for_message("expected a name, found `and`").unwrap_or_default();
        assert!(h.contains("reserved"), "{h}");
        assert_eq!(for_message("something new"), None);
    }
}
