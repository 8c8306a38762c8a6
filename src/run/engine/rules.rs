//! One rule decided in its scope: its result, its message, and the scope the engine
//! decides a rule in (for remedies). A part of [`super`], apart for its size.

use super::*;
use crate::compile::Node;

pub(super) enum RuleResult {
    Matched(Match),
    Failed(RuleError),
    Missed(Option<Miss>),
}

// Inlined: called apart, the rule's result (a `Match` by value) was copied once more.
#[inline]
pub(super) fn record(
    r: RuleResult,
    matched: &mut Vec<Match>,
    errors: &mut Vec<RuleError>,
    misses: &mut Vec<Miss>,
) {
    match r {
        RuleResult::Matched(m) => matched.push(m),
        RuleResult::Failed(e) => errors.push(e),
        RuleResult::Missed(Some(m)) => misses.push(m),
        RuleResult::Missed(None) => {}
    }
}

pub(super) fn eval_rule<'a>(
    scope: &mut Scope<'a>,
    rule: &'a Rule<Node>,
    info: &RuleInfo,
    explain: bool,
) -> RuleResult {
    // Copied only when the rule is reported: most rules do not match.
    let id = || info.id.clone();
    let fail = |e: EvalError, at: &Node| {
        RuleResult::Failed(RuleError {
            rule: Some(info.id.to_string()),
            kind: Some(rule.kind),
            path: e.path().map(str::to_string),
            reason: e.to_string(),
            origin: origin(&e, &at.span),
            source: Some(Location::new(at.span.clone())),
            blocking: rule.kind.is_blocking(),
            cause: cause_of(&e),
        })
    };
    let Some(when) = rule.when() else {
        return RuleResult::Missed(None);
    };
    match scope.condition(when) {
        Err(e) => return fail(e, when),
        Ok(false) => {
            return RuleResult::Missed(explain.then(|| Miss {
                rule: id(),
                kind: rule.kind,
                source: info.source.clone(),
                evidence: evidence::collect(scope, when, false),
            }))
        }
        Ok(true) => {}
    }
    let status = if rule.kind == RuleKind::Review {
        let mut status = ReviewStatus {
            state: ReviewState::Pending,
            by: None,
            at: None,
            evidence: Vec::new(),
        };
        for clause in rule.statuses() {
            match scope.condition(&clause.when) {
                Err(e) => return fail(e, &clause.when),
                Ok(false) => continue,
                Ok(true) => {}
            }
            match &clause.status {
                StatusKind::Rejected => status.state = ReviewState::Rejected,
                StatusKind::Approved { by, at } => {
                    status.state = ReviewState::Approved;
                    status.by = Some(by.value.clone());
                    match scope.eval(at) {
                        Ok(v) => status.at = Some(v),
                        Err(e) => return fail(e, at),
                    }
                }
            }
            status.evidence = evidence::collect(scope, &clause.when, true);
            break;
        }
        Some(status)
    } else {
        None
    };
    let value = match rule.value() {
        Some(e) => match scope.eval(e) {
            Ok(v) => Some(v),
            Err(err) => return fail(err, e),
        },
        None => None,
    };
    let message = match rule.message().map(|t| render_message(scope, t)) {
        Some(Ok(m)) => m,
        Some(Err((e, at))) => return fail(e, at),
        None => String::new(),
    };
    RuleResult::Matched(Match {
        rule: id(),
        kind: rule.kind,
        message,
        source: info.source.clone(),
        evidence: evidence::collect(scope, when, true),
        value,
        status,
    })
}

/// A message with its holes filled; a hole that cannot be evaluated says so in place.
/// Writing a value counts as going through it; passing the step limit is the rule's
/// error (the decision's work is bounded, and fails closed), not a hole's.
pub(crate) fn render_message<'a>(
    scope: &mut Scope<'a>,
    t: &'a Template<Node>,
) -> Result<String, (EvalError, &'a Node)> {
    let mut out = String::with_capacity(t.span.end.saturating_sub(t.span.start));
    for part in &t.parts {
        match part {
            TemplatePart::Text(s) => out.push_str(s),
            TemplatePart::Hole(e) => match scope
                .eval_ref(e)
                .and_then(|v| scope.charge_shown(&v).map(|()| v))
            {
                Ok(v) => push_text(&mut out, &v),
                Err(err @ EvalError::Steps(_)) => return Err((err, e)),
                Err(err) => out.push_str(&format!("<{}: {err}>", e.text())),
            },
        }
    }
    Ok(out)
}

/// What a rule's remedies are derived from, besides the scope (see [`Engine::in_rule_scope`]).
pub(crate) struct RuleSite<'a> {
    /// The rule, compiled.
    pub rule: &'a Rule<Node>,
    /// The policy's fact schema, if typed.
    pub schema: Option<&'a Arc<Record>>,
}

impl Engine {
    /// Runs `f` in the scope the engine decides rule `rule_id` (`policy.rule`) in:
    /// over element `item` of the policy's list for a rule about the element. `None`
    /// when there is no such rule or element. Used by [`crate::decision::remedy`].
    pub(crate) fn in_rule_scope<'a, T>(
        &'a self,
        facts: &'a Value,
        now: Option<&'a Value>,
        rule_id: &str,
        item: Option<usize>,
        f: impl FnOnce(&mut Scope<'a>, RuleSite<'a>) -> T,
    ) -> Option<T> {
        let (c, (rule, info)) = self.policies.iter().find_map(|c| {
            c.code
                .rules
                .iter()
                .zip(&c.rules)
                .find(|(_, i)| &*i.id == rule_id)
                .map(|r| (c, r))
        })?;
        let mut scope = Scope::new(c.program(), facts, now, None, self.limits.max_steps)
            .with_max_depth(self.limits.max_eval_depth);
        if let (Some(i), true, Some(fe)) = (item, info.per_item, &c.code.for_each) {
            let items = scope.list_ref(&fe.list).ok()?;
            if i >= items.len() {
                return None;
            }
            let path = format!("{}[{i}]", scope.describe(&fe.list));
            let element = items.get(i);
            scope.next_item((i, element), &path, self.limits.max_steps);
        }
        let site = RuleSite {
            rule,
            schema: c.schema.as_ref(),
        };
        Some(f(&mut scope, site))
    }
}
