//! Evaluator unit tests: every operator, the built-ins, and three-valued errors.
//!
//! Each case wraps an expression in a one-rule policy and reads the effect's value,
//! so the tests go through the public API only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use bylaw::input::{load_str, Format};
use bylaw::{Decision, Engine, Outcome, Value};

const FACTS: &str = r#"
now: 2021-10-01T09:00:00+08:00
n: 3
price: {amount: "2000.00", currency: USD}
small: {amount: "1000.00", currency: USD}
yuan: {amount: "10.00", currency: CNY}
at: 2021-09-30T20:00:00Z
name: "  ecs-1  "
flag: true
off: false
nothing: null
list: [1, 2, 3]
items: [{id: a, status: done}, {id: b, status: in_progress}, {id: c}]
rec: {k: v}
"#;

fn engine_for(expr: &str) -> Engine {
    let src = format!(
        "policy t\nfacts now, n, price, small, yuan, at, name, flag, off, nothing, list, items, rec, absent\n\
         let x = {expr}\neffect e {{\n  message \"{{x}}\"\n  when true\n  value x\n}}\n"
    );
    Engine::from_sources([("t.bylaw".to_string(), src)]).unwrap_or_else(|e| panic!("{e}"))
}

fn run(expr: &str) -> Decision {
    let facts = load_str(FACTS, Format::Yaml, "facts").unwrap();
    engine_for(expr).evaluate(&facts)
}

/// The expression's value, or the evaluation error's text.
fn eval(expr: &str) -> Result<Value, String> {
    let d = run(expr);
    match (d.matched.first(), d.errors.first()) {
        (Some(m), _) => Ok(m.value.clone().unwrap_or(Value::Null)),
        // Every expression is the harness's `let x`, which each error now names.
        (None, Some(e)) => Err(e.reason.trim_end_matches(" (via let `x`)").to_string()),
        _ => panic!("neither matched nor failed: {d:?}"),
    }
}

fn shown(expr: &str) -> String {
    match eval(expr) {
        Ok(v) => serde_json::to_string(&v).unwrap(),
        Err(e) => format!("ERR {e}"),
    }
}

macro_rules! cases {
    ($($expr:expr => $want:expr),* $(,)?) => {
        $( assert_eq!(shown($expr), $want, "expression: {}", $expr); )*
    };
}

#[test]
fn literals() {
    cases! {
        "null" => "null",
        "true" => "true",
        "12" => "12",
        "12.50" => "\"12.50\"",
        "-3" => "-3",
        "\"a\\\"b\"" => "\"a\\\"b\"",
        "1000 USD" => r#"{"amount":"1000","currency":"USD"}"#,
        "24h" => "\"1d\"",
        "1h30m" => "\"1h30m\"",
        "2021-09-30T10:00:00+08:00" => "\"2021-09-30T10:00:00+08:00\"",
        "[1, \"a\", true]" => "[1,\"a\",true]",
    }
}

#[test]
fn paths_and_defaults() {
    cases! {
        "price" => r#"{"amount":"2000.00","currency":"USD"}"#,
        "price.amount" => "\"2000.00\"",
        "price.currency" => "\"USD\"",
        "items[1].id" => "\"b\"",
        "rec[\"k\"]" => "\"v\"",
        "absent" => "ERR the fact `absent` is missing",
        "rec.missing" => "ERR the fact `rec.missing` is missing",
        "nothing.x" => "ERR the fact `nothing` is null, so `nothing.x` cannot be read",
        "items[7]" => "ERR `items` has 3 elements; there is no element 7",
        "list[name]" => "ERR cannot index a list with `name`: expected a number (a list is indexed by position), found a string",
        "rec[n]" => "ERR cannot index a record with `n`: expected a string (a record is indexed by field name), found a number",
        "n[0]" => "ERR cannot index with `0`: expected a list (indexed by a number) or a record (by a string), found a number",
        "absent ?? 5" => "5",
        "nothing ?? 5" => "5",
        "n ?? 5" => "3",
        "rec.missing ?? \"d\"" => "\"d\"",
        "present(absent)" => "false",
        "present(nothing)" => "false",
        "present(nothing.x)" => "false",
        "present(n)" => "true",
        "flag.x" => "ERR cannot read `.x`: expected a record, found a boolean",
    }
}

