//! `bylaw serve` over time: hot reload (good → broken, the old rules keep serving →
//! fixed), SIGHUP, graceful shutdown with requests in flight and the decision log
//! flushed, the concurrency limit, the read timeouts and log rotation.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::time::Duration;

use crate::serve_support::{cli_json, eventually, head, read_response, without_ids, Server};

const SCENARIO: &str = "tests/scenarios/unsubscribe/order_exactly_1000.yaml";
const YAML: (&str, &str) = ("Content-Type", "application/yaml");

fn rules_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["disassociate.bylaw", "unsubscribe.bylaw"] {
        std::fs::copy(Path::new("rules").join(f), dir.path().join(f)).unwrap();
    }
    dir
}

fn metric(server: &Server, name: &str) -> u64 {
    let m = server.get("/metrics").text();
    m.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} in {m}"))
        .parse()
        .unwrap()
}

#[test]
fn hot_reload_good_then_broken_then_fixed() {
    let rules = rules_copy();
    let dir = rules.path().to_str().unwrap();
    let server = Server::start(&["--rules", dir]);
    let file = Path::new(SCENARIO);
    // Decisions cite the rules where they are: the CLI reads the same folder.
    let expected = String::from_utf8(cli_json(dir, file, &[])).unwrap();
    let first = server.decide_file(file, "");
    assert_eq!(first.status, 200);
    assert_eq!(
        String::from_utf8(without_ids(&first.body)).unwrap(),
        expected
    );
    let rev_a = first.json()["revision"].as_str().unwrap().to_string();
    // The revision names the files' contents, not where they are.
    assert_eq!(server.get("/v1/status").json()["revision"], rev_a.as_str());

    // Broken: refused, the old rules keep serving, the failure is reported with its place.
    let unsub = rules.path().join("unsubscribe.bylaw");
    let good = std::fs::read_to_string(&unsub).unwrap();
    let lines = good.lines().count();
    std::fs::write(&unsub, format!("{good}deny oops {{ when 1 + }}\n")).unwrap();
    eventually(20, "the reload to be refused", || {
        !server.get("/v1/status").json()["last_reload_error"].is_null()
    });
    let status = server.get("/v1/status").json();
    let err = &status["last_reload_error"];
    let at = format!("{}:{}:", unsub.display(), lines + 1);
    assert!(
        err["locations"][0].as_str().unwrap().starts_with(&at),
        "{err}"
    );
    assert!(err["message"].as_str().unwrap().contains(&at), "{err}");
    assert_eq!(status["revision"], rev_a.as_str());
    let during = server.decide_file(file, "");
    assert_eq!(during.status, 200);
    assert_eq!(during.json()["revision"], rev_a.as_str());
    assert_eq!(
        String::from_utf8(without_ids(&during.body)).unwrap(),
        expected
    );
    assert_eq!(metric(&server, "bylaw_reload_failures_total"), 1);
    assert_eq!(metric(&server, "bylaw_reloads_total"), 0);
    // stderr is read by a thread of the test: the line may come a moment after the status.
    eventually(10, "the refusal on stderr", || {
        server.stderr().contains("reload refused")
    });
    assert!(server.stderr().contains(&at), "{}", server.stderr());

    // Fixed (and changed): the new rules serve, under a new revision.
    std::fs::write(&unsub, format!("{good}\n# changed\n")).unwrap();
    eventually(20, "the fixed rules to be swapped in", || {
        server.get("/v1/status").json()["revision"] != rev_a.as_str()
    });
    let status = server.get("/v1/status").json();
    assert!(status["last_reload_error"].is_null(), "{status}");
    let after = server.decide_file(file, "");
    assert_eq!(after.status, 200);
    assert_ne!(after.json()["revision"], rev_a.as_str());
    assert_eq!(after.json()["revision"], status["revision"]);
    assert_eq!(metric(&server, "bylaw_reloads_total"), 1);
}

#[test]
fn sighup_reloads_without_watching() {
    let rules = rules_copy();
    let server = Server::start(&["--rules", rules.path().to_str().unwrap(), "--no-watch"]);
    let rev = server.get("/v1/status").json()["revision"].clone();
    let unsub = rules.path().join("unsubscribe.bylaw");
    let good = std::fs::read_to_string(&unsub).unwrap();
    std::fs::write(&unsub, format!("{good}\n# changed\n")).unwrap();
    // Not watched: nothing changes by itself.
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(server.get("/v1/status").json()["revision"], rev);
    server.signal("HUP");
    eventually(20, "SIGHUP to reload", || {
        server.get("/v1/status").json()["revision"] != rev
    });
}

