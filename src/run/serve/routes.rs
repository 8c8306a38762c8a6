//! The endpoints: decisions (one, or a stream of JSON lines), the policies and their
//! schemas, status, health, readiness and metrics.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::{DateTime, FixedOffset};
use http_body_util::BodyExt as _;
use serde_json::json;

use super::log::Entry;
use super::metrics;
use super::problem::Problem;
use super::reload::{rfc3339, RuleSet};
use super::App;
use crate::decision::Decision;
use crate::input::Format;
use crate::run::batch::{self, Record, DEFAULT_MAX_LINE};
use crate::run::decide;
use crate::run::engine::Options;
use crate::schema::{json_schema, ConformOptions};

/// How snapshots received are named in messages.
const ORIGIN: &str = "<body>";
/// Larger snapshots are decided on the blocking pool, so that one cannot hold a
/// thread that answers other requests for long.
const INLINE_BYTES: usize = 64 * 1024;
/// The header that carries the decision.
const DECISION: &str = "bylaw-decision";
const DECISION_ID: &str = "bylaw-decision-id";
const REVISION: &str = "bylaw-revision";

/// A request's concurrency permit, held until its answer is written (a batch's stream
/// included).
#[derive(Clone)]
pub(crate) struct Permit(#[allow(dead_code)] Arc<tokio::sync::OwnedSemaphorePermit>);

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/decide", post(decide_one))
        .route("/v1/decide/batch", post(decide_batch))
        .route("/v1/policies", get(policies))
        .route("/v1/policies/{id}/schema", get(schema))
        .route("/v1/status", get(status))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics_text))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
        .with_state(app)
}

/// Around every request: the token, the concurrency limit, the revision header and
/// the request metrics.
async fn guard(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let path = req.uri().path();
    let route = metrics::route(path);
    let open = metrics::ROUTES.get(route) == Some(&"/health");
    let limited = path.starts_with("/v1/");
    let mut resp = if !open && !app.authorized(req.headers()) {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "this server needs `Authorization: Bearer TOKEN` (the token of --token-file)",
        )
        .into_response()
    } else if limited {
        // One atomic operation: no queue, no lock.
        match Arc::clone(&app.busy).try_acquire_owned() {
            Ok(permit) => {
                if metrics::ROUTES.get(route) == Some(&"/v1/decide/batch") {
                    // A batch answers before its stream ends: it holds a clone of the
                    // permit until then (axum drops the request's extensions before
                    // a handler runs, so this one is held here too).
                    let permit = Permit(Arc::new(permit));
                    req.extensions_mut().insert(permit.clone());
                    let resp = next.run(req).await;
                    drop(permit);
                    resp
                } else {
                    let resp = next.run(req).await;
                    drop(permit);
                    resp
                }
            }
            Err(_) => {
                app.metrics
                    .rejected_busy
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "{} requests are under way, the limit (--max-concurrent); retry shortly",
                        app.max_concurrent
                    ),
                )
                .retry_after(1)
                .into_response()
            }
        }
    } else {
        next.run(req).await
    };
    if !resp.headers().contains_key(REVISION) {
        resp.headers_mut()
            .insert(REVISION, app.rules.current().revision_header.clone());
    }
    app.metrics
        .request(route, resp.status().as_u16(), started.elapsed());
    resp
}

/// The query parameters of a decision request.
struct DecideQuery {
    explain: bool,
    now: Option<DateTime<FixedOffset>>,
    strict: bool,
    /// What would make it allowed (`evaluate --remedies --format json`).
    remedies: bool,
}

fn parse_query(query: Option<&str>, allowed: &[&str]) -> Result<DecideQuery, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|e| Problem::bad_request(format!("the query string cannot be read: {e}")))?;
    let mut q = DecideQuery {
        explain: false,
        now: None,
        strict: false,
        remedies: false,
    };
    for (name, value) in pairs {
        if !allowed.contains(&name.as_str()) {
            return Err(Problem::bad_request(format!(
                "unknown query parameter `{name}`; this endpoint takes {}",
                allowed.join(", ")
            )));
        }
        match name.as_str() {
            "now" => q.now = Some(parse_now(&value)?),
            "explain" => q.explain = flag(&name, &value)?,
            "remedies" => q.remedies = flag(&name, &value)?,
            _ => q.strict = flag(&name, &value)?,
        }
    }
    Ok(q)
}

