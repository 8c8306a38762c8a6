//! Reading a rule set from disk, and the parallel map loading runs each file through.
//!
//! What a folder loads: every file ending in `.bylaw` in it and in its sub-folders, at
//! any depth (down to [`MAX_DEPTH`]), except in folders named `tests` (test files and
//! their fixtures live there) and in hidden files and folders (a name starting with
//! `.`: editors' and tools' own files). Files are taken in the order of their paths,
//! and named as locations cite them (`rules/billing/renew.bylaw`).

use std::path::{Path, PathBuf};

use crate::limits::Limits;
use crate::report::diagnostic::{Diagnostic, Kind};
use crate::run::engine::{LoadError, RULE_EXTENSION};

/// The deepest folder searched for rule files below the one named.
pub const MAX_DEPTH: usize = 16;

/// `f` applied to each item, on all cores, the results in the items' order: rule files
/// parse, check and compile independently, and that is most of loading a rule set.
/// What is loaded and reported does not depend on the threads. The parallel map is
/// [`crate::run::batch::map_ordered`]'s (the one ordered map).
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Asking costs reading cgroup files (tens of µs, a few % of a load); the answer
    // does not change while the process runs.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut out = Vec::with_capacity(items.len());
    // Collecting cannot fail: the map's only errors are the ones `emit` returns.
    let _ = crate::run::batch::map_ordered(items, cores.min(items.len()), f, |r| {
        out.push(r);
        Ok(())
    });
    out
}

/// The rule files `path` stands for (see the module's documentation), sorted: the
/// file itself, or the rule files in a folder and its sub-folders. The folder is
/// walked by the one walker (`input::walk`): an entry with a rule file's name that
/// cannot be read (a dangling link, a link outside the folder, a FIFO) or a folder
/// that cannot be read or is a link is an error naming it, never skipped (its rules
/// would be silently absent).
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let visible = |p: &Path| {
        p.file_name()
            .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
    };
    let wanted = |p: &Path| visible(p) && p.extension().is_some_and(|e| e == RULE_EXTENSION);
    let enter = |p: &Path, depth: usize| {
        depth <= MAX_DEPTH && visible(p) && p.file_name().is_some_and(|n| n != "tests")
    };
    let found =
        crate::input::walk::walk_with(path, &wanted, &enter).map_err(|source| LoadError::Io {
            path: path.display().to_string(),
            source,
        })?;
    if !found.skipped.is_empty() {
        return Err(LoadError::Invalid(
            found
                .skipped
                .iter()
                .map(|s| {
                    Diagnostic::plain(format!("`{}`: cannot read: {}", s.path.display(), s.reason))
                })
                .collect(),
        ));
    }
    Ok(found.files)
}

/// The rule files `dir` stands for, read.
pub(crate) fn read_dir(dir: &Path, limits: &Limits) -> Result<Vec<(String, String)>, LoadError> {
    // Read on all cores too: a thousand small files are a few % of a load. The first
    // error in the files' order is the one reported, as when they were read in turn.
    par_map(&named_files(dir)?, |(path, name)| {
        read_one(path, name.clone(), limits)
    })
    .into_iter()
    .collect()
}

/// The rule files `dir` stands for, each with the name locations cite it by
/// (`rules/a.bylaw`; a file named directly, by that name); none is an error.
pub(crate) fn named_files(dir: &Path) -> Result<Vec<(PathBuf, String)>, LoadError> {
    let shown = dir.display().to_string();
    let shown = shown.trim_end_matches('/');
    let files = rule_files(dir)?;
    if files.is_empty() {
        return Err(LoadError::Empty(shown.to_string()));
    }
    let one_file = dir.is_file();
    Ok(files
        .into_iter()
        .map(|path| {
            let name = if one_file {
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
            (path, name)
        })
        .collect())
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

/// One rule file read as `(name, text)`: refused when too large, not UTF-8, or
/// starting with a byte order mark.
pub(crate) fn read_one(
    path: &Path,
    name: String,
    limits: &Limits,
) -> Result<(String, String), LoadError> {
    let invalid = |message: String, kind: Kind| {
        LoadError::Invalid(vec![Diagnostic::plain(message).of_kind(kind)])
    };
    // Within the limit, a regular file only: a huge (or sparse) file is refused by its
    // size, unread; a FIFO is refused before it is opened (opening one blocks).
    let bytes = crate::input::walk::read_file(path, limits.max_rule_bytes)
        .map_err(|e| invalid(format!("`{name}`: cannot read: {e}"), Kind::Other))?;
    if bytes.len() > limits.max_rule_bytes {
        return Err(invalid(
            format!(
                "`{name}` is {} bytes, more than the limit of {} bytes for a rule file",
                bytes.len(),
                limits.max_rule_bytes
            ),
            Kind::Other,
        ));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(invalid(
            format!("`{name}` starts with a byte order mark (BOM); save it as UTF-8 without one"),
            Kind::ByteOrderMark,
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        invalid(
            format!(
                "`{name}` is not valid UTF-8 (bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            Kind::NotUtf8,
        )
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
