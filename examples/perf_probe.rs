#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: fail loudly
//! A quick probe of where time goes: `cargo run --release --example perf_probe -- FILE.jsonl`.
use std::time::Instant;
/// The allocator the `bylaw` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let engine = {
        let t = Instant::now();
        let e = bylaw::Engine::from_dir("rules").unwrap();
        eprintln!("load: {:?}", t.elapsed());
        e
    };
    let t = Instant::now();
    for l in &lines {
        let _v: serde_json::Value = serde_json::from_str(l).unwrap();
    }
    let base = t.elapsed();
    let t = Instant::now();
    let facts: Vec<_> = lines
        .iter()
        .map(|l| bylaw::input::load_str(l, bylaw::input::Format::Json, "x").unwrap())
        .collect();
    let load = t.elapsed();
    let t = Instant::now();
    let mut n = 0;
    for f in &facts {
        let d = engine.evaluate(f);
        n += d.items.len();
    }
    let eval = t.elapsed();
    let t = Instant::now();
    let mut bytes = 0;
    for f in &facts {
        let d = engine.evaluate(f);
        bytes += serde_json::to_string(&d).unwrap().len();
    }
    let eval_ser = t.elapsed();
    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / lines.len() as f64;
    eprintln!("serde_json::Value parse: {:.1} us/snap", per(base));
    eprintln!("bylaw load: {:.1} us/snap", per(load));
    eprintln!("evaluate: {:.1} us/snap ({n} items)", per(eval));
    eprintln!(
        "evaluate+json: {:.1} us/snap ({bytes} bytes)",
        per(eval_ser)
    );
}