fn flag(name: &str, value: &str) -> Result<bool, Problem> {
    match value {
        "" | "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Problem::bad_request(format!(
            "`{name}={value}`: write `{name}`, `{name}=true` or `{name}=false`"
        ))),
    }
}

/// `now` as `evaluate --now` takes it. An unescaped `+` in a query string reads as a
/// space; a time has no space before its offset, so one there is taken back as `+`.
fn parse_now(s: &str) -> Result<DateTime<FixedOffset>, Problem> {
    crate::input::rfc3339_exact(s)
        .or_else(|e| match s.rfind(' ') {
            Some(i) if i > 10 => {
                crate::input::rfc3339_exact(&format!("{}+{}", &s[..i], &s[i + 1..]))
                    .map_err(|_| e)
            }
            _ => Err(e),
        })
        .map_err(|e| {
            Problem::bad_request(format!(
                "`now={s}` is not an RFC 3339 time with an offset ({e}); write e.g. 2021-10-01T09:00:00%2B08:00"
            ))
        })
}

fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn snapshot_format(headers: &HeaderMap) -> Result<Format, Problem> {
    let mt = media_type(headers);
    match mt.as_str() {
        "application/json" => Ok(Format::Json),
        "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => Ok(Format::Yaml),
        _ if mt.ends_with("+json") => Ok(Format::Json),
        _ => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "{}: a snapshot is JSON (Content-Type: application/json) or YAML (application/yaml)",
                shown_type(&mt)
            ),
        )),
    }
}

fn shown_type(mt: &str) -> String {
    if mt.is_empty() {
        "no Content-Type".into()
    } else {
        format!("Content-Type `{mt}`")
    }
}

/// Reads a whole body, at most `limit` bytes, within the body timeout.
async fn read_body(app: &App, headers: &HeaderMap, body: Body) -> Result<Bytes, Problem> {
    let limit = app.limits.max_snapshot_bytes;
    let too_large = |len: Option<usize>| {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            match len {
                Some(len) => {
                    format!("the snapshot is {len} bytes, more than the limit of {limit} bytes")
                }
                None => format!("the snapshot is more than the limit of {limit} bytes"),
            },
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(len) = declared.filter(|len| *len > limit) {
        return Err(too_large(Some(len)));
    }
    let deadline = tokio::time::Instant::now() + app.body_timeout;
    let mut body = body;
    // A snapshot of a few KB comes in one piece, kept as it came; pieces after the
    // first are copied together.
    let mut first: Option<Bytes> = None;
    let mut joined: Option<Vec<u8>> = None;
    let mut len = 0usize;
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => {
                return Err(Problem::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the body did not arrive within {} s",
                        app.body_timeout.as_secs_f64()
                    ),
                ))
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                return Err(Problem::bad_request(format!(
                    "the body cannot be read: {e}"
                )))
            }
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            len += data.len();
            if len > limit {
                return Err(too_large(None));
            }
            match (&mut joined, first.take()) {
                (Some(buf), _) => buf.extend_from_slice(&data),
                (None, None) => first = Some(data),
                (None, Some(one)) => {
                    let mut buf = Vec::with_capacity(declared.unwrap_or(0).max(len));
                    buf.extend_from_slice(&one);
                    buf.extend_from_slice(&data);
                    joined = Some(buf);
                }
            }
        }
    }
    Ok(match joined {
        Some(buf) => Bytes::from(buf),
        None => first.unwrap_or_default(),
    })
}

