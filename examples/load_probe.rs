#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a measuring tool: fail loudly
//! One stage of reading a JSONL corpus, alone, so `perf stat -e instructions` can count it:
//! `cargo run --release --example load_probe -- MODE FILE.jsonl [REPEAT]` with MODE one of
//! `none` (reading the file only), `bare` (`serde_json::Value`), `load` (`facts::load_str`)
//! or `valid` (load, then conform to the rules' schemas). Prints µs per line.
use std::time::Instant;

/// The allocator the `bylaw` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap();
    let path = args.next().unwrap();
    let repeat: usize = args.next().map_or(1, |r| r.parse().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let engine = bylaw::Engine::from_dir("rules").unwrap();
    let opts = bylaw::schema::ConformOptions::default();
    let conformer = engine.conformer();
    let t = Instant::now();
    let mut n = 0usize;
    for _ in 0..repeat {
        for l in &lines {
            match mode.as_str() {
                "none" => n += l.len(),
                "bare" => {
                    let v: serde_json::Value = serde_json::from_str(l).unwrap();
                    n += v.as_object().map_or(0, |m| m.len());
                }
                "load" => {
                    let v = bylaw::input::load_str(l, bylaw::input::Format::Json, "x").unwrap();
                    n += matches!(v, bylaw::Value::Map(_)) as usize;
                }
                "valid" => {
                    let v = bylaw::input::load_str(l, bylaw::input::Format::Json, "x").unwrap();
                    n += conformer.conform(&v, &opts).is_ok() as usize;
                }
                other => panic!("unknown mode {other}"),
            }
        }
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / (lines.len() * repeat) as f64;
    eprintln!("{mode}: {per:.2} us/line ({n})");
}
