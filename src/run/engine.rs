//! The engine: loads and checks a rule set once, then decides snapshots.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use crate::check::free_names;
use crate::decision::*;
use crate::eval::evidence::{self, facts_in};
use crate::eval::interp::{ItemPaths, Program, Scope, DEFAULT_MAX_STEPS};
use crate::eval::EvalError;
use crate::limits::Limits;
use crate::report::diagnostic::Diagnostic;
use crate::run::dispatch::Dispatch;
use crate::run::load::{named_files, par_map, read_dir, read_one};
use crate::schema::Record;
use crate::syntax::ast::{Expr, Policy, Rule, RuleKind, StatusKind, Template, TemplatePart};
use crate::syntax::parser::parse_policy_with;
use crate::syntax::{Source, Span};
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
    crate::report::diagnostic::render_list(ds, false)
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

/// A checked policy: as parsed, and compiled.
#[derive(Debug)]
struct Compiled {
    /// As the parser produced it (what `Engine::policies` shows).
    ast: Policy,
    /// What the interpreter runs.
    code: crate::compile::Program,
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
    /// Where the rule is.
    source: Location,
}

/// A loaded, checked rule set.
#[derive(Debug)]
pub struct Engine {
    policies: Vec<Compiled>,
    /// Which policies may apply to a snapshot, found without asking each.
    dispatch: Dispatch,
    /// The libraries, for listing (their definitions are copied into policies).
    libraries: Vec<Policy>,
    limits: Limits,
    /// What conforming reads to tell which policies apply, derived at the first
    /// snapshot and kept: a request must not pay for every policy's schema.
    pub(crate) applies_parts: std::sync::OnceLock<Vec<(usize, crate::schema::Record)>>,
}