/// A snapshot read, checked and decided: the path of `bylaw evaluate --format json`.
/// The answer's body is that JSON without its closing brace: [`close_with_ids`] adds
/// the server's two fields and closes it.
fn decide_bytes(
    set: &RuleSet,
    bytes: &[u8],
    format: Format,
    q: &DecideQuery,
) -> Result<(Decision, Vec<u8>), Problem> {
    let (value, places) = decide::load(bytes, format, ORIGIN).map_err(|d| {
        let detail = match d.location() {
            Some(at) => format!("{at}: {}", d.message),
            None => d.message.clone(),
        };
        Problem::bad_request(detail).with_errors(vec![d.to_string()])
    })?;
    let snapshot = decide::conform(
        &set.engine,
        (&value, &places),
        bytes,
        ORIGIN,
        &ConformOptions { strict: q.strict },
    )
    .map_err(|invalid| Problem::bad_request(invalid.summary).with_errors(invalid.violations))?;
    let opts = Options {
        now: q.now,
        explain: q.explain,
        ..Options::default()
    };
    let d = set.engine.evaluate_with(snapshot.value(), &opts);
    // On the generated corpus a decision's compact JSON is 2.2 times its snapshot and
    // the indented one about 3 times; the ids add 130 bytes. Sized once, the buffer
    // is rarely grown while it is written.
    let mut out = Vec::with_capacity(bytes.len() * 4 + 1024);
    if q.remedies {
        let r = set.engine.remedies_with(snapshot.value(), &d, &opts);
        serde_json::to_writer_pretty(&mut out, &crate::decision::remedy::render::view(&d, &r))
            .map_err(|e| {
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the decision cannot be written: {e}"),
                )
            })?;
    } else {
        // The writer of `evaluate --format json` (`report::render`), into this buffer.
        crate::report::pretty::write_decision(&mut out, &d);
    }
    Ok((d, out))
}

/// Ends the CLI's JSON (a pretty object, written without its line end) with
/// `decision_id` and `revision` as its last two fields.
fn close_with_ids(out: &mut Vec<u8>, id: &str, revision: &str) {
    // The object ends `\n}`: the two fields go before that line end.
    if out.last() == Some(&b'}') {
        out.pop();
        while out.last().is_some_and(u8::is_ascii_whitespace) {
            out.pop();
        }
    }
    out.extend_from_slice(b",\n  \"decision_id\": ");
    crate::report::json::string(out, id);
    out.extend_from_slice(b",\n  \"revision\": ");
    crate::report::json::string(out, revision);
    out.extend_from_slice(b"\n}\n");
}

async fn decide_one(
    State(app): State<Arc<App>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let started = Instant::now();
    // The rule set is taken once, as the request starts: a reload while its body
    // arrives or while it is decided does not change it.
    let set = app.rules.current();
    let q = parse_query(uri.query(), &["explain", "now", "strict", "remedies"])?;
    let format = snapshot_format(&headers)?;
    let bytes = read_body(&app, &headers, body).await?;
    let (d, mut out) = if bytes.len() > INLINE_BYTES {
        let (set, bytes) = (Arc::clone(&set), bytes.clone());
        tokio::task::spawn_blocking(move || decide_bytes(&set, &bytes, format, &q))
            .await
            .map_err(|e| {
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the decision failed: {e}"),
                )
            })??
    } else {
        decide_bytes(&set, &bytes, format, &q)?
    };
    let id = app.next_decision_id();
    close_with_ids(&mut out, &id, &set.revision);
    app.metrics.decision(d.decision);
    if let Some(log) = &app.log {
        log.offer(Entry {
            decision_id: id.clone(),
            time: SystemTime::now(),
            revision: Arc::clone(&set.revision),
            endpoint: "decide",
            line: None,
            outcome: d.decision.as_str(),
            matched: Entry::matched_rules(&d),
            latency: started.elapsed(),
            // A copy: the body may be a piece of the connection's read buffer, which
            // a queued entry should not keep alive.
            snapshot: (log.mode != super::config::SnapshotMode::Omit)
                .then(|| Bytes::copy_from_slice(&bytes)),
        });
    }
    let mut resp = Response::new(Body::from(out));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(DECISION, HeaderValue::from_static(d.decision.as_str()));
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert(DECISION_ID, v);
    }
    h.insert(REVISION, set.revision_header.clone());
    Ok(resp)
}

