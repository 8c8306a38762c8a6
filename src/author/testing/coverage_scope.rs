//! Coverage for part of a rule set: one policy (`bylaw test --policy P`), and the
//! breakdown per policy and per folder of rule files.

use std::fmt::Write as _;

use super::coverage::{Coverage, RuleCoverage};

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
    r.rule.split('.').next().unwrap_or(&r.rule)
}

/// The folder of a rule's source (`rules/billing/renew.bylaw:12` → `rules/billing`).
fn folder(r: &RuleCoverage) -> &str {
    let file = r.source.rsplit_once(':').map_or(&*r.source, |(f, _)| f);
    file.rsplit_once('/').map_or(".", |(d, _)| d)
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
        }
    }

    /// Coverage per policy, in load order.
    pub fn per_policy(&self) -> Vec<Part> {
        parts(&self.rules, policy)
    }

    /// Coverage per folder of rule files, in load order.
    pub fn per_folder(&self) -> Vec<Part> {
        parts(&self.rules, folder)
    }

    /// The breakdown as text, when there is more than one policy.
    pub fn breakdown_text(&self) -> String {
        let mut out = String::new();
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

fn parts(rules: &[RuleCoverage], key: fn(&RuleCoverage) -> &str) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for r in rules {
        let (g, c) = r.goals();
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
