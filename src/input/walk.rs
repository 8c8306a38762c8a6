//! The one folder walker, and the one way a named input file is opened: for
//! `--facts-dir`, `snapshot`, `diff`, the rules folder (`run::load`, every command
//! that reads rules) and `bylaw test`'s test files. Each caller says by a file's name
//! what it wants and which sub-folders it enters; what happens to links, loops, FIFOs
//! and unreadable entries is the same for all.
//!
//! The file system is input like any other (docs/robustness.md, "Folders"):
//! - a symbolic link to a file inside the folder is read; one leading outside the
//!   folder, nowhere, or round in a loop is an error entry, not read;
//! - a symbolic link to a folder is never followed (that is how loops and duplicates
//!   arise), it is an error entry;
//! - a FIFO, socket or device is an error entry, never opened (opening a FIFO blocks);
//! - a sub-folder or entry that cannot be read is an error entry naming it, and the
//!   walk goes on; only the folder given itself being unreadable fails the walk.
//!
//! Nothing here writes; writers (`snapshot --accept`) use [`refuse_link`] so that
//! nothing outside the folder is written or deleted through a link.

use std::collections::HashSet;
use std::fs::{self, FileType};
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// An entry of a folder that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The entry, as found (under the folder given).
    pub path: PathBuf,
    /// Why it was not read.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

/// What a walk found: the files to read, sorted, and the entries refused.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// Regular files (or links to regular files inside the folder) that `wanted`
    /// accepted, sorted by path.
    pub files: Vec<PathBuf>,
    /// Entries that `wanted` would have accepted (or folders) that cannot be read,
    /// sorted by path.
    pub skipped: Vec<Skipped>,
}

/// Walks `dir` and below. `wanted` says by its name whether a file is an input; only
/// wanted names and folders are reported when they cannot be read.
pub fn walk(dir: &Path, wanted: &dyn Fn(&Path) -> bool) -> std::io::Result<Walk> {
    walk_with(dir, wanted, &|_, _| true)
}

/// The entries of `dir` itself, not below, by the same rules as [`walk`].
pub fn list(dir: &Path, wanted: &dyn Fn(&Path) -> bool) -> std::io::Result<Walk> {
    walk_with(dir, wanted, &|_, _| false)
}

/// Like [`walk`], entering only the sub-folders `enter` accepts, by their path and
/// depth (1 for the folder's own sub-folders). A link to a folder that `enter` would
/// not have entered is not reported either: it is not an input.
pub fn walk_with(
    dir: &Path,
    wanted: &dyn Fn(&Path) -> bool,
    enter: &dyn Fn(&Path, usize) -> bool,
) -> std::io::Result<Walk> {
    use std::os::unix::fs::MetadataExt as _;
    let root = fs::canonicalize(dir)?;
    let mut out = Walk::default();
    // Folders by device and inode: a bind mount can still lead back to one already walked.
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    let mut first = true;
    while let Some((shown, depth)) = stack.pop() {
        if let Ok(m) = fs::metadata(&shown) {
            if !seen.insert((m.dev(), m.ino())) {
                out.skip(&shown, "a folder already walked (a loop): not walked again");
                continue;
            }
        }
        let entries = match fs::read_dir(&shown) {
            Ok(e) => e,
            Err(e) if first => return Err(e),
            Err(e) => {
                out.skip(&shown, &format!("cannot read this folder: {e}"));
                continue;
            }
        };
        first = false;
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.skip(&shown, &format!("cannot read an entry of this folder: {e}"));
                    continue;
                }
            };
            let path = entry.path();
            let kind = match entry.file_type() {
                Ok(k) => k,
                Err(e) => {
                    if wanted(&path) {
                        out.skip(&path, &format!("cannot read: {e}"));
                    }
                    continue;
                }
            };
            if kind.is_dir() {
                if enter(&path, depth + 1) {
                    stack.push((path, depth + 1));
                }
            } else if kind.is_symlink() {
                out.link(&path, &root, wanted, &|p| enter(p, depth + 1));
            } else if wanted(&path) {
                match special(&kind) {
                    None => out.files.push(path),
                    Some(what) => out.skip(&path, &not_regular(what)),
                }
            }
        }
    }
    out.files.sort();
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

