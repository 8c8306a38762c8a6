//! Below the grammar rules: moving through pest pairs, trimming spans, unescaping
//! strings, reading durations.

use std::str::FromStr;
use std::sync::Arc;

use chrono::TimeDelta;
use pest::iterators::{Pair, Pairs};

use super::ast::BinaryOp;
use super::parser::*;
use super::span::{Source, Span};

/// The end of a span without the white space and comments pest may leave at its end
/// (implicit `WHITESPACE`/`COMMENT` after an optional last part).
pub(super) fn tight_end(text: &str, start: usize, mut end: usize) -> usize {
    // Most spans end on a visible character of a line without `#`: nothing to trim.
    // Said with bytes, it costs less than the rest of building a node; what it
    // returns is what the loop below would.
    if let Some(body) = text.as_bytes().get(start..end) {
        let last_line = memchr::memrchr(b'\n', body).map_or(body, |i| &body[i + 1..]);
        if body.last().is_some_and(u8::is_ascii_graphic)
            && memchr::memchr(b'#', last_line).is_none()
        {
            return end;
        }
    }
    loop {
        let body = text.get(start..end).unwrap_or("");
        let trimmed = body.trim_end();
        end = start + trimmed.len();
        let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        let last_line = &trimmed[line_start..];
        // Most spans end on a line without `#`: no need to read it character by character.
        if !last_line.contains('#') {
            return end;
        }
        match comment_start(last_line) {
            Some(i) => end = start + line_start + i,
            None => return end,
        }
    }
}

/// Where a `#` comment starts on a line of rule text, if it has one.
pub(super) fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

pub(super) fn binary_op(rule: Rule) -> Option<BinaryOp> {
    Some(match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_in => BinaryOp::In,
        Rule::op_not_in => BinaryOp::NotIn,
        Rule::op_default => BinaryOp::Default,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        _ => return None,
    })
}

pub(super) fn next<'i>(
    pairs: &mut Pairs<'i, Rule>,
    source: &Arc<Source>,
) -> Result<Pair<'i, Rule>> {
    pairs.next().ok_or_else(|| {
        ParseError::at(
            &Span::new(source, source.text.len(), source.text.len()),
            "unexpected end of input",
        )
    })
}

pub(super) fn first_inner<'i>(
    pair: Pair<'i, Rule>,
    source: &Arc<Source>,
) -> Result<Pair<'i, Rule>> {
    let span = pair.as_span();
    pair.into_inner().next().ok_or_else(|| {
        ParseError::at(
            &Span::new(source, span.start(), span.end()),
            "incomplete clause",
        )
    })
}

pub(super) fn unescape(raw: &str) -> String {
    // Most strings have no escape: copy them whole.
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// `1h30m` → 90 minutes; `None` when it overflows.
pub(crate) fn parse_duration(text: &str) -> Option<TimeDelta> {
    let mut total = TimeDelta::zero();
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n = i64::from_str(&digits).ok()?;
        digits.clear();
        let part = match c {
            'd' => TimeDelta::try_days(n)?,
            'h' => TimeDelta::try_hours(n)?,
            'm' => TimeDelta::try_minutes(n)?,
            's' => TimeDelta::try_seconds(n)?,
            _ => return None,
        };
        total = total.checked_add(&part)?;
    }
    digits.is_empty().then_some(total)
}

#[cfg(test)]
mod tests {
    use super::tight_end;

    #[test]
    fn spans_lose_trailing_white_space_and_comments_only() {
        let cases: &[(&str, usize)] = &[
            ("a.b", 3),
            ("a.b\n  ", 3),
            ("a + b  # c\n", 5),
            ("x\n# one\n  # two\n", 1),
            // Near misses: a `#` in a string is not a comment, and a span that ends on
            // a visible character is still cut where a comment starts on its last line.
            ("f(\"#\")", 6),
            ("a # b", 1),
        ];
        for (text, want) in cases {
            assert_eq!(tight_end(text, 0, text.len()), *want, "{text:?}");
        }
    }
}
