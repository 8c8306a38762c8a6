//! Checking a parsed rule set: each library once, on its own; then each policy with
//! the definitions it imports copied in (`check::imports`), checked and compiled on
//! all cores. A library is kept for listing; it never becomes a policy, so it never
//! applies to a snapshot.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use super::{compile, Compiled};
use crate::check::imports::{check_library, Libraries};
use crate::check::{check_one, duplicate_id};
use crate::limits::Limits;
use crate::report::diagnostic::Diagnostic;
use crate::run::load::par_map;
use crate::syntax::ast::{Ident, Policy};

/// A checked rule set: its compiled policies and its libraries.
pub(super) struct Set {
    pub(super) policies: Vec<Compiled>,
    pub(super) libraries: Vec<Policy>,
}

/// The parsed files of a rule set, checked: every diagnostic when one is wrong
/// (syntax errors first, then file by file in the files' order, each once).
pub(super) fn check_set(
    parsed: Vec<Result<Policy, Diagnostic>>,
    limits: &Limits,
) -> Result<Set, Vec<Diagnostic>> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut libraries = Vec::new();
    // A policy is taken out of its slot to be compiled: moved, not copied.
    let mut files: Vec<Mutex<Option<Policy>>> = Vec::new();
    for p in parsed {
        match p {
            Err(d) => errors.push(d),
            Ok(p) if p.library => libraries.push(p),
            Ok(p) => files.push(Mutex::new(Some(p))),
        }
    }
    let names: HashSet<String> = files
        .iter()
        .filter_map(|f| f.lock().ok()?.as_ref().map(|p| p.id.name.clone()))
        .collect();
    let (libs, twice) = Libraries::new(&libraries, names);
    errors.extend(twice);
    for lib in &libraries {
        errors.extend(check_library(lib, &libs, limits));
    }
    let loaded = par_map(&files, |slot| {
        let Some(p) = slot.lock().ok().and_then(|mut s| s.take()) else {
            return Loaded::Gone;
        };
        let p = if p.uses.is_empty() && p.types.is_empty() {
            p
        } else {
            let (resolved, found) = libs.resolve(&p);
            if !found.is_empty() {
                return Loaded::Checked(Box::new(p), found);
            }
            resolved
        };
        let found = check_one(&p, limits);
        if found.is_empty() {
            Loaded::Ready(Box::new(compile(p)))
        } else {
            let found = found.into_iter().map(|d| context(d, &p)).collect();
            Loaded::Checked(Box::new(p), found)
        }
    });
    let mut ids: HashMap<&str, &Ident> = HashMap::new();
    for l in &loaded {
        let (id, found) = match l {
            Loaded::Gone => continue,
            Loaded::Checked(p, found) => (&p.id, &found[..]),
            Loaded::Ready(c) => (&c.ast.id, &[][..]),
        };
        if let Some(first) = ids.insert(&id.name, id) {
            errors.push(duplicate_id(id, first));
        }
        errors.extend(found.iter().cloned());
    }
    if !errors.is_empty() {
        return Err(if libraries.is_empty() {
            errors
        } else {
            once_each(errors)
        });
    }
    let policies = loaded
        .into_iter()
        .filter_map(|l| match l {
            Loaded::Ready(c) => Some(*c),
            _ => None,
        })
        .collect();
    Ok(Set {
        policies,
        libraries,
    })
}

/// A policy file as checking leaves it.
enum Loaded {
    /// Taken already (cannot happen: each slot is visited once).
    Gone,
    /// With these errors.
    Checked(Box<Policy>, Vec<Diagnostic>),
    /// It passed its checks and is compiled.
    Ready(Box<Compiled>),
}

/// An error found in a library's definition while checking a policy that imports it
/// (its facts' types are the policy's): says which policy.
fn context(d: Diagnostic, p: &Policy) -> Diagnostic {
    let elsewhere = d
        .span
        .as_ref()
        .is_some_and(|s| s.source.name != p.span.source.name);
    if elsewhere && d.hint.is_none() {
        let hint = format!(
            "found checking the policy `{}` ({}), which imports it",
            p.id.name,
            p.id.span.location_col()
        );
        d.hint(hint)
    } else {
        d
    }
}

/// Each diagnostic once: a library's error is found again in each file that imports it.
fn once_each(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    errors
        .into_iter()
        .filter(|d| seen.insert((d.location(), d.message.clone())))
        .collect()
}
