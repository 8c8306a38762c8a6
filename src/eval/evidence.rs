//! Evidence: which conditions decided a rule, and the facts they read.
//!
//! Built only for rules that matched (or, with `explain`, that did not), by
//! re-walking the condition: the fast path never formats a path or a value.

use super::interp::Scope;
use crate::compile::{Node, NodeKind, Slot};
use crate::decision::{Evidence, FactRef};
use crate::syntax::ast::{BinaryOp, Match, Quantifier, UnaryOp};
use crate::value::Value;

/// Most elements of a quantifier whose evidence is listed.
const MAX_ELEMENTS: usize = 5;
/// Most evidence entries per rule.
const MAX_EVIDENCE: usize = 32;

/// The conditions inside `e` that made it come out `want`. Past the cap, a last entry
/// says how many conditions were left out.
pub fn collect<'a>(scope: &mut Scope<'a>, e: &'a Node, want: bool) -> Vec<Evidence> {
    let mut out = Vec::with_capacity(4);
    walk(scope, e, want, &mut out);
    if out.len() > MAX_EVIDENCE {
        let left_out = out.len() - MAX_EVIDENCE;
        out.truncate(MAX_EVIDENCE);
        out.push(Evidence {
            condition: format!(
                "… {left_out} more conditions not shown (evidence lists at most {MAX_EVIDENCE})"
            )
            .into(),
            holds: want,
            facts: Vec::new(),
            omitted: 0,
        });
    }
    out
}

/// Conditions the walk still counts past the cap (not built: only counted).
const COUNTED: usize = 4 * MAX_EVIDENCE;

fn walk<'a>(scope: &mut Scope<'a>, e: &'a Node, want: bool, out: &mut Vec<Evidence>) {
    if out.len() >= MAX_EVIDENCE + COUNTED {
        return;
    }
    match &e.kind {
        NodeKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), l, r) => {
            // `and` that held, or `or` that failed: both sides decided.
            let both = (*op == BinaryOp::And) == want;
            if both {
                walk(scope, l, want, out);
                walk(scope, r, want, out);
            } else if matches!(scope.condition(l), Ok(b) if b == want) {
                walk(scope, l, want, out);
            } else {
                walk(scope, r, want, out);
            }
        }
        NodeKind::Unary(UnaryOp::Not, inner) => walk(scope, inner, !want, out),
        NodeKind::Name(_) => match scope.let_of(e) {
            Some(i) => match scope.prog_let(i) {
                Some(value) => walk(scope, value, want, out),
                None => out.push(atom(scope, e, want)),
            },
            None => out.push(atom(scope, e, want)),
        },
        NodeKind::Quantifier(q @ (Quantifier::Any | Quantifier::All), var, list, body) => {
            let Ok(items) = scope.eval_list(list) else {
                out.push(atom(scope, e, want));
                return;
            };
            // `any` that held and `all` that failed are decided by one element (a witness);
            // the others by every element.
            let witness = (*q == Quantifier::Any) == want;
            let mut shown = 0;
            for (i, item) in items.iter().enumerate() {
                let decided = scope.with_binding(&var.name, item.clone(), list, i, |s| {
                    if matches!(s.condition(body), Ok(b) if b == want) {
                        walk(s, body, want, out);
                        true
                    } else {
                        false
                    }
                });
                if decided {
                    shown += 1;
                    if witness || shown >= MAX_ELEMENTS {
                        break;
                    }
                }
            }
            if shown == 0 {
                out.push(atom(scope, e, want));
            }
        }
        _ => out.push(atom(scope, e, want)),
    }
}

/// A condition that is not split further, with every fact it reads (at most
/// `MAX_EVIDENCE`, and how many more).
fn atom<'a>(scope: &mut Scope<'a>, e: &'a Node, holds: bool) -> Evidence {
    // Room for three facts: 240 bytes, which the allocator serves from its 256-byte
    // blocks. Four (320 bytes) took mimalloc's slow path for every evidence entry:
    // Rust asks it for aligned memory, which it hands out quickly only from blocks of
    // a power-of-two size or from a size class that already has free blocks.
    let mut facts = Vec::with_capacity(3);
    facts_in(scope, e, &mut facts);
    let omitted = facts.len().saturating_sub(MAX_EVIDENCE);
    facts.truncate(MAX_EVIDENCE);
    Evidence {
        condition: scope.text_of(e),
        holds,
        facts,
        omitted,
    }
}

