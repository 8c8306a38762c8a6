//! The YAML snapshot reader against an independent YAML implementation (issue 22,
//! class 1): on documents generated here (anchors, aliases, merge keys, tags, `%TAG`
//! and `%YAML` directives, several documents, flow inside block, odd scalars), bylaw
//! either refuses the document or reads the values two other readers read: serde_yaml
//! (on libyaml, which shares no code with bylaw's reader, saphyr-parser) and
//! yaml-rust2 (saphyr-parser's ancestor: a check of the values, not independent of
//! the parser). `BYLAW_YAML_CORPUS=DIR` writes the generated documents to DIR (to
//! compare two builds' outputs on them).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::collections::BTreeMap;
use std::str::FromStr as _;

use bylaw::input::{self as facts, Format};
use bylaw::Value;
use rust_decimal::Decimal;
use yaml_rust2::{Yaml, YamlLoader};

/// Values as both readers can be compared: numbers by their decimal value, times by
/// their instant and offset, money as the record it was written as.
#[derive(Debug, Clone, PartialEq)]
enum N {
    Null,
    Bool(bool),
    Num(Decimal),
    Str(String),
    Time(String),
    List(Vec<N>),
    Map(BTreeMap<String, N>),
}

fn time(s: &str) -> Option<N> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| N::Time(t.to_rfc3339()))
}

fn from_bylaw(v: &Value) -> N {
    match v {
        Value::Null => N::Null,
        Value::Bool(b) => N::Bool(*b),
        Value::Number(d) => N::Num(d.normalize()),
        Value::String(s) => N::Str(s.to_string()),
        Value::Time(t) => N::Time(t.to_rfc3339()),
        Value::Money(m) => N::Map(BTreeMap::from([
            ("amount".to_string(), N::Num(m.amount.normalize())),
            (
                "currency".to_string(),
                N::Str(m.currency.as_str().to_string()),
            ),
        ])),
        Value::Duration(d) => N::Str(format!("{d:?}")),
        Value::List(items) => N::List(items.iter().map(from_bylaw).collect()),
        Value::Map(entries) => N::Map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), from_bylaw(v)))
                .collect(),
        ),
    }
}

/// yaml-rust2's value, or `None` for what has no counterpart (a float key, NaN).
fn from_yaml(y: &Yaml) -> Option<N> {
    Some(match y {
        Yaml::Null => N::Null,
        Yaml::Boolean(b) => N::Bool(*b),
        Yaml::Integer(i) => N::Num(Decimal::from(*i)),
        Yaml::Real(s) => {
            let s = s.replace('_', "");
            N::Num(
                Decimal::from_str(&s)
                    .or_else(|_| Decimal::from_scientific(&s))
                    .ok()?
                    .normalize(),
            )
        }
        Yaml::String(s) => time(s).unwrap_or_else(|| N::Str(s.clone())),
        Yaml::Array(items) => N::List(items.iter().map(from_yaml).collect::<Option<_>>()?),
        Yaml::Hash(h) => {
            let mut out = BTreeMap::new();
            for (k, v) in h {
                let k = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    _ => return None,
                };
                out.insert(k, from_yaml(v)?);
            }
            // A money record's amount is read as a decimal, written as a string or not.
            if out.len() == 2 {
                if let (Some(N::Str(a)), Some(N::Str(_))) = (out.get("amount"), out.get("currency"))
                {
                    if let Ok(d) = Decimal::from_str(a) {
                        out.insert("amount".into(), N::Num(d.normalize()));
                    }
                }
            }
            N::Map(out)
        }
        Yaml::Alias(_) | Yaml::BadValue => return None,
    })
}

/// serde_yaml's value, or `None` for what has no counterpart (a tagged value, NaN).
fn from_serde(y: &serde_yaml::Value) -> Option<N> {
    use serde_yaml::Value as Y;
    Some(match y {
        Y::Null => N::Null,
        Y::Bool(b) => N::Bool(*b),
        Y::Number(n) => N::Num(
            match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Decimal::from(i),
                (_, Some(u), _) => Decimal::from(u),
                (_, _, Some(f)) => Decimal::from_str(&f.to_string()).ok()?,
                _ => return None,
            }
            .normalize(),
        ),
        Y::String(s) => time(s).unwrap_or_else(|| N::Str(s.clone())),
        Y::Sequence(items) => N::List(items.iter().map(from_serde).collect::<Option<_>>()?),
        Y::Mapping(m) => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let k = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => return None,
                };
                out.insert(k, from_serde(v)?);
            }
            if out.len() == 2 {
                if let (Some(N::Str(a)), Some(N::Str(_))) = (out.get("amount"), out.get("currency"))
                {
                    if let Ok(d) = Decimal::from_str(a) {
                        out.insert("amount".into(), N::Num(d.normalize()));
                    }
                }
            }
            N::Map(out)
        }
        Y::Tagged(_) => return None,
    })
}

