//! Apply, decide again, keep only remedies whose result was seen.

use crate::decision::{Decision, Outcome};
use crate::run::engine::{Engine, Options};
use crate::syntax::ast::{RuleKind, StatusKind};
use crate::value::Value;

use super::derive::{make, product, Alt, Ctx, Target};
use super::fixed::Fixed;
use super::patch::{parse_path, remove_op, set_op, PatchOp, Seg};
use super::text::change_text;
use super::witness::candidates;
use super::{blockers, Block, Key, Remedy, Site};

/// Most candidates decided again per blocking rule.
const MAX_TRIES: usize = 8;
/// Most remedies listed per blocking rule.
const MAX_REMEDIES: usize = 3;

/// Deciding variants of one snapshot.
pub(crate) struct Trial<'e> {
    pub engine: &'e Engine,
    pub facts: &'e Value,
    pub opts: Options,
    pub fixed: Fixed,
    /// The hard blockers of the decision as given.
    base: Vec<Key>,
}

/// Candidates for one blocking rule, with what the derivation could not do.
pub(crate) struct Derived {
    pub alts: Vec<Alt>,
    /// Why candidates were dropped or not found.
    pub notes: Vec<String>,
}

impl<'e> Trial<'e> {
    pub(crate) fn new(
        engine: &'e Engine,
        facts: &'e Value,
        opts: &Options,
        decision: &Decision,
    ) -> Trial<'e> {
        Trial {
            engine,
            facts,
            opts: Options {
                explain: false,
                ..opts.clone()
            },
            fixed: Fixed::of(engine.policies()),
            base: blockers(decision)
                .into_iter()
                .filter(|(_, b, _)| b.hard())
                .map(|(k, _, _)| k)
                .collect(),
        }
    }

    /// Decides `doc`; a `now` given in the options moves with a patch that moved the
    /// snapshot's `now` (the patch says when to come back).
    pub(crate) fn decide(&self, doc: &Value) -> Decision {
        let mut opts = self.opts.clone();
        if opts.now.is_some() && doc.get("now") != self.facts.get("now") {
            if let Some(Value::Time(t)) = doc.get("now") {
                opts.now = Some(*t);
            }
        }
        self.engine.evaluate_with(doc, &opts)
    }

    /// "Now" as the decision sees it in `doc`.
    fn now_in(&self, doc: &Value) -> Option<Value> {
        match (self.opts.now, doc.get("now")) {
            (Some(_), Some(v)) if doc.get("now") != self.facts.get("now") => Some(v.clone()),
            (Some(t), _) => Some(Value::Time(t)),
            (None, v) => v.cloned(),
        }
    }

    /// Candidate changes of `doc` that would make the blocking rule `key` stop blocking,
    /// none touching a fixed fact or moving `now` back.
    pub(crate) fn derive(
        &self,
        doc: &Value,
        key: &Key,
        block: Block,
        err: Option<&str>,
    ) -> Derived {
        let now = self.now_in(doc);
        let mut notes = Vec::new();
        let mut alts = match &key.rule {
            Some(rule) => self
                .engine
                .in_rule_scope(doc, now.as_ref(), rule, key.item, |s, site| {
                    let mut cx = Ctx::new(site.schema.map(|a| &**a));
                    let mut alts = Vec::new();
                    let Some(when) = site.rule.when() else {
                        return (alts, cx.notes);
                    };
                    let not_when = make(s, when, false, &mut cx);
                    if site.rule.kind == RuleKind::Review {
                        // An approval: that clause holds, and none before it.
                        let mut before: Vec<Alt> = vec![Vec::new()];
                        for clause in site.rule.statuses() {
                            if let StatusKind::Approved { by, .. } = &clause.status {
                                cx.purpose = Some(approved(&by.value));
                                let holds = make(s, &clause.when, true, &mut cx);
                                cx.purpose = None;
                                alts.extend(product(&before, &holds));
                            }
                            let fails = make(s, &clause.when, false, &mut cx);
                            before = product(&before, &fails);
                        }
                        if block == Block::Rejected {
                            // Not rejected any more: pending, at least.
                            alts.extend(before);
                        }
                    }
                    alts.extend(not_when);
                    (alts, cx.notes)
                })
                .unwrap_or_default(),
            None => (
                Vec::new(),
                vec![format!(
                    "this error is not a rule's condition, so there is nothing to invert ({}); \
                     at most a fact of the declared type is tried at its path, and list elements are never made up",
                    key.detail.as_deref().unwrap_or("the request")
                )],
            ),
        };
        notes.append(&mut alts.1);
        let mut alts = alts.0;
        // A fact that was missing or ill-typed: each value of its declared type.
        if let Some(path) = err.filter(|p| parse_path(p).is_some()) {
            let schema = self
                .engine
                .schemas()
                .find_map(|(_, r)| super::witness::ty_at(r, &parse_path(path).unwrap_or_default()));
            let current = parse_path(path).and_then(|s| super::patch::get(doc, &s).cloned());
            let name = super::derive::last_name(path);
            let cx = Ctx::new(None);
            for c in candidates(schema, current.as_ref(), &name) {
                let ch = vec![change(&cx, path, c)];
                if !alts.contains(&ch) {
                    alts.push(ch);
                }
            }
        }
        let before = alts.len();
        let now_before = self.now_in(doc);
        alts.retain(|alt| !alt.is_empty());
        let mut dropped = Vec::new();
        alts.retain(|alt| {
            alt.iter().all(|c| {
                if c.path == "now" {
                    let forward = match (&c.to, &now_before) {
                        (Target::Set(Value::Time(t)), Some(Value::Time(n))) => t > n,
                        (Target::Set(Value::Time(_)), None) => true,
                        _ => false,
                    };
                    if !forward {
                        dropped.push("`now` only moves forward".to_string());
                    }
                    return forward;
                }
                match self.fixed.touches(&c.path) {
                    Some((f, why)) => {
                        dropped.push(format!("`{f}` is fixed (it {why})"));
                        false
                    }
                    None => true,
                }
            })
        });
        if alts.is_empty() && before > 0 {
            dropped.dedup();
            let mut seen = Vec::new();
            for d in dropped {
                if !seen.contains(&d) {
                    seen.push(d);
                }
            }
            notes.insert(
                0,
                format!(
                    "every change that would make it stop blocking touches a fact the requester cannot change: {}",
                    seen.join("; ")
                ),
            );
        }
        Derived { alts, notes }
    }

    /// The patch for `alt` against `doc`, and `doc` with it applied. Sets come first in
    /// the order derived, then removals of list elements, highest index first.
    pub(crate) fn build(&self, doc: &Value, alt: &Alt) -> Option<(Vec<PatchOp>, Value)> {
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        for c in alt {
            let segs = parse_path(&c.path)?;
            match &c.to {
                Target::Set(v) => sets.push((segs, v.clone())),
                Target::Remove => removes.push(segs),
            }
        }
        removes.sort_by(|a, b| b.cmp(a));
        removes.dedup();
        let mut ops = Vec::new();
        let mut cur = doc.clone();
        for (segs, v) in sets {
            let (segs, v) = lift_money(&cur, segs, v);
            if let Some(op) = set_op(&cur, &segs, v)? {
                cur = super::patch::apply(&cur, std::slice::from_ref(&op))?;
                ops.push(op);
            }
        }
        for segs in removes {
            if let Some(op) = remove_op(&cur, &segs) {
                cur = super::patch::apply(&cur, std::slice::from_ref(&op))?;
                ops.push(op);
            }
        }
        Some((ops, cur))
    }

    /// Verified remedies for one blocking rule of the decision as given, or why none.
    pub(crate) fn for_blocker(
        &self,
        key: &Key,
        block: Block,
        decision: &Decision,
        site: Site,
    ) -> (Vec<Remedy>, Option<String>) {
        let err = error_path(decision, site);
        let derived = self.derive(self.facts, key, block, err.as_deref());
        let mut found: Vec<(bool, Remedy)> = Vec::new();
        let mut tried = 0;
        for alt in &derived.alts {
            if tried >= MAX_TRIES || found.len() >= MAX_REMEDIES {
                break;
            }
            let Some((patch, doc)) = self.build(self.facts, alt) else {
                continue;
            };
            if patch.is_empty() {
                continue;
            }
            tried += 1;
            let after = self.decide(&doc);
            let Some(clean) = self.fixes(key, block, &after) else {
                continue;
            };
            let sentences = self.sentences(self.facts, key, alt);
            found.push((
                clean,
                Remedy {
                    text: sentences.join("; "),
                    sentences,
                    patch,
                    decision_after: after.decision,
                    changes: alt.clone(),
                },
            ));
        }
        // Smallest first; a rule gone altogether before one left pending.
        found.sort_by_key(|(clean, r)| (!clean, r.patch.len()));
        let remedies: Vec<Remedy> = found.into_iter().map(|(_, r)| r).collect();
        let reason = remedies.is_empty().then(|| {
            if derived.notes.is_empty() {
                if derived.alts.is_empty() {
                    "the derivation found no change of the facts that would make it stop blocking"
                        .to_string()
                } else {
                    "no candidate change was seen to make it stop blocking without another rule blocking".to_string()
                }
            } else {
                derived.notes.join("; ")
            }
        });
        (remedies, reason)
    }

    /// Whether `after` no longer has `key` blocking (as badly as `block`, or at all for
    /// a pending review) and no rule blocks that did not already: `Some(clean)`, clean
    /// when the rule does not block at all any more.
    pub(crate) fn fixes(&self, key: &Key, block: Block, after: &Decision) -> Option<bool> {
        let now = blockers(after);
        let still = now.iter().find(|(k, _, _)| k == key).map(|(_, b, _)| *b);
        match (block, still) {
            (_, None) => {}
            (Block::Pending, Some(_)) => return None,
            (_, Some(b)) if b.hard() => return None,
            _ => {}
        }
        let new_hard = now
            .iter()
            .any(|(k, b, _)| b.hard() && k != key && !self.base.contains(k));
        if new_hard {
            return None;
        }
        Some(still.is_none())
    }

    /// The sentences of a remedy: the rule's `remedy` clause if written (one sentence,
    /// whatever it holds), else one sentence per change.
    pub(crate) fn sentences(&self, doc: &Value, key: &Key, alt: &Alt) -> Vec<String> {
        if let Some(t) = self.author_text(doc, key) {
            return vec![t];
        }
        let mut parts: Vec<String> = Vec::new();
        for c in alt {
            let t = change_text(doc, c);
            if !parts.contains(&t) {
                parts.push(t);
            }
        }
        parts
    }
}

