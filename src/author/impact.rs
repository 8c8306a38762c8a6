//! The impact of a rule change before it ships: a corpus decided under the old and the
//! new rule set, the cases whose decision changed grouped by transition
//! (`allowed → needs_review`) with the rules responsible and a few examples, the cases
//! where only warnings, effects, messages or values changed, and those where rule files
//! merely moved rules to other lines.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::author::delta::{describe_moves, Change, Class, Delta, What};
use crate::run::corpus::{Case, Corpus};
use crate::run::engine::{Engine, LoadError, Options};
use crate::run::pipeline::{case_positions, Broken, Pipeline};

/// The impact report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The old rules, as given.
    pub base: String,
    /// The new rules, as given.
    pub rules: String,
    /// The counts.
    pub summary: Counts,
    /// Cases whose decision changed, one group per transition, largest first.
    pub transitions: Vec<Group>,
    /// Cases whose decision is the same but whose warnings, effects, messages, values
    /// or evidence changed.
    pub details: Group,
    /// Cases where nothing but source locations changed.
    pub source_only: SourceOnly,
    /// Snapshots that cannot be read, each with why.
    pub bad_input: Vec<BadCase>,
    /// Every case whose decision or details changed, with its rule changes.
    pub cases: Vec<ChangedCase>,
}

/// How many cases fell where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Cases read.
    pub cases: usize,
    /// Decided the same way, to the letter.
    pub unchanged: usize,
    /// Decided differently.
    pub decision_changed: usize,
    /// Same decision, other details changed.
    pub details_changed: usize,
    /// Only source locations changed.
    pub source_only: usize,
    /// Could not be read.
    pub bad_input: usize,
}

/// Cases sharing a transition (or, for details, sharing an unchanged decision).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Group {
    /// The decision before (empty for the details group).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub from: String,
    /// The decision after (empty for the details group).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub to: String,
    /// Cases in the group.
    pub count: usize,
    /// The rule changes behind it, with how many cases each occurs in, most first.
    pub rules: Vec<RuleCount>,
    /// The first few cases, in corpus order.
    pub examples: Vec<String>,
    /// The first example's changes, for people.
    #[serde(skip)]
    pub example_delta: String,
    #[serde(skip)]
    counts: BTreeMap<(String, String), usize>,
}

/// A rule change and the number of cases it occurs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// `policy.rule` (or the policy, for a policy that applies or not; `-` for an
    /// error of the request itself).
    pub rule: String,
    /// What changed, in a few words (`now matches (review, pending)`).
    pub change: String,
    /// In how many cases.
    pub count: usize,
}

/// Cases where nothing but source locations changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SourceOnly {
    /// How many.
    pub count: usize,
    /// Each move (`rules/a.bylaw:12` → `rules/a.bylaw:14`) and the cases it occurs in.
    pub moves: Vec<Move>,
    #[serde(skip)]
    counts: BTreeMap<(String, String), usize>,
}

/// A source location that moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// Before.
    pub from: String,
    /// After.
    pub to: String,
    /// In how many cases.
    pub count: usize,
}

/// A snapshot that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadCase {
    /// The case.
    pub case: String,
    /// Why.
    pub error: String,
}

/// A case whose decision or details changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedCase {
    /// The case.
    pub case: String,
    /// The decision before.
    pub before: String,
    /// The decision after.
    pub after: String,
    /// `decision` or `details`.
    pub class: Class,
    /// Its rule changes (no source moves).
    pub rules: Vec<RuleChange>,
}

/// One rule change of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    /// The item, if the change is an item's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// As in [`RuleCount::rule`].
    pub rule: String,
    /// A machine token: `matched`, `unmatched`, `status`, `error`, `value`…
    pub change: &'static str,
}

/// What one case came to, made on a worker.
enum Outcome {
    Unchanged,
    Changed(Delta),
    Bad(String),
}

