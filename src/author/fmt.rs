//! `bylaw fmt`: one canonical layout for rule files.
//!
//! The layout is computed from the AST alone (plus literals' own text, so `24h`
//! stays `24h` and `2000.00 USD` keeps its digits), which makes formatting
//! idempotent. Comments are kept: a comment at the end of an item's last line stays
//! there; any other comment is placed on its own line before the item it was in
//! or before. At most one blank line is kept between items.

use std::sync::Arc;

use crate::syntax::ast::*;
use crate::syntax::{parse_policy, ParseError, Source};

mod expr;
mod sharing;

use expr::*;

/// Lines are broken when they would be longer than this.
pub(crate) const WIDTH: usize = 100;

/// Formats a rule file's text.
pub fn format_source(source: &Arc<Source>) -> Result<String, ParseError> {
    let policy = parse_policy(source)?;
    Ok(format_policy(&policy, &source.text))
}

/// Formats a parsed policy; `text` is the file it was parsed from (for comments and
/// blank lines; pass "" for a policy built in code).
pub(crate) fn format_policy(policy: &Policy, text: &str) -> String {
    let mut units = Vec::new();
    header_units(policy, &mut units);
    for l in &policy.lets {
        units.push(Unit::new(l.name.span.start, l.value.span.end, Body::Let(l)));
    }
    for f in &policy.functions {
        units.push(Unit::new(f.span.start, f.span.end, Body::Function(f)));
    }
    for r in &policy.rules {
        units.push(Unit::new(r.span.start, r.span.end, Body::Rule(r)));
    }
    units.sort_by_key(|u| u.start);
    let mut p = Printer::new(text);
    for u in &units {
        p.unit(u, 0, true);
    }
    p.rest(0);
    let mut out = p.out;
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

struct Unit<'a> {
    start: usize,
    end: usize,
    body: Body<'a>,
}

