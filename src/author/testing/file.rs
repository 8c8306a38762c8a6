//! Reading a test file: YAML in, [`TestFile`] out, and every problem in it as a
//! [`Diagnostic`] at the place it was written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_yaml::Value as Yaml;

use super::snapshot;
use super::{Case, Expect, ReviewExpect, Spanned, TestFile};
use crate::decision::{Outcome, ReviewState};
use crate::input::positions::{child_index, child_key, Positions, YamlSyntaxKind};
use crate::input::{self, Format};
use crate::report::diagnostic::{did_you_mean, Diagnostic};
use crate::syntax::{Source, Span};
use crate::value::Value;

/// The keys a case may have besides its expectations.
const CASE_KEYS: &[&str] = &[
    "name",
    "description",
    "facts_file",
    "facts",
    "set",
    "unset",
    "now",
    "items",
];
/// The expectations, for a case or one of its items.
const EXPECT_KEYS: &[&str] = &[
    "decision",
    "matches",
    "does_not_match",
    "values",
    "reviews",
    "errors",
    "error_paths",
];
/// The keys of the file itself.
const FILE_KEYS: &[&str] = &["description", "policy", "unreachable", "cases"];
const OUTCOMES: &[&str] = &["allowed", "needs_review", "error", "denied"];

/// Reads the test file at `path`, shown in messages as `shown`.
pub fn load(path: &Path, shown: &str) -> TestFile {
    // A FIFO is refused before it is opened, a huge file by its size (`input::walk`).
    let limit = crate::limits::Limits::default().max_snapshot_bytes;
    match crate::input::walk::read_file(path, limit) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse(shown, &text, path.parent().unwrap_or(Path::new("."))),
            Err(e) => TestFile::broken(
                shown,
                Diagnostic::plain(format!(
                    "`{shown}` is not valid UTF-8 (bad byte at offset {})",
                    e.utf8_error().valid_up_to()
                ))
                .hint("save the test file as UTF-8"),
            ),
        },
        Err(e) => TestFile::broken(
            shown,
            Diagnostic::plain(format!("cannot read `{shown}`: {e}")),
        ),
    }
}

/// Reads a test file from its text; `dir` is where `facts_file` paths start from.
pub fn parse(name: &str, text: &str, dir: &Path) -> TestFile {
    let source = Source::new(name, text);
    // saphyr-parser, the snapshots' YAML parser, says whether the file is YAML (with a
    // typed place and kind) as it places its values; serde_yaml builds the values.
    let pos = match Positions::scan_yaml_checked(text) {
        Ok(pos) => pos,
        Err(e) => {
            let span = Span::new(&source, e.offset, e.offset);
            return not_yaml(name, &span, &e.problem, e.kind);
        }
    };
    let mut doc: Yaml = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            // YAML saphyr-parser reads and libyaml does not (several documents, say):
            // libyaml's message, whole (its place is only in its text).
            let span = e
                .location()
                .map(|l| Span::new(&source, l.index(), l.index()))
                .unwrap_or_else(|| Span::new(&source, 0, 0));
            return not_yaml(name, &span, &e.to_string(), YamlSyntaxKind::Other);
        }
    };
    let mut l = Loader {
        pos,
        source,
        dir: dir.to_path_buf(),
        cache: HashMap::new(),
        errors: Vec::new(),
    };
    if let Err(e) = doc.apply_merge() {
        l.error("", format!("cannot apply a `<<` merge: {e}"), None);
    }
    let cases = l.file(&doc);
    let policy = match doc.get("policy") {
        None => None,
        Some(Yaml::String(id)) => Some(l.spanned(id.clone(), "policy")),
        Some(other) => {
            let found = kind(other);
            l.error(
                "policy",
                format!("`policy` names the policy the file tests, found {found}"),
                Some("write its ID: `policy: unsubscribe`".into()),
            );
            None
        }
    };
    let unreachable = l.unreachable(&doc);
    TestFile {
        name: name.to_string(),
        policy,
        unreachable,
        cases,
        errors: l.errors,
    }
}

