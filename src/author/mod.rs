//! The rule author's workflows: golden decisions, the impact of a rule change,
//! formatting rule files, and author tests.

pub mod delta;
pub mod fmt;
pub mod gitrev;
pub mod impact;
pub mod snapshot;
pub mod testing;
