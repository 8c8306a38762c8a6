//! What both checkers ask of an expression: the type it has from literals alone;
//! and for the type checker: is it a fact path or a literal, its
//! key and short text, and the type arithmetic between two types yields.

use std::borrow::Cow;

use crate::eval::evidence::squash;
use crate::schema::Ty;
use crate::syntax::ast::*;
use crate::value::Type;

/// A fact path as the narrowing knows it: the root name, then field names, borrowed
/// from the syntax tree (then, for `required when`, `==` or `in` and the values' keys).
pub(super) type Path<'p> = Vec<Cow<'p, str>>;

/// The type of `a op b` for arithmetic, `None` when the operator does not apply.
pub(super) fn arithmetic(op: BinaryOp, a: &Ty, b: &Ty) -> Option<Ty> {
    use Ty::*;
    let num = |t: &Ty| matches!(t, Integer | Decimal);
    Some(match (op, a, b) {
        (_, Any, _) | (_, _, Any) => Any,
        (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul, Integer, Integer) => Integer,
        (_, x, y) if num(x) && num(y) => Decimal,
        (BinaryOp::Add | BinaryOp::Sub, Money, Money) => Money,
        (BinaryOp::Add | BinaryOp::Sub, Time, Duration) | (BinaryOp::Add, Duration, Time) => Time,
        (BinaryOp::Add | BinaryOp::Sub, Duration, Duration) => Duration,
        (BinaryOp::Sub, Time, Time) => Duration,
        (BinaryOp::Add, String | Enum(_), String | Enum(_)) => String,
        (BinaryOp::Add, List(x), List(y)) => List(Box::new(x.unify(y).unwrap_or(Any))),
        (BinaryOp::Mul, x, Money) | (BinaryOp::Mul | BinaryOp::Div, Money, x) if num(x) => Money,
        (BinaryOp::Mul, x, Duration) | (BinaryOp::Mul, Duration, x) if num(x) => Duration,
        (BinaryOp::Div, Money, Money) | (BinaryOp::Div, Duration, Duration) => Decimal,
        (BinaryOp::Div, Duration, x) if num(x) => Duration,
        _ => return None,
    })
}

pub(super) fn is_path(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Name(_) | ExprKind::Field(..) | ExprKind::Index(..)
    )
}

pub(super) fn is_literal(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Money(..)
            | ExprKind::Time(_)
            | ExprKind::Duration(_)
    )
}

/// `a.b.c` as a narrowing key; `None` for anything that is not names and fields.
pub(super) fn path_key(e: &Expr) -> Option<Path<'_>> {
    match &e.kind {
        ExprKind::Name(n) => Some(vec![Cow::Borrowed(n.as_str())]),
        ExprKind::Field(b, f) => {
            let mut p = path_key(b)?;
            p.push(Cow::Borrowed(f.name.as_str()));
            Some(p)
        }
        _ => None,
    }
}

/// How many names and fields the path `e` has (`a.b.c`: 3), `None` where
/// [`path_key`] has no key.
pub(super) fn path_len(e: &Expr) -> Option<usize> {
    let mut n = 1;
    let mut at = e;
    loop {
        match &at.kind {
            ExprKind::Name(_) => return Some(n),
            ExprKind::Field(b, _) => {
                n += 1;
                at = b;
            }
            _ => return None,
        }
    }
}

/// Whether `key` is `e`'s [`path_key`], compared in place: checking a path's type asks
/// this of every path, and building each key was a tenth of the checker's allocations.
pub(super) fn is_key(e: &Expr, key: &[Cow<'_, str>]) -> bool {
    let mut at = e;
    let mut key = key;
    loop {
        match (&at.kind, key.split_last()) {
            (ExprKind::Name(n), Some((last, []))) => return **n == **last,
            (ExprKind::Field(b, f), Some((last, rest))) if *f.name == **last => {
                at = b;
                key = rest;
            }
            _ => return false,
        }
    }
}

/// An expression's text on one line, shortened for a message.
pub(super) fn short(e: &Expr) -> String {
    let s = squash(e.span.text());
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// The type of an expression when it follows from literals alone.
pub(super) fn static_type(e: &Expr) -> Option<Type> {
    Some(match &e.kind {
        ExprKind::Null => Type::Null,
        ExprKind::Bool(_) => Type::Bool,
        ExprKind::Number(_) => Type::Number,
        ExprKind::String(_) => Type::String,
        ExprKind::Money(..) => Type::Money,
        ExprKind::Time(_) => Type::Time,
        ExprKind::Duration(_) => Type::Duration,
        ExprKind::List(_) | ExprKind::Comprehension(Collect::List, ..) => Type::List,
        ExprKind::Unary(UnaryOp::Not, _) => Type::Bool,
        ExprKind::Quantifier(Quantifier::Count, ..) => Type::Number,
        ExprKind::Quantifier(..) => Type::Bool,
        ExprKind::Binary(op, l, r) => match op {
            op if op.is_boolean() => Type::Bool,
            BinaryOp::Sub
                if static_type(l) == Some(Type::Time) && static_type(r) == Some(Type::Time) =>
            {
                Type::Duration
            }
            BinaryOp::Add | BinaryOp::Sub => match (static_type(l)?, static_type(r)?) {
                (Type::Time, _) | (_, Type::Time) => Type::Time,
                (a, _) => a,
            },
            _ => return None,
        },
        ExprKind::Call(f, _) => match f.name.as_str() {
            "present" | "contains" | "starts_with" => Type::Bool,
            "trim" | "lower" | "upper" | "format_time" | "calendar_month" => Type::String,
            "len" | "count" | "year" | "month" | "day" => Type::Number,
            "money" => Type::Money,
            "to_offset" => Type::Time,
            "ends_with" => Type::Bool,
            "join" | "text" => Type::String,
            "days" | "hours" | "minutes" | "seconds" | "hour" | "minute" | "weekday"
            | "months_between" | "years_between" => Type::Number,
            "duration" => Type::Duration,
            "start_of" | "add_months" | "add_years" => Type::Time,
            _ => return None,
        },
        _ => return None,
    })
}
