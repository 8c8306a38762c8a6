//! Properties of decisions: deterministic, `deny` wins whatever the rule order,
//! the same facts in JSON and YAML decide the same, and no wrong type at a
//! contract path ever yields `allowed` where a blocking rule reads it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers, not library code

use crate::fuzz_snapshot as snapshot;

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use bylaw::input::{load_str, Format};
use bylaw::{Engine, Outcome, Value};
use proptest::prelude::*;

use snapshot::{Seg, Snapshot};

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(snapshot::engine)
}

fn arbitrary_snapshot(bytes: &[u8]) -> Value {
    let mut u = Unstructured::new(bytes);
    Snapshot::arbitrary(&mut u).unwrap().build()
}

fn decision_json(engine: &Engine, facts: &Value) -> String {
    serde_json::to_string(&engine.evaluate(facts)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(crate::generator::SEED),
        ..ProptestConfig::default()
    })]

    /// Same input, byte-identical output: twice on one engine, and on a fresh engine.
    #[test]
    fn evaluation_is_deterministic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let facts = arbitrary_snapshot(&bytes);
        let d = bylaw::run::harness::decide(engine(), &facts).unwrap();
        let fresh = snapshot::engine();
        prop_assert_eq!(serde_json::to_string(&d).unwrap(), decision_json(&fresh, &facts));
    }

    /// JSON → YAML → JSON: every step loads exactly when the first does, and decides the same.
    #[test]
    fn json_yaml_json_round_trip_decides_the_same(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let json = serde_json::to_string(&arbitrary_snapshot(&bytes)).unwrap();
        let first = load_str(&json, Format::Json, "s.json");
        let Ok(first) = first else {
            // Text the loader refuses (a time without an offset…) is refused in YAML too.
            let yaml = serde_yaml::to_string(&serde_json::from_str::<serde_json::Value>(&json).unwrap()).unwrap();
            prop_assert!(load_str(&yaml, Format::Yaml, "s.yaml").is_err(), "{}", yaml);
            return Ok(());
        };
        let yaml = serde_yaml::to_string(&first).unwrap();
        let second = load_str(&yaml, Format::Yaml, "s.yaml").unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let json_again = serde_json::to_string(&second).unwrap();
        let third = load_str(&json_again, Format::Json, "s.json").unwrap();
        let d = decision_json(engine(), &first);
        prop_assert_eq!(&d, &decision_json(engine(), &second));
        prop_assert_eq!(&d, &decision_json(engine(), &third));
    }

    /// The decision follows from the rules that hold, whatever order they are written in.
    #[test]
    fn deny_wins_regardless_of_rule_order(
        rules in proptest::collection::vec((0..4usize, 0..3usize), 1..8),
        order in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()),
    ) {
        let expected = expected_outcome(&rules);
        let mut shuffled: Vec<(usize, (usize, usize))> = rules.iter().copied().enumerate().collect();
        // A permutation from the seed: sort by a keyed hash of the position.
        shuffled.sort_by_key(|(i, _)| (*i as u64 + 1).wrapping_mul(order | 1).rotate_left(17));
        let facts = load_str("{\"a\": {\"yes\": true, \"no\": false}}", Format::Json, "s").unwrap();
        let mut matched_sets = Vec::new();
        for list in [rules.iter().copied().enumerate().collect::<Vec<_>>(), shuffled] {
            let engine = Engine::from_sources([("t.bylaw".to_string(), policy(&list))]).unwrap();
            let d = engine.evaluate(&facts);
            prop_assert_eq!(d.decision, expected, "{}", policy(&list));
            let mut matched: Vec<String> = d.matched.iter().map(|m| m.rule.to_string()).collect();
            matched.sort();
            matched_sets.push(matched);
        }
        prop_assert_eq!(&matched_sets[0], &matched_sets[1]);
    }
}

const KINDS: [&str; 4] = ["deny", "review", "warn", "effect"];
/// A condition that holds, fails, or cannot be evaluated (a missing fact).
const CONDITIONS: [&str; 3] = ["a.yes", "a.no", "a.missing"];

fn policy(rules: &[(usize, (usize, usize))]) -> String {
    let mut text = String::from("policy p\nfacts a\n");
    for (i, (kind, cond)) in rules {
        text.push_str(&format!(
            "{} r{i} {{\n  message \"m\"\n  when {}\n}}\n",
            KINDS[*kind], CONDITIONS[*cond]
        ));
    }
    text
}

/// The decision semantics, stated on their own: any matched deny; else any
/// undecidable deny or review; else any (pending) review; else allowed.
fn expected_outcome(rules: &[(usize, usize)]) -> Outcome {
    let has =
        |kinds: &[usize], cond: usize| rules.iter().any(|(k, c)| kinds.contains(k) && *c == cond);
    if has(&[0], 0) {
        Outcome::Denied
    } else if has(&[0, 1], 2) {
        Outcome::Error
    } else if has(&[1], 0) {
        Outcome::NeedsReview
    } else {
        Outcome::Allowed
    }
}

// ------------------------------------------------------ wrong types, exhaustively

/// Snapshots that are `allowed`, one per policy, so that any change to a fact a
/// blocking rule reads shows.
fn allowed_examples() -> Vec<(&'static str, Value)> {
    let unsubscribe = snapshot::example(0);
    let mut disassociate = snapshot::example(1);
    let set = |v: &mut Value, path: &str, yaml: &str| {
        let segs: Vec<Seg> = path.split('.').map(|k| Seg::Key(k.to_string())).collect();
        let value = load_str(&format!("v: {yaml}"), Format::Yaml, "t")
            .unwrap()
            .get("v")
            .unwrap()
            .clone();
        snapshot::set(v, &segs, Some(value));
    };
    set(
        &mut disassociate,
        "sub_account.real_time_settlement",
        "true",
    );
    set(
        &mut disassociate,
        "sub_account.orders",
        "[{id: o-1, status: paid}]",
    );
    set(
        &mut disassociate,
        "sub_account.operations",
        "[{id: op-1, kind: renewal, status: completed}]",
    );
    let examples = vec![("unsubscribe", unsubscribe), ("disassociate", disassociate)];
    for (name, v) in &examples {
        assert_eq!(engine().evaluate(v).decision, Outcome::Allowed, "{name}");
    }
    examples
}

