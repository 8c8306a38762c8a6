//! Compiling: slots, numbered reads, folded constants, and that a compiled program
//! evaluates as the walk node by node does.

use crate::compile::{compile, Node, NodeKind, Slot};
use crate::eval::interp::{Program as Run, Scope};
use crate::syntax::parser::parse_policy;
use crate::syntax::Source;
use crate::value::Value;

fn compiled(text: &str) -> crate::compile::Program {
    let source = Source::new("t.bylaw", text.to_string());
    compile(
        &parse_policy(&source).unwrap(),
        crate::eval::ops::arithmetic,
    )
}

fn folded(text: &str) -> NodeKind {
    compiled(&format!("policy t\nlet x = {text}\n"))
        .lets
        .remove(0)
        .value
        .kind
}

/// The slots of `let x = TEXT` in a policy over `resource in resources`.
fn slots(text: &str) -> Vec<Slot> {
    let code = compiled(&format!(
        "policy t\nfor each resource in resources\nlet x = {text}\n"
    ));
    let mut out = Vec::new();
    fn walk(e: &Node, out: &mut Vec<Slot>) {
        if matches!(e.kind, NodeKind::Field(..)) {
            out.push(e.slot);
        }
        e.for_each_child(|c| walk(c, out));
    }
    walk(&code.lets[0].value, &mut out);
    out
}

fn run(code: &crate::compile::Program) -> Run<'_> {
    Run {
        code,
        item_paths: None,
    }
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
    use std::borrow::Cow;
    let code = compiled(
        "policy t\nfor each resource in resources\nlet x = resource.order.amount > 0 \
         and account.limit.value > resource.order.amount and account != null \
         and resource != null and any(t in resource.items where t.id == 1)\n",
    );
    let reads = &code.reads;
    // `resource.order.amount`, `resource.order`, `account.limit.value`,
    // `account.limit`, `account`, `resource.items`, `resources`.
    assert_eq!(reads.len(), 7, "{reads:?}");
    let facts = crate::input::load_str(
        r#"{"resources": [{"order": {"amount": 1}, "items": []}], "account": {}}"#,
        crate::input::Format::Json,
        "t.json",
    )
    .unwrap();
    let prog = run(&code);
    let mut paths = Vec::new();
    fn walk<'e>(e: &'e Node, out: &mut Vec<&'e Node>) {
        if e.path_root().is_some() {
            out.push(e);
        }
        e.for_each_child(|c| walk(c, out));
    }
    walk(&code.lets[0].value, &mut paths);
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
        let text_of = format!("policy t\nfor each r in rs\nlet x = {text}\n");
        let code = compiled(&text_of);
        assert!(!code.reads.is_empty());
        // The same program with no reads numbered: every path walked node by node.
        let mut walked = compiled(&text_of);
        walked.reads.clear();
        let eval = |code: &crate::compile::Program, depth: usize| {
            let mut scope = Scope::new(run(code), &facts, None, None, 1000).with_max_depth(depth);
            scope.next_item((0, std::borrow::Cow::Borrowed(&rs[0])), "rs[0]", 1000);
            let v = scope.eval(&code.lets[0].value).map_err(|e| e.to_string());
            (v, scope.steps_taken())
        };
        for depth in [3, 4, 5, 100] {
            assert_eq!(
                eval(&code, depth),
                eval(&walked, depth),
                "{text} at depth {depth}"
            );
        }
        let (value, steps) = eval(&code, 100);
        assert_eq!(value.ok(), holds.map(Value::Bool), "{text}");
        assert!(steps > 0, "{text}");
    }
}

#[test]
fn a_condition_takes_the_steps_and_gives_the_answer_its_value_does() {
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
        let code = compiled(&format!(
            "policy t\nfacts a\nlet y = a.b.c == 1\nlet z = a.b\nlet x = {text}\n"
        ));
        let prog = run(&code);
        let e = &code.lets[2].value;
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
    assert!(matches!(folded("1 USD + 1 EUR"), NodeKind::Binary(..)));
    assert!(matches!(folded("1 / 0"), NodeKind::Binary(..)));
    assert!(matches!(folded("x + 1"), NodeKind::Binary(..)));
}

/// The slots of every name in `let x = TEXT`, in evaluation order.
fn name_slots(prelude: &str, text: &str) -> Vec<(String, Slot)> {
    let code = compiled(&format!("policy t\n{prelude}let x = {text}\n"));
    let mut out = Vec::new();
    fn walk(e: &Node, out: &mut Vec<(String, Slot)>) {
        if let NodeKind::Name(n) = &e.kind {
            out.push((n.to_string(), e.slot));
        }
        e.for_each_child(|c| walk(c, out));
    }
    let x = code.let_index["x"];
    walk(&code.lets[x].value, &mut out);
    out
}

#[test]
fn a_bound_name_hides_a_let_of_that_name_only_inside_its_form() {
    let s = name_slots(
        "let y = [1]\n",
        "any(y in y where y > 0) and [z + y for z in y where any(y in y where y == z)] == y",
    );
    let slots: Vec<Slot> = s.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        slots,
        [
            // any(y in y where y > 0): the list is the let, the body the element.
            Slot::Let(0),
            Slot::Binder(0),
            // [z + y for z in y where any(y in y where y == z)]
            Slot::Let(0),
            Slot::Binder(0),
            Slot::Let(0),
            Slot::Let(0),
            Slot::Binder(0),
            Slot::Binder(1),
            // == y
            Slot::Let(0),
        ],
        "{s:?}"
    );
}

