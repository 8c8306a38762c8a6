//! Lowering one expression: names resolved to slots (by the scoping of
//! [`crate::syntax::scoping`]), literals built into values, arithmetic on literals
//! folded, field paths from a fact or the element numbered as reads.
//!
//! The rules are those of the interpreter's by-name lookup, applied lexically, as
//! [`Scope::refers`] states them for the place the expression sits: the innermost
//! quantifier or comprehension variable (or a function's parameter), then the
//! `for each` element, then a `let`, then `now`, then a fact.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use super::node::{Node, NodeKind, Slot, Text};
use super::{Along, Arithmetic, Fnv, LetIndex, Read, Root};
use crate::syntax::ast::Policy;
use crate::syntax::ast::{Arm, BinaryOp, Expr, ExprKind, Match};
use crate::syntax::scoping::{self, walk, Bound, Place, Refers, Scope};
use crate::value::{Money, Value};

pub(super) struct Lower<'p> {
    /// The names the place being compiled gives its expression.
    pub(super) scope: Scope<'p>,
    pub(super) lets: &'p LetIndex,
    /// The policy's functions' names, by index.
    pub(super) functions: &'p [&'p str],
    /// The top-level facts and field paths read (`account`, `resource.order.amount`),
    /// in the order first met: `Slot::Fact` and `Slot::Path` numbers.
    pub(super) reads: Vec<(Arc<str>, Read, Along)>,
    /// Each read's number by its key: a policy may read tens of thousands of
    /// distinct paths, and searching `reads` for each made compiling quadratic.
    pub(super) read_index: HashMap<Arc<str>, usize, BuildHasherDefault<Fnv>>,
    /// Each name and field met, shared (see [`Lower::intern`]).
    pub(super) names: HashMap<&'p str, Arc<str>, BuildHasherDefault<Fnv>>,
    /// A path's key (`a.b.c`) while it is looked up, kept for the next.
    pub(super) key: String,
    /// The compiled parts of the expressions being compiled, innermost last.
    pub(super) parts: Vec<Node>,
    /// The evaluator's arithmetic, for folding.
    pub(super) arithmetic: Arithmetic,
}

impl<'p> Lower<'p> {
    /// `e`, which sits at `place` in `policy`, compiled.
    pub(super) fn at(&mut self, policy: &'p Policy, place: Place<'p>, e: &'p Expr) -> Node {
        self.scope = scoping::scope(policy, place);
        let mut bound = self.scope.bound_names();
        self.expr(e, &mut bound)
    }

    /// `e` compiled, with `bound` the names bound around it.
    pub(super) fn expr(&mut self, e: &'p Expr, bound: &mut Bound<'p>) -> Node {
        // The parts first, each with the names its form binds around it, on the stack
        // all expressions share: a vector of its own per expression was a sixth of the
        // allocations of compiling.
        let base = self.parts.len();
        walk(e, |step| {
            if let Some(part) = bound.step(step) {
                let node = self.expr(part, bound);
                self.parts.push(node);
            }
        });
        let mut stack = std::mem::take(&mut self.parts);
        let node = self.node(e, bound, stack.drain(base..));
        self.parts = stack;
        node
    }

