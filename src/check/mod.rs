//! Load-time checks: names, arities, literal types, duplicates. Every error at once.

use std::collections::{HashMap, HashSet};

use crate::eval::functions;
use crate::report::diagnostic::{Diagnostic, Kind, Operand};
use crate::syntax::ast::*;
use crate::syntax::scoping::{self, Bound, Place, Refers, Scope, Step};
use crate::value::Type;

mod forms;
pub(crate) mod imports;
mod shapes;
pub mod typeck;

use shapes::static_type;

/// A policy ID given again: both places are shown.
pub(crate) fn duplicate_id(id: &Ident, first: &Ident) -> Diagnostic {
    Diagnostic::at(
        &id.span,
        format!("the policy `{}` is defined twice", id.name),
    )
    .hint(format!(
        "it is also defined at {}",
        first.span.location_col()
    ))
}

/// The checks that concern one policy alone (all but duplicate IDs, which loading
/// finds after): policies are checked on all cores while a rule set loads.
pub(crate) fn check_one(p: &Policy, limits: &crate::limits::Limits) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let _names = check_policy(p, &mut out, limits.max_expr_depth);
    crate::check::typeck::check_policy(p, &mut out, limits.max_expr_depth);
    out
}

/// `max_depth`: `Limits::max_expr_depth`, which the parser enforced on every
/// expression; here it bounds the walks (a policy not built by the parser) and the
/// chain of lets. Returns each name checked, where it starts and what it refers to
/// (recorded in tests only, for `typeck/scope_tests.rs`).
fn check_policy(p: &Policy, out: &mut Vec<Diagnostic>, max_depth: usize) -> Vec<(usize, Refers)> {
    for span in &p.repeated_clauses {
        out.push(
            Diagnostic::at(span, "this header clause is given twice").of_kind(Kind::HeaderTwice),
        );
    }
    let mut facts: HashSet<&str> = HashSet::new();
    for f in &p.facts {
        if !facts.insert(&f.name) {
            out.push(
                Diagnostic::at(&f.span, format!("the fact `{}` is declared twice", f.name))
                    .of_kind(Kind::DeclaredTwice),
            );
        }
    }
    let mut lets: HashMap<&str, &Let> = HashMap::new();
    for l in &p.lets {
        let n = l.name.name.as_str();
        if let Some(first) = lets.insert(n, l) {
            out.push(
                Diagnostic::at(&l.name.span, format!("`{n}` is defined twice")).hint(format!(
                    "it is also defined at {}",
                    first.name.span.location_col()
                )),
            );
        }
        if facts.contains(n) || n == "now" || p.for_each.as_ref().is_some_and(|f| f.var.name == n) {
            out.push(
                Diagnostic::at(&l.name.span, format!("`{n}` is already the name of a fact"))
                    .of_kind(Kind::FactName),
            );
        }
    }
    let functions = forms::functions(p, out);
    forms::check_function_cycles(p, out);
    let mut names = Names {
        policy: p,
        facts: &facts,
        lets: &lets,
        scope: scoping::scope(p, Place::Applies),
        binders: Vec::new(),
        functions: &functions,
        typed: p.schema.is_some(),
        max_depth,
        #[cfg(test)]
        seen: Vec::new(),
    };
    for f in &p.functions {
        names.function_body(f, out);
    }
    if let Some(a) = &p.applies {
        names.at(Place::Applies, a, out);
    }
    if let Some(fe) = &p.for_each {
        names.at(Place::ForEachList, &fe.list, out);
        if facts.contains(fe.var.name.as_str()) || fe.var.name == "now" {
            out.push(
                Diagnostic::at(
                    &fe.var.span,
                    format!("`{}` is already the name of a fact", fe.var.name),
                )
                .of_kind(Kind::FactName),
            );
        }
        if let Some(id) = &fe.id {
            names.at(Place::ForEachId, id, out);
        }
    }
    for l in &p.lets {
        names.at(Place::Let, &l.value, out);
    }
    check_let_cycles(p, out, max_depth);

    let mut rules: HashMap<&str, &Rule> = HashMap::new();
    for r in &p.rules {
        if let Some(first) = rules.insert(&r.name.name, r) {
            out.push(
                Diagnostic::at(
                    &r.name.span,
                    format!("the rule `{}.{}` is defined twice", p.id.name, r.name.name),
                )
                .hint(format!(
                    "it is also defined at {}",
                    first.name.span.location_col()
                )),
            );
        }
        check_rule(&p.id.name, r, &mut names, out);
    }
    #[cfg(test)]
    return names.seen;
    #[cfg(not(test))]
    Vec::new()
}

