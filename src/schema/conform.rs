//! The gate before evaluation: which schemas a snapshot must meet, and whether it does.
//!
//! A snapshot is checked against the schema of each policy that applies to it (and of
//! each policy for which that cannot be told). To tell, the facts that the policies'
//! `applies when` clauses read are checked first, against the schema alone: a snapshot
//! whose `request.action` is a number gets that one clear violation, not one list of
//! violations per policy.

use std::sync::Arc;

use crate::input::positions::Positions;
use crate::syntax::ast::Policy;
use crate::syntax::scoping::{fact_paths, Place};
use crate::value::Value;

use super::validate::{self, Problem};
use super::{Record, Ty};

/// How strictly to check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConformOptions {
    /// Refuse fields the schema does not declare (by default they are allowed).
    pub strict: bool,
}

/// One way a snapshot breaks the schema of a policy that applies to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The policy whose schema it breaks.
    pub policy: String,
    /// Where, as a document path: `resources[2].order.amount`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// 1-based line, once located (see [`Violation::locate`]).
    pub line: Option<usize>,
    /// 1-based column, once located.
    pub column: Option<usize>,
}

impl Violation {
    /// Fills in the line and column from the snapshot's positions.
    pub fn locate(&mut self, positions: &Positions) {
        if let Some((l, c)) = positions.nearest(&self.path) {
            self.line = Some(l);
            self.column = Some(c);
        }
    }

    /// The problem on one line, where it is: ``snapshot.yaml:12:7: `resources[0].order.amount`: expected money, found a string``.
    pub fn render(&self, origin: &str) -> String {
        let at = match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{origin}:{l}:{c}"),
            _ => origin.to_string(),
        };
        format!("{at}: `{}`: {}", self.path, self.message)
    }
}

/// What a [`Conformer`] needs of the engine, so that `schema` does not depend on `run`:
/// the typed policies and their schemas, which policies may apply to a snapshot, and
/// whether one does. Policies are named by their index in the engine.
pub(crate) trait Policies: Sync {
    /// Policy `i` and its schema, if its facts are typed. A lookup, not a list: a
    /// conformer is made per snapshot or request and must not cost O(policies).
    fn typed(&self, i: usize) -> Option<(&Policy, &Arc<Record>)>;
    /// The indices of the policies that may apply to `facts`, in order: every other
    /// policy's `applies when` is certainly false for them (the dispatch index).
    fn candidates(&self, facts: &Value) -> Vec<usize>;
    /// Whether policy `i` applies to `facts` (`None`: it cannot be told).
    fn applies(&self, i: usize, facts: &Value) -> Option<bool>;
    /// [`applies_parts`] of the typed policies, derived once and kept.
    fn applies_parts(&self) -> &[(usize, Record)];
}

/// For each typed policy with an `applies when`, the part of its schema that clause
/// reads, with the policy's index; each distinct part once, under the first policy that
/// reads it. Derived once per rule set (the engine keeps it), not per snapshot or request.
pub(crate) fn applies_parts(typed: &[(usize, &Policy, &Arc<Record>)]) -> Vec<(usize, Record)> {
    let mut parts: Vec<(usize, Record)> = Vec::new();
    for (i, policy, schema) in typed {
        let Some(clause) = policy.applies.as_ref() else {
            continue;
        };
        let mut read = Record::default();
        for path in fact_paths(policy, Place::Applies, clause) {
            project(&mut read, schema, &path);
        }
        // A part already kept finds the same problems, all reported under the first
        // policy that found them: checking it again adds nothing, and a thousand
        // policies on `request.action` would check it a thousand times.
        if !parts.iter().any(|(_, r)| *r == read) {
            parts.push((*i, read));
        }
    }
    parts
}

