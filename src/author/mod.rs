//! The rule author's workflows: golden decisions, the impact of a rule change,
//! formatting rule files, and author tests.

mod compare;
pub mod delta;
pub mod fmt;
pub(crate) mod gitrev;
pub mod impact;
pub mod snapshot;
pub mod testing;

/// Every built-in function: [`BUILTINS`], then those for exact money, time and text.
pub use crate::eval::functions::all as all_builtins;
/// The names of the built-in functions, for editor grammars and completion.
pub use crate::eval::functions::BUILTINS;