/// The facts an expression reads: each path once, with its value. A `let` shows its
/// value and the facts behind it; a quantifier or comprehension shows the facts of
/// the elements its condition selected.
pub fn facts_in<'a>(scope: &mut Scope<'a>, e: &'a Node, out: &mut Vec<FactRef>) {
    // Past the cap facts are still gathered (to say how many were left out), up to a
    // bound: a condition over a huge list does not walk all of it.
    if out.len() >= MAX_EVIDENCE + COUNTED {
        return;
    }
    // A numbered read is the commonest: decided before the node's kind.
    if matches!(e.slot, Slot::Path { .. } | Slot::Fact(_)) {
        return fact_at(scope, e, out);
    }
    match &e.kind {
        // Literals read no fact (nor do lists of them): most conditions compare with one.
        _ if e.is_literal() => {}
        NodeKind::List(items) if items.iter().all(Node::is_literal) => {}
        NodeKind::Binary(_, l, r) => {
            facts_in(scope, l, out);
            facts_in(scope, r, out);
        }
        NodeKind::Name(_) => match scope.let_of(e) {
            // Helper data written in the rules is not a fact of the request.
            Some(_) if scope.is_literal_data(e) => {}
            Some(i) => {
                let value = scope.let_value(i).unwrap_or(Value::Null);
                push(
                    out,
                    FactRef {
                        path: None,
                        let_name: Some(scope.let_name(i)),
                        call: None,
                        value,
                        absent: false,
                    },
                );
                if let Some(def) = scope.prog_let(i) {
                    facts_in(scope, def, out);
                }
            }
            None if scope.is_fact_path(e) && !scope.is_literal_data(e) => fact_at(scope, e, out),
            None => {}
        },
        NodeKind::Field(..) | NodeKind::Index(..)
            if scope.is_fact_path(e) && !scope.is_literal_data(e) =>
        {
            fact_at(scope, e, out);
        }
        // `request[k]`: the field read, not the whole record read to find it.
        NodeKind::Index(base, index) if !index.is_literal() => {
            computed_key(scope, e, base, index, out);
        }
        NodeKind::If(c, a, b) => {
            // Only the branch taken decided the value.
            facts_in(scope, c, out);
            match scope.condition(c) {
                Ok(true) => facts_in(scope, a, out),
                Ok(false) => facts_in(scope, b, out),
                Err(_) => {}
            }
        }
        NodeKind::Quantifier(..) | NodeKind::Comprehension(..) => selected_facts(scope, e, out),
        // Only the arms tried decided the value, as for `if`.
        NodeKind::Match(m) => match_facts(scope, m, out),
        // A call of a policy's function, or `position`: the call and its result, then
        // the facts its arguments read (not the whole element `position` names).
        NodeKind::Call(f, args) if matches!(e.slot, Slot::Function(_)) || f.name == "position" => {
            let (value, absent) = value_or_absent(scope, e);
            push(
                out,
                FactRef {
                    path: None,
                    let_name: None,
                    call: Some(scope.text_of(e)),
                    value,
                    absent,
                },
            );
            if f.name != "position" {
                args.iter().for_each(|a| facts_in(scope, a, out));
            }
        }
        _ => e.for_each_child(|c| facts_in(scope, c, out)),
    }
}

/// The facts a `match` read: its subject, or the conditions it tried, and the value of
/// the arm taken. Out of line: rare.
#[inline(never)]
fn match_facts<'a>(scope: &mut Scope<'a>, m: &'a Match<Node>, out: &mut Vec<FactRef>) {
    if let Some(subject) = &m.subject {
        facts_in(scope, subject, out);
        let Ok(v) = scope.eval(subject) else {
            return;
        };
        for arm in &m.arms {
            for p in &arm.patterns {
                if matches!(scope.eval(p), Ok(pv) if pv.equals(&v)) {
                    return facts_in(scope, &arm.value, out);
                }
            }
        }
    } else {
        for arm in &m.arms {
            let Some(c) = arm.patterns.first() else {
                continue;
            };
            facts_in(scope, c, out);
            match scope.condition(c) {
                Ok(true) => return facts_in(scope, &arm.value, out),
                Ok(false) => {}
                Err(_) => return,
            }
        }
    }
    if let Some(o) = &m.otherwise {
        facts_in(scope, o, out);
    }
}

