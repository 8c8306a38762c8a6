//! Computed keys: `record[k]` is checked only when every key `k` can be is visible to
//! the checker, so no rule reads a field the schema does not declare.

use super::{short, Typeck, MAX_LET_EXPANSIONS};
use crate::report::diagnostic::Diagnostic;
use crate::schema::Ty;
use crate::syntax::ast::*;
use crate::syntax::scoping::Refers;

impl<'p> Typeck<'p, '_> {
    /// `record[k]` with a key that is not a literal. Sound only when the checker sees
    /// every key it can be (each a declared field): otherwise a rule could read a field
    /// the schema does not declare (`let k = "undeclared"`, `request[k]`).
    pub(super) fn computed_field(&mut self, base: &Expr, bt: &Ty, index: &'p Expr, it: &Ty) -> Ty {
        let mut budget = MAX_LET_EXPANSIONS;
        let keys = match self.literal_keys(index, &mut budget) {
            Some(keys) => keys,
            None => match it.required() {
                Ty::Enum(values) => values.iter().cloned().collect(),
                _ => {
                    self.out.push(
                        Diagnostic::at(
                            &index.span,
                            format!(
                                "`{}` is read with a key the checker cannot see, so it could be a field the schema does not declare",
                                short(base)
                            ),
                        )
                        .hint("use a string literal, a `let` bound to one, an `if` choosing between them, or a fact whose type is an enumeration of the record's fields"),
                    );
                    return Ty::Any;
                }
            },
        };
        let mut types = Vec::new();
        for k in keys {
            let k = Ident {
                name: k,
                span: index.span.clone(),
            };
            types.push(self.field(base, bt.clone(), &k));
        }
        match types.split_first() {
            Some((first, rest)) if rest.iter().all(|t| t == first) => first.clone(),
            _ => Ty::Any,
        }
    }

    /// The strings a key expression can be, when they are written in the policy: a
    /// literal, a `let` (not shadowed by a binder) bound to such an expression, or an
    /// `if` choosing between two of them.
    fn literal_keys(&self, e: &'p Expr, budget: &mut usize) -> Option<Vec<String>> {
        match &e.kind {
            ExprKind::String(k) => Some(vec![k.to_string()]),
            ExprKind::If(_, a, b) => {
                let mut keys = self.literal_keys(a, budget)?;
                keys.extend(self.literal_keys(b, budget)?);
                Some(keys)
            }
            // A field of a record literal (`keys.monthly` with `let keys = {monthly: "m"}`).
            ExprKind::Field(base, field) => {
                let record = self.literal_record(base, budget)?;
                let (_, value) = record.iter().find(|(name, _)| name.name == field.name)?;
                self.literal_keys(value, budget)
            }
            ExprKind::Name(n) if *budget > 0 => {
                let l = self.visible_let(n.as_str())?;
                *budget -= 1;
                self.literal_keys(&l.value, budget)
            }
            _ => None,
        }
    }

    /// The record literal an expression is, directly or through lets.
    fn literal_record(&self, e: &'p Expr, budget: &mut usize) -> Option<&'p [(Ident, Expr)]> {
        match &e.kind {
            ExprKind::Record(fields) => Some(fields),
            ExprKind::Name(n) if *budget > 0 => {
                let l = self.visible_let(n.as_str())?;
                *budget -= 1;
                self.literal_record(&l.value, budget)
            }
            _ => None,
        }
    }

    /// The `let` a name refers to here (not shadowed by a binder or the element).
    pub(super) fn visible_let(&self, n: &str) -> Option<&'p Let> {
        match self.refers(n) {
            Refers::Let => self.lets.get(n).copied(),
            _ => None,
        }
    }
}
