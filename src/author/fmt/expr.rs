//! Laying out expressions, templates and types: the printer of `bylaw fmt` for what
//! sits inside a clause.

use super::*;

pub(super) const ATOM: u8 = 10;

pub(super) fn precedence(e: &Expr) -> u8 {
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
pub(super) fn flat_in(e: &Expr, min: u8) -> String {
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
pub(super) fn layout(e: &Expr, col: usize, min: u8) -> String {
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
pub(super) fn clause_layout(e: &Expr, col: usize, indent: usize) -> String {
    if is_block(e) && col + flat(e).len() > WIDTH {
        layout_block(e, indent)
    } else {
        layout(e, col, 0)
    }
}

/// Whether `e` is laid out as a block (`match`, a record, a list) when it does not fit.
pub(super) fn is_block(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Match(_) | ExprKind::Record(_) | ExprKind::List(_)
    )
}

/// A `match`, record or list over lines: one arm, field or element a line, indented
/// two past `base` (the column of the line it starts on), closed at `base`. Arms end
/// in a comma, so an arm's value never runs into the next arm's pattern.
pub(super) fn layout_block(e: &Expr, base: usize) -> String {
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
pub(super) fn match_head(m: &Match) -> String {
    match &m.subject {
        Some(s) => format!("match {} ", flat(s)),
        None => "match ".to_string(),
    }
}

/// An arm's patterns: `"a" | "b"`.
pub(super) fn patterns(a: &Arm) -> String {
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

pub(super) fn type_text(t: &crate::syntax::types::TypeExpr) -> String {
    crate::eval::evidence::squash(t.span.text())
}

/// A broken `if`: `then` and `else` under `if`, and an `else if` chain kept flat.
pub(super) fn layout_if(e: &Expr, col: usize) -> String {
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
pub(super) fn operand_min(op: BinaryOp, operand: &Expr, min: u8) -> u8 {
    match (&operand.kind, op) {
        (ExprKind::Binary(BinaryOp::And, ..), BinaryOp::Or) => BinaryOp::And.precedence() + 1,
        _ => min,
    }
}

/// The operands of a left-associative chain of one operator: `a and b and c`.
pub(super) fn chain<'e>(e: &'e Expr, op: BinaryOp, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(o, l, r) if *o == op => {
            chain(l, op, out);
            out.push(r);
        }
        _ => out.push(e),
    }
}

pub(super) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, false);
    }
    out.push('"');
    out
}

/// `c` as a string literal writes it; a message also escapes its braces.
pub(super) fn push_escaped(out: &mut String, c: char, braces: bool) {
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

pub(super) fn template(t: &Template) -> String {
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
