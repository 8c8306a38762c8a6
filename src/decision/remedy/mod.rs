//! What would make a request allowed: verified remedies for every blocking decision.
//!
//! For each blocking rule of a decision (a matched `deny`, a rejected or pending
//! `review`, a blocking rule that could not be evaluated) the rule's condition is
//! inverted into candidate changes of the facts ([`derive`]), with witness values at
//! the boundary (`witness`), written as a JSON Patch against the snapshot
//! ([`patch`]), and kept only when deciding the patched snapshot again shows the rule
//! no longer blocks and no other rule starts to (`verify`). `combine` then finds one
//! patch for the whole request (`to_allow`). Facts the requester cannot change are
//! never touched (see `fixed`). See `docs/remedies.md`.
//!
//! ```no_run
//! let engine = bylaw::Engine::from_dir("rules")?;
//! # let facts = bylaw::Value::Null;
//! let decision = engine.evaluate(&facts);
//! let remedies = engine.remedies(&facts, &decision);
//! if let Some(t) = &remedies.to_allow {
//!     println!("{:?} after {} change(s)", t.decision_after, t.patch.len());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod batch;
pub(crate) mod combine;
pub(crate) mod derive;
pub(crate) mod fixed;
pub mod patch;
pub mod render;
pub(crate) mod text;
pub(crate) mod verify;
pub(crate) mod witness;

use serde::Serialize;

use crate::decision::{Decision, Outcome, ReviewState};
use crate::run::engine::{Engine, Options};
use crate::syntax::ast::RuleKind;
use crate::value::Value;

pub use patch::{OpKind, PatchOp};

/// The remedies of a decision: per blocking rule, and one for the whole request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remedies {
    /// Per blocking rule (and blocking error), in the decision's order.
    pub rules: Vec<RuleRemedies>,
    /// One patch for the whole request; `None` when the decision is already allowed.
    pub to_allow: Option<ToAllow>,
}

/// Where a blocking rule is in a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Site {
    /// The element (index into `Decision::items`), for a rule about an element.
    pub item: Option<usize>,
    /// In `errors` (else in `matched`).
    pub error: bool,
    /// Its index there.
    pub index: usize,
}

/// The remedies for one blocking rule: alternatives, smallest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleRemedies {
    /// `policy.rule` (none for an error that is not a rule's).
    pub rule: Option<String>,
    /// Where the rule is in the decision.
    #[serde(skip)]
    pub site: Site,
    /// The alternatives, each verified.
    pub remedies: Vec<Remedy>,
    /// Why there is none, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One verified remedy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Remedy {
    /// What to do, for the customer.
    pub text: String,
    /// The change, as JSON Patch against the snapshot as given.
    pub patch: Vec<PatchOp>,
    /// The request's decision once the patch is applied (seen, not predicted).
    pub decision_after: Outcome,
    /// The changes, for combining.
    #[serde(skip)]
    pub(crate) changes: derive::Alt,
    /// The sentences `text` joins, for combining (a `remedy` clause is one, even if it
    /// holds a `; `).
    #[serde(skip)]
    pub(crate) sentences: Vec<String>,
}

/// One patch that makes the request's decision neither `denied` nor `error` (and
/// `allowed` when possible).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToAllow {
    /// The operations, in order (RFC 6902: each applies to what the previous left).
    pub patch: Vec<PatchOp>,
    /// What to do, for the customer, one sentence per change.
    pub texts: Vec<String>,
    /// The request's decision once the whole patch is applied (seen, not predicted).
    pub decision_after: Outcome,
    /// Why the decision after is still `denied`, `error` or `needs_review`, if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What blocks, in a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Block {
    Deny,
    Rejected,
    Pending,
    Error,
}

impl Block {
    /// Blocks the request outright (more than a pending review).
    pub(crate) fn hard(self) -> bool {
        !matches!(self, Block::Pending)
    }
}

/// A blocking rule, identified across decisions of variants of one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub rule: Option<String>,
    pub item: Option<usize>,
    /// For an error that is not a rule's: its reason.
    pub detail: Option<String>,
}

/// The blocking rules of a decision, in its order.
pub(crate) fn blockers(d: &Decision) -> Vec<(Key, Block, Site)> {
    let mut out = Vec::new();
    let items = std::iter::once((None, &d.matched, &d.errors)).chain(
        d.items
            .iter()
            .enumerate()
            .map(|(i, it)| (Some(i), &it.matched, &it.errors)),
    );
    for (item, matched, errors) in items {
        for (index, m) in matched.iter().enumerate() {
            let block = match (m.kind, m.status.as_ref().map(|s| s.state)) {
                (RuleKind::Deny, _) => Block::Deny,
                (_, Some(ReviewState::Rejected)) => Block::Rejected,
                (_, Some(ReviewState::Pending)) => Block::Pending,
                _ => continue,
            };
            let key = Key {
                rule: Some(m.rule.to_string()),
                item,
                detail: None,
            };
            out.push((
                key,
                block,
                Site {
                    item,
                    error: false,
                    index,
                },
            ));
        }
        for (index, e) in errors.iter().enumerate().filter(|(_, e)| e.blocking) {
            let key = Key {
                rule: e.rule.clone(),
                item,
                detail: e.rule.is_none().then(|| e.reason.clone()),
            };
            out.push((
                key,
                Block::Error,
                Site {
                    item,
                    error: true,
                    index,
                },
            ));
        }
    }
    out
}

impl Engine {
    /// The remedies of `decision`, which this engine gave for `facts` with default
    /// options: see [`Engine::remedies_with`].
    pub fn remedies(&self, facts: &Value, decision: &Decision) -> Remedies {
        self.remedies_with(facts, decision, &Options::default())
    }

    /// The remedies of `decision`, which this engine gave for `facts` with `opts`: for
    /// each blocking rule, verified alternatives (smallest first), and one patch for the
    /// whole request. Every patch was applied and decided again with `opts` (a `--now`
    /// moved by a patch of `/now` moves with it); only what was seen is reported.
    /// Deterministic, like deciding.
    pub fn remedies_with(&self, facts: &Value, decision: &Decision, opts: &Options) -> Remedies {
        let trial = verify::Trial::new(self, facts, opts, decision);
        let rules = blockers(decision)
            .into_iter()
            .map(|(key, block, site)| {
                let (remedies, reason) = trial.for_blocker(&key, block, decision, site);
                RuleRemedies {
                    rule: key.rule,
                    site,
                    remedies,
                    reason,
                }
            })
            .collect::<Vec<_>>();
        let to_allow = match decision.decision {
            Outcome::Allowed => None,
            _ => Some(combine::to_allow(&trial, &rules, decision)),
        };
        Remedies { rules, to_allow }
    }
}
