//! The decision log: one JSON line per decision, appended by a thread of its own. The
//! request path only offers an entry to a bounded queue (never waits): a slow or full
//! disk drops entries, counted, rather than slowing a decision.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::config::{LogConfig, SnapshotMode};
use super::reload::{hex, rfc3339};
use crate::decision::Decision;
use crate::report::json;

/// What is logged of one decision; made into a line by the writer thread.
pub(crate) struct Entry {
    pub(crate) decision_id: String,
    /// Wall-clock time of the decision, never the decision's `now`.
    pub(crate) time: SystemTime,
    pub(crate) revision: Arc<str>,
    pub(crate) endpoint: &'static str,
    /// The 1-based line, for a batch record.
    pub(crate) line: Option<usize>,
    pub(crate) outcome: &'static str,
    pub(crate) matched: Vec<Arc<str>>,
    pub(crate) latency: Duration,
    /// The snapshot's text as received, unless the log omits it.
    pub(crate) snapshot: Option<axum::body::Bytes>,
}

impl Entry {
    /// The rule IDs that matched, request-level then per item, without repeats.
    pub(crate) fn matched_rules(d: &Decision) -> Vec<Arc<str>> {
        let mut out: Vec<Arc<str>> = Vec::new();
        for m in d
            .matched
            .iter()
            .chain(d.items.iter().flat_map(|i| i.matched.iter()))
        {
            if !out.contains(&m.rule) {
                out.push(Arc::clone(&m.rule));
            }
        }
        out
    }
}

enum Msg {
    Entry(Box<Entry>),
    Stop,
}

/// The request path's side of the log.
pub(crate) struct DecisionLog {
    tx: SyncSender<Msg>,
    pub(crate) mode: SnapshotMode,
    dropped: AtomicU64,
    writer: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl DecisionLog {
    /// Opens (creates) the file and starts the writer thread.
    pub(crate) fn start(cfg: &LogConfig) -> std::io::Result<DecisionLog> {
        let file = open(&cfg.path)?;
        let size = file.metadata().map_or(0, |m| m.len());
        let (tx, rx) = sync_channel(cfg.queue.max(1));
        let writer = Writer {
            path: cfg.path.clone(),
            out: BufWriter::with_capacity(1 << 16, file),
            size,
            max_bytes: cfg.max_bytes,
            keep: cfg.keep,
            mode: cfg.snapshot,
        };
        let handle = std::thread::Builder::new()
            .name("bylaw-decision-log".into())
            .spawn(move || writer.run(rx))?;
        Ok(DecisionLog {
            tx,
            mode: cfg.snapshot,
            dropped: AtomicU64::new(0),
            writer: std::sync::Mutex::new(Some(handle)),
        })
    }

    /// Offers an entry; a full queue drops it (counted).
    pub(crate) fn offer(&self, e: Entry) {
        match self.tx.try_send(Msg::Entry(Box::new(e))) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Relaxed);
            }
        }
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }

    /// Writes everything queued, closes the file and stops the writer (at shutdown,
    /// once no request is under way).
    pub(crate) fn close(&self) {
        let handle = match self.writer.lock() {
            Ok(mut g) => g.take(),
            Err(p) => p.into_inner().take(),
        };
        if let Some(handle) = handle {
            // Blocking: the queue is drained in order, then the writer stops.
            let _ = self.tx.send(Msg::Stop);
            let _ = handle.join();
        }
    }
}

