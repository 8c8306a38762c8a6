//! The engine: loads and checks a rule set once, then decides snapshots.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use crate::check::{check_with, free_names};
use crate::decision::*;
use crate::eval::evidence::{self, facts_in, squash};
use crate::eval::interp::{ItemPaths, LetIndex, Program, Read, Scope, DEFAULT_MAX_STEPS};
use crate::eval::EvalError;
use crate::limits::Limits;
use crate::report::diagnostic::Diagnostic;
use crate::schema::Record;
use crate::syntax::ast::{Expr, Policy, Rule, RuleKind, StatusKind, Template, TemplatePart};
use crate::syntax::parser::parse_policy_with;
use crate::syntax::Source;
use crate::value::{push_text, push_uint, Value};

/// The extension of rule files.
pub const RULE_EXTENSION: &str = "bylaw";

/// A rule set that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or folder could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The folder holds no rule file.
    #[error("no rule files (*.{RULE_EXTENSION}) in `{0}`")]
    Empty(String),
    /// Syntax or check errors, all of them.
    #[error("{}", render_all(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render_all(ds: &[Diagnostic]) -> String {
    let mut s: String = ds.iter().map(|d| format!("{d}\n")).collect();
    s.push_str(&format!(
        "{} error{} in the rules",
        ds.len(),
        if ds.len() == 1 { "" } else { "s" }
    ));
    s
}

/// How to evaluate.
#[derive(Debug, Clone)]
pub struct Options {
    /// "Now", overriding the snapshot's top-level `now`.
    pub now: Option<DateTime<FixedOffset>>,
    /// List the rules that did not match, with the condition that failed.
    pub explain: bool,
    /// Evaluation steps allowed per decision.
    pub max_steps: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            now: None,
            explain: false,
            max_steps: Limits::default().max_steps,
        }
    }
}

/// A checked policy with what evaluation needs precomputed.
#[derive(Debug)]
struct Compiled {
    ast: Policy,
    let_index: LetIndex,
    /// The reads resolving numbered (see `Program::reads`).
    reads: Vec<Read>,
    /// The `let`s' names, by index (see `Program::let_names`).
    let_names: Vec<Arc<str>>,
    /// The paths of the element's reads, for a policy with `for each`.
    item_paths: Option<ItemPaths>,
    /// Per rule, what reporting it needs, built once.
    rules: Vec<RuleInfo>,
    /// The fact schema, for policies that declare typed facts.
    schema: Option<Arc<Record>>,
}

/// What is known of a rule before any snapshot.
#[derive(Debug)]
struct RuleInfo {
    /// Whether it reads the `for each` element (else it is request-level).
    per_item: bool,
    /// `policy.rule`.
    id: Arc<str>,
    /// `rules/FILE:LINE`.
    source: Arc<str>,
}

/// A loaded, checked rule set.
#[derive(Debug)]
pub struct Engine {
    policies: Vec<Compiled>,
    limits: Limits,
}

