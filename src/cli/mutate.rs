//! `bylaw test --mutate`: the mutation report (see `bylaw::author::testing::mutate`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bylaw::author::testing::mutate::{self, equivalent, Suite};
use bylaw::author::testing::TestFile;

/// The flags of mutation testing.
#[derive(clap::Args)]
pub struct MutateArgs {
    /// Run the tests against every mutant of the rules and report those that survive.
    #[arg(long)]
    pub mutate: bool,
    /// Folders of golden decisions each mutant is also checked against (as
    /// `bylaw snapshot` reads them). Default: `tests/scenarios` when it exists.
    #[arg(long, value_name = "DIR", requires = "mutate")]
    golden: Vec<PathBuf>,
    /// Check no golden decisions, only the test files.
    #[arg(long, requires = "mutate", conflicts_with = "golden")]
    no_golden: bool,
    /// The file of mutants declared equivalent. Default: `mutants.yaml` in the rules folder.
    #[arg(long, value_name = "FILE", requires = "mutate")]
    equivalent: Option<PathBuf>,
    /// Fail when the kill rate is below this percentage.
    #[arg(long, value_name = "PERCENT", requires = "mutate", value_parser = super::test::parse_percent)]
    min_kill_rate: Option<f64>,
    /// List every mutant with its fate, not only the survivors.
    #[arg(long, requires = "mutate")]
    all_mutants: bool,
}

pub fn run(args: &MutateArgs, rules: &Path, tests: Vec<TestFile>, json: bool) -> ExitCode {
    let goldens = if args.no_golden {
        Vec::new()
    } else if args.golden.is_empty() {
        let default = PathBuf::from("tests/scenarios");
        if default.is_dir() {
            vec![default]
        } else {
            Vec::new()
        }
    } else {
        args.golden.clone()
    };
    let declared_path = args.equivalent.clone().unwrap_or_else(|| {
        if rules.is_dir() {
            rules.join("mutants.yaml")
        } else {
            rules.with_file_name("mutants.yaml")
        }
    });
    let declared = match equivalent::load(&declared_path) {
        Ok(d) => d,
        Err(e) => return super::fail(&e),
    };
    let suite = match Suite::from_parts(tests, &goldens) {
        Ok(s) => s,
        Err(e) => return super::fail(&e),
    };
    let sources = match bylaw::run::engine::rule_sources(rules) {
        Ok(s) => s,
        Err(e) => return super::fail_load(&e),
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let report = match mutate::run(sources, &suite, &declared, workers) {
        Ok(r) => r,
        Err(mutate::MutateError::Load(e)) => return super::fail_load(&e),
        Err(e) => return super::fail(&e),
    };
    let below = args.min_kill_rate.filter(|min| report.kill_rate() < *min);
    // Through `Out`: `println!` panics on a closed pipe or a full disk.
    let mut out = super::out::Out::new();
    if json {
        let mut v = report.json();
        if let Some(min) = below {
            v["kill_rate_below_minimum"] = serde_json::json!(min);
        }
        match serde_json::to_string_pretty(&v) {
            Ok(s) => out.print(&format!("{s}\n")),
            Err(e) => return super::fail(&e),
        }
        eprintln!("{}", report.summary());
    } else {
        match below {
            Some(min) => {
                // The line goes between the details and the summary, which stays last.
                out.print(&format!("{}\n", report.details(args.all_mutants)));
                out.print(&format!(
                    "kill rate {:.1}% is below --min-kill-rate {min}\n",
                    report.kill_rate()
                ));
                out.print(&format!("{}\n", report.summary()));
            }
            None => out.print(&report.text(args.all_mutants)),
        }
    }
    out.finish(if below.is_some() || !report.stale.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
