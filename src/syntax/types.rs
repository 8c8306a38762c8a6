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

/// A refinement after a type name: a range or a pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Refinement {
    /// `1..28`, `0..`, `..100`: inclusive bounds, either may be left open.
    Range {
        /// The least value allowed.
        min: Option<rust_decimal::Decimal>,
        /// The greatest value allowed.
        max: Option<rust_decimal::Decimal>,
        /// Where it was written.
        span: Span,
    },
    /// `matching "^[A-Z]{3}$"`: a regular expression the text must contain a match of.
    Matching(Str),
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
    /// `integer 1..28`, `string matching "…"`: a named type, refined.
    Refined(Ident, Refinement),
    /// `integer | "none"`: a value of any of these types (never all strings: that is
    /// an [`TypeExprKind::Enum`]). The alternatives carry no `?` of their own.
    Union(Vec<TypeExpr>),
}