impl Engine {
    /// Loads every `*.bylaw` file in `dir` (sorted by name), or the one file `dir` names.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Engine, LoadError> {
        Engine::from_dir_with(dir, &Limits::default())
    }

    /// [`Engine::from_dir`] within `limits`, which also bound every evaluation.
    pub fn from_dir_with(dir: impl AsRef<Path>, limits: &Limits) -> Result<Engine, LoadError> {
        Engine::from_sources_with(read_dir(dir.as_ref(), limits)?, limits)
    }

    /// Loads rule files given as `(name, text)`; the name is how locations cite them.
    pub fn from_sources(
        sources: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Engine, LoadError> {
        Engine::from_sources_with(sources, &Limits::default())
    }

    /// [`Engine::from_sources`] within `limits`, which also bound every evaluation.
    pub fn from_sources_with(
        sources: impl IntoIterator<Item = (String, String)>,
        limits: &Limits,
    ) -> Result<Engine, LoadError> {
        let mut policies = Vec::new();
        let mut errors = Vec::new();
        for parsed in parse_all(sources.into_iter().collect(), limits) {
            match parsed {
                Ok(p) => policies.push(p),
                Err(e) => errors.push(Diagnostic::from(e)),
            }
        }
        errors.extend(check_with(&policies, limits));
        if !errors.is_empty() {
            return Err(LoadError::Invalid(errors));
        }
        Ok(Engine {
            policies: policies.into_iter().map(compile).collect(),
            limits: limits.clone(),
        })
    }

    /// The loaded policies.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.policies.iter().map(|c| &c.ast)
    }

    /// The policies that declare typed facts, with their schema (see [`crate::schema`]).
    pub fn schemas(&self) -> impl Iterator<Item = (&Policy, &Arc<Record>)> {
        self.policies
            .iter()
            .filter_map(|c| c.schema.as_ref().map(|s| (&c.ast, s)))
    }

    /// Whether a policy applies to a snapshot: `None` when that cannot be told.
    pub(crate) fn applies(&self, policy: &Policy, facts: &Value) -> Option<bool> {
        let c = self
            .policies
            .iter()
            .find(|c| std::ptr::eq(&c.ast, policy))?;
        let Some(applies) = &c.ast.applies else {
            return Some(true);
        };
        Scope::new(c.program(), facts, None, None, DEFAULT_MAX_STEPS)
            .condition(applies)
            .ok()
    }

    /// Decides a snapshot with default options.
    pub fn evaluate(&self, facts: &Value) -> Decision {
        self.evaluate_with(facts, &Options::default())
    }

    /// Decides a snapshot.
    pub fn evaluate_with(&self, facts: &Value, opts: &Options) -> Decision {
        let opts = &Options {
            max_steps: opts.max_steps.min(self.limits.max_steps),
            ..opts.clone()
        };
        let cli_now = opts.now.map(Value::Time);
        let now = cli_now.as_ref().or_else(|| facts.get("now"));
        let mut d = Decision {
            decision: Outcome::Allowed,
            // Most snapshots are for one policy.
            policies: Vec::with_capacity(1),
            matched: Vec::new(),
            errors: Vec::new(),
            not_matched: Vec::new(),
            items: Vec::new(),
        };
        if !matches!(facts, Value::Map(_)) {
            d.errors.push(plain_error(
                None,
                format!(
                    "a snapshot must be a record of facts, found {}",
                    facts.type_of()
                ),
            ));
        }
        // Steps are counted per decision, across policies and elements.
        let mut used = 0u64;
        for c in &self.policies {
            let prog = c.program();
            let mut scope = Scope::new(prog, facts, now, None, opts.max_steps.saturating_sub(used))
                .with_max_depth(self.limits.max_eval_depth);
            if let Some(applies) = &c.ast.applies {
                match scope.condition(applies) {
                    Ok(true) => {}
                    // What it read is shown only if no policy applies, and gathered then.
                    Ok(false) => continue,
                    Err(e) => {
                        d.errors.push(RuleError {
                            rule: None,
                            kind: None,
                            path: e.path().map(str::to_string),
                            reason: format!(
                                "cannot tell whether the policy `{}` applies: {e}",
                                c.ast.id.name
                            ),
                            source: Some(applies.span.location()),
                            blocking: true,
                        });
                        continue;
                    }
                }
            }
            d.policies.push(c.ast.id.name.clone());
            for (rule, info) in c
                .ast
                .rules
                .iter()
                .zip(&c.rules)
                .filter(|(_, i)| !i.per_item)
            {
                record(
                    eval_rule(&mut scope, rule, info, opts.explain),
                    &mut d.matched,
                    &mut d.errors,
                    &mut d.not_matched,
                );
            }
            if let Some(fe) = &c.ast.for_each {
                let list = match scope.list_ref(&fe.list) {
                    Ok(items) if items.is_empty() => Err(EvalError::Invalid(format!(
                        "the list `{}` is empty: there is nothing to decide on",
                        scope.describe(&fe.list)
                    ))),
                    Ok(items) => Ok(items),
                    Err(EvalError::Type { path, found, .. }) => Err(EvalError::Type {
                        path,
                        expected: "a list".into(),
                        found,
                        context: format!("`for each` goes through `{}`", fe.list.span.text()),
                    }),
                    Err(e) => Err(e),
                };
                let items = match list {
                    Ok(items) => items,
                    Err(e) => {
                        d.errors.push(RuleError {
                            rule: None,
                            kind: None,
                            path: e
                                .path()
                                .map(str::to_string)
                                .or_else(|| scope.path_of(&fe.list)),
                            reason: e.to_string(),
                            source: Some(fe.span.location()),
                            blocking: true,
                        });
                        continue;
                    }
                };
                let base = scope.describe(&fe.list);
                d.items.reserve_exact(items.len());
                let mut item_scope = Scope::new(prog, facts, now, None, 0)
                    .with_max_depth(self.limits.max_eval_depth);
                for i in 0..items.len() {
                    let element = items.get(i);
                    let left = opts.max_steps.saturating_sub(used + scope.steps_taken());
                    let mut path = String::with_capacity(base.len() + 4);
                    path.push_str(&base);
                    path.push('[');
                    push_uint(&mut path, i as u64);
                    path.push(']');
                    item_scope.next_item((i, element), &path, left);
                    let id = match &fe.id {
                        Some(e) => match item_scope.eval_ref(e) {
                            Ok(v) if matches!(*v, Value::Null) => path.clone(),
                            Ok(v) => match &*v {
                                // Most ids are text: copied, not formatted.
                                Value::String(s) => s.to_string(),
                                other => other.to_string(),
                            },
                            Err(_) => path.clone(),
                        },
                        None => path.clone(),
                    };
                    let mut item = Item {
                        id,
                        path,
                        decision: Outcome::Allowed,
                        matched: Vec::new(),
                        errors: Vec::new(),
                        not_matched: Vec::new(),
                    };
                    for (rule, info) in c.ast.rules.iter().zip(&c.rules).filter(|(_, i)| i.per_item)
                    {
                        record(
                            eval_rule(&mut item_scope, rule, info, opts.explain),
                            &mut item.matched,
                            &mut item.errors,
                            &mut item.not_matched,
                        );
                    }
                    item.decision = outcome_of(&item.matched, &item.errors);
                    d.items.push(item);
                    used += item_scope.steps_taken();
                }
            }
            used = (used + scope.steps_taken()).min(opts.max_steps);
        }
        if d.policies.is_empty() && d.errors.is_empty() {
            // No policy applied and none failed to tell: each has an `applies when`
            // that came out false, in a scope given every step (only a policy that
            // applies uses steps, so none were used). Each scope is rebuilt as it was
            // then and the condition evaluated again first (same answer, same steps),
            // so the facts are those it would have gathered then; and as a policy
            // passed over adds no steps to the decision's count, gathering them only
            // now changes no limit.
            let mut scope_facts = Vec::new();
            for c in &self.policies {
                let Some(applies) = &c.ast.applies else {
                    continue;
                };
                let mut scope = Scope::new(c.program(), facts, now, None, opts.max_steps)
                    .with_max_depth(self.limits.max_eval_depth);
                let _ = scope.condition(applies);
                let mut f = Vec::new();
                facts_in(&mut scope, applies, &mut f);
                scope_facts.extend(f);
            }
            let mut shown: Vec<String> = Vec::new();
            for f in &scope_facts {
                if let Some(p) = &f.path {
                    let s = format!("{p} = {}", crate::value::Literal(&f.value));
                    if !shown.contains(&s) {
                        shown.push(s);
                    }
                }
            }
            d.errors.push(RuleError {
                rule: None,
                kind: None,
                path: scope_facts
                    .iter()
                    .find_map(|f| f.path.as_deref().map(str::to_string)),
                reason: if shown.is_empty() {
                    "no policy applies to this snapshot".to_string()
                } else {
                    format!("no policy applies to this snapshot ({})", shown.join(", "))
                },
                source: None,
                blocking: true,
            });
        }
        d.decision = d
            .items
            .iter()
            .map(|i| i.decision)
            .chain(std::iter::once(outcome_of(&d.matched, &d.errors)))
            .max()
            .unwrap_or(Outcome::Error);
        d
    }
}

