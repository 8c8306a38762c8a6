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
    if let Some(h) = operator(message) {
        return Some(h);
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
        ("byte order mark", "save the file as UTF-8 without a BOM"),
    ];
    table
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map(|(_, h)| (*h).to_string())
}

/// "`+` cannot be used on A and B": what the operator takes, for these two kinds.
fn operator(message: &str) -> Option<String> {
    let rest = message.strip_prefix('`')?;
    let (op, rest) = rest.split_once('`')?;
    let (a, b) = rest
        .strip_prefix(" cannot be used on ")?
        .split_once(" and ")?;
    // The checker says "an integer" or "a decimal" where the name checker says "a number".
    let kind = |t: &str, k: &str| {
        t.contains(k) || (k == "number" && (t.contains("integer") || t.contains("decimal")))
    };
    let either = |k: &str| kind(a, k) || kind(b, k);
    let both = |k: &str| kind(a, k) && kind(b, k);
    Some(match op {
        "+" if either("string") && !both("string") => {
            "strings join only with strings: convert the other side to text with `text(x)` (`text(x, 2)` for two digits after the point)".into()
        }
        "+" | "-" if either("money") && either("number") => {
            "money adds to money of the same currency: write the number with its currency (`10 USD`), or use the amount (`x.amount`)".into()
        }
        "+" | "-" if either("timestamp") && either("number") => {
            "a time moves by a duration: `t + 24h`, or `t + duration(n, \"hours\")`".into()
        }
        "+" if both("timestamp") => {
            "two times do not add up: their difference `b - a` is a duration".into()
        }
        "+" | "-" if either("duration") && either("number") => {
            "write the number as a duration: `24h`, or `duration(n, \"hours\")`; `hours(d)` turns a duration into a number".into()
        }
        "*" if both("money") => {
            "money is multiplied by a number; the ratio of two amounts is `a / b`".into()
        }
        "*" | "/" if either("timestamp") => {
            "a time is not multiplied or divided: take a duration first (`b - a`), or a field (`hour(t)`)".into()
        }
        "/" if either("money") && either("duration") || either("number") && kind(b, "duration") => {
            "a duration is divided by a number or by a duration; convert it with `hours(d)` to divide by it otherwise".into()
        }
        "==" | "!=" | "<" | "<=" | ">" | ">=" => {
            "both sides must be of one kind: numbers, money (`1000 USD`), times or durations; see docs/language.md".into()
        }
        "+" | "-" | "*" | "/" => format!(
            "`{op}` takes: {}; see docs/language.md, Values and operators",
            match op {
                "+" => "numbers, money of one currency, a time and a duration, durations, strings, lists",
                "-" => "numbers, money of one currency, a time and a duration, two times, durations",
                "*" => "numbers, money by a number, a duration by a number",
                _ => "numbers, money by a number or by money, a duration by a number or by a duration",
            }
        ),
        _ => return None,
    })
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
        // A keyword of the language is spelled right: it is misplaced, not misspelled
        // (`then` is one letter from `when`, but suggesting `when` sends the author
        // the wrong way).
        if matches!(word, "then" | "else") {
            return Some(format!(
                "`{word}` belongs to `if CONDITION then A else B`: is the `if` missing, or glued to the name before it (`ifa` for `if a`)?"
            ));
        }
        if let Some(s) =
            did_you_mean(word, words.iter().copied()).filter(|_| !RESERVED.contains(&word))
        {
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
    fn a_misplaced_then_is_not_taken_for_a_misspelled_when() {
        let m =
            "expected `.field`, `cites`, `message`, `value`, `when` or an operator, found `then`";
        let h = for_message(m).unwrap_or_default();
        assert!(h.contains("if CONDITION then A else B"), "{h}");
        assert!(!h.contains("did you mean"), "{h}");
    }

    #[test]
    fn operator_help_fits_the_two_kinds_at_hand() {
        let h = |m: &str| for_message(m).unwrap_or_default();
        assert!(h("`+` cannot be used on a string and a number").contains("`text(x)`"));
        assert!(h("`+` cannot be used on an integer and a string").contains("strings join"));
        assert!(h("`+` cannot be used on money and a decimal").contains("(`10 USD`)"));
        assert!(h("`-` cannot be used on a timestamp and a number").contains("t + 24h"));
        assert!(h("`*` cannot be used on money and money").contains("`a / b`"));
        // Two values of one kind that an operator does not take: not "of one kind".
        let same = h("`*` cannot be used on a timestamp and a timestamp");
        assert!(!same.contains("one kind"), "{same}");
        assert!(h("`>` cannot be used on money and a string").contains("one kind"));
    }

    #[test]
    fn reserved_words_and_unknown_messages() {
        let h = for_message("expected a name, found `and`").unwrap_or_default();
        assert!(h.contains("reserved"), "{h}");
        assert_eq!(for_message("something new"), None);
    }
}
