//! How a scope names what it read, for evidence and errors: fact paths, let names,
//! an expression's text.

use std::sync::Arc;

use super::error::EvalError;
use super::interp::*;
use super::ops::push_index;
use crate::compile::{Node, NodeKind, Read, Slot};
use crate::syntax::ast::{ForEach, Let};

impl<'a> Scope<'a> {
    /// Whether the name expression `e` refers to a `let` here, and its index.
    pub fn let_of(&self, e: &Node) -> Option<usize> {
        match (e.slot, &e.kind) {
            (Slot::Let(i), _) => Some(i as usize),
            (Slot::Unresolved, NodeKind::Name(n)) => self.let_by_name(n),
            _ => None,
        }
    }

    pub(super) fn let_by_name(&self, name: &str) -> Option<usize> {
        if self.binders.iter().any(|b| b.name == name)
            || self
                .prog
                .code
                .for_each
                .as_ref()
                .is_some_and(|f| f.var.name == name)
        {
            return None;
        }
        self.prog.code.let_index.get(name).copied()
    }

    /// Whether the path `e` reads facts (its root is not a let).
    pub fn is_fact_path(&self, e: &Node) -> bool {
        e.path_root_expr()
            .is_some_and(|root| self.let_of(root).is_none())
    }

    /// Whether `e` is data written in the rules: a literal, a list of them, a `let`
    /// bound to one, or an element of one (`s` in `any(s in sixty where …)`). Such
    /// data is never evidence: it is no fact of the request.
    pub fn is_literal_data(&self, e: &Node) -> bool {
        self.literal_data(e, self.binders.len(), 0)
    }

    fn literal_data(&self, e: &Node, depth: usize, hops: usize) -> bool {
        if hops > DEFAULT_MAX_DEPTH {
            return false;
        }
        match &e.kind {
            _ if e.is_literal() => true,
            NodeKind::List(items) => items.iter().all(|i| self.literal_data(i, depth, hops + 1)),
            NodeKind::Field(b, _) => self.literal_data(b, depth, hops + 1),
            NodeKind::Index(b, i) => i.is_literal() && self.literal_data(b, depth, hops + 1),
            NodeKind::Name(n) => {
                // A let by number: worked out when compiling (`compile::LetData`).
                if let Slot::Let(i) = e.slot {
                    let data = self.prog.code.let_data.get(i as usize);
                    if let Some(known) = data.and_then(|d| d.at(hops)) {
                        return known;
                    }
                }
                match self.referent(e.slot, n, depth) {
                    Referent::Binder(b) => self.literal_data(b.list, b.depth, hops + 1),
                    Referent::Let(l) => self.literal_data(&l.value, 0, hops + 1),
                    Referent::Item(..) | Referent::Other => false,
                }
            }
            _ => false,
        }
    }

    /// An error with the expression it is about: an inexact result names `e`; any
    /// other gets the fact path of the operand it is about.
    pub(super) fn named(&self, err: EvalError, e: &Node, operands: &[&Node]) -> EvalError {
        match err {
            EvalError::Inexact {
                expr: None,
                value,
                hint,
            } => EvalError::Inexact {
                expr: Some(self.text_of(e).to_string()),
                value,
                hint,
            },
            err => self.locate(err, operands),
        }
    }

    /// The concrete fact path an expression reads (`resources[0].order.amount`), if it is a path.
    pub fn path_of(&self, e: &Node) -> Option<String> {
        e.path_root().map(|_| self.describe(e))
    }

    /// The concrete path of a fact path `e`, as [`Scope::describe`] gives it, shared:
    /// a numbered read's path comes from compiling (and, from the element, is built
    /// once per element); any other path is described node by node.
    pub fn fact_path(&mut self, e: &Node) -> Arc<str> {
        let i = match e.slot {
            Slot::Fact(i) | Slot::Path { index: i, .. } => i as usize,
            _ => return self.describe(e).into(),
        };
        match self.prog.code.reads.get(i) {
            Some(Read::Fact(path)) => Arc::clone(path),
            Some(Read::Item(rest)) => match (&self.item, &self.item_path) {
                (Some((index, _)), Some(item)) => {
                    let kept = self.prog.item_paths;
                    if let Some(path) = kept.and_then(|k| k.path(*index, i, item, rest)) {
                        return path;
                    }
                    if let Some((_, path)) = self.item_reads.iter().find(|(r, _)| *r == i) {
                        return Arc::clone(path);
                    }
                    // Joined in a kept buffer: one allocation, the shared text's.
                    self.scratch.clear();
                    self.scratch.push_str(item);
                    self.scratch.push_str(rest);
                    let path: Arc<str> = Arc::from(self.scratch.as_str());
                    self.item_reads.push((i, Arc::clone(&path)));
                    path
                }
                _ => self.describe(e).into(),
            },
            None => self.describe(e).into(),
        }
    }

