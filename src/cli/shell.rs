//! `bylaw completions SHELL` and `bylaw man`: what a shell and `man` need, generated
//! from the same argument definitions as the command itself, so they never drift.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory as _;

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(clap::Args)]
pub struct ManArgs {
    /// Write one page per command (bylaw.1, bylaw-test.1, …) into this folder instead
    /// of printing bylaw.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> ExitCode {
    let mut cmd = super::Cli::command();
    // clap_complete panics when its writer fails: it writes to memory, then to stdout.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "bylaw", &mut script);
    let mut out = super::out::Out::new();
    out.print(&String::from_utf8_lossy(&script));
    out.finish(ExitCode::SUCCESS)
}

pub fn man(args: ManArgs) -> ExitCode {
    let cmd = super::Cli::command();
    let Some(dir) = args.dir else {
        let mut out = super::out::Out::new();
        let _ = clap_mangen::Man::new(cmd).render(&mut out);
        return out.finish(ExitCode::SUCCESS);
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return super::fail(&format!("cannot create `{}`: {e}", dir.display()));
    }
    let mut pages = vec![("bylaw".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands() {
        let name = format!("bylaw-{}", sub.get_name());
        let page = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("bylaw {}", sub.get_name()))
            .version(env!("CARGO_PKG_VERSION"));
        pages.push((name, page));
    }
    let mut out = super::out::Out::new();
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut buf = Vec::new();
        let written = clap_mangen::Man::new(page)
            .render(&mut buf)
            .and_then(|()| std::fs::write(&path, buf));
        if let Err(e) = written {
            return super::fail(&format!("cannot write `{}`: {e}", path.display()));
        }
        out.print(&format!("{}\n", path.display()));
    }
    out.finish(ExitCode::SUCCESS)
}
