//! Rule IDs as test files write them: `policy.rule`, or `rule` alone when only one
//! policy has a rule of that name; a misspelled ID gets "did you mean".

use std::collections::{HashMap, HashSet};

use super::Spanned;
use crate::report::diagnostic::{did_you_mean, Diagnostic};
use crate::run::engine::Engine;

/// The rules of an engine, by ID.
pub struct RuleIndex {
    /// Every `policy.rule`.
    kinds: HashSet<String>,
    /// `rule` → every `policy.rule` with that name.
    bare: HashMap<String, Vec<String>>,
    /// Every ID, in load order (for suggestions).
    ids: Vec<String>,
}

impl RuleIndex {
    /// Indexes the engine's rules, or only those of policy `only`.
    pub fn new(engine: &Engine, only: Option<&str>) -> RuleIndex {
        let mut kinds = HashSet::new();
        let mut bare: HashMap<String, Vec<String>> = HashMap::new();
        let mut ids = Vec::new();
        for p in engine
            .policies()
            .filter(|p| only.is_none_or(|o| o == p.id.name))
        {
            for r in &p.rules {
                let id = format!("{}.{}", p.id.name, r.name.name);
                kinds.insert(id.clone());
                bare.entry(r.name.name.clone())
                    .or_default()
                    .push(id.clone());
                ids.push(id);
            }
        }
        RuleIndex { kinds, bare, ids }
    }

    /// The full ID a test file's rule ID stands for.
    pub fn resolve(&self, id: &Spanned<String>) -> Result<String, Diagnostic> {
        let name = id.value.trim();
        if self.kinds.contains(name) {
            return Ok(name.to_string());
        }
        if !name.contains('.') {
            match self.bare.get(name).map(Vec::as_slice) {
                Some([one]) => return Ok(one.clone()),
                Some(many) if many.len() > 1 => {
                    return Err(Diagnostic::at(
                        &id.span,
                        format!("`{name}` names rules of several policies"),
                    )
                    .hint(format!("write one of: {}", many.join(", "))));
                }
                _ => {}
            }
        }
        let guess = did_you_mean(name, self.ids.iter().map(String::as_str)).or_else(|| {
            let names = self.bare.keys().map(String::as_str);
            did_you_mean(name, names)
                .or_else(|| {
                    let last = name.rsplit('.').next().unwrap_or(name);
                    did_you_mean(last, self.bare.keys().map(String::as_str))
                        .or_else(|| self.bare.contains_key(last).then_some(last))
                })
                .and_then(|b| match self.bare.get(b).map(Vec::as_slice) {
                    Some([one]) => Some(one.as_str()),
                    _ => None,
                })
        });
        let d = Diagnostic::at(&id.span, format!("unknown rule `{name}`"));
        Err(match guess {
            Some(g) => d.hint(format!("did you mean `{g}`?")),
            None => d.hint(format!(
                "a rule is named `policy.rule`; the rules are: {}",
                self.ids.join(", ")
            )),
        })
    }
}
