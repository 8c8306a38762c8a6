//! Name resolution and constant folding: compiling a policy. Every name gets the
//! [`Slot`] the scoping rules give it, so evaluation never searches for a name on the
//! hot path; arithmetic on literals (`2 * 24h`) is done once, here. Top-level facts
//! and field paths from a fact or the element are numbered, so a scope can keep what
//! it found there. (The one-line text evidence quotes is made when first quoted:
//! `Expr::text`.)
//!
//! The rules are those of the interpreter's by-name lookup, applied lexically: the
//! innermost quantifier or comprehension variable, then the `for each` element, then a
//! `let`, then `now`, then a fact. A `let`'s definition sees no binders (it is computed
//! once, wherever it is used).

use super::interp::{LetIndex, Read};
use super::ops::{add, div, mul, sub};
use crate::syntax::ast::{
    BinaryOp, Clause, Expr, ExprKind, Policy, Slot, StatusKind, TemplatePart,
};
use crate::value::{Money, Value};

/// Resolves every name of `policy`; returns the reads (top-level facts and field paths) numbered, by number.
pub fn resolve_policy(policy: &mut Policy, lets: &LetIndex) -> Vec<Read> {
    let item = policy.for_each.as_ref().map(|fe| fe.var.name.clone());
    let functions: Vec<String> = policy
        .functions
        .iter()
        .map(|f| f.name.name.clone())
        .collect();
    let mut r = Resolver {
        item: None,
        lets,
        functions: &functions,
        reads: Vec::new(),
    };
    let mut binders = Vec::new();
    // A function's body sees its parameters (binders, the last innermost) and
    // functions; nothing of a decision's scope.
    for f in &mut policy.functions {
        let mut params: Vec<String> = f.params.iter().map(|p| p.name.name.clone()).collect();
        r.expr(&mut f.body, &mut params);
    }
    r.item = item.as_deref();
    if let Some(e) = &mut policy.applies {
        r.expr(e, &mut binders);
    }
    if let Some(fe) = &mut policy.for_each {
        r.expr(&mut fe.list, &mut binders);
        if let Some(id) = &mut fe.id {
            r.expr(id, &mut binders);
        }
    }
    for l in &mut policy.lets {
        r.expr(&mut l.value, &mut binders);
    }
    for rule in &mut policy.rules {
        for clause in &mut rule.clauses {
            match clause {
                Clause::When(e) | Clause::Value(e) => r.expr(e, &mut binders),
                Clause::Message(t) | Clause::Remedy(t) => {
                    for part in &mut t.parts {
                        if let TemplatePart::Hole(e) = part {
                            r.expr(e, &mut binders);
                        }
                    }
                }
                Clause::Status(s) => {
                    r.expr(&mut s.when, &mut binders);
                    if let StatusKind::Approved { at, .. } = &mut s.status {
                        r.expr(at, &mut binders);
                    }
                }
                Clause::Cites(_) => {}
            }
        }
    }
    r.reads.into_iter().map(|(_, read)| read).collect()
}

struct Resolver<'p> {
    item: Option<&'p str>,
    lets: &'p LetIndex,
    /// The policy's functions' names, by index.
    functions: &'p [String],
    /// The top-level facts and field paths read (`account`, `resource.order.amount`),
    /// in the order first met: `Slot::Fact` and `Slot::Path` numbers.
    reads: Vec<(String, Read)>,
}

