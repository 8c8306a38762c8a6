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

mod sharing;

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

// ------------------------------------------------------------ expressions

const ATOM: u8 = 10;

fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => op.precedence(),
        ExprKind::Unary(UnaryOp::Not, _) => NOT_PRECEDENCE,
        ExprKind::Unary(UnaryOp::Neg, _) => NEG_PRECEDENCE,
        ExprKind::Is(..) => IS_PRECEDENCE,
        ExprKind::If(..) => 0,
        // A folded negative literal prints as `-12`: like unary minus.
        ExprKind::Number(n) if n.is_sign_negative() => NEG_PRECEDENCE,
        ExprKind::Money(n, _) if n.is_sign_negative() => NEG_PRECEDENCE,
        // `(12).x` needs its parentheses: `12.x` would not read back.
        ExprKind::Number(_) | ExprKind::Money(..) | ExprKind::Time(_) | ExprKind::Duration(_) => {
            ATOM - 1
        }
        _ => ATOM,
    }
}

/// `e` on one line, parenthesized when its precedence is below `min`.
fn flat_in(e: &Expr, min: u8) -> String {
    let s = flat(e);
    if precedence(e) < min {
        format!("({s})")
    } else {
        s
    }
}

/// An expression on one line.
pub(crate) fn flat(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => n.to_string(),
        ExprKind::Money(n, c) => format!("{n} {c}"),
        // As written: `Z` stays `Z`, `24h` stays `24h`.
        ExprKind::Time(_) | ExprKind::Duration(_) => e.span.text().to_string(),
        ExprKind::String(s) => string(s),
        ExprKind::List(items) => format!(
            "[{}]",
            items.iter().map(flat).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Field(b, f) => format!("{}.{}", flat_in(b, ATOM), f.name),
        ExprKind::Index(b, i) => format!("{}[{}]", flat_in(b, ATOM), flat(i)),
        ExprKind::Unary(UnaryOp::Not, x) => format!("not {}", flat_in(x, NOT_PRECEDENCE + 1)),
        ExprKind::Unary(UnaryOp::Neg, x) => format!("-{}", flat_in(x, ATOM)),
        ExprKind::Is(x, test) => format!("{} is {}", flat_in(x, IS_PRECEDENCE), kind_test(test)),
        ExprKind::Binary(op, l, r) => {
            let p = op.precedence();
            format!(
                "{} {} {}",
                flat_in(l, operand_min(*op, l, p)),
                op.as_str(),
                flat_in(r, operand_min(*op, r, p + 1))
            )
        }
        ExprKind::Call(f, args) => format!(
            "{}({})",
            f.name,
            args.iter().map(flat).collect::<Vec<_>>().join(", ")
        ),
        // A nested `if` in the `then` branch reads better in parentheses; `else if` chains do not need them.
        ExprKind::If(c, a, b) => format!("if {} then {} else {}", flat(c), flat_in(a, 1), flat(b)),
        ExprKind::Quantifier(q, v, l, body) => {
            format!(
                "{}({} in {} where {})",
                q.as_str(),
                v.name,
                flat(l),
                flat(body)
            )
        }
        ExprKind::Record(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(n, v)| format!("{}: {}", n.name, flat(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Match(m) => {
            let mut arms: Vec<String> = m
                .arms
                .iter()
                .map(|a| format!("{} => {}", patterns(a), flat(&a.value)))
                .collect();
            if let Some(o) = &m.otherwise {
                arms.push(format!("else => {}", flat(o)));
            }
            format!("{}{{ {} }}", match_head(m), arms.join(", "))
        }
        ExprKind::Comprehension(kind, body, v, l, filter) => {
            let filter = filter
                .as_ref()
                .map(|f| format!(" where {}", flat(f)))
                .unwrap_or_default();
            let inner = format!("{} for {} in {}{filter}", flat(body), v.name, flat(l));
            match kind {
                Collect::List => format!("[{inner}]"),
                Collect::Sum => format!("sum({inner})"),
            }
        }
    }
}

/// An expression starting at column `col`, broken over lines when it does not fit.
fn layout(e: &Expr, col: usize, min: u8) -> String {
    let one = flat_in(e, min);
    if col + one.len() <= WIDTH {
        return one;
    }
    if precedence(e) < min {
        return format!("({})", layout(e, col + 1, 0));
    }
    match &e.kind {
        ExprKind::Binary(op, ..) => {
            let mut operands = Vec::new();
            chain(e, *op, &mut operands);
            let p = op.precedence();
            let pad = " ".repeat(col);
            let word = op.as_str();
            let mut out = layout(operands[0], col, operand_min(*op, operands[0], p));
            for x in &operands[1..] {
                out.push('\n');
                out.push_str(&pad);
                out.push_str(word);
                out.push(' ');
                out.push_str(&layout(x, col + word.len() + 1, operand_min(*op, x, p + 1)));
            }
            out
        }
        ExprKind::If(..) => layout_if(e, col),
        _ if is_block(e) => layout_block(e, col),
        ExprKind::Unary(UnaryOp::Not, x) => {
            format!("not {}", layout(x, col + 4, NOT_PRECEDENCE + 1))
        }
        ExprKind::Quantifier(q, v, l, body) => {
            let head = format!("{}({} in {}", q.as_str(), v.name, flat(l));
            let inner = col + q.as_str().len() + 1;
            format!(
                "{head}\n{}where {})",
                " ".repeat(inner),
                layout(body, inner + 6, 0)
            )
        }
        ExprKind::Comprehension(kind, body, v, l, Some(filter)) => {
            let (open, close) = match kind {
                Collect::List => ("[", "]"),
                Collect::Sum => ("sum(", ")"),
            };
            let head = format!("{open}{} for {} in {}", flat(body), v.name, flat(l));
            let inner = col + open.len();
            format!(
                "{head}\n{}where {}{close}",
                " ".repeat(inner),
                layout(filter, inner + 6, 0)
            )
        }
        _ => one,
    }
}

/// A clause's expression at `col`; a block that does not fit closes at the clause's
/// own indentation.
fn clause_layout(e: &Expr, col: usize, indent: usize) -> String {
    if is_block(e) && col + flat(e).len() > WIDTH {
        layout_block(e, indent)
    } else {
        layout(e, col, 0)
    }
}

/// Whether `e` is laid out as a block (`match`, a record, a list) when it does not fit.
fn is_block(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Match(_) | ExprKind::Record(_) | ExprKind::List(_)
    )
}

/// A `match`, record or list over lines: one arm, field or element a line, indented
/// two past `base` (the column of the line it starts on), closed at `base`. Arms end
/// in a comma, so an arm's value never runs into the next arm's pattern.
fn layout_block(e: &Expr, base: usize) -> String {
    let pad = " ".repeat(base);
    let inner = " ".repeat(base + 2);
    let (open, lines, close) = match &e.kind {
        ExprKind::Match(m) => {
            let mut lines: Vec<String> = m
                .arms
                .iter()
                .map(|a| {
                    let head = format!("{} => ", patterns(a));
                    format!("{head}{}", layout(&a.value, base + 2 + head.len(), 0))
                })
                .collect();
            if let Some(o) = &m.otherwise {
                lines.push(format!("else => {}", layout(o, base + 10, 0)));
            }
            (format!("{}{{", match_head(m)), lines, "}")
        }
        ExprKind::Record(fields) => (
            "{".to_string(),
            fields
                .iter()
                .map(|(n, v)| {
                    let head = format!("{}: ", n.name);
                    format!("{head}{}", layout(v, base + 2 + head.len(), 0))
                })
                .collect(),
            "}",
        ),
        ExprKind::List(items) => (
            "[".to_string(),
            items.iter().map(|i| layout(i, base + 2, 0)).collect(),
            "]",
        ),
        _ => return flat(e),
    };
    let mut out = open;
    for l in lines {
        out.push('\n');
        out.push_str(&inner);
        out.push_str(&l);
        out.push(',');
    }
    out.push('\n');
    out.push_str(&pad);
    out.push_str(close);
    out
}

/// `match SUBJECT ` or `match `.
fn match_head(m: &Match) -> String {
    match &m.subject {
        Some(s) => format!("match {} ", flat(s)),
        None => "match ".to_string(),
    }
}

/// An arm's patterns: `"a" | "b"`.
fn patterns(a: &Arm) -> String {
    a.patterns.iter().map(flat).collect::<Vec<_>>().join(" | ")
}

/// A type as written, on one line.
/// What follows `is`: a kind's name, or a string quoted.
pub(crate) fn kind_test(t: &KindTest) -> String {
    match t {
        KindTest::Literal(s) => string(s),
        t => t.as_str().to_string(),
    }
}

fn type_text(t: &crate::syntax::types::TypeExpr) -> String {
    crate::eval::evidence::squash(t.span.text())
}

/// A broken `if`: `then` and `else` under `if`, and an `else if` chain kept flat.
fn layout_if(e: &Expr, col: usize) -> String {
    let ExprKind::If(c, a, b) = &e.kind else {
        return layout(e, col, 0);
    };
    let pad = " ".repeat(col);
    let rest = match &b.kind {
        ExprKind::If(..) => layout_if(b, col),
        _ => layout(b, col + 5, 0),
    };
    format!(
        "if {}\n{pad}then {}\n{pad}else {rest}",
        layout(c, col + 3, 0),
        layout(a, col + 5, 1)
    )
}

/// The precedence an operand of `op` must have to go without parentheses: `and` inside
/// `or` gets them although it binds tighter, since mixed chains are easy to misread.
fn operand_min(op: BinaryOp, operand: &Expr, min: u8) -> u8 {
    match (&operand.kind, op) {
        (ExprKind::Binary(BinaryOp::And, ..), BinaryOp::Or) => BinaryOp::And.precedence() + 1,
        _ => min,
    }
}

/// The operands of a left-associative chain of one operator: `a and b and c`.
fn chain<'e>(e: &'e Expr, op: BinaryOp, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(o, l, r) if *o == op => {
            chain(l, op, out);
            out.push(r);
        }
        _ => out.push(e),
    }
}

fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, false);
    }
    out.push('"');
    out
}

/// `c` as a string literal writes it; a message also escapes its braces.
fn push_escaped(out: &mut String, c: char, braces: bool) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '{' if braces => out.push_str("\\{"),
        '}' if braces => out.push_str("\\}"),
        c => out.push(c),
    }
}

fn template(t: &Template) -> String {
    let mut out = String::from("\"");
    for part in &t.parts {
        match part {
            TemplatePart::Text(s) => {
                for c in s.chars() {
                    push_escaped(&mut out, c, true);
                }
            }
            TemplatePart::Hole(e) => {
                out.push('{');
                out.push_str(&flat(e));
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}