/// What a batch worker hands on for one line: the record's JSON line, and what the
/// metrics and the decision log need of it.
struct Done {
    line: usize,
    outcome: Option<(&'static str, crate::Outcome, Vec<Arc<str>>)>,
    json: Vec<u8>,
    snapshot: Option<Bytes>,
}

async fn decide_batch(
    State(app): State<Arc<App>>,
    Extension(permit): Extension<Permit>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let q = parse_query(uri.query(), &["explain", "now"])?;
    let mt = media_type(&headers);
    let jsonl = [
        "application/x-ndjson",
        "application/jsonl",
        "application/json-lines",
        "application/jsonlines",
        "application/x-jsonlines",
    ];
    if !jsonl.contains(&mt.as_str()) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "{}: a batch is JSON Lines (Content-Type: application/x-ndjson), one snapshot a line",
                shown_type(&mt)
            ),
        ));
    }
    let set = app.rules.current();
    let revision = set.revision_header.clone();
    let (in_tx, in_rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    let (out_tx, out_rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    tokio::spawn(pump(body, in_tx, app.body_timeout));
    let opts = Options {
        now: q.now,
        explain: q.explain,
        ..Options::default()
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let app2 = Arc::clone(&app);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let app = app2;
        let keep = app
            .log
            .as_ref()
            .is_some_and(|l| l.mode != super::config::SnapshotMode::Omit);
        let pipeline = set.engine.pipeline();
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 15);
        let result = batch::stream_jsonl_with(
            super::body_reader::BodyReader::new(in_rx),
            ORIGIN,
            workers,
            DEFAULT_MAX_LINE,
            |n, line| {
                let snapshot = match (&line, keep) {
                    (Ok(text), true) => Some(Bytes::copy_from_slice(text.as_bytes())),
                    _ => None,
                };
                let r = match line {
                    Ok(text) => batch::decide_line_with(&pipeline, &opts, n, text, ORIGIN),
                    Err(error) => Record {
                        line: Some(n),
                        file: None,
                        id: None,
                        decision: None,
                        error: Some(error),
                    },
                };
                let mut json = Vec::with_capacity(4096);
                batch::push_record(&mut json, &r);
                Done {
                    line: n,
                    outcome: r
                        .decision
                        .as_ref()
                        .map(|d| (d.decision.as_str(), d.decision, Entry::matched_rules(d))),
                    json,
                    snapshot,
                }
            },
            |done| {
                match done.outcome {
                    Some((name, outcome, matched)) => {
                        app.metrics.decision(outcome);
                        if let Some(log) = &app.log {
                            log.offer(Entry {
                                decision_id: app.next_decision_id(),
                                time: SystemTime::now(),
                                revision: Arc::clone(&set.revision),
                                endpoint: "batch",
                                line: Some(done.line),
                                outcome: name,
                                matched,
                                latency: started.elapsed(),
                                snapshot: done.snapshot,
                            });
                        }
                    }
                    None => app.metrics.bad_input(),
                }
                buf.extend_from_slice(&done.json);
                if buf.len() >= 1 << 14 {
                    let full = std::mem::replace(&mut buf, Vec::with_capacity(1 << 15));
                    out_tx
                        .blocking_send(Ok(Bytes::from(full)))
                        .map_err(|_| std::io::Error::other("the client went away"))?;
                }
                Ok(())
            },
        );
        let last = match result {
            Ok(()) => Ok(Bytes::from(buf)),
            // Ends the response early: the client sees a truncated stream, not a
            // record made up for an input it did not finish sending.
            Err(e) => Err(e),
        };
        let _ = out_tx.blocking_send(last);
    });
    let stream = futures_util::stream::unfold(out_rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut resp = Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    h.insert(REVISION, revision);
    Ok(resp)
}