fn check_rule<'p>(policy: &str, r: &'p Rule, names: &mut Names<'p>, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for c in &r.clauses {
        let (word, span) = match c {
            Clause::Message(t) => ("message", &t.span),
            Clause::Remedy(t) => ("remedy", &t.span),
            Clause::When(e) => ("when", &e.span),
            Clause::Value(e) => ("value", &e.span),
            Clause::Cites(s) => ("cites", &s.span),
            Clause::Status(s) => ("status", &s.span),
        };
        let n = seen.entry(word).or_default();
        *n += 1;
        if *n == 2 && word != "status" {
            out.push(
                Diagnostic::at(
                    span,
                    format!("a rule has one `{word}` clause; this is a second"),
                )
                .of_kind(Kind::SecondClause),
            );
        }
        if word == "status" && r.kind != RuleKind::Review {
            out.push(
                Diagnostic::at(
                    span,
                    "only a `review` rule can say when it is approved or rejected",
                )
                .hint(format!("this rule is a `{}`", r.kind.as_str())),
            );
        }
        let place = Place::Clause(c);
        match c {
            Clause::Message(t) | Clause::Remedy(t) => {
                for part in &t.parts {
                    if let TemplatePart::Hole(e) = part {
                        names.at(place, e, out);
                    }
                }
            }
            Clause::When(e) => {
                names.at(place, e, out);
                expect_condition(e, out);
            }
            Clause::Value(e) => names.at(place, e, out),
            Clause::Cites(_) => {}
            Clause::Status(s) => {
                names.at(place, &s.when, out);
                expect_condition(&s.when, out);
                if let StatusKind::Approved { at, .. } = &s.status {
                    names.at(place, at, out);
                    if let Some(t) = static_type(at) {
                        if t != Type::Time {
                            out.push(
                                Diagnostic::at(
                                    &at.span,
                                    format!("an approval time must be a timestamp, not {t}"),
                                )
                                .of_kind(Kind::ApprovalTime),
                            );
                        }
                    }
                }
            }
        }
    }
    for word in ["message", "when"] {
        if !seen.contains_key(word) {
            out.push(
                Diagnostic::at(
                    &r.name.span,
                    format!("the rule `{policy}.{}` has no `{word}` clause", r.name.name),
                )
                .hint(if word == "when" {
                    "write `when CONDITION` (or `when true` for a rule that always applies)"
                } else {
                    "write `message \"…\"`: what the customer or support engineer reads"
                }),
            );
        }
    }
}

fn expect_condition(e: &Expr, out: &mut Vec<Diagnostic>) {
    if let Some(t) = static_type(e) {
        if t != Type::Bool {
            out.push(
                Diagnostic::at(
                    &e.span,
                    format!("a condition must be true or false, but this is {t}"),
                )
                .of_kind(Kind::NotCondition),
            );
        }
    }
}

