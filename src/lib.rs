//! bylaw: a policy engine with a declarative rule language and explained decisions.
//!
//! ```no_run
//! use bylaw::{input::Format, Engine};
//!
//! let engine = Engine::from_dir("rules")?;
//! // Read, conform to the fact schema, decide: as every `bylaw` command does.
//! let decision = engine.decide_bytes(b"request: {action: unsubscribe_inactive}", Format::Yaml, "inline")?;
//! println!("{}", decision.decision.as_str());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The public modules, in the order a decision is made: [`syntax`] (rule text → AST
//! with spans), [`schema`] (the facts a policy reads, and conforming a snapshot to
//! them), [`input`] (reading fact snapshots exactly), [`value`] (values, money,
//! currencies), [`run`] (the [`Engine`], and deciding many snapshots on all cores),
//! [`decision`] (the explained answer), [`report`] (text, JSON and diagnostics) and
//! [`author`] (golden decisions, impact of a rule change, `fmt`, author tests);
//! [`decision::remedy`] says what would make a blocked decision allowed, verified by deciding again.
//! Checking and evaluation are internal stages behind [`Engine`]. Every command decides
//! through one [`run::pipeline::Pipeline`] (read → conform → decide); see
//! `docs/architecture.md`.

#![warn(missing_docs)]

// The parser pest generates without its `std` feature names `::alloc` (Cargo.toml
// says why the feature is off).
extern crate alloc;

pub mod author;
pub(crate) mod check;
pub(crate) mod compile;
pub mod decision;
pub(crate) mod eval;
pub mod input;
pub(crate) mod limits;
pub mod report;
pub mod run;
pub mod schema;
pub mod syntax;
pub mod value;

pub use decision::{Decision, Outcome};
pub use limits::Limits;
pub use run::engine::{Engine, LoadError, Options};
pub use run::pipeline::{Pipeline, Rejected};
pub use value::Value;
