//! A corpus of fact snapshots as named on a command line: snapshot files, folders of
//! them (walked, in name order), and `.jsonl` files of one snapshot per line. Cases are
//! read and handed out on all cores through the batch path, results in corpus order.

use std::collections::BTreeSet;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::input::{self, Format};
use crate::run::batch::{self, DEFAULT_MAX_LINE};
use crate::value::Value;

/// The extension of newline-delimited JSON files.
pub(crate) const JSONL_EXTENSION: &str = "jsonl";

/// One input of a corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A snapshot file (`.json`, `.yaml`, `.yml`): one case.
    File(PathBuf),
    /// A `.jsonl` file: one case per non-blank line.
    Jsonl(PathBuf),
}

impl Input {
    /// The file.
    pub fn path(&self) -> &Path {
        match self {
            Input::File(p) | Input::Jsonl(p) => p,
        }
    }
}

/// The inputs of a corpus, and the folders they were found in.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// Every input, in the order given (folders in name order), each once.
    pub inputs: Vec<Input>,
    /// The folders given, searched for goldens whose snapshot is gone.
    pub folders: Vec<PathBuf>,
}

/// A corpus that cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A path that does not exist or cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A file that is not a snapshot.
    #[error("`{0}` is not a snapshot: give .json, .yaml, .yml or .jsonl files, or folders")]
    NotSnapshot(String),
    /// Nothing given.
    #[error("no corpus: give snapshot files or folders")]
    Empty,
}

/// One case of a corpus: a snapshot file, or a line of a JSONL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, in a JSONL file.
    pub line: Option<usize>,
}

impl Case {
    /// How reports name it: `path` or `path:line`.
    pub fn name(&self) -> String {
        match self.line {
            Some(n) => format!("{}:{n}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

impl Corpus {
    /// Lists the inputs of the paths given: files as they are, folders walked for
    /// snapshot and JSONL files (golden decision files are not snapshots).
    pub fn from_paths(paths: &[PathBuf]) -> Result<Corpus, CorpusError> {
        if paths.is_empty() {
            return Err(CorpusError::Empty);
        }
        let mut corpus = Corpus::default();
        let mut seen = BTreeSet::new();
        for path in paths {
            let meta = std::fs::metadata(path).map_err(|source| CorpusError::Io {
                path: path.display().to_string(),
                source,
            })?;
            if meta.is_dir() {
                corpus.folders.push(path.clone());
                for file in walk(path)? {
                    if let Some(input) = classify(&file) {
                        if seen.insert(file) {
                            corpus.inputs.push(input);
                        }
                    }
                }
            } else {
                let input = classify(path)
                    .ok_or_else(|| CorpusError::NotSnapshot(path.display().to_string()))?;
                if seen.insert(path.clone()) {
                    corpus.inputs.push(input);
                }
            }
        }
        Ok(corpus)
    }

    /// Reads every case on `workers` threads: `each` gets the case and its snapshot (or
    /// why it cannot be read) on a worker; `emit` gets the results in corpus order.
    pub fn for_each<T: Send>(
        &self,
        workers: usize,
        each: impl Fn(Case, Result<Value, String>) -> T + Sync,
        mut emit: impl FnMut(T) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut files: Vec<PathBuf> = Vec::new();
        for input in &self.inputs {
            match input {
                Input::File(p) => files.push(p.clone()),
                Input::Jsonl(p) => {
                    flush(&mut files, workers, &each, &mut emit)?;
                    jsonl(p, workers, &each, &mut emit)?;
                }
            }
        }
        flush(&mut files, workers, &each, &mut emit)
    }

    /// The snapshot files (not JSONL) of the corpus.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.inputs.iter().filter_map(|i| match i {
            Input::File(p) => Some(p.as_path()),
            Input::Jsonl(_) => None,
        })
    }
}

fn flush<T: Send>(
    files: &mut Vec<PathBuf>,
    workers: usize,
    each: &(impl Fn(Case, Result<Value, String>) -> T + Sync),
    emit: &mut impl FnMut(T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let result = batch::map_ordered(
        files,
        workers,
        |path| {
            let case = Case {
                path: path.clone(),
                line: None,
            };
            each(case, batch::load_file(path))
        },
        &mut *emit,
    );
    files.clear();
    result
}

fn jsonl<T: Send>(
    path: &Path,
    workers: usize,
    each: &(impl Fn(Case, Result<Value, String>) -> T + Sync),
    emit: &mut impl FnMut(T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let origin = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let case = Case {
                path: path.to_path_buf(),
                line: None,
            };
            return emit(each(case, Err(format!("{origin}: cannot read: {e}"))));
        }
    };
    batch::stream_jsonl_with(
        BufReader::with_capacity(1 << 16, file),
        &origin,
        workers,
        DEFAULT_MAX_LINE,
        |n, line| {
            let case = Case {
                path: path.to_path_buf(),
                line: Some(n),
            };
            let snapshot = line.and_then(|text| {
                input::load_str(text, Format::Json, &format!("{origin}:{n}"))
                    .map_err(|e| e.to_string())
            });
            each(case, snapshot)
        },
        &mut *emit,
    )
}

/// What a file is to a corpus, if anything.
fn classify(path: &Path) -> Option<Input> {
    if crate::run::golden::is_golden(path) {
        return None;
    }
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(JSONL_EXTENSION))
    {
        return Some(Input::Jsonl(path.to_path_buf()));
    }
    Format::from_path(path).map(|_| Input::File(path.to_path_buf()))
}

/// Every file in a folder and below, sorted.
pub fn walk(dir: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| CorpusError::Io { path, source }
    };
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(io(&d))? {
            let path = entry.map_err(io(&d))?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Worker threads: all cores unless told.
pub fn workers(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}
