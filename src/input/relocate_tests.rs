//! A refused snapshot's error is placed by the fact path the visitor raised it at,
//! kept typed beside serde's text: never by reading the path back out of the message,
//! which a key's own name can make ambiguous.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly
use super::*;

/// A key whose name holds "at `y`" and a backquote, as a message's place would.
const JSON: &str = "{\n  \"x at `y`\": {\n    \"n\": 1,\n    \"cost\": {\"amount\": \"1.0.0\", \"currency\": \"USD\"}\n  }\n}\n";
const YAML: &str = "\"x: at `y`\":\n  n: 1\n  cost: {amount: 1.0, currency: 5}\n";

#[test]
fn a_json_error_is_placed_at_its_fact_whatever_the_keys_are_named() {
    let e = load_str(JSON, Format::Json, "a.json").unwrap_err();
    assert_eq!(e.path.as_deref(), Some("x at `y`.cost.amount"));
    assert_eq!((e.line, e.column), (Some(4), Some(14)));
    assert!(e
        .message
        .starts_with("at `x at `y`.cost.amount`: `1.0.0` is not"));
}

#[test]
fn a_yaml_error_is_placed_at_its_fact_and_worded_without_serde_yaml_s_path() {
    let e = load_str(YAML, Format::Yaml, "a.yaml").unwrap_err();
    assert_eq!(e.path.as_deref(), Some("x: at `y`.cost.currency"));
    assert_eq!((e.line, e.column), (Some(3), Some(23)));
    assert_eq!(
        e.message,
        "at `x: at `y`.cost.currency`: a currency must be an ISO 4217 code such as `USD`, found a number"
    );
}

#[test]
fn an_error_about_no_fact_has_no_path_and_keeps_its_place() {
    // Near miss: a syntax error names no fact, so nothing moves it.
    let e = load_str("{\"at `a`\": }", Format::Json, "b.json").unwrap_err();
    assert_eq!(e.path, None);
    assert_eq!((e.line, e.column), (Some(1), Some(12)));
    // An accepted snapshot whose keys look like places reads as written.
    let v = load_str("{\"at `a`\": 1}", Format::Json, "c.json").unwrap();
    assert!(matches!(v, Value::Map(_)));
}
