//! Libraries and `use` (docs/language.md, "Sharing definitions"): each load error with
//! its carets and a near miss, imported definitions deciding as if written in the
//! policy, a library never applying, `check`, `fmt`, `schema` and `diff --base git:`.

use std::path::Path;

use assert_cmd::Command;
use bylaw::Engine;

const LIB: &str = r#"library fees

type review = { by: string, at: timestamp }

let large = 100 USD
let asked = request.amount

fn hours_of(d: duration) -> decimal = d / 1h
fn fee_for(term: string) -> money = match term {
  "monthly" => 5 USD,
  "yearly" => 50 USD,
  else => 0 USD,
}
fn share(total: decimal, parts: decimal) -> decimal = total / parts
"#;

/// The policy, with `HEAD` where it imports (or leaves a comment) and `DEFS` after its
/// rules (imported: nothing; inlined: the library's definitions): its rules stay on
/// the same lines either way.
const POLICY: &str = r#"policy p
HEAD
facts { request: { amount: money, term: string, used: duration, parts: decimal, review: review? } }
applies when request.term != "none"

deny too_big {
  message "{asked} and a fee of {fee_for(request.term)} is over {large}"
  when    asked + fee_for(request.term) > large
}

warn long {
  message "used {hours_of(request.used)} hours"
  when    hours_of(request.used) > 24
}

effect per_part {
  message "reviewed by {request.review.by}: {share(10, request.parts)} a part"
  when    request.review != null
  value   share(10, request.parts)
}
DEFS
"#;

const USE: &str = "use fees.{review, large, asked, fee_for, hours_of, share}";

fn load(files: &[(&str, &str)]) -> Result<Engine, String> {
    Engine::from_sources(files.iter().map(|(n, t)| (n.to_string(), t.to_string())))
        .map_err(|e| e.to_string())
}

/// "ok", or every error as `bylaw check` prints it.
fn check(files: &[(&str, &str)]) -> String {
    match load(files) {
        Ok(_) => "ok".to_string(),
        Err(e) => e,
    }
}

fn importing() -> String {
    let text = POLICY.replace("HEAD", USE).replace("DEFS", "");
    format!("{}\n", text.trim_end())
}

fn inlined() -> String {
    let defs = LIB.strip_prefix("library fees\n").unwrap();
    POLICY.replace("HEAD", "# inlined").replace("DEFS", defs)
}

fn decide(engine: &Engine, snapshot: &str) -> String {
    let d = engine
        .decide_bytes(snapshot.as_bytes(), bylaw::input::Format::Json, "case.json")
        .unwrap();
    bylaw::report::render(&d, bylaw::report::Rendering::Json).unwrap()
}

const SNAPSHOTS: &[&str] = &[
    r#"{"request": {"amount": {"amount": "99", "currency": "USD"}, "term": "monthly", "used": "30h", "parts": 4, "review": {"by": "ann", "at": "2026-01-01T00:00:00Z"}}}"#,
    r#"{"request": {"amount": {"amount": "40", "currency": "USD"}, "term": "yearly", "used": "2h", "parts": 3}}"#,
    r#"{"request": {"amount": {"amount": "10", "currency": "USD"}, "term": "weekly", "used": "1h", "parts": 0, "review": {"by": "bob", "at": "2026-01-01T00:00:00Z"}}}"#,
    r#"{"request": {"amount": {"amount": "10", "currency": "USD"}, "term": "none", "used": "1h", "parts": 1}}"#,
];

