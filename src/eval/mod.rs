//! Evaluation: the expression interpreter, built-in functions, evidence.

mod access;
mod bind;
pub mod builtins;
mod describe;
pub(crate) mod duplicates;
pub mod error;
pub mod evidence;
mod fnv;
pub mod functions;
pub mod interp;
pub(crate) mod kinds;
pub(crate) mod ops;
pub mod resolve;

pub use error::EvalError;
