//! Unions, literal types and refinements in the fact schema; `is` kind tests and the
//! checker's narrowing by them; and the test policy of tests/language/kinds against its
//! goldens. Each construct and each message (insta), each with a near miss.

use std::path::PathBuf;

use assert_cmd::Command;
use bylaw::run::corpus::Corpus;
use bylaw::schema::ConformOptions;
use bylaw::syntax::{parse_policy, Source};
use bylaw::{Engine, Value};

const KINDS_RULES: &str = "tests/language/kinds/rules";
const KINDS_SCENARIOS: &str = "tests/language/kinds/scenarios";

const SCHEMA: &str = r#"policy t
facts {
  request:  { action: string }
  discount: integer 0..100 | "none"
  limit:    integer 1.. | "unlimited"
  rate:     decimal 0..
  share:    decimal 0..1
  day:      integer 1..28
  code:     string matching "^[A-Z]{3}$"
  fee:      money 0..
  until:    timestamp | "never"
  note:     string | integer?
  tags:     [string] | string
}
"#;

/// `SCHEMA` + `rest` loaded: "ok", or every error as `bylaw check` prints it.
fn check_with(schema: &str, rest: &str) -> String {
    match Engine::from_sources([("t.bylaw".to_string(), format!("{schema}{rest}"))]) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    }
}

fn deny(when: &str) -> String {
    check_with(
        SCHEMA,
        &format!("deny r {{\n  message \"m\"\n  when {when}\n}}\n"),
    )
}

fn effect(value: &str) -> String {
    check_with(
        SCHEMA,
        &format!("effect e {{\n  message \"m\"\n  when true\n  value {value}\n}}\n"),
    )
}

fn schema_errors(fields: &str) -> String {
    check_with(&format!("policy t\nfacts {{\n{fields}\n}}\n"), "")
}

const GOOD: &str = r#"{"request": {"action": "x"}, "discount": 15, "limit": "unlimited",
  "rate": "0.5", "share": 0.25, "day": 28, "code": "USD",
  "fee": {"amount": "0.00", "currency": "USD"}, "until": "2026-03-12T00:00:00+08:00",
  "tags": ["a"]}"#;

fn conform(json: &str) -> Result<Value, Vec<String>> {
    let engine = Engine::from_sources([("t.bylaw".to_string(), SCHEMA.to_string())]).unwrap();
    let v = bylaw::input::load_str(json, bylaw::input::Format::Json, "s.json").unwrap();
    engine
        .conform(&v, &ConformOptions::default())
        .map_err(|vs| {
            vs.iter()
                .map(|v| format!("`{}`: {}", v.path, v.message))
                .collect()
        })
}

/// `GOOD` with one field replaced (JSON text).
fn with(field: &str, json: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    v[field] = serde_json::from_str(json).unwrap();
    v.to_string()
}

// ------------------------------------------------------------------ parsing

#[test]
fn unions_literals_and_refinements_parse() {
    let p = parse_policy(&Source::new("t", SCHEMA)).unwrap();
    let shown: Vec<String> = p
        .schema
        .unwrap()
        .iter()
        .map(|f| format!("{}: {:?}", f.name.name, std::mem::discriminant(&f.ty.kind)))
        .collect();
    assert_eq!(shown.len(), 11);
    // `"a" | "b"` is still an enumeration; mixing kinds makes a union.
    let engine = Engine::from_sources([("t.bylaw".to_string(), SCHEMA.to_string())]).unwrap();
    let (_, schema) = engine.schemas().next().unwrap();
    let types: Vec<String> = schema
        .fields
        .iter()
        .map(|f| format!("{}: {}", f.name, f.ty))
        .collect();
    insta::assert_snapshot!(types.join("\n"));
}

#[test]
fn parse_errors_in_the_new_syntax_point_at_the_place() {
    let err = |text: &str| match parse_policy(&Source::new("p.bylaw", text)) {
        Ok(_) => panic!("parsed: {text}"),
        Err(e) => e.to_string(),
    };
    let mut out = Vec::new();
    for text in [
        "policy p\nfacts { a: integer | }\n",
        "policy p\nfacts { a: string matching }\n",
        "policy p\nlet x = 1 is time\n",
        "policy p\nlet x = 1 is decimal\n",
        "policy p\nlet x = 1 is\n",
    ] {
        out.push(err(text));
    }
    insta::assert_snapshot!(out.join("\n"));
    // Near misses: the same places, written right.
    for text in [
        "policy p\nfacts { a: integer | \"none\" }\n",
        "policy p\nfacts { a: string matching \"^x\" }\n",
        "policy p\nlet x = 1 is timestamp\n",
        "policy p\nlet x = 1 is number\n",
        "policy p\nfacts { a: integer matching: integer }\n",
    ] {
        parse_policy(&Source::new("p.bylaw", text)).unwrap_or_else(|e| panic!("{e}"));
    }
}

// ------------------------------------------------------------------ the schema

