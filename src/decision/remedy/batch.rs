//! Remedies for many snapshots: `bylaw evaluate --facts-jsonl FILE --remedies`.

use std::io::BufRead;

use serde::Serialize;

use crate::decision::Outcome;
use crate::run::batch::{load_line, stream_jsonl_with, DEFAULT_MAX_LINE};
use crate::run::engine::{Engine, Options};

use super::render::{view, WithRemedies};

#[derive(Serialize)]
struct Line<'a> {
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<WithRemedies<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// Decides each JSON line of `input` on `workers` threads and hands `emit`, in input
/// order, each line's outcome and its JSON line (`{"line", "decision"}` with remedies,
/// or `{"line", "error"}` for a line that cannot be read: the rest go on).
pub fn stream_jsonl<R: BufRead + Send>(
    engine: &Engine,
    opts: &Options,
    input: R,
    origin: &str,
    workers: usize,
    mut emit: impl FnMut(Outcome, &[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let each = |n: usize, text: Result<&str, String>| -> (Outcome, Vec<u8>) {
        let loaded = text.and_then(|t| load_line(engine, n, t, origin));
        let (outcome, line) = match loaded {
            Ok(facts) => {
                let d = engine.evaluate_with(&facts, opts);
                let r = engine.remedies_with(&facts, &d, opts);
                let line = serde_json::to_vec(&Line {
                    line: n,
                    decision: Some(view(&d, &r)),
                    error: None,
                });
                (d.decision, line)
            }
            Err(e) => {
                let line = serde_json::to_vec(&Line {
                    line: n,
                    decision: None,
                    error: Some(&e),
                });
                (Outcome::Error, line)
            }
        };
        let mut bytes = line.unwrap_or_default();
        bytes.push(b'\n');
        (outcome, bytes)
    };
    stream_jsonl_with(
        input,
        origin,
        workers,
        DEFAULT_MAX_LINE,
        each,
        |(o, bytes)| emit(o, &bytes),
    )
}
