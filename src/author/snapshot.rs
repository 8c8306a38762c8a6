//! Golden decision files: each snapshot's decision is kept beside it and every run
//! compares the decision made now with it.
//!
//! `case.yaml` (or `case.json`) → `case.decision.yaml`, written exactly as
//! `bylaw evaluate --format yaml` prints it (fields in a fixed order, nothing volatile:
//! no times of the run, no near misses). A JSONL file of snapshots `cases.jsonl` →
//! `cases.decision.jsonl`: one line per decided snapshot, `{"line": N, "id": …,
//! "decision": …}` as `bylaw evaluate --facts-jsonl` prints it. A run sorts every case
//! into unchanged, changed (with a [`Delta`]), new (no golden yet) or bad input, and
//! lists the goldens whose snapshot is gone (orphans). [`Run::apply`] writes what is
//! accepted.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value as J;

use crate::author::delta::{Class, Delta};
use crate::decision::Decision;
use crate::run::batch::Record;
use crate::run::corpus::{Case, Corpus, Input};
use crate::run::engine::{Engine, Options};
use crate::run::golden::golden_path;
use crate::run::golden::is_golden;
use crate::run::pipeline::{case_positions, Broken, Pipeline};
use crate::value::Value;

/// A decision as a golden file holds it: the YAML of `bylaw evaluate --format yaml`.
pub fn render(decision: &Decision) -> Result<String, SnapshotError> {
    serde_yaml::to_string(decision).map_err(|e| SnapshotError::Render(e.to_string()))
}

/// A decision as a line of a JSONL golden (no newline).
fn render_line(line: usize, snapshot: &Value, decision: Decision) -> Result<String, SnapshotError> {
    let record = Record {
        line: Some(line),
        file: None,
        id: snapshot.get("id").map(|v| v.to_string()),
        decision: Some(decision),
        error: None,
    };
    serde_json::to_string(&record).map_err(|e| SnapshotError::Render(e.to_string()))
}

/// What can stop a snapshot run.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The corpus cannot be listed.
    #[error(transparent)]
    Corpus(#[from] crate::run::corpus::CorpusError),
    /// A file cannot be read or written.
    #[error("`{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A decision cannot be written out.
    #[error("cannot render a decision: {0}")]
    Render(String),
    /// A golden that would be written or deleted through a symbolic link.
    #[error("{0}")]
    Link(String),
}

/// Where one case stands against its golden.
#[derive(Debug, Clone)]
pub enum State {
    /// The decision is the golden's.
    Unchanged,
    /// The decision differs from the golden's.
    Changed {
        /// How.
        delta: Delta,
        /// The golden it would be now.
        actual: String,
    },
    /// The golden cannot be read: it will be replaced.
    BadGolden {
        /// Why.
        error: String,
        /// The golden it would be now.
        actual: String,
    },
    /// No golden yet.
    New {
        /// The decision, with the rules that matched (`denied: a.b, c.d`).
        summary: String,
        /// The golden it would be.
        actual: String,
    },
    /// The snapshot cannot be read.
    BadInput {
        /// Why.
        error: String,
    },
}

/// One case and where it stands.
#[derive(Debug, Clone)]
pub struct CaseReport {
    /// The case.
    pub case: Case,
    /// Its golden file.
    pub golden: PathBuf,
    /// Where it stands.
    pub state: State,
}

/// A golden whose snapshot is gone: a file, or a line of a JSONL golden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    /// The golden file.
    pub golden: PathBuf,
    /// The snapshot's line, for a JSONL golden whose line is gone.
    pub line: Option<usize>,
}

impl Orphan {
    /// How reports name it.
    pub fn name(&self) -> String {
        match self.line {
            Some(n) => format!("{} (line {n})", self.golden.display()),
            None => self.golden.display().to_string(),
        }
    }
}

/// The counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Cases whose decision is the golden's.
    pub unchanged: usize,
    /// Cases whose decision differs (or whose golden cannot be read).
    pub changed: usize,
    /// Cases without a golden.
    pub new: usize,
    /// Goldens without a snapshot.
    pub orphaned: usize,
    /// Snapshots that cannot be read.
    pub bad_input: usize,
}

impl Summary {
    /// Whether every golden matches (bad input aside).
    pub fn clean(&self) -> bool {
        self.changed == 0 && self.new == 0 && self.orphaned == 0
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} unchanged, {} changed, {} new, {} orphaned, {} bad input",
            self.unchanged, self.changed, self.new, self.orphaned, self.bad_input
        )
    }
}

