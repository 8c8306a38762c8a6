//! Fact schemas: the types of the facts a policy reads, declared in its `facts { … }` block.
//!
//! One schema serves three readers: the type checker (`check::typeck`) checks rules
//! against it, [`validate`] checks snapshots against it before they are evaluated, and
//! [`json_schema`] exports it for the teams that produce snapshots.

pub mod conform;
pub mod json_schema;
pub mod pattern;
pub mod presence;
mod refine;
pub mod validate;

use std::fmt;
use std::sync::Arc;

use crate::report::diagnostic::{Diagnostic, Kind};
use crate::syntax::ast::Policy;
use crate::syntax::types::{FieldType, TypeExpr, TypeExprKind};

pub use conform::{ConformOptions, Conformer, Violation};
pub use refine::Refine;

/// The names of the built-in types, as a schema writes them.
pub(crate) const TYPE_NAMES: &[&str] = &[
    "bool",
    "string",
    "integer",
    "decimal",
    "number",
    "money",
    "timestamp",
    "duration",
];

/// A resolved type.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// Unknown: untyped facts, or an expression whose type could not be told.
    Any,
    /// The literal `null`.
    Null,
    /// `bool`.
    Bool,
    /// `integer`: a number without a fractional part.
    Integer,
    /// `decimal`: any number (integers included).
    Decimal,
    /// `string`.
    String,
    /// `"a" | "b"`: a string with one of these values.
    Enum(Arc<[String]>),
    /// `money`: an exact amount with a currency.
    Money,
    /// `timestamp`: RFC 3339 with an offset.
    Time,
    /// `duration`: `24h`, `1h30m`.
    Duration,
    /// `[T]`.
    List(Box<Ty>),
    /// `{ name: T, … }`.
    Record(Arc<Record>),
    /// `T?`: absent or null allowed.
    Optional(Box<Ty>),
    /// `integer | "none"`: one of these, each of another kind (so that `is` tells them
    /// apart); string literals are one [`Ty::Enum`] among them. Never optional inside.
    Union(Arc<[Ty]>),
    /// `integer 1..28`, `money 0..`, `string matching "…"`: a number, money or string
    /// with bounds or a pattern. Only snapshots see refinements: the type checker reads
    /// the type without them ([`Ty::unrefined`]).
    Refined(Box<Ty>, Arc<Refine>),
}

/// The fields of a record type, in the order declared.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// The fields.
    pub fields: Vec<Field>,
    /// When optional fields must be there (`T? required when …`).
    pub presence: Vec<presence::Presence>,
}

/// One field of a record type.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its type (`Optional` when it may be absent or null).
    pub ty: Ty,
}

impl Record {
    /// The field of that name.
    pub fn get(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The record without refinements, all the way down.
    pub fn unrefined(&self) -> Record {
        Record {
            fields: self
                .fields
                .iter()
                .map(|f| Field {
                    name: f.name.clone(),
                    ty: f.ty.unrefined(),
                })
                .collect(),
            presence: self.presence.clone(),
        }
    }

    /// The field names, for "did you mean" and hints.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}

impl Ty {
    /// `T?`; already optional, null and unknown types stay as they are.
    pub fn optional(self) -> Ty {
        match self {
            Ty::Optional(_) | Ty::Null | Ty::Any => self,
            t => Ty::Optional(Box::new(t)),
        }
    }

    /// Whether the value may be absent or null.
    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Optional(_) | Ty::Null)
    }

    /// The type without its `?`.
    pub fn required(&self) -> &Ty {
        match self {
            Ty::Optional(t) => t,
            t => t,
        }
    }

    /// Whether values of the two types can be compared with `==`.
    pub fn comparable(&self, other: &Ty) -> bool {
        let (a, b) = (self.required(), other.required());
        match (a, b) {
            (Ty::Union(alts), t) | (t, Ty::Union(alts)) => alts.iter().any(|x| x.comparable(t)),
            _ => {
                matches!(a, Ty::Any | Ty::Null)
                    || matches!(b, Ty::Any | Ty::Null)
                    || a.kind() == b.kind()
            }
        }
    }

