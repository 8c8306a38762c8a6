//! Argument parsing and dispatch; shared helpers for reading input and failing.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand, ValueEnum};

use bylaw::input::Format;
use bylaw::report::diagnostic::{self, Diagnostic};
use bylaw::Value;

// Every command's `eprintln!`/`eprint!` goes through `errout`, which never panics
// (see there); defined before the modules so that theirs are these.
macro_rules! eprintln {
    () => { $crate::cli::errout::write(format_args!("\n")) };
    ($($t:tt)*) => { $crate::cli::errout::write(format_args!("{}\n", format_args!($($t)*))) };
}
macro_rules! eprint {
    ($($t:tt)*) => { $crate::cli::errout::write(format_args!($($t)*)) };
}

mod batch;
mod check;
mod diff;
mod errout;
mod evaluate;
mod fmt;
mod mutate;
mod out;
mod remedies;
mod schema;
mod serve;
mod shell;
mod snapshot;
mod test;

/// bylaw: policy decisions you can read, trust and explain.
#[derive(Parser)]
#[command(
    name = "bylaw",
    version,
    about,
    long_about = None,
    after_help = "Examples:
  bylaw evaluate --facts examples/unsubscribe.yaml     decide a snapshot
  bylaw check --rules rules/                           check the rules
  bylaw test rules/ --coverage                         run the rules' tests
  bylaw completions bash > /etc/bash_completion.d/bylaw

Exit status of evaluate: 0 allowed, 2 denied, 3 needs review, 1 error or bad input."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decide a fact snapshot against the rules.
    ///
    /// Prints the decision, each rule that matched with its message and evidence, and
    /// each rule that could not be evaluated (with its place in the rules on stderr).
    /// Exit status: 0 allowed, 2 denied, 3 needs review, 1 error or bad input.
    #[command(after_help = "Examples:
  bylaw evaluate --facts examples/unsubscribe.yaml
  bylaw evaluate --facts examples/unsubscribe.yaml --explain     also why others did not match
  bylaw evaluate --facts case.json --format json --now 2021-10-01T09:00:00+08:00
  cat case.yaml | bylaw evaluate --facts - --input-format yaml")]
    Evaluate(evaluate::Args),
    /// Check rule files: syntax, names, arities, literal types. Exit 1 on any error.
    ///
    /// Every error is reported at once, with its file, line and column, the line with a
    /// caret under the problem, and a hint.
    #[command(after_help = "Examples:
  bylaw check                     the rules in ./rules
  bylaw check --rules policies/")]
    Check(check::Args),
    /// Run the test files kept beside the rules; report failures, optionally coverage.
    ///
    /// A test file is YAML: `cases:`, each with a `name`, a snapshot (`facts_file`,
    /// inline `facts`, changed with `set`/`unset`), an optional `now`, and expectations
    /// (`decision`, `matches`, `does_not_match`, `values`, `reviews`, `errors`,
    /// `error_paths`, `items`). See docs/authoring.md. The last line printed is
    /// `N passed, N failed`; the exit status is 1 when any case failed.
    #[command(after_help = "Examples:
  bylaw test rules/                          every test file in rules/tests
  bylaw test rules/tests/unsubscribe.yaml --rules rules/
  bylaw test rules/ --filter \"frozen\"        only the cases whose name says frozen
  bylaw test rules/ --coverage --min-coverage 90
  bylaw test rules/ --format json")]
    Test(test::Args),
    /// Print a completion script for a shell.
    #[command(after_help = "Examples:
  bylaw completions bash > ~/.local/share/bash-completion/completions/bylaw
  bylaw completions zsh > ~/.zfunc/_bylaw
  bylaw completions fish > ~/.config/fish/completions/bylaw.fish")]
    Completions(shell::CompletionsArgs),
    /// Print the man page (or write one page per command with --dir).
    #[command(after_help = "Examples:
  bylaw man | man -l -
  bylaw man --dir target/man")]
    Man(shell::ManArgs),
    /// Rewrite rule files in the one canonical layout (comments kept).
    ///
    /// Formatting changes layout only, never meaning; it is idempotent.
    #[command(after_help = "Examples:
  bylaw fmt rules/                rewrite every rule file in rules/
  bylaw fmt --check rules/        CI: exit 1 when a file is not formatted")]
    Fmt(fmt::Args),
    /// Export the fact schema of each policy, for the teams that produce snapshots.
    #[command(after_help = "Examples:
  bylaw schema --format json-schema --policy unsubscribe
  bylaw schema --format json-schema --out schemas/")]
    Schema(schema::Args),
    /// Compare each snapshot's decision with its golden file beside it
    /// (case.yaml → case.decision.yaml); --accept writes them, --review asks one by one.
    ///
    /// Exit status: 0 every golden matches (or was accepted), 4 some decision changed, is
    /// new or its golden is orphaned, 1 error or bad input. See docs/authoring-snapshots.md.
    #[command(after_help = "Examples:
  bylaw snapshot tests/scenarios             compare; print what changed, case by case
  bylaw snapshot --accept tests/scenarios    write every changed and new golden
  bylaw snapshot --review tests/scenarios    ask about each change (answers on stdin)")]
    Snapshot(snapshot::Args),
    /// The impact of a rule change: decide a corpus under the old and the new rules and
    /// report the cases whose decision changed, by transition, with the rules responsible.
    ///
    /// Exit status: 0 nothing changed (rules that only moved to other lines do not count),
    /// 4 some decision, rule, message or value changed, 1 error or bad input.
    #[command(after_help = "Examples:
  bylaw diff --base git:HEAD~1 corpus/                   the last commit's rule change
  bylaw diff --base git:origin/main --rules rules/ corpus/ facts.jsonl
  bylaw diff --base old-rules/ --rules rules/ corpus/ --format json")]
    Diff(diff::Args),
    /// Answer decisions over HTTP, reloading the rules when they change (docs/service.md).
    #[command(after_help = "Examples:
  bylaw serve --rules rules/                       http://127.0.0.1:8181
  bylaw serve --addr 0.0.0.0:8181 --token-file token --decision-log decisions.jsonl")]
    Serve(serve::Args),
}

