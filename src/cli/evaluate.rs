//! `bylaw evaluate`: decide one snapshot and print the explained decision.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};

use super::OutputFormat;
use bylaw::facts::positions::Positions;
use bylaw::facts::{self, Format};
use bylaw::schema::ConformOptions;
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
    /// Refuse snapshot fields that the fact schema does not declare.
    #[arg(long)]
    strict: bool,
}

pub fn run(args: Args) -> ExitCode {
    let engine = match Engine::from_dir(&args.rules) {
        Ok(e) => e,
        Err(e) => return super::fail(&e),
    };
    let input = match super::read_input(&args.facts, args.input_format) {
        Ok(i) => i,
        Err(e) => return super::fail(&e),
    };
    let snapshot = match facts::load_bytes(&input.bytes, input.format, &input.origin) {
        Ok(v) => v,
        Err(e) => return super::fail(&e),
    };
    // An invalid snapshot is never evaluated: every violation, then exit 1.
    let conform = ConformOptions {
        strict: args.strict,
    };
    let snapshot = match engine.conform(&snapshot, &conform) {
        Ok(v) => v,
        Err(mut violations) => {
            let text = String::from_utf8_lossy(&input.bytes);
            let positions = Positions::scan(&text, input.format);
            for v in &mut violations {
                v.locate(&positions);
                super::report(&v.render(&input.origin));
            }
            let n = violations.len();
            return super::fail(&format!(
                "{}: the snapshot does not match the fact schema ({n} violation{}); it was not evaluated",
                input.origin,
                if n == 1 { "" } else { "s" }
            ));
        }
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
    ExitCode::from(decision.decision.exit_code())
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