    /// A `let`'s name, shared.
    pub fn let_name(&self, i: usize) -> Arc<str> {
        match self.prog.code.let_names.get(i) {
            Some(name) => Arc::clone(name),
            None => self
                .prog
                .code
                .lets
                .get(i)
                .map_or_else(|| Arc::from(""), |l| Arc::from(l.name.name.as_str())),
        }
    }

    /// The concrete path of an expression, its text where it is not a path.
    pub fn describe(&self, e: &Node) -> String {
        let mut out = String::with_capacity(32);
        self.describe_into(e, self.binders.len(), &mut out);
        out
    }

    pub(super) fn describe_into(&self, e: &Node, depth: usize, out: &mut String) {
        match &e.kind {
            NodeKind::Name(n) => match self.referent(e.slot, n, depth) {
                Referent::Binder(b) => {
                    self.describe_into(b.list, b.depth, out);
                    // A function's parameter is described as its argument.
                    if b.index != super::interp::PARAM {
                        push_index(out, b.index);
                    }
                }
                Referent::Item(fe, i) => match &self.item_path {
                    Some(p) => out.push_str(p),
                    None => {
                        self.describe_into(&fe.list, 0, out);
                        push_index(out, i);
                    }
                },
                Referent::Let(l) if l.value.path_root().is_some() => {
                    self.describe_into(&l.value, 0, out);
                }
                Referent::Let(_) | Referent::Other => out.push_str(n),
            },
            NodeKind::Field(b, f) => {
                self.describe_into(b, depth, out);
                out.push('.');
                out.push_str(f);
            }
            NodeKind::Index(b, i) => {
                self.describe_into(b, depth, out);
                out.push('[');
                out.push_str(i.span.text());
                out.push(']');
            }
            _ => out.push_str(e.span.text()),
        }
    }

    /// What the name `n` (with `slot`) refers to with the innermost `depth` binders visible.
    pub(super) fn referent(&self, slot: Slot, n: &str, depth: usize) -> Referent<'_, 'a> {
        let visible = self.binders.get(..depth).unwrap_or(&[]);
        let binder = match slot {
            Slot::Binder(d) => depth
                .checked_sub(d as usize + 1)
                .and_then(|k| visible.get(k)),
            Slot::Unresolved => visible.iter().rev().find(|b| b.name == n),
            _ => None,
        };
        if let Some(b) = binder {
            return Referent::Binder(b);
        }
        let policy = self.prog.code;
        if matches!(slot, Slot::Item | Slot::Unresolved) {
            if let (Some(fe), Some((i, _))) = (&policy.for_each, &self.item) {
                if fe.var.name == n {
                    return Referent::Item(fe, *i);
                }
            }
        }
        let i = match slot {
            Slot::Let(i) => Some(i as usize),
            Slot::Unresolved | Slot::Item => policy.let_index.get(n).copied(),
            _ => None,
        };
        match i.and_then(|i| policy.lets.get(i)) {
            Some(l) => Referent::Let(l),
            None => Referent::Other,
        }
    }

    /// Gives an operator's error the fact path of the operand it is about, and the lets
    /// that operand went through.
    pub(super) fn locate(&self, mut err: EvalError, operands: &[&Node]) -> EvalError {
        let Some((path, via)) = operands.iter().find_map(|o| self.operand_path(o)) else {
            return err;
        };
        match &mut err {
            EvalError::Type { path: p, .. } | EvalError::Currency { path: p, .. }
                if p.is_none() =>
            {
                *p = path;
            }
            _ => return err,
        }
        err.through_lets(via)
    }

    /// The fact path an operand reads, and the lets it goes through to it (outermost
    /// first): `exp` bound to `r.expires_at` reads `resources[0].expires_at` via `exp`;
    /// a let computed from other values reads no one fact (the path is `None`, never
    /// the let's name). `None` when the operand is no path at all.
    pub(crate) fn operand_path(&self, e: &Node) -> Option<(Option<String>, Vec<Arc<str>>)> {
        let mut via = Vec::new();
        let mut at = e;
        loop {
            let root = at.path_root_expr()?;
            let Some(i) = self.let_of(root) else {
                return Some((Some(self.describe(e)), via));
            };
            via.push(self.let_name(i));
            if via.len() > DEFAULT_MAX_DEPTH {
                return Some((None, via));
            }
            match self.prog_let(i) {
                Some(value) if value.path_root_expr().is_some() => at = value,
                _ => return Some((None, via)),
            }
        }
    }

    /// An expression's text on one line, as evidence quotes it.
    pub fn text_of(&self, e: &Node) -> Arc<str> {
        Arc::clone(e.text())
    }

    /// The expression of `let` number `i`.
    pub fn prog_let(&self, i: usize) -> Option<&'a Node> {
        self.prog.code.lets.get(i).map(|l| &l.value)
    }
}

/// What a name refers to, for describing paths.
pub(super) enum Referent<'s, 'a> {
    Binder(&'s Binder<'a>),
    Item(&'a ForEach<Node>, usize),
    Let(&'a Let<Node>),
    Other,
}
