//! `bylaw evaluate --facts-jsonl` / `--facts-dir`: many decisions, one JSON line each.

use std::io::{BufReader, BufWriter, IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use bylaw::batch::{self, Summary, DEFAULT_MAX_LINE};
use bylaw::{Engine, Options};

pub fn run(
    engine: &Engine,
    opts: &Options,
    jsonl: Option<&Path>,
    dir: Option<&Path>,
    jobs: Option<usize>,
) -> ExitCode {
    let started = Instant::now();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let progress = Progress::new();
    let mut emit = |r: &batch::Record| {
        progress.tick();
        batch::write_record(&mut out, r)
    };
    let result = match (jsonl, dir) {
        (Some(path), _) => {
            let workers =
                jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            if path == Path::new("-") {
                let stdin = std::io::stdin();
                batch::stream_jsonl(
                    engine,
                    opts,
                    BufReader::with_capacity(1 << 16, stdin),
                    "<stdin>",
                    workers,
                    DEFAULT_MAX_LINE,
                    &mut emit,
                )
            } else {
                match std::fs::File::open(path) {
                    Ok(f) => {
                        let origin = path.display().to_string();
                        let input = BufReader::with_capacity(1 << 16, f);
                        batch::stream_jsonl(
                            engine,
                            opts,
                            input,
                            &origin,
                            workers,
                            DEFAULT_MAX_LINE,
                            &mut emit,
                        )
                    }
                    Err(e) => return super::fail(&format!("{}: {e}", path.display())),
                }
            }
        }
        (None, Some(dir)) => batch::evaluate_dir(engine, opts, dir, &mut emit)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", dir.display()))),
        (None, None) => return super::fail(&"give --facts-jsonl or --facts-dir"),
    };
    let flushed = out.flush();
    progress.finish();
    match result.and_then(|s| flushed.map(|()| s)) {
        Ok(summary) => {
            eprintln!(
                "{}",
                summary_line(&summary, started.elapsed().as_secs_f64())
            );
            ExitCode::from(summary.worst().exit_code())
        }
        // A closed pipe (`| head`) is the reader's choice, not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
        Err(e) => super::fail(&e),
    }
}

fn summary_line(s: &Summary, secs: f64) -> String {
    let rate = if secs > 0.0 {
        s.total as f64 / secs
    } else {
        0.0
    };
    format!(
        "{} snapshots: {} allowed, {} denied, {} needs_review, {} error, {} bad input ({:.0} snapshots/s)",
        s.total, s.allowed, s.denied, s.needs_review, s.error, s.bad_input, rate
    )
}

/// A count on stderr while a long run goes, only on a terminal.
struct Progress {
    on: bool,
    count: std::cell::Cell<u64>,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            on: std::io::stderr().is_terminal(),
            count: std::cell::Cell::new(0),
        }
    }

    fn tick(&self) {
        let n = self.count.get() + 1;
        self.count.set(n);
        if self.on && n % 10_000 == 0 {
            eprint!("\r{n} snapshots decided");
        }
    }

    fn finish(&self) {
        if self.on && self.count.get() >= 10_000 {
            eprint!("\r\x1b[K");
        }
    }
}
