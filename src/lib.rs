//! bylaw: a policy engine with a declarative rule language and explained decisions.
//!
//! ```no_run
//! use bylaw::{input, Engine};
//!
//! let engine = Engine::from_dir("rules")?;
//! let snapshot = input::load_str("request: {action: unsubscribe_inactive}", input::Format::Yaml, "inline")?;
//! let decision = engine.evaluate(&snapshot);
//! println!("{}", decision.decision.as_str());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The stages, each its own module: [`syntax`] (parse → AST with spans), [`check`]
//! (names, arities, literal types), [`eval`] (three-valued evaluation, evidence),
//! [`decision`] (the explained answer), [`report`] (text for people).

pub mod author;
pub mod check;
pub mod decision;
pub mod eval;
pub mod harness;
pub mod input;
pub mod limits;
pub mod remedy;
pub mod report;
pub mod run;
pub mod schema;
pub mod syntax;
pub mod value;

pub use decision::{Decision, Outcome};
pub use limits::Limits;
pub use run::engine::{Engine, LoadError, Options};
pub use value::Value;