impl<'e> Conformer<'e> {
    /// What deciding which policies apply reads comes from the engine, derived once.
    pub(crate) fn new(policies: &'e dyn Policies) -> Conformer<'e> {
        Conformer {
            policies,
            applies: policies.applies_parts(),
        }
    }
}

/// Checks snapshots against an engine's schemas; see `Engine::conformer`.
pub struct Conformer<'e> {
    policies: &'e dyn Policies,
    /// For each typed policy with an `applies when`, the part of its schema that
    /// clause reads, by policy index (see [`applies_parts`]).
    applies: &'e [(usize, Record)],
}

impl Conformer<'_> {
    /// Checks a snapshot against the schemas of the policies that apply to it and
    /// returns it as the rules are to read it (see [`validate`]), or every violation
    /// found. Policies with untyped facts check nothing.
    pub fn conform(&self, facts: &Value, opts: &ConformOptions) -> Result<Value, Vec<Violation>> {
        let (value, violations) = self.conform_partly(facts, opts);
        if violations.is_empty() {
            Ok(value)
        } else {
            Err(violations)
        }
    }

    /// The snapshot as far as it conforms, and every violation: the parts that break a
    /// schema are left as they were (all of it, when the facts that decide which
    /// policies apply are themselves wrong).
    pub fn conform_partly(&self, facts: &Value, opts: &ConformOptions) -> (Value, Vec<Violation>) {
        let mut violations = Vec::new();
        // (path, message) of those reported: a set, not a search of the list for each
        // (12,000 violations took 20 s that way).
        let mut reported: std::collections::HashSet<(String, String)> =
            std::collections::HashSet::new();
        let mut add = |policy: &str, problems: Vec<Problem>, out: &mut Vec<Violation>| {
            for p in problems {
                if reported.insert((p.path.clone(), p.message.clone())) {
                    out.push(Violation {
                        policy: policy.to_string(),
                        path: p.path,
                        message: p.message,
                        line: None,
                        column: None,
                    });
                }
            }
        };
        // First what deciding which policies apply reads.
        for (i, read) in self.applies {
            let Some((policy, _)) = self.policies.typed(*i) else {
                continue;
            };
            let mut problems = Vec::new();
            validate::snapshot(facts, read, false, &mut problems);
            // `now` is checked with the rest, once the schema is known.
            problems.retain(|p| p.path != "now");
            add(&policy.id.name, problems, &mut violations);
        }
        if !violations.is_empty() {
            return (facts.clone(), violations);
        }
        let mut value = facts.clone();
        // Only the policies the index cannot rule out are asked (the others' `applies
        // when` is false, and they checked nothing before either), in order.
        for i in self.policies.candidates(facts) {
            let Some((policy, schema)) = self.policies.typed(i) else {
                continue;
            };
            if self.policies.applies(i, facts) == Some(false) {
                continue;
            }
            let mut problems = Vec::new();
            value = validate::snapshot(&value, schema, opts.strict, &mut problems);
            add(&policy.id.name, problems, &mut violations);
        }
        (value, violations)
    }
}

/// Adds to `into` the part of `schema` along `path` (names the schema lacks are let or
/// binder names, and are skipped).
fn project(into: &mut Record, schema: &Record, path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Some(field) = schema.get(first) else {
        return;
    };
    let sub = match field.ty.required() {
        Ty::Record(r) if !rest.is_empty() => r,
        _ => {
            into.fields.retain(|f| f.name != *first);
            into.fields.push(field.clone());
            return;
        }
    };
    let slot = match into.fields.iter().position(|f| f.name == *first) {
        Some(i) => i,
        None => {
            let empty = Ty::Record(Arc::new(Record::default()));
            into.fields.push(super::Field {
                name: first.to_string(),
                ty: if field.ty.is_optional() {
                    empty.optional()
                } else {
                    empty
                },
            });
            into.fields.len() - 1
        }
    };
    let optional = field.ty.is_optional();
    if let Some(f) = into.fields.get_mut(slot) {
        if let Ty::Record(r) = f.ty.required() {
            let mut r = (**r).clone();
            project(&mut r, sub, rest);
            let t = Ty::Record(Arc::new(r));
            f.ty = if optional { t.optional() } else { t };
        }
    }
}
