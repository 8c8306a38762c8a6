//! Batch safety: a bad snapshot among good ones yields its own error record; the
//! others are decided; one record per input, in order; the worst outcome wins.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers, not library code

use bylaw::batch::{evaluate_all, worst, Input, RecordResult};
use bylaw::facts::Format;
use bylaw::{Engine, Limits, Options, Outcome};

fn input(origin: &str, text: &[u8], format: Format) -> Input {
    Input {
        origin: origin.to_string(),
        bytes: text.to_vec(),
        format,
    }
}

#[test]
fn a_bad_snapshot_does_not_stop_the_others() {
    let engine = Engine::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")).unwrap();
    let good = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/unsubscribe.yaml"
    ))
    .unwrap();
    let denied = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/disassociate.yaml"
    ))
    .unwrap();
    let inputs = vec![
        input("a.yaml", &good, Format::Yaml),
        input("bad.json", b"{\"request\": ", Format::Json),
        input("b.yaml", &denied, Format::Yaml),
        input("binary.yaml", b"\xff\xfe", Format::Yaml),
        input("c.yaml", &good, Format::Yaml),
    ];
    let opts = Options::default();
    let limits = Limits::default();
    let records: Vec<_> = evaluate_all(&engine, inputs, &opts, &limits).collect();
    let summary: Vec<(usize, &str, Outcome)> = records
        .iter()
        .map(|r| (r.index, r.origin.as_str(), r.outcome()))
        .collect();
    assert_eq!(
        summary,
        [
            (0, "a.yaml", Outcome::Allowed),
            (1, "bad.json", Outcome::Error),
            (2, "b.yaml", Outcome::Denied),
            (3, "binary.yaml", Outcome::Error),
            (4, "c.yaml", Outcome::Allowed),
        ]
    );
    let RecordResult::Error(e) = &records[1].result else {
        panic!()
    };
    assert_eq!(e, "bad.json:1:12: EOF while parsing a value");
    assert_eq!(worst(&records), Outcome::Denied);
    assert_eq!(worst(&records[..2]), Outcome::Error);
    assert_eq!(worst(&[]), Outcome::Allowed);
    // A record serializes with its decision or its error, for a JSON-lines stream.
    let line = serde_json::to_string(&records[1]).unwrap();
    assert!(
        line.starts_with("{\"index\":1,\"origin\":\"bad.json\",\"error\":"),
        "{line}"
    );
}
