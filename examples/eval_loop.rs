#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Evaluates a JSONL corpus repeatedly (for profilers): `eval_loop FILE.jsonl ROUNDS [json|direct]`
//! (also serialise each decision, with serde_json or bylaw's direct writer). The rules
//! are `rules/`, or the directory `RULES` names.
/// The allocator the `bylaw` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap();
    let rounds: usize = args.next().map_or(5, |r| r.parse().unwrap());
    let mode = args.next().unwrap_or_default();
    let mut buf = Vec::new();
    let text = std::fs::read_to_string(&path).unwrap();
    let engine =
        bylaw::Engine::from_dir(std::env::var("RULES").as_deref().unwrap_or("rules")).unwrap();
    let facts: Vec<_> = text
        .lines()
        .map(|l| bylaw::input::load_str(l, bylaw::input::Format::Json, "x").unwrap())
        .collect();
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        for f in &facts {
            let d = engine.evaluate(f);
            n += match mode.as_str() {
                "json" => serde_json::to_vec(&d).unwrap().len(),
                "direct" => {
                    buf.clear();
                    bylaw::report::json::write_decision(&mut buf, &d);
                    buf.len()
                }
                _ => d.items.len(),
            };
        }
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / (rounds * facts.len()) as f64;
    eprintln!("evaluate: {per:.2} us/snapshot ({n} items)");
}
