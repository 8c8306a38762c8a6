//! The shipped rules on arbitrary structured facts shaped like the fact contract.
#![no_main]

use std::sync::OnceLock;

use bylaw::Engine;
use bylaw_fuzz::snapshot::{engine, Snapshot};

static ENGINE: OnceLock<Engine> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|s: Snapshot| {
    let engine = ENGINE.get_or_init(engine);
    if let Err(e) = bylaw::run::harness::decide(engine, &s.build()) {
        panic!("{e}");
    }
});
