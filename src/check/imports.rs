//! Libraries and `use`: definitions shared by policies, imported by name.
//!
//! A library (`library NAME`) holds `fn`, `let` and `type` items and may itself `use`
//! other libraries. Loading checks each library once, on its own ([`check_library`]),
//! then gives each policy a copy of the definitions it imports and of those they need,
//! transitively ([`Libraries::resolve`]): the checker, the type checker and evaluation
//! then see them as if they were written in the policy, in its facts' context. Their
//! spans stay in the library's file, so errors and evidence name the file where they
//! are defined. Named types are expanded where they are used (`facts { … }`, functions'
//! parameters and results), so the schema and its JSON Schema export hold them.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::report::diagnostic::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::types::{FieldType, TypeExpr, TypeExprKind};

/// A library's definition, by kind.
#[derive(Clone, Copy)]
enum Def<'a> {
    Fn(&'a Function),
    Let(&'a Let),
    Type(&'a TypeDecl),
}

impl<'a> Def<'a> {
    fn name(self) -> &'a Ident {
        match self {
            Def::Fn(f) => &f.name,
            Def::Let(l) => &l.name,
            Def::Type(t) => &t.name,
        }
    }

    /// The names it uses: names read, functions called, types named. A name that is
    /// none of its library's is a fact, a binder or a built-in, and is left alone.
    fn refs(self) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Def::Fn(f) => {
                expr_refs(&f.body, &mut out);
                for p in &f.params {
                    type_refs(&p.ty, &mut out);
                }
                type_refs(&f.result, &mut out);
            }
            Def::Let(l) => expr_refs(&l.value, &mut out),
            Def::Type(t) => type_refs(&t.ty, &mut out),
        }
        out
    }
}

fn expr_refs(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Name(n) => out.push(n.clone()),
        ExprKind::Call(f, _) => out.push(f.name.clone()),
        _ => {}
    }
    e.for_each_child(|c| expr_refs(c, out));
}

fn type_refs(t: &TypeExpr, out: &mut Vec<String>) {
    match &t.kind {
        TypeExprKind::Named(n) | TypeExprKind::Refined(n, _) => out.push(n.name.clone()),
        TypeExprKind::Enum(_) => {}
        TypeExprKind::Union(alts) => alts.iter().for_each(|a| type_refs(a, out)),
        TypeExprKind::List(e) => type_refs(e, out),
        TypeExprKind::Record(fields) => fields.iter().for_each(|f| type_refs(&f.ty, out)),
    }
}

/// The definition `name` of a file (library or policy), if it has one.
fn local<'a>(file: &'a Policy, name: &str) -> Option<Def<'a>> {
    file.functions
        .iter()
        .find(|f| f.name.name == name)
        .map(Def::Fn)
        .or_else(|| file.lets.iter().find(|l| l.name.name == name).map(Def::Let))
        .or_else(|| {
            file.types
                .iter()
                .find(|t| t.name.name == name)
                .map(Def::Type)
        })
}

/// The names a file defines, with where.
fn locals(file: &Policy) -> impl Iterator<Item = &Ident> {
    file.functions
        .iter()
        .map(|f| &f.name)
        .chain(file.lets.iter().map(|l| &l.name))
        .chain(file.types.iter().map(|t| &t.name))
}

/// The libraries of a rule set, by name.
pub(crate) struct Libraries<'a> {
    by_name: BTreeMap<&'a str, &'a Policy>,
    /// The policies' names, to say so when one is imported.
    policies: HashSet<String>,
}

impl<'a> Libraries<'a> {
    /// The libraries `libs` of a rule set whose policies are named `policies`; a
    /// library's name given twice is reported, the first kept.
    pub(crate) fn new(
        libs: impl IntoIterator<Item = &'a Policy>,
        policies: HashSet<String>,
    ) -> (Self, Vec<Diagnostic>) {
        let mut by_name: BTreeMap<&str, &Policy> = BTreeMap::new();
        let mut out = Vec::new();
        for f in libs {
            if let Some(first) = by_name.get(f.id.name.as_str()) {
                out.push(
                    Diagnostic::at(
                        &f.id.span,
                        format!("the library `{}` is defined twice", f.id.name),
                    )
                    .hint(format!(
                        "it is also defined at {}",
                        first.id.span.location_col()
                    )),
                );
            } else {
                by_name.insert(&f.id.name, f);
            }
        }
        (Libraries { by_name, policies }, out)
    }