struct Loader {
    source: Arc<Source>,
    pos: Positions,
    dir: PathBuf,
    /// Snapshot files already read (cases often share one).
    cache: HashMap<PathBuf, Result<Value, String>>,
    /// Problems that are not one case's.
    errors: Vec<Diagnostic>,
}

/// Problems found in one case.
type Problems = Vec<Diagnostic>;

impl Loader {
    fn span(&self, path: &str) -> Span {
        self.pos.value(&self.source, path)
    }

    fn spanned<T>(&self, value: T, path: &str) -> Spanned<T> {
        Spanned {
            value,
            span: self.span(path),
        }
    }

    fn diag(&self, path: &str, message: String, hint: Option<String>) -> Diagnostic {
        Diagnostic {
            hint,
            ..Diagnostic::at(&self.span(path), message)
        }
    }

    fn error(&mut self, path: &str, message: String, hint: Option<String>) {
        let d = self.diag(path, message, hint);
        self.errors.push(d);
    }

    /// `unreachable:`: coverage goals no case can meet, each with the reason.
    fn unreachable(&mut self, doc: &Yaml) -> Vec<super::Unreachable> {
        let Some(v) = doc.get("unreachable") else {
            return Vec::new();
        };
        let hint = "e.g. `unreachable: [{rule: refund_negative, goal: matched, reason: \"…\"}]`; \
                    a goal is `matched`, `not matched` or a condition as the coverage report shows it";
        let Some(items) = v.as_sequence() else {
            self.error(
                "unreachable",
                format!("`unreachable` must be a list, found {}", kind(v)),
                Some(hint.into()),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = child_index("unreachable", i);
            let text = |k: &str| item.get(k).and_then(Yaml::as_str).map(str::to_string);
            match (text("rule"), text("goal"), text("reason")) {
                (Some(rule), Some(goal), Some(reason)) if !reason.trim().is_empty() => {
                    out.push(super::Unreachable {
                        rule: self.spanned(rule, &child_key(&at, "rule")),
                        goal: self.spanned(goal, &child_key(&at, "goal")),
                        reason,
                    })
                }
                _ => self.error(
                    &at,
                    "an unreachable goal needs `rule`, `goal` and a `reason`".into(),
                    Some(hint.into()),
                ),
            }
        }
        out
    }

    fn file(&mut self, doc: &Yaml) -> Vec<Case> {
        let Some(map) = doc.as_mapping() else {
            self.error(
                "",
                format!("a test file is a record with `cases:`, found {}", kind(doc)),
                Some("start the file with `cases:` and list the cases under it".into()),
            );
            return Vec::new();
        };
        let mut problems = Vec::new();
        self.unknown_keys(map, "", FILE_KEYS, "the test file", &mut problems);
        self.errors.extend(problems);
        let Some(cases) = map.get("cases") else {
            self.error(
                "",
                "the test file has no `cases:`".into(),
                Some("list the cases under `cases:`, each with a `name`".into()),
            );
            return Vec::new();
        };
        let Some(list) = cases.as_sequence() else {
            self.error(
                "cases",
                format!("`cases` must be a list, found {}", kind(cases)),
                Some("write each case as a list item: `- name: …`".into()),
            );
            return Vec::new();
        };
        list.iter()
            .enumerate()
            .map(|(i, c)| self.case(c, &child_index("cases", i), i))
            .collect()
    }

    fn case(&mut self, c: &Yaml, path: &str, i: usize) -> Case {
        let mut p = Problems::new();
        let fallback_name = format!("case {}", i + 1);
        let Some(map) = c.as_mapping() else {
            p.push(self.diag(
                path,
                format!("a case must be a record, found {}", kind(c)),
                Some("give it `name:`, the facts and the expectations".into()),
            ));
            return Case {
                name: fallback_name,
                span: self.span(path),
                facts: Value::Null,
                now: None,
                expect: Expect::default(),
                problems: p,
            };
        };
        let keys: Vec<&str> = CASE_KEYS.iter().chain(EXPECT_KEYS).copied().collect();
        self.unknown_keys(map, path, &keys, "a case", &mut p);
        let name_path = child_key(path, "name");
        let name = match map.get("name") {
            Some(Yaml::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(other) => {
                p.push(self.diag(
                    &name_path,
                    format!("a case's `name` must be text, found {}", kind(other)),
                    None,
                ));
                fallback_name
            }
            None => {
                p.push(self.diag(
                    path,
                    "this case has no `name`".into(),
                    Some("say what the case shows: `name: a frozen account is denied`".into()),
                ));
                fallback_name
            }
        };
        let facts = self.facts(map, path, &mut p);
        let now = map.get("now").and_then(|v| {
            let at = child_key(path, "now");
            match v.as_str().map(crate::input::rfc3339_exact) {
                Some(Ok(t)) => Some(t),
                found => {
                    let what = match found {
                        Some(Err(e)) => format!("`now` is not a valid time: {e}"),
                        _ => format!("`now` must be a time, found {}", kind_text(v)),
                    };
                    p.push(
                        self.diag(
                            &at,
                            what,
                            Some(
                                "write RFC 3339 with an offset, e.g. `2021-10-01T09:00:00+08:00`"
                                    .into(),
                            ),
                        ),
                    );
                    None
                }
            }
        });
        let mut expect = self.expect(map, path, &mut p);
        if let Some(items) = map.get("items") {
            let ipath = child_key(path, "items");
            match items.as_mapping() {
                Some(m) => {
                    for (k, v) in m {
                        let Some(id) = k.as_str() else { continue };
                        let at = child_key(&ipath, id);
                        match v.as_mapping() {
                            Some(im) => {
                                self.unknown_keys(im, &at, EXPECT_KEYS, "an item", &mut p);
                                let e = self.expect(im, &at, &mut p);
                                let key = Spanned {
                                    value: id.to_string(),
                                    span: self.pos.key(&self.source, &at),
                                };
                                expect.items.push((key, e));
                            }
                            None => p.push(self.diag(
                                &at,
                                format!("the expectations of item `{id}` must be a record"),
                                Some("e.g. `ecs-1: {decision: denied}`".into()),
                            )),
                        }
                    }
                }
                None => p.push(self.diag(
                    &ipath,
                    "`items` must be a record: item ID → expectations".into(),
                    Some("e.g. `items: {ecs-1: {decision: denied}}`".into()),
                )),
            }
        }
        // A case that states nothing would pass whatever the rules decide: an error,
        // so that no expectation is ever silently "passed".
        if states_nothing(&expect) {
            p.push(self.diag(
                path,
                "this case states no expectation, so it would pass whatever the rules decide"
                    .into(),
                Some(
                    "say what the decision must be (`decision: denied`) or which rules must match (`matches: [RULE]`)"
                        .into(),
                ),
            ));
        }
        Case {
            name,
            span: self.span(&name_path),
            facts,
            now,
            expect,
            problems: p,
        }
    }

    fn unknown_keys(
        &self,
        map: &serde_yaml::Mapping,
        path: &str,
        known: &[&str],
        what: &str,
        p: &mut Problems,
    ) {
        for k in map.keys() {
            let Some(k) = k.as_str() else {
                p.push(self.diag(path, format!("{what} has a key that is not text"), None));
                continue;
            };
            if known.contains(&k) {
                continue;
            }
            let at = child_key(path, k);
            let hint = match did_you_mean(k, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the keys of {what} are: {}", known.join(", ")),
            };
            p.push(
                Diagnostic::at(
                    &self.pos.key(&self.source, &at),
                    format!("unknown key `{k}` in {what}"),
                )
                .hint(hint),
            );
        }
    }

    /// The case's snapshot: `facts_file`, then `facts` merged over it, then `set`, then `unset`.
    fn facts(&mut self, map: &serde_yaml::Mapping, path: &str, p: &mut Problems) -> Value {
        let mut base: Option<Value> = None;
        if let Some(f) = map.get("facts_file") {
            let at = child_key(path, "facts_file");
            match f.as_str() {
                Some(rel) => match self.read_snapshot(rel) {
                    Ok(v) => base = Some(v),
                    Err(e) => p.push(self.diag(
                        &at,
                        e,
                        Some("the path is relative to the test file".into()),
                    )),
                },
                None => p.push(self.diag(
                    &at,
                    format!("`facts_file` must be a path, found {}", kind(f)),
                    None,
                )),
            }
        }
        if let Some(inline) = map.get("facts") {
            let at = child_key(path, "facts");
            match self.convert(inline, &at) {
                Ok(v @ Value::Map(_)) => {
                    base = Some(match base {
                        Some(b) => snapshot::merge(&b, &v),
                        None => v,
                    })
                }
                Ok(other) => p.push(self.diag(
                    &at,
                    format!(
                        "`facts` must be a record of facts, found {}",
                        other.type_of()
                    ),
                    None,
                )),
                Err(d) => p.push(d),
            }
        }
        let mut facts = match base {
            Some(v) => v,
            None => {
                if !map.contains_key("facts_file") && !map.contains_key("facts") {
                    p.push(self.diag(
                        path,
                        "this case has no snapshot".into(),
                        Some(
                            "give `facts_file: PATH` (relative to the test file), inline `facts:`, or both"
                                .into(),
                        ),
                    ));
                }
                return Value::Null;
            }
        };
        if let Some(set) = map.get("set") {
            let at = child_key(path, "set");
            match set.as_mapping() {
                Some(m) => {
                    for (k, v) in m {
                        let Some(k) = k.as_str() else { continue };
                        let vat = child_key(&at, k);
                        let value = match self.convert(v, &vat) {
                            Ok(v) => v,
                            Err(d) => {
                                p.push(d);
                                continue;
                            }
                        };
                        let r = snapshot::parse_path(k)
                            .and_then(|segs| snapshot::set(&facts, &segs, value));
                        match r {
                            Ok(v) => facts = v,
                            Err(e) => p.push(
                                Diagnostic::at(
                                    &self.pos.key(&self.source, &vat),
                                    format!("cannot set `{k}`: {e}"),
                                )
                                .hint(path_hint()),
                            ),
                        }
                    }
                }
                None => p.push(self.diag(
                    &at,
                    "`set` must be a record: fact path → value".into(),
                    Some("e.g. `set: {resources[0].frozen_for_legal: true}`".into()),
                )),
            }
        }
        if let Some(unset) = map.get("unset") {
            let at = child_key(path, "unset");
            let paths: Vec<(String, &Yaml)> = match unset {
                Yaml::Sequence(s) => s
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (child_index(&at, i), v))
                    .collect(),
                Yaml::String(_) => vec![(at.clone(), unset)],
                other => {
                    p.push(self.diag(
                        &at,
                        format!(
                            "`unset` must be a list of fact paths, found {}",
                            kind(other)
                        ),
                        None,
                    ));
                    Vec::new()
                }
            };
            for (vat, v) in paths {
                let Some(k) = v.as_str() else {
                    p.push(self.diag(&vat, "a fact path must be text".into(), None));
                    continue;
                };
                let r = snapshot::parse_path(k).and_then(|segs| snapshot::unset(&facts, &segs));
                match r {
                    Ok(v) => facts = v,
                    Err(e) => p.push(self.diag(
                        &vat,
                        format!("cannot unset `{k}`: {e}"),
                        Some(path_hint()),
                    )),
                }
            }
        }
        facts
    }

    fn read_snapshot(&mut self, rel: &str) -> Result<Value, String> {
        let path = self.dir.join(rel);
        if let Some(hit) = self.cache.get(&path) {
            return hit.clone();
        }
        let shown = path.display().to_string();
        let r = match Format::from_path(&path) {
            None => Err(format!(
                "cannot tell the format of `{rel}` from its name: use .json, .yaml or .yml"
            )),
            Some(fmt) => match crate::input::walk::read_file(
                &path,
                crate::limits::Limits::default().max_snapshot_bytes,
            ) {
                Ok(bytes) => input::load_bytes(&bytes, fmt, &shown).map_err(|e| e.to_string()),
                Err(e) => Err(format!("cannot read the snapshot `{shown}`: {e}")),
            },
        };
        self.cache.insert(path, r.clone());
        r
    }

    /// A YAML value read the way snapshots are (money records, timestamps, exact numbers).
    fn convert(&self, v: &Yaml, path: &str) -> Result<Value, Diagnostic> {
        let mut wrapper = serde_yaml::Mapping::new();
        wrapper.insert(Yaml::String("v".into()), v.clone());
        let text = serde_yaml::to_string(&wrapper)
            .map_err(|e| self.diag(path, format!("cannot read this value: {e}"), None))?;
        match input::load_str(&text, Format::Yaml, "") {
            Ok(w) => Ok(w.get("v").cloned().unwrap_or(Value::Null)),
            Err(e) => {
                let m = e
                    .message
                    .replace("at `v.", "at `")
                    .replace("at `v`: ", "")
                    .replace("at `v[", "at `[");
                Err(self.diag(path, m, None).of_kind(e.kind.into()))
            }
        }
    }

    fn expect(&self, map: &serde_yaml::Mapping, path: &str, p: &mut Problems) -> Expect {
        let mut e = Expect::default();
        if let Some(d) = map.get("decision") {
            let at = child_key(path, "decision");
            match d.as_str().and_then(outcome) {
                Some(o) => e.decision = Some(self.spanned(o, &at)),
                None => {
                    let text = kind_text(d);
                    let hint = match d
                        .as_str()
                        .and_then(|s| did_you_mean(s, OUTCOMES.iter().copied()))
                    {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("a decision is one of: {}", OUTCOMES.join(", ")),
                    };
                    p.push(self.diag(&at, format!("unknown decision {text}"), Some(hint)));
                }
            }
        }
        e.matches = self.strings(map, path, "matches", p);
        e.does_not_match = self.strings(map, path, "does_not_match", p);
        e.errors = self.strings(map, path, "errors", p);
        e.error_paths = self.strings(map, path, "error_paths", p);
        if let Some(v) = map.get("values") {
            let at = child_key(path, "values");
            match v.as_mapping() {
                Some(m) => {
                    for (k, v) in m {
                        let Some(k) = k.as_str() else { continue };
                        let vat = child_key(&at, k);
                        match self.convert(v, &vat) {
                            Ok(value) => e.values.push((
                                Spanned {
                                    value: k.to_string(),
                                    span: self.pos.key(&self.source, &vat),
                                },
                                value,
                            )),
                            Err(d) => p.push(d),
                        }
                    }
                }
                None => p.push(self.diag(
                    &at,
                    "`values` must be a record: rule ID → expected value".into(),
                    Some("e.g. `values: {unsubscribe.billing_cycle: \"2021/9\"}`".into()),
                )),
            }
        }
        if let Some(v) = map.get("reviews") {
            let at = child_key(path, "reviews");
            match v.as_mapping() {
                Some(m) => {
                    for (k, v) in m {
                        let Some(k) = k.as_str() else { continue };
                        let vat = child_key(&at, k);
                        match v.as_str().and_then(review) {
                            Some(r) => e.reviews.push((
                                Spanned {
                                    value: k.to_string(),
                                    span: self.pos.key(&self.source, &vat),
                                },
                                self.spanned(r, &vat),
                            )),
                            None => p.push(self.diag(
                                &vat,
                                format!("unknown review status {}", kind_text(v)),
                                Some(
                                    "write `pending`, `rejected`, `approved` or `approved by WHO`"
                                        .into(),
                                ),
                            )),
                        }
                    }
                }
                None => p.push(self.diag(
                    &at,
                    "`reviews` must be a record: rule ID → status".into(),
                    Some("e.g. `reviews: {unsubscribe.large_order_review: pending}`".into()),
                )),
            }
        }
        e
    }

    fn strings(
        &self,
        map: &serde_yaml::Mapping,
        path: &str,
        key: &str,
        p: &mut Problems,
    ) -> Vec<Spanned<String>> {
        let Some(v) = map.get(key) else {
            return Vec::new();
        };
        let at = child_key(path, key);
        match v {
            Yaml::String(s) => vec![self.spanned(s.clone(), &at)],
            Yaml::Sequence(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    let iat = child_index(&at, i);
                    match item.as_str() {
                        Some(s) => Some(self.spanned(s.to_string(), &iat)),
                        None => {
                            p.push(self.diag(
                                &iat,
                                format!("expected text, found {}", kind(item)),
                                None,
                            ));
                            None
                        }
                    }
                })
                .collect(),
            other => {
                p.push(self.diag(
                    &at,
                    format!("`{key}` must be a list, found {}", kind(other)),
                    Some(format!("e.g. `{key}: [policy.rule, …]`")),
                ));
                Vec::new()
            }
        }
    }
}