/// The JSONL goldens of a run, per golden file: line → the golden's text, or why the
/// golden cannot be read.
type JsonlGoldens = BTreeMap<PathBuf, Result<BTreeMap<usize, String>, String>>;

/// The result of comparing a corpus with its goldens.
#[derive(Debug)]
pub struct Run {
    /// Every case that is not unchanged, in corpus order.
    pub cases: Vec<CaseReport>,
    /// Goldens without a snapshot.
    pub orphans: Vec<Orphan>,
    unchanged: usize,
    jsonl: JsonlGoldens,
}

/// Compares the decision on every case of `corpus` with its golden, on `workers` threads.
/// Decisions are made with the default options (the snapshot's own `now`, no near misses)
/// so that a golden depends on nothing but the snapshot and the rules.
pub fn check(engine: &Engine, corpus: &Corpus, workers: usize) -> Result<Run, SnapshotError> {
    let opts = Options::default();
    let clashes = clashes(corpus);
    let jsonl = load_jsonl_goldens(corpus);
    let mut run = Run {
        cases: Vec::new(),
        orphans: Vec::new(),
        unchanged: 0,
        jsonl: BTreeMap::new(),
    };
    let mut seen_lines: BTreeMap<PathBuf, BTreeSet<usize>> = BTreeMap::new();
    let pipeline = Pipeline::new(engine).on_broken(Broken::DecideAnyway);
    corpus
        .for_each(
            workers,
            |case, snapshot| compare_case(&pipeline, &opts, &jsonl, &clashes, case, snapshot),
            |report| {
                if let Some(n) = report.case.line {
                    seen_lines
                        .entry(report.golden.clone())
                        .or_default()
                        .insert(n);
                }
                match report.state {
                    State::Unchanged => run.unchanged += 1,
                    _ => run.cases.push(report),
                }
                Ok(())
            },
        )
        .map_err(|source| SnapshotError::Io {
            path: "the corpus".into(),
            source,
        })?;
    run.orphans = orphans(corpus, &jsonl, &seen_lines)?;
    run.jsonl = jsonl;
    Ok(run)
}

/// Snapshots that would share a golden with an earlier one (`a.json` and `a.yaml`).
fn clashes(corpus: &Corpus) -> BTreeMap<PathBuf, PathBuf> {
    let mut first: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for input in &corpus.inputs {
        let golden = golden_path(input.path());
        match first.get(&golden) {
            Some(other) => {
                out.insert(input.path().to_path_buf(), other.to_path_buf());
            }
            None => {
                first.insert(golden, input.path());
            }
        }
    }
    out
}

fn load_jsonl_goldens(corpus: &Corpus) -> JsonlGoldens {
    let mut out = BTreeMap::new();
    for input in &corpus.inputs {
        let Input::Jsonl(path) = input else { continue };
        let golden = golden_path(path);
        let loaded = match std::fs::read_to_string(&golden) {
            Ok(text) => {
                parse_jsonl_golden(&text).map_err(|e| format!("`{}`: {e}", golden.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(format!("`{}`: {e}", golden.display())),
        };
        out.insert(golden, loaded);
    }
    out
}

fn parse_jsonl_golden(text: &str) -> Result<BTreeMap<usize, String>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: J = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let n = record
            .get("line")
            .and_then(J::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| format!("line {}: no `line` number", i + 1))?;
        out.insert(n, line.to_string());
    }
    Ok(out)
}

fn compare_case(
    pipeline: &Pipeline<'_>,
    opts: &Options,
    jsonl: &JsonlGoldens,
    clashes: &BTreeMap<PathBuf, PathBuf>,
    case: Case,
    snapshot: Result<Value, String>,
) -> CaseReport {
    let golden = golden_path(&case.path);
    let state = match (clashes.get(&case.path), snapshot) {
        (Some(other), _) => State::BadInput {
            error: format!(
                "`{}` and `{}` would share the golden `{}`: rename one",
                other.display(),
                case.path.display(),
                golden.display()
            ),
        },
        (None, Err(error)) => State::BadInput { error },
        (None, Ok(read)) => {
            // Decided as `bylaw evaluate` decides it: conformed to the schema first.
            let snapshot =
                match pipeline.conform_located(&read, &case.name(), || case_positions(&case)) {
                    Ok(s) => s,
                    Err(e) => {
                        return CaseReport {
                            state: State::BadInput {
                                error: e.to_string(),
                            },
                            case,
                            golden,
                        }
                    }
                };
            let decision = pipeline.decide(&snapshot, opts);
            let summary = summarize(&decision);
            match case.line {
                None => match render(&decision) {
                    Ok(actual) => against_file(&golden, actual, summary),
                    Err(e) => State::BadInput {
                        error: e.to_string(),
                    },
                },
                Some(n) => match render_line(n, snapshot.value(), decision) {
                    Ok(actual) => against_line(jsonl.get(&golden), n, actual, summary),
                    Err(e) => State::BadInput {
                        error: e.to_string(),
                    },
                },
            }
        }
    };
    CaseReport {
        case,
        golden,
        state,
    }
}

/// `denied: a.b, c.d` — the decision and the rules that matched, for a new case.
fn summarize(d: &Decision) -> String {
    let mut rules: Vec<&str> = Vec::new();
    for m in d
        .matched
        .iter()
        .chain(d.items.iter().flat_map(|i| &i.matched))
    {
        if !rules.contains(&&*m.rule) {
            rules.push(&m.rule);
        }
    }
    if rules.is_empty() {
        d.decision.as_str().to_string()
    } else {
        format!("{}: {}", d.decision.as_str(), rules.join(", "))
    }
}

fn against_file(golden: &Path, actual: String, summary: String) -> State {
    let text = match std::fs::read_to_string(golden) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return State::New { summary, actual }
        }
        Err(e) => {
            return State::BadGolden {
                error: e.to_string(),
                actual,
            }
        }
    };
    if text == actual {
        return State::Unchanged;
    }
    let (before, after) = match (
        serde_yaml::from_str::<J>(&text),
        serde_yaml::from_str::<J>(&actual),
    ) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => {
            return State::BadGolden {
                error: e.to_string(),
                actual,
            }
        }
    };
    let delta = Delta::between(&before, &after);
    if delta.class() == Class::Unchanged {
        // Laid out differently (edited by hand?) but the same decision.
        State::Unchanged
    } else {
        State::Changed { delta, actual }
    }
}

