//! Compiling: a checked policy's syntax tree → the [`Program`] the interpreter runs.
//!
//! The syntax tree stays as the parser produced it. The program has every name
//! resolved to a [`Slot`] (by the scoping of [`crate::syntax::scoping`]), every
//! literal built into a value once, arithmetic on literals folded, every field path
//! from a fact or the `for each` element numbered as a [`Read`] with its path text
//! split off ahead of time, and every expression's one-line text for evidence (made
//! when first quoted). Its clauses keep the syntax tree's shapes (`Rule<Node>`,
//! `Template<Node>`, …), so the engine reads a compiled rule as it would read a
//! parsed one.
//!
//! Compiling cannot fail: a checked policy always compiles (a name past what a slot
//! can number is left [`Slot::Unresolved`] and looked up by name when evaluated).
//!
//! A new expression form: its variant in [`NodeKind`], its lowering in `lower.rs`
//! (scoping of any names it binds in [`crate::syntax::scoping`]), its evaluation in
//! `eval::interp`.

mod fnv;
mod literal;
mod lower;
mod node;

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

pub(crate) use fnv::Fnv;
pub(crate) use literal::LetData;
pub(crate) use node::{Node, NodeKind, Slot};

use crate::syntax::ast::{
    BinaryOp, Clause, ForEach, Function, Let, Policy, Rule, StatusClause, StatusKind, Template,
    TemplatePart,
};
use crate::syntax::scoping::{self, Place};
use crate::value::Value;

/// `let` name → index. Names are looked up on every read by name, so the hash is
/// FNV-1a, much cheaper than SipHash on short keys (the keys are the rule author's).
pub(crate) type LetIndex = HashMap<String, usize, BuildHasherDefault<Fnv>>;

/// Arithmetic on two values (`+`, `-`, `*`, `/`), `None` when it fails: the
/// evaluator's own, handed in so that constants fold exactly as they would evaluate
/// (and `compile` does not import `eval`, which runs what it produces).
pub(crate) type Arithmetic = fn(BinaryOp, &Value, &Value) -> Option<Value>;

/// Where a numbered read (`Slot::Fact`, `Slot::Path`) is in a snapshot, known when
/// compiling, so that evidence does not build the same path text node by node for
/// every decision.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Read {
    /// From a top-level fact: the same path in every scope (`request.submitted_at`).
    Fact(Arc<str>),
    /// From the `for each` element: the element's path, then this (`.order.amount`).
    Item(Arc<str>),
}

/// A numbered read split into its parts once, when compiling: where it starts, then
/// its fields in order, each with the number of the path up to and with it
/// (`request.order.amount`: the fact `request`, then `order` with the number of
/// `request.order`, then `amount` with its own). The evaluator reads a path along it
/// from the nearest part it has found, without walking the path's nodes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Along {
    /// The top-level fact or the element the path starts from.
    pub root: Root,
    /// The fields, outermost first, each with its path's read number.
    pub fields: Box<[(Arc<str>, u32)]>,
}

/// Where a read starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Root {
    /// A top-level fact: its name and read number.
    Fact(Arc<str>, u32),
    /// The `for each` element.
    Item,
}

/// A compiled policy: what the interpreter runs.
#[derive(Debug)]
pub(crate) struct Program {
    /// `applies when`.
    pub applies: Option<Node>,
    /// `for each NAME in LIST identified by ID`.
    pub for_each: Option<ForEach<Node>>,
    /// The `let`s, in file order.
    pub lets: Vec<Let<Node>>,
    /// `let` name → index into `lets`.
    pub let_index: LetIndex,
    /// Each `let`'s name, shared: evidence names a let without copying its name.
    pub let_names: Vec<Arc<str>>,
    /// Whether each `let` is data written in the rules (evidence leaves it out).
    pub let_data: Vec<LetData>,
    /// The policy's functions, in file order (`Slot::Function` numbers).
    pub functions: Vec<Function<Node>>,
    /// The rules, in file order.
    pub rules: Vec<Rule<Node>>,
    /// The reads numbered (`Slot::Fact`, `Slot::Path`), by number: a scope keeps what
    /// it found for each, and evidence takes their paths from here.
    pub reads: Vec<Read>,
    /// Each read split (same numbers as `reads`).
    pub along: Vec<Along>,
}

