//! From a rule's condition to candidate changes of the facts.
//!
//! `make(e, want)` walks a condition as the evaluator does (in the rule's scope, through
//! `let`s, binders and the element) and answers alternatives, each a set of changes
//! that together should make `e` come out `want`: `and`/`or` split into alternatives
//! or combine, `not` flips the goal, comparisons get a witness at the boundary, `any`
//! loses its matching elements (removed, or their condition made false), `count` is
//! brought down by removing elements, `present` adds or removes the fact. Nothing here
//! is trusted: every candidate is applied and decided again (see `verify`). What cannot
//! be inverted is noted, and said in the output.

use crate::compile::{Node, NodeKind, Slot};
use crate::eval::interp::Scope;
use crate::eval::ops;
use crate::schema::{Record, Ty};
use crate::syntax::ast::{BinaryOp, Collect, Quantifier, UnaryOp};
use crate::value::Value;

use super::patch::{parse_path, Seg};
use super::witness::{boundary, candidates, flip, negate, other, ty_at};

/// Most alternatives kept at any node (products grow fast).
const MAX_ALTS: usize = 12;
/// Deepest walk (conditions through lets through lets).
const MAX_DEPTH: usize = 40;

/// One change to one fact.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    /// The fact path (`resources[0].order.amount`).
    pub path: String,
    /// What it becomes.
    pub to: Target,
    /// Any value meeting this bound would do (merging keeps one that meets both).
    pub bound: Option<(BinaryOp, Value)>,
    /// A stand-in where any value other than some would do: another change of the same
    /// fact wins over it.
    pub weak: bool,
    /// Why, for the text: `approved automatically` when waiting for an approval.
    pub purpose: Option<String>,
}

/// What a changed fact becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    Set(Value),
    Remove,
}

/// Changes that together should do it.
pub(crate) type Alt = Vec<Change>;

/// What a derivation needs besides the scope, and what it learnt.
pub(crate) struct Ctx<'r> {
    pub schema: Option<&'r Record>,
    /// What could not be inverted, said once each.
    pub notes: Vec<String>,
    pub purpose: Option<String>,
    depth: usize,
}

impl<'r> Ctx<'r> {
    pub(crate) fn new(schema: Option<&'r Record>) -> Ctx<'r> {
        Ctx {
            schema,
            notes: Vec::new(),
            purpose: None,
            depth: 0,
        }
    }

    fn note(&mut self, s: String) {
        if !self.notes.contains(&s) {
            self.notes.push(s);
        }
    }

    fn ty(&self, path: &str) -> Option<&'r Ty> {
        ty_at(self.schema?, &parse_path(path)?)
    }

    fn set(&self, path: String, v: Value) -> Change {
        Change {
            path,
            to: Target::Set(v),
            bound: None,
            weak: false,
            purpose: self.purpose.clone(),
        }
    }

    fn remove(&self, path: String) -> Change {
        Change {
            path,
            to: Target::Remove,
            bound: None,
            weak: false,
            purpose: self.purpose.clone(),
        }
    }
}

/// Alternatives that make `e` come out `want`; `[[]]` when it already does, `[]` when
/// none was found.
pub(crate) fn make<'a>(s: &mut Scope<'a>, e: &'a Node, want: bool, cx: &mut Ctx) -> Vec<Alt> {
    if matches!(s.condition(e), Ok(b) if b == want) {
        return vec![Vec::new()];
    }
    if cx.depth >= MAX_DEPTH {
        cx.note(format!("`{}` is nested too deeply to invert", s.text_of(e)));
        return Vec::new();
    }
    cx.depth += 1;
    let out = make_inner(s, e, want, cx);
    cx.depth -= 1;
    out.into_iter().take(MAX_ALTS).collect()
}

