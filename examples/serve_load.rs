#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a measuring tool: fail loudly
//! Load on a running `bylaw serve`: every line of a JSONL file POSTed to /v1/decide by
//! N keep-alive connections (hyper's HTTP/1.1 client), loopback only, bounded by the
//! file's length times `--rounds`. Prints throughput and p50/p99/p99.9 latency per
//! connection count, and with `--pid` the server's resident memory after each round.
//!
//! ```text
//! target/release/bylaw serve --rules rules --no-watch --addr 127.0.0.1:8181 &
//! cargo run --release --example serve_load -- 127.0.0.1:8181 facts.jsonl 1,8,64 [--rounds R] [--pid PID]
//! ```
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr: SocketAddr = args[0].parse().unwrap();
    assert!(addr.ip().is_loopback(), "loopback only");
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let lines: Arc<Vec<Bytes>> = Arc::new(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Bytes::copy_from_slice(l.as_bytes()))
            .collect(),
    );
    let conns: Vec<usize> = args[2].split(',').map(|c| c.parse().unwrap()).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .map(|i| args[i + 1].parse::<usize>().unwrap())
    };
    let rounds = flag("--rounds").unwrap_or(1);
    let pid = flag("--pid");
    // One thread for the client, so that the server keeps the other core.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for &c in &conns {
        for round in 0..rounds {
            let (secs, mut lat) = rt.block_on(run(addr, Arc::clone(&lines), c));
            lat.sort_unstable();
            let pct = |p: f64| {
                let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
                lat[i] as f64 / 1000.0
            };
            let rss = pid
                .map(rss_kib)
                .map_or(String::new(), |k| format!(", server RSS {k} KiB"));
            println!(
                "{c} conn, round {}: {} requests in {secs:.2} s = {:.0} req/s; p50 {:.0} µs, p99 {:.0} µs, p99.9 {:.0} µs{rss}",
                round + 1,
                lat.len(),
                lat.len() as f64 / secs,
                pct(0.5),
                pct(0.99),
                pct(0.999),
            );
        }
    }
}

/// Latencies in nanoseconds.
async fn run(addr: SocketAddr, lines: Arc<Vec<Bytes>>, conns: usize) -> (f64, Vec<u64>) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (lines, next) = (Arc::clone(&lines), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .unwrap();
            tokio::spawn(conn);
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(line) = lines.get(i) else { break };
                let req = hyper::Request::post("/v1/decide")
                    .header("host", "bench")
                    .header("content-type", "application/json")
                    .body(Full::new(line.clone()))
                    .unwrap();
                let t = Instant::now();
                let resp = tokio::time::timeout(Duration::from_secs(30), send.send_request(req))
                    .await
                    .expect("an answer within 30 s")
                    .unwrap();
                assert!(
                    resp.status().is_success() || resp.status() == 400,
                    "{}",
                    resp.status()
                );
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                lat.push(t.elapsed().as_nanos() as u64);
                assert!(!body.is_empty());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    (started.elapsed().as_secs_f64(), all)
}

fn rss_kib(pid: usize) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
