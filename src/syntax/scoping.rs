//! Which names an expression sees: the one place scoping is written.
//!
//! Inside an expression, which names each form binds, and around which of its parts:
//! a binder form is described once, by [`binder`]; the name checker, the compiler
//! (slots) and every walk that needs to know what a name refers to go through
//! [`walk`], which takes its binder steps from there, and the type checker takes
//! [`binder`] itself (it gives the name the list's element type, and checks the guard
//! before the body).
//!
//! Around an expression, what the place it sits in a policy gives it: each [`Place`]
//! has its entry in [`scope`] (a function's body sees its parameters only; a `let`
//! and a rule's clauses see the policy's names and the `for each` element; …), and
//! [`Scope::refers`] says what a name refers to there. The name checker, the type
//! checker and the compiler take both from here.
//! [`fact_paths`] says from both which facts an expression reads (what is fixed for a
//! remedy, what conforming checks first).
//!
//! A new binder form, or a new place (a rule clause), is added here, then handled by
//! each stage as the compiler makes it.

use super::ast::{Clause, Collect, Expr, ExprKind, Function, Ident, Param, Policy, Quantifier};

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

/// Where an expression sits in a policy: what decides which names it sees, besides
/// those its own binder forms bind. [`scope`] states each; [`places`] lists a
/// policy's expressions with theirs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Place<'p> {
    /// `applies when EXPR`.
    Applies,
    /// `for each NAME in EXPR`: the list the elements are taken from.
    ForEachList,
    /// `identified by EXPR`: what names an element in the output.
    ForEachId,
    /// `let NAME = EXPR`: the definition.
    Let,
    /// `fn NAME(PARAMS) -> TYPE = EXPR`: the body.
    Body(&'p Function),
    /// A rule's clause: each of its expressions (`when`, `value`, the holes of
    /// `message` and `remedy`, a status clause's condition and approval time).
    Clause(&'p Clause),
}

/// The names an expression sees where it sits (see [`scope`]), before its own
/// binder forms bind more.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'p> {
    /// Bound from the start, as binders (outermost first, so the last is the
    /// innermost): a function's parameters.
    pub(crate) bound: &'p [Param],
    /// The `for each` element, where it is seen.
    pub(crate) item: Option<&'p Ident>,
    /// Whether the policy's own names are seen: its facts, its `let`s and `now`.
    pub(crate) policy_names: bool,
}

/// The scope of each place in `policy`: the one statement of it.
pub(crate) fn scope<'p>(policy: &'p Policy, place: Place<'p>) -> Scope<'p> {
    let decision = |item: bool| Scope {
        bound: &[],
        item: policy.for_each.as_ref().map(|fe| &fe.var).filter(|_| item),
        policy_names: true,
    };
    match place {
        // Decided for the whole snapshot, before any element is taken.
        Place::Applies | Place::ForEachList => decision(false),
        // Per element. A `let` is computed once per element wherever it is used, so it
        // sees none of the binders around a use.
        Place::ForEachId | Place::Let => decision(true),
        // No wildcard: a new clause fails to compile here until its scope is stated.
        Place::Clause(c) => match c {
            Clause::Message(_)
            | Clause::Remedy(_)
            | Clause::When(_)
            | Clause::Value(_)
            | Clause::Cites(_)
            | Clause::Status(_) => decision(true),
        },
        // A pure function of its parameters: nothing of a decision's scope.
        Place::Body(f) => Scope {
            bound: &f.params,
            item: None,
            policy_names: false,
        },
    }
}

/// What a name refers to, in the order the evaluator looks it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Refers {
    /// A binder around it (an element bound by a quantifier or a comprehension, or a
    /// function's parameter), by depth (0: the innermost).
    Binder(usize),
    /// The `for each` element.
    Item,
    /// A `let` of the policy.
    Let,
    /// `now`.
    Now,
    /// The top-level fact of that name (the name checker says whether one is declared).
    Fact,
    /// Nothing this place sees (a function's body naming anything but its parameters).
    Nothing,
}