    /// `e` compiled from its `parts`, compiled already.
    fn node(
        &mut self,
        e: &'p Expr,
        bound: &Bound<'p>,
        mut parts: impl Iterator<Item = Node>,
    ) -> Node {
        // As many parts as `walk` gave, in its order.
        let mut next = || {
            Box::new(
                parts
                    .next()
                    .unwrap_or_else(|| constant(Value::Null, e.span.clone())),
            )
        };
        let mut slot = Slot::Unresolved;
        let kind = match &e.kind {
            ExprKind::Null => NodeKind::Const(Value::Null),
            ExprKind::Bool(b) => NodeKind::Const(Value::Bool(*b)),
            ExprKind::Number(n) => NodeKind::Const(Value::Number(*n)),
            ExprKind::String(s) => NodeKind::Const(Value::string(s)),
            ExprKind::Money(amount, currency) => NodeKind::Const(Value::Money(Money {
                amount: *amount,
                currency: *currency,
            })),
            ExprKind::Time(t) => NodeKind::Const(Value::Time(*t)),
            ExprKind::Duration(d) => NodeKind::Const(Value::Duration(*d)),
            ExprKind::Name(n) => {
                slot = self.name(n, bound);
                NodeKind::Name(self.intern(n))
            }
            ExprKind::List(_) => NodeKind::List(parts.by_ref().collect()),
            ExprKind::Call(f, _) => {
                if let Some(i) = self.functions.iter().position(|n| *n == f.name) {
                    slot = u32::try_from(i).map_or(Slot::Unresolved, Slot::Function);
                }
                NodeKind::Call(f.clone(), parts.by_ref().collect())
            }
            ExprKind::Field(_, field) => {
                let base = next();
                slot = self.path(&base, &field.name);
                NodeKind::Field(base, self.intern(&field.name))
            }
            ExprKind::Index(..) => NodeKind::Index(next(), next()),
            ExprKind::Unary(op, _) => NodeKind::Unary(*op, next()),
            ExprKind::Is(_, test) => NodeKind::Is(next(), test.clone()),
            ExprKind::Binary(op, ..) => NodeKind::Binary(*op, next(), next()),
            ExprKind::If(..) => NodeKind::If(next(), next(), next()),
            ExprKind::Record(fields) => NodeKind::Record(
                fields
                    .iter()
                    .map(|(name, _)| (Arc::from(name.name.as_str()), *next()))
                    .collect(),
            ),
            ExprKind::Match(m) => NodeKind::Match(Box::new(Match {
                subject: m.subject.as_ref().map(|_| *next()),
                arms: m
                    .arms
                    .iter()
                    .map(|arm| Arm {
                        patterns: arm.patterns.iter().map(|_| *next()).collect(),
                        value: *next(),
                    })
                    .collect(),
                otherwise: m.otherwise.as_ref().map(|_| *next()),
            })),
            ExprKind::Quantifier(q, var, ..) => {
                NodeKind::Quantifier(*q, var.clone(), next(), next())
            }
            ExprKind::Comprehension(kind, _, var, _, filter) => {
                let list = next();
                let body = next();
                NodeKind::Comprehension(
                    *kind,
                    body,
                    var.clone(),
                    list,
                    filter.as_ref().map(|_| next()),
                )
            }
        };
        let mut node = Node {
            kind,
            slot,
            span: e.span.clone(),
            text: Text::default(),
        };
        fold(&mut node, self.arithmetic);
        node
    }

    /// The slot of a field path `base.field` whose root is a top-level fact or the
    /// element (not a binder or a `let`, which change from use to use); `Unresolved`
    /// for other fields.
    fn path(&mut self, base: &Node, field: &'p str) -> Slot {
        let mut nodes = 2u32;
        let mut at = base;
        while let NodeKind::Field(inner, _) = &at.kind {
            nodes += 1;
            at = inner;
        }
        let (root, item) = match (&at.kind, at.slot) {
            (NodeKind::Name(n), Slot::Fact(_)) => (n.len(), false),
            (NodeKind::Name(n), Slot::Item) => (n.len(), true),
            _ => return Slot::Unresolved,
        };
        // The key `a.b.c`: the base's (its name, or the numbered path's), then this
        // field; looked up before anything is built, since most paths are met again.
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        let (head, mut fields) = match (base.slot, &base.kind) {
            (Slot::Fact(i), NodeKind::Name(n)) => {
                key.push_str(n);
                (Root::Fact(Arc::clone(n), i), Vec::with_capacity(1))
            }
            (Slot::Item, NodeKind::Name(n)) => {
                key.push_str(n);
                (Root::Item, Vec::with_capacity(1))
            }
            (Slot::Path { index, .. }, _) => match self.reads.get(index as usize) {
                Some((k, _, a)) => {
                    key.push_str(k);
                    let mut fields = Vec::with_capacity(a.fields.len() + 1);
                    fields.extend_from_slice(&a.fields);
                    (a.root.clone(), fields)
                }
                None => return Slot::Unresolved,
            },
            _ => return Slot::Unresolved,
        };
        key.push('.');
        key.push_str(field);
        let index = match self.read_index.get(key.as_str()) {
            Some(&i) => i,
            None => {
                let own = self.reads.len();
                let Ok(number) = u32::try_from(own) else {
                    self.key = key;
                    return Slot::Unresolved;
                };
                let shared: Arc<str> = key.as_str().into();
                let read = match (item, key.get(root..)) {
                    (true, Some(rest)) => Read::Item(rest.into()),
                    _ => Read::Fact(Arc::clone(&shared)),
                };
                fields.push((self.intern(field), number));
                let along = Along {
                    root: head,
                    fields: fields.into(),
                };
                self.read_index.insert(Arc::clone(&shared), own);
                self.reads.push((shared, read, along));
                own
            }
        };
        self.key = key;
        match u32::try_from(index) {
            Ok(index) => Slot::Path { index, nodes },
            Err(_) => Slot::Unresolved,
        }
    }

