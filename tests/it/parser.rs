//! Parser and checker tests: good files parse; bad ones get messages a policy
//! author understands, at the right line and column (insta snapshots).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::path::Path;

use bylaw::syntax::ast::{BinaryOp, ExprKind, UnaryOp};
use bylaw::syntax::{parse_policy, Source};
use bylaw::Engine;

fn parse(text: &str) -> bylaw::syntax::ast::Policy {
    parse_policy(&Source::new("t.bylaw", text)).unwrap_or_else(|e| panic!("{e}"))
}

fn when_of(cond: &str) -> ExprKind {
    let p = parse(&format!(
        "policy p\nfacts a, b, c\ndeny x {{ message \"m\" when {cond} }}"
    ));
    p.rules[0].when().unwrap().kind.clone()
}

#[test]
fn the_shipped_rules_parse_and_check() {
    let engine = Engine::from_dir("rules").unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<_> = engine.policies().map(|p| p.id.name.clone()).collect();
    assert_eq!(ids, ["disassociate", "unsubscribe"]);
}

#[test]
fn precedence_and_binds_tighter_than_or() {
    let ExprKind::Binary(BinaryOp::Or, _, rhs) = when_of("a or b and c") else {
        panic!()
    };
    assert!(matches!(rhs.kind, ExprKind::Binary(BinaryOp::And, ..)));
}

#[test]
fn precedence_not_covers_a_comparison() {
    let ExprKind::Unary(UnaryOp::Not, inner) = when_of("not a == b") else {
        panic!()
    };
    assert!(matches!(inner.kind, ExprKind::Binary(BinaryOp::Eq, ..)));
}

#[test]
fn precedence_arithmetic() {
    let ExprKind::Binary(BinaryOp::Gt, lhs, _) = when_of("a + b * 2 > c") else {
        panic!()
    };
    let ExprKind::Binary(BinaryOp::Add, _, mul) = &lhs.kind else {
        panic!()
    };
    assert!(matches!(mul.kind, ExprKind::Binary(BinaryOp::Mul, ..)));
}

#[test]
fn default_binds_tighter_than_comparison() {
    let ExprKind::Binary(BinaryOp::Eq, lhs, _) = when_of("a ?? \"x\" == \"y\"") else {
        panic!()
    };
    assert!(matches!(lhs.kind, ExprKind::Binary(BinaryOp::Default, ..)));
}

#[test]
fn not_in_is_one_operator() {
    assert!(matches!(
        when_of("a not in [1, 2]"),
        ExprKind::Binary(BinaryOp::NotIn, ..)
    ));
}

#[test]
fn layout_and_comments_do_not_change_the_tree() {
    let a = parse("policy p\nfacts a\ndeny x { message \"m\" when a > 1 and a < 3 }");
    let b = parse("# c\npolicy p   # c\nfacts a\n\ndeny x {\n  message \"m\"\n  when a > 1 # c\n   and a < 3\n}\n");
    assert_eq!(a, b);
}

#[test]
fn facts_may_be_called_like_clause_keywords() {
    let p = parse("policy p\nfacts review, value\ndeny x { message \"{review.outcome}\" when value > 1 and review.outcome == \"x\" }");
    assert_eq!(p.rules.len(), 1);
}

#[test]
fn spans_give_line_and_column() {
    let p = parse("policy p\nfacts a\n\ndeny x {\n  message \"m\"\n  when a > 1\n}");
    let when = p.rules[0].when().unwrap();
    assert_eq!(when.span.line_col(), (6, 8));
    assert_eq!(p.rules[0].span.location(), "t.bylaw:4");
}

#[test]
fn syntax_errors() {
    insta::glob!("..", "parse_errors/*.bylaw", |path| {
        insta::assert_snapshot!(load_error(path));
    });
}

#[test]
fn check_errors() {
    insta::glob!("..", "check_errors/*.bylaw", |path| {
        insta::assert_snapshot!(load_error(path));
    });
}

fn load_error(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let name = format!(
        "tests/{}/{}",
        path.parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap(),
        path.file_name().unwrap().to_str().unwrap()
    );
    match Engine::from_sources([(name, text)]) {
        Ok(_) => panic!("{} should not load", path.display()),
        Err(e) => e.to_string(),
    }
}

/// Files are parsed on all cores; what loads, and the errors reported, keep the files'
/// order whatever thread parsed each.
#[test]
fn several_files_load_and_fail_in_their_order() {
    use bylaw::{Engine, LoadError};
    let good = |id: &str| {
        (
            format!("{id}.bylaw"),
            format!("policy {id}\nfacts a\ndeny d {{\n  message \"m\"\n  when a\n}}\n"),
        )
    };
    let bad = |id: &str| (format!("{id}.bylaw"), format!("policy {id}\ndeny {{\n"));
    let engine =
        Engine::from_sources([good("p1"), good("p2"), good("p3"), good("p4"), good("p5")]).unwrap();
    let ids: Vec<&str> = engine.policies().map(|p| p.id.name.as_str()).collect();
    assert_eq!(ids, ["p1", "p2", "p3", "p4", "p5"]);
    let err = Engine::from_sources([bad("b1"), good("p2"), bad("b3"), bad("b4"), good("p5")])
        .unwrap_err();
    assert!(
        matches!(err, LoadError::Invalid(_)),
        "not a syntax error: {err}"
    );
    let text = err.to_string();
    let at = |name: &str| {
        text.find(name)
            .unwrap_or_else(|| panic!("{name} not reported"))
    };
    assert!(
        at("b1.bylaw") < at("b3.bylaw") && at("b3.bylaw") < at("b4.bylaw"),
        "{text}"
    );
}
