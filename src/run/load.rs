//! Reading a rule set from disk, and the parallel map loading runs each file through.
//!
//! What a folder loads: every file ending in `.bylaw` in it and in its sub-folders, at
//! any depth (down to [`MAX_DEPTH`]), except in folders named `tests` (test files and
//! their fixtures live there) and in hidden files and folders (a name starting with
//! `.`: editors' and tools' own files). Files are taken in the order of their paths,
//! and named as locations cite them (`rules/billing/renew.bylaw`).

use std::path::{Path, PathBuf};

use crate::limits::Limits;
use crate::report::diagnostic::Diagnostic;
use crate::run::engine::{LoadError, RULE_EXTENSION};

/// The deepest folder searched for rule files below the one named.
pub const MAX_DEPTH: usize = 16;

/// `f` applied to each item, on all cores, the results in the items' order: rule files
/// parse, check and compile independently, and that is most of loading a rule set.
/// What is loaded and reported does not depend on the threads.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Asking costs reading cgroup files (tens of µs, a few % of a load); the answer
    // does not change while the process runs.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let workers = cores.min(items.len());
    // Worker `w` takes items `w`, `w + workers`, …; the calling thread is worker 0.
    let share = |w: usize| {
        items
            .iter()
            .enumerate()
            .skip(w)
            .step_by(workers.max(1))
            .map(|(i, item)| (i, f(item)))
            .collect::<Vec<_>>()
    };
    let mut done = std::thread::scope(|s| {
        let spawned: Vec<_> = (1..workers)
            .map(|w| {
                // A parse that needs more stack than this gives moves to its own thread.
                let thread = std::thread::Builder::new()
                    .name("bylaw-load".into())
                    .stack_size(8 << 20)
                    .spawn_scoped(s, move || share(w));
                (w, thread)
            })
            .collect();
        let mut done = share(0);
        for (w, thread) in spawned {
            match thread.map(|t| t.join()) {
                Ok(Ok(parsed)) => done.extend(parsed),
                // No thread to be had, or it stopped: that share is done here.
                _ => done.extend(share(w)),
            }
        }
        done
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The rule files `path` stands for (see the module's documentation), sorted: the
/// file itself, or the rule files in a folder and its sub-folders.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    if path.is_file() {
        files.push(path.to_path_buf());
    } else {
        walk(path, &mut files, 0)?;
    }
    files.sort();
    Ok(files)
}

/// The rule files `dir` stands for, read.
pub(crate) fn read_dir(dir: &Path, limits: &Limits) -> Result<Vec<(String, String)>, LoadError> {
    let shown = dir.display().to_string();
    let shown = shown.trim_end_matches('/');
    // One rule file named directly: its own name is how it is cited.
    let files = rule_files(dir)?;
    if files.is_empty() {
        return Err(LoadError::Empty(shown.to_string()));
    }
    files
        .into_iter()
        .map(|path| {
            let name = if dir.is_file() {
                shown.to_string()
            } else {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                let rel = rel.to_string_lossy();
                if shown.is_empty() || shown == "." {
                    rel.into_owned()
                } else {
                    format!("{shown}/{rel}")
                }
            };
            read_one(&path, name, limits)
        })
        .collect()
}

/// Whether a file at `rel` (a `/`-separated path inside a rules folder) is one the
/// folder's walk loads: for rule files read elsewhere (at a git revision) by the same rule.
pub(crate) fn is_rule_path(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    let Some((file, folders)) = parts.split_last() else {
        return false;
    };
    folders.len() <= MAX_DEPTH
        && folders.iter().all(|f| !f.starts_with('.') && *f != "tests")
        && !file.starts_with('.')
        && Path::new(file)
            .extension()
            .is_some_and(|e| e == RULE_EXTENSION)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<(), LoadError> {
    let io = |source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy());
        if name.as_deref().is_none_or(|n| n.starts_with('.')) {
            continue;
        }
        if path.is_dir() {
            if depth < MAX_DEPTH && name.as_deref() != Some("tests") {
                walk(&path, out, depth + 1)?;
            }
        } else if path.extension().is_some_and(|e| e == RULE_EXTENSION) {
            // Not only regular files: a dangling link or a FIFO named `*.bylaw` is read
            // by `read_one`, which refuses it by name, never skipped (its rules would
            // be silently absent).
            out.push(path);
        }
    }
    Ok(())
}

fn read_one(path: &Path, name: String, limits: &Limits) -> Result<(String, String), LoadError> {
    let invalid = |message: String| {
        LoadError::Invalid(vec![Diagnostic {
            span: None,
            message,
            hint: None,
        }])
    };
    // Within the limit, a regular file only: a huge (or sparse) file is refused by its
    // size, unread; a FIFO is refused before it is opened (opening one blocks).
    let bytes = crate::input::walk::read_file(path, limits.max_rule_bytes)
        .map_err(|e| invalid(format!("`{name}`: cannot read: {e}")))?;
    if bytes.len() > limits.max_rule_bytes {
        return Err(invalid(format!(
            "`{name}` is {} bytes, more than the limit of {} bytes for a rule file",
            bytes.len(),
            limits.max_rule_bytes
        )));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(invalid(format!(
            "`{name}` starts with a byte order mark (BOM); save it as UTF-8 without one"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        invalid(format!(
            "`{name}` is not valid UTF-8 (bad byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok((name, text))
}

#[cfg(test)]
mod tests {
    use super::is_rule_path;

    #[test]
    fn paths_at_a_revision_are_selected_as_the_walk_selects_files() {
        for rel in ["a.bylaw", "lib/fees.bylaw", "billing/deep/renew.bylaw"] {
            assert!(is_rule_path(rel), "{rel}");
        }
        // Near misses: a test folder, hidden names, another extension, too deep.
        let deep = format!("{}x.bylaw", "d/".repeat(super::MAX_DEPTH + 1));
        for rel in [
            "tests/t.bylaw",
            "billing/tests/t.bylaw",
            ".git/x.bylaw",
            "billing/.draft.bylaw",
            "notes.txt",
            deep.as_str(),
        ] {
            assert!(!is_rule_path(rel), "{rel}");
        }
    }
}