    /// The broad kind: integers and decimals are both numbers, enumerations are strings.
    pub fn kind(&self) -> &'static str {
        match self.required() {
            Ty::Any => "any",
            Ty::Null => "null",
            Ty::Bool => "bool",
            Ty::Integer | Ty::Decimal => "number",
            Ty::String | Ty::Enum(_) => "string",
            Ty::Money => "money",
            Ty::Time => "timestamp",
            Ty::Duration => "duration",
            Ty::List(_) => "list",
            Ty::Record(_) => "record",
            Ty::Union(_) => "union",
            Ty::Optional(t) | Ty::Refined(t, _) => t.kind(),
        }
    }

    /// The type without refinements, all the way down: what the type checker reads.
    pub fn unrefined(&self) -> Ty {
        match self {
            Ty::Refined(t, _) => t.unrefined(),
            Ty::Optional(t) => Ty::Optional(Box::new(t.unrefined())),
            Ty::List(t) => Ty::List(Box::new(t.unrefined())),
            Ty::Union(alts) => Ty::Union(alts.iter().map(Ty::unrefined).collect()),
            Ty::Record(r) => Ty::Record(Arc::new(r.unrefined())),
            t => t.clone(),
        }
    }

    /// A type that holds values of both (for `if` branches, list elements, `??`), if any.
    pub fn unify(&self, other: &Ty) -> Option<Ty> {
        Some(match (self, other) {
            (Ty::Any, _) | (_, Ty::Any) => Ty::Any,
            (Ty::Null, t) | (t, Ty::Null) => t.clone().optional(),
            (Ty::Optional(a), b) | (b, Ty::Optional(a)) => a.unify(b)?.optional(),
            (a, b) if a == b => a.clone(),
            (Ty::Union(alts), t) | (t, Ty::Union(alts)) => refine::widen(alts, t)?,
            (Ty::Integer | Ty::Decimal, Ty::Integer | Ty::Decimal) => Ty::Decimal,
            (Ty::String | Ty::Enum(_), Ty::String | Ty::Enum(_)) => Ty::String,
            (Ty::List(a), Ty::List(b)) => Ty::List(Box::new(a.unify(b).unwrap_or(Ty::Any))),
            (Ty::Record(_), Ty::Record(_)) => Ty::Any,
            _ => return None,
        })
    }

    /// The plural, for "a list of …".
    fn plural(&self) -> String {
        match self {
            Ty::Any => "values".into(),
            Ty::Null => "nulls".into(),
            Ty::Bool => "booleans".into(),
            Ty::Integer => "integers".into(),
            Ty::Decimal => "numbers".into(),
            Ty::String | Ty::Enum(_) => "strings".into(),
            Ty::Money => "money amounts".into(),
            Ty::Time => "timestamps".into(),
            Ty::Duration => "durations".into(),
            Ty::List(_) => "lists".into(),
            Ty::Record(_) => "records".into(),
            Ty::Optional(t) => format!("{} (or nulls)", t.plural()),
            Ty::Union(_) => "values".into(),
            Ty::Refined(t, _) => t.plural(),
        }
    }
}

/// How a type is named in messages: "a string", "money", "a list of records".
impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Any => f.write_str("any value"),
            Ty::Null => f.write_str("null"),
            Ty::Bool => f.write_str("a boolean"),
            Ty::Integer => f.write_str("an integer"),
            Ty::Decimal => f.write_str("a number"),
            Ty::String => f.write_str("a string"),
            Ty::Enum(values) => {
                f.write_str("a string (")?;
                write_values(f, values)?;
                f.write_str(")")
            }
            Ty::Money => f.write_str("money"),
            Ty::Time => f.write_str("a timestamp"),
            Ty::Duration => f.write_str("a duration"),
            Ty::List(t) => write!(f, "a list of {}", t.plural()),
            Ty::Record(_) => f.write_str("a record"),
            Ty::Optional(t) => write!(f, "{t} or null"),
            Ty::Union(alts) => {
                for (i, t) in alts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(if i + 1 == alts.len() { " or " } else { ", " })?;
                    }
                    match t {
                        Ty::Enum(values) => write_values(f, values)?,
                        t => write!(f, "{t}")?,
                    }
                }
                Ok(())
            }
            Ty::Refined(t, r) => write!(f, "{t}{r}"),
        }
    }
}

