//! Rendering decisions for people.

pub mod errors;
pub mod text;
