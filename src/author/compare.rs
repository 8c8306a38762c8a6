//! Walking two serialized decisions side by side, policy by policy, item by item and
//! rule by rule, collecting each difference as a [`Change`].

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value as J;

use super::delta::*;

pub(super) fn compare_policies(before: &J, after: &J, changes: &mut Vec<Change>) {
    let names =
        |v: &J| -> BTreeSet<String> { list(v, "policies").iter().map(|p| text(Some(p))).collect() };
    let (b, a) = (names(before), names(after));
    for p in a.difference(&b) {
        changes.push(Change {
            item: None,
            rule: None,
            what: What::Policy {
                policy: p.clone(),
                applies: true,
            },
        });
    }
    for p in b.difference(&a) {
        changes.push(Change {
            item: None,
            rule: None,
            what: What::Policy {
                policy: p.clone(),
                applies: false,
            },
        });
    }
}

/// Pairs the elements of two lists by a key (the n-th element with a key pairs with the
/// n-th one with the same key on the other side): after's order, then what was removed.
pub(super) fn pair<'a>(
    before: &'a [J],
    after: &'a [J],
    key: impl Fn(&J) -> String,
) -> Vec<(Option<&'a J>, Option<&'a J>)> {
    let keyed = |xs: &'a [J]| -> Vec<((String, usize), &'a J)> {
        let mut seen: Vec<String> = Vec::new();
        xs.iter()
            .map(|x| {
                let k = key(x);
                let n = seen.iter().filter(|s| **s == k).count();
                seen.push(k.clone());
                ((k, n), x)
            })
            .collect()
    };
    let (b, a) = (keyed(before), keyed(after));
    let mut out: Vec<(Option<&J>, Option<&J>)> = a
        .iter()
        .map(|(k, x)| (b.iter().find(|(kb, _)| kb == k).map(|(_, y)| *y), Some(*x)))
        .collect();
    out.extend(
        b.iter()
            .filter(|(k, _)| !a.iter().any(|(ka, _)| ka == k))
            .map(|(_, y)| (Some(*y), None)),
    );
    out
}

pub(super) fn compare_items(before: &J, after: &J, changes: &mut Vec<Change>) {
    let (b, a) = (list(before, "items"), list(after, "items"));
    for (old, new) in pair(b, a, |i| text(i.get("id"))) {
        let id = old.or(new).map(|i| text(i.get("id")));
        match (old, new) {
            (Some(old), Some(new)) if old != new => {
                let (from, to) = (text(old.get("decision")), text(new.get("decision")));
                if from != to {
                    changes.push(Change {
                        item: id.clone(),
                        rule: None,
                        what: What::Decision { from, to },
                    });
                }
                compare_scope(id.as_deref(), old, new, changes);
                compare_rest(
                    id.as_deref(),
                    None,
                    old,
                    new,
                    &["id", "decision", "matched", "errors"],
                    changes,
                );
            }
            (Some(old), None) => changes.push(Change {
                item: id,
                rule: None,
                what: What::ItemRemoved {
                    decision: text(old.get("decision")),
                },
            }),
            (None, Some(new)) => changes.push(Change {
                item: id,
                rule: None,
                what: What::ItemAdded {
                    decision: text(new.get("decision")),
                },
            }),
            _ => {}
        }
    }
}

/// The review state in a few words: `pending`, `approved by manager at T`.
pub(super) fn status(m: &J) -> Option<String> {
    let s = m.get("status").filter(|s| !s.is_null())?;
    let mut out = text(s.get("state"));
    if let Some(by) = s.get("by").filter(|v| !v.is_null()) {
        let _ = write!(out, " by {}", text(Some(by)));
    }
    if let Some(at) = s.get("at").filter(|v| !v.is_null()) {
        let _ = write!(out, " at {}", text(Some(at)));
    }
    Some(out)
}

/// The evidence of a match: its conditions, and its review status's.
pub(super) fn evidence(m: &J) -> J {
    let own = m.get("evidence").cloned().unwrap_or(J::Null);
    match m.get("status").and_then(|s| s.get("evidence")) {
        Some(review) => serde_json::json!({"when": own, "status": review}),
        None => own,
    }
}

