//! Shared by the fuzz targets; `tests/fuzz_smoke.rs` includes `snapshot.rs` too.
pub mod snapshot;