/// How many example cases a group keeps.
pub const DEFAULT_EXAMPLES: usize = 3;

/// Decides every case of `corpus` under `base` and `rules` on `workers` threads and
/// reports what changed; `examples` cases are named per group.
pub fn diff(
    base: &Engine,
    rules: &Engine,
    opts: &Options,
    corpus: &Corpus,
    workers: usize,
    examples: usize,
) -> std::io::Result<Report> {
    let mut report = Report::default();
    let (before, after) = (
        Pipeline::new(base).on_broken(Broken::DecideAnyway),
        Pipeline::new(rules).on_broken(Broken::DecideAnyway),
    );
    corpus.for_each(
        workers,
        |case, snapshot| {
            // Each rule set decides the snapshot as `bylaw snapshot` would: conformed to
            // its own schema first.
            let conformed = snapshot.and_then(|read| {
                let conform = |p: &Pipeline<'_>| {
                    p.conform_located(&read, &case.name(), || case_positions(&case))
                        .map_err(|e| e.to_string())
                };
                Ok((conform(&before)?, conform(&after)?))
            });
            let outcome = match conformed {
                Err(e) => Outcome::Bad(e),
                Ok((old, new)) => {
                    let (old, new) = (before.decide(&old, opts), after.decide(&new, opts));
                    if old == new {
                        Outcome::Unchanged
                    } else {
                        match (serde_json::to_value(&old), serde_json::to_value(&new)) {
                            (Ok(o), Ok(n)) => Outcome::Changed(Delta::between(&o, &n)),
                            (Err(e), _) | (_, Err(e)) => Outcome::Bad(e.to_string()),
                        }
                    }
                }
            };
            (case, outcome)
        },
        |(case, outcome)| {
            report.add(&case, outcome, examples);
            Ok(())
        },
    )?;
    report.finish();
    Ok(report)
}

impl Report {
    fn add(&mut self, case: &Case, outcome: Outcome, examples: usize) {
        let c = &mut self.summary;
        c.cases += 1;
        let delta = match outcome {
            Outcome::Unchanged => {
                c.unchanged += 1;
                return;
            }
            Outcome::Bad(error) => {
                c.bad_input += 1;
                self.bad_input.push(BadCase {
                    case: case.name(),
                    error,
                });
                return;
            }
            Outcome::Changed(delta) => delta,
        };
        let class = delta.class();
        let group = match class {
            Class::Unchanged => {
                c.unchanged += 1;
                return;
            }
            Class::SourceOnly => {
                c.source_only += 1;
                self.source_only.count += 1;
                for (from, to, _) in delta.source_moves() {
                    *self.source_only.counts.entry((from, to)).or_default() += 1;
                }
                return;
            }
            Class::Details => {
                c.details_changed += 1;
                &mut self.details
            }
            Class::Decision => {
                c.decision_changed += 1;
                let at = self
                    .transitions
                    .iter()
                    .position(|g| g.from == delta.before && g.to == delta.after);
                let at = at.unwrap_or_else(|| {
                    self.transitions.push(Group {
                        from: delta.before.clone(),
                        to: delta.after.clone(),
                        ..Group::default()
                    });
                    self.transitions.len() - 1
                });
                match self.transitions.get_mut(at) {
                    Some(g) => g,
                    None => return,
                }
            }
        };
        let name = case.name();
        group.count += 1;
        let relevant: Vec<&Change> = relevant(&delta, class);
        let mut labels: Vec<(String, String)> = relevant
            .iter()
            .map(|ch| (subject(ch), ch.label()))
            .collect();
        labels.sort();
        labels.dedup();
        for key in labels {
            *group.counts.entry(key).or_default() += 1;
        }
        if group.examples.len() < examples {
            if group.examples.is_empty() {
                group.example_delta = delta.render(0);
            }
            group.examples.push(name.clone());
        }
        self.cases.push(ChangedCase {
            case: name,
            before: delta.before.clone(),
            after: delta.after.clone(),
            class,
            rules: delta
                .changes
                .iter()
                .filter(|ch| !matches!(ch.what, What::Source { .. } | What::Decision { .. }))
                .map(|ch| RuleChange {
                    item: ch.item.clone(),
                    rule: subject(ch),
                    change: ch.token(),
                })
                .collect(),
        });
    }