/// Refuses `let`s defined in terms of themselves, and chains of `let`s (one using
/// the next) longer than `max_chain`: evaluating one recurses through all of them.
/// Walks with its own stack, so a long chain cannot overflow the real one.
fn check_let_cycles(p: &Policy, out: &mut Vec<Diagnostic>, max_chain: usize) {
    let index: HashMap<&str, usize> = p
        .lets
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.name.as_str(), i))
        .collect();
    let refs: Vec<Vec<usize>> = p
        .lets
        .iter()
        .map(|l| {
            let mut names = Vec::new();
            free_names(&l.value, &mut names);
            names
                .iter()
                .filter_map(|n| index.get(n.as_str()).copied())
                .collect()
        })
        .collect();
    // The longest chain of lets below each let.
    let mut chain = vec![0usize; p.lets.len()];
    walk_uses(
        &refs,
        |j, _| {
            let name = &p.lets[j].name;
            out.push(
                Diagnostic::at(
                    &name.span,
                    format!("`{}` is defined in terms of itself", name.name),
                )
                .of_kind(Kind::SelfReference),
            );
        },
        |i, j| chain[i] = chain[i].max(chain[j] + 1),
    );
    if let Some((i, &longest)) = chain.iter().enumerate().max_by_key(|(_, c)| **c) {
        if longest > max_chain {
            let name = &p.lets[i].name;
            out.push(
                Diagnostic::at(
                    &name.span,
                    format!(
                        "`{}` starts a chain of {longest} `let`s each using the next, more than the limit of {max_chain}",
                        name.name
                    ),
                )
                .hint("compute the value in fewer steps"),
            );
        }
    }
}

/// Depth first through definitions that use one another (`refs[i]`: the ones `i`
/// uses), on a stack of its own so that a long chain cannot overflow the thread's.
/// `cycle(j, through)` for each use that closes a cycle at `j` (`through`: the
/// definitions between, in order); `below(i, j)` for each use of a definition `j`
/// whose own walk is complete, so that a measure can be carried up the chain.
pub(super) fn walk_uses(
    refs: &[Vec<usize>],
    mut cycle: impl FnMut(usize, Vec<usize>),
    mut below: impl FnMut(usize, usize),
) {
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; refs.len()];
    for root in 0..refs.len() {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(top) = stack.last_mut() {
            let (i, next) = *top;
            if let Some(&j) = refs[i].get(next) {
                top.1 += 1;
                match state[j] {
                    0 => {
                        state[j] = 1;
                        stack.push((j, 0));
                    }
                    1 => {
                        let through = stack
                            .iter()
                            .skip_while(|(k, _)| *k != j)
                            .skip(1)
                            .map(|(k, _)| *k)
                            .collect();
                        cycle(j, through);
                    }
                    _ => below(i, j),
                }
            } else {
                state[i] = 2;
                stack.pop();
                if let Some(&(parent, _)) = stack.last() {
                    below(parent, i);
                }
            }
        }
    }
}

/// The names an expression reads that its own binder forms do not bind, in the
/// order first read.
pub fn free_names(e: &Expr, out: &mut Vec<String>) {
    fn go<'e>(e: &'e Expr, bound: &mut Bound<'e>, out: &mut Vec<String>) {
        if let ExprKind::Name(n) = &e.kind {
            if !bound.contains(n) && !out.contains(n) {
                out.push(n.clone());
            }
        }
        scoping::walk(e, |step| {
            if let Some(part) = bound.step(step) {
                go(part, bound, out);
            }
        });
    }
    go(e, &mut Bound::default(), out);
}

struct Names<'p> {
    policy: &'p Policy,
    facts: &'p HashSet<&'p str>,
    lets: &'p HashMap<&'p str, &'p Let>,
    /// The names the place being checked gives its expression.
    scope: Scope<'p>,
    /// The binders around the expression being checked, innermost last: the scope's
    /// (a function's parameters), then the elements bound inside the expression.
    binders: Vec<String>,
    /// The policy's functions, by name.
    functions: &'p HashMap<&'p str, &'p Function>,
    /// Whether types are known here (typed facts, or a function's parameters): a
    /// `match` without `else` is then proved complete by the type checker.
    typed: bool,
    /// How deep an expression may nest: `Limits::max_expr_depth`.
    max_depth: usize,
    /// Each name checked: where it starts, and what it refers to.
    #[cfg(test)]
    seen: Vec<(usize, Refers)>,
}

