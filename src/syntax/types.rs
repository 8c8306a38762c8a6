//! The syntax of a fact schema (`facts { request: { action: string } }`), as written.
//!
//! Names of types are kept as written; [`crate::schema`] resolves them and reports
//! unknown ones, so a typo is an error with a place, not a parse failure.

use super::ast::{Ident, Str};
use super::span::Span;

/// `name: TYPE` in a `facts { … }` block or a record type.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldType {
    /// The field's name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
}

/// A type as written, with whether it ends in `?`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    /// What kind of type.
    pub kind: TypeExprKind,
    /// `TYPE?`: the value may be absent or null.
    pub optional: bool,
    /// `TYPE fixed`: the requester cannot change the fact (no remedy touches it).
    pub fixed: bool,
    /// `TYPE? required when COND`: the condition under which the optional fact must be there.
    pub required_when: Option<Box<super::ast::Expr>>,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of type expression.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExprKind {
    /// `string`, `money`, …: resolved by name.
    Named(Ident),
    /// `"single" | "batch"`: a string with one of these values.
    Enum(Vec<Str>),
    /// `[TYPE]`.
    List(Box<TypeExpr>),
    /// `{ name: TYPE, … }`.
    Record(Vec<FieldType>),
}