    fn name(&mut self, n: &'p str, bound: &Bound<'p>) -> Slot {
        let lets = self.lets;
        let index =
            |i: usize, slot: fn(u32) -> Slot| u32::try_from(i).map_or(Slot::Unresolved, slot);
        match self
            .scope
            .refers(n, bound.depth(n), |n| lets.contains_key(n))
        {
            Refers::Binder(d) => return index(d, Slot::Binder),
            Refers::Item => return Slot::Item,
            Refers::Let => match lets.get(n) {
                Some(&i) => return index(i, Slot::Let),
                None => return Slot::Unresolved,
            },
            Refers::Now => return Slot::Now,
            // Refused by the name checker: a checked policy has none.
            Refers::Nothing => return Slot::Unresolved,
            Refers::Fact => {}
        }
        if let Some(&i) = self.read_index.get(n) {
            return index(i, Slot::Fact);
        }
        let own = self.reads.len();
        let Ok(number) = u32::try_from(own) else {
            return Slot::Unresolved;
        };
        // The fact's name is its key, its read and its root: one text shared.
        let name = self.intern(n);
        let along = Along {
            root: Root::Fact(Arc::clone(&name), number),
            fields: Box::new([]),
        };
        self.read_index.insert(Arc::clone(&name), own);
        self.reads
            .push((Arc::clone(&name), Read::Fact(name), along));
        index(own, Slot::Fact)
    }

    /// `name` shared: each name or field of a policy is one text however often it is
    /// written (a path's field was a copy per use, the commonest allocation of
    /// compiling).
    fn intern(&mut self, name: &'p str) -> Arc<str> {
        Arc::clone(self.names.entry(name).or_insert_with(|| name.into()))
    }
}

fn constant(v: Value, span: crate::syntax::Span) -> Node {
    Node {
        kind: NodeKind::Const(v),
        slot: Slot::Unresolved,
        text: Text::default(),
        span,
    }
}

/// Replaces arithmetic on two literals by its result, where that is exact: an
/// operation that fails (two currencies, an overflow) is left as written, to fail where
/// it is evaluated, with the same message as before. The node keeps its text, so
/// evidence quotes what was written.
fn fold(e: &mut Node, arithmetic: Arithmetic) {
    let NodeKind::Binary(op, l, r) = &e.kind else {
        return;
    };
    let (Some(a), Some(b)) = (operand(l), operand(r)) else {
        return;
    };
    if !matches!(
        op,
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div
    ) {
        return;
    }
    if let Some(v) = arithmetic(*op, a, b) {
        if arithmetic_value(&v) {
            e.kind = NodeKind::Const(v);
        }
    }
}

/// A literal that arithmetic is folded on.
fn operand(e: &Node) -> Option<&Value> {
    e.constant().filter(|v| arithmetic_value(v))
}

fn arithmetic_value(v: &Value) -> bool {
    matches!(
        v,
        Value::Number(_) | Value::Money(_) | Value::Duration(_) | Value::Time(_) | Value::String(_)
    )
}
