//! `bylaw serve`: decisions over HTTP, with hot reload and a decision log.
//!
//! tokio runs the server (a current-thread runtime per core for the connections, see
//! [`run`]); hyper speaks HTTP/1.1 (its connection builder gives the header
//! read timeout and graceful shutdown); axum routes. Files by job: [`config`] (the
//! settings), `routes` (the endpoints), `reload` (the rule set and its swaps), `log` (the
//! decision log), `metrics`, `access` (token, TLS), `problem` (RFC 9457 errors).
//! docs/service.md describes the API.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

// `eprintln!` panics when stderr cannot be written (`2>/dev/full`, a closed pipe): the
// server's messages go through this one instead, and it keeps serving without them.
macro_rules! eprintln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod access;
mod body_reader;
pub mod config;
mod log;
mod metrics;
mod problem;
mod reload;
mod routes;

pub use config::{Config, LogConfig, SnapshotMode};

use crate::limits::Limits;
use crate::run::engine::LoadError;

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The rules do not load or check.
    #[error("{0}")]
    Rules(#[from] LoadError),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The certificate or key cannot be used.
    #[error("TLS: {0}")]
    Tls(String),
    /// The decision log cannot be opened.
    #[error("decision log `{path}`: {source}")]
    Log {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The runtime or a signal handler cannot be set up.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What the handlers share.
pub(crate) struct App {
    rules: reload::Rules,
    metrics: metrics::Metrics,
    log: Option<log::DecisionLog>,
    token: Option<Vec<u8>>,
    limits: Limits,
    body_timeout: Duration,
    busy: Arc<tokio::sync::Semaphore>,
    max_concurrent: usize,
    ready: AtomicBool,
    /// A random prefix, so that IDs from replicas and restarts do not collide.
    boot: u64,
    decisions: AtomicU64,
}

impl App {
    fn authorized(&self, headers: &axum::http::HeaderMap) -> bool {
        access::authorized(self.token.as_deref(), headers)
    }

    fn is_ready(&self) -> bool {
        self.ready.load(Relaxed)
    }

    /// 32 hex digits: the process's random prefix, then a counter.
    fn next_decision_id(&self) -> String {
        let n = self.decisions.fetch_add(1, Relaxed);
        format!("{:016x}{n:016x}", self.boot)
    }
}

fn random_u64() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    // std seeds each RandomState from the OS's randomness: enough for an ID prefix.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// Runs a server until SIGTERM or SIGINT, then drains it. `on_listening` is called
/// with the bound address (the port, when 0 was asked for) once requests are taken.
pub fn run(config: Config, on_listening: impl FnOnce(SocketAddr, &str)) -> Result<(), ServeError> {
    // The accept loop, signals and reloads run on a runtime of one thread; connections
    // are handed to one runtime per core (`--threads`), each a single thread: a request
    // is read, decided and answered on the thread that owns its connection, and no
    // thread wakes another to look for work (docs/performance.md).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name("bylaw-serve")
        .build()?;
    runtime.block_on(serve(config, on_listening))
}

/// A connection accepted, for a connection thread to serve.
type Accepted = (std::net::TcpStream, hyper_util::server::graceful::Watcher);

/// The runtimes that serve connections: one thread each, fed round-robin.
struct Workers {
    senders: Vec<tokio::sync::mpsc::UnboundedSender<Accepted>>,
    next: usize,
    stop: tokio::sync::watch::Sender<bool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Workers {
    fn start(
        n: usize,
        router: &axum::Router,
        http: &hyper::server::conn::http1::Builder,
        tls: Option<&tokio_rustls::TlsAcceptor>,
        handshake_timeout: Duration,
    ) -> std::io::Result<Workers> {
        let (stop, _) = tokio::sync::watch::channel(false);
        let mut w = Workers {
            senders: Vec::new(),
            next: 0,
            stop,
            threads: Vec::new(),
        };
        for i in 0..n.max(1) {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Accepted>();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let (router, http, tls) = (router.clone(), http.clone(), tls.cloned());
            let mut stop = w.stop.subscribe();
            let thread = std::thread::Builder::new()
                .name(format!("bylaw-serve-{i}"))
                .spawn(move || {
                    rt.block_on(async move {
                        while let Some((stream, watcher)) = rx.recv().await {
                            let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
                                continue;
                            };
                            let service = TowerToHyperService::new(router.clone());
                            let http = http.clone();
                            match &tls {
                                None => {
                                    let conn = http.serve_connection(TokioIo::new(stream), service);
                                    tokio::spawn(watcher.watch(conn));
                                }
                                Some(acceptor) => {
                                    let acceptor = acceptor.clone();
                                    tokio::spawn(async move {
                                        let Ok(Ok(tls)) = tokio::time::timeout(
                                            handshake_timeout,
                                            acceptor.accept(stream),
                                        )
                                        .await
                                        else {
                                            return;
                                        };
                                        let conn =
                                            http.serve_connection(TokioIo::new(tls), service);
                                        let _ = watcher.watch(conn).await;
                                    });
                                }
                            }
                        }
                        // No more connections: the ones under way are served until the
                        // drain is over.
                        let _ = stop.wait_for(|s| *s).await;
                    });
                })?;
            w.senders.push(tx);
            w.threads.push(thread);
        }
        Ok(w)
    }

    fn hand(&mut self, a: Accepted) {
        let n = self.senders.len().max(1);
        if let Some(tx) = self.senders.get(self.next % n) {
            let _ = tx.send(a);
        }
        self.next = self.next.wrapping_add(1);
    }

    /// No more connections (the ones under way go on).
    fn close(&mut self) {
        self.senders.clear();
    }

    /// Ends the threads, and with them any connection still open.
    fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.threads {
            let _ = t.join();
        }
    }
}

async fn serve(
    config: Config,
    on_listening: impl FnOnce(SocketAddr, &str),
) -> Result<(), ServeError> {
    let first = reload::load(&config.rules)?;
    let tls = match &config.tls {
        Some((cert, key)) => Some(access::tls_acceptor(cert, key).map_err(ServeError::Tls)?),
        None => None,
    };
    let log = match &config.decision_log {
        Some(cfg) => Some(
            log::DecisionLog::start(cfg).map_err(|source| ServeError::Log {
                path: cfg.path.display().to_string(),
                source,
            })?,
        ),
        None => None,
    };
    let revision = first.revision.to_string();
    let app = Arc::new(App {
        rules: reload::Rules::new(config.rules.clone(), first),
        metrics: metrics::Metrics::default(),
        log,
        token: config.token.clone(),
        limits: config.limits.clone(),
        body_timeout: config.body_timeout,
        busy: Arc::new(tokio::sync::Semaphore::new(config.max_concurrent.max(1))),
        max_concurrent: config.max_concurrent.max(1),
        ready: AtomicBool::new(true),
        boot: random_u64(),
        decisions: AtomicU64::new(0),
    });
    // Signal handlers first: a signal sent as soon as the address is printed is caught.
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let hup = signal(SignalKind::hangup())?;
    let (wake_tx, wake_rx) = tokio::sync::mpsc::channel(1);
    let _watcher = if config.watch {
        match reload::watch(&config.rules, wake_tx.clone()) {
            Ok(w) => Some(w),
            Err(e) => {
                eprintln!(
                    "bylaw serve: cannot watch {} ({e}); reload with SIGHUP",
                    config.rules.display()
                );
                None
            }
        }
    } else {
        None
    };
    tokio::spawn(reload_loop(Arc::clone(&app), wake_rx, hup));

    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr()?;
    on_listening(addr, &revision);

    let router = routes::router(Arc::clone(&app));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .keep_alive(true);
    let threads = config
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut workers = Workers::start(threads, &router, &http, tls.as_ref(), config.header_timeout)?;
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    eprintln!("bylaw serve: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = term.recv() => break,
            _ = int.recv() => break,
        };
        let _ = stream.set_nodelay(true);
        let Ok(stream) = stream.into_std() else {
            continue;
        };
        workers.hand((stream, graceful.watcher()));
    }
    workers.close();
    app.ready.store(false, Relaxed);
    drop(listener);
    eprintln!("bylaw serve: stopping; finishing the requests under way");
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(config.drain_timeout) => {
            eprintln!("bylaw serve: requests still under way after {:?}; closing them", config.drain_timeout);
        }
    }
    let _ = tokio::task::spawn_blocking(move || workers.stop()).await;
    if app.log.is_some() {
        let app = Arc::clone(&app);
        let _ = tokio::task::spawn_blocking(move || {
            if let Some(log) = &app.log {
                log.close();
            }
        })
        .await;
    }
    eprintln!("bylaw serve: stopped");
    Ok(())
}

