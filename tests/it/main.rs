//! The integration tests, one binary: each module was a test binary of its own, and
//! linking the crate and every dev-dependency 23 times cost more than running them.
//! Data stays in tests/ (scenarios, bad_inputs, …); tests run from the crate root.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

// The fuzz targets' structured snapshots (fuzz/ is its own crate), for fuzz_smoke and
// properties.
#[path = "../../fuzz/src/snapshot.rs"]
#[allow(dead_code)]
mod fuzz_snapshot;

mod bad_inputs;
mod batch;
mod cli;
mod cli_schema;
mod docs;
mod editors;
mod eval;
mod facts_exact;
mod fmt;
mod fuzz_smoke;
mod impact;
mod json_schema;
mod limits;
mod parser;
mod properties;
mod remedies;
mod remedies_text;
mod render_json;
mod scenarios;
mod schema_validate;
mod seed_example;
mod snapshot;
mod testing;
mod toolchain;
mod typeck;
