//! The language's forms for tables and computations: functions, record literals,
//! `match`, `position`, and duplicate `identified by` IDs. Parsed, checked, evaluated
//! (each error too), and the test policy of tests/language/fees against its goldens.

use std::path::PathBuf;

use bylaw::run::corpus::Corpus;
use bylaw::syntax::ast::ExprKind;
use bylaw::syntax::{parse_policy, Source};
use bylaw::{Engine, Outcome, Value};

const FEES_RULES: &str = "tests/language/fees/rules";
const FEES_SCENARIOS: &str = "tests/language/fees/scenarios";

fn engine(text: &str) -> Engine {
    Engine::from_sources(vec![("t.bylaw".to_string(), text.to_string())])
        .unwrap_or_else(|e| panic!("{e}"))
}

fn load_error(text: &str) -> String {
    match Engine::from_sources(vec![("t.bylaw".to_string(), text.to_string())]) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn facts(json: &str) -> Value {
    bylaw::input::load_str(json, bylaw::input::Format::Json, "t.json").unwrap()
}

/// The value of the effect `e` of a policy (`for each` aside) on `json`.
fn value_of(text: &str, json: &str) -> Value {
    let d = engine(text).evaluate(&facts(json));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let m = d.matched.iter().find(|m| m.rule.ends_with(".e"));
    m.unwrap_or_else(|| panic!("no effect: {d:?}"))
        .value
        .clone()
        .unwrap()
}

/// The first error's reason of a decision on `json`.
fn error_of(text: &str, json: &str) -> String {
    let d = engine(text).evaluate(&facts(json));
    assert_eq!(d.decision, Outcome::Error, "{d:?}");
    let errors = d
        .errors
        .iter()
        .chain(d.items.iter().flat_map(|i| &i.errors));
    errors.map(|e| e.reason.clone()).next().unwrap()
}

fn effect(lets: &str, value: &str) -> String {
    format!("policy p\nfacts a\n{lets}\neffect e {{\n  message \"m\"\n  when true\n  value {value}\n}}\n")
}

// ------------------------------------------------------------------ parsing

#[test]
fn a_list_of_records_parses() {
    let p = parse_policy(&Source::new(
        "t",
        "policy p\nlet t = [{term: \"monthly\", fee: 5 USD}, {term: \"yearly\", fee: 50 USD,}]\n",
    ))
    .unwrap();
    let ExprKind::List(items) = &p.lets[0].value.kind else {
        panic!()
    };
    let ExprKind::Record(fields) = &items[1].kind else {
        panic!()
    };
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.name.as_str()).collect();
    assert_eq!(names, ["term", "fee"]);
}

#[test]
fn a_function_is_a_top_level_item_with_typed_parameters() {
    let p = parse_policy(&Source::new(
        "t",
        "policy p\nfn fee(term: \"a\" | \"b\", used: duration?,) -> money = 5 USD\nlet x = fee(\"a\", 1h)\n",
    ))
    .unwrap();
    let f = &p.functions[0];
    assert_eq!(f.name.name, "fee");
    let params: Vec<&str> = f.params.iter().map(|x| x.name.name.as_str()).collect();
    assert_eq!(params, ["term", "used"]);
    assert!(f.params[1].ty.optional);
    assert!(matches!(p.lets[0].value.kind, ExprKind::Call(..)));
}

#[test]
fn match_arms_take_alternatives_commas_or_new_lines() {
    let p = parse_policy(&Source::new(
        "t",
        "policy p\nlet x = match a {\n  \"m\" | \"q\" => 1\n  \"y\" => 2,\n  else => 3\n}\nlet y = match { a > 1 => 1, else => 2 }\n",
    ))
    .unwrap();
    let ExprKind::Match(m) = &p.lets[0].value.kind else {
        panic!()
    };
    assert!(m.subject.is_some() && m.otherwise.is_some());
    assert_eq!(m.arms.len(), 2);
    assert_eq!(m.arms[0].patterns.len(), 2);
    let ExprKind::Match(m) = &p.lets[1].value.kind else {
        panic!()
    };
    assert!(m.subject.is_none());
}

#[test]
fn match_is_reserved_in_expressions() {
    let e = parse_policy(&Source::new("t", "policy p\nlet match = 1\n")).unwrap_err();
    assert!(e.message.contains("a name"), "{e}");
}

