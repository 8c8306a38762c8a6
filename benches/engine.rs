//! Speed of bylaw: `cargo bench --bench engine`. Figures and commands are in
//! docs/performance.md.
//!
//! The corpus is generated at bench time by `benches/gen_facts.py` (a copy of
//! shared/bench/gen_facts.py) into `target/bench/`, never committed. Under
//! `cargo test --benches` (no `--bench` flag) every benchmark runs once on a small corpus.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: fail loudly

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use bylaw::input::{load_str, Format};
use bylaw::run::batch::{stream_jsonl_bytes, DEFAULT_MAX_LINE};
use bylaw::{Engine, Options, Value};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// The allocator the `bylaw` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// `n` snapshots from the generator (seed 1), one JSON document per line.
fn corpus(n: usize) -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("facts-{n}.jsonl"));
    if !path.exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen_facts.py");
        let status = Command::new("python3")
            .arg(&script)
            .args(["--n", &n.to_string(), "--seed", "1", "--out"])
            .arg(&path)
            .status()
            .expect("python3 runs the generator");
        assert!(status.success(), "gen_facts.py failed");
    }
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn rules() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn example(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    load_str(&std::fs::read_to_string(path).unwrap(), Format::Yaml, name).unwrap()
}

/// The unsubscribe example with its one resource repeated `n` times (a batch request).
fn batch_of(n: usize) -> Value {
    let mut json: serde_json::Value = serde_json::to_value(example("unsubscribe.yaml")).unwrap();
    let one = json["resources"][0].clone();
    json["resources"] = serde_json::Value::Array(
        (0..n)
            .map(|i| {
                let mut r = one.clone();
                r["id"] = serde_json::Value::String(format!("ecs-{i}"));
                r
            })
            .collect(),
    );
    json["request"]["mode"] = "batch".into();
    load_str(&json.to_string(), Format::Json, "batch").unwrap()
}

fn load(c: &mut Criterion) {
    c.bench_function("load and check rules/", |b| {
        b.iter(|| Engine::from_dir(rules()).unwrap())
    });
}

fn decide(c: &mut Criterion) {
    let engine = Engine::from_dir(rules()).unwrap();
    let mut g = c.benchmark_group("decide parsed facts");
    for (name, facts) in [
        ("unsubscribe, 1 resource", example("unsubscribe.yaml")),
        ("unsubscribe, 20 resources", batch_of(20)),
        ("disassociate", example("disassociate.yaml")),
    ] {
        g.bench_with_input(BenchmarkId::from_parameter(name), &facts, |b, f| {
            b.iter(|| engine.evaluate(f))
        });
    }
    g.finish();
}

fn per_snapshot(c: &mut Criterion) {
    let engine = Engine::from_dir(rules()).unwrap();
    let lines = corpus(if measuring() { 20_000 } else { 200 });
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| load_str(l, Format::Json, "bench").unwrap())
        .collect();
    let mut g = c.benchmark_group("corpus of generated snapshots (per pass)");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.sample_size(10);
    g.bench_function("baseline: serde_json::Value parse", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(serde_json::from_str::<serde_json::Value>(l).unwrap());
            }
        })
    });
    g.bench_function("bylaw load (typed facts)", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(load_str(l, Format::Json, "bench").unwrap());
            }
        })
    });
    g.bench_function("decide parsed facts", |b| {
        b.iter(|| {
            for f in &parsed {
                black_box(engine.evaluate(f));
            }
        })
    });
    g.bench_function("decide parsed facts and write the JSON", |b| {
        let mut out = Vec::with_capacity(1 << 20);
        b.iter(|| {
            for f in &parsed {
                out.clear();
                bylaw::report::json::write_decision(&mut out, &engine.evaluate(f));
                black_box(&out);
            }
        })
    });
    g.bench_function("JSON line to decision", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(engine.evaluate(&load_str(l, Format::Json, "bench").unwrap()));
            }
        })
    });
    g.finish();
}

fn streaming(c: &mut Criterion) {
    let engine = Engine::from_dir(rules()).unwrap();
    let lines = corpus(if measuring() { 100_000 } else { 200 });
    let input = lines.join("\n");
    let mut g = c.benchmark_group("JSONL streaming, decisions written");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.sample_size(10);
    for workers in [1usize, 2] {
        g.bench_function(BenchmarkId::new("workers", workers), |b| {
            // As `bylaw evaluate --facts-jsonl` does it: workers write the records.
            b.iter(|| {
                let mut out = std::io::sink();
                stream_jsonl_bytes(
                    &engine,
                    &Options::default(),
                    input.as_bytes(),
                    "bench",
                    workers,
                    DEFAULT_MAX_LINE,
                    |bytes, _| out.write_all(bytes),
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, load, decide, per_snapshot, streaming);
criterion_main!(benches);
