//! Rendering decisions: for people (text, errors) and machines (compact JSON).

pub mod errors;
pub mod json;
pub mod text;
