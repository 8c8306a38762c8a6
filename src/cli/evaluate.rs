//! `bylaw evaluate`: decide one snapshot and print the explained decision.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};

use super::OutputFormat;
use bylaw::input::Format;
use bylaw::run::pipeline::{Pipeline, Rejected};
use bylaw::schema::ConformOptions;
use bylaw::{Decision, Engine, Options};

#[derive(clap::Args)]
pub struct Args {
    /// The folder of rule files (*.bylaw).
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// The snapshot: a .json, .yaml or .yml file, or - for standard input.
    #[arg(long, required_unless_present_any = ["facts_jsonl", "facts_dir"], conflicts_with_all = ["facts_jsonl", "facts_dir"])]
    facts: Option<PathBuf>,
    /// Many snapshots, one JSON document per line (or - for standard input): one JSON
    /// decision per line out, in input order, on all cores; a summary on stderr.
    #[arg(long, value_name = "FILE", conflicts_with = "facts_dir")]
    facts_jsonl: Option<PathBuf>,
    /// Every snapshot file (.json, .yaml, .yml) in a folder and below, in name order:
    /// one JSON decision per line out; a summary on stderr.
    #[arg(long, value_name = "DIR")]
    facts_dir: Option<PathBuf>,
    /// Worker threads for --facts-jsonl (default: all cores).
    #[arg(long, value_parser = super::parse_jobs)]
    jobs: Option<usize>,
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
    /// Also say what would make the request allowed: verified remedies per blocking
    /// rule and one patch for the whole request (see docs/remedies.md).
    #[arg(long)]
    remedies: bool,
}

pub fn run(args: Args) -> ExitCode {
    let engine = match Engine::from_dir(&args.rules) {
        Ok(e) => e,
        Err(e) => return super::fail_load(&e),
    };
    let opts = Options {
        now: args.now,
        explain: args.explain,
        ..Options::default()
    };
    if args.remedies && (args.facts_jsonl.is_some() || args.facts_dir.is_some()) {
        return super::remedies::batch(&engine, &opts, args.facts_jsonl.as_deref(), args.jobs);
    }
    if args.facts_jsonl.is_some() || args.facts_dir.is_some() {
        return super::batch::run(
            &engine,
            &opts,
            args.facts_jsonl.as_deref(),
            args.facts_dir.as_deref(),
            args.jobs,
        );
    }
    let Some(facts) = args.facts else {
        return super::fail(&"give --facts, --facts-jsonl or --facts-dir");
    };
    let read = match super::read_snapshot(&facts, args.input_format) {
        Ok(v) => v,
        Err(d) => return super::fail_diagnostic(&d),
    };
    // An invalid snapshot is never evaluated: every violation, then exit 1.
    let pipeline = Pipeline::with(
        &engine,
        ConformOptions {
            strict: args.strict,
        },
    );
    let located = pipeline.conform_located(&read.value, &read.origin, || {
        Some(read.places.positions(&String::from_utf8_lossy(&read.bytes)))
    });
    let snapshot = match located {
        Ok(v) => v,
        Err(Rejected::Invalid { origin, violations }) => {
            for v in &violations {
                super::report(&v.render(&origin));
            }
            let n = violations.len();
            return super::fail(&format!(
                "{}: the snapshot does not match the fact schema ({n} violation{}); it was not evaluated",
                read.origin,
                if n == 1 { "" } else { "s" }
            ));
        }
        Err(e @ Rejected::Read(_)) => return super::fail(&e),
    };
    let decision = pipeline.decide(&snapshot, &opts);
    let rendered = if args.remedies {
        let r = engine.remedies_with(snapshot.value(), &decision, &opts);
        super::remedies::render(&decision, &r, args.format)
    } else {
        render(&decision, args.format)
    };
    let mut out = super::out::Out::new();
    match rendered {
        Ok(text) => out.print(&text),
        Err(e) => return super::fail(&e),
    }
    let usual = ExitCode::from(decision.decision.exit_code());
    if !out.ok() {
        return out.finish(usual);
    }
    if decision.decision == bylaw::Outcome::Error {
        // The decision is printed; stderr says which file could not be decided, and why.
        super::report(&undecided(&facts, &decision));
    }
    // For the rule author: where each error is in the rules, on stderr so that the
    // decision on stdout stays as it is. Machines read the JSON's `errors` instead.
    if args.format == OutputFormat::Text {
        let color = bylaw::report::diagnostic::stderr_color();
        for d in bylaw::report::errors::diagnostics(&decision) {
            eprint!("\n{}", d.render(color));
        }
    }
    out.finish(usual)
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

/// A decision in the chosen format (`report::render`, which a server uses too).
pub fn render(d: &Decision, format: OutputFormat) -> Result<String, String> {
    use bylaw::report::Rendering;
    let rendering = match format {
        OutputFormat::Text => Rendering::Text,
        OutputFormat::Json => Rendering::Json,
        OutputFormat::Yaml => Rendering::Yaml,
    };
    bylaw::report::render(d, rendering)
}