#[test]
fn a_function_sees_its_parameters_as_binders_and_the_element_nowhere() {
    let code = compiled(
        "policy t\nfor each r in rs\nfn f(a: number, r: number) -> number = a + r + now\nlet x = f(1, 2) + r\n",
    );
    let NodeKind::Binary(_, l, now) = &code.functions[0].body.kind else {
        panic!("{:?}", code.functions[0].body)
    };
    let NodeKind::Binary(_, a, r) = &l.kind else {
        panic!("{l:?}")
    };
    // `now` is nothing a body sees (`syntax::scoping::scope`): the name checker refuses
    // it, and the compiler gives it no slot.
    assert_eq!(
        (a.slot, r.slot, now.slot),
        (Slot::Binder(1), Slot::Binder(0), Slot::Unresolved)
    );
    let NodeKind::Binary(_, call, r) = &code.lets[0].value.kind else {
        panic!("{:?}", code.lets[0].value)
    };
    assert_eq!((call.slot, r.slot), (Slot::Function(0), Slot::Item));
}

#[test]
fn literals_are_values_built_once_and_keep_the_text_written() {
    let code = compiled("policy t\nlet x = \"a\"\nlet y = 2 * 24h\nlet z = {a: 1}\n");
    assert_eq!(code.lets[0].value.kind, NodeKind::Const(Value::string("a")));
    assert!(matches!(
        code.lets[1].value.kind,
        NodeKind::Const(Value::Duration(_))
    ));
    assert_eq!(&**code.lets[1].value.text(), "2 * 24h");
    let NodeKind::Record(fields) = &code.lets[2].value.kind else {
        panic!()
    };
    assert_eq!(&*fields[0].0, "a");
}

#[test]
fn compiling_leaves_the_syntax_tree_as_parsed() {
    let text = "policy t\nfacts rs\nfor each r in rs\nlet x = any(y in r.l where y == x2)\n\
                let x2 = 1 + 1\ndeny d { message \"m\" when x and r.a.b > 0 }\n";
    let source = Source::new("t.bylaw", text.to_string());
    let parsed = parse_policy(&source).unwrap();
    let engine = crate::Engine::from_sources([("t.bylaw".to_string(), text.to_string())]).unwrap();
    assert_eq!(engine.policies().next(), Some(&parsed));
}

#[test]
fn a_read_is_split_once_along_its_prefixes() {
    use crate::compile::{Read, Root};
    let code = compiled(
        "policy t\nfor each resource in resources\nlet x = resource.order.amount > 0 \
         and account.limit.value.a.b.c.d.e.f.g > resource.order.amount and account != null\n",
    );
    assert_eq!(code.along.len(), code.reads.len());
    for (i, (read, along)) in code.reads.iter().zip(&code.along).enumerate() {
        let fields: String = along.fields.iter().map(|(f, _)| format!(".{f}")).collect();
        match (read, &along.root) {
            (Read::Fact(text), Root::Fact(name, n)) => {
                assert_eq!(&**text, format!("{name}{fields}"));
                assert_eq!(code.reads[*n as usize], Read::Fact(name.clone()));
            }
            (Read::Item(rest), Root::Item) => assert_eq!(&**rest, fields),
            other => panic!("{other:?}"),
        }
        // Each field carries the number of the path up to it; the last is the read's.
        if let Some((_, last)) = along.fields.last() {
            assert_eq!(*last as usize, i);
        }
        for (k, (_, n)) in along.fields.iter().enumerate() {
            assert_eq!(code.along[*n as usize].fields[..], along.fields[..=k]);
        }
    }
    // Longer than the eight fields the walk once stopped at, read in one go alike.
    let facts = crate::input::load_str(
        r#"{"resources": [], "account": {"limit": {"value": {"a": {"b": {"c": {"d": {"e": {"f": {"g": 2}}}}}}}}}}"#,
        crate::input::Format::Json,
        "t.json",
    )
    .unwrap();
    let mut scope = Scope::new(run(&code), &facts, None, None, 1000);
    let mut deep = None;
    fn find<'e>(e: &'e Node, out: &mut Option<&'e Node>) {
        if e.text().as_ref() == "account.limit.value.a.b.c.d.e.f.g" {
            *out = Some(e);
        }
        e.for_each_child(|c| find(c, out));
    }
    find(&code.lets[0].value, &mut deep);
    let deep = deep.unwrap();
    assert_eq!(scope.eval(deep).unwrap(), Value::Number(2.into()));
    assert_eq!(
        scope.steps_taken(),
        10,
        "one step per node: {:?}",
        deep.slot
    );
}

#[test]
fn whether_a_let_is_literal_data_is_worked_out_when_compiling() {
    use crate::compile::LetData;
    let code = compiled(
        "policy t\nfor each resource in resources\nlet table = [1, 2]\nlet first = table[0]\n\
         let read = request.amount\nlet mixed = [1, request.amount]\nlet element = resource\n",
    );
    assert_eq!(code.let_data[0], LetData::Literal(1));
    // Through another let: its value's walk one node deeper.
    assert_eq!(code.let_data[1], LetData::Literal(3));
    // Near misses: a fact read, alone or in a list, is never literal data; the
    // element depends on the scope, so the evaluator walks it as before.
    assert_eq!(code.let_data[2], LetData::NotLiteral);
    assert_eq!(code.let_data[3], LetData::NotLiteral);
    assert_eq!(code.let_data[4], LetData::Depends);
    assert_eq!(LetData::Literal(3).at(96), Some(true));
    assert_eq!(LetData::Literal(3).at(97), Some(false));
}