impl Walk {
    fn skip(&mut self, path: &Path, reason: &str) {
        self.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        });
    }

    /// A symbolic link met in the walk: read if it leads to a file inside `root`.
    fn link(
        &mut self,
        path: &Path,
        root: &Path,
        wanted: &dyn Fn(&Path) -> bool,
        enter: &dyn Fn(&Path) -> bool,
    ) {
        let target = match fs::canonicalize(path) {
            Ok(t) => t,
            Err(e) => {
                if wanted(path) {
                    self.skip(
                        path,
                        &format!("a symbolic link that leads nowhere readable ({e}): not read"),
                    );
                }
                return;
            }
        };
        let meta = match fs::metadata(&target) {
            Ok(m) => m,
            Err(e) => {
                if wanted(path) {
                    self.skip(path, &format!("cannot read: {e}"));
                }
                return;
            }
        };
        if meta.is_dir() {
            if !enter(path) {
                return;
            }
            self.skip(
                path,
                "a symbolic link to a folder: not followed (links to folders make loops \
                 and duplicates); name the folder itself",
            );
        } else if !wanted(path) {
            // Not an input by its name: nothing to say about it.
        } else if !target.starts_with(root) {
            self.skip(
                path,
                &format!(
                    "a symbolic link to `{}`, outside the folder: not read",
                    target.display()
                ),
            );
        } else if let Some(what) = special(&meta.file_type()) {
            self.skip(path, &not_regular(what));
        } else {
            self.files.push(path.to_path_buf());
        }
    }
}

/// What a file that is not a regular file is, if it is not one.
fn special(kind: &FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt as _;
    if kind.is_file() {
        None
    } else if kind.is_fifo() {
        Some("a FIFO")
    } else if kind.is_socket() {
        Some("a socket")
    } else if kind.is_block_device() || kind.is_char_device() {
        Some("a device")
    } else {
        Some("not a regular file")
    }
}

fn not_regular(what: &str) -> String {
    format!("{what}, not a regular file: not read")
}

/// Reads a named input file whole, within `limit` bytes: a FIFO or device is refused
/// before it is opened (opening a FIFO blocks), the size is checked before reading
/// (a huge sparse file is never allocated), and the reading itself stops past the
/// limit (the file may grow meanwhile). The error is a phrase: the caller names the file.
pub fn read_file(path: &Path, limit: usize) -> Result<Vec<u8>, String> {
    let meta = fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("a folder, not a file".into());
    }
    if let Some(what) = special(&meta.file_type()) {
        return Err(not_regular(what));
    }
    let too_big =
        |len: u64| format!("the file is {len} bytes, more than the limit of {limit} bytes");
    if meta.len() > limit as u64 {
        return Err(too_big(meta.len()));
    }
    let file = fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > limit {
        return Err(format!(
            "the file is more than the limit of {limit} bytes (it grew while read)"
        ));
    }
    Ok(bytes)
}

/// Reads standard input (or any stream) whole, within `limit` bytes; past the limit it
/// stops reading at once (`… < /dev/zero` ends, not out of memory).
pub fn read_stream(input: impl std::io::Read, limit: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    input
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > limit {
        return Err(format!("more than the limit of {limit} bytes"));
    }
    Ok(bytes)
}