#[test]
fn comparisons() {
    cases! {
        "n == 3" => "true",
        "n == 3.00" => "true",
        "n != 3" => "false",
        "n < 4" => "true",
        "n <= 3" => "true",
        "n > 3" => "false",
        "n >= 3" => "true",
        "\"a\" < \"b\"" => "true",
        "price > 1000 USD" => "true",
        "small > 1000 USD" => "false",
        "small >= 1000 USD" => "true",
        "price == 2000 USD" => "true",
        "yuan > 1000 USD" => "ERR cannot compare 10.00 CNY and 1000 USD: different currencies are never converted",
        "yuan == 10 USD" => "ERR cannot compare 10.00 CNY and 10 USD: different currencies are never converted",
        "price > 1000" => "ERR cannot compare: expected money on both sides, found a number",
        "at < now" => "true",
        "at == 2021-10-01T04:00:00+08:00" => "true",
        "nothing == null" => "true",
        "n == null" => "false",
        "n == \"3\"" => "ERR cannot compare: expected a number on both sides, found a string",
        "n < nothing" => "ERR cannot compare: expected a number on both sides, found null",
    }
}

/// One equality at every depth: different kinds are an error inside lists and records
/// as at the top level; null equals only null; lengths and keys that differ are `false`.
#[test]
fn equality_is_the_same_inside_lists_and_records() {
    cases! {
        "n == name" => "ERR cannot compare: expected a number on both sides, found a string",
        "[n] == [name]" => "ERR cannot compare (at element `[0]`): expected a number on both sides, found a string",
        "[n] == [flag]" => "ERR cannot compare (at element `[0]`): expected a number on both sides, found a boolean",
        "[n] != [flag]" => "ERR cannot compare (at element `[0]`): expected a number on both sides, found a boolean",
        "[[1, n]] == [[1, name]]" => "ERR cannot compare (at element `[0][1]`): expected a number on both sides, found a string",
        "[1, n] == [2, name]" => "ERR cannot compare (at element `[1]`): expected a number on both sides, found a string",
        "rec == items[2]" => "false",
        "[n] == [1, 2]" => "false",
        "[1, n] == [1, 3.0]" => "true",
        "[n] == [nothing]" => "false",
        "[nothing] == [nothing]" => "true",
        "[price] == [yuan]" => "ERR cannot compare 2000.00 USD and 10.00 CNY: different currencies are never converted",
        "[n] in [[flag]]" => "ERR cannot compare (at element `[0]`): expected a boolean on both sides, found a number",
        "[n] in [[1], [3]]" => "true",
        "contains(list, n)" => "true",
        "contains(list, name)" => "ERR cannot use `in` a list: expected a number like the list's elements, found a string",
    }
}

#[test]
fn membership() {
    cases! {
        "2 in list" => "true",
        "5 in list" => "false",
        "5 not in list" => "true",
        "\"k\" in rec" => "true",
        "\"cs\" in \"ecs\"" => "true",
        "1 in n" => "ERR cannot use `in`: expected a list, record or string on the right, found a number",
    }
}

#[test]
fn arithmetic() {
    cases! {
        "n + 2" => "5",
        "n - 5" => "-2",
        "n * 1.5" => "\"4.5\"",
        "n / 2" => "\"1.5\"",
        "n / 0" => "ERR division by zero",
        "-n" => "-3",
        "price + small" => r#"{"amount":"3000.00","currency":"USD"}"#,
        "price - small" => r#"{"amount":"1000.00","currency":"USD"}"#,
        "price * 2" => r#"{"amount":"4000.00","currency":"USD"}"#,
        "price / 4" => r#"{"amount":"500.00","currency":"USD"}"#,
        "price / small" => "2",
        "price + yuan" => "ERR cannot add 2000.00 USD and 10.00 CNY: different currencies are never converted",
        "price + 1" => "ERR cannot add money and a number: expected numbers, money of one currency, or a time and a duration, found a number",
        "now + 24h" => "\"2021-10-02T09:00:00+08:00\"",
        "now - 1h30m" => "\"2021-10-01T07:30:00+08:00\"",
        "now - at" => "\"5h\"",
        "24h * 2" => "\"2d\"",
        "\"a\" + \"b\"" => "\"ab\"",
        "[1] + [2]" => "[1,2]",
        "7922816251426433759354395033 * 100" => "ERR the product is out of range (more digits than a decimal holds)",
    }
}

