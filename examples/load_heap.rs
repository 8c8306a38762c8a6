#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: fail loudly
//! Loads and checks one rule folder once, on the system allocator (not mimalloc), so
//! that `heaptrack` can count its heap: `heaptrack target/release/examples/load_heap DIR`,
//! then `heaptrack_print -f heaptrack.load_heap.*.zst | tail` for the peak heap and what
//! stays allocated while the engine is kept (see "Many policies" in docs/performance.md).
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "rules".into());
    let engine = bylaw::Engine::from_dir(&dir).unwrap();
    println!("{} policies loaded", engine.policies().count());
    // Kept to here, so what it holds counts as in use at the end.
    std::hint::black_box(&engine);
    std::process::exit(0);
}
