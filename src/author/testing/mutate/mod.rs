//! `bylaw test --mutate`: mutation testing of rule files.
//!
//! A mutant is the rule set with one small edit that changes what a policy means: a
//! boundary moved (`>=` → `>`), a literal nudged to its nearest different value, one
//! side of an `and` dropped, a `not` removed… ([`operators`]). Mutants are made in
//! memory from the parsed rules (`walk`), checked and compiled like any rule set,
//! and the author tests and the golden decisions are run against each, on all cores.
//! A mutant some test or golden notices is *killed*; one that passes everything
//! *survived*, and the report names the case that would kill it. A mutant the checker
//! refuses is *invalid* (no author could write it), and one the author declares
//! equivalent, with a reason, is listed apart ([`equivalent`]).
//!
//! ```no_run
//! use bylaw::author::testing::mutate::{self, Suite};
//!
//! let sources = bylaw::run::engine::rule_sources("rules".as_ref())?;
//! let suite = Suite::load(&["rules/tests".into()], &["tests/scenarios".into()])?;
//! let report = mutate::run(sources, &suite, &[], 2)?;
//! println!("kill rate {:.1}%", report.kill_rate());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod equivalent;
pub mod operators;
mod report;
mod suite;
mod walk;

use crate::limits::Limits;
use crate::run::engine::{Engine, LoadError};

pub use equivalent::Declared;
pub use operators::EditKind;
pub use suite::{Suite, SuiteError};

/// What became of a mutant.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum Fate {
    /// A test case failed or a golden decision changed.
    Killed {
        /// The first case that noticed: `FILE: CASE` or a golden's snapshot.
        by: String,
    },
    /// Every test passed and every golden held.
    Survived,
    /// Declared equivalent to the rules as written.
    Equivalent {
        /// Why no test can tell them apart.
        reason: String,
    },
    /// The checker refuses the edited rules.
    Invalid {
        /// The checker's first complaint.
        reason: String,
    },
}

/// One mutant and its fate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Mutant {
    /// `FILE:LINE` of the edited expression.
    pub at: String,
    /// `FILE:LINE:COL`.
    pub at_col: String,
    /// What the edited expression belongs to: `deny not_inactive`, `let inactive`.
    pub owner: String,
    /// The kind of edit.
    pub kind: EditKind,
    /// The edit: "`>=` → `>`".
    pub edit: String,
    /// The case that would kill it.
    pub hint: String,
    /// What became of it.
    #[serde(flatten)]
    pub fate: Fate,
}

/// Every mutant of a rule set, with what became of each.
#[derive(Debug, Clone, Default)]
pub struct MutationReport {
    /// In rule-file order.
    pub mutants: Vec<Mutant>,
    /// Declarations of equivalence that match no surviving mutant (stale: the mutant
    /// is gone, or a test now kills it).
    pub stale: Vec<Declared>,
    /// Test cases and golden decisions each mutant was run against.
    pub cases: usize,
    /// Golden snapshots not used, with why (JSONL files, snapshots without a golden).
    pub skipped: Vec<String>,
}

impl MutationReport {
    fn count(&self, f: impl Fn(&Fate) -> bool) -> usize {
        self.mutants.iter().filter(|m| f(&m.fate)).count()
    }

    /// Mutants some test killed.
    pub fn killed(&self) -> usize {
        self.count(|f| matches!(f, Fate::Killed { .. }))
    }

    /// Mutants no test killed.
    pub fn survived(&self) -> usize {
        self.count(|f| matches!(f, Fate::Survived))
    }

    /// Mutants declared equivalent.
    pub fn equivalent(&self) -> usize {
        self.count(|f| matches!(f, Fate::Equivalent { .. }))
    }

    /// Mutants the checker refuses.
    pub fn invalid(&self) -> usize {
        self.count(|f| matches!(f, Fate::Invalid { .. }))
    }

    /// Killed mutants as a percentage of those that could be killed (killed and
    /// survived); 100 when there are none.
    pub fn kill_rate(&self) -> f64 {
        let (k, s) = (self.killed(), self.survived());
        if k + s == 0 {
            100.0
        } else {
            k as f64 * 100.0 / (k + s) as f64
        }
    }
}

/// A rule set that cannot be mutation tested.
#[derive(Debug, thiserror::Error)]
pub enum MutateError {
    /// The rules do not load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The tests or goldens fail on the rules as written: a mutant's fate would mean
    /// nothing.
    #[error("the tests must pass on the rules as written before mutants can be judged; first failure: {0}")]
    Baseline(String),
}

/// Makes every mutant of the rule files `sources` (as [`crate::run::engine::rule_sources`]
/// gives them) and runs `suite` against each on `workers` threads. `declared` are the
/// author's declarations of equivalent mutants.
pub fn run(
    sources: Vec<(String, String)>,
    suite: &Suite,
    declared: &[Declared],
    workers: usize,
) -> Result<MutationReport, MutateError> {
    let limits = Limits::default();
    let policies = Engine::parse_sources(sources, &limits)?;
    let original = Engine::from_policies(policies.clone(), &limits)
        .map_err(|ds| MutateError::Load(LoadError::Invalid(ds)))?;
    if let Some(failure) = suite.first_failure(&original) {
        return Err(MutateError::Baseline(failure));
    }
    // (policy, node, edit) of every mutant, with how it is reported.
    let mut plan = Vec::new();
    for (pi, p) in policies.iter().enumerate() {
        for site in walk::sites(p) {
            for (ei, edit) in site.edits.iter().enumerate() {
                plan.push((pi, site.node, ei, site.clone(), edit.clone()));
            }
        }
    }
    let mut mutants = Vec::with_capacity(plan.len());
    crate::run::batch::map_ordered(
        &plan,
        workers,
        |(pi, node, ei, site, edit)| {
            let mut ps = policies.clone();
            let fate = match ps.get(*pi).and_then(|p| walk::apply(p, *node, *ei)) {
                None => Fate::Invalid {
                    reason: "the edit could not be made".into(),
                },
                Some(m) => {
                    if let Some(slot) = ps.get_mut(*pi) {
                        *slot = m;
                    }
                    match Engine::from_policies(ps, &limits) {
                        Err(ds) => Fate::Invalid {
                            reason: ds.first().map(|d| d.message.clone()).unwrap_or_default(),
                        },
                        Ok(engine) => match suite.first_failure(&engine) {
                            Some(by) => Fate::Killed { by },
                            None => Fate::Survived,
                        },
                    }
                }
            };
            Mutant {
                at: site.span.location(),
                at_col: site.span.location_col(),
                owner: site.owner.clone(),
                kind: edit.kind,
                edit: edit.text.clone(),
                hint: edit.hint.clone(),
                fate,
            }
        },
        |m| {
            mutants.push(m);
            Ok(())
        },
    )
    .map_err(|e| MutateError::Baseline(format!("the workers stopped: {e}")))?;
    let stale = equivalent::apply(&mut mutants, declared);
    Ok(MutationReport {
        mutants,
        stale,
        cases: suite.len(),
        skipped: suite.skipped.clone(),
    })
}
