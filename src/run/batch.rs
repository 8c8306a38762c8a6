//! Many snapshots in one run: newline-delimited JSON streamed through all cores, or
//! a folder of snapshot files. Order is kept, memory is bounded whatever the input
//! length, and a bad record yields an error record while the rest go on.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use serde::Serialize;

use crate::decision::{Decision, Outcome};
use crate::input::{self, Format};
use crate::run::engine::{Engine, Options};
use crate::run::pipeline::{Conformed, Pipeline};

/// The most worker threads a batch runs (`--jobs` is refused past it; the library
/// clamps): each holds chunks in flight, and threads past the cores gain nothing.
pub const MAX_JOBS: usize = 256;

/// Lines handed to a worker at a time: large enough to make channel traffic negligible.
const CHUNK: usize = 256;
/// The longest line (snapshot) read; a longer one is an error record, not an allocation.
/// A line is a snapshot: the limit is the snapshot's.
pub const DEFAULT_MAX_LINE: usize = crate::limits::DEFAULT_MAX_SNAPSHOT_BYTES;

/// One output record: a decision, or why there is none.
#[derive(Debug, Serialize)]
pub struct Record {
    /// 1-based line of the snapshot in its input (JSONL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The snapshot's file (folder mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The snapshot's top-level `id`, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The decision, when the snapshot could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Why the snapshot could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Record {
    /// The outcome this record counts as: a record with no decision counts as `error`.
    pub fn outcome(&self) -> Outcome {
        self.decision
            .as_ref()
            .map_or(Outcome::Error, |d| d.decision)
    }
}

/// Counts per outcome, for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Records read.
    pub total: usize,
    /// `allowed` decisions.
    pub allowed: usize,
    /// `denied` decisions.
    pub denied: usize,
    /// `needs_review` decisions.
    pub needs_review: usize,
    /// `error` decisions.
    pub error: usize,
    /// Records that could not be read at all.
    pub bad_input: usize,
}

impl Summary {
    fn add(&mut self, r: &Record) {
        self.total += 1;
        match &r.decision {
            None => self.bad_input += 1,
            Some(d) => match d.decision {
                Outcome::Allowed => self.allowed += 1,
                Outcome::Denied => self.denied += 1,
                Outcome::NeedsReview => self.needs_review += 1,
                Outcome::Error => self.error += 1,
            },
        }
    }

    fn merge(&mut self, other: &Summary) {
        self.total += other.total;
        self.allowed += other.allowed;
        self.denied += other.denied;
        self.needs_review += other.needs_review;
        self.error += other.error;
        self.bad_input += other.bad_input;
    }

    /// The most severe outcome seen (a bad record counts as `error`); `allowed` when empty.
    pub fn worst(&self) -> Outcome {
        if self.denied > 0 {
            Outcome::Denied
        } else if self.error > 0 || self.bad_input > 0 {
            Outcome::Error
        } else if self.needs_review > 0 {
            Outcome::NeedsReview
        } else {
            Outcome::Allowed
        }
    }
}

/// Decides one JSON line through the stream's [`Pipeline`] (`bylaw serve` streams a
/// request body through it too).
pub fn decide_line_with(
    pipeline: &Pipeline<'_>,
    opts: &Options,
    line_no: usize,
    text: &str,
    origin: &str,
) -> Record {
    match load_valid_line(pipeline, text, || format!("{origin}:{line_no}")) {
        Ok(snapshot) => Record {
            line: Some(line_no),
            file: None,
            id: snapshot.id(),
            decision: Some(pipeline.decide(&snapshot, opts)),
            error: None,
        },
        Err(e) => Record {
            line: Some(line_no),
            file: None,
            id: None,
            decision: None,
            error: Some(e),
        },
    }
}

/// Reads one JSON line and checks it against the fact schema, as [`decide_line_with`] does:
/// the snapshot, or the message of its error record (`bylaw evaluate --remedies`).
pub fn load_line(
    engine: &Engine,
    line_no: usize,
    text: &str,
    origin: &str,
) -> Result<crate::Value, String> {
    load_valid_line(&Pipeline::new(engine), text, || {
        format!("{origin}:{line_no}")
    })
    .map(|c| c.value().clone())
}

