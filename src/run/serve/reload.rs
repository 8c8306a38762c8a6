//! The rule set being served, and replacing it: on a change in the rules folder or on
//! SIGHUP, the new set is loaded and checked off the request path and swapped in at
//! once. A request keeps the set it started with; a broken set is refused and the old
//! one keeps serving.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::run::engine::{self, Engine, LoadError};

/// A loaded, checked rule set and its name.
pub(crate) struct RuleSet {
    pub(crate) engine: Engine,
    /// `sha256:` and the hash of the rule files' names (within the folder) and contents.
    pub(crate) revision: Arc<str>,
    /// The revision as the `Bylaw-Revision` header, made once (a clone shares it).
    pub(crate) revision_header: axum::http::HeaderValue,
    pub(crate) loaded_at: SystemTime,
    pub(crate) files: Vec<String>,
}

/// Loads and checks the rules of `dir`: what `bylaw evaluate --rules dir` loads.
pub(crate) fn load(dir: &Path) -> Result<RuleSet, LoadError> {
    let sources = engine::rule_sources(dir)?;
    let revision = revision(dir, &sources);
    let files = sources.iter().map(|(name, _)| name.clone()).collect();
    let engine = Engine::from_sources(sources)?;
    // `sha256:` and hex digits: always a valid header value.
    let revision_header = axum::http::HeaderValue::from_str(&revision)
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static("unknown"));
    Ok(RuleSet {
        engine,
        revision_header,
        revision: revision.into(),
        loaded_at: SystemTime::now(),
        files,
    })
}

/// The content hash of a rule set. Files are named within their folder, so that
/// replicas with the same files at different paths report the same revision.
fn revision(dir: &Path, sources: &[(String, String)]) -> String {
    let shown = dir.display().to_string();
    let prefix = format!("{}/", shown.trim_end_matches('/'));
    let mut h = Sha256::new();
    // `rule_sources` sorts by path; each name and text is length-prefixed so that no
    // two different sets hash alike by moving bytes between fields.
    for (name, text) in sources {
        let name = name.strip_prefix(&prefix).unwrap_or(name);
        for part in [name.as_bytes(), text.as_bytes()] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
    }
    format!("sha256:{}", hex(&h.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The last reload that failed.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReloadError {
    /// Wall-clock time, RFC 3339 UTC.
    pub(crate) at: String,
    /// The loader's message: each error with its `file:line:col`.
    pub(crate) message: String,
    /// Each error's place, `file:line:col`, where known.
    pub(crate) locations: Vec<String>,
}

/// The rule set in service and the history of reloads.
pub(crate) struct Rules {
    dir: PathBuf,
    current: RwLock<Arc<RuleSet>>,
    last_error: Mutex<Option<ReloadError>>,
}

/// What a reload did.
pub(crate) enum Reloaded {
    /// A new revision is serving.
    Swapped(Arc<str>),
    /// The files hash as the revision in service: nothing to swap.
    Unchanged,
    /// Refused; the old set keeps serving.
    Refused(ReloadError),
}

impl Rules {
    pub(crate) fn new(dir: PathBuf, first: RuleSet) -> Rules {
        Rules {
            dir,
            current: RwLock::new(Arc::new(first)),
            last_error: Mutex::new(None),
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The set in service; the caller keeps it for the whole request.
    pub(crate) fn current(&self) -> Arc<RuleSet> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub(crate) fn last_error(&self) -> Option<ReloadError> {
        match self.last_error.lock() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn set_error(&self, e: Option<ReloadError>) {
        match self.last_error.lock() {
            Ok(mut g) => *g = e,
            Err(p) => *p.into_inner() = e,
        }
    }

    /// Loads the folder again (blocking: call it off the request path) and swaps the
    /// result in if it loads and checks.
    pub(crate) fn reload(&self) -> Reloaded {
        match load(&self.dir) {
            Ok(set) => {
                self.set_error(None);
                if set.revision == self.current().revision {
                    return Reloaded::Unchanged;
                }
                let revision = Arc::clone(&set.revision);
                let new = Arc::new(set);
                match self.current.write() {
                    Ok(mut g) => *g = new,
                    Err(p) => *p.into_inner() = new,
                }
                Reloaded::Swapped(revision)
            }
            Err(e) => {
                let locations = match &e {
                    LoadError::Invalid(ds) => ds.iter().filter_map(|d| d.location()).collect(),
                    _ => Vec::new(),
                };
                let err = ReloadError {
                    at: rfc3339(SystemTime::now()),
                    message: e.to_string(),
                    locations,
                };
                self.set_error(Some(err.clone()));
                Reloaded::Refused(err)
            }
        }
    }
}

/// A wall-clock time as RFC 3339 UTC with milliseconds.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let d = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    chrono::DateTime::<chrono::Utc>::from_timestamp(d.as_secs() as i64, d.subsec_nanos())
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// Watches the rules folder: each burst of changes sends one wake-up (the receiver
/// waits for the burst to settle). The watcher must be kept alive.
pub(crate) fn watch(
    dir: &Path,
    wake: tokio::sync::mpsc::Sender<()>,
) -> notify::Result<notify::RecommendedWatcher> {
    use notify::Watcher as _;
    let mut w = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let relevant = event.is_ok_and(|e| !e.kind.is_access());
        if relevant {
            // Full means a wake-up is already pending: this change is in it.
            let _ = wake.try_send(());
        }
    })?;
    w.watch(dir, notify::RecursiveMode::NonRecursive)?;
    Ok(w)
}
