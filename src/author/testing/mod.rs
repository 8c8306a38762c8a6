//! `bylaw test`: test files that policy authors keep beside their rules.
//!
//! A test file is YAML with a list of cases; each case gives a snapshot (a file, inline
//! facts, or a file with a few facts changed), an optional `now`, and what the decision
//! must say. The runner decides each case with the [`Engine`] and reports
//! every expectation that does not hold; with coverage, it also records which rules and
//! conditions the cases exercised. The format is described in `docs/authoring.md`.
//!
//! ```no_run
//! use bylaw::author::testing::{self, RunOptions};
//!
//! let engine = bylaw::Engine::from_dir("rules")?;
//! let file = testing::load_file("rules/tests/unsubscribe.yaml".as_ref(), "rules/tests/unsubscribe.yaml");
//! let report = testing::run(&engine, &[file], &RunOptions::default());
//! assert_eq!(report.failed, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compare;
pub mod coverage;
mod coverage_scope;
mod file;
pub mod mutate;
mod pinned;
pub mod report;
mod rules;
pub(crate) mod scope;
pub mod snapshot;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use crate::decision::{Decision, Outcome, ReviewState};
use crate::input::walk::{walk_with, Walk};
use crate::report::diagnostic::Diagnostic;
use crate::run::engine::{Engine, Options};
use crate::run::pipeline::Broken;
use crate::syntax::Span;
use crate::value::Value;

pub use coverage::Coverage;
pub use coverage_scope::{Part, SetApart};
pub use file::parse as parse_file;

/// A value with the place in the test file where it was written.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

/// A test file, read.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// The file as shown in messages.
    pub name: String,
    /// `policy: ID`: the policy it tests.
    pub policy: Option<Spanned<String>>,
    /// Coverage goals no case can meet, with the reason.
    pub unreachable: Vec<Unreachable>,
    /// Its cases, in order.
    pub cases: Vec<Case>,
    /// Problems with the file as a whole (it is then one failure).
    pub errors: Vec<Diagnostic>,
}

impl TestFile {
    fn broken(name: &str, d: Diagnostic) -> TestFile {
        TestFile {
            name: name.to_string(),
            policy: None,
            unreachable: Vec::new(),
            cases: Vec::new(),
            errors: vec![d],
        }
    }
}

/// A coverage goal marked unreachable in a test file: counted apart, with its reason.
#[derive(Debug, Clone)]
pub struct Unreachable {
    /// The rule (`rule` within the file's policy, or `policy.rule`).
    pub rule: Spanned<String>,
    /// `matched`, `not matched`, or one of its conditions as the report shows it.
    pub goal: Spanned<String>,
    /// Why no case can meet it.
    pub reason: String,
}

/// One case: a snapshot and what its decision must say.
#[derive(Debug, Clone)]
pub struct Case {
    /// What the case shows.
    pub name: String,
    /// Where its name was written.
    pub span: Span,
    /// The snapshot (null when it could not be built: see `problems`).
    pub facts: Value,
    /// "Now", overriding the snapshot's.
    pub now: Option<DateTime<FixedOffset>>,
    /// The expectations.
    pub expect: Expect,
    /// Problems in how the case is written; a case with problems fails without running.
    pub problems: Vec<Diagnostic>,
}

/// What a decision (or one item of it) must say. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The decision.
    pub decision: Option<Spanned<Outcome>>,
    /// Rules that must match.
    pub matches: Vec<Spanned<String>>,
    /// Rules that must not match.
    pub does_not_match: Vec<Spanned<String>>,
    /// Rules that must match with this value.
    pub values: Vec<(Spanned<String>, Value)>,
    /// Review rules that must match with this status.
    pub reviews: Vec<(Spanned<String>, Spanned<ReviewExpect>)>,
    /// Rules that must be listed as not evaluable.
    pub errors: Vec<Spanned<String>>,
    /// Fact paths some error must name.
    pub error_paths: Vec<Spanned<String>>,
    /// Expectations about single items, by item ID (or path, `resources[0]`).
    pub items: Vec<(Spanned<String>, Expect)>,
}

