//! Type checking rules against their policy's fact schema, before anything runs.
//!
//! Every expression gets a type from the schema ([`Ty`]); what would fail at run time
//! on a snapshot that matches the schema is an error here: unknown fact paths,
//! comparisons and arithmetic between kinds that do not mix, a string compared with a
//! value outside its enumeration, a quantifier over something that is not a list, and
//! an optional fact used without a presence test or a default.
//!
//! Presence is flow-sensitive: `present(p) and …`, `not present(p) or …`,
//! `p != null and …`, `p == null or …`, `if present(p) then … else …`, a comparison
//! that held, and a rule's `when` (for its message, value and review clauses) all tell
//! the code after them that `p` is there. Lets that are conditions carry what they test.
//!
//! Policies with untyped facts (`facts a, b`) are not type checked. Errors that
//! [`crate::check`] already reports from literals alone are not repeated here.

use std::collections::HashMap;
use std::sync::Arc;

use super::shapes::*;

mod binary;
mod keys;
mod narrow;
mod places;
mod presence;
use crate::eval::builtins::sig::literal_arg;
use crate::report::diagnostic::{did_you_mean, Diagnostic, Kind, Operand};
use crate::schema::{self, Record, Ty};
use crate::syntax::ast::*;
use crate::syntax::scoping::{self, Binder, BinderForm, Place, Refers, Scope};

#[path = "typeck_forms.rs"]
mod forms;
#[cfg(test)]
mod scope_tests;

/// Type checks one policy against its schema. Functions are checked whether or not
/// the facts are typed (their parameters are); the rest only when they are.
/// `max_depth` is `Limits::max_expr_depth`, which the parser enforced first.
pub fn check_policy(p: &Policy, out: &mut Vec<Diagnostic>, max_depth: usize) {
    checked(p, out, max_depth);
}

/// The checker after checking `p` (what it saw, for tests).
fn checked<'p, 'o>(
    p: &'p Policy,
    out: &'o mut Vec<Diagnostic>,
    max_depth: usize,
) -> Typeck<'p, 'o> {
    let functions = forms::signatures(p, out);
    let mut tc = Typeck {
        policy: p,
        facts: Arc::new(Record::default()),
        scope: scoping::scope(p, Place::Applies),
        element: Ty::Any,
        lets: HashMap::new(),
        let_types: HashMap::new(),
        busy: Vec::new(),
        binders: Vec::new(),
        present: Vec::new(),
        kinds: Vec::new(),
        functions,
        max_depth,
        #[cfg(test)]
        names_seen: Vec::new(),
        out,
    };
    tc.function_bodies();
    schema::presence::refuse_in_functions(p, tc.out);
    let Some(facts) = schema::of_policy(p, tc.out) else {
        return tc;
    };
    // Ranges and patterns are the snapshot's to meet: rules see the plain types.
    tc.facts = Arc::new(facts.unrefined());
    tc.lets = p.lets.iter().map(|l| (l.name.name.as_str(), l)).collect();
    tc.policy_body();
    tc
}

/// How many lets one condition's narrowing looks into (lets of lets could multiply).
pub(super) const MAX_LET_EXPANSIONS: usize = 64;

/// How deep narrowing follows a condition, counted on through the lets it looks into
/// (each of which the parser kept within `Limits::max_expr_depth`): a guard of this
/// walk's own, as `MAX_LET_EXPANSIONS` is.
pub(super) const MAX_NARROWING_DEPTH: usize = 200;

pub(super) struct Typeck<'p, 'o> {
    policy: &'p Policy,
    facts: Arc<Record>,
    /// The names the place being checked gives its expression.
    scope: Scope<'p>,
    /// The type of the `for each` element (`Any` until its list is checked).
    element: Ty,
    lets: HashMap<&'p str, &'p Let>,
    let_types: HashMap<&'p str, Ty>,
    busy: Vec<&'p str>,
    binders: Vec<(&'p str, Ty)>,
    /// Paths known to be present (and not null) where the current expression runs.
    present: Vec<Path<'p>>,
    /// Kind tests known to have held or failed where the current expression runs.
    kinds: Vec<narrow::Tested<'p>>,
    /// The policy's functions, by name: parameter types and result type.
    functions: HashMap<&'p str, forms::Signature<'p>>,
    /// How deep an expression may nest (`Limits::max_expr_depth`; deeper is the name
    /// checker's to report).
    max_depth: usize,
    /// Each name checked: where it starts, and what it refers to.
    #[cfg(test)]
    names_seen: Vec<(usize, Refers)>,
    out: &'o mut Vec<Diagnostic>,
}

impl<'p> Typeck<'p, '_> {
    // ------------------------------------------------------------ names

