//! The worked example of seed 000_8e70784e78659d28.txt, checked directly:
//! "You paid $2000 USD for ECSs on August 20, 2021, and requested to unsubscribe
//! from them on September 30, 2021 ... approved on September 30 → billing cycle
//! 2021/9; approved on October 01 → 2021/10."

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use bylaw::decision::ReviewState;
use bylaw::input::{load_str, Format};
use bylaw::{Engine, Outcome, Value};

fn decide(review_at: &str) -> bylaw::Decision {
    let text = std::fs::read_to_string("examples/unsubscribe.yaml").unwrap();
    let text = text.replace(
        "decided_at: 2021-09-30T18:00:00+08:00",
        &format!("decided_at: {review_at}"),
    );
    let text = text.replace(
        "now: 2021-10-01T09:00:00+08:00",
        "now: 2021-10-02T09:00:00+08:00",
    );
    let facts = load_str(&text, Format::Yaml, "example").unwrap();
    Engine::from_dir("rules").unwrap().evaluate(&facts)
}

fn cycle(d: &bylaw::Decision) -> Value {
    let m = d.items[0]
        .matched
        .iter()
        .find(|m| &*m.rule == "unsubscribe.billing_cycle")
        .unwrap();
    m.value.clone().unwrap()
}

#[test]
fn approved_on_september_30_is_cycle_2021_9() {
    let d = decide("2021-09-30T18:00:00+08:00");
    assert_eq!(d.decision, Outcome::Allowed);
    let review = d.items[0]
        .matched
        .iter()
        .find(|m| &*m.rule == "unsubscribe.large_order_review")
        .unwrap();
    assert_eq!(review.status.as_ref().unwrap().state, ReviewState::Approved);
    assert_eq!(cycle(&d), Value::string("2021/9"));
}

#[test]
fn approved_on_october_1_is_cycle_2021_10() {
    // Within the 24 hours after the 10:00 request, so the manager's decision counts.
    let d = decide("2021-10-01T09:00:00+08:00");
    assert_eq!(cycle(&d), Value::string("2021/10"));
}

#[test]
fn the_month_is_taken_in_the_billing_time_zone() {
    // 20:00 UTC on September 30 is 04:00 on October 1 in +08:00.
    let d = decide("2021-09-30T20:00:00Z");
    assert_eq!(cycle(&d), Value::string("2021/10"));
}