impl Engine {
    /// Loads every `*.bylaw` file in `dir` (sorted by name), or the one file `dir` names.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Engine, LoadError> {
        Engine::from_dir_with(dir, &Limits::default())
    }

    /// [`Engine::from_dir`] within `limits`, which also bound every evaluation.
    pub fn from_dir_with(dir: impl AsRef<Path>, limits: &Limits) -> Result<Engine, LoadError> {
        // Each file is read, parsed and (when it imports nothing) checked and compiled
        // in one pass on all cores; the first unreadable file in the files' order is
        // the error, as when they were read in turn.
        let files = named_files(dir.as_ref())?;
        let alone = par_map(&files, |(path, name)| {
            let (name, text) = read_one(path, name.clone(), limits)?;
            Ok(set::alone(parse(name, text, limits), limits))
        });
        Engine::of_files(alone.into_iter().collect::<Result<_, LoadError>>()?, limits)
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
        // Each file is parsed (and checked when it imports nothing) on all cores; then
        // the set is checked together (set.rs).
        let sources: Vec<(String, String)> = sources.into_iter().collect();
        let alone = par_map(&sources, |(name, text)| {
            set::alone(parse(name.clone(), text.clone(), limits), limits)
        });
        Engine::of_files(alone, limits)
    }

    fn of_files(files: Vec<set::Alone>, limits: &Limits) -> Result<Engine, LoadError> {
        let set = set::check_set(files, limits).map_err(LoadError::Invalid)?;
        Ok(Engine::of_set(set, limits))
    }

    fn of_set(set: set::Set, limits: &Limits) -> Engine {
        Engine {
            dispatch: Dispatch::new(
                set.policies.iter().map(|c| c.code.applies.as_ref()),
                limits.max_eval_depth,
            ),
            policies: set.policies,
            libraries: set.libraries,
            limits: limits.clone(),
            applies_parts: std::sync::OnceLock::new(),
        }
    }

    /// The policy index (for tests).
    #[cfg(test)]
    pub(crate) fn dispatch(&self) -> &Dispatch {
        &self.dispatch
    }

    /// The engine asking every policy, as before the index (for tests).
    #[cfg(test)]
    pub(crate) fn scanning(mut self) -> Engine {
        self.dispatch = Dispatch::new(self.policies.iter().map(|c| c.code.applies.as_ref()), 0);
        self
    }

    /// Parses rule files without checking them: the mutation runner edits these trees
    /// and loads each edit with [`Engine::from_policies`].
    pub(crate) fn parse_sources(
        sources: Vec<(String, String)>,
        limits: &Limits,
    ) -> Result<Vec<Policy>, LoadError> {
        let parsed = par_map(&sources, |(name, text)| {
            parse_policy_with(&Source::new(name.clone(), text.clone()), limits)
        });
        let mut policies = Vec::new();
        let mut errors = Vec::new();
        for p in parsed {
            match p {
                Ok(p) => policies.push(p),
                Err(e) => errors.push(Diagnostic::from(e)),
            }
        }
        if errors.is_empty() {
            Ok(policies)
        } else {
            Err(LoadError::Invalid(errors))
        }
    }

    /// Checks and compiles parsed policies: the checker's diagnostics when it refuses them.
    pub(crate) fn from_policies(
        policies: Vec<Policy>,
        limits: &Limits,
    ) -> Result<Engine, Vec<Diagnostic>> {
        // Serially: the mutation runner calls this on each of its own workers.
        let files = policies.into_iter().map(|p| set::alone(Ok(p), limits));
        let set = set::check_set(files.collect(), limits)?;
        Ok(Engine::of_set(set, limits))
    }

    /// The loaded policies.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.policies.iter().map(|c| &c.ast)
    }

    /// The loaded libraries (`library NAME` files), as written: they apply to nothing.
    pub fn libraries(&self) -> impl Iterator<Item = &Policy> {
        self.libraries.iter()
    }

    /// The loaded policies with what the interpreter runs of each (coverage walks
    /// the compiled conditions).
    pub(crate) fn compiled(&self) -> impl Iterator<Item = (&Policy, &crate::compile::Program)> {
        self.policies.iter().map(|c| (&c.ast, &c.code))
    }

    /// The policies that declare typed facts, with their schema (see [`crate::schema`]).
    pub fn schemas(&self) -> impl Iterator<Item = (&Policy, &Arc<Record>)> {
        self.policies
            .iter()
            .filter_map(|c| c.schema.as_ref().map(|s| (&c.ast, s)))
    }

    /// [`Engine::schemas`] with each policy's index (as [`Engine::applies`] takes it).
    pub(crate) fn typed_policies(&self) -> impl Iterator<Item = (usize, &Policy, &Arc<Record>)> {
        self.policies
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.schema.as_ref().map(|s| (i, &c.ast, s)))
    }

    /// Policy `i` and its schema, if it declares typed facts.
    pub(crate) fn typed_policy(&self, i: usize) -> Option<(&Policy, &Arc<Record>)> {
        let c = self.policies.get(i)?;
        c.schema.as_ref().map(|s| (&c.ast, s))
    }

    /// The indices of the policies that may apply to a snapshot, in order (see
    /// `dispatch`): every other one's `applies when` is false.
    pub(crate) fn candidates(&self, facts: &Value) -> Vec<usize> {
        self.dispatch.candidates(facts)
    }

    /// Whether policy `i` applies to a snapshot: `None` when that cannot be told.
    pub(crate) fn applies(&self, i: usize, facts: &Value) -> Option<bool> {
        let c = self.policies.get(i)?;
        let Some(applies) = &c.code.applies else {
            return Some(true);
        };
        Scope::new(c.program(), facts, None, None, DEFAULT_MAX_STEPS)
            .condition(applies)
            .ok()
    }

    /// Decides a snapshot with default options, **as it is given**: it is not conformed
    /// to the fact schema, so a value read from outside may decide differently than
    /// `bylaw evaluate` decides it (an absent optional is not null, `"24h"` is not a
    /// duration). Use it for values already conformed, or built in the schema's shapes;
    /// for anything else use [`Engine::decide_bytes`], [`Engine::decide_value`] or a
    /// [`crate::run::pipeline::Pipeline`].
    pub fn evaluate(&self, facts: &Value) -> Decision {
        self.evaluate_with(facts, &Options::default())
    }

    /// Decides a snapshot as it is given, with options; see [`Engine::evaluate`].
    pub fn evaluate_with(&self, facts: &Value, opts: &Options) -> Decision {
        self.decide(facts, opts, None)
    }

    /// Decides a snapshot as if policy `id` were the only one loaded (as an author's
    /// test of that policy does, so other policies never change its results); `None`
    /// when no policy has that ID.
    pub fn evaluate_policy_with(
        &self,
        id: &str,
        facts: &Value,
        opts: &Options,
    ) -> Option<Decision> {
        let i = self.policies.iter().position(|c| c.ast.id.name == id)?;
        Some(self.decide(facts, opts, Some(i)))
    }

    /// Decides a snapshot with every policy, or only with policy `only`.
    fn decide(&self, facts: &Value, opts: &Options, only: Option<usize>) -> Decision {
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
        // Only the policies that may apply are asked (see `dispatch`); one passed over
        // is asked all the same when the steps left might not suffice for its first
        // condition, as it would then fail as it always did.
        let (candidates, all) = match only {
            None => (self.dispatch.candidates(facts), 0..self.policies.len()),
            Some(i) => (vec![i], i..i + 1),
        };
        let mut next = all.start;
        // With more steps left than any first condition may take (nearly always),
        // no policy passed over is asked (steps are only used by asking one), so the
        // loop over them stops at once instead of running a thousand times a snapshot.
        let short = |used: u64| opts.max_steps.saturating_sub(used) < self.dispatch.max_cost();
        for i in candidates {
            for j in next..i {
                if !short(used) {
                    break;
                }
                if opts.max_steps.saturating_sub(used) < self.dispatch.cost(j) {
                    self.decide_policy(j, facts, now, opts, &mut used, &mut d);
                }
            }
            self.decide_policy(i, facts, now, opts, &mut used, &mut d);
            next = i + 1;
        }
        for j in next..all.end {
            if !short(used) {
                break;
            }
            if opts.max_steps.saturating_sub(used) < self.dispatch.cost(j) {
                self.decide_policy(j, facts, now, opts, &mut used, &mut d);
            }
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
            for c in &self.policies[all] {
                let Some(applies) = &c.code.applies else {
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
                origin: None,
                blocking: true,
                cause: Cause::Other,
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

    /// Asks policy `i` whether it applies and, if it does, decides its rules into `d`.
    fn decide_policy<'a>(
        &'a self,
        i: usize,
        facts: &'a Value,
        now: Option<&'a Value>,
        opts: &Options,
        used: &mut u64,
        d: &mut Decision,
    ) {
        let Some(c) = self.policies.get(i) else {
            return;
        };
        let prog = c.program();
        let mut scope = Scope::new(prog, facts, now, None, opts.max_steps.saturating_sub(*used))
            .with_step_limit(opts.max_steps)
            .with_max_depth(self.limits.max_eval_depth);
        if let Some(applies) = &c.code.applies {
            match scope.condition(applies) {
                Ok(true) => {}
                // What it read is shown only if no policy applies, and gathered then.
                Ok(false) => return,
                Err(e) => {
                    d.errors.push(RuleError {
                        rule: None,
                        kind: None,
                        path: e.path().map(str::to_string),
                        reason: format!(
                            "cannot tell whether the policy `{}` applies: {e}",
                            c.ast.id.name
                        ),
                        origin: origin(&e, &applies.span),
                        source: Some(Location::new(applies.span.clone())),
                        blocking: true,
                        cause: match cause_of(&e) {
                            // These have no hint of their own here: the hint is that
                            // `applies when` must be decidable, as before they had kinds.
                            Cause::Other | Cause::TooDeep | Cause::TimeFormat => {
                                Cause::Applicability
                            }
                            cause => cause,
                        },
                    });
                    return;
                }
            }
        }
        d.policies.push(c.ast.id.name.clone());
        for (rule, info) in c
            .code
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
        if let Some(fe) = &c.code.for_each {
            let mut empty = false;
            let list = match scope.list_ref(&fe.list) {
                Ok(items) if items.is_empty() => {
                    empty = true;
                    Err(EvalError::Invalid(format!(
                        "the list `{}` is empty: there is nothing to decide on",
                        scope.describe(&fe.list)
                    )))
                }
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
                        origin: origin(&e, &fe.span),
                        source: Some(Location::new(fe.span.clone())),
                        blocking: true,
                        cause: if empty {
                            Cause::EmptyList
                        } else {
                            cause_of(&e)
                        },
                    });
                    return;
                }
            };
            let base = scope.describe(&fe.list);
            let first_item = d.items.len();
            d.items.reserve_exact(items.len());
            let mut item_scope = Scope::new(prog, facts, now, None, 0)
                .with_step_limit(opts.max_steps)
                .with_max_depth(self.limits.max_eval_depth);
            for i in 0..items.len() {
                let element = items.get(i);
                let left = opts.max_steps.saturating_sub(*used + scope.steps_taken());
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
                for (rule, info) in c
                    .code
                    .rules
                    .iter()
                    .zip(&c.rules)
                    .filter(|(_, i)| i.per_item)
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
                *used += item_scope.steps_taken();
            }
            if let Some(id) = &fe.id {
                let ours = d.items.get(first_item..).unwrap_or(&[]);
                for (a, b) in crate::eval::duplicates::duplicate_ids(ours) {
                    // Rare: the two ID paths are described again, from their elements.
                    let mut path_of = |k: usize| {
                        let item = &ours[k];
                        item_scope.next_item((k, items.get(k)), &item.path, 0);
                        item_scope.describe(id)
                    };
                    let (pa, pb) = (path_of(a), path_of(b));
                    d.errors.push(RuleError {
                        rule: None,
                        kind: None,
                        path: Some(pb.clone()),
                        reason: format!(
                            "`{pa}` and `{pb}` are both {:?}: two elements with one ID cannot be told apart",
                            ours[b].id
                        ),
                        source: Some(Location::new(fe.span.clone())),
                        origin: None,
                        blocking: true,
                        cause: Cause::Other,
                    });
                }
            }
        }
        *used = (*used + scope.steps_taken()).min(opts.max_steps);
    }
}

