//! The name checker, the type checker and the compiler agree on what every name
//! refers to: all three take scoping from `syntax::scoping` (binder forms from
//! `binder`, places from `scope`), and this pins it over every expression form and
//! every place in a policy, with the names each place sees and the ones it does not.

use std::collections::BTreeSet;

use crate::compile::{compile, Node, NodeKind, Program, Slot};
use crate::syntax::ast::{Clause, Expr, ExprKind, Policy, StatusKind, TemplatePart};
use crate::syntax::parser::parse_policy;
use crate::syntax::scoping::{places, Place, Refers};
use crate::syntax::Source;

/// Every expression form, each with names in each of its parts, binders nested in
/// every part of every binder form, and binders that shadow a fact and each other;
/// every place, each naming what it sees (binders, the element, lets, `now`, facts).
const POLICY: &str = r#"policy t
facts {
  x: integer
  y: integer
  xs: [integer]
  xss: [[integer]]
  r: { a: integer, s: "p" | "q" }
  es: [{ id: string, n: integer }]
  t0: timestamp
}
applies when x > 0 and any(y in xs where y > x) and now > t0 and quantifiers
for each e in [v for v in es where v.n > x and unfiltered > 0] identified by e.id
fn f(x: integer, y: integer, xs: [integer]) -> integer = x + count(y in xs where y > x)
fn g(y: integer, xs: [integer]) -> integer = sum(x + y for x in xs where x > y)
let quantifiers = any(x in xs where all(y in xs where y > x)) and count(x in [x, y] where x > y) > 0
let shadowed = any(x in xs where any(x in xss[x] where x > 0) and x > 1)
let in_the_list = all(x in xs where any(y in [x, y] where any(x in xss[y] where x == y)))
let collected = [x + y for x in xs where any(y in xs where y == x)]
let summed = sum(x * 2 for x in [x, y] where x > sum(y for y in xss[x]))
let nested = [[y for y in xss[x] where y > x] for x in xs]
let unfiltered = sum(x for x in xs) + len([x for x in xs])
let forms = [
  -x, not (x > 1), x is integer, xs[x], r.a, r["a"], f(x, y, xs), g(y, xs), min(x, y),
  if x > 0 and true then y else x, {a: x, b: [y]},
  match r.s { "p" => x, else => y },
  match { x > y => x, else => y },
  any(x in xs where match x { 1 => x > 0, else => {a: x}.a == y })
]
let in_forms = [if any(x in xs where x > y) then x else y, {a: count(y in xs where y > x)}]
let per_element = e.n + x + count(y in xs where y > e.n) + f(e.n, x, xs)
review every_clause {
  when e.n > x and per_element > 0 and any(x in xs where x > e.n) and now > t0
  message "{e.id}: {x} {count(y in xs where y > e.n)} {per_element}"
  remedy "lower {e.n} below {sum(y for y in xs where y > e.n)}"
  value e.n + sum(y for y in xs)
  cites "section 1"
  rejected when e.n > y and now > t0 and all(y in xs where y > e.n)
  approved by "manager" at t0 when any(y in xs where y == e.n) and per_element > 0
}
"#;

/// At every place, names it does not see: the element where no element is taken
/// yet, a function's body naming a fact, a `let`, `now` and the element, a `let`
/// naming the binder around where it is used. Every stage looks them up alike (the
/// name checker refuses each).
const UNSEEN: &str = r#"policy u
facts {
  x: integer
  xs: [integer]
  es: [{ id: string, n: integer }]
}
applies when e.n > 0
for each e in [e] identified by e.id
fn f(a: integer) -> integer = a + x + l + e.n + count(z in xs where now > z)
let l = v + 1
deny d {
  when any(v in xs where l > v)
  message "{v}"
}
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

