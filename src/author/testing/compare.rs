//! Expectations against a decision: every expectation that does not hold becomes a
//! [`Failure`] saying what was expected, what the decision said, and why.

use super::report::Failure;
use super::rules::RuleIndex;
use super::{Expect, Spanned};
use crate::decision::{Decision, Evidence, Item, Match, Miss, Outcome, ReviewState, RuleError};
use crate::report::diagnostic::{did_you_mean, Diagnostic};
use crate::value::{Literal, Value};

/// What a decision (or one item) said, each entry with the item it belongs to.
struct View<'d> {
    decision: Outcome,
    matched: Vec<(&'d Match, Option<&'d str>)>,
    errors: Vec<(&'d RuleError, Option<&'d str>)>,
    misses: Vec<(&'d Miss, Option<&'d str>)>,
}

impl<'d> View<'d> {
    fn whole(d: &'d Decision) -> View<'d> {
        let mut v = View {
            decision: d.decision,
            matched: d.matched.iter().map(|m| (m, None)).collect(),
            errors: d.errors.iter().map(|e| (e, None)).collect(),
            misses: d.not_matched.iter().map(|m| (m, None)).collect(),
        };
        for item in &d.items {
            v.add(item);
        }
        v
    }

    fn items(items: &[&'d Item]) -> View<'d> {
        let mut v = View {
            decision: items
                .iter()
                .map(|i| i.decision)
                .max()
                .unwrap_or(Outcome::Allowed),
            matched: Vec::new(),
            errors: Vec::new(),
            misses: Vec::new(),
        };
        for item in items {
            v.add(item);
        }
        v
    }

    fn add(&mut self, item: &'d Item) {
        let id = Some(item.id.as_str());
        self.matched.extend(item.matched.iter().map(|m| (m, id)));
        self.errors.extend(item.errors.iter().map(|e| (e, id)));
        self.misses.extend(item.not_matched.iter().map(|m| (m, id)));
    }

    fn matches_of(&self, rule: &str) -> Vec<(&'d Match, Option<&'d str>)> {
        self.matched
            .iter()
            .filter(|(m, _)| &*m.rule == rule)
            .copied()
            .collect()
    }

    /// What happened to a rule, for a failure's "actual" side and its notes.
    fn state(&self, rule: &str) -> (String, Vec<String>) {
        let matched = self.matches_of(rule);
        if !matched.is_empty() {
            let wheres: Vec<String> = matched.iter().map(|(_, i)| place(*i)).collect();
            let notes = matched
                .iter()
                .flat_map(|(m, i)| {
                    std::iter::once(format!("{}: {}", place(*i), m.message))
                        .chain(evidence_lines("because", &m.evidence))
                })
                .collect();
            return (format!("matched ({})", wheres.join(", ")), notes);
        }
        let errors: Vec<_> = self
            .errors
            .iter()
            .filter(|(e, _)| e.rule.as_deref() == Some(rule))
            .collect();
        if !errors.is_empty() {
            let notes = errors
                .iter()
                .map(|(e, i)| format!("{}: {}", place(*i), e.reason))
                .collect();
            return ("could not be evaluated".into(), notes);
        }
        let misses: Vec<_> = self
            .misses
            .iter()
            .filter(|(m, _)| &*m.rule == rule)
            .collect();
        if !misses.is_empty() {
            let notes = misses
                .iter()
                .flat_map(|(m, i)| {
                    let mut lines = evidence_lines("because", &m.evidence);
                    if let Some(first) = lines.first_mut() {
                        *first = format!("{}: {first}", place(*i));
                    }
                    lines
                })
                .collect();
            return ("did not match".into(), notes);
        }
        (
            "was not evaluated (its policy did not apply, or it has no `when`)".into(),
            Vec::new(),
        )
    }
}

fn place(item: Option<&str>) -> String {
    item.unwrap_or("request").to_string()
}

/// Evidence as the text rendering shows it: `because COND  [path = value]`.
pub(crate) fn evidence_lines(lead: &str, evidence: &[Evidence]) -> Vec<String> {
    crate::report::text::evidence_lines(lead, evidence)
}

/// Compares. Rule IDs that do not resolve are skipped: [`unknown_ids`] reports them.
pub fn compare(index: &RuleIndex, expect: &Expect, d: &Decision) -> Vec<Failure> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    check(
        index,
        expect,
        &View::whole(d),
        None,
        &mut out,
        &mut problems,
    );
    for (key, e) in &expect.items {
        let found: Vec<&Item> = d
            .items
            .iter()
            .filter(|i| i.id == key.value || i.path == key.value)
            .collect();
        if found.is_empty() {
            let ids: Vec<&str> = d.items.iter().map(|i| i.id.as_str()).collect();
            let mut notes = Vec::new();
            if let Some(s) = did_you_mean(&key.value, ids.iter().copied()) {
                notes.push(format!("did you mean `{s}`?"));
            }
            out.push(Failure::new(
                format!("item `{}`", key.value),
                &key.span,
                "an item with this ID or path",
                if ids.is_empty() {
                    "the decision has no items".to_string()
                } else {
                    format!("the items are: {}", ids.join(", "))
                },
                notes,
            ));
            // Still check the rule IDs it names.
            check(
                index,
                e,
                &View::items(&[]),
                Some(&key.value),
                &mut Vec::new(),
                &mut problems,
            );
            continue;
        }
        check(
            index,
            e,
            &View::items(&found),
            Some(&key.value),
            &mut out,
            &mut problems,
        );
    }
    out
}

fn check(
    index: &RuleIndex,
    e: &Expect,
    v: &View<'_>,
    item: Option<&str>,
    out: &mut Vec<Failure>,
    problems: &mut Vec<Diagnostic>,
) {
    let prefix = item.map_or(String::new(), |i| format!("item `{i}`: "));
    let mut resolve = |id: &Spanned<String>| match index.resolve(id) {
        Ok(r) => Some(r),
        Err(d) => {
            problems.push(d);
            None
        }
    };
    if let Some(want) = &e.decision {
        if want.value != v.decision {
            let mut notes = Vec::new();
            for (m, i) in &v.matched {
                notes.push(format!(
                    "{} {} ({}): {}",
                    m.kind.as_str(),
                    m.rule,
                    place(*i),
                    m.message
                ));
            }
            for (er, i) in &v.errors {
                notes.push(format!(
                    "error {} ({}): {}",
                    er.rule.as_deref().unwrap_or("-"),
                    place(*i),
                    er.reason
                ));
            }
            out.push(Failure::new(
                format!("{prefix}decision"),
                &want.span,
                want.value.as_str(),
                v.decision.as_str(),
                notes,
            ));
        }
    }
    for id in &e.matches {
        let Some(rule) = resolve(id) else { continue };
        if v.matches_of(&rule).is_empty() {
            let (actual, notes) = v.state(&rule);
            out.push(Failure::new(
                format!("{prefix}`{rule}` must match"),
                &id.span,
                "matched",
                actual,
                notes,
            ));
        }
    }
    for id in &e.does_not_match {
        let Some(rule) = resolve(id) else { continue };
        // A rule that could not be evaluated did not match, but it was withheld, not
        // decided: the author must say so (`errors: [RULE]`), or "withheld" and
        // "decided not to match" would look the same.
        let errored = v
            .errors
            .iter()
            .any(|(er, _)| er.rule.as_deref() == Some(rule.as_str()));
        if !v.matches_of(&rule).is_empty() || errored {
            let (actual, mut notes) = v.state(&rule);
            if errored {
                notes.push(format!(
                    "a rule that could not be evaluated is not \"not matched\": if this error is what the case shows, write `errors: [{}]` instead",
                    id.value
                ));
            }
            out.push(Failure::new(
                format!("{prefix}`{rule}` must not match"),
                &id.span,
                "not matched",
                actual,
                notes,
            ));
        }
    }
    for (id, want) in &e.values {
        let Some(rule) = resolve(id) else { continue };
        let matched = v.matches_of(&rule);
        let what = format!("{prefix}value of `{rule}`");
        if matched.is_empty() {
            let (actual, notes) = v.state(&rule);
            out.push(Failure::new(what, &id.span, show(want), actual, notes));
            continue;
        }
        for (m, i) in matched {
            let ok = m.value.as_ref().is_some_and(|got| value_matches(want, got));
            if !ok {
                let actual = m.value.as_ref().map_or(
                    "no value (the rule has no `value` clause)".to_string(),
                    show,
                );
                let mut f = Failure::new(what.clone(), &id.span, show(want), actual, Vec::new());
                if item.is_none() && i.is_some() {
                    f.notes.push(format!("in {}", place(i)));
                }
                f.diff = m.value.as_ref().and_then(|got| diff(want, got));
                out.push(f);
            }
        }
    }
    for (id, want) in &e.reviews {
        let Some(rule) = resolve(id) else { continue };
        let matched = v.matches_of(&rule);
        let expected = match &want.value.by {
            Some(by) => format!("approved by {by}"),
            None => state_name(want.value.state).to_string(),
        };
        let what = format!("{prefix}review `{rule}`");
        if matched.is_empty() {
            let (actual, notes) = v.state(&rule);
            out.push(Failure::new(what, &id.span, expected, actual, notes));
            continue;
        }
        for (m, i) in matched {
            let Some(s) = &m.status else {
                out.push(Failure::new(
                    what.clone(),
                    &id.span,
                    expected.clone(),
                    format!(
                        "`{rule}` is a {} rule, with no review status",
                        m.kind.as_str()
                    ),
                    Vec::new(),
                ));
                continue;
            };
            let by_ok = want.value.by.is_none() || want.value.by == s.by;
            if s.state != want.value.state || !by_ok {
                let actual = match (&s.by, &s.at) {
                    (Some(by), Some(at)) => format!("approved by {by} at {at}"),
                    _ => state_name(s.state).to_string(),
                };
                let mut notes = evidence_lines("status because", &s.evidence);
                if item.is_none() && i.is_some() {
                    notes.insert(0, format!("in {}", place(i)));
                }
                out.push(Failure::new(
                    what.clone(),
                    &want.span,
                    expected.clone(),
                    actual,
                    notes,
                ));
            }
        }
    }
    for id in &e.errors {
        let Some(rule) = resolve(id) else { continue };
        if !v
            .errors
            .iter()
            .any(|(er, _)| er.rule.as_deref() == Some(&rule))
        {
            let (actual, notes) = v.state(&rule);
            out.push(Failure::new(
                format!("{prefix}`{rule}` must be an error"),
                &id.span,
                "could not be evaluated",
                actual,
                notes,
            ));
        }
    }
    for p in &e.error_paths {
        if !v
            .errors
            .iter()
            .any(|(er, _)| er.path.as_deref() == Some(p.value.as_str()))
        {
            let paths: Vec<&str> = v
                .errors
                .iter()
                .filter_map(|(er, _)| er.path.as_deref())
                .collect();
            let mut notes = Vec::new();
            if let Some(s) = did_you_mean(&p.value, paths.iter().copied()) {
                notes.push(format!("did you mean `{s}`?"));
            }
            out.push(Failure::new(
                format!("{prefix}an error at `{}`", p.value),
                &p.span,
                format!("an error naming `{}`", p.value),
                if paths.is_empty() {
                    "no error names a fact".to_string()
                } else {
                    format!("errors name: {}", paths.join(", "))
                },
                notes,
            ));
        }
    }
}

fn state_name(s: ReviewState) -> &'static str {
    match s {
        ReviewState::Pending => "pending",
        ReviewState::Approved => "approved",
        ReviewState::Rejected => "rejected",
    }
}

/// Whether an effect's value is the expected one: equal as values, or, for an expected
/// string, equal to the value's text (`2021-10-01T09:00:00+08:00`; money by amount:
/// `0 USD` is `0.00 USD`); records and lists element by element.
pub(crate) fn value_matches(want: &Value, got: &Value) -> bool {
    match (want, got) {
        // `0 USD` is the amount, whatever the scale the rule computed (`0.00 USD`).
        (Value::String(s), Value::Money(m)) => match s.trim().split_once(' ') {
            Some((amount, currency)) => {
                crate::input::parse_amount(amount).is_ok_and(|a| a == m.amount)
                    && currency.trim() == &*m.currency
            }
            None => false,
        },
        (Value::String(s), g) if !matches!(g, Value::String(_)) => g.to_string() == **s,
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| value_matches(x, y))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| got.get(k).is_some_and(|w| value_matches(v, w)))
        }
        _ => got.equals(want),
    }
}

