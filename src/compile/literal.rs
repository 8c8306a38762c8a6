//! Whether each `let` is data written in the rules, worked out once when compiling,
//! so that evidence looks a flag up instead of walking the let's value per decision.

use super::{Node, NodeKind, Slot};
use crate::limits::DEFAULT_MAX_DEPTH;
use crate::syntax::ast::Let;

/// Whether a `let`'s value is data written in the rules (a literal, a list of them,
/// a let bound to one, a field or literal index of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LetData {
    /// Literal data; the walk of its value goes this many nodes deep (lets followed),
    /// so that the evaluator's bound on that walk gives the same answer as walking.
    Literal(usize),
    /// Never literal data, in any scope.
    NotLiteral,
    /// Depends on the scope (a name looked up when evaluated, or the `for each`
    /// element): the evaluator walks the value as before.
    Depends,
}

/// Each let's [`LetData`], by index.
pub(crate) fn let_data(lets: &[Let<Node>]) -> Vec<LetData> {
    let mut memo = vec![None; lets.len()];
    for i in 0..lets.len() {
        of_let(lets, i, &mut memo);
    }
    memo.into_iter()
        .map(|d| d.flatten().unwrap_or(LetData::NotLiteral))
        .collect()
}

/// `None` while a let is being worked out: a let reached again is a cycle, whose
/// walk would run past any bound (not literal data).
fn of_let(lets: &[Let<Node>], i: usize, memo: &mut [Option<Option<LetData>>]) -> LetData {
    match memo.get(i) {
        Some(Some(Some(d))) => return *d,
        Some(Some(None)) | None => return LetData::NotLiteral,
        Some(None) => {}
    }
    if let Some(m) = memo.get_mut(i) {
        *m = Some(None);
    }
    let d = match lets.get(i) {
        Some(l) => walk(lets, &l.value, memo),
        None => LetData::NotLiteral,
    };
    if let Some(m) = memo.get_mut(i) {
        *m = Some(Some(d));
    }
    d
}

/// As the evaluator's walk from a let's value (no binders visible), unbounded: the
/// deepest node it reaches, counted from `e` (0).
fn walk(lets: &[Let<Node>], e: &Node, memo: &mut [Option<Option<LetData>>]) -> LetData {
    let deeper = |d: LetData| match d {
        LetData::Literal(n) => LetData::Literal(n + 1),
        d => d,
    };
    match &e.kind {
        _ if e.is_literal() => LetData::Literal(0),
        NodeKind::List(items) => {
            let mut all = LetData::Literal(0);
            for item in items.iter() {
                all = both(all, deeper(walk(lets, item, memo)));
            }
            all
        }
        NodeKind::Field(b, _) => deeper(walk(lets, b, memo)),
        NodeKind::Index(b, i) if i.is_literal() => deeper(walk(lets, b, memo)),
        NodeKind::Name(_) => match e.slot {
            Slot::Let(i) => deeper(of_let(lets, i as usize, memo)),
            Slot::Unresolved | Slot::Item => LetData::Depends,
            _ => LetData::NotLiteral,
        },
        _ => LetData::NotLiteral,
    }
}

/// Both literal data (the deeper walk), else not if either is not.
fn both(a: LetData, b: LetData) -> LetData {
    match (a, b) {
        (LetData::NotLiteral, _) | (_, LetData::NotLiteral) => LetData::NotLiteral,
        (LetData::Depends, _) | (_, LetData::Depends) => LetData::Depends,
        (LetData::Literal(x), LetData::Literal(y)) => LetData::Literal(x.max(y)),
    }
}

impl LetData {
    /// The evaluator's answer for a let reached `hops` nodes into its walk (its value
    /// at `hops + 1`), `None` when it must walk the value itself.
    pub(crate) fn at(self, hops: usize) -> Option<bool> {
        match self {
            LetData::Literal(depth) => Some(hops + 1 + depth <= DEFAULT_MAX_DEPTH),
            LetData::NotLiteral => Some(false),
            LetData::Depends => None,
        }
    }
}
