//! Errors with a place: `file:line:col`, the line, a caret, and a hint.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic::{self as term_diag, Label};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term;

use crate::syntax::span::{snippet, Span};
use crate::syntax::{ParseError, ParseKind};

mod excerpt;
mod hints;
mod kind;

use excerpt::Excerpt;

pub use kind::{Found, Kind, Operand};

/// One problem found in a rule file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct Diagnostic {
    /// Where, when known.
    pub span: Option<Span>,
    /// What is wrong, in a policy author's words (lowercase, no final period).
    pub message: String,
    /// How to fix it, when there is something to say.
    pub hint: Option<String>,
    /// What kind of problem it is: when `hint` is `None`, the hint shown is the one
    /// the hint table gives for the kind (never looked up by the message's wording).
    pub kind: Kind,
}

impl Diagnostic {
    /// A diagnostic at `span`.
    pub fn at(span: &Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span: Some(span.clone()),
            message: message.into(),
            hint: None,
            kind: Kind::Other,
        }
    }

    /// A diagnostic without a place.
    pub fn plain(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span: None,
            message: message.into(),
            hint: None,
            kind: Kind::Other,
        }
    }

    /// The same diagnostic, of `kind` (which picks its hint when it has none of its own).
    pub fn of_kind(mut self, kind: Kind) -> Diagnostic {
        self.kind = kind;
        self
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

    /// The hint shown: the diagnostic's own, else the one the hint table gives for
    /// its kind.
    pub fn shown_hint(&self) -> Option<String> {
        self.hint.clone().or_else(|| hints::for_kind(&self.kind))
    }

    /// `file:line:col`, when known.
    pub fn location(&self) -> Option<String> {
        self.span.as_ref().map(Span::location_col)
    }
}

impl From<ParseError> for Diagnostic {
    /// The parser points at one character; the caret covers the whole token it found.
    fn from(e: ParseError) -> Diagnostic {
        let mut span = e.span;
        if let ParseKind::Syntax {
            found: Found::Word(found),
            ..
        } = &*e.kind
        {
            let at = span.source.text.get(span.start..).unwrap_or("");
            if span.end <= span.start + 1 && !found.is_empty() && at.starts_with(found.as_str()) {
                span.end = span.start + found.len();
            }
        }
        Diagnostic::at(&span, e.message).of_kind((*e.kind).into())
    }
}

/// The plain rendering: stable, no colour (what is piped, logged and snapshot-tested).
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// A source as codespan-reporting reads it, with the line index the source already
/// has: `SimpleFile` computed it again for each diagnostic, which made a file with
/// tens of thousands of errors quadratic to report.
struct Indexed<'s>(&'s crate::syntax::span::Source);