/// What a rule's remedies are derived from, besides the scope (see [`Engine::in_rule_scope`]).
pub(crate) struct RuleSite<'a> {
    /// The rule.
    pub rule: &'a Rule,
    /// The policy's fact schema, if typed.
    pub schema: Option<&'a Arc<Record>>,
}

impl Engine {
    /// Runs `f` in the scope the engine decides rule `rule_id` (`policy.rule`) in:
    /// over element `item` of the policy's list for a rule about the element. `None`
    /// when there is no such rule or element. Used by [`crate::remedy`].
    pub(crate) fn in_rule_scope<'a, T>(
        &'a self,
        facts: &'a Value,
        now: Option<&'a Value>,
        rule_id: &str,
        item: Option<usize>,
        f: impl FnOnce(&mut Scope<'a>, RuleSite<'a>) -> T,
    ) -> Option<T> {
        let (c, (rule, info)) = self.policies.iter().find_map(|c| {
            c.ast
                .rules
                .iter()
                .zip(&c.rules)
                .find(|(_, i)| &*i.id == rule_id)
                .map(|r| (c, r))
        })?;
        let mut scope = Scope::new(c.program(), facts, now, None, self.limits.max_steps)
            .with_max_depth(self.limits.max_eval_depth);
        if let (Some(i), true, Some(fe)) = (item, info.per_item, &c.ast.for_each) {
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

/// Parses rule files, in their order. Parsing is most of loading a rule set, and files
/// parse independently, so they are parsed on all cores; results keep the files'
/// order, so what is loaded and reported does not depend on the threads.
fn parse_all(
    sources: Vec<(String, String)>,
    limits: &Limits,
) -> Vec<Result<Policy, crate::syntax::parser::ParseError>> {
    let parse = |i: usize| {
        let (name, text) = sources.get(i).cloned().unwrap_or_default();
        parse_policy_with(&Source::new(name, text), limits)
    };
    // Asking costs reading cgroup files (tens of µs, a few % of a load); the answer
    // does not change while the process runs.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let workers = cores.min(sources.len());
    // Worker `w` parses files `w`, `w + workers`, …; the calling thread is worker 0.
    let share = |w: usize| {
        (w..sources.len())
            .step_by(workers.max(1))
            .map(|i| (i, parse(i)))
            .collect::<Vec<_>>()
    };
    let mut done = std::thread::scope(|s| {
        let spawned: Vec<_> = (1..workers)
            .map(|w| {
                // A parse that needs more stack than this gives moves to its own thread.
                let thread = std::thread::Builder::new()
                    .name("bylaw-load".into())
                    .stack_size(8 << 20)
                    .spawn_scoped(s, move || share(w));
                (w, thread)
            })
            .collect();
        let mut done = share(0);
        for (w, thread) in spawned {
            match thread.map(|t| t.join()) {
                Ok(Ok(parsed)) => done.extend(parsed),
                // No thread to be had, or it stopped: parse that share here.
                _ => done.extend(share(w)),
            }
        }
        done
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, parsed)| parsed).collect()
}

fn plain_error(path: Option<String>, reason: String) -> RuleError {
    RuleError {
        rule: None,
        kind: None,
        path,
        reason,
        source: None,
        blocking: true,
    }
}

/// The rule files of a folder as `(name, text)`, sorted, named as locations cite them
/// (`rules/a.bylaw`): what [`Engine::from_dir`] loads.
pub fn rule_sources(dir: &Path) -> Result<Vec<(String, String)>, LoadError> {
    read_dir(dir, &Limits::default())
}

fn read_dir(dir: &Path, limits: &Limits) -> Result<Vec<(String, String)>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    };
    let shown = dir.display().to_string();
    let shown = shown.trim_end_matches('/');
    let mut files = Vec::new();
    if dir.is_file() {
        // One rule file named directly: its own name is how it is cited.
        files.push(dir.to_path_buf());
    } else {
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.is_file() && path.extension().is_some_and(|e| e == RULE_EXTENSION) {
                files.push(path);
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(LoadError::Empty(shown.to_string()));
    }
    files
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let name = if dir.is_file() {
                shown.to_string()
            } else if shown.is_empty() || shown == "." {
                name
            } else {
                format!("{shown}/{name}")
            };
            let bytes = std::fs::read(&path).map_err(|source| LoadError::Io {
                path: name.clone(),
                source,
            })?;
            let invalid = |message: String| {
                LoadError::Invalid(vec![Diagnostic {
                    span: None,
                    message,
                    hint: None,
                }])
            };
            if bytes.len() > limits.max_rule_bytes {
                return Err(invalid(format!(
                    "`{name}` is {} bytes, more than the limit of {} bytes for a rule file",
                    bytes.len(),
                    limits.max_rule_bytes
                )));
            }
            if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                return Err(invalid(format!(
                    "`{name}` starts with a byte order mark (BOM); save it as UTF-8 without one"
                )));
            }
            let text = String::from_utf8(bytes).map_err(|e| {
                invalid(format!(
                    "`{name}` is not valid UTF-8 (bad byte at offset {})",
                    e.utf8_error().valid_up_to()
                ))
            })?;
            Ok((name, text))
        })
        .collect()
}

