//! Conditional presence (`T? required when C`), the fail-closed read `require(p)`, and
//! errors that name the fact and the lets they went through: each where it fires and a
//! near miss where it does not; the JSON Schema export judged by an independent
//! validator on a generated corpus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bylaw::author::fmt::format_source;
use bylaw::input::{load_str, Format};
use bylaw::report::{render, Rendering};
use bylaw::schema::{json_schema, ConformOptions};
use bylaw::syntax::Source;
use bylaw::{Decision, Engine, Outcome};
use serde_json::{json, Value as Json};

const SCHEMA: &str = r#"policy p
facts {
  request: { action: string, mode: "live" | "test" }
  resources: [ {
    id: string
    billing_mode: "subscription" | "payg"
    expires_at: timestamp? required when billing_mode == "subscription"
    audit_ref: string? required when request.mode == "live"
    tier: integer?
    discount: string? required when tier in [2, 3]
  } ]
}
applies when request.action == "x"
for each r in resources identified by r.id
"#;

fn load(rest: &str) -> Result<Engine, String> {
    Engine::from_sources([("p.bylaw".to_string(), format!("{SCHEMA}{rest}"))])
        .map_err(|e| e.to_string())
}

fn check(rest: &str) -> String {
    match load(rest) {
        Ok(_) => "ok".to_string(),
        Err(e) => e,
    }
}

fn deny(when: &str) -> String {
    check(&format!("deny d {{\n  message \"m\"\n  when {when}\n}}\n"))
}

