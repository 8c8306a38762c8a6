//! Coverage of a rule set by test cases.
//!
//! Two kinds of goal, both counted per rule:
//!
//! - **outcomes**: a rule should both match in some case and not match in some case
//!   (a rule whose condition is the literal `true` or `false` has one goal, the outcome
//!   it always has). A rule that could not be evaluated is reported, but erroring
//!   neither meets nor misses a goal.
//! - **decisive conditions**: in a condition built with `and`, `or` and `not` (a
//!   *chain*; a `let` that is itself such a chain is opened up), each leaf should be
//!   *decisive* in some case: flipping its value alone, the others kept, changes the
//!   chain's outcome. For `a and b` with both true, both are decisive; with `a` false
//!   and `b` true, only `a` is. A leaf that is never decisive is one the cases never
//!   show to matter. Chains of `when` clauses and of review status clauses (`rejected
//!   when`, `approved … when`, for the cases that reach them) are tracked. Only cases
//!   that *check* the rule count (`pinned.rs`): where flipping the rule's outcome
//!   would fail the case, so a decisive leaf there is one a test depends on.
//!
//! The percentage is `covered goals / goals × 100`. The outcomes come from the
//! engine's own decisions (evaluated with `explain`); decisiveness from a separate
//! walk over each chain with `Scope`, after the decision, so the evaluator's hot
//! path carries no hooks.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{pinned, Expect};
use crate::compile::{Node, NodeKind, Program as Code, Slot};
use crate::decision::{Decision, Location};
use crate::eval::interp::{Program, Scope};
use crate::run::engine::{Engine, Options};
use crate::syntax::ast::{BinaryOp, Policy, Rule, RuleKind, StatusKind, UnaryOp};
use crate::value::Value;

/// What the cases covered.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// `covered / goals × 100`, one decimal.
    pub percent: f64,
    /// Goals met.
    pub covered: usize,
    /// Goals in all.
    pub goals: usize,
    /// Per rule, in load order.
    pub rules: Vec<RuleCoverage>,
    /// Goals test files mark unreachable, not met: counted apart, not in `goals`.
    pub unreachable: Vec<super::coverage_scope::SetApart>,
}

/// One rule's coverage.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCoverage {
    /// `policy.rule`.
    pub rule: String,
    /// The policy's ID (`rule` starts with it).
    #[serde(skip)]
    pub policy: String,
    /// The rule's place, written `rules/FILE:LINE`.
    pub source: Location,
    /// Evaluations (per case, per item) in which it matched.
    pub matched: usize,
    /// Evaluations in which it did not match.
    pub not_matched: usize,
    /// Evaluations in which it could not be evaluated.
    pub errored: usize,
    /// The condition's value when it is a literal (`when true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constant: Option<bool>,
    /// The leaves of its `and`/`or` chains.
    pub conditions: Vec<ConditionCoverage>,
}

/// One leaf of an `and`/`or` chain.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionCoverage {
    /// The leaf as written.
    pub condition: String,
    /// The clause the chain belongs to (`when`, `rejected when`, `approved by "x" when`).
    pub clause: String,
    /// `file:line:col` of the leaf.
    pub location: String,
    /// The `let` it was written in, when the chain goes through one.
    #[serde(rename = "let", skip_serializing_if = "Option::is_none")]
    pub via_let: Option<String>,
    /// Whether it was decisive while true in some case.
    pub decisive_true: bool,
    /// Whether it was decisive while false in some case.
    pub decisive_false: bool,
}

impl ConditionCoverage {
    /// Decisive in some case.
    pub fn decisive(&self) -> bool {
        self.decisive_true || self.decisive_false
    }
}

impl RuleCoverage {
    pub(crate) fn goals(&self) -> (usize, usize) {
        let (mut goals, mut met) = match self.constant {
            Some(true) => (1, usize::from(self.matched > 0)),
            Some(false) => (1, usize::from(self.not_matched > 0)),
            None => (
                2,
                usize::from(self.matched > 0) + usize::from(self.not_matched > 0),
            ),
        };
        goals += self.conditions.len();
        met += self.conditions.iter().filter(|c| c.decisive()).count();
        (goals, met)
    }