#[test]
fn three_valued_logic() {
    cases! {
        "off and absent" => "false",
        "absent and off" => "false",
        "flag or absent" => "true",
        "absent or flag" => "true",
        "flag and absent" => "ERR the fact `absent` is missing",
        "off or absent" => "ERR the fact `absent` is missing",
        "not absent" => "ERR the fact `absent` is missing",
        "not flag" => "false",
        "not off" => "true",
        "n and flag" => "ERR the condition `n`: expected true or false, found a number",
        "if flag then 1 else absent" => "1",
        "if off then absent else 2" => "2",
        "if absent then 1 else 2" => "ERR the fact `absent` is missing",
    }
}

#[test]
fn quantifiers_and_comprehensions() {
    cases! {
        "any(i in items where i.status == \"in_progress\")" => "true",
        "all(i in items where present(i.id))" => "true",
        "count(i in items where present(i.status))" => "2",
        // The missing `status` of items[2] does not matter once items[1] answers `any`...
        "any(i in items where i.status == \"in_progress\")" => "true",
        // ...but it does when no element answers.
        "any(i in items where i.status == \"nope\")" => "ERR the fact `items[2].status` is missing",
        "all(i in items where i.status == \"done\")" => "false",
        "[i.id for i in items where present(i.status)]" => "[\"a\",\"b\"]",
        "sum(v for v in list)" => "6",
        "sum(v * 2 for v in list where v > 1)" => "10",
        "sum(p for p in [price, small])" => r#"{"amount":"3000.00","currency":"USD"}"#,
        "sum(p for p in [price, yuan])" => "ERR cannot add 2000.00 USD and 10.00 CNY: different currencies are never converted",
        // An empty list has no currency: its sum is the number 0, which money does not
        // compare with (an error, so a blocking rule fails closed).
        "sum(p for p in [price, small] where p > 10000 USD)" => "0",
        "sum(p for p in [price, small] where p > 10000 USD) < 1 USD" => "ERR cannot compare: expected a number on both sides, found money",
        "count(list) > 5 and sum(p for p in [price, small] where p > 10000 USD) > 1 USD" => "false",
        "any(i in n where true)" => "ERR cannot go through `n`: expected a list, found a number",
        "any(i in [] where true)" => "false",
        "all(i in [] where false)" => "true",
    }
}

#[test]
fn builtins() {
    cases! {
        "trim(name)" => "\"ecs-1\"",
        "upper(trim(name))" => "\"ECS-1\"",
        "lower(\"AB\")" => "\"ab\"",
        "contains(name, \"cs\")" => "true",
        "starts_with(trim(name), \"ecs\")" => "true",
        "len(list)" => "3",
        "len(\"héllo\")" => "5",
        "count(items)" => "3",
        "sum(list)" => "6",
        "min(n, 2)" => "2",
        "max(price, small)" => r#"{"amount":"2000.00","currency":"USD"}"#,
        // Money a function computes has at least its currency's minor-unit digits.
        "money(0, price.currency)" => r#"{"amount":"0.00","currency":"USD"}"#,
        "money(1, \"usd\")" => "ERR `usd` is not an ISO 4217 currency code (such as `USD` or `CNY`)",
        "to_offset(at, \"+08:00\")" => "\"2021-10-01T04:00:00+08:00\"",
        "format_time(to_offset(at, \"+08:00\"), \"%Y/%-m\")" => "\"2021/10\"",
        "format_time(at, \"%Y/%-m\")" => "\"2021/9\"",
        "calendar_month(at, \"+08:00\")" => "\"2021/10\"",
        "calendar_month(at, \"Z\")" => "\"2021/9\"",
        "calendar_month(at, \"-05:00\")" => "\"2021/9\"",
        "year(at)" => "2021",
        "month(at)" => "9",
        "day(to_offset(at, \"+08:00\"))" => "1",
        "trim(n)" => "ERR `trim`: expected a string, found a number",
    }
}

