//! Reaching into values: a record's field, a list's element, with the path of what
//! was read kept for evidence and errors.

use std::borrow::Cow;

use super::error::EvalError;
use super::interp::*;
use crate::compile::Node;
use crate::value::Value;

impl<'a> Scope<'a> {
    pub(super) fn field(
        &self,
        v: Cow<'a, Value>,
        base: &'a Node,
        field: &str,
    ) -> Result<Cow<'a, Value>, EvalError> {
        let missing = || EvalError::Missing {
            path: format!("{}.{field}", self.describe(base)),
        };
        match v {
            Cow::Borrowed(v @ Value::Map(_)) => v.get(field).map(Cow::Borrowed).ok_or_else(missing),
            Cow::Owned(v @ Value::Map(_)) => {
                v.get(field).cloned().map(Cow::Owned).ok_or_else(missing)
            }
            other => self.field_of(&other, base, field).map(Cow::Owned),
        }
    }

    /// A field of something that is not a record: money's parts, or an error.
    pub(super) fn field_of(
        &self,
        v: &Value,
        base: &'a Node,
        field: &str,
    ) -> Result<Value, EvalError> {
        match v {
            Value::Money(m) if field == "amount" => Ok(Value::Number(m.amount)),
            Value::Money(m) if field == "currency" => Ok(Value::string(&m.currency)),
            Value::Null => Err(EvalError::NullParent {
                path: self.describe(base),
                field: field.to_string(),
            }),
            other => Err(EvalError::Type {
                path: Some(self.describe(base)),
                expected: "a record".into(),
                found: other.type_of(),
                context: format!("cannot read `.{field}`"),
            }),
        }
    }

    pub(super) fn index(
        &self,
        v: Cow<'a, Value>,
        base: &'a Node,
        i: &Value,
        index: &'a Node,
    ) -> Result<Cow<'a, Value>, EvalError> {
        match (&*v, i) {
            (Value::List(items), Value::Number(n)) => {
                let len = items.len();
                let at = usize::try_from(*n).ok().filter(|_| n.fract().is_zero());
                let bad = || EvalError::Index {
                    path: self.describe(base),
                    index: n.to_string(),
                    len,
                };
                let k = at.filter(|k| *k < len).ok_or_else(bad)?;
                Ok(match v {
                    Cow::Borrowed(Value::List(items)) => Cow::Borrowed(&items[k]),
                    _ => Cow::Owned(items[k].clone()),
                })
            }
            (Value::Map(_), Value::String(k)) => {
                let k = k.clone();
                match self.field(v, base, &k) {
                    // A table of the rules, not a fact: the fact is the key's.
                    Err(err @ EvalError::Missing { .. }) if !index.is_literal() => {
                        let via = match self.operand_path(base) {
                            Some((Some(_), _)) => return Err(err),
                            Some((None, via)) => via,
                            None => Vec::new(),
                        };
                        let err = EvalError::NoEntry {
                            path: self.path_of(index),
                            key: k.to_string(),
                            table: crate::eval::evidence::squash(base.span.text()),
                        };
                        Err(err.through_lets(via))
                    }
                    r => r,
                }
            }
            (Value::Null, _) => Err(EvalError::NullParent {
                path: self.describe(base),
                field: format!("[{}]", index.span.text()),
            }),
            // A list or record read with the wrong kind of key: the key is what is wrong.
            (Value::List(_), key) => Err(EvalError::Type {
                path: Some(self.describe(base)),
                expected: "a number (a list is indexed by position)".into(),
                found: key.type_of(),
                context: format!("cannot index a list with `{}`", index.span.text()),
            }),
            (Value::Map(_), key) => Err(EvalError::Type {
                path: Some(self.describe(base)),
                expected: "a string (a record is indexed by field name)".into(),
                found: key.type_of(),
                context: format!("cannot index a record with `{}`", index.span.text()),
            }),
            (other, _) => Err(EvalError::Type {
                path: Some(self.describe(base)),
                expected: "a list (indexed by a number) or a record (by a string)".into(),
                found: other.type_of(),
                context: format!("cannot index with `{}`", index.span.text()),
            }),
        }
    }
}
