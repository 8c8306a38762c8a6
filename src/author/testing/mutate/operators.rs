//! The edits a mutant makes: for one expression, every small change that alters what a
//! rule means, each with how the report words it.

use chrono::TimeDelta;
use rust_decimal::Decimal;

use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Quantifier, UnaryOp};

/// What kind of edit a mutant is; the hint for a survivor depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    /// `>=` ↔ `>`, `<=` ↔ `<`: a boundary moved.
    Boundary,
    /// `==` ↔ `!=`, `in` ↔ `not in`.
    Equality,
    /// A literal nudged to the nearest different value.
    Literal,
    /// One side of `and` / `or` dropped.
    DropOperand,
    /// `and` ↔ `or`.
    Connective,
    /// `not` removed.
    RemoveNot,
    /// `not` added.
    AddNot,
    /// An element of a list dropped.
    DropElement,
    /// The default of `??` dropped.
    DropDefault,
    /// `present(x)` replaced by `true`.
    AssumePresent,
    /// `any` ↔ `all`.
    Quantifier,
    /// `+` ↔ `-`, `*` ↔ `/`.
    Arithmetic,
}

/// One edit of one expression.
#[derive(Debug, Clone)]
pub struct Edit {
    /// The kind of edit.
    pub kind: EditKind,
    /// How the report words it: "`>=` → `>`".
    pub text: String,
    /// The case that would kill it, should it survive.
    pub hint: String,
    /// The expression that replaces the original.
    pub replacement: Expr,
}

/// Whether an expression stands where a condition is read (`when`, `and`, `not`, …),
/// so that `not` can be added in front of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// A condition.
    Condition,
    /// The operand of a `not` (adding another would only cancel it).
    UnderNot,
    /// A side of a comparison (a literal there is nudged by the comparison).
    Compared,
    /// Any other value.
    Value,
}

/// Every edit of `e` (not of its sub-expressions), in a fixed order.
pub(crate) fn edits(e: &Expr, place: Place) -> Vec<Edit> {
    let mut out = Vec::new();
    let mut push = |kind, text: String, hint: String, k: ExprKind, span: &crate::syntax::Span| {
        out.push(Edit {
            kind,
            text,
            hint,
            replacement: Expr::new(k, span.clone()),
        })
    };
    let q = |x: &Expr| squash(x.span.text());
    match &e.kind {
        ExprKind::Binary(op, a, b) => {
            let swap = |to: BinaryOp| ExprKind::Binary(to, a.clone(), b.clone());
            let arrow = |to: BinaryOp| format!("`{}` → `{}`", op.as_str(), to.as_str());
            match op {
                BinaryOp::Ge | BinaryOp::Gt | BinaryOp::Le | BinaryOp::Lt => {
                    let to = match op {
                        BinaryOp::Ge => BinaryOp::Gt,
                        BinaryOp::Gt => BinaryOp::Ge,
                        BinaryOp::Le => BinaryOp::Lt,
                        _ => BinaryOp::Le,
                    };
                    let hint = format!(
                        "no case has `{}` equal to `{}`: add one at the boundary and say what it decides",
                        q(a),
                        q(b)
                    );
                    push(EditKind::Boundary, arrow(to), hint, swap(to), &e.span);
                    compared_nudges(e, *op, a, b, &mut push);
                }
                BinaryOp::Eq | BinaryOp::Ne | BinaryOp::In | BinaryOp::NotIn => {
                    let to = match op {
                        BinaryOp::Eq => BinaryOp::Ne,
                        BinaryOp::Ne => BinaryOp::Eq,
                        BinaryOp::In => BinaryOp::NotIn,
                        _ => BinaryOp::In,
                    };
                    let hint = format!(
                        "no case's decision depends on whether `{}` holds: add a case where it does and one where it does not",
                        q(e)
                    );
                    push(EditKind::Equality, arrow(to), hint, swap(to), &e.span);
                    compared_nudges(e, *op, a, b, &mut push);
                }
                BinaryOp::And | BinaryOp::Or => {
                    let to = if *op == BinaryOp::And {
                        BinaryOp::Or
                    } else {
                        BinaryOp::And
                    };
                    let hint = format!(
                        "no case has exactly one of `{}` and `{}` true",
                        q(a),
                        q(b)
                    );
                    push(EditKind::Connective, arrow(to), hint, swap(to), &e.span);
                    let word = op.as_str();
                    // Dropping one side of `and` matters when that side is false and
                    // the other true; of `or`, when it is true and the other false.
                    let (alone, other) = if *op == BinaryOp::And {
                        ("false", "true")
                    } else {
                        ("true", "false")
                    };
                    for (gone, kept, text) in [
                        (a, b, format!("`{} {word}` dropped", q(a))),
                        (b, a, format!("`{word} {}` dropped", q(b))),
                    ] {
                        let hint = format!(
                            "no case has `{}` {alone} while `{}` is {other}",
                            q(gone),
                            q(kept)
                        );
                        push(EditKind::DropOperand, text, hint, kept.kind.clone(), &kept.span);
                    }
                }
                BinaryOp::Default => push(
                    EditKind::DropDefault,
                    format!("`?? {}` dropped", q(b)),
                    format!(
                        "no case leaves `{}` missing or null, so the default `{}` is never used",
                        q(a),
                        q(b)
                    ),
                    a.kind.clone(),
                    &a.span,
                ),
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                    let to = match op {
                        BinaryOp::Add => BinaryOp::Sub,
                        BinaryOp::Sub => BinaryOp::Add,
                        BinaryOp::Mul => BinaryOp::Div,
                        _ => BinaryOp::Mul,
                    };
                    let hint = format!(
                        "no case's decision depends on the value of `{}`",
                        q(e)
                    );
                    push(EditKind::Arithmetic, arrow(to), hint, swap(to), &e.span);
                }
            }
        }
        ExprKind::Unary(UnaryOp::Not, x) => push(
            EditKind::RemoveNot,
            format!("`not` removed from `{}`", q(e)),
            format!(
                "no case's decision depends on whether `{}` holds: add a case where it does and one where it does not",
                q(x)
            ),
            x.kind.clone(),
            &x.span,
        ),
        ExprKind::Quantifier(qf @ (Quantifier::Any | Quantifier::All), var, list, body) => {
            let to = if *qf == Quantifier::Any {
                Quantifier::All
            } else {
                Quantifier::Any
            };
            push(
                EditKind::Quantifier,
                format!("`{}` → `{}`", qf.as_str(), to.as_str()),
                format!(
                    "no case has some but not all elements of `{}` satisfying `{}`",
                    q(list),
                    q(body)
                ),
                ExprKind::Quantifier(to, var.clone(), list.clone(), body.clone()),
                &e.span,
            );
        }
        ExprKind::Call(f, args) if f.name == "present" && args.len() == 1 => push(
            EditKind::AssumePresent,
            format!("`{}` → `true`", q(e)),
            format!(
                "no case leaves `{}` absent and says what that decides",
                args.first().map(q).unwrap_or_default()
            ),
            ExprKind::Bool(true),
            &e.span,
        ),
        ExprKind::List(items) => {
            for (i, item) in items.iter().enumerate() {
                let mut rest = items.clone();
                rest.remove(i);
                push(
                    EditKind::DropElement,
                    format!("`{}` dropped from the list", q(item)),
                    format!(
                        "no case has the value `{}` (the list's element) where the list is read",
                        q(item)
                    ),
                    ExprKind::List(rest),
                    &e.span,
                );
            }
        }
        _ => {}
    }
    if place != Place::Compared {
        for (text, hint, k, _) in nudges(e) {
            push(EditKind::Literal, text, hint, k, &e.span);
        }
    }
    if place == Place::Condition && negatable(e) {
        push(
            EditKind::AddNot,
            format!("`not` added before `{}`", q(e)),
            format!(
                "no case's decision depends on whether `{}` holds: add a case where it does and one where it does not",
                q(e)
            ),
            ExprKind::Unary(UnaryOp::Not, Box::new(e.clone())),
            &e.span,
        );
    }
    out
}

