//! Type checking functions, calls of them, record literals and `match`.

use std::collections::HashMap;
use std::sync::Arc;

use super::{path_key, short, Typeck};
use crate::report::diagnostic::Diagnostic;
use crate::schema::{self, Field, Record, Ty};
use crate::syntax::ast::*;
use crate::syntax::scoping::Place;

/// A function's declared types.
pub(super) struct Signature<'p> {
    function: &'p Function,
    params: Vec<Ty>,
    result: Ty,
}

/// The declared types of the policy's functions (unknown type names reported once).
pub(super) fn signatures<'p>(
    p: &'p Policy,
    out: &mut Vec<Diagnostic>,
) -> HashMap<&'p str, Signature<'p>> {
    let mut sigs = HashMap::new();
    for f in &p.functions {
        let params = f
            .params
            .iter()
            .map(|x| schema::resolve(&x.ty, out).unrefined())
            .collect();
        let result = schema::resolve(&f.result, out).unrefined();
        // A second definition is the name checker's to report.
        sigs.entry(f.name.name.as_str()).or_insert(Signature {
            function: f,
            params,
            result,
        });
    }
    sigs
}

/// Whether a value of type `given` may be passed where `want` is declared.
fn fits(given: &Ty, want: &Ty) -> bool {
    let (g, w) = (given.required(), want.required());
    if matches!(g, Ty::Any) || matches!(w, Ty::Any) {
        return true;
    }
    if given.is_optional() && !want.is_optional() {
        return false;
    }
    match (g, w) {
        (Ty::Union(gs), Ty::Union(_)) => gs.iter().all(|x| fits(x, w)),
        (Ty::Union(_), _) => false,
        (_, Ty::Union(ws)) => ws.iter().any(|x| fits(g, x)),
        (Ty::Null, _) => want.is_optional(),
        (Ty::Decimal, Ty::Integer) => false,
        (Ty::List(a), Ty::List(b)) => fits(a, b),
        (Ty::Record(a), Ty::Record(b)) => b.fields.iter().all(|f| match a.get(&f.name) {
            Some(x) => fits(&x.ty, &f.ty),
            None => f.ty.is_optional(),
        }),
        _ => g.kind() == w.kind(),
    }
}

