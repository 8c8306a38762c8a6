//! Type checking each place of a policy (`applies`, `for each`, rules and their
//! clauses; lets and function bodies where they are checked) with the names
//! `syntax::scoping::scope` gives it.

use super::{static_type, Path, Typeck};
use crate::report::diagnostic::Kind;
use crate::schema::Ty;
use crate::syntax::ast::*;
use crate::syntax::scoping::{self, Place, Refers};

impl<'p> Typeck<'p, '_> {
    /// Every place but the functions' bodies (checked first, before the schema), the
    /// `for each` list first: the element's type is its element type.
    pub(super) fn policy_body(&mut self) {
        let p = self.policy;
        if let Some(fe) = &p.for_each {
            self.element = self.at(Place::ForEachList, &[], |s| {
                s.elements(&fe.list, "`for each`", 0)
            });
        }
        if let Some(a) = &p.applies {
            self.at(Place::Applies, &[], |s| s.condition(a, 0));
        }
        if let Some(id) = p.for_each.as_ref().and_then(|fe| fe.id.as_ref()) {
            self.at(Place::ForEachId, &[], |s| s.expr(id, 0));
        }
        for l in &p.lets {
            self.let_type(&l.name.name);
        }
        for r in &p.rules {
            self.rule(r);
        }
    }

    /// Runs `f` with the names `place` gives its expressions (`types`: those of the
    /// names it binds from the start, a function's parameters), then restores them.
    pub(super) fn at<T>(
        &mut self,
        place: Place<'p>,
        types: &[Ty],
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let scope = scoping::scope(self.policy, place);
        let binders = (scope.bound.iter())
            .enumerate()
            .map(|(i, x)| {
                (
                    x.name.name.as_str(),
                    types.get(i).cloned().unwrap_or(Ty::Any),
                )
            })
            .collect();
        let saved = (
            std::mem::replace(&mut self.scope, scope),
            std::mem::replace(&mut self.binders, binders),
        );
        let t = f(self);
        (self.scope, self.binders) = saved;
        t
    }

    /// What `n` refers to where the checker is.
    pub(super) fn refers(&self, n: &str) -> Refers {
        let depth = self.binders.iter().rev().position(|(b, _)| *b == n);
        self.scope.refers(n, depth, |n| self.lets.contains_key(n))
    }

    fn rule(&mut self, r: &'p Rule) {
        let Some(when) = r.when() else {
            return;
        };
        // Each clause's expressions with the names its place gives them.
        let when_clause = r.clauses.iter().find(|c| matches!(c, Clause::When(_)));
        if let Some(c) = when_clause {
            self.at(Place::Clause(c), &[], |s| s.condition(when, 0));
        }
        // Everything else in a rule runs only once its condition held.
        self.under(when, true, |s| {
            // A status clause runs only when the ones before it did not hold.
            let mut earlier_failed: Vec<Path<'p>> = Vec::new();
            for c in &r.clauses {
                s.at(Place::Clause(c), &[], |s| s.clause(c, &mut earlier_failed));
            }
            Ty::Any
        });
    }

    /// A rule's clause other than `when`, where its `when` held (and the status
    /// clauses before it, `earlier_failed`, did not).
    fn clause(&mut self, c: &'p Clause, earlier_failed: &mut Vec<Path<'p>>) {
        match c {
            Clause::Message(t) | Clause::Remedy(t) => {
                for part in &t.parts {
                    if let TemplatePart::Hole(e) = part {
                        self.expr(e, 0);
                    }
                }
            }
            Clause::Value(e) => {
                self.expr(e, 0);
            }
            Clause::When(_) | Clause::Cites(_) => {}
            Clause::Status(s) => {
                let inner = self.present.len();
                self.present.extend(earlier_failed.iter().cloned());
                self.condition(&s.when, 0);
                if let StatusKind::Approved { at, .. } = &s.status {
                    let held = self.facts_when(&s.when, true, 0);
                    self.present.extend(held);
                    let t = self.value(at, 0);
                    if !matches!(t, Ty::Time | Ty::Any) && static_type(at).is_none() {
                        self.error_of(
                            at,
                            format!("an approval time must be a timestamp, but this is {t}"),
                            Kind::ApprovalTime,
                        );
                    }
                }
                self.present.truncate(inner);
                let failed = self.facts_when(&s.when, false, 0);
                earlier_failed.extend(failed);
            }
        }
    }
}