/// The nudges of a literal compared with something (`x > 0`), made at the comparison
/// so the hint can name the one value of `x` the two conditions decide differently.
fn compared_nudges(
    node: &Expr,
    op: BinaryOp,
    a: &Expr,
    b: &Expr,
    push: &mut impl FnMut(EditKind, String, String, ExprKind, &crate::syntax::Span),
) {
    for (literal_left, lit, other) in [(true, a, b), (false, b, a)] {
        let ordered = matches!(
            lit.kind,
            ExprKind::Number(_) | ExprKind::Money(..) | ExprKind::Duration(_) | ExprKind::Time(_)
        );
        for (i, (text, hint, k, to)) in nudges(lit).into_iter().enumerate() {
            let was = squash(lit.span.text());
            let higher = i == 1;
            // Written `other OP literal`: with `>` or `<=` the conditions differ at the
            // higher of the two values, with `>=` or `<` at the lower; a literal on
            // the left reverses that. `==` and `!=` differ at both.
            let at_higher = match op {
                BinaryOp::Gt | BinaryOp::Le => literal_left ^ true,
                BinaryOp::Ge | BinaryOp::Lt => literal_left,
                _ => true,
            };
            let hint = if !ordered {
                hint
            } else if matches!(
                op,
                BinaryOp::Gt | BinaryOp::Le | BinaryOp::Ge | BinaryOp::Lt
            ) {
                let point = if at_higher == higher { &to } else { &was };
                format!(
                    "no case has `{}` equal to `{point}`, where `{}` and the edited condition disagree",
                    squash(other.span.text()),
                    squash(node.span.text())
                )
            } else {
                format!(
                    "no case has `{}` equal to `{to}`",
                    squash(other.span.text())
                )
            };
            let edited = Expr::new(k, lit.span.clone());
            let kind = if literal_left {
                ExprKind::Binary(op, Box::new(edited), Box::new(b.clone()))
            } else {
                ExprKind::Binary(op, Box::new(a.clone()), Box::new(edited))
            };
            push(EditKind::Literal, text, hint, kind, &node.span);
        }
    }
}