impl<'p> Typeck<'p, '_> {
    /// Each function's body against its parameters' and result's types.
    pub(super) fn function_bodies(&mut self) {
        for f in &self.policy.functions {
            let Some(sig) = self.functions.get(f.name.name.as_str()) else {
                continue;
            };
            if !std::ptr::eq(sig.function, f) {
                continue; // a second definition, reported by the name checker
            }
            let (params, result) = (sig.params.clone(), sig.result.clone());
            let t = self.at(Place::Body(f), &params, |s| s.expr(&f.body, 0));
            if !fits(&t, &result) {
                let d = Diagnostic::at(
                    &f.body.span,
                    format!(
                        "`{}` is declared to give {result}, but its body gives {t}",
                        f.name.name
                    ),
                );
                self.out.push(if t.is_optional() && !result.is_optional() {
                    d.hint("give a default (`… ?? …`), or declare the result optional (`TYPE?`)")
                } else {
                    d
                });
            }
        }
    }

    /// A call of one of the policy's functions (or `position`), `None` for a built-in.
    pub(super) fn user_call(&mut self, f: &Ident, args: &'p [Expr], d: usize) -> Option<Ty> {
        if f.name == "position" {
            return Some(Ty::Integer);
        }
        let sig = self.functions.get(f.name.as_str())?;
        let (params, result) = (sig.params.clone(), sig.result.clone());
        let names: Vec<&str> = sig
            .function
            .params
            .iter()
            .map(|x| x.name.name.as_str())
            .collect();
        for ((a, want), name) in args.iter().zip(&params).zip(names) {
            let t = if want.is_optional() || matches!(want, Ty::Union(_)) {
                self.expr(a, d)
            } else {
                self.value(a, d)
            };
            if !fits(&t, want) {
                self.error(
                    a,
                    format!(
                        "`{}` takes {want} for `{name}`, but `{}` is {t}",
                        f.name,
                        short(a)
                    ),
                );
            } else {
                self.enumeration(want, a);
            }
        }
        // Arity is the name checker's; extra arguments are still checked.
        for a in args.iter().skip(params.len()) {
            self.expr(a, d);
        }
        Some(result)
    }

    /// `{name: EXPR, …}`: a record of the fields' types.
    pub(super) fn record(&mut self, fields: &'p [(Ident, Expr)], d: usize) -> Ty {
        let mut rec = Record::default();
        for (name, v) in fields {
            let ty = self.expr(v, d);
            if rec.get(&name.name).is_none() {
                rec.fields.push(Field {
                    name: name.name.clone(),
                    ty,
                });
            }
        }
        Ty::Record(Arc::new(rec))
    }

    /// `match`: patterns of the subject's type, arms of one type, and an `else` or
    /// every value of an enumeration (or both booleans) listed.
    pub(super) fn match_expr(&mut self, e: &'p Expr, m: &'p Match, d: usize) -> Ty {
        let mut result: Option<Ty> = None;
        let mut unify = |s: &mut Self, value: &'p Expr, t: Ty| {
            result = Some(match result.take() {
                None => t,
                Some(prev) => match prev.unify(&t) {
                    Some(u) => u,
                    None => {
                        s.error(
                            value,
                            format!("the arms of this `match` differ: {prev} and {t}"),
                        );
                        Ty::Any
                    }
                },
            });
        };
        match &m.subject {
            Some(subject) => {
                // Patterns are compared by equality, which takes a union as it is.
                let st = match self.expr(subject, d) {
                    t @ Ty::Union(_) => t,
                    t => self.require(subject, t),
                };
                // Arms are tried in turn by `==`: an arm's value sees the subject equal to
                // its pattern, and the arms after it (and `else`) see it equal to none of
                // them, as `if subject == "x"` would.
                let key = path_key(subject);
                let kinds_mark = self.kinds.len();
                for arm in &m.arms {
                    for p in &arm.patterns {
                        let pt = self.expr(p, d);
                        if !st.comparable(&pt) {
                            self.error(
                                p,
                                format!("`{}` is {st}, so it is never {pt}", short(subject)),
                            );
                        } else {
                            self.enumeration(&st, p);
                        }
                    }
                    let inner = self.kinds.len();
                    let strings = || arm.patterns.iter().filter_map(string_pattern);
                    // With several patterns, which one held is not known.
                    if let (Some(k), [p]) = (&key, arm.patterns.as_slice()) {
                        if let Some(s) = string_pattern(p) {
                            self.kinds.push((k.clone(), KindTest::Literal(s), true));
                        }
                    }
                    let t = self.expr(&arm.value, d);
                    self.kinds.truncate(inner);
                    unify(self, &arm.value, t);
                    if let Some(k) = &key {
                        let failed = strings().map(|s| (k.clone(), KindTest::Literal(s), false));
                        self.kinds.extend(failed.collect::<Vec<_>>());
                    }
                }
                if let Some(o) = &m.otherwise {
                    let t = self.expr(o, d);
                    unify(self, o, t);
                }
                self.kinds.truncate(kinds_mark);
                if m.otherwise.is_none() {
                    self.covered(e, subject, &st, &m.arms);
                }
                result.unwrap_or(Ty::Any)
            }
            None => {
                // An arm runs only when the conditions before it failed, as an `else if`.
                let mark = self.present.len();
                let kinds_mark = self.kinds.len();
                for arm in &m.arms {
                    let Some(c) = arm.patterns.first() else {
                        continue;
                    };
                    self.condition(c, d);
                    let t = self.under(c, true, |s| s.expr(&arm.value, d));
                    unify(self, &arm.value, t);
                    let failed = self.facts_when(c, false, 0);
                    self.present.extend(failed);
                    let failed = self.kinds_when(c, false);
                    self.kinds.extend(failed);
                }
                if let Some(o) = &m.otherwise {
                    let t = self.expr(o, d);
                    unify(self, o, t);
                }
                self.present.truncate(mark);
                self.kinds.truncate(kinds_mark);
                result.unwrap_or(Ty::Any)
            }
        }
    }

    /// Without `else`, the arms must take every value the subject can have.
    fn covered(&mut self, e: &Expr, subject: &Expr, st: &Ty, arms: &[Arm]) {
        let listed = |v: &dyn Fn(&ExprKind) -> bool| {
            arms.iter()
                .flat_map(|a| a.patterns.iter())
                .any(|p| v(&p.kind))
        };
        let missing: Vec<String> = match st.required() {
            Ty::Any => return,
            Ty::Enum(values) => values
                .iter()
                .filter(|v| {
                    !listed(&|k| matches!(k, ExprKind::String(s) if s.as_ref() == v.as_str()))
                })
                .map(|v| format!("{v:?}"))
                .collect(),
            Ty::Bool => [true, false]
                .into_iter()
                .filter(|b| !listed(&|k| matches!(k, ExprKind::Bool(x) if x == b)))
                .map(|b| b.to_string())
                .collect(),
            t => {
                self.out.push(
                    Diagnostic::at(
                        &subject.span,
                        format!(
                            "this `match` has no `else`, and `{}` is {t}: its arms cannot list every value",
                            short(subject)
                        ),
                    )
                    .hint("add `else => …`, or match on a value with a fixed set of values (an enumeration, true/false)"),
                );
                return;
            }
        };
        if !missing.is_empty() {
            self.out.push(
                Diagnostic::at(
                    &e.span,
                    format!(
                        "this `match` has no `else` and no arm for {} of `{}`",
                        missing.join(", "),
                        short(subject)
                    ),
                )
                .hint("add the missing values, or `else => …`"),
            );
        }
    }
}

/// A pattern that is a string literal: what `subject == pattern` narrows the subject to.
fn string_pattern(p: &Expr) -> Option<std::sync::Arc<str>> {
    match &p.kind {
        ExprKind::String(s) => Some(s.clone()),
        _ => None,
    }
}