impl<'p> Names<'p> {
    /// Checks `e`, which sits at `place`, with the names its place gives it.
    fn at(&mut self, place: Place<'p>, e: &Expr, out: &mut Vec<Diagnostic>) {
        let scope = scoping::scope(self.policy, place);
        let binders = scope.bound.iter().map(|x| x.name.name.clone()).collect();
        let saved = (
            std::mem::replace(&mut self.scope, scope),
            std::mem::replace(&mut self.binders, binders),
        );
        self.expr(e, out, 0);
        (self.scope, self.binders) = saved;
    }

    /// What `n` refers to where the checker is.
    fn refers(&self, n: &str) -> Refers {
        let depth = self.binders.iter().rev().position(|b| b == n);
        self.scope.refers(n, depth, |n| self.lets.contains_key(n))
    }

    /// Whether `n` names something here (a fact only if declared).
    fn is_taken(&self, n: &str) -> bool {
        match self.refers(n) {
            Refers::Fact => self.facts.contains(n),
            Refers::Nothing => false,
            Refers::Binder(_) | Refers::Item | Refers::Let | Refers::Now => true,
        }
    }

    /// The names known here, for a hint.
    fn known(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.binders.iter().map(String::as_str).collect();
        v.extend(self.scope.item.map(|i| i.name.as_str()));
        if self.scope.policy_names {
            v.extend(self.facts.iter().copied());
            v.extend(self.lets.keys().copied());
            v.push("now");
        }
        v.sort_unstable();
        v
    }

    fn bind(&mut self, var: &Ident, out: &mut Vec<Diagnostic>) {
        if self.is_taken(&var.name) {
            out.push(
                Diagnostic::at(&var.span, format!("`{}` is already a name here", var.name)).hint(
                    "choose another name for the element, so it cannot be mistaken for the other",
                ),
            );
        }
        self.binders.push(var.name.clone());
    }

