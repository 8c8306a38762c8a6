//! Hints for diagnostics raised without one: how to fix what the message says is
//! wrong. The stage that finds a problem says what it is; this table teaches the
//! fix, so every stage's errors end with a next step.

use super::did_you_mean;
use super::kind::{Expected, Found, Kind, Operand};
use crate::syntax::ast::BinaryOp;
use crate::syntax::parser::expected::{EXPRESSION, NAME, POLICY_NAME, RULE};

/// Words reserved inside expressions (grammar rule `keyword`).
const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "where", "for", "if", "then", "else", "true", "false", "null",
];

const START_WITH_POLICY: &str = "a rule file starts with `policy NAME`, e.g. `policy unsubscribe`";
const NAME_PARTS: &str = "give parts of the expression names with `let NAME = …` and use the names";

/// The hint for a diagnostic of this kind, when the table has one.
pub(crate) fn for_kind(kind: &Kind) -> Option<String> {
    let hint = match kind {
        Kind::Other => return None,
        // The message then starts "expected `policy NAME`": the file's first line is wrong.
        Kind::Syntax { expected, found }
            if expected.first().map(|e| e.what) != Some(POLICY_NAME) =>
        {
            return expected_found(expected, found)
        }
        Kind::Syntax { .. } | Kind::NoPolicy => START_WITH_POLICY,
        Kind::Operator { op, left, right } => return operator(*op, *left, *right),
        Kind::TooDeep => NAME_PARTS,
        Kind::TimeFormat => "strftime, as in `format_time(t, \"%Y/%-m\")` for 2021/9",
        Kind::InvalidTime => {
            "write a date and time that exist, with an offset: `2021-09-30T10:00:00+08:00`"
        }
        Kind::TooManyDigits { max } => {
            return Some(format!(
                "amounts are never rounded: write at most {max} significant digits"
            ))
        }
        Kind::SelfReference => {
            "a `let` may use other lets, but not itself, directly or through them"
        }
        Kind::SecondClause => "keep one: join two conditions with `and`, two messages into one",
        Kind::HeaderTwice => {
            "a policy has one `title`, `source`, `facts`, `applies when` and `for each`: keep one"
        }
        Kind::DeclaredTwice => "list each fact once after `facts`",
        Kind::FactName => "choose another name, so that the fact stays readable",
        Kind::Currencies => "compare amounts of one currency: money is never converted",
        Kind::NotBooleanOperand => {
            "`not`, `and` and `or` join conditions; compare a value first, e.g. `x > 0`"
        }
        Kind::NotCondition => {
            "compare the value, e.g. `x > 0` or `x == \"text\"`, or test it with `present(x)`"
        }
        Kind::ApprovalTime => "e.g. `review.decided_at` or `request.submitted_at + 24h`",
        Kind::NotUtf8 => "save the file as UTF-8",
        Kind::DuplicateKey => "keep one of the two: readers disagree on which one wins",
        Kind::InexactNumber => "write the number as a string, e.g. amount: \"2000.00\"",
        Kind::ByteOrderMark => "save the file as UTF-8 without a BOM",
    };
    Some(hint.to_string())
}

