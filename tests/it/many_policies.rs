//! Many policies in one rule set: a snapshot is decided as its one policy alone would
//! decide it, however many other policies are loaded beside it; and when several
//! policies apply, each decides and the most severe outcome wins.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use std::path::{Path, PathBuf};

use bylaw::input::{self as facts, Format};
use bylaw::{Decision, Engine, Options, Outcome};

/// The actions of the two policies in `rules/`, with their files.
const POLICIES: [(&str, &str, &str); 2] = [
    (
        "unsubscribe",
        "unsubscribe_inactive",
        "rules/unsubscribe.bylaw",
    ),
    (
        "disassociate",
        "disassociate_sub_account",
        "rules/disassociate.bylaw",
    ),
];

/// Copies of each policy of `rules/`, on other actions.
const COPIES: usize = 40;

fn read(path: &str) -> String {
    std::fs::read_to_string(path).expect("the rule file reads")
}

/// Policy `id`'s file with its ID and action renamed for copy `k`.
fn copy(id: &str, action: &str, path: &str, k: usize) -> (String, String) {
    let text = read(path)
        .replacen(&format!("policy {id}\n"), &format!("policy {id}_{k}\n"), 1)
        .replacen(&format!("\"{action}\""), &format!("\"{action}_{k}\""), 1);
    (format!("rules/gen/{id}_{k}.bylaw"), text)
}

fn big() -> Engine {
    let mut sources: Vec<(String, String)> = POLICIES
        .iter()
        .map(|(_, _, path)| (path.to_string(), read(path)))
        .collect();
    for k in 0..COPIES {
        for (id, action, path) in POLICIES {
            sources.push(copy(id, action, path, k));
        }
    }
    Engine::from_sources(sources).expect("the generated rule set loads")
}

fn snapshots() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        "tests/scenarios/unsubscribe",
        "tests/scenarios/disassociate",
    ] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with(".decision.yaml") {
                out.push(p);
            }
        }
    }
    out.push("examples/unsubscribe.yaml".into());
    out.push("examples/disassociate.yaml".into());
    out.sort();
    out
}

fn decide(engine: &Engine, text: &str, path: &Path) -> String {
    let format = Format::from_path(path).unwrap();
    let facts = facts::load_str(text, format, &path.display().to_string()).unwrap();
    let opts = Options {
        explain: true,
        ..Options::default()
    };
    serde_json::to_string_pretty(&engine.evaluate_with(&facts, &opts)).unwrap()
}

#[test]
fn each_snapshot_is_decided_as_by_its_one_policy_alone() {
    let big = big();
    assert_eq!(big.policies().count(), 2 + 2 * COPIES);
    let mut compared = 0;
    for (n, path) in snapshots().iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let Some((id, action, file)) = POLICIES.iter().find(|(_, action, _)| text.contains(action))
        else {
            continue;
        };
        // As written, for the policy of rules/; and moved to a copy.
        let alone = Engine::from_sources([(file.to_string(), read(file))]).unwrap();
        let one = decide(&alone, &text, path);
        if !one.contains(&format!("\"policies\": [\n    \"{id}\"")) {
            // Snapshots that no policy (or that one policy cannot tell it) applies
            // to are told apart from every policy loaded, not from one.
            continue;
        }
        assert_eq!(decide(&big, &text, path), one, "{}", path.display());
        let k = n % COPIES;
        let moved = text.replace(action, &format!("{action}_{k}"));
        let (name, copy_text) = copy(id, action, file, k);
        let alone = Engine::from_sources([(name, copy_text)]).unwrap();
        assert_eq!(
            decide(&big, &moved, path),
            decide(&alone, &moved, path),
            "{} moved to copy {k}",
            path.display()
        );
        compared += 1;
    }
    assert!(compared > 40, "only {compared} snapshots compared");
}

fn policy(id: &str, applies: &str, kind: &str) -> (String, String) {
    (
        format!("{id}.bylaw"),
        format!(
            "policy {id}\nfacts request\napplies when {applies}\n\n{kind} {id}_rule {{\n  message \"{id} says {kind}\"\n  when request.amount > 10\n}}\n"
        ),
    )
}