#[test]
fn imported_definitions_decide_as_if_written_in_the_policy() {
    let imported = load(&[
        ("rules/lib/fees.bylaw", LIB),
        ("rules/p.bylaw", &importing()),
    ])
    .unwrap();
    let inline = load(&[("rules/p.bylaw", &inlined())]).unwrap();
    // Alike but for one line: an error inside an imported function also says where
    // in the library it arose (`origin`; see the next test).
    let without_origin = |d: String| -> String {
        d.lines()
            .filter(|l| !l.trim_start().starts_with("\"origin\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for s in SNAPSHOTS {
        let (a, b) = (decide(&imported, s), decide(&inline, s));
        assert_eq!(without_origin(a), without_origin(b), "{s}");
    }
    // The decisions are not trivial: a deny, a warning, an effect, and a call that
    // fails (cited at the rule that made it, as a local function's is).
    let first = decide(&imported, SNAPSHOTS[0]);
    assert!(
        first.contains("\"denied\"") && first.contains("used 30 hours"),
        "{first}"
    );
    assert!(first.contains("2.5 a part"), "{first}");
    let third = decide(&imported, SNAPSHOTS[2]);
    assert!(
        third.contains("division by zero") && third.contains("rules/p.bylaw:19"),
        "{third}"
    );
    let none = decide(&imported, SNAPSHOTS[3]);
    assert!(none.contains("\"policies\": []"), "{none}");
}

#[test]
fn a_library_never_applies_and_is_not_a_policy() {
    let engine = load(&[("rules/lib/fees.bylaw", LIB)]).unwrap();
    assert_eq!(engine.policies().count(), 0);
    assert_eq!(engine.libraries().count(), 1);
    let d = decide(&engine, SNAPSHOTS[0]);
    // Fail closed: with no policy to apply, no decision is `allowed`.
    assert!(d.contains("\"decision\": \"error\""), "{d}");
    assert!(d.contains("\"policies\": []"), "{d}");
    assert!(!d.contains("too_big") && !d.contains("fees"), "{d}");
    // Beside a policy, only the policy applies.
    let engine = load(&[
        ("rules/lib/fees.bylaw", LIB),
        ("rules/p.bylaw", &importing()),
    ])
    .unwrap();
    let ids: Vec<&str> = engine.policies().map(|p| p.id.name.as_str()).collect();
    assert_eq!(ids, ["p"]);
    assert!(decide(&engine, SNAPSHOTS[0]).contains("\"p\""));
}

fn with_lib(policy: &str) -> String {
    check(&[("lib/fees.bylaw", LIB), ("p.bylaw", policy)])
}

fn small(head: &str, rest: &str) -> String {
    format!("policy p\n{head}\nfacts request\n{rest}\ndeny d {{\n  message \"m\"\n  when fee_for(request.term) > 1 USD\n}}\n")
}

#[test]
fn an_unknown_library() {
    insta::assert_snapshot!(with_lib(&small("use feez.{fee_for}", "")));
    assert_eq!(with_lib(&small("use fees.{fee_for}", "")), "ok");
}

#[test]
fn a_policy_is_not_a_library() {
    let out = check(&[
        ("a.bylaw", &small("use b.{fee_for}", "")),
        ("b.bylaw", "policy b\nfacts request\n"),
    ]);
    insta::assert_snapshot!(out);
}

#[test]
fn an_unknown_name_in_a_library() {
    insta::assert_snapshot!(with_lib(&small("use fees.{fee_fo}", "")));
    assert_eq!(with_lib(&small("use fees.{fee_for, hours_of}", "")), "ok");
}

#[test]
fn a_name_a_library_only_imports() {
    let mid =
        "library mid\nuse fees.{fee_for}\nfn twice(t: string) -> money = fee_for(t) + fee_for(t)\n";
    let out = check(&[
        ("lib/fees.bylaw", LIB),
        ("lib/mid.bylaw", mid),
        ("p.bylaw", &small("use mid.{fee_for}", "")),
    ]);
    insta::assert_snapshot!(out);
    // Near miss: what it defines, with what it needs from the other library.
    let ok = check(&[
        ("lib/fees.bylaw", LIB),
        ("lib/mid.bylaw", mid),
        (
            "p.bylaw",
            &small("use mid.{twice}", "").replace("fee_for(", "twice("),
        ),
    ]);
    assert_eq!(ok, "ok");
}

#[test]
fn an_import_cycle() {
    let a = "library a\nuse b.{g}\nfn f(x: integer) -> integer = x + 1\n";
    let b = "library b\nuse a.{f}\nfn g(x: integer) -> integer = f(x)\n";
    insta::assert_snapshot!(check(&[("lib/a.bylaw", a), ("lib/b.bylaw", b)]));
    // Near miss: one way only.
    let b = "library b\nfn g(x: integer) -> integer = x\n";
    assert_eq!(check(&[("lib/a.bylaw", a), ("lib/b.bylaw", b)]), "ok");
}

#[test]
fn an_import_clashing_with_a_local_name() {
    let local = "fn hours_of(d: duration) -> decimal = d / 1m\n";
    insta::assert_snapshot!(with_lib(&small("use fees.{fee_for, hours_of}", local)));
    assert_eq!(with_lib(&small("use fees.{fee_for}", local)), "ok");
    // A fact's name clashes too.
    insta::assert_snapshot!(with_lib(
        &small("use fees.{fee_for, asked}", "").replace("facts request", "facts request, asked")
    ));
}

#[test]
fn two_imports_clashing() {
    let other = "library other\nfn fee_for(term: string) -> money = 1 USD\n";
    let out = check(&[
        ("lib/fees.bylaw", LIB),
        ("lib/other.bylaw", other),
        (
            "p.bylaw",
            &small("use fees.{fee_for}\nuse other.{fee_for}", ""),
        ),
    ]);
    insta::assert_snapshot!(out);
    let ok = check(&[
        ("lib/fees.bylaw", LIB),
        ("lib/other.bylaw", other),
        ("p.bylaw", &small("use other.{fee_for}", "")),
    ]);
    assert_eq!(ok, "ok");
    insta::assert_snapshot!(with_lib(&small("use fees.{fee_for, fee_for}", "")));
}

#[test]
fn what_an_import_needs_clashes_too() {
    let h = "library h\nfn helper(x: money) -> money = x * 2\nfn doubled(x: money) -> money = helper(x)\n";
    let p = |local: &str| {
        let p = small("use h.{doubled}\nuse fees.{fee_for}", local)
            .replace("when fee_for(", "when doubled(fee_for(")
            .replace("> 1 USD", ") > 1 USD");
        check(&[("lib/fees.bylaw", LIB), ("lib/h.bylaw", h), ("p.bylaw", &p)])
    };
    insta::assert_snapshot!(p("fn helper(x: money) -> money = x\n"));
    assert_eq!(p("fn other(x: money) -> money = x\n"), "ok");
}

#[test]
fn a_library_holds_definitions_only() {
    let lib = "library t\nfacts request\napplies when request.x\nlet y = 1\ndeny d {\n  message \"m\"\n  when true\n}\n";
    insta::assert_snapshot!(check(&[("t.bylaw", lib)]));
    assert_eq!(check(&[("t.bylaw", "library t\nlet y = 1\n")]), "ok");
}

#[test]
fn types_that_name_themselves_or_a_built_in() {
    insta::assert_snapshot!(check(&[(
        "t.bylaw",
        "library t\ntype node = { next: node? }\ntype string = { a: integer }\n"
    )]));
    assert_eq!(
        check(&[(
            "t.bylaw",
            "library t\ntype node = { next: [leaf] }\ntype leaf = { a: integer }\n"
        )]),
        "ok"
    );
}

#[test]
fn a_library_is_checked_on_its_own_and_in_each_policy() {
    // On its own: a function's body against its parameters, imported or not.
    let lib = "library t\nfn f(x: integer) -> money = x + 1 USD\n";
    insta::assert_snapshot!(check(&[("lib/t.bylaw", lib)]));
    // In the policy: a `let` reading a fact, against that policy's schema.
    let lib = "library t\nlet big = request.amount > 100 USD\n";
    let p = "policy p\nuse t.{big}\nfacts { request: { amount: string } }\ndeny d {\n  message \"m\"\n  when big\n}\n";
    insta::assert_snapshot!(check(&[("lib/t.bylaw", lib), ("p.bylaw", p)]));
    let p = p.replace("amount: string", "amount: money");
    assert_eq!(check(&[("lib/t.bylaw", lib), ("p.bylaw", &p)]), "ok");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn bylaw(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("bylaw").unwrap();
    c.current_dir(dir);
    c
}

#[test]
fn check_lists_libraries_and_fmt_formats_them() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rules/lib/fees.bylaw", LIB);
    write(dir.path(), "rules/p.bylaw", &importing());
    bylaw(dir.path())
        .args(["check", "--rules", "rules"])
        .assert()
        .success()
        .stdout("ok: 1 policies, 3 rules\n  rules/p.bylaw: policy p, 3 rules\n  rules/lib/fees.bylaw: library fees, 6 definitions\n");
    bylaw(dir.path())
        .args(["fmt", "--check", "rules"])
        .assert()
        .success();
    write(
        dir.path(),
        "rules/lib/fees.bylaw",
        &LIB.replace("library fees", "library   fees\nuse  x.{ a,b }"),
    );
    bylaw(dir.path())
        .args(["fmt", "rules/lib/fees.bylaw"])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("rules/lib/fees.bylaw")).unwrap();
    assert!(
        text.starts_with("library fees\nuse x.{a, b}\n\ntype review"),
        "{text}"
    );
}

#[test]
fn the_json_schema_holds_an_imported_fragment() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rules/lib/fees.bylaw", LIB);
    write(dir.path(), "rules/p.bylaw", &importing());
    let out = bylaw(dir.path())
        .args(["schema", "--rules", "rules"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let review = &v["properties"]["request"]["properties"]["review"];
    assert!(review.to_string().contains("\"by\""), "{review}");
    assert!(review.to_string().contains("\"at\""), "{review}");
}

fn git(repo: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A change to a library, in a sub-folder, read at a git revision by the loader's rule:
/// the diff shows the decisions it changes, and nothing else.
#[test]
fn diff_at_a_git_revision_reads_libraries_in_sub_folders() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    write(repo, "rules/lib/fees.bylaw", LIB);
    write(repo, "rules/p.bylaw", &importing());
    // Not a rule file of the folder (a test folder): never read.
    write(repo, "rules/tests/x.bylaw", "not a rule file");
    write(repo, "cases/a.json", SNAPSHOTS[1]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "rules"]);
    bylaw(repo)
        .args(["diff", "--base", "git:HEAD", "--rules", "rules", "cases"])
        .assert()
        .code(0);
    write(
        repo,
        "rules/lib/fees.bylaw",
        &LIB.replace("let large = 100 USD", "let large = 50 USD"),
    );
    let out = bylaw(repo)
        .args(["diff", "--base", "git:HEAD", "--rules", "rules", "cases"])
        .assert()
        .code(4);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("allowed → denied: 1"), "{text}");
    assert!(!text.contains("source locations"), "{text}");
}