struct Gen {
    seed: u64,
    anchors: Vec<String>,
}

impl Gen {
    fn next(&mut self) -> u64 {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        self.seed
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn anchor(&mut self) -> String {
        let i = (self.next() % self.anchors.len() as u64) as usize;
        self.anchors[i].clone()
    }

    fn chance(&mut self, in_100: u64) -> bool {
        self.next() % 100 < in_100
    }

    fn scalar(&mut self) -> String {
        const SCALARS: &[&str] = &[
            "plain",
            "'single'",
            "\"double\"",
            "\"it's \\u00e9\"",
            "'it''s'",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "true",
            "True",
            "FALSE",
            "~",
            "null",
            "Null",
            "NULL",
            "0",
            "-0",
            "+1",
            "12",
            "0o17",
            "017",
            "0x1F",
            "1_000",
            "1.5",
            ".5",
            "1.50",
            "1e3",
            "-1.25e-2",
            ".inf",
            "-.Inf",
            ".nan",
            "2021-09-30",
            "2021-09-30T10:00:00+08:00",
            "\"2021-09-30T10:00:00Z\"",
            "2021-09-30T10:00:00",
            "2021-09-30 10:00:00 +8",
            "12:30:00",
            "\"12.50\"",
            "a: b",
            "\"#not a comment\"",
            "x # a comment",
            "''",
            "\"\"",
            "-",
            "- x",
            "? x",
            "!!str 12",
            "!!int \"12\"",
            "!!float 1",
            "!!bool yes",
            "!!null ''",
            "!!binary aGk=",
            "!money 12",
            "!<tag:yaml.org,2002:str> x",
            "!<!local> x",
            "!e!str x",
            "! x",
            "|\n  block\n",
            ">\n  folded\n  text\n",
            "|-\n  kept\n",
            "0b101",
            "+.5",
            "1.",
            "9223372036854775808",
            "123456789012345678901234567890",
        ];
        let s = self.pick(SCALARS).to_string();
        if !self.anchors.is_empty() && self.chance(10) {
            let a = self.anchor();
            return format!("*{a}");
        }
        s
    }

    fn flow(&mut self, depth: usize) -> String {
        if depth == 0 || self.chance(50) {
            let s = self.scalar();
            // Block scalars and comments do not fit in flow collections.
            return if s.contains('\n')
                || s.contains('#')
                || s.starts_with('-')
                || s.starts_with('?')
                || s.contains(": ")
            {
                "x".into()
            } else {
                s
            };
        }
        let n = self.next() % 4;
        if self.chance(50) {
            let items: Vec<String> = (0..n).map(|_| self.flow(depth - 1)).collect();
            format!("[{}]", items.join(", "))
        } else {
            let items: Vec<String> = (0..n)
                .map(|i| format!("k{i}: {}", self.flow(depth - 1)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }

    /// A block value at `indent`, written after `key:` (so it starts with a space or
    /// a line break).
    fn block(&mut self, indent: usize, depth: usize) -> String {
        let anchor = if self.chance(15) {
            let a = format!("a{}", self.anchors.len());
            self.anchors.push(a.clone());
            format!(" &{a}")
        } else {
            String::new()
        };
        let pad = " ".repeat(indent + 2);
        match if depth == 0 { 0 } else { self.next() % 4 } {
            0 => {
                let s = self.scalar();
                match s.strip_prefix('|').or_else(|| s.strip_prefix('>')) {
                    Some(rest) => {
                        let head = &s[..s.len() - rest.len()];
                        let (first, body) = rest.split_once('\n').unwrap_or(("", ""));
                        let body: String = body
                            .lines()
                            .map(|l| format!("{pad}{}\n", l.trim_start()))
                            .collect();
                        format!("{anchor} {head}{first}\n{}", body.trim_end_matches('\n'))
                    }
                    None if s.starts_with('*') => format!(" {s}"),
                    None => format!("{anchor} {s}"),
                }
            }
            1 => format!("{anchor} {}", self.flow(depth)),
            2 => {
                let n = 1 + self.next() % 3;
                let mut out = anchor;
                for _ in 0..n {
                    let v = self.block(indent + 2, depth - 1);
                    out.push_str(&format!("\n{pad}-{v}"));
                }
                out
            }
            _ => {
                let n = 1 + self.next() % 3;
                let mut out = anchor;
                if !self.anchors.is_empty() && self.chance(15) {
                    let a = self.anchor();
                    out.push_str(&format!("\n{pad}<<: *{a}"));
                }
                for i in 0..n {
                    let v = self.block(indent + 2, depth - 1);
                    out.push_str(&format!("\n{pad}f{i}:{v}"));
                }
                out
            }
        }
    }

    fn document(&mut self) -> String {
        self.anchors.clear();
        let mut doc = String::new();
        if self.chance(10) {
            doc.push_str(self.pick(&[
                "%YAML 1.2\n---\n",
                "%TAG !e! tag:yaml.org,2002:\n---\n",
                "%TAG !! tag:example.com,2000:\n---\n",
                "---\n",
                "--- # a comment\n",
            ]));
        }
        let n = 1 + self.next() % 4;
        for i in 0..n {
            let v = self.block(0, 3);
            // A key at the top level starts at the first column.
            doc.push_str(&format!("key{i}:{}\n", v));
        }
        if self.chance(5) {
            doc.push_str(self.pick(&["---\nother: 1\n", "...\n", "...\n---\nx: 1\n"]));
        }
        doc
    }
}

#[test]
fn the_yaml_reader_agrees_with_an_independent_one_or_refuses() {
    let mut g = Gen {
        seed: 0x2545_F491_4F6C_DD1D,
        anchors: Vec::new(),
    };
    let (mut read, mut refused) = (0, 0);
    let mut disagreements = Vec::new();
    let dump = std::env::var_os("BYLAW_YAML_CORPUS").map(std::path::PathBuf::from);
    for n in 0..3000 {
        let doc = g.document();
        if let Some(dir) = &dump {
            std::fs::write(dir.join(format!("gen{n:04}.yaml")), &doc).unwrap();
        }
        let Ok(ours) = facts::load_str(&doc, Format::Yaml, "gen.yaml") else {
            refused += 1;
            continue;
        };
        read += 1;
        let theirs = YamlLoader::load_from_str(&doc);
        let theirs = match theirs.as_deref() {
            Ok([one]) => from_yaml(one),
            _ => None,
        };
        if theirs.as_ref() != Some(&from_bylaw(&ours)) {
            disagreements.push(format!(
                "{doc}\n  bylaw: {:?}\n  yaml-rust2: {theirs:?}",
                from_bylaw(&ours)
            ));
        }
        let libyaml = serde_yaml::from_str::<serde_yaml::Value>(&doc)
            .ok()
            .as_ref()
            .and_then(from_serde);
        if libyaml.as_ref() != Some(&from_bylaw(&ours)) {
            disagreements.push(format!(
                "{doc}\n  bylaw: {:?}\n  serde_yaml: {libyaml:?}",
                from_bylaw(&ours)
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {read} read documents disagree; the first:\n{}",
        disagreements.len(),
        disagreements.first().unwrap()
    );
    // Both outcomes are exercised.
    assert!(
        read > 300 && refused > 300,
        "read {read}, refused {refused}"
    );
}

#[test]
fn the_issue_examples_are_refused_not_read_as_something_else() {
    for doc in [
        "base: &b {filter: strict}\nreq:\n  <<: *b\n  x: 1\n",
        "%TAG !e! tag:yaml.org,2002:\n---\na: !e!binary aGk=\n",
        "a: !<tag:yaml.org,2002:binary> aGk=\n",
        "a: !<tag:example.com,2000:money> 12\n",
    ] {
        assert!(
            facts::load_str(doc, Format::Yaml, "x.yaml").is_err(),
            "{doc}"
        );
    }
}
