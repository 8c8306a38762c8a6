//! The text form of remedies (`bylaw evaluate --remedies`), as snapshots: each deny
//! rule of both policies, a pending large-order review, a rejected one, a missing
//! fact; and near misses (an allowed decision has no remedies; a field named `fixed`).

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use bylaw::decision::remedy::render;
use bylaw::input::{self as facts, Format};
use bylaw::Engine;

fn text_of(scenario: &str) -> String {
    let engine = Engine::from_dir("rules").unwrap();
    let path = Path::new("tests/scenarios").join(scenario);
    let format = Format::from_path(&path).unwrap();
    let facts =
        facts::load_str(&std::fs::read_to_string(&path).unwrap(), format, scenario).unwrap();
    let d = engine.evaluate(&facts);
    let r = engine.remedies(&facts, &d);
    render::text(&d, &r)
}

macro_rules! case {
    ($name:ident, $file:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), text_of($file));
        }
    };
}

case!(
    unsubscribe_not_inactive,
    "unsubscribe/not_inactive_on_demand.yaml"
);
case!(
    unsubscribe_transaction_in_progress,
    "unsubscribe/transaction_in_progress.yaml"
);
case!(
    unsubscribe_special_unsubscription_pending,
    "unsubscribe/special_unsubscription_pending.yaml"
);
case!(
    unsubscribe_promotion_invoiced,
    "unsubscribe/promotion_invoiced_koogallery.yaml"
);
case!(
    unsubscribe_account_frozen,
    "unsubscribe/account_frozen.yaml"
);
case!(
    unsubscribe_resource_frozen,
    "unsubscribe/resource_frozen.yaml"
);
case!(
    unsubscribe_reason_required,
    "unsubscribe/reason_missing.yaml"
);
case!(
    unsubscribe_enterprise_project_filter,
    "unsubscribe/enterprise_project_filter_disabled.yaml"
);
case!(
    unsubscribe_large_order_review_pending,
    "unsubscribe/review_pending_before_24h.yaml"
);
case!(
    unsubscribe_large_order_review_rejected,
    "unsubscribe/review_rejected.yaml"
);
case!(
    unsubscribe_missing_now,
    "unsubscribe/fail_closed_review_without_now.yaml"
);
case!(
    unsubscribe_several_denials,
    "unsubscribe/several_denials.yaml"
);
case!(
    disassociate_main_account_only,
    "disassociate/main_account_only_sub_actor.yaml"
);
case!(
    disassociate_not_associated,
    "disassociate/not_associated_null.yaml"
);
case!(
    disassociate_risks_not_acknowledged,
    "disassociate/risks_not_acknowledged.yaml"
);
case!(
    disassociate_credit_limit_not_reclaimed,
    "disassociate/credit_limit_not_reclaimed.yaml"
);
case!(
    disassociate_historical_debt,
    "disassociate/historical_debt.yaml"
);
case!(
    disassociate_pending_operations,
    "disassociate/pending_operations_orders.yaml"
);
case!(
    disassociate_missing_fact,
    "disassociate/fail_closed_risks_missing.yaml"
);
case!(
    disassociate_contract_example,
    "disassociate/contract_example.yaml"
);

#[test]
fn an_allowed_decision_has_no_remedies() {
    let t = text_of("disassociate/allowed_hosting.yaml");
    assert!(t.starts_with("decision: allowed"), "{t}");
    assert!(!t.contains("To allow:"), "{t}");
}

#[test]
fn a_field_may_be_named_fixed_and_a_fixed_field_is_never_changed() {
    let rules = r#"policy p
facts { request: { action: string, fixed: bool, frozen: bool fixed, note: string? } }
applies when request.action == "go"
deny frozen { message "frozen" when request.frozen or request.fixed }
"#;
    let engine = Engine::from_sources([("p.bylaw".to_string(), rules.to_string())]).unwrap();
    let facts = facts::load_str(
        r#"{"request": {"action": "go", "fixed": true, "frozen": false}}"#,
        Format::Json,
        "t",
    )
    .unwrap();
    let d = engine.evaluate(&facts);
    let r = engine.remedies(&facts, &d);
    // `fixed` the field is not fixed: it may change.
    let t = r.to_allow.unwrap();
    assert_eq!(t.decision_after, bylaw::Outcome::Allowed);
    assert_eq!(t.patch[0].path, "/request/fixed");
    let facts = facts::load_str(
        r#"{"request": {"action": "go", "fixed": false, "frozen": true}}"#,
        Format::Json,
        "t",
    )
    .unwrap();
    let d = engine.evaluate(&facts);
    let r = engine.remedies(&facts, &d);
    assert!(r.rules[0].remedies.is_empty());
    let why = r.rules[0].reason.clone().unwrap();
    assert!(why.contains("`request.frozen` is fixed"), "{why}");
}