#[test]
fn sigterm_finishes_requests_in_flight_and_flushes_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("decisions.jsonl");
    let mut server = Server::start(&[
        "--rules",
        "rules",
        "--no-watch",
        "--decision-log",
        log.to_str().unwrap(),
        "--log-snapshot",
        "full",
    ]);
    let snapshot = std::fs::read(SCENARIO).unwrap();
    let mut ids = Vec::new();
    for _ in 0..10 {
        let r = server.request("POST", "/v1/decide", &[YAML], &snapshot);
        assert_eq!(r.status, 200);
        ids.push(r.header("bylaw-decision-id").unwrap().to_string());
    }
    // Two requests in flight: their heads and half their bodies sent.
    let mut one = crate::serve_support::connect(server.addr);
    one.write_all(head("POST", "/v1/decide", &[YAML], snapshot.len()).as_bytes())
        .unwrap();
    let (a, b) = snapshot.split_at(snapshot.len() / 2);
    one.write_all(a).unwrap();
    let gen = std::process::Command::new("python3")
        .args(["benches/gen_facts.py", "--n", "40", "--seed", "3"])
        .output()
        .unwrap()
        .stdout;
    let mut batch = crate::serve_support::connect(server.addr);
    batch
        .write_all(
            head(
                "POST",
                "/v1/decide/batch",
                &[("Content-Type", "application/x-ndjson")],
                gen.len(),
            )
            .as_bytes(),
        )
        .unwrap();
    let (c, d) = gen.split_at(gen.len() / 2);
    batch.write_all(c).unwrap();
    std::thread::sleep(Duration::from_millis(300));

    server.signal("TERM");
    eventually(10, "the listener to close", || {
        std::net::TcpStream::connect(server.addr).is_err()
    });
    one.write_all(b).unwrap();
    batch.write_all(d).unwrap();
    let r = read_response(&mut one);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        without_ids(&r.body),
        cli_json("rules", Path::new(SCENARIO), &[])
    );
    ids.push(r.header("bylaw-decision-id").unwrap().to_string());
    let r = read_response(&mut batch);
    assert_eq!(r.status, 200);
    assert_eq!(r.text().lines().count(), 40, "every record of the batch");
    let status = server.wait_exit(60);
    assert!(status.success(), "{status:?}: {}", server.stderr());
    eventually(10, "the last line on stderr", || {
        server.stderr().contains("bylaw serve: stopped")
    });

    // One line per decision: 11 single, 40 batch; each a JSON object.
    let text = std::fs::read_to_string(&log).unwrap();
    let entries: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 11 + 40);
    let single: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e["endpoint"] == "decide")
        .collect();
    let logged: Vec<&str> = single
        .iter()
        .map(|e| e["decision_id"].as_str().unwrap())
        .collect();
    assert_eq!(logged, ids.iter().map(String::as_str).collect::<Vec<_>>());
    let e = single[0];
    assert_eq!(e["snapshot"].as_str().unwrap().as_bytes(), &snapshot[..]);
    assert_eq!(e["decision"], "allowed");
    assert!(e["matched"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "unsubscribe.billing_cycle"));
    assert!(e["revision"].as_str().unwrap().starts_with("sha256:"));
    // The log's time is the wall clock, not the snapshot's `now` (2021).
    assert!(!e["time"].as_str().unwrap().starts_with("2021-"), "{e}");
    assert!(e["latency_us"].is_u64());
    let lines: Vec<u64> = entries.iter().filter_map(|e| e["line"].as_u64()).collect();
    assert_eq!(
        lines,
        (1..=40).collect::<Vec<u64>>(),
        "batch entries in order"
    );
}

#[test]
fn the_concurrency_limit_and_the_read_timeouts() {
    let server = Server::start(&[
        "--rules",
        "rules",
        "--no-watch",
        "--max-concurrent",
        "1",
        "--body-timeout",
        "1.5",
        "--header-timeout",
        "1",
    ]);
    // A request that holds the only place: half a body.
    let mut slow = crate::serve_support::connect(server.addr);
    slow.write_all(head("POST", "/v1/decide", &[YAML], 100).as_bytes())
        .unwrap();
    slow.write_all(b"now: 2021").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let r = server.get("/v1/status");
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(server.get("/health").status, 200, "probes are not limited");
    // The slow body times out: 408, and the place is free again.
    let r = read_response(&mut slow);
    assert_eq!(r.status, 408, "{}", r.text());
    assert_eq!(server.get("/v1/status").status, 200);
    assert!(metric(&server, "bylaw_rejected_busy_total") >= 1);

    // Headers that never end: the connection is closed.
    let mut s = crate::serve_support::connect(server.addr);
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut raw = Vec::new();
    let read = s.read_to_end(&mut raw);
    assert!(
        read.is_ok(),
        "closed by the server, not by the test's timeout: {read:?}"
    );
    assert!(!raw.starts_with(b"HTTP/1.1 200"));
}