    fn expr(&mut self, e: &Expr, out: &mut Vec<Diagnostic>, depth: usize) {
        if depth > self.max_depth {
            out.push(
                Diagnostic::at(
                    &e.span,
                    format!(
                        "this expression is nested more than {} levels deep",
                        self.max_depth
                    ),
                )
                .of_kind(Kind::TooDeep),
            );
            return;
        }
        match &e.kind {
            ExprKind::Name(n) => {
                #[cfg(test)]
                self.seen.push((e.span.start, self.refers(n)));
                if !self.is_taken(n) {
                    let d = Diagnostic::at(&e.span, format!("unknown name `{n}`"));
                    let known = self.known();
                    let d = match crate::report::diagnostic::did_you_mean(n, known.iter().copied()) {
                        Some(s) => d.hint(format!("did you mean `{s}`?")),
                        None if !self.scope.policy_names => d.hint(format!(
                            "a function's body sees its parameters only (pass facts and lets as arguments); known here: {}",
                            known.join(", ")
                        )),
                        None => d.hint(format!(
                            "a name is a fact declared with `facts`, a `let`, an element bound by `for each` or a quantifier, or `now`; known here: {}",
                            known.join(", ")
                        )),
                    };
                    out.push(d);
                }
            }
            ExprKind::Call(f, args) if self.functions.contains_key(f.name.as_str()) => {
                self.user_call(e, f, args, out);
                for a in args {
                    self.expr(a, out, depth + 1);
                }
            }
            ExprKind::Call(f, args) if f.name == "position" => self.position(e, args, out),
            ExprKind::Match(m) => {
                self.match_expr(e, m, out);
                e.for_each_child(|c| self.expr(c, out, depth + 1));
            }
            ExprKind::Record(fields) => {
                forms::record_fields(fields, out);
                e.for_each_child(|c| self.expr(c, out, depth + 1));
            }
            ExprKind::Call(f, args) => {
                match functions::builtin(&f.name) {
                    None => out.push(
                        Diagnostic::at(&f.span, format!("unknown function `{}`", f.name)).suggest(
                            &f.name,
                            functions::all()
                                .map(|b| b.name)
                                .chain(self.functions.keys().copied())
                                .chain(["position"]),
                        ),
                    ),
                    Some(b) if args.len() < b.min || args.len() > b.max => {
                        let want = if b.min == b.max {
                            b.min.to_string()
                        } else {
                            format!("{} to {}", b.min, b.max)
                        };
                        out.push(
                            Diagnostic::at(
                                &e.span,
                                format!(
                                    "`{}` takes {want} argument{}, not {}",
                                    f.name,
                                    if want == "1" { "" } else { "s" },
                                    args.len()
                                ),
                            )
                            .hint(b.doc),
                        );
                    }
                    Some(_) => {}
                }
                if f.name == "present" || f.name == "require" {
                    if let Some(a) = args.first() {
                        if a.path_root().is_none() {
                            out.push(Diagnostic::at(
                                &a.span,
                                format!(
                                    "`{}` takes a fact path, such as `review.decided_at`",
                                    f.name
                                ),
                            ));
                        }
                    }
                }
                if f.name == "format_time" {
                    if let Some(Expr {
                        kind: ExprKind::String(p),
                        span,
                        ..
                    }) = args.get(1)
                    {
                        if let Err(err) = functions::time_format(p) {
                            out.push(
                                Diagnostic::at(span, err.to_string()).of_kind(Kind::TimeFormat),
                            );
                        }
                    }
                }
                if f.name == "to_offset" || f.name == "calendar_month" {
                    if let Some(Expr {
                        kind: ExprKind::String(o),
                        span,
                        ..
                    }) = args.get(1)
                    {
                        if let Err(err) = functions::parse_offset(o) {
                            out.push(Diagnostic::at(span, err.to_string()));
                        }
                    }
                }
                for a in args {
                    self.expr(a, out, depth + 1);
                }
                literal_types(e, out);
            }
            ExprKind::Quantifier(..) | ExprKind::Comprehension(..) => {
                self.parts(e, out, depth);
                if let Some(b) = scoping::binder(e) {
                    if let scoping::BinderForm::Quantifier(_) = b.form {
                        expect_condition(b.body, out);
                    }
                    if let Some(c) = b.guard {
                        expect_condition(c, out);
                    }
                }
            }
            _ => {
                literal_types(e, out);
                self.parts(e, out, depth);
            }
        }
    }

    /// Checks `e`'s parts, with the names its form binds around them.
    fn parts(&mut self, e: &Expr, out: &mut Vec<Diagnostic>, depth: usize) {
        scoping::walk(e, |step| match step {
            Step::Part(part) => self.expr(part, out, depth + 1),
            Step::Bind { var, .. } => self.bind(var, out),
            Step::Unbind => {
                self.binders.pop();
            }
        });
    }
}