/// Values of every type but the one at hand, and absence.
fn wrong_values(current: &Value) -> Vec<Option<Value>> {
    let yaml = "[null, true, 7, \"x\", {amount: \"5.00\", currency: USD}, 2021-09-30T10:00:00+08:00, [], [1], {k: 1}]";
    let all = load_str(&format!("v: {yaml}"), Format::Yaml, "t").unwrap();
    let Some(Value::List(items)) = all.get("v") else {
        unreachable!()
    };
    let mut out: Vec<Option<Value>> = items
        .iter()
        .filter(|v| v.type_of() != current.type_of())
        .cloned()
        .map(Some)
        .collect();
    out.push(None);
    out
}

/// Contract paths no blocking rule reads, or reads only through a condition that
/// another fact of the allowed example already decides (three-valued logic: `false
/// and ERR` is false). A wrong type there may be `allowed`; everywhere else never.
const NOT_BLOCKING: &[&str] = &[
    // Not read by any rule, or only by messages, warnings and effects.
    "request.mode",
    "resources[0].name",
    "resources[0].product_type",
    "resources[0].region",
    "resources[0].order.id",
    "resources[0].order.paid_at",
    "resources[0].cash_coupons_used",
    "resources[0].transactions[0].id",
    "resources[0].transactions[0].kind",
    "billing",
    "billing.timezone",
    "account.id",
    "main_account.enterprise_finance_version",
    "main_account.permissions",
    "main_account.permissions.sync_credit_control_identity",
    "sub_account.upgraded_from_management",
    "sub_account.original_permissions",
    "sub_account.original_permissions.sync_credit_control_identity",
    "sub_account.allocated_funds",
    "sub_account.allocated_funds.cash",
    "sub_account.allocated_funds.coupons",
    "sub_account.available_balance",
    "sub_account.expected_charges",
    "sub_account.instances",
    "sub_account.instances[0]",
    "sub_account.instances[0].id",
    "sub_account.instances[0].purchased_during_hosting",
    "sub_account.orders[0].id",
    "sub_account.operations[0].id",
    "sub_account.id",
    "request.submitted_at@disassociate",
    "now@disassociate",
    // Only in messages and `identified by` (which falls back to the element's path).
    "resources[0].id",
    // `present(request.filter.enterprise_project) and not account.enterprise_project_enabled`:
    // enterprise projects are enabled, so the filter is never read for its value; and
    // no filter is set, so whether they are enabled is never read.
    "request.filter",
    "request.filter.enterprise_project",
    "account.enterprise_project_enabled",
    // Removing the only element leaves an empty list: nothing in progress, nothing pending.
    "resources[0].transactions[0]=absent",
    "sub_account.orders[0]=absent",
    "sub_account.operations[0]=absent",
    // `o.kind in [...] and o.status in [...]`: the status (`completed`) already decides.
    "sub_account.operations[0].kind",
    // null compares unequal to everything (by design: `main_account_id == null`), so a
    // null status is "not in progress" and a null relationship is neither kind.
    "resources[0].transactions[0].status=null",
    "sub_account.orders[0].status=null",
    "sub_account.operations[0].status=null",
    "sub_account.relationship=null",
    // `hosting and not real_time_settlement and …`: real-time settlement ends it.
    "sub_account.unpaid_bills",
    "sub_account.unpaid_bills[0]",
    "sub_account.unpaid_bills[0].id",
    "sub_account.unpaid_bills[0].amount",
    // `management and …`: the relationship is hosting.
    "sub_account.allocated_credit_limit",
    "main_account.entity_level_credit_control",
    // `resource.promotion != null and …`: null compared with anything is false, not an error.
    "resources[0].promotion",
    // The manager decided in time: the automatic approval (which needs `now`) is not reached,
    // and a decision is trusted when `now` is absent.
    "now@unsubscribe",
];

#[test]
fn no_wrong_type_at_a_contract_path_is_allowed() {
    let mut allowed = Vec::new();
    let mut tried = 0;
    for (name, base) in allowed_examples() {
        for path in snapshot::paths(&base) {
            let shown = snapshot::show(&path);
            let current = snapshot::get(&base, &path).unwrap().clone();
            for wrong in wrong_values(&current) {
                let mut facts = base.clone();
                snapshot::set(&mut facts, &path, wrong.clone());
                tried += 1;
                let which = match &wrong {
                    None => "absent",
                    Some(Value::Null) => "null",
                    Some(_) => "other",
                };
                let excused = [
                    shown.clone(),
                    format!("{shown}@{name}"),
                    format!("{shown}={which}"),
                ]
                .iter()
                .any(|k| NOT_BLOCKING.contains(&k.as_str()));
                if engine().evaluate(&facts).decision == Outcome::Allowed && !excused {
                    allowed.push(format!(
                        "{name}: {shown} = {:?}",
                        wrong.map(|v| v.to_string())
                    ));
                }
            }
        }
    }
    assert!(tried > 500, "{tried}");
    assert!(
        allowed.is_empty(),
        "allowed with a wrong type:\n{}",
        allowed.join("\n")
    );
}
