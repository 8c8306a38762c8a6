//! Errors with a place: `file:line:col`, the line, a caret, and a hint.

use std::fmt;

use crate::syntax::span::{snippet, Span};
use crate::syntax::ParseError;

/// One problem found in a rule file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct Diagnostic {
    /// Where, when known.
    pub span: Option<Span>,
    /// What is wrong, in a policy author's words (lowercase, no final period).
    pub message: String,
    /// How to fix it, when there is something to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `span`.
    pub fn at(span: &Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span: Some(span.clone()),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Adds "did you mean `x`?" when a candidate is close to `name`.
    pub fn suggest<'c>(
        self,
        name: &str,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Diagnostic {
        match did_you_mean(name, candidates) {
            Some(s) => self.hint(format!("did you mean `{s}`?")),
            None => self,
        }
    }

    /// `file:line:col`, when known.
    pub fn location(&self) -> Option<String> {
        self.span.as_ref().map(Span::location_col)
    }
}

impl From<ParseError> for Diagnostic {
    fn from(e: ParseError) -> Diagnostic {
        Diagnostic::at(&e.span, e.message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        if let Some(span) = &self.span {
            let (line, _) = span.line_col();
            let pad = " ".repeat(line.to_string().len());
            writeln!(f, "{pad}--> {}", span.location_col())?;
            writeln!(f, "{}", snippet(span))?;
        }
        if let Some(h) = &self.hint {
            writeln!(f, "  = help: {h}")?;
        }
        Ok(())
    }
}

/// The candidate closest to `name`, if close enough to be a likely typo.
pub fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let v = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            cur.push(v);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let c = ["calendar_month", "format_time", "present"];
        assert_eq!(did_you_mean("presnt", c), Some("present"));
        assert_eq!(did_you_mean("format_tme", c), Some("format_time"));
        assert_eq!(did_you_mean("xyz", c), None);
    }
}