fn make_inner<'a>(s: &mut Scope<'a>, e: &'a Node, want: bool, cx: &mut Ctx) -> Vec<Alt> {
    match &e.kind {
        NodeKind::Unary(UnaryOp::Not, inner) => make(s, inner, !want, cx),
        NodeKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), l, r) => {
            // `and` made false, or `or` made true: either side will do.
            if (*op == BinaryOp::And) != want {
                let mut out = make(s, l, want, cx);
                out.extend(make(s, r, want, cx));
                out
            } else {
                let a = make(s, l, want, cx);
                let b = make(s, r, want, cx);
                product(&a, &b)
            }
        }
        NodeKind::Binary(op @ (BinaryOp::In | BinaryOp::NotIn), l, r) => {
            let op = if want {
                *op
            } else {
                negate(*op).unwrap_or(*op)
            };
            membership(s, e, op, l, r, cx)
        }
        NodeKind::Binary(op, l, r) if op.is_boolean() => {
            let Some(target) = (if want { Some(*op) } else { negate(*op) }) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            if let Ok(v) = s.eval(r) {
                out.extend(set_side(s, l, target, &v, cx));
            }
            if let Ok(v) = s.eval(l) {
                out.extend(set_side(s, r, flip(target), &v, cx));
            }
            if out.is_empty() {
                cx.note(format!("cannot invert `{}`", s.text_of(e)));
            }
            out
        }
        NodeKind::Name(_) if s.let_of(e).is_some() => {
            match s.let_of(e).and_then(|i| s.prog_let(i)) {
                Some(value) => make(s, value, want, cx),
                None => Vec::new(),
            }
        }
        NodeKind::If(c, a, b) => {
            let mut out = product(&make(s, c, true, cx), &make(s, a, want, cx));
            out.extend(product(&make(s, c, false, cx), &make(s, b, want, cx)));
            out
        }
        NodeKind::Quantifier(q @ (Quantifier::Any | Quantifier::All), var, list, body) => {
            // `any` made false, `all` made true: every element that decides must change.
            if (*q == Quantifier::Any) != want {
                each_element(s, &var.name, list, body, want, cx)
            } else {
                some_element(s, e, &var.name, list, body, want, cx)
            }
        }
        NodeKind::Call(f, args) if f.name == "present" => match args.first() {
            Some(arg) => present(s, arg, want, cx),
            None => Vec::new(),
        },
        _ => match fact_path(s, e) {
            // A boolean fact.
            Some(path) => vec![vec![cx.set(path, Value::Bool(want))]],
            None => {
                let shown = s.text_of(e);
                by_arguments(s, e, &shown, cx)
            }
        },
    }
}

/// The concrete fact path `e` reads (`now` included), if it is one.
pub(crate) fn fact_path(s: &Scope, e: &Node) -> Option<String> {
    // `require(p)` reads `p` (failing closed when it is absent): supplying or changing
    // `p` is what a remedy does.
    if let NodeKind::Call(f, args) = &e.kind {
        if let ([p], "require") = (args.as_slice(), f.name.as_str()) {
            // Through a let bound to a path (`let deadline = r.renew_by`) too: the
            // fact is what is missing, and what a remedy supplies.
            if let Some((Some(path), via)) = s.operand_path(p) {
                if !via.is_empty() && parse_path(&path).is_some() {
                    return Some(path);
                }
            }
            return fact_path(s, p);
        }
    }
    if matches!(e.slot, Slot::Now)
        || matches!(&e.kind, NodeKind::Name(n) if &**n == "now" && s.let_of(e).is_none())
    {
        return Some("now".to_string());
    }
    if !s.is_fact_path(e) {
        return None;
    }
    let p = s.path_of(e)?;
    parse_path(&p).map(|_| p)
}

