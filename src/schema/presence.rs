//! Conditional presence: `expires_at: timestamp? required when billing_mode == "subscription"`.
//!
//! An optional field may say when it must be there. The condition compares one fact
//! with literals: `PATH == VALUE` or `PATH in [VALUE, …]`, where `PATH` starts at a
//! field of the same record (a sibling) or, when no sibling has that name, at a
//! top-level fact. Only such conditions are allowed, so that the validator, the type
//! checker and the JSON Schema export (`if`/`then`) all read them the same way.

use std::sync::Arc;

use rust_decimal::prelude::ToPrimitive;

use crate::report::diagnostic::{did_you_mean, Diagnostic};
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Policy};
use crate::syntax::scoping::path_names;
use crate::syntax::types::{FieldType, TypeExpr, TypeExprKind};
use crate::value::Value;

use super::{Record, Ty};

/// When an optional field of a record must be there.
#[derive(Debug, Clone, PartialEq)]
pub struct Presence {
    /// The field it makes required.
    pub field: String,
    /// Whether the condition's path starts at the top-level facts (else at a sibling).
    pub top: bool,
    /// The path of the fact the condition reads, from the sibling or top-level fact.
    pub path: Vec<String>,
    /// The values for which the field is required.
    pub values: Vec<Lit>,
    /// The condition as written, on one line: `billing_mode == "subscription"`.
    pub text: String,
}

/// A value a presence condition compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// A string (or a value of an enumeration).
    Str(String),
    /// A whole number.
    Int(i64),
    /// `true` or `false`.
    Bool(bool),
}

impl Lit {
    /// Whether a snapshot value (as read, before conforming) is this literal.
    pub fn matches(&self, v: &Value) -> bool {
        match (self, v) {
            (Lit::Str(s), Value::String(t)) => t.as_str() == s,
            (Lit::Int(i), Value::Number(n)) => n.to_i64() == Some(*i) && n.fract().is_zero(),
            (Lit::Bool(b), Value::Bool(c)) => b == c,
            _ => false,
        }
    }