impl<'p> Scope<'p> {
    /// What `name` refers to here: `depth` is where it is among the binders around it
    /// (this scope's `bound` included, as the walk's [`Bound`] counts), `is_let`
    /// whether the policy defines a `let` of that name.
    pub(crate) fn refers(
        &self,
        name: &str,
        depth: Option<usize>,
        is_let: impl FnOnce(&str) -> bool,
    ) -> Refers {
        if let Some(d) = depth {
            return Refers::Binder(d);
        }
        if self.item.is_some_and(|i| i.name == name) {
            return Refers::Item;
        }
        if !self.policy_names {
            Refers::Nothing
        } else if is_let(name) {
            Refers::Let
        } else if name == "now" {
            Refers::Now
        } else {
            Refers::Fact
        }
    }

    /// The names bound from the start, for a walk that follows [`walk`]'s steps.
    pub(crate) fn bound_names(&self) -> Bound<'p> {
        Bound::new(self.bound.iter().map(|p| p.name.name.as_str()))
    }
}

/// `a.b.c` as its names; `None` for anything but a name followed by fields. Whether
/// the first name is a fact is [`Scope::refers`]'s to say (see [`fact_paths`]).
pub(crate) fn path_names(e: &Expr) -> Option<Vec<&str>> {
    match &e.kind {
        ExprKind::Name(n) => Some(vec![n.as_str()]),
        ExprKind::Field(b, f) => {
            let mut p = path_names(b)?;
            p.push(&f.name);
            Some(p)
        }
        _ => None,
    }
}

/// The fact paths (`request.action`) `e` reads at `place` of `policy`, each once, in
/// the order first read: the one statement of it. A binder's name, the `for each`
/// element and a name this place does not see are not facts; a `let` is followed to
/// its definition (transitively, each `let` once), so a path through a `let`
/// (`plan.tier` where `let plan = request.plan`) gives the facts its definition reads;
/// a call reads its arguments (a function's body sees only its parameters); `now` is
/// read from the facts (time is a fact), so it is one.
pub(crate) fn fact_paths<'p>(
    policy: &'p Policy,
    place: Place<'p>,
    e: &'p Expr,
) -> Vec<Vec<&'p str>> {
    let mut out = Vec::new();
    let mut lets_seen: Vec<&str> = Vec::new();
    let mut todo = vec![(place, e)];
    while let Some((place, e)) = todo.pop() {
        let scope = scope(policy, place);
        let mut bound = scope.bound_names();
        reads(policy, &scope, e, &mut bound, &mut |read| match read {
            Read::Fact(p) => {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            Read::Let(name) => {
                if !lets_seen.contains(&name) {
                    lets_seen.push(name);
                    let defs = policy.lets.iter().filter(|l| l.name.name == name);
                    // Reversed: the stack then takes the definitions as written.
                    todo.extend(defs.rev().map(|l| (Place::Let, &l.value)));
                }
            }
        });
    }
    out
}

