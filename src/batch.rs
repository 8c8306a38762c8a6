//! Deciding many snapshots in one run: a bad snapshot yields an error record for
//! itself and the others are still decided. Nothing lost (one record per input),
//! nothing duplicated, order kept; the worst outcome is the run's.
//!
//! The CLI has no batch mode yet (a streaming mode is planned); this is the
//! library half it is to be built on.

use serde::Serialize;

use crate::decision::{Decision, Outcome};
use crate::engine::{Engine, Options};
use crate::facts::{self, Format};
use crate::limits::Limits;

/// One snapshot to decide: where it came from (for messages), its bytes, its format.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file name, or another name for messages.
    pub origin: String,
    /// The snapshot's text.
    pub bytes: Vec<u8>,
    /// JSON or YAML.
    pub format: Format,
}

/// What became of one input, in input order.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// The input's position (0-based).
    pub index: usize,
    /// Where it came from.
    pub origin: String,
    /// The decision, or why there is none.
    #[serde(flatten)]
    pub result: RecordResult,
}

/// A decision, or the error that prevented one.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordResult {
    /// The snapshot was read and decided.
    Decision(Decision),
    /// The snapshot could not be read.
    Error(String),
}

impl Record {
    /// The record's outcome: a snapshot that could not be read counts as `error`.
    pub fn outcome(&self) -> Outcome {
        match &self.result {
            RecordResult::Decision(d) => d.decision,
            RecordResult::Error(_) => Outcome::Error,
        }
    }
}

/// Decides each input in turn, lazily: one record per input, in order.
pub fn evaluate_all<'e>(
    engine: &'e Engine,
    inputs: impl IntoIterator<Item = Input> + 'e,
    opts: &'e Options,
    limits: &'e Limits,
) -> impl Iterator<Item = Record> + 'e {
    inputs.into_iter().enumerate().map(move |(index, input)| {
        let result = match facts::load_bytes_with(&input.bytes, input.format, &input.origin, limits)
        {
            Ok(snapshot) => RecordResult::Decision(engine.evaluate_with(&snapshot, opts)),
            Err(e) => RecordResult::Error(e.to_string()),
        };
        Record {
            index,
            origin: input.origin,
            result,
        }
    })
}

/// The most severe outcome of a run (`allowed` for no records).
pub fn worst<'r>(records: impl IntoIterator<Item = &'r Record>) -> Outcome {
    records
        .into_iter()
        .map(Record::outcome)
        .max()
        .unwrap_or(Outcome::Allowed)
}
