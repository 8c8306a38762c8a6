//! `bylaw serve`, started as the built binary on an ephemeral loopback port: every
//! endpoint and error status, decisions byte-identical to `bylaw evaluate --format json`,
//! the batch stream identical to `--facts-jsonl`, concurrent clients, the token, TLS.
//! Reload and shutdown are in tests/it/serve_lifecycle.rs.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::Path;

use crate::serve_support::{cli_json, scenarios, without_ids, Server};

const JSON: (&str, &str) = ("Content-Type", "application/json");
const JSONL: (&str, &str) = ("Content-Type", "application/x-ndjson");

#[test]
fn every_scenario_is_decided_byte_for_byte_as_the_cli_does() {
    let server = Server::start(&["--rules", "rules", "--no-watch"]);
    let files = scenarios();
    assert!(files.len() > 20, "the scenarios are found");
    for (i, file) in files.iter().enumerate() {
        // Half of them with explain, which lists the rules that did not match.
        let (query, extra): (&str, &[&str]) = if i % 2 == 0 {
            ("", &[])
        } else {
            ("?explain", &["--explain"])
        };
        let cli = cli_json("rules", file, extra);
        let r = server.decide_file(file, query);
        if cli.is_empty() {
            // The CLI refused the snapshot (bad input): so does the server.
            assert_eq!(r.status, 400, "{}: {}", file.display(), r.text());
            continue;
        }
        assert_eq!(r.status, 200, "{}: {}", file.display(), r.text());
        assert_eq!(
            String::from_utf8(without_ids(&r.body)).unwrap(),
            String::from_utf8(cli).unwrap(),
            "{}",
            file.display()
        );
        let outcome = r.json()["decision"].as_str().unwrap().to_string();
        assert_eq!(r.header("bylaw-decision"), Some(outcome.as_str()));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let id = r.json()["decision_id"].as_str().unwrap().to_string();
        assert_eq!(r.header("bylaw-decision-id"), Some(id.as_str()));
        assert_eq!(
            r.header("bylaw-revision"),
            r.json()["revision"].as_str(),
            "the revision is in the body and the header"
        );
    }
}

#[test]
fn now_in_the_query_is_evaluate_now() {
    let server = Server::start(&["--rules", "rules", "--no-watch"]);
    let file = Path::new("tests/scenarios/unsubscribe/review_automatic_at_24h.yaml");
    for (query, now) in [
        (
            "?now=2021-10-01T09:00:00%2B08:00",
            "2021-10-01T09:00:00+08:00",
        ),
        // An unescaped `+` reads as a space; it is taken back.
        (
            "?now=2021-10-03T09:00:00+08:00",
            "2021-10-03T09:00:00+08:00",
        ),
    ] {
        let r = server.decide_file(file, query);
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            without_ids(&r.body),
            cli_json("rules", file, &["--now", now])
        );
    }
    let r = server.decide_file(file, "?now=yesterday");
    assert_eq!(r.status, 400);
    assert!(
        r.json()["detail"].as_str().unwrap().contains("RFC 3339"),
        "{}",
        r.text()
    );
    let r = server.decide_file(file, "?verbose=1");
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("unknown query parameter `verbose`"),
        "{}",
        r.text()
    );
}

