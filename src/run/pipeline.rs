//! The one path from a snapshot's bytes to a decision: **read** (JSON or YAML, with
//! positions for messages) → **conform** to the fact schema → **decide** → a renderer
//! ([`crate::report::render`]).
//!
//! Every command goes through a [`Pipeline`]: `bylaw evaluate` (one file, `--facts-jsonl`,
//! `--facts-dir`), `bylaw test`, `bylaw snapshot`, `bylaw diff`, and the library's
//! [`Engine::decide_bytes`]. So one snapshot gets one decision whichever way it came in.
//!
//! Conforming is not only a check: it rewrites the snapshot into the shapes the rules
//! read (an absent optional fact becomes null, `"24h"` declared as a duration becomes
//! one, a `string` fact that looked like a time becomes text again). A snapshot that was
//! not conformed can therefore decide differently: [`Engine::evaluate`] takes a value
//! as it is, for values a program built itself in the schema's shapes; anything read
//! from outside goes through here.
//!
//! ```no_run
//! use bylaw::{input::Format, Engine};
//!
//! let engine = Engine::from_dir("rules")?;
//! let decision = engine.decide_bytes(b"request: {action: unsubscribe_inactive}", Format::Yaml, "inline")?;
//! println!("{}", decision.decision.as_str());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::decision::Decision;
use crate::input::positions::Positions;
use crate::input::{self, FactsError, Format};
use crate::run::engine::{Engine, Options};
use std::sync::Arc;

use crate::schema::conform::Policies;
use crate::schema::{ConformOptions, Conformer, Record, Violation};
use crate::syntax::ast::Policy;
use crate::value::Value;

/// A snapshot conformed to an engine's fact schema: the only thing [`Pipeline::decide`]
/// takes, so an unconformed value cannot be decided by mistake.
#[derive(Debug, Clone, PartialEq)]
pub struct Conformed(Value);

impl Conformed {
    /// The snapshot as the rules read it.
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// The snapshot's top-level `id`, if it has one (batch records carry it).
    pub fn id(&self) -> Option<String> {
        self.0.get("id").map(|v| v.to_string())
    }
}

/// Why a snapshot was not decided: it could not be read, or it breaks the fact schema.
/// Either way there is no decision (exit 1, or an error record in batch work).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Rejected {
    /// The bytes are not a snapshot (syntax, encoding, limits).
    #[error("{0}")]
    Read(FactsError),
    /// The snapshot breaks the schema of a policy that applies to it.
    #[error("{}", render_violations(.origin, .violations))]
    Invalid {
        /// The file (or `file:line`, `<stdin>`) the violations are placed in.
        origin: String,
        /// Every violation, located where the text was at hand.
        violations: Vec<Violation>,
    },
}

fn render_violations(origin: &str, violations: &[Violation]) -> String {
    let lines: Vec<String> = violations.iter().map(|v| v.render(origin)).collect();
    lines.join("\n")
}

/// Reads, conforms and decides snapshots for one engine. What conforming derives from
/// the policies alone is derived once, so one pipeline serves a whole batch.
pub struct Pipeline<'e> {
    engine: &'e Engine,
    conformer: Conformer<'e>,
    conform: ConformOptions,
    broken: Broken,
}

/// What a pipeline does with a snapshot that breaks the fact schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Broken {
    /// Refuse it: no decision, every violation reported (`bylaw evaluate`, batch work,
    /// the library's entry points).
    #[default]
    Refuse,
    /// Decide it as far as it conforms: the parts that break the schema are left as they
    /// were, so a missing required fact makes its rules fail closed (`error`). The author
    /// workflows (`bylaw test`, `snapshot`, `diff`) pin such fail-closed cases this way.
    DecideAnyway,
}

