//! The TextMate grammar in editors/: valid, complete, and the VS Code copy in step.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use serde_json::Value;

fn grammar() -> Value {
    let text = std::fs::read_to_string("editors/bylaw.tmLanguage.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every regular expression of the grammar.
fn regexes(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("match" | "begin" | "end", Value::String(s)) => out.push(s.clone()),
                    _ => regexes(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| regexes(x, out)),
        _ => {}
    }
}

/// Whether `word` stands alone somewhere in the regexes (as an alternative or literal).
fn covers(regexes: &[String], word: &str) -> bool {
    regexes.iter().any(|r| {
        r.match_indices(word).any(|(i, _)| {
            let before = r[..i].chars().next_back();
            let after = r[i + word.len()..].chars().next();
            let edge = |c: Option<char>| !c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            // `\b` before a word leaves a `b` in front of it.
            (edge(before) || r[..i].ends_with("\\b")) && edge(after)
        })
    })
}

/// The words the pest grammar matches literally (keywords, clause words, kinds).
fn pest_keywords() -> Vec<String> {
    let pest = std::fs::read_to_string("grammar/bylaw.pest").unwrap();
    let mut words = Vec::new();
    for line in pest.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (i, part) in line.split('"').enumerate() {
            if i % 2 == 1 && part.len() >= 2 && part.chars().all(|c| c.is_ascii_lowercase()) {
                words.push(part.to_string());
            }
        }
    }
    words.sort();
    words.dedup();
    words
}

#[test]
fn the_grammar_is_json_for_source_bylaw() {
    let g = grammar();
    assert_eq!(g["scopeName"], "source.bylaw");
    assert_eq!(g["fileTypes"], serde_json::json!(["bylaw"]));
    let mut rs = Vec::new();
    regexes(&g, &mut rs);
    assert!(rs.len() > 20, "{rs:?}");
    // Every `include` names a repository entry.
    let text = g.to_string();
    for part in text.split("\"include\":\"#").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(
            g["repository"].get(name).is_some(),
            "no repository entry `{name}`"
        );
    }
}

#[test]
fn the_grammar_covers_every_keyword_of_the_language() {
    let mut rs = Vec::new();
    regexes(&grammar(), &mut rs);
    let words = pest_keywords();
    for w in [
        "policy", "deny", "review", "warn", "effect", "message", "approved", "where",
    ] {
        assert!(
            words.iter().any(|x| x == w),
            "pest keywords should include `{w}`: {words:?}"
        );
    }
    let missing: Vec<_> = words.iter().filter(|w| !covers(&rs, w)).collect();
    assert!(
        missing.is_empty(),
        "keywords the grammar does not highlight: {missing:?}"
    );
    let builtins: Vec<_> = bylaw::author::all_builtins()
        .map(|b| b.name)
        .filter(|n| !covers(&rs, n))
        .collect();
    assert!(
        builtins.is_empty(),
        "built-in functions not highlighted: {builtins:?}"
    );
    assert!(covers(&rs, "now"));
}

#[test]
fn the_vscode_extension_ships_the_same_grammar() {
    let a = std::fs::read("editors/bylaw.tmLanguage.json").unwrap();
    let b = std::fs::read("editors/vscode/syntaxes/bylaw.tmLanguage.json").unwrap();
    assert!(
        a == b,
        "copy the grammar: cp editors/bylaw.tmLanguage.json editors/vscode/syntaxes/"
    );
    let pkg: Value =
        serde_json::from_str(&std::fs::read_to_string("editors/vscode/package.json").unwrap())
            .unwrap();
    let g = &pkg["contributes"]["grammars"][0];
    assert_eq!(g["scopeName"], "source.bylaw");
    assert_eq!(g["language"], "bylaw");
    let path = g["path"].as_str().unwrap();
    assert!(std::path::Path::new("editors/vscode").join(path).is_file());
    assert_eq!(
        pkg["contributes"]["languages"][0]["extensions"][0],
        ".bylaw"
    );
    let conf = pkg["contributes"]["languages"][0]["configuration"]
        .as_str()
        .unwrap();
    let conf: Value = serde_json::from_str(
        &std::fs::read_to_string(std::path::Path::new("editors/vscode").join(conf)).unwrap(),
    )
    .unwrap();
    assert_eq!(conf["comments"]["lineComment"], "#");
}
