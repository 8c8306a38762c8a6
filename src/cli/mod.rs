//! Argument parsing and dispatch; shared helpers for reading input and failing.

use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand, ValueEnum};

use bylaw::facts::Format;

mod check;
mod evaluate;
mod schema;

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
    /// Export the fact schema of each policy, for the teams that produce snapshots.
    ///
    /// Example: bylaw schema --format json-schema --policy unsubscribe
    Schema(schema::Args),
}

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
        Command::Schema(args) => schema::run(args),
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

/// A snapshot's bytes, before they are loaded.
pub struct Input {
    /// The file as errors name it (`<stdin>` for `-`).
    pub origin: String,
    /// JSON or YAML.
    pub format: Format,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Reads a snapshot's bytes from a file or `-` (stdin); the error names the file.
pub fn read_input(path: &Path, input_format: Option<Format>) -> Result<Input, String> {
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
    Ok(Input {
        origin,
        format: fmt,
        bytes,
    })
}

/// Prints an error on stderr (red only on a terminal without `NO_COLOR`) and returns exit status 1.
pub fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    report(e);
    ExitCode::from(1)
}

/// Prints an error on stderr (red only on a terminal without `NO_COLOR`).
pub fn report(e: &dyn std::fmt::Display) {
    let text = e.to_string();
    let text = text.trim_end();
    let body = text.strip_prefix("error: ").unwrap_or(text);
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        eprintln!("\x1b[1;31merror\x1b[0m: {body}");
    } else {
        eprintln!("error: {body}");
    }
}