/// tests/language/shared: tests/language/fees with its schema fragment, table, functions
/// and constant moved into a library. Every golden decision is the same, but for the
/// rules' places (another file, other lines).
#[test]
fn the_shared_example_decides_as_the_inlined_one() {
    let strip = |text: &str, file: &str| -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(file) {
            out.push_str(&rest[..at]);
            out.push_str("FILE");
            rest = rest[at + file.len()..]
                .trim_start_matches(|c: char| c == ':' || c.is_ascii_digit());
        }
        out.push_str(rest);
        out
    };
    let fees = Path::new("tests/language/fees/scenarios");
    let mut compared = 0;
    for entry in std::fs::read_dir(fees).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".decision.yaml") {
            continue;
        }
        let inline = std::fs::read_to_string(&path).unwrap();
        let shared =
            std::fs::read_to_string(Path::new("tests/language/shared/scenarios").join(&name))
                .unwrap();
        assert_eq!(
            strip(&shared, "tests/language/shared/rules/fees.bylaw"),
            strip(&inline, "tests/language/fees/rules/fees.bylaw"),
            "{name}"
        );
        compared += 1;
    }
    assert_eq!(compared, 6);
}

/// Author tests, coverage and mutants of a policy that imports: as for any policy; a
/// mutant of a library's `let` is made in the library and judged through the policy.
#[test]
fn author_tests_and_mutants_run_through_imports() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "rules/lib/limits.bylaw",
        "library limits\nlet over_cap = request.amount > 100 USD\n",
    );
    write(
        dir.path(),
        "rules/p.bylaw",
        "policy p\nuse limits.{over_cap}\nfacts { request: { amount: money } }\n\ndeny over {\n  message \"over\"\n  when    over_cap\n}\n",
    );
    write(
        dir.path(),
        "rules/tests/p.yaml",
        "policy: p\ncases:\n  - name: over the cap\n    facts: {request: {amount: {amount: \"101\", currency: USD}}}\n    decision: denied\n    matches: [over]\n  - name: at the cap\n    facts: {request: {amount: {amount: \"100\", currency: USD}}}\n    decision: allowed\n",
    );
    bylaw(dir.path())
        .args(["test", "rules/"])
        .assert()
        .success()
        .stdout(predicates::str::contains("2 passed, 0 failed"));
    let out = bylaw(dir.path())
        .args(["test", "rules/", "--mutate", "--all-mutants"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains(
            "rules/lib/limits.bylaw:2  `>` → `>=`  — killed by rules/tests/p.yaml: at the cap"
        ),
        "{text}"
    );
    assert!(text.contains("kill rate 100.0%"), "{text}");
}

