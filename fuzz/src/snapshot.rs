//! Arbitrary snapshots that resemble the fact contract, so fuzzing reaches the
//! evaluator and not only the loader: one of the example snapshots, with a few of
//! its contract paths replaced by arbitrary values (of any type, or removed), and
//! its list of resources grown.

use std::sync::{Arc, OnceLock};

use arbitrary::Arbitrary;
use bylaw::input::{self, Format};
use bylaw::value::currency::Currency;
use bylaw::value::Money;
use bylaw::{Engine, Value};
use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;

/// The shipped rules, as the fuzz targets and tests load them.
pub const RULES: [(&str, &str); 2] = [
    (
        "rules/disassociate.bylaw",
        include_str!("../../rules/disassociate.bylaw"),
    ),
    (
        "rules/unsubscribe.bylaw",
        include_str!("../../rules/unsubscribe.bylaw"),
    ),
];

/// The example snapshots: one per policy.
pub const EXAMPLES: [&str; 2] = [
    include_str!("../../examples/unsubscribe.yaml"),
    include_str!("../../examples/disassociate.yaml"),
];

/// The engine over the shipped rules.
pub fn engine() -> Engine {
    Engine::from_sources(RULES.iter().map(|(n, t)| (n.to_string(), t.to_string())))
        .expect("the shipped rules load")
}

/// An example snapshot, loaded (once: fuzzing builds thousands of snapshots a second).
pub fn example(i: usize) -> Value {
    static LOADED: OnceLock<[Value; 2]> = OnceLock::new();
    let loaded = LOADED.get_or_init(|| {
        EXAMPLES.map(|t| input::load_str(t, Format::Yaml, "example").expect("the examples load"))
    });
    loaded[i % 2].clone()
}

