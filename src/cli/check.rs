//! `bylaw check`: load and check a rule folder, report every error.

use std::path::PathBuf;
use std::process::ExitCode;

use bylaw::Engine;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of rule files (*.bylaw).
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    match Engine::from_dir(&args.rules) {
        Ok(engine) => {
            let rules: usize = engine.policies().map(|p| p.rules.len()).sum();
            let mut out = super::out::Out::new();
            out.print(&format!(
                "ok: {} policies, {rules} rules\n",
                engine.policies().count()
            ));
            out.finish(ExitCode::SUCCESS)
        }
        Err(e) => super::fail_load(&e),
    }
}
