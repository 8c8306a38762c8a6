//! The errors of a decision as diagnostics: each rule that could not be evaluated,
//! shown at the clause that failed, with a hint at the fix. For the people who
//! write rules and snapshots; the decision itself stays as it is.

use crate::decision::{Cause, Decision, RuleError};
use crate::report::diagnostic::{Diagnostic, Kind};

/// One diagnostic per error of `d` that has a place in the rules: at the clause that
/// failed or, for an error inside a function imported from a library, at the
/// expression in the library that failed (the message then says where the rule is).
pub fn diagnostics(d: &Decision) -> Vec<Diagnostic> {
    let errors = d
        .errors
        .iter()
        .chain(d.items.iter().flat_map(|i| &i.errors));
    let mut out: Vec<Diagnostic> = Vec::new();
    for e in errors {
        let Some(source) = &e.source else {
            continue;
        };
        let mut message = match &e.rule {
            Some(rule) => format!("`{rule}` could not be evaluated: {}", e.reason),
            None => e.reason.clone(),
        };
        let at = match &e.origin {
            Some(origin) => {
                message.push_str(&format!(" (the rule is at {source})"));
                origin
            }
            None => source,
        };
        let mut diag = Diagnostic::at(at.span(), message).of_kind(kind(e.cause));
        diag.hint = hint(e);
        // Per-item errors repeat the same failure; show each once.
        if !out
            .iter()
            .any(|o| o.message == diag.message && o.span == diag.span)
        {
            out.push(diag);
        }
    }
    out
}

/// The diagnostic kind of a cause whose hint is the load-time diagnostics' (the same
/// problem found while evaluating).
fn kind(cause: Cause) -> Kind {
    match cause {
        Cause::TooDeep => Kind::TooDeep,
        Cause::TimeFormat => Kind::TimeFormat,
        _ => Kind::Other,
    }
}

/// The fix for an error, keyed on its kind (never on the wording of its message).
fn hint(e: &RuleError) -> Option<String> {
    let path = e.path.as_deref().unwrap_or("the fact");
    Some(match e.cause {
        Cause::Missing => format!(
            "add `{path}` to the snapshot; if it may be absent, the rule can say so with `present(…)` or a default `… ?? VALUE`"
        ),
        Cause::NullParent => {
            format!("give `{path}` a value in the snapshot, or guard the rule with `present(…)`")
        }
        Cause::Currency => "money is never converted: the snapshot must give amounts in the currency the rule compares with"
            .to_string(),
        // Adding, subtracting or dividing two amounts: no literal to change.
        Cause::CurrencyArithmetic => {
            "money is never converted: amounts added, subtracted or divided must be in one currency"
                .to_string()
        }
        Cause::NoNow => "give the snapshot a top-level `now: 2021-10-01T09:00:00+08:00`, or pass `--now`"
            .to_string(),
        Cause::NotBoolean => match e.path.as_deref() {
            Some(p) => format!(
                "`{p}` must be true or false; a condition on another value compares it, e.g. `x > 0`"
            ),
            // Not a fact: no fact to name.
            None => "a condition must be true or false; compare the value, e.g. `x > 0`".to_string(),
        },
        Cause::EmptyList => {
            "give the list at least one element: an empty request is never allowed".to_string()
        }
        Cause::NoElement => {
            "index within the list, or test its length first with `count(…)`".to_string()
        }
        Cause::Applicability => {
            "the policy's `applies when` must be decidable from the snapshot".to_string()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(cause: Cause, reason: &str) -> RuleError {
        RuleError {
            rule: Some("p.r".into()),
            kind: None,
            path: Some("request.reason".into()),
            reason: reason.into(),
            source: None,
            origin: None,
            blocking: true,
            cause,
        }
    }

    #[test]
    fn hints_follow_the_kind_of_error_not_its_wording() {
        let h = hint(&error(Cause::Missing, "reworded entirely")).unwrap();
        assert!(h.starts_with("add `request.reason` to the snapshot"), "{h}");
        let h = hint(&error(Cause::EmptyList, "")).unwrap();
        assert!(h.starts_with("give the list at least one element"), "{h}");
    }

    #[test]
    fn a_message_that_merely_says_missing_gets_no_hint() {
        assert_eq!(hint(&error(Cause::Other, "the fact `x` is missing")), None);
    }
}
