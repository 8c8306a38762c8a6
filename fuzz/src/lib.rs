//! Shared by the fuzz targets; `tests/it/fuzz_smoke.rs` includes `snapshot.rs` too.
pub mod snapshot;