/// A read through a computed key (`request[k]`, `table[r.term]`): the field read of a
/// fact (`request.reason`), then the facts the key read; a table written in the rules is
/// no fact, only its key is. Out of line: rare.
#[inline(never)]
fn computed_key<'a>(
    scope: &mut Scope<'a>,
    e: &'a Node,
    base: &'a Node,
    index: &'a Node,
    out: &mut Vec<FactRef>,
) {
    let key = scope.eval(index);
    if scope.is_fact_path(base) && !scope.is_literal_data(base) {
        let mut path = scope.fact_path(base).to_string();
        match &key {
            Ok(Value::String(k)) if is_name(k) => {
                path.push('.');
                path.push_str(k);
            }
            Ok(Value::String(k)) => path.push_str(&format!("[{:?}]", k.as_str())),
            Ok(Value::Number(n)) => path.push_str(&format!("[{n}]")),
            // A key that cannot be read: the record, as before.
            _ => return e.for_each_child(|c| facts_in(scope, c, out)),
        }
        let (value, absent) = value_or_absent(scope, e);
        push(
            out,
            FactRef {
                path: Some(path.into()),
                let_name: None,
                call: None,
                value,
                absent,
            },
        );
    } else if !is_table(scope, base) {
        facts_in(scope, base, out);
    }
    facts_in(scope, index, out);
}

/// Whether `base` is a table written in the rules (`{monthly: 5, yearly: 30}`, or a let
/// bound to one): looking a key up in it reads no fact of the request.
fn is_table(scope: &Scope<'_>, base: &Node) -> bool {
    let literal_record = |e: &Node| matches!(&e.kind, NodeKind::Record(fields) if fields.iter().all(|(_, v)| v.is_literal()));
    scope.is_literal_data(base)
        || literal_record(base)
        || scope
            .let_of(base)
            .and_then(|i| scope.prog_let(i))
            .is_some_and(literal_record)
}

/// Whether a field name can follow a `.` in a path.
fn is_name(k: &str) -> bool {
    let mut chars = k.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The fact at path `e`, with its value (absent when it cannot be read).
fn fact_at<'a>(scope: &mut Scope<'a>, e: &'a Node, out: &mut Vec<FactRef>) {
    let path = scope.fact_path(e);
    let (value, absent) = value_or_absent(scope, e);
    push(
        out,
        FactRef {
            path: Some(path),
            let_name: None,
            call: None,
            value,
            absent,
        },
    );
}

/// The facts of a quantifier's or comprehension's elements that its condition selected
/// (of its list, when it has none or the list cannot be read). Out of line: rare, and
/// its frame is large.
#[inline(never)]
fn selected_facts<'a>(scope: &mut Scope<'a>, e: &'a Node, out: &mut Vec<FactRef>) {
    let (var, list, test) = match &e.kind {
        NodeKind::Quantifier(_, var, list, body) => (var, list, Some(&**body)),
        NodeKind::Comprehension(_, _, var, list, filter) => (var, list, filter.as_deref()),
        _ => return,
    };
    let (Some(test), Ok(items)) = (test, scope.eval_list(list)) else {
        facts_in(scope, list, out);
        return;
    };
    let mut shown = 0;
    for (i, item) in items.iter().enumerate() {
        if shown >= MAX_ELEMENTS {
            break;
        }
        scope.with_binding(&var.name, item.clone(), list, i, |s| {
            if matches!(s.condition(test), Ok(true)) {
                shown += 1;
                facts_in(s, test, out);
            }
        });
    }
}

fn push(out: &mut Vec<FactRef>, f: FactRef) {
    if !out
        .iter()
        .any(|g| g.path == f.path && g.let_name == f.let_name && g.call == f.call)
    {
        out.push(f);
    }
}

pub use crate::syntax::span::squash;

/// The value an expression shows in the evidence, and whether it could not be read (then
/// shown as null).
fn value_or_absent<'a>(scope: &mut Scope<'a>, e: &'a Node) -> (Value, bool) {
    match scope.eval(e) {
        Ok(v) => (v, false),
        Err(_) => (Value::Null, true),
    }
}