#[test]
fn one_policy_file_alone_does_not_see_its_libraries() {
    let out = check(&[("rules/p.bylaw", &importing())]);
    insta::assert_snapshot!(out);
    assert!(load(&[
        ("rules/lib/fees.bylaw", LIB),
        ("rules/p.bylaw", &importing())
    ])
    .is_ok());
}

/// The error of `p.per_part` on `SNAPSHOTS[2]`: `share` divides by zero.
fn division_by_zero(engine: &Engine) -> bylaw::Decision {
    engine
        .decide_bytes(
            SNAPSHOTS[2].as_bytes(),
            bylaw::input::Format::Json,
            "case.json",
        )
        .unwrap()
}

#[test]
fn an_error_inside_an_imported_function_says_where_in_the_library() {
    let engine = load(&[
        ("rules/lib/fees.bylaw", LIB),
        ("rules/p.bylaw", &importing()),
    ])
    .unwrap();
    let d = division_by_zero(&engine);
    let e = &d.errors[0];
    // The rule and its clause still identify the rule; `origin` is where it failed:
    // `total / parts`, the body of `share` (line 14 of the library).
    assert_eq!(e.rule.as_deref(), Some("p.per_part"));
    assert_eq!(e.source.as_ref().unwrap().to_string(), "rules/p.bylaw:19");
    let origin = e.origin.as_ref().unwrap();
    assert_eq!(origin.to_string(), "rules/lib/fees.bylaw:14");
    assert_eq!(origin.span().text(), "total / parts");
    assert!(e.reason.ends_with("(via function `share`)"), "{}", e.reason);
    // Every rendering says so, as `file:line`.
    let json = bylaw::report::render(&d, bylaw::report::Rendering::Json).unwrap();
    assert!(
        json.contains(
            "\"source\": \"rules/p.bylaw:19\",\n      \"origin\": \"rules/lib/fees.bylaw:14\","
        ),
        "{json}"
    );
    let yaml = bylaw::report::render(&d, bylaw::report::Rendering::Yaml).unwrap();
    assert!(
        yaml.contains("source: rules/p.bylaw:19\n  origin: rules/lib/fees.bylaw:14\n"),
        "{yaml}"
    );
    let mut line = Vec::new();
    bylaw::report::json::write_decision(&mut line, &d);
    let line = String::from_utf8(line).unwrap();
    assert!(
        line.contains(r#""source":"rules/p.bylaw:19","origin":"rules/lib/fees.bylaw:14""#),
        "{line}"
    );
    let text = bylaw::report::render(&d, bylaw::report::Rendering::Text).unwrap();
    assert!(text.contains("failed at rules/lib/fees.bylaw:14"), "{text}");
    // The caret is under the library's expression; the message names the rule's place.
    let diags = bylaw::report::errors::diagnostics(&d);
    let shown = diags[0].render(false);
    insta::assert_snapshot!(shown);
}

#[test]
fn the_same_function_written_in_the_policy_is_placed_at_the_rule() {
    let engine = load(&[("rules/p.bylaw", &inlined())]).unwrap();
    let d = division_by_zero(&engine);
    let e = &d.errors[0];
    assert_eq!(e.source.as_ref().unwrap().to_string(), "rules/p.bylaw:19");
    assert_eq!(e.origin, None);
    let json = bylaw::report::render(&d, bylaw::report::Rendering::Json).unwrap();
    assert!(!json.contains("origin"), "{json}");
    let diags = bylaw::report::errors::diagnostics(&d);
    let span = diags[0].span.as_ref().unwrap();
    assert_eq!(span.source.name, "rules/p.bylaw");
    assert_eq!(span.text(), "share(10, request.parts)");
}

#[test]
fn a_local_function_calling_an_imported_one_is_placed_in_the_library() {
    // The failing expression is in the library even when a local function calls it;
    // an error met before the call (an argument) is placed at the rule.
    let policy = importing().replace(
        "value   share(10, request.parts)",
        "value   halved(request.parts)",
    ) + "\nfn halved(n: decimal) -> decimal = share(5, n) * 2\n";
    let engine = load(&[("rules/lib/fees.bylaw", LIB), ("rules/p.bylaw", &policy)]).unwrap();
    let e = &division_by_zero(&engine).errors[0];
    assert_eq!(
        e.origin.as_ref().map(|o| o.span().text()),
        Some("total / parts")
    );
    assert!(
        e.reason
            .ends_with("(via function `halved`, function `share`)"),
        "{}",
        e.reason
    );
    let near = importing().replace(
        "value   share(10, request.parts)",
        "value   share(10 / request.parts, 1)",
    );
    let engine = load(&[("rules/lib/fees.bylaw", LIB), ("rules/p.bylaw", &near)]).unwrap();
    let e = &division_by_zero(&engine).errors[0];
    assert!(e.reason.contains("division by zero"), "{}", e.reason);
    assert_eq!(e.origin, None);
}

#[test]
fn evaluate_shows_the_caret_in_the_library() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rules/lib/fees.bylaw", LIB);
    write(dir.path(), "rules/p.bylaw", &importing());
    write(dir.path(), "case.json", SNAPSHOTS[2]);
    let out = bylaw(dir.path())
        .args(["evaluate", "--facts", "case.json"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains("failed at rules/lib/fees.bylaw:14"),
        "{stdout}"
    );
    assert!(
        stderr.contains("--> rules/lib/fees.bylaw:14:55"),
        "{stderr}"
    );
}

#[test]
fn an_error_inside_an_imported_let_says_where_in_the_library() {
    let lib = "library ratios\n\nlet ratio = request.a / request.b\n";
    let policy = "policy q\nuse ratios.{ratio}\nfacts { request: { a: decimal, b: decimal } }\n\ndeny high {\n  message \"too high\"\n  when    ratio > 2\n}\n";
    let engine = load(&[("rules/lib/ratios.bylaw", lib), ("rules/q.bylaw", policy)]).unwrap();
    let decide = |b: &str| {
        let s = format!(r#"{{"request": {{"a": 10, "b": {b}}}}}"#);
        engine
            .decide_bytes(s.as_bytes(), bylaw::input::Format::Json, "case.json")
            .unwrap()
    };
    let d = decide("0");
    let e = &d.errors[0];
    assert_eq!(e.source.as_ref().unwrap().to_string(), "rules/q.bylaw:7");
    let origin = e.origin.as_ref().unwrap();
    assert_eq!(origin.to_string(), "rules/lib/ratios.bylaw:3");
    assert_eq!(origin.span().text(), "request.a / request.b");
    // Near miss: the let decides, nothing fails, no origin anywhere.
    let d = decide("2");
    assert!(d.errors.is_empty(), "{d:?}");
}
