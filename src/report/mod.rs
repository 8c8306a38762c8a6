//! Rendering decisions: for people (text, errors) and machines (compact JSON).

pub mod diagnostic;
pub mod errors;
pub mod json;
pub mod text;