    /// As JSON, for the schema export.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Lit::Str(s) => serde_json::Value::from(s.as_str()),
            Lit::Int(i) => serde_json::Value::from(*i),
            Lit::Bool(b) => serde_json::Value::from(*b),
        }
    }

    /// As the type checker keys a literal of a rule (see [`Lit::key_of`]).
    pub fn key(&self) -> String {
        match self {
            Lit::Str(s) => format!("{s:?}"),
            Lit::Int(i) => i.to_string(),
            Lit::Bool(b) => b.to_string(),
        }
    }

    /// The key of a literal written in a rule, comparable with [`Lit::key`].
    pub fn key_of(e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::String(s) => Some(format!("{:?}", &**s)),
            ExprKind::Number(n) if n.fract().is_zero() => n.to_i64().map(|i| i.to_string()),
            ExprKind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

impl Presence {
    /// Whether the condition holds on a snapshot record (`siblings`) and its top-level
    /// facts (`top`), both as read. A missing or null fact is not equal to any value.
    pub fn holds(&self, siblings: &[(Arc<str>, Value)], top: &[(Arc<str>, Value)]) -> bool {
        let Some((first, rest)) = self.path.split_first() else {
            return false;
        };
        let start = if self.top { top } else { siblings };
        let mut v = match start.iter().find(|(k, _)| **k == **first) {
            Some((_, v)) => v,
            None => return false,
        };
        for part in rest {
            match v.get(part) {
                Some(next) => v = next,
                None => return false,
            }
        }
        self.values.iter().any(|l| l.matches(v))
    }

    /// "required when `billing_mode == "subscription"`".
    pub fn describe(&self) -> String {
        format!("required when `{}`", self.text)
    }
}

const FORM: &str = "a presence condition compares one fact with values: `FIELD == VALUE` or `FIELD in [VALUE, …]` (a string, whole number or boolean)";

/// Whether any field of `fields`, or of a record [`attach`] reaches inside them (through
/// lists and records), is `required when`: where none is, attaching does nothing, and
/// the copy of the top-level record it reads is not made.
pub(crate) fn any_condition(fields: &[FieldType]) -> bool {
    fn reaches(t: &TypeExpr) -> bool {
        match &t.kind {
            TypeExprKind::List(elem) => reaches(elem),
            TypeExprKind::Record(fields) => any_condition(fields),
            _ => false,
        }
    }
    (fields.iter()).any(|f| f.ty.required_when.is_some() || reaches(&f.ty))
}

/// Attaches the presence conditions of `fields` (the syntax of `rec`) to `rec` and to
/// its nested records; `top` is the policy's top-level record.
pub(crate) fn attach(
    fields: &[FieldType],
    rec: &mut Record,
    top: &Record,
    out: &mut Vec<Diagnostic>,
) {
    for f in fields {
        if let Some(cond) = &f.ty.required_when {
            let own = rec.get(&f.name.name).map(|x| x.ty.clone());
            if let Some(p) = condition(&f.name.name, cond, rec, top, out) {
                if !f.ty.optional {
                    out.push(
                        Diagnostic::at(&f.ty.span, format!("`{}` is always required: `required when` is for an optional field", f.name.name))
                            .hint("write `TYPE? required when …` for a field that may be absent otherwise"),
                    );
                } else if own.is_some() && !rec.presence.iter().any(|q| q.field == p.field) {
                    rec.presence.push(p);
                }
            }
        }
        if let Some(field) = rec.fields.iter_mut().find(|x| x.name == f.name.name) {
            nested(&f.ty, &mut field.ty, top, out);
        }
    }
}

/// The records inside a field's type (through lists and `?`).
fn nested(t: &TypeExpr, ty: &mut Ty, top: &Record, out: &mut Vec<Diagnostic>) {
    match (&t.kind, ty) {
        (_, Ty::Optional(inner)) => nested(t, inner, top, out),
        (TypeExprKind::List(elem), Ty::List(inner)) => nested(elem, inner, top, out),
        (TypeExprKind::Record(fields), Ty::Record(r)) => {
            attach(fields, Arc::make_mut(r), top, out);
        }
        _ => {}
    }
}

/// The condition `e` of the field `field` of `rec`, checked.
fn condition(
    field: &str,
    e: &Expr,
    rec: &Record,
    top: &Record,
    out: &mut Vec<Diagnostic>,
) -> Option<Presence> {
    let (path_e, values_e): (&Expr, Vec<&Expr>) = match &e.kind {
        ExprKind::Binary(BinaryOp::Eq, a, b) => (a, vec![&**b]),
        ExprKind::Binary(BinaryOp::In, a, b) => match &b.kind {
            ExprKind::List(items) if !items.is_empty() => (a, items.iter().collect()),
            _ => {
                out.push(
                    Diagnostic::at(&b.span, "expected a list of values (`[\"a\", \"b\"]`)")
                        .hint(FORM),
                );
                return None;
            }
        },
        _ => {
            out.push(
                Diagnostic::at(
                    &e.span,
                    "this condition cannot say when a field is required",
                )
                .hint(FORM),
            );
            return None;
        }
    };
    let Some(path) =
        path_names(path_e).map(|p| p.into_iter().map(String::from).collect::<Vec<_>>())
    else {
        out.push(
            Diagnostic::at(
                &path_e.span,
                "expected a fact's path (`billing_mode`, `request.mode`)",
            )
            .hint(FORM),
        );
        return None;
    };
    let first = path.first()?;
    if first == field {
        out.push(Diagnostic::at(
            &path_e.span,
            format!("`{field}` cannot be required when it has a value itself"),
        ));
        return None;
    }
    let (start, is_top) = if rec.get(first).is_some() {
        (rec, false)
    } else if top.get(first).is_some() {
        (top, true)
    } else {
        let d = Diagnostic::at(
            &path_e.span,
            format!("no sibling field or top-level fact is called `{first}`"),
        );
        let names = rec.names().chain(top.names());
        out.push(match did_you_mean(first, names) {
            Some(s) => d.hint(format!("did you mean `{s}`?")),
            None => d.hint("the condition reads a field of the same record or a top-level fact"),
        });
        return None;
    };
    let mut ty = Ty::Record(Arc::new(start.clone()));
    for part in &path {
        let next = match ty.required() {
            Ty::Record(r) => r.get(part).map(|f| f.ty.clone()),
            _ => None,
        };
        match next {
            Some(t) => ty = t,
            None => {
                out.push(Diagnostic::at(
                    &path_e.span,
                    format!(
                        "`{}` is not a field here (records only: no lists)",
                        path.join(".")
                    ),
                ));
                return None;
            }
        }
    }
    let mut values = Vec::new();
    for v in values_e {
        let lit = match (&v.kind, ty.required()) {
            (ExprKind::String(s), Ty::String) => Lit::Str(s.to_string()),
            (ExprKind::String(s), Ty::Enum(allowed)) => {
                if !allowed.iter().any(|a| **a == **s) {
                    let d = Diagnostic::at(&v.span, format!("{:?} is not one of the values of `{}`, so the condition would never hold", &**s, path.join(".")));
                    out.push(match did_you_mean(s, allowed.iter().map(String::as_str)) {
                        Some(m) => d.hint(format!("did you mean {m:?}?")),
                        None => d,
                    });
                    return None;
                }
                Lit::Str(s.to_string())
            }
            (ExprKind::Number(n), Ty::Integer) if n.fract().is_zero() && n.to_i64().is_some() => {
                Lit::Int(n.to_i64()?)
            }
            (ExprKind::Bool(b), Ty::Bool) => Lit::Bool(*b),
            (_, t) => {
                out.push(
                    Diagnostic::at(
                        &v.span,
                        format!(
                            "`{}` is {t}; compare it with a value of that kind",
                            path.join(".")
                        ),
                    )
                    .hint(FORM),
                );
                return None;
            }
        };
        values.push(lit);
    }
    Some(Presence {
        field: field.to_string(),
        top: is_top,
        path,
        values,
        text: e
            .span
            .text()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    })
}

/// `required when` outside a `facts { … }` block (a function's parameter or result).
pub(crate) fn refuse_in_functions(p: &Policy, out: &mut Vec<Diagnostic>) {
    for f in &p.functions {
        for param in &f.params {
            refuse(&param.ty, out);
        }
        refuse(&f.result, out);
    }
}

fn refuse(t: &TypeExpr, out: &mut Vec<Diagnostic>) {
    if let Some(c) = &t.required_when {
        out.push(
            Diagnostic::at(&c.span, "`required when` belongs in the `facts { … }` schema")
                .hint("a function's parameters say what they take; use `require(…)` or a presence test in the body"),
        );
    }
    match &t.kind {
        TypeExprKind::List(e) => refuse(e, out),
        TypeExprKind::Record(fields) => fields.iter().for_each(|f| refuse(&f.ty, out)),
        _ => {}
    }
}

// ------------------------------------------------------------ JSON Schema

use serde_json::{json, Map as JsonMap, Value as Json};

/// Adds `allOf: [{if, then}]` to a record's JSON Schema for its sibling conditions.
pub(crate) fn export_siblings(r: &Record, o: &mut JsonMap<String, Json>) {
    let rules: Vec<Json> = r
        .presence
        .iter()
        .filter(|p| !p.top)
        .map(|p| json!({"if": cond_json(p), "then": required_json(&p.field)}))
        .collect();
    push_all_of(o, rules);
}

/// Adds to the root's JSON Schema one `{if, then}` per condition on a top-level fact:
/// `if` reads the top-level fact, `then` goes down to the record holding the field.
pub(crate) fn export_top(root: &Record, o: &mut JsonMap<String, Json>) {
    let mut found = Vec::new();
    collect_top(root, &mut Vec::new(), &mut found);
    let rules = found
        .into_iter()
        .map(|(steps, p)| {
            let mut then = required_json(&p.field);
            for step in steps.iter().rev() {
                then = match step {
                    Step::Field(name) => json!({"properties": {name.as_str(): then}}),
                    Step::Items => json!({"items": then}),
                };
            }
            json!({"if": cond_json(p), "then": then})
        })
        .collect();
    push_all_of(o, rules);
}

enum Step {
    Field(String),
    Items,
}

fn collect_top<'r>(r: &'r Record, steps: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, &'r Presence)>) {
    for p in r.presence.iter().filter(|p| p.top) {
        let copy = steps
            .iter()
            .map(|s| match s {
                Step::Field(n) => Step::Field(n.clone()),
                Step::Items => Step::Items,
            })
            .collect();
        out.push((copy, p));
    }
    for f in &r.fields {
        steps.push(Step::Field(f.name.clone()));
        collect_in(&f.ty, steps, out);
        steps.pop();
    }
}

