//! Which names each expression form binds, and around which of its parts: the one
//! place binder scoping is written. A binder form is described once, by [`binder`];
//! the name checker, the compiler (slots) and every walk that needs to know what a
//! name refers to go through [`walk`], which takes its binder steps from there, and
//! the type checker takes [`binder`] itself (it gives the name the list's element
//! type, and checks the guard before the body). A new binder form is added here,
//! nowhere else.

use super::ast::{Collect, Expr, ExprKind, Ident, Quantifier};

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
/// bind `x`, `C`, unbind). A comprehension's `where` comes after its body, as written
/// (the compiler's lowering takes parts in this order); it runs first: see [`Binder`].
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
        // The binder forms: their scoping is `binder`'s.
        ExprKind::Quantifier(..) | ExprKind::Comprehension(..) => {
            if let Some(b) = binder(e) {
                f(Step::Part(b.over));
                f(Step::Bind { var: b.var });
                b.seen_in_written_order().for_each(|p| f(Step::Part(p)));
                f(Step::Unbind);
            }
        }
    }
}

/// What a binder form does with the name it binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinderForm {
    /// `any`, `all`, `count(x in L where C)`: `body` is a condition on each element.
    Quantifier(Quantifier),
    /// `[E for x in L where C]`, `sum(E for x in L where C)`: `body` is a value for
    /// each element that passed `guard`.
    Collect(Collect),
}

/// The scoping of one binder form: `var` takes each element of `over` in turn
/// (`over` is evaluated once, before, and does not see `var`); `guard`, then `body`,
/// see it, for each element. The order is the evaluator's: `body` runs only for an
/// element `guard` held for.
pub(crate) struct Binder<'e> {
    /// Which form, for what its parts mean.
    pub(crate) form: BinderForm,
    /// The name bound.
    pub(crate) var: &'e Ident,
    /// The list whose elements `var` takes.
    pub(crate) over: &'e Expr,
    /// A condition an element must meet before `body` runs for it (`where`).
    pub(crate) guard: Option<&'e Expr>,
    /// The part run for each element (that passed `guard`).
    pub(crate) body: &'e Expr,
}

impl<'e> Binder<'e> {
    /// The parts that see `var`, as written (`body`, then `guard`): the order of
    /// [`walk`], which the compiler's lowering and the name checker's messages follow.
    fn seen_in_written_order(&self) -> impl Iterator<Item = &'e Expr> {
        std::iter::once(self.body).chain(self.guard)
    }
}

/// The scoping of `e` if its form binds a name; `None` for every other form (whose
/// parts see just what `e` sees). [`walk`] takes the binder forms' steps from here,
/// and the type checker its binders, so the two cannot disagree.
pub(crate) fn binder(e: &Expr) -> Option<Binder<'_>> {
    match &e.kind {
        ExprKind::Quantifier(q, var, list, body) => Some(Binder {
            form: BinderForm::Quantifier(*q),
            var,
            over: list,
            guard: None,
            body,
        }),
        ExprKind::Comprehension(kind, body, var, list, filter) => Some(Binder {
            form: BinderForm::Collect(*kind),
            var,
            over: list,
            guard: filter.as_deref(),
            body,
        }),
        _ => None,
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