/// Alternatives for `side op v` to hold by changing `side`.
fn set_side<'a>(
    s: &mut Scope<'a>,
    side: &'a Node,
    op: BinaryOp,
    v: &Value,
    cx: &mut Ctx,
) -> Vec<Alt> {
    if let Some(path) = fact_path(s, side) {
        let current = s.eval(side).ok();
        let name = last_name(&path);
        let ty = cx.ty(&path);
        let w = match op {
            BinaryOp::Ne => {
                let w = other(std::slice::from_ref(v), ty, current.as_ref(), &name);
                return w.map_or_else(Vec::new, |w| {
                    let mut c = cx.set(path, w);
                    c.weak = true;
                    vec![vec![c]]
                });
            }
            _ => boundary(op, v, current.as_ref()),
        };
        return match w {
            Some(w) => {
                let mut c = cx.set(path, w);
                if matches!(
                    op,
                    BinaryOp::Le | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Gt
                ) {
                    c.bound = Some((op, v.clone()));
                }
                vec![vec![c]]
            }
            None => Vec::new(),
        };
    }
    match &side.kind {
        NodeKind::Name(_) => match s.let_of(side).and_then(|i| s.prog_let(i)) {
            Some(value) => set_side(s, value, op, v, cx),
            None => Vec::new(),
        },
        // `a ?? b` holds what `a` holds once `a` is given.
        NodeKind::Binary(BinaryOp::Default, a, _) => set_side(s, a, op, v, cx),
        // `a + d op v` is `a op v - d` (a time plus a duration, amounts).
        NodeKind::Binary(arith @ (BinaryOp::Add | BinaryOp::Sub), a, d) => {
            let Ok(dv) = s.eval(d) else {
                return Vec::new();
            };
            let moved = if *arith == BinaryOp::Add {
                ops::sub(v, &dv)
            } else {
                ops::add(v, &dv)
            };
            match moved {
                Ok(m) => set_side(s, a, op, &m, cx),
                Err(_) => Vec::new(),
            }
        }
        NodeKind::Call(f, args) if f.name == "count" && args.len() == 1 => {
            count_to(s, args.first(), None, op, v, cx)
        }
        NodeKind::Quantifier(Quantifier::Count, var, list, body) => {
            count_to(s, Some(list), Some((&var.name, &**body)), op, v, cx)
        }
        _ if side.is_literal() => Vec::new(),
        _ => {
            let shown = s.text_of(side);
            by_arguments(s, side, &shown, cx)
        }
    }
}

/// For a call or expression the derivation cannot invert: each fact it reads is given
/// each value of its type in turn (an unsubscription reason for `trim(reason) == ""`);
/// deciding again keeps those that work.
fn by_arguments<'a>(s: &mut Scope<'a>, e: &'a Node, shown: &str, cx: &mut Ctx) -> Vec<Alt> {
    let mut paths = Vec::new();
    reads(s, e, &mut paths);
    let mut out = Vec::new();
    for (path, current) in paths {
        let ty = cx.ty(&path);
        let name = last_name(&path);
        for c in candidates(ty, current.as_ref(), &name) {
            if current.as_ref().is_some_and(|v| v.equals(&c)) {
                continue;
            }
            out.push(vec![cx.set(path.clone(), c)]);
        }
    }
    if out.is_empty() {
        cx.note(format!("cannot invert `{shown}`"));
    }
    out
}

/// The fact paths `e` reads directly (not through lists), with their values.
fn reads<'a>(s: &mut Scope<'a>, e: &'a Node, out: &mut Vec<(String, Option<Value>)>) {
    if let Some(p) = fact_path(s, e) {
        if !out.iter().any(|(q, _)| *q == p) {
            let v = s.eval(e).ok();
            out.push((p, v));
        }
        return;
    }
    match &e.kind {
        NodeKind::Quantifier(..) | NodeKind::Comprehension(..) => {}
        _ => e.for_each_child(|c| reads(s, c, out)),
    }
}

/// `x in L` (or `not in`) made to hold by changing `x`.
fn membership<'a>(
    s: &mut Scope<'a>,
    e: &'a Node,
    op: BinaryOp,
    x: &'a Node,
    list: &'a Node,
    cx: &mut Ctx,
) -> Vec<Alt> {
    let (Some(path), Ok(Value::List(items))) = (fact_path(s, x), s.eval(list)) else {
        cx.note(format!("cannot invert `{}`", s.text_of(e)));
        return Vec::new();
    };
    let w = if op == BinaryOp::In {
        items.first().cloned()
    } else {
        let current = s.eval(x).ok();
        other(&items, cx.ty(&path), current.as_ref(), &last_name(&path))
    };
    match w {
        Some(w) => {
            let mut c = cx.set(path, w);
            c.weak = op == BinaryOp::NotIn;
            vec![vec![c]]
        }
        None => Vec::new(),
    }
}

/// `present(p)` made `want`: `p` removed, or given a value of its type.
fn present<'a>(s: &mut Scope<'a>, arg: &'a Node, want: bool, cx: &mut Ctx) -> Vec<Alt> {
    let Some(path) = fact_path(s, arg) else {
        cx.note(format!("cannot invert `present({})`", s.text_of(arg)));
        return Vec::new();
    };
    if !want {
        return vec![vec![cx.remove(path)]];
    }
    let ty = cx.ty(&path);
    candidates(ty, None, &last_name(&path))
        .into_iter()
        .map(|c| {
            let mut c = cx.set(path.clone(), c);
            c.weak = true;
            vec![c]
        })
        .collect()
}