fn collect_in<'r>(t: &'r Ty, steps: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, &'r Presence)>) {
    match t {
        Ty::Optional(inner) => collect_in(inner, steps, out),
        Ty::List(elem) => {
            steps.push(Step::Items);
            collect_in(elem, steps, out);
            steps.pop();
        }
        Ty::Record(r) => collect_top(r, steps, out),
        _ => {}
    }
}

fn push_all_of(o: &mut JsonMap<String, Json>, rules: Vec<Json>) {
    if rules.is_empty() {
        return;
    }
    match o.get_mut("allOf") {
        Some(Json::Array(a)) => a.extend(rules),
        _ => {
            o.insert("allOf".into(), Json::Array(rules));
        }
    }
}

/// The condition: each step of the path an object that has it, the last one of the values.
fn cond_json(p: &Presence) -> Json {
    let mut inner = match p.values.as_slice() {
        [one] => json!({"const": one.to_json()}),
        many => json!({"enum": many.iter().map(Lit::to_json).collect::<Vec<_>>()}),
    };
    for name in p.path.iter().rev() {
        inner = json!({"type": "object", "properties": {name.as_str(): inner}, "required": [name]});
    }
    inner
}

/// The field there and not null.
fn required_json(field: &str) -> Json {
    json!({"required": [field], "properties": {field: {"not": {"type": "null"}}}})
}

#[cfg(test)]
mod tests {
    use crate::syntax::parser::parse_policy;
    use crate::syntax::Source;

    fn conditions(facts: &str) -> bool {
        let source = Source::new("t.bylaw", format!("policy t\nfacts {{\n{facts}\n}}\n"));
        let p = parse_policy(&source).unwrap();
        super::any_condition(p.schema.as_deref().unwrap_or(&[]))
    }

    /// Attaching is skipped only where no field it would reach is `required when`: one
    /// in a record in a list in a record is found.
    #[test]
    fn a_condition_is_found_however_deep_attaching_would_reach() {
        let deep = "a: { items: [ { kind: string, n: integer? required when kind == \"x\" } ] }";
        assert!(conditions(deep));
        assert!(conditions(
            "kind: string\nn: integer? required when kind == \"x\""
        ));
        // The near miss: optional fields, records and lists, but no condition.
        assert!(!conditions(
            "a: { items: [ { kind: string, n: integer? } ] }"
        ));
    }
}