// ------------------------------------------------------------------ functions

const FEE: &str = "fn fee(term: \"monthly\" | \"yearly\", used: duration) -> money = match term {\n  \"monthly\" => match { used < 24h => 0 USD, used < 72h => 5 USD, else => 10 USD },\n  \"yearly\" => match { used < 24h => 0 USD, else => 20 USD },\n}\nfn refund(paid: money, fee: money) -> money = if paid > fee then paid - fee else 0 USD\n";

#[test]
fn a_function_computes_from_its_arguments() {
    let text = effect(FEE, "refund(a.paid, fee(a.term, a.used))");
    let monthly = r#"{"a": {"paid": {"amount": "100", "currency": "USD"}, "term": "monthly", "used": "30h"}}"#;
    let typed = text.replace(
        "facts a",
        "facts { a: { paid: money, term: \"monthly\" | \"yearly\", used: duration } }",
    );
    let e = engine(&typed);
    let snapshot = e.conform(&facts(monthly), &Default::default()).unwrap();
    let d = e.evaluate(&snapshot);
    assert_eq!(
        d.matched[0].value.as_ref().unwrap().to_string(),
        "95.00 USD"
    );
    // A near miss: the refund never goes below zero.
    let small = monthly.replace("\"100\"", "\"3\"");
    let d = e.evaluate(&e.conform(&facts(&small), &Default::default()).unwrap());
    assert_eq!(d.matched[0].value.as_ref().unwrap().to_string(), "0 USD");
}

