//! The words a misspelling is checked against ("did you mean `message`?"), per grammar
//! rule: the hint is keyed on what the parser expected, never on how the message
//! describes it, so rewording a description cannot change the suggestions.

use super::{describe, expected, Rule};

/// One thing the parser expected: as the message names it, and the keywords it
/// begins with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    /// As the message names it (`` `when` ``, `a name`).
    pub what: &'static str,
    /// The keywords it begins with, for "did you mean" (`when`; none for a name).
    pub keywords: &'static [&'static str],
}

/// What the parser expected, sorted as the message names them, each once.
pub(super) fn expected(positives: &[Rule]) -> Vec<Expected> {
    let mut out: Vec<Expected> = positives
        .iter()
        .filter_map(|r| {
            describe(*r).map(|what| Expected {
                what,
                keywords: of(*r),
            })
        })
        .collect();
    out.sort_unstable_by_key(|e| e.what);
    out.dedup_by_key(|e| e.what);
    // Names, strings and numbers are expressions: say it once.
    if out.iter().any(|e| e.what == expected::EXPRESSION) {
        out.retain(|e| ![expected::NAME, expected::STRING, expected::CURRENCY].contains(&e.what));
    }
    out
}

/// The keywords that begin what `rule` matches (none for names, values, operators).
fn of(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::policy_decl => &["policy"],
        Rule::title_decl => &["title"],
        Rule::source_decl => &["source"],
        Rule::facts_decl => &["facts"],
        Rule::matching => &["matching"],
        Rule::fixed_mark => &["fixed"],
        Rule::required_when | Rule::required_kw => &["required"],
        Rule::applies_decl => &["applies"],
        Rule::for_each_decl => &["for"],
        Rule::let_decl => &["let"],
        Rule::fn_decl => &["fn"],
        Rule::match_else => &["else"],
        Rule::rule_decl | Rule::rule_kind => &["deny", "review", "warn", "effect"],
        Rule::message_clause => &["message"],
        Rule::when_clause => &["when"],
        Rule::value_clause => &["value"],
        Rule::cites_clause => &["cites"],
        Rule::remedy_clause => &["remedy"],
        Rule::rejected_clause => &["rejected"],
        Rule::approved_clause => &["approved"],
        Rule::identified_by => &["identified"],
        Rule::where_filter => &["where"],
        // Not a keyword, but the currency the message gives as an example (`10 US`).
        Rule::currency => &["USD"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every keyword a description shows in backquotes is among its rule's keywords
    /// (a new clause that forgets its row would get no "did you mean"), and every
    /// keyword is a word of the description.
    #[test]
    fn the_keywords_agree_with_the_descriptions() {
        for &rule in Rule::all_rules() {
            let Some(what) = describe(rule) else {
                assert!(of(rule).is_empty(), "{rule:?}");
                continue;
            };
            let shown: Vec<&str> = what
                .split('`')
                .skip(1)
                .step_by(2)
                .filter_map(|w| w.split_whitespace().next())
                .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .collect();
            for w in &shown {
                assert!(of(rule).contains(w), "{rule:?}: `{w}` of {what:?}");
            }
            for k in of(rule) {
                assert!(what.contains(k), "{rule:?}: `{k}` not in {what:?}");
            }
        }
    }
}
