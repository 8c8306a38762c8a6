//! Fact loading on arbitrary bytes as JSON.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = bylaw::run::harness::facts(data, bylaw::input::Format::Json) {
        panic!("{e}");
    }
});
