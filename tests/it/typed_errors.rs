//! Errors reach their renderer typed: the CLI never trims or re-reads the text of an
//! error, so a message (or a file name in it) that looks like a rendered prefix is
//! printed as it is, and load errors are rendered as diagnostics by every command.

use assert_cmd::Command;

fn bylaw() -> Command {
    Command::cargo_bin("bylaw").unwrap()
}

/// A folder `bad/` holding one rule file that does not parse, and `good/`, a copy of
/// `rules/`'s rule files.
fn folders() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad");
    let good = dir.path().join("good");
    std::fs::create_dir(&bad).unwrap();
    std::fs::create_dir(&good).unwrap();
    std::fs::write(bad.join("broken.bylaw"), "policy broken { }\n").unwrap();
    for f in ["unsubscribe.bylaw", "disassociate.bylaw"] {
        std::fs::copy(format!("rules/{f}"), good.join(f)).unwrap();
    }
    dir
}

fn stderr(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

/// `bylaw evaluate --facts-jsonl NAME` where no file NAME exists: its stderr.
fn missing_jsonl(name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let rules = std::fs::canonicalize("rules").unwrap();
    stderr(
        bylaw()
            .current_dir(dir.path())
            .arg("evaluate")
            .arg("--rules")
            .arg(&rules)
            .args(["--facts-jsonl", name]),
    )
}

#[test]
fn a_file_named_like_the_error_prefix_keeps_its_name() {
    // The message names the file `error: gone.jsonl`; trimming a leading `error: `
    // from the message (as the CLI once did) would name another file.
    let err = missing_jsonl("error: gone.jsonl");
    assert!(err.starts_with("error: error: gone.jsonl: "), "{err}");
}

#[test]
fn a_file_named_like_the_error_prefix_near_miss() {
    let err = missing_jsonl("gone.jsonl");
    assert!(err.starts_with("error: gone.jsonl: "), "{err}");
}

/// Rules that do not load are rendered as diagnostics by every command, the same way:
/// each once, with its place, then the count (no `error: error:`).
#[test]
fn every_command_renders_load_errors_as_diagnostics() {
    let dir = folders();
    let expected = stderr(
        bylaw()
            .current_dir(dir.path())
            .args(["check", "--rules", "bad"]),
    );
    assert!(expected.contains("--> bad/broken.bylaw:1:"), "{expected}");
    let scenarios = std::fs::canonicalize("tests/scenarios").unwrap();
    let mut commands: Vec<Command> = Vec::new();
    let mut snapshot = bylaw();
    snapshot
        .args(["snapshot", "--rules", "bad"])
        .arg(&scenarios);
    commands.push(snapshot);
    let mut diff = bylaw();
    diff.args(["diff", "--rules", "bad", "--base", "good"])
        .arg(&scenarios);
    commands.push(diff);
    let mut schema = bylaw();
    schema.args(["schema", "--rules", "bad"]);
    commands.push(schema);
    let mut evaluate = bylaw();
    evaluate.args(["evaluate", "--rules", "bad", "--facts", "x.json"]);
    commands.push(evaluate);
    for mut cmd in commands {
        let err = stderr(cmd.current_dir(dir.path()));
        assert!(!err.contains("error: error"), "{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.ends_with("1 error in the rules\n"), "{err}");
        assert!(err.contains("--> bad/broken.bylaw:1:"), "{err}");
        assert_eq!(err.matches("error: ").count(), 1, "{err}");
    }
}

#[test]
fn base_rules_that_do_not_load_are_rendered_as_diagnostics() {
    let dir = folders();
    let scenarios = std::fs::canonicalize("tests/scenarios").unwrap();
    let err = stderr(
        bylaw()
            .current_dir(dir.path())
            .args(["diff", "--rules", "good", "--base", "bad"])
            .arg(&scenarios),
    );
    let (first, rest) = err.split_once('\n').unwrap();
    assert_eq!(first, "error: the base rules `bad` do not load:");
    assert!(!rest.contains("error: error"), "{rest}");
    assert!(rest.contains("--> bad/broken.bylaw:1:"), "{rest}");
    assert!(rest.ends_with("1 error in the rules\n"), "{rest}");
}

#[test]
fn base_rules_that_cannot_be_read_keep_one_line() {
    // Near miss: an error of the base that is not diagnostics stays one message.
    let dir = folders();
    let scenarios = std::fs::canonicalize("tests/scenarios").unwrap();
    let err = stderr(
        bylaw()
            .current_dir(dir.path())
            .args(["diff", "--rules", "good", "--base", "nowhere"])
            .arg(&scenarios),
    );
    assert!(
        err.starts_with("error: the base rules `nowhere`: "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// A rule set in a file whose name needs escaping in JSON, with one rule that matches
/// and one that does not.
fn placed_engine() -> bylaw::Engine {
    let text = "policy p\n\n\nfacts a\n\ndeny yes {\n  when a == 1\n  message \"m\"\n}\n\ndeny no {\n  when a == 2\n  message \"n\"\n}\n";
    bylaw::Engine::from_sources([("rules/we\"ird\\ \u{1}.bylaw".to_string(), text.to_string())])
        .unwrap()
}

#[test]
fn matches_and_misses_carry_their_rule_as_a_place() {
    let engine = placed_engine();
    let facts = bylaw::input::load_str("{\"a\": 1}", bylaw::input::Format::Json, "x").unwrap();
    let opts = bylaw::Options {
        explain: true,
        ..bylaw::Options::default()
    };
    let d = engine.evaluate_with(&facts, &opts);
    let [m] = d.matched.as_slice() else {
        panic!("{d:?}")
    };
    let [miss] = d.not_matched.as_slice() else {
        panic!("{d:?}")
    };
    // Typed: the file, the line and the rule's own text, not a `file:line` to split.
    assert_eq!(m.source.file(), "rules/we\"ird\\ \u{1}.bylaw");
    assert_eq!(m.source.line(), 6);
    assert!(m.source.span().text().starts_with("deny yes {"));
    assert_eq!(miss.source.line(), 11);
    assert!(miss.source.span().text().starts_with("deny no {"));
    // Rendered `file:line` in every format, escaped as serde_json escapes the text.
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(
        json["matched"][0]["source"],
        "rules/we\"ird\\ \u{1}.bylaw:6"
    );
    assert_eq!(
        json["not_matched"][0]["source"],
        "rules/we\"ird\\ \u{1}.bylaw:11"
    );
    let mut direct = Vec::new();
    bylaw::report::json::write_decision(&mut direct, &d);
    assert_eq!(direct, serde_json::to_vec(&d).unwrap());
    let yaml = serde_yaml::to_string(&d).unwrap();
    let back: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(back, json);
    let text = bylaw::report::render(&d, bylaw::report::Rendering::Text).unwrap();
    assert!(text.contains("rules/we\"ird\\ \u{1}.bylaw:6"), "{text}");
}

/// Remedies are combined from their sentences, never by splitting their text on
/// `; `: a `remedy` clause that holds one stays one sentence of `to_allow`.
#[test]
fn a_remedy_clause_with_a_semicolon_stays_one_sentence() {
    let rules = r#"policy p
facts { request: { action: string, note: string?, ok: bool } }
applies when request.action == "go"
deny no_note {
  message "no note"
  when    not present(request.note)
  remedy  "write a note; any note"
}
deny not_ok {
  message "not ok"
  when    not request.ok
}
"#;
    let engine = bylaw::Engine::from_sources([("p.bylaw".to_string(), rules.to_string())]).unwrap();
    let facts = bylaw::input::load_str(
        r#"{"request": {"action": "go", "ok": false}}"#,
        bylaw::input::Format::Json,
        "t",
    )
    .unwrap();
    let d = engine.evaluate(&facts);
    let r = engine.remedies(&facts, &d);
    let to_allow = r.to_allow.unwrap();
    assert_eq!(to_allow.decision_after, bylaw::Outcome::Allowed);
    assert_eq!(to_allow.texts.len(), 2, "{:?}", to_allow.texts);
    assert_eq!(to_allow.texts[0], "write a note; any note");
}

/// Decisions are equal when their output is: a rule's place compares as it is
/// written (`file:line`), not by the byte offsets of its text.
#[test]
fn places_compare_as_they_are_written() {
    let rules = |message: &str, gap: &str| {
        let text = format!(
            "policy p\nfacts a\n\nwarn first {{\n  when a == 1\n  message \"{message}\"\n}}\n{gap}\ndeny second {{\n  when a == 1\n  message \"m\"\n}}\n"
        );
        bylaw::Engine::from_sources([("rules/p.bylaw".to_string(), text)]).unwrap()
    };
    let facts = bylaw::input::load_str("{\"a\": 1}", bylaw::input::Format::Json, "x").unwrap();
    let base = rules("one", "");
    let decide = |e: &bylaw::Engine| {
        let mut d = e.evaluate(&facts);
        // Only the second rule: the first one's message is what was edited.
        d.matched.retain(|m| &*m.rule == "p.second");
        d
    };
    // The first rule's message is longer: the second rule's text moves within its line.
    let shifted = rules("a longer message", "");
    assert_eq!(decide(&base), decide(&shifted));
    // Near miss: a line more before it, and it is cited elsewhere.
    let moved = rules("one", "\n");
    assert_ne!(decide(&base), decide(&moved));
    assert_eq!(
        decide(&moved).matched[0].source.to_string(),
        "rules/p.bylaw:10"
    );
}
