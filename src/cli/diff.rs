//! `bylaw diff`: a corpus decided under the old and the new rules, and what changed.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};

use super::OutputFormat;
use bylaw::author::impact::{self, DEFAULT_EXAMPLES};
use bylaw::run::corpus::{self, Corpus};
use bylaw::{Engine, Options};

#[derive(clap::Args)]
pub struct Args {
    /// The old rules: a folder, or git:REV for the --rules folder at a git revision
    /// (git:HEAD~1, git:origin/main), or git:REV:PATH for another folder at REV.
    #[arg(long, value_name = "OLD_RULES")]
    base: String,
    /// The new rules: a folder of rule files (*.bylaw).
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// Snapshot files (.json, .yaml, .yml), .jsonl files, or folders of them.
    #[arg(required = true, value_name = "CORPUS")]
    corpus: Vec<PathBuf>,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Example cases named per group.
    #[arg(long, default_value_t = DEFAULT_EXAMPLES)]
    examples: usize,
    /// "Now" (RFC 3339 with an offset), overriding each snapshot's top-level `now`.
    #[arg(long, value_parser = super::parse_time)]
    now: Option<DateTime<FixedOffset>>,
    /// Worker threads (default: all cores).
    #[arg(long, value_parser = super::parse_jobs)]
    jobs: Option<usize>,
}

pub fn run(args: Args) -> ExitCode {
    let rules = match Engine::from_dir(&args.rules) {
        Ok(e) => e,
        Err(e) => return super::fail_load(&e),
    };
    let base = match impact::load_base(&args.base, &args.rules) {
        Ok(e) => e,
        Err(e) => return super::fail_base(&e),
    };
    let corpus = match Corpus::from_paths(&args.corpus) {
        Ok(c) => c,
        Err(e) => return super::fail(&e),
    };
    let opts = Options {
        now: args.now,
        ..Options::default()
    };
    let workers = corpus::workers(args.jobs);
    let mut report = match impact::diff(&base, &rules, &opts, &corpus, workers, args.examples) {
        Ok(r) => r,
        Err(e) => return super::fail(&e),
    };
    report.base = args.base.clone();
    report.rules = args.rules.display().to_string();
    let text = match args.format {
        OutputFormat::Text => Ok(report.render()),
        OutputFormat::Json => serde_json::to_string_pretty(&report)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        OutputFormat::Yaml => serde_yaml::to_string(&report).map_err(|e| e.to_string()),
    };
    let mut out = super::out::Out::new();
    match text {
        Ok(t) => out.print(&t),
        Err(e) => return super::fail(&e),
    }
    out.finish(if report.summary.bad_input > 0 {
        ExitCode::from(1)
    } else if report.changed() {
        ExitCode::from(super::EXIT_CHANGED)
    } else {
        ExitCode::from(0)
    })
}
