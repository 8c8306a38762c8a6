//! The facts an `applies when` reads through a `let` are what it reads: conforming
//! checks them first, alone (issue 17: one statement of the fact paths an
//! expression reads, `syntax::scoping::fact_paths`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bylaw::input::{self, Format};
use bylaw::schema::ConformOptions;
use bylaw::Engine;

const POLICY: &str = r#"
policy v
facts {
  request: {
    action: string
    n:      integer
  }
}
applies when go
let act = request.action
let go = act == "go"
deny never {
  message "m"
  when    request.n > 1
}
"#;

/// The paths of the violations conforming `text` finds, in order.
fn violations(text: &str) -> Vec<String> {
    let engine = Engine::from_sources([("v.bylaw".to_string(), POLICY.to_string())]).unwrap();
    let value = input::load_str(text, Format::Yaml, "s.yaml").unwrap();
    match engine.conform(&value, &ConformOptions { strict: false }) {
        Ok(_) => Vec::new(),
        Err(vs) => vs.into_iter().map(|v| v.path).collect(),
    }
}

#[test]
fn what_applies_reads_through_a_let_is_checked_first_alone() {
    // `request.action` is read by `applies when` through `go`, then `act`: it is
    // checked first, and being wrong, nothing else is checked.
    assert_eq!(
        violations("request: {action: 12, n: nope}\n"),
        ["request.action"]
    );
}

#[test]
fn a_fact_only_a_rule_reads_is_checked_once_the_policy_applies() {
    assert_eq!(
        violations("request: {action: go, n: nope}\n"),
        ["request.n"]
    );
    assert_eq!(
        violations("request: {action: go, n: 2}\n"),
        Vec::<String>::new()
    );
}

/// The JSON Pointers every remedy of `text`'s decision under `rules` changes.
fn remedied_paths(rules: &str, text: &str) -> Vec<String> {
    let engine = Engine::from_sources([("r.bylaw".to_string(), rules.to_string())]).unwrap();
    let facts = input::load_str(text, Format::Yaml, "s.yaml").unwrap();
    let d = engine.evaluate(&facts);
    let r = engine.remedies(&facts, &d);
    let mut paths: Vec<String> = r
        .rules
        .iter()
        .flat_map(|rr| &rr.remedies)
        .flat_map(|m| &m.patch)
        .map(|op| op.path.clone())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[test]
fn a_remedy_never_changes_what_applies_reads_through_a_let() {
    // Denied while `request.mode` is "on": turning it off would make the policy stop
    // applying, which fixes nothing, so no remedy changes it. (End to end this held
    // before `fixed.rs` followed lets too: the remedies are verified after the patch.
    // `remedy::fixed`'s unit test is the one that pins `Fixed` itself.)
    let rules = |when: &str| {
        format!(
            "policy p\nfacts request\napplies when on\nlet on = request.mode == \"on\"\n\
             deny big {{\n  message \"too big\"\n  when    {when}\n}}\n"
        )
    };
    let text = "request: {mode: \"on\", n: 5}\n";
    let paths = remedied_paths(&rules("request.mode == \"on\""), text);
    assert_eq!(paths, Vec::<String>::new());
    // Near miss: a fact only the rule reads is the requester's to change.
    let paths = remedied_paths(&rules("request.mode == \"on\" and request.n > 1"), text);
    assert_eq!(paths, ["/request/n"]);
}