impl Resolver<'_> {
    fn expr(&mut self, e: &mut Expr, binders: &mut Vec<String>) {
        match &mut e.kind {
            ExprKind::Name(n) => e.slot = self.name(n, binders),
            ExprKind::Quantifier(_, var, list, body) => {
                self.expr(list, binders);
                binders.push(var.name.clone());
                self.expr(body, binders);
                binders.pop();
            }
            ExprKind::Comprehension(_, body, var, list, filter) => {
                self.expr(list, binders);
                binders.push(var.name.clone());
                self.expr(body, binders);
                if let Some(f) = filter {
                    self.expr(f, binders);
                }
                binders.pop();
            }
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Money(..)
            | ExprKind::Time(_)
            | ExprKind::Duration(_) => {}
            ExprKind::Call(f, items) => {
                if let Some(i) = self.functions.iter().position(|n| *n == f.name) {
                    e.slot = u32::try_from(i).map_or(Slot::Unresolved, Slot::Function);
                }
                items.iter_mut().for_each(|i| self.expr(i, binders));
            }
            ExprKind::List(items) => {
                items.iter_mut().for_each(|i| self.expr(i, binders));
            }
            ExprKind::Record(fields) => {
                fields.iter_mut().for_each(|(_, v)| self.expr(v, binders));
            }
            ExprKind::Match(m) => {
                if let Some(s) = &mut m.subject {
                    self.expr(s, binders);
                }
                for arm in &mut m.arms {
                    arm.patterns.iter_mut().for_each(|p| self.expr(p, binders));
                    self.expr(&mut arm.value, binders);
                }
                if let Some(o) = &mut m.otherwise {
                    self.expr(o, binders);
                }
            }
            ExprKind::Field(inner, _) => {
                self.expr(inner, binders);
                e.slot = self.path(e);
            }
            ExprKind::Unary(_, inner) => self.expr(inner, binders),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.expr(a, binders);
                self.expr(b, binders);
            }
            ExprKind::If(c, a, b) => {
                self.expr(c, binders);
                self.expr(a, binders);
                self.expr(b, binders);
            }
        }
        fold(e);
    }

    /// The slot of a field path whose root is a top-level fact or the element (not a
    /// binder or a `let`, which change from use to use); `Unresolved` for other fields.
    fn path(&mut self, e: &Expr) -> Slot {
        let mut key = String::new();
        let mut nodes = 1u32;
        let mut at = e;
        while let ExprKind::Field(base, field) = &at.kind {
            key.insert_str(0, &field.name);
            key.insert(0, '.');
            nodes += 1;
            at = base;
        }
        let read = match (&at.kind, at.slot) {
            (ExprKind::Name(n), Slot::Fact(_)) => {
                key.insert_str(0, n);
                Read::Fact(key.as_str().into())
            }
            (ExprKind::Name(n), Slot::Item) => {
                let rest = key.as_str().into();
                key.insert_str(0, n);
                Read::Item(rest)
            }
            _ => return Slot::Unresolved,
        };
        match u32::try_from(self.number(key, read)) {
            Ok(index) => Slot::Path { index, nodes },
            Err(_) => Slot::Unresolved,
        }
    }

    fn name(&mut self, n: &str, binders: &[String]) -> Slot {
        if let Some(d) = binders.iter().rev().position(|b| b == n) {
            return u32::try_from(d).map_or(Slot::Unresolved, Slot::Binder);
        }
        if self.item == Some(n) {
            return Slot::Item;
        }
        if let Some(&i) = self.lets.get(n) {
            return u32::try_from(i).map_or(Slot::Unresolved, Slot::Let);
        }
        if n == "now" {
            return Slot::Now;
        }
        let read = Read::Fact(n.into());
        u32::try_from(self.number(n.to_string(), read)).map_or(Slot::Unresolved, Slot::Fact)
    }

    /// The number of a read (a fact's name, or a path's `a.b.c`).
    fn number(&mut self, key: String, read: Read) -> usize {
        match self.reads.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.reads.push((key, read));
                self.reads.len() - 1
            }
        }
    }
}

/// Replaces arithmetic on two literals by its result. An operation that fails (two
/// currencies, an overflow) is left as written, to fail where it is evaluated, with the
/// same message as before.
fn fold(e: &mut Expr) {
    let ExprKind::Binary(op, l, r) = &e.kind else {
        return;
    };
    let (Some(a), Some(b)) = (literal(l), literal(r)) else {
        return;
    };
    let result = match op {
        BinaryOp::Add => add(&a, &b),
        BinaryOp::Sub => sub(&a, &b),
        BinaryOp::Mul => mul(&a, &b),
        BinaryOp::Div => div(&a, &b),
        _ => return,
    };
    let kind = match result {
        Ok(Value::Number(n)) => ExprKind::Number(n),
        Ok(Value::Money(m)) => ExprKind::Money(m.amount, m.currency),
        Ok(Value::Duration(d)) => ExprKind::Duration(d),
        Ok(Value::Time(t)) => ExprKind::Time(t),
        Ok(Value::String(s)) => ExprKind::String(std::sync::Arc::from(s.as_str())),
        _ => return,
    };
    e.kind = kind;
}

