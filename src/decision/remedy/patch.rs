//! JSON Patch (RFC 6902) with JSON Pointer paths (RFC 6901), against the snapshot as
//! given, and its application to bylaw's own values for deciding again.
//!
//! Only `add`, `remove` and `replace` are written. Operations apply in order, each to
//! the document the previous one left (RFC 6902 §3): removals of list elements come
//! last, highest index first, so that no index moves under a later operation.

use std::sync::Arc;

use serde::Serialize;

use crate::value::Value;

/// One step of a fact path: a record field or a list index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// A fact path as the engine writes it (`resources[0].order.amount`), in steps; `None`
/// when it is not a concrete path (an index that is not a number).
pub(crate) fn parse_path(path: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            out.push(Seg::Index(r.get(..end)?.parse().ok()?));
            rest = r.get(end + 1..)?;
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = r.get(..end)?;
            if key.is_empty() {
                return None;
            }
            out.push(Seg::Key(key.to_string()));
            rest = r.get(end..)?;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A path with its indices blanked (`resources[].id`), as fixed facts are named.
pub(crate) fn generic(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}

/// The RFC 6901 pointer of a path: `~` is written `~0` and `/` is written `~1`.
pub(crate) fn pointer(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        out.push('/');
        match s {
            Seg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// The value at a path, if there is one.
pub(crate) fn get<'v>(root: &'v Value, segs: &[Seg]) -> Option<&'v Value> {
    segs.iter().try_fold(root, |v, s| match (v, s) {
        (Value::Map(_), Seg::Key(k)) => v.get(k),
        (Value::List(items), Seg::Index(i)) => items.get(*i),
        _ => None,
    })
}

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Adds a member that is not there.
    Add,
    /// Removes a member or a list element.
    Remove,
    /// Replaces a value that is there.
    Replace,
}

impl OpKind {
    /// How RFC 6902 writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Add => "add",
            OpKind::Remove => "remove",
            OpKind::Replace => "replace",
        }
    }
}

/// One JSON Patch operation. Values are written as decisions write them (money
/// `{amount, currency}` with the amount as exact text, times in RFC 3339), which is how a
/// snapshot gives them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchOp {
    /// `add`, `remove` or `replace`.
    pub op: OpKind,
    /// The JSON Pointer (RFC 6901) of the value, in the document the operation applies to.
    pub path: String,
    /// The value (none for `remove`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(skip)]
    pub(crate) segs: Vec<Seg>,
}

/// An operation that sets `segs` to `v` in `doc`: `replace` where a value is, `add`
/// where the member (or a record on the way to it) is missing, nothing when it already
/// holds `v`. `None` when the path cannot be made (an index past the end, a step
/// through a value that is not a record).
pub(crate) fn set_op(doc: &Value, segs: &[Seg], v: Value) -> Option<Option<PatchOp>> {
    let mut node = doc;
    for (k, seg) in segs.iter().enumerate() {
        let here = segs.get(..k).unwrap_or(&[]);
        let next = match (node, seg) {
            (Value::Map(_), Seg::Key(key)) => node.get(key),
            (Value::List(items), Seg::Index(i)) => Some(items.get(*i)?),
            // A null record on the way (`filter: null`) is replaced by a record.
            (Value::Null, Seg::Key(_)) if k > 0 => {
                return Some(Some(op(OpKind::Replace, here, Some(nest(&segs[k..], v)))))
            }
            _ => return None,
        };
        match next {
            Some(n) => node = n,
            None => {
                let at = segs.get(..=k).unwrap_or(&[]);
                return Some(Some(op(OpKind::Add, at, Some(nest(&segs[k + 1..], v)))));
            }
        }
    }
    if node.equals(&v) && node.type_of() == v.type_of() {
        return Some(None);
    }
    Some(Some(op(OpKind::Replace, segs, Some(v))))
}

/// An operation that removes `segs` from `doc`, nothing when it is not there.
pub(crate) fn remove_op(doc: &Value, segs: &[Seg]) -> Option<PatchOp> {
    get(doc, segs).map(|_| op(OpKind::Remove, segs, None))
}

fn op(kind: OpKind, segs: &[Seg], value: Option<Value>) -> PatchOp {
    PatchOp {
        op: kind,
        path: pointer(segs),
        value,
        segs: segs.to_vec(),
    }
}

