//! The direct JSON writer (`render::json`) must write exactly what serde_json writes
//! for the same decision, compact (the streaming mode) and indented (`report::pretty`:
//! `evaluate --format json` and the server).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use bylaw::input::{self, Format};
use bylaw::report::json::write_decision;
use bylaw::{Engine, Options};

fn snapshots(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            snapshots(&path, out);
        } else if Format::from_path(&path).is_some()
            && !path.to_string_lossy().ends_with(".decision.yaml")
        {
            out.push(path);
        }
    }
}

#[test]
fn the_direct_writer_matches_serde_json_on_every_scenario_and_example() {
    let engine = Engine::from_dir("rules").unwrap();
    let mut paths = Vec::new();
    snapshots(Path::new("tests/scenarios"), &mut paths);
    snapshots(Path::new("examples"), &mut paths);
    paths.sort();
    let mut compared = 0;
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let Ok(facts) = input::load_str(&text, Format::from_path(path).unwrap(), "x") else {
            continue;
        };
        for explain in [false, true] {
            let opts = Options {
                explain,
                ..Options::default()
            };
            let d = engine.evaluate_with(&facts, &opts);
            let mut direct = Vec::new();
            write_decision(&mut direct, &d);
            let expected = serde_json::to_vec(&d).unwrap();
            assert_eq!(
                String::from_utf8(direct).unwrap(),
                String::from_utf8(expected).unwrap(),
                "{} (explain: {explain})",
                path.display()
            );
            // `evaluate --format json` (and the server): the direct writer indented.
            assert_eq!(
                bylaw::report::render(&d, bylaw::report::Rendering::Json).unwrap(),
                serde_json::to_string_pretty(&d).unwrap() + "\n",
                "pretty: {} (explain: {explain})",
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared > 100, "only {compared} decisions compared");
}

#[test]
fn values_of_every_kind_are_written_as_serde_json_writes_them() {
    let yaml = r#"
a: null
b: [true, false]
c: [0, -12, 12.50, "1e3", 99999999999999999999999]
d: {amount: "-0.10", currency: USD}
e: 2023-07-10T21:16:38.25-05:30
f: {"quote\"": "tab\t", nested: [{x: []}, {}]}
"#;
    let v = input::load_str(yaml, Format::Yaml, "x").unwrap();
    let mut direct = Vec::new();
    bylaw::report::json::value(&mut direct, &v);
    assert_eq!(
        String::from_utf8(direct).unwrap(),
        serde_json::to_string(&v).unwrap()
    );
}

#[test]
fn records_are_written_as_serde_json_writes_them() {
    use bylaw::run::batch::{push_record, Record};
    let engine = Engine::from_dir("rules").unwrap();
    let text = std::fs::read_to_string("examples/unsubscribe.yaml").unwrap();
    let facts = input::load_str(&text, Format::Yaml, "x").unwrap();
    let records = [
        Record {
            line: Some(7),
            file: None,
            id: Some("req \"1\"".into()),
            decision: Some(engine.evaluate(&facts)),
            error: None,
        },
        Record {
            line: None,
            file: Some("dir/a.json".into()),
            id: None,
            decision: None,
            error: Some("a.json:1:2: expected `,`\nor `}`".into()),
        },
    ];
    for r in &records {
        let mut direct = Vec::new();
        push_record(&mut direct, r);
        let mut expected = serde_json::to_vec(r).unwrap();
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(direct).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}

#[test]
fn the_indented_writer_matches_serde_json_on_generated_snapshots() {
    let out = std::process::Command::new("python3")
        .args(["benches/gen_facts.py", "--n", "300", "--seed", "5"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let engine = Engine::from_dir("rules").unwrap();
    let mut compared = 0;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let Ok(facts) = input::load_str(line, Format::Json, "x") else {
            continue;
        };
        for explain in [false, true] {
            let opts = Options {
                explain,
                ..Options::default()
            };
            let d = engine.evaluate_with(&facts, &opts);
            let mut pretty = Vec::new();
            bylaw::report::pretty::write_decision(&mut pretty, &d);
            assert_eq!(
                String::from_utf8(pretty).unwrap(),
                serde_json::to_string_pretty(&d).unwrap(),
                "{line} (explain: {explain})"
            );
            compared += 1;
        }
    }
    assert!(compared >= 500, "only {compared} decisions compared");
}
