//! Which policy a test file tests. A file names it at its top (`policy: unsubscribe`);
//! else it is the policy it lives beside: a test file `DIR/tests/NAME.yaml` (or deeper
//! under `DIR/tests/`) tests the policy in `DIR/NAME.bylaw`, else the policy whose ID
//! is `NAME`. Its cases are then decided by that policy alone and its short rule names
//! resolve inside it, so adding or changing another policy never changes its results.
//! A file that names no policy and lives beside none is run against the whole rule
//! set, as before.

use std::path::{Component, Path, PathBuf};

use super::{Spanned, TestFile};
use crate::report::diagnostic::{did_you_mean, Diagnostic};
use crate::run::engine::Engine;

/// The ID of the policy `file` tests, `Ok(None)` for the whole rule set, or why the
/// policy it names is not loaded.
pub(crate) fn policy_of(engine: &Engine, file: &TestFile) -> Result<Option<String>, Diagnostic> {
    if let Some(named) = &file.policy {
        return named_policy(engine, named).map(Some);
    }
    let path = Path::new(&file.name);
    let Some(stem) = path.file_stem().map(|s| s.to_string_lossy()) else {
        return Ok(None);
    };
    // The folder the nearest `tests` folder above the file is in.
    let beside = path
        .ancestors()
        .skip(1)
        .find(|a| a.file_name().is_some_and(|n| n == "tests"))
        .and_then(Path::parent)
        .map(normal);
    if let Some(dir) = beside {
        let file_name = format!("{stem}.{}", crate::run::engine::RULE_EXTENSION);
        let wanted = dir.join(&file_name);
        if let Some(p) = engine
            .policies()
            .find(|p| normal(Path::new(&p.span.source.name)) == wanted)
        {
            return Ok(Some(p.id.name.clone()));
        }
    }
    Ok(engine
        .policies()
        .find(|p| p.id.name == stem)
        .map(|p| p.id.name.clone()))
}

fn named_policy(engine: &Engine, named: &Spanned<String>) -> Result<String, Diagnostic> {
    if engine.policies().any(|p| p.id.name == named.value) {
        return Ok(named.value.clone());
    }
    let ids: Vec<&str> = engine.policies().map(|p| p.id.name.as_str()).collect();
    let d = Diagnostic::at(
        &named.span,
        format!(
            "the test file is for the policy `{}`, which is not loaded",
            named.value
        ),
    );
    Err(match did_you_mean(&named.value, ids.iter().copied()) {
        Some(g) => d.hint(format!("did you mean `{g}`?")),
        None => d.hint(format!("the policies are: {}", ids.join(", "))),
    })
}

/// A path without `.` parts, so `./rules/a.bylaw` and `rules/a.bylaw` compare equal.
fn normal(p: &Path) -> PathBuf {
    p.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}