impl<'e> Pipeline<'e> {
    /// A pipeline with the default (lenient) schema check.
    pub fn new(engine: &'e Engine) -> Pipeline<'e> {
        Pipeline::with(engine, ConformOptions::default())
    }

    /// A pipeline with the schema check given (`--strict`).
    pub fn with(engine: &'e Engine, conform: ConformOptions) -> Pipeline<'e> {
        Pipeline {
            engine,
            conformer: engine.conformer(),
            conform,
            broken: Broken::Refuse,
        }
    }

    /// The same pipeline, doing `broken` with a snapshot that breaks the schema.
    pub fn on_broken(self, broken: Broken) -> Pipeline<'e> {
        Pipeline { broken, ..self }
    }

    /// The engine that decides.
    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// Reads a snapshot's bytes and conforms it. `origin` names it in messages.
    pub fn read(&self, bytes: &[u8], format: Format, origin: &str) -> Result<Conformed, Rejected> {
        let (value, places) =
            input::load_bytes_placed(bytes, format, origin).map_err(Rejected::Read)?;
        self.conform_located(&value, origin, || {
            Some(places.positions(&String::from_utf8_lossy(bytes)))
        })
    }

    /// Conforms a snapshot already read. `positions` gives where its values are in its
    /// text, asked for only when there are violations to place (none: they are not
    /// placed); a YAML snapshot's come from its reader ([`input::Places`]).
    pub fn conform_located(
        &self,
        value: &Value,
        origin: &str,
        positions: impl FnOnce() -> Option<Positions>,
    ) -> Result<Conformed, Rejected> {
        let (conformed, mut violations) = self.conformer.conform_partly(value, &self.conform);
        match self.broken {
            _ if violations.is_empty() => Ok(Conformed(conformed)),
            Broken::DecideAnyway => Ok(Conformed(conformed)),
            Broken::Refuse => {
                if let Some(positions) = positions() {
                    for v in &mut violations {
                        v.locate(&positions);
                    }
                }
                Err(Rejected::Invalid {
                    origin: origin.to_string(),
                    violations,
                })
            }
        }
    }

    /// [`Pipeline::conform_located`] for a value whose text is not at hand.
    pub fn conform(&self, value: &Value, origin: &str) -> Result<Conformed, Rejected> {
        self.conform_located(value, origin, || None)
    }

    /// Decides a conformed snapshot.
    pub fn decide(&self, snapshot: &Conformed, opts: &Options) -> Decision {
        self.engine.evaluate_with(&snapshot.0, opts)
    }
}

impl Policies for Engine {
    fn typed(&self, i: usize) -> Option<(&Policy, &Arc<Record>)> {
        self.typed_policy(i)
    }

    fn candidates(&self, facts: &Value) -> Vec<usize> {
        Engine::candidates(self, facts)
    }

    fn applies(&self, i: usize, facts: &Value) -> Option<bool> {
        Engine::applies(self, i, facts)
    }

    fn applies_parts(&self) -> &[(usize, Record)] {
        self.applies_parts.get_or_init(|| {
            crate::schema::conform::applies_parts(&self.typed_policies().collect::<Vec<_>>())
        })
    }
}

impl Engine {
    /// Checks a snapshot against the schemas of the policies that apply to it and returns
    /// it as the rules are to read it, or every violation found. Policies with untyped
    /// facts check nothing. (Reading and deciding too: [`Engine::decide_bytes`].)
    pub fn conform(&self, facts: &Value, opts: &ConformOptions) -> Result<Value, Vec<Violation>> {
        self.conformer().conform(facts, opts)
    }

    /// [`Engine::conform`] for many snapshots: what it derives from the policies alone
    /// is derived once.
    pub fn conformer(&self) -> Conformer<'_> {
        Conformer::new(self)
    }

    /// The pipeline for this engine: read → conform → decide.
    pub fn pipeline(&self) -> Pipeline<'_> {
        Pipeline::new(self)
    }

    /// Reads a snapshot (JSON or YAML bytes), conforms it to the fact schema and decides
    /// it with default options: the entry point for snapshots from outside, deciding
    /// exactly as every `bylaw` command does.
    pub fn decide_bytes(
        &self,
        bytes: &[u8],
        format: Format,
        origin: &str,
    ) -> Result<Decision, Rejected> {
        let p = self.pipeline();
        let snapshot = p.read(bytes, format, origin)?;
        Ok(p.decide(&snapshot, &Options::default()))
    }

    /// [`Engine::decide_bytes`] for a snapshot already read (for instance built with
    /// [`crate::input::load_str`]): conformed first, then decided.
    pub fn decide_value(&self, snapshot: &Value, opts: &Options) -> Result<Decision, Rejected> {
        let p = self.pipeline();
        let snapshot = p.conform(snapshot, "snapshot")?;
        Ok(p.decide(&snapshot, opts))
    }
}

/// Where the values of a corpus case (a snapshot file, or one line of a JSONL file)
/// are, its text read again (and a YAML file's parsed again) only to place violations.
/// The author workflows decide broken snapshots ([`Broken::DecideAnyway`]), so they do
/// not ask.
pub(crate) fn case_positions(case: &crate::run::corpus::Case) -> Option<Positions> {
    let text = std::fs::read_to_string(&case.path).ok()?;
    match case.line {
        None => Some(Positions::scan(&text, Format::from_path(&case.path)?)),
        Some(n) => Some(Positions::scan(
            text.lines().nth(n.checked_sub(1)?)?,
            Format::Json,
        )),
    }
}