/// A condition that `not` in front of changes in a way no other edit does: a name, a
/// field, a call or a quantifier (comparisons have their own operator edits).
fn negatable(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Name(_) | ExprKind::Field(..) | ExprKind::Call(..) | ExprKind::Quantifier(..)
    )
}

/// A literal's nearest different values, each with how the edit is worded and the
/// case that tells them apart.
fn nudges(e: &Expr) -> Vec<(String, String, ExprKind, String)> {
    let was = squash(e.span.text());
    let mut out = Vec::new();
    let edge = |to: &str| {
        format!(
            "no case sits at the edge `{was}` (where `{to}` decides differently): add one exactly at `{was}` and one at `{to}`"
        )
    };
    match &e.kind {
        ExprKind::Bool(b) => out.push((
            format!("`{b}` → `{}`", !b),
            format!("no case's decision depends on this `{b}`: add one that reaches it"),
            ExprKind::Bool(!b),
            (!b).to_string(),
        )),
        ExprKind::Number(n) => {
            for m in around(*n) {
                let to = m.to_string();
                out.push((
                    format!("`{was}` → `{to}`"),
                    edge(&to),
                    ExprKind::Number(m),
                    to,
                ));
            }
        }
        ExprKind::Money(n, c) => {
            for m in around(*n) {
                let to = format!("{m} {}", c.as_str());
                out.push((
                    format!("`{was}` → `{to}`"),
                    edge(&to),
                    ExprKind::Money(m, *c),
                    to,
                ));
            }
        }
        ExprKind::Duration(d) => {
            let (unit, name) = unit_of(e.span.text());
            for m in [*d - unit, *d + unit] {
                // In the unit written: `24h` → `25h`, not `1d1h`.
                let to = match (m.num_seconds().checked_div(unit.num_seconds()), name) {
                    (Some(n), "day") => format!("{n}d"),
                    (Some(n), "hour") => format!("{n}h"),
                    _ => duration_text(m),
                };
                out.push((
                    format!("`{was}` → `{to}` (±1 {name})"),
                    edge(&to),
                    ExprKind::Duration(m),
                    to,
                ));
            }
        }
        ExprKind::Time(t) => {
            for m in [*t - TimeDelta::seconds(1), *t + TimeDelta::seconds(1)] {
                let to = m.to_rfc3339();
                out.push((
                    format!("`{was}` → `{to}`"),
                    edge(&to),
                    ExprKind::Time(m),
                    to,
                ));
            }
        }
        ExprKind::String(s) => {
            // The nearest different string: one character fewer (or one, for "").
            let changed: String = if s.is_empty() {
                "x".into()
            } else {
                let mut c = s.to_string();
                c.pop();
                c
            };
            out.push((
                format!("`{was}` → `{changed:?}`"),
                format!("no case's decision depends on a value being exactly `{was}`"),
                ExprKind::String(changed.clone().into()),
                format!("{changed:?}"),
            ));
        }
        _ => {}
    }
    out
}

/// One unit of the last digit written, below and above: `1000` → 999, 1001;
/// `0.00` → -0.01, 0.01.
fn around(n: Decimal) -> [Decimal; 2] {
    let unit = Decimal::new(1, n.scale());
    [n - unit, n + unit]
}

/// The smallest unit a duration literal is written with (`24h` → hour, `1h30m` →
/// minute), with its name.
fn unit_of(written: &str) -> (TimeDelta, &'static str) {
    match written.trim().chars().last() {
        Some('d') => (TimeDelta::days(1), "day"),
        Some('h') => (TimeDelta::hours(1), "hour"),
        Some('m') => (TimeDelta::minutes(1), "minute"),
        _ => (TimeDelta::seconds(1), "second"),
    }
}

/// A duration as the language writes it: `23h`, `1h30m`, `-1s`.
pub(crate) fn duration_text(d: TimeDelta) -> String {
    let mut secs = d.num_seconds();
    let mut out = String::new();
    if secs < 0 {
        out.push('-');
        secs = -secs;
    }
    if secs == 0 {
        return "0s".into();
    }
    for (size, unit) in [(86_400, 'd'), (3_600, 'h'), (60, 'm'), (1, 's')] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

/// Text on one line, as the report quotes it.
pub(crate) fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_of_durations() {
        assert_eq!(unit_of("2d").1, "day");
        assert_eq!(unit_of("24h").1, "hour");
        assert_eq!(unit_of("1h30m").1, "minute");
        assert_eq!(duration_text(TimeDelta::minutes(90)), "1h30m");
        assert_eq!(duration_text(TimeDelta::hours(-1)), "-1h");
    }

    #[test]
    fn numbers_move_by_their_last_digit() {
        let [lo, hi] = around(Decimal::new(1000, 0));
        assert_eq!(
            (lo.to_string(), hi.to_string()),
            ("999".into(), "1001".into())
        );
        let [lo, hi] = around(Decimal::new(0, 2));
        assert_eq!(
            (lo.to_string(), hi.to_string()),
            ("-0.01".into(), "0.01".into())
        );
    }
}