/// Each place the sample has: the `match`es have no wildcard, so a new place or
/// clause fails to compile here until it has a name (and `PLACES` counts it, and the
/// sample has it).
fn place_name(place: Place<'_>) -> &'static str {
    match place {
        Place::Applies => "applies",
        Place::ForEachList => "for each",
        Place::ForEachId => "identified by",
        Place::Let => "let",
        Place::Body(_) => "function body",
        Place::Clause(c) => match c {
            Clause::Message(_) => "message",
            Clause::Remedy(_) => "remedy",
            Clause::When(_) => "when",
            Clause::Value(_) => "value",
            Clause::Cites(_) => "cites",
            Clause::Status(s) => match s.status {
                StatusKind::Rejected => "rejected",
                StatusKind::Approved { .. } => "approved",
            },
        },
    }
}

/// How many places hold expressions: `place_name`'s names, but `cites`.
const PLACES: usize = 11;

/// Where every name in `p` starts, by `places`: what each stage must have looked up.
fn every_name(p: &Policy) -> BTreeSet<usize> {
    fn go(e: &Expr, out: &mut BTreeSet<usize>) {
        if let ExprKind::Name(_) = e.kind {
            out.insert(e.span.start);
        }
        e.for_each_child(|c| go(c, out));
    }
    let mut out = BTreeSet::new();
    places(p, |_, e| go(e, &mut out));
    out
}

/// What the compiler made of each name: where it starts, what its slot refers to.
fn compiled(program: &Program) -> BTreeSet<(usize, Refers)> {
    fn go(e: &Node, out: &mut BTreeSet<(usize, Refers)>) {
        if let NodeKind::Name(_) = e.kind {
            let refers = match e.slot {
                Slot::Binder(d) => Refers::Binder(d as usize),
                Slot::Item => Refers::Item,
                Slot::Let(_) => Refers::Let,
                Slot::Now => Refers::Now,
                Slot::Fact(_) => Refers::Fact,
                Slot::Unresolved | Slot::Path { .. } | Slot::Function(_) => Refers::Nothing,
            };
            out.insert((e.span.start, refers));
        }
        e.for_each_child(|c| go(c, out));
    }
    let mut out = BTreeSet::new();
    let mut e = |n: &Node| go(n, &mut out);
    program.functions.iter().for_each(|f| e(&f.body));
    program.applies.iter().for_each(&mut e);
    if let Some(fe) = &program.for_each {
        e(&fe.list);
        fe.id.iter().for_each(&mut e);
    }
    program.lets.iter().for_each(|l| e(&l.value));
    for c in program.rules.iter().flat_map(|r| &r.clauses) {
        match c {
            Clause::Message(t) | Clause::Remedy(t) => t.parts.iter().for_each(|p| {
                if let TemplatePart::Hole(h) = p {
                    e(h);
                }
            }),
            Clause::When(x) | Clause::Value(x) => e(x),
            Clause::Cites(_) => {}
            Clause::Status(s) => {
                e(&s.when);
                if let StatusKind::Approved { at, .. } = &s.status {
                    e(at);
                }
            }
        }
    }
    out
}

/// What each stage made of every name in `text`: the name checker's, the type
/// checker's and the compiler's, with what the checkers said.
struct Stages {
    policy: Policy,
    names: BTreeSet<(usize, Refers)>,
    types: BTreeSet<(usize, Refers)>,
    compiled: BTreeSet<(usize, Refers)>,
    said: Vec<String>,
}

fn stages(text: &str) -> Stages {
    let source = Source::new("t.bylaw", text.to_string());
    let policy = parse_policy(&source).unwrap();
    let mut out = Vec::new();
    let names = crate::check::names_seen(&policy, &mut out);
    let types = super::checked(&policy, &mut out, 64).names_seen;
    let compiled = compiled(&compile(&policy, crate::eval::ops::arithmetic));
    Stages {
        names: names.into_iter().collect(),
        types: types.into_iter().collect(),
        compiled,
        said: out.into_iter().map(|d| d.message).collect(),
        policy,
    }
}

impl Stages {
    /// The three stages looked up every name, once each, and alike.
    fn agree(&self) {
        let starts: BTreeSet<usize> = self.names.iter().map(|(s, _)| *s).collect();
        assert_eq!(starts, every_name(&self.policy));
        assert_eq!(starts.len(), self.names.len(), "{:?}", self.names);
        assert_eq!(self.names, self.types);
        assert_eq!(self.names, self.compiled);
    }

    fn refers(&self) -> BTreeSet<Refers> {
        self.names.iter().map(|(_, r)| *r).collect()
    }
}

#[test]
fn the_checkers_and_the_compiler_scope_every_form_and_place_alike() {
    let s = stages(POLICY);
    // Nothing to say but the shadowing, which the sample does on purpose.
    let shadowing = |m: &String| m.ends_with("is already a name here");
    assert!(s.said.iter().all(shadowing), "{:?}", s.said);

    // The sample holds every form that can hold a name.
    let mut forms = BTreeSet::new();
    places(&s.policy, |_, e| forms_in(e, &mut forms));
    let without = ["money", "time", "duration", "null"];
    assert_eq!(forms.len() + without.len(), FORMS, "{forms:?}");
    // And every place, each naming binders, the element, lets, `now` and facts.
    let mut at = BTreeSet::new();
    places(&s.policy, |place, _| {
        at.insert(place_name(place));
    });
    assert_eq!(at.len(), PLACES, "{at:?}");

    s.agree();
    // Binders at several depths, and every other kind of name, were seen.
    assert!(s.names.iter().any(|(_, r)| *r == Refers::Binder(2)));
    let kinds = s.refers();
    for r in [Refers::Item, Refers::Let, Refers::Now, Refers::Fact] {
        assert!(kinds.contains(&r), "{r:?} in {kinds:?}");
    }
}

#[test]
fn every_stage_refuses_a_name_where_its_place_does_not_see_it() {
    let s = stages(UNSEEN);
    s.agree();
    // In the function's body: nothing but its parameter and its own binder.
    let body = s.policy.functions[0].body.span.clone();
    let in_body: Vec<Refers> = (s.names.iter())
        .filter(|(at, _)| body.start <= *at && *at < body.end)
        .map(|(_, r)| *r)
        .collect();
    assert_eq!(
        in_body,
        [
            Refers::Binder(0),
            Refers::Nothing,
            Refers::Nothing,
            Refers::Nothing,
            Refers::Nothing,
            Refers::Nothing,
            Refers::Binder(0),
        ]
    );
    // Each refused, by the name checker, with what it does not see.
    let unknown = |n: &str| format!("unknown name `{n}`");
    for n in ["x", "l", "e", "xs", "now", "v"] {
        assert!(s.said.contains(&unknown(n)), "{n}: {:?}", s.said);
    }
    // The element where none is taken (`applies`, the list), and `v` in the `let`
    // and the message, are looked up among the facts (none is declared), as `xs` is.
    let facts = s.names.iter().filter(|(_, r)| *r == Refers::Fact).count();
    assert_eq!(facts, 5, "{:?}", s.names);
}