#[test]
fn schema_errors_say_what_a_union_or_refinement_cannot_be() {
    insta::assert_snapshot!(schema_errors(
        "  a: integer | decimal\n  b: string | \"none\"\n  c: bool 1..2\n  d: integer matching \"x\"\n  e: money 1..100\n  f: integer 28..1\n  g: string matching \"\\\\s+\"\n  h: { x: integer } | { y: string }\n  i: string matching \"(\""
    ));
}

#[test]
fn sound_unions_and_refinements_are_accepted() {
    assert_eq!(
        schema_errors("  a: integer | \"none\" | \"all\"\n  b: [integer] | { x: integer } | string\n  c: decimal ..100\n  d: money 0..\n  e: number -5..5"),
        "ok"
    );
}

// ------------------------------------------------------------------ the checker

#[test]
fn a_union_needs_a_kind_test_before_one_kind_is_used() {
    insta::assert_snapshot!(deny("discount > 50"));
    insta::assert_snapshot!(effect("limit + 1"));
    insta::assert_snapshot!(deny("len(tags) > 1"));
    // `==`, `!=`, `is`, messages and `??` take any value: no test needed.
    assert_eq!(
        deny("discount == \"none\" or limit != 3 or note == null"),
        "ok"
    );
    assert_eq!(effect("note ?? 0"), "ok");
    // `match` compares by equality too.
    assert_eq!(
        effect("match discount { \"none\" => 0, 100 => 1, else => 2 }"),
        "ok"
    );
    // Near miss: a pattern of no alternative's kind.
    let e = effect("match discount { \"none\" => 0, 1 USD => 1, else => 2 }");
    assert!(
        e.contains("`discount` is an integer or \"none\", so it is never money"),
        "{e}"
    );
}

#[test]
fn narrowing_follows_and_if_else_and_the_rule_condition() {
    assert_eq!(deny("discount is integer and discount > 50"), "ok");
    assert_eq!(effect("if limit is integer then limit + 1 else 0"), "ok");
    // The `else` knows what is left: not "none", so an integer.
    assert_eq!(
        effect("if discount is \"none\" then 0 else discount * 2"),
        "ok"
    );
    assert_eq!(
        effect("if discount == \"none\" then 0 else discount * 2"),
        "ok"
    );
    assert_eq!(deny("not (limit is \"unlimited\") and limit > 3"), "ok");
    assert_eq!(deny("until is \"never\" or until < now"), "ok");
    assert_eq!(deny("note is integer and note > 3"), "ok");
    // In a rule's value and message, after its `when`.
    assert_eq!(
        check_with(SCHEMA, "effect e {\n  message \"{limit + 1}\"\n  when limit is integer\n  value limit * 2\n}\n"),
        "ok"
    );
    // Through a `let` that is the test.
    assert_eq!(
        check_with(SCHEMA, "let counted = limit is integer\ndeny r {\n  message \"m\"\n  when counted and limit > 3\n}\n"),
        "ok"
    );
    // Near misses: the test on the wrong side, or of the wrong kind.
    insta::assert_snapshot!(deny("discount is integer or discount > 50"));
    insta::assert_snapshot!(effect("if limit is integer then 0 else limit + 1"));
    insta::assert_snapshot!(deny("note is string and note > 3"));
}

#[test]
fn match_arms_narrow_as_if_else_does() {
    // An arm sees the subject equal to its pattern; the arms after it, and `else`, see
    // it equal to none of the patterns before.
    assert_eq!(
        effect("match discount { \"none\" => 0, else => discount * 2 }"),
        "ok"
    );
    assert_eq!(
        effect("match limit { \"unlimited\" => 0, 5 => limit + 1, else => limit - 1 }"),
        "ok"
    );
    assert_eq!(
        effect("match until { \"never\" => false, else => until < now }"),
        "ok"
    );
    // In the arm itself: `\"none\"` is all `discount` is there.
    assert_eq!(
        effect("match discount { \"none\" => discount == \"none\", else => false }"),
        "ok"
    );
    // Without a subject, a condition that failed narrows the arms after it.
    assert_eq!(
        effect("match { discount is \"none\" => 0, discount > 50 => 1, else => discount }"),
        "ok"
    );
    assert_eq!(
        effect("match { limit is integer => limit + 1, else => 0 }"),
        "ok"
    );
    // Near misses: in its own arm the subject is the pattern, not what is left; a
    // number pattern says nothing of the kind; an arm of two patterns does not know
    // which held; a failed condition narrows only the arms after it.
    let e = effect("match discount { \"none\" => discount * 2, else => 0 }");
    assert!(e.contains("cannot be used on a string (\"none\")"), "{e}");
    let e = effect("match discount { 5 => 0, else => discount * 2 }");
    assert!(
        e.contains("`discount` is an integer or \"none\" here"),
        "{e}"
    );
    let e = effect("match { limit is integer => 0, else => limit + 1 }");
    assert!(
        e.contains("cannot be used on a string (\"unlimited\")"),
        "{e}"
    );
    let e = effect("match note { \"a\" | 3 => note > 2, else => false }");
    assert!(e.contains("`note` is"), "{e}");
}

#[test]
fn a_test_that_can_never_hold_is_refused() {
    insta::assert_snapshot!(deny("discount is money or code is integer or day is null"));
    // Near miss: each alternative, and `null` on an optional fact.
    assert_eq!(
        deny("discount is integer or discount is \"none\" or note is null or note is string"),
        "ok"
    );
}

