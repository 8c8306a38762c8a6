//! A long source line shown in part: the renderer prints the whole line under each
//! diagnostic, so a 1 MiB line with thousands of errors on it printed gigabytes (the
//! output quadratic in the line's length). Only the part around the caret is shown,
//! with `...` where the line was cut; the line and column stay the real ones.

use std::ops::Range;

use codespan_reporting::files::{self, Files, Location};

use crate::syntax::span::Source;

/// Lines longer than this many bytes are shown in part.
pub(super) const LONG_LINE: usize = 400;
/// Bytes shown before the caret.
const BEFORE: usize = 80;
/// Bytes shown in all (the caret stops at the end of them).
const WIDTH: usize = 240;
const CUT: &str = "...";

/// The part of one long line that is shown, as the renderer reads a file.
pub(super) struct Excerpt<'s> {
    name: &'s str,
    text: String,
    line: usize,
    column: usize,
}

impl<'s> Excerpt<'s> {
    /// The excerpt for a caret over `range` of `source`, and the caret's range in it;
    /// `None` when the caret's line is not long (it is shown whole).
    pub(super) fn of(source: &'s Source, range: Range<usize>) -> Option<(Self, Range<usize>)> {
        let text = source.text.as_str();
        let starts = source.line_starts();
        let line = match starts.binary_search(&range.start) {
            Ok(i) => i,
            Err(next) => next.saturating_sub(1),
        };
        let line_start = starts.get(line).copied().unwrap_or(0);
        let line_end = starts
            .get(line + 1)
            .map_or(text.len(), |next| next.saturating_sub(1))
            .max(line_start);
        if line_end - line_start <= LONG_LINE {
            return None;
        }
        let mut from = range.start.saturating_sub(BEFORE).max(line_start);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let mut to = from.saturating_add(WIDTH).min(line_end);
        while !text.is_char_boundary(to) {
            to -= 1;
        }
        let shown = text.get(from..to)?;
        let before = if from > line_start { CUT } else { "" };
        let after = if to < line_end { CUT } else { "" };
        let start = before.len() + range.start.clamp(from, to) - from;
        let end = before.len() + range.end.clamp(from, to) - from;
        let (_, column) = source.line_col(range.start);
        let excerpt = Excerpt {
            name: source.name.as_str(),
            text: format!("{before}{shown}{after}"),
            line: line + 1,
            column,
        };
        Some((excerpt, start..end.max(start)))
    }
}

impl<'s> Files<'s> for Excerpt<'s> {
    type FileId = ();
    type Name = &'s str;
    type Source = &'s str;

    fn name(&'s self, (): ()) -> Result<&'s str, files::Error> {
        Ok(self.name)
    }

    fn source(&'s self, (): ()) -> Result<&'s str, files::Error> {
        Ok(self.text.as_str())
    }

    fn line_index(&'s self, (): (), _: usize) -> Result<usize, files::Error> {
        Ok(0)
    }

    fn line_number(&'s self, (): (), _: usize) -> Result<usize, files::Error> {
        Ok(self.line)
    }

    fn location(&'s self, (): (), _: usize) -> Result<Location, files::Error> {
        Ok(Location {
            line_number: self.line,
            column_number: self.column,
        })
    }

    fn line_range(&'s self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        if line_index == 0 {
            Ok(0..self.text.len())
        } else {
            Err(files::Error::LineTooLarge {
                given: line_index,
                max: 0,
            })
        }
    }
}