/// Passes a request body on to a blocking reader, a frame at a time; a frame that does
/// not arrive within `timeout` ends the body with an error.
async fn pump(
    mut body: Body,
    tx: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
    timeout: std::time::Duration,
) {
    loop {
        let item = match tokio::time::timeout(timeout, body.frame()).await {
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the body stalled",
            )),
            Ok(None) => return,
            Ok(Some(Err(e))) => Err(std::io::Error::other(e)),
            Ok(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => Ok(data),
                Err(_) => continue,
            },
        };
        let stop = item.is_err();
        if tx.send(item).await.is_err() || stop {
            return;
        }
    }
}

async fn policies(State(app): State<Arc<App>>) -> Response {
    let set = app.rules.current();
    let list: Vec<_> = set
        .engine
        .policies()
        .map(|p| {
            json!({
                "id": p.id.name,
                "title": p.title.as_ref().map(|t| &t.value),
                "source": p.source_doc.as_ref().map(|s| &s.value),
                "file": &*p.span.source.name,
                "rules": p.rules.iter().map(|r| format!("{}.{}", p.id.name, r.name.name)).collect::<Vec<_>>(),
                "schema": p.schema.is_some(),
            })
        })
        .collect();
    json_response(&json!({ "revision": &*set.revision, "policies": list }))
}

async fn schema(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, Problem> {
    let q = parse_query(uri.query(), &["strict"])?;
    let set = app.rules.current();
    if let Some((policy, schema)) = set.engine.schemas().find(|(p, _)| p.id.name == id) {
        return Ok(json_response(&json_schema::export(
            policy, schema, q.strict,
        )));
    }
    let detail = if set.engine.policies().any(|p| p.id.name == id) {
        format!("the policy `{id}` declares no typed facts (`facts {{ name: TYPE, … }}`), so it has no schema")
    } else {
        let all: Vec<&str> = set.engine.policies().map(|p| p.id.name.as_str()).collect();
        format!("no policy `{id}`; the policies are {}", all.join(", "))
    };
    Err(Problem::new(StatusCode::NOT_FOUND, detail))
}

async fn status(State(app): State<Arc<App>>) -> Response {
    let set = app.rules.current();
    let m = &app.metrics;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
    json_response(&json!({
        "revision": &*set.revision,
        "loaded_at": rfc3339(set.loaded_at),
        "rules": app.rules.dir().display().to_string(),
        "files": set.files,
        "ready": app.is_ready(),
        "reloads": load(&m.reloads),
        "reload_failures": load(&m.reload_failures),
        "last_reload_error": app.rules.last_error(),
        "decision_log_dropped": app.log.as_ref().map(|l| l.dropped()),
    }))
}

async fn health() -> Response {
    json_response(&json!({ "status": "ok" }))
}

async fn ready(State(app): State<Arc<App>>) -> Response {
    if app.is_ready() {
        json_response(&json!({ "status": "ready", "revision": &*app.rules.current().revision }))
    } else {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response()
    }
}

async fn metrics_text(State(app): State<Arc<App>>) -> Response {
    let dropped = app.log.as_ref().map_or(0, |l| l.dropped());
    let in_flight = app
        .max_concurrent
        .saturating_sub(app.busy.available_permits());
    let text = app
        .metrics
        .render(dropped, in_flight, &app.rules.current().revision);
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

async fn not_found(uri: Uri) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        format!(
            "no endpoint `{}`; see docs/service.md for the API",
            uri.path()
        ),
    )
}

async fn method_not_allowed(uri: Uri) -> Problem {
    let path = uri.path();
    let allow = if path.starts_with("/v1/decide") {
        "POST"
    } else {
        "GET, HEAD"
    };
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("`{path}` takes {allow}"),
    )
    .allow(allow)
}

fn json_response(v: &impl serde::Serialize) -> Response {
    let text = serde_json::to_string_pretty(v).map_or_else(|_| String::new(), |s| s + "\n");
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}
