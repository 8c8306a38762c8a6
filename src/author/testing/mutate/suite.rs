//! What every mutant is run against, read once: the author's test files and the
//! golden decisions (snapshot, and the decision file beside it).

use std::path::{Path, PathBuf};

use crate::author::delta::{Class, Delta};
use crate::author::snapshot::render;
use crate::author::testing::{self, rules::RuleIndex, TestFile};
use crate::run::corpus::{Corpus, CorpusError};
use crate::run::engine::{Engine, Options};
use crate::run::golden::golden_path;
use crate::run::pipeline::{Broken, Pipeline};
use crate::value::Value;

/// A golden decision: the snapshot and the decision file's text.
#[derive(Debug, Clone)]
struct Golden {
    name: String,
    facts: Value,
    text: String,
}

/// The author tests and golden decisions, in memory.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    tests: Vec<TestFile>,
    goldens: Vec<Golden>,
    /// Golden inputs not used, with why.
    pub skipped: Vec<String>,
}

/// A suite that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// A test path that cannot be listed.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A golden folder that cannot be listed.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
}

impl Suite {
    /// Reads the test files under `tests` (as `bylaw test` finds them) and the golden
    /// decisions under `goldens` (as `bylaw snapshot` does).
    pub fn load(tests: &[PathBuf], goldens: &[PathBuf]) -> Result<Suite, SuiteError> {
        let mut files = Vec::new();
        for p in tests {
            let found = testing::discover(p).map_err(|source| SuiteError::Io {
                path: p.display().to_string(),
                source,
            })?;
            files.extend(testing::load_found(&found));
        }
        let tests = files;
        Suite::from_parts(tests, goldens)
    }

    /// A suite of test files already read, and the goldens under `goldens`.
    pub fn from_parts(tests: Vec<TestFile>, goldens: &[PathBuf]) -> Result<Suite, SuiteError> {
        let mut suite = Suite {
            tests,
            goldens: Vec::new(),
            skipped: Vec::new(),
        };
        if goldens.is_empty() {
            return Ok(suite);
        }
        let corpus = Corpus::from_paths(goldens)?;
        let mut read = Vec::new();
        corpus
            .for_each(
                1,
                |case, snapshot| (case, snapshot),
                |c| {
                    read.push(c);
                    Ok(())
                },
            )
            .map_err(|source| SuiteError::Io {
                path: "the goldens".into(),
                source,
            })?;
        for (case, snapshot) in read {
            let name = case.name();
            if case.line.is_some() {
                suite.skipped.push(format!(
                    "{name}: a JSONL line (only snapshot files are used)"
                ));
                continue;
            }
            let facts = match snapshot {
                Ok(v) => v,
                Err(e) => {
                    suite.skipped.push(format!("{name}: {e}"));
                    continue;
                }
            };
            match std::fs::read_to_string(golden_path(&case.path)) {
                Ok(text) => suite.goldens.push(Golden { name, facts, text }),
                Err(_) => suite.skipped.push(format!(
                    "{name}: no golden decision beside it (`bylaw snapshot --accept` writes one)"
                )),
            }
        }
        Ok(suite)
    }

    /// Test cases and goldens.
    pub fn len(&self) -> usize {
        self.tests
            .iter()
            .map(|f| f.cases.len().max(1))
            .sum::<usize>()
            + self.goldens.len()
    }

    /// Whether there is nothing to run.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first test case that fails or golden that changes under `engine`, named.
    pub fn first_failure(&self, engine: &Engine) -> Option<String> {
        let whole = RuleIndex::new(engine, None);
        for f in &self.tests {
            if let Some(d) = f.errors.first() {
                return Some(format!("{}: {}", f.name, d.message));
            }
            // As `bylaw test` runs it: a file that names (or sits beside) its policy
            // is decided by that policy alone.
            let policy = match testing::scope::policy_of(engine, f) {
                Ok(p) => p,
                Err(d) => return Some(format!("{}: {}", f.name, d.message)),
            };
            let isolated = policy.as_deref().map(|p| RuleIndex::new(engine, Some(p)));
            let index = isolated.as_ref().unwrap_or(&whole);
            for case in &f.cases {
                if !testing::run_case(engine, index, policy.as_deref(), case, None).passed() {
                    return Some(format!("{}: {}", f.name, case.name));
                }
            }
        }
        let opts = Options::default();
        self.goldens
            .iter()
            .find(|g| changed(engine, &opts, g))
            .map(|g| format!("golden {}", shown(&g.name)))
    }
}

fn changed(engine: &Engine, opts: &Options, g: &Golden) -> bool {
    // Decided as `bylaw snapshot` decides it: conformed to the fact schema first.
    let pipeline = Pipeline::new(engine).on_broken(Broken::DecideAnyway);
    let d = match pipeline.conform(&g.facts, &g.name) {
        Ok(facts) => pipeline.decide(&facts, opts),
        Err(_) => return true,
    };
    let Ok(actual) = render(&d) else {
        return true;
    };
    if actual == g.text {
        return false;
    }
    // Laid out differently (edited by hand?): compare what the two say.
    match (
        serde_yaml::from_str::<serde_json::Value>(&g.text),
        serde_yaml::from_str::<serde_json::Value>(&actual),
    ) {
        (Ok(b), Ok(a)) => Delta::between(&b, &a).class() != Class::Unchanged,
        _ => true,
    }
}

fn shown(name: &str) -> String {
    Path::new(name).display().to_string()
}