/// An operator on two operands it does not take: what it takes, for these two kinds.
fn operator(op: BinaryOp, a: Operand, b: Operand) -> Option<String> {
    let either = a.or(b);
    let both = |k: fn(Operand) -> bool| k(a) && k(b);
    let string = |o: Operand| o.string;
    let money = |o: Operand| o.money;
    let timestamp = |o: Operand| o.timestamp;
    let op = op.as_str();
    Some(match op {
        "+" if either.string && !both(string) => {
            "strings join only with strings: convert the other side to text with `text(x)` (`text(x, 2)` for two digits after the point)".into()
        }
        "+" | "-" if either.money && either.number => {
            "money adds to money of the same currency: write the number with its currency (`10 USD`), or use the amount (`x.amount`)".into()
        }
        "+" | "-" if either.timestamp && either.number => {
            "a time moves by a duration: `t + 24h`, or `t + duration(n, \"hours\")`".into()
        }
        "+" if both(timestamp) => {
            "two times do not add up: their difference `b - a` is a duration".into()
        }
        "+" | "-" if either.duration && either.number => {
            "write the number as a duration: `24h`, or `duration(n, \"hours\")`; `hours(d)` turns a duration into a number".into()
        }
        "*" if both(money) => {
            "money is multiplied by a number; the ratio of two amounts is `a / b`".into()
        }
        "*" | "/" if either.timestamp => {
            "a time is not multiplied or divided: take a duration first (`b - a`), or a field (`hour(t)`)".into()
        }
        "/" if either.money && either.duration || either.number && b.duration => {
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

/// What the parser expected and what it found: a misspelled keyword gets "did you
/// mean"; a reserved word used as a name, the rule; an unclosed thing, a pointer.
fn expected_found(expected: &[Expected], found: &Found) -> Option<String> {
    // The kind's keywords: never words taken out of how the message names things.
    let words: Vec<&str> = expected
        .iter()
        .flat_map(|e| e.keywords.iter().copied())
        .collect();
    let expects = |what: &str| expected.iter().any(|e| e.what == what);
    if let Found::Word(word) = found {
        let word = word.as_str();
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
        if RESERVED.contains(&word) && expects(NAME) {
            return Some(format!(
                "`{word}` is a reserved word; choose another name (`{word}_`, for instance)"
            ));
        }
        if expects(RULE) {
            return Some(
                "a rule starts with its kind: `deny`, `review`, `warn` or `effect`, then `NAME { … }`"
                    .into(),
            );
        }
        if expects(EXPRESSION) {
            return Some("complete the clause, e.g. `when request.reason != \"\"`".into());
        }
    }
    if *found == Found::EndOfFile {
        return Some("is every `{` closed by a `}`, and every clause complete?".into());
    }
    if *found == Found::EndOfLine {
        return Some(
            "close the text with `\"` on the same line; write `\\n` for a line break".into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::diagnostic::Diagnostic;
    use crate::value::Type;

    fn syntax(expected: &[&'static str], found: &str) -> Kind {
        let expected = expected.iter().map(|&what| Expected {
            what,
            keywords: &[],
        });
        keyed(expected.collect(), found)
    }

    fn keyed(expected: Vec<Expected>, found: &str) -> Kind {
        Kind::Syntax {
            expected,
            found: Found::Word(found.into()),
        }
    }

    fn clause(what: &'static str, keywords: &'static [&'static str]) -> Expected {
        Expected { what, keywords }
    }

    fn op(op: BinaryOp, a: Type, b: Type) -> String {
        for_kind(&Kind::Operator {
            op,
            left: Operand::of(a),
            right: Operand::of(b),
        })
        .unwrap_or_default()
    }

    #[test]
    fn misspelled_clause_keywords_get_did_you_mean() {
        let k = keyed(
            vec![
                clause("`approved by`", &["approved"]),
                clause("`cites`", &["cites"]),
                clause("`message`", &["message"]),
                clause("`rejected when`", &["rejected"]),
                clause("`value`", &["value"]),
                clause("`when`", &["when"]),
            ],
            "mesage",
        );
        assert_eq!(for_kind(&k).as_deref(), Some("did you mean `message`?"));
    }

    /// The suggestions are the kind's keywords, never words taken out of how the
    /// message describes what was expected.
    #[test]
    fn did_you_mean_follows_the_keywords_not_the_descriptions() {
        let reworded = keyed(vec![clause("a message clause", &["message"])], "mesage");
        assert_eq!(
            for_kind(&reworded).as_deref(),
            Some("did you mean `message`?")
        );
        let described = keyed(vec![clause("`message`", &[])], "mesage");
        assert_eq!(for_kind(&described), None);
    }

    #[test]
    fn a_misplaced_then_is_not_taken_for_a_misspelled_when() {
        let k = syntax(
            &[
                "`.field`",
                "`cites`",
                "`message`",
                "`value`",
                "`when`",
                "an operator",
            ],
            "then",
        );
        let h = for_kind(&k).unwrap_or_default();
        assert!(h.contains("if CONDITION then A else B"), "{h}");
        assert!(!h.contains("did you mean"), "{h}");
    }

    #[test]
    fn operator_help_fits_the_two_kinds_at_hand() {
        use BinaryOp::*;
        assert!(op(Add, Type::String, Type::Number).contains("`text(x)`"));
        assert!(op(Add, Type::Number, Type::String).contains("strings join"));
        assert!(op(Add, Type::Money, Type::Number).contains("(`10 USD`)"));
        assert!(op(Sub, Type::Time, Type::Number).contains("t + 24h"));
        assert!(op(Mul, Type::Money, Type::Money).contains("`a / b`"));
        // Two values of one kind that an operator does not take: not "of one kind".
        let same = op(Mul, Type::Time, Type::Time);
        assert!(!same.contains("one kind"), "{same}");
        assert!(op(Gt, Type::Money, Type::String).contains("one kind"));
    }

    #[test]
    fn reserved_words_and_problems_without_a_hint() {
        let h = for_kind(&syntax(&[NAME], "and")).unwrap_or_default();
        assert!(h.contains("reserved"), "{h}");
        assert_eq!(for_kind(&Kind::Other), None);
        assert_eq!(
            for_kind(&Kind::Syntax {
                expected: vec![clause(POLICY_NAME, &["policy"])],
                found: Found::EndOfFile
            })
            .as_deref(),
            Some(START_WITH_POLICY)
        );
    }

    /// The hint follows the kind whatever the message says: rewording a message keeps
    /// its hint, and a message that merely reads like a known one gets none.
    #[test]
    fn hints_follow_the_kind_not_the_wording() {
        let kinds = [
            Kind::NoPolicy,
            Kind::TooDeep,
            Kind::TimeFormat,
            Kind::InvalidTime,
            Kind::TooManyDigits { max: 28 },
            Kind::SelfReference,
            Kind::SecondClause,
            Kind::HeaderTwice,
            Kind::DeclaredTwice,
            Kind::FactName,
            Kind::Currencies,
            Kind::NotBooleanOperand,
            Kind::NotCondition,
            Kind::ApprovalTime,
            Kind::NotUtf8,
            Kind::DuplicateKey,
            Kind::InexactNumber,
            Kind::ByteOrderMark,
            syntax(&[EXPRESSION], "}"),
        ];
        for kind in kinds {
            let d = Diagnostic::plain("reworded entirely").of_kind(kind.clone());
            let h = d.shown_hint();
            assert!(h.is_some(), "{kind:?} lost its hint");
            assert_eq!(h, for_kind(&kind));
        }
        let old_wording = Diagnostic::plain("the fact `x` is declared twice");
        assert_eq!(old_wording.shown_hint(), None);
        let own = Diagnostic::plain("m")
            .hint("its own")
            .of_kind(Kind::TooDeep);
        assert_eq!(own.shown_hint().as_deref(), Some("its own"));
    }
}