fn against_line(
    golden: Option<&Result<BTreeMap<usize, String>, String>>,
    line: usize,
    actual: String,
    summary: String,
) -> State {
    let text = match golden {
        None => return State::New { summary, actual },
        Some(Err(error)) => {
            return State::BadGolden {
                error: error.clone(),
                actual,
            }
        }
        Some(Ok(lines)) => match lines.get(&line) {
            Some(t) => t,
            None => return State::New { summary, actual },
        },
    };
    if *text == actual {
        return State::Unchanged;
    }
    let (before, after) = match (
        serde_json::from_str::<J>(text),
        serde_json::from_str::<J>(&actual),
    ) {
        (Ok(b), Ok(a)) => (b, a),
        (Err(e), _) | (_, Err(e)) => {
            return State::BadGolden {
                error: e.to_string(),
                actual,
            }
        }
    };
    let decision = |r: &J| r.get("decision").cloned().unwrap_or(J::Null);
    let mut delta = Delta::between(&decision(&before), &decision(&after));
    if before.get("id") != after.get("id") {
        delta.changes.push(crate::author::delta::Change {
            item: None,
            rule: None,
            what: crate::author::delta::What::Other {
                what: "the snapshot's `id` changed".into(),
            },
        });
    }
    if delta.class() == Class::Unchanged {
        State::Unchanged
    } else {
        State::Changed { delta, actual }
    }
}

fn orphans(
    corpus: &Corpus,
    jsonl: &JsonlGoldens,
    seen_lines: &BTreeMap<PathBuf, BTreeSet<usize>>,
) -> Result<Vec<Orphan>, SnapshotError> {
    let expected: BTreeSet<PathBuf> = corpus
        .inputs
        .iter()
        .map(|i| golden_path(i.path()))
        .collect();
    let mut out = Vec::new();
    for folder in &corpus.folders {
        for file in crate::run::corpus::walk(folder, &is_golden)?.files {
            if !expected.contains(&file) {
                out.push(Orphan {
                    golden: file,
                    line: None,
                });
            }
        }
    }
    for (golden, lines) in jsonl {
        let Ok(lines) = lines else { continue };
        let seen = seen_lines.get(golden);
        for n in lines.keys() {
            if !seen.is_some_and(|s| s.contains(n)) {
                out.push(Orphan {
                    golden: golden.clone(),
                    line: Some(*n),
                });
            }
        }
    }
    out.dedup();
    Ok(out)
}