/// A test file that is not YAML: one failure, with a hint chosen by where it fails.
fn not_yaml(name: &str, span: &Span, problem: &str, kind: YamlSyntaxKind) -> TestFile {
    let hint = match kind {
        YamlSyntaxKind::InFlow => {
            "inside `{…}` and `[…]`, quote text holding `[`, `]`, `{`, `}` or `,`, e.g. \
             `{\"resources[0].frozen_for_legal\": true}`, or write the record one entry a line"
        }
        YamlSyntaxKind::Other => "a test file is YAML: `cases:` followed by a list of cases",
    };
    TestFile::broken(
        name,
        Diagnostic::at(span, format!("this is not valid YAML: {problem}")).hint(hint),
    )
}

fn path_hint() -> String {
    "a fact path is written as in rules: `request.reason`, `resources[0].order.amount`".into()
}

fn outcome(s: &str) -> Option<Outcome> {
    Some(match s {
        "allowed" => Outcome::Allowed,
        "needs_review" => Outcome::NeedsReview,
        "error" => Outcome::Error,
        "denied" => Outcome::Denied,
        _ => return None,
    })
}

fn review(s: &str) -> Option<ReviewExpect> {
    let s = s.trim();
    let (state, by) = match s {
        "pending" => (ReviewState::Pending, None),
        "rejected" => (ReviewState::Rejected, None),
        "approved" => (ReviewState::Approved, None),
        _ => {
            let by = s.strip_prefix("approved by ")?.trim();
            (ReviewState::Approved, Some(by.to_string()))
        }
    };
    Some(ReviewExpect { state, by })
}

fn kind(v: &Yaml) -> &'static str {
    match v {
        Yaml::Null => "null",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "text",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a record",
        Yaml::Tagged(_) => "a tagged value",
    }
}

/// A scalar as written (`` `alowed` ``), else its kind.
fn kind_text(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => format!("`{s}`"),
        Yaml::Bool(b) => format!("`{b}`"),
        Yaml::Number(n) => format!("`{n}`"),
        other => kind(other).to_string(),
    }
}

/// Whether an expectation (with its items') checks nothing.
fn states_nothing(e: &Expect) -> bool {
    e.decision.is_none()
        && e.matches.is_empty()
        && e.does_not_match.is_empty()
        && e.values.is_empty()
        && e.reviews.is_empty()
        && e.errors.is_empty()
        && e.error_paths.is_empty()
        && e.items.iter().all(|(_, i)| states_nothing(i))
}
