//! Binary operators: which kinds mix, the result's type, and the help when they do
//! not. A part of [`super`], apart for its size.

use super::*;

impl<'p> Typeck<'p, '_> {
    pub(super) fn binary(
        &mut self,
        e: &'p Expr,
        op: BinaryOp,
        l: &'p Expr,
        r: &'p Expr,
        d: usize,
    ) -> Ty {
        // Errors visible from literals alone are the name checker's.
        let literal = static_type(l).is_some() && static_type(r).is_some();
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.condition(l, d);
                self.under(l, op == BinaryOp::And, |s| s.condition(r, d));
                Ty::Bool
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                // `==` and `!=` take null: they never fail on an optional value.
                let a = self.expr(l, d);
                let b = self.expr(r, d);
                if !a.comparable(&b) && !literal {
                    self.incompatible(e, &a, &b);
                } else {
                    self.enumeration(&a, r);
                    self.enumeration(&b, l);
                }
                Ty::Bool
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let a = self.value(l, d);
                let b = self.value(r, d);
                let orderable = matches!(
                    a.kind(),
                    "number" | "string" | "money" | "timestamp" | "duration" | "any"
                );
                if literal {
                } else if !a.comparable(&b) {
                    self.incompatible(e, &a, &b);
                } else if !orderable {
                    self.error(
                        e,
                        format!(
                            "`{}` orders numbers, strings, money, timestamps or durations, not {a}",
                            op.as_str()
                        ),
                    );
                }
                Ty::Bool
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let a = self.expr(l, d);
                let b = self.value(r, d);
                match &b {
                    Ty::List(elem) => {
                        if !a.comparable(elem) {
                            self.error(
                                e,
                                format!(
                                    "`{}` is {a}, but the list holds {}",
                                    short(l),
                                    Ty::List(elem.clone())
                                        .to_string()
                                        .trim_start_matches("a list of ")
                                ),
                            );
                        } else if let ExprKind::List(items) = &r.kind {
                            for i in items {
                                self.enumeration(&a, i);
                            }
                        }
                    }
                    Ty::String | Ty::Enum(_) | Ty::Record(_) => {
                        if !matches!(a.kind(), "string" | "any") && !literal {
                            self.error(e, format!("`in` {b} needs a string on the left, not {a}"));
                        }
                    }
                    Ty::Any => {}
                    _ if literal => {}
                    _ => self.error(
                        e,
                        format!(
                            "`{}` needs a list, a record or a string on the right, not {b}",
                            op.as_str()
                        ),
                    ),
                }
                Ty::Bool
            }
            BinaryOp::Default => {
                let a = if is_path(l) {
                    self.path(l, true, d)
                } else {
                    self.expr(l, d)
                };
                let b = self.expr(r, d);
                let a = a.required().clone();
                match a.unify(&b) {
                    Some(t) if b.is_optional() => t.optional(),
                    Some(Ty::Optional(t)) => *t,
                    Some(t) => t,
                    None => {
                        self.error(
                            e,
                            format!("`??` gives {b} in place of {a}: they should be of one type"),
                        );
                        Ty::Any
                    }
                }
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let a = self.value(l, d);
                let b = self.value(r, d);
                match arithmetic(op, &a, &b) {
                    Some(t) => t,
                    None => {
                        if !literal {
                            self.error_of(
                                e,
                                format!("`{}` cannot be used on {a} and {b}", op.as_str()),
                                Kind::Operator {
                                    op,
                                    left: operand(&a),
                                    right: operand(&b),
                                },
                            );
                        }
                        Ty::Any
                    }
                }
            }
        }
    }

    pub(super) fn incompatible(&mut self, e: &Expr, a: &Ty, b: &Ty) {
        let d = Diagnostic::at(&e.span, format!("cannot compare {a} with {b}"));
        let kinds = (a.kind(), b.kind());
        // "Without quotes" helps only where the string is written in the rule.
        let quoted = match &e.kind {
            ExprKind::Binary(_, l, r) => {
                [l, r].iter().any(|x| matches!(x.kind, ExprKind::String(_)))
            }
            _ => false,
        };
        let d = match kinds {
            ("timestamp", "string") | ("string", "timestamp") if !quoted => d.hint(
                "text is not read as a time: declare the fact as a `timestamp` in the schema, or compare with a time",
            ),
            ("duration", "string") | ("string", "duration") if !quoted => d.hint(
                "text is not read as a duration: declare the fact as a `duration` in the schema, or compare with a duration",
            ),
            ("money", "number") | ("number", "money") => {
                d.hint("write the number with its currency (`1000 USD`), or compare the `.amount`")
            }
            ("timestamp", "string") | ("string", "timestamp") => {
                d.hint("write the time without quotes, e.g. 2021-09-30T10:00:00+08:00")
            }
            ("duration", "string") | ("string", "duration") => {
                d.hint("write the duration without quotes, e.g. 24h")
            }
            _ => d,
        };
        self.out.push(d);
    }

    /// A string literal compared with an enumerated value must be one of its values.
    pub(super) fn enumeration(&mut self, t: &Ty, literal: &Expr) {
        let (Ty::Enum(values), ExprKind::String(s)) = (t.required(), &literal.kind) else {
            return;
        };
        if values.iter().any(|v| **v == **s) {
            return;
        }
        let mut listed = String::new();
        let _ = schema::write_values(&mut listed, values);
        let d = Diagnostic::at(
            &literal.span,
            format!("{s:?} is not a possible value here: the schema allows {listed}"),
        );
        self.out
            .push(match did_you_mean(s, values.iter().map(String::as_str)) {
                Some(v) => d.hint(format!("did you mean {v:?}?")),
                None => d,
            });
    }
}

/// What an operand of type `t` is or holds, for the operator's hint (a list of strings
/// holds strings; `T?` is a `T`).
fn operand(t: &Ty) -> Operand {
    use crate::value::Type;
    match t {
        Ty::Integer | Ty::Decimal => Operand::of(Type::Number),
        Ty::String | Ty::Enum(_) => Operand::of(Type::String),
        Ty::Money => Operand::of(Type::Money),
        Ty::Time => Operand::of(Type::Time),
        Ty::Duration => Operand::of(Type::Duration),
        Ty::List(t) | Ty::Optional(t) | Ty::Refined(t, _) => operand(t),
        // A union is what its alternatives are; its string literals are written as
        // values (`"none"`), not as strings.
        Ty::Union(alts) => alts
            .iter()
            .filter(|t| !matches!(t, Ty::Enum(_)))
            .fold(Operand::default(), |o, t| o.or(operand(t))),
        Ty::Any | Ty::Null | Ty::Bool | Ty::Record(_) => Operand::default(),
    }
}
