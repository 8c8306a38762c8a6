//! Rendering decisions for people.

pub mod text;