#[test]
fn a_function_can_call_another_and_take_a_record() {
    let text = effect(
        "fn double(x: integer) -> integer = x * 2\nfn quad(r: { n: integer }) -> integer = double(double(r.n))",
        "quad({n: a.n})",
    );
    assert_eq!(
        value_of(&text, r#"{"a": {"n": 3}}"#),
        Value::Number(12.into())
    );
}

#[test]
fn an_argument_that_fails_fails_the_call_and_names_the_fact() {
    let text = effect(
        "fn double(x: integer) -> integer = x * 2",
        "double(a.missing)",
    );
    let reason = error_of(&text.replace("effect", "deny"), r#"{"a": {}}"#);
    assert!(reason.contains("a.missing"), "{reason}");
}

#[test]
fn evidence_shows_a_call_its_result_and_the_facts_of_its_arguments() {
    let text = "policy p\nfacts a\nfn double(x: integer) -> integer = x * 2\ndeny d {\n  message \"m\"\n  when double(a.n) > 4\n}\n";
    let d = engine(text).evaluate(&facts(r#"{"a": {"n": 3}}"#));
    let facts = &d.matched[0].evidence[0].facts;
    assert_eq!(facts[0].call.as_deref(), Some("double(a.n)"));
    assert_eq!(facts[0].value, Value::Number(6.into()));
    assert_eq!(facts[1].path.as_deref(), Some("a.n"));
    let mut out = Vec::new();
    bylaw::report::json::write_decision(&mut out, &d);
    let json = String::from_utf8(out).unwrap();
    assert!(json.contains(r#""call":"double(a.n)""#), "{json}");
}

#[test]
fn recursion_is_refused_at_load_time() {
    let e = load_error(&effect("fn f(x: integer) -> integer = f(x)", "f(1)"));
    assert!(e.contains("the function `f` calls itself"), "{e}");
    // A near miss: a function calling another, not itself, loads.
    engine(&effect(
        "fn f(x: integer) -> integer = g(x)\nfn g(x: integer) -> integer = x",
        "f(1)",
    ));
}

#[test]
fn a_function_body_sees_its_parameters_only() {
    let e = load_error(&effect("fn f(x: integer) -> integer = x + a.n", "f(1)"));
    assert!(e.contains("unknown name `a`"), "{e}");
    let e = load_error(&effect("fn f(amount: integer) -> integer = amont", "f(1)"));
    assert!(e.contains("did you mean `amount`?"), "{e}");
}

#[test]
fn calls_are_checked_for_arity_and_types() {
    let e = load_error(&effect("fn f(x: integer) -> integer = x", "f(1, 2)"));
    assert!(e.contains("`f` takes 1 argument, not 2"), "{e}");
    // Argument types are checked where the facts are typed.
    let typed = effect("fn f(x: integer) -> integer = x", "f(a.s)")
        .replace("facts a", "facts { a: { s: string } }");
    let e = load_error(&typed);
    assert!(
        e.contains("`f` takes an integer for `x`, but `a.s` is a string"),
        "{e}"
    );
    let e = load_error(&effect("fn f(x: integer) -> bool = x", "f(1)"));
    assert!(e.contains("declared to give a boolean"), "{e}");
}

// ------------------------------------------------------------------ records

#[test]
fn records_are_values_with_fields() {
    let text = effect(
        "let plans = [{term: \"monthly\", fee: 5 USD}, {term: \"yearly\", fee: 50 USD}]",
        "{fee: plans[1].fee, has: \"fee\" in plans[0], same: plans[0] == {fee: 5 USD, term: \"monthly\"}}",
    );
    let v = value_of(&text, "{\"a\": 1}");
    assert_eq!(v.to_string(), "{fee: 50 USD, has: true, same: true}");
}

#[test]
fn a_missing_field_of_a_record_is_an_error() {
    let text = effect("let r = {fee: 5 USD}", "r.feez").replace("effect", "deny");
    let reason = error_of(&text, "{\"a\": 1}");
    assert!(
        reason.contains("r.feez") || reason.contains("feez"),
        "{reason}"
    );
}

// ------------------------------------------------------------------ match

const TABLE: &str = "policy p\nfacts a\nlet fee = match a.term { \"monthly\" => 5 USD, \"quarterly\" | \"yearly\" => 12 USD, else => 50 USD }\nlet band = match { a.hours < 24 => 0, a.hours < 72 => 1, else => 2 }\neffect e {\n  message \"m\"\n  when true\n  value {fee: fee, band: band}\n}\n";

#[test]
fn match_takes_the_first_arm_that_applies() {
    let v = |json| value_of(TABLE, json).to_string();
    assert_eq!(
        v(r#"{"a": {"term": "monthly", "hours": 10}}"#),
        "{fee: 5 USD, band: 0}"
    );
    assert_eq!(
        v(r#"{"a": {"term": "yearly", "hours": 24}}"#),
        "{fee: 12 USD, band: 1}"
    );
    assert_eq!(
        v(r#"{"a": {"term": "weekly", "hours": 72}}"#),
        "{fee: 50 USD, band: 2}"
    );
}

#[test]
fn a_missing_subject_fails_the_match() {
    let text = TABLE.replace("effect e", "deny e");
    let reason = error_of(&text, r#"{"a": {"hours": 1}}"#);
    assert!(reason.contains("a.term"), "{reason}");
}

#[test]
fn a_value_no_arm_takes_is_an_error() {
    // Complete for the schema, so no `else`; a snapshot that is not conformed can still
    // carry another value: an error, never a guess.
    let text = "policy p\nfacts { a: { term: \"monthly\" | \"yearly\" } }\ndeny e {\n  message \"m\"\n  when match a.term { \"monthly\" => true, \"yearly\" => false }\n}\n";
    let reason = error_of(text, r#"{"a": {"term": "weekly"}}"#);
    assert!(
        reason.contains("no arm of the `match` takes \"weekly\""),
        "{reason}"
    );
    // A near miss: a listed value.
    let d = engine(text).evaluate(&facts(r#"{"a": {"term": "yearly"}}"#));
    assert_eq!(d.decision, Outcome::Allowed);
}

#[test]
fn match_without_else_must_be_proved_complete() {
    let typed = "policy p\nfacts { a: { term: \"monthly\" | \"yearly\" } }\nlet f = match a.term { \"monthly\" => 1 }\ndeny e {\n  message \"m {f}\"\n  when true\n}\n";
    let e = load_error(typed);
    assert!(e.contains("no arm for \"yearly\""), "{e}");
    engine(&typed.replace("\"monthly\" => 1", "\"monthly\" => 1, \"yearly\" => 2"));
    let e = load_error(&effect("let f = match a.term { \"monthly\" => 1 }", "f"));
    assert!(e.contains("has no `else`"), "{e}");
}

// ------------------------------------------------------------------ position

const ITEMS: &str = r#"{"rs": [{"id": "a", "n": 1}, {"id": "b", "n": 2}, {"id": "c", "n": 3}]}"#;

#[test]
fn position_counts_elements_from_zero_as_their_paths_do() {
    let text = "policy p\nfacts rs\nfor each r in rs identified by r.id\ndeny late {\n  message \"{r.id} is number {position(r) + 1}\"\n  when position(r) >= 2\n}\neffect e {\n  message \"m\"\n  when true\n  value [x.id for x in rs where position(x) < position(r)]\n}\n";
    let d = engine(text).evaluate(&facts(ITEMS));
    assert_eq!(d.decision, Outcome::Denied);
    let denied: Vec<&str> = d
        .items
        .iter()
        .filter(|i| i.decision == Outcome::Denied)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(denied, ["c"]);
    assert_eq!(d.items[2].matched[0].message, "c is number 3");
    let earlier = d.items[2].matched.iter().find(|m| m.rule == "p.e".into());
    assert_eq!(
        earlier.unwrap().value.as_ref().unwrap().to_string(),
        "[\"a\", \"b\"]"
    );
}

#[test]
fn position_takes_an_element() {
    let e = load_error(&effect("", "position(a)"));
    assert!(e.contains("`position` takes the name of an element"), "{e}");
    let e = load_error(&effect("fn f(x: integer) -> integer = position(x)", "f(1)"));
    assert!(e.contains("`position` takes the name of an element"), "{e}");
}

// ------------------------------------------------------------------ duplicate IDs

#[test]
fn two_elements_with_one_id_make_the_request_an_error_naming_both() {
    let text = "policy p\nfacts rs\nfor each r in rs identified by r.id\neffect e {\n  message \"m\"\n  when r.n > 0\n}\n";
    let json = r#"{"rs": [{"id": "a", "n": 1}, {"id": "b", "n": 2}, {"id": "c", "n": 3}, {"id": "a", "n": 4}]}"#;
    let d = engine(text).evaluate(&facts(json));
    assert_eq!(d.decision, Outcome::Error);
    assert_eq!(d.errors.len(), 1);
    let e = &d.errors[0];
    assert!(
        e.reason
            .contains("`rs[0].id` and `rs[3].id` are both \"a\""),
        "{}",
        e.reason
    );
    assert!(e.blocking);
    // Every element is still decided.
    assert_eq!(d.items.len(), 4);
    // A near miss: distinct IDs.
    let d = engine(text).evaluate(&facts(ITEMS));
    assert_eq!(d.decision, Outcome::Allowed);
}

// ------------------------------------------------------------------ the fees policy

#[test]
fn the_fees_policy_checks_and_is_formatted() {
    let path = format!("{FEES_RULES}/fees.bylaw");
    let text = std::fs::read_to_string(&path).unwrap();
    let formatted = bylaw::author::fmt::format_source(&Source::new(path, text.clone())).unwrap();
    assert!(formatted == text, "run `bylaw fmt {FEES_RULES}`");
    Engine::from_dir(FEES_RULES).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_fees_scenarios_match_their_goldens() {
    let engine = Engine::from_dir(FEES_RULES).unwrap();
    let corpus = Corpus::from_paths(&[PathBuf::from(FEES_SCENARIOS)]).unwrap();
    let run = bylaw::author::snapshot::check(&engine, &corpus, 1).unwrap();
    let summary = run.summary();
    assert!(
        summary.clean() && summary.bad_input == 0 && summary.unchanged == 6,
        "the fees decisions differ from their goldens:\n\n{}\n\
         If intended: cargo run -- snapshot --rules {FEES_RULES} --review {FEES_SCENARIOS}",
        run.render()
    );
}

#[test]
fn a_match_arm_knows_the_conditions_before_it_failed() {
    let text = |arms: &str| {
        format!("policy p\nfacts {{ a: {{ x: integer? }} }}\nlet v = match {{ {arms} }}\neffect e {{\n  message \"m\"\n  when true\n  value v\n}}\n")
    };
    engine(&text(
        "not present(a.x) => 0, a.x > 1 => 1, else => a.x + 1",
    ));
    // A near miss: without the test, `a.x` may be absent.
    let e = load_error(&text("a.x == 1 => 0, else => a.x + 1"));
    assert!(e.contains("`a.x` may be absent or null here"), "{e}");
}
