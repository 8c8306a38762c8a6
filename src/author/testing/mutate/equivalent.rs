//! Mutants the author declares equivalent: edits no test can notice because they do
//! not change any decision, each with the reason. They are kept in a YAML file beside
//! the rules (`rules/mutants.yaml`):
//!
//! ```yaml
//! equivalent:
//!   - at: rules/unsubscribe.bylaw:70
//!     edit: "`<=` → `<`"
//!     reason: "…why no snapshot can decide differently…"
//! ```
//!
//! A declaration names a mutant by its place and its edit, as the report prints them.
//! One that matches no surviving mutant (a test now kills it, or the rules changed) is
//! reported stale, so the file cannot hide a mutant that matters.

use std::path::Path;

use super::{Fate, Mutant};

/// One declared equivalent mutant.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    /// `FILE:LINE`, as the report prints it.
    pub at: String,
    /// The edit, as the report prints it.
    pub edit: String,
    /// Why no test can tell the mutant from the rules as written.
    pub reason: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    equivalent: Vec<Declared>,
}

/// Reads a declarations file; a missing file declares nothing.
pub fn load(path: &Path) -> Result<Vec<Declared>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    let file: File = serde_yaml::from_str(&text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(":{}:{}", l.line(), l.column()))
            .unwrap_or_default();
        format!("`{}{at}`: {e}", path.display())
    })?;
    for d in &file.equivalent {
        if d.reason.trim().is_empty() {
            return Err(format!(
                "`{}`: the equivalent mutant `{}` {} gives no reason: say why no test can tell it apart",
                path.display(),
                d.at,
                d.edit
            ));
        }
    }
    Ok(file.equivalent)
}

/// Marks the survivors `declared` names equivalent; returns the declarations that
/// matched no survivor.
pub(crate) fn apply(mutants: &mut [Mutant], declared: &[Declared]) -> Vec<Declared> {
    let mut stale = Vec::new();
    for d in declared {
        let mut used = false;
        for m in mutants
            .iter_mut()
            .filter(|m| m.at == d.at && m.edit == d.edit && m.fate == Fate::Survived)
        {
            m.fate = Fate::Equivalent {
                reason: d.reason.clone(),
            };
            used = true;
        }
        if !used {
            stale.push(d.clone());
        }
    }
    stale
}
