//! The `bylaw` command line: argument parsing, exit statuses, choice of rendering.

use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand, ValueEnum};

use bylaw::facts::{self, Format};
use bylaw::{Engine, Options};

/// bylaw: policy decisions you can read, trust and explain.
#[derive(Parser)]
#[command(name = "bylaw", version, about, long_about = None)]
struct Cli {
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
    Evaluate {
        /// The folder of rule files (*.bylaw).
        #[arg(long, default_value = "rules")]
        rules: PathBuf,
        /// The snapshot: a .json, .yaml or .yml file, or - for standard input.
        #[arg(long)]
        facts: PathBuf,
        /// "Now" (RFC 3339 with an offset), overriding the snapshot's top-level `now`.
        #[arg(long, value_parser = parse_now)]
        now: Option<DateTime<FixedOffset>>,
        /// How to print the decision.
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        /// The snapshot's format, when it cannot be told from the file name (stdin).
        #[arg(long, value_enum)]
        input_format: Option<Format>,
        /// Also list the rules that did not match, with the condition that failed.
        #[arg(long)]
        explain: bool,
    },
    /// Check rule files: syntax, names, arities, literal types. Exit 1 on any error.
    ///
    /// Example: bylaw check --rules rules/
    Check {
        /// The folder of rule files (*.bylaw).
        #[arg(long, default_value = "rules")]
        rules: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
    Yaml,
}

fn parse_now(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("`{s}` is not an RFC 3339 time with an offset ({e}); write e.g. 2021-10-01T09:00:00+08:00"))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Evaluate {
            rules,
            facts,
            now,
            format,
            input_format,
            explain,
        } => evaluate(&rules, &facts, now, format, input_format, explain),
        Command::Check { rules } => match Engine::from_dir(&rules) {
            Ok(engine) => {
                let n: usize = engine.policies().map(|p| p.rules.len()).sum();
                println!("ok: {} policies, {n} rules", engine.policies().count());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
    }
}

fn evaluate(
    rules: &Path,
    facts_path: &Path,
    now: Option<DateTime<FixedOffset>>,
    format: OutputFormat,
    input_format: Option<Format>,
    explain: bool,
) -> ExitCode {
    let engine = match Engine::from_dir(rules) {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    let stdin = facts_path == Path::new("-");
    let origin = if stdin { "<stdin>".to_string() } else { facts_path.display().to_string() };
    let Some(fmt) = input_format.or_else(|| Format::from_path(facts_path)) else {
        return fail(&format!(
            "{origin}: cannot tell the snapshot's format from its name; use .json, .yaml or .yml, or pass --input-format"
        ));
    };
    let mut bytes = Vec::new();
    let read = if stdin {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(facts_path).map(|b| bytes = b)
    };
    if let Err(e) = read {
        return fail(&format!("{origin}: cannot read the snapshot: {e}"));
    }
    let snapshot = match facts::load_bytes(&bytes, fmt, &origin) {
        Ok(v) => v,
        Err(e) => return fail(&e),
    };
    let decision = engine.evaluate_with(&snapshot, &Options { now, explain, ..Options::default() });
    let text = match format {
        OutputFormat::Text => bylaw::render::text::render(&decision),
        OutputFormat::Json => match serde_json::to_string_pretty(&decision) {
            Ok(s) => s + "\n",
            Err(e) => return fail(&e),
        },
        OutputFormat::Yaml => match serde_yaml::to_string(&decision) {
            Ok(s) => s,
            Err(e) => return fail(&e),
        },
    };
    print!("{text}");
    ExitCode::from(decision.decision.exit_code())
}

fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    let text = e.to_string();
    let text = text.trim_end();
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        eprintln!("\x1b[1;31merror\x1b[0m: {}", text.strip_prefix("error: ").unwrap_or(text));
    } else if text.starts_with("error: ") {
        eprintln!("{text}");
    } else {
        eprintln!("error: {text}");
    }
    ExitCode::from(1)
}