/// Reloads on a wake-up from the watcher or on SIGHUP, one reload at a time.
async fn reload_loop(
    app: Arc<App>,
    mut wake: tokio::sync::mpsc::Receiver<()>,
    mut hup: tokio::signal::unix::Signal,
) {
    loop {
        let why = tokio::select! {
            w = wake.recv() => match w {
                Some(()) => "the rules folder changed",
                None => return,
            },
            _ = hup.recv() => "SIGHUP",
        };
        // Let a burst of writes settle: an editor or a sync writes several files.
        tokio::time::sleep(Duration::from_millis(200)).await;
        while wake.try_recv().is_ok() {}
        let old = app.rules.current().revision.to_string();
        let a = Arc::clone(&app);
        let Ok(result) = tokio::task::spawn_blocking(move || a.rules.reload()).await else {
            continue;
        };
        match result {
            reload::Reloaded::Swapped(rev) => {
                app.metrics.reloads.fetch_add(1, Relaxed);
                eprintln!("bylaw serve: reloaded ({why}): revision {rev} (was {old})");
            }
            reload::Reloaded::Unchanged => {}
            reload::Reloaded::Refused(e) => {
                app.metrics.reload_failures.fetch_add(1, Relaxed);
                eprintln!(
                    "bylaw serve: reload refused ({why}); revision {old} keeps serving:\n{}",
                    e.message
                );
            }
        }
    }
}
