//! Presence the schema promises: a field `required when C` is there where `C` is known
//! to hold, and `require(p)` reads an optional fact as required (failing the rule,
//! closed, when it is absent).

use std::borrow::Cow;

use super::{is_path, path_key, Path, Typeck};
use crate::schema::presence::Lit;
use crate::schema::Ty;
use crate::syntax::ast::*;

/// The key a held `p == literal` adds to the known facts: `p`, `==`, the literal.
pub(super) fn equal_key<'p>(p: &'p Expr, lit: &Expr) -> Option<Path<'p>> {
    let mut k = path_key(p)?;
    k.push(Cow::Borrowed("=="));
    k.push(Cow::Owned(Lit::key_of(lit)?));
    Some(k)
}

/// The key a held `p in [literals]` adds: `p`, `in`, then each literal's key.
pub(super) fn member_key<'p>(p: &'p Expr, list: &Expr) -> Option<Path<'p>> {
    let ExprKind::List(items) = &list.kind else {
        return None;
    };
    let mut k = path_key(p)?;
    k.push(Cow::Borrowed("in"));
    for i in items {
        k.push(Cow::Owned(Lit::key_of(i)?));
    }
    Some(k)
}

impl<'p> Typeck<'p, '_> {
    /// Whether `base.field` (with `base` of type `bt`) is required by a `required when`
    /// whose condition a test before it proved (`r.billing_mode == "subscription" and …`).
    pub(super) fn presence_holds(&self, base: &Expr, bt: &Ty, field: &str) -> bool {
        let Ty::Record(r) = bt.required() else {
            return false;
        };
        r.presence.iter().filter(|p| p.field == field).any(|p| {
            let mut key = if p.top {
                Vec::new()
            } else {
                match path_key(base) {
                    Some(k) => k,
                    None => return false,
                }
            };
            key.extend(p.path.iter().map(|s| Cow::Borrowed(s.as_str())));
            let values: Vec<String> = p.values.iter().map(|v| v.key()).collect();
            // `PATH == v` for a value of the condition, or `PATH in [...]` of them only.
            self.present.iter().any(|held| {
                let Some(rest) = held.strip_prefix(key.as_slice()) else {
                    return false;
                };
                match rest.split_first() {
                    Some((op, [v])) if op == "==" => values.iter().any(|x| **x == **v),
                    Some((op, vs)) if op == "in" && !vs.is_empty() => {
                        vs.iter().all(|v| values.iter().any(|x| **x == **v))
                    }
                    _ => false,
                }
            })
        })
    }

    /// `require(p)`: the type of `p` without its `?` (absent, the rule fails closed).
    pub(super) fn require_call(&mut self, e: &'p Expr, args: &'p [Expr], d: usize) -> Ty {
        match args {
            [a] if is_path(a) => self.path(a, true, d).required().clone(),
            [a] => self.expr(a, d).required().clone(),
            // The name checker reports the arity.
            _ => {
                let _ = e;
                Ty::Any
            }
        }
    }
}