fn plain_error(path: Option<String>, reason: String) -> RuleError {
    RuleError {
        rule: None,
        kind: None,
        path,
        reason,
        source: None,
        origin: None,
        blocking: true,
        cause: Cause::Other,
    }
}

/// Where an error met deciding the text at `at` arose, when that is in another file:
/// inside a function or let imported from a library. A local function's error is
/// placed at `at` as before (its reason names the function).
fn origin(e: &EvalError, at: &Span) -> Option<Location> {
    e.origin()
        .filter(|o| o.source.name != at.source.name)
        .map(|o| Location::new(o.clone()))
}

/// The kind of an evaluation error, for the hint its diagnostic gets.
fn cause_of(e: &EvalError) -> Cause {
    match e.root() {
        EvalError::Missing { .. } => Cause::Missing,
        EvalError::NullParent { .. } => Cause::NullParent,
        EvalError::Currency { op, .. } if op == "compare" => Cause::Currency,
        EvalError::Currency { .. } => Cause::CurrencyArithmetic,
        EvalError::NoNow => Cause::NoNow,
        EvalError::Type { expected, .. } if expected == "true or false" => Cause::NotBoolean,
        EvalError::Index { .. } => Cause::NoElement,
        EvalError::Depth(_) => Cause::TooDeep,
        EvalError::TimeFormat { .. } => Cause::TimeFormat,
        _ => Cause::Other,
    }
}

