//! What changed between two decisions on the same snapshot, rule by rule.
//!
//! Both sides are decision trees as serialized (JSON or YAML read back), so a golden
//! file written by an older bylaw, or edited by hand, compares as well as a decision
//! just made. Each difference is one [`Change`]; [`Delta::class`] tells a changed
//! outcome from changes that leave it alone, and those from mere source moves (an edit
//! above a rule shifts its `rules/FILE:LINE`).

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value as J;

use super::compare::*;
use crate::report::diff;

/// The changes between two decisions on one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delta {
    /// The decision before (`allowed`, `denied`, …).
    pub before: String,
    /// The decision after.
    pub after: String,
    /// Every difference, request-level first, then item by item.
    pub changes: Vec<Change>,
}

/// How much a delta matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Nothing changed.
    Unchanged,
    /// Only `source` locations moved (rule files were edited around the rules).
    SourceOnly,
    /// The decision is the same; warnings, effects, values, messages or evidence changed.
    Details,
    /// The decision changed.
    Decision,
}

/// One difference, in the request or in one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The item's id; none for the request itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// `policy.rule`, when the change is about a rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What changed.
    #[serde(flatten)]
    pub what: What,
}

/// The kinds of difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum What {
    /// An item's decision.
    Decision {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A policy now applies, or no longer does.
    Policy {
        /// The policy.
        policy: String,
        /// Whether it applies now.
        applies: bool,
    },
    /// An item appeared (the snapshot's list changed).
    ItemAdded {
        /// Its decision.
        decision: String,
    },
    /// An item disappeared.
    ItemRemoved {
        /// Its decision before.
        decision: String,
    },
    /// A rule now matches.
    Matched {
        /// deny, review, warn or effect.
        kind: String,
        /// A review's state (`pending`, `approved by manager`…).
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// Its message.
        message: String,
    },
    /// A rule no longer matches.
    Unmatched {
        /// deny, review, warn or effect.
        kind: String,
        /// A review's state before.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// Its message before.
        message: String,
    },
    /// A rule still matches but with another kind.
    Kind {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A review's state (or who approved it, or when) changed.
    Status {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A matched rule's message changed.
    Message {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// An effect's value changed.
    Value {
        /// Before.
        from: J,
        /// After.
        to: J,
    },
    /// The conditions or facts that decided a rule changed.
    Evidence {
        /// Before.
        from: J,
        /// After.
        to: J,
    },
    /// A rule (or clause) is cited at another `FILE:LINE`.
    Source {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A rule now fails to evaluate (or a new error of the request).
    Error {
        /// Why.
        reason: String,
        /// Whether it blocks the decision.
        blocking: bool,
    },
    /// An error is gone.
    ErrorGone {
        /// Why it failed before.
        reason: String,
        /// Whether it blocked.
        blocking: bool,
    },
    /// An error's reason or weight changed.
    ErrorChanged {
        /// Before.
        from: String,
        /// After.
        to: String,
        /// Whether it blocks now.
        blocking: bool,
    },
    /// Anything else (a field this version does not know, or an order that changed).
    Other {
        /// What, in words.
        what: String,
    },
}

impl Change {
    /// Whether the change can move a decision: blocking rules, reviews, errors, items.
    pub fn decisive(&self) -> bool {
        let blocks = |kind: &str| kind == "deny" || kind == "review";
        match &self.what {
            What::Decision { .. }
            | What::Policy { .. }
            | What::ItemAdded { .. }
            | What::ItemRemoved { .. }
            | What::Status { .. }
            | What::Kind { .. } => true,
            What::Matched { kind, .. } | What::Unmatched { kind, .. } => blocks(kind),
            What::Error { blocking, .. } | What::ErrorGone { blocking, .. } => *blocking,
            What::ErrorChanged { .. } => true,
            What::Message { .. }
            | What::Value { .. }
            | What::Evidence { .. }
            | What::Source { .. }
            | What::Other { .. } => false,
        }
    }

    /// A short, case-independent label for counting changes over many cases
    /// (`now matches (review, pending)`), without messages or values.
    pub fn label(&self) -> String {
        match &self.what {
            What::Decision { from, to } => format!("item {from} → {to}"),
            What::Policy { applies: true, .. } => "now applies".into(),
            What::Policy { applies: false, .. } => "no longer applies".into(),
            What::ItemAdded { .. } => "item added".into(),
            What::ItemRemoved { .. } => "item removed".into(),
            What::Matched { kind, status, .. } => match status {
                Some(s) => format!("now matches ({kind}, {})", state_word(s)),
                None => format!("now matches ({kind})"),
            },
            What::Unmatched { kind, status, .. } => match status {
                Some(s) => format!("no longer matches ({kind}, was {})", state_word(s)),
                None => format!("no longer matches ({kind})"),
            },
            What::Kind { from, to } => format!("kind {from} → {to}"),
            What::Status { from, to } => {
                format!("review {} → {}", state_word(from), state_word(to))
            }
            What::Message { .. } => "message changed".into(),
            What::Value { .. } => "value changed".into(),
            What::Evidence { .. } => "evidence changed".into(),
            What::Source { .. } => "source moved".into(),
            What::Error { blocking, .. } => {
                if *blocking {
                    "now fails (blocking)".into()
                } else {
                    "now fails".into()
                }
            }
            What::ErrorGone { .. } => "no longer fails".into(),
            What::ErrorChanged { .. } => "fails differently".into(),
            What::Other { what } => what.clone(),
        }
    }

    /// A machine token for the change (`matched`, `unmatched`, `status`…), as in JSON.
    pub fn token(&self) -> &'static str {
        match &self.what {
            What::Decision { .. } => "decision",
            What::Policy { .. } => "policy",
            What::ItemAdded { .. } => "item_added",
            What::ItemRemoved { .. } => "item_removed",
            What::Matched { .. } => "matched",
            What::Unmatched { .. } => "unmatched",
            What::Kind { .. } => "kind",
            What::Status { .. } => "status",
            What::Message { .. } => "message",
            What::Value { .. } => "value",
            What::Evidence { .. } => "evidence",
            What::Source { .. } => "source",
            What::Error { .. } => "error",
            What::ErrorGone { .. } => "error_gone",
            What::ErrorChanged { .. } => "error_changed",
            What::Other { .. } => "other",
        }
    }
}

/// `approved by manager at …` → `approved`.
pub(super) fn state_word(status: &str) -> &str {
    status.split(' ').next().unwrap_or(status)
}

impl Delta {
    /// The changes from `before` to `after`, two serialized decisions.
    pub fn between(before: &J, after: &J) -> Delta {
        let mut changes = Vec::new();
        if before != after {
            compare_policies(before, after, &mut changes);
            compare_scope(None, before, after, &mut changes);
            compare_items(before, after, &mut changes);
            compare_rest(
                None,
                None,
                before,
                after,
                &["decision", "policies", "matched", "errors", "items"],
                &mut changes,
            );
            if changes.is_empty() {
                changes.push(Change {
                    item: None,
                    rule: None,
                    what: What::Other {
                        what: "the order of rules, errors or items changed".into(),
                    },
                });
            }
        }
        Delta {
            before: text(before.get("decision")),
            after: text(after.get("decision")),
            changes,
        }
    }

    /// How much the delta matters.
    pub fn class(&self) -> Class {
        if self.before != self.after {
            Class::Decision
        } else if self.changes.is_empty() {
            Class::Unchanged
        } else if self
            .changes
            .iter()
            .all(|c| matches!(c.what, What::Source { .. }))
        {
            Class::SourceOnly
        } else {
            Class::Details
        }
    }

    /// The delta for people, one change a line, indented by `indent` spaces.
    pub fn render(&self, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let mut out = String::new();
        if self.before != self.after {
            let _ = writeln!(out, "{pad}decision: {} → {}", self.before, self.after);
        }
        let mut scopes: Vec<Option<&str>> = Vec::new();
        for c in &self.changes {
            if !matches!(c.what, What::Source { .. }) && !scopes.contains(&c.item.as_deref()) {
                scopes.push(c.item.as_deref());
            }
        }
        for scope in scopes {
            let inner = match scope {
                None => pad.clone(),
                Some(id) => {
                    let decision = self.changes.iter().find_map(|c| match &c.what {
                        What::Decision { from, to } if c.item.as_deref() == Some(id) => {
                            Some(format!(": {from} → {to}"))
                        }
                        _ => None,
                    });
                    let _ = writeln!(out, "{pad}item {id}{}", decision.unwrap_or_default());
                    format!("{pad}  ")
                }
            };
            for c in self.changes.iter().filter(|c| c.item.as_deref() == scope) {
                render_change(&mut out, &inner, c);
            }
        }
        let moves = self.source_moves();
        if !moves.is_empty() {
            let only = if self.class() == Class::SourceOnly {
                "only "
            } else {
                ""
            };
            let _ = writeln!(out, "{pad}{only}source locations moved:");
            let moves: Vec<(String, String, String)> = moves
                .into_iter()
                .map(|(from, to, rules)| (from, to, rules.join(", ")))
                .collect();
            for line in describe_moves(&moves) {
                let _ = writeln!(out, "{pad}  {line}");
            }
        }
        out
    }

    /// Distinct source moves, each with the rules it concerns.
    pub fn source_moves(&self) -> Vec<(String, String, Vec<String>)> {
        let mut out: Vec<(String, String, Vec<String>)> = Vec::new();
        for c in &self.changes {
            if let What::Source { from, to } = &c.what {
                let rule = c.rule.clone().unwrap_or_else(|| "a clause".into());
                match out.iter_mut().find(|(f, t, _)| f == from && t == to) {
                    Some((_, _, rules)) if !rules.contains(&rule) => rules.push(rule),
                    Some(_) => {}
                    None => out.push((from.clone(), to.clone(), vec![rule])),
                }
            }
        }
        out.sort_by_key(|(from, _, _)| location_key(from));
        out
    }
}

/// Source moves for people, one line each, sorted; where three or more locations of a
/// file moved by the same number of lines (text inserted above them), one line says so:
/// `rules/a.bylaw: 23 locations (lines 12–156) moved down 1 line`. Each move comes with a
/// note (the rules, or a count of cases) shown when it is listed alone.
pub(crate) fn describe_moves(moves: &[(String, String, String)]) -> Vec<String> {
    let shift = |from: &str, to: &str| -> Option<(String, i64, u64)> {
        let (f1, l1) = location_key(from);
        let (f2, l2) = location_key(to);
        let offset = i64::try_from(l2).ok()? - i64::try_from(l1).ok()?;
        (f1 == f2 && l1 > 0 && l2 > 0).then_some((f1, offset, l1))
    };
    let mut runs: Vec<((String, i64), Vec<u64>)> = Vec::new();
    for (from, to, _) in moves {
        if let Some((file, offset, line)) = shift(from, to) {
            match runs.iter_mut().find(|(k, _)| k.0 == file && k.1 == offset) {
                Some((_, lines)) => lines.push(line),
                None => runs.push(((file, offset), vec![line])),
            }
        }
    }
    let grouped = |from: &str, to: &str| {
        shift(from, to).and_then(|(file, offset, _)| {
            runs.iter()
                .find(|((f, o), lines)| *f == file && *o == offset && lines.len() >= 3)
        })
    };
    let mut out: Vec<((String, u64), String)> = Vec::new();
    for ((file, offset), lines) in runs.iter().filter(|(_, lines)| lines.len() >= 3) {
        let (lo, hi) = (
            lines.iter().min().copied().unwrap_or(0),
            lines.iter().max().copied().unwrap_or(0),
        );
        let n = offset.unsigned_abs();
        let way = if *offset > 0 { "down" } else { "up" };
        let s = if n == 1 { "" } else { "s" };
        out.push((
            (file.clone(), lo),
            format!(
                "{file}: {} locations (lines {lo}–{hi}) moved {way} {n} line{s}",
                lines.len()
            ),
        ));
    }
    for (from, to, note) in moves {
        if grouped(from, to).is_none() {
            let note = if note.is_empty() {
                String::new()
            } else {
                format!("  ({note})")
            };
            out.push((location_key(from), format!("{}{note}", moved(from, to))));
        }
    }
    out.sort();
    out.into_iter().map(|(_, line)| line).collect()
}

/// A `FILE:LINE` location as a sort key: by file, then by line as a number.
pub(crate) fn location_key(location: &str) -> (String, u64) {
    match location.rsplit_once(':') {
        Some((file, line)) => (file.to_string(), line.parse().unwrap_or(0)),
        None => (location.to_string(), 0),
    }
}

/// `rules/a.bylaw:12 → 14` when the file is the same, else both in full.
pub fn moved(from: &str, to: &str) -> String {
    match (from.rsplit_once(':'), to.rsplit_once(':')) {
        (Some((f1, l1)), Some((f2, l2))) if f1 == f2 => format!("{f1}:{l1} → {l2}"),
        _ => format!("{from} → {to}"),
    }
}

pub(super) fn render_change(out: &mut String, pad: &str, c: &Change) {
    let rule = c.rule.as_deref().unwrap_or("(no rule)");
    match &c.what {
        What::Decision { .. } | What::Source { .. } => {}
        What::Policy { policy, applies } => {
            let word = if *applies {
                "now applies"
            } else {
                "no longer applies"
            };
            let _ = writeln!(out, "{pad}policy {policy} {word}");
        }
        What::ItemAdded { decision } => {
            let _ = writeln!(out, "{pad}+ item added: {decision}");
        }
        What::ItemRemoved { decision } => {
            let _ = writeln!(out, "{pad}- item removed (was {decision})");
        }
        What::Matched {
            kind,
            status,
            message,
        }
        | What::Unmatched {
            kind,
            status,
            message,
        } => {
            let sign = if matches!(c.what, What::Matched { .. }) {
                '+'
            } else {
                '-'
            };
            let status = status
                .as_ref()
                .map(|s| format!(", {s}"))
                .unwrap_or_default();
            let _ = writeln!(out, "{pad}{sign} {kind} {rule}{status}");
            let _ = writeln!(out, "{pad}    {message}");
        }
        What::Kind { from, to } => {
            let _ = writeln!(out, "{pad}~ {rule}: kind {from} → {to}");
        }
        What::Status { from, to } => {
            let _ = writeln!(out, "{pad}~ {rule}: review {from} → {to}");
        }
        What::Message { from, to } => {
            let _ = writeln!(out, "{pad}~ {rule}: message");
            let _ = writeln!(out, "{pad}    - {from}");
            let _ = writeln!(out, "{pad}    + {to}");
        }
        What::Value { from, to } => {
            let _ = writeln!(out, "{pad}~ {rule}: value {} → {}", show(from), show(to));
        }
        What::Evidence { from, to } => {
            let _ = writeln!(out, "{pad}~ {rule}: evidence");
            let from = serde_yaml::to_string(from).unwrap_or_default();
            let to = serde_yaml::to_string(to).unwrap_or_default();
            out.push_str(&line_diff(&from, &to, &format!("{pad}    ")));
        }
        What::Error { reason, blocking } => {
            let b = if *blocking { ", blocking" } else { "" };
            let _ = writeln!(out, "{pad}+ error {rule}{b}: {reason}");
        }
        What::ErrorGone { reason, blocking } => {
            let b = if *blocking { ", blocking" } else { "" };
            let _ = writeln!(out, "{pad}- error {rule}{b}: {reason}");
        }
        What::ErrorChanged { from, to, blocking } => {
            let b = if *blocking { " (blocking)" } else { "" };
            let _ = writeln!(out, "{pad}~ error {rule}{b}");
            let _ = writeln!(out, "{pad}    - {from}");
            let _ = writeln!(out, "{pad}    + {to}");
        }
        What::Other { what } => {
            let subject = c
                .rule
                .as_deref()
                .map(|r| format!("{r}: "))
                .unwrap_or_default();
            let _ = writeln!(out, "{pad}~ {subject}{what}");
        }
    }
}

/// A value for people: money as `50.00 USD`, strings bare, the rest as compact JSON.
pub fn show(v: &J) -> String {
    match v {
        J::Null => "none".into(),
        J::String(s) => s.clone(),
        J::Object(m) if m.len() == 2 && m.contains_key("amount") && m.contains_key("currency") => {
            format!("{} {}", text(m.get("amount")), text(m.get("currency")))
        }
        other => other.to_string(),
    }
}

/// A scalar as text (strings without quotes); empty when absent.
pub(super) fn text(v: Option<&J>) -> String {
    match v {
        None | Some(J::Null) => String::new(),
        Some(J::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

pub(super) fn list<'a>(v: &'a J, key: &str) -> &'a [J] {
    v.get(key).and_then(J::as_array).map_or(&[], Vec::as_slice)
}

/// The lines that differ between two texts, with a line of context around each change
/// (the one line diff, [`crate::report::diff`]).
pub(crate) fn line_diff(before: &str, after: &str, pad: &str) -> String {
    let mut out = String::new();
    let Some(ops) = diff::lines(before, after) else {
        let _ = writeln!(
            out,
            "{pad}(too long to show: {} → {} lines)",
            before.lines().count(),
            after.lines().count()
        );
        return out;
    };
    let near = |k: usize| {
        let lo = k.saturating_sub(1);
        let hi = (k + 1).min(ops.len().saturating_sub(1));
        (lo..=hi).any(|n| {
            ops.get(n)
                .is_some_and(|l| !matches!(l, diff::Line::Same(_)))
        })
    };
    let mut skipped = false;
    for (k, line) in ops.iter().enumerate() {
        if near(k) {
            if skipped {
                let _ = writeln!(out, "{pad}  …");
                skipped = false;
            }
            let _ = writeln!(out, "{pad}{} {}", line.sign(), line.text());
        } else {
            skipped = true;
        }
    }
    if skipped {
        let _ = writeln!(out, "{pad}  …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn matched(rule: &str, kind: &str, source: &str) -> J {
        json!({"rule": rule, "kind": kind, "message": "m", "source": source,
               "evidence": [], "value": null})
    }

    fn decision(decision: &str, items: J) -> J {
        json!({"decision": decision, "policies": ["p"], "matched": [], "errors": [], "items": items})
    }

    #[test]
    fn equal_decisions_are_unchanged() {
        let d = decision("allowed", json!([]));
        let delta = Delta::between(&d, &d);
        assert_eq!(delta.class(), Class::Unchanged);
        assert!(delta.changes.is_empty());
    }

    #[test]
    fn a_rule_that_now_matches_changes_the_item_and_the_decision() {
        let before = decision(
            "allowed",
            json!([{"id": "x", "path": "l[0]", "decision": "allowed", "matched": [], "errors": []}]),
        );
        let after = decision(
            "denied",
            json!([{"id": "x", "path": "l[0]", "decision": "denied",
                    "matched": [matched("p.r", "deny", "f:3")], "errors": []}]),
        );
        let delta = Delta::between(&before, &after);
        assert_eq!(delta.class(), Class::Decision);
        let whats: Vec<&str> = delta.changes.iter().map(Change::token).collect();
        assert_eq!(whats, ["decision", "matched"]);
        assert!(delta.changes.iter().all(Change::decisive));
        let text = delta.render(0);
        assert!(text.contains("decision: allowed → denied"), "{text}");
        assert!(text.contains("item x: allowed → denied"), "{text}");
        assert!(text.contains("+ deny p.r"), "{text}");
    }

    #[test]
    fn moved_sources_alone_are_source_only_and_values_are_details() {
        let with = |source: &str, value: J| {
            let mut m = matched("p.e", "effect", source);
            m["value"] = value;
            json!({"decision": "allowed", "policies": [], "matched": [m], "errors": [], "items": []})
        };
        let moved_only = Delta::between(&with("f:3", json!(1)), &with("f:5", json!(1)));
        assert_eq!(moved_only.class(), Class::SourceOnly);
        assert!(moved_only.render(0).contains("only source locations moved"));
        let value = Delta::between(&with("f:3", json!(1)), &with("f:5", json!(2)));
        assert_eq!(value.class(), Class::Details);
        assert!(!value.changes.iter().any(Change::decisive));
        assert!(value.render(0).contains("~ p.e: value 1 → 2"));
    }

    #[test]
    fn an_unknown_field_or_a_new_order_is_still_a_change() {
        let a = json!({"decision": "allowed", "matched": [matched("p.a", "warn", "f:1"), matched("p.b", "warn", "f:2")]});
        let b = json!({"decision": "allowed", "matched": [matched("p.b", "warn", "f:2"), matched("p.a", "warn", "f:1")]});
        assert_eq!(Delta::between(&a, &b).class(), Class::Details);
        let mut c = a.clone();
        c["schema"] = json!("v2");
        let delta = Delta::between(&a, &c);
        assert_eq!(delta.changes.len(), 1);
        assert_eq!(delta.changes[0].label(), "`schema` changed");
    }

    #[test]
    fn line_diff_shows_changes_with_context() {
        let out = line_diff("a\nb\nc\nd\ne\nf\n", "a\nb\nc\nX\ne\nf\n", "");
        assert_eq!(out, "  …\n  c\n- d\n+ X\n  e\n  …\n");
    }

    #[test]
    fn runs_of_equal_shifts_read_as_one_line() {
        let moves: Vec<(String, String, String)> = [(3, 4), (10, 11), (20, 21), (30, 28)]
            .iter()
            .map(|(f, t)| {
                (
                    format!("r/a.bylaw:{f}"),
                    format!("r/a.bylaw:{t}"),
                    "p.x".into(),
                )
            })
            .collect();
        assert_eq!(
            describe_moves(&moves),
            [
                "r/a.bylaw: 3 locations (lines 3–20) moved down 1 line",
                "r/a.bylaw:30 → 28  (p.x)",
            ]
        );
    }
}
