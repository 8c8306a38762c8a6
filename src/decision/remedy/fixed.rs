//! Facts a requester cannot change, which no remedy touches: those the author marks
//! `fixed` in the fact schema, those that decide whether a policy applies (its
//! `applies when`: `request.action`), and the `identified by` fact of each element.
//! `now` is not fixed but only moves forward (see `verify`).

use crate::syntax::ast::Policy;
use crate::syntax::scoping::{fact_paths, path_names, Place};
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
                for path in fact_paths(p, Place::Applies, applies) {
                    f.add(path.join("."), "decides whether the policy applies");
                }
            }
            if let Some(fe) = &p.for_each {
                if let (Some(id), Some(list)) = (&fe.id, path_names(&fe.list)) {
                    if let Some(id) = path_names(id) {
                        let (list, id) = (list.join("."), id.join("."));
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::syntax::{parse_policy, Source};

    use super::Fixed;

    const POLICY: &str = r#"policy p
facts request, account
applies when paid
let mode = request.mode
let paid = mode == "paid" and any(t in request.tags where t == "a")
deny r {
  message "m"
  when account.frozen
}
"#;

    #[test]
    fn a_fact_applies_reads_through_a_let_is_fixed() {
        let policy = parse_policy(&Source::new("p.bylaw", POLICY)).unwrap();
        let fixed = Fixed::of(std::iter::once(&policy));
        // Through `paid`, then `mode`: a remedy must not make the policy stop applying.
        assert_eq!(
            fixed.touches("request.mode"),
            Some(("request.mode", "decides whether the policy applies"))
        );
        assert!(fixed.touches("request.tags[0]").is_some());
        // Near miss: a fact only a rule reads is still the requester's to change.
        assert_eq!(fixed.touches("account.frozen"), None);
        // Neither the lets nor the binder are facts.
        for name in ["paid", "mode", "t"] {
            assert_eq!(fixed.touches(name), None, "{name}");
        }
    }
}
