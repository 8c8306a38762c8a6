//! Load-time checks of functions, their calls, record literals, `match` and
//! `position`: names, arities, cycles, duplicates.

use std::collections::HashMap;

use super::{expect_condition, Names};
use crate::eval::functions;
use crate::report::diagnostic::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::scoping::{Place, Refers};

/// The policy's functions by name, after reporting duplicates and names that are
/// taken by a built-in function.
pub(super) fn functions<'p>(
    p: &'p Policy,
    out: &mut Vec<Diagnostic>,
) -> HashMap<&'p str, &'p Function> {
    let mut by_name: HashMap<&str, &Function> = HashMap::new();
    for f in &p.functions {
        let n = f.name.name.as_str();
        if functions::builtin(n).is_some() || n == "position" {
            out.push(
                Diagnostic::at(&f.name.span, format!("`{n}` is a built-in function"))
                    .hint("give the function another name"),
            );
            continue;
        }
        if let Some(first) = by_name.get(n) {
            out.push(
                Diagnostic::at(&f.name.span, format!("the function `{n}` is defined twice")).hint(
                    format!("it is also defined at {}", first.name.span.location_col()),
                ),
            );
            continue;
        }
        let mut seen: Vec<&str> = Vec::new();
        for param in &f.params {
            if seen.contains(&param.name.name.as_str()) {
                out.push(Diagnostic::at(
                    &param.name.span,
                    format!("`{n}` has two parameters named `{}`", param.name.name),
                ));
            }
            seen.push(&param.name.name);
        }
        by_name.insert(n, f);
    }
    by_name
}

/// The policy's functions each function calls, by index.
fn calls(p: &Policy) -> Vec<Vec<usize>> {
    fn walk(e: &Expr, p: &Policy, out: &mut Vec<usize>) {
        if let ExprKind::Call(f, _) = &e.kind {
            if let Some(i) = p.functions.iter().position(|g| g.name.name == f.name) {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        e.for_each_child(|c| walk(c, p, out));
    }
    p.functions
        .iter()
        .map(|f| {
            let mut out = Vec::new();
            walk(&f.body, p, &mut out);
            out
        })
        .collect()
}

/// Refuses functions that call themselves, directly or through others: evaluation
/// must end, and a bound on recursion would be one more limit to explain. Walks as the
/// `let` cycle check does ([`super::walk_uses`]).
pub(super) fn check_function_cycles(p: &Policy, out: &mut Vec<Diagnostic>) {
    let refs = calls(p);
    super::walk_uses(
        &refs,
        |j, through| {
            let name = &p.functions[j].name;
            let through: Vec<&str> = through
                .iter()
                .map(|k| p.functions[*k].name.name.as_str())
                .collect();
            let d = Diagnostic::at(
                &name.span,
                format!("the function `{}` calls itself", name.name),
            );
            out.push(if through.is_empty() {
                d.hint("a function cannot be recursive: compute the value without calling it again")
            } else {
                d.hint(format!(
                    "through `{}`: a function cannot be recursive",
                    through.join("`, `")
                ))
            });
        },
        |_, _| {},
    );
}

/// A record literal names each field once.
pub(super) fn record_fields(fields: &[(Ident, Expr)], out: &mut Vec<Diagnostic>) {
    for (i, (name, _)) in fields.iter().enumerate() {
        if let Some((first, _)) = fields[..i].iter().find(|(n, _)| n.name == name.name) {
            out.push(
                Diagnostic::at(
                    &name.span,
                    format!("the field `{}` is given twice", name.name),
                )
                .hint(format!("it is also given at {}", first.span.location_col())),
            );
        }
    }
}

impl<'p> Names<'p> {
    /// A function's body, which has typed names (its parameters).
    pub(super) fn function_body(&mut self, f: &'p Function, out: &mut Vec<Diagnostic>) {
        let typed = std::mem::replace(&mut self.typed, true);
        self.at(Place::Body(f), &f.body, out);
        self.typed = typed;
    }

    /// A call of one of the policy's functions: as many arguments as parameters.
    pub(super) fn user_call(&self, e: &Expr, f: &Ident, args: &[Expr], out: &mut Vec<Diagnostic>) {
        let Some(def) = self.functions.get(f.name.as_str()) else {
            return;
        };
        let want = def.params.len();
        if args.len() != want {
            let params: Vec<String> = def
                .params
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}",
                        p.name.name,
                        crate::eval::evidence::squash(p.ty.span.text())
                    )
                })
                .collect();
            out.push(
                Diagnostic::at(
                    &e.span,
                    format!(
                        "`{}` takes {want} argument{}, not {}",
                        f.name,
                        if want == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
                .hint(format!(
                    "it is defined at {} as `{}({})`",
                    def.name.span.location_col(),
                    f.name,
                    params.join(", ")
                )),
            );
        }
    }

    /// `position(x)`: `x` is an element bound by `for each`, a quantifier or a
    /// comprehension (not a function's parameter, nor any other expression).
    pub(super) fn position(&mut self, e: &Expr, args: &[Expr], out: &mut Vec<Diagnostic>) {
        let element = match args {
            [Expr {
                kind: ExprKind::Name(n),
                ..
            }] => {
                // An element, not a parameter: a binder past the scope's own.
                match self.refers(n) {
                    Refers::Binder(d) => d + self.scope.bound.len() < self.binders.len(),
                    Refers::Item => true,
                    _ => false,
                }
            }
            _ => false,
        };
        if !element {
            let d = Diagnostic::at(&e.span, "`position` takes the name of an element of a list");
            out.push(d.hint(
                "the element of `for each NAME in …`, or of a quantifier or comprehension (`any(x in …)`, `[… for x in …]`)",
            ));
        }
        for a in args {
            self.expr(a, out, 1);
        }
    }

    /// A `match`'s arms: literal patterns when it has a subject, one condition each
    /// when it has none (which then needs `else`); without types, `else` is required.
    pub(super) fn match_expr(&self, e: &Expr, m: &Match, out: &mut Vec<Diagnostic>) {
        match &m.subject {
            Some(_) => {
                for p in m.arms.iter().flat_map(|a| a.patterns.iter()) {
                    if !p.is_literal() {
                        out.push(
                            Diagnostic::at(
                                &p.span,
                                "an arm of `match VALUE { … }` takes literal values, such as `\"monthly\"` or `12`",
                            )
                            .hint("for conditions, write `match { CONDITION => …, else => … }`"),
                        );
                    }
                }
                if m.otherwise.is_none() && !self.typed {
                    out.push(
                        Diagnostic::at(&e.span, "this `match` has no `else`")
                            .hint("the facts have no types, so nothing proves the arms take every value: add `else => …`"),
                    );
                }
            }
            None => {
                for arm in &m.arms {
                    if let [_, second, ..] = arm.patterns.as_slice() {
                        out.push(
                            Diagnostic::at(
                                &second.span,
                                "an arm of `match { … }` takes one condition",
                            )
                            .hint("join conditions with `or`"),
                        );
                    }
                    if let Some(c) = arm.patterns.first() {
                        expect_condition(c, out);
                    }
                }
                if m.otherwise.is_none() {
                    out.push(
                        Diagnostic::at(&e.span, "this `match` of conditions has no `else`")
                            .hint("add `else => …`: the value when no condition holds"),
                    );
                }
            }
        }
    }
}