/// What one name read by an expression is, for [`fact_paths`].
enum Read<'p> {
    Fact(Vec<&'p str>),
    Let(&'p str),
}

fn reads<'p>(
    policy: &'p Policy,
    scope: &Scope<'p>,
    e: &'p Expr,
    bound: &mut Bound<'p>,
    f: &mut impl FnMut(Read<'p>),
) {
    if let Some(path) = path_names(e) {
        let first = path.first().copied().unwrap_or_default();
        let is_let = |n: &str| policy.lets.iter().any(|l| l.name.name == n);
        match scope.refers(first, bound.depth(first), is_let) {
            Refers::Fact | Refers::Now => f(Read::Fact(path)),
            Refers::Let => f(Read::Let(first)),
            Refers::Binder(_) | Refers::Item | Refers::Nothing => {}
        }
        return;
    }
    walk(e, |step| {
        if let Some(part) = bound.step(step) {
            reads(policy, scope, part, bound, f);
        }
    });
}

/// Calls `f` with each expression of `policy` and its place, in the order the
/// name checker and the compiler take them: the functions' bodies, `applies`, the
/// `for each` list and identity, the `let`s, then each rule's clauses as written (a
/// status clause: its condition, then its approval time). The scope test walks a
/// policy's places with it; each stage walks them itself, because it keeps the
/// policy's shape (the compiler) or carries what it learned from one clause to the
/// next (the type checker's narrowing).
#[cfg(test)]
pub(crate) fn places<'p>(policy: &'p Policy, mut f: impl FnMut(Place<'p>, &'p Expr)) {
    for func in &policy.functions {
        f(Place::Body(func), &func.body);
    }
    if let Some(a) = &policy.applies {
        f(Place::Applies, a);
    }
    if let Some(fe) = &policy.for_each {
        f(Place::ForEachList, &fe.list);
        if let Some(id) = &fe.id {
            f(Place::ForEachId, id);
        }
    }
    for l in &policy.lets {
        f(Place::Let, &l.value);
    }
    for r in &policy.rules {
        for c in &r.clauses {
            let mut g = |e| f(Place::Clause(c), e);
            match c {
                Clause::Message(t) | Clause::Remedy(t) => t.parts.iter().for_each(|p| {
                    if let super::ast::TemplatePart::Hole(e) = p {
                        g(e);
                    }
                }),
                Clause::When(e) | Clause::Value(e) => g(e),
                Clause::Cites(_) => {}
                Clause::Status(s) => {
                    g(&s.when);
                    if let super::ast::StatusKind::Approved { at, .. } = &s.status {
                        g(at);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod fact_paths_tests {
    #![allow(clippy::unwrap_used)]

    use super::{fact_paths, Place};
    use crate::syntax::{parse_policy, Source};

    #[test]
    fn a_path_of_names_is_a_name_then_fields() {
        // What a presence condition (`required when a.b == "x"`) reads.
        let policy = parse_policy(&Source::new(
            "p.bylaw",
            "policy p\nfacts a\napplies when a.b.c and a[0].b\n",
        ))
        .unwrap();
        let crate::syntax::ast::ExprKind::Binary(_, l, r) = &policy.applies.as_ref().unwrap().kind
        else {
            unreachable!()
        };
        assert_eq!(super::path_names(l), Some(vec!["a", "b", "c"]));
        assert_eq!(super::path_names(r), None);
    }

    #[test]
    fn lets_are_followed_once_and_binders_are_not_facts() {
        let text = r#"policy p
facts request, account, xs
applies when a and any(t in request.tags where t.on) and now > request.at
for each item in xs identified by item.id
fn twice(n: number) -> number = n * 2 + account.hidden
let a = b and request.x
let b = a or twice(account.n) > 1
deny r {
  message "m"
  when item.bad and account.frozen
}
"#;
        let policy = parse_policy(&Source::new("p.bylaw", text)).unwrap();
        let applies = policy.applies.as_ref().unwrap();
        let paths: Vec<String> = fact_paths(&policy, Place::Applies, applies)
            .iter()
            .map(|p| p.join("."))
            .collect();
        // `a` and `b` read each other: each is followed once. A call reads its
        // arguments, not the names its body would see; `t` is a binder, `now` a fact.
        assert_eq!(
            paths,
            [
                "request.tags",
                "now",
                "request.at",
                "request.x",
                "account.n"
            ]
        );
        // A rule sees the element, which is no fact.
        let rule = &policy.rules[0];
        let when = match &rule.clauses[1] {
            crate::syntax::ast::Clause::When(e) => e,
            _ => unreachable!(),
        };
        let paths: Vec<String> = fact_paths(&policy, Place::Clause(&rule.clauses[1]), when)
            .iter()
            .map(|p| p.join("."))
            .collect();
        assert_eq!(paths, ["account.frozen"]);
    }
}
