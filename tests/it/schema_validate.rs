//! Snapshots checked against the fact schema before they are evaluated: each kind of
//! violation, with its document path and (through `Positions`) its line and column.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bylaw::input::positions::Positions;
use bylaw::input::{self, Format};
use bylaw::schema::ConformOptions;
use bylaw::{Engine, Value};

const POLICY: &str = r#"
policy v
facts {
  request: {
    action: string
    mode:   "single" | "batch"
    at:     timestamp
    wait:   duration
    n:      integer
    ratio:  decimal
    ok:     bool
    note:   string?
    items:  [{ id: string, price: money }]
  }
}
applies when request.action == "go"
deny never {
  message "m"
  when    request.ok and request.note == null
}
"#;

fn engine() -> Engine {
    Engine::from_sources([("v.bylaw".to_string(), POLICY.to_string())]).unwrap()
}

const VALID: &str = r#"request:
  action: go
  mode: single
  at: 2021-09-30T10:00:00+08:00
  wait: 24h
  n: 3
  ratio: "0.25"
  ok: true
  items:
    - {id: a, price: {amount: "10.00", currency: USD}}
    - {id: b, price: {amount: "12.50", currency: USD}}
"#;

/// Every violation as `bylaw evaluate` prints it, located in `text`.
fn violations(text: &str, format: Format, strict: bool) -> String {
    let origin = match format {
        Format::Json => "s.json",
        Format::Yaml => "s.yaml",
    };
    let value = input::load_str(text, format, origin).unwrap();
    match engine().conform(&value, &ConformOptions { strict }) {
        Ok(_) => "ok".to_string(),
        Err(vs) => {
            let positions = Positions::scan(text, format);
            vs.into_iter()
                .map(|mut v| {
                    v.locate(&positions);
                    v.render(origin)
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

fn yaml(text: &str) -> String {
    violations(text, Format::Yaml, false)
}

#[test]
fn a_valid_snapshot_passes_and_reads_as_the_schema_says() {
    let value = input::load_str(VALID, Format::Yaml, "s.yaml").unwrap();
    let conformed = engine()
        .conform(&value, &ConformOptions::default())
        .unwrap();
    let request = conformed.get("request").unwrap();
    // An absent optional field is null, so `note == null` is a presence test.
    assert_eq!(request.get("note"), Some(&Value::Null));
    assert_eq!(request.get("wait").unwrap().to_string(), "1d");
    assert!(matches!(request.get("ratio"), Some(Value::Number(_))));
    assert_eq!(request.get("ratio").unwrap().to_string(), "0.25");
    let d = engine().evaluate(&conformed);
    assert_eq!(d.decision.as_str(), "denied");
}

#[test]
fn missing_and_null_required_facts() {
    insta::assert_snapshot!(yaml(
        "request:\n  action: go\n  mode: single\n  at: 2021-09-30T10:00:00+08:00\n  wait: null\n  n: 3\n  ratio: 1\n  items: []\n"
    ));
}

#[test]
fn values_of_the_wrong_type() {
    insta::assert_snapshot!(yaml(
        "request:\n  action: go\n  mode: single\n  at: \"yesterday\"\n  wait: 24h\n  n: 2.5\n  ratio: \"1,5\"\n  ok: \"yes\"\n  items:\n    - {id: a, price: {amount: \"1.00\", currency: USD}}\n    - {id: 7, price: \"12.50\"}\n"
    ));
}

#[test]
fn strings_outside_their_enumeration_and_bad_durations() {
    insta::assert_snapshot!(yaml(
        "request:\n  action: go\n  mode: batchy\n  at: 2021-09-30T10:00:00+08:00\n  wait: a day\n  n: 3\n  ratio: 1\n  ok: true\n  items: []\n"
    ));
}

#[test]
fn extra_fields_are_allowed_unless_strict() {
    let text = VALID.replace("  ok: true\n", "  ok: true\n  okk: false\n")
        + "extra: 1\nnow: 2021-10-01T00:00:00Z\n";
    assert_eq!(violations(&text, Format::Yaml, false), "ok");
    insta::assert_snapshot!(violations(&text, Format::Yaml, true));
}

#[test]
fn now_must_be_a_timestamp() {
    let text = format!("now: tomorrow\n{VALID}");
    insta::assert_snapshot!(yaml(&text));
}

#[test]
fn json_snapshots_are_located_too() {
    let text = r#"{
  "request": {
    "action": "go", "mode": "single",
    "at": "2021-09-30T10:00:00+08:00", "wait": "24h", "n": 3, "ratio": 0.5, "ok": true,
    "items": [
      {"id": "a", "price": {"amount": "1.00", "currency": "USD"}},
      {"id": "b", "price": {"amount": "1.00", "currency": "USD", "note": "x"}}
    ]
  }
}"#;
    insta::assert_snapshot!(violations(text, Format::Json, false));
}

#[test]
fn only_the_policy_that_applies_checks() {
    // Another action: the policy does not apply, so its schema asks nothing.
    assert_eq!(yaml("request: {action: stop}\n"), "ok");
    // What `applies when` reads is checked first, alone.
    insta::assert_snapshot!(yaml("request: {action: 12, mode: nope}\n"));
    insta::assert_snapshot!(yaml("other: 1\n"));
}

#[test]
fn untyped_policies_check_nothing() {
    let e = Engine::from_sources([(
        "u.bylaw".to_string(),
        "policy u\nfacts request\ndeny r {\n  message \"m\"\n  when request.x\n}\n".to_string(),
    )])
    .unwrap();
    let v = input::load_str("request: 1\n", Format::Yaml, "s").unwrap();
    assert_eq!(e.conform(&v, &ConformOptions { strict: true }), Ok(v));
}

#[test]
fn the_examples_match_the_catalogue_strictly() {
    let engine = Engine::from_dir("rules").unwrap();
    for f in ["examples/unsubscribe.yaml", "examples/disassociate.yaml"] {
        let text = std::fs::read_to_string(f).unwrap();
        let v = input::load_str(&text, Format::Yaml, f).unwrap();
        let conformed = engine.conform(&v, &ConformOptions { strict: true });
        assert!(conformed.is_ok(), "{f}: {conformed:?}");
        // Conforming changes nothing the rules decide on.
        assert_eq!(
            engine.evaluate(&conformed.unwrap()).decision,
            engine.evaluate(&v).decision
        );
    }
}

#[test]
fn a_bad_now_is_reported_with_the_rest() {
    let text = format!(
        "now: tomorrow\n{}",
        VALID.replace("mode: single", "mode: dual")
    );
    let out = yaml(&text);
    assert!(out.contains("`now`: expected a timestamp"), "{out}");
    assert!(
        out.contains("`request.mode`: \"dual\" is not one of"),
        "{out}"
    );
}
