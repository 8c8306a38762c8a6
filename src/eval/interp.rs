//! The expression evaluator: three-valued logic over facts, exact arithmetic.
//!
//! `false and ERR` is false, `true or ERR` is true, `not ERR` is ERR: an error
//! surfaces only when the outcome depends on it.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use super::error::EvalError;
use super::functions;
use super::ops::*;
use crate::compile::{Node, NodeKind, Root, Slot};
use crate::syntax::ast::{BinaryOp, Collect, Quantifier, UnaryOp};
use crate::value::{Money, Value};

// The evaluation bounds are defined once, with every other limit.
pub use crate::limits::{DEFAULT_MAX_DEPTH, DEFAULT_MAX_STEPS};

/// What the evaluator runs: a compiled policy, and what it keeps across decisions.
#[derive(Clone, Copy)]
pub struct Program<'a> {
    /// The compiled policy.
    pub code: &'a crate::compile::Program,
    /// The paths of the element's reads, kept across decisions (none: built per scope).
    pub item_paths: Option<&'a ItemPaths>,
}

/// The paths of the `for each` element's reads (`resources[0].order.amount`) for the
/// first elements, kept by a policy across decisions: built anew for each element of
/// each snapshot, they were a third of gathering evidence.
#[derive(Debug)]
pub struct ItemPaths {
    /// By element, then by read; allocated at the first decision that needs one, so
    /// that a loaded policy no snapshot reaches costs no room for them (a thousand
    /// policies of 60 reads would hold 46 MB of empty slots).
    paths: OnceLock<Box<[OnceLock<Arc<str>>]>>,
    reads: usize,
}

impl ItemPaths {
    /// Elements whose paths are kept; later ones are built per scope.
    const ELEMENTS: usize = 32;

    /// Room for the paths of a policy with `reads` numbered reads.
    pub fn new(reads: usize) -> ItemPaths {
        ItemPaths {
            paths: OnceLock::new(),
            reads,
        }
    }

    /// `item_path` + `rest`, the path of read `read` from element `item`, kept. A kept
    /// path built from another element path (the list is described per snapshot) is
    /// not used: it is the same text exactly when it starts with this one and is as
    /// long, as `rest` is the read's own.
    pub(super) fn path(
        &self,
        item: usize,
        read: usize,
        item_path: &str,
        rest: &str,
    ) -> Option<Arc<str>> {
        if item >= Self::ELEMENTS || read >= self.reads {
            return None;
        }
        let paths = self.paths.get_or_init(|| {
            (0..self.reads.saturating_mul(Self::ELEMENTS))
                .map(|_| OnceLock::new())
                .collect()
        });
        let kept = paths.get(item * self.reads + read)?.get_or_init(|| {
            let mut text = String::with_capacity(item_path.len() + rest.len());
            text.push_str(item_path);
            text.push_str(rest);
            text.into()
        });
        (kept.len() == item_path.len() + rest.len() && kept.starts_with(item_path))
            .then(|| Arc::clone(kept))
    }
}

pub(super) enum LetState {
    Todo,
    Busy,
    Done(Result<Value, EvalError>),
}

/// A list's elements: borrowed from the snapshot, or computed.
pub enum Items<'a> {
    /// A list of the snapshot.
    Borrowed(&'a [Value]),
    /// A list an expression built.
    Owned(std::sync::Arc<[Value]>),
}

