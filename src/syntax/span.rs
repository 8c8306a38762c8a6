//! Source locations: every AST node carries one, so any later stage can point
//! at the text it came from.

use std::fmt;
use std::sync::Arc;

/// A rule file's text and the name it is shown under (`rules/unsubscribe.bylaw`).
#[derive(Debug)]
pub struct Source {
    /// The path as shown to users.
    pub name: String,
    /// The whole text of the file.
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    /// Wraps a file's text so spans into it can be turned into lines and columns.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Arc::new(Source {
            name: name.into(),
            text,
            line_starts,
        })
    }

    /// The byte offset where each line starts (the first is 0), computed once.
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(0, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self
            .line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(0);
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |e| e.saturating_sub(1));
        self.text
            .get(start..end.max(start))
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// A byte range in a [`Source`].
///
/// Spans are left out of equality, so two parses of equivalent text (say,
/// before and after `bylaw fmt`) compare equal.
#[derive(Clone)]
pub struct Span {
    /// The file the range is in.
    pub source: Arc<Source>,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
}

impl Span {
    /// A span over `start..end` of `source`.
    pub fn new(source: &Arc<Source>, start: usize, end: usize) -> Span {
        Span {
            source: Arc::clone(source),
            start,
            end,
        }
    }

    /// 1-based line of the start.
    pub fn line(&self) -> usize {
        self.source.line_col(self.start).0
    }

    /// 1-based line and column of the start.
    pub fn line_col(&self) -> (usize, usize) {
        self.source.line_col(self.start)
    }

    /// The text the span covers.
    pub fn text(&self) -> &str {
        self.source.text.get(self.start..self.end).unwrap_or("")
    }

    /// `file:line`, as decisions cite rules.
    pub fn location(&self) -> String {
        format!("{}:{}", self.source.name, self.line())
    }

    /// `file:line:col`, as diagnostics do.
    pub fn location_col(&self) -> String {
        let (l, c) = self.line_col();
        format!("{}:{}:{}", self.source.name, l, c)
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Renders `file:line:col`, the offending line, and a caret under the span.
pub(crate) fn snippet(span: &Span) -> String {
    let (line, col) = span.line_col();
    let text = span.source.line_text(line);
    let width = span
        .text()
        .lines()
        .next()
        .map_or(1, |s| s.chars().count().max(1));
    let gutter = line.to_string().len();
    format!(
        "{pad} |\n{line} | {text}\n{pad} | {space}{carets}",
        pad = " ".repeat(gutter),
        space = " ".repeat(col.saturating_sub(1)),
        carets = "^".repeat(width),
    )
}

/// A text on one line: its words joined by single spaces (how evidence quotes a
/// condition).
pub fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
