//! Running a rule set: the engine that loads rules and decides one snapshot, and the
//! paths that decide many (JSONL streams, folders, corpora) in order on all cores.

pub mod batch;
pub mod corpus;
pub mod engine;
// The fuzz targets' entry points (fuzz/ is its own crate), not an API.
#[doc(hidden)]
pub mod harness;
