//! Which rules a case *checks*: those whose outcome, flipped, would make the case fail.
//! Coverage counts a condition as decisive only in cases that check its rule, so that a
//! condition is covered when some test would fail if it were decided the other way —
//! not merely when some case happened to reach it.
//!
//! A case checks a rule when it names it (`matches`, `does_not_match`, `values`,
//! `reviews`, `errors`, at the request or for the item at hand), or, for a deny or
//! review rule, when it states the `decision` and flipping that rule's outcome alone
//! would change the decision: a deny that is the only one matched, or one that did not
//! match in a decision that is not `denied`; a pending review that is the only thing
//! holding the decision at `needs_review`, or one that did not match in a decision that
//! is `allowed`.

use crate::decision::{Decision, Match, Outcome, ReviewState};
use crate::syntax::ast::RuleKind;

use super::Expect;

/// Whether `name` (as a case writes it: `rule` or `policy.rule`) is rule `id`.
fn names(name: &str, id: &str) -> bool {
    name == id || id.strip_suffix(name).is_some_and(|p| p.ends_with('.'))
}

fn named_in(e: &Expect, id: &str) -> bool {
    let any = |v: &[super::Spanned<String>]| v.iter().any(|s| names(&s.value, id));
    any(&e.matches)
        || any(&e.does_not_match)
        || any(&e.errors)
        || e.values.iter().any(|(s, _)| names(&s.value, id))
        || e.reviews.iter().any(|(s, _)| names(&s.value, id))
}

/// The expectations that apply to the item with this ID and path (or to the request).
fn item_expects<'e>(e: &'e Expect, item: Option<(&str, &str)>) -> Option<&'e Expect> {
    let (id, path) = item?;
    e.items
        .iter()
        .find(|(k, _)| k.value == id || k.value == path)
        .map(|(_, x)| x)
}

/// Whether the case with expectations `e` and decision `d` checks rule `id` (of kind
/// `kind`, seen as `matched`), at the request (`item` None) or for one item.
pub(crate) fn checks(
    e: &Expect,
    d: &Decision,
    id: &str,
    kind: RuleKind,
    matched: bool,
    item: Option<(&str, &str)>,
) -> bool {
    let for_item = item_expects(e, item);
    if named_in(e, id) || for_item.is_some_and(|x| named_in(x, id)) {
        return true;
    }
    let all = || {
        d.matched
            .iter()
            .chain(d.items.iter().flat_map(|i| &i.matched))
    };
    let blocks = |m: &&Match| {
        m.kind == RuleKind::Deny
            || m.status
                .as_ref()
                .is_some_and(|s| s.state == ReviewState::Rejected)
    };
    let pending = |m: &&Match| {
        m.status
            .as_ref()
            .is_some_and(|s| s.state == ReviewState::Pending)
    };
    let flips =
        |outcome: Outcome, count_blocking: usize, count_pending: usize| match (kind, matched) {
            (RuleKind::Deny, true) => outcome == Outcome::Denied && count_blocking == 1,
            (RuleKind::Deny, false) => outcome != Outcome::Denied,
            (RuleKind::Review, true) => {
                (outcome == Outcome::NeedsReview && count_pending == 1)
                    || (outcome == Outcome::Denied && count_blocking == 1)
            }
            (RuleKind::Review, false) => outcome == Outcome::Allowed,
            (RuleKind::Warn | RuleKind::Effect, _) => false,
        };
    let whole = e.decision.is_some()
        && flips(
            d.decision,
            all().filter(blocks).count(),
            all().filter(pending).count(),
        );
    let own = for_item.is_some_and(|x| x.decision.is_some())
        && item.is_some_and(|(iid, _)| {
            d.items.iter().find(|i| i.id == iid).is_some_and(|i| {
                flips(
                    i.decision,
                    i.matched.iter().filter(blocks).count(),
                    i.matched.iter().filter(pending).count(),
                )
            })
        });
    whole || own
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn rule_names_resolve_with_or_without_the_policy() {
        assert!(names("not_inactive", "unsubscribe.not_inactive"));
        assert!(names(
            "unsubscribe.not_inactive",
            "unsubscribe.not_inactive"
        ));
        assert!(!names("inactive", "unsubscribe.not_inactive"));
    }
}
