//! A declared `string` is a string, whatever its text looks like (issue 22, class 7);
//! a declared `timestamp` still refuses text that is not a time, saying why.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use bylaw::input::{self as facts, Format};
use bylaw::schema::ConformOptions;
use bylaw::{Engine, Value};

const POLICY: &str = r#"policy p
title "P"
facts {
  request: { action: string, reason: string, note: string?, at: timestamp }
}
applies when request.action == "x"

deny d {
  message "m"
  when    request.reason == "2021-09-30T10:00:00"
  cites   "c"
}
"#;

fn conform(json: &str) -> Result<Value, Vec<String>> {
    let engine = Engine::from_sources([("p.bylaw".to_string(), POLICY.to_string())]).unwrap();
    let facts = facts::load_str(json, Format::Json, "s.json").map_err(|e| vec![e.to_string()])?;
    engine
        .conform(&facts, &ConformOptions::default())
        .map_err(|vs| vs.into_iter().map(|v| v.render("s.json")).collect())
}

#[test]
fn a_declared_string_shaped_like_a_time_is_a_string() {
    for reason in [
        "2021-09-30T10:00:00",
        "2021-02-30T10:00:00",
        "2021-09-30 10:00:00",
        "2021-13-01T00:00:00Z",
    ] {
        let json = format!(
            r#"{{"request": {{"action": "x", "reason": "{reason}", "at": "2021-09-30T10:00:00+08:00"}}}}"#
        );
        let v = conform(&json).unwrap();
        assert_eq!(
            v.get("request").unwrap().get("reason").unwrap(),
            &Value::string(reason),
            "{reason}"
        );
    }
}

#[test]
fn the_example_is_decided_not_bad_input() {
    let engine = Engine::from_sources([("p.bylaw".to_string(), POLICY.to_string())]).unwrap();
    let json = r#"{"request": {"action": "x", "reason": "2021-09-30T10:00:00", "at": "2021-09-30T10:00:00+08:00"}}"#;
    let facts = facts::load_str(json, Format::Json, "s.json").unwrap();
    let facts = engine.conform(&facts, &ConformOptions::default()).unwrap();
    let d = engine.evaluate(&facts);
    assert_eq!(d.decision, bylaw::Outcome::Denied, "{d:?}");
}

#[test]
fn a_declared_timestamp_refuses_what_is_not_a_time() {
    // near miss: the same text where a timestamp is declared
    let json = r#"{"request": {"action": "x", "reason": "r", "at": "2021-09-30T10:00:00"}}"#;
    let e = conform(json).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("`request.at`") && e[0].contains("offset"),
        "{e:?}"
    );
    // a time past the nanosecond is refused by the reader, wherever it is
    let json = r#"{"request": {"action": "x", "reason": "r", "at": "2021-09-30T10:00:00.0000000001+08:00"}}"#;
    let e = conform(json).unwrap_err();
    assert!(e[0].contains("fractional digits"), "{e:?}");
}