/// Reads and conforms a line already known to be text. Its name (`file:line`) is only
/// needed for a message, so it is only made then.
fn load_valid_line(
    pipeline: &Pipeline<'_>,
    text: &str,
    name: impl Fn() -> String,
) -> Result<Conformed, String> {
    // A byte order mark has its own message, which only reading bytes gives.
    let loaded = if text.starts_with('\u{feff}') {
        input::load_bytes(text.as_bytes(), Format::Json, &name())
    } else {
        // The origin only prefixes messages: it is filled in if there is one.
        input::load_str(text, Format::Json, "").map_err(|e| input::FactsError {
            origin: name(),
            ..e
        })
    };
    let value = loaded.map_err(|e| e.to_string())?;
    pipeline
        .conform_located(&value, &name(), || {
            Some(input::positions::Positions::scan(text, Format::Json))
        })
        .map_err(|e| e.to_string())
}

/// Decides the snapshots of a JSONL stream on `workers` threads, calling `emit` for each
/// record in input order. Blank lines are skipped. Memory holds at most a few chunks per
/// worker, whatever the input length.
pub fn stream_jsonl<R: BufRead + Send>(
    engine: &Engine,
    opts: &Options,
    input: R,
    origin: &str,
    workers: usize,
    max_line: usize,
    mut emit: impl FnMut(&Record) -> std::io::Result<()>,
) -> std::io::Result<Summary> {
    let pipeline = Pipeline::new(engine);
    let mut summary = Summary::default();
    stream_jsonl_with(
        input,
        origin,
        workers,
        max_line,
        |n, line| match line {
            Ok(text) => decide_line_with(&pipeline, opts, n, text, origin),
            Err(error) => bad_line(n, error),
        },
        |r| {
            summary.add(&r);
            emit(&r)
        },
    )?;
    Ok(summary)
}

/// [`stream_jsonl`] with each record written as a line of JSON ([`push_record`]) by
/// the workers, a chunk of lines at a time, so the one thread that keeps the order only
/// passes bytes on: `emit` gets the lines of some records, and how many records they are.
pub fn stream_jsonl_bytes<R: BufRead + Send>(
    engine: &Engine,
    opts: &Options,
    input: R,
    origin: &str,
    workers: usize,
    max_line: usize,
    mut emit: impl FnMut(&[u8], usize) -> std::io::Result<()>,
) -> std::io::Result<Summary> {
    let conveyor = Pipeline::new(engine);
    let mut summary = Summary::default();
    pipeline(
        input,
        workers,
        max_line,
        |chunk| {
            let mut sum = Summary::default();
            // A record's JSON is a few kilobytes; the buffer grows if need be.
            let mut bytes = Vec::with_capacity(4096 * CHUNK);
            for line in &chunk.lines {
                let r = match chunk.line(line, origin) {
                    (n, Ok(text)) => decide_line_with(&conveyor, opts, n, text, origin),
                    (n, Err(error)) => bad_line(n, error),
                };
                sum.add(&r);
                push_record(&mut bytes, &r);
            }
            (sum, bytes)
        },
        |(sum, bytes)| {
            summary.merge(&sum);
            emit(&bytes, sum.total)
        },
    )?;
    Ok(summary)
}