    fn let_type(&mut self, name: &'p str) -> Ty {
        if let Some(t) = self.let_types.get(name) {
            return t.clone();
        }
        let Some(l) = self.lets.get(name).copied() else {
            return Ty::Any;
        };
        if self.busy.contains(&name) {
            return Ty::Any; // a cycle, reported by the name checker
        }
        self.busy.push(name);
        // The let's own scope, not the binders around its use; nor the tests there.
        let present = std::mem::take(&mut self.present);
        let kinds = std::mem::take(&mut self.kinds);
        let t = self.at(Place::Let, &[], |s| s.expr(&l.value, 0));
        self.present = present;
        self.kinds = kinds;
        self.busy.pop();
        self.let_types.insert(name, t.clone());
        t
    }

    fn name(&mut self, n: &'p str) -> Ty {
        match self.refers(n) {
            Refers::Binder(d) => {
                let at = self.binders.len().checked_sub(d + 1);
                match at.and_then(|i| self.binders.get(i)) {
                    Some((_, t)) => t.clone(),
                    None => Ty::Any,
                }
            }
            Refers::Item => self.element.clone(),
            Refers::Let => self.let_type(n),
            // `now` may come from `--now`: its absence is an evaluation error by design.
            Refers::Now => Ty::Time,
            Refers::Fact => match self.facts.get(n) {
                Some(f) => f.ty.clone(),
                None => Ty::Any, // unknown names are the name checker's
            },
            Refers::Nothing => Ty::Any, // the name checker's
        }
    }

    // ------------------------------------------------------------ presence

    /// Whether the path `e` (of `len` names and fields) is known present here: tested
    /// itself, or a longer path through it.
    fn is_present(&self, e: &Expr, len: usize) -> bool {
        (self.present.iter()).any(|p| p.get(..len).is_some_and(|p| is_key(e, p)))
    }

    /// The type of a path expression, without its `?` where a test proved it present.
    fn narrowed(&self, e: &Expr, t: Ty) -> Ty {
        let Some(len) = path_len(e) else {
            return t;
        };
        let t = match t {
            Ty::Optional(inner) if self.is_present(e, len) => *inner,
            t => t,
        };
        self.narrowed_kind(e, t)
    }

