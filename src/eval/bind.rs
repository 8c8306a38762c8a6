//! Quantifiers (`any`, `all`) and lists: the names they bind to each element.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::error::EvalError;
use super::interp::*;
use crate::compile::Node;
use crate::syntax::ast::Quantifier;
use crate::value::Value;

impl<'a> Scope<'a> {
    /// `any` or `all`, as a boolean.
    pub(super) fn quantified(
        &mut self,
        q: Quantifier,
        var: &'a str,
        list: &'a Node,
        body: &'a Node,
    ) -> Result<bool, EvalError> {
        match self.quantifier(q, var, list, body)? {
            Value::Bool(b) => Ok(b),
            _ => Ok(false),
        }
    }

    pub(super) fn quantifier(
        &mut self,
        q: Quantifier,
        var: &'a str,
        list: &'a Node,
        body: &'a Node,
    ) -> Result<Value, EvalError> {
        let items = self.list_ref(list)?;
        let mut first_error = None;
        let mut count = 0usize;
        for i in 0..items.len() {
            let item = items.get(i);
            self.bind(var, item, list, i);
            let r = self.condition(body);
            self.binders.pop();
            match (q, r) {
                (Quantifier::Any, Ok(true)) => return Ok(Value::Bool(true)),
                (Quantifier::All, Ok(false)) => return Ok(Value::Bool(false)),
                (Quantifier::Count, Ok(true)) => count += 1,
                (_, Ok(_)) => {}
                (_, Err(e @ (EvalError::Steps(_) | EvalError::Depth(_)))) => return Err(e),
                (_, Err(e)) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        Ok(match q {
            Quantifier::Any => Value::Bool(false),
            Quantifier::All => Value::Bool(true),
            Quantifier::Count => Value::Number(Decimal::from(count)),
        })
    }

    pub(super) fn list(&mut self, list: &'a Node) -> Result<std::sync::Arc<[Value]>, EvalError> {
        match self.eval(list)? {
            Value::List(items) => Ok(items),
            other => Err(EvalError::Type {
                path: self.path_of(list),
                expected: "a list".into(),
                found: other.type_of(),
                context: format!("cannot go through `{}`", list.span.text()),
            }),
        }
    }

    /// A list's elements, borrowed from the snapshot when the list is a fact.
    pub fn list_ref(&mut self, list: &'a Node) -> Result<Items<'a>, EvalError> {
        match self.eval_ref(list)? {
            Cow::Borrowed(Value::List(items)) => Ok(Items::Borrowed(items)),
            Cow::Owned(Value::List(items)) => Ok(Items::Owned(items)),
            other => Err(EvalError::Type {
                path: self.path_of(list),
                expected: "a list".into(),
                found: other.type_of(),
                context: format!("cannot go through `{}`", list.span.text()),
            }),
        }
    }

    pub(super) fn bind(
        &mut self,
        name: &'a str,
        value: Cow<'a, Value>,
        list: &'a Node,
        index: usize,
    ) {
        let depth = self.binders.len();
        self.binders.push(Binder {
            name,
            value,
            list,
            index,
            depth,
        });
    }

    /// Runs `f` with `name` bound to element `index` of `list` (for evidence).
    pub fn with_binding<T>(
        &mut self,
        name: &'a str,
        value: Value,
        list: &'a Node,
        index: usize,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        self.bind(name, Cow::Owned(value), list, index);
        let out = f(self);
        self.binders.pop();
        out
    }

    /// Evaluates a list expression (for evidence over quantifiers).
    pub fn eval_list(&mut self, list: &'a Node) -> Result<std::sync::Arc<[Value]>, EvalError> {
        self.list(list)
    }
}
