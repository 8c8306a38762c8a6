//! The places the YAML reader records ([`Marks`]) against the scanner's: the same
//! line and column for every value and key of a snapshot, with no second parse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use super::positions::Positions;
use super::{load_bytes_placed, Format};

/// Snapshots of every shape the reader reads: block and flow records and lists, lists
/// of records, money, quoted and block scalars, non-ASCII text, `\r\n` and lone `\r`
/// line breaks, comments, an explicit document start.
const DOCS: &[&str] = &[
    "a:\n  b:\n    - 1\n    - {c: x}\nd: null\ne: [p, q]\n",
    "request:\n  action: refund\n  amount: {amount: \"12.50\", currency: USD}\nresources:\n  - id: r1\n    order:\n      amount: 12\n      currency: EUR\n  - id: r2\n    tags: [a, \"b\", 'c']\n",
    "# a comment\n---\nname: \"é ü\"\nnote: |\n  block\n  text\nafter: >\n  folded\nlast: ß\n",
    "a: é\rb:\r\n  - ü\n  - x\n",
    "list:\n- [1, [2, 3]]\n- {k: {m: [4]}}\n-\n  - deep\n",
    "{\"json\": {\"style\": [1, 2]}, \"too\": true}\n",
    "? complex\n: 1\nplain key with spaces: 2\n\"quoted key\": 3\n",
];

/// Every path the scanner places, placed alike from the reader's marks.
#[test]
fn the_marks_place_every_value_as_the_scanner_does() {
    for doc in DOCS {
        let (_, places) = load_bytes_placed(doc.as_bytes(), Format::Yaml, "s").expect(doc);
        let marked = places.positions(doc);
        let scanned = Positions::scan(doc, Format::Yaml);
        let mut paths = scanned.paths();
        paths.sort();
        assert!(paths.len() > 3, "{doc}");
        for path in &paths {
            assert_eq!(marked.get(path), scanned.get(path), "{path} in {doc:?}");
        }
        let mut marked_paths = marked.paths();
        marked_paths.sort();
        assert_eq!(marked_paths, paths, "{doc:?}");
    }
}

/// The positions come from the marks, not from the text: given a text that is not
/// YAML at all (the same lines, garbled), a deep value is still placed where the
/// reader met it. A rescan would place nothing.
#[test]
fn placing_uses_the_recorded_marks() {
    let doc = "request:\n  action: refund\nresources:\n  - id: r1\n    order:\n      amount: 12\n";
    let (_, places) = load_bytes_placed(doc.as_bytes(), Format::Yaml, "s").unwrap();
    let garbled: String = doc
        .chars()
        .map(|c| if c == '\n' { c } else { '[' })
        .collect();
    assert_eq!(Positions::scan(&garbled, Format::Yaml).get("request"), None);
    let p = places.positions(&garbled);
    assert_eq!(p.get("resources[0].order.amount"), Some((6, 7)));
    assert_eq!(p.nearest("resources[0].order.missing"), Some((5, 5)));
    assert_eq!(p.get("resources[0]"), Some((4, 5)));
}

/// Near miss: what an alias repeats has no place of its own: it is placed at the
/// alias (its record's key, through `nearest`), as the scanner placed it.
#[test]
fn what_an_alias_repeats_is_placed_at_the_alias() {
    let doc = "base: &b\n  amount: 1\nother: *b\nlist: [*b]\n";
    let (_, places) = load_bytes_placed(doc.as_bytes(), Format::Yaml, "s").unwrap();
    let p = places.positions(doc);
    let scanned = Positions::scan(doc, Format::Yaml);
    assert_eq!(p.get("base.amount"), Some((2, 3)));
    assert_eq!(p.get("other.amount"), None);
    assert_eq!(p.nearest("other.amount"), Some((3, 1)));
    assert_eq!(p.nearest("list[0].amount"), Some((4, 8)));
    assert_eq!(p.paths(), scanned.paths());
    for path in ["other.amount", "list[0].amount", "list[0]"] {
        assert_eq!(p.nearest(path), scanned.nearest(path), "{path}");
    }
}

/// A test file's YAML verdict says where it failed by kind: inside a flow collection
/// (even several deep, or at the end of the text) or not; the place is a byte offset.
#[test]
fn a_yaml_syntax_error_says_whether_it_is_inside_flow() {
    use super::positions::YamlSyntaxKind::{InFlow, Other};
    for (text, kind, offset) in [
        ("cases:\n  - set: {a[0]: 1}\n", InFlow, 18),
        ("a: [b, {c: d]\n", InFlow, 12),
        ("cases: [\n", InFlow, 9),
        ("cases:\n  - name: x\n   bad: 1\n", Other, 22),
        ("a: b: c\n", Other, 4),
        ("a: [x]\nb: 'open\n", Other, 10),
    ] {
        let e = Positions::scan_yaml_checked(text).unwrap_err();
        assert_eq!(
            (e.kind, e.offset),
            (kind, offset),
            "{text:?}: {}",
            e.problem
        );
    }
    // Near miss: YAML, placed.
    let p = Positions::scan_yaml_checked("a: {b: [1, 2]}\n").unwrap();
    assert_eq!(p.get("a.b[1]"), Some((1, 12)));
}