impl Trial<'_> {
    /// The rule's `remedy` clause, filled in on `doc`, if written.
    pub(crate) fn author_text(&self, doc: &Value, key: &Key) -> Option<String> {
        let rule = key.rule.as_deref()?;
        let now = self.now_in(doc);
        self.engine
            .in_rule_scope(doc, now.as_ref(), rule, key.item, |s, site| {
                let t = site.rule.remedy()?;
                crate::run::engine::render_message(s, t).ok()
            })
            .flatten()
    }
}

/// The request's decision is still blocked outright.
pub(crate) fn blocked(o: Outcome) -> bool {
    matches!(o, Outcome::Denied | Outcome::Error)
}

fn approved(by: &str) -> String {
    match by {
        "automatic" => "the request is approved automatically".to_string(),
        by => format!("the request is approved by the {by}"),
    }
}

fn change(cx: &Ctx, path: &str, v: Value) -> super::derive::Change {
    super::derive::Change {
        path: path.to_string(),
        to: Target::Set(v),
        bound: None,
        weak: false,
        purpose: cx.purpose.clone(),
    }
}

/// The fact path of a blocking error, if it has one.
fn error_path(d: &Decision, site: Site) -> Option<String> {
    if !site.error {
        return None;
    }
    let errors = match site.item {
        Some(i) => &d.items.get(i)?.errors,
        None => &d.errors,
    };
    errors.get(site.index)?.path.clone()
}

/// A change of a money's `amount` or `currency` is a change of the money: the snapshot
/// holds it as one value.
fn lift_money(doc: &Value, mut segs: Vec<Seg>, v: Value) -> (Vec<Seg>, Value) {
    let Some(Seg::Key(part)) = segs.last().cloned() else {
        return (segs, v);
    };
    let parent = segs.get(..segs.len() - 1).unwrap_or(&[]);
    let Some(Value::Money(m)) = super::patch::get(doc, parent) else {
        return (segs, v);
    };
    let mut m = m.clone();
    match (part.as_str(), &v) {
        ("amount", Value::Number(n)) => m.amount = *n,
        ("currency", Value::String(c)) => match crate::value::currency::Currency::new(c) {
            Some(c) => m.currency = c,
            None => return (segs, v),
        },
        _ => return (segs, v),
    }
    segs.pop();
    (segs, Value::Money(m))
}