/// One step of a path into a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Every path in `v` (records and lists, recursively), parents before children.
pub fn paths(v: &Value) -> Vec<Vec<Seg>> {
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn walk(v: &Value, at: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    if !at.is_empty() {
        out.push(at.clone());
    }
    match v {
        Value::Map(m) => {
            for (k, child) in m.iter() {
                at.push(Seg::Key(k.to_string()));
                walk(child, at, out);
                at.pop();
            }
        }
        Value::List(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Seg::Index(i));
                walk(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// `resources[0].order.amount`.
pub fn show(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if s.is_empty() => s.push_str(k),
            Seg::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The value at `path`, if there is one.
pub fn get<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v);
    };
    let child = match (v, first) {
        (Value::Map(_), Seg::Key(k)) => v.get(k)?,
        (Value::List(items), Seg::Index(i)) => items.get(*i)?,
        _ => return None,
    };
    get(child, rest)
}

/// Replaces the value at `path` (`None` removes it), creating records on the way.
pub fn set(v: &mut Value, path: &[Seg], new: Option<Value>) {
    let Some((first, rest)) = path.split_first() else {
        if let Some(n) = new {
            *v = n;
        }
        return;
    };
    if !matches!(v, Value::Map(_) | Value::List(_)) {
        *v = Value::Map(Arc::new([]));
    }
    match (v, first) {
        (Value::Map(record), Seg::Key(k)) => {
            let mut m = record.to_vec();
            let pos = m.iter().position(|(key, _)| &**key == k);
            match (pos, rest.is_empty(), new) {
                (Some(p), true, None) => {
                    m.remove(p);
                }
                (Some(p), _, new) => set(&mut m[p].1, rest, new),
                (None, _, None) => {}
                (None, _, new) => {
                    let mut child = Value::Null;
                    set(&mut child, rest, new);
                    m.push((Arc::from(k.as_str()), child));
                }
            }
            *record = m.into();
        }
        (Value::List(items), Seg::Index(i)) => {
            let mut list = items.to_vec();
            if *i < list.len() {
                if rest.is_empty() && new.is_none() {
                    list.remove(*i);
                } else {
                    set(&mut list[*i], rest, new);
                }
            }
            *items = list.into();
        }
        _ => {}
    }
}

/// Words the rules compare against, so arbitrary strings hit them often.
const WORDS: &[&str] = &[
    "",
    "unsubscribe_inactive",
    "disassociate_sub_account",
    "main",
    "sub",
    "main-1",
    "financial_hosting",
    "financial_management",
    "in_progress",
    "completed",
    "resource_package",
    "add_on_package",
    "on_demand",
    "koogallery",
    "partner",
    "approved",
    "rejected",
    "batch",
    "single",
    "legacy",
    "new",
    "pending_payment",
    "payment_in_progress",
    "renewal",
    "modify_configuration",
    "temporary_upgrade",
    "active",
    "pending",
    "+08:00",
    "-05:30",
    "Z",
    "UTC",
    "+99:99",
    "true",
    "null",
    "~",
    "yes",
    "1e3",
    "0x1F",
    ".inf",
    "12,5",
    "2021-09-30",
    "2021-09-30T10:00:00",
    "2021-09-30T10:00:00+08:00",
    "- a",
    "a: b",
    "#",
    "'",
    "\"",
];

const CURRENCIES: &[&str] = &["USD", "CNY", "EUR"];

/// An arbitrary fact value.
#[derive(Arbitrary, Debug, Clone)]
pub enum Fact {
    Remove,
    Null,
    Bool(bool),
    Int(i64),
    Decimal(i64, u8),
    Word(u8),
    Text(String),
    Money(i64, u8, u8),
    Time(i32, i16),
    List(Vec<Fact>),
    Record(Vec<(u8, Fact)>),
}

impl Fact {
    /// The value, or `None` for [`Fact::Remove`].
    pub fn value(&self) -> Option<Value> {
        Some(match self {
            Fact::Remove => return None,
            Fact::Null => Value::Null,
            Fact::Bool(b) => Value::Bool(*b),
            Fact::Int(n) => Value::Number(Decimal::from(*n)),
            Fact::Decimal(m, s) => Value::Number(decimal(*m, *s)),
            Fact::Word(w) => Value::string(WORDS[usize::from(*w) % WORDS.len()]),
            Fact::Text(t) => Value::string(t),
            Fact::Money(m, s, c) => Value::Money(Money {
                amount: decimal(*m, *s),
                currency: Currency::new(CURRENCIES[usize::from(*c) % CURRENCIES.len()])?,
            }),
            Fact::Time(secs, offset) => Value::Time(time(*secs, *offset)),
            Fact::List(items) => Value::List(items.iter().filter_map(Fact::value).collect()),
            Fact::Record(fields) => {
                let mut m = Vec::new();
                for (k, f) in fields {
                    let key = WORDS[usize::from(*k) % WORDS.len()];
                    if let Some(v) = f.value() {
                        if !m.iter().any(|(x, _): &(Arc<str>, Value)| &**x == key) {
                            m.push((Arc::from(key), v));
                        }
                    }
                }
                Value::Map(m.into())
            }
        })
    }
}

fn decimal(mantissa: i64, scale: u8) -> Decimal {
    Decimal::new(mantissa, u32::from(scale % 29))
}

/// Around the examples' dates (2021–2023), at an offset within ±18h.
fn time(secs: i32, offset_minutes: i16) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(i32::from(offset_minutes % (18 * 60)) * 60)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    let base = 1_650_000_000i64 + i64::from(secs);
    DateTime::from_timestamp(base, 0)
        .expect("in range")
        .with_timezone(&offset)
}

/// One replacement: the `path`-th path of the example (modulo their number).
#[derive(Arbitrary, Debug, Clone)]
pub struct Edit {
    pub path: u16,
    pub value: Fact,
}

/// An arbitrary snapshot: an example, its resources repeated, edits applied.
#[derive(Arbitrary, Debug, Clone)]
pub struct Snapshot {
    pub example: bool,
    pub copies: u8,
    pub edits: Vec<Edit>,
}

impl Snapshot {
    /// The snapshot as facts.
    pub fn build(&self) -> Value {
        let mut v = example(usize::from(self.example));
        if let Some(Value::List(items)) = v.get("resources") {
            if let Some(first) = items.first() {
                let n = 1 + usize::from(self.copies % 8);
                // Copies get IDs of their own (`ecs-1`, `ecs-1-2`, …): elements with
                // one ID would hide which of them a decision is about.
                let grown: Value = Value::List(
                    (0..n)
                        .map(|k| {
                            let mut copy = first.clone();
                            if let (true, Some(Value::String(id))) = (k > 0, first.get("id")) {
                                let id = Value::string(&format!("{id}-{}", k + 1));
                                set(&mut copy, &[Seg::Key("id".into())], Some(id));
                            }
                            copy
                        })
                        .collect(),
                );
                set(&mut v, &[Seg::Key("resources".into())], Some(grown));
            }
        }
        for edit in &self.edits {
            let all = paths(&v);
            if all.is_empty() {
                break;
            }
            let path = &all[usize::from(edit.path) % all.len()];
            set(&mut v, path, edit.value.value());
        }
        v
    }
}
