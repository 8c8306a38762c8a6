//! One snapshot, from its bytes to its decision's JSON: the path `bylaw evaluate` and
//! `bylaw serve` share, so that both answer byte for byte alike for the same rules and
//! snapshot.

use crate::decision::Decision;
use crate::input::{self, Format, Places};
use crate::report::diagnostic::{self, Diagnostic};
use crate::run::engine::Engine;
use crate::run::pipeline::{Conformed, Pipeline, Rejected};
use crate::schema::ConformOptions;
use crate::value::Value;

/// A snapshot that does not match the fact schema: it is never evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{summary}")]
pub struct Invalid {
    /// Each violation on one line, placed in the snapshot's text (`file:line:col: …`).
    pub violations: Vec<String>,
    /// The sentence that ends the report: which snapshot, how many violations.
    pub summary: String,
}

/// Reads a snapshot's bytes, with what places its values (for [`conform`]); the error
/// names `origin`, and shows the line and column when the parser gives them.
pub fn load(bytes: &[u8], format: Format, origin: &str) -> Result<(Value, Places), Diagnostic> {
    input::load_bytes_placed(bytes, format, origin).map_err(|e| {
        let d = match (e.line, std::str::from_utf8(bytes)) {
            (Some(line), Ok(text)) => {
                diagnostic::in_text(origin, text, line, e.column.unwrap_or(1), e.message.clone())
            }
            _ => Diagnostic::plain(e.to_string()),
        };
        d.of_kind(e.kind.into())
    })
}

/// Checks a snapshot read from `bytes` (by [`load`], which gave `places`) against the
/// fact schema of the policies that apply to it, through the one [`Pipeline`]: the
/// snapshot as the rules read it, or every violation, located.
pub fn conform(
    engine: &Engine,
    (value, places): (&Value, &Places),
    bytes: &[u8],
    origin: &str,
    opts: &ConformOptions,
) -> Result<Conformed, Invalid> {
    let pipeline = Pipeline::with(engine, *opts);
    pipeline
        .conform_located(value, origin, || {
            Some(places.positions(&String::from_utf8_lossy(bytes)))
        })
        .map_err(|rejected| match rejected {
            Rejected::Invalid { origin, violations } => {
                let lines: Vec<String> = violations.iter().map(|v| v.render(&origin)).collect();
                let n = lines.len();
                Invalid {
                    violations: lines,
                    summary: format!(
                        "{origin}: the snapshot does not match the fact schema ({n} violation{}); it was not evaluated",
                        if n == 1 { "" } else { "s" }
                    ),
                }
            }
            other => Invalid {
                violations: Vec::new(),
                summary: other.to_string(),
            },
        })
}

/// A decision as `bylaw evaluate --format json` prints it: pretty JSON and a newline.
pub fn to_json(d: &Decision) -> Result<String, String> {
    crate::report::render(d, crate::report::Rendering::Json)
}
