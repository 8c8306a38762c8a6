//! Running a rule set: the engine that loads rules, the [`pipeline`] every command and
//! library user decides a snapshot through (read → conform → decide), and the
//! paths that decide many (JSONL streams, folders, corpora) in order on all cores.

pub mod batch;
pub mod corpus;
mod dispatch;
pub mod engine;
pub(crate) mod golden;
pub mod load;
pub mod pipeline;
// The fuzz targets' entry points (fuzz/ is its own crate), not an API.
#[doc(hidden)]
pub mod harness;
