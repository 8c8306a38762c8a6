//! `bylaw fmt`: idempotent, keeps the tree (spans aside) and every comment.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use bylaw::author::fmt::format_source;
use bylaw::syntax::{parse_policy, Source};
use proptest::prelude::*;

fn fmt(text: &str) -> String {
    format_source(&Source::new("t.bylaw", text)).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

fn same_tree(a: &str, b: &str) {
    let pa = parse_policy(&Source::new("a", a)).unwrap();
    let pb = parse_policy(&Source::new("b", b))
        .unwrap_or_else(|e| panic!("formatted text does not parse: {e}\n---\n{b}"));
    assert_eq!(pa, pb, "the tree changed\n--- before\n{a}\n--- after\n{b}");
}

fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            l.find(" #")
                .or_else(|| l.trim_start().starts_with('#').then_some(0))
                .map(|i| l[i..].trim().to_string())
        })
        .collect()
}

#[test]
fn every_rule_file_is_stable_under_fmt() {
    for entry in std::fs::read_dir("rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "bylaw") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let once = fmt(&text);
        assert_eq!(fmt(&once), once, "{} is not idempotent", path.display());
        same_tree(&text, &once);
        let mut before = comments(&text);
        let mut after = comments(&once);
        before.sort();
        after.sort();
        assert_eq!(before, after, "{}: comments changed", path.display());
    }
}

#[test]
fn the_shipped_rules_are_formatted() {
    for name in ["rules/unsubscribe.bylaw", "rules/disassociate.bylaw"] {
        let text = std::fs::read_to_string(name).unwrap();
        assert!(
            fmt(&text) == text,
            "{name} is not formatted: run `bylaw fmt rules/`"
        );
    }
}

#[test]
fn canonical_layout() {
    let messy = "# head\npolicy   p\nfacts a,b\n\n\n\nlet  x=a.y+1 # why\ndeny r{message \"m {x}\"\nwhen a>1 and(b or a) # trailing\n  # inside\n}\n# end\n";
    insta::assert_snapshot!(fmt(messy), @r###"
    # head
    policy p
    facts   a, b

    let x = a.y + 1  # why
    deny r {
      message "m {x}"
      when    a > 1 and (b or a)  # trailing
      # inside
    }
    # end
    "###);
}

#[test]
fn long_conditions_break_at_and_or() {
    let text = "policy p\nfacts a\ndeny r {\n message \"m\"\n when a.first_condition_is_long == \"some value\" and a.second_condition_is_long != \"another value\" or a.third\n}\n";
    insta::assert_snapshot!(fmt(text), @r###"
    policy p
    facts   a
    deny r {
      message "m"
      when    (a.first_condition_is_long == "some value"
               and a.second_condition_is_long != "another value")
              or a.third
    }
    "###);
}

// ------------------------------------------------- generated programs

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_string()),
        Just("a.b".to_string()),
        Just("a.b[0].c".to_string()),
        Just("t.x".to_string()),
        Just("now".to_string()),
        (0u32..5000).prop_map(|n| n.to_string()),
        Just("12.50".to_string()),
        Just("1000 USD".to_string()),
        Just("24h".to_string()),
        Just("1h30m".to_string()),
        Just("2021-09-30T10:00:00+08:00".to_string()),
        Just("\"s\\\"q\"".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 32, 3, |inner| {
        let op = prop_oneof![
            Just("and"),
            Just("or"),
            Just("=="),
            Just("!="),
            Just("<"),
            Just("<="),
            Just(">"),
            Just(">="),
            Just("in"),
            Just("not in"),
            Just("??"),
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
        ];
        prop_oneof![
            (inner.clone(), op.clone(), inner.clone()).prop_map(|(l, o, r)| format!("{l} {o} {r}")),
            (inner.clone(), op, inner.clone()).prop_map(|(l, o, r)| format!("({l} {o} {r})")),
            inner.clone().prop_map(|x| format!("not {x}")),
            inner.clone().prop_map(|x| format!("-({x})")),
            inner.clone().prop_map(|x| format!("present(({x}).y)")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("max({x}, {y})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
            inner
                .clone()
                .prop_map(|x| format!("any(t in a.list where {x})")),
            inner
                .clone()
                .prop_map(|x| format!("count(t in a.list where {x})")),
            (inner.clone(), inner.clone())
                .prop_map(|(x, y)| format!("[{x} for t in a.list where {y}]")),
            inner
                .clone()
                .prop_map(|x| format!("sum({x} for t in a.list)")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("[{x}, {y}]")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("{{term: {x}, fee: {y}}}")),
            (inner.clone(), inner.clone())
                .prop_map(|(x, y)| format!("[{{term: {x}}}, {{term: {y}, fee: 5 USD}}]")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(s, a, b)| format!(
                "match {s} {{ \"monthly\" | \"yearly\" => {a}, 12 => {b}, else => {a} }}"
            )),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("match {{ {c} => {a},\n {b} => {c} else => {b} }}")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("fee({x}, {y})")),
            inner.prop_map(|x| format!("[position(t) + {x} for t in a.list]")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        rng_seed: proptest::test_runner::RngSeed::Fixed(crate::generator::SEED),
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_programs_round_trip(e1 in expr(), e2 in expr(), e3 in expr(), comment in "[a-z ]{0,12}") {
        let text = format!(
            "policy p # {comment}\nfacts a\nlet v = {e1}\n\n# {comment}\nfn fee(term: \"monthly\" | \"yearly\", used: duration) -> money = {e2}\n\ndeny r {{\n  message \"m {{{e2}}} \\{{x\\}}\"\n  when {e3}\n}}\n"
        );
        let once = fmt(&text);
        same_tree(&text, &once);
        prop_assert_eq!(fmt(&once), once.clone());
        prop_assert_eq!(once.matches('#').count(), text.matches('#').count());
    }
}
