//! What a diagnostic is about, typed: the stage that finds a problem says which it is,
//! and the hint table ([`super::hints`]) is keyed on that, never on the message's
//! wording, so rewording a message cannot drop its hint.

use crate::input::FactsErrorKind;
use crate::syntax::ast::BinaryOp;
use crate::syntax::ParseKind;
pub use crate::syntax::{Expected, Found};
use crate::value::Type;

/// The kind of problem a [`Diagnostic`](super::Diagnostic) reports, for its hint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A problem without a hint of the table (its own hint, if any, says the fix).
    #[default]
    Other,
    /// The parser expected something else here.
    Syntax {
        /// What it would have taken, as the message names them (`` `when` ``, `a name`…),
        /// each with its keywords, for "did you mean".
        expected: Vec<Expected>,
        /// What it found instead.
        found: Found,
    },
    /// The file does not start with `policy NAME` (or is empty).
    NoPolicy,
    /// An expression (or a snapshot's lists and records) nested past the limit.
    TooDeep,
    /// A `format_time` pattern that is not strftime.
    TimeFormat,
    /// A time that does not exist or cannot be held exactly.
    InvalidTime,
    /// A decimal with more significant digits than allowed.
    TooManyDigits {
        /// The most allowed.
        max: usize,
    },
    /// A `let` defined through itself.
    SelfReference,
    /// A rule clause given twice.
    SecondClause,
    /// A header clause (`title`, `facts`…) given twice.
    HeaderTwice,
    /// A fact (or a field of a fact type) declared twice.
    DeclaredTwice,
    /// A name that is already a fact's.
    FactName,
    /// Two money literals of different currencies combined.
    Currencies,
    /// `not`, `and` or `or` on something that is not true or false.
    NotBooleanOperand,
    /// A condition that is not true or false.
    NotCondition,
    /// An approval time that is not a timestamp.
    ApprovalTime,
    /// A file that is not UTF-8.
    NotUtf8,
    /// A key given twice in one record of a snapshot.
    DuplicateKey,
    /// A number a snapshot writes with more digits than can be read exactly.
    InexactNumber,
    /// A file that starts with a byte order mark.
    ByteOrderMark,
    /// An operator on operands it does not take.
    Operator {
        /// The operator.
        op: BinaryOp,
        /// Its left operand.
        left: Operand,
        /// Its right operand.
        right: Operand,
    },
}

/// The kinds of value an operand is, or holds (a list of strings holds strings), as
/// far as the operators' hints tell them apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Operand {
    /// A number (integer or decimal).
    pub number: bool,
    /// A string.
    pub string: bool,
    /// Money.
    pub money: bool,
    /// A timestamp.
    pub timestamp: bool,
    /// A duration.
    pub duration: bool,
}

impl Operand {
    /// An operand of one kind of value; a list, a record, a boolean or null hold none
    /// of the kinds.
    pub fn of(t: Type) -> Operand {
        let mut o = Operand::default();
        match t {
            Type::Number => o.number = true,
            Type::String => o.string = true,
            Type::Money => o.money = true,
            Type::Time => o.timestamp = true,
            Type::Duration => o.duration = true,
            Type::Null | Type::Bool | Type::List | Type::Map => {}
        }
        o
    }

    /// What either operand is or holds.
    pub fn or(self, other: Operand) -> Operand {
        Operand {
            number: self.number || other.number,
            string: self.string || other.string,
            money: self.money || other.money,
            timestamp: self.timestamp || other.timestamp,
            duration: self.duration || other.duration,
        }
    }
}

impl From<ParseKind> for Kind {
    fn from(k: ParseKind) -> Kind {
        match k {
            ParseKind::Syntax { expected, found } => Kind::Syntax { expected, found },
            ParseKind::NoPolicy => Kind::NoPolicy,
            ParseKind::TooDeep => Kind::TooDeep,
            ParseKind::InvalidTime => Kind::InvalidTime,
            ParseKind::TooManyDigits { max } => Kind::TooManyDigits { max },
            _ => Kind::Other,
        }
    }
}

/// A snapshot reader's kind of error, as the kind of its diagnostic.
impl From<FactsErrorKind> for Kind {
    fn from(k: FactsErrorKind) -> Kind {
        match k {
            FactsErrorKind::Syntax { found } => Kind::Syntax {
                expected: Vec::new(),
                found,
            },
            FactsErrorKind::TooDeep => Kind::TooDeep,
            FactsErrorKind::TooManyDigits { max } => Kind::TooManyDigits { max },
            FactsErrorKind::DuplicateKey => Kind::DuplicateKey,
            FactsErrorKind::InexactNumber => Kind::InexactNumber,
            FactsErrorKind::ByteOrderMark => Kind::ByteOrderMark,
            _ => Kind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_errors_keep_the_hints_they_had() {
        let kind = |text: &str| {
            Kind::from(
                crate::input::load_str(text, crate::input::Format::Json, "s")
                    .unwrap_err()
                    .kind,
            )
        };
        assert!(
            matches!(
                kind("{\"a\" 1}"),
                Kind::Syntax {
                    found: Found::Word(_),
                    ..
                }
            ),
            "{:?}",
            kind("{\"a\" 1}")
        );
        assert_eq!(kind("{\"a\": 1, \"a\": 2}"), Kind::DuplicateKey);
        // The kind is the reader's, not read from the text: a key that says so is
        // not a duplicate.
        assert_eq!(
            kind("{\"this key appears twice\": {\"amount\": 1, \"currency\": \"x\"}}"),
            Kind::Other
        );
        // A near miss: a message that says something else has no kind.
        assert_eq!(kind(" "), Kind::Other);
        let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
        assert_eq!(kind(&format!("{{\"a\": {deep}}}")), Kind::TooDeep);
        assert_eq!(
            kind("{\"a\": 1.00000000000000000000000000001}"),
            Kind::TooManyDigits { max: 28 }
        );
        let yaml = |text: &str| {
            Kind::from(
                crate::input::load_str(text, crate::input::Format::Yaml, "s")
                    .unwrap_err()
                    .kind,
            )
        };
        assert_eq!(yaml("a: 1\na: 2\n"), Kind::DuplicateKey);
        assert_eq!(
            yaml("a: 12345678901234567890123456789\n"),
            Kind::TooManyDigits { max: 28 }
        );
        assert_eq!(yaml("a: [1\n"), Kind::Other);
    }
}
