#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: fail loudly
//! Loads and checks `rules/` in a loop, for profiling the load:
//! `cargo run --release --example load_loop -- [ITERATIONS]`.
//! Prints the mean, the median and the fastest load in milliseconds.
use std::time::Instant;

/// The allocator the `bylaw` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(200);
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let engine = bylaw::Engine::from_dir("rules").unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(engine);
    }
    let mean = times.iter().sum::<f64>() / n as f64;
    times.sort_by(f64::total_cmp);
    println!(
        "{n} loads: mean {mean:.3} ms, median {:.3} ms, fastest {:.3} ms",
        times[n / 2],
        times[0]
    );
}