    fn gaps(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.matched == 0 && self.constant != Some(false) {
            out.push("never matched".to_string());
        }
        if self.not_matched == 0 && self.constant.is_none() {
            out.push("never did not match".to_string());
        }
        out
    }
}

/// A three-valued truth: what a leaf or chain evaluated to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    T,
    F,
    E,
}

/// An `and`/`or`/`not` tree over leaves.
#[derive(Debug)]
enum Formula {
    And(Box<Formula>, Box<Formula>),
    Or(Box<Formula>, Box<Formula>),
    Not(Box<Formula>),
    Leaf(usize),
}

impl Formula {
    /// As the evaluator decides: `false and ERR` is false, `true or ERR` is true.
    fn eval(&self, v: &[Tri]) -> Tri {
        match self {
            Formula::Leaf(i) => v.get(*i).copied().unwrap_or(Tri::E),
            Formula::Not(a) => match a.eval(v) {
                Tri::T => Tri::F,
                Tri::F => Tri::T,
                Tri::E => Tri::E,
            },
            Formula::And(a, b) => match (a.eval(v), b.eval(v)) {
                (Tri::F, _) | (_, Tri::F) => Tri::F,
                (Tri::E, _) | (_, Tri::E) => Tri::E,
                _ => Tri::T,
            },
            Formula::Or(a, b) => match (a.eval(v), b.eval(v)) {
                (Tri::T, _) | (_, Tri::T) => Tri::T,
                (Tri::E, _) | (_, Tri::E) => Tri::E,
                _ => Tri::F,
            },
        }
    }
}

struct Chain<'e> {
    formula: Formula,
    leaves: Vec<&'e Node>,
    /// Index of the first leaf's entry in the rule's `conditions` (chains of one leaf have none).
    first: Option<usize>,
}

struct RuleInfo<'e> {
    rule: &'e Rule<Node>,
    slot: usize,
    when: Option<Chain<'e>>,
    statuses: Vec<Chain<'e>>,
}

struct PolicyInfo<'e> {
    policy: &'e Policy,
    code: &'e Code,
    rules: Vec<RuleInfo<'e>>,
    /// `policy.rule` → index into `rules`.
    by_id: HashMap<String, usize>,
}

/// Records coverage case after case.
pub struct Collector<'e> {
    policies: Vec<PolicyInfo<'e>>,
    out: Vec<RuleCoverage>,
}

/// How deep `let`s are opened inside a chain.
const MAX_LET_DEPTH: usize = 8;