impl<'a> Items<'a> {
    /// How many elements.
    pub fn len(&self) -> usize {
        match self {
            Items::Borrowed(s) => s.len(),
            Items::Owned(a) => a.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i` (borrowed when the list is); null past the end.
    pub fn get(&self, i: usize) -> Cow<'a, Value> {
        match self {
            Items::Borrowed(s) => s.get(i).map_or(Cow::Owned(Value::Null), Cow::Borrowed),
            Items::Owned(a) => Cow::Owned(a.get(i).cloned().unwrap_or(Value::Null)),
        }
    }
}

/// A node [`Scope::condition`] decides as a boolean.
pub(super) enum Truth<'a> {
    Binary(BinaryOp, &'a Node, &'a Node),
    Not(&'a Node),
    Quantifier(Quantifier, &'a str, &'a Node, &'a Node),
    Known(bool),
}

mod binary;
#[path = "interp_forms.rs"]
mod forms;

/// The `index` of a [`Binder`] that is a function's parameter, not an element.
pub(super) const PARAM: usize = usize::MAX;

/// A name bound by a quantifier or comprehension to an element of a list, or by a
/// function call to an argument (`list` is then the argument, `index` [`PARAM`]).
pub(super) struct Binder<'a> {
    pub(super) name: &'a str,
    pub(super) value: Cow<'a, Value>,
    pub(super) list: &'a Node,
    pub(super) index: usize,
    /// How many binders were in scope when `list` was evaluated.
    pub(super) depth: usize,
}

/// Everything an expression can see: facts, `now`, the current element, lets, binders.
pub struct Scope<'a> {
    pub(super) prog: Program<'a>,
    pub(super) facts: &'a Value,
    pub(super) now: Option<&'a Value>,
    pub(super) item: Option<(usize, Cow<'a, Value>)>,
    pub(super) lets: Vec<LetState>,
    pub(super) binders: Vec<Binder<'a>>,
    pub(super) steps: u64,
    pub(super) max_steps: u64,
    /// The decision's limit, for the message when it is passed (`max_steps` is what
    /// is left of it for this scope).
    pub(super) step_limit: u64,
    pub(super) depth: usize,
    pub(super) max_depth: usize,
    /// What the snapshot holds at each numbered read (`Slot::Fact`, `Slot::Path`), once
    /// found: rules, lets and messages read the same few facts (`request`,
    /// `resource.id`) again and again, and finding one is a search by name per field.
    pub(super) found: Vec<Option<&'a Value>>,
    /// The element's path (`resources[0]`), when the caller has it: evidence starts
    /// most fact paths with it.
    pub(super) item_path: Option<String>,
    /// The paths of the element's reads (`Read::Item`) built so far, by read number: a
    /// path in the evidence of several rules is built once per element. A short list,
    /// not a slot per read: a slot per read to reset and drop cost more than it saved.
    pub(super) item_reads: Vec<(usize, Arc<str>)>,
    /// A buffer for joining text.
    pub(super) scratch: String,
    /// The innermost node that failed, with the step count then: an error passing up
    /// through its parents takes no step, so a parent failing at the same count is
    /// passing it on (see [`Scope::failed`]).
    pub(super) fault: Option<(&'a Node, u64)>,
}

impl<'a> Scope<'a> {
    /// A scope over a snapshot; `item` is the element of the policy's `for each` list, if any.
    pub fn new(
        prog: Program<'a>,
        facts: &'a Value,
        now: Option<&'a Value>,
        item: Option<(usize, Cow<'a, Value>)>,
        max_steps: u64,
    ) -> Scope<'a> {
        Scope {
            prog,
            facts,
            now,
            item,
            lets: prog.code.lets.iter().map(|_| LetState::Todo).collect(),
            binders: Vec::new(),
            steps: 0,
            max_steps,
            step_limit: max_steps,
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
            found: vec![None; prog.code.reads.len()],
            item_path: None,
            item_reads: Vec::new(),
            scratch: String::new(),
            fault: None,
        }
    }

    /// The steps taken so far.
    pub fn steps_taken(&self) -> u64 {
        self.steps
    }

    /// Makes this scope one over element `item.0` of the `for each` list, as
    /// [`Scope::new`] would with `max_steps`, keeping its buffers (a scope per element
    /// was two allocations per element). `path` is the element's path (`resources[0]`,
    /// what describing its list and index gives), so describing paths from the
    /// element does not build it each time; it is copied into the scope's own text.
    pub fn next_item(&mut self, item: (usize, Cow<'a, Value>), path: &str, max_steps: u64) {
        self.item = Some(item);
        match &mut self.item_path {
            Some(kept) => {
                kept.clear();
                kept.push_str(path);
            }
            None => self.item_path = Some(path.to_string()),
        }
        self.lets.iter_mut().for_each(|l| *l = LetState::Todo);
        self.found.iter_mut().for_each(|f| *f = None);
        self.item_reads.clear();
        self.binders.clear();
        self.steps = 0;
        self.fault = None;
        self.max_steps = max_steps;
        self.depth = 0;
    }

    /// The decision's step limit, which a message about passing it states (this
    /// scope may have been given only what was left of it).
    pub fn with_step_limit(mut self, limit: u64) -> Scope<'a> {
        self.step_limit = limit;
        self
    }

    /// Limits how deep evaluation may recurse (a chain of `let`s can be long).
    pub fn with_max_depth(mut self, max_depth: usize) -> Scope<'a> {
        self.max_depth = max_depth;
        self
    }

    /// Counts `n` steps of work (an operator going through `n` elements), stopping the
    /// decision once the limit is passed.
    pub(super) fn charge(&mut self, n: usize) -> Result<(), EvalError> {
        self.steps = self
            .steps
            .saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        if self.steps > self.max_steps {
            return Err(EvalError::Steps(self.step_limit));
        }
        Ok(())
    }

    /// Counts the work of writing `v` into a message, as an operator going through it
    /// is counted: a rule showing a huge list for every element stays within the limit.
    pub fn charge_shown(&mut self, v: &Value) -> Result<(), EvalError> {
        self.charge(weight(v))
    }

    /// Evaluates a condition: it must be a boolean.
    pub fn condition(&mut self, e: &'a Node) -> Result<bool, EvalError> {
        // The fault is noted on the error path only, out of line: the entry stays small
        // enough for what it calls to be inlined into it.
        match self.condition_here(e) {
            Ok(b) => Ok(b),
            Err(err) => Err(self.fail(e, err)),
        }
    }

    #[inline]
    fn condition_here(&mut self, e: &'a Node) -> Result<bool, EvalError> {
        // `and`, `or`, `not`, comparisons and `any`/`all` are decided as booleans, not
        // built as values and taken apart again; entered as [`Scope::eval_ref`] enters
        // any node (none of them is a kept read).
        let truth = match &e.kind {
            NodeKind::Binary(op, l, r) if op.is_boolean() => Truth::Binary(*op, l, r),
            NodeKind::Unary(UnaryOp::Not, inner) => Truth::Not(inner),
            NodeKind::Quantifier(q @ (Quantifier::Any | Quantifier::All), var, list, body) => {
                Truth::Quantifier(*q, &var.name, list, body)
            }
            // A `let` already computed to a boolean: its value is not copied out.
            NodeKind::Name(_) => match e.slot {
                Slot::Let(i) => match self.lets.get(i as usize) {
                    Some(LetState::Done(Ok(Value::Bool(b)))) => Truth::Known(*b),
                    _ => return self.condition_of_value(e),
                },
                _ => return self.condition_of_value(e),
            },
            _ => return self.condition_of_value(e),
        };
        self.enter()?;
        let r = match truth {
            Truth::Binary(op, l, r) => self.binary_truth(op, l, r),
            Truth::Not(inner) => self.condition(inner).map(|b| !b),
            Truth::Quantifier(q, var, list, body) => self.quantified(q, var, list, body),
            Truth::Known(b) => Ok(b),
        };
        self.depth -= 1;
        r
    }

    pub(super) fn condition_of_value(&mut self, e: &'a Node) -> Result<bool, EvalError> {
        match &*self.eval_ref(e)? {
            Value::Bool(b) => Ok(*b),
            other => {
                let err = EvalError::Type {
                    path: None,
                    expected: "true or false".into(),
                    found: other.type_of(),
                    context: format!("the condition `{}`", e.span.text()),
                };
                Err(self.locate(err, &[e]))
            }
        }
    }

    /// Enters a node: one step, one level deeper (the caller leaves it with
    /// `self.depth -= 1`). Every node evaluated, as a value or a condition, takes it.
    pub(super) fn enter(&mut self) -> Result<(), EvalError> {
        self.charge(1)?;
        if self.depth >= self.max_depth {
            return Err(EvalError::Depth(self.max_depth));
        }
        self.depth += 1;
        Ok(())
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &'a Node) -> Result<Value, EvalError> {
        self.eval_ref(e).map(Cow::into_owned)
    }

    /// Evaluates an expression; a fact is borrowed from the snapshot, not copied.
    pub fn eval_ref(&mut self, e: &'a Node) -> Result<Cow<'a, Value>, EvalError> {
        match self.eval_ref_here(e) {
            Ok(v) => Ok(v),
            Err(err) => Err(self.fail(e, err)),
        }
    }

    #[inline]
    fn eval_ref_here(&mut self, e: &'a Node) -> Result<Cow<'a, Value>, EvalError> {
        // A path read before is the commonest read: checked on its own, since
        // `found_along` could answer it too but its set-up costs more (1.8% of a
        // decision's instructions, measured).
        if let Some(v) = self.found_before(e) {
            return v;
        }
        if let Some(v) = self.found_along(e) {
            return v;
        }
        self.enter()?;
        let r = self.eval_ref_inner(e);
        self.depth -= 1;
        if let (Slot::Path { index, .. }, Ok(Cow::Borrowed(v))) = (e.slot, &r) {
            if let Some(kept) = self.found.get_mut(index as usize) {
                *kept = Some(*v);
            }
        }
        r
    }

    // Inlined into `eval_ref_here` (with `resolved`), as it was before the fault
    // bookkeeping split the entry: called apart, 42 more calls in a decision of the
    // bench's unsubscribe example (0.3-0.4% of its instructions, callgrind).
    #[inline(always)]
    pub(super) fn eval_ref_inner(&mut self, e: &'a Node) -> Result<Cow<'a, Value>, EvalError> {
        match &e.kind {
            NodeKind::Name(n) => self.resolved(e.slot, n),
            NodeKind::Field(base, field) => {
                let v = self.eval_ref(base)?;
                self.field(v, base, field)
            }
            NodeKind::Index(base, index) => {
                let v = self.eval_ref(base)?;
                let i = self.eval_ref(index)?;
                self.index(v, base, &i, index)
            }
            NodeKind::If(c, a, b) => {
                if self.condition(c)? {
                    self.eval_ref(a)
                } else {
                    self.eval_ref(b)
                }
            }
            _ => self.eval_owned(e).map(Cow::Owned),
        }
    }

    /// A field path this scope has read before, taking the steps reading it again
    /// would take; `None` when it has not (or reading it again would go too deep, which
    /// the node-by-node walk reports).
    pub(super) fn found_before(&mut self, e: &Node) -> Option<Result<Cow<'a, Value>, EvalError>> {
        let Slot::Path { index, nodes } = e.slot else {
            return None;
        };
        let v = (*self.found.get(index as usize)?)?;
        if self.depth + nodes as usize > self.max_depth {
            return None;
        }
        Some(self.charge(nodes as usize).map(|()| Cow::Borrowed(v)))
    }

    /// A field path read in one go, from the nearest part of it this scope has found
    /// (or its root) down, keeping what it finds at each part; `None` when the walk
    /// node by node is needed: to go too deep, or to report a field that is missing
    /// or a value that is not a record (it repeats the lookups, and reports them as
    /// it always has). It takes the steps the walk would: one per node. The path's
    /// parts were split when compiling (`compile::Along`).
    pub(super) fn found_along(&mut self, e: &'a Node) -> Option<Result<Cow<'a, Value>, EvalError>> {
        let Slot::Path { index, nodes } = e.slot else {
            return None;
        };
        if self.depth + nodes as usize > self.max_depth {
            return None;
        }
        let code: &'a crate::compile::Program = self.prog.code;
        let fields = &code.along.get(index as usize)?.fields;
        // The nearest part already found (the whole path is `found_before`'s), else
        // the root; `start` is the first field still to read.
        let mut start = fields.len().checked_sub(1)?;
        let mut value: &'a Value = loop {
            if start == 0 {
                break match &code.along.get(index as usize)?.root {
                    Root::Fact(name, i) => match self.found.get(*i as usize).copied().flatten() {
                        Some(v) => v,
                        None => {
                            let facts: &'a Value = self.facts;
                            let v = facts.get(name)?;
                            *self.found.get_mut(*i as usize)? = Some(v);
                            v
                        }
                    },
                    Root::Item => match &self.item {
                        Some((_, Cow::Borrowed(v))) => v,
                        _ => return None,
                    },
                };
            }
            let (_, read) = fields[start - 1];
            if let Some(v) = self.found.get(read as usize).copied().flatten() {
                break v;
            }
            start -= 1;
        };
        let last = fields.len() - 1;
        for (k, (field, read)) in fields.iter().enumerate().skip(start) {
            let next = match value {
                Value::Map(_) => value.get(field)?,
                // Money's parts are computed, so only the path's last field reads one.
                Value::Money(m) if k == last => {
                    let v = match &**field {
                        "amount" => Value::Number(m.amount),
                        "currency" => Value::string(&m.currency),
                        _ => return None,
                    };
                    return Some(self.charge(nodes as usize).map(|()| Cow::Owned(v)));
                }
                _ => return None,
            };
            if let Some(kept) = self.found.get_mut(*read as usize) {
                *kept = Some(next);
            }
            value = next;
        }
        Some(self.charge(nodes as usize).map(|()| Cow::Borrowed(value)))
    }

    /// Evaluates an expression that computes a new value.
    pub(super) fn eval_owned(&mut self, e: &'a Node) -> Result<Value, EvalError> {
        match &e.kind {
            NodeKind::Const(v) => Ok(v.clone()),
            NodeKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(i)?);
                }
                Ok(Value::List(out.into()))
            }
            NodeKind::Name(_) | NodeKind::Field(..) | NodeKind::Index(..) | NodeKind::If(..) => {
                self.eval_ref_inner(e).map(Cow::into_owned)
            }
            NodeKind::Unary(UnaryOp::Not, inner) => Ok(Value::Bool(!self.condition(inner)?)),
            NodeKind::Binary(op, l, r) if op.is_boolean() => {
                self.binary_truth(*op, l, r).map(Value::Bool)
            }
            NodeKind::Unary(UnaryOp::Neg, inner) => match &*self.eval_ref(inner)? {
                Value::Number(n) => Ok(Value::Number(-n)),
                Value::Money(m) => Ok(Value::Money(Money {
                    amount: -m.amount,
                    currency: m.currency,
                })),
                Value::Duration(d) => Ok(Value::Duration(-*d)),
                other => {
                    let err = EvalError::Type {
                        path: None,
                        expected: "a number, money or a duration".into(),
                        found: other.type_of(),
                        context: "cannot negate".into(),
                    };
                    Err(self.locate(err, &[inner]))
                }
            },
            NodeKind::Binary(op, l, r) => self.binary(e, *op, l, r),
            NodeKind::Call(_, args) if matches!(e.slot, Slot::Function(_)) => {
                self.call_function(e, args)
            }
            NodeKind::Record(fields) => {
                let mut out = Vec::with_capacity(fields.len());
                for (name, v) in fields {
                    out.push((Arc::clone(name), self.eval(v)?));
                }
                Ok(Value::Map(out.into()))
            }
            NodeKind::Match(m) => self.matched(m),
            // An absent fact is null here, as for `present`.
            NodeKind::Is(x, test) => match self.eval_ref(x) {
                Ok(v) => Ok(Value::Bool(super::kinds::is_kind(&v, test))),
                Err(err) if err.is_absence() => {
                    Ok(Value::Bool(*test == crate::syntax::ast::KindTest::Null))
                }
                Err(err) => Err(err),
            },
            NodeKind::Call(f, args) => {
                if f.name == "position" {
                    return self.position(args);
                }
                if f.name == "require" {
                    return self.require(args);
                }
                if f.name == "present" {
                    return match args.first().map(|a| self.eval_ref(a)) {
                        Some(Ok(v)) => Ok(Value::Bool(!matches!(*v, Value::Null))),
                        Some(Err(err)) if err.is_absence() => Ok(Value::Bool(false)),
                        Some(Err(err)) => Err(err),
                        None => Ok(Value::Bool(false)),
                    };
                }
                if super::builtins::round::is_rounding(&f.name) {
                    if let Some(r) = self.rounded_quotient(&f.name, args) {
                        return r;
                    }
                }
                // Built-ins take one or two arguments: those are kept on the stack.
                let values = match args.as_slice() {
                    [a] => Args::One([self.eval_ref(a)?]),
                    [a, b] => Args::Two([self.eval_ref(a)?, self.eval_ref(b)?]),
                    _ => {
                        let mut values = Vec::with_capacity(args.len());
                        for a in args {
                            values.push(self.eval_ref(a)?);
                        }
                        Args::Many(values)
                    }
                };
                let values = values.as_slice();
                self.charge(
                    values
                        .iter()
                        .map(|v| weight(v))
                        .fold(0, usize::saturating_add),
                )?;
                functions::call(&f.name, values).map_err(|err| {
                    let operands: Vec<&Node> = args.iter().collect();
                    self.named(err, e, &operands)
                })
            }
            NodeKind::Quantifier(q @ (Quantifier::Any | Quantifier::All), var, list, body) => {
                self.quantified(*q, &var.name, list, body).map(Value::Bool)
            }
            NodeKind::Quantifier(q, var, list, body) => self.quantifier(*q, &var.name, list, body),
            NodeKind::Comprehension(kind, body, var, list, filter) => {
                let items = self.list_ref(list)?;
                let mut out = Vec::new();
                for i in 0..items.len() {
                    let item = items.get(i);
                    self.bind(&var.name, item, list, i);
                    let r = (|| {
                        if let Some(c) = filter {
                            if !self.condition(c)? {
                                return Ok(None);
                            }
                        }
                        self.eval(body).map(Some)
                    })();
                    self.binders.pop();
                    if let Some(v) = r? {
                        out.push(v);
                    }
                }
                match kind {
                    Collect::List => Ok(Value::List(out.into())),
                    Collect::Sum => {
                        functions::sum(out.iter()).map_err(|err| self.locate(err, &[body]))
                    }
                }
            }
        }
    }

    /// A name through the slot compiling gave it; by name when it has none, or when
    /// the slot is empty here (the element's name outside an element).
    #[inline(always)]
    pub(super) fn resolved(&mut self, slot: Slot, n: &str) -> Result<Cow<'a, Value>, EvalError> {
        match slot {
            Slot::Binder(d) => {
                let at = self.binders.len().checked_sub(d as usize + 1);
                if let Some(b) = at.and_then(|k| self.binders.get(k)) {
                    return Ok(b.value.clone());
                }
            }
            Slot::Item => {
                if let Some((_, v)) = &self.item {
                    return Ok(v.clone());
                }
            }
            Slot::Let(i) => return self.let_value(i as usize).map(Cow::Owned),
            Slot::Function(_) => {}
            Slot::Now => return self.now.map(Cow::Borrowed).ok_or(EvalError::NoNow),
            Slot::Fact(i) => {
                if let Some(Some(v)) = self.found.get(i as usize) {
                    return Ok(Cow::Borrowed(*v));
                }
                let v = self.fact(n)?;
                if let (Some(slot), Cow::Borrowed(found)) = (self.found.get_mut(i as usize), &v) {
                    *slot = Some(*found);
                }
                return Ok(v);
            }
            // Names have no path slot; looked up by name, as if unresolved.
            Slot::Path { .. } | Slot::Unresolved => {}
        }
        self.name(n)
    }

    pub(super) fn fact(&self, n: &str) -> Result<Cow<'a, Value>, EvalError> {
        let facts: &'a Value = self.facts;
        match facts.get(n) {
            Some(v) => Ok(Cow::Borrowed(v)),
            None => Err(EvalError::Missing {
                path: n.to_string(),
            }),
        }
    }

    pub(super) fn name(&mut self, n: &str) -> Result<Cow<'a, Value>, EvalError> {
        if let Some(b) = self.binders.iter().rev().find(|b| b.name == n) {
            return Ok(b.value.clone());
        }
        if let (Some(fe), Some((_, v))) = (&self.prog.code.for_each, &self.item) {
            if fe.var.name == n {
                return Ok(v.clone());
            }
        }
        if let Some(&i) = self.prog.code.let_index.get(n) {
            return self.let_value(i).map(Cow::Owned);
        }
        if n == "now" {
            return match self.now {
                Some(v) => Ok(Cow::Borrowed(v)),
                None => Err(EvalError::NoNow),
            };
        }
        self.fact(n)
    }

    /// A `let`'s value, computed once per scope (and only if needed).
    pub fn let_value(&mut self, i: usize) -> Result<Value, EvalError> {
        match self.lets.get(i) {
            Some(LetState::Done(r)) => return r.clone(),
            Some(LetState::Busy) => {
                return Err(EvalError::Invalid("a `let` refers to itself".into()));
            }
            _ => {}
        }
        let Some(decl) = self.prog.code.lets.get(i) else {
            return Err(EvalError::Invalid("unknown `let`".into()));
        };
        if let Some(slot) = self.lets.get_mut(i) {
            *slot = LetState::Busy;
        }
        // A let sees facts and the element, not the binders of the expression using it.
        let binders = std::mem::take(&mut self.binders);
        self.fault = None;
        let r = self
            .eval(&decl.value)
            .map_err(|e| e.via_at(|| format!("let `{}`", decl.name.name), self.fault_span()));
        self.binders = binders;
        if let Some(slot) = self.lets.get_mut(i) {
            *slot = LetState::Done(r.clone());
        }
        r
    }
}

/// A call's evaluated arguments.
pub(super) enum Args<'a> {
    One([Cow<'a, Value>; 1]),
    Two([Cow<'a, Value>; 2]),
    Many(Vec<Cow<'a, Value>>),
}

impl<'a> Args<'a> {
    fn as_slice(&self) -> &[Cow<'a, Value>] {
        match self {
            Args::One(a) => a,
            Args::Two(a) => a,
            Args::Many(a) => a,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn a_kept_element_path_is_used_only_for_the_element_it_was_built_for() {
        let kept = ItemPaths::new(2);
        let path = |item, read, base: &str| kept.path(item, read, base, ".order.amount");
        assert_eq!(
            path(0, 1, "resources[0]").as_deref(),
            Some("resources[0].order.amount")
        );
        // Kept: the same text, shared.
        let (a, b) = (path(0, 1, "resources[0]"), path(0, 1, "resources[0]"));
        assert!(matches!((a, b), (Some(a), Some(b)) if Arc::ptr_eq(&a, &b)));
        // The same element and read from another list, as long or not.
        assert_eq!(path(0, 1, "resourcez[0]"), None);
        assert_eq!(path(0, 1, "items[0]"), None);
        // Other elements and reads have their own; past the kept ones, none.
        assert_eq!(
            path(5, 0, "resources[5]").as_deref(),
            Some("resources[5].order.amount")
        );
        assert_eq!(path(ItemPaths::ELEMENTS, 0, "resources[32]"), None);
        assert_eq!(path(0, 2, "resources[0]"), None);
    }
}