impl Compiled {
    /// What the evaluator needs of this policy.
    fn program(&self) -> Program<'_> {
        Program {
            policy: &self.ast,
            let_index: &self.let_index,
            reads: &self.reads,
            let_names: &self.let_names,
            item_paths: self.item_paths.as_ref(),
        }
    }
}

fn compile(mut ast: Policy) -> Compiled {
    let let_index: LetIndex = ast
        .lets
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.name.clone(), i))
        .collect();
    let reads = crate::eval::resolve::resolve_policy(&mut ast, &let_index);
    let per_item = match &ast.for_each {
        None => vec![false; ast.rules.len()],
        Some(fe) => {
            let mut memo = HashMap::new();
            ast.rules
                .iter()
                .map(|r| {
                    rule_exprs(r)
                        .iter()
                        .any(|e| reads_name(e, &fe.var.name, &ast, &mut memo))
                })
                .collect()
        }
    };
    let rules = ast
        .rules
        .iter()
        .zip(per_item)
        .map(|(r, per_item)| RuleInfo {
            per_item,
            id: format!("{}.{}", ast.id.name, r.name.name).into(),
            source: r.span.location().into(),
        })
        .collect();
    let schema = crate::schema::of_policy(&ast, &mut Vec::new());
    let let_names = ast
        .lets
        .iter()
        .map(|l| l.name.name.as_str().into())
        .collect();
    Compiled {
        item_paths: ast.for_each.as_ref().map(|_| ItemPaths::new(reads.len())),
        ast,
        let_index,
        reads,
        let_names,
        rules,
        schema,
    }
}

