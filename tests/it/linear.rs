//! Paths that were quadratic on valid-looking input (issue 22, class 4), now linear.
//!
//! The inputs are generated here, not committed, and sized so that the quadratic
//! versions would run for many minutes (even in release) while the linear ones take
//! about a second in a debug build: a regression shows as a test that hangs, not as a
//! timing assertion (no times are asserted).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use bylaw::input::positions::Positions;
use bylaw::input::{self as facts, Format};
use bylaw::schema::ConformOptions;
use bylaw::Engine;

/// A one-line JSON snapshot of `n` resources: each value is placed by its column,
/// which was counted from the line's start for every value (~n² characters).
fn one_line(n: usize, bad: bool) -> String {
    let mut s = String::from("{\"request\": {\"action\": \"x\"}, \"resources\": [");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("{{\"id\": \"r-{i}\", \"size\": {i}}}"));
    }
    s.push(']');
    if bad {
        s.push_str(", \"frozen\": \"maybe\"");
    }
    s.push('}');
    s
}

#[test]
fn values_on_one_long_line_are_placed_in_linear_time() {
    // 60,000 resources: 2.2 MB on one line, 180,000 values (quadratic: ~2·10¹¹ steps).
    let text = one_line(60_000, false);
    let p = Positions::scan(&text, Format::Json);
    let last = "resources[59999].size";
    let (line, column) = p.get(last).unwrap();
    assert_eq!(line, 1);
    assert_eq!(column, text.rfind("\"size\"").unwrap() + 1);
}

#[test]
fn every_value_on_one_long_non_ascii_line_is_placed_in_linear_time() {
    // 30,000 resources on one line, each with a non-ASCII name (a column is counted in
    // characters, not bytes), in JSON and in YAML flow style; every element is placed,
    // as when each resource has a violation (counting from the line's start for each:
    // ~10¹⁰ steps).
    let mut json = String::from("{\"resources\": [");
    let mut yaml = String::from("{resources: [");
    for i in 0..30_000 {
        let sep = if i > 0 { ", " } else { "" };
        json.push_str(&format!("{sep}{{\"id\": \"é-{i}\", \"size\": {i}}}"));
        yaml.push_str(&format!("{sep}{{id: é-{i}, size: {i}}}"));
    }
    json.push_str("]}");
    yaml.push_str("]}");
    for (text, format) in [(&json, Format::Json), (&yaml, Format::Yaml)] {
        let p = Positions::scan(text, format);
        let mut last = (0, 0);
        for i in 0..30_000 {
            last = p.nearest(&format!("resources[{i}].zone")).unwrap();
        }
        let byte = text.rfind("{").unwrap();
        assert_eq!(last, (1, text[..byte].chars().count() + 1), "{format:?}");
    }
}

#[test]
fn a_long_list_on_one_line_is_refused_promptly() {
    // 1M elements on one line, past the list limit: the refusal places itself.
    let mut text = String::from("{\"a\": [");
    text.push_str(&vec!["0"; 1_000_000].join(","));
    text.push_str("]}");
    let e = facts::load_str(&text, Format::Json, "big.json").unwrap_err();
    assert!(e.message.contains("elements"), "{e}");
}

const POLICY: &str = r#"policy p
title "P"
facts {
  request: { action: string }
  resources: [{ id: string, size: integer, zone: string }]
}
applies when request.action == "x"

deny d {
  message "m"
  when    count(resources) > 0
  cites   "c"
}
"#;

#[test]
fn many_violations_are_reported_in_linear_time() {
    // 40,000 resources without a `zone`: 40,000 distinct violations, each once
    // (quadratic: 8·10⁸ comparisons of paths and messages).
    let engine = Engine::from_sources([("p.bylaw".to_string(), POLICY.to_string())]).unwrap();
    let text = one_line(40_000, false);
    let facts = facts::load_str(&text, Format::Json, "s.json").unwrap();
    let violations = engine
        .conform(&facts, &ConformOptions::default())
        .unwrap_err();
    assert_eq!(violations.len(), 40_000);
    assert!(violations[39_999].path.starts_with("resources[39999]"));
}