impl<'a> Unit<'a> {
    fn new(start: usize, end: usize, body: Body<'a>) -> Unit<'a> {
        Unit { start, end, body }
    }
}

enum Body<'a> {
    /// `policy NAME`, or `library NAME` when true.
    Policy(&'a Ident, bool),
    /// Printed as it is.
    Line(String),
    Title(&'a Str),
    SourceDoc(&'a Str),
    Facts(&'a [Ident]),
    Verbatim(&'a str),
    Applies(&'a Expr),
    ForEach(&'a ForEach),
    Let(&'a Let),
    Function(&'a Function),
    Rule(&'a Rule),
    Clause(&'a Clause),
}

fn header_units<'a>(p: &'a Policy, units: &mut Vec<Unit<'a>>) {
    units.push(Unit::new(
        p.id.span.start,
        p.id.span.end,
        Body::Policy(&p.id, p.library),
    ));
    sharing::units(p, units);
    if let Some(t) = &p.title {
        units.push(Unit::new(t.span.start, t.span.end, Body::Title(t)));
    }
    if let Some(s) = &p.source_doc {
        units.push(Unit::new(s.span.start, s.span.end, Body::SourceDoc(s)));
    }
    match (&p.schema, &p.facts_span) {
        // A typed schema is laid out by its author (aligned columns, comments between
        // fields) and kept as written.
        (Some(_), Some(span)) => {
            units.push(Unit::new(span.start, span.end, Body::Verbatim(span.text())))
        }
        _ => {
            if let (Some(first), Some(last)) = (p.facts.first(), p.facts.last()) {
                units.push(Unit::new(
                    first.span.start,
                    last.span.end,
                    Body::Facts(&p.facts),
                ));
            }
        }
    }
    if let Some(a) = &p.applies {
        units.push(Unit::new(a.span.start, a.span.end, Body::Applies(a)));
    }
    if let Some(f) = &p.for_each {
        units.push(Unit::new(f.span.start, f.span.end, Body::ForEach(f)));
    }
}

/// A typed `facts { … }` block as its author laid it out (aligned columns, comments
/// between fields), with what no layout means taken out, so that `fmt --check` does not
/// pass a block `fmt` would leave ragged: a tab is two spaces in the indentation and one
/// space elsewhere, white space at the ends of lines goes, blank lines are one at most
/// and none just inside the braces.
fn tidy_block(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let body = line.trim_start_matches([' ', '\t']);
        let indent: usize = line[..line.len() - body.len()]
            .chars()
            .map(|c| if c == '\t' { 2 } else { 1 })
            .sum();
        let body = body.replace('\t', " ");
        let body = body.trim_end();
        if body.is_empty() {
            let after_open = lines.last().is_some_and(|l| l.ends_with('{'));
            if !after_open && lines.last().is_some_and(|l| !l.is_empty()) {
                lines.push(String::new());
            }
            continue;
        }
        if body.starts_with('}') && lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        // The first line continues the line `facts` is on: its indentation is not its own.
        let indent = if lines.is_empty() { 0 } else { indent };
        lines.push(format!("{}{body}", " ".repeat(indent)));
    }
    lines.join("\n")
}

/// A `#` comment of the source.
struct Comment {
    start: usize,
    text: String,
    /// Nothing but white space before it on its line.
    own_line: bool,
}

/// Where the comment scanner is: in a string, or in the code of a message's hole
/// (`"… {expr # a comment\n} …"`), with the `{` nesting inside it. Holes hold code,
/// comments and strings of their own, so a flag "in a string" lost the comment in a
/// hole and, out of step, the one after the message.
enum Nest {
    Str,
    Hole(usize),
}

fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut stack: Vec<Nest> = Vec::new();
    let mut escaped = false;
    let mut line_start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\n' {
            line_start = i + 1;
        }
        if let Some(Nest::Str) = stack.last() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                // An unterminated string ends with its line, as the parser reports it.
                '"' | '\n' => {
                    stack.pop();
                }
                '{' => stack.push(Nest::Hole(0)),
                _ => {}
            }
            continue;
        }
        match c {
            '"' => stack.push(Nest::Str),
            '{' => {
                if let Some(Nest::Hole(depth)) = stack.last_mut() {
                    *depth += 1;
                }
            }
            '}' => match stack.last_mut() {
                Some(Nest::Hole(0)) => {
                    stack.pop();
                }
                Some(Nest::Hole(depth)) => *depth -= 1,
                _ => {}
            },
            '#' => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                out.push(Comment {
                    start: i,
                    text: text[i..end].trim_end().to_string(),
                    own_line: text[line_start..i].trim().is_empty(),
                });
                while chars.peek().is_some_and(|(j, _)| *j < end) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    out
}

struct Printer<'t> {
    text: &'t str,
    comments: Vec<Comment>,
    next_comment: usize,
    /// Byte offset up to which the source has been accounted for.
    pos: usize,
    out: String,
}

impl<'t> Printer<'t> {
    fn new(text: &'t str) -> Printer<'t> {
        Printer {
            text,
            comments: comments(text),
            next_comment: 0,
            pos: 0,
            out: String::new(),
        }
    }

    fn line_end(&self, offset: usize) -> usize {
        self.text
            .get(offset..)
            .and_then(|t| t.find('\n'))
            .map_or(self.text.len(), |n| offset + n)
    }

    /// Whether the source has a blank line between `pos` and `upto`.
    fn blank_line_before(&self, upto: usize) -> bool {
        let gap = self.text.get(self.pos..upto).unwrap_or("");
        let mut lines = gap.split('\n');
        lines.next(); // the rest of the line `pos` is on
        let mut inner: Vec<&str> = lines.collect();
        inner.pop(); // the line `upto` is on
        inner.iter().any(|l| l.trim().is_empty())
    }

    fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") && !self.out.ends_with("{\n") {
            self.out.push('\n');
        }
    }

    /// Comments before `upto`, each on its own line, and the blank lines around them.
    fn leading(&mut self, upto: usize, indent: usize, may_blank: bool) {
        while let Some(c) = self.comments.get(self.next_comment) {
            if c.start >= upto {
                break;
            }
            let (start, text) = (c.start, c.text.clone());
            if may_blank && self.blank_line_before(start) {
                self.blank_line();
            }
            self.out.push_str(&" ".repeat(indent));
            self.out.push_str(&text);
            self.out.push('\n');
            self.pos = self.line_end(start);
            self.next_comment += 1;
        }
        if may_blank && upto != usize::MAX && self.blank_line_before(upto) {
            self.blank_line();
        }
    }

    /// Ends the line of a unit ending at `end`, keeping a comment written after it.
    fn trailing(&mut self, end: usize) {
        let line_end = self.line_end(end);
        if let Some(c) = self.comments.get(self.next_comment) {
            if !c.own_line && c.start >= end && c.start <= line_end {
                self.out.push_str("  ");
                self.out.push_str(&c.text);
                self.next_comment += 1;
            }
        }
        self.out.push('\n');
        self.pos = line_end;
    }

    /// Comments left at the end (of the file, or of a rule's block).
    fn rest(&mut self, indent: usize) {
        self.leading(usize::MAX, indent, true);
    }

    fn unit(&mut self, u: &Unit<'_>, indent: usize, may_blank: bool) {
        self.leading(u.start, indent, may_blank);
        let pad = " ".repeat(indent);
        if let Body::Rule(r) = u.body {
            self.out
                .push_str(&format!("{pad}{} {} {{", r.kind.as_str(), r.name.name));
            self.trailing(r.name.span.end);
            for c in &r.clauses {
                let (start, end) = clause_span(c);
                self.unit(&Unit::new(start, end, Body::Clause(c)), indent + 2, true);
            }
            let close = r.span.end.saturating_sub(1);
            self.leading(close, indent + 2, false);
            self.out.push_str(&format!("{pad}}}"));
            self.trailing(r.span.end);
            return;
        }
        let text = self.body_text(&u.body, indent);
        self.out.push_str(&text);
        if let Body::Verbatim(_) = u.body {
            // Its comments are in the text already.
            while self
                .comments
                .get(self.next_comment)
                .is_some_and(|c| c.start < u.end)
            {
                self.next_comment += 1;
            }
        }
        // A comment inside a multi-line unit cannot stay where it was: it follows the
        // unit on a line of its own (and so leads the next unit on the next run).
        let mut inner = Vec::new();
        while let Some(c) = self.comments.get(self.next_comment) {
            if c.start >= u.end {
                break;
            }
            inner.push(c.text.clone());
            self.next_comment += 1;
        }
        self.trailing(u.end);
        for c in inner {
            self.out.push_str(&pad);
            self.out.push_str(&c);
            self.out.push('\n');
        }
    }

    fn body_text(&self, body: &Body<'_>, indent: usize) -> String {
        let pad = " ".repeat(indent);
        match body {
            Body::Policy(id, false) => format!("policy {}", id.name),
            Body::Policy(id, true) => format!("library {}", id.name),
            Body::Line(text) => text.clone(),
            Body::Title(s) => format!("title   {}", string(&s.value)),
            Body::SourceDoc(s) => format!("source  {}", string(&s.value)),
            Body::Verbatim(text) => tidy_block(text),
            Body::Facts(f) => {
                let names: Vec<&str> = f.iter().map(|i| i.name.as_str()).collect();
                format!("facts   {}", names.join(", "))
            }
            Body::Applies(e) => format!("applies when {}", layout(e, 13, 0)),
            Body::ForEach(f) => {
                let mut s = format!("for each {} in {}", f.var.name, flat(&f.list));
                if let Some(id) = &f.id {
                    s.push_str(&format!(" identified by {}", flat(id)));
                }
                s
            }
            Body::Function(f) => {
                let params: Vec<String> = f
                    .params
                    .iter()
                    .map(|p| format!("{}: {}", p.name.name, type_text(&p.ty)))
                    .collect();
                let mut head = format!(
                    "{pad}fn {}({}) -> {} = ",
                    f.name.name,
                    params.join(", "),
                    type_text(&f.result)
                );
                if head.len() > WIDTH {
                    // One parameter a line, each ending in a comma.
                    head = format!("{pad}fn {}(\n", f.name.name);
                    for p in &params {
                        head.push_str(&format!("{pad}  {p},\n"));
                    }
                    head.push_str(&format!("{pad}) -> {} = ", type_text(&f.result)));
                }
                let last_line = head.rsplit('\n').next().unwrap_or("").len();
                let one = flat(&f.body);
                if last_line + one.len() <= WIDTH {
                    format!("{head}{one}")
                } else if is_block(&f.body) {
                    format!("{head}{}", layout_block(&f.body, indent))
                } else {
                    format!(
                        "{}\n{pad}  {}",
                        head.trim_end(),
                        layout(&f.body, indent + 2, 0)
                    )
                }
            }
            Body::Let(l) => {
                let head = format!("{pad}let {} = ", l.name.name);
                let one = flat(&l.value);
                if head.len() + one.len() <= WIDTH {
                    format!("{head}{one}")
                } else if is_block(&l.value) {
                    format!("{head}{}", layout_block(&l.value, indent))
                } else {
                    format!(
                        "{pad}let {} =\n{pad}  {}",
                        l.name.name,
                        layout(&l.value, indent + 2, 0)
                    )
                }
            }
            Body::Clause(c) => {
                let col = indent + 8;
                let s = match c {
                    Clause::Message(t) => format!("message {}", template(t)),
                    Clause::Remedy(t) => format!("remedy  {}", template(t)),
                    Clause::When(e) => format!("when    {}", clause_layout(e, col, indent)),
                    Clause::Value(e) => format!("value   {}", clause_layout(e, col, indent)),
                    Clause::Cites(s) => format!("cites   {}", string(&s.value)),
                    Clause::Status(s) => match &s.status {
                        StatusKind::Rejected => {
                            format!("rejected when {}", layout(&s.when, indent + 14, 0))
                        }
                        StatusKind::Approved { by, at } => {
                            let head =
                                format!("approved by {} at {} when ", string(&by.value), flat(at));
                            let col = indent + head.len();
                            format!("{head}{}", layout(&s.when, col, 0))
                        }
                    },
                };
                format!("{pad}{s}")
            }
            Body::Rule(_) => String::new(),
        }
    }
}

/// The clause's extent, keyword included where the AST keeps it.
fn clause_span(c: &Clause) -> (usize, usize) {
    match c {
        Clause::Message(t) | Clause::Remedy(t) => (t.span.start, t.span.end),
        Clause::When(e) | Clause::Value(e) => (e.span.start, e.span.end),
        Clause::Cites(s) => (s.span.start, s.span.end),
        Clause::Status(s) => (s.span.start, s.span.end),
    }
}