fn schema_errors(text: &str) -> String {
    match Engine::from_sources([("s.bylaw".to_string(), text.to_string())]) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------- the schema

#[test]
fn a_presence_condition_loads() {
    assert_eq!(check(""), "ok");
}

#[test]
fn presence_conditions_that_cannot_be_read_are_refused() {
    let bad = |field: &str| {
        schema_errors(&format!(
            "policy s\nfacts {{\n  top: {{ mode: \"a\" | \"b\" }}\n  items: [{{ kind: \"x\" | \"y\", n: integer, {field} }}]\n}}\n"
        ))
    };
    let out = [
        bad("f: string? required when knd == \"x\""),
        bad("f: string? required when kind == \"z\""),
        bad("f: string? required when kind != \"x\""),
        bad("f: string? required when n == \"x\""),
        bad("f: string required when kind == \"x\""),
        bad("f: string? required when f == \"x\""),
        schema_errors(
            "policy s\nfacts { a: string? }\nfn f(x: string? required when a == \"b\") -> bool = true\n",
        ),
    ]
    .join("\n----\n");
    insta::assert_snapshot!(out);
    // Near misses: the same conditions, readable.
    for ok in [
        "f: string? required when kind == \"x\"",
        "f: string? required when kind in [\"x\", \"y\"]",
        "f: string? required when n == 3",
        "f: string? required when top.mode == \"b\"",
    ] {
        assert_eq!(bad(ok), "ok", "{ok}");
    }
}

#[test]
fn fmt_keeps_required_when_and_require() {
    let text =
        format!("{SCHEMA}deny d {{\n  message \"m\"\n  when require(r.expires_at)<now\n}}\n");
    let out = format_source(&Source::new("p.bylaw", &text)).unwrap();
    assert!(
        out.contains("expires_at: timestamp? required when billing_mode == \"subscription\""),
        "{out}"
    );
    assert!(out.contains("when    require(r.expires_at) < now"), "{out}");
    assert_eq!(format_source(&Source::new("p.bylaw", &out)).unwrap(), out);
}

// ---------------------------------------------------------------- the checker

#[test]
fn a_held_condition_makes_the_field_present() {
    assert_eq!(
        deny("r.billing_mode == \"subscription\" and r.expires_at < now"),
        "ok"
    );
    assert_eq!(
        deny("request.mode == \"live\" and len(r.audit_ref) > 0"),
        "ok"
    );
    assert_eq!(
        deny("r.tier == 2 and r.discount == \"d\" and len(r.discount) > 0"),
        "ok"
    );
    assert_eq!(deny("r.tier in [3, 2] and len(r.discount) > 0"), "ok");
    // Near misses: another value, no condition, a condition that did not hold.
    insta::assert_snapshot!([
        deny("r.billing_mode == \"payg\" and r.expires_at < now"),
        deny("r.expires_at < now"),
        deny("r.billing_mode != \"subscription\" and r.expires_at < now"),
        deny("r.tier == 1 and len(r.discount) > 0"),
        deny("r.tier in [1, 2] and len(r.discount) > 0"),
    ]
    .join("\n----\n"));
}

#[test]
fn require_reads_an_optional_fact_as_required() {
    assert_eq!(deny("require(r.expires_at) < now"), "ok");
    assert_eq!(
        check("let e = r.expires_at\ndeny d {\n  message \"{require(e)}\"\n  when require(e) < now\n}\n"),
        "ok"
    );
    insta::assert_snapshot!([
        deny("require(r.expires_at + 1h) < now"),
        deny("require(r.expires_at, 1) < now"),
    ]
    .join("\n----\n"));
}

// ---------------------------------------------------------------- snapshots

fn snapshot(billing: &str, expires: Option<&str>, mode: &str, audit: Option<&str>) -> String {
    let mut r = json!({"id": "a", "billing_mode": billing});
    if let Some(e) = expires {
        r["expires_at"] = serde_json::from_str(e).unwrap();
    }
    if let Some(a) = audit {
        r["audit_ref"] = serde_json::from_str(a).unwrap();
    }
    json!({"now": "2024-01-01T00:00:00Z", "request": {"action": "x", "mode": mode}, "resources": [r]})
        .to_string()
}

fn violations(engine: &Engine, text: &str) -> Vec<String> {
    let v = load_str(text, Format::Json, "s.json").unwrap();
    match engine.conform(&v, &ConformOptions::default()) {
        Ok(_) => Vec::new(),
        Err(vs) => vs
            .iter()
            .map(|v| format!("{}: {}", v.path, v.message))
            .collect(),
    }
}

#[test]
fn the_snapshot_must_have_the_field_when_the_condition_holds() {
    let engine = load("").unwrap();
    let got = [
        snapshot("subscription", None, "test", None),
        snapshot("subscription", Some("null"), "test", None),
        snapshot("payg", None, "live", None),
        snapshot("payg", None, "live", Some("null")),
    ]
    .iter()
    .flat_map(|s| violations(&engine, s))
    .collect::<Vec<_>>()
    .join("\n");
    insta::assert_snapshot!(got);
    // Near misses: the condition does not hold, or the field is there.
    for s in [
        snapshot("payg", None, "test", None),
        snapshot("payg", Some("null"), "test", None),
        snapshot(
            "subscription",
            Some("\"2024-02-01T00:00:00Z\""),
            "test",
            None,
        ),
        snapshot("payg", None, "live", Some("\"z\"")),
    ] {
        assert_eq!(violations(&engine, &s), Vec::<String>::new(), "{s}");
    }
}

#[test]
fn a_violation_is_placed_at_its_line_and_column() {
    let engine = load("").unwrap();
    let text = "{\"now\": \"2024-01-01T00:00:00Z\",\n \"request\": {\"action\": \"x\", \"mode\": \"test\"},\n \"resources\": [\n  {\"id\": \"a\", \"billing_mode\": \"subscription\", \"expires_at\": null}\n ]}\n";
    let pipeline = bylaw::Pipeline::new(&engine);
    let err = pipeline
        .read(text.as_bytes(), Format::Json, "s.json")
        .unwrap_err();
    insta::assert_snapshot!(err.to_string());
}

/// Every combination of the facts the conditions read and the fields they require.
fn corpus() -> Vec<Json> {
    let mut out = Vec::new();
    let present = |v: &Json| !v.is_string() || v != "ABSENT";
    for mode in ["live", "test"] {
        for billing in [
            json!("subscription"),
            json!("payg"),
            json!("bogus"),
            json!("ABSENT"),
        ] {
            for expires in [
                json!("ABSENT"),
                Json::Null,
                json!("2024-01-01T00:00:00Z"),
                json!(5),
            ] {
                for audit in [json!("ABSENT"), Json::Null, json!("z")] {
                    for tier in [json!("ABSENT"), Json::Null, json!(1), json!(3)] {
                        for discount in [json!("ABSENT"), Json::Null, json!("d")] {
                            let mut r = json!({"id": "a"});
                            for (k, v) in [
                                ("billing_mode", &billing),
                                ("expires_at", &expires),
                                ("audit_ref", &audit),
                                ("tier", &tier),
                                ("discount", &discount),
                            ] {
                                if present(v) {
                                    r[k] = v.clone();
                                }
                            }
                            out.push(json!({
                                "request": {"action": "x", "mode": mode},
                                "resources": [r, {"id": "b", "billing_mode": "payg", "audit_ref": "y"}]
                            }));
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_json_schema_accepts_and_refuses_exactly_what_bylaw_does() {
    let engine = load("").unwrap();
    let (policy, schema) = engine.schemas().next().unwrap();
    let exported = json_schema::export(policy, schema, false);
    assert!(jsonschema::draft202012::meta::is_valid(&exported));
    let validator = jsonschema::draft202012::new(&exported).unwrap();
    let (mut accepted, mut refused) = (0, 0);
    for snapshot in corpus() {
        let text = snapshot.to_string();
        let by_bylaw = match load_str(&text, Format::Json, "s.json") {
            Ok(v) => engine.conform(&v, &ConformOptions::default()).is_ok(),
            Err(_) => false,
        };
        let by_schema = validator.is_valid(&snapshot);
        assert_eq!(
            by_bylaw, by_schema,
            "bylaw and the JSON Schema disagree on {text}"
        );
        if by_bylaw {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // Both kinds, many of each: the corpus tests something.
    assert!(
        accepted > 50 && refused > 500,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn the_export_says_if_then() {
    let engine = load("").unwrap();
    let (policy, schema) = engine.schemas().next().unwrap();
    let exported = json_schema::export(policy, schema, false);
    let item = &exported["properties"]["resources"]["items"];
    let both = json!({"record": item["allOf"], "root": exported["allOf"]});
    insta::assert_snapshot!(serde_json::to_string_pretty(&both).unwrap());
}

// ---------------------------------------------------------------- deciding

fn decide(rest: &str, text: &str) -> Decision {
    let engine = load(rest).unwrap();
    let v = load_str(text, Format::Json, "s.json").unwrap();
    let conformed = engine.conform(&v, &ConformOptions::default()).unwrap();
    engine.evaluate(&conformed)
}

const EXPIRED: &str = "let expiry = r.expires_at\nlet lapsed = require(expiry) < now\ndeny expired {\n  message \"{r.id} expired\"\n  when lapsed\n}\n";

#[test]
fn require_fails_closed_naming_the_fact_and_the_lets() {
    let d = decide(EXPIRED, &snapshot("payg", None, "test", None));
    assert_eq!(d.decision, Outcome::Error);
    let e = &d.items[0].errors[0];
    assert_eq!(e.path.as_deref(), Some("resources[0].expires_at"));
    assert_eq!(
        e.reason,
        "the fact `resources[0].expires_at` is missing (via let `lapsed`, let `expiry`)"
    );
    assert!(e.blocking);
    // Near miss: the fact is there, the rule is decided.
    let d = decide(
        EXPIRED,
        &snapshot("payg", Some("\"2023-01-01T00:00:00Z\""), "test", None),
    );
    assert_eq!(d.decision, Outcome::Denied);
    let d = decide(
        EXPIRED,
        &snapshot("payg", Some("\"2025-01-01T00:00:00Z\""), "test", None),
    );
    assert_eq!(d.decision, Outcome::Allowed);
}

#[test]
fn the_error_is_rendered_with_its_fact_in_every_format() {
    let d = decide(EXPIRED, &snapshot("payg", None, "test", None));
    let text = render(&d, Rendering::Text).unwrap();
    assert!(
        text.contains("is missing (via let `lapsed`, let `expiry`)\n")
            && text.contains("at fact `resources[0].expires_at`"),
        "{text}"
    );
    for r in [Rendering::Json, Rendering::Yaml] {
        let out = render(&d, r).unwrap();
        assert!(
            out.contains("resources[0].expires_at") && out.contains("via let"),
            "{out}"
        );
    }
}

/// Untyped facts: the checker cannot see the kinds, so errors happen when deciding.
fn untyped(lets: &str, when: &str, facts: &str) -> String {
    let src = format!(
        "policy u\nfacts a, items\n{lets}\ndeny d {{\n  message \"m\"\n  when {when}\n}}\n"
    );
    let engine = Engine::from_sources([("u.bylaw".to_string(), src)]).unwrap();
    let d = engine.evaluate(&load_str(facts, Format::Yaml, "f").unwrap());
    let e = d.errors.first().expect("an error");
    format!("{} | path: {:?}", e.reason, e.path)
}

#[test]
fn errors_name_the_fact_not_the_let() {
    let facts = "a: {n: \"five\", m: 2}\nitems: [{k: 1}]\n";
    insta::assert_snapshot!([
        // Through a let bound to a path: the fact's path, via the let.
        untyped("let n = a.n", "n > 5", facts),
        // Through two.
        untyped("let n = a.n\nlet nn = n", "nn > 5", facts),
        // A let computed from facts reads no one fact: no path, never the let's name.
        untyped("let n = if a.m > 1 then a.n else a.m", "n > 5", facts),
        // Missing inside a let: the element's real path.
        untyped("let k = items[0].j", "k > 5", facts),
        // A let that is not a condition.
        untyped("let n = a.n", "n", facts),
        // Near miss: read directly, no let to name.
        untyped("", "a.n > 5", facts),
    ]
    .join("\n"));
}

#[test]
fn errors_in_functions_name_the_function() {
    let src = "policy f\nfacts a\nfn over(x: integer) -> bool = x > 5\nlet v = a.n\ndeny d {\n  message \"m\"\n  when over(v)\n}\n";
    let engine = Engine::from_sources([("f.bylaw".to_string(), src.to_string())]).unwrap();
    let d = engine.evaluate(&load_str("a: {n: five}", Format::Yaml, "f").unwrap());
    let e = &d.errors[0];
    insta::assert_snapshot!(format!("{} | path: {:?}", e.reason, e.path));
}

// ---------------------------------------------------------------- evidence

/// The facts each condition of the first matched rule read: `path=value` or `let name`.
fn evidence_of(src: &str, facts: &str) -> Vec<String> {
    let engine = Engine::from_sources([("k.bylaw".to_string(), src.to_string())])
        .unwrap_or_else(|e| panic!("{e}"));
    let d = engine.evaluate(&load_str(facts, Format::Yaml, "f").unwrap());
    let m = d
        .matched
        .first()
        .unwrap_or_else(|| panic!("no match: {d:?}"));
    m.evidence
        .iter()
        .flat_map(|e| e.facts.iter())
        .map(|f| match (&f.path, &f.let_name) {
            (Some(p), _) => format!("{p} = {}", serde_json::to_string(&f.value).unwrap()),
            (None, Some(l)) => format!("let {l}"),
            _ => "call".to_string(),
        })
        .collect()
}

const KEYED: &str = "policy k\nfacts {\n  request: { reason: string, note: string, pick: \"reason\" | \"note\", term: \"monthly\" | \"yearly\" }\n}\nlet k = request.pick\nlet fees = {monthly: 5, yearly: 30}\n";
const REQUEST: &str = "request: {reason: moving, note: n, pick: reason, term: yearly}";

#[test]
fn evidence_names_the_field_read_through_a_computed_key() {
    let rule = |when: &str| format!("{KEYED}deny d {{\n  message \"m\"\n  when {when}\n}}\n");
    assert_eq!(
        evidence_of(&rule("request[k] == \"moving\""), REQUEST),
        [
            "request.reason = \"moving\"",
            "let k",
            "request.pick = \"reason\""
        ]
    );
    // A table written in the rules is no fact: only its key is.
    assert_eq!(
        evidence_of(&rule("fees[request.term] > 10"), REQUEST),
        ["request.term = \"yearly\""]
    );
    // Near miss: a literal key always named the field (as written).
    assert_eq!(
        evidence_of(&rule("request[\"reason\"] == \"moving\""), REQUEST),
        ["request[\"reason\"] = \"moving\""]
    );
}

#[test]
fn a_lookup_in_a_table_of_the_rules_names_the_key_fact() {
    let facts = "a: {term: weekly, n: 1}\nitems: []\n";
    let table = "let fees = {monthly: 5, yearly: 30}";
    insta::assert_snapshot!([
        untyped(table, "fees[a.term] > 1", facts),
        untyped("", "{monthly: 5}[a.term] > 1", facts),
        // Near miss: a record of the facts read with a computed key is the fact's field.
        untyped("", "a[a.term] > 1", facts),
    ]
    .join("\n"));
}
