//! `bylaw fmt`: rewrite rule files in the canonical layout, or `--check` that they are.

use std::path::PathBuf;
use std::process::ExitCode;

use bylaw::syntax::Source;

#[derive(clap::Args)]
pub struct Args {
    /// Report the files that are not formatted (exit 1) instead of rewriting them.
    #[arg(long)]
    check: bool,
    /// Rule files or folders of them (default: rules/).
    paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![super::default_rules()]
    } else {
        args.paths
    };
    let mut files = Vec::new();
    for p in &paths {
        match bylaw::run::load::rule_files(p) {
            Ok(found) => files.extend(found),
            Err(e) => return super::fail_load(&e),
        }
    }
    let (mut changed, mut failed) = (0usize, false);
    let mut out = super::out::Out::new();
    for file in &files {
        let name = file.display().to_string();
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {name}: {e}");
                failed = true;
                continue;
            }
        };
        let formatted =
            match bylaw::author::fmt::format_source(&Source::new(name.clone(), text.clone())) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("{}", bylaw::report::diagnostic::Diagnostic::from(e));
                    failed = true;
                    continue;
                }
            };
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check {
            out.print(&format!("would reformat {name}\n"));
        } else if let Err(e) = std::fs::write(file, formatted) {
            eprintln!("error: {name}: {e}");
            failed = true;
        } else {
            out.print(&format!("formatted {name}\n"));
        }
    }
    out.finish(if failed || (args.check && changed > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
