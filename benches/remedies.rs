//! What remedies cost against the decision they explain: `cargo bench --bench remedies`.
//! The target (issue 21): remedies for a denied snapshot cost at most 20 times its
//! decision. Figures in docs/performance.md ("Remedies").

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: fail loudly

use std::path::PathBuf;

use bylaw::input::{load_str, Format};
use bylaw::{Engine, Value};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// The allocator the `bylaw` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn scenario(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name);
    load_str(&std::fs::read_to_string(path).unwrap(), Format::Yaml, name).unwrap()
}

fn remedies(c: &mut Criterion) {
    let engine = Engine::from_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    for name in [
        "unsubscribe/transaction_in_progress.yaml",
        "unsubscribe/several_denials.yaml",
        "disassociate/contract_example.yaml",
        "disassociate/several_denials.yaml",
    ] {
        let facts = scenario(name);
        let decision = engine.evaluate(&facts);
        assert_eq!(decision.decision, bylaw::Outcome::Denied, "{name}");
        let mut g = c.benchmark_group(name);
        g.bench_function("decide", |b| b.iter(|| engine.evaluate(black_box(&facts))));
        g.bench_function("remedies", |b| {
            b.iter(|| engine.remedies(black_box(&facts), black_box(&decision)))
        });
        g.finish();
    }
}

criterion_group!(benches, remedies);
criterion_main!(benches);
