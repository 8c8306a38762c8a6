//! `round(a / b, …)` and `floor(hours(d))`: a rounding function written around a
//! division or a unit conversion rounds the exact quotient, which the division alone
//! could not give (it is an error when it does not end).

use std::borrow::Cow;

use super::round::{self, Operand};
use super::time;
use crate::compile::{Node, NodeKind};
use crate::eval::error::EvalError;
use crate::eval::interp::Scope;
use crate::syntax::ast::BinaryOp;
use crate::value::Value;

impl<'a> Scope<'a> {
    /// The rounding function `name` on `args` when its first argument is a division or
    /// a unit conversion; `None` otherwise (it is then called as any function is).
    pub(crate) fn rounded_quotient(
        &mut self,
        name: &str,
        args: &'a [Node],
    ) -> Option<Result<Value, EvalError>> {
        let (first, rest) = args.split_first()?;
        let operands: Vec<&Node> = match &first.kind {
            NodeKind::Binary(BinaryOp::Div, l, r) => vec![l, r],
            NodeKind::Call(g, inner)
                if inner.len() == 1 && time::conversion_unit(&g.name).is_some() =>
            {
                inner.iter().collect()
            }
            _ => return None,
        };
        Some(self.round_parts(name, first, &operands, rest))
    }

    fn round_parts(
        &mut self,
        name: &str,
        first: &'a Node,
        operands: &[&'a Node],
        rest: &'a [Node],
    ) -> Result<Value, EvalError> {
        let (num, den): (Cow<'a, Value>, Cow<'a, Value>) = match (&first.kind, operands) {
            (NodeKind::Call(g, _), [d]) => {
                let d = self.eval_ref(d)?;
                let unit = time::conversion_unit(&g.name).unwrap_or("seconds");
                let (n, u) =
                    time::in_unit_parts(&d, unit, &g.name).map_err(|e| self.locate(e, operands))?;
                (Cow::Owned(n), Cow::Owned(u))
            }
            (_, [l, r]) => (self.eval_ref(l)?, self.eval_ref(r)?),
            _ => return Err(EvalError::Invalid(format!("`{name}` needs an argument"))),
        };
        let mut values = Vec::with_capacity(rest.len());
        for a in rest {
            values.push(self.eval_ref(a)?);
        }
        let refs: Vec<&Value> = values.iter().map(|v| &**v).collect();
        round::call(name, Operand::Quotient(&num, &den), &refs).map_err(|e| {
            let mut all: Vec<&Node> = operands.to_vec();
            all.extend(rest.iter());
            self.locate(e, &all)
        })
    }
}