/// One rule file parsed, its syntax error as a diagnostic.
fn parse(name: String, text: String, limits: &Limits) -> Result<Policy, Diagnostic> {
    parse_policy_with(&Source::new(name, text), limits).map_err(Diagnostic::from)
}

/// The rule files of a folder as `(name, text)`, sorted, named as locations cite them
/// (`rules/a.bylaw`): what [`Engine::from_dir`] loads (see [`crate::run::load`] for which).
pub fn rule_sources(dir: &Path) -> Result<Vec<(String, String)>, LoadError> {
    read_dir(dir, &Limits::default())
}

impl Compiled {
    /// What the evaluator needs of this policy.
    fn program(&self) -> Program<'_> {
        Program {
            code: &self.code,
            item_paths: self.item_paths.as_ref(),
        }
    }
}

fn compile(ast: Policy) -> Compiled {
    let code = crate::compile::compile(&ast, crate::eval::ops::arithmetic);
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
            source: Location::new(r.span.clone()),
        })
        .collect();
    let schema = crate::schema::of_policy(&ast, &mut Vec::new());
    Compiled {
        item_paths: ast
            .for_each
            .as_ref()
            .map(|_| ItemPaths::new(code.reads.len())),
        ast,
        code,
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
    free_names(e, &mut free);
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

mod rules;
mod set;

pub(crate) use rules::render_message;
use rules::{eval_rule, record};
