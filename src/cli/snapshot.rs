//! `bylaw snapshot`: each snapshot's decision against its golden file; `--accept` and
//! `--review` write them.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use bylaw::author::snapshot::{self, Answer, Pending};
use bylaw::run::corpus::{self, Corpus};
use bylaw::Engine;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of rule files (*.bylaw).
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// Snapshot files (.json, .yaml, .yml), .jsonl files, or folders of them.
    #[arg(required = true, value_name = "CORPUS")]
    corpus: Vec<PathBuf>,
    /// Write every changed and new golden and remove the orphaned ones.
    #[arg(long, conflicts_with = "review")]
    accept: bool,
    /// Ask about each change in turn. Answers are read from standard input, one a line:
    /// y (accept), n (keep the golden), a (accept this and the rest), q (keep the rest);
    /// the end of the input keeps the rest.
    #[arg(long)]
    review: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_parser = super::parse_jobs)]
    jobs: Option<usize>,
}

pub fn run(args: Args) -> ExitCode {
    let engine = match Engine::from_dir(&args.rules) {
        Ok(e) => e,
        Err(e) => return super::fail_load(&e),
    };
    let corpus = match Corpus::from_paths(&args.corpus) {
        Ok(c) => c,
        Err(e) => return super::fail(&e),
    };
    let run = match snapshot::check(&engine, &corpus, corpus::workers(args.jobs)) {
        Ok(r) => r,
        Err(e) => return super::fail(&e),
    };
    let summary = run.summary();
    let mut out = super::out::Out::new();
    let mut kept = summary.changed + summary.new + summary.orphaned;
    if args.review {
        for c in run
            .cases
            .iter()
            .filter(|c| matches!(c.state, snapshot::State::BadInput { .. }))
        {
            let _ = write!(out, "{}", snapshot::render_case(c, false));
        }
        let stdin = std::io::stdin();
        let mut answers = stdin.lock();
        let applied = run.apply(|p| {
            let _ = write!(out, "{}", p.render());
            let _ = out.flush();
            ask(&mut answers, p)
        });
        match applied {
            Ok(a) => {
                kept = a.kept;
                let _ = writeln!(out, "{summary}");
                let _ = writeln!(
                    out,
                    "wrote {} golden{}, removed {} orphaned, kept {} as they were",
                    a.written,
                    if a.written == 1 { "" } else { "s" },
                    a.removed,
                    a.kept
                );
            }
            Err(e) => return super::fail(&e),
        }
    } else {
        let _ = write!(out, "{}", run.render());
        if args.accept {
            match run.accept_all() {
                Ok(a) => {
                    kept = a.kept;
                    let _ = writeln!(
                        out,
                        "accepted: wrote {} golden{}, removed {} orphaned",
                        a.written,
                        if a.written == 1 { "" } else { "s" },
                        a.removed
                    );
                }
                Err(e) => return super::fail(&e),
            }
        } else if !summary.clean() {
            let args = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
            let _ = writeln!(
                out,
                "review the changes above, then accept them: bylaw {args} --accept (or --review, one by one)"
            );
        }
    }
    out.finish(if summary.bad_input > 0 {
        ExitCode::from(1)
    } else if kept > 0 {
        ExitCode::from(super::EXIT_CHANGED)
    } else {
        ExitCode::from(0)
    })
}

/// Reads an answer; asks again on anything else. The prompt goes to stderr so that the
/// report on stdout stays clean.
fn ask(input: &mut impl std::io::BufRead, pending: &Pending<'_>) -> Answer {
    let question = match pending {
        Pending::Case(_) => "accept this decision?",
        Pending::Moves(_) => "accept the moved locations in all these cases?",
        Pending::Orphan(_) => "remove this golden?",
    };
    loop {
        eprint!("{question} [y]es, [n]o, [a]ll the rest, [q]uit: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => {
                eprintln!();
                return Answer::Quit;
            }
            Ok(_) => {}
        }
        if !std::io::stdin().is_terminal() {
            // A terminal echoes the answer; piped answers are shown so the log reads right.
            eprintln!("{}", line.trim());
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Answer::Accept,
            "n" | "no" => return Answer::Skip,
            "a" | "all" => return Answer::AcceptAll,
            "q" | "quit" => return Answer::Quit,
            _ => continue,
        }
    }
}
