//! `bylaw schema --format json-schema`: the export is a real draft 2020-12 schema that the
//! example snapshots satisfy and broken ones do not, judged by an independent validator.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bylaw::input::{self, Format};
use bylaw::schema::{json_schema, ConformOptions};
use bylaw::Engine;
use serde_json::{json, Value as Json};

fn exports(strict: bool) -> Vec<(String, Json)> {
    let engine = Engine::from_dir("rules").unwrap();
    engine
        .schemas()
        .map(|(p, s)| (p.id.name.clone(), json_schema::export(p, s, strict)))
        .collect()
}

fn schema_for(policy: &str, strict: bool) -> Json {
    exports(strict)
        .into_iter()
        .find(|(n, _)| n == policy)
        .map(|(_, s)| s)
        .unwrap()
}

/// The example, as a producer would send it (YAML read as plain JSON, no bylaw types).
fn example(name: &str) -> Json {
    let text = std::fs::read_to_string(format!("examples/{name}.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn errors(schema: &Json, instance: &Json) -> Vec<String> {
    let v = jsonschema::draft202012::new(schema).unwrap();
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_exports_are_valid_draft_2020_12_schemas() {
    let all = exports(false);
    assert_eq!(all.len(), 2);
    for (name, s) in all.iter().chain(exports(true).iter()) {
        assert!(
            jsonschema::draft202012::meta::is_valid(s),
            "{name}: {:?}",
            jsonschema::draft202012::meta::validate(s)
        );
        assert_eq!(s["$schema"], json!(json_schema::DIALECT));
    }
}

#[test]
fn the_examples_validate() {
    for (policy, name) in [
        ("unsubscribe", "unsubscribe"),
        ("disassociate", "disassociate"),
    ] {
        for strict in [false, true] {
            let errs = errors(&schema_for(policy, strict), &example(name));
            assert!(errs.is_empty(), "{name} (strict {strict}): {errs:#?}");
        }
    }
}

/// Each way of breaking the unsubscribe example, and the path the validator must blame.
fn broken_unsubscribe() -> Vec<(&'static str, Json, &'static str)> {
    let mut cases = Vec::new();
    let mut add = |what, edit: &dyn Fn(&mut Json), path| {
        let mut s = example("unsubscribe");
        edit(&mut s);
        cases.push((what, s, path));
    };
    add(
        "missing mode",
        &|s| {
            s["request"].as_object_mut().unwrap().remove("mode");
        },
        "/request",
    );
    add(
        "mode outside its enumeration",
        &|s| s["request"]["mode"] = json!("batchy"),
        "/request/mode",
    );
    add(
        "a time that is not RFC 3339",
        &|s| s["request"]["submitted_at"] = json!("yesterday"),
        "/request/submitted_at",
    );
    add(
        "an amount with a comma",
        &|s| s["resources"][0]["order"]["amount"]["amount"] = json!("2,000.00"),
        "/resources/0/order/amount/amount",
    );
    add(
        "a lower-case currency",
        &|s| s["resources"][0]["order"]["amount"]["currency"] = json!("usd"),
        "/resources/0/order/amount/currency",
    );
    add(
        "a boolean as a string",
        &|s| s["account"]["frozen_for_legal"] = json!("no"),
        "/account/frozen_for_legal",
    );
    add(
        "a null required fact",
        &|s| s["resources"][0]["purchased_again"] = json!(null),
        "/resources/0/purchased_again",
    );
    add(
        "resources not a list",
        &|s| s["resources"] = json!({"id": "ecs-1"}),
        "/resources",
    );
    cases
}

#[test]
fn broken_snapshots_are_rejected_by_both_validators() {
    let schema = schema_for("unsubscribe", false);
    let engine = Engine::from_dir("rules").unwrap();
    for (what, snapshot, path) in broken_unsubscribe() {
        let errs = errors(&schema, &snapshot);
        assert!(
            errs.iter().any(|e| e.starts_with(&format!("{path}: "))),
            "{what}: the JSON Schema should blame {path}: {errs:#?}"
        );
        // bylaw itself refuses it too: at load time or when conforming.
        let text = serde_json::to_string(&snapshot).unwrap();
        let refused = match input::load_str(&text, Format::Json, "s.json") {
            Err(_) => true,
            Ok(v) => engine.conform(&v, &ConformOptions::default()).is_err(),
        };
        assert!(refused, "{what}: bylaw accepted it");
    }
}

#[test]
fn strict_exports_refuse_undeclared_fields() {
    let mut s = example("disassociate");
    s["sub_account"]["nickname"] = json!("x");
    assert!(errors(&schema_for("disassociate", false), &s).is_empty());
    let errs = errors(&schema_for("disassociate", true), &s);
    assert!(
        errs.iter().any(|e| e.starts_with("/sub_account: ")),
        "{errs:#?}"
    );
}

#[test]
fn optional_facts_may_be_absent_or_null() {
    let schema = schema_for("disassociate", false);
    let mut s = example("disassociate");
    s["sub_account"]["main_account_id"] = json!(null);
    s["sub_account"]
        .as_object_mut()
        .unwrap()
        .remove("expected_charges");
    assert!(errors(&schema, &s).is_empty());
}

#[test]
fn the_export_names_the_types() {
    let s = schema_for("unsubscribe", false);
    insta::assert_json_snapshot!(s["properties"]["request"]);
    insta::assert_json_snapshot!(s["$defs"]);
}
