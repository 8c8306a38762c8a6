//! Sentences for the customer, built from a change and the facts it changes: "remove
//! unpaid bill b-1 (30.00 USD)", "wait until transaction t-9 is no longer in progress",
//! "give a reason", "wait until 2021-10-01T10:00:00+08:00, when the request is approved
//! automatically". A rule's `remedy` clause, when written, says it instead.

use crate::value::Value;

use super::derive::{Change, Target};
use super::patch::{get, parse_path, Seg};

/// The sentence for one change of `doc`.
pub(crate) fn change_text(doc: &Value, c: &Change) -> String {
    let mut segs = parse_path(&c.path).unwrap_or_default();
    let mut to = c.to.clone();
    // A money's amount changes the money (as the patch does).
    if let (Some(Seg::Key(part)), Target::Set(Value::Number(n))) = (segs.last(), &to) {
        let parent = segs.get(..segs.len() - 1).unwrap_or(&[]);
        if let (true, Some(Value::Money(m))) = (part == "amount", get(doc, parent)) {
            let mut m = m.clone();
            m.amount = *n;
            to = Target::Set(Value::Money(m));
            segs.pop();
        }
    }
    let old = get(doc, &segs);
    let what = describe(doc, &segs, false);
    let blank = match old {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    };
    let v = match &to {
        Target::Remove => return format!("remove {}", describe(doc, &segs, true)),
        Target::Set(v) => v,
    };
    if c.path == "now" {
        let purpose = c
            .purpose
            .as_ref()
            .map(|p| format!(", when {p}"))
            .unwrap_or_default();
        return format!("wait until {v}{purpose}");
    }
    match (v, old) {
        (Value::Null, _) => format!("clear {what}"),
        (Value::String(s), _) if is_stand_in(s) && blank => {
            let field = match segs.last() {
                Some(Seg::Key(k)) => k.replace('_', " "),
                _ => what.clone(),
            };
            format!("give {}", article(&field))
        }
        (_, Some(Value::String(s))) if c.weak && is_state(&segs) => {
            let owner = segs.get(..segs.len().saturating_sub(1)).unwrap_or(&[]);
            let owner = describe(doc, owner, false);
            format!("wait until {owner} is no longer {}", s.replace('_', " "))
        }
        (Value::String(s), Some(old)) if is_stand_in(s) => {
            format!("change {what} from {} to another value", shown(old))
        }
        (v, None | Some(Value::Null)) => format!("set {what} to {}", shown(v)),
        (v, Some(Value::Bool(_))) => format!("make {what} {}", shown(v)),
        (v, Some(old)) => match (old.order(v), v) {
            (Some(std::cmp::Ordering::Greater), Value::Money(_) | Value::Number(_)) => {
                format!("bring {what} down from {} to {}", shown(old), shown(v))
            }
            (Some(std::cmp::Ordering::Less), Value::Money(_) | Value::Number(_)) => {
                format!("raise {what} from {} to {}", shown(old), shown(v))
            }
            _ => format!("change {what} from {} to {}", shown(old), shown(v)),
        },
    }
}

/// A value that stands for any other (`<reason>`): the requester gives the real one.
fn is_stand_in(s: &str) -> bool {
    s.starts_with('<') && s.ends_with('>')
}

/// A field that says where something stands (`status`, `state`): a change of it is
/// waited for.
fn is_state(segs: &[Seg]) -> bool {
    matches!(segs.last(), Some(Seg::Key(k)) if k == "status" || k == "state")
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// "a reason", "an id".
fn article(what: &str) -> String {
    let an = what
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {what}", if an { "an" } else { "a" })
}

/// How a fact is named: a list element by its list's name (singular) and its `id`, with
/// its first amount when `amount` (`unpaid bill b-1 (30.00 USD)`); a field by its name, of its
/// element when it is in one (`status of transaction t-9`); the path otherwise.
pub(crate) fn describe(doc: &Value, segs: &[Seg], amount: bool) -> String {
    match segs.last() {
        Some(Seg::Index(i)) => {
            let list = match segs.get(segs.len().saturating_sub(2)) {
                Some(Seg::Key(k)) => singular(k),
                _ => "element".to_string(),
            };
            let Some(v) = get(doc, segs) else {
                return format!("{list} {i}");
            };
            let id = match v.get("id") {
                Some(Value::String(s)) => s.to_string(),
                _ => format!("#{}", i + 1),
            };
            let amount = match v {
                Value::Map(m) if amount => m.iter().find_map(|(_, f)| match f {
                    Value::Money(m) => Some(format!(" ({m})")),
                    _ => None,
                }),
                _ => None,
            };
            format!("{list} {id}{}", amount.unwrap_or_default())
        }
        Some(Seg::Key(k)) => {
            let parent = segs.get(..segs.len() - 1).unwrap_or(&[]);
            let field = k.replace('_', " ");
            if parent.iter().any(|s| matches!(s, Seg::Index(_))) {
                // The field of an element: named by the element.
                let owner_end = parent
                    .iter()
                    .rposition(|s| matches!(s, Seg::Index(_)))
                    .map_or(0, |p| p + 1);
                let owner = describe(doc, parent.get(..owner_end).unwrap_or(&[]), false);
                let rest: Vec<String> = parent
                    .get(owner_end..)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|s| match s {
                        Seg::Key(k) => Some(k.replace('_', " ")),
                        Seg::Index(_) => None,
                    })
                    .collect();
                if rest.is_empty() {
                    format!("the {field} of {owner}")
                } else {
                    format!("the {field} of the {} of {owner}", rest.join(" "))
                }
            } else {
                let path: Vec<&str> = segs
                    .iter()
                    .filter_map(|s| match s {
                        Seg::Key(k) => Some(k.as_str()),
                        Seg::Index(_) => None,
                    })
                    .collect();
                path.join(".")
            }
        }
        None => "the snapshot".to_string(),
    }
}

fn singular(list: &str) -> String {
    let words = list.replace('_', " ");
    match words.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => words.strip_suffix('s').unwrap_or(&words).to_string(),
    }
}
