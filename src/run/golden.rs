//! Which files are golden decisions: named here, in `run`, because the folder walks
//! must skip them (a golden is not a snapshot); the golden workflow itself is
//! `author::snapshot` (which `run` does not import).

use std::path::{Path, PathBuf};

/// What a golden's name ends with, for a snapshot file.
pub(crate) const GOLDEN_SUFFIX: &str = ".decision.yaml";
/// What a golden's name ends with, for a JSONL file.
pub(crate) const GOLDEN_JSONL_SUFFIX: &str = ".decision.jsonl";

/// Whether a file is a golden decision file (so not a snapshot).
pub(crate) fn is_golden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(GOLDEN_SUFFIX) || n.ends_with(GOLDEN_JSONL_SUFFIX))
}

/// The golden beside a snapshot: `case.yaml` → `case.decision.yaml`,
/// `cases.jsonl` → `cases.decision.jsonl`.
pub(crate) fn golden_path(snapshot: &Path) -> PathBuf {
    let stem = snapshot
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let jsonl = snapshot
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(crate::run::corpus::JSONL_EXTENSION));
    let suffix = if jsonl {
        GOLDEN_JSONL_SUFFIX
    } else {
        GOLDEN_SUFFIX
    };
    snapshot.with_file_name(format!("{stem}{suffix}"))
}
