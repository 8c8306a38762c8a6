//! The type checker and the compiler agree on what every name refers to: both take
//! binder scoping from `syntax::scoping`, and this pins it over every expression form.

use std::collections::BTreeSet;

use crate::compile::{compile, Node, NodeKind, Slot};
use crate::syntax::ast::{Expr, ExprKind};
use crate::syntax::parser::parse_policy;
use crate::syntax::Source;

/// Every expression form, each with names in each of its parts, binders nested in
/// every part of every binder form, and binders that shadow a fact and each other.
const POLICY: &str = r#"policy t
facts {
  x: integer
  y: integer
  xs: [integer]
  xss: [[integer]]
  r: { a: integer, s: "p" | "q" }
}
fn f(x: integer, y: integer) -> integer = x + count(y in xs where y > x)
fn g(y: integer) -> integer = sum(x + y for x in xs where x > y)
let quantifiers = any(x in xs where all(y in xs where y > x)) and count(x in [x, y] where x > y) > 0
let shadowed = any(x in xs where any(x in xss[x] where x > 0) and x > 1)
let in_the_list = all(x in xs where any(y in [x, y] where any(x in xss[y] where x == y)))
let collected = [x + y for x in xs where any(y in xs where y == x)]
let summed = sum(x * 2 for x in [x, y] where x > sum(y for y in xss[x]))
let nested = [[y for y in xss[x] where y > x] for x in xs]
let unfiltered = sum(x for x in xs) + len([x for x in xs])
let forms = [
  -x, not (x > 1), x is integer, xs[x], r.a, r["a"], f(x, y), min(x, y),
  if x > 0 and true then y else x, {a: x, b: [y]},
  match r.s { "p" => x, else => y },
  match { x > y => x, else => y },
  any(x in xs where match x { 1 => x > 0, else => {a: x}.a == y })
]
let in_forms = [if any(x in xs where x > y) then x else y, {a: count(y in xs where y > x)}]
"#;

/// How many forms `ExprKind` has: the arms of `forms_in`'s `match`.
const FORMS: usize = 20;

/// Every form the sample holds; the `match` has no wildcard, so a new form fails to
/// compile here until it has an arm (and `FORMS` counts it, and the sample has it).
fn forms_in(e: &Expr, seen: &mut BTreeSet<&'static str>) {
    seen.insert(match &e.kind {
        ExprKind::Null => "null",
        ExprKind::Bool(_) => "bool",
        ExprKind::Number(_) => "number",
        ExprKind::String(_) => "string",
        ExprKind::Money(..) => "money",
        ExprKind::Time(_) => "time",
        ExprKind::Duration(_) => "duration",
        ExprKind::Name(_) => "name",
        ExprKind::List(_) => "list",
        ExprKind::Call(..) => "call",
        ExprKind::Field(..) => "field",
        ExprKind::Unary(..) => "unary",
        ExprKind::Is(..) => "is",
        ExprKind::Index(..) => "index",
        ExprKind::Binary(..) => "binary",
        ExprKind::If(..) => "if",
        ExprKind::Record(_) => "record",
        ExprKind::Match(_) => "match",
        ExprKind::Quantifier(..) => "quantifier",
        ExprKind::Comprehension(..) => "comprehension",
    });
    e.for_each_child(|c| forms_in(c, seen));
}

/// Each name the compiler resolved: where it starts, and which binder it is.
fn compiled_names(e: &Node, out: &mut BTreeSet<(usize, Option<usize>)>) {
    if let NodeKind::Name(_) = e.kind {
        let binder = match e.slot {
            Slot::Binder(d) => Some(d as usize),
            _ => None,
        };
        out.insert((e.span.start, binder));
    }
    e.for_each_child(|c| compiled_names(c, out));
}

#[test]
fn the_checker_and_the_compiler_scope_every_form_alike() {
    let source = Source::new("t.bylaw", POLICY.to_string());
    let policy = parse_policy(&source).unwrap();

    // The sample holds every form that can hold a name.
    let mut forms = BTreeSet::new();
    for e in policy.lets.iter().map(|l| &l.value) {
        forms_in(e, &mut forms);
    }
    let without = ["money", "time", "duration", "null"];
    assert_eq!(forms.len() + without.len(), FORMS, "{forms:?}");

    let mut out = Vec::new();
    let checker: BTreeSet<_> = super::checked(&policy, &mut out, 64)
        .names_seen
        .into_iter()
        .collect();
    assert!(
        out.is_empty(),
        "{:?}",
        out.iter().map(|d| &d.message).collect::<Vec<_>>()
    );

    let program = compile(&policy, crate::eval::ops::arithmetic);
    let mut compiler = BTreeSet::new();
    for f in &program.functions {
        compiled_names(&f.body, &mut compiler);
    }
    for l in &program.lets {
        compiled_names(&l.value, &mut compiler);
    }
    // Binders at several depths, and names that are facts, were both seen.
    assert!(compiler.iter().any(|(_, b)| *b == Some(2)));
    assert!(compiler.iter().any(|(_, b)| b.is_none()));
    assert_eq!(checker, compiler);
}