impl<'e> Collector<'e> {
    /// Prepares the chains of every rule of `engine`.
    pub fn new(engine: &'e Engine) -> Collector<'e> {
        let mut c = Collector {
            policies: Vec::new(),
            out: Vec::new(),
        };
        for (p, code) in engine.compiled() {
            let mut rules = Vec::new();
            let mut by_id = HashMap::new();
            for (ri, r) in code.rules.iter().enumerate() {
                let slot = c.out.len();
                let mut rc = RuleCoverage {
                    rule: format!("{}.{}", p.id.name, r.name.name),
                    policy: p.id.name.clone(),
                    source: Location::new(r.span.clone()),
                    matched: 0,
                    not_matched: 0,
                    errored: 0,
                    constant: r.when().and_then(|w| match w.kind {
                        NodeKind::Const(Value::Bool(b)) => Some(b),
                        _ => None,
                    }),
                    conditions: Vec::new(),
                };
                let when = r.when().map(|w| chain(code, w, "when".into(), &mut rc));
                let statuses = r
                    .statuses()
                    .map(|s| {
                        let clause = match &s.status {
                            StatusKind::Rejected => "rejected when".to_string(),
                            StatusKind::Approved { by, .. } => {
                                format!("approved by {:?} when", by.value)
                            }
                        };
                        chain(code, &s.when, clause, &mut rc)
                    })
                    .collect();
                by_id.insert(rc.rule.clone(), ri);
                c.out.push(rc);
                rules.push(RuleInfo {
                    rule: r,
                    slot,
                    when,
                    statuses,
                });
            }
            c.policies.push(PolicyInfo {
                policy: p,
                code,
                rules,
                by_id,
            });
        }
        c
    }

    /// Records one case: its snapshot, the options it ran with, and its decision
    /// (which must have been made with `explain`, so that misses are listed).
    pub fn record(&mut self, facts: &Value, opts: &Options, d: &Decision, expect: &Expect) {
        let cli_now = opts.now.map(Value::Time);
        let now = cli_now.as_ref().or_else(|| facts.get("now"));
        let mut items = d.items.iter();
        for info in &self.policies {
            let policy = info.policy;
            if !d.policies.contains(&policy.id.name) {
                continue;
            }
            let prog = Program {
                code: info.code,
                item_paths: None,
            };
            let mut scope = Scope::new(prog, facts, now, None, opts.max_steps);
            let request = outcomes(
                d.matched.iter().map(|m| &*m.rule),
                d.errors.iter().filter_map(|e| e.rule.as_deref()),
                d.not_matched.iter().map(|m| &*m.rule),
            );
            let checks =
                |id: &str, kind, matched| pinned::checks(expect, d, id, kind, matched, None);
            walk_rules(info, &mut scope, &request, &checks, &mut self.out);
            let Some(fe) = &info.code.for_each else {
                continue;
            };
            let Ok(Value::List(list)) = scope.eval(&fe.list) else {
                continue;
            };
            for (i, element) in list.iter().enumerate() {
                let Some(item) = items.next() else { break };
                let mut s = Scope::new(
                    prog,
                    facts,
                    now,
                    Some((i, std::borrow::Cow::Owned(element.clone()))),
                    opts.max_steps,
                );
                let seen = outcomes(
                    item.matched.iter().map(|m| &*m.rule),
                    item.errors.iter().filter_map(|e| e.rule.as_deref()),
                    item.not_matched.iter().map(|m| &*m.rule),
                );
                let at = Some((item.id.as_str(), item.path.as_str()));
                let checks =
                    |id: &str, kind, matched| pinned::checks(expect, d, id, kind, matched, at);
                walk_rules(info, &mut s, &seen, &checks, &mut self.out);
            }
        }
    }

    /// The coverage recorded so far.
    pub fn finish(self) -> Coverage {
        let (mut goals, mut covered) = (0, 0);
        for r in &self.out {
            let (g, m) = r.goals();
            goals += g;
            covered += m;
        }
        let percent = if goals == 0 {
            100.0
        } else {
            (covered as f64 * 1000.0 / goals as f64).round() / 10.0
        };
        Coverage {
            percent,
            covered,
            goals,
            rules: self.out,
            unreachable: Vec::new(),
        }
    }
}

/// Counts a scope's rule outcomes and walks the chains of the rules it evaluated.
fn walk_rules<'s, 'e: 's>(
    info: &PolicyInfo<'e>,
    scope: &mut Scope<'s>,
    seen: &[(String, Seen)],
    checks: &dyn Fn(&str, RuleKind, bool) -> bool,
    out: &mut [RuleCoverage],
) {
    for (id, what) in seen {
        let Some(r) = info.by_id.get(id).and_then(|&ri| info.rules.get(ri)) else {
            continue;
        };
        let Some(rc) = out.get_mut(r.slot) else {
            continue;
        };
        match what {
            Seen::Matched => rc.matched += 1,
            Seen::Missed => rc.not_matched += 1,
            Seen::Errored => rc.errored += 1,
        }
        // A condition counts as decisive only where the case checks its rule: there
        // a test would fail if the condition were decided the other way.
        if !checks(id, r.rule.kind, *what == Seen::Matched) {
            continue;
        }
        if let Some(w) = &r.when {
            walk(scope, w, rc);
        }
        if *what == Seen::Matched && r.rule.kind == RuleKind::Review {
            for s in &r.statuses {
                if walk(scope, s, rc) != Tri::F {
                    break;
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Matched,
    Missed,
    Errored,
}

fn outcomes<'a>(
    matched: impl Iterator<Item = &'a str>,
    errored: impl Iterator<Item = &'a str>,
    missed: impl Iterator<Item = &'a str>,
) -> Vec<(String, Seen)> {
    matched
        .map(|r| (r.to_string(), Seen::Matched))
        .chain(errored.map(|r| (r.to_string(), Seen::Errored)))
        .chain(missed.map(|r| (r.to_string(), Seen::Missed)))
        .collect()
}

fn chain<'e>(p: &'e Code, e: &'e Node, clause: String, rc: &mut RuleCoverage) -> Chain<'e> {
    let mut leaves = Vec::new();
    let formula = build(p, e, None, &mut leaves, 0);
    let first = (leaves.len() > 1).then(|| {
        let first = rc.conditions.len();
        for (leaf, via) in &leaves {
            rc.conditions.push(ConditionCoverage {
                condition: leaf.text().to_string(),
                clause: clause.clone(),
                location: leaf.span.location_col(),
                via_let: via.clone(),
                decisive_true: false,
                decisive_false: false,
            });
        }
        first
    });
    Chain {
        formula,
        leaves: leaves.into_iter().map(|(l, _)| l).collect(),
        first,
    }
}

fn build<'e>(
    p: &'e Code,
    e: &'e Node,
    via: Option<&str>,
    leaves: &mut Vec<(&'e Node, Option<String>)>,
    depth: usize,
) -> Formula {
    let go = |x: &'e Node, leaves: &mut Vec<_>| Box::new(build(p, x, via, leaves, depth));
    match &e.kind {
        NodeKind::Binary(BinaryOp::And, a, b) => {
            let a = go(a, leaves);
            Formula::And(a, go(b, leaves))
        }
        NodeKind::Binary(BinaryOp::Or, a, b) => {
            let a = go(a, leaves);
            Formula::Or(a, go(b, leaves))
        }
        NodeKind::Unary(UnaryOp::Not, a) => Formula::Not(go(a, leaves)),
        NodeKind::Name(n) if depth < MAX_LET_DEPTH => {
            // A let as the compiler resolved it (`syntax::scoping`), not by its name.
            let def = match e.slot {
                Slot::Let(i) => p.lets.get(i as usize).map(|l| &l.value),
                _ => None,
            };
            match def {
                Some(d) if is_chain(d) => build(p, d, Some(n), leaves, depth + 1),
                _ => leaf(e, via, leaves),
            }
        }
        _ => leaf(e, via, leaves),
    }
}

fn leaf<'e>(
    e: &'e Node,
    via: Option<&str>,
    leaves: &mut Vec<(&'e Node, Option<String>)>,
) -> Formula {
    leaves.push((e, via.map(str::to_string)));
    Formula::Leaf(leaves.len() - 1)
}

fn is_chain(e: &Node) -> bool {
    matches!(
        e.kind,
        NodeKind::Binary(BinaryOp::And | BinaryOp::Or, ..) | NodeKind::Unary(UnaryOp::Not, _)
    )
}

/// Evaluates a chain's leaves, marks the decisive ones, and returns the chain's value.
fn walk<'s, 'e: 's>(scope: &mut Scope<'s>, c: &Chain<'e>, rc: &mut RuleCoverage) -> Tri {
    let mut values: Vec<Tri> = Vec::with_capacity(c.leaves.len());
    for leaf in &c.leaves {
        // Safe to evaluate every leaf, even those the evaluator skipped: evaluation
        // has no effects, and a leaf that fails is simply E.
        values.push(match scope.condition(leaf) {
            Ok(true) => Tri::T,
            Ok(false) => Tri::F,
            Err(_) => Tri::E,
        });
    }
    let whole = c.formula.eval(&values);
    let Some(first) = c.first else {
        return whole;
    };
    for i in 0..values.len() {
        let Some(&v) = values.get(i) else { continue };
        let flipped = match v {
            Tri::T => Tri::F,
            Tri::F => Tri::T,
            Tri::E => continue,
        };
        if let Some(slot) = values.get_mut(i) {
            *slot = flipped;
        }
        let changed = c.formula.eval(&values) != whole;
        if let Some(slot) = values.get_mut(i) {
            *slot = v;
        }
        if changed {
            if let Some(cc) = rc.conditions.get_mut(first + i) {
                if v == Tri::T {
                    cc.decisive_true = true;
                } else {
                    cc.decisive_false = true;
                }
            }
        }
    }
    whole
}

impl Coverage {
    /// The rules that did not meet every goal, with what they missed.
    pub fn gaps(&self) -> Vec<(&RuleCoverage, Vec<String>, Vec<&ConditionCoverage>)> {
        self.rules
            .iter()
            .filter_map(|r| {
                let gaps = r.gaps();
                let conds: Vec<&ConditionCoverage> =
                    r.conditions.iter().filter(|c| !c.decisive()).collect();
                (!gaps.is_empty() || !conds.is_empty()).then_some((r, gaps, conds))
            })
            .collect()
    }

    /// The text rendering: a table of rules, then the gaps, then the percentage.
    pub fn text(&self, color: bool) -> String {
        let mut out = String::new();
        let width = self
            .rules
            .iter()
            .map(|r| r.rule.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let _ = writeln!(
            out,
            "coverage  {:<width$}  matched  not matched  errored  conditions",
            "rule"
        );
        for r in &self.rules {
            let decisive = r.conditions.iter().filter(|c| c.decisive()).count();
            let conds = if r.conditions.is_empty() {
                "-".to_string()
            } else {
                format!("{decisive}/{}", r.conditions.len())
            };
            let (g, m) = r.goals();
            let mark = if g == m { "ok" } else { "GAP" };
            let mark = if color {
                format!("\x1b[{}m{mark:<4}\x1b[0m", if g == m { "32" } else { "33" })
            } else {
                format!("{mark:<4}")
            };
            let _ = writeln!(
                out,
                "  {mark}    {:<width$}  {:>7}  {:>11}  {:>7}  {:>10}",
                r.rule, r.matched, r.not_matched, r.errored, conds
            );
        }
        let gaps = self.gaps();
        if !gaps.is_empty() {
            out.push('\n');
            for (r, what, conds) in gaps {
                let _ = writeln!(out, "{} ({})", r.rule, r.source);
                for w in what {
                    let _ = writeln!(out, "  {w}");
                }
                for c in conds {
                    let via = c
                        .via_let
                        .as_ref()
                        .map_or(String::new(), |l| format!(", through let `{l}`"));
                    let _ = writeln!(
                        out,
                        "  never decisive: {}  (in `{}`{via}; {})",
                        c.condition, c.clause, c.location
                    );
                }
            }
        }
        let outcome_goals: usize = self
            .rules
            .iter()
            .map(|r| r.goals().0 - r.conditions.len())
            .sum();
        let outcome_met: usize = self
            .rules
            .iter()
            .map(|r| r.goals().1 - r.conditions.iter().filter(|c| c.decisive()).count())
            .sum();
        let conds: usize = self.rules.iter().map(|r| r.conditions.len()).sum();
        let decisive: usize = self
            .rules
            .iter()
            .map(|r| r.conditions.iter().filter(|c| c.decisive()).count())
            .sum();
        let _ = writeln!(
            out,
            "\ncoverage: {:.1}% ({} of {} goals: {outcome_met} of {outcome_goals} rule outcomes, {decisive} of {conds} conditions decisive)",
            self.percent, self.covered, self.goals
        );
        out
    }
}
