//! The text form of a decision: what a support engineer reads. Decision first,
//! then each rule with its message and evidence, aligned.

use std::fmt::Write as _;

use crate::decision::{Decision, Evidence, Match, Miss, ReviewState, RuleError};
use crate::value::Literal;

/// Renders a decision as aligned text.
pub fn render(d: &Decision) -> String {
    let mut out = String::new();
    let policies = if d.policies.is_empty() {
        String::new()
    } else {
        format!("  (policy {})", d.policies.join(", "))
    };
    let _ = writeln!(out, "decision: {}{policies}", d.decision.as_str());
    let width = rule_width(d);
    if !d.matched.is_empty() || !d.errors.is_empty() || !d.not_matched.is_empty() {
        let _ = writeln!(out, "\nrequest");
        section(&mut out, &d.matched, &d.errors, &d.not_matched, width);
    }
    for item in &d.items {
        let label = if item.id == item.path {
            item.path.clone()
        } else {
            format!("{} ({})", item.id, item.path)
        };
        let _ = writeln!(out, "\n{label}: {}", item.decision.as_str());
        if item.matched.is_empty() && item.errors.is_empty() && item.not_matched.is_empty() {
            let _ = writeln!(out, "  no rule matched");
        }
        section(
            &mut out,
            &item.matched,
            &item.errors,
            &item.not_matched,
            width,
        );
    }
    out
}

fn rule_width(d: &Decision) -> usize {
    let items = d.items.iter().flat_map(|i| {
        i.matched
            .iter()
            .map(|m| m.rule.len())
            .chain(i.not_matched.iter().map(|m| m.rule.len()))
            .chain(
                i.errors
                    .iter()
                    .filter_map(|e| e.rule.as_ref().map(String::len)),
            )
    });
    d.matched
        .iter()
        .map(|m| m.rule.len())
        .chain(d.not_matched.iter().map(|m| m.rule.len()))
        .chain(
            d.errors
                .iter()
                .filter_map(|e| e.rule.as_ref().map(String::len)),
        )
        .chain(items)
        .max()
        .unwrap_or(0)
}

const INDENT: &str = "                  ";

fn section(
    out: &mut String,
    matched: &[Match],
    errors: &[RuleError],
    misses: &[Miss],
    width: usize,
) {
    for m in matched {
        let label = match &m.status {
            Some(s) => match s.state {
                ReviewState::Pending => "REVIEW pending".to_string(),
                ReviewState::Approved => "REVIEW approved".to_string(),
                ReviewState::Rejected => "REVIEW rejected".to_string(),
            },
            None => m.kind.as_str().to_uppercase(),
        };
        let _ = writeln!(out, "  {label:<15} {:<width$}  {}", m.rule, m.source);
        let _ = writeln!(out, "{INDENT}{}", m.message);
        if let Some(s) = &m.status {
            if let (Some(by), Some(at)) = (&s.by, &s.at) {
                let _ = writeln!(out, "{INDENT}approved by {by} at {at}");
            }
        }
        if let Some(v) = &m.value {
            let _ = writeln!(out, "{INDENT}value: {}", Literal(v));
        }
        evidence(out, "because", &m.evidence);
        if let Some(s) = &m.status {
            evidence(out, "status because", &s.evidence);
        }
    }
    for e in errors {
        let rule = e.rule.as_deref().unwrap_or("-");
        let source = e.source.as_ref().map(|s| s.to_string()).unwrap_or_default();
        let label = if e.blocking { "ERROR" } else { "ERROR (info)" };
        let _ = writeln!(out, "  {label:<15} {rule:<width$}  {source}");
        let _ = writeln!(out, "{INDENT}{}", e.reason);
        if let Some(o) = &e.origin {
            let _ = writeln!(out, "{INDENT}failed at {o}");
        }
        if let Some(p) = &e.path {
            let _ = writeln!(out, "{INDENT}at fact `{p}`");
        }
    }
    for m in misses {
        let _ = writeln!(out, "  {:<15} {:<width$}  {}", "no match", m.rule, m.source);
        evidence(out, "because", &m.evidence);
    }
}

fn evidence(out: &mut String, lead: &str, items: &[Evidence]) {
    for line in evidence_lines(lead, items) {
        let _ = writeln!(out, "{INDENT}{line}");
    }
}

/// Evidence as the text form shows it, a line each: `because COND  [path = value]`.
pub(crate) fn evidence_lines(lead: &str, evidence: &[Evidence]) -> Vec<String> {
    evidence
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let word = if i == 0 { lead } else { "and" };
            let cond = if e.holds {
                e.condition.to_string()
            } else {
                format!("not ({})", e.condition)
            };
            let mut facts: Vec<String> = e
                .facts
                .iter()
                .map(|f| {
                    let name = f
                        .path
                        .as_deref()
                        .or(f.let_name.as_deref())
                        .or(f.call.as_deref())
                        .unwrap_or("?");
                    if f.absent {
                        format!("{name} is absent")
                    } else {
                        format!("{name} = {}", Literal(&f.value))
                    }
                })
                .collect();
            if e.omitted > 0 {
                facts.push(format!("and {} more facts not shown", e.omitted));
            }
            if facts.is_empty() {
                format!("{word} {cond}")
            } else {
                format!("{word} {cond}  [{}]", facts.join("; "))
            }
        })
        .collect()
}
