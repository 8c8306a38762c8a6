//! How a server is set up: everything `bylaw serve` takes on its command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::limits::Limits;

/// A server's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder of rule files, watched for changes.
    pub rules: PathBuf,
    /// Where to listen (loopback by default).
    pub addr: SocketAddr,
    /// The bearer token every endpoint but `/health` requires, if any.
    pub token: Option<Vec<u8>>,
    /// A PEM certificate chain and private key: serve HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The decision log, if any.
    pub decision_log: Option<LogConfig>,
    /// Requests under way at once beyond which a decision request gets 503.
    pub max_concurrent: usize,
    /// How long a client may take to send a request's headers (and the TLS handshake).
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body.
    pub body_timeout: Duration,
    /// How long shutdown waits for requests under way before closing their connections.
    pub drain_timeout: Duration,
    /// Reload when a file in the rules folder changes (SIGHUP always reloads).
    pub watch: bool,
    /// The limits on input: a body is at most `max_snapshot_bytes`.
    pub limits: Limits,
    /// Threads answering requests (tokio's workers); `None`: one per core.
    pub threads: Option<usize>,
}

impl Config {
    /// The defaults, serving `rules` on `addr`.
    pub fn new(rules: PathBuf, addr: SocketAddr) -> Config {
        Config {
            rules,
            addr,
            token: None,
            tls: None,
            decision_log: None,
            max_concurrent: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(30),
            watch: true,
            limits: Limits::default(),
            threads: None,
        }
    }
}

/// What the decision log keeps of each request's snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotMode {
    /// The snapshot's text, as received.
    Full,
    /// Its SHA-256, to match it with a copy kept elsewhere.
    Hash,
    /// Nothing.
    Omit,
}

/// The decision log's settings.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// The file appended to.
    pub path: PathBuf,
    /// What is kept of the snapshot.
    pub snapshot: SnapshotMode,
    /// Size beyond which the file is rotated (renamed FILE.1, FILE.1 to FILE.2, …).
    pub max_bytes: u64,
    /// Rotated files kept.
    pub keep: usize,
    /// Entries waiting to be written beyond which new ones are dropped (and counted).
    pub queue: usize,
}
