//! Which policies can apply to a snapshot, found without asking each one.
//!
//! A rule set with a policy per operation has hundreds of `applies when
//! request.action == "…"`; asking each of them costs a scope and a condition per policy
//! per snapshot, although one applies. At load time each policy's `applies when` is
//! indexed when its first condition (the leftmost of its `and` chain) is a fact path
//! compared with text literals: `path == "a"` or `path in ["a", "b"]`. At decision
//! time the path is read once per index, and the policies whose literal is not the
//! value read are passed over: their `and` chain is false without asking the rest of it.
//!
//! Only an answer the evaluator would give is drawn: the value read must be text (a
//! missing fact, null, a number, … and the policies indexed on that path are asked, so
//! they report what they always reported), and a policy is passed over only while the
//! decision has steps enough left for its first condition (otherwise it is asked, and
//! runs out of steps as it always did). The first condition is the one evaluated first,
//! whose cost is known; a later one could come after a condition that uses any number
//! of steps.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::compile::{Fnv, Node, NodeKind, Slot};
use crate::syntax::ast::BinaryOp;
use crate::value::Value;

/// The policies of a rule set, indexed by what their `applies when` first compares.
#[derive(Debug, Default)]
pub(crate) struct Dispatch {
    /// The policies that are always asked, in order.
    always: Vec<usize>,
    /// One index per fact path compared.
    groups: Vec<Group>,
    /// Per policy, the steps its first condition may take: it is passed over only when
    /// the decision has that many left (0 for a policy that is not indexed).
    cost: Vec<u64>,
    /// The largest of `cost`.
    max_cost: u64,
}

/// The policies whose first condition compares one fact path with text.
#[derive(Debug)]
struct Group {
    /// The top-level fact.
    root: String,
    /// The fields read from it, in order.
    fields: Vec<String>,
    /// Text → the policies whose literals include it, in order. Hashed with FNV, not
    /// SipHash (which cost more than the rest of finding the candidates): its keys are
    /// the rules' literals, fixed at load; a request only looks text up, which no
    /// choice of text makes slower than the table's longest chain.
    by_value: HashMap<Box<str>, Vec<usize>, BuildHasherDefault<Fnv>>,
    /// Every policy of the group, in order.
    members: Vec<usize>,
}

/// What a policy's first condition compares: a path and the text it may equal.
struct Key<'p> {
    root: &'p str,
    fields: Vec<&'p str>,
    values: Vec<&'p str>,
    cost: u64,
}

/// The steps an indexed condition may take beyond its nodes: the `and`s and the
/// comparison are entered (one step each) and the path read (one per node); the rest
/// is margin, as passing over a policy too eagerly would change a decision, and asking
/// it only costs time.
const MARGIN: u64 = 4;

impl Dispatch {
    /// Indexes compiled policies by their `applies when` (their names resolved), within
    /// the evaluation depth allowed: a condition deeper than that is asked, and fails as
    /// it always did.
    pub(crate) fn new<'p>(
        policies: impl Iterator<Item = Option<&'p Node>>,
        max_depth: usize,
    ) -> Self {
        let mut d = Dispatch::default();
        for (i, p) in policies.enumerate() {
            let Some(key) = key_of(p).filter(|k| k.cost < max_depth as u64) else {
                d.always.push(i);
                d.cost.push(0);
                continue;
            };
            d.cost.push(key.cost);
            let at = d
                .groups
                .iter()
                .position(|g| g.root == key.root && g.fields.iter().eq(key.fields.iter()));
            let g = match at {
                Some(at) => &mut d.groups[at],
                None => {
                    d.groups.push(Group {
                        root: key.root.to_string(),
                        fields: key.fields.iter().map(|f| f.to_string()).collect(),
                        by_value: HashMap::default(),
                        members: Vec::new(),
                    });
                    let last = d.groups.len() - 1;
                    &mut d.groups[last]
                }
            };
            d.max_cost = d.max_cost.max(key.cost);
            g.members.push(i);
            for v in key.values {
                let list = g.by_value.entry(v.into()).or_default();
                // `in ["a", "a"]` lists the policy once.
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        d
    }

    /// The policies that may apply to `facts`, in order: those not indexed, and those
    /// indexed whose literal is the value read (all of a group whose path does not
    /// hold text).
    pub(crate) fn candidates(&self, facts: &Value) -> Vec<usize> {
        let mut out = self.always.clone();
        for g in &self.groups {
            match g.read(facts) {
                Some(text) => {
                    if let Some(hits) = g.by_value.get(text) {
                        out.extend_from_slice(hits);
                    }
                }
                None => out.extend_from_slice(&g.members),
            }
        }
        if !self.groups.is_empty() {
            out.sort_unstable();
        }
        out
    }

    /// The most steps any indexed policy's first condition may take.
    pub(crate) fn max_cost(&self) -> u64 {
        self.max_cost
    }

    /// The steps policy `i`'s first condition may take (0 when it is not indexed).
    pub(crate) fn cost(&self, i: usize) -> u64 {
        self.cost.get(i).copied().unwrap_or(0)
    }
}

impl Group {
    /// The text at the group's path, read as the evaluator reads a path; `None` when
    /// it is not there or not text.
    fn read<'v>(&self, facts: &'v Value) -> Option<&'v str> {
        let mut v = facts.get(&self.root)?;
        for f in &self.fields {
            v = match v {
                Value::Map(_) => v.get(f)?,
                _ => return None,
            };
        }
        match v {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }
}