/// `v` under the record fields `segs` (indices cannot be made up: none are given).
fn nest(segs: &[Seg], v: Value) -> Value {
    segs.iter().rev().fold(v, |v, s| match s {
        Seg::Key(k) => Value::Map(Arc::from(vec![(Arc::<str>::from(k.as_str()), v)])),
        Seg::Index(_) => Value::List(Arc::from(vec![v])),
    })
}

/// `doc` with the operations applied in order; `None` when one does not apply.
pub(crate) fn apply(doc: &Value, ops: &[PatchOp]) -> Option<Value> {
    let mut out = doc.clone();
    for o in ops {
        out = apply_one(&out, &o.segs, o.op, o.value.as_ref())?;
    }
    Some(out)
}

fn apply_one(node: &Value, segs: &[Seg], kind: OpKind, v: Option<&Value>) -> Option<Value> {
    let Some((first, rest)) = segs.split_first() else {
        return match kind {
            OpKind::Remove => None,
            _ => v.cloned(),
        };
    };
    match (node, first) {
        (Value::Map(entries), Seg::Key(key)) => {
            let mut entries: Vec<(Arc<str>, Value)> = entries.to_vec();
            let at = entries.iter().position(|(k, _)| &**k == key.as_str());
            match (at, rest.is_empty(), kind) {
                (Some(i), true, OpKind::Remove) => {
                    entries.remove(i);
                }
                (Some(i), _, _) => {
                    let child = apply_one(&entries.get(i)?.1, rest, kind, v)?;
                    entries.get_mut(i)?.1 = child;
                }
                (None, true, OpKind::Add) => entries.push((key.as_str().into(), v?.clone())),
                (None, _, _) => return None,
            }
            Some(Value::Map(entries.into()))
        }
        (Value::List(items), Seg::Index(i)) => {
            let mut items: Vec<Value> = items.to_vec();
            match (rest.is_empty(), kind) {
                (true, OpKind::Remove) if *i < items.len() => {
                    items.remove(*i);
                }
                (true, OpKind::Add) if *i <= items.len() => items.insert(*i, v?.clone()),
                _ => {
                    let child = apply_one(items.get(*i)?, rest, kind, v)?;
                    *items.get_mut(*i)? = child;
                }
            }
            Some(Value::List(items.into()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_pointers_with_tilde_and_slash_escaped() {
        let segs = parse_path("resources[12].order.amount").unwrap();
        assert_eq!(pointer(&segs), "/resources/12/order/amount");
        let odd = vec![Seg::Key("a/b".into()), Seg::Key("m~n".into())];
        assert_eq!(pointer(&odd), "/a~1b/m~0n");
        assert_eq!(parse_path("a[x]"), None);
        assert_eq!(
            generic("resources[3].transactions[0].id"),
            "resources[].transactions[].id"
        );
    }

    #[test]
    fn set_adds_what_is_missing_replaces_what_is_there_and_skips_what_holds() {
        let doc = crate::input::load_str(
            "a: {b: 1, n: null}\nl: [x, y]",
            crate::input::Format::Yaml,
            "t",
        )
        .unwrap();
        let s = |p: &str| parse_path(p).unwrap();
        let add = set_op(&doc, &s("a.c.d"), Value::Bool(true))
            .unwrap()
            .unwrap();
        assert_eq!((add.op, add.path.as_str()), (OpKind::Add, "/a/c"));
        let rep = set_op(&doc, &s("a.n.k"), Value::Bool(true))
            .unwrap()
            .unwrap();
        assert_eq!((rep.op, rep.path.as_str()), (OpKind::Replace, "/a/n"));
        let same = set_op(&doc, &s("l[1]"), Value::string("y")).unwrap();
        assert_eq!(same, None);
        assert_eq!(set_op(&doc, &s("l[5]"), Value::Null), None);
        let rm = remove_op(&doc, &s("l[0]")).unwrap();
        let after = apply(&doc, &[add, rm]).unwrap();
        assert_eq!(
            after.get("l").map(|l| l.to_string()),
            Some("[\"y\"]".into())
        );
        assert!(get(&after, &s("a.c.d")).is_some());
    }
}