/// A literal's value.
fn literal(e: &Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Number(n) => Value::Number(*n),
        ExprKind::Money(amount, currency) => Value::Money(Money {
            amount: *amount,
            currency: *currency,
        }),
        ExprKind::Duration(d) => Value::Duration(*d),
        ExprKind::Time(t) => Value::Time(*t),
        ExprKind::String(s) => Value::string(s),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parser::parse_policy;
    use crate::syntax::Source;

    fn folded(text: &str) -> ExprKind {
        let source = Source::new("t.bylaw", format!("policy t\nlet x = {text}\n"));
        let mut e = parse_policy(&source).unwrap().lets.remove(0).value;
        Resolver {
            item: None,
            lets: &LetIndex::default(),
            functions: &[],
            reads: Vec::new(),
        }
        .expr(&mut e, &mut Vec::new());
        e.kind
    }

    /// The slots of `let x = TEXT` in a policy over `resource in resources`.
    fn slots(text: &str) -> Vec<Slot> {
        let source = Source::new(
            "t.bylaw",
            format!("policy t\nfor each resource in resources\nlet x = {text}\n"),
        );
        let mut policy = parse_policy(&source).unwrap();
        resolve_policy(&mut policy, &LetIndex::default());
        let mut out = Vec::new();
        fn walk(e: &Expr, out: &mut Vec<Slot>) {
            if matches!(e.kind, ExprKind::Field(..)) {
                out.push(e.slot);
            }
            e.for_each_child(|c| walk(c, out));
        }
        walk(&policy.lets[0].value, &mut out);
        out
    }

    #[test]
    fn a_path_has_one_number_wherever_it_is_read() {
        let s = slots("resource.order.amount > 0 and resource.order.amount < account.limit");
        let (Slot::Path { index: a, nodes: 3 }, Slot::Path { index: b, nodes: 3 }) = (s[0], s[2])
        else {
            panic!("{s:?}")
        };
        assert_eq!(a, b);
        // `resource.order` is a path of its own, and `account.limit` another.
        assert!(matches!(s[1], Slot::Path { nodes: 2, index } if index != a));
        assert!(matches!(s[4], Slot::Path { nodes: 2, index } if index != a));
    }

    #[test]
    fn a_path_from_a_binder_has_no_number() {
        // `t` is a different element at each step: nothing found for it can be kept.
        let s = slots("any(t in resource.transactions where t.status == \"x\")");
        assert!(matches!(s[0], Slot::Path { .. }), "{s:?}");
        assert_eq!(s[1], Slot::Unresolved);
    }

    #[test]
    fn a_read_has_the_path_describing_it_gives() {
        use crate::eval::interp::{Program, Scope};
        use std::borrow::Cow;
        let source = Source::new(
            "t.bylaw",
            "policy t\nfor each resource in resources\nlet x = resource.order.amount > 0 \
             and account.limit.value > resource.order.amount and account != null \
             and resource != null and any(t in resource.items where t.id == 1)\n",
        );
        let mut policy = parse_policy(&source).unwrap();
        let lets: LetIndex = [("x".to_string(), 0)].into_iter().collect();
        let reads = resolve_policy(&mut policy, &lets);
        // `resource.order.amount`, `resource.order`, `account.limit.value`,
        // `account.limit`, `account`, `resource.items`, `resources`.
        assert_eq!(reads.len(), 7, "{reads:?}");
        let facts = crate::input::load_str(
            r#"{"resources": [{"order": {"amount": 1}, "items": []}], "account": {}}"#,
            crate::input::Format::Json,
            "t.json",
        )
        .unwrap();
        let prog = Program {
            policy: &policy,
            let_index: &lets,
            reads: &reads,
            let_names: &[],
            item_paths: None,
        };
        let mut paths = Vec::new();
        fn walk<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
            if e.path_root().is_some() {
                out.push(e);
            }
            e.for_each_child(|c| walk(c, out));
        }
        walk(&policy.lets[0].value, &mut paths);
        let outside = Scope::new(prog, &facts, None, None, 1000);
        let mut inside = Scope::new(prog, &facts, None, None, 1000);
        let Some(Value::List(resources)) = facts.get("resources") else {
            panic!("no resources")
        };
        inside.next_item((0, Cow::Borrowed(&resources[0])), "resources[0]", 1000);
        for mut scope in [outside, inside] {
            for e in &paths {
                let described = scope.describe(e);
                // Twice: the second comes from what the first built.
                assert_eq!(*scope.fact_path(e), described);
                assert_eq!(*scope.fact_path(e), described);
            }
        }
    }

    #[test]
    fn a_path_read_in_one_go_or_again_takes_the_steps_and_gives_the_answer_of_the_walk() {
        use crate::eval::interp::{Program, Scope};
        // Kept reads make a scope read a path in one go, or take it from what it found;
        // with no reads numbered it walks every path node by node. Both must give the
        // same values, errors, and steps, at every depth limit.
        // Each with whether it holds (`None`: it fails).
        let conditions = [
            ("a.b.c == a.b.c and a.b.c > 0", Some(true)),
            ("a.b == a.b and a.b.c == 1", Some(true)),
            (
                "a.m.amount == 2 and a.m.currency == \"USD\" and a.m == 2 USD",
                Some(true),
            ),
            ("a.b.missing == 1", None),
            ("a.n.x == 1", None),
            ("a.b.c.d == 1", None),
            ("a.m.cents == 1", None),
            ("present(a.b.missing) or a.b.c == 1", Some(true)),
            (
                "r.o.amount == 2 USD and r.o.id == \"x\" and r.o.id != r.p",
                Some(true),
            ),
            ("r.missing.id == 1", None),
        ];
        let facts = crate::input::load_str(
            r#"{"a": {"b": {"c": 1}, "m": {"amount": "2", "currency": "USD"}, "n": null},
                "rs": [{"o": {"id": "x", "amount": {"amount": "2", "currency": "USD"}}, "p": "y"}]}"#,
            crate::input::Format::Json,
            "t.json",
        )
        .unwrap();
        let Some(Value::List(rs)) = facts.get("rs") else {
            panic!("no rs")
        };
        for (text, holds) in conditions {
            let source = Source::new(
                "t.bylaw",
                format!("policy t\nfor each r in rs\nlet x = {text}\n"),
            );
            let mut policy = parse_policy(&source).unwrap();
            let lets: LetIndex = [("x".to_string(), 0)].into_iter().collect();
            let reads = resolve_policy(&mut policy, &lets);
            assert!(!reads.is_empty());
            let run = |reads: &[_], depth: usize| {
                let prog = Program {
                    policy: &policy,
                    let_index: &lets,
                    reads,
                    let_names: &[],
                    item_paths: None,
                };
                let mut scope = Scope::new(prog, &facts, None, None, 1000).with_max_depth(depth);
                scope.next_item((0, std::borrow::Cow::Borrowed(&rs[0])), "rs[0]", 1000);
                let v = scope.eval(&policy.lets[0].value).map_err(|e| e.to_string());
                (v, scope.steps_taken())
            };
            for depth in [3, 4, 5, 100] {
                assert_eq!(
                    run(&reads, depth),
                    run(&[], depth),
                    "{text} at depth {depth}"
                );
            }
            let (value, steps) = run(&reads, 100);
            assert_eq!(value.ok(), holds.map(Value::Bool), "{text}");
            assert!(steps > 0, "{text}");
        }
    }

    #[test]
    fn a_condition_takes_the_steps_and_gives_the_answer_its_value_does() {
        use crate::eval::interp::{Program, Scope};
        // `condition` decides booleans without building values: it must count the
        // same steps and fail the same way as evaluating the expression as a value.
        let conditions = [
            "a.b.c == 1 and not (a.b.c > 2)",
            "any(x in a.l where x > 1) or all(x in a.l where x < 0)",
            "a.b.c in [1, 2] and a.missing == 1",
            "a.missing == 1 or a.b.c != 1",
            "not a.b.c",
            "count(x in a.l where x > 1) == 2 and a.b.c + 1 >= 2",
            // A `let` read again once computed.
            "y and not y or y",
            "z or z",
        ];
        let facts = crate::input::load_str(
            r#"{"a": {"b": {"c": 1}, "l": [1, 2, 3]}}"#,
            crate::input::Format::Json,
            "t.json",
        )
        .unwrap();
        for text in conditions {
            let source = Source::new(
                "t.bylaw",
                format!("policy t\nfacts a\nlet y = a.b.c == 1\nlet z = a.b\nlet x = {text}\n"),
            );
            let mut policy = parse_policy(&source).unwrap();
            let lets: LetIndex = [
                ("y".to_string(), 0),
                ("z".to_string(), 1),
                ("x".to_string(), 2),
            ]
            .into_iter()
            .collect();
            let reads = resolve_policy(&mut policy, &lets);
            let prog = Program {
                policy: &policy,
                let_index: &lets,
                reads: &reads,
                let_names: &[],
                item_paths: None,
            };
            let e = &policy.lets[2].value;
            let mut as_condition = Scope::new(prog, &facts, None, None, 1000);
            let decided = as_condition.condition(e);
            let mut as_value = Scope::new(prog, &facts, None, None, 1000);
            let valued = as_value.eval(e);
            let valued = match valued {
                Ok(Value::Bool(b)) => Ok(b),
                Ok(other) => panic!("{text}: {other:?}"),
                Err(e) => Err(e),
            };
            match (&decided, &valued) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                // `not a.b.c`: a condition names what is not a boolean; a value fails too.
                _ => panic!("{text}: {decided:?} against {valued:?}"),
            }
            assert_eq!(as_condition.steps_taken(), as_value.steps_taken(), "{text}");
        }
    }

    #[test]
    fn arithmetic_on_literals_is_done_once() {
        assert_eq!(folded("2 * 24h"), folded("48h"));
        assert_eq!(folded("1000 USD + 0.50 USD"), folded("1000.50 USD"));
        assert_eq!(folded("(1 + 2) * 3"), folded("9"));
    }

    #[test]
    fn what_cannot_be_folded_is_left_to_fail_when_evaluated() {
        assert!(matches!(folded("1 USD + 1 EUR"), ExprKind::Binary(..)));
        assert!(matches!(folded("1 / 0"), ExprKind::Binary(..)));
        assert!(matches!(folded("x + 1"), ExprKind::Binary(..)));
    }
}
