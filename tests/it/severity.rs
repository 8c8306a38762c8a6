//! The severity order, cell by cell: `denied` > `error` > `needs_review` > `allowed`,
//! whichever scope (the request, an item) and whichever policy each outcome comes from.
//! An item's own decision is its item-level rules' alone; the request's is the worst of
//! everything.

use bylaw::{Engine, Outcome};
use serde_json::{json, Value as J};

/// Two request-level policies and one per item, each with a deny and a review whose
/// outcome the snapshot chooses.
fn engine() -> Engine {
    let request = |name: &str, fact: &str| {
        format!(
            r#"policy {name}
facts {fact}, items
deny {name}_blocked {{
  message "blocked"
  when {fact}.deny
}}
review {name}_check {{
  message "checked"
  when {fact}.review
  rejected when {fact}.reject
}}
"#
        )
    };
    let per_item = r#"policy per_item
facts items
for each item in items identified by item.id
deny item_blocked {
  message "blocked"
  when item.deny
}
review item_check {
  message "checked"
  when item.review
  rejected when item.reject
}
"#;
    Engine::from_sources([
        ("a.bylaw".to_string(), request("first", "a")),
        ("b.bylaw".to_string(), request("second", "b")),
        ("c.bylaw".to_string(), per_item.to_string()),
    ])
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The facts that give a scope each outcome.
#[derive(Clone, Copy, Debug)]
enum State {
    Allowed,
    Pending,
    Rejected,
    Error,
    Denied,
}

const STATES: [State; 5] = [
    State::Allowed,
    State::Pending,
    State::Rejected,
    State::Error,
    State::Denied,
];

impl State {
    fn facts(self) -> J {
        match self {
            State::Allowed => json!({"deny": false, "review": false, "reject": false}),
            State::Pending => json!({"deny": false, "review": true, "reject": false}),
            State::Rejected => json!({"deny": false, "review": true, "reject": true}),
            // `deny` is missing: the blocking rule cannot be decided (fail closed).
            State::Error => json!({"review": false, "reject": false}),
            State::Denied => json!({"deny": true, "review": false, "reject": false}),
        }
    }

    fn outcome(self) -> Outcome {
        match self {
            State::Allowed => Outcome::Allowed,
            State::Pending => Outcome::NeedsReview,
            State::Rejected | State::Denied => Outcome::Denied,
            State::Error => Outcome::Error,
        }
    }
}

fn decide(engine: &Engine, a: State, b: State, items: &[State]) -> bylaw::Decision {
    let items: Vec<J> = items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut f = s.facts();
            f["id"] = json!(format!("i{i}"));
            f
        })
        .collect();
    let facts = json!({"a": a.facts(), "b": b.facts(), "items": items});
    let value = bylaw::input::load_str(&facts.to_string(), bylaw::input::Format::Json, "t")
        .unwrap_or_else(|e| panic!("{e}"));
    engine.evaluate(&value)
}

#[test]
fn the_order_holds_across_policies_at_the_request() {
    let engine = engine();
    for a in STATES {
        for b in STATES {
            let d = decide(&engine, a, b, &[State::Allowed]);
            let want = a.outcome().max(b.outcome());
            assert_eq!(d.decision, want, "first {a:?}, second {b:?}");
        }
    }
    // The cells spelled out, so a wrong order cannot hide behind `max`.
    let cells = [
        (State::Denied, State::Error, Outcome::Denied),
        (State::Error, State::Denied, Outcome::Denied),
        (State::Error, State::Pending, Outcome::Error),
        (State::Pending, State::Error, Outcome::Error),
        (State::Rejected, State::Error, Outcome::Denied),
        (State::Pending, State::Allowed, Outcome::NeedsReview),
        (State::Pending, State::Rejected, Outcome::Denied),
    ];
    for (a, b, want) in cells {
        assert_eq!(
            decide(&engine, a, b, &[State::Allowed]).decision,
            want,
            "{a:?} {b:?}"
        );
    }
}

#[test]
fn the_order_holds_between_the_request_and_its_items() {
    let engine = engine();
    for req in STATES {
        for item in STATES {
            let d = decide(&engine, req, State::Allowed, &[item]);
            assert_eq!(
                d.decision,
                req.outcome().max(item.outcome()),
                "request {req:?}, item {item:?}"
            );
            // The item's own decision is its rules' alone.
            assert_eq!(d.items[0].decision, item.outcome(), "item {item:?}");
        }
    }
    // An item's error does not outrank a request-level deny, nor does an item's deny
    // give way to a request-level error.
    let d = decide(&engine, State::Denied, State::Allowed, &[State::Error]);
    assert_eq!(
        (d.decision, d.items[0].decision),
        (Outcome::Denied, Outcome::Error)
    );
    let d = decide(&engine, State::Error, State::Allowed, &[State::Denied]);
    assert_eq!(
        (d.decision, d.items[0].decision),
        (Outcome::Denied, Outcome::Denied)
    );
    let d = decide(&engine, State::Pending, State::Allowed, &[State::Error]);
    assert_eq!(d.decision, Outcome::Error);
    let d = decide(&engine, State::Error, State::Allowed, &[State::Pending]);
    assert_eq!(d.decision, Outcome::Error);
}

#[test]
fn the_order_holds_between_items() {
    let engine = engine();
    for x in STATES {
        for y in STATES {
            let d = decide(&engine, State::Allowed, State::Allowed, &[x, y]);
            assert_eq!(
                d.decision,
                x.outcome().max(y.outcome()),
                "items {x:?}, {y:?}"
            );
            assert_eq!(
                (d.items[0].decision, d.items[1].decision),
                (x.outcome(), y.outcome())
            );
        }
    }
}
