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
mod batch_outcomes;
mod cli;
mod cli_schema;
mod docs;
mod editors;
mod eval;
mod eval_exact;
mod explain_exact;
mod fact_paths;
mod facts_exact;
mod file_system;
mod fmt;
mod fuzz_smoke;
mod generator;
mod impact;
mod imports;
mod isolated_tests;
mod json_schema;
mod kinds;
mod language;
mod language_forms;
mod limits;
mod linear;
mod many_policies;
mod mutate;
mod output_failure;
mod parser;
mod pipeline;
mod presence;
mod properties;
mod remedies;
mod remedies_text;
mod render_json;
mod rule_folders;
mod scenarios;
mod schema_typed;
mod schema_validate;
mod seed_example;
mod serve;
mod serve_lifecycle;
mod serve_support;
mod severity;
mod snapshot;
mod testing;
mod toolchain;
mod typeck;
mod typeck_builtins;
mod typeck_keys;
mod typed_errors;
mod yaml_agree;
