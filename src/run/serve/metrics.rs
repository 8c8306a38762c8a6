//! Counters for `/metrics`, in the Prometheus text format (version 0.0.4), written by
//! hand: a few counters and one histogram do not need a metrics framework.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

use crate::decision::Outcome;

/// The routes as metrics label them (`other` for anything else).
pub(crate) const ROUTES: [&str; 9] = [
    "/v1/decide",
    "/v1/decide/batch",
    "/v1/policies",
    "/v1/policies/{id}/schema",
    "/v1/status",
    "/health",
    "/ready",
    "/metrics",
    "other",
];

/// The route label of a request path.
pub(crate) fn route(path: &str) -> usize {
    if let Some(i) = ROUTES.iter().position(|r| *r == path) {
        return i;
    }
    let schema = path
        .strip_prefix("/v1/policies/")
        .and_then(|rest| rest.strip_suffix("/schema"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'));
    if schema {
        3
    } else {
        ROUTES.len() - 1
    }
}

/// The statuses this server answers with, counted without a lock; another status (none
/// is expected) is counted in a map under a lock.
const STATUSES: [u16; 11] = [200, 400, 401, 404, 405, 408, 413, 415, 500, 503, 304];

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Histogram {
    /// Per bucket (not cumulative); the last is +Inf.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

const OUTCOMES: [Outcome; 4] = [
    Outcome::Allowed,
    Outcome::Denied,
    Outcome::NeedsReview,
    Outcome::Error,
];

/// Everything `/metrics` reports.
#[derive(Default)]
pub(crate) struct Metrics {
    /// By route, then by the place of the status in `STATUSES`.
    requests: [[AtomicU64; STATUSES.len()]; ROUTES.len()],
    other_statuses: Mutex<BTreeMap<(usize, u16), u64>>,
    latency: [Histogram; ROUTES.len()],
    decisions: [AtomicU64; 4],
    bad_input: AtomicU64,
    pub(crate) reloads: AtomicU64,
    pub(crate) reload_failures: AtomicU64,
    pub(crate) rejected_busy: AtomicU64,
}

impl Metrics {
    pub(crate) fn request(&self, route: usize, status: u16, took: Duration) {
        let counter = STATUSES
            .iter()
            .position(|s| *s == status)
            .and_then(|i| self.requests.get(route)?.get(i));
        match counter {
            Some(c) => {
                c.fetch_add(1, Relaxed);
            }
            None => {
                if let Ok(mut m) = self.other_statuses.lock() {
                    *m.entry((route, status)).or_insert(0) += 1;
                }
            }
        }
        if let Some(h) = self.latency.get(route) {
            let secs = took.as_secs_f64();
            let i = BUCKETS
                .iter()
                .position(|b| secs <= *b)
                .unwrap_or(BUCKETS.len());
            if let Some(c) = h.counts.get(i) {
                c.fetch_add(1, Relaxed);
            }
            h.sum_nanos
                .fetch_add(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX), Relaxed);
        }
    }

    pub(crate) fn decision(&self, outcome: Outcome) {
        if let Some(i) = OUTCOMES.iter().position(|o| *o == outcome) {
            if let Some(c) = self.decisions.get(i) {
                c.fetch_add(1, Relaxed);
            }
        }
    }

    /// A batch line that could not be read (it gets an error record, no decision).
    pub(crate) fn bad_input(&self) {
        self.bad_input.fetch_add(1, Relaxed);
    }

    /// The text of `/metrics`; `dropped` is the decision log's count, `in_flight` the
    /// `/v1/` requests under way.
    pub(crate) fn render(&self, dropped: u64, in_flight: usize, revision: &str) -> String {
        let mut s = String::with_capacity(4096);
        let head = |s: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(s, "# HELP {name} {help}");
            let _ = writeln!(s, "# TYPE {name} {kind}");
        };
        head(
            &mut s,
            "bylaw_http_requests_total",
            "counter",
            "HTTP requests answered, by route and status.",
        );
        // In the order of route, then status, as one map of both would give.
        let mut counts: BTreeMap<(usize, u16), u64> = match self.other_statuses.lock() {
            Ok(m) => m.clone(),
            Err(p) => p.into_inner().clone(),
        };
        for (route, by_status) in self.requests.iter().enumerate() {
            for (status, n) in STATUSES.iter().zip(by_status) {
                let n = n.load(Relaxed);
                if n > 0 {
                    counts.insert((route, *status), n);
                }
            }
        }
        for ((route, status), n) in &counts {
            let route = ROUTES.get(*route).unwrap_or(&"other");
            let _ = writeln!(
                s,
                "bylaw_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        head(
            &mut s,
            "bylaw_http_request_duration_seconds",
            "histogram",
            "Time from a request's headers to its answer, by route.",
        );
        for (route, h) in ROUTES.iter().zip(&self.latency) {
            let mut cumulative = 0;
            let counts: Vec<u64> = h.counts.iter().map(|c| c.load(Relaxed)).collect();
            if counts.iter().all(|c| *c == 0) {
                continue;
            }
            for (bound, n) in BUCKETS.iter().zip(&counts) {
                cumulative += n;
                let _ = writeln!(
                    s,
                    "bylaw_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            cumulative += counts.last().copied().unwrap_or(0);
            let _ = writeln!(
                s,
                "bylaw_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {cumulative}"
            );
            let sum = h.sum_nanos.load(Relaxed) as f64 / 1e9;
            let _ = writeln!(
                s,
                "bylaw_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}"
            );
            let _ = writeln!(
                s,
                "bylaw_http_request_duration_seconds_count{{route=\"{route}\"}} {cumulative}"
            );
        }
        head(
            &mut s,
            "bylaw_decisions_total",
            "counter",
            "Decisions made (single and batch), by outcome.",
        );
        for (o, n) in OUTCOMES.iter().zip(&self.decisions) {
            let _ = writeln!(
                s,
                "bylaw_decisions_total{{outcome=\"{}\"}} {}",
                o.as_str(),
                n.load(Relaxed)
            );
        }
        let counters = [
            (
                "bylaw_batch_bad_lines_total",
                "Batch lines that could not be read (answered with an error record).",
                self.bad_input.load(Relaxed),
            ),
            (
                "bylaw_reloads_total",
                "Rule sets swapped in by a reload.",
                self.reloads.load(Relaxed),
            ),
            (
                "bylaw_reload_failures_total",
                "Reloads refused because the rules did not load or check.",
                self.reload_failures.load(Relaxed),
            ),
            (
                "bylaw_rejected_busy_total",
                "Requests answered 503 because the concurrency limit was reached.",
                self.rejected_busy.load(Relaxed),
            ),
            (
                "bylaw_decision_log_dropped_total",
                "Decision log entries dropped because the log's queue was full.",
                dropped,
            ),
        ];
        for (name, help, n) in counters {
            head(&mut s, name, "counter", help);
            let _ = writeln!(s, "{name} {n}");
        }
        head(
            &mut s,
            "bylaw_requests_in_flight",
            "gauge",
            "Requests to /v1/ under way (a batch until its stream ends), against --max-concurrent.",
        );
        let _ = writeln!(s, "bylaw_requests_in_flight {in_flight}");
        head(
            &mut s,
            "bylaw_rules_info",
            "gauge",
            "The rule set in service (always 1), by revision.",
        );
        let _ = writeln!(s, "bylaw_rules_info{{revision=\"{revision}\"}} 1");
        s
    }
}