impl<'s> Files<'s> for Indexed<'s> {
    type FileId = ();
    type Name = &'s str;
    type Source = &'s str;

    fn name(&'s self, (): ()) -> Result<&'s str, files::Error> {
        Ok(self.0.name.as_str())
    }

    fn source(&'s self, (): ()) -> Result<&'s str, files::Error> {
        Ok(self.0.text.as_str())
    }

    fn line_index(&'s self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        let starts = self.0.line_starts();
        Ok(match starts.binary_search(&byte_index) {
            Ok(i) => i,
            Err(next) => next.saturating_sub(1),
        })
    }

    fn line_range(&'s self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        let starts = self.0.line_starts();
        let start = |i: usize| match i.cmp(&starts.len()) {
            std::cmp::Ordering::Less => Ok(starts[i]),
            std::cmp::Ordering::Equal => Ok(self.0.text.len()),
            std::cmp::Ordering::Greater => Err(files::Error::LineTooLarge {
                given: i,
                max: starts.len().saturating_sub(1),
            }),
        };
        Ok(start(line_index)?..start(line_index + 1)?)
    }
}

impl Diagnostic {
    /// Renders the diagnostic the way rustc does: `error: …`, `--> file:line:col`, the
    /// source line with carets under the span, and `= help: …`. With `color`, ANSI colours.
    ///
    /// Rendering is codespan-reporting's: its rustc-like layout is what policy authors
    /// who use compilers already read, and its plain output is stable enough to snapshot.
    pub fn render(&self, color: bool) -> String {
        let plain = || self.render_plain();
        let Some(span) = &self.span else {
            return plain();
        };
        let file = Indexed(&span.source);
        // Spans of clauses may run on over the white space after them; the caret
        // should stop at the last character written.
        let text = &span.source.text;
        let end = span.end.max(span.start).min(text.len());
        let start = span.start.min(end);
        let end = text
            .get(start..end)
            .map_or(end, |t| start + t.trim_end().len());
        let diagnostic = |range: Range<usize>| {
            let d = term_diag::Diagnostic::error()
                .with_message(&self.message)
                .with_labels(vec![Label::primary((), range)]);
            match self.shown_hint() {
                Some(h) => d.with_notes(vec![format!("help: {h}")]),
                None => d,
            }
        };
        let out = match Excerpt::of(&span.source, start..end) {
            Some((excerpt, range)) => emit(&excerpt, &diagnostic(range), color),
            None => emit(&file, &diagnostic(start..end), color),
        };
        match out {
            Some(s) => format!("{}\n", s.trim_end()),
            None => plain(),
        }
    }

    /// The layout without a renderer, for a diagnostic without a place (or a span the
    /// renderer refuses).
    fn render_plain(&self) -> String {
        let mut s = format!("error: {}\n", self.message);
        if let Some(span) = &self.span {
            let (line, _) = span.line_col();
            let pad = " ".repeat(line.to_string().len());
            s.push_str(&format!(
                "{pad}--> {}\n{}\n",
                span.location_col(),
                snippet(span)
            ));
        }
        if let Some(h) = self.shown_hint() {
            s.push_str(&format!("  = help: {h}\n"));
        }
        s
    }
}

/// codespan-reporting's rendering of `d` in `files`; `None` when it refuses the span.
fn emit<'f, F: Files<'f, FileId = ()>>(
    files: &'f F,
    d: &term_diag::Diagnostic<()>,
    color: bool,
) -> Option<String> {
    let config = term::Config {
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    if color {
        let mut w = term::termcolor::Ansi::new(Vec::new());
        term::emit_to_write_style(&mut w, &config, files, d)
            .ok()
            .and_then(|()| String::from_utf8(w.into_inner()).ok())
    } else {
        term::emit_into_string(&config, files, d).ok()
    }
}

/// At most this many diagnostics of a list are shown: each shows its source line, and
/// a generated file can hold tens of thousands of errors.
pub const MAX_SHOWN: usize = 100;

/// A list of diagnostics as the CLI shows them: each rendered (the first
/// [`MAX_SHOWN`]; how many more were found), then how many there are in all.
pub fn render_list(ds: &[Diagnostic], color: bool) -> String {
    let mut s = String::new();
    for d in ds.iter().take(MAX_SHOWN) {
        s.push_str(&d.render(color));
        s.push('\n');
    }
    if ds.len() > MAX_SHOWN {
        s.push_str(&format!(
            "... and {} more not shown (the first {MAX_SHOWN} are)\n\n",
            ds.len() - MAX_SHOWN
        ));
    }
    s.push_str(&format!(
        "{} error{} in the rules",
        ds.len(),
        if ds.len() == 1 { "" } else { "s" }
    ));
    s
}

/// A diagnostic at a 1-based line and column (in characters) of a text that is not a
/// rule file (a snapshot); the caret covers the word there.
pub fn in_text(name: &str, text: &str, line: usize, col: usize, message: String) -> Diagnostic {
    let source = crate::syntax::Source::new(name, text);
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = text.get(line_start..).unwrap_or("");
    let start = line_start
        + rest
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(0, |(i, _)| i);
    let word = text
        .get(start..)
        .unwrap_or("")
        .find(|c: char| c.is_whitespace() || ",:{}[]".contains(c))
        .unwrap_or(0);
    Diagnostic::at(&Span::new(&source, start, start + word.max(1)), message)
}

/// Whether output to stderr should be coloured: only on a terminal, and never when
/// `NO_COLOR` is set (<https://no-color.org>).
pub fn stderr_color() -> bool {
    use std::io::IsTerminal as _;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The candidate closest to `name`, if close enough to be a likely typo.
pub(crate) fn did_you_mean<'c>(
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
    fn colour_only_when_asked() {
        let src = crate::syntax::Source::new("r.bylaw", "policy p\nlet x = y\n");
        let d = Diagnostic::at(&Span::new(&src, 17, 18), "unknown name `y`").hint("a hint");
        let plain = d.render(false);
        assert_eq!(
            plain,
            "error: unknown name `y`\n  --> r.bylaw:2:9\n  |\n2 | let x = y\n  |         ^\n  |\n  = help: a hint\n"
        );
        assert_eq!(d.to_string(), plain);
        let coloured = d.render(true);
        assert!(coloured.contains('\x1b'), "{coloured}");
        assert!(!plain.contains('\x1b'));
    }

    #[test]
    fn a_diagnostic_without_a_place_is_one_line_and_its_hint() {
        let d = Diagnostic::plain("no rule files").hint("add one");
        assert_eq!(d.render(true), "error: no rule files\n  = help: add one\n");
    }

    fn parse_error(text: &str) -> Diagnostic {
        let src = crate::syntax::Source::new("r.bylaw", text);
        match crate::syntax::parse_policy(&src) {
            Err(e) => Diagnostic::from(e),
            Ok(_) => panic!("{text} parsed"),
        }
    }

    fn check(text: &str) -> Vec<Diagnostic> {
        let src = crate::syntax::Source::new("r.bylaw", text);
        let p = crate::syntax::parse_policy(&src).unwrap();
        crate::check::check_one(&p, &crate::limits::Limits::default())
    }

    /// The stages say what kind of problem they found; rewording the message after the
    /// fact changes neither the hint nor the caret.
    #[test]
    fn parse_and_check_errors_carry_their_kind() {
        let mut d = parse_error("policy p\ndeny r { mesage \"x\" }\n");
        assert!(
            matches!(&d.kind, Kind::Syntax { found: Found::Word(w), .. } if w == "mesage"),
            "{:?}",
            d.kind
        );
        let (span, hint) = (d.span.clone(), d.shown_hint());
        assert_eq!(hint.as_deref(), Some("did you mean `message`?"));
        d.message = "something else entirely".into();
        assert_eq!((d.span.clone(), d.shown_hint()), (span, hint));

        let d = parse_error("deny r { when true }\n");
        assert!(matches!(d.kind, Kind::Syntax { .. }), "{:?}", d.kind);
        assert!(d.shown_hint().unwrap_or_default().contains("`policy NAME`"));

        let twice = check("policy p\nfacts a, a\n");
        assert!(
            twice.iter().any(|d| d.kind == Kind::DeclaredTwice),
            "{twice:?}"
        );
        // A near miss: a policy without the problem has no such diagnostic.
        assert!(check("policy p\nfacts a, b\n").is_empty());
    }

    #[test]
    fn an_operator_error_names_its_operands() {
        let d = check("policy p\nlet x = \"a\" + 1\n");
        let op = d
            .iter()
            .find(|d| matches!(d.kind, Kind::Operator { .. }))
            .unwrap_or_else(|| panic!("{d:?}"));
        let Kind::Operator { left, right, .. } = op.kind else {
            unreachable!()
        };
        assert!(left.string && right.number, "{left:?} {right:?}");
        assert!(op.shown_hint().unwrap_or_default().contains("strings join"));
    }

    #[test]
    fn suggests_close_names_only() {
        let c = ["calendar_month", "format_time", "present"];
        assert_eq!(did_you_mean("presnt", c), Some("present"));
        assert_eq!(did_you_mean("format_tme", c), Some("format_time"));
        assert_eq!(did_you_mean("xyz", c), None);
    }
}
