//! Refinements (`integer 1..28`, `money 0..`, `string matching "…"`) and unions
//! (`integer | "none"`): resolving them from the syntax, and what a value must be to
//! meet a refinement.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::report::diagnostic::Diagnostic;
use crate::syntax::ast::Ident;
use crate::syntax::types::{Refinement, TypeExpr, TypeExprKind};
use crate::value::Value;

use super::pattern::Pattern;
use super::{resolve, Ty};

/// What a refined type asks of its values beyond their kind.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Refine {
    /// The least number (or amount) allowed.
    pub min: Option<Decimal>,
    /// The greatest.
    pub max: Option<Decimal>,
    /// A pattern the text must contain a match of.
    pub pattern: Option<Pattern>,
}

impl Refine {
    /// `0..` and nothing else: the one range an amount written as text can be held to in
    /// JSON Schema (by a pattern without a minus sign).
    pub fn at_least_zero(&self) -> bool {
        self.min == Some(Decimal::ZERO) && self.max.is_none() && self.pattern.is_none()
    }

    /// Why `v` falls outside the refinement, if it does (values of other kinds pass:
    /// their kind is checked apart).
    pub fn refuses(&self, v: &Value) -> Option<String> {
        let n = match v {
            Value::Number(n) => *n,
            Value::Money(m) => m.amount,
            Value::String(s) => {
                let p = self.pattern.as_ref()?;
                return (!p.is_match(s.as_str())).then(|| {
                    format!(
                        "{:?} does not match the pattern {:?}",
                        crate::limits::shorten(s.as_str()),
                        &*p.source
                    )
                });
            }
            _ => return None,
        };
        let below = self.min.is_some_and(|m| n < m);
        let above = self.max.is_some_and(|m| n > m);
        (below || above).then(|| {
            let bound = |b: Option<Decimal>| b.map(|b| b.to_string()).unwrap_or_default();
            let shown = match v {
                Value::Money(m) => format!("{} {}", m.amount, m.currency),
                _ => n.to_string(),
            };
            format!(
                "{shown} is outside the range {}..{} ({} {})",
                bound(self.min),
                bound(self.max),
                if below { "less than" } else { "more than" },
                if below {
                    bound(self.min)
                } else {
                    bound(self.max)
                }
            )
        })
    }
}

/// ` from 1 to 28`, ` of at least 0`, ` matching "^[A-Z]{3}$"`: after the type's name.
impl fmt::Display for Refine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (Some(a), Some(b)) => write!(f, " from {a} to {b}")?,
            (Some(a), None) => write!(f, " of at least {a}")?,
            (None, Some(b)) => write!(f, " of at most {b}")?,
            (None, None) => {}
        }
        if let Some(p) = &self.pattern {
            write!(f, " matching {:?}", &*p.source)?;
        }
        Ok(())
    }
}

/// `NAME RANGE` or `NAME matching "…"`.
pub(super) fn refined(base: Ty, name: &Ident, r: &Refinement, out: &mut Vec<Diagnostic>) -> Ty {
    let refine = match r {
        Refinement::Range { min, max, span } => {
            let refused = |what: &str| Diagnostic::at(span, what.to_string());
            if !matches!(base, Ty::Integer | Ty::Decimal | Ty::Money | Ty::Any) {
                out.push(refused(&format!("`{}` cannot have a range", name.name)).hint(
                    "ranges bound integer, decimal (or number) and money; a string takes `matching \"PATTERN\"`",
                ));
                return base;
            }
            match (min, max) {
                (None, None) => {
                    out.push(
                        refused("a range needs at least one bound").hint("`1..28`, `0..`, `..100`"),
                    );
                    return base;
                }
                (Some(a), Some(b)) if a > b => {
                    out.push(refused(&format!(
                        "the range {a}..{b} holds no value: its least is more than its greatest"
                    )));
                    return base;
                }
                _ => {}
            }
            let r = Refine {
                min: *min,
                max: *max,
                pattern: None,
            };
            if base == Ty::Money && !r.at_least_zero() {
                out.push(refused("money can only be bounded at zero (`money 0..`)").hint(
                    "an amount is written as text (\"12.50\"), which JSON Schema cannot bound otherwise; compare the amount in a rule",
                ));
                return base;
            }
            r
        }
        Refinement::Matching(p) => {
            if !matches!(base, Ty::String | Ty::Any) {
                out.push(
                    Diagnostic::at(
                        &p.span,
                        format!("`{}` cannot be matched with a pattern", name.name),
                    )
                    .hint("only `string` takes `matching \"PATTERN\"`"),
                );
                return base;
            }
            match Pattern::new(&p.value) {
                Ok(pattern) => Refine {
                    pattern: Some(pattern),
                    ..Refine::default()
                },
                Err(why) => {
                    out.push(Diagnostic::at(
                        &p.span,
                        format!("this pattern cannot be used: {why}"),
                    ));
                    return base;
                }
            }
        }
    };
    if base == Ty::Any {
        return Ty::Any; // the unknown name is reported already
    }
    Ty::Refined(Box::new(base), Arc::new(refine))
}

