//! Which names each expression form binds, and around which of its parts: the one
//! place binder scoping is written. The checker, the compiler (slots) and every other
//! walk that needs to know what a name refers to go through [`walk`]; a new binder
//! form is added here (and its parts listed in evaluation order), nowhere else.

use super::ast::{Expr, ExprKind, Ident};

/// One step of walking an expression's direct parts, in evaluation order.
pub(crate) enum Step<'e> {
    /// A part, seeing the names bound so far.
    Part(&'e Expr),
    /// From here on the parts see `var` (bound to each element of a list in turn).
    Bind {
        /// The name bound.
        var: &'e Ident,
    },
    /// The last name bound is no longer visible.
    Unbind,
}

/// Calls `f` with each direct part of `e` in evaluation order, and with the binding
/// and unbinding of the names its form binds around them (`any(x in L where C)`: `L`,
/// bind `x`, `C`, unbind).
pub(crate) fn walk<'e>(e: &'e Expr, mut f: impl FnMut(Step<'e>)) {
    let mut part = |e: &'e Expr| f(Step::Part(e));
    match &e.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Money(..)
        | ExprKind::Time(_)
        | ExprKind::Duration(_)
        | ExprKind::Name(_) => {}
        ExprKind::List(items) | ExprKind::Call(_, items) => items.iter().for_each(part),
        ExprKind::Field(e, _) | ExprKind::Unary(_, e) | ExprKind::Is(e, _) => part(e),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            part(a);
            part(b);
        }
        ExprKind::If(a, b, c) => {
            part(a);
            part(b);
            part(c);
        }
        ExprKind::Record(fields) => fields.iter().for_each(|(_, e)| part(e)),
        ExprKind::Match(m) => {
            if let Some(s) = &m.subject {
                part(s);
            }
            for arm in &m.arms {
                arm.patterns.iter().for_each(&mut part);
                part(&arm.value);
            }
            if let Some(o) = &m.otherwise {
                part(o);
            }
        }
        // The binder forms.
        ExprKind::Quantifier(_, var, list, body) => {
            f(Step::Part(list));
            f(Step::Bind { var });
            f(Step::Part(body));
            f(Step::Unbind);
        }
        ExprKind::Comprehension(_, body, var, list, filter) => {
            f(Step::Part(list));
            f(Step::Bind { var });
            f(Step::Part(body));
            if let Some(c) = filter {
                f(Step::Part(c));
            }
            f(Step::Unbind);
        }
    }
}

/// The names bound around a walk, innermost last: what [`walk`]'s steps leave in
/// scope, for walks that only need the names.
#[derive(Debug, Default)]
pub(crate) struct Bound<'e> {
    names: Vec<&'e str>,
}

impl<'e> Bound<'e> {
    /// Names bound from the start (a function's parameters, in order).
    pub(crate) fn new(names: impl IntoIterator<Item = &'e str>) -> Bound<'e> {
        Bound {
            names: names.into_iter().collect(),
        }
    }

    /// Follows a step of [`walk`]; returns the part to visit, if it is one.
    pub(crate) fn step(&mut self, step: Step<'e>) -> Option<&'e Expr> {
        match step {
            Step::Part(e) => return Some(e),
            Step::Bind { var, .. } => self.names.push(&var.name),
            Step::Unbind => {
                self.names.pop();
            }
        }
        None
    }

    /// How far in `name` is bound (0: the innermost), if it is.
    pub(crate) fn depth(&self, name: &str) -> Option<usize> {
        self.names.iter().rev().position(|b| *b == name)
    }

    /// Whether `name` is bound.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.names.contains(&name)
    }
}
