//! `bylaw evaluate`: decide one snapshot and print the explained decision.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};

use super::OutputFormat;
use bylaw::facts::Format;
use bylaw::{Decision, Engine, Options};

#[derive(clap::Args)]
pub struct Args {
    /// The folder of rule files (*.bylaw).
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// The snapshot: a .json, .yaml or .yml file, or - for standard input.
    #[arg(long)]
    facts: PathBuf,
    /// "Now" (RFC 3339 with an offset), overriding the snapshot's top-level `now`.
    #[arg(long, value_parser = super::parse_time)]
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
}

pub fn run(args: Args) -> ExitCode {
    let engine = match Engine::from_dir(&args.rules) {
        Ok(e) => e,
        Err(e) => return super::fail(&e),
    };
    let snapshot = match super::read_snapshot(&args.facts, args.input_format) {
        Ok(v) => v,
        Err(e) => return super::fail(&e),
    };
    let opts = Options {
        now: args.now,
        explain: args.explain,
        ..Options::default()
    };
    let decision = engine.evaluate_with(&snapshot, &opts);
    match render(&decision, args.format) {
        Ok(text) => print!("{text}"),
        Err(e) => return super::fail(&e),
    }
    if decision.decision == bylaw::Outcome::Error {
        // The decision is printed; stderr says which file could not be decided, and why.
        let _ = super::fail(&undecided(&args.facts, &decision));
    }
    ExitCode::from(decision.decision.exit_code())
}

/// `FILE: no decision: PATH: REASON (and N more)`, from the first blocking error.
fn undecided(facts: &std::path::Path, d: &Decision) -> String {
    let origin = if facts == std::path::Path::new("-") {
        "<stdin>".to_string()
    } else {
        facts.display().to_string()
    };
    let blocking: Vec<_> = d
        .errors
        .iter()
        .chain(d.items.iter().flat_map(|i| i.errors.iter()))
        .filter(|e| e.blocking)
        .collect();
    let Some(first) = blocking.first() else {
        return format!("{origin}: no decision");
    };
    let at = first
        .path
        .as_ref()
        .map(|p| format!("`{p}`: "))
        .unwrap_or_default();
    let more = match blocking.len() - 1 {
        0 => String::new(),
        n => format!(" (and {n} more)"),
    };
    format!("{origin}: no decision: {at}{}{more}", first.reason)
}

/// A decision in the chosen format.
pub fn render(d: &Decision, format: OutputFormat) -> Result<String, String> {
    match format {
        OutputFormat::Text => Ok(bylaw::render::text::render(d)),
        OutputFormat::Json => serde_json::to_string_pretty(d)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        OutputFormat::Yaml => serde_yaml::to_string(d).map_err(|e| e.to_string()),
    }
}