/// Something a run can accept: a changed or new case, the cases where only source
/// locations moved (asked about together), or an orphan to remove.
#[derive(Debug, Clone)]
pub enum Pending<'a> {
    /// A changed or new case (or one whose golden cannot be read).
    Case(&'a CaseReport),
    /// Every case whose only change is source locations that moved.
    Moves(Vec<&'a CaseReport>),
    /// A golden without a snapshot.
    Orphan(&'a Orphan),
}

impl Pending<'_> {
    /// The pending change for people; a new case shows the whole golden it would get.
    pub fn render(&self) -> String {
        match self {
            Pending::Case(c) => render_case(c, true),
            Pending::Moves(cases) => render_moves(cases),
            Pending::Orphan(o) => render_orphan(o),
        }
    }
}

/// Whether a case changed in nothing but source locations.
fn moved_only(c: &CaseReport) -> bool {
    matches!(&c.state, State::Changed { delta, .. } if delta.class() == Class::SourceOnly)
}

/// An answer to "accept this?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Write the golden (or remove the orphan).
    Accept,
    /// Keep the golden as it is.
    Skip,
    /// Accept this one and all the rest.
    AcceptAll,
    /// Keep this one and all the rest.
    Quit,
}

/// What [`Run::apply`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Goldens written (JSONL lines count one each).
    pub written: usize,
    /// Orphans removed.
    pub removed: usize,
    /// Changed, new or orphaned cases left as they were.
    pub kept: usize,
}

impl Run {
    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            unchanged: self.unchanged,
            orphaned: self.orphans.len(),
            ..Summary::default()
        };
        for c in &self.cases {
            match c.state {
                State::Unchanged => s.unchanged += 1,
                State::Changed { .. } | State::BadGolden { .. } => s.changed += 1,
                State::New { .. } => s.new += 1,
                State::BadInput { .. } => s.bad_input += 1,
            }
        }
        s
    }

    /// What to accept or not: changed and new cases in corpus order, then the cases where
    /// only source locations moved (together), then the orphans.
    pub fn pending(&self) -> Vec<Pending<'_>> {
        let mut out: Vec<Pending<'_>> = self
            .cases
            .iter()
            .filter(|c| !matches!(c.state, State::Unchanged | State::BadInput { .. }))
            .filter(|c| !moved_only(c))
            .map(Pending::Case)
            .collect();
        let moves: Vec<&CaseReport> = self.cases.iter().filter(|c| moved_only(c)).collect();
        if !moves.is_empty() {
            out.push(Pending::Moves(moves));
        }
        out.extend(self.orphans.iter().map(Pending::Orphan));
        out
    }

    /// Asks `choose` about each pending case in turn and writes (or removes) the goldens
    /// accepted.
    pub fn apply(
        &self,
        mut choose: impl FnMut(&Pending<'_>) -> Answer,
    ) -> Result<Applied, SnapshotError> {
        let mut applied = Applied::default();
        let mut all = None;
        // JSONL goldens are rewritten once at the end, with the lines accepted.
        let mut lines: BTreeMap<&Path, (BTreeMap<usize, String>, bool)> = BTreeMap::new();
        for (golden, loaded) in &self.jsonl {
            lines.insert(golden, (loaded.clone().unwrap_or_default(), false));
        }
        for p in self.pending() {
            let answer = all.unwrap_or_else(|| choose(&p));
            match answer {
                Answer::AcceptAll => all = Some(Answer::Accept),
                Answer::Quit => all = Some(Answer::Skip),
                Answer::Accept | Answer::Skip => {}
            }
            let accepted = matches!(answer, Answer::Accept | Answer::AcceptAll);
            let cases = match &p {
                Pending::Case(c) => vec![*c],
                Pending::Moves(cases) => cases.clone(),
                Pending::Orphan(_) => Vec::new(),
            };
            if !accepted {
                applied.kept += cases.len().max(1);
                continue;
            }
            for c in cases {
                let actual = match &c.state {
                    State::Changed { actual, .. }
                    | State::BadGolden { actual, .. }
                    | State::New { actual, .. } => actual,
                    State::Unchanged | State::BadInput { .. } => continue,
                };
                match (c.case.line, lines.get_mut(c.golden.as_path())) {
                    (Some(n), Some((golden, dirty))) => {
                        golden.insert(n, actual.clone());
                        *dirty = true;
                    }
                    _ => write(&c.golden, actual)?,
                }
                applied.written += 1;
            }
            match p {
                Pending::Case(_) | Pending::Moves(_) => {}
                Pending::Orphan(o) => {
                    match (o.line, lines.get_mut(o.golden.as_path())) {
                        (Some(n), Some((golden, dirty))) => {
                            golden.remove(&n);
                            *dirty = true;
                        }
                        _ => {
                            not_a_link(&o.golden)?;
                            std::fs::remove_file(&o.golden).map_err(|source| SnapshotError::Io {
                                path: o.golden.display().to_string(),
                                source,
                            })?
                        }
                    }
                    applied.removed += 1;
                }
            }
        }
        for (golden, (content, dirty)) in lines {
            if !dirty {
                continue;
            }
            if content.is_empty() {
                not_a_link(golden)?;
                match std::fs::remove_file(golden) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(SnapshotError::Io {
                            path: golden.display().to_string(),
                            source: e,
                        })
                    }
                    _ => {}
                }
                continue;
            }
            let text: String = content.values().map(|l| format!("{l}\n")).collect();
            write(golden, &text)?;
        }
        Ok(applied)
    }

    /// Accepts everything: writes every changed and new golden, removes every orphan.
    pub fn accept_all(&self) -> Result<Applied, SnapshotError> {
        self.apply(|_| Answer::Accept)
    }

    /// The report for people: each case that is not unchanged, each orphan, and the
    /// summary line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for c in self.cases.iter().filter(|c| !moved_only(c)) {
            out.push_str(&render_case(c, false));
        }
        let moves: Vec<&CaseReport> = self.cases.iter().filter(|c| moved_only(c)).collect();
        if !moves.is_empty() {
            out.push_str(&render_moves(&moves));
        }
        for o in &self.orphans {
            out.push_str(&render_orphan(o));
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }
}