fn decision(engine: &Engine, yaml: &str) -> Decision {
    engine.evaluate(&facts::load_str(yaml, Format::Yaml, "inline").unwrap())
}

/// Two policies that both apply: each decides, the decision is the most severe, and
/// each one's rules are reported under its own ID.
#[test]
fn two_policies_that_both_apply_each_decide_and_the_most_severe_wins() {
    let engine = Engine::from_sources([
        policy("limits", r#"request.action == "pay""#, "deny"),
        policy("audit", r#"request.action in ["pay", "refund"]"#, "warn"),
    ])
    .unwrap();
    let d = decision(&engine, "request: {action: pay, amount: 20}");
    assert_eq!(d.decision, Outcome::Denied);
    assert_eq!(d.policies, ["limits", "audit"]);
    let matched: Vec<&str> = d.matched.iter().map(|m| &*m.rule).collect();
    assert_eq!(matched, ["limits.limits_rule", "audit.audit_rule"]);

    // Near miss: only the warning's policy applies to a refund.
    let d = decision(&engine, "request: {action: refund, amount: 20}");
    assert_eq!(d.decision, Outcome::Allowed);
    assert_eq!(d.policies, ["audit"]);

    // One policy that cannot be decided makes the whole decision an error, even
    // when the other allows.
    let d = decision(&engine, "request: {action: pay}");
    assert_eq!(d.decision, Outcome::Error);
    assert_eq!(d.policies, ["limits", "audit"]);
}

/// A snapshot through the pipeline every command uses (read, conform, decide): the
/// decision, or every schema violation as `bylaw evaluate` prints them.
fn through_pipeline(engine: &Engine, yaml: &str) -> Result<String, String> {
    let pipeline = bylaw::Pipeline::new(engine);
    let snapshot = pipeline
        .read(yaml.as_bytes(), Format::Yaml, "s.yaml")
        .map_err(|e| e.to_string())?;
    let opts = Options {
        explain: true,
        ..Options::default()
    };
    Ok(serde_json::to_string_pretty(&pipeline.decide(&snapshot, &opts)).unwrap())
}

/// Conforming only checks the policies that can apply, and each part of a schema once:
/// a snapshot that breaks the schema gets the violations it gets from its one policy
/// alone, and a valid one the same decision, however many policies are loaded.
#[test]
fn schema_violations_are_those_of_the_one_policy_alone() {
    let big = big();
    let example = read("examples/unsubscribe.yaml");
    let k = 7;
    let moved = example.replace("unsubscribe_inactive", &format!("unsubscribe_inactive_{k}"));
    let (name, copy_text) = copy("unsubscribe", "unsubscribe_inactive", POLICIES[0].2, k);
    let alone = Engine::from_sources([(POLICIES[0].2.to_string(), read(POLICIES[0].2))]).unwrap();
    let alone_copy = Engine::from_sources([(name, copy_text)]).unwrap();
    let breaks = [
        ("action: unsubscribe_inactive", "action: 7"),
        (
            "action: unsubscribe_inactive",
            "action: [unsubscribe_inactive]",
        ),
        ("frozen_for_legal: false,", "frozen_for_legal: no_way,"),
        ("amount: \"2000.00\"", "amount: 2000"),
        ("purchased_again: true", "purchased_again: often"),
        ("mode: single", "mode: 3"),
    ];
    let mut refused = 0;
    for (text, alone) in [(&example, &alone), (&moved, &alone_copy)] {
        // Near miss: as written, the snapshot conforms and is decided.
        let valid = through_pipeline(&big, text);
        assert!(valid.is_ok(), "{valid:?}");
        assert_eq!(valid, through_pipeline(alone, text));
        for (from, to) in breaks {
            let action = if text.contains("unsubscribe_inactive_7") {
                from.replace("unsubscribe_inactive", "unsubscribe_inactive_7")
            } else {
                from.to_string()
            };
            let broken = text.replacen(&action, to, 1);
            assert_ne!(&broken, text, "{from}");
            let got = through_pipeline(&big, &broken);
            refused += usize::from(got.is_err());
            assert_eq!(got, through_pipeline(alone, &broken), "{to}");
        }
    }
    assert!(refused >= 8, "only {refused} broken snapshots refused");
}
