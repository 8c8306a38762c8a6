//! Building a case's snapshot from a shared one: merge records, set and remove
//! facts by path, so that a case says only how it differs from the example.

use std::sync::Arc;

use crate::value::{Map, Value};

/// One step of a fact path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    /// `.name`
    Key(String),
    /// `[3]`
    Index(usize),
}

/// Parses `resources[0].order.amount`.
pub(crate) fn parse_path(s: &str) -> Result<Vec<PathSeg>, String> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    if rest.is_empty() {
        return Err("the path is empty".into());
    }
    let mut first = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let close = r
                .find(']')
                .ok_or_else(|| format!("`[` without `]` in `{s}`"))?;
            let n = r[..close]
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("`[{}]` is not a list index", &r[..close]))?;
            out.push(PathSeg::Index(n));
            rest = &r[close + 1..];
        } else {
            let r = if first {
                rest
            } else {
                rest.strip_prefix('.')
                    .ok_or_else(|| format!("expected `.` or `[` in `{s}`"))?
            };
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            if key.is_empty() {
                return Err(format!("an empty name in `{s}`"));
            }
            out.push(PathSeg::Key(key.to_string()));
            rest = &r[end..];
        }
        first = false;
    }
    Ok(out)
}

/// `over` merged into `base`: records key by key (recursively), anything else replaced.
pub(crate) fn merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Map(b), Value::Map(o)) => {
            let mut entries: Map = b.to_vec();
            for (k, v) in o.iter() {
                match entries.iter_mut().find(|(ek, _)| ek == k) {
                    Some((_, ev)) => *ev = merge(ev, v),
                    None => entries.push((Arc::clone(k), v.clone())),
                }
            }
            Value::Map(entries.into())
        }
        _ => over.clone(),
    }
}

/// `v` with the fact at `path` set to `new`; missing records on the way are created.
pub fn set(v: &Value, path: &[PathSeg], new: Value) -> Result<Value, String> {
    let Some((head, rest)) = path.split_first() else {
        return Ok(new);
    };
    match (v, head) {
        (Value::Map(m), PathSeg::Key(k)) => {
            let mut entries: Map = m.to_vec();
            match entries.iter_mut().find(|(ek, _)| &**ek == k.as_str()) {
                Some((_, ev)) => *ev = set(ev, rest, new)?,
                None => {
                    let fresh = set(&Value::Map(Arc::new([])), rest, new)?;
                    entries.push((Arc::from(k.as_str()), fresh));
                }
            }
            Ok(Value::Map(entries.into()))
        }
        (Value::List(items), PathSeg::Index(i)) => {
            let mut items: Vec<Value> = items.to_vec();
            let len = items.len();
            let slot = items.get_mut(*i).ok_or_else(|| no_element(len, *i))?;
            *slot = set(slot, rest, new)?;
            Ok(Value::List(items.into()))
        }
        (other, seg) => Err(mismatch(other, seg)),
    }
}

/// `v` without the fact at `path` (a key removed from its record, an element from its list).
pub fn unset(v: &Value, path: &[PathSeg]) -> Result<Value, String> {
    let Some((head, rest)) = path.split_first() else {
        return Ok(v.clone());
    };
    match (v, head) {
        (Value::Map(m), PathSeg::Key(k)) => {
            let mut entries: Map = m.to_vec();
            let i = entries
                .iter()
                .position(|(ek, _)| &**ek == k.as_str())
                .ok_or_else(|| format!("there is no `{k}` to remove"))?;
            if rest.is_empty() {
                entries.remove(i);
            } else if let Some((_, ev)) = entries.get_mut(i) {
                *ev = unset(ev, rest)?;
            }
            Ok(Value::Map(entries.into()))
        }
        (Value::List(items), PathSeg::Index(i)) => {
            let mut items: Vec<Value> = items.to_vec();
            let len = items.len();
            if *i >= len {
                return Err(no_element(len, *i));
            }
            if rest.is_empty() {
                items.remove(*i);
            } else if let Some(slot) = items.get_mut(*i) {
                *slot = unset(slot, rest)?;
            }
            Ok(Value::List(items.into()))
        }
        (other, seg) => Err(mismatch(other, seg)),
    }
}

fn no_element(len: usize, i: usize) -> String {
    let s = if len == 1 { "" } else { "s" };
    format!("the list has {len} element{s}; there is no element {i}")
}

fn mismatch(v: &Value, seg: &PathSeg) -> String {
    match seg {
        PathSeg::Key(k) => format!("cannot read `.{k}` of {}", v.type_of()),
        PathSeg::Index(i) => format!("cannot read `[{i}]` of {}", v.type_of()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{load_str, Format};

    fn yaml(s: &str) -> Value {
        load_str(s, Format::Yaml, "t").unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse_path("resources[0].order.amount"),
            Ok(vec![
                PathSeg::Key("resources".into()),
                PathSeg::Index(0),
                PathSeg::Key("order".into()),
                PathSeg::Key("amount".into()),
            ])
        );
        assert!(parse_path("a..b").is_err());
        assert!(parse_path("a[x]").is_err());
        assert!(parse_path("").is_err());
    }

    #[test]
    fn set_merge_and_unset() {
        let base = yaml("a: {b: 1, c: [ {d: 1}, {d: 2} ]}\ne: x");
        let v = set(
            &base,
            &parse_path("a.c[1].d").unwrap_or_default(),
            Value::Bool(true),
        );
        assert_eq!(v, Ok(yaml("a: {b: 1, c: [ {d: 1}, {d: true} ]}\ne: x")));
        let v = set(&base, &parse_path("n.m").unwrap_or_default(), Value::Null);
        assert_eq!(
            v,
            Ok(yaml("a: {b: 1, c: [ {d: 1}, {d: 2} ]}\ne: x\nn: {m: null}"))
        );
        assert!(set(
            &base,
            &parse_path("a.c[5]").unwrap_or_default(),
            Value::Null
        )
        .is_err());
        assert!(set(&base, &parse_path("e.f").unwrap_or_default(), Value::Null).is_err());
        let m = merge(&base, &yaml("a: {b: 2}\nz: 1"));
        assert_eq!(m, yaml("a: {b: 2, c: [ {d: 1}, {d: 2} ]}\ne: x\nz: 1"));
        let u = unset(&base, &parse_path("a.c[0]").unwrap_or_default());
        assert_eq!(u, Ok(yaml("a: {b: 1, c: [ {d: 2} ]}\ne: x")));
        assert!(unset(&base, &parse_path("a.q").unwrap_or_default()).is_err());
    }
}