/// An expected review status.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewExpect {
    /// pending, approved or rejected.
    pub state: ReviewState,
    /// For `approved by WHO`.
    pub by: Option<String>,
}

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Only the cases whose name (or `file: name`) contains this text.
    pub filter: Option<String>,
    /// Record coverage.
    pub coverage: bool,
    /// Only the test files of this policy (its coverage alone, too).
    pub policy: Option<String>,
}

/// Reads a test file; `shown` is how messages name it.
pub fn load_file(path: &Path, shown: &str) -> TestFile {
    file::load(path, shown)
}

/// The test files a path stands for: a file is itself; a folder holding `tests`
/// folders (beside rule files in sub-folders too; not under hidden folders) stands for
/// the YAML files under them; any other folder for the YAML files under it. Sorted,
/// so runs are reproducible. The folder is walked by the one walker
/// (`input::walk`): a dangling link, a link outside the folder or to a folder, a FIFO
/// or an unreadable folder is a skipped entry, which [`load_found`] reports as a
/// broken test file.
pub fn discover(path: &Path) -> std::io::Result<Walk> {
    if !path.is_dir() {
        return Ok(Walk {
            files: vec![path.to_path_buf()],
            skipped: Vec::new(),
        });
    }
    let yaml = |p: &Path| p.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let rel = |p: &Path| p.strip_prefix(path).unwrap_or(p).to_path_buf();
    let has_tests = std::cell::Cell::new(false);
    let enter = |p: &Path, depth: usize| {
        has_tests.set(has_tests.get() || in_tests(&rel(p)));
        depth <= 2 * MAX_DEPTH
    };
    let mut found = walk_with(path, &yaml, &enter)?;
    if has_tests.get() {
        let parent_in_tests = |p: &Path| rel(p).parent().is_some_and(in_tests);
        found.files.retain(|f| parent_in_tests(f));
        found
            .skipped
            .retain(|s| in_tests(&rel(&s.path)) || parent_in_tests(&s.path));
    }
    Ok(found)
}

/// Whether a path (relative to the folder given) is a `tests` folder or under one,
/// with no hidden folder on the way.
fn in_tests(rel: &Path) -> bool {
    for c in rel.components() {
        let name = c.as_os_str().to_string_lossy();
        if name.starts_with('.') {
            return false;
        }
        if name == "tests" {
            return true;
        }
    }
    false
}

/// The test files found, read: each skipped entry becomes a test file that fails
/// with the reason it was not read (never silently absent).
pub fn load_found(found: &Walk) -> Vec<TestFile> {
    let mut out: Vec<(PathBuf, TestFile)> = found
        .files
        .iter()
        .map(|f| (f.clone(), load_file(f, &f.display().to_string())))
        .collect();
    out.extend(found.skipped.iter().map(|s| {
        let shown = s.path.display().to_string();
        let d = Diagnostic::plain(format!("cannot read `{shown}`: {}", s.reason));
        (s.path.clone(), TestFile::broken(&shown, d))
    }));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, f)| f).collect()
}

/// Deepest folder nesting searched for test files.
const MAX_DEPTH: usize = 16;