/// The kind `is` tells an alternative by: at most one alternative of each.
fn kind_of(t: &Ty) -> &'static str {
    match t {
        Ty::Enum(_) => "literal",
        t => t.kind(),
    }
}

/// `A | B | …`.
pub(super) fn union(alts: &[TypeExpr], out: &mut Vec<Diagnostic>) -> Ty {
    let mut types: Vec<Ty> = Vec::new();
    let mut literals: Vec<String> = Vec::new();
    // The literals seen, asked once per value (see `resolve`'s enum).
    let mut known = std::collections::HashSet::new();
    let mut spans: Vec<(&'static str, &TypeExpr)> = Vec::new();
    for a in alts {
        let t = resolve(a, out);
        if t == Ty::Any {
            continue; // reported already
        }
        if let (TypeExprKind::Enum(values), Ty::Enum(_)) = (&a.kind, &t) {
            for v in values {
                if !known.insert(v.value.as_str()) {
                    out.push(Diagnostic::at(
                        &v.span,
                        format!("the value `{}` is listed twice", v.value),
                    ));
                } else {
                    literals.push(v.value.clone());
                }
            }
            continue;
        }
        let kind = kind_of(&t);
        if let Some((_, first)) = spans.iter().find(|(k, _)| *k == kind) {
            out.push(
                Diagnostic::at(
                    &a.span,
                    format!(
                        "this union already holds {} (`{}`): a union holds one type of each kind, so that `is` tells them apart",
                        types.iter().find(|t| kind_of(t) == kind).map_or(String::new(), ToString::to_string),
                        first.span.text()
                    ),
                )
                .hint(match kind {
                    "number" => "`number` holds integers and decimals alike; bound it with a range if needed",
                    "record" => "declare one record with the fields of both, optional where they differ",
                    "list" => "declare one list whose elements are a union (`[integer | string]`)",
                    _ => "keep one of them",
                }),
            );
            continue;
        }
        spans.push((kind, a));
        types.push(t);
    }
    if !literals.is_empty() {
        if let Some((_, s)) = spans.iter().find(|(k, _)| *k == "string") {
            out.push(
                Diagnostic::at(&s.span, "this union holds both `string` and string values: the values are strings already")
                    .hint("keep `string`, or list only the values"),
            );
        } else {
            types.push(Ty::Enum(literals.into()));
        }
    }
    match types.len() {
        0 => Ty::Any,
        1 => types.pop().unwrap_or(Ty::Any),
        _ => Ty::Union(types.into()),
    }
}

/// A union and another type, as `if` branches or `??` give them: the union when it
/// holds the other's kind, else one more alternative (`None` when that kind is held
/// by an alternative the other does not fit).
pub(super) fn widen(alts: &[Ty], t: &Ty) -> Option<Ty> {
    let t = t.required();
    let mut out: Vec<Ty> = alts.to_vec();
    let incoming: Vec<Ty> = match t {
        Ty::Union(more) => more.to_vec(),
        t => vec![t.clone()],
    };
    for t in incoming {
        match out.iter().position(|x| {
            kind_of(x) == kind_of(&t) || (x.kind() == "string" && t.kind() == "string")
        }) {
            Some(i) => out[i] = out[i].unify(&t)?,
            None => out.push(t),
        }
    }
    Some(Ty::Union(out.into()))
}
