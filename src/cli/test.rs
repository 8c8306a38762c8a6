//! `bylaw test`: run the test files kept beside the rules.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bylaw::author::testing::{self, report::TextOptions, RunOptions};
use bylaw::Engine;

/// How the report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Text for people; failing cases with expected and actual side by side.
    Text,
    /// JSON for machines.
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Test files, or folders of them: a folder with a `tests` folder stands for the
    /// YAML files in `tests`, any other folder for the YAML files in it.
    /// Default: the rules folder.
    paths: Vec<PathBuf>,
    /// The folder of rule files (*.bylaw). Default: the first PATH that holds rule
    /// files, else `rules`.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Run only the cases whose name (or `FILE: NAME`) contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Also report which rules and conditions the cases exercised.
    #[arg(long)]
    coverage: bool,
    /// Fail when coverage is below this percentage (implies --coverage).
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    min_coverage: Option<f64>,
    /// Only the test files of this policy; coverage is then that policy's alone.
    #[arg(long, value_name = "ID")]
    policy: Option<String>,
    /// Do not list the cases that passed.
    #[arg(long, short)]
    quiet: bool,
    /// Mutation testing: run the tests and golden decisions against small edits of
    /// the rules, and report every edit they do not notice (see docs/authoring.md).
    #[command(flatten)]
    mutate: super::mutate::MutateArgs,
}

pub(super) fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a percentage from 0 to 100")),
    }
}

fn holds_rules(dir: &Path) -> bool {
    // A folder with a rule file that cannot be read holds rules: loading it reports
    // that entry, rather than falling back on another folder.
    dir.is_dir()
        && match bylaw::run::load::rule_files(dir) {
            Ok(f) => !f.is_empty(),
            Err(e) => matches!(e, bylaw::LoadError::Invalid(_)),
        }
}

pub fn run(args: Args) -> ExitCode {
    let rules = args
        .rules
        .clone()
        .or_else(|| args.paths.iter().find(|p| holds_rules(p)).cloned())
        .unwrap_or_else(super::default_rules);
    let engine = match Engine::from_dir(&rules) {
        Ok(e) => e,
        Err(e) => return super::fail_load(&e),
    };
    let paths = if args.paths.is_empty() {
        vec![rules.clone()]
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    for p in &paths {
        match testing::discover(p) {
            Ok(found) if found.files.is_empty() && found.skipped.is_empty() => {
                return super::fail(&format!(
                    "no test files (*.yaml, *.yml) in `{}`",
                    p.display()
                ))
            }
            Ok(found) => files.extend(testing::load_found(&found)),
            Err(e) => return super::fail(&format!("cannot read `{}`: {e}", p.display())),
        }
    }
    let tests: Vec<testing::TestFile> = files;
    if args.mutate.mutate {
        return super::mutate::run(
            &args.mutate,
            &rules,
            tests,
            args.format == ReportFormat::Json,
        );
    }
    let opts = RunOptions {
        filter: args.filter.clone(),
        coverage: args.coverage || args.min_coverage.is_some(),
        policy: args.policy.clone(),
    };
    if let Some(p) = &args.policy {
        if !engine.policies().any(|x| &x.id.name == p) {
            return super::fail(&format!("no policy `{p}` in `{}`", rules.display()));
        }
    }
    let report = testing::run(&engine, &tests, &opts);
    let mut ok = report.ok();
    let below = match (&report.coverage, args.min_coverage) {
        (Some(c), Some(min)) if c.percent < min => Some((c.percent, min)),
        _ => None,
    };
    let mut out = super::out::Out::new();
    match args.format {
        ReportFormat::Text => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let text = report.text(TextOptions {
                color,
                quiet: args.quiet,
            });
            // The summary line stays last: CI reads it there.
            let (body, summary) = split_summary(&text);
            out.print(body);
            if let Some(c) = &report.coverage {
                out.print(&c.breakdown_text());
            }
            if let Some((got, min)) = below {
                out.print(&format!(
                    "coverage {got:.1}% is below --min-coverage {min}\n"
                ));
            }
            out.print(&format!("{summary}\n"));
        }
        ReportFormat::Json => {
            let mut v = report.json();
            if let Some(c) = &report.coverage {
                v["coverage_per_policy"] = serde_json::json!(c.per_policy());
                v["coverage_per_folder"] = serde_json::json!(c.per_folder());
            }
            if let Some((got, min)) = below {
                v["coverage_below_minimum"] = serde_json::json!({"percent": got, "minimum": min});
            }
            match serde_json::to_string_pretty(&v) {
                Ok(s) => out.print(&format!("{s}\n")),
                Err(e) => return super::fail(&e),
            }
            eprintln!("{}", report.summary());
        }
    }
    if below.is_some() {
        ok = false;
    }
    out.finish(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The report's text without its last line, and that line.
fn split_summary(text: &str) -> (&str, &str) {
    let t = text.trim_end_matches('\n');
    match t.rfind('\n') {
        Some(i) => (&text[..=i], &t[i + 1..]),
        None => ("", t),
    }
}
