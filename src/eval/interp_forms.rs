//! Evaluating calls of a policy's functions, `match` and `position`.

use rust_decimal::Decimal;

use super::{equal, literal_eq, Scope, PARAM};
use crate::compile::{Node, NodeKind, Slot};
use crate::eval::error::EvalError;
use crate::syntax::ast::Match;
use crate::value::Value;

impl<'a> Scope<'a> {
    /// `require(p)`: the value of the fact path `p`; absent or null, the rule fails
    /// closed with an error naming the fact (where `p` goes through a null, the error
    /// names that one).
    pub(super) fn require(&mut self, args: &'a [Node]) -> Result<Value, EvalError> {
        let Some(a) = args.first() else {
            return Err(EvalError::Invalid("`require` takes a fact path".into()));
        };
        let v = self.eval_ref(a)?;
        if matches!(*v, Value::Null) {
            let (path, via) = self.operand_path(a).unwrap_or_default();
            let err = EvalError::Missing {
                path: path.unwrap_or_else(|| self.describe(a)),
            };
            return Err(err.through_lets(via));
        }
        Ok(v.into_owned())
    }

    /// A call of the policy's function: the arguments evaluated where it is called,
    /// then the body with its parameters bound to them (on top of the caller's binders,
    /// which the body cannot name: an argument's path is described from them).
    pub(super) fn call_function(
        &mut self,
        call: &'a Node,
        args: &'a [Node],
    ) -> Result<Value, EvalError> {
        let f = match call.slot {
            Slot::Function(i) => self.prog.code.functions.get(i as usize),
            _ => None,
        };
        let Some(f) = f else {
            return Err(EvalError::Invalid("unknown function".into()));
        };
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.eval_ref(a)?);
        }
        let depth = self.binders.len();
        for ((param, value), arg) in f.params.iter().zip(values).zip(args) {
            self.bind(&param.name.name, value, arg, PARAM);
            if let Some(b) = self.binders.last_mut() {
                b.depth = depth;
            }
        }
        self.fault = None;
        let r = self
            .eval(&f.body)
            .map_err(|e| e.via_at(|| format!("function `{}`", f.name.name), self.fault_span()));
        self.binders.truncate(depth);
        r
    }

    /// Notes that `e` failed. The first node to fail is where the error arose; its
    /// parents pass the error on without taking a step, so one failing at the step
    /// count the fault was noted at keeps it. (A failure absorbed on the way, by `??`
    /// or `present`, is followed by more steps before anything else fails.)
    pub(super) fn failed(&mut self, e: &'a Node) {
        match self.fault {
            Some((_, steps)) if steps == self.steps => {}
            _ => self.fault = Some((e, self.steps)),
        }
    }

    /// [`Scope::failed`] on the error path of the evaluator's entry, kept out of line
    /// so that the entry's hot path is not split by the bookkeeping.
    #[cold]
    #[inline(never)]
    pub(super) fn fail(&mut self, e: &'a Node, err: EvalError) -> EvalError {
        self.failed(e);
        err
    }

    /// Where the error being passed on arose (see [`Scope::failed`]).
    pub(super) fn fault_span(&self) -> Option<&'a crate::syntax::Span> {
        self.fault.map(|(n, _)| &n.span)
    }

    /// `match`: the first arm whose pattern equals the subject (or, without a
    /// subject, whose condition holds); else the `else`; with neither, an error.
    pub(super) fn matched(&mut self, m: &'a Match<Node>) -> Result<Value, EvalError> {
        match &m.subject {
            Some(subject) => {
                let v = self.eval_ref(subject)?;
                for arm in &m.arms {
                    for p in &arm.patterns {
                        let hit = match literal_eq(&v, p) {
                            Some(hit) => hit,
                            None => {
                                let pv = self.eval_ref(p)?;
                                equal(&v, &pv).map_err(|err| self.locate(err, &[subject]))?
                            }
                        };
                        if hit {
                            return self.eval(&arm.value);
                        }
                    }
                }
                match &m.otherwise {
                    Some(o) => self.eval(o),
                    None => Err(EvalError::Invalid(format!(
                        "no arm of the `match` takes {} (the value of `{}`), and it has no `else`",
                        crate::value::Literal(&v),
                        self.describe(subject)
                    ))),
                }
            }
            None => {
                for arm in &m.arms {
                    if let Some(c) = arm.patterns.first() {
                        if self.condition(c)? {
                            return self.eval(&arm.value);
                        }
                    }
                }
                match &m.otherwise {
                    Some(o) => self.eval(o),
                    None => Err(EvalError::Invalid(
                        "no condition of the `match` holds, and it has no `else`".into(),
                    )),
                }
            }
        }
    }

    /// `position(x)`: where the element `x` (of `for each`, a quantifier or a
    /// comprehension) is in its list, from 0 as in its path (`resources[0]`).
    pub(super) fn position(&mut self, args: &'a [Node]) -> Result<Value, EvalError> {
        let not_element = || {
            EvalError::Invalid(
                "`position` takes an element bound by `for each`, a quantifier or a comprehension"
                    .into(),
            )
        };
        let [arg] = args else {
            return Err(not_element());
        };
        let index = match (&arg.kind, arg.slot) {
            (NodeKind::Name(_), Slot::Binder(d)) => self
                .binders
                .len()
                .checked_sub(d as usize + 1)
                .and_then(|k| self.binders.get(k))
                .map(|b| b.index)
                .filter(|i| *i != PARAM),
            (NodeKind::Name(_), Slot::Item) => self.item.as_ref().map(|(i, _)| *i),
            _ => None,
        };
        self.charge(1)?;
        index
            .map(|i| Value::Number(Decimal::from(i)))
            .ok_or_else(not_element)
    }
}