/// Compiles a checked policy, folding constants with `arithmetic`.
pub(crate) fn compile(policy: &Policy, arithmetic: Arithmetic) -> Program {
    let let_index: LetIndex = policy
        .lets
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.name.clone(), i))
        .collect();
    let names: Vec<&str> = policy
        .functions
        .iter()
        .map(|f| f.name.name.as_str())
        .collect();
    let mut lower = lower::Lower {
        scope: scoping::scope(policy, Place::Applies),
        lets: &let_index,
        functions: &names,
        reads: Vec::new(),
        parts: Vec::new(),
        names: HashMap::default(),
        read_index: HashMap::default(),
        key: String::new(),
        arithmetic,
    };
    // Each expression with the names its place gives it (`syntax::scoping::scope`).
    // Functions first: reads are numbered in this order.
    let functions = policy
        .functions
        .iter()
        .map(|f| Function {
            name: f.name.clone(),
            params: f.params.clone(),
            result: f.result.clone(),
            body: lower.at(policy, Place::Body(f), &f.body),
            span: f.span.clone(),
        })
        .collect();
    let applies = (policy.applies.as_ref()).map(|a| lower.at(policy, Place::Applies, a));
    let for_each = policy.for_each.as_ref().map(|fe| ForEach {
        var: fe.var.clone(),
        list: lower.at(policy, Place::ForEachList, &fe.list),
        id: (fe.id.as_ref()).map(|id| lower.at(policy, Place::ForEachId, id)),
        span: fe.span.clone(),
    });
    let lets: Vec<_> = policy
        .lets
        .iter()
        .map(|l| Let {
            name: l.name.clone(),
            value: lower.at(policy, Place::Let, &l.value),
        })
        .collect();
    let let_data = literal::let_data(&lets);
    let rules = policy
        .rules
        .iter()
        .map(|r| Rule {
            kind: r.kind,
            name: r.name.clone(),
            clauses: (r.clauses.iter())
                .map(|c| clause(c, &mut |e| lower.at(policy, Place::Clause(c), e)))
                .collect(),
            span: r.span.clone(),
        })
        .collect();
    let (reads, along) = lower
        .reads
        .into_iter()
        .map(|(_, read, a)| (read, a))
        .unzip();
    Program {
        applies,
        for_each,
        lets,
        let_names: policy
            .lets
            .iter()
            .map(|l| l.name.name.as_str().into())
            .collect(),
        let_index,
        let_data,
        functions,
        rules,
        reads,
        along,
    }
}

/// A rule's clause with its expressions compiled, in the order written.
fn clause<'p>(
    c: &'p Clause,
    e: &mut impl FnMut(&'p crate::syntax::ast::Expr) -> Node,
) -> Clause<Node> {
    let mut template = |t: &'p Template| Template {
        parts: t
            .parts
            .iter()
            .map(|p| match p {
                TemplatePart::Text(s) => TemplatePart::Text(s.clone()),
                TemplatePart::Hole(h) => TemplatePart::Hole(e(h)),
            })
            .collect(),
        span: t.span.clone(),
    };
    match c {
        Clause::Message(t) => Clause::Message(template(t)),
        Clause::Remedy(t) => Clause::Remedy(template(t)),
        Clause::When(x) => Clause::When(e(x)),
        Clause::Value(x) => Clause::Value(e(x)),
        Clause::Cites(s) => Clause::Cites(s.clone()),
        Clause::Status(s) => {
            // The condition first, as before: reads are numbered in this order.
            let when = e(&s.when);
            let status = match &s.status {
                StatusKind::Rejected => StatusKind::Rejected,
                StatusKind::Approved { by, at } => StatusKind::Approved {
                    by: by.clone(),
                    at: e(at),
                },
            };
            Clause::Status(Box::new(StatusClause {
                status,
                when,
                span: s.span.clone(),
            }))
        }
    }
}
