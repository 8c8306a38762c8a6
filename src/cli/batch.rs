//! `bylaw evaluate --facts-jsonl` / `--facts-dir`: many decisions, one JSON line each.

use std::io::{BufReader, BufWriter, IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use bylaw::run::batch::{self, Summary, DEFAULT_MAX_LINE};
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
    let mut write_lines = |lines: &[u8], records: usize| {
        progress.advance(records);
        out.write_all(lines)
    };
    let result = match (jsonl, dir) {
        (Some(path), _) => {
            let workers =
                jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            if path == Path::new("-") {
                let stdin = std::io::stdin();
                batch::stream_jsonl_bytes(
                    engine,
                    opts,
                    BufReader::with_capacity(1 << 16, stdin),
                    "<stdin>",
                    workers,
                    DEFAULT_MAX_LINE,
                    &mut write_lines,
                )
            } else {
                match std::fs::File::open(path) {
                    Ok(f) => {
                        let origin = path.display().to_string();
                        let input = BufReader::with_capacity(1 << 16, f);
                        batch::stream_jsonl_bytes(
                            engine,
                            opts,
                            input,
                            &origin,
                            workers,
                            DEFAULT_MAX_LINE,
                            &mut write_lines,
                        )
                    }
                    Err(e) => return super::fail(&format!("{}: {e}", path.display())),
                }
            }
        }
        (None, Some(dir)) => batch::evaluate_dir(engine, opts, dir, |r: &batch::Record| {
            progress.advance(1);
            batch::write_record(&mut out, r)
        })
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

/// A spinner with the count and rate on stderr, only on a terminal (none when piped or
/// under `NO_COLOR`-style plain output), so logs of batch jobs stay clean.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new() -> Progress {
        let on = std::io::stderr().is_terminal();
        let bar = on.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {human_pos} snapshots decided ({per_sec})",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar }
    }

    fn advance(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
