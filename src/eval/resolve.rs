//! Name resolution: part of compiling a policy. Every name gets the [`Slot`] the
//! scoping rules give it, so evaluation never searches for a name on the hot path.
//!
//! The rules are those of the interpreter's by-name lookup, applied lexically: the
//! innermost quantifier or comprehension variable, then the `for each` element, then a
//! `let`, then `now`, then a fact. A `let`'s definition sees no binders (it is computed
//! once, wherever it is used).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::evidence::squash;
use super::interp::{Fnv, LetIndex};
use crate::syntax::ast::{Clause, Expr, ExprKind, Policy, Slot, StatusKind, TemplatePart};

/// Each expression's text on one line, by its span: evidence quotes conditions, and
/// squashing the text once at load keeps that off the per-decision path.
pub type Texts = HashMap<(usize, usize), String, BuildHasherDefault<Fnv>>;

/// Resolves every name of `policy`, and returns the one-line text of every expression.
pub fn resolve_policy(policy: &mut Policy, lets: &LetIndex) -> Texts {
    let item = policy.for_each.as_ref().map(|fe| fe.var.name.clone());
    let mut r = Resolver {
        item: item.as_deref(),
        lets,
        texts: Texts::default(),
    };
    let mut binders = Vec::new();
    if let Some(e) = &mut policy.applies {
        r.expr(e, &mut binders);
    }
    if let Some(fe) = &mut policy.for_each {
        r.expr(&mut fe.list, &mut binders);
        if let Some(id) = &mut fe.id {
            r.expr(id, &mut binders);
        }
    }
    for l in &mut policy.lets {
        r.expr(&mut l.value, &mut binders);
    }
    for rule in &mut policy.rules {
        for clause in &mut rule.clauses {
            match clause {
                Clause::When(e) | Clause::Value(e) => r.expr(e, &mut binders),
                Clause::Message(t) => {
                    for part in &mut t.parts {
                        if let TemplatePart::Hole(e) = part {
                            r.expr(e, &mut binders);
                        }
                    }
                }
                Clause::Status(s) => {
                    r.expr(&mut s.when, &mut binders);
                    if let StatusKind::Approved { at, .. } = &mut s.status {
                        r.expr(at, &mut binders);
                    }
                }
                Clause::Cites(_) => {}
            }
        }
    }
    r.texts
}

struct Resolver<'p> {
    item: Option<&'p str>,
    lets: &'p LetIndex,
    texts: Texts,
}

impl Resolver<'_> {
    fn expr(&mut self, e: &mut Expr, binders: &mut Vec<String>) {
        self.texts
            .entry((e.span.start, e.span.end))
            .or_insert_with(|| squash(e.span.text()));
        match &mut e.kind {
            ExprKind::Name(n) => e.slot = self.name(n, binders),
            ExprKind::Quantifier(_, var, list, body) => {
                self.expr(list, binders);
                binders.push(var.name.clone());
                self.expr(body, binders);
                binders.pop();
            }
            ExprKind::Comprehension(_, body, var, list, filter) => {
                self.expr(list, binders);
                binders.push(var.name.clone());
                self.expr(body, binders);
                if let Some(f) = filter {
                    self.expr(f, binders);
                }
                binders.pop();
            }
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Money(..)
            | ExprKind::Time(_)
            | ExprKind::Duration(_) => {}
            ExprKind::List(items) | ExprKind::Call(_, items) => {
                items.iter_mut().for_each(|i| self.expr(i, binders));
            }
            ExprKind::Field(inner, _) | ExprKind::Unary(_, inner) => self.expr(inner, binders),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.expr(a, binders);
                self.expr(b, binders);
            }
            ExprKind::If(c, a, b) => {
                self.expr(c, binders);
                self.expr(a, binders);
                self.expr(b, binders);
            }
        }
    }

    fn name(&self, n: &str, binders: &[String]) -> Slot {
        if let Some(d) = binders.iter().rev().position(|b| b == n) {
            return u32::try_from(d).map_or(Slot::Unresolved, Slot::Binder);
        }
        if self.item == Some(n) {
            return Slot::Item;
        }
        if let Some(&i) = self.lets.get(n) {
            return u32::try_from(i).map_or(Slot::Unresolved, Slot::Let);
        }
        if n == "now" {
            return Slot::Now;
        }
        Slot::Fact
    }
}