#[test]
fn a_remedy_clause_says_the_sentence_and_fills_its_holes() {
    let rules = r#"policy p
facts { request: { action: string, note: string? } }
applies when request.action == "go"
deny no_note {
  message "no note"
  when    not present(request.note)
  remedy  "write a note for {request.action}"
}
"#;
    let engine = Engine::from_sources([("p.bylaw".to_string(), rules.to_string())]).unwrap();
    let facts = facts::load_str(r#"{"request": {"action": "go"}}"#, Format::Json, "t").unwrap();
    let d = engine.evaluate(&facts);
    let r = engine.remedies(&facts, &d);
    assert_eq!(r.rules[0].remedies[0].text, "write a note for go");
    assert_eq!(
        r.to_allow.unwrap().texts,
        vec!["write a note for go".to_string()]
    );
    // `bylaw fmt` keeps it.
    let source = bylaw::syntax::Source::new("p.bylaw".to_string(), rules.to_string());
    let formatted = bylaw::author::fmt::format_source(&source).unwrap();
    assert!(
        formatted.contains("  remedy  \"write a note for {request.action}\""),
        "{formatted}"
    );
}

#[test]
fn the_cli_adds_remedies_only_when_asked_in_every_format() {
    let run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("bylaw")
            .unwrap()
            .args(["evaluate", "--rules", "rules"])
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let facts = "tests/scenarios/unsubscribe/transaction_in_progress.yaml";
    let (code, plain) = run(&["--facts", facts, "--format", "json"]);
    assert_eq!(code, Some(2));
    assert!(!plain.contains("to_allow") && !plain.contains("remedies"));
    let (code, json) = run(&["--facts", facts, "--format", "json", "--remedies"]);
    assert_eq!(code, Some(2));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["to_allow"]["decision_after"], "allowed");
    let m = &v["items"][0]["matched"][0];
    assert_eq!(m["rule"], "unsubscribe.transaction_in_progress");
    assert_eq!(m["remedies"][0]["patch"][0]["op"], "remove");
    // The decision's own fields are as without remedies.
    let p: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(
        v["items"][0]["matched"][0]["evidence"],
        p["items"][0]["matched"][0]["evidence"]
    );
    let (_, yaml) = run(&["--facts", facts, "--format", "yaml", "--remedies"]);
    assert!(
        yaml.contains("to_allow:") && yaml.contains("decision_after: allowed"),
        "{yaml}"
    );
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("in.jsonl");
    let one = serde_json::to_string(
        &serde_json::to_value(
            facts::load_str(&std::fs::read_to_string(facts).unwrap(), Format::Yaml, "f").unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    std::fs::write(&jsonl, format!("{one}\nnot json\n")).unwrap();
    let (code, lines) = run(&["--facts-jsonl", jsonl.to_str().unwrap(), "--remedies"]);
    assert_eq!(code, Some(2));
    let lines: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0]["decision"]["to_allow"]["decision_after"],
        "allowed"
    );
    assert!(lines[1]["error"].is_string());
}

#[test]
fn what_cannot_be_inverted_is_said() {
    // A sum is not inverted (elements are never made up or re-priced), and `now` never
    // moves back: both rules say so instead of offering a remedy.
    let rules = r#"policy p
facts { request: { action: string, items: [{ price: money }], until: timestamp } }
applies when request.action == "go"
deny too_much { message "too much" when sum(i.price for i in request.items) > 10 USD }
deny too_late { message "too late" when now > request.until and request.action == "go" }
"#;
    let engine = Engine::from_sources([("p.bylaw".to_string(), rules.to_string())]).unwrap();
    let facts = facts::load_str(
        r#"{"now": "2024-01-02T00:00:00Z", "request": {"action": "go",
            "items": [{"price": {"amount": "20.00", "currency": "USD"}}],
            "until": "2024-01-01T00:00:00Z"}}"#,
        Format::Json,
        "t",
    )
    .unwrap();
    let d = engine.evaluate(&facts);
    let r = engine.remedies(&facts, &d);
    let by_rule = |id: &str| {
        r.rules
            .iter()
            .find(|x| x.rule.as_deref() == Some(id))
            .unwrap()
    };
    // The late request can be remedied by moving its own deadline, never `now`.
    let late = by_rule("p.too_late");
    assert!(late
        .remedies
        .iter()
        .all(|m| m.patch.iter().all(|op| op.path != "/now")));
    assert_eq!(late.remedies[0].patch[0].path, "/request/until");
    let much = by_rule("p.too_much");
    for m in &much.remedies {
        // Whatever was found was seen to work: by removing the item or re-pricing it.
        assert!(
            m.patch
                .iter()
                .all(|op| op.path.starts_with("/request/items")),
            "{m:?}"
        );
    }
    if much.remedies.is_empty() {
        assert!(
            much.reason.as_deref().unwrap().contains("cannot invert"),
            "{much:?}"
        );
    }
}
