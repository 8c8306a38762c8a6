//! Facts a requester cannot change, which no remedy touches: those the author marks
//! `fixed` in the fact schema, those that decide whether a policy applies (its
//! `applies when`: `request.action`), and the `identified by` fact of each element.
//! `now` is not fixed but only moves forward (see `verify`).

use crate::syntax::ast::{Expr, ExprKind, Policy};
use crate::syntax::types::{FieldType, TypeExprKind};

use super::patch::generic;

/// Fixed facts, as generic paths (`resources[].frozen_for_legal`), each with why.
#[derive(Debug, Default)]
pub(crate) struct Fixed {
    paths: Vec<(String, &'static str)>,
}

impl Fixed {
    /// The fixed facts of the policies.
    pub(crate) fn of<'p>(policies: impl Iterator<Item = &'p Policy>) -> Fixed {
        let mut f = Fixed::default();
        for p in policies {
            if let Some(applies) = &p.applies {
                let mut out = Vec::new();
                paths_in(applies, &mut out);
                for path in out {
                    f.add(path, "decides whether the policy applies");
                }
            }
            if let Some(fe) = &p.for_each {
                if let (Some(id), Some(list)) = (&fe.id, path_text(&fe.list)) {
                    if let Some(id) = path_text(id) {
                        let rest = id.strip_prefix(fe.var.name.as_str()).unwrap_or("");
                        f.add(format!("{list}[]{rest}"), "identifies the element");
                    }
                }
            }
            if let Some(schema) = &p.schema {
                for field in schema {
                    marked(field, "", &mut f);
                }
            }
        }
        f
    }

    fn add(&mut self, path: String, why: &'static str) {
        if !self.paths.iter().any(|(p, _)| *p == path) {
            self.paths.push((path, why));
        }
    }

    /// The fixed fact a change of `path` would change, and why it is fixed, if any.
    pub(crate) fn touches(&self, path: &str) -> Option<(&str, &'static str)> {
        let g = generic(path);
        self.paths
            .iter()
            .find(|(f, _)| {
                g == *f
                    || g.strip_prefix(f.as_str())
                        .is_some_and(|rest| rest.starts_with(['.', '[']))
            })
            .map(|(f, why)| (f.as_str(), *why))
    }
}

/// The fields marked `fixed` under `field`, whose path starts with `prefix`.
fn marked(field: &FieldType, prefix: &str, out: &mut Fixed) {
    let path = if prefix.is_empty() {
        field.name.name.clone()
    } else {
        format!("{prefix}.{}", field.name.name)
    };
    if field.ty.fixed {
        out.add(path.clone(), "is marked `fixed` in the fact schema");
        return;
    }
    let mut ty = &field.ty;
    let mut at = path;
    loop {
        match &ty.kind {
            TypeExprKind::List(inner) => {
                at.push_str("[]");
                if inner.fixed {
                    out.add(at, "is marked `fixed` in the fact schema");
                    return;
                }
                ty = inner;
            }
            TypeExprKind::Record(fields) => {
                for f in fields {
                    marked(f, &at, out);
                }
                return;
            }
            _ => return,
        }
    }
}

/// The fact paths an expression reads (`request.action`).
fn paths_in(e: &Expr, out: &mut Vec<String>) {
    match path_text(e) {
        Some(p) => out.push(p),
        None => e.for_each_child(|c| paths_in(c, out)),
    }
}

/// `a.b.c` for a path of names and fields.
fn path_text(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::Field(b, f) => Some(format!("{}.{}", path_text(b)?, f.name)),
        _ => None,
    }
}
