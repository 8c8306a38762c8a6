//! The rule parser and checker on arbitrary text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = bylaw::run::harness::rules(data) {
        panic!("{e}");
    }
});
