//! Coverage for part of a rule set: one policy (`bylaw test --policy P`), the
//! breakdown per policy and per folder of rule files, and goals marked unreachable.

use std::fmt::Write as _;

use super::coverage::{Coverage, RuleCoverage};
use super::Unreachable;

/// A goal a test file marks unreachable and no case met: not counted among the goals.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SetApart {
    /// `policy.rule`.
    pub rule: String,
    /// `matched`, `not matched`, or the condition.
    pub goal: String,
    /// Why no case can meet it, as the test file says.
    pub reason: String,
    /// Where it is marked (`FILE:LINE`).
    pub marked_at: String,
}

/// Covered goals out of goals, for a policy or a folder.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Part {
    /// The policy ID, or the folder (`rules/billing`).
    pub name: String,
    /// Goals met.
    pub covered: usize,
    /// Goals.
    pub goals: usize,
    /// `covered / goals` in percent, one decimal.
    pub percent: f64,
}

fn percent(covered: usize, goals: usize) -> f64 {
    if goals == 0 {
        100.0
    } else {
        (covered as f64 * 1000.0 / goals as f64).round() / 10.0
    }
}

/// The policy a rule's ID (`policy.rule`) is of.
fn policy(r: &RuleCoverage) -> &str {
    &r.policy
}

/// The folder of a rule's source (`rules/billing/renew.bylaw:12` → `rules/billing`).
fn folder(r: &RuleCoverage) -> &str {
    r.source.file().rsplit_once('/').map_or(".", |(d, _)| d)
}

impl Coverage {
    /// The coverage of policy `id`'s rules alone.
    pub fn of_policy(self, id: &str) -> Coverage {
        let rules: Vec<RuleCoverage> = self.rules.into_iter().filter(|r| policy(r) == id).collect();
        let (goals, covered) = rules
            .iter()
            .map(RuleCoverage::goals)
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        Coverage {
            percent: percent(covered, goals),
            covered,
            goals,
            rules,
            unreachable: Vec::new(),
        }
    }

    /// Sets apart the goals marked unreachable (`(policy.rule, mark)`) that no case
    /// met; returns a note for each mark that names no goal of the rule, or a goal a
    /// case met after all (it is then counted as any other).
    pub(crate) fn set_apart(&mut self, marks: &[(String, Unreachable)]) -> Vec<String> {
        let mut notes = Vec::new();
        for (rule, u) in marks {
            let Some(r) = self.rules.iter().find(|r| &r.rule == rule) else {
                continue;
            };
            let goal = u.goal.value.trim();
            let met = match goal {
                "matched" if r.constant != Some(false) => Some(r.matched > 0),
                "not matched" if r.constant != Some(true) => Some(r.not_matched > 0),
                _ => r
                    .conditions
                    .iter()
                    .find(|c| c.condition == goal)
                    .map(|c| c.decisive()),
            };
            let at = u.goal.span.location();
            match met {
                None => notes.push(format!(
                    "{at}: `{rule}` has no coverage goal `{goal}` (a goal is `matched`, `not matched` or a condition as the report shows it)"
                )),
                Some(true) => notes.push(format!(
                    "{at}: `{rule}` {goal} is marked unreachable, but a case meets it"
                )),
                Some(false) => {
                    if self.unreachable.iter().any(|s| &s.rule == rule && s.goal == goal) {
                        continue;
                    }
                    self.goals = self.goals.saturating_sub(1);
                    self.unreachable.push(SetApart {
                        rule: rule.clone(),
                        goal: goal.to_string(),
                        reason: u.reason.clone(),
                        marked_at: at,
                    });
                }
            }
        }
        self.percent = percent(self.covered, self.goals);
        notes
    }

    /// Coverage per policy, in load order.
    pub fn per_policy(&self) -> Vec<Part> {
        parts(self, policy)
    }

    /// Coverage per folder of rule files, in load order.
    pub fn per_folder(&self) -> Vec<Part> {
        parts(self, folder)
    }

    /// The goals set apart, then the breakdown when there is more than one policy.
    pub fn breakdown_text(&self) -> String {
        let mut out = String::new();
        if !self.unreachable.is_empty() {
            let _ = writeln!(
                out,
                "unreachable, counted apart ({}):",
                self.unreachable.len()
            );
            for u in &self.unreachable {
                let _ = writeln!(
                    out,
                    "  {} {}: {}  ({})",
                    u.rule, u.goal, u.reason, u.marked_at
                );
            }
        }
        let policies = self.per_policy();
        if policies.len() < 2 {
            return out;
        }
        for p in policies {
            let _ = writeln!(
                out,
                "coverage of policy {}: {}% ({}/{})",
                p.name, p.percent, p.covered, p.goals
            );
        }
        let folders = self.per_folder();
        if folders.len() > 1 {
            for f in folders {
                let _ = writeln!(
                    out,
                    "coverage of folder {}: {}% ({}/{})",
                    f.name, f.percent, f.covered, f.goals
                );
            }
        }
        out
    }
}

fn parts(cov: &Coverage, key: fn(&RuleCoverage) -> &str) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for r in &cov.rules {
        let (g, c) = r.goals();
        let apart = cov.unreachable.iter().filter(|u| u.rule == r.rule).count();
        let g = g.saturating_sub(apart);
        let name = key(r);
        match out.iter_mut().find(|p| p.name == name) {
            Some(p) => {
                p.goals += g;
                p.covered += c;
            }
            None => out.push(Part {
                name: name.to_string(),
                covered: c,
                goals: g,
                percent: 0.0,
            }),
        }
    }
    for p in &mut out {
        p.percent = percent(p.covered, p.goals);
    }
    out
}
