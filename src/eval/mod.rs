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
pub(crate) mod kinds;
pub(crate) mod ops;
// Compiling as evaluation sees it: here, as `compile` imports nothing of `eval`.
#[cfg(test)]
mod compiled_tests;

pub use error::EvalError;
