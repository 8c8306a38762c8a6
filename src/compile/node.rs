//! The compiled expression: what the interpreter runs. It mirrors the syntax tree's
//! forms, with every name resolved to a [`Slot`], literals built into values once,
//! and the one-line text evidence quotes.

use std::sync::{Arc, OnceLock};

use crate::syntax::ast::{BinaryOp, Collect, Ident, KindTest, Match, Quantifier, UnaryOp};
use crate::syntax::span::squash;
use crate::syntax::Span;
use crate::value::Value;

/// A compiled expression with its place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// For a name, what it refers to; for a field path from a fact or the element, its
    /// number; for a call of the policy's function, which.
    pub slot: Slot,
    /// Where it was written (errors and `describe` quote it).
    pub span: Span,
    /// Its text on one line, as evidence quotes it: see [`Node::text`].
    pub text: Text,
}

/// A node's one-line text, made the first time it is quoted. Most nodes are never
/// quoted (evidence quotes the conditions it does not split, and calls), so loading
/// does not build a text per node (a third of the allocations of compiling); a quoted
/// node builds it once per loaded rule set, not per decision.
#[derive(Debug, Clone, Default)]
pub(crate) struct Text(OnceLock<Arc<str>>);

/// The text follows from the span, which nodes compare: two texts never differ where
/// their spans are equal, whether or not either was made yet.
impl PartialEq for Text {
    fn eq(&self, _: &Text) -> bool {
        true
    }
}

/// What a name refers to, or which read a field path is. Compiling fixes each name by
/// the scoping rules, so evaluation reads a slot instead of searching binders, `let`s
/// and facts by name, and numbers the paths a scope can keep what it found at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Slot {
    /// Nothing to resolve, or past what a slot can number: looked up by name.
    #[default]
    Unresolved,
    /// A quantifier's or comprehension's variable (or a function's parameter), counted
    /// from the innermost (0).
    Binder(u32),
    /// The policy's `for each` element (outside an element, looked up by name).
    Item,
    /// A `let`, by its index in the policy.
    Let(u32),
    /// On a call: the policy's function of that index.
    Function(u32),
    /// `now`.
    Now,
    /// A top-level fact of the snapshot, numbered per policy (one number per name), so
    /// a scope can remember where it found it.
    Fact(u32),
    /// A field path from a top-level fact or the element (`resource.order.amount`),
    /// numbered per policy (one number per path), with how many nodes it has: what a
    /// scope found there can be reused.
    Path {
        /// The path's number.
        index: u32,
        /// Its nodes (names and fields), the steps reading it takes.
        nodes: u32,
    },
}

/// The compiled forms. A new expression form gets its variant here, its lowering in
/// `compile::lower` and its evaluation in `eval::interp`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    /// A literal (`null`, `true`, `12.50`, `"text"`, `1000 USD`, a time, `24h`), or
    /// arithmetic on literals folded while compiling: its value, built once.
    Const(Value),
    /// `[a, b]`.
    List(Vec<Node>),
    /// A name: a fact, a `let`, a bound element, or `now` (see the node's slot).
    Name(Arc<str>),
    /// `EXPR.field` (the field's name shared: `compile::lower` interns names).
    Field(Box<Node>, Arc<str>),
    /// `EXPR[EXPR]`.
    Index(Box<Node>, Box<Node>),
    /// `not EXPR`, `-EXPR`.
    Unary(UnaryOp, Box<Node>),
    /// `EXPR op EXPR`.
    Binary(BinaryOp, Box<Node>, Box<Node>),
    /// `f(args)`: a built-in, or the policy's function named by the node's slot.
    Call(Ident, Vec<Node>),
    /// `if C then A else B`.
    If(Box<Node>, Box<Node>, Box<Node>),
    /// `any(x in L where C)`, `all(…)`, `count(…)`.
    Quantifier(Quantifier, Ident, Box<Node>, Box<Node>),
    /// `[E for x in L where C]`, `sum(E for x in L where C)`.
    Comprehension(Collect, Box<Node>, Ident, Box<Node>, Option<Box<Node>>),
    /// `{name: EXPR, …}`, the names shared (built once).
    Record(Vec<(Arc<str>, Node)>),
    /// `match …  { … }`.
    Match(Box<Match<Node>>),
    /// `EXPR is number`, `EXPR is "none"`: whether the value is of that kind.
    Is(Box<Node>, KindTest),
}

impl Node {
    /// Its text on one line (its words joined by single spaces), as evidence quotes it.
    pub(crate) fn text(&self) -> &Arc<str> {
        self.text.0.get_or_init(|| squash(self.span.text()).into())
    }

    /// Calls `f` on each direct sub-expression, in evaluation order.
    pub(crate) fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Node)) {
        match &self.kind {
            NodeKind::Const(_) | NodeKind::Name(_) => {}
            NodeKind::List(items) | NodeKind::Call(_, items) => items.iter().for_each(f),
            NodeKind::Field(e, _) | NodeKind::Unary(_, e) | NodeKind::Is(e, _) => f(e),
            NodeKind::Index(a, b) | NodeKind::Binary(_, a, b) => {
                f(a);
                f(b);
            }
            NodeKind::If(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            NodeKind::Quantifier(_, _, list, body) => {
                f(list);
                f(body);
            }
            NodeKind::Comprehension(_, body, _, list, filter) => {
                f(list);
                f(body);
                if let Some(c) = filter {
                    f(c);
                }
            }
            NodeKind::Record(fields) => fields.iter().for_each(|(_, e)| f(e)),
            NodeKind::Match(m) => {
                if let Some(s) = &m.subject {
                    f(s);
                }
                for arm in &m.arms {
                    arm.patterns.iter().for_each(&mut f);
                    f(&arm.value);
                }
                if let Some(o) = &m.otherwise {
                    f(o);
                }
            }
        }
    }

    /// The name a path starts from, if this is a path (`a.b[0].c`).
    pub(crate) fn path_root(&self) -> Option<&str> {
        match &self.path_root_expr()?.kind {
            NodeKind::Name(n) => Some(n),
            _ => None,
        }
    }

    /// Whether this is a literal value (`1`, `"a"`, `1000 USD`, `24h`, `null`), which
    /// reads no fact.
    pub(crate) fn is_literal(&self) -> bool {
        matches!(self.kind, NodeKind::Const(_))
    }

    /// The literal's value, if this is one.
    pub(crate) fn constant(&self) -> Option<&Value> {
        match &self.kind {
            NodeKind::Const(v) => Some(v),
            _ => None,
        }
    }

    /// The name expression a path starts from, if this is a path.
    pub(crate) fn path_root_expr(&self) -> Option<&Node> {
        match &self.kind {
            NodeKind::Name(_) => Some(self),
            NodeKind::Field(e, _) => e.path_root_expr(),
            NodeKind::Index(e, i)
                if matches!(i.kind, NodeKind::Const(Value::Number(_) | Value::String(_))) =>
            {
                e.path_root_expr()
            }
            _ => None,
        }
    }
}