/// The key of a policy whose `applies when` starts with `PATH == "text"` or
/// `PATH in ["text", …]`.
fn key_of(applies: Option<&Node>) -> Option<Key<'_>> {
    let mut e = applies?;
    let mut ands = 0u64;
    while let NodeKind::Binary(BinaryOp::And, l, _) = &e.kind {
        e = l;
        ands += 1;
    }
    let NodeKind::Binary(op, path, lit) = &e.kind else {
        return None;
    };
    let values: Vec<&str> = match (op, &lit.kind) {
        (BinaryOp::Eq, NodeKind::Const(Value::String(s))) => vec![s.as_str()],
        (BinaryOp::In, NodeKind::List(items)) if !items.is_empty() => items
            .iter()
            .map(|x| match &x.kind {
                NodeKind::Const(Value::String(s)) => Some(s.as_str()),
                _ => None,
            })
            .collect::<Option<_>>()?,
        _ => return None,
    };
    let mut fields = Vec::new();
    let mut at = &**path;
    let root = loop {
        match &at.kind {
            NodeKind::Field(base, f) => {
                fields.push(&**f);
                at = base;
            }
            // A top-level fact: not a `let`, the element or `now`.
            NodeKind::Name(n) if matches!(at.slot, Slot::Fact(_)) => break &**n,
            _ => return None,
        }
    };
    fields.reverse();
    let cost = ands + 1 + fields.len() as u64 + 1 + MARGIN;
    Some(Key {
        root,
        fields,
        values,
        cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::engine::Engine;

    fn engine(applies: &[&str]) -> Engine {
        let sources = applies.iter().enumerate().map(|(i, a)| {
            (
                format!("p{i}.bylaw"),
                format!("policy p{i}\nfacts request, x\napplies when {a}\n\nwarn w {{\n  message \"w\"\n  when true\n}}\n"),
            )
        });
        Engine::from_sources(sources).unwrap()
    }

    fn snapshot(yaml: &str) -> Value {
        crate::input::load_str(yaml, crate::input::Format::Yaml, "t").unwrap()
    }

    #[test]
    fn indexes_equality_membership_and_the_first_conjunct() {
        let e = engine(&[
            r#"request.action == "a""#,
            r#"request.action in ["b", "c", "b"]"#,
            r#"request.action == "a" and x > 1"#,
            r#"x > 1 and request.action == "a""#,
            r#""a" == request.action"#,
            r#"request.mode == "a""#,
        ]);
        let d = e.dispatch();
        assert_eq!(d.always, vec![3, 4]);
        assert_eq!(d.groups.len(), 2);
        assert_eq!(
            d.candidates(&snapshot("request: {action: a, mode: z}")),
            vec![0, 2, 3, 4]
        );
        assert_eq!(
            d.candidates(&snapshot("request: {action: b, mode: a}")),
            vec![1, 3, 4, 5]
        );
        assert_eq!(
            d.candidates(&snapshot("request: {action: q, mode: q}")),
            vec![3, 4]
        );
    }

    #[test]
    fn a_path_that_does_not_hold_text_asks_its_whole_group() {
        let e = engine(&[r#"request.action == "a""#, r#"request.action == "b""#]);
        let d = e.dispatch();
        for s in [
            "request: {action: 7}",
            "request: {}",
            "request: null",
            "x: 1",
            "request: {action: null}",
        ] {
            assert_eq!(d.candidates(&snapshot(s)), vec![0, 1], "{s}");
        }
        assert_eq!(d.candidates(&snapshot("request: {action: b}")), vec![1]);
    }

    /// Decisions with the index are those of asking every policy, on snapshots the
    /// index can and cannot answer, and with so few steps left that policies run out.
    #[test]
    fn decisions_are_those_of_asking_every_policy() {
        let applies = [
            r#"x > 1"#,
            r#"request.action == "a""#,
            r#"request.action in ["b", "a"] and x > 1"#,
            r#"request.action == "c" and x.y == 1"#,
            r#"request.kind.name == "a""#,
        ];
        let fast = engine(&applies);
        let slow = engine(&applies).scanning();
        let snapshots = [
            "request: {action: a, kind: {name: a}}\nx: 2",
            "request: {action: b}\nx: 0",
            "request: {action: c}\nx: 2",
            "request: {action: z}\nx: 2",
            "request: {action: z}",
            "request: {action: 3}\nx: 2",
            "request: {action: null, kind: 1}",
            "request: {kind: {name: [a]}}",
            "request: a",
            "x: 2",
        ];
        for s in snapshots {
            let facts = snapshot(s);
            for max_steps in (0..30).chain([1_000]) {
                let opts = crate::run::engine::Options {
                    explain: true,
                    max_steps,
                    ..Default::default()
                };
                let a = serde_json::to_string(&fast.evaluate_with(&facts, &opts)).unwrap();
                let b = serde_json::to_string(&slow.evaluate_with(&facts, &opts)).unwrap();
                assert_eq!(a, b, "{s} with {max_steps} steps");
            }
        }
    }
}