#[test]
fn bad_input_is_a_problem_with_the_cli_message() {
    let server = Server::start(&["--rules", "rules", "--no-watch"]);
    let problem = |r: &crate::serve_support::Response, status: u16| {
        assert_eq!(r.status, status, "{}", r.text());
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let j = r.json();
        assert_eq!(j["status"], status);
        assert_eq!(j["type"], "about:blank");
        j["detail"].as_str().unwrap().to_string()
    };
    // Malformed: the place of the error.
    let r = server.request(
        "POST",
        "/v1/decide",
        &[JSON],
        b"{\n  \"request\": {\n    \"action\": }\n}",
    );
    let detail = problem(&r, 400);
    assert!(detail.starts_with("<body>:3:"), "{detail}");
    // Schema-breaking: each violation, placed.
    let yaml =
        std::fs::read_to_string("tests/scenarios/unsubscribe/order_exactly_1000.yaml").unwrap();
    let broken = yaml.replacen(
        "frozen_for_legal: false,",
        "frozen_for_legal: sometimes,",
        1,
    );
    assert_ne!(broken, yaml, "the scenario names its action");
    let r = server.request(
        "POST",
        "/v1/decide",
        &[("Content-Type", "application/yaml")],
        broken.as_bytes(),
    );
    let detail = problem(&r, 400);
    assert!(
        detail.contains("does not match the fact schema"),
        "{detail}"
    );
    let errors = r.json()["errors"].to_string();
    assert!(
        errors.contains("<body>:12:23: `account.frozen_for_legal`: expected a boolean"),
        "placed: {errors}"
    );
    // Without the violation, the near miss is decided.
    let r = server.request(
        "POST",
        "/v1/decide",
        &[("Content-Type", "application/yaml")],
        yaml.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // Unsupported media type, and none at all.
    let r = server.request(
        "POST",
        "/v1/decide",
        &[("Content-Type", "text/plain")],
        b"{}",
    );
    assert!(problem(&r, 415).contains("text/plain"));
    let r = server.request("POST", "/v1/decide", &[], b"{}");
    problem(&r, 415);
    let r = server.request("POST", "/v1/decide/batch", &[JSON], b"{}");
    problem(&r, 415);
    // Over the size limit: refused from the declared length, before reading.
    let mut s = crate::serve_support::connect(server.addr);
    s.write_all(
        crate::serve_support::head("POST", "/v1/decide", &[JSON], 17 * 1024 * 1024).as_bytes(),
    )
    .unwrap();
    let r = crate::serve_support::read_response(&mut s);
    assert!(problem(&r, 413).contains("more than the limit of 16777216 bytes"));
    // 404 and 405.
    problem(&server.get("/v2/decide"), 404);
    problem(&server.get("/v1/policies/nope/schema"), 404);
    let r = server.get("/v1/decide");
    problem(&r, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    problem(&server.request("POST", "/health", &[], b""), 405);
}

#[test]
fn policies_schema_status_health_ready_metrics() {
    let server = Server::start(&["--rules", "rules", "--no-watch"]);
    let r = server.get("/health");
    assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("ok")));
    let r = server.get("/ready");
    assert_eq!(
        (r.status, r.json()["status"].as_str()),
        (200, Some("ready"))
    );

    let p = server.get("/v1/policies").json();
    let ids: Vec<&str> = p["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["disassociate", "unsubscribe"]);
    let unsub = &p["policies"][1];
    assert!(unsub["title"].is_string() && unsub["file"] == "rules/unsubscribe.bylaw");
    assert!(unsub["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "unsubscribe.billing_cycle"));
    let revision = p["revision"].as_str().unwrap().to_string();
    assert!(
        revision.starts_with("sha256:") && revision.len() == 71,
        "{revision}"
    );

    // The schema is what `bylaw schema` prints.
    for id in ids {
        let r = server.get(&format!("/v1/policies/{id}/schema"));
        let cli = std::process::Command::new(crate::serve_support::BIN)
            .args(["schema", "--rules", "rules", "--policy", id])
            .output()
            .unwrap();
        if cli.status.success() {
            assert_eq!(r.status, 200);
            assert_eq!(r.body, cli.stdout, "{id}");
        } else {
            assert_eq!(r.status, 404, "{id}: {}", r.text());
        }
    }

    let s = server.get("/v1/status").json();
    assert_eq!(s["revision"], revision.as_str());
    assert!(s["last_reload_error"].is_null());
    assert_eq!(s["files"][0], "rules/disassociate.bylaw");

    server.decide_file(
        Path::new("tests/scenarios/unsubscribe/order_exactly_1000.yaml"),
        "",
    );
    let m = server.get("/metrics");
    assert_eq!(m.status, 200);
    assert!(m
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let m = m.text();
    for line in [
        "bylaw_http_requests_total{route=\"/v1/decide\",status=\"200\"} 1",
        "bylaw_http_request_duration_seconds_count{route=\"/v1/decide\"} 1",
        "bylaw_reloads_total 0",
        "bylaw_reload_failures_total 0",
        "bylaw_decision_log_dropped_total 0",
    ] {
        assert!(m.lines().any(|l| l == line), "{line} in\n{m}");
    }
    let decided: u64 = m
        .lines()
        .filter(|l| l.starts_with("bylaw_decisions_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(decided, 1);
}

#[test]
fn the_batch_stream_is_the_facts_jsonl_stream() {
    let server = Server::start(&["--rules", "rules", "--no-watch"]);
    let gen = std::process::Command::new("python3")
        .args(["benches/gen_facts.py", "--n", "300", "--seed", "7"])
        .output()
        .unwrap();
    assert!(gen.status.success());
    let mut input = gen.stdout;
    input.extend_from_slice(b"{not json\n\nnull\n{\"request\": {\"action\": 12}}\n");
    let mut cli = std::process::Command::new(crate::serve_support::BIN)
        .args([
            "evaluate",
            "--rules",
            "rules",
            "--facts-jsonl",
            "-",
            "--explain",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = cli.stdin.take().unwrap();
    let body = input.clone();
    let feeder = std::thread::spawn(move || stdin.write_all(&body));
    let expected = cli.wait_with_output().unwrap().stdout;
    feeder.join().unwrap().unwrap();
    let expected = String::from_utf8(expected)
        .unwrap()
        .replace("<stdin>", "<body>");
    let r = server.request("POST", "/v1/decide/batch?explain", &[JSONL], &input);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(r.header("transfer-encoding"), Some("chunked"), "streamed");
    assert!(r.header("bylaw-revision").unwrap().starts_with("sha256:"));
    let got = r.text();
    assert_eq!(got.lines().count(), 303, "one record per non-blank line");
    assert_eq!(got, expected);
    assert!(
        got.contains("{\"line\":301,\"error\":\"<body>:301:"),
        "a bad line gets its error record"
    );
}

#[test]
fn concurrent_clients_each_get_their_own_decision() {
    let server = Server::start(&["--rules", "rules", "--no-watch"]);
    let files = scenarios();
    let files: Vec<_> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "yaml"))
        .take(8)
        .cloned()
        .collect();
    let expected: Vec<Vec<u8>> = files.iter().map(|f| cli_json("rules", f, &[])).collect();
    let ids = std::sync::Mutex::new(BTreeSet::new());
    std::thread::scope(|s| {
        for t in 0..8 {
            let (server, files, expected, ids) = (&server, &files, &expected, &ids);
            s.spawn(move || {
                for i in 0..20 {
                    let k = (t + i) % files.len();
                    let r = server.decide_file(&files[k], "");
                    if expected[k].is_empty() {
                        assert_eq!(r.status, 400);
                        continue;
                    }
                    assert_eq!(r.status, 200, "{}", r.text());
                    assert_eq!(without_ids(&r.body), expected[k], "{}", files[k].display());
                    let id = r.header("bylaw-decision-id").unwrap().to_string();
                    assert!(ids.lock().unwrap().insert(id), "decision IDs are unique");
                }
            });
        }
    });
}

#[test]
fn the_token_is_required_everywhere_but_health() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    let server = Server::start(&[
        "--rules",
        "rules",
        "--no-watch",
        "--token-file",
        token.to_str().unwrap(),
    ]);
    assert_eq!(server.get("/health").status, 200);
    for path in [
        "/ready",
        "/metrics",
        "/v1/status",
        "/v1/policies",
        "/v1/policies/unsubscribe/schema",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 401, "{path}");
        assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"bylaw\""));
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let r = server.request(
            "GET",
            path,
            &[("Authorization", "Bearer s3cret-tokeX")],
            b"",
        );
        assert_eq!(r.status, 401, "{path}: a wrong token");
        let r = server.request(
            "GET",
            path,
            &[("Authorization", "Bearer s3cret-token-longer")],
            b"",
        );
        assert_eq!(r.status, 401, "{path}: a longer one");
        let r = server.request(
            "GET",
            path,
            &[("Authorization", "Bearer s3cret-token")],
            b"",
        );
        assert_eq!(r.status, 200, "{path}");
    }
    let yaml = std::fs::read("tests/scenarios/unsubscribe/order_exactly_1000.yaml").unwrap();
    let ct = ("Content-Type", "application/yaml");
    assert_eq!(
        server.request("POST", "/v1/decide", &[ct], &yaml).status,
        401
    );
    let r = server.request(
        "POST",
        "/v1/decide",
        &[ct, ("Authorization", "bearer s3cret-token")],
        &yaml,
    );
    assert_eq!(r.status, 200, "the scheme is case-insensitive");
}

#[test]
fn tls_serves_https() {
    use std::sync::Arc;
    let server = Server::start(&[
        "--rules",
        "rules",
        "--no-watch",
        "--tls-cert",
        "tests/serve_tls/server.pem",
        "--tls-key",
        "tests/serve_tls/server.key",
    ]);
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject as _;
    for cert in rustls::pki_types::CertificateDer::pem_file_iter("tests/serve_tls/ca.pem").unwrap()
    {
        roots.add(cert.unwrap()).unwrap();
    }
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, crate::serve_support::connect(server.addr));
    let yaml = std::fs::read("tests/scenarios/unsubscribe/order_exactly_1000.yaml").unwrap();
    tls.write_all(
        crate::serve_support::head(
            "POST",
            "/v1/decide",
            &[("Content-Type", "application/yaml")],
            yaml.len(),
        )
        .as_bytes(),
    )
    .unwrap();
    tls.write_all(&yaml).unwrap();
    tls.flush().unwrap();
    let mut raw = Vec::new();
    // The server closes without close_notify after `Connection: close` on some paths:
    // what was read is kept either way.
    let _ = std::io::Read::read_to_end(&mut tls, &mut raw);
    let r = crate::serve_support::parse(&raw);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        without_ids(&r.body),
        cli_json(
            "rules",
            Path::new("tests/scenarios/unsubscribe/order_exactly_1000.yaml"),
            &[]
        )
    );
    // Plain HTTP on the TLS port gets no answer.
    let mut s = crate::serve_support::connect(server.addr);
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    let _ = std::io::Read::read_to_end(&mut s, &mut raw);
    assert!(!raw.starts_with(b"HTTP/1.1 200"));
}