/// `any` made false or `all` made true: each element deciding otherwise changes: it is
/// removed from its list, or its condition is made `want`.
fn each_element<'a>(
    s: &mut Scope<'a>,
    var: &'a str,
    list: &'a Node,
    body: &'a Node,
    want: bool,
    cx: &mut Ctx,
) -> Vec<Alt> {
    let Ok(items) = s.eval_list(list) else {
        return Vec::new();
    };
    let mut per_element: Vec<Vec<Alt>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let ways = s.with_binding(var, item.clone(), list, i, |s| {
            if matches!(s.condition(body), Ok(b) if b == want) {
                return None;
            }
            let mut ways = Vec::new();
            if let Some(p) = fact_path(s, list) {
                ways.push(vec![cx.remove(format!("{p}[{i}]"))]);
            }
            ways.extend(make(s, body, want, cx));
            Some(ways)
        });
        if let Some(ways) = ways {
            per_element.push(ways);
        }
    }
    all_of(per_element)
}

/// `any` made true or `all` made false: one element changes.
fn some_element<'a>(
    s: &mut Scope<'a>,
    e: &'a Node,
    var: &'a str,
    list: &'a Node,
    body: &'a Node,
    want: bool,
    cx: &mut Ctx,
) -> Vec<Alt> {
    let Ok(items) = s.eval_list(list) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        out.extend(s.with_binding(var, item.clone(), list, i, |s| make(s, body, want, cx)));
        if out.len() >= MAX_ALTS {
            break;
        }
    }
    if out.is_empty() {
        cx.note(format!(
            "cannot invert `{}`: no element can be made to decide it",
            s.text_of(e)
        ));
    }
    out
}

/// `count(L) op v` made to hold by bringing the count down (elements are never made up).
fn count_to<'a>(
    s: &mut Scope<'a>,
    list: Option<&'a Node>,
    filter: Option<(&'a str, &'a Node)>,
    op: BinaryOp,
    v: &Value,
    cx: &mut Ctx,
) -> Vec<Alt> {
    let Some(list) = list else {
        return Vec::new();
    };
    let Some(Value::Number(n)) = boundary(op, v, None) else {
        return Vec::new();
    };
    let target = match usize::try_from(n.ceil().max(rust_decimal::Decimal::ZERO).mantissa()) {
        Ok(t) if n.scale() == 0 || n.fract().is_zero() => t,
        _ => return Vec::new(),
    };
    match filter {
        Some((var, body)) => unselect(s, var, list, Some(body), target, cx),
        None => shrink(s, list, target, cx),
    }
}

/// Alternatives that leave at most `target` elements in the list `l`.
fn shrink<'a>(s: &mut Scope<'a>, l: &'a Node, target: usize, cx: &mut Ctx) -> Vec<Alt> {
    if let Some(p) = fact_path(s, l) {
        let Ok(items) = s.eval_list(l) else {
            return Vec::new();
        };
        if items.len() <= target {
            return vec![Vec::new()];
        }
        return vec![(target..items.len())
            .map(|i| cx.remove(format!("{p}[{i}]")))
            .collect()];
    }
    match &l.kind {
        NodeKind::Name(_) => match s.let_of(l).and_then(|i| s.prog_let(i)) {
            Some(value) => shrink(s, value, target, cx),
            None => Vec::new(),
        },
        NodeKind::Comprehension(Collect::List, _, var, src, filter) => {
            unselect(s, &var.name, src, filter.as_deref(), target, cx)
        }
        NodeKind::Binary(BinaryOp::Add, a, b) if target == 0 => {
            let a = shrink(s, a, 0, cx);
            let b = shrink(s, b, 0, cx);
            product(&a, &b)
        }
        _ => {
            cx.note(format!(
                "cannot bring down the number of elements of `{}`",
                s.text_of(l)
            ));
            Vec::new()
        }
    }
}

