//! `bylaw serve`: the decision service (src/serve/, docs/service.md).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use bylaw::run::serve::{Config, LogConfig, SnapshotMode};

/// What the decision log keeps of a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogSnapshot {
    /// The snapshot's text as received.
    Full,
    /// Its SHA-256.
    Hash,
    /// Nothing.
    Omit,
}

#[derive(clap::Args)]
pub struct Args {
    /// The folder of rule files (*.bylaw), watched for changes.
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// Where to listen; port 0 picks a free one (the address is printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8181")]
    addr: SocketAddr,
    /// A file holding the bearer token every endpoint but /health requires.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Append one JSON line per decision to this file.
    #[arg(long, value_name = "FILE")]
    decision_log: Option<PathBuf>,
    /// What the decision log keeps of each snapshot.
    #[arg(long, value_enum, default_value_t = LogSnapshot::Hash)]
    log_snapshot: LogSnapshot,
    /// Rotate the decision log before it grows beyond this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 100 * 1024 * 1024)]
    log_max_bytes: u64,
    /// Rotated decision logs kept (FILE.1 … FILE.N).
    #[arg(long, value_name = "N", default_value_t = 5)]
    log_keep: usize,
    /// Decision log entries that may wait to be written; beyond, entries are dropped
    /// (and counted in /metrics) rather than slowing decisions.
    #[arg(long, value_name = "N", default_value_t = 65536)]
    log_queue: usize,
    /// Requests under way at once on /v1/; beyond, 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_concurrent: usize,
    /// Seconds a client may take to send its request headers (and the TLS handshake).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    header_timeout: f64,
    /// Seconds a client may take to send a body (for a batch: between two pieces).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    body_timeout: f64,
    /// Seconds shutdown waits for requests under way.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    drain_timeout: f64,
    /// Do not watch the rules folder (SIGHUP still reloads).
    #[arg(long)]
    no_watch: bool,
    /// Threads answering requests [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(Duration::from_secs(30))
}

pub fn run(args: Args) -> ExitCode {
    let mut config = Config::new(args.rules, args.addr);
    if let Some(path) = &args.token_file {
        match std::fs::read(path) {
            // A trailing newline is how editors and `echo` end the file, not part of it.
            Ok(t) if !t.trim_ascii().is_empty() => config.token = Some(t.trim_ascii().to_vec()),
            Ok(_) => return super::fail(&format!("{}: the token file is empty", path.display())),
            Err(e) => return super::fail(&format!("{}: {e}", path.display())),
        }
    }
    config.tls = args.tls_cert.zip(args.tls_key);
    config.decision_log = args.decision_log.map(|path| LogConfig {
        path,
        snapshot: match args.log_snapshot {
            LogSnapshot::Full => SnapshotMode::Full,
            LogSnapshot::Hash => SnapshotMode::Hash,
            LogSnapshot::Omit => SnapshotMode::Omit,
        },
        max_bytes: args.log_max_bytes,
        keep: args.log_keep,
        queue: args.log_queue,
    });
    config.max_concurrent = args.max_concurrent;
    config.header_timeout = secs(args.header_timeout);
    config.body_timeout = secs(args.body_timeout);
    config.drain_timeout = secs(args.drain_timeout);
    config.watch = !args.no_watch;
    config.threads = args.threads.map(usize::from);
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let rules = config.rules.display().to_string();
    let result = bylaw::run::serve::run(config, |addr, revision| {
        use std::io::Write as _;
        eprintln!("bylaw serve: {rules} at revision {revision}");
        // On stdout, alone, so that scripts and tests can read the port.
        println!("listening on {scheme}://{addr}");
        let _ = std::io::stdout().flush();
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(bylaw::run::serve::ServeError::Rules(e)) => super::fail_load(&e),
        Err(e) => super::fail(&e),
    }
}