/// The rule IDs an expectation names that do not resolve, found without a decision.
pub(crate) fn unknown_ids(index: &RuleIndex, e: &Expect) -> Vec<Diagnostic> {
    let ids = e
        .matches
        .iter()
        .chain(&e.does_not_match)
        .chain(&e.errors)
        .chain(e.values.iter().map(|(k, _)| k))
        .chain(e.reviews.iter().map(|(k, _)| k));
    let mut out: Vec<Diagnostic> = ids.filter_map(|id| index.resolve(id).err()).collect();
    for (_, item) in &e.items {
        out.extend(unknown_ids(index, item));
    }
    out
}

fn show(v: &Value) -> String {
    Literal(v).to_string()
}

/// A line diff of two records or lists, one field or element a line: `-` expected,
/// `+` actual. Fields that match (by [`value_matches`]) show once, as the rule computed them.
fn diff(want: &Value, got: &Value) -> Option<String> {
    let (a, b): (Vec<String>, Vec<String>) = match (want, got) {
        (Value::Map(w), Value::Map(g)) => {
            let mut a = Vec::new();
            let mut b = Vec::new();
            for (k, v) in w.iter() {
                match got.get(k) {
                    Some(x) if value_matches(v, x) => {
                        a.push(format!("{k}: {}", show(x)));
                        b.push(format!("{k}: {}", show(x)));
                    }
                    _ => a.push(format!("{k}: {}", show(v))),
                }
            }
            for (k, x) in g.iter() {
                if !want.get(k).is_some_and(|v| value_matches(v, x)) {
                    b.push(format!("{k}: {}", show(x)));
                }
            }
            (a, b)
        }
        (Value::List(w), Value::List(g)) => (
            w.iter()
                .enumerate()
                .map(|(i, v)| format!("[{i}] {}", show(v)))
                .collect(),
            g.iter()
                .enumerate()
                .map(|(i, x)| match w.get(i) {
                    Some(v) if value_matches(v, x) => format!("[{i}] {}", show(v)),
                    _ => format!("[{i}] {}", show(x)),
                })
                .collect(),
        ),
        _ => return None,
    };
    let a = a.join("\n") + "\n";
    let b = b.join("\n") + "\n";
    let mut s = String::new();
    for line in crate::report::diff::lines(&a, &b)? {
        s.push(line.sign());
        s.push(' ');
        s.push_str(line.text().trim_end());
        s.push('\n');
    }
    Some(s)
}