/// Leaves at most `target` elements of `src` selected by `filter`: the last ones
/// selected are removed from `src` or made not to pass the filter.
fn unselect<'a>(
    s: &mut Scope<'a>,
    var: &'a str,
    src: &'a Node,
    filter: Option<&'a Node>,
    target: usize,
    cx: &mut Ctx,
) -> Vec<Alt> {
    let Some(filter) = filter else {
        return shrink(s, src, target, cx);
    };
    let Ok(items) = s.eval_list(src) else {
        return Vec::new();
    };
    let src_path = fact_path(s, src);
    let mut selected: Vec<Vec<Alt>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let ways = s.with_binding(var, item.clone(), src, i, |s| {
            if !matches!(s.condition(filter), Ok(true)) {
                return None;
            }
            let mut ways = Vec::new();
            if let Some(p) = &src_path {
                ways.push(vec![cx.remove(format!("{p}[{i}]"))]);
            }
            ways.extend(make(s, filter, false, cx));
            Some(ways)
        });
        if let Some(ways) = ways {
            selected.push(ways);
        }
    }
    if selected.len() <= target {
        return vec![Vec::new()];
    }
    let drop = selected.split_off(target);
    all_of(drop)
}

/// Every element's change at once: the product of each's alternatives, the uniform
/// ones (all removed, all changed) first.
fn all_of(per_element: Vec<Vec<Alt>>) -> Vec<Alt> {
    if per_element.is_empty() {
        return vec![Vec::new()];
    }
    let width = per_element.iter().map(Vec::len).max().unwrap_or(0);
    let mut out: Vec<Alt> = Vec::new();
    // The same way for every element (where it has one), then the product.
    for k in 0..width {
        let mut alt = Vec::new();
        let mut ok = true;
        for ways in &per_element {
            match ways.get(k).or_else(|| ways.first()) {
                Some(w) => alt.extend(w.iter().cloned()),
                None => ok = false,
            }
        }
        if ok {
            push_unique(&mut out, alt);
        }
    }
    let mut acc: Vec<Alt> = vec![Vec::new()];
    for ways in &per_element {
        acc = product(&acc, ways);
        if acc.is_empty() {
            break;
        }
    }
    for a in acc {
        push_unique(&mut out, a);
    }
    out.truncate(MAX_ALTS);
    out
}

fn push_unique(out: &mut Vec<Alt>, a: Alt) {
    if !out.contains(&a) {
        out.push(a);
    }
}

/// Every pairing of an alternative of `a` with one of `b`, merged; pairings whose
/// changes contradict are dropped.
pub(crate) fn product(a: &[Alt], b: &[Alt]) -> Vec<Alt> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            if let Some(m) = merge(x, y) {
                push_unique(&mut out, m);
            }
            if out.len() >= MAX_ALTS {
                return out;
            }
        }
    }
    out
}

/// Both sets of changes at once, if they agree: a stand-in gives way to a value, a
/// bound keeps the value that meets both.
pub(crate) fn merge(a: &[Change], b: &[Change]) -> Option<Alt> {
    let mut out: Alt = a.to_vec();
    for c in b {
        match out.iter().position(|o| o.path == c.path) {
            None => out.push(c.clone()),
            Some(i) => {
                let o = out.get(i)?.clone();
                if o.to == c.to {
                    continue;
                }
                let keep_new = match (&o.to, &c.to) {
                    _ if o.weak && !c.weak => true,
                    _ if c.weak && !o.weak => false,
                    (Target::Set(x), Target::Set(y)) => {
                        if meets(y, &o.bound) && meets(y, &c.bound) {
                            true
                        } else if meets(x, &c.bound) && meets(x, &o.bound) {
                            false
                        } else {
                            return None;
                        }
                    }
                    _ => return None,
                };
                if keep_new {
                    *out.get_mut(i)? = c.clone();
                }
            }
        }
    }
    Some(out)
}

fn meets(v: &Value, bound: &Option<(BinaryOp, Value)>) -> bool {
    use std::cmp::Ordering::*;
    let Some((op, b)) = bound else {
        return true;
    };
    match (op, v.order(b)) {
        (BinaryOp::Lt, Some(o)) => o == Less,
        (BinaryOp::Le, Some(o)) => o != Greater,
        (BinaryOp::Gt, Some(o)) => o == Greater,
        (BinaryOp::Ge, Some(o)) => o != Less,
        _ => false,
    }
}

/// The last field name of a path (`reason` of `request.reason`).
pub(crate) fn last_name(path: &str) -> String {
    parse_path(path)
        .and_then(|segs| {
            segs.iter().rev().find_map(|s| match s {
                Seg::Key(k) => Some(k.clone()),
                Seg::Index(_) => None,
            })
        })
        .unwrap_or_else(|| path.to_string())
}
