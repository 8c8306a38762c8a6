//! Messages and explanations: the step limit is stated as it is, an error's caret is
//! on the clause that failed, literal helper data is never evidence, and capped
//! evidence says how much it left out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bylaw::input::{load_str, Format};
use bylaw::{Engine, Limits, Outcome};

fn engine(text: &str) -> Engine {
    Engine::from_sources([("t.bylaw".to_string(), text.to_string())])
        .unwrap_or_else(|e| panic!("{e}"))
}

fn json(text: &str) -> bylaw::Value {
    load_str(text, Format::Json, "facts").unwrap()
}

#[test]
fn the_step_limit_message_states_the_limit_not_the_steps_left() {
    let text = "policy p\nfacts a\nfor each r in a.l\ndeny d {\n  message \"m\"\n  when any(x in a.l where x == r and x < 0)\n}\n";
    let limits = Limits {
        max_steps: 100_000,
        ..Limits::default()
    };
    let engine = Engine::from_sources_with([("t.bylaw".into(), text.into())], &limits).unwrap();
    let list: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    let d = engine.evaluate(&json(&format!(
        "{{\"a\": {{\"l\": [{}]}}}}",
        list.join(",")
    )));
    assert_eq!(d.decision, Outcome::Error);
    // Every element stopped says the decision's limit, whatever was left for it.
    for item in d.items.iter().filter(|i| i.decision == Outcome::Error) {
        assert_eq!(
            item.errors[0].reason,
            "evaluation stopped: the decision took more than 100000 steps (the limit per decision)"
        );
    }
}

#[test]
fn an_error_in_a_value_clause_has_its_caret_on_the_value() {
    let text = "policy p\nfacts a\neffect e { message \"m\" when true value a * 7922816251426433759354395033 }\n";
    let engine = engine(text);
    let d = engine.evaluate(&json("{\"a\": 100}"));
    let diags = bylaw::report::errors::diagnostics(&d);
    let shown = diags[0].to_string();
    // `a * …` starts at column 40; `when true` (column 24) shares its line.
    assert!(shown.contains("out of range"), "{shown}");
    assert!(shown.contains("t.bylaw:3:40"), "{shown}");
}

#[test]
fn literal_helper_data_is_never_evidence() {
    let text = "policy p\nfacts t\nlet minutes = [\"00\", \"15\", \"30\", \"45\"]\nlet limit = 3\n\
                deny d {\n  message \"m\"\n  when any(m in minutes where format_time(t, \"%M\") == m) and limit > 2\n}\n";
    let d = engine(text).evaluate(&json("{\"t\": \"2021-09-30T10:15:00+08:00\"}"));
    assert_eq!(d.decision, Outcome::Denied);
    let facts: Vec<String> = d.matched[0]
        .evidence
        .iter()
        .flat_map(|e| &e.facts)
        .map(|f| {
            f.path
                .as_deref()
                .or(f.let_name.as_deref())
                .unwrap_or("?")
                .to_string()
        })
        .collect();
    assert_eq!(facts, ["t"]);
}

#[test]
fn a_fact_from_the_snapshot_is_still_evidence_beside_helper_data() {
    // Near miss: a list from the snapshot is evidence, element by element.
    let text = "policy p\nfacts t, minutes\ndeny d {\n  message \"m\"\n  when any(m in minutes where format_time(t, \"%M\") == m)\n}\n";
    let d = engine(text).evaluate(&json(
        "{\"t\": \"2021-09-30T10:15:00+08:00\", \"minutes\": [\"00\", \"15\"]}",
    ));
    let paths: Vec<_> = d.matched[0].evidence[0]
        .facts
        .iter()
        .filter_map(|f| f.path.as_deref())
        .collect();
    assert_eq!(paths, ["t", "minutes[1]"]);
}

#[test]
fn capped_evidence_says_how_many_facts_were_left_out() {
    let reads: Vec<String> = (0..40).map(|i| format!("a.f{i}")).collect();
    let text = format!(
        "policy p\nfacts a\ndeny d {{\n  message \"m\"\n  when count([{}]) == 40\n}}\n",
        reads.join(", ")
    );
    let fields: Vec<String> = (0..40).map(|i| format!("\"f{i}\": {i}")).collect();
    let d = engine(&text).evaluate(&json(&format!("{{\"a\": {{{}}}}}", fields.join(", "))));
    let e = &d.matched[0].evidence[0];
    assert_eq!((e.facts.len(), e.omitted), (32, 8));
    let out = serde_json::to_string(&d).unwrap();
    assert!(out.contains("\"omitted\":8"), "{out}");
    // The JSON renderer writes what serde writes.
    let mut rendered = Vec::new();
    bylaw::report::json::write_decision(&mut rendered, &d);
    let rendered = String::from_utf8(rendered).unwrap();
    assert!(rendered.contains("\"omitted\":8}"), "{rendered}");
    let parsed: serde_json::Value = serde_json::from_str(&rendered).unwrap();
    assert_eq!(parsed, serde_json::to_value(&d).unwrap());
    let text_form = bylaw::report::text::render(&d);
    assert!(
        text_form.contains("a.f31 = 31; and 8 more facts not shown]"),
        "{text_form}"
    );
}

#[test]
fn uncapped_evidence_has_no_marker() {
    let text = "policy p\nfacts a\ndeny d {\n  message \"m\"\n  when a.x == 1\n}\n";
    let d = engine(text).evaluate(&json("{\"a\": {\"x\": 1}}"));
    assert_eq!(d.matched[0].evidence[0].omitted, 0);
    assert!(!serde_json::to_string(&d).unwrap().contains("omitted"));
}

#[test]
fn capped_conditions_say_how_many_were_left_out() {
    let conds: Vec<String> = (0..40).map(|i| format!("a.f{i} == {i}")).collect();
    let text = format!(
        "policy p\nfacts a\ndeny d {{\n  message \"m\"\n  when {}\n}}\n",
        conds.join(" and ")
    );
    let fields: Vec<String> = (0..40).map(|i| format!("\"f{i}\": {i}")).collect();
    let d = engine(&text).evaluate(&json(&format!("{{\"a\": {{{}}}}}", fields.join(", "))));
    let ev = &d.matched[0].evidence;
    assert_eq!(ev.len(), 33);
    assert_eq!(
        &*ev[32].condition,
        "… 8 more conditions not shown (evidence lists at most 32)"
    );
}

#[test]
fn help_texts_of_evaluation_errors_fit_their_case() {
    let hint_of = |text: &str, facts: &str| {
        let engine = engine(text);
        let d = engine.evaluate(&json(facts));
        let diags = bylaw::report::errors::diagnostics(&d);
        diags[0].hint.clone().unwrap_or_default()
    };
    // A condition that is not a fact: no "`the fact` must be true or false".
    let h = hint_of(
        "policy p\nfacts a\ndeny d {\n  message \"m\"\n  when a.n + 1 and true\n}\n",
        "{\"a\": {\"n\": 1}}",
    );
    assert_eq!(
        h,
        "a condition must be true or false; compare the value, e.g. `x > 0`"
    );
    // Two amounts added: no literal the rule compares with.
    let h = hint_of(
        "policy p\nfacts a\ndeny d {\n  message \"m\"\n  when a.x + a.y > a.x\n}\n",
        "{\"a\": {\"x\": {\"amount\": \"1.00\", \"currency\": \"USD\"}, \"y\": {\"amount\": \"1.00\", \"currency\": \"EUR\"}}}",
    );
    assert!(h.contains("added, subtracted or divided"), "{h}");
}