#[test]
fn now_comes_from_the_snapshot_or_the_options() {
    let engine = engine_for("now");
    let without_now = load_str("n: 1", Format::Yaml, "f").unwrap();
    let d = engine.evaluate(&without_now);
    assert_eq!(d.errors[0].path.as_deref(), Some("now"));
    let opts = bylaw::Options {
        now: Some(chrono::DateTime::parse_from_rfc3339("2022-01-01T00:00:00Z").unwrap()),
        ..Default::default()
    };
    let d = engine.evaluate_with(&without_now, &opts);
    assert_eq!(
        serde_json::to_string(&d.matched[0].value).unwrap(),
        "\"2022-01-01T00:00:00Z\""
    );
    // --now wins over the snapshot's own `now`.
    let with_now = load_str(FACTS, Format::Yaml, "f").unwrap();
    let d = engine.evaluate_with(&with_now, &opts);
    assert_eq!(
        serde_json::to_string(&d.matched[0].value).unwrap(),
        "\"2022-01-01T00:00:00Z\""
    );
}

fn decide(rules: &str, facts: &str) -> Decision {
    let engine = Engine::from_sources([("t.bylaw".to_string(), rules.to_string())])
        .unwrap_or_else(|e| panic!("{e}"));
    engine.evaluate(&load_str(facts, Format::Yaml, "f").unwrap())
}

#[test]
fn decision_semantics() {
    let rules = |deny: &str, review: &str, warn: &str| {
        format!(
            "policy p\nfacts a, b, c\n\
             deny d {{ message \"d\" when {deny} }}\n\
             review r {{ message \"r\" when {review} rejected when a == 9 }}\n\
             warn w {{ message \"w\" when {warn} }}\n"
        )
    };
    let facts = "a: 1\nb: 2";
    // deny wins over everything
    assert_eq!(
        decide(&rules("true", "c > 1", "true"), facts).decision,
        Outcome::Denied
    );
    // a blocking rule that errors → error, never allowed
    assert_eq!(
        decide(&rules("c > 1", "false", "false"), facts).decision,
        Outcome::Error
    );
    assert_eq!(
        decide(&rules("false", "c > 1", "false"), facts).decision,
        Outcome::Error
    );
    // error beats a pending review
    assert_eq!(
        decide(&rules("c > 1", "true", "false"), facts).decision,
        Outcome::Error
    );
    // a pending review
    assert_eq!(
        decide(&rules("false", "true", "false"), facts).decision,
        Outcome::NeedsReview
    );
    // a warn that errors is listed but does not change the decision
    let d = decide(&rules("false", "false", "c > 1"), facts);
    assert_eq!(d.decision, Outcome::Allowed);
    assert_eq!(d.errors.len(), 1);
    assert!(!d.errors[0].blocking);
    assert_eq!(d.errors[0].path.as_deref(), Some("c"));
    // a rejected review denies
    assert_eq!(
        decide(&rules("false", "true", "false"), "a: 9").decision,
        Outcome::Denied
    );
}

#[test]
fn no_policy_applies_is_an_error() {
    let d = decide(
        "policy p\nfacts request\napplies when request.action == \"x\"\nwarn w { message \"w\" when true }\n",
        "request: {action: y}",
    );
    assert_eq!(d.decision, Outcome::Error);
    assert_eq!(d.errors[0].path.as_deref(), Some("request.action"));
    assert!(
        d.errors[0].reason.contains("no policy applies"),
        "{}",
        d.errors[0].reason
    );
}

#[test]
fn iteration_gives_each_element_a_decision() {
    let rules = "policy p\nfacts xs, frozen\nfor each x in xs identified by x.id\n\
                 deny big { message \"{x.id} is big\" when x.n > 10 }\n\
                 deny all_frozen { message \"frozen\" when frozen }\n";
    let d = decide(rules, "frozen: false\nxs: [{id: a, n: 1}, {id: b, n: 11}]");
    assert_eq!(d.decision, Outcome::Denied);
    assert_eq!(d.items.len(), 2);
    assert_eq!(
        (d.items[0].id.as_str(), d.items[0].decision),
        ("a", Outcome::Allowed)
    );
    assert_eq!(
        (d.items[1].id.as_str(), d.items[1].decision),
        ("b", Outcome::Denied)
    );
    assert_eq!(d.items[1].matched[0].message, "b is big");
    assert_eq!(
        d.items[1].matched[0].evidence[0].facts[0].path.as_deref(),
        Some("xs[1].n")
    );
    // A rule that does not read the element is decided once, for the request.
    let d = decide(rules, "frozen: true\nxs: [{id: a, n: 1}]");
    assert_eq!(&*d.matched[0].rule, "p.all_frozen");
    assert!(d.items[0].matched.is_empty());
    // An empty list is an error, not allowed.
    let d = decide(rules, "frozen: false\nxs: []");
    assert_eq!(d.decision, Outcome::Error);
    assert_eq!(d.errors[0].path.as_deref(), Some("xs"));
}