// ------------------------------------------------------------------ run time

#[test]
fn kind_tests_at_run_time() {
    let text = "policy p\nfacts a\neffect e {\n  message \"m\"\n  when true\n  value [a.n is integer, a.n is number, a.d is integer, a.s is string, a.s is \"none\", a.s is \"x\", a.m is money, a.t is timestamp, a.u is duration, a.l is list, a.r is record, a.b is bool, a.z is null, a.missing is null, a.n is string]\n}\n";
    let engine = Engine::from_sources([("t.bylaw".to_string(), text.to_string())]).unwrap();
    let facts = bylaw::input::load_str(
        r#"a: {n: 15, d: 15.5, s: none, m: {amount: "1", currency: USD}, t: 2026-01-01T00:00:00Z, u: 24h, l: [], r: {}, b: true, z: null}"#,
        bylaw::input::Format::Yaml,
        "s.yaml",
    )
    .unwrap();
    let d = engine.evaluate(&facts);
    let v = d.matched[0].value.clone().unwrap();
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        "[true,true,false,true,true,false,true,true,false,true,true,true,true,true,false]",
        "`u: 24h` is text in an untyped snapshot, so not a duration"
    );
}

// ------------------------------------------------------------------ snapshots

#[test]
fn snapshots_are_conformed_to_unions_and_refinements() {
    let v = conform(GOOD).unwrap();
    // Each alternative taken as the producer meant it: `rate` read as a number.
    assert_eq!(v.get("rate").unwrap().to_string(), "0.5");
    assert_eq!(v.get("limit").unwrap().to_string(), "unlimited");
    for (field, json) in [
        ("discount", "\"none\""),
        ("discount", "100"),
        ("limit", "1"),
        ("day", "1"),
        ("day", "15.0"),
        ("rate", "0"),
        ("share", "1"),
        ("until", "\"never\""),
        ("tags", "\"a\""),
        ("fee", r#"{"amount": "-0.00", "currency": "USD"}"#),
    ] {
        conform(&with(field, json)).unwrap_or_else(|e| panic!("{field}: {json}: {e:?}"));
    }
}

#[test]
fn violations_of_unions_and_refinements_name_the_path() {
    let mut out = Vec::new();
    for (field, json) in [
        ("discount", "\"nne\""),
        ("discount", "101"),
        ("discount", "true"),
        ("limit", "0"),
        ("day", "15.5"),
        ("day", "29"),
        ("rate", "\"-1\""),
        ("share", "\"0.5\""),
        ("share", "1.5"),
        ("code", "\"usd\""),
        ("fee", r#"{"amount": "-1.00", "currency": "USD"}"#),
        ("until", "\"soon\""),
        ("note", "true"),
        ("tags", "[1]"),
    ] {
        let e = conform(&with(field, json)).expect_err(json);
        out.push(format!("{field} = {json}\n  {}", e.join("\n  ")));
    }
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn bylaw_evaluate_lists_every_violation_with_its_line() {
    let out = Command::cargo_bin("bylaw")
        .unwrap()
        .args([
            "evaluate",
            "--rules",
            KINDS_RULES,
            "--facts",
            "tests/language/kinds/broken/off_contract.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(out.stderr).unwrap());
}

// ------------------------------------------------------------------ the test policy

#[test]
fn the_kinds_policy_is_formatted_and_loads() {
    let path = format!("{KINDS_RULES}/quota.bylaw");
    let text = std::fs::read_to_string(&path).unwrap();
    let formatted = bylaw::author::fmt::format_source(&Source::new(path, text.clone())).unwrap();
    assert!(
        formatted == text,
        "run `bylaw fmt {KINDS_RULES}`:\n{formatted}"
    );
    Engine::from_dir(KINDS_RULES).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_kinds_scenarios_match_their_goldens() {
    let engine = Engine::from_dir(KINDS_RULES).unwrap();
    let corpus = Corpus::from_paths(&[PathBuf::from(KINDS_SCENARIOS)]).unwrap();
    let run = bylaw::author::snapshot::check(&engine, &corpus, 1).unwrap();
    let summary = run.summary();
    assert!(
        summary.clean() && summary.bad_input == 0 && summary.unchanged == 3,
        "the kinds decisions differ from their goldens:\n\n{}\n\
         If intended: cargo run -- snapshot --rules {KINDS_RULES} --review {KINDS_SCENARIOS}",
        run.render()
    );
}

#[test]
fn fmt_keeps_kind_tests() {
    let text = "policy p\nfacts a\ndeny r {\n  message \"m\"\n  when not (a.x is \"none\") and (a.y is integer) == true and a.z is null\n}\n";
    let once = bylaw::author::fmt::format_source(&Source::new("p.bylaw", text)).unwrap();
    let twice = bylaw::author::fmt::format_source(&Source::new("p.bylaw", once.as_str())).unwrap();
    assert_eq!(once, twice);
    assert!(
        once.contains("when    not a.x is \"none\" and a.y is integer == true and a.z is null"),
        "{once}"
    );
}
