//! Evaluation: the expression interpreter, built-in functions, evidence.

pub mod error;
pub mod evidence;
mod fnv;
pub mod functions;
pub mod interp;
pub mod resolve;

pub use error::EvalError;
