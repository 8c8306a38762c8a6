//! Rendering decisions: for people (text, errors) and machines (compact JSON).

pub mod diagnostic;
pub(crate) mod diff;
pub mod errors;
pub mod json;
pub mod pretty;
pub mod text;

use crate::decision::Decision;

/// The renderings of one decision, as `bylaw evaluate --format` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// For people.
    Text,
    /// Pretty JSON, one document (a server answers with this).
    Json,
    /// YAML, as golden decision files hold it.
    Yaml,
}

/// A decision in the rendering asked for: the last stage of the pipeline, the same
/// bytes whichever command or server asked.
pub fn render(d: &Decision, rendering: Rendering) -> Result<String, String> {
    match rendering {
        Rendering::Text => Ok(text::render(d)),
        // The direct writer, pretty: serde_json's pretty printer, byte for byte.
        Rendering::Json => {
            let mut out = Vec::with_capacity(8192);
            pretty::write_decision(&mut out, d);
            out.push(b'\n');
            String::from_utf8(out).map_err(|e| e.to_string())
        }
        Rendering::Yaml => serde_yaml::to_string(d).map_err(|e| e.to_string()),
    }
}
