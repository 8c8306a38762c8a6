//! Why an expression could not be evaluated, and at which fact.

use crate::syntax::Span;
use crate::value::Type;

/// An expression that could not be evaluated. Recorded on the rule; never a panic,
/// never `allowed`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// A fact the rule reads is not in the snapshot.
    #[error("the fact `{path}` is missing")]
    Missing {
        /// Where it was looked for.
        path: String,
    },
    /// A fact the rule reads through is null.
    #[error("the fact `{path}` is null, so `{path}.{field}` cannot be read")]
    NullParent {
        /// The null fact.
        path: String,
        /// The field that was wanted.
        field: String,
    },
    /// A value of the wrong kind.
    #[error("{context}: expected {expected}, found {found}")]
    Type {
        /// Where the value came from, if it is a fact.
        path: Option<String>,
        /// What the operation needed.
        expected: String,
        /// What it got.
        found: Type,
        /// The operation.
        context: String,
    },
    /// Money in two currencies: never converted.
    #[error("cannot {op} {left} and {right}: different currencies are never converted")]
    Currency {
        /// The fact involved, if any.
        path: Option<String>,
        /// `compare` or `add`.
        op: String,
        /// The left amount.
        left: String,
        /// The right amount.
        right: String,
    },
    /// "Now" is needed but neither the snapshot nor `--now` gives it.
    #[error(
        "the rule needs the current time: give the snapshot a top-level `now` or pass `--now`"
    )]
    NoNow,
    /// Arithmetic that would overflow, divide by zero or round.
    #[error("{0}")]
    Arithmetic(String),
    /// A result a decimal cannot hold exactly (a division that does not end, a product
    /// with too many digits, an underflow): never rounded unless the rule rounds it.
    #[error("{}", inexact_text(expr.as_deref(), value, hint))]
    Inexact {
        /// The expression, as written.
        expr: Option<String>,
        /// Its value, as far as a decimal holds it.
        value: String,
        /// How to write it instead.
        hint: String,
    },
    /// A list index past the end.
    #[error("`{path}` has {len} elements; there is no element {index}")]
    Index {
        /// The list.
        path: String,
        /// The index asked for.
        index: String,
        /// How many there are.
        len: usize,
    },
    /// A `format_time` pattern that is not strftime.
    #[error("`{pattern}` is not a valid time format (see strftime: %Y, %m, %-m, %d, %H, …)")]
    TimeFormat {
        /// The pattern.
        pattern: String,
    },
    /// A table written in the rules (a record, or a let bound to one) looked up with a
    /// key it does not have; the key came from the fact `path`.
    #[error("`{table}` has no entry {key:?}{}", path.as_ref().map_or(String::new(), |p| format!(" (the key is the fact `{p}`)")))]
    NoEntry {
        /// The fact the key was read from, if any.
        path: Option<String>,
        /// The key.
        key: String,
        /// The table, as written.
        table: String,
    },
    /// Any other invalid operation (a bad offset…).
    #[error("{0}")]
    Invalid(String),
    /// The evaluation took more steps than allowed.
    #[error("evaluation stopped: the decision took more than {0} steps (the limit per decision)")]
    Steps(u64),
    /// The evaluation recursed deeper than allowed.
    #[error("evaluation stopped {0} levels deep (the limit): the rules nest too deeply")]
    Depth(usize),
    /// An error met inside a `let` or a function, with what it came through: the fact
    /// path stays the inner error's, and the message ends "(via let `x`)".
    #[error("{}", via_text(inner, via))]
    Via {
        /// "let `x`", "function `f`".
        via: String,
        /// The error itself (perhaps through further lets).
        inner: Box<EvalError>,
        /// The expression in the let's or function's body where the error arose (the
        /// innermost that failed), when known: not shown in the message; a rule
        /// decided with a function imported from a library names this place.
        at: Option<Span>,
    },
}

/// "the fact `a.b` is missing (via let `x`, let `y`)": the chain outermost first.
fn via_text(inner: &EvalError, via: &str) -> String {
    let mut chain = vec![via];
    let mut at = inner;
    while let EvalError::Via { via, inner, .. } = at {
        chain.push(via);
        at = inner;
    }
    format!("{at} (via {})", chain.join(", "))
}

fn inexact_text(expr: Option<&str>, value: &str, hint: &str) -> String {
    match expr {
        Some(e) => format!(
            "`{}` is {value}…, which cannot be held exactly (it would be rounded): {hint}",
            crate::limits::shorten(e)
        ),
        None => format!("the result {value}… cannot be held exactly (it would be rounded): {hint}"),
    }
}

impl EvalError {
    /// The error as met, without the lets and functions it came through.
    pub fn root(&self) -> &EvalError {
        match self {
            EvalError::Via { inner, .. } => inner.root(),
            e => e,
        }
    }

    /// This error, as seen through `via` ("let `x`"). Limits are not wrapped: they
    /// stop the decision whatever the rule read.
    pub fn via(self, via: impl FnOnce() -> String) -> EvalError {
        self.via_at(via, None)
    }

    /// [`EvalError::via`], knowing where in the let's or function's body the error
    /// arose.
    pub fn via_at(self, via: impl FnOnce() -> String, at: Option<&Span>) -> EvalError {
        match self {
            e @ (EvalError::Steps(_) | EvalError::Depth(_)) => e,
            // The same chain twice (a let read by a let it reads) says nothing more.
            e => {
                let via = via();
                if matches!(&e, EvalError::Via { via: v, .. } if *v == via) {
                    return e;
                }
                EvalError::Via {
                    via,
                    inner: Box::new(e),
                    at: at.cloned(),
                }
            }
        }
    }

    /// This error, as seen through the lets `via` (outermost first).
    pub fn through_lets(self, via: Vec<std::sync::Arc<str>>) -> EvalError {
        via.into_iter()
            .rev()
            .fold(self, |err, name| err.via(|| format!("let `{name}`")))
    }

    /// Where the error arose, if it came through a let or a function whose body
    /// placed it: the innermost such place (a let's error, kept and met again through
    /// a function, is placed where the let's body failed, not where it was read).
    pub fn origin(&self) -> Option<&Span> {
        match self {
            EvalError::Via { at, inner, .. } => inner.origin().or(at.as_ref()),
            _ => None,
        }
    }

    /// The fact path the error is about, if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            EvalError::Via { inner, .. } => inner.path(),
            EvalError::Missing { path } | EvalError::NullParent { path, .. } => Some(path),
            EvalError::Index { path, .. } => Some(path),
            EvalError::Type { path, .. }
            | EvalError::Currency { path, .. }
            | EvalError::NoEntry { path, .. } => path.as_deref(),
            EvalError::NoNow => Some("now"),
            _ => None,
        }
    }

    /// Whether the error means "the fact is not there" (which `present` and `??` absorb).
    /// A missing "now" is absent like any fact, so `present(now)` can guard a rule.
    pub fn is_absence(&self) -> bool {
        matches!(
            self.root(),
            EvalError::Missing { .. } | EvalError::NullParent { .. } | EvalError::NoNow
        )
    }
}
