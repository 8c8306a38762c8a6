//! `to_allow`: one patch for the whole request.
//!
//! First the first remedy of every blocking rule, all at once (most requests are
//! blocked by rules that do not interact). When that is not seen to work, the blocking
//! rules are taken one at a time on the snapshot as patched so far, their remedies
//! derived again there, and the first one kept that removes the rule without any other
//! starting to block; a rule none removes is left, and said why.

use crate::decision::{Decision, Outcome};
use crate::value::Value;

use super::derive::{merge, Alt};
use super::patch::PatchOp;
use super::text::change_text;
use super::verify::{blocked, Trial};
use super::{blockers, Block, Key, RuleRemedies, ToAllow};

/// Most rules handled one at a time.
const MAX_ROUNDS: usize = 16;
/// Most candidates decided again per rule and round.
const MAX_TRIES: usize = 6;

/// `start` is the decision on the snapshot as given (its blockers are all that is
/// read of it).
pub(crate) fn to_allow(trial: &Trial, rules: &[RuleRemedies], start: &Decision) -> ToAllow {
    if let Some(t) = all_at_once(trial, rules) {
        return t;
    }
    one_at_a_time(trial, rules, start.clone())
}

/// The first remedy of every rule that has one, at once: `to_allow` when it is seen
/// to leave blocking only rules that have none (and, if any, says why).
fn all_at_once(trial: &Trial, rules: &[RuleRemedies]) -> Option<ToAllow> {
    let mut merged: Alt = Vec::new();
    let mut said: Vec<String> = Vec::new();
    let mut left: Vec<&RuleRemedies> = Vec::new();
    for r in rules {
        let Some(first) = r.remedies.first() else {
            left.push(r);
            continue;
        };
        merged = merge(&merged, &first.changes)?;
        for t in &first.sentences {
            if !said.contains(t) {
                said.push(t.clone());
            }
        }
    }
    if merged.is_empty() {
        return None;
    }
    let (patch, doc) = trial.build(trial.facts, &merged)?;
    let after = trial.decide(&doc);
    // Only the rules without a remedy may still block, and nothing new.
    let expected = |k: &Key| {
        left.iter()
            .any(|r| r.rule == k.rule && r.site.item == k.item && k.detail.is_none())
    };
    let stray = blockers(&after).iter().any(|(k, _, _)| !expected(k));
    if stray {
        return None;
    }
    let reason = (after.decision != Outcome::Allowed).then(|| {
        let each: Vec<String> = left
            .iter()
            .map(|r| {
                let name = r.rule.clone().unwrap_or_else(|| "the request".to_string());
                let why = r.reason.clone().unwrap_or_default();
                match r.site.item.and_then(|i| after.items.get(i)) {
                    Some(item) => format!("{name} ({}): {why}", item.id),
                    None => format!("{name}: {why}"),
                }
            })
            .collect();
        format!(
            "no change outside fixed facts was found to remove every blocking rule: {}",
            each.join("; ")
        )
    });
    Some(ToAllow {
        texts: said,
        patch,
        decision_after: after.decision,
        reason,
    })
}

fn one_at_a_time(trial: &Trial, rules: &[RuleRemedies], start: Decision) -> ToAllow {
    let mut doc: Value = trial.facts.clone();
    let mut patch: Vec<PatchOp> = Vec::new();
    let mut said: Vec<String> = Vec::new();
    let mut current = start;
    let mut left: Vec<(Key, String)> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let mut open: Vec<_> = blockers(&current)
            .into_iter()
            .filter(|(k, _, _)| !left.iter().any(|(l, _)| l == k))
            .collect();
        // What blocks outright first; a pending review once nothing else does.
        open.sort_by_key(|(_, b, _)| !b.hard());
        let Some((key, block, site)) = open.into_iter().next() else {
            break;
        };
        let err = error_path(&current, site.item, site.error, site.index);
        let derived = trial.derive(&doc, &key, block, err.as_deref());
        let mut done = false;
        for alt in derived.alts.iter().take(MAX_TRIES) {
            let Some((ops, next)) = trial.build(&doc, alt) else {
                continue;
            };
            if ops.is_empty() {
                continue;
            }
            let after = trial.decide(&next);
            if !improves(&key, block, &current, &after) {
                continue;
            }
            let said_here = match trial.author_text(&doc, &key) {
                Some(t) => vec![t],
                None => texts(&doc, alt),
            };
            for t in said_here {
                if !said.contains(&t) {
                    said.push(t);
                }
            }
            patch.extend(ops);
            doc = next;
            current = after;
            done = true;
            break;
        }
        if !done {
            let why = rules
                .iter()
                .find(|r| r.rule == key.rule && r.site.item == key.item)
                .and_then(|r| r.reason.clone())
                .or_else(|| (!derived.notes.is_empty()).then(|| derived.notes.join("; ")))
                .unwrap_or_else(|| "no candidate change was seen to remove it".to_string());
            left.push((key, why));
        }
    }
    let reason = (current.decision != Outcome::Allowed).then(|| {
        let what = if blocked(current.decision) {
            "no change outside fixed facts was found to remove every blocking rule"
        } else {
            "a review stays pending"
        };
        let each: Vec<String> = left
            .iter()
            .map(|(k, why)| {
                let name = k.rule.clone().unwrap_or_else(|| "the request".to_string());
                match k.item.and_then(|i| current.items.get(i)) {
                    Some(item) => format!("{name} ({}): {why}", item.id),
                    None => format!("{name}: {why}"),
                }
            })
            .collect();
        if each.is_empty() {
            what.to_string()
        } else {
            format!("{what}: {}", each.join("; "))
        }
    });
    ToAllow {
        patch,
        texts: said,
        decision_after: current.decision,
        reason,
    }
}

/// Whether `after` removes `key` (as blocking as `block`) without any rule starting to
/// block outright.
fn improves(key: &Key, block: Block, before: &Decision, after: &Decision) -> bool {
    let was: Vec<_> = blockers(before);
    let now = blockers(after);
    let still = now
        .iter()
        .any(|(k, b, _)| k == key && (b.hard() || block == Block::Pending));
    let new_hard = now
        .iter()
        .any(|(k, b, _)| b.hard() && !was.iter().any(|(w, wb, _)| w == k && wb.hard()));
    !still && !new_hard
}

fn texts(doc: &Value, alt: &Alt) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in alt {
        let t = change_text(doc, c);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

fn error_path(d: &Decision, item: Option<usize>, error: bool, index: usize) -> Option<String> {
    if !error {
        return None;
    }
    let errors = match item {
        Some(i) => &d.items.get(i)?.errors,
        None => &d.errors,
    };
    errors.get(index)?.path.clone()
}