/// Type errors visible from literals alone: `1000 USD > "x"`, `not 3`, `"a" + 1`.
fn literal_types(e: &Expr, out: &mut Vec<Diagnostic>) {
    match &e.kind {
        ExprKind::Binary(op, l, r) => {
            let (Some(a), Some(b)) = (static_type(l), static_type(r)) else {
                if let (BinaryOp::And | BinaryOp::Or, Some(t)) =
                    (op, static_type(l).or(static_type(r)))
                {
                    if t != Type::Bool {
                        out.push(
                            Diagnostic::at(
                                &e.span,
                                format!(
                                    "`{}` needs true or false on both sides, not {t}",
                                    op.as_str()
                                ),
                            )
                            .of_kind(Kind::NotBooleanOperand),
                        );
                    }
                }
                return;
            };
            let ok = match op {
                BinaryOp::And | BinaryOp::Or => a == Type::Bool && b == Type::Bool,
                BinaryOp::Eq | BinaryOp::Ne => a == b || a == Type::Null || b == Type::Null,
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                    a == b
                        && matches!(
                            a,
                            Type::Number | Type::String | Type::Money | Type::Time | Type::Duration
                        )
                }
                BinaryOp::In | BinaryOp::NotIn => {
                    matches!(b, Type::List | Type::Map | Type::String)
                }
                BinaryOp::Default => true,
                BinaryOp::Add | BinaryOp::Sub => {
                    matches!(
                        (a, b),
                        (Type::Number, Type::Number)
                            | (Type::Money, Type::Money)
                            | (Type::Time, Type::Duration)
                            | (Type::Duration, Type::Duration)
                    ) || (*op == BinaryOp::Add
                        && matches!(
                            (a, b),
                            (Type::Duration, Type::Time)
                                | (Type::String, Type::String)
                                | (Type::List, Type::List)
                        ))
                        || (*op == BinaryOp::Sub && (a, b) == (Type::Time, Type::Time))
                }
                BinaryOp::Mul => matches!(
                    (a, b),
                    (Type::Number, Type::Number | Type::Money | Type::Duration)
                        | (Type::Money | Type::Duration, Type::Number)
                ),
                BinaryOp::Div => matches!(
                    (a, b),
                    (Type::Number | Type::Money | Type::Duration, Type::Number)
                        | (Type::Money, Type::Money)
                        | (Type::Duration, Type::Duration)
                ),
            };
            if !ok {
                out.push(
                    Diagnostic::at(
                        &e.span,
                        format!("`{}` cannot be used on {a} and {b}", op.as_str()),
                    )
                    .of_kind(Kind::Operator {
                        op: *op,
                        left: Operand::of(a),
                        right: Operand::of(b),
                    }),
                );
            } else if let (ExprKind::Money(_, c1), ExprKind::Money(_, c2)) = (&l.kind, &r.kind) {
                if c1 != c2 {
                    out.push(
                        Diagnostic::at(
                            &e.span,
                            format!(
                            "`{c1}` and `{c2}` are different currencies, which are never converted"
                        ),
                        )
                        .of_kind(Kind::Currencies),
                    );
                }
            }
        }
        ExprKind::Unary(UnaryOp::Not, inner) => {
            if let Some(t) = static_type(inner) {
                if t != Type::Bool {
                    out.push(
                        Diagnostic::at(&e.span, format!("`not` needs true or false, not {t}"))
                            .of_kind(Kind::NotBooleanOperand),
                    );
                }
            }
        }
        ExprKind::If(c, _, _) => expect_condition(c, out),
        _ => {}
    }
}

/// The names checked in `p` (where each starts, what it refers to), with what was found.
#[cfg(test)]
pub(crate) fn names_seen(p: &Policy, out: &mut Vec<Diagnostic>) -> Vec<(usize, Refers)> {
    check_policy(p, out, 64)
}

#[cfg(test)]
mod depth_tests {
    use crate::limits::Limits;
    use crate::report::diagnostic::Kind;
    use crate::syntax::parser::parse_policy_with;
    use crate::syntax::Source;

    /// The checkers' depth guard is `Limits::max_expr_depth`, the parser's limit: an
    /// expression the parser took under a larger limit is refused past the smaller.
    #[test]
    fn the_checkers_stop_at_the_parsers_depth_limit() {
        let text = format!(
            "policy t\nfacts {{ x: bool }}\nlet l = {}x\n",
            "not ".repeat(20)
        );
        let source = Source::new("t.bylaw", text);
        let limits = |depth| Limits {
            max_expr_depth: depth,
            ..Limits::default()
        };
        let p = parse_policy_with(&source, &limits(64)).unwrap();
        let deep = super::check_one(&p, &limits(10));
        assert_eq!(deep.len(), 1, "{deep:?}");
        assert_eq!(deep[0].kind, Kind::TooDeep);
        assert!(
            deep[0].message.contains("more than 10 levels"),
            "{}",
            deep[0].message
        );
        // Within the limit (the parser's own): nothing to say.
        assert!(super::check_one(&p, &limits(21)).is_empty());
        assert!(parse_policy_with(&source, &limits(20)).is_err());
    }
}
