//! Explained decisions: what the engine answers, serializable as JSON or YAML, and
//! [`remedy`]: what would make a blocking decision allowed, verified by deciding again.

mod location;
pub mod remedy;

pub use location::Location;

use std::sync::Arc;

use serde::Serialize;

use crate::syntax::ast::RuleKind;
use crate::value::Value;

/// The answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing blocks the request.
    Allowed,
    /// A review is pending.
    NeedsReview,
    /// A blocking rule could not be decided (fail closed).
    Error,
    /// A deny rule matched, or a review was rejected.
    Denied,
}

impl Outcome {
    /// How it is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::NeedsReview => "needs_review",
            Outcome::Error => "error",
            Outcome::Denied => "denied",
        }
    }

    /// The CLI's exit status for it: 0 allowed, 2 denied, 3 needs review, 1 error.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Allowed => 0,
            Outcome::Denied => 2,
            Outcome::NeedsReview => 3,
            Outcome::Error => 1,
        }
    }
}

/// The decision on one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// The decision: the most severe of the request's and each item's.
    pub decision: Outcome,
    /// The policies that applied.
    pub policies: Vec<String>,
    /// Request-level rules whose condition held.
    pub matched: Vec<Match>,
    /// Request-level rules that could not be evaluated (and errors of the request itself).
    pub errors: Vec<RuleError>,
    /// With `explain`: request-level rules that did not match, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_matched: Vec<Miss>,
    /// One decision per element of an iterating policy's list.
    pub items: Vec<Item>,
}

/// The decision on one element of a policy's `for each` list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The element's identifier (its `identified by` value).
    pub id: String,
    /// Where it is in the snapshot (`resources[0]`).
    pub path: String,
    /// The element's decision.
    pub decision: Outcome,
    /// Rules about this element whose condition held.
    pub matched: Vec<Match>,
    /// Rules about this element that could not be evaluated.
    pub errors: Vec<RuleError>,
    /// With `explain`: rules about this element that did not match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_matched: Vec<Miss>,
}

/// A rule whose condition held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// `policy.rule`.
    pub rule: Arc<str>,
    /// deny, review, warn or effect.
    pub kind: RuleKind,
    /// The message, facts interpolated.
    pub message: String,
    /// The rule, written `rules/FILE:LINE`.
    pub source: Location,
    /// The conditions that decided the match, with the facts read.
    pub evidence: Vec<Evidence>,
    /// An effect's computed value (null otherwise).
    pub value: Option<Value>,
    /// A review's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ReviewStatus>,
}

/// Where a review stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewStatus {
    /// pending, approved or rejected.
    pub state: ReviewState,
    /// Who approved (`manager`, `automatic`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When it was approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Value>,
    /// The conditions that decided the status.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

/// The states of a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Not decided yet: the request needs review.
    Pending,
    /// Approved: does not block.
    Approved,
    /// Rejected: denies.
    Rejected,
}

impl ReviewState {
    /// How it is written.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Pending => "pending",
            ReviewState::Approved => "approved",
            ReviewState::Rejected => "rejected",
        }
    }
}

/// One condition that decided a rule, and the facts it read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The condition as written in the rule.
    pub condition: Arc<str>,
    /// Whether it held (false for a condition whose failure decided, e.g. under `not`).
    pub holds: bool,
    /// The facts and lets it read, with their values.
    pub facts: Vec<FactRef>,
    /// How many more facts it read than `facts` lists (evidence is capped, so that a
    /// condition over a long list stays readable); absent when none were left out.
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A fact (or `let`) read by a condition, and its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactRef {
    /// The fact's path in the snapshot (`resources[0].order.amount`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Arc<str>>,
    /// The `let` name, when the value is a let's.
    #[serde(rename = "let", skip_serializing_if = "Option::is_none")]
    pub let_name: Option<Arc<str>>,
    /// A call of a policy's function (or `position`) as written, when the value is its
    /// result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<Arc<str>>,
    /// The value found (null when absent).
    pub value: Value,
    /// True when the fact is not in the snapshot at all.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub absent: bool,
}

/// What kind of failure a [`RuleError`] is: kept typed until rendered, so that hints
/// are keyed on it and never on the wording of `reason`. Not part of the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// A fact the rule reads is not in the snapshot.
    Missing,
    /// A fact the rule reads through is null.
    NullParent,
    /// Money in two currencies compared.
    Currency,
    /// Money in two currencies added, subtracted or divided.
    CurrencyArithmetic,
    /// "Now" was needed and not given.
    NoNow,
    /// A condition that is not true or false.
    NotBoolean,
    /// A `for each` list with no element.
    EmptyList,
    /// A list index past the end.
    NoElement,
    /// Whether a policy applies could not be told (for another reason than the above).
    Applicability,
    /// Evaluation nested deeper than the limit.
    TooDeep,
    /// A `format_time` pattern that is not strftime.
    TimeFormat,
    /// Anything else.
    #[default]
    Other,
}

/// A rule that could not be evaluated, or an error of the request itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleError {
    /// `policy.rule`; null for an error that is not a rule's (no policy applies…).
    pub rule: Option<String>,
    /// The rule's kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<RuleKind>,
    /// The fact path involved, when there is one.
    pub path: Option<String>,
    /// What went wrong.
    pub reason: String,
    /// The clause that failed (or the policy's `applies when` / `for each`), written
    /// `rules/FILE:LINE`; with its span, for the caret under it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Location>,
    /// Where the expression that failed is, when it is in another file than `source`:
    /// inside a function (or `let`) imported from a library. Written `FILE:LINE`;
    /// absent otherwise (a local function's error is placed at `source`, its
    /// function named in `reason`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Location>,
    /// Whether the error blocks the decision (deny and review rules, scopes, lists).
    pub blocking: bool,
    /// Its kind, for hints (not rendered).
    #[serde(skip)]
    pub cause: Cause,
}

/// With `explain`: a rule that did not match, and the condition that failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    /// `policy.rule`.
    pub rule: Arc<str>,
    /// The rule's kind.
    pub kind: RuleKind,
    /// The rule, written `rules/FILE:LINE`.
    pub source: Location,
    /// The conditions that made it not match.
    pub evidence: Vec<Evidence>,
}

/// The outcome of a set of matches and errors, by the decision semantics:
/// a deny (or rejected review) denies; else a blocking error is `error`; else a
/// pending review needs review; else allowed.
pub(crate) fn outcome_of(matched: &[Match], errors: &[RuleError]) -> Outcome {
    let denied = matched.iter().any(|m| {
        m.kind == RuleKind::Deny
            || m.status
                .as_ref()
                .is_some_and(|s| s.state == ReviewState::Rejected)
    });
    if denied {
        Outcome::Denied
    } else if errors.iter().any(|e| e.blocking) {
        Outcome::Error
    } else if matched.iter().any(|m| {
        m.status
            .as_ref()
            .is_some_and(|s| s.state == ReviewState::Pending)
    }) {
        Outcome::NeedsReview
    } else {
        Outcome::Allowed
    }
}