#[test]
fn evidence_names_the_witness_element() {
    let d = decide(
        "policy p\nfacts ts\ndeny busy { message \"busy\" when any(t in ts where t.status == \"in_progress\") }\n",
        "ts: [{status: done}, {status: in_progress}]",
    );
    let ev = &d.matched[0].evidence[0];
    assert_eq!(&*ev.condition, "t.status == \"in_progress\"");
    assert_eq!(ev.facts[0].path.as_deref(), Some("ts[1].status"));
}

#[test]
fn explain_lists_rules_that_did_not_match() {
    let engine = Engine::from_sources([(
        "t.bylaw".to_string(),
        "policy p\nfacts a\ndeny d { message \"d\" when a > 1 and a < 5 }\n".to_string(),
    )])
    .unwrap();
    let facts = load_str("a: 7", Format::Yaml, "f").unwrap();
    let d = engine.evaluate_with(
        &facts,
        &bylaw::Options {
            explain: true,
            ..Default::default()
        },
    );
    let miss = &d.not_matched[0];
    assert_eq!(&*miss.rule, "p.d");
    assert_eq!(&*miss.evidence[0].condition, "a < 5");
    assert!(!miss.evidence[0].holds);
}

#[test]
fn the_step_limit_stops_runaway_evaluation() {
    let engine = engine_for("count(i in list where any(j in list where true))");
    let facts = load_str(FACTS, Format::Yaml, "f").unwrap();
    let d = engine.evaluate_with(
        &facts,
        &bylaw::Options {
            max_steps: 5,
            ..Default::default()
        },
    );
    assert!(d.errors[0].reason.contains("steps"), "{:?}", d.errors);
}

/// Names are resolved when the policy is compiled (slots, not lookups by name; the
/// checker refuses shadowing): each nested binder reads its own element, and a binder
/// and a fact are told apart.
#[test]
fn nested_binders_read_their_own_elements() {
    cases! {
        "count(a in list where any(b in list where b > a))" => "2",
        "count(a in list where all(b in list where b >= a))" => "1",
        "[a * n for a in list where a > 1]" => "[6,9]",
        "n + count(a in list where a > 1)" => "5",
    }
}

/// Evidence names each element's own facts, for elements whose paths a policy keeps
/// across decisions and for those past them, in one decision and the next.
#[test]
fn evidence_paths_name_each_element_in_every_decision() {
    let engine = Engine::from_sources([(
        "t.bylaw".to_string(),
        "policy p\nfacts rs\nfor each r in rs identified by r.id\n\
         deny big { message \"{r.id}\" when r.order.amount > 5 }\n"
            .to_string(),
    )])
    .unwrap_or_else(|e| panic!("{e}"));
    let rs: Vec<String> = (0..40)
        .map(|i| format!("{{\"id\": \"x{i}\", \"order\": {{\"amount\": {i}}}}}"))
        .collect();
    let facts = format!("{{\"rs\": [{}]}}", rs.join(", "));
    for _ in 0..2 {
        let d = engine.evaluate(&load_str(&facts, Format::Json, "f").unwrap());
        assert_eq!(d.items.len(), 40);
        for (i, item) in d.items.iter().enumerate() {
            let fired: Vec<_> = item
                .matched
                .iter()
                .flat_map(|m| &m.evidence)
                .flat_map(|e| &e.facts)
                .filter_map(|f| f.path.as_deref())
                .collect();
            let want = format!("rs[{i}].order.amount");
            assert_eq!(fired, if i > 5 { vec![want.as_str()] } else { vec![] });
        }
    }
}
