//! Name resolution and constant folding: compiling a policy. Every name gets the
//! [`Slot`] the scoping rules give it, so evaluation never searches for a name on the
//! hot path; arithmetic on literals (`2 * 24h`) is done once, here.
//!
//! The rules are those of the interpreter's by-name lookup, applied lexically: the
//! innermost quantifier or comprehension variable, then the `for each` element, then a
//! `let`, then `now`, then a fact. A `let`'s definition sees no binders (it is computed
//! once, wherever it is used).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use super::evidence::squash;
use super::interp::{add, div, mul, sub, LetIndex};
use crate::fnv::Fnv;
use crate::syntax::ast::{
    BinaryOp, Clause, Expr, ExprKind, Policy, Slot, StatusKind, TemplatePart,
};
use crate::value::{Money, Value};

/// Each expression's text on one line, by its span: evidence quotes conditions, and
/// squashing the text once at load keeps that off the per-decision path.
pub type Texts = HashMap<(usize, usize), Arc<str>, BuildHasherDefault<Fnv>>;

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
            .or_insert_with(|| squash(e.span.text()).into());
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
        fold(e);
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

/// Replaces arithmetic on two literals by its result. An operation that fails (two
/// currencies, an overflow) is left as written, to fail where it is evaluated, with the
/// same message as before.
fn fold(e: &mut Expr) {
    let ExprKind::Binary(op, l, r) = &e.kind else {
        return;
    };
    let (Some(a), Some(b)) = (literal(l), literal(r)) else {
        return;
    };
    let result = match op {
        BinaryOp::Add => add(&a, &b),
        BinaryOp::Sub => sub(&a, &b),
        BinaryOp::Mul => mul(&a, &b),
        BinaryOp::Div => div(&a, &b),
        _ => return,
    };
    let kind = match result {
        Ok(Value::Number(n)) => ExprKind::Number(n),
        Ok(Value::Money(m)) => ExprKind::Money(m.amount, m.currency),
        Ok(Value::Duration(d)) => ExprKind::Duration(d),
        Ok(Value::Time(t)) => ExprKind::Time(t),
        Ok(Value::String(s)) => ExprKind::String(s),
        _ => return,
    };
    e.kind = kind;
}

/// A literal's value.
fn literal(e: &Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Number(n) => Value::Number(*n),
        ExprKind::Money(amount, currency) => Value::Money(Money {
            amount: *amount,
            currency: currency.clone(),
        }),
        ExprKind::Duration(d) => Value::Duration(*d),
        ExprKind::Time(t) => Value::Time(*t),
        ExprKind::String(s) => Value::String(s.clone()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parser::parse_policy;
    use crate::syntax::Source;

    fn folded(text: &str) -> ExprKind {
        let source = Source::new("t.bylaw", format!("policy t\nlet x = {text}\n"));
        let mut e = parse_policy(&source).unwrap().lets.remove(0).value;
        Resolver {
            item: None,
            lets: &LetIndex::default(),
            texts: Texts::default(),
        }
        .expr(&mut e, &mut Vec::new());
        e.kind
    }

    #[test]
    fn arithmetic_on_literals_is_done_once() {
        assert_eq!(folded("2 * 24h"), folded("48h"));
        assert_eq!(folded("1000 USD + 0.50 USD"), folded("1000.50 USD"));
        assert_eq!(folded("(1 + 2) * 3"), folded("9"));
    }

    #[test]
    fn what_cannot_be_folded_is_left_to_fail_when_evaluated() {
        assert!(matches!(folded("1 USD + 1 EUR"), ExprKind::Binary(..)));
        assert!(matches!(folded("1 / 0"), ExprKind::Binary(..)));
        assert!(matches!(folded("x + 1"), ExprKind::Binary(..)));
    }
}
