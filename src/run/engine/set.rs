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

/// A file of a rule set after the work that needs no other file: parsed and, when it
/// imports nothing, checked and compiled. Loading does this on all cores, in the same
/// pass that reads and parses each file (one set of threads per load).
pub(super) enum Alone {
    /// Its syntax error.
    Failed(Diagnostic),
    /// A library: checked with the others, in [`check_set`].
    Library(Policy),
    /// A policy that imports definitions: checked once the libraries are known.
    Importing(Policy),
    /// A policy that imports nothing, checked (and compiled when it passed).
    Done(Loaded),
}

/// What can be done with one parsed file on its own (see [`Alone`]).
pub(super) fn alone(parsed: Result<Policy, Diagnostic>, limits: &Limits) -> Alone {
    match parsed {
        Err(d) => Alone::Failed(d),
        Ok(p) if p.library => Alone::Library(p),
        Ok(p) if p.uses.is_empty() && p.types.is_empty() => Alone::Done(checked(p, limits)),
        Ok(p) => Alone::Importing(p),
    }
}

/// A policy with its imports copied in, checked, and compiled when it passed.
fn checked(p: Policy, limits: &Limits) -> Loaded {
    let found = check_one(&p, limits);
    if found.is_empty() {
        Loaded::Ready(Box::new(compile(p)))
    } else {
        let found = found.into_iter().map(|d| context(d, &p)).collect();
        Loaded::Checked(Box::new(p), found)
    }
}

/// The files of a rule set, each as far as it goes [`alone`], checked together: every
/// diagnostic when one is wrong (syntax errors first, then file by file in the files'
/// order, each once).
pub(super) fn check_set(files: Vec<Alone>, limits: &Limits) -> Result<Set, Vec<Diagnostic>> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut libraries = Vec::new();
    // An importing policy is taken out of its slot to be checked: moved, not copied.
    let mut slots: Vec<Slot> = Vec::new();
    for f in files {
        match f {
            Alone::Failed(d) => errors.push(d),
            Alone::Library(p) => libraries.push(p),
            Alone::Importing(p) => slots.push(Slot::Importing(Box::new(Mutex::new(Some(p))))),
            Alone::Done(l) => slots.push(Slot::Done(l)),
        }
    }
    let names: HashSet<String> = slots.iter().filter_map(Slot::name).collect();
    let (libs, twice) = Libraries::new(&libraries, names);
    errors.extend(twice);
    for lib in &libraries {
        errors.extend(check_library(lib, &libs, limits));
    }
    let importing: Vec<&Mutex<Option<Policy>>> = slots
        .iter()
        .filter_map(|s| match s {
            Slot::Importing(p) => Some(&**p),
            Slot::Done(_) => None,
        })
        .collect();
    let mut imported = par_map(&importing, |slot| {
        let Some(p) = slot.lock().ok().and_then(|mut s| s.take()) else {
            return Loaded::Gone;
        };
        let (resolved, found) = libs.resolve(&p);
        if found.is_empty() {
            checked(resolved, limits)
        } else {
            Loaded::Checked(Box::new(p), found)
        }
    })
    .into_iter();
    drop(importing);
    let loaded: Vec<Loaded> = slots
        .into_iter()
        .map(|s| match s {
            Slot::Done(l) => l,
            Slot::Importing(_) => imported.next().unwrap_or(Loaded::Gone),
        })
        .collect();
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

/// A policy file's place in the set, in the files' order.
enum Slot {
    /// Checked on its own already.
    Done(Loaded),
    /// Waiting for the libraries.
    Importing(Box<Mutex<Option<Policy>>>),
}

impl Slot {
    /// The policy's name (libraries may not take it).
    fn name(&self) -> Option<String> {
        match self {
            Slot::Done(Loaded::Ready(c)) => Some(c.ast.id.name.clone()),
            Slot::Done(Loaded::Checked(p, _)) => Some(p.id.name.clone()),
            Slot::Done(Loaded::Gone) => None,
            Slot::Importing(p) => p.lock().ok()?.as_ref().map(|p| p.id.name.clone()),
        }
    }
}

/// A policy file as checking leaves it.
pub(super) enum Loaded {
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