pub(super) fn compare_scope<'a>(
    item: Option<&str>,
    before: &'a J,
    after: &'a J,
    changes: &mut Vec<Change>,
) {
    let at = |rule: Option<String>, what: What| Change {
        item: item.map(str::to_string),
        rule,
        what,
    };
    let (b, a) = (list(before, "matched"), list(after, "matched"));
    for (old, new) in pair(b, a, |m| text(m.get("rule"))) {
        let rule = old.or(new).map(|m| text(m.get("rule")));
        match (old, new) {
            (None, Some(m)) => changes.push(at(
                rule,
                What::Matched {
                    kind: text(m.get("kind")),
                    status: status(m),
                    message: text(m.get("message")),
                },
            )),
            (Some(m), None) => changes.push(at(
                rule,
                What::Unmatched {
                    kind: text(m.get("kind")),
                    status: status(m),
                    message: text(m.get("message")),
                },
            )),
            (Some(old), Some(new)) if old != new => {
                let field = |k: &str| (text(old.get(k)), text(new.get(k)));
                let (from, to) = field("kind");
                if from != to {
                    changes.push(at(rule.clone(), What::Kind { from, to }));
                }
                let (from, to) = (status(old), status(new));
                if from != to {
                    changes.push(at(
                        rule.clone(),
                        What::Status {
                            from: from.unwrap_or_else(|| "none".into()),
                            to: to.unwrap_or_else(|| "none".into()),
                        },
                    ));
                }
                let (from, to) = field("message");
                if from != to {
                    changes.push(at(rule.clone(), What::Message { from, to }));
                }
                let (from, to) = (
                    old.get("value").cloned().unwrap_or(J::Null),
                    new.get("value").cloned().unwrap_or(J::Null),
                );
                if from != to {
                    changes.push(at(rule.clone(), What::Value { from, to }));
                }
                let review = |m: &'a J| m.get("status").and_then(|s| s.get("evidence"));
                if old.get("evidence") != new.get("evidence") || review(old) != review(new) {
                    changes.push(at(
                        rule.clone(),
                        What::Evidence {
                            from: evidence(old),
                            to: evidence(new),
                        },
                    ));
                }
                let (from, to) = field("source");
                if from != to {
                    changes.push(at(rule.clone(), What::Source { from, to }));
                }
                compare_rest(
                    item,
                    rule.as_deref(),
                    old,
                    new,
                    &[
                        "rule", "kind", "message", "source", "evidence", "value", "status",
                    ],
                    changes,
                );
            }
            _ => {}
        }
    }
    let (b, a) = (list(before, "errors"), list(after, "errors"));
    let key = |e: &J| {
        let rule = text(e.get("rule"));
        if rule.is_empty() {
            // An error of the request itself: its reason is all there is to know it by.
            format!("/{}", text(e.get("reason")))
        } else {
            format!("{rule}/{}", text(e.get("path")))
        }
    };
    for (old, new) in pair(b, a, key) {
        let rule = old
            .or(new)
            .and_then(|e| e.get("rule"))
            .filter(|r| !r.is_null())
            .map(|r| text(Some(r)));
        let blocking = |e: &J| e.get("blocking").and_then(J::as_bool).unwrap_or(false);
        match (old, new) {
            (None, Some(e)) => changes.push(at(
                rule,
                What::Error {
                    reason: text(e.get("reason")),
                    blocking: blocking(e),
                },
            )),
            (Some(e), None) => changes.push(at(
                rule,
                What::ErrorGone {
                    reason: text(e.get("reason")),
                    blocking: blocking(e),
                },
            )),
            (Some(old), Some(new)) if old != new => {
                let (from, to) = (text(old.get("reason")), text(new.get("reason")));
                if from != to || blocking(old) != blocking(new) {
                    changes.push(at(
                        rule.clone(),
                        What::ErrorChanged {
                            from,
                            to,
                            blocking: blocking(new),
                        },
                    ));
                }
                let (from, to) = (text(old.get("source")), text(new.get("source")));
                if from != to {
                    changes.push(at(rule.clone(), What::Source { from, to }));
                }
                compare_rest(
                    item,
                    rule.as_deref(),
                    old,
                    new,
                    &["rule", "kind", "path", "reason", "source", "blocking"],
                    changes,
                );
            }
            _ => {}
        }
    }
}

/// Fields this version does not compare one by one: any difference is an `Other`.
pub(super) fn compare_rest(
    item: Option<&str>,
    rule: Option<&str>,
    before: &J,
    after: &J,
    known: &[&str],
    changes: &mut Vec<Change>,
) {
    let keys = |v: &J| -> BTreeSet<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let all: BTreeSet<String> = keys(before).union(&keys(after)).cloned().collect();
    for k in all.iter().filter(|k| !known.contains(&k.as_str())) {
        if before.get(k) != after.get(k) {
            changes.push(Change {
                item: item.map(str::to_string),
                rule: rule.map(str::to_string),
                what: What::Other {
                    what: format!("`{k}` changed"),
                },
            });
        }
    }
}