#[test]
fn remedies_in_the_query_are_evaluate_remedies() {
    let server = Server::start(&["--rules", "rules", "--no-watch"]);
    // A denied request (several rules block it) and an allowed one (nothing to remedy).
    for file in [
        "tests/scenarios/unsubscribe/several_denials.yaml",
        "tests/scenarios/disassociate/allowed_hosting.yaml",
    ] {
        let file = Path::new(file);
        let cli = cli_json("rules", file, &["--remedies"]);
        assert!(!cli.is_empty(), "{}: the CLI decides it", file.display());
        let r = server.decide_file(file, "?remedies=true");
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            String::from_utf8(without_ids(&r.body)).unwrap(),
            String::from_utf8(cli).unwrap(),
            "{}",
            file.display()
        );
    }
    // Without the flag, no remedies: today's answer.
    let file = Path::new("tests/scenarios/unsubscribe/several_denials.yaml");
    let r = server.decide_file(file, "");
    assert!(r.json().get("to_allow").is_none(), "{}", r.text());
    assert!(server.decide_file(file, "?remedies=true").json()["to_allow"].is_object());
}

#[test]
fn a_now_past_the_nanosecond_is_refused_not_truncated() {
    let server = Server::start(&["--rules", "rules", "--no-watch"]);
    let file = Path::new("tests/scenarios/unsubscribe/review_automatic_at_24h.yaml");
    let r = server.decide_file(file, "?now=2021-10-01T09:00:00.0000000001%2B08:00");
    assert_eq!(r.status, 400, "{}", r.text());
}
