//! The entry points the fuzz targets (`fuzz/`) drive, shared with the tests that
//! replay the fuzz corpus, so both exercise exactly the same code.
//!
//! Each returns `Err` with a description when an invariant the engine promises is
//! broken (a panic, stack overflow or hang is the other kind of finding, and needs
//! no help to be noticed).

use crate::decision::{Decision, Outcome, RuleError};
use crate::input::{self, Format};
use crate::limits::Limits;
use crate::run::engine::{Engine, Options};
use crate::syntax::ast::RuleKind;
use crate::value::Value;

/// Parses and checks arbitrary bytes as one rule file; the result itself is not judged.
pub fn rules(data: &[u8]) -> Result<Option<Engine>, String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(None);
    };
    let limits = Limits::default();
    match Engine::from_sources_with([("fuzz.bylaw".to_string(), text.to_string())], &limits) {
        Ok(engine) => Ok(Some(engine)),
        Err(e) => {
            let message = e.to_string();
            if message.trim().is_empty() {
                return Err("a rule file was refused without a message".into());
            }
            Ok(None)
        }
    }
}

/// Reads arbitrary bytes as a snapshot in `format`. A snapshot that loads must
/// be a record and must serialize back to JSON; JSON must be read alike with the
/// direct reader first and with serde alone (see [`json_readers_agree`]).
pub fn facts(data: &[u8], format: Format) -> Result<Option<Value>, String> {
    if format == Format::Json {
        json_readers_agree(data)?;
    }
    match input::load_bytes_with(data, format, "fuzz", &Limits::default()) {
        Ok(v) => {
            if !matches!(v, Value::Map(_)) {
                return Err(format!("a snapshot loaded as {}", v.type_of()));
            }
            serde_json::to_string(&v)
                .map_err(|e| format!("a loaded snapshot cannot be written: {e}"))?;
            Ok(Some(v))
        }
        Err(e) if e.message.trim().is_empty() => {
            Err("a snapshot was refused without a message".into())
        }
        Err(_) => Ok(None),
    }
}

/// JSON is read by a direct reader, and by serde where it gives up: together they must
/// read `data` exactly as serde alone does, to the same value or the same error.
pub fn json_readers_agree(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    let limits = Limits::default();
    let loaded = input::load_str_with(text, Format::Json, "fuzz", &limits);
    let by_serde = input::load_json_by_serde(text, "fuzz", &limits);
    // Debug shows what equality does not: a decimal's scale, a time's offset.
    let (both, alone) = (format!("{loaded:?}"), format!("{by_serde:?}"));
    if both != alone {
        return Err(format!(
            "the direct JSON reader disagrees with serde: {both} against {alone}"
        ));
    }
    Ok(())
}

/// Decides a snapshot and checks what every decision must satisfy: deterministic
/// (a second evaluation gives byte-identical JSON), fail closed (never `allowed`
/// with a matched deny or an undecided blocking rule), and the decision is the
/// most severe of its parts.
pub fn decide(engine: &Engine, facts: &Value) -> Result<Decision, String> {
    let opts = Options::default();
    let d = engine.evaluate_with(facts, &opts);
    let first = serde_json::to_string(&d).map_err(|e| format!("cannot write a decision: {e}"))?;
    let again = serde_json::to_string(&engine.evaluate_with(facts, &opts))
        .map_err(|e| format!("cannot write a decision: {e}"))?;
    if first != again {
        return Err("two evaluations of one snapshot differ".into());
    }
    check_decision(&d)?;
    Ok(d)
}

/// The invariants of one decision (see [`decide`]).
pub fn check_decision(d: &Decision) -> Result<(), String> {
    let blocking = |errors: &[RuleError]| errors.iter().any(|e| e.blocking);
    let denies = |m: &[crate::decision::Match]| m.iter().any(|m| m.kind == RuleKind::Deny);
    let mut worst = part_outcome(denies(&d.matched), blocking(&d.errors));
    for item in &d.items {
        let own = part_outcome(denies(&item.matched), blocking(&item.errors));
        if item.decision < own {
            return Err(format!(
                "element `{}` is {} though its rules say at least {}",
                item.id,
                item.decision.as_str(),
                own.as_str()
            ));
        }
        worst = worst.max(item.decision);
    }
    if d.decision < worst {
        return Err(format!(
            "the decision is {} though its parts say at least {}",
            d.decision.as_str(),
            worst.as_str()
        ));
    }
    if d.decision == Outcome::Allowed && d.policies.is_empty() {
        return Err("allowed though no policy applied".into());
    }
    Ok(())
}

fn part_outcome(denied: bool, blocked: bool) -> Outcome {
    if denied {
        Outcome::Denied
    } else if blocked {
        Outcome::Error
    } else {
        Outcome::Allowed
    }
}
