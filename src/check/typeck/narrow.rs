//! Kind tests and narrowing: `x is number` makes `x` a number where the test held
//! (the `then` of an `if`, the rest of an `and`, a rule's clauses after its `when`) and
//! what is left of its union where it failed. A value of a union type is refused where
//! one kind is needed until a test narrows it.

use super::{path_key, short, Path, Typeck, MAX_LET_EXPANSIONS, MAX_NARROWING_DEPTH};
use crate::report::diagnostic::Diagnostic;
use crate::schema::Ty;
use crate::syntax::ast::*;

/// A kind test known to have held (`true`) or failed on a path.
pub(in crate::check) type Tested<'p> = (Path<'p>, KindTest, bool);

impl<'p> Typeck<'p, '_> {
    /// `x is KIND`: the test must be able to hold, and able to fail unless it is about
    /// presence (a test that always holds is allowed: schemas change).
    pub(super) fn kind_test(&mut self, e: &Expr, x: &'p Expr, test: &KindTest, d: usize) -> Ty {
        let t = if super::is_path(x) {
            self.path(x, true, d)
        } else {
            self.expr(x, d)
        };
        if !possible(&t, test) {
            let d = Diagnostic::at(
                &e.span,
                format!(
                    "`{}` is {t}, so `is {}` never holds",
                    short(x),
                    match test {
                        KindTest::Literal(s) => format!("{s:?}"),
                        t => t.as_str().to_string(),
                    }
                ),
            );
            self.out.push(match t.required() {
                Ty::Union(_) => d.hint(format!("test for one of: {}", kinds(&t))),
                _ => d,
            });
        }
        Ty::Bool
    }

    /// The kind tests `e` being `truth` proves.
    pub(super) fn kinds_when(&self, e: &'p Expr, truth: bool) -> Vec<Tested<'p>> {
        let mut lets = MAX_LET_EXPANSIONS;
        self.kinds_in(e, truth, 0, &mut lets)
    }

    fn kinds_in(
        &self,
        e: &'p Expr,
        truth: bool,
        depth: usize,
        lets: &mut usize,
    ) -> Vec<Tested<'p>> {
        if depth > MAX_NARROWING_DEPTH {
            return Vec::new();
        }
        let d = depth + 1;
        match &e.kind {
            ExprKind::Is(x, test) => path_key(x)
                .map(|k| vec![(k, test.clone(), truth)])
                .unwrap_or_default(),
            // `x == "none"` is `x is "none"` where it holds, and where it fails, `x` is
            // not that string.
            ExprKind::Binary(op @ (BinaryOp::Eq | BinaryOp::Ne), a, b) => {
                let held = truth == (*op == BinaryOp::Eq);
                let (x, s) = match (&a.kind, &b.kind) {
                    (_, ExprKind::String(s)) => (a, s),
                    (ExprKind::String(s), _) => (b, s),
                    _ => return Vec::new(),
                };
                path_key(x)
                    .map(|k| vec![(k, KindTest::Literal(s.clone()), held)])
                    .unwrap_or_default()
            }
            ExprKind::Unary(UnaryOp::Not, x) => self.kinds_in(x, !truth, d, lets),
            ExprKind::Binary(op, a, b) => match (op, truth) {
                (BinaryOp::And, true) | (BinaryOp::Or, false) => {
                    let mut v = self.kinds_in(a, truth, d, lets);
                    v.extend(self.kinds_in(b, truth, d, lets));
                    v
                }
                (BinaryOp::And, false) | (BinaryOp::Or, true) => {
                    let left = self.kinds_in(a, truth, d, lets);
                    let right = self.kinds_in(b, truth, d, lets);
                    left.into_iter().filter(|p| right.contains(p)).collect()
                }
                _ => Vec::new(),
            },
            ExprKind::Name(n) if *lets > 0 => match self.lets.get(n.as_str()) {
                Some(l) if !self.binders.iter().any(|(b, _)| b == n) => {
                    *lets -= 1;
                    self.kinds_in(&l.value, truth, d, lets)
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The type of the path `e` after the kind tests known here.
    pub(super) fn narrowed_kind(&self, e: &Expr, mut t: Ty) -> Ty {
        for (p, test, held) in &self.kinds {
            if super::is_key(e, p) {
                t = narrow(&t, test, *held);
            }
        }
        t
    }

    /// A union where one kind is needed: refused, with the test that would narrow it.
    pub(super) fn union_error(&mut self, e: &Expr, t: &Ty) {
        let text = short(e);
        let first = match t.required() {
            Ty::Union(alts) => alts.first().map(kind_word).unwrap_or_default(),
            _ => String::new(),
        };
        self.out.push(
            Diagnostic::at(
                &e.span,
                format!("`{text}` is {t} here: test its kind before using it as one"),
            )
            .hint(format!(
                "`{text} is {first} and …`, or `if {text} is {first} then … else …` (the kinds: {})",
                kinds(t)
            )),
        );
    }
}

/// How `is` names a type: `integer`, `number`, `"none"`.
fn kind_word(t: &Ty) -> String {
    match t {
        Ty::Integer => "integer".into(),
        Ty::Decimal => "number".into(),
        Ty::String => "string".into(),
        Ty::Enum(v) => v.first().map(|s| format!("{s:?}")).unwrap_or_default(),
        Ty::Bool => "bool".into(),
        Ty::Money => "money".into(),
        Ty::Time => "timestamp".into(),
        Ty::Duration => "duration".into(),
        Ty::List(_) => "list".into(),
        Ty::Record(_) => "record".into(),
        Ty::Refined(t, _) | Ty::Optional(t) => kind_word(t),
        Ty::Null => "null".into(),
        Ty::Any | Ty::Union(_) => String::new(),
    }
}

/// The tests that tell a union's alternatives apart: `integer`, `"none"`.
fn kinds(t: &Ty) -> String {
    let mut words: Vec<String> = match t.required() {
        Ty::Union(alts) => alts
            .iter()
            .flat_map(|a| match a {
                Ty::Enum(v) => v.iter().map(|s| format!("`{s:?}`")).collect(),
                a => vec![format!("`{}`", kind_word(a))],
            })
            .collect(),
        t => vec![format!("`{}`", kind_word(t))],
    };
    if t.is_optional() {
        words.push("`null`".into());
    }
    words.join(", ")
}

/// The part of one (non-union) type that passes `test`.
fn passing(t: &Ty, test: &KindTest) -> Option<Ty> {
    Some(match (test, t) {
        (_, Ty::Any) => Ty::Any,
        (KindTest::Number, Ty::Integer | Ty::Decimal)
        | (KindTest::Integer, Ty::Integer)
        | (KindTest::String, Ty::String | Ty::Enum(_))
        | (KindTest::Bool, Ty::Bool)
        | (KindTest::Money, Ty::Money)
        | (KindTest::Time, Ty::Time)
        | (KindTest::Duration, Ty::Duration)
        | (KindTest::List, Ty::List(_))
        | (KindTest::Record, Ty::Record(_)) => t.clone(),
        (KindTest::Integer, Ty::Decimal) => Ty::Integer,
        (KindTest::Literal(s), Ty::String) => Ty::Enum(vec![s.to_string()].into()),
        (KindTest::Literal(s), Ty::Enum(v)) if v.iter().any(|x| **x == **s) => {
            Ty::Enum(vec![s.to_string()].into())
        }
        (_, Ty::Refined(inner, _)) => return passing(inner, test),
        _ => return None,
    })
}

/// What is left of one (non-union) type when `test` failed.
fn failing(t: &Ty, test: &KindTest) -> Option<Ty> {
    match (test, t) {
        (KindTest::Literal(s), Ty::Enum(v)) => {
            let left: Vec<String> = v.iter().filter(|x| ***x != **s).cloned().collect();
            (!left.is_empty()).then(|| Ty::Enum(left.into()))
        }
        (KindTest::Literal(_), _) | (KindTest::Integer, Ty::Decimal) => Some(t.clone()),
        (_, Ty::Any) => Some(Ty::Any),
        _ => passing(t, test).is_none().then(|| t.clone()),
    }
}

fn of(mut alts: Vec<Ty>) -> Option<Ty> {
    match alts.len() {
        0 => None,
        1 => alts.pop(),
        _ => Some(Ty::Union(alts.into())),
    }
}

/// `t` where `x is test` held (`held`) or failed.
pub(super) fn narrow(t: &Ty, test: &KindTest, held: bool) -> Ty {
    if *test == KindTest::Null {
        return if held { Ty::Null } else { t.required().clone() };
    }
    let alts: Vec<Ty> = match t.required() {
        Ty::Union(alts) => alts.to_vec(),
        t => vec![t.clone()],
    };
    let kept: Vec<Ty> = alts
        .iter()
        .filter_map(|a| {
            if held {
                passing(a, test)
            } else {
                failing(a, test)
            }
        })
        .collect();
    match of(kept) {
        // Where the test held the value is there; where it failed it may still be null.
        Some(n) if !held && t.is_optional() => n.optional(),
        Some(n) => n,
        None => Ty::Any, // the test never holds (reported) or always does
    }
}

/// Whether `x is test` can hold for a value of type `t`.
fn possible(t: &Ty, test: &KindTest) -> bool {
    if *test == KindTest::Null {
        return t.is_optional() || matches!(t, Ty::Any);
    }
    match t.required() {
        Ty::Union(alts) => alts.iter().any(|a| passing(a, test).is_some()),
        t => passing(t, test).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit() -> Ty {
        Ty::Union(vec![Ty::Integer, Ty::Enum(vec!["unlimited".to_string()].into())].into())
    }

    #[test]
    fn a_test_keeps_the_alternatives_it_holds_for() {
        assert_eq!(narrow(&limit(), &KindTest::Integer, true), Ty::Integer);
        assert_eq!(narrow(&limit(), &KindTest::Number, true), Ty::Integer);
        assert_eq!(
            narrow(&limit(), &KindTest::Literal("unlimited".into()), true).to_string(),
            "a string (\"unlimited\")"
        );
        // Where it failed, what is left; an optional stays optional there only.
        assert_eq!(narrow(&limit(), &KindTest::Integer, false).kind(), "string");
        let opt = limit().optional();
        assert_eq!(narrow(&opt, &KindTest::Integer, true), Ty::Integer);
        assert!(narrow(&opt, &KindTest::Integer, false).is_optional());
        assert_eq!(narrow(&opt, &KindTest::Null, false), limit());
        // `is integer` on a decimal narrows it; failing leaves it a decimal.
        assert_eq!(narrow(&Ty::Decimal, &KindTest::Integer, true), Ty::Integer);
        assert_eq!(narrow(&Ty::Decimal, &KindTest::Integer, false), Ty::Decimal);
    }

    #[test]
    fn a_test_of_no_alternative_is_impossible() {
        assert!(!possible(&limit(), &KindTest::Money));
        assert!(!possible(&limit(), &KindTest::Literal("none".into())));
        assert!(possible(&limit(), &KindTest::Literal("unlimited".into())));
        assert!(!possible(&Ty::Integer, &KindTest::Null));
        assert!(possible(&Ty::Integer.optional(), &KindTest::Null));
        assert!(possible(&Ty::String, &KindTest::Literal("x".into())));
    }
}
