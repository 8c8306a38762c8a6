//! Where in the rules a decision points: a typed place, kept as a span until it is
//! rendered, so that nothing reads a location back out of its text.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::syntax::Span;

/// A place in a rule file: the file, the line, and the text's span (for carets).
/// It is written `file:line` (`rules/unsubscribe.bylaw:12`), as decisions cite rules,
/// in every output format.
///
/// Cheap to copy into every match: a rule's place is made once, when the rules are
/// loaded (the line found then), and cloning it costs what cloning the `Arc<str>` of
/// its text did.
#[derive(Clone)]
pub struct Location {
    span: Span,
    line: usize,
}

impl Location {
    /// The place of `span`.
    pub fn new(span: Span) -> Location {
        let line = span.line();
        Location { span, line }
    }

    /// The file, as locations cite it (`rules/unsubscribe.bylaw`).
    pub fn file(&self) -> &str {
        &self.span.source.name
    }

    /// The 1-based line.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The span of the text there (an expression, a clause), for a caret under it.
    pub fn span(&self) -> &Span {
        &self.span
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file(), self.line())
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, col) = self.span.line_col();
        write!(f, "{}:{line}:{col}", self.file())
    }
}

/// Two places are equal when they are written the same: the same file and line (a
/// decision equals another when its output does; `bylaw diff` counts a decision
/// unchanged by that, without serializing it, so an edit that shifts a rule's text
/// within its line, or changes the rule's other clauses, must not tell them apart).
impl PartialEq for Location {
    fn eq(&self, other: &Location) -> bool {
        self.line == other.line && self.file() == other.file()
    }
}

impl Serialize for Location {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