/// `"a", "b" or "c"`.
pub(crate) fn write_values(f: &mut impl fmt::Write, values: &[String]) -> fmt::Result {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            f.write_str(if i + 1 == values.len() { " or " } else { ", " })?;
        }
        write!(f, "{v:?}")?;
    }
    Ok(())
}

/// A policy's schema: the record of its top-level facts. `None` for untyped `facts a, b`.
pub(crate) fn of_policy(p: &Policy, out: &mut Vec<Diagnostic>) -> Option<Arc<Record>> {
    let fields = p.schema.as_ref()?;
    for f in fields {
        if f.name.name == "now" {
            out.push(
                Diagnostic::at(&f.name.span, "`now` is built in and cannot be declared")
                    .hint("it is always a timestamp: the snapshot's `now`, or `--now`"),
            );
        }
    }
    // Repeated top-level names are reported by the name checker already.
    let mut top = record(fields, out, false);
    if presence::any_condition(fields) {
        let names = top.clone();
        presence::attach(fields, &mut top, &names, out);
    }
    Some(Arc::new(top))
}

fn record(fields: &[FieldType], out: &mut Vec<Diagnostic>, report_twice: bool) -> Record {
    let mut rec = Record::default();
    for f in fields {
        if rec.get(&f.name.name).is_some() {
            if report_twice {
                out.push(
                    Diagnostic::at(
                        &f.name.span,
                        format!("the field `{}` is declared twice", f.name.name),
                    )
                    .of_kind(Kind::DeclaredTwice),
                );
            }
            continue;
        }
        rec.fields.push(Field {
            name: f.name.name.clone(),
            ty: resolve(&f.ty, out),
        });
    }
    rec
}

/// A type expression's type; unknown names are reported and read as [`Ty::Any`].
pub(crate) fn resolve(t: &TypeExpr, out: &mut Vec<Diagnostic>) -> Ty {
    let ty = match &t.kind {
        TypeExprKind::Named(name) => named(name, out),
        TypeExprKind::Refined(name, r) => refine::refined(named(name, out), name, r, out),
        TypeExprKind::Union(alts) => refine::union(alts, out),
        TypeExprKind::Enum(values) => {
            let mut seen: Vec<String> = Vec::new();
            // Asked once per value: a list of every value seen would make a long enum
            // quadratic to check.
            let mut known = std::collections::HashSet::new();
            for v in values {
                if !known.insert(v.value.as_str()) {
                    out.push(Diagnostic::at(
                        &v.span,
                        format!("the value `{}` is listed twice", v.value),
                    ));
                } else {
                    seen.push(v.value.clone());
                }
            }
            Ty::Enum(seen.into())
        }
        TypeExprKind::List(elem) => Ty::List(Box::new(resolve(elem, out))),
        TypeExprKind::Record(fields) => Ty::Record(Arc::new(record(fields, out, true))),
    };
    if t.optional {
        ty.optional()
    } else {
        ty
    }
}

/// A built-in type by name.
fn named(name: &crate::syntax::ast::Ident, out: &mut Vec<Diagnostic>) -> Ty {
    match name.name.as_str() {
        "bool" => Ty::Bool,
        "string" => Ty::String,
        "integer" => Ty::Integer,
        "decimal" | "number" => Ty::Decimal,
        "money" => Ty::Money,
        "timestamp" => Ty::Time,
        "duration" => Ty::Duration,
        other => {
            let d = Diagnostic::at(&name.span, format!("unknown type `{other}`"));
            out.push(match crate::report::diagnostic::did_you_mean(other, TYPE_NAMES.iter().copied()) {
                Some(s) => d.hint(format!("did you mean `{s}`?")),
                None => d.hint(format!(
                    "the types are {}, \"a\" | \"b\" (one of these strings), A | B (either), [T] (a list) and {{ name: T }} (a record)",
                    TYPE_NAMES.join(", ")
                )),
            });
            Ty::Any
        }
    }
}