fn open(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

struct Writer {
    path: PathBuf,
    out: BufWriter<File>,
    size: u64,
    max_bytes: u64,
    keep: usize,
    mode: SnapshotMode,
}

impl Writer {
    fn run(mut self, rx: Receiver<Msg>) {
        let mut line = Vec::with_capacity(1024);
        loop {
            // Flush when the queue goes quiet, so that entries reach the file promptly.
            let msg = match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    self.flush();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let Msg::Entry(e) = msg else { break };
            line.clear();
            self.format(&e, &mut line);
            if self.size > 0 && self.size + line.len() as u64 > self.max_bytes {
                self.rotate();
            }
            match self.out.write_all(&line) {
                Ok(()) => self.size += line.len() as u64,
                Err(e) => eprintln!("bylaw serve: decision log {}: {e}", self.path.display()),
            }
        }
        self.flush();
    }

    fn flush(&mut self) {
        if let Err(e) = self.out.flush() {
            eprintln!("bylaw serve: decision log {}: {e}", self.path.display());
        }
    }

    /// FILE → FILE.1 → FILE.2 … up to `keep`; the oldest is removed.
    fn rotate(&mut self) {
        self.flush();
        let name = |i: usize| {
            let mut p = self.path.clone().into_os_string();
            p.push(format!(".{i}"));
            PathBuf::from(p)
        };
        if self.keep == 0 {
            let _ = std::fs::remove_file(&self.path);
        } else {
            let _ = std::fs::remove_file(name(self.keep));
            for i in (1..self.keep).rev() {
                let _ = std::fs::rename(name(i), name(i + 1));
            }
            let _ = std::fs::rename(&self.path, name(1));
        }
        match open(&self.path) {
            Ok(f) => {
                self.out = BufWriter::with_capacity(1 << 16, f);
                self.size = 0;
            }
            Err(e) => eprintln!("bylaw serve: decision log {}: {e}", self.path.display()),
        }
    }

    fn format(&self, e: &Entry, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"decision_id\":");
        json::string(out, &e.decision_id);
        out.extend_from_slice(b",\"time\":");
        json::string(out, &rfc3339(e.time));
        out.extend_from_slice(b",\"revision\":");
        json::string(out, &e.revision);
        out.extend_from_slice(b",\"endpoint\":");
        json::string(out, e.endpoint);
        if let Some(line) = e.line {
            out.extend_from_slice(format!(",\"line\":{line}").as_bytes());
        }
        out.extend_from_slice(b",\"decision\":");
        json::string(out, e.outcome);
        out.extend_from_slice(b",\"matched\":[");
        for (i, r) in e.matched.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::string(out, r);
        }
        out.extend_from_slice(format!("],\"latency_us\":{}", e.latency.as_micros()).as_bytes());
        if let Some(snapshot) = &e.snapshot {
            match self.mode {
                SnapshotMode::Full => {
                    out.extend_from_slice(b",\"snapshot\":");
                    json::string(out, &String::from_utf8_lossy(snapshot));
                }
                SnapshotMode::Hash => {
                    out.extend_from_slice(b",\"snapshot_sha256\":");
                    json::string(out, &hex(&Sha256::digest(snapshot)));
                }
                SnapshotMode::Omit => {}
            }
        }
        out.extend_from_slice(b"}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> Entry {
        Entry {
            decision_id: format!("{i:032x}"),
            time: SystemTime::now(),
            revision: "sha256:0".into(),
            endpoint: "decide",
            line: None,
            outcome: "allowed",
            matched: vec!["p.r".into()],
            latency: Duration::from_micros(5),
            snapshot: Some(axum::body::Bytes::from_static(b"{\"a\": 1}")),
        }
    }

    #[test]
    fn every_entry_is_written_or_counted_as_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        let log = DecisionLog::start(&LogConfig {
            path: path.clone(),
            snapshot: SnapshotMode::Full,
            max_bytes: u64::MAX,
            keep: 1,
            // A queue of one: offering faster than the disk drops entries, never waits.
            queue: 1,
        })
        .unwrap();
        for i in 0..2000 {
            log.offer(entry(i));
        }
        log.close();
        let text = std::fs::read_to_string(&path).unwrap();
        let written = text.lines().count() as u64;
        assert_eq!(written + log.dropped(), 2000);
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["snapshot"], "{\"a\": 1}");
        assert_eq!(first["matched"], serde_json::json!(["p.r"]));
        // After close, entries are counted as dropped rather than lost silently.
        log.offer(entry(0));
        assert_eq!(written + log.dropped(), 2001);
    }

    #[test]
    fn a_queue_with_room_drops_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        let log = DecisionLog::start(&LogConfig {
            path: path.clone(),
            snapshot: SnapshotMode::Omit,
            max_bytes: u64::MAX,
            keep: 1,
            queue: 100,
        })
        .unwrap();
        for i in 0..100 {
            log.offer(entry(i));
        }
        log.close();
        assert_eq!(log.dropped(), 0);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 100);
        assert!(!text.contains("snapshot"));
    }
}