fn rule_exprs(r: &Rule) -> Vec<&Expr> {
    use crate::syntax::ast::Clause;
    let mut v = Vec::new();
    for c in &r.clauses {
        match c {
            Clause::Message(t) | Clause::Remedy(t) => v.extend(holes(t)),
            Clause::When(e) | Clause::Value(e) => v.push(e),
            Clause::Cites(_) => {}
            Clause::Status(s) => {
                v.push(&s.when);
                if let StatusKind::Approved { at, .. } = &s.status {
                    v.push(at);
                }
            }
        }
    }
    v
}

fn holes(t: &Template) -> impl Iterator<Item = &Expr> {
    t.parts.iter().filter_map(|p| match p {
        TemplatePart::Hole(e) => Some(e),
        TemplatePart::Text(_) => None,
    })
}

/// Whether `e` reads `name`, directly or through lets.
fn reads_name(e: &Expr, name: &str, p: &Policy, memo: &mut HashMap<String, bool>) -> bool {
    let mut free = Vec::new();
    free_names(e, &mut Vec::new(), &mut free);
    free.iter().any(|n| {
        if n == name {
            return true;
        }
        let Some(l) = p.lets.iter().find(|l| &l.name.name == n) else {
            return false;
        };
        if let Some(&known) = memo.get(n) {
            return known;
        }
        memo.insert(n.clone(), false); // cycles (refused by the checker) end here
        let r = reads_name(&l.value, name, p, memo);
        memo.insert(n.clone(), r);
        r
    })
}

enum RuleResult {
    Matched(Match),
    Failed(RuleError),
    Missed(Option<Miss>),
}

fn record(
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

fn eval_rule<'a>(
    scope: &mut Scope<'a>,
    rule: &'a Rule,
    info: &RuleInfo,
    explain: bool,
) -> RuleResult {
    // Copied only when the rule is reported: most rules do not match.
    let id = || info.id.clone();
    let fail = |e: EvalError, at: &Expr| {
        RuleResult::Failed(RuleError {
            rule: Some(info.id.to_string()),
            kind: Some(rule.kind),
            path: e.path().map(str::to_string),
            reason: e.to_string(),
            source: Some(at.span.location()),
            blocking: rule.kind.is_blocking(),
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
    t: &'a Template,
) -> Result<String, (EvalError, &'a Expr)> {
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
                Err(err) => out.push_str(&format!("<{}: {err}>", squash(e.span.text()))),
            },
        }
    }
    Ok(out)
}