/// Refuses to write or delete `path` when it is a symbolic link, or sits in a folder
/// reached through one below `root`: the write would land outside the folder given.
pub fn refuse_link(path: &Path, root: &Path) -> Result<(), String> {
    let mut at = Some(path);
    while let Some(p) = at {
        if p == root || p.as_os_str().is_empty() {
            break;
        }
        if fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!(
                "`{}` is a symbolic link: not written or deleted through it (nothing outside \
                 the folder is changed); replace the link with the file or folder itself",
                p.display()
            ));
        }
        at = p.parent();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly
    use super::*;
    use std::os::unix::fs::symlink;

    fn json(p: &Path) -> bool {
        p.extension().is_some_and(|e| e == "json")
    }

    #[test]
    fn links_fifos_and_loops_are_entries_not_reads() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.json"), "{}").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("a.json"), "{}").unwrap();
        fs::write(d.join("notes.txt"), "").unwrap();
        fs::create_dir(d.join("sub")).unwrap();
        fs::write(d.join("sub/b.json"), "{}").unwrap();
        symlink(d.join("a.json"), d.join("inside.json")).unwrap();
        symlink(outside.path().join("secret.json"), d.join("out.json")).unwrap();
        symlink(d, d.join("sub/up")).unwrap(); // a loop
        symlink(d.join("gone.json"), d.join("dangling.json")).unwrap();
        symlink(d.join("gone.txt"), d.join("dangling.txt")).unwrap(); // not wanted
        let fifo = std::process::Command::new("mkfifo")
            .arg(d.join("x.json"))
            .status();
        let w = walk(d, &json).unwrap();
        let names: Vec<_> = w
            .files
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.json", "inside.json", "sub/b.json"]);
        let skipped: Vec<_> = w
            .skipped
            .iter()
            .map(|s| s.path.strip_prefix(d).unwrap().display().to_string())
            .collect();
        let mut expected = vec!["dangling.json", "out.json", "sub/up"];
        if fifo.is_ok_and(|s| s.success()) {
            expected.push("x.json");
            assert!(read_file(&d.join("x.json"), 100)
                .unwrap_err()
                .contains("FIFO"));
        }
        assert_eq!(skipped, expected, "{:?}", w.skipped);
    }

    #[test]
    fn callers_choose_the_folders_entered_and_links_to_others_are_not_reported() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["a/b", "tests", ".hidden"] {
            fs::create_dir_all(d.join(sub)).unwrap();
            fs::write(d.join(sub).join("x.json"), "{}").unwrap();
        }
        symlink(d.join("tests"), d.join("a/tests")).unwrap(); // not entered: not reported
        symlink(d.join("a/b"), d.join("a/linked")).unwrap(); // would be entered: reported
        let enter = |p: &Path, depth: usize| {
            let n = p.file_name().unwrap().to_string_lossy();
            depth <= 1 && n != "tests" && !n.starts_with('.')
        };
        let w = walk_with(d, &json, &enter).unwrap();
        let rel = |p: &PathBuf| p.strip_prefix(d).unwrap().display().to_string();
        assert_eq!(
            w.files.iter().map(rel).collect::<Vec<_>>(),
            Vec::<String>::new()
        );
        assert_eq!(w.skipped.len(), 0, "{:?}", w.skipped); // `a` at depth 1 holds no json
        let enter2 = |p: &Path, depth: usize| depth <= 2 && enter(p, 1);
        let w = walk_with(d, &json, &enter2).unwrap();
        assert_eq!(w.files.iter().map(rel).collect::<Vec<_>>(), ["a/b/x.json"]);
        let skipped: Vec<_> = w.skipped.iter().map(|s| rel(&s.path)).collect();
        assert_eq!(skipped, ["a/linked"]);
    }

    #[test]
    fn reads_stop_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.json");
        let f = fs::File::create(&p).unwrap();
        f.set_len(1 << 40).unwrap(); // sparse: a terabyte that takes no room
        assert!(read_file(&p, 1000).unwrap_err().contains("limit"));
        assert!(read_stream(std::io::repeat(0), 1000)
            .unwrap_err()
            .contains("limit"));
        assert_eq!(read_stream(&b"abc"[..], 3).unwrap(), b"abc");
    }

    #[test]
    fn links_are_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir(d.join("real")).unwrap();
        symlink(d.join("real"), d.join("linked")).unwrap();
        symlink(d.join("elsewhere"), d.join("real/g.yaml")).unwrap();
        assert!(refuse_link(&d.join("linked/a.yaml"), d).is_err());
        assert!(refuse_link(&d.join("real/g.yaml"), d).is_err());
        assert!(refuse_link(&d.join("real/ok.yaml"), d).is_ok());
    }
}
