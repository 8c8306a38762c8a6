//! Argument parsing and dispatch; shared helpers for reading input and failing.

use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand, ValueEnum};

use bylaw::facts::{self, Format};
use bylaw::Value;

mod batch;
mod check;
mod diff;
mod evaluate;
mod fmt;
mod snapshot;

/// bylaw: policy decisions you can read, trust and explain.
#[derive(Parser)]
#[command(name = "bylaw", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decide a fact snapshot against the rules.
    ///
    /// Exit status: 0 allowed, 2 denied, 3 needs review, 1 error or bad input.
    ///
    /// Example: bylaw evaluate --rules rules/ --facts examples/unsubscribe.yaml
    Evaluate(evaluate::Args),
    /// Check rule files: syntax, names, arities, literal types. Exit 1 on any error.
    ///
    /// Example: bylaw check --rules rules/
    Check(check::Args),
    /// Rewrite rule files in the one canonical layout (comments kept).
    ///
    /// Example: bylaw fmt --check rules/
    Fmt(fmt::Args),
    /// Compare each snapshot's decision with its golden file beside it
    /// (case.yaml → case.decision.yaml); --accept writes them, --review asks one by one.
    ///
    /// Exit status: 0 every golden matches (or was accepted), 4 some decision changed, is
    /// new or its golden is orphaned, 1 error or bad input.
    ///
    /// Example: bylaw snapshot tests/scenarios
    Snapshot(snapshot::Args),
    /// The impact of a rule change: decide a corpus under the old and the new rules and
    /// report the cases whose decision changed, by transition, with the rules responsible.
    ///
    /// Exit status: 0 nothing changed (rules that only moved to other lines do not count),
    /// 4 some decision, rule, message or value changed, 1 error or bad input.
    ///
    /// Example: bylaw diff --base git:HEAD~1 --rules rules/ corpus/
    Diff(diff::Args),
}

/// The exit status of `snapshot` and `diff` when decisions changed.
pub const EXIT_CHANGED: u8 = 4;

/// How a decision is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text for people.
    Text,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Bad arguments are bad input: exit 1 (clap's own default is 2, which means "denied" here).
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Evaluate(args) => evaluate::run(args),
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Diff(args) => diff::run(args),
    }
}

/// `--now` and other times given on the command line.
pub fn parse_time(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s).map_err(|e| {
        format!("`{s}` is not an RFC 3339 time with an offset ({e}); write e.g. 2021-10-01T09:00:00+08:00")
    })
}

/// The default rules folder.
pub fn default_rules() -> PathBuf {
    PathBuf::from("rules")
}

/// Reads a snapshot from a file or `-` (stdin); the error names the file.
pub fn read_snapshot(path: &Path, input_format: Option<Format>) -> Result<Value, String> {
    let stdin = path == Path::new("-");
    let origin = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let Some(fmt) = input_format.or_else(|| Format::from_path(path)) else {
        return Err(format!(
            "{origin}: cannot tell the snapshot's format from its name; use .json, .yaml or .yml, or pass --input-format"
        ));
    };
    let mut bytes = Vec::new();
    let read = if stdin {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    read.map_err(|e| format!("{origin}: cannot read the snapshot: {e}"))?;
    facts::load_bytes(&bytes, fmt, &origin).map_err(|e| e.to_string())
}

/// Prints an error on stderr (red only on a terminal without `NO_COLOR`) and returns exit status 1.
pub fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    let text = e.to_string();
    let text = text.trim_end();
    let body = text.strip_prefix("error: ").unwrap_or(text);
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        eprintln!("\x1b[1;31merror\x1b[0m: {body}");
    } else {
        eprintln!("error: {body}");
    }
    ExitCode::from(1)
}
