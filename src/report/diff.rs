//! The one line diff: every place that shows two texts line by line (a changed
//! golden's evidence, an author test's expected and actual record) goes through here.
//!
//! The diff itself is the `similar` crate's (Myers' algorithm, linear memory): a
//! hand-written longest-common-subsequence table used to sit beside it, quadratic in
//! memory and breaking ties its own way, so two commands could show one change as two
//! different (equally short) diffs.

use similar::{Algorithm, ChangeTag};

/// Texts longer than this, in lines before and after together, are not diffed: Myers'
/// algorithm takes time in proportion to the length times the number of changed lines,
/// and no one reads a diff this long. Set so that the worst case stays well under a
/// second; a rule's evidence is a few dozen lines.
pub(crate) const MAX_DIFF_LINES: usize = 10_000;

/// One line of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// In both texts.
    Same(&'a str),
    /// Only in the text before.
    Removed(&'a str),
    /// Only in the text after.
    Added(&'a str),
}

impl<'a> Line<'a> {
    /// `' '`, `'-'` or `'+'`.
    pub(crate) fn sign(self) -> char {
        match self {
            Line::Same(_) => ' ',
            Line::Removed(_) => '-',
            Line::Added(_) => '+',
        }
    }

    /// The line's text, without its line break.
    pub(crate) fn text(self) -> &'a str {
        match self {
            Line::Same(t) | Line::Removed(t) | Line::Added(t) => t,
        }
    }
}

/// The lines of `before` and `after` (split as [`str::lines`] does), each marked as kept,
/// removed or added; `None` when together they have more than [`MAX_DIFF_LINES`] lines.
///
/// Deterministic: no deadline, so the same texts always give the same diff.
pub(crate) fn lines<'a>(before: &'a str, after: &'a str) -> Option<Vec<Line<'a>>> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    if a.len().saturating_add(b.len()) > MAX_DIFF_LINES {
        return None;
    }
    let diff = similar::TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_slices(&a, &b);
    Some(
        diff.iter_all_changes()
            .map(|c| match c.tag() {
                ChangeTag::Equal => Line::Same(c.value()),
                ChangeTag::Delete => Line::Removed(c.value()),
                ChangeTag::Insert => Line::Added(c.value()),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signs(before: &str, after: &str) -> String {
        lines(before, after)
            .unwrap_or_default()
            .iter()
            .map(|l| format!("{}{}", l.sign(), l.text()))
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn a_changed_line_is_removed_then_added() {
        assert_eq!(signs("a\nb\nc\n", "a\nX\nc\n"), " a|-b|+X| c");
    }

    #[test]
    fn a_missing_final_line_break_is_no_change() {
        assert_eq!(signs("a\nb", "a\nb\n"), " a| b");
        assert_eq!(signs("a\r\nb\r\n", "a\nb\n"), " a| b");
    }

    #[test]
    fn texts_too_long_to_diff_are_refused_not_diffed() {
        let long = "x\n".repeat(MAX_DIFF_LINES);
        assert!(lines(&long, "x\n").is_none());
        assert!(lines(&long[2..], "x\n").is_some());
    }
}