/// Runs every case of `files` against `engine`.
pub fn run(engine: &Engine, files: &[TestFile], opts: &RunOptions) -> report::Report {
    let whole = rules::RuleIndex::new(engine, None);
    let mut cov = opts.coverage.then(|| coverage::Collector::new(engine));
    let mut out = report::Report::default();
    let mut marks = Vec::new();
    let mut notes = Vec::new();
    for f in files {
        let mut fr = report::FileReport {
            file: f.name.clone(),
            errors: f.errors.clone(),
            cases: Vec::new(),
        };
        let policy = match scope::policy_of(engine, f) {
            Ok(p) => p,
            Err(d) => {
                fr.errors.push(d);
                None
            }
        };
        if opts.policy.is_some() && opts.policy != policy {
            continue;
        }
        let isolated = policy
            .as_deref()
            .map(|p| rules::RuleIndex::new(engine, Some(p)));
        let index = isolated.as_ref().unwrap_or(&whole);
        for u in &f.unreachable {
            match index.resolve(&u.rule) {
                Ok(rule) => marks.push((rule, u.clone())),
                Err(d) => fr.errors.push(d),
            }
        }
        if !fr.errors.is_empty() {
            out.failed += 1;
        }
        for case in &f.cases {
            if let Some(filter) = &opts.filter {
                let full = format!("{}: {}", f.name, case.name);
                if !full.contains(filter.as_str()) {
                    continue;
                }
            }
            let cr = run_case(engine, index, policy.as_deref(), case, cov.as_mut());
            if cr.passed() {
                out.passed += 1;
            } else {
                out.failed += 1;
            }
            fr.cases.push(cr);
        }
        out.files.push(fr);
    }
    if let Some(filter) = &opts.filter {
        if out.passed + out.failed == 0 {
            let names = files.iter().flat_map(|f| f.cases.iter().map(|c| &c.name));
            out.notes.push(match closest_name(filter, names) {
                Some(s) => format!("no case matches `--filter {filter}`; did you mean `{s}`?"),
                None => format!("no case matches `--filter {filter}`"),
            });
        }
    }
    out.coverage = cov.map(coverage::Collector::finish).map(|c| {
        let mut c = match &opts.policy {
            Some(p) => c.of_policy(p),
            None => c,
        };
        notes = c.set_apart(&marks);
        c
    });
    out.notes.extend(notes);
    out
}

/// The case name with a stretch closest to `filter` (which is a part of a name, so
/// whole names are too long to compare with it).
fn closest_name<'n>(filter: &str, names: impl Iterator<Item = &'n String>) -> Option<&'n str> {
    let width = filter.chars().count();
    names
        .filter_map(|name| {
            let chars: Vec<char> = name.chars().collect();
            let windows: Vec<String> = (0..=chars.len().saturating_sub(width))
                .filter_map(|i| chars.get(i..i + width).map(|w| w.iter().collect()))
                .collect();
            crate::report::diagnostic::did_you_mean(filter, windows.iter().map(String::as_str))
                .map(|_| name.as_str())
        })
        .next()
}

pub(crate) fn run_case(
    engine: &Engine,
    index: &rules::RuleIndex,
    policy: Option<&str>,
    case: &Case,
    cov: Option<&mut coverage::Collector>,
) -> report::CaseReport {
    let mut cr = report::CaseReport {
        name: case.name.clone(),
        location: case.span.location(),
        problems: case.problems.clone(),
        failures: Vec::new(),
        decision: None,
    };
    cr.problems
        .extend(compare::unknown_ids(index, &case.expect));
    if !cr.problems.is_empty() {
        return cr;
    }
    let opts = Options {
        now: case.now,
        explain: true,
        ..Options::default()
    };
    // Decided as `bylaw evaluate` decides it: conformed to the fact schema first. Facts
    // that break the schema are decided as far as they conform, so that fail-closed
    // cases (a required fact missing) can be pinned.
    let pipeline = engine.pipeline().on_broken(Broken::DecideAnyway);
    let facts = match pipeline.conform(&case.facts, &case.name) {
        Ok(f) => f,
        Err(e) => {
            cr.problems.push(Diagnostic::at(
                &case.span,
                format!("the facts do not match the fact schema: {e}"),
            ));
            return cr;
        }
    };
    // A file that names its policy is decided by that policy alone.
    let d: Decision =
        match policy.and_then(|p| engine.evaluate_policy_with(p, facts.value(), &opts)) {
            Some(d) => d,
            None => pipeline.decide(&facts, &opts),
        };
    cr.failures = compare::compare(index, &case.expect, &d);
    if let Some(c) = cov {
        c.record(facts.value(), &opts, &d, &case.expect);
    }
    cr.decision = Some(d);
    cr
}