#[test]
fn a_rule_file_with_many_errors_is_reported_in_linear_time() {
    // 15,000 rules naming unknown facts in one 700 KB file: each error rendered with
    // its line (the line index was rebuilt for each: ~10¹⁰ bytes scanned).
    let mut text = String::from(
        "policy p\ntitle \"P\"\nfacts request\napplies when request.action == \"x\"\n",
    );
    for i in 0..15_000 {
        text.push_str(&format!(
            "deny d{i} {{ message \"m\" when q{i} cites \"c\" }}\n"
        ));
    }
    let Err(bylaw::LoadError::Invalid(ds)) = Engine::from_sources([("p.bylaw".into(), text)])
    else {
        panic!("the rules load");
    };
    assert_eq!(ds.len(), 15_000);
    let all: String = ds.iter().map(|d| d.render(false)).collect();
    assert!(
        all.contains("p.bylaw:15004:"),
        "the last is placed on its line"
    );
}

// ------------------------------------------------------------- many errors

/// A rule set's load errors as the CLI prints them.
fn rules(text: &str) -> Result<Engine, String> {
    Engine::from_sources([("t.bylaw".to_string(), text.to_string())]).map_err(|e| e.to_string())
}

/// A policy whose fact `a` lists `"a"` and then `"b"` `dups + 1` times, on one line.
fn repeated_values(dups: usize) -> String {
    format!(
        "policy p\nfacts {{\n  a: \"a\"{}\n}}\n",
        " | \"b\"".repeat(dups + 1)
    )
}

#[test]
fn thousands_of_errors_on_one_long_line_show_a_hundred_each_in_part() {
    let e = rules(&repeated_values(5_000)).unwrap_err();
    assert!(
        e.ends_with("5000 errors in the rules"),
        "{}",
        &e[e.len() - 200..]
    );
    assert!(e.contains("... and 4900 more not shown (the first 100 are)"));
    assert_eq!(
        e.matches("error: the value `b` is listed twice").count(),
        100
    );
    // Each shows the part of the line around its caret, at the real column: the
    // first repeat is the third value, at column 18 of line 3.
    assert!(e.lines().all(|l| l.len() < 400), "a line shown whole");
    assert!(e.contains("t.bylaw:3:18\n"), "{}", &e[..400]);
    let first = e.lines().find(|l| l.starts_with("3 | ")).unwrap();
    assert!(
        first.starts_with("3 |   a: \"a\" | \"b\" | \"b\""),
        "{first}"
    );
    assert!(first.ends_with("..."), "{first}");
    let later = e.lines().filter(|l| l.starts_with("3 | ")).nth(50).unwrap();
    assert!(
        later.starts_with("3 | ...") && later.ends_with("..."),
        "{later}"
    );
}

#[test]
fn a_hundred_errors_on_short_lines_are_all_shown_whole() {
    // Near miss: at the limit nothing is left out, and a short line is not cut.
    let e = rules(&repeated_values(100)).unwrap_err();
    assert!(!e.contains("more not shown"), "{e}");
    assert!(e.ends_with("\n100 errors in the rules"));
    let text = "policy p\nfacts {\n  a: \"a\" | \"a\"\n}\n";
    let e = rules(text).unwrap_err();
    assert!(e.contains("3 |   a: \"a\" | \"a\"\n"), "{e}");
}

#[test]
fn ninety_thousand_distinct_values_are_checked_in_one_pass() {
    // Each value was compared with every one before it: minutes for a long enum (a
    // rule file is at most 1 MiB).
    let values: Vec<String> = (0..90_000).map(|i| format!("\"v{i}\"")).collect();
    let text = format!("policy p\nfacts {{\n  a: {}\n}}\n", values.join(" | "));
    assert!(rules(&text).is_ok());
}

#[test]
fn sixty_thousand_distinct_fact_paths_are_compiled_in_one_pass() {
    // Compiling numbers each path a policy reads; each was looked for among all the
    // paths numbered before it: minutes in a debug build for a list this long.
    let paths: Vec<String> = (0..60_000).map(|i| format!("a.f{i}")).collect();
    let text = format!("policy wide\nfacts a\nlet l = [{}]\n", paths.join(", "));
    assert!(text.len() < 1 << 20, "a rule file is at most 1 MiB");
    assert!(rules(&text).is_ok());
}