    /// The paths known present when `e` evaluated to `truth`.
    fn facts_when(&self, e: &'p Expr, truth: bool, depth: usize) -> Vec<Path<'p>> {
        let mut lets = MAX_LET_EXPANSIONS;
        self.facts_in(e, truth, depth, &mut lets)
    }

    fn facts_in(&self, e: &'p Expr, truth: bool, depth: usize, lets: &mut usize) -> Vec<Path<'p>> {
        if depth > MAX_NARROWING_DEPTH {
            return Vec::new();
        }
        let d = depth + 1;
        let key = |x: &'p Expr| path_key(x).into_iter().collect::<Vec<_>>();
        match &e.kind {
            ExprKind::Call(f, args) if f.name == "present" && truth => {
                args.first().map(key).unwrap_or_default()
            }
            ExprKind::Unary(UnaryOp::Not, x) => self.facts_in(x, !truth, d, lets),
            // A value of a kind is there; one that is not null is too.
            ExprKind::Is(x, test) if truth != (*test == KindTest::Null) => key(x),
            ExprKind::Binary(op, a, b) => match (op, truth) {
                (BinaryOp::And, true) | (BinaryOp::Or, false) => {
                    let mut v = self.facts_in(a, truth, d, lets);
                    v.extend(self.facts_in(b, truth, d, lets));
                    v
                }
                (BinaryOp::And, false) | (BinaryOp::Or, true) => {
                    let left = self.facts_in(a, truth, d, lets);
                    let right = self.facts_in(b, truth, d, lets);
                    left.into_iter().filter(|p| right.contains(p)).collect()
                }
                (BinaryOp::Ne, true) | (BinaryOp::Eq, false) => match (&a.kind, &b.kind) {
                    (_, ExprKind::Null) => key(a),
                    (ExprKind::Null, _) => key(b),
                    _ => Vec::new(),
                },
                // `p == "x"` held: p is not null.
                (BinaryOp::Eq, true) | (BinaryOp::Ne, false) => match (&a.kind, &b.kind) {
                    (_, ExprKind::Null) | (ExprKind::Null, _) => Vec::new(),
                    // The value too, for `required when` (see `presence_holds`).
                    _ if is_literal(b) => key(a)
                        .into_iter()
                        .chain(presence::equal_key(a, b))
                        .collect(),
                    _ if is_literal(a) => key(b)
                        .into_iter()
                        .chain(presence::equal_key(b, a))
                        .collect(),
                    _ => Vec::new(),
                },
                // `p in ["a", "b"]` held: p is one of them (for `required when`).
                (BinaryOp::In, true) => presence::member_key(a, b).into_iter().collect(),
                // An ordering gives true or false only when both sides are there.
                (BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge, _) => {
                    let mut v = key(a);
                    v.extend(key(b));
                    v
                }
                _ => Vec::new(),
            },
            ExprKind::Name(n) if *lets > 0 => match self.visible_let(n) {
                Some(l) => {
                    *lets -= 1;
                    self.facts_in(&l.value, truth, d, lets)
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Checks `e` with the paths that `cond` being `truth` proves present.
    fn under(&mut self, cond: &'p Expr, truth: bool, f: impl FnOnce(&mut Self) -> Ty) -> Ty {
        let mark = self.present.len();
        let kinds_mark = self.kinds.len();
        let held = self.facts_when(cond, truth, 0);
        self.present.extend(held);
        let tested = self.kinds_when(cond, truth);
        self.kinds.extend(tested);
        let t = f(self);
        self.present.truncate(mark);
        self.kinds.truncate(kinds_mark);
        t
    }

    // ------------------------------------------------------------ uses

    /// A value that must be there: an optional one is an error unless tested.
    fn value(&mut self, e: &'p Expr, depth: usize) -> Ty {
        let t = self.expr(e, depth);
        self.require(e, t)
    }

    pub(super) fn require(&mut self, e: &Expr, t: Ty) -> Ty {
        match t {
            Ty::Union(_) => {
                self.union_error(e, &t);
                Ty::Any
            }
            Ty::Optional(inner) if matches!(*inner, Ty::Union(_)) => {
                self.union_error(e, &Ty::Optional(inner));
                Ty::Any
            }
            Ty::Optional(inner) => {
                self.absent_error(e);
                *inner
            }
            Ty::Null => {
                // A literal `null` where a value is needed is the name checker's.
                if !matches!(e.kind, ExprKind::Null) {
                    self.error(e, format!("`{}` is always null here", short(e)));
                }
                Ty::Any
            }
            t => t,
        }
    }

    fn absent_error(&mut self, e: &Expr) {
        let text = short(e);
        let d = Diagnostic::at(
            &e.span,
            format!("`{text}` may be absent or null here, and using it would fail"),
        );
        let hint = if path_key(e).is_some() {
            format!(
                "test it first (`present({text}) and …`, `{text} != null and …`) or give a default (`{text} ?? …`)"
            )
        } else {
            format!("give a default (`({text}) ?? …`)")
        };
        self.out.push(d.hint(hint));
    }

    /// A condition: true or false, present.
    fn condition(&mut self, e: &'p Expr, depth: usize) -> Ty {
        let t = self.value(e, depth);
        if !matches!(t, Ty::Bool | Ty::Any) && static_type(e).is_none() {
            self.error_of(
                e,
                format!(
                    "a condition must be true or false, but `{}` is {t}",
                    short(e)
                ),
                Kind::NotCondition,
            );
        }
        Ty::Bool
    }

    /// The element type of a list that `what` goes through.
    fn elements(&mut self, e: &'p Expr, what: &str, depth: usize) -> Ty {
        match self.value(e, depth) {
            Ty::List(t) => *t,
            Ty::Any => Ty::Any,
            t => {
                self.error(
                    e,
                    format!("{what} goes through a list, but `{}` is {t}", short(e)),
                );
                Ty::Any
            }
        }
    }

    fn error(&mut self, e: &Expr, message: String) {
        self.error_of(e, message, Kind::Other);
    }

    fn error_of(&mut self, e: &Expr, message: String, kind: Kind) {
        self.out
            .push(Diagnostic::at(&e.span, message).of_kind(kind));
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, e: &'p Expr, depth: usize) -> Ty {
        if depth > self.max_depth {
            return Ty::Any; // reported by the name checker
        }
        let d = depth + 1;
        match &e.kind {
            ExprKind::Null => Ty::Null,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Number(n) if n.fract().is_zero() => Ty::Integer,
            ExprKind::Number(_) => Ty::Decimal,
            ExprKind::String(_) => Ty::String,
            ExprKind::Money(..) => Ty::Money,
            ExprKind::Time(_) => Ty::Time,
            ExprKind::Duration(_) => Ty::Duration,
            ExprKind::List(items) => {
                let mut elem: Option<Ty> = None;
                for i in items {
                    let t = self.expr(i, d);
                    elem = Some(match elem {
                        None => t,
                        Some(prev) => prev.unify(&t).unwrap_or(Ty::Any),
                    });
                }
                Ty::List(Box::new(elem.unwrap_or(Ty::Any)))
            }
            ExprKind::Name(_) | ExprKind::Field(..) | ExprKind::Index(..) => self.path(e, false, d),
            ExprKind::Unary(UnaryOp::Not, x) => self.condition(x, d),
            ExprKind::Unary(UnaryOp::Neg, x) => {
                let t = self.value(x, d);
                if matches!(t.kind(), "number" | "money" | "duration" | "any") {
                    t
                } else {
                    if static_type(x).is_none() {
                        self.error(e, format!("`-` cannot be used on {t}"));
                    }
                    Ty::Any
                }
            }
            ExprKind::Binary(op, l, r) => self.binary(e, *op, l, r, d),
            ExprKind::Is(x, test) => self.kind_test(e, x, test, d),
            ExprKind::Call(f, args) => self.call(e, f, args, d),
            ExprKind::If(c, a, b) => {
                self.condition(c, d);
                let ta = self.under(c, true, |s| s.expr(a, d));
                let tb = self.under(c, false, |s| s.expr(b, d));
                match ta.unify(&tb) {
                    Some(t) => t,
                    None => {
                        self.error(
                            e,
                            format!("the branches of this `if` differ: {ta} and {tb}"),
                        );
                        Ty::Any
                    }
                }
            }
            ExprKind::Record(fields) => self.record(fields, d),
            ExprKind::Match(m) => self.match_expr(e, m, d),
            // The binder forms, scoped as `syntax::scoping` says.
            ExprKind::Quantifier(..) | ExprKind::Comprehension(..) => match scoping::binder(e) {
                Some(b) => self.binder(b, d),
                None => Ty::Any,
            },
        }
    }

    /// A binder form: `over` outside the binding, then its guard and body with the
    /// name bound to `over`'s element type; the body is checked where the guard held.
    fn binder(&mut self, b: Binder<'p>, d: usize) -> Ty {
        let what = match b.form {
            BinderForm::Quantifier(q) => format!("`{}`", q.as_str()),
            BinderForm::Collect(Collect::List) => "`[… for …]`".into(),
            BinderForm::Collect(Collect::Sum) => "`sum`".into(),
        };
        let elem = self.elements(b.over, &what, d);
        self.binders.push((&b.var.name, elem));
        let body = |s: &mut Self| match b.form {
            BinderForm::Quantifier(_) => s.condition(b.body, d),
            BinderForm::Collect(_) => s.expr(b.body, d),
        };
        let t = match b.guard {
            Some(c) => {
                self.condition(c, d);
                self.under(c, true, body)
            }
            None => body(self),
        };
        self.binders.pop();
        match b.form {
            BinderForm::Quantifier(Quantifier::Count) => Ty::Integer,
            BinderForm::Quantifier(_) => Ty::Bool,
            BinderForm::Collect(Collect::List) => Ty::List(Box::new(t)),
            BinderForm::Collect(Collect::Sum) => {
                let t = self.require(b.body, t);
                self.summable(b.body, t)
            }
        }
    }

    fn summable(&mut self, e: &Expr, t: Ty) -> Ty {
        match t {
            Ty::Integer | Ty::Decimal | Ty::Money | Ty::Any => t,
            t => {
                self.error(e, format!("`sum` adds numbers or money, not {t}"));
                Ty::Any
            }
        }
    }

    /// `a.b[0].c`. With `absent_ok` (under `present` and left of `??`), a missing or null
    /// parent is not an error: the whole path is then optional.
    fn path(&mut self, e: &'p Expr, absent_ok: bool, d: usize) -> Ty {
        let t = match &e.kind {
            ExprKind::Name(n) => {
                #[cfg(test)]
                self.names_seen.push((e.span.start, self.refers(n)));
                self.name(n)
            }
            ExprKind::Field(base, field) => {
                let (bt, maybe) = self.parent(base, absent_ok, d);
                let held = self.presence_holds(base, &bt, &field.name);
                let t = self.field(base, bt, field);
                let t = if held { t.required().clone() } else { t };
                if maybe {
                    t.optional()
                } else {
                    t
                }
            }
            ExprKind::Index(base, index) => {
                let (bt, maybe) = self.parent(base, absent_ok, d);
                let it = self.value(index, d);
                let t = match (&bt, &index.kind) {
                    (Ty::Any, _) => Ty::Any,
                    (Ty::List(elem), _) if matches!(it.kind(), "number" | "any") => {
                        (**elem).clone()
                    }
                    (Ty::Record(_), ExprKind::String(k)) => {
                        let k = Ident {
                            name: k.to_string(),
                            span: index.span.clone(),
                        };
                        self.field(base, bt.clone(), &k)
                    }
                    (Ty::Record(_), _) if matches!(it.kind(), "string" | "any") => {
                        self.computed_field(base, &bt, index, &it)
                    }
                    _ => {
                        self.error(
                            e,
                            format!("cannot index {bt} with {it}: a list takes a number, a record a string"),
                        );
                        Ty::Any
                    }
                };
                if maybe {
                    t.optional()
                } else {
                    t
                }
            }
            _ => return self.expr(e, d),
        };
        self.narrowed(e, t)
    }

    /// The type of a path's parent, and whether it may be missing (only with `absent_ok`).
    fn parent(&mut self, base: &'p Expr, absent_ok: bool, d: usize) -> (Ty, bool) {
        let t = if is_path(base) {
            self.path(base, absent_ok, d)
        } else {
            self.expr(base, d)
        };
        match t {
            Ty::Optional(inner) if absent_ok => (*inner, true),
            t => (self.require(base, t), false),
        }
    }

    fn field(&mut self, base: &Expr, t: Ty, field: &Ident) -> Ty {
        let name = field.name.as_str();
        match t {
            Ty::Any => Ty::Any,
            Ty::Record(r) => match r.get(name) {
                Some(f) => f.ty.clone(),
                None => {
                    let d = Diagnostic::at(
                        &field.span,
                        format!("`{}` has no field `{name}`", short(base)),
                    );
                    let d = match did_you_mean(name, r.names()) {
                        Some(s) => d.hint(format!("did you mean `{}.{s}`?", short(base))),
                        None if r.fields.is_empty() => d,
                        None => d.hint(format!(
                            "its fields are {}",
                            r.names().collect::<Vec<_>>().join(", ")
                        )),
                    };
                    self.out.push(d);
                    Ty::Any
                }
            },
            Ty::Money if name == "amount" => Ty::Decimal,
            Ty::Money if name == "currency" => Ty::String,
            t => {
                let d = Diagnostic::at(
                    &field.span,
                    format!("`{}` is {t}, which has no field `{name}`", short(base)),
                );
                self.out.push(if t == Ty::Money {
                    d.hint("money has `.amount` and `.currency`")
                } else {
                    d
                });
                Ty::Any
            }
        }
    }

    fn call(&mut self, e: &'p Expr, f: &Ident, args: &'p [Expr], d: usize) -> Ty {
        let name = f.name.as_str();
        if let Some(t) = self.user_call(f, args, d) {
            return t;
        }
        if name == "require" {
            return self.require_call(e, args, d);
        }
        if name == "present" {
            for a in args {
                if is_path(a) {
                    self.path(a, true, d);
                } else {
                    self.expr(a, d);
                }
            }
            return Ty::Bool;
        }
        let arity_ok = crate::eval::functions::builtin(name)
            .is_some_and(|b| (b.min..=b.max).contains(&args.len()));
        let types: Vec<Ty> = args.iter().map(|a| self.value(a, d)).collect();
        if !arity_ok {
            return Ty::Any; // the name checker reports unknown functions and arities
        }
        let want = |s: &mut Self, i: usize, kinds: &[&str], what: &str| -> bool {
            match (types.get(i), args.get(i)) {
                (Some(t), Some(a)) if !kinds.contains(&t.kind()) && t.kind() != "any" => {
                    s.error(
                        a,
                        format!("`{name}` takes {what}, but `{}` is {t}", short(a)),
                    );
                    false
                }
                _ => true,
            }
        };
        let arg = |i: usize| types.get(i).cloned().unwrap_or(Ty::Any);
        match name {
            "trim" | "lower" | "upper" => {
                want(self, 0, &["string"], "a string");
                Ty::String
            }
            "contains" if arg(0).kind() == "list" => Ty::Bool,
            "contains" | "starts_with" => {
                want(self, 0, &["string"], "strings");
                want(self, 1, &["string"], "strings");
                Ty::Bool
            }
            "len" => {
                want(
                    self,
                    0,
                    &["list", "record", "string"],
                    "a list, a record or a string",
                );
                Ty::Integer
            }
            "count" => {
                want(self, 0, &["list"], "a list");
                Ty::Integer
            }
            "sum" => match arg(0) {
                Ty::List(t) => self.summable(&args[0], *t),
                _ => {
                    want(self, 0, &["list"], "a list");
                    Ty::Any
                }
            },
            "min" | "max" if args.len() == 1 => match arg(0).required() {
                Ty::List(t) => (**t).clone(),
                _ => {
                    want(self, 0, &["list"], "a list, or two values");
                    Ty::Any
                }
            },
            "min" | "max" => {
                let (a, b) = (arg(0), arg(1));
                if !a.comparable(&b) {
                    self.incompatible(e, &a, &b);
                    return Ty::Any;
                }
                if !matches!(
                    a.kind(),
                    "number" | "string" | "money" | "timestamp" | "duration" | "any"
                ) {
                    // Of one kind, but not a kind that has an order.
                    self.error(
                        e,
                        format!("`{name}` orders numbers, strings, money, timestamps or durations, not {a}"),
                    );
                    return Ty::Any;
                }
                a.unify(&b).unwrap_or(Ty::Any)
            }
            "money" => {
                want(self, 0, &["number"], "a number and a currency code");
                want(self, 1, &["string"], "a number and a currency code");
                Ty::Money
            }
            "to_offset" => {
                want(self, 0, &["timestamp"], "a timestamp and an offset");
                want(self, 1, &["string"], "a timestamp and an offset");
                Ty::Time
            }
            "format_time" | "calendar_month" => {
                want(self, 0, &["timestamp"], "a timestamp and a string");
                want(self, 1, &["string"], "a timestamp and a string");
                Ty::String
            }
            "year" | "month" | "day" => {
                want(self, 0, &["timestamp"], "a timestamp");
                want(self, 1, &["string"], "a timestamp and an offset");
                self.out.extend(literal_arg(name, args));
                Ty::Integer
            }
            _ => match crate::eval::builtins::sig::signature(name) {
                Some(sig) => {
                    for (i, (kinds, what)) in sig.params.iter().enumerate() {
                        want(self, i, kinds, what);
                    }
                    self.out.extend(literal_arg(name, args));
                    (sig.result)(&types)
                }
                None => Ty::Any,
            },
        }
    }
}