/// The exit status of `snapshot` and `diff` when decisions changed.
pub const EXIT_CHANGED: u8 = 4;

/// How a decision is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text for people.
    Text,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Bad arguments are bad input: exit 1 (clap's own default is 2, which means "denied" here).
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let usual = match cli.command {
        Command::Evaluate(args) => evaluate::run(args),
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Serve(args) => serve::run(args),
    };
    errout::status(usual)
}

/// `--now` and other times given on the command line.
pub fn parse_time(s: &str) -> Result<DateTime<FixedOffset>, String> {
    bylaw::input::rfc3339_exact(s).map_err(|e| {
        format!("`{s}` is not an RFC 3339 time with an offset ({e}); write e.g. 2021-10-01T09:00:00+08:00")
    })
}

/// `--jobs`: worker threads, 1 to [`bylaw::run::batch::MAX_JOBS`] (each costs a thread and
/// its buffers; more than the machine's cores gains nothing).
pub fn parse_jobs(s: &str) -> Result<usize, String> {
    let max = bylaw::run::batch::MAX_JOBS;
    match s.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{s}` is not a number of worker threads from 1 to {max}"
        )),
    }
}

/// The default rules folder.
pub fn default_rules() -> PathBuf {
    PathBuf::from("rules")
}

/// Reads a snapshot from a file or `-` (stdin); the error names the file, and the
/// line and column when the parser gives them.
pub fn read_snapshot(path: &Path, input_format: Option<Format>) -> Result<Snapshot, Diagnostic> {
    let stdin = path == Path::new("-");
    let origin = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let plain = Diagnostic::plain;
    let Some(fmt) = input_format.or_else(|| Format::from_path(path)) else {
        return Err(plain(format!(
            "{origin}: cannot tell the snapshot's format from its name; use .json, .yaml or .yml, or pass --input-format"
        )));
    };
    // Both read through the snapshot size limit: `--facts - < /dev/zero` ends at it.
    let limit = bylaw::Limits::default().max_snapshot_bytes;
    let bytes = if stdin {
        bylaw::input::walk::read_stream(std::io::stdin().lock(), limit)
    } else {
        bylaw::input::walk::read_file(path, limit)
    }
    .map_err(|e| plain(format!("{origin}: cannot read the snapshot: {e}")))?;
    let (value, places) = bylaw::run::decide::load(&bytes, fmt, &origin)?;
    Ok(Snapshot {
        value,
        places,
        origin,
        bytes,
    })
}

/// A snapshot as read, with its text kept to place schema violations.
pub struct Snapshot {
    /// The facts.
    pub value: Value,
    /// Where they are in `bytes`, to place schema violations.
    pub places: bylaw::input::Places,
    /// The file as errors name it (`<stdin>` for `-`).
    pub origin: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Prints an error on stderr (red only on a terminal without `NO_COLOR`). `e` is one
/// error's message, never rendered diagnostics (those go through [`fail_load`] or
/// [`fail_diagnostic`], which render them): its text is printed as it is, whatever it
/// starts with.
pub fn report(e: &dyn std::fmt::Display) {
    let text = e.to_string();
    let body = text.trim_end();
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        eprintln!("\x1b[1;31merror\x1b[0m: {body}");
    } else {
        eprintln!("error: {body}");
    }
}

/// Prints a diagnostic on stderr (coloured on a terminal) and returns exit status 1.
pub fn fail_diagnostic(d: &Diagnostic) -> ExitCode {
    eprint!("{}", d.render(diagnostic::stderr_color()));
    ExitCode::from(1)
}

/// Prints a rule set's load errors on stderr, each with its place, and returns exit status 1.
pub fn fail_load(e: &bylaw::LoadError) -> ExitCode {
    match e {
        bylaw::LoadError::Invalid(ds) => {
            let color = bylaw::report::diagnostic::stderr_color();
            eprintln!("{}", bylaw::report::diagnostic::render_list(ds, color));
            ExitCode::from(1)
        }
        other => fail(other),
    }
}

/// [`fail_load`] for the base rules of `bylaw diff`: their diagnostics rendered as the
/// rules' are, after a line that says they are the base's.
pub fn fail_base(e: &bylaw::author::impact::BaseError) -> ExitCode {
    match e {
        bylaw::author::impact::BaseError::Load {
            base,
            source: source @ bylaw::LoadError::Invalid(_),
        } => {
            report(&format!("the base rules `{base}` do not load:"));
            fail_load(source)
        }
        other => fail(other),
    }
}

/// Prints an error on stderr (red only on a terminal without `NO_COLOR`) and returns exit status 1.
pub fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    report(e);
    ExitCode::from(1)
}
