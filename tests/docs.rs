//! `docs/policies.md` stays in step with `rules/`: every rule at its current location
//! with the seed sentence it cites, and every `# DECISION:` comment at its line.

#![allow(
    clippy::expect_used,
    reason = "test helpers fail the test by panicking"
)]

use bylaw::Engine;

const DOC: &str = "docs/policies.md";

fn doc() -> String {
    std::fs::read_to_string(DOC).expect("docs/policies.md is readable")
}

#[test]
fn every_rule_is_documented_at_its_location_with_its_source_sentence() {
    let engine = Engine::from_dir("rules").expect("the rules in rules/ load");
    let doc = doc();
    let mut missing = Vec::new();
    for policy in engine.policies() {
        for rule in &policy.rules {
            let id = format!("{}.{}", policy.id.name, rule.name.name);
            let heading = format!(
                "### `{id}` · {} · `{}`",
                rule.kind.as_str(),
                rule.span.location()
            );
            if !doc.lines().any(|l| l == heading) {
                missing.push(format!("the heading `{heading}`"));
            }
            match rule.cites() {
                Some(c) if doc.contains(&format!("> {}", c.value)) => {}
                Some(_) => missing.push(format!("the quoted source sentence of `{id}`")),
                None => missing.push(format!("a `cites` clause in `{id}` (the rule has none)")),
            }
        }
    }
    assert!(missing.is_empty(), "{DOC} lacks:\n{}", missing.join("\n"));
}

#[test]
fn every_decision_comment_is_listed() {
    let doc = doc();
    let mut missing = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir("rules")
        .expect("rules/ is readable")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "bylaw"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("a readable rule file");
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("# DECISION:") {
                let at = format!("`{}:{}`", path.display(), i + 1);
                if !doc.contains(&at) {
                    missing.push(at);
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{DOC} does not list these decisions: {}",
        missing.join(", ")
    );
}