/// The JSONL pipeline with the work per line left open (`bylaw diff` decides each line
/// twice): `each` gets the 1-based line number and its text, or why the line cannot be
/// taken; `emit` gets the results in input order.
pub(crate) fn stream_jsonl_with<R: BufRead + Send, T: Send>(
    input: R,
    origin: &str,
    workers: usize,
    max_line: usize,
    each: impl Fn(usize, Result<&str, String>) -> T + Sync,
    mut emit: impl FnMut(T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    pipeline(
        input,
        workers,
        max_line,
        |chunk| {
            chunk
                .lines
                .iter()
                .map(|line| {
                    let (n, text) = chunk.line(line, origin);
                    each(n, text)
                })
                .collect::<Vec<T>>()
        },
        |results| results.into_iter().try_for_each(&mut emit),
    )
}

/// Reads chunks of lines on one thread, applies `each` to them on `workers` threads, and
/// hands the results to `emit` in input order.
fn pipeline<R: BufRead + Send, U: Send>(
    input: R,
    workers: usize,
    max_line: usize,
    each: impl Fn(&Chunk) -> U + Sync,
    emit: impl FnMut(U) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let workers = workers.clamp(1, MAX_JOBS);
    let (job_tx, job_rx) = sync_channel::<(usize, Chunk)>(workers * 2);
    let (out_tx, out_rx) = sync_channel::<(usize, U)>(workers * 2);
    // Shared by the workers; the first to find the writer gone drops it, which stops the
    // reader (its `send` fails) instead of leaving it blocked on a full channel for ever.
    let job_rx = Mutex::new(Some(job_rx));
    std::thread::scope(|s| -> std::io::Result<()> {
        let reader = s.spawn(move || read_chunks(input, max_line, job_tx));
        for _ in 0..workers {
            let (job_rx, out_tx, each) = (&job_rx, out_tx.clone(), &each);
            s.spawn(move || work(job_rx, out_tx, each));
        }
        drop(out_tx);
        // On a write error (a closed pipe, a full disk) the results' receiver is dropped
        // here: the workers' sends fail, they drop the jobs' receiver, the reader stops.
        let written = write_in_order(out_rx, emit);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the reader stopped")));
        written.and(read)
    })
}

/// Applies `each` to every item on `workers` threads, handing the results to `emit` in
/// input order: the one ordered parallel map, for folders of snapshot files (through
/// all cores like JSONL), corpora, mutants and the rule files of a load
/// ([`crate::run::load::par_map`] collects its results).
///
/// The calling thread is one of the workers (it also emits, in order, as results come);
/// the others have an 8 MiB stack, so that a rule file's parse fits on them (a parse
/// that needs more moves to a thread of its own). A thread that cannot be started
/// leaves its share to the rest: never a panic.
pub(crate) fn map_ordered<I: Sync, T: Send>(
    items: &[I],
    workers: usize,
    each: impl Fn(&I) -> T + Sync,
    emit: impl FnMut(T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // Files are slower than lines: small chunks keep the cores evenly busy, and a few
    // items (a rule set of two files) still go to every worker.
    const FILE_CHUNK: usize = 16;
    let workers = workers.clamp(1, MAX_JOBS).min(items.len().max(1));
    let per_chunk = (items.len() / workers.saturating_mul(4)).clamp(1, FILE_CHUNK);
    let chunk = |seq: usize| {
        let start = seq.saturating_mul(per_chunk);
        let end = start.saturating_add(per_chunk).min(items.len());
        items.get(start..end).filter(|c| !c.is_empty())
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (out_tx, out_rx) = sync_channel::<(usize, Vec<T>)>(workers * 2);
    let mut emit = emit;
    std::thread::scope(|s| {
        for _ in 1..workers {
            let (out_tx, each, next, chunk) = (out_tx.clone(), &each, &next, &chunk);
            let worker = move || loop {
                let seq = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(items) = chunk(seq) else {
                    return;
                };
                if out_tx
                    .send((seq, items.iter().map(each).collect()))
                    .is_err()
                {
                    return;
                }
            };
            // Not started: the others (and this thread) take its chunks.
            let _ = std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(s, worker);
        }
        drop(out_tx);
        let mut done = 0;
        let mut waiting: BTreeMap<usize, Vec<T>> = BTreeMap::new();
        let mut flush = |waiting: &mut BTreeMap<usize, Vec<T>>| -> std::io::Result<()> {
            while let Some(results) = waiting.remove(&done) {
                results.into_iter().try_for_each(&mut emit)?;
                done += 1;
            }
            Ok(())
        };
        // This thread works while there is work, emitting what is ready between chunks,
        // then waits for the rest.
        loop {
            let seq = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(items) = chunk(seq) else {
                break;
            };
            waiting.insert(seq, items.iter().map(&each).collect());
            waiting.extend(out_rx.try_iter());
            flush(&mut waiting)?;
        }
        for (seq, results) in out_rx {
            waiting.insert(seq, results);
            flush(&mut waiting)?;
        }
        Ok(())
    })
}

/// Lines of input handed to a worker together: their text in one buffer (one allocation
/// per chunk rather than per line), and each line's place in it.
struct Chunk {
    text: String,
    lines: Vec<Line>,
}

/// A line of input (its place in the chunk's text), or why it could not be taken.
enum Line {
    Text(usize, Range<usize>),
    TooLong(usize, usize),
    NotUtf8(usize),
}

impl Chunk {
    /// A line's number, and its text or why there is none.
    fn line<'c>(&'c self, line: &Line, origin: &str) -> (usize, Result<&'c str, String>) {
        match line {
            Line::Text(n, range) => (
                *n,
                self.text
                    .get(range.clone())
                    .ok_or_else(|| format!("{origin}:{n}: the line was lost in reading")),
            ),
            Line::TooLong(n, len) => (
                *n,
                Err(format!(
                    "{origin}:{n}: the line is {len} bytes, over the limit"
                )),
            ),
            Line::NotUtf8(n) => (
                *n,
                Err(format!("{origin}:{n}: the line is not valid UTF-8")),
            ),
        }
    }
}

fn read_chunks<R: BufRead>(
    mut input: R,
    max_line: usize,
    jobs: SyncSender<(usize, Chunk)>,
) -> std::io::Result<()> {
    let mut seq = 0;
    let new_chunk = |bytes: usize| Chunk {
        text: String::with_capacity(bytes),
        lines: Vec::with_capacity(CHUNK),
    };
    let mut chunk = new_chunk(0);
    let mut line_no = 0;
    // One line's bytes, reused: a line is checked as UTF-8 here, then copied into its chunk.
    let mut buf = Vec::new();
    loop {
        buf.clear();
        line_no += 1;
        let (n, overflow) = read_capped_line(&mut input, &mut buf, max_line)?;
        if n == 0 {
            break;
        }
        let line = if overflow > 0 {
            Line::TooLong(line_no, overflow)
        } else {
            match std::str::from_utf8(&buf) {
                Ok(s) if s.trim().is_empty() => continue,
                Ok(s) => {
                    let start = chunk.text.len();
                    chunk.text.push_str(s);
                    Line::Text(line_no, start..chunk.text.len())
                }
                Err(_) => Line::NotUtf8(line_no),
            }
        };
        chunk.lines.push(line);
        if chunk.lines.len() == CHUNK {
            let next = new_chunk(chunk.text.len());
            if jobs
                .send((seq, std::mem::replace(&mut chunk, next)))
                .is_err()
            {
                return Ok(()); // the writer stopped
            }
            seq += 1;
        }
    }
    if !chunk.lines.is_empty() {
        let _ = jobs.send((seq, chunk));
    }
    Ok(())
}

/// Reads one line into `buf`, keeping at most `max` bytes; returns the bytes consumed
/// and, for a longer line, its full length (the rest is skipped, not stored).
fn read_capped_line<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(usize, usize)> {
    let mut consumed = 0;
    let mut too_long = false;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let (take, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if !too_long {
            if buf.len() + take > max + 1 {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&available[..take]);
            }
        }
        input.consume(take);
        consumed += take;
        if done {
            break;
        }
    }
    Ok((consumed, if too_long { consumed } else { 0 }))
}

fn work<U>(
    jobs: &Mutex<Option<Receiver<(usize, Chunk)>>>,
    out: SyncSender<(usize, U)>,
    each: &(impl Fn(&Chunk) -> U + Sync),
) {
    loop {
        let job = match jobs.lock() {
            Ok(rx) => match rx.as_ref() {
                Some(rx) => rx.recv(),
                None => return, // the writer stopped
            },
            Err(_) => return,
        };
        let Ok((seq, chunk)) = job else { return };
        if out.send((seq, each(&chunk))).is_err() {
            // The writer stopped: drop the jobs' receiver so that the reader stops too.
            if let Ok(mut rx) = jobs.lock() {
                rx.take();
            }
            return;
        }
    }
}

fn bad_line(n: usize, error: String) -> Record {
    Record {
        line: Some(n),
        file: None,
        id: None,
        decision: None,
        error: Some(error),
    }
}

fn write_in_order<U>(
    results: Receiver<(usize, U)>,
    mut emit: impl FnMut(U) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut next = 0;
    let mut waiting: BTreeMap<usize, U> = BTreeMap::new();
    for (seq, result) in results {
        waiting.insert(seq, result);
        while let Some(result) = waiting.remove(&next) {
            emit(result)?;
            next += 1;
        }
    }
    Ok(())
}

/// The snapshot files (`.json`, `.yaml`, `.yml`) in a folder and below, sorted. Not
/// snapshots, so passed over: golden decision files (`*.decision.yaml`, see
/// `run::golden`), `bylaw test` files (YAML whose top-level keys are
/// `cases` and at most `description` and `policy`), and hidden files and folders (a
/// name starting with `.`). Entries that cannot be read are left out:
/// [`snapshot_entries`] reports them.
pub fn snapshot_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(snapshot_entries(dir)?.files)
}

