//! A decision with its remedies: the text form's "To allow:" section, and the
//! serializable view that adds `remedies` to each blocking match and error and
//! `to_allow` to the decision (JSON, YAML, one line per snapshot in batches).

use std::fmt::Write as _;

use serde::Serialize;

use crate::decision::{Decision, Item, Match, Miss, Outcome, RuleError};

use super::{PatchOp, Remedies, Remedy, RuleRemedies, ToAllow};

/// The decision's text form followed by its remedies.
pub fn text(d: &Decision, r: &Remedies) -> String {
    let mut out = crate::report::text::render(d);
    let Some(t) = &r.to_allow else {
        return out;
    };
    let _ = writeln!(out, "\nTo allow:");
    if t.texts.is_empty() {
        let _ = writeln!(out, "  (no change found)");
    }
    for (i, s) in t.texts.iter().enumerate() {
        let _ = writeln!(out, "  {}. {s}", i + 1);
    }
    let _ = writeln!(out, "  decision after: {}", t.decision_after.as_str());
    if let Some(why) = &t.reason {
        let _ = writeln!(out, "  why not allowed: {why}");
    }
    if !t.patch.is_empty() {
        let _ = writeln!(out, "  patch: {}", patch_line(&t.patch));
    }
    let _ = writeln!(out, "\nRemedies per rule:");
    for rr in &r.rules {
        let name = rr.rule.as_deref().unwrap_or("the request");
        let at = rr
            .site
            .item
            .and_then(|i| d.items.get(i))
            .map(|it| format!(" ({})", it.id))
            .unwrap_or_default();
        let _ = writeln!(out, "  {name}{at}:");
        if rr.remedies.is_empty() {
            let why = rr.reason.as_deref().unwrap_or("none found");
            let _ = writeln!(out, "    none: {why}");
        }
        for (i, m) in rr.remedies.iter().enumerate() {
            let letter = char::from(b'a' + u8::try_from(i % 26).unwrap_or(0));
            let _ = writeln!(
                out,
                "    {letter}. {}  (then {})",
                m.text,
                m.decision_after.as_str()
            );
            let _ = writeln!(out, "       patch: {}", patch_line(&m.patch));
        }
    }
    out
}

/// A patch as compact JSON on one line.
pub fn patch_line(p: &[PatchOp]) -> String {
    serde_json::to_string(p).unwrap_or_default()
}

/// A decision with its remedies, serializable: the decision's fields as they are, with
/// `remedies` (and `no_remedy`, why there is none) on each blocking match and error,
/// and `to_allow` last.
#[derive(Serialize)]
pub struct WithRemedies<'a> {
    decision: Outcome,
    policies: &'a [String],
    matched: Vec<MatchView<'a>>,
    errors: Vec<ErrorView<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    not_matched: &'a [Miss],
    items: Vec<ItemView<'a>>,
    to_allow: Option<&'a ToAllow>,
}

#[derive(Serialize)]
struct ItemView<'a> {
    id: &'a str,
    path: &'a str,
    decision: Outcome,
    matched: Vec<MatchView<'a>>,
    errors: Vec<ErrorView<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    not_matched: &'a [Miss],
}

#[derive(Serialize)]
struct MatchView<'a> {
    #[serde(flatten)]
    m: &'a Match,
    #[serde(skip_serializing_if = "Option::is_none")]
    remedies: Option<&'a [Remedy]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    no_remedy: Option<&'a str>,
}

#[derive(Serialize)]
struct ErrorView<'a> {
    #[serde(flatten)]
    e: &'a RuleError,
    #[serde(skip_serializing_if = "Option::is_none")]
    remedies: Option<&'a [Remedy]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    no_remedy: Option<&'a str>,
}

/// The view of `d` with `r` (see [`WithRemedies`]).
pub fn view<'a>(d: &'a Decision, r: &'a Remedies) -> WithRemedies<'a> {
    let find = |item: Option<usize>, error: bool, index: usize| -> Option<&'a RuleRemedies> {
        r.rules
            .iter()
            .find(|rr| rr.site.item == item && rr.site.error == error && rr.site.index == index)
    };
    let matches = |item: Option<usize>, ms: &'a [Match]| -> Vec<MatchView<'a>> {
        ms.iter()
            .enumerate()
            .map(|(i, m)| {
                let rr = find(item, false, i);
                MatchView {
                    m,
                    remedies: rr.map(|rr| rr.remedies.as_slice()),
                    no_remedy: rr.and_then(|rr| rr.reason.as_deref()),
                }
            })
            .collect()
    };
    let errors = |item: Option<usize>, es: &'a [RuleError]| -> Vec<ErrorView<'a>> {
        es.iter()
            .enumerate()
            .map(|(i, e)| {
                let rr = find(item, true, i);
                ErrorView {
                    e,
                    remedies: rr.map(|rr| rr.remedies.as_slice()),
                    no_remedy: rr.and_then(|rr| rr.reason.as_deref()),
                }
            })
            .collect()
    };
    let item = |(i, it): (usize, &'a Item)| ItemView {
        id: &it.id,
        path: &it.path,
        decision: it.decision,
        matched: matches(Some(i), &it.matched),
        errors: errors(Some(i), &it.errors),
        not_matched: &it.not_matched,
    };
    WithRemedies {
        decision: d.decision,
        policies: &d.policies,
        matched: matches(None, &d.matched),
        errors: errors(None, &d.errors),
        not_matched: &d.not_matched,
        items: d.items.iter().enumerate().map(item).collect(),
        to_allow: r.to_allow.as_ref(),
    }
}
