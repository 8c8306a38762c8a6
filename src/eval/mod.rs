//! Evaluation: the expression interpreter, built-in functions, evidence.

mod access;
mod bind;
pub mod builtins;
mod describe;
pub(crate) mod duplicates;
pub mod error;
pub mod evidence;
pub mod functions;
pub mod interp;
pub(crate) mod ops;

pub use error::EvalError;
