//! Reading rule files: spans, the syntax tree, and the parser.

pub mod ast;
mod lexical;
mod nesting;
pub(crate) mod parser;
pub(crate) mod scoping;
pub mod span;
pub mod types;

pub use parser::{parse_policy, Expected, Found, ParseError, ParseKind};
pub use span::{Source, Span};
