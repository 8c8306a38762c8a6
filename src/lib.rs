//! bylaw: a policy engine with a declarative rule language and explained decisions.
//!
//! ```no_run
//! use bylaw::{facts, Engine};
//!
//! let engine = Engine::from_dir("rules")?;
//! let snapshot = facts::load_str("request: {action: unsubscribe_inactive}", facts::Format::Yaml, "inline")?;
//! let decision = engine.evaluate(&snapshot);
//! println!("{}", decision.decision.as_str());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The stages, each its own module: [`syntax`] (parse → AST with spans), [`check`]
//! (names, arities, literal types), [`eval`] (three-valued evaluation, evidence),
//! [`decision`] (the explained answer), [`render`] (text for people).

pub mod batch;
pub mod check;
pub mod corpus;
pub mod currency;
pub mod decision;
pub mod delta;
pub mod diagnostic;
pub mod engine;
pub mod eval;
pub mod facts;
pub mod fmt;
pub mod fnv;
pub mod gitrev;
pub mod harness;
pub mod impact;
pub mod limits;
pub mod remedy;
pub mod render;
pub mod schema;
pub mod snapshot;
pub mod syntax;
pub mod testing;
pub mod typeck;
pub mod value;
mod yaml_scan;

pub use decision::{Decision, Outcome};
pub use engine::{Engine, LoadError, Options};
pub use limits::Limits;
pub use value::Value;