/// The snapshot files of a folder and below, and the entries that cannot be read
/// (links out of the folder or to folders, FIFOs, unreadable folders): see
/// [`crate::input::walk`].
pub fn snapshot_entries(dir: &Path) -> std::io::Result<crate::input::walk::Walk> {
    let wanted = |p: &Path| {
        !hidden_below(dir, p)
            && Format::from_path(p).is_some()
            && !crate::run::golden::is_golden(p)
            && !is_test_file(p)
    };
    let mut found = crate::input::walk::walk(dir, &wanted)?;
    // A refused entry inside a hidden folder is not reported either.
    found.skipped.retain(|s| !hidden_below(dir, &s.path));
    Ok(found)
}

/// Whether `path` is, or is inside, a hidden file or folder below `dir`.
fn hidden_below(dir: &Path, path: &Path) -> bool {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// Reads a snapshot file's bytes within the snapshot size limit, refusing what is not
/// a regular file before opening it.
fn read_snapshot_file(path: &Path, name: &str) -> Result<Vec<u8>, String> {
    crate::input::walk::read_file(path, crate::Limits::default().max_snapshot_bytes)
        .map_err(|e| format!("{name}: cannot read the snapshot: {e}"))
}

/// Whether a YAML file is a `bylaw test` file: its top-level keys (lines starting at
/// column 0) are `cases` and at most `description` and `policy`. A file that cannot
/// be read is left to be reported as a snapshot.
fn is_test_file(path: &Path) -> bool {
    if Format::from_path(path) != Some(Format::Yaml) {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let mut cases = false;
    for line in text.lines() {
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first.is_whitespace() || first == '#' || first == '-' || line == "---" {
            continue;
        }
        match line.split_once(':').map(|(k, _)| k.trim()) {
            Some("cases") => cases = true,
            Some("description" | "policy") => {}
            _ => return false,
        }
    }
    cases
}

/// Reads one snapshot file; the error names the file.
pub fn load_file(path: &Path) -> Result<crate::Value, String> {
    let name = path.display().to_string();
    read_snapshot_file(path, &name).and_then(|bytes| {
        let format = Format::from_path(path).unwrap_or(Format::Json);
        input::load_bytes(&bytes, format, &name).map_err(|e| e.to_string())
    })
}

/// Decides one snapshot file; an unreadable or invalid file is an error record.
pub(crate) fn decide_file(pipeline: &Pipeline<'_>, opts: &Options, path: &Path) -> Record {
    let name = path.display().to_string();
    let loaded = read_snapshot_file(path, &name).and_then(|bytes| {
        let format = Format::from_path(path).unwrap_or(Format::Json);
        pipeline
            .read(&bytes, format, &name)
            .map_err(|e| e.to_string())
    });
    match loaded {
        Ok(snapshot) => Record {
            line: None,
            file: Some(name),
            id: snapshot.id(),
            decision: Some(pipeline.decide(&snapshot, opts)),
            error: None,
        },
        Err(error) => Record {
            line: None,
            file: Some(name),
            id: None,
            decision: None,
            error: Some(error),
        },
    }
}

/// Decides every snapshot file in a folder, in name order, calling `emit` for each.
pub fn evaluate_dir(
    engine: &Engine,
    opts: &Options,
    dir: &Path,
    mut emit: impl FnMut(&Record) -> std::io::Result<()>,
) -> std::io::Result<Summary> {
    let mut summary = Summary::default();
    let pipeline = Pipeline::new(engine);
    let walk = snapshot_entries(dir)?;
    // Files and refused entries, in name order, each one record.
    let mut entries: Vec<(&Path, Option<&crate::input::walk::Skipped>)> =
        walk.files.iter().map(|p| (p.as_path(), None)).collect();
    entries.extend(walk.skipped.iter().map(|s| (s.path.as_path(), Some(s))));
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (path, skipped) in entries {
        let r = match skipped {
            None => decide_file(&pipeline, opts, path),
            Some(s) => Record {
                line: None,
                file: Some(path.display().to_string()),
                id: None,
                decision: None,
                error: Some(s.to_string()),
            },
        };
        summary.add(&r);
        emit(&r)?;
    }
    Ok(summary)
}

/// Writes a record as one line of JSON.
pub fn write_record(out: &mut impl Write, r: &Record) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(4096);
    push_record(&mut line, r);
    out.write_all(&line)
}

/// Appends a record as one line of JSON: what serde_json writes for it, written
/// directly (`render::json`), since the streaming mode writes one per snapshot.
pub fn push_record(out: &mut Vec<u8>, r: &Record) {
    use crate::report::json;
    out.push(b'{');
    let mut first = true;
    let mut key = |out: &mut Vec<u8>, name: &str| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        json::string(out, name);
        out.push(b':');
    };
    if let Some(line) = r.line {
        key(out, "line");
        out.extend_from_slice(line.to_string().as_bytes());
    }
    if let Some(file) = &r.file {
        key(out, "file");
        json::string(out, file);
    }
    if let Some(id) = &r.id {
        key(out, "id");
        json::string(out, id);
    }
    if let Some(d) = &r.decision {
        key(out, "decision");
        json::write_decision(out, d);
    }
    if let Some(error) = &r.error {
        key(out, "error");
        json::string(out, error);
    }
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests;
