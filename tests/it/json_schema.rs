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

// ------------------------------------------------- unions, literals, ranges, patterns

/// Values to try in each field of a resource of tests/language/kinds (`quota`): valid
/// ones and near misses of each union, literal, range and pattern.
fn quota_variants() -> Vec<(&'static str, Vec<Json>)> {
    let money = |amount: Json, currency: &str| json!({"amount": amount, "currency": currency});
    vec![
        (
            "id",
            vec![
                json!("vm-1"),
                json!("VM_1"),
                json!("vm-"),
                json!("x-1-y"),
                json!(""),
                json!(5),
            ],
        ),
        (
            "currency",
            vec![
                json!("USD"),
                json!("usd"),
                json!("US"),
                json!("USDX"),
                json!(null),
            ],
        ),
        (
            "price",
            vec![
                money(json!("200.00"), "USD"),
                money(json!("0"), "USD"),
                money(json!("-0.00"), "USD"),
                money(json!("-1.00"), "USD"),
                money(json!(5), "USD"),
                money(json!(-5), "USD"),
                money(json!("abc"), "USD"),
                money(json!("1"), "usd"),
                json!("200 USD"),
            ],
        ),
        (
            "discount",
            vec![
                json!(0),
                json!(100),
                json!(101),
                json!(-1),
                json!(15.5),
                json!("none"),
                json!("None"),
                json!("15"),
                json!(null),
                json!(true),
            ],
        ),
        (
            "limit",
            vec![
                json!(1),
                json!(0),
                json!("unlimited"),
                json!("unlimited "),
                json!(2.5),
                json!(1000000),
            ],
        ),
        ("used", vec![json!(0), json!(-1), json!(5), json!("5")]),
        (
            "billing_day",
            vec![
                json!(1),
                json!(28),
                json!(29),
                json!(0),
                json!(15.5),
                json!("15"),
            ],
        ),
        (
            "expires_at",
            vec![
                json!("2026-03-12T00:00:00+08:00"),
                json!("never"),
                json!("soon"),
                json!("2026-03-12"),
                json!(5),
                json!(null),
            ],
        ),
        (
            "note",
            vec![
                json!(null),
                json!("x"),
                json!(7),
                json!(7.5),
                json!(true),
                json!(""),
            ],
        ),
    ]
}

fn quota_base() -> Json {
    json!({
        "request": {"action": "renew", "submitted_at": "2026-03-10T12:00:00+08:00"},
        "resources": [{
            "id": "vm-1", "currency": "USD", "price": {"amount": "200.00", "currency": "USD"},
            "discount": 15, "limit": 10, "used": 4, "billing_day": 28,
            "expires_at": "2026-03-12T00:00:00+08:00"
        }]
    })
}

/// The generated corpus: every variant of every field alone, then many resources
/// mixing variants (a fixed pseudo-random walk, so that a failure can be run again).
fn quota_corpus() -> Vec<Json> {
    let variants = quota_variants();
    let mut out = Vec::new();
    for (field, values) in &variants {
        for v in values {
            let mut s = quota_base();
            s["resources"][0][*field] = v.clone();
            out.push(s);
        }
        // Absent, too.
        let mut s = quota_base();
        s["resources"][0].as_object_mut().unwrap().remove(*field);
        out.push(s);
    }
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..300 {
        let mut s = quota_base();
        let mut resource = s["resources"][0].clone();
        for (field, values) in &variants {
            // Mostly the first (valid) value, so that one broken field shows.
            let v = if next(3) == 0 {
                &values[next(values.len())]
            } else {
                &values[0]
            };
            resource[*field] = v.clone();
        }
        s["resources"] = json!([resource]);
        out.push(s);
    }
    out
}

#[test]
fn bylaw_and_json_schema_agree_on_unions_literals_ranges_and_patterns() {
    let engine = Engine::from_dir("tests/language/kinds/rules").unwrap();
    let (policy, schema) = engine.schemas().next().unwrap();
    let exported = json_schema::export(policy, schema, false);
    assert!(jsonschema::draft202012::meta::is_valid(&exported));
    let validator = jsonschema::draft202012::new(&exported).unwrap();
    let (mut accepted, mut refused) = (0, 0);
    for snapshot in quota_corpus() {
        let by_schema = validator.is_valid(&snapshot);
        let text = serde_json::to_string(&snapshot).unwrap();
        let by_bylaw = match input::load_str(&text, Format::Json, "s.json") {
            Err(_) => false,
            Ok(v) => engine.conform(&v, &ConformOptions::default()).is_ok(),
        };
        assert_eq!(
            by_bylaw,
            by_schema,
            "bylaw {} but JSON Schema {}: {text}\nJSON Schema says: {:?}\nbylaw says: {:?}",
            if by_bylaw { "accepts" } else { "refuses" },
            if by_schema { "accepts" } else { "refuses" },
            errors(&exported, &snapshot),
            input::load_str(&text, Format::Json, "s.json")
                .map(|v| engine.conform(&v, &ConformOptions::default()).err())
        );
        if by_bylaw {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // The corpus holds both, in numbers.
    assert!(
        accepted > 50 && refused > 50,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn the_export_of_unions_literals_ranges_and_patterns() {
    let engine = Engine::from_dir("tests/language/kinds/rules").unwrap();
    let (policy, schema) = engine.schemas().next().unwrap();
    let s = json_schema::export(policy, schema, false);
    // As text: insta's own JSON writer does not know exact (arbitrary-precision) numbers.
    insta::assert_snapshot!(serde_json::to_string_pretty(&s["properties"]["resources"]).unwrap());
}
