//! Snapshot loading: duplicate keys are refused with their path and place in both formats,
//! and numbers keep their exact decimal value (JSON: their exact text).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bylaw::input::{load_str, Format};
use bylaw::Value;

fn error(text: &str, format: Format) -> String {
    load_str(text, format, "s").unwrap_err().to_string()
}

#[test]
fn duplicate_keys_in_json_are_refused_with_their_path() {
    assert_eq!(
        error(
            "{\"request\": {\"action\": \"a\",\n  \"action\": \"b\"}}",
            Format::Json
        ),
        "s:2:3: at `request.action`: this key appears twice in the same record"
    );
    assert_eq!(
        error("{\"a\": 1, \"a\": 1}", Format::Json),
        "s:1:10: at `a`: this key appears twice in the same record"
    );
    let e = error(
        "{\"r\": [{\"id\": 1}, {\"id\": 2, \"id\": 3}]}",
        Format::Json,
    );
    assert!(e.contains("at `r[1].id`: this key appears twice"), "{e}");
}

#[test]
fn duplicate_keys_in_yaml_are_refused_with_their_path_and_line() {
    // The place is the second occurrence, the one a reader might miss.
    assert_eq!(
        error(
            "request:\n  action: a\n  mode: single\n  action: b\n",
            Format::Yaml
        ),
        "s:4:3: at `request.action`: this key appears twice in the same record"
    );
    assert_eq!(
        error("a: 1\nb: 2\na: 1\n", Format::Yaml),
        "s:3:1: at `a`: this key appears twice in the same record"
    );
    let e = error("r:\n  - {id: 1}\n  - {id: 2, id: 3}\n", Format::Yaml);
    assert_eq!(
        e,
        "s:3:13: at `r[1].id`: this key appears twice in the same record"
    );
}

fn number(text: &str, format: Format) -> String {
    match load_str(text, format, "s").unwrap().get("n") {
        Some(Value::Number(n)) => n.to_string(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn json_numbers_keep_their_exact_text() {
    assert_eq!(number("{\"n\": 2000.10}", Format::Json), "2000.10");
    assert_eq!(
        number("{\"n\": 0.1000000000000000000000000001}", Format::Json),
        "0.1000000000000000000000000001"
    );
    assert_eq!(
        number("{\"n\": 12345678901234567890}", Format::Json),
        "12345678901234567890"
    );
    assert_eq!(number("{\"n\": -0.000}", Format::Json), "0.000");
    // More digits than a decimal holds is refused, not rounded.
    assert!(load_str(
        "{\"n\": 0.12345678901234567890123456789}",
        Format::Json,
        "s"
    )
    .is_err());
}

#[test]
fn money_amounts_are_exact_in_both_formats() {
    let json = load_str(
        "{\"m\": {\"amount\": 2000.10, \"currency\": \"USD\"}}",
        Format::Json,
        "s",
    )
    .unwrap();
    assert_eq!(json.get("m").unwrap().to_string(), "2000.10 USD");
    let yaml = load_str(
        "m: {amount: \"2000.10\", currency: USD}\n",
        Format::Yaml,
        "s",
    )
    .unwrap();
    assert_eq!(yaml.get("m").unwrap().to_string(), "2000.10 USD");
}

#[test]
fn yaml_numbers_keep_their_written_digits() {
    // YAML hands numbers over as binary floats; the digits written are put back.
    assert_eq!(number("n: 2000.10\n", Format::Yaml), "2000.10");
    assert_eq!(number("n: -0.50\n", Format::Yaml), "-0.50");
    assert_eq!(
        number("n: 123456789.123456\n", Format::Yaml),
        "123456789.123456"
    );
    assert_eq!(number("n: 12\n", Format::Yaml), "12");
    let m = load_str(
        "m: {amount: 12.50, currency: USD}\nl: [1.10, {x: 2.20}]\n",
        Format::Yaml,
        "s",
    )
    .unwrap();
    assert_eq!(m.get("m").unwrap().to_string(), "12.50 USD");
    assert_eq!(m.get("l").unwrap().to_string(), "[1.10, {x: 2.20}]");
    // Beyond 15 significant digits a float may not hold the value: refused, not rounded.
    assert!(load_str("n: 0.12345678901234567\n", Format::Yaml, "s").is_err());
}
