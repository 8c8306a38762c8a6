//! `bylaw check`: load and check a rule folder, report every error, and file by file.

use std::path::PathBuf;
use std::process::ExitCode;

use bylaw::{Engine, LoadError};

#[derive(clap::Args)]
pub struct Args {
    /// The folder of rule files (*.bylaw, in sub-folders too), or one rule file.
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    match Engine::from_dir(&args.rules) {
        Ok(engine) => {
            // Written, not printed: a closed pipe (`bylaw check | head -1`) is not a panic.
            let mut out = super::out::Out::new();
            let rules: usize = engine.policies().map(|p| p.rules.len()).sum();
            let mut text = format!(
                "ok: {} policies, {rules} rules\n",
                engine.policies().count()
            );
            for p in engine.policies() {
                let n = p.rules.len();
                text.push_str(&format!(
                    "  {}: policy {}, {n} rule{}\n",
                    p.span.source.name,
                    p.id.name,
                    if n == 1 { "" } else { "s" }
                ));
            }
            // Libraries after policies, so that a rule set without any lists as before.
            for l in engine.libraries() {
                let n = l.functions.len() + l.lets.len() + l.types.len();
                text.push_str(&format!(
                    "  {}: library {}, {n} definition{}\n",
                    l.span.source.name,
                    l.id.name,
                    if n == 1 { "" } else { "s" }
                ));
            }
            out.print(&text);
            out.finish(ExitCode::SUCCESS)
        }
        Err(e) => {
            let status = super::fail_load(&e);
            if let LoadError::Invalid(ds) = &e {
                per_file(&args.rules, ds);
            }
            status
        }
    }
}

/// Each rule file with its count of errors, after the errors themselves.
fn per_file(rules: &std::path::Path, ds: &[bylaw::report::diagnostic::Diagnostic]) {
    let Ok(sources) = bylaw::run::engine::rule_sources(rules) else {
        return;
    };
    if sources.len() < 2 {
        return;
    }
    for (name, _) in &sources {
        let n = ds
            .iter()
            .filter(|d| d.span.as_ref().is_some_and(|s| &s.source.name == name))
            .count();
        match n {
            0 => eprintln!("  {name}: ok"),
            1 => eprintln!("  {name}: 1 error"),
            n => eprintln!("  {name}: {n} errors"),
        }
    }
}
