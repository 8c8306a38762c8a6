//! `docs/policies.md` stays in step with `rules/`: every rule at its current location
//! with the seed sentence it cites, and every `# DECISION:` comment at its line.
//!
//! After editing a rule file, `BYLAW_UPDATE_DOCS=1 cargo test --test it docs::` moves the
//! page's line numbers to where the rules and decisions now are (what it cannot place,
//! a new rule or decision, still fails the test, to be written by hand).

#![allow(
    clippy::expect_used,
    reason = "test helpers fail the test by panicking"
)]

use bylaw::Engine;

const DOC: &str = "docs/policies.md";

/// The page, with its line numbers updated first when `BYLAW_UPDATE_DOCS` is set (once,
/// whichever test asks first).
fn doc() -> String {
    static UPDATE: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("BYLAW_UPDATE_DOCS").is_some() {
        UPDATE.call_once(update_locations);
    }
    std::fs::read_to_string(DOC).expect("docs/policies.md is readable")
}

/// Each rule's heading as the page must have it, by rule ID.
fn headings() -> Vec<(String, String)> {
    let engine = Engine::from_dir("rules").expect("the rules in rules/ load");
    let mut out = Vec::new();
    for policy in engine.policies() {
        for rule in &policy.rules {
            let id = format!("{}.{}", policy.id.name, rule.name.name);
            let heading = format!(
                "### `{id}` · {} · `{}`",
                rule.kind.as_str(),
                rule.span.location()
            );
            out.push((id, heading));
        }
    }
    out
}

/// The rule files, in order.
fn rule_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir("rules")
        .expect("rules/ is readable")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "bylaw"))
        .collect();
    files.sort();
    files
}

/// The lines of a rule file's `# DECISION:` comments, in order.
fn decision_lines(path: &std::path::Path) -> Vec<usize> {
    let text = std::fs::read_to_string(path).expect("a readable rule file");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("# DECISION:"))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Rewrites the page's rule headings to the rules' current kinds and lines, and its
/// list of decisions to their current lines (the n-th listed decision of a file to
/// the n-th in the file, when the counts agree).
fn update_locations() {
    let mut lines: Vec<String> = std::fs::read_to_string(DOC)
        .expect("docs/policies.md is readable")
        .lines()
        .map(str::to_string)
        .collect();
    for (id, heading) in headings() {
        let prefix = format!("### `{id}` · ");
        for line in lines.iter_mut().filter(|l| l.starts_with(&prefix)) {
            line.clone_from(&heading);
        }
    }
    for path in rule_files() {
        let prefix = format!("- `{}:", path.display());
        let listed: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with(&prefix))
            .collect();
        let now = decision_lines(&path);
        if listed.len() != now.len() {
            continue;
        }
        for (i, at) in listed.into_iter().zip(now) {
            let rest = lines[i][prefix.len()..]
                .split_once('`')
                .map_or(String::new(), |(_, rest)| rest.to_string());
            lines[i] = format!("{prefix}{at}`{rest}");
        }
    }
    std::fs::write(DOC, lines.join("\n") + "\n").expect("docs/policies.md is writable");
}

#[test]
fn every_rule_is_documented_at_its_location_with_its_source_sentence() {
    let engine = Engine::from_dir("rules").expect("the rules in rules/ load");
    let doc = doc();
    let mut missing = Vec::new();
    for (_, heading) in headings() {
        if !doc.lines().any(|l| l == heading) {
            missing.push(format!("the heading `{heading}`"));
        }
    }
    for policy in engine.policies() {
        for rule in &policy.rules {
            let id = format!("{}.{}", policy.id.name, rule.name.name);
            match rule.cites() {
                Some(c) if doc.contains(&format!("> {}", c.value)) => {}
                Some(_) => missing.push(format!("the quoted source sentence of `{id}`")),
                None => missing.push(format!("a `cites` clause in `{id}` (the rule has none)")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{DOC} lacks:\n{}\n(BYLAW_UPDATE_DOCS=1 cargo test --test it docs:: moves line numbers)",
        missing.join("\n")
    );
}

#[test]
fn every_decision_comment_is_listed() {
    let doc = doc();
    let mut missing = Vec::new();
    for path in rule_files() {
        for line in decision_lines(&path) {
            let at = format!("`{}:{line}`", path.display());
            if !doc.contains(&at) {
                missing.push(at);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{DOC} does not list these decisions: {}\n\
         (BYLAW_UPDATE_DOCS=1 cargo test --test it docs:: moves line numbers)",
        missing.join(", ")
    );
}