#[test]
fn the_decision_log_rotates_by_size() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("d.jsonl");
    let mut server = Server::start(&[
        "--rules",
        "rules",
        "--no-watch",
        "--decision-log",
        log.to_str().unwrap(),
        "--log-snapshot",
        "hash",
        "--log-max-bytes",
        "1500",
        "--log-keep",
        "2",
    ]);
    let snapshot = std::fs::read(SCENARIO).unwrap();
    for _ in 0..12 {
        assert_eq!(
            server
                .request("POST", "/v1/decide", &[YAML], &snapshot)
                .status,
            200
        );
    }
    server.signal("TERM");
    assert!(server.wait_exit(60).success());
    let name = |i: usize| tmp.path().join(format!("d.jsonl.{i}"));
    for p in [log.clone(), name(1), name(2)] {
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.len() <= 1500, "{}: {} bytes", p.display(), text.len());
        for line in text.lines() {
            let e: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(e["snapshot_sha256"].as_str().unwrap().len(), 64);
            assert!(e.get("snapshot").is_none());
        }
    }
    assert!(!name(3).exists(), "only --log-keep rotated files are kept");
}

#[test]
fn a_request_in_flight_across_a_reload_finishes_on_the_rules_it_started_with() {
    let rules = rules_copy();
    let dir = rules.path().to_str().unwrap();
    // Reloaded by SIGHUP only, so that the swap happens when the test says.
    let server = Server::start(&["--rules", dir, "--no-watch"]);
    let file = Path::new(SCENARIO);
    let old_json = String::from_utf8(cli_json(dir, file, &[])).unwrap();
    let rev_a = server.get("/v1/status").json()["revision"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(old_json.contains("\"decision\": \"allowed\""), "{old_json}");

    // Started before the swap: its head and half its body sent, and under way (the
    // in-flight gauge counts it), so its handler has taken the rule set.
    let snapshot = std::fs::read(SCENARIO).unwrap();
    let mut slow = crate::serve_support::connect(server.addr);
    slow.write_all(head("POST", "/v1/decide", &[YAML], snapshot.len()).as_bytes())
        .unwrap();
    let (a, b) = snapshot.split_at(snapshot.len() / 2);
    slow.write_all(a).unwrap();
    eventually(20, "the slow request to be under way", || {
        metric(&server, "bylaw_requests_in_flight") == 1
    });

    // The swap: rules under which this snapshot is denied.
    let unsub = rules.path().join("unsubscribe.bylaw");
    let good = std::fs::read_to_string(&unsub).unwrap();
    let flipped = good.replacen(
        "when    account.frozen_for_legal",
        "when    not account.frozen_for_legal",
        1,
    );
    assert_ne!(flipped, good);
    std::fs::write(&unsub, flipped).unwrap();
    server.signal("HUP");
    eventually(20, "SIGHUP to swap the rules in", || {
        server.get("/v1/status").json()["revision"] != rev_a.as_str()
    });
    let new_json = String::from_utf8(cli_json(dir, file, &[])).unwrap();
    assert!(new_json.contains("\"decision\": \"denied\""), "{new_json}");

    // The rest of its body: the answer is the old rules', under the old revision.
    slow.write_all(b).unwrap();
    let r = read_response(&mut slow);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("bylaw-revision"), Some(rev_a.as_str()));
    assert_eq!(r.json()["revision"], rev_a.as_str());
    assert_eq!(r.header("bylaw-decision"), Some("allowed"));
    assert_eq!(String::from_utf8(without_ids(&r.body)).unwrap(), old_json);

    // Near miss: a request started after the swap is decided by the new rules.
    let after = server.decide_file(file, "");
    assert_eq!(after.status, 200);
    assert_ne!(after.json()["revision"], rev_a.as_str());
    assert_eq!(after.header("bylaw-decision"), Some("denied"));
    assert_eq!(
        String::from_utf8(without_ids(&after.body)).unwrap(),
        new_json
    );
}
