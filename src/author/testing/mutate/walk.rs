//! Where mutants are made: every expression a policy decides with (`applies`, the
//! `let`s, each rule's `when`, `value` and status clauses), numbered in one fixed
//! order so that a mutant is named by (policy, node, edit) and rebuilt from the parsed
//! tree whenever it is needed. Messages and citations are not mutated: they say what a
//! decision means, not what it is (the golden decisions pin their text).

use crate::syntax::ast::{BinaryOp, Clause, Expr, ExprKind, Policy, StatusKind, UnaryOp};
use crate::syntax::Span;

use super::operators::{edits, Edit, Place};

/// A place a mutant can be made, with every edit there.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    /// The node's number in the walk.
    pub node: usize,
    /// Where the node is written.
    pub span: Span,
    /// What it belongs to: `rule large_order_review`, `let inactive`, `applies`.
    pub owner: String,
    /// The edits.
    pub edits: Vec<Edit>,
}

/// Every site of a policy, in walk order.
pub(crate) fn sites(policy: &Policy) -> Vec<Site> {
    let mut p = policy.clone();
    let mut out = Vec::new();
    let mut counter = 0;
    for_each_root(&mut p, &mut |root, place, owner| {
        walk(root, place, &mut counter, &mut |node, e, place| {
            let found = edits(e, place);
            if !found.is_empty() {
                out.push(Site {
                    node,
                    span: e.span.clone(),
                    owner: owner.to_string(),
                    edits: found,
                });
            }
            false
        });
    });
    out
}

/// The policy with edit `edit` applied at node `node`; `None` when there is no such edit.
pub(crate) fn apply(policy: &Policy, node: usize, edit: usize) -> Option<Policy> {
    let mut p = policy.clone();
    let mut counter = 0;
    let mut done = false;
    for_each_root(&mut p, &mut |root, place, _| {
        if done {
            return;
        }
        walk(root, place, &mut counter, &mut |n, e, place| {
            if n != node {
                return false;
            }
            if let Some(ed) = edits(e, place).into_iter().nth(edit) {
                *e = ed.replacement;
                done = true;
            }
            true
        });
    });
    done.then_some(p)
}

/// Calls `f` on every root expression a policy decides with, naming its owner.
fn for_each_root(p: &mut Policy, f: &mut dyn FnMut(&mut Expr, Place, &str)) {
    if let Some(a) = &mut p.applies {
        f(a, Place::Condition, "applies");
    }
    for l in &mut p.lets {
        let owner = format!("let {}", l.name.name);
        let place = if is_condition(&l.value) {
            Place::Condition
        } else {
            Place::Value
        };
        f(&mut l.value, place, &owner);
    }
    for r in &mut p.rules {
        let owner = format!("{} {}", r.kind.as_str(), r.name.name);
        for c in &mut r.clauses {
            match c {
                Clause::When(e) => f(e, Place::Condition, &owner),
                Clause::Value(e) => f(e, Place::Value, &owner),
                Clause::Status(s) => {
                    if let StatusKind::Approved { at, .. } = &mut s.status {
                        f(at, Place::Value, &owner);
                    }
                    f(&mut s.when, Place::Condition, &owner);
                }
                Clause::Message(_) | Clause::Remedy(_) | Clause::Cites(_) => {}
            }
        }
    }
}

/// Whether a `let` is a condition, by the shape of its value.
fn is_condition(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Binary(op, ..) => op.is_boolean(),
        ExprKind::Unary(op, _) => *op == UnaryOp::Not,
        ExprKind::Bool(_) | ExprKind::Is(..) => true,
        _ => false,
    }
}

/// Pre-order walk numbering every node; `f` returns true to stop.
fn walk(
    e: &mut Expr,
    place: Place,
    counter: &mut usize,
    f: &mut dyn FnMut(usize, &mut Expr, Place) -> bool,
) -> bool {
    let n = *counter;
    *counter += 1;
    if f(n, e, place) {
        return true;
    }
    let mut go = |e: &mut Expr, place: Place| walk(e, place, counter, f);
    match &mut e.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Money(..)
        | ExprKind::Time(_)
        | ExprKind::Duration(_)
        | ExprKind::Name(_) => false,
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            items.iter_mut().any(|x| go(x, Place::Value))
        }
        ExprKind::Field(x, _) | ExprKind::Is(x, _) => go(x, Place::Value),
        ExprKind::Unary(op, x) => {
            let inner = if *op == UnaryOp::Not {
                Place::UnderNot
            } else {
                Place::Value
            };
            go(x, inner)
        }
        ExprKind::Index(a, b) => go(a, Place::Value) || go(b, Place::Value),
        ExprKind::Binary(op, a, b) => {
            let inner = match op {
                BinaryOp::And | BinaryOp::Or => Place::Condition,
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => Place::Compared,
                _ => Place::Value,
            };
            go(a, inner) || go(b, inner)
        }
        ExprKind::If(c, a, b) => {
            let branch = if place == Place::UnderNot {
                Place::Condition
            } else {
                place
            };
            go(c, Place::Condition) || go(a, branch) || go(b, branch)
        }
        ExprKind::Record(fields) => fields.iter_mut().any(|(_, x)| go(x, Place::Value)),
        ExprKind::Match(m) => {
            let branch = if place == Place::UnderNot {
                Place::Condition
            } else {
                place
            };
            // With a subject the patterns are values it is compared with; without one,
            // each arm's pattern is its condition.
            let pattern = if m.subject.is_some() {
                Place::Value
            } else {
                Place::Condition
            };
            m.subject.as_mut().is_some_and(|x| go(x, Place::Value))
                || m.arms.iter_mut().any(|arm| {
                    arm.patterns.iter_mut().any(|x| go(x, pattern)) || go(&mut arm.value, branch)
                })
                || m.otherwise.as_mut().is_some_and(|x| go(x, branch))
        }
        ExprKind::Quantifier(_, _, list, body) => {
            go(list, Place::Value) || go(body, Place::Condition)
        }
        ExprKind::Comprehension(_, body, _, list, filter) => {
            go(list, Place::Value)
                || go(body, Place::Value)
                || filter.as_mut().is_some_and(|c| go(c, Place::Condition))
        }
    }
}