/// One case for people; with `full`, a new case shows the whole golden it would get.
pub fn render_case(c: &CaseReport, full: bool) -> String {
    let name = c.case.name();
    let mut out = String::new();
    match &c.state {
        State::Unchanged => {}
        State::Changed { delta, .. } => {
            let what = match delta.class() {
                Class::SourceOnly => " (only source locations moved)",
                _ => "",
            };
            let _ = writeln!(out, "changed: {name}{what}");
            out.push_str(&delta.render(2));
        }
        State::BadGolden { error, .. } => {
            let _ = writeln!(
                out,
                "changed: {name}\n  the golden `{}` cannot be read: {error}",
                c.golden.display()
            );
        }
        State::New { summary, actual } => {
            let _ = writeln!(out, "new: {name} → {summary}");
            if full {
                for line in actual.lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
        State::BadInput { error } => {
            let _ = writeln!(out, "bad input: {name}\n  {error}");
        }
    }
    out
}

/// The cases where only source locations moved, together: each move once, then the cases.
pub(crate) fn render_moves(cases: &[&CaseReport]) -> String {
    const NAMED: usize = 10;
    let mut moves: Vec<(String, String, Vec<String>)> = Vec::new();
    for c in cases {
        let State::Changed { delta, .. } = &c.state else {
            continue;
        };
        for (from, to, rules) in delta.source_moves() {
            match moves.iter_mut().find(|(f, t, _)| *f == from && *t == to) {
                Some((_, _, known)) => {
                    for r in rules {
                        if !known.contains(&r) {
                            known.push(r);
                        }
                    }
                }
                None => moves.push((from, to, rules)),
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "changed: {} case{} where only source locations moved (rule files edited around the rules):",
        cases.len(),
        if cases.len() == 1 { "" } else { "s" }
    );
    let moves: Vec<(String, String, String)> = moves
        .into_iter()
        .map(|(from, to, rules)| (from, to, rules.join(", ")))
        .collect();
    for line in crate::author::delta::describe_moves(&moves) {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "  in:");
    for c in cases.iter().take(NAMED) {
        let _ = writeln!(out, "    {}", c.case.name());
    }
    let more = cases.len().saturating_sub(NAMED);
    if more > 0 {
        let _ = writeln!(out, "    … and {more} more");
    }
    out
}

/// An orphan for people.
pub(crate) fn render_orphan(o: &Orphan) -> String {
    format!("orphaned: {}: its snapshot is gone\n", o.name())
}

/// A golden is written or deleted only as a file of its own: through a link, the change
/// would land outside the corpus (the walk follows no link to a folder, so the folders
/// a golden is found in are the corpus's own).
fn not_a_link(path: &Path) -> Result<(), SnapshotError> {
    crate::input::walk::refuse_link(path, path.parent().unwrap_or(Path::new("")))
        .map_err(SnapshotError::Link)
}

fn write(path: &Path, text: &str) -> Result<(), SnapshotError> {
    not_a_link(path)?;
    std::fs::write(path, text).map_err(|source| SnapshotError::Io {
        path: path.display().to_string(),
        source,
    })
}