    /// The library a `use` names, or why not.
    fn library(&self, u: &Use) -> Result<&'a Policy, Diagnostic> {
        if let Some(lib) = self.by_name.get(u.library.name.as_str()) {
            return Ok(lib);
        }
        let name = &u.library.name;
        let d = Diagnostic::at(&u.library.span, format!("unknown library `{name}`"));
        Err(if self.policies.contains(name.as_str()) {
            d.hint(format!(
                "`{name}` is a policy; only a library (`library NAME`) can be imported from"
            ))
        } else if self.by_name.is_empty() {
            d.hint("no library is loaded: load the folder that holds it too (`--rules rules/`), not one file")
        } else {
            let d = d.suggest(name, self.by_name.keys().copied());
            if d.hint.is_some() {
                d
            } else {
                d.hint(format!(
                    "the libraries are {}",
                    self.by_name
                        .keys()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        })
    }

    /// `file` (a policy, or a library checked on its own) with the definitions it
    /// imports, and those they need, copied in before its own; named types expanded.
    /// The diagnostics: unknown library or name, clashes, types that name themselves.
    pub(crate) fn resolve(&self, file: &Policy) -> (Policy, Vec<Diagnostic>) {
        let mut out = Vec::new();
        let mut pulled = Pulled::new(file);
        let mut asked: HashMap<(&str, &str), &Ident> = HashMap::new();
        for u in &file.uses {
            let lib = match self.library(u) {
                Ok(lib) => lib,
                Err(d) => {
                    out.push(d);
                    continue;
                }
            };
            for n in &u.names {
                if let Some(first) = asked.insert((&lib.id.name, &n.name), n) {
                    out.push(
                        Diagnostic::at(&n.span, format!("`{}` is imported twice", n.name)).hint(
                            format!("it is also imported at {}", first.span.location_col()),
                        ),
                    );
                    continue;
                }
                match local(lib, &n.name) {
                    Some(def) => pulled.pull(self, lib, def, n, &mut out),
                    None => out.push(unknown_name(lib, n)),
                }
            }
        }
        let mut p = file.clone();
        let (mut fns, mut lets, mut types) = (Vec::new(), Vec::new(), Vec::new());
        for (_, def) in &pulled.defs {
            match def {
                Def::Fn(f) => fns.push((*f).clone()),
                Def::Let(l) => lets.push((*l).clone()),
                Def::Type(t) => types.push((*t).clone()),
            }
        }
        fns.append(&mut p.functions);
        lets.append(&mut p.lets);
        p.functions = fns;
        p.lets = lets;
        types.extend(p.types.iter().cloned());
        expand_types(&mut p, &types, &mut out);
        (p, out)
    }
}

fn unknown_name(lib: &Policy, n: &Ident) -> Diagnostic {
    let d = Diagnostic::at(
        &n.span,
        format!("the library `{}` defines no `{}`", lib.id.name, n.name),
    );
    if let Some(u) = lib
        .uses
        .iter()
        .find(|u| u.names.iter().any(|m| m.name == n.name))
    {
        return d.hint(format!(
            "`{}` imports it from `{}`: import it from there (`use {}.{{{}}}`)",
            lib.id.name, u.library.name, u.library.name, n.name
        ));
    }
    let names: Vec<&str> = locals(lib).map(|i| i.name.as_str()).collect();
    let d = d.suggest(&n.name, names.iter().copied());
    if d.hint.is_some() || names.is_empty() {
        return d;
    }
    d.hint(format!(
        "it defines {}",
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The definitions brought into one file, in the order first needed.
struct Pulled<'a> {
    /// The file's own names (definitions and facts), with where.
    own: HashMap<&'a str, (&'a Ident, &'static str)>,
    /// Names brought in so far: from which library, and which `use` name asked.
    taken: HashMap<&'a str, (&'a str, &'a Ident)>,
    defs: Vec<(&'a str, Def<'a>)>,
    /// The file itself: a library in a cycle of imports needs its own definitions
    /// back, and has them.
    file: &'a Policy,
}

impl<'a> Pulled<'a> {
    fn new(file: &'a Policy) -> Pulled<'a> {
        let mut own = HashMap::new();
        for f in &file.facts {
            own.entry(f.name.as_str()).or_insert((f, "a fact of"));
        }
        for i in locals(file) {
            own.entry(i.name.as_str()).or_insert((i, "defined in"));
        }
        Pulled {
            own,
            taken: HashMap::new(),
            defs: Vec::new(),
            file,
        }
    }

    /// Brings in `def` of `lib`, asked for by the imported name `asked`, and what it
    /// needs. Library cycles are reported by [`check_library`]; here each definition is
    /// taken once, so a cycle cannot loop.
    fn pull(
        &mut self,
        libs: &Libraries<'a>,
        lib: &'a Policy,
        def: Def<'a>,
        asked: &'a Ident,
        out: &mut Vec<Diagnostic>,
    ) {
        let mut work = vec![(lib, def)];
        while let Some((lib, def)) = work.pop() {
            if std::ptr::eq(lib, self.file) {
                continue;
            }
            let name = def.name();
            let lib_name = lib.id.name.as_str();
            if let Some((from, first)) = self.taken.get(name.name.as_str()) {
                // Taken already from this library (asked twice, or needed by two): once.
                if *from != lib_name {
                    out.push(clash_imports(asked, name, lib_name, from, first));
                }
                continue;
            }
            if let Some((mine, what)) = self.own.get(name.name.as_str()) {
                let whose = if asked.name == name.name {
                    format!("`{}` is imported from `{lib_name}`", name.name)
                } else {
                    format!(
                        "`{}`, which the imported `{}` needs, comes from `{lib_name}`",
                        name.name, asked.name
                    )
                };
                out.push(
                    Diagnostic::at(&asked.span, format!("{whose} but is also {what} this file"))
                        .hint(format!(
                            "`{}` is at {}; rename one of them",
                            name.name,
                            mine.span.location_col()
                        )),
                );
                continue;
            }
            self.taken.insert(&name.name, (lib_name, asked));
            self.defs.push((lib_name, def));
            for r in def.refs() {
                if let Some(d) = local(lib, &r) {
                    if !std::ptr::eq(d.name(), name) {
                        work.push((lib, d));
                    }
                    continue;
                }
                // A name the library imports: from the library it names.
                let from = lib
                    .uses
                    .iter()
                    .find(|u| u.names.iter().any(|m| m.name == r))
                    .and_then(|u| libs.by_name.get(u.library.name.as_str()));
                if let Some(d) = from.and_then(|m| local(m, &r).map(|d| (*m, d))) {
                    work.push(d);
                }
            }
        }
    }
}

fn clash_imports(asked: &Ident, name: &Ident, lib: &str, from: &str, first: &Ident) -> Diagnostic {
    let what = if asked.name == name.name {
        format!("`{}` is imported from `{lib}`", name.name)
    } else {
        format!(
            "`{}`, which the imported `{}` needs from `{lib}`,",
            name.name, asked.name
        )
    };
    Diagnostic::at(&asked.span, format!("{what} and also from `{from}`")).hint(format!(
        "`{from}` brings it in at {}; import it from one library only, or rename one",
        first.span.location_col()
    ))
}

/// Replaces the names of declared types by what they stand for, in the facts'
/// schema and in functions' parameters and results.
fn expand_types(p: &mut Policy, types: &[TypeDecl], out: &mut Vec<Diagnostic>) {
    if types.is_empty() {
        return;
    }
    let mut by_name: HashMap<&str, &TypeExpr> = HashMap::new();
    for t in types {
        if crate::schema::TYPE_NAMES.contains(&t.name.name.as_str()) {
            out.push(Diagnostic::at(
                &t.name.span,
                format!(
                    "`{}` is a built-in type and cannot be declared",
                    t.name.name
                ),
            ));
        } else if by_name.insert(&t.name.name, &t.ty).is_some() {
            out.push(Diagnostic::at(
                &t.name.span,
                format!("the type `{}` is defined twice", t.name.name),
            ));
        }
    }
    let mut stack = Vec::new();
    // Each declaration on its own, so that one naming itself is reported once.
    for t in types {
        let mut ty = t.ty.clone();
        stack.push(t.name.name.clone());
        expand(&mut ty, &by_name, &mut stack, &mut Some(out));
        stack.pop();
    }
    let mut quiet = None;
    if let Some(fields) = &mut p.schema {
        expand_fields(fields, &by_name, &mut stack, &mut quiet);
    }
    for f in &mut p.functions {
        for param in &mut f.params {
            expand(&mut param.ty, &by_name, &mut stack, &mut quiet);
        }
        expand(&mut f.result, &by_name, &mut stack, &mut quiet);
    }
}

fn expand_fields(
    fields: &mut [FieldType],
    types: &HashMap<&str, &TypeExpr>,
    stack: &mut Vec<String>,
    out: &mut Option<&mut Vec<Diagnostic>>,
) {
    for f in fields {
        expand(&mut f.ty, types, stack, out);
    }
}

/// `t` with declared types replaced; a type that names itself is reported (when `out`
/// is given) and left as a name, which the schema then reads as unknown.
fn expand(
    t: &mut TypeExpr,
    types: &HashMap<&str, &TypeExpr>,
    stack: &mut Vec<String>,
    out: &mut Option<&mut Vec<Diagnostic>>,
) {
    match &mut t.kind {
        TypeExprKind::Named(n) => {
            let Some(def) = types.get(n.name.as_str()) else {
                return;
            };
            if stack.contains(&n.name) {
                if let Some(out) = out {
                    out.push(
                        Diagnostic::at(&n.span, format!("the type `{}` refers to itself", n.name))
                            .hint("a fact's type must be finite: declare each level with a type of its own"),
                    );
                }
                // Left as a name, with nothing to expand into.
                t.kind = TypeExprKind::Record(Vec::new());
                return;
            }
            let mut def = (*def).clone();
            stack.push(n.name.clone());
            expand(&mut def, types, stack, out);
            stack.pop();
            t.kind = def.kind;
            t.optional |= def.optional;
            t.fixed |= def.fixed;
        }
        // A refined built-in type (`integer 1..28`) names no shared type.
        TypeExprKind::Enum(_) | TypeExprKind::Refined(..) => {}
        TypeExprKind::Union(alts) => alts.iter_mut().for_each(|a| expand(a, types, stack, out)),
        TypeExprKind::List(e) => expand(e, types, stack, out),
        TypeExprKind::Record(fields) => expand_fields(fields, types, stack, out),
    }
}

/// What is wrong with a library, checked on its own: what only a policy may hold,
/// its imports, and its definitions (with the names its `let`s read as untyped facts:
/// their types are checked in each importing policy).
pub(crate) fn check_library(
    lib: &Policy,
    libs: &Libraries<'_>,
    limits: &crate::limits::Limits,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let only_policy = |span: &crate::syntax::Span, what: &str| {
        Diagnostic::at(span, format!("a library holds no {what}"))
            .hint("a library holds `use`, `fn`, `let` and `type`; move this into a policy")
    };
    if let Some(span) = &lib.facts_span {
        out.push(only_policy(
            span,
            "`facts`: its definitions read the facts of the policy that imports them",
        ));
    }
    if let Some(a) = &lib.applies {
        out.push(only_policy(
            &a.span,
            "`applies when`: it never applies by itself",
        ));
    }
    if let Some(f) = &lib.for_each {
        out.push(only_policy(&f.span, "`for each`"));
    }
    for r in &lib.rules {
        out.push(only_policy(
            &r.name.span,
            "rules: it decides nothing by itself",
        ));
    }
    out.extend(cycles(lib, libs));
    let (mut p, found) = libs.resolve(lib);
    out.extend(found);
    let mut reads = Vec::new();
    for l in &p.lets {
        crate::check::free_names(&l.value, &mut reads);
    }
    let defined: HashSet<&str> = locals(&p).map(|i| i.name.as_str()).collect();
    let facts: Vec<Ident> = reads
        .into_iter()
        .filter(|n| !defined.contains(n.as_str()) && n != "now")
        .map(|name| Ident {
            name,
            span: lib.id.span.clone(),
        })
        .collect();
    p.facts = facts;
    p.facts_span = None;
    p.applies = None;
    p.for_each = None;
    p.rules.clear();
    out.extend(crate::check::check_one(&p, limits));
    out
}

/// The `use` of `lib` that closes a cycle of imports back to it, if any.
fn cycles(lib: &Policy, libs: &Libraries<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for u in &lib.uses {
        // Depth first from what `u` names, looking for `lib`; each library once.
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(u.library.name.as_str(), Vec::new())];
        while let Some((name, path)) = stack.pop() {
            if name == lib.id.name {
                // Reported once, at the library first by name in the cycle.
                if path.iter().any(|n| *n < lib.id.name.as_str()) {
                    break;
                }
                let mut chain = vec![format!("`{}`", lib.id.name)];
                chain.extend(path.iter().map(|n| format!("`{n}`")));
                chain.push(format!("`{}`", lib.id.name));
                out.push(
                    Diagnostic::at(&u.library.span, "import cycle between libraries")
                        .hint(format!(
                            "{} import one another; move what they share into a library that imports neither",
                            chain.join(" → ")
                        )),
                );
                break;
            }
            if !seen.insert(name) {
                continue;
            }
            let Some(next) = libs.by_name.get(name) else {
                continue;
            };
            for v in next.uses.iter().rev() {
                let mut p = path.clone();
                p.push(name);
                stack.push((&v.library.name, p));
            }
        }
    }
    out
}
