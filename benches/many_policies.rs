//! A rule set with many policies: `cargo bench --bench many_policies`. Figures and
//! commands are in docs/performance.md ("Many policies").
//!
//! The rule set is generated at bench time into a temporary folder, never committed:
//! `rules/` and, in a `generated/` sub-folder, 1,000 copies of `unsubscribe.bylaw`,
//! each a policy of its own on its own action (`unsubscribe_inactive_N`). The snapshots
//! are the generated corpus of `benches/engine.rs` (seed 1): each still matches one
//! policy of `rules/`, so the 1,000 others are what a decision must not pay for.
//! Under `cargo test --benches` every benchmark runs once, on 20 copies.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: fail loudly

use std::path::{Path, PathBuf};
use std::process::Command;

use bylaw::input::{load_str, Format};
use bylaw::{Engine, Options, Pipeline, Value};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// The allocator the `bylaw` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The process's resident memory in bytes (Linux), or 0 when it cannot be read.
fn resident() -> i64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: i64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary rule folder: `rules/` plus `copies` copies of unsubscribe.bylaw.
fn rule_set(copies: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["unsubscribe.bylaw", "disassociate.bylaw"] {
        std::fs::copy(root().join("rules").join(f), dir.path().join(f)).unwrap();
    }
    let text = std::fs::read_to_string(root().join("rules/unsubscribe.bylaw")).unwrap();
    let generated = dir.path().join("generated");
    std::fs::create_dir(&generated).unwrap();
    for k in 0..copies {
        let copy = text
            .replacen(
                "policy unsubscribe\n",
                &format!("policy unsubscribe_{k}\n"),
                1,
            )
            .replacen(
                "\"unsubscribe_inactive\"",
                &format!("\"unsubscribe_inactive_{k}\""),
                1,
            );
        std::fs::write(generated.join(format!("unsubscribe_{k:04}.bylaw")), copy).unwrap();
    }
    dir
}

/// `n` snapshots from the generator (seed 1), parsed.
fn corpus(n: usize) -> Vec<Value> {
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("facts-{n}.jsonl"));
    if !path.exists() {
        let status = Command::new("python3")
            .arg(root().join("benches/gen_facts.py"))
            .args(["--n", &n.to_string(), "--seed", "1", "--out"])
            .arg(&path)
            .status()
            .expect("python3 runs the generator");
        assert!(status.success(), "gen_facts.py failed");
    }
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| load_str(l, Format::Json, "bench").unwrap())
        .collect()
}

fn copies() -> usize {
    if measuring() {
        1_000
    } else {
        20
    }
}

/// The process's CPU time so far (user + system, all threads; Linux), in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (in parentheses, which may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    // The kernel's USER_HZ, 100 on Linux.
    ticks as f64 / 100.0
}

/// Wall and CPU time of a few loads of `dir`, beside the load average: on a shared
/// machine the CPU time is the figure that does not depend on the neighbours.
fn report_cpu(dir: &Path, policies: usize) {
    let loads = if measuring() { 5 } else { 1 };
    let (wall, cpu) = (std::time::Instant::now(), cpu_seconds());
    for _ in 0..loads {
        drop(black_box(Engine::from_dir(dir).unwrap()));
    }
    let wall = wall.elapsed().as_secs_f64() / loads as f64;
    let cpu = (cpu_seconds() - cpu) / loads as f64;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!(
        "load and check {policies} policies: {wall:.3} s wall, {cpu:.2} s CPU (user + sys, \
         freeing included), mean of {loads}; load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}

fn load(c: &mut Criterion) {
    let two = rule_set(0);
    let many = rule_set(copies());
    report_memory(two.path(), many.path());
    report_cpu(many.path(), 2 + copies());
    let mut g = c.benchmark_group("many policies: load and check");
    g.sample_size(10);
    for (n, dir) in [(2, two.path()), (2 + copies(), many.path())] {
        g.bench_function(BenchmarkId::new("policies", n), |b| {
            // Loading and checking is measured; freeing the engine after is not.
            b.iter_with_large_drop(|| Engine::from_dir(dir).unwrap())
        });
    }
    g.finish();
}

/// The resident memory a loaded rule set adds, per policy beyond the two of `rules/`
/// (the process's resident set grown by loading each, the engine kept).
fn report_memory(two: &Path, many: &Path) {
    let before = resident();
    let a = Engine::from_dir(two).unwrap();
    let with_two = resident();
    let b = Engine::from_dir(many).unwrap();
    let with_many = resident();
    eprintln!(
        "resident memory: +{} KiB for 2 policies, +{} KiB for {}: {} bytes per added policy",
        (with_two - before) / 1024,
        (with_many - with_two) / 1024,
        2 + copies(),
        (with_many - with_two) / copies() as i64
    );
    drop((a, b));
}

/// Conforms and decides every snapshot as `bylaw evaluate` does: through the engine's
/// pipeline (built once, as the CLI builds it once per run), so the schema check of
/// each snapshot is measured with its decision.
fn pass(pipeline: &Pipeline, snapshots: &[Value]) {
    let opts = Options::default();
    for f in snapshots {
        let conformed = pipeline.conform(f, "bench").unwrap();
        black_box(pipeline.decide(&conformed, &opts));
    }
}

fn decide(c: &mut Criterion) {
    let two = Engine::from_dir(rule_set(0).path()).unwrap();
    let many = Engine::from_dir(rule_set(copies()).path()).unwrap();
    let snapshots = corpus(if measuring() { 2_000 } else { 200 });
    let mut g = c.benchmark_group("many policies: conform and decide the corpus (per pass)");
    g.throughput(Throughput::Elements(snapshots.len() as u64));
    g.sample_size(20);
    for (n, engine) in [(2, &two), (2 + copies(), &many)] {
        let pipeline = engine.pipeline();
        g.bench_function(BenchmarkId::new("policies", n), |b| {
            b.iter(|| pass(&pipeline, &snapshots))
        });
    }
    g.finish();
    report_ratio(&two, &many, &snapshots);
}

/// This thread's CPU time so far in seconds (Linux, nanosecond resolution), or 0.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns: u64 = stat
        .split_whitespace()
        .next()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    ns as f64 / 1e9
}

/// The time per pass with many policies over that with 2 (conforming included),
/// measured in turns (one pass of each, seven times) so that both see the same machine;
/// the median is printed, in wall time and in the thread's CPU time, with the load
/// average.
fn report_ratio(two: &Engine, many: &Engine, snapshots: &[Value]) {
    let (two, many) = (two.pipeline(), many.pipeline());
    let timed = |pipeline: &Pipeline| {
        let (t, cpu) = (std::time::Instant::now(), thread_cpu_seconds());
        pass(pipeline, snapshots);
        (t.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu)
    };
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..7 {
        let (mw, mc) = timed(&many);
        let (tw, tc) = timed(&two);
        wall.push(mw / tw);
        cpu.push(if tc > 0.0 { mc / tc } else { f64::NAN });
    }
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    eprintln!(
        "time per pass (conform + decide), {} policies / 2: {:.3}x wall (from {:.3} to {:.3}), \
         {:.3}x CPU (from {:.3} to {:.3}); median of 7 turns of {} snapshots; load average {}",
        2 + copies(),
        wall[3],
        wall[0],
        wall[6],
        cpu[3],
        cpu[0],
        cpu[6],
        snapshots.len(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}

criterion_group!(benches, load, decide);
criterion_main!(benches);
