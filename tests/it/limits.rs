//! Every limit of `bylaw::Limits`: refused with a clear error, never a crash or a hang.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers, not library code

use std::time::{Duration, Instant};

use bylaw::input::{load_str_with, Format};
use bylaw::{Engine, Limits, Outcome};

fn rules(text: &str) -> Result<Engine, String> {
    Engine::from_sources([("t.bylaw".to_string(), text.to_string())]).map_err(|e| e.to_string())
}

fn policy_with(expr: &str) -> String {
    format!("policy p\nfacts a\ndeny d {{\n  message \"m\"\n  when {expr}\n}}\n")
}

fn facts(text: &str, format: Format) -> Result<bylaw::Value, String> {
    load_str_with(text, format, "s", &Limits::default()).map_err(|e| e.to_string())
}

// ------------------------------------------------------------- rule nesting

#[test]
fn hundred_thousand_parens_are_refused_not_a_stack_overflow() {
    let deep = format!("{}a.x{}", "(".repeat(100_000), ")".repeat(100_000));
    let e = rules(&policy_with(&deep)).unwrap_err();
    assert!(e.contains("nested more than 64 deep"), "{e}");
    assert!(e.contains("t.bylaw:5:"), "{e}");
}

#[test]
fn hundred_thousand_brackets_are_refused() {
    let deep = format!("a.x in {}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = rules(&policy_with(&deep)).unwrap_err();
    assert!(e.contains("nested more than 64 deep"), "{e}");
}

#[test]
fn unclosed_brackets_are_refused() {
    let e = rules(&policy_with(&"[(".repeat(50_000))).unwrap_err();
    assert!(e.contains("nested more than 64 deep"), "{e}");
}

#[test]
fn nested_ifs_without_brackets_are_refused() {
    let deep = format!(
        "{}true{}",
        "if a.x then ".repeat(10_000),
        " else false".repeat(10_000)
    );
    let e = rules(&policy_with(&deep)).unwrap_err();
    assert!(e.contains("nested more than 64 deep"), "{e}");
    let chain = format!("{}true", "if a.x then false else ".repeat(10_000));
    assert!(rules(&policy_with(&chain)).is_err());
}

#[test]
fn a_few_top_level_ifs_are_not_nesting() {
    let lets: String = (0..100)
        .map(|i| format!("let v{i} = if a.x then 1 else 2\n"))
        .collect();
    let text = format!(
        "policy p\nfacts a\n{lets}deny d {{\n  message \"m\"\n  when v0 == 1 and v99 == 2\n}}\n"
    );
    rules(&text).unwrap();
}

#[test]
fn parens_inside_a_template_hole_count() {
    let deep = format!(
        "policy p\nfacts a\ndeny d {{\n  message \"{{{}a.x{}}}\"\n  when true\n}}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let e = rules(&deep).unwrap_err();
    assert!(e.contains("nested more than 64 deep"), "{e}");
}

#[test]
fn brackets_in_strings_and_comments_do_not_count() {
    let text = format!(
        "policy p\ntitle \"{}\"\nfacts a # {}\ndeny d {{\n  message \"{}\"\n  when a.x == \"{}\"\n}}\n",
        "(".repeat(1000),
        "[".repeat(1000),
        "\\{".repeat(1000),
        ")".repeat(1000),
    );
    rules(&text).unwrap();
}

#[test]
fn long_chains_without_brackets_are_refused_not_a_stack_overflow() {
    // 10,000 is past the limit already; pest takes its time over longer text (it is
    // linear, but slow in a debug build), so the tests stay quick.
    for deep in [
        format!("{}a.x", "not ".repeat(10_000)),
        format!("{}a.x == 1", "- ".repeat(10_000)),
        format!("a.x{} == 1", " + 1".repeat(10_000)),
        format!("a{} == 1", ".x".repeat(10_000)),
        format!("a{} == 1", "[0]".repeat(10_000)),
        format!("a.x{}", " ?? a.x".repeat(10_000)),
    ] {
        let e = rules(&policy_with(&deep)).unwrap_err();
        assert!(
            e.contains("nested more than 64 deep"),
            "{}: {e}",
            &deep[..20]
        );
    }
}

/// Found by fuzzing (a 10 s timeout on 4.5 KB): alternatives sharing a start
/// (`[a]` / `[a for …]`, `f(a)` / `sum(a for …)`, `count(x)` / `count(x in …)`)
/// re-parsed nested text once per alternative, exponential in the nesting.
#[test]
fn nested_brackets_parse_in_linear_time_even_when_broken() {
    let start = Instant::now();
    for (open, close) in [
        ("[", "]"),
        ("sum(", ")"),
        ("count(", ")"),
        ("any(x in ", " where true)"),
        ("f(", ")"),
        ("[a.x for y in ", "]"),
        ("sum(1 for y in ", ")"),
    ] {
        for n in [50, 60] {
            // Well formed, then with the innermost closing missing.
            let text = format!("{}a.l{}", open.repeat(n), close.repeat(n));
            let _ = rules(&policy_with(&text));
            let text = format!("{}a.l{}", open.repeat(n), close.repeat(n - 1));
            assert!(rules(&policy_with(&text)).is_err());
        }
    }
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_quantifier_needs_where_and_only_sum_takes_for() {
    let e = rules(&policy_with("any(x in a.l)")).unwrap_err();
    assert!(e.contains("`any(x in …)` needs a condition"), "{e}");
    let e = rules(&policy_with("count(x in a.l) > 1")).unwrap_err();
    assert!(e.contains("`count(x in …)` needs a condition"), "{e}");
    let e = rules(&policy_with("len(x for x in a.l) > 1")).unwrap_err();
    assert!(e.contains("`len` cannot take `for`"), "{e}");
    rules(&policy_with("count(a.l) > sum(x for x in a.l where x > 1) and [x for x in a.l] == [1, 2] and any(x in a.l where x in [1])")).unwrap();
}

#[test]
fn the_expression_depth_is_configurable() {
    let limits = Limits {
        max_expr_depth: 3,
        ..Limits::default()
    };
    let load = |expr: &str| {
        Engine::from_sources_with([("t.bylaw".into(), policy_with(expr))], &limits)
            .map_err(|e| e.to_string())
    };
    load("a.x == 1").unwrap();
    assert!(load("a.x.y.z == 1")
        .unwrap_err()
        .contains("more than 3 deep"));
    assert!(load("((((a.x))))")
        .unwrap_err()
        .contains("more than 3 deep"));
}

#[test]
fn a_long_chain_of_lets_is_refused_not_a_stack_overflow() {
    let mut text = String::from("policy p\nfacts a\nlet v0 = a.x\n");
    for i in 1..5000 {
        text.push_str(&format!("let v{i} = v{} + 1\n", i - 1));
    }
    text.push_str("deny d {\n  message \"m\"\n  when v4999 > 0\n}\n");
    let e = rules(&text).unwrap_err();
    assert!(e.contains("`v4999` starts a chain of 4999 `let`s"), "{e}");
}

#[test]
fn deep_evaluation_stops_at_the_depth_limit() {
    // 60 lets, each a 60-deep expression: within the parse limits, 3600 deep to evaluate.
    let mut text = String::from("policy p\nfacts a\nlet v0 = a.x\n");
    for i in 1..60 {
        text.push_str(&format!(
            "let v{i} = {}v{}{}\n",
            "(1 + ".repeat(30),
            i - 1,
            ")".repeat(30)
        ));
    }
    text.push_str("deny d {\n  message \"m\"\n  when v59 > 0\n}\n");
    let engine = rules(&text).unwrap();
    let snapshot = facts("{\"a\": {\"x\": 1}}", Format::Json).unwrap();
    let d = engine.evaluate(&snapshot);
    assert_eq!(d.decision, Outcome::Error);
    assert!(d.errors[0].reason.contains("levels deep"), "{:?}", d.errors);
}

#[test]
fn an_oversized_rule_file_is_refused() {
    let limits = Limits {
        max_rule_bytes: 100,
        ..Limits::default()
    };
    let text = policy_with(&format!("a.x == \"{}\"", "x".repeat(200)));
    let e = Engine::from_sources_with([("t.bylaw".into(), text)], &limits).unwrap_err();
    assert!(
        e.to_string().contains("more than the limit of 100 bytes"),
        "{e}"
    );
}

#[test]
fn unknown_currencies_in_rules_are_refused() {
    let e = rules(&policy_with("a.x > 1000 USB")).unwrap_err();
    assert!(e.contains("`USB` is not an ISO 4217 currency code"), "{e}");
}

#[test]
fn too_many_digits_in_a_rule_are_refused() {
    let e = rules(&policy_with("a.x > 12345678901234567890123456789")).unwrap_err();
    assert!(e.contains("29 significant digits"), "{e}");
    let e = rules(&policy_with("a.x > 0.00000000000000000000000000001")).unwrap_err();
    assert!(e.contains("would be rounded"), "{e}");
}

// -------------------------------------------------------------- facts

#[test]
fn deeply_nested_facts_are_refused() {
    for (text, format) in [
        (
            format!("{{\"a\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000)),
            Format::Json,
        ),
        (
            format!("a: {}1{}", "[".repeat(100_000), "]".repeat(100_000)),
            Format::Yaml,
        ),
        (
            format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)),
            Format::Json,
        ),
    ] {
        let e = facts(&text, format).unwrap_err();
        assert!(
            e.contains("nested more than 32 deep") || e.contains("recursion limit"),
            "{e}"
        );
    }
    let ok = format!("{{\"a\": {}1{}}}", "[".repeat(30), "]".repeat(30));
    facts(&ok, Format::Json).unwrap();
}

#[test]
fn deep_yaml_flow_nesting_is_refused_before_the_quadratic_parser() {
    let start = Instant::now();
    let text = format!("a: {}1{}", "[{b: ".repeat(50_000), "}]".repeat(50_000));
    let e = facts(&text, Format::Yaml).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        e,
        "s:1: lists and records are nested more than 32 deep, the limit"
    );
}

#[test]
fn brackets_in_yaml_strings_and_comments_are_not_nesting() {
    let open = "[".repeat(100);
    let text = format!(
        "a: \"{open}\"\nb: '{open}'\nc: x{open}\n# {open}\nd: 'it''s {open}'\ne: [\"]\", '}}', 1]\n"
    );
    let v = facts(&text, Format::Yaml).unwrap();
    assert_eq!(v.get("c").unwrap().to_string(), format!("x{open}"));
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut doc = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        doc.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    let start = Instant::now();
    let e = facts(&doc, Format::Yaml).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(
        e.contains("expands to more than 10 times") || e.contains("repetition limit"),
        "{e}"
    );
}

#[test]
fn a_long_string_repeated_by_aliases_is_refused() {
    let doc = format!(
        "a: &big \"{}\"\nb: [{}]\n",
        "x".repeat(100_000),
        vec!["*big"; 1000].join(",")
    );
    let e = facts(&doc, Format::Yaml).unwrap_err();
    assert!(e.contains("expands to more than 10 times"), "{e}");
}

#[test]
fn modest_aliases_are_fine() {
    let doc = "usd: &usd {amount: \"1.00\", currency: USD}\nlist: [*usd, *usd, *usd]\n";
    facts(doc, Format::Yaml).unwrap();
}

#[test]
fn strings_lists_sizes_and_value_counts_are_limited() {
    let tight = Limits {
        max_string_bytes: 10,
        max_list_len: 3,
        max_snapshot_bytes: 1000,
        max_fact_values: 20,
        ..Limits::default()
    };
    let load = |t: &str| load_str_with(t, Format::Json, "s", &tight).map_err(|e| e.to_string());
    let e = load("{\"a\": \"01234567890\"}").unwrap_err();
    assert!(
        e.contains("s:1:2: at `a`: a string of 11 bytes is longer than the limit of 10"),
        "{e}"
    );
    let e = load("{\"a\": [1, 2, 3, 4]}").unwrap_err();
    assert!(
        e.contains("at `a`: the list has more than 3 elements"),
        "{e}"
    );
    let e = load(&format!("{{\"a\": \"{}\"}}", " ".repeat(1000))).unwrap_err();
    assert!(e.contains("more than the limit of 1000 bytes"), "{e}");
    let e = load("{\"a\": [[1,1,1],[1,1,1]], \"b\": [[1,1,1],[1,1,1]]}").unwrap_err();
    assert!(e.contains("more than 20 values"), "{e}");
    let e = load("{\"a01234567890\": 1}").unwrap_err();
    assert!(e.contains("a string of 12 bytes"), "{e}");
}

#[test]
fn numbers_are_never_rounded() {
    for (text, format) in [
        ("a: 1e-30", Format::Yaml),
        ("a: 0.000000000000000000000000000001", Format::Yaml),
        ("{\"a\": 1e-30}", Format::Json),
        ("{\"a\": 0.000000000000000000000000000001}", Format::Json),
        ("{\"a\": 12345678901234567890123456789}", Format::Json),
        ("{\"a\": 1.2345678901234567890123456789e3}", Format::Json),
        (
            "{\"a\": {\"amount\": \"12345678901234567890.123456789\", \"currency\": \"USD\"}}",
            Format::Json,
        ),
        ("a: 123456789012345678901234567890", Format::Yaml),
    ] {
        let e = facts(text, format).unwrap_err();
        assert!(
            e.contains("round") || e.contains("exactly") || e.contains("digits"),
            "{text}: {e}"
        );
    }
    let v = facts("{\"a\": 1.5e3, \"b\": 12.50}", Format::Json).unwrap();
    assert_eq!(v.get("a").unwrap().to_string(), "1500");
    assert_eq!(v.get("b").unwrap().to_string(), "12.50");
}

#[test]
fn the_decimal_digits_are_configurable() {
    let tight = Limits {
        max_decimal_digits: 5,
        ..Limits::default()
    };
    let load = |t: &str| load_str_with(t, Format::Json, "s", &tight).map_err(|e| e.to_string());
    load("{\"a\": 123.45}").unwrap();
    assert!(load("{\"a\": 123.456}")
        .unwrap_err()
        .contains("6 significant digits"));
    assert!(
        load("{\"a\": {\"amount\": \"1000.00\", \"currency\": \"USD\"}}")
            .unwrap_err()
            .contains("at `a.amount`")
    );
}

// ----------------------------------------------------------- evaluation

#[test]
fn a_quantifier_over_a_huge_list_hits_the_step_limit() {
    let text = "policy p\nfacts a\ndeny d {\n  message \"m\"\n  when any(x in a.l where x in a.l and x < 0)\n}\n";
    let engine = rules(text).unwrap();
    let list: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let snapshot = facts(
        &format!("{{\"a\": {{\"l\": [{}]}}}}", list.join(",")),
        Format::Json,
    )
    .unwrap();
    let start = Instant::now();
    let d = engine.evaluate(&snapshot);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(d.decision, Outcome::Error);
    assert!(d.errors[0].reason.contains("steps"), "{:?}", d.errors);
}

#[test]
fn steps_are_counted_per_decision_not_per_element() {
    let text = "policy p\nfacts a\nfor each r in a.l\ndeny d {\n  message \"m\"\n  when any(x in a.l where x == r and x < 0)\n}\n";
    let limits = Limits {
        max_steps: 100_000,
        ..Limits::default()
    };
    let engine = Engine::from_sources_with([("t.bylaw".into(), text.into())], &limits).unwrap();
    let list: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    let snapshot = facts(
        &format!("{{\"a\": {{\"l\": [{}]}}}}", list.join(",")),
        Format::Json,
    )
    .unwrap();
    let d = engine.evaluate(&snapshot);
    // 2000 elements × 2000 comparisons is far more than 100,000 steps: the later
    // elements are stopped, and the decision is an error.
    assert_eq!(d.decision, Outcome::Error);
    assert_eq!(d.items.last().unwrap().decision, Outcome::Error);
}

#[test]
fn showing_a_list_in_a_message_counts_against_the_step_limit() {
    let text =
        "policy p\nfacts a\nfor each r in a.l\ndeny d {\n  message \"{a.l}\"\n  when r >= 0\n}\n";
    let list: Vec<String> = (0..300).map(|i| i.to_string()).collect();
    let snapshot = facts(
        &format!("{{\"a\": {{\"l\": [{}]}}}}", list.join(",")),
        Format::Json,
    )
    .unwrap();
    let decide = |max_steps| {
        let limits = Limits {
            max_steps,
            ..Limits::default()
        };
        let engine = Engine::from_sources_with([("t.bylaw".into(), text.into())], &limits).unwrap();
        engine.evaluate(&snapshot)
    };
    // Each of the 300 messages writes the 300-element list: 90,000 steps of writing,
    // where deciding the conditions takes a few thousand. Past the limit the elements
    // are errors (the decision stays `denied`: the elements before were denied).
    let d = decide(50_000);
    let stopped = d
        .items
        .iter()
        .position(|i| i.decision == Outcome::Error)
        .unwrap();
    assert!((150..170).contains(&stopped), "{stopped}");
    let last = d.items.last().unwrap();
    assert!(last.errors[0].reason.contains("steps"), "{:?}", last.errors);
    let first = &d.items[stopped].errors[0];
    assert_eq!(first.rule.as_deref(), Some("p.d"));
    assert!(first.reason.contains("steps"), "{first:?}");
    // Within the limit, every element is denied with the list written out.
    let d = decide(1_000_000);
    assert_eq!(d.decision, Outcome::Denied);
    assert!(d.items.iter().all(|i| i.decision == Outcome::Denied));
    assert!(d.items[299].matched[0].message.ends_with("298, 299]"));
}

#[test]
fn doubling_a_list_through_lets_hits_the_step_limit() {
    let mut text = String::from("policy p\nfacts a\nlet l0 = a.l\n");
    for i in 1..60 {
        text.push_str(&format!("let l{i} = l{} + l{}\n", i - 1, i - 1));
    }
    text.push_str("deny d {\n  message \"m\"\n  when count(l59) > 0\n}\n");
    let engine = rules(&text).unwrap();
    let snapshot = facts("{\"a\": {\"l\": [1, 2, 3]}}", Format::Json).unwrap();
    let d = engine.evaluate(&snapshot);
    assert_eq!(d.decision, Outcome::Error);
}