    fn finish(&mut self) {
        for g in self
            .transitions
            .iter_mut()
            .chain(std::iter::once(&mut self.details))
        {
            g.rules = std::mem::take(&mut g.counts)
                .into_iter()
                .map(|((rule, change), count)| RuleCount {
                    rule,
                    change,
                    count,
                })
                .collect();
            g.rules
                .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.rule.cmp(&b.rule)));
        }
        self.transitions.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
        });
        self.source_only.moves = std::mem::take(&mut self.source_only.counts)
            .into_iter()
            .map(|((from, to), count)| Move { from, to, count })
            .collect();
        self.source_only
            .moves
            .sort_by_key(|m| crate::author::delta::location_key(&m.from));
    }

    /// Whether any decision, rule, message or value changed (source moves alone do not
    /// count: they change no outcome).
    pub fn changed(&self) -> bool {
        self.summary.decision_changed > 0 || self.summary.details_changed > 0
    }

    /// The report for people.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let c = &self.summary;
        let _ = writeln!(
            out,
            "bylaw diff: {} case{} decided under `{}` and `{}`\n",
            c.cases,
            plural(c.cases),
            self.base,
            self.rules
        );
        for g in &self.transitions {
            let _ = writeln!(out, "{} → {}: {}", g.from, g.to, g.count);
            render_group(&mut out, g);
        }
        if self.details.count > 0 {
            let _ = writeln!(
                out,
                "decision unchanged, warnings/effects/messages/values changed: {}",
                self.details.count
            );
            render_group(&mut out, &self.details);
        }
        if self.source_only.count > 0 {
            let _ = writeln!(
                out,
                "only source locations moved: {} (the rule files were edited around the rules)",
                self.source_only.count
            );
            const SHOWN: usize = 20;
            let moves: Vec<(String, String, String)> = self
                .source_only
                .moves
                .iter()
                .map(|m| {
                    let note = format!("{} case{}", m.count, plural(m.count));
                    (m.from.clone(), m.to.clone(), note)
                })
                .collect();
            let lines = describe_moves(&moves);
            for line in lines.iter().take(SHOWN) {
                let _ = writeln!(out, "  {line}");
            }
            if lines.len() > SHOWN {
                let _ = writeln!(out, "  … and {} more", lines.len() - SHOWN);
            }
            out.push('\n');
        }
        if !self.bad_input.is_empty() {
            let _ = writeln!(out, "bad input: {}", self.bad_input.len());
            for b in &self.bad_input {
                let _ = writeln!(out, "  {}: {}", b.case, b.error);
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{} case{}: {} unchanged, {} decision changed, {} details changed, {} only source moved, {} bad input",
            c.cases,
            plural(c.cases),
            c.unchanged,
            c.decision_changed,
            c.details_changed,
            c.source_only,
            c.bad_input
        );
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn render_group(out: &mut String, g: &Group) {
    let width = g.rules.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    for r in &g.rules {
        let _ = writeln!(
            out,
            "  {:>6}  {:<width$}  {}",
            r.count,
            r.rule,
            r.change,
            width = width
        );
    }
    if let Some(first) = g.examples.first() {
        let _ = writeln!(out, "  for example: {}", g.examples.join(", "));
        let _ = writeln!(out, "  {first}:");
        out.push_str(&indent(&g.example_delta, 4));
    }
    out.push('\n');
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// The changes that explain a case's class: for a changed decision, those that can move
/// a decision (when there are any); else every change but source moves.
fn relevant(delta: &Delta, class: Class) -> Vec<&Change> {
    let shown = |c: &&Change| !matches!(c.what, What::Source { .. } | What::Decision { .. });
    let decisive: Vec<&Change> = delta
        .changes
        .iter()
        .filter(shown)
        .filter(|c| c.decisive())
        .collect();
    if class == Class::Decision && !decisive.is_empty() {
        decisive
    } else {
        delta.changes.iter().filter(shown).collect()
    }
}

/// What a change is about: its rule, its policy, or `-`.
fn subject(c: &Change) -> String {
    match (&c.rule, &c.what) {
        (Some(rule), _) => rule.clone(),
        (None, What::Policy { policy, .. }) => policy.clone(),
        (None, _) => "-".into(),
    }
}

/// Old rules that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    /// From a folder, or once read from git.
    #[error("the base rules `{base}`: {source}")]
    Load {
        /// The base as given.
        base: String,
        /// The cause.
        source: LoadError,
    },
    /// From git.
    #[error("the base rules `{base}`: {source}")]
    Git {
        /// The base as given.
        base: String,
        /// The cause.
        source: crate::author::gitrev::GitError,
    },
}

/// Loads the old rules: a folder, or `git:REV` (the folder `rules_dir` at a revision) or
/// `git:REV:PATH` (the folder PATH, from the repository's top, at a revision). Their
/// locations are cited as if they were in `rules_dir`, so that a rule that did not move
/// compares equal and one that did reads `rules/a.bylaw:12 → 14`.
pub fn load_base(base: &str, rules_dir: &Path) -> Result<Engine, BaseError> {
    let files = match base.strip_prefix("git:") {
        Some(spec) => crate::author::gitrev::rule_files_at(spec, rules_dir).map_err(|source| {
            BaseError::Git {
                base: base.to_string(),
                source,
            }
        })?,
        None => {
            let path = Path::new(base);
            if path.is_file() && path.extension().is_none_or(|e| e != "bylaw") {
                return Err(BaseError::Load {
                    base: base.to_string(),
                    source: LoadError::Io {
                        path: base.to_string(),
                        source: std::io::Error::other(
                            "not a rule file: give a folder of rule files, a .bylaw file, or git:REV",
                        ),
                    },
                });
            }
            crate::run::engine::rule_sources(path).map_err(|source| BaseError::Load {
                base: base.to_string(),
                source,
            })?
        }
    };
    // The errors of the base name its files as they are (`old/a.bylaw`, `git:…`); once
    // loaded, its rules are cited under the new rules' folder, so that a rule that did
    // not move compares equal.
    let as_found = files.clone();
    // Named by their path in the folder (sub-folders kept, as the loader names them);
    // a file named alone, by its own name.
    let folder = base.trim_end_matches('/');
    let prefix = format!("{folder}/");
    let in_folder = !base.starts_with("git:") && Path::new(base).is_dir();
    let files: Vec<(String, String)> = files
        .into_iter()
        .map(|(name, text)| {
            let file = if base.starts_with("git:") || (in_folder && matches!(folder, "" | ".")) {
                name
            } else if let Some(rel) = name.strip_prefix(&prefix).filter(|_| in_folder) {
                rel.to_string()
            } else {
                name.rsplit('/').next().unwrap_or(&name).to_string()
            };
            (file, text)
        })
        .collect();
    if files.is_empty() {
        return Err(BaseError::Load {
            base: base.to_string(),
            source: LoadError::Empty(base.to_string()),
        });
    }
    let shown = rules_dir.display().to_string();
    let shown = shown.trim_end_matches('/');
    let sources = files.into_iter().map(|(file, text)| {
        let name = if shown.is_empty() || shown == "." {
            file
        } else {
            format!("{shown}/{file}")
        };
        (name, text)
    });
    Engine::from_sources(sources).map_err(|source| BaseError::Load {
        base: base.to_string(),
        source: Engine::from_sources(as_found).err().unwrap_or(source),
    })
}
