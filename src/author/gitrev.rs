//! Rule files at a git revision, read with `git ls-tree` and `git cat-file`: no second
//! checkout, so `bylaw diff --base git:HEAD~1` runs in a pull request's CI job as is.

use std::path::Path;
use std::process::Command;

/// Git could not give the rule files.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// `git` could not be run.
    #[error("cannot run git: {0}")]
    Spawn(std::io::Error),
    /// Git refused (unknown revision, no such folder…).
    #[error("git {command} failed: {message}")]
    Failed {
        /// The subcommand.
        command: String,
        /// What git said.
        message: String,
    },
    /// A spec that cannot be a revision.
    #[error("`{0}` is not a revision; write git:REV or git:REV:PATH, e.g. git:HEAD~1")]
    BadSpec(String),
    /// `git:REV` names the rules folder, which is not there to run git in.
    #[error("`{0}` is not a folder here: name the folder at the revision with git:REV:PATH")]
    NoFolder(String),
    /// A rule file that is not text.
    #[error("`{0}` at that revision is not valid UTF-8")]
    NotUtf8(String),
}

/// The rule files (name, text) of a folder at a revision, sorted by name: those
/// [`crate::run::load`] would load from the folder checked out (sub-folders included,
/// `tests` folders and hidden names left out), named by their path in the folder. `spec` is
/// `REV` (the folder `rules_dir`, which must exist in the working tree, at REV) or
/// `REV:PATH` (PATH from the top of the repository).
pub(crate) fn rule_files_at(
    spec: &str,
    rules_dir: &Path,
) -> Result<Vec<(String, String)>, GitError> {
    let (rev, path) = match spec.split_once(':') {
        Some((rev, path)) => (rev, Some(path.trim_end_matches('/'))),
        None => (spec, None),
    };
    if rev.is_empty() || rev.starts_with('-') || rev.chars().any(char::is_whitespace) {
        return Err(GitError::BadSpec(spec.to_string()));
    }
    // Git runs in the rules folder when there is one, so that the repository is the
    // folder's, wherever bylaw runs; `REV:PATH` is from the top of it anyway.
    let cwd = if rules_dir.is_dir() {
        rules_dir
    } else {
        Path::new(".")
    };
    let tree = match path {
        None if !rules_dir.is_dir() => {
            return Err(GitError::NoFolder(rules_dir.display().to_string()))
        }
        // `REV:./` is the folder git runs in, at REV.
        None => format!("{rev}:./"),
        Some(p) => format!("{rev}:{p}"),
    };
    // --full-tree: without it, ls-tree run in a subfolder filters by that folder again.
    // -r: the sub-folders too, selected below as the loader selects them.
    let listing = git(cwd, &["ls-tree", "-r", "--full-tree", "-z", &tree])?;
    let mut files = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        // `<mode> SP <type> SP <object> TAB <name>`
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, name)) = entry.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (kind, object) = (meta.nth(1), meta.next());
        if kind != Some("blob") || !crate::run::load::is_rule_path(name) {
            continue;
        }
        let Some(object) = object else { continue };
        let bytes = git(cwd, &["cat-file", "blob", object])?;
        let text = String::from_utf8(bytes).map_err(|_| GitError::NotUtf8(name.to_string()))?;
        files.push((name.to_string(), text));
    }
    files.sort();
    Ok(files)
}

fn git(cwd: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(cwd)
        .args(args)
        .output()
        .map_err(GitError::Spawn)?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(GitError::Failed {
            command: args.first().copied().unwrap_or_default().to_string(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}
