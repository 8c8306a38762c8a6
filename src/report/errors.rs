//! The errors of a decision as diagnostics: each rule that could not be evaluated,
//! shown at the clause that failed, with a hint at the fix. For the people who
//! write rules and snapshots; the decision itself stays as it is.

use crate::decision::{Decision, RuleError};
use crate::report::diagnostic::Diagnostic;
use crate::run::engine::Engine;
use crate::syntax::ast::{Clause, Expr, Policy, StatusKind, TemplatePart};
use crate::syntax::Span;

/// One diagnostic per error of `d` that has a place in the rules.
pub fn diagnostics(engine: &Engine, d: &Decision) -> Vec<Diagnostic> {
    let errors = d
        .errors
        .iter()
        .chain(d.items.iter().flat_map(|i| &i.errors));
    let mut out: Vec<Diagnostic> = Vec::new();
    for e in errors {
        let Some(span) = locate(engine, e) else {
            continue;
        };
        let message = match &e.rule {
            Some(rule) => format!("`{rule}` could not be evaluated: {}", e.reason),
            None => e.reason.clone(),
        };
        let mut diag = Diagnostic::at(&span, message);
        diag.hint = hint(e);
        // Per-item errors repeat the same failure; show each once.
        if !out
            .iter()
            .any(|o| o.message == diag.message && o.span == diag.span)
        {
            out.push(diag);
        }
    }
    out
}

/// The clause an error's `source` (`file:line`) points at.
fn locate(engine: &Engine, e: &RuleError) -> Option<Span> {
    let (file, line) = e.source.as_deref()?.rsplit_once(':')?;
    let line: usize = line.parse().ok()?;
    let at = |x: &Expr| x.span.source.name == file && x.span.line() == line;
    for p in engine.policies() {
        if let Some(rule) = &e.rule {
            let Some(r) = p
                .rules
                .iter()
                .find(|r| format!("{}.{}", p.id.name, r.name.name) == *rule)
            else {
                continue;
            };
            return clause_exprs(&r.clauses)
                .into_iter()
                .find(|x| at(x))
                .map(|x| x.span.clone())
                .or_else(|| Some(r.name.span.clone()));
        }
        if let Some(x) = header_exprs(p).into_iter().find(|x| at(x)) {
            return Some(x.span.clone());
        }
        if let Some(fe) = &p.for_each {
            if fe.span.source.name == file && fe.span.line() == line {
                return Some(fe.span.clone());
            }
        }
    }
    None
}

fn header_exprs(p: &Policy) -> Vec<&Expr> {
    p.applies.iter().collect()
}

fn clause_exprs(clauses: &[Clause]) -> Vec<&Expr> {
    let mut v = Vec::new();
    for c in clauses {
        match c {
            Clause::When(e) | Clause::Value(e) => v.push(e),
            Clause::Status(s) => {
                v.push(&s.when);
                if let StatusKind::Approved { at, .. } = &s.status {
                    v.push(at);
                }
            }
            Clause::Message(t) | Clause::Remedy(t) => {
                v.extend(t.parts.iter().filter_map(|p| match p {
                    TemplatePart::Hole(e) => Some(e),
                    TemplatePart::Text(_) => None,
                }))
            }
            Clause::Cites(_) => {}
        }
    }
    v
}

fn hint(e: &RuleError) -> Option<String> {
    let r = e.reason.as_str();
    let path = e.path.as_deref().unwrap_or("the fact");
    Some(if r.contains("is missing") {
        format!(
            "add `{path}` to the snapshot; if it may be absent, the rule can say so with `present(…)` or a default `… ?? VALUE`"
        )
    } else if r.contains("is null, so") {
        format!("give `{path}` a value in the snapshot, or guard the rule with `present(…)`")
    } else if r.contains("different currencies") {
        "money is never converted: the snapshot must give amounts in the currency the rule compares with"
            .to_string()
    } else if r.contains("needs the current time") {
        "give the snapshot a top-level `now: 2021-10-01T09:00:00+08:00`, or pass `--now`"
            .to_string()
    } else if r.contains("expected true or false") {
        format!("`{path}` must be true or false; a condition on another value compares it, e.g. `x > 0`")
    } else if r.contains("there is nothing to decide on") {
        "give the list at least one element: an empty request is never allowed".to_string()
    } else if r.contains("there is no element") {
        "index within the list, or test its length first with `count(…)`".to_string()
    } else if r.contains("cannot tell whether the policy") {
        "the policy's `applies when` must be decidable from the snapshot".to_string()
    } else {
        return None;
    })
}
