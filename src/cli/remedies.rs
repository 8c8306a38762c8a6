//! `bylaw evaluate --remedies`: the decision with what would make it allowed.

use super::OutputFormat;
use bylaw::decision::remedy::{render as view, Remedies};
use bylaw::Decision;

/// A decision and its remedies in the chosen format.
pub fn render(d: &Decision, r: &Remedies, format: OutputFormat) -> Result<String, String> {
    match format {
        OutputFormat::Text => Ok(view::text(d, r)),
        OutputFormat::Json => serde_json::to_string_pretty(&view::view(d, r))
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        OutputFormat::Yaml => serde_yaml::to_string(&view::view(d, r)).map_err(|e| e.to_string()),
    }
}

/// `--facts-jsonl FILE --remedies`: one JSON line per snapshot, in input order, each
/// decision with its remedies; a bad line is an error record and the rest go on.
pub fn batch(
    engine: &bylaw::run::engine::Engine,
    opts: &bylaw::run::engine::Options,
    jsonl: Option<&std::path::Path>,
    jobs: Option<usize>,
) -> std::process::ExitCode {
    use std::io::{BufRead, BufReader, Write as _};

    let Some(path) = jsonl else {
        return super::fail(&"--remedies decides --facts or --facts-jsonl, not --facts-dir");
    };
    let input: Box<dyn BufRead + Send> = if path == std::path::Path::new("-") {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        match std::fs::File::open(path) {
            Ok(f) => Box::new(BufReader::new(f)),
            Err(e) => return super::fail(&format!("{}: {e}", path.display())),
        }
    };
    let workers =
        jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut worst = bylaw::Outcome::Allowed;
    let origin = path.display().to_string();
    let result = bylaw::decision::remedy::batch::stream_jsonl(
        engine,
        opts,
        input,
        &origin,
        workers,
        |o, line| {
            worst = worst.max(o);
            out.write_all(line)
        },
    )
    .and_then(|()| out.flush());
    match result {
        Ok(()) => std::process::ExitCode::from(worst.exit_code()),
        Err(e) => super::fail(&e),
    }
}
