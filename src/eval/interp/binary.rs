//! Binary operators in a scope: the boolean ones (three-valued, short-circuiting) and
//! those that compute a value. A part of [`super`], apart for its size.

use super::*;

impl<'a> Scope<'a> {
    /// An operator that yields a boolean ([`BinaryOp::is_boolean`]).
    pub(in crate::eval) fn binary_truth(
        &mut self,
        op: BinaryOp,
        l: &'a Node,
        r: &'a Node,
    ) -> Result<bool, EvalError> {
        match op {
            BinaryOp::And => {
                let a = self.condition(l);
                if matches!(a, Ok(false)) {
                    return Ok(false);
                }
                let b = self.condition(r);
                match (a, b) {
                    (_, Ok(false)) => Ok(false),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                    (Ok(_), Ok(_)) => Ok(true),
                }
            }
            BinaryOp::Or => {
                let a = self.condition(l);
                if matches!(a, Ok(true)) {
                    return Ok(true);
                }
                let b = self.condition(r);
                match (a, b) {
                    (_, Ok(true)) => Ok(true),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                    (Ok(_), Ok(_)) => Ok(false),
                }
            }
            _ => {
                let a = self.eval_ref(l)?;
                let a = &*a;
                // Comparing with a literal (`x == "a"`, `x in ["a", "b"]`) needs no value built
                // for the literal; mixed kinds take the general path, which reports them.
                let fast = match op {
                    BinaryOp::Eq => literal_eq(a, r),
                    BinaryOp::Ne => literal_eq(a, r).map(|x| !x),
                    BinaryOp::In => literal_member(a, r),
                    BinaryOp::NotIn => literal_member(a, r).map(|x| !x),
                    _ => None,
                };
                if let Some(x) = fast {
                    return Ok(x);
                }
                let b = self.eval_ref(r)?;
                let b = &*b;
                // Going through a list (or a long string) is work: a quantifier over a
                // huge list doing `in` on it must hit the step limit, not hang.
                self.charge(weight(a).saturating_add(weight(b)))?;
                let result = match op {
                    BinaryOp::Eq => equal(a, b),
                    BinaryOp::Ne => equal(a, b).map(|x| !x),
                    BinaryOp::Lt => functions::compare(a, b).map(|o| o.is_lt()),
                    BinaryOp::Le => functions::compare(a, b).map(|o| o.is_le()),
                    BinaryOp::Gt => functions::compare(a, b).map(|o| o.is_gt()),
                    BinaryOp::Ge => functions::compare(a, b).map(|o| o.is_ge()),
                    BinaryOp::In => member(a, b),
                    BinaryOp::NotIn => member(a, b).map(|x| !x),
                    // Operators that compute values go through `binary`, never here.
                    _ => Ok(false),
                };
                result.map_err(|err| self.locate(err, &[l, r]))
            }
        }
    }

    /// An operator that computes a value (`+`, `-`, `*`, `/`, `??`).
    pub(in crate::eval) fn binary(
        &mut self,
        e: &'a Node,
        op: BinaryOp,
        l: &'a Node,
        r: &'a Node,
    ) -> Result<Value, EvalError> {
        if op == BinaryOp::Default {
            return match self.eval(l) {
                Ok(Value::Null) => self.eval(r),
                Err(e) if e.is_absence() => self.eval(r),
                other => other,
            };
        }
        let a = self.eval_ref(l)?;
        let a = &*a;
        let b = self.eval_ref(r)?;
        let b = &*b;
        self.charge(weight(a).saturating_add(weight(b)))?;
        let result = match op {
            BinaryOp::Add => add(a, b),
            BinaryOp::Sub => sub(a, b),
            BinaryOp::Mul => mul(a, b),
            BinaryOp::Div => div(a, b),
            // Boolean operators go through `binary_truth`, never here.
            _ => Ok(Value::Null),
        };
        result.map_err(|err| self.named(err, e, &[l, r]))
    }
}
