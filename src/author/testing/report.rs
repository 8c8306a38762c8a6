//! The outcome of a test run, and its two renderings: text for authors, JSON for
//! machines. The text ends with the line `N passed, N failed`.

use std::fmt::Write as _;

use serde::Serialize;

use super::coverage::Coverage;
use crate::decision::Decision;
use crate::report::diagnostic::Diagnostic;
use crate::syntax::Span;

/// Every case run, and the totals.
#[derive(Debug, Default)]
pub struct Report {
    /// Per test file.
    pub files: Vec<FileReport>,
    /// Cases whose expectations all held.
    pub passed: usize,
    /// Cases that failed, plus test files that could not be read.
    pub failed: usize,
    /// What coverage recorded, when asked for.
    pub coverage: Option<Coverage>,
    /// Remarks on the run itself (a filter that selected nothing).
    pub notes: Vec<String>,
}

/// The cases of one test file.
#[derive(Debug)]
pub struct FileReport {
    /// The file as shown.
    pub file: String,
    /// Problems with the file as a whole.
    pub errors: Vec<Diagnostic>,
    /// The cases run (after `--filter`).
    pub cases: Vec<CaseReport>,
}

/// One case's outcome.
#[derive(Debug)]
pub struct CaseReport {
    /// The case's name.
    pub name: String,
    /// `file:line` of the case.
    pub location: String,
    /// Problems in how the case is written.
    pub problems: Vec<Diagnostic>,
    /// Expectations that did not hold.
    pub failures: Vec<Failure>,
    /// The decision, when the case ran.
    pub decision: Option<Decision>,
}

impl CaseReport {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.failures.is_empty()
    }
}

/// An expectation that did not hold.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// What was expected of what (`decision`, `` `unsubscribe.x` must match ``).
    pub what: String,
    /// `file:line:col` of the expectation.
    pub at: String,
    /// The expected side.
    pub expected: String,
    /// What the decision said.
    pub actual: String,
    /// Why: messages, evidence, reasons.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A line diff of expected and actual values (`-` expected, `+` actual).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

impl Failure {
    /// A failure of the expectation written at `span`.
    pub fn new(
        what: impl Into<String>,
        span: &Span,
        expected: impl Into<String>,
        actual: impl Into<String>,
        notes: Vec<String>,
    ) -> Failure {
        Failure {
            what: what.into(),
            at: span.location_col(),
            expected: expected.into(),
            actual: actual.into(),
            notes,
            diff: None,
        }
    }
}

/// How to render text.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// ANSI colours.
    pub color: bool,
    /// Leave out the passing cases.
    pub quiet: bool,
}

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

impl Report {
    /// Whether every case passed (coverage aside).
    pub fn ok(&self) -> bool {
        self.failed == 0
    }

    /// `N passed, N failed`.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed)
    }

    /// The text rendering, summary line last.
    pub fn text(&self, opts: TextOptions) -> String {
        let mut out = String::new();
        let c = opts.color;
        for f in &self.files {
            for d in &f.errors {
                let _ = writeln!(out, "{} {}", paint(c, "1;31", "FAIL"), f.file);
                out.push_str(&indent(&d.render(c), "  "));
            }
            for case in &f.cases {
                if case.passed() {
                    if !opts.quiet {
                        let _ = writeln!(
                            out,
                            "{}   {}: {}",
                            paint(c, "32", "ok"),
                            case.location,
                            case.name
                        );
                    }
                    continue;
                }
                let _ = writeln!(
                    out,
                    "{} {}: {}",
                    paint(c, "1;31", "FAIL"),
                    case.location,
                    case.name
                );
                for d in &case.problems {
                    out.push_str(&indent(&d.render(c), "  "));
                }
                for fail in &case.failures {
                    let _ = writeln!(out, "  {}  ({})", paint(c, "1", &fail.what), fail.at);
                    let _ = writeln!(out, "    expected: {}", paint(c, "32", &fail.expected));
                    let _ = writeln!(out, "    actual:   {}", paint(c, "31", &fail.actual));
                    for n in &fail.notes {
                        let _ = writeln!(out, "      {n}");
                    }
                    if let Some(d) = &fail.diff {
                        let _ = writeln!(out, "    diff (- expected, + actual):");
                        for line in d.lines() {
                            let line = if line.starts_with('-') {
                                paint(c, "32", line)
                            } else if line.starts_with('+') {
                                paint(c, "31", line)
                            } else {
                                line.to_string()
                            };
                            let _ = writeln!(out, "      {line}");
                        }
                    }
                }
            }
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {n}");
        }
        if let Some(cov) = &self.coverage {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&cov.text(c));
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// The JSON rendering.
    pub fn json(&self) -> serde_json::Value {
        let files: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|f| {
                let cases: Vec<serde_json::Value> = f
                    .cases
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "name": c.name,
                            "location": c.location,
                            "passed": c.passed(),
                            "decision": c.decision.as_ref().map(|d| d.decision),
                            "failures": c.failures,
                            "problems": c.problems.iter().map(diagnostic_json).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                serde_json::json!({
                    "file": f.file,
                    "errors": f.errors.iter().map(diagnostic_json).collect::<Vec<_>>(),
                    "cases": cases,
                })
            })
            .collect();
        serde_json::json!({
            "passed": self.passed,
            "failed": self.failed,
            "files": files,
            "notes": self.notes,
            "coverage": self.coverage,
        })
    }
}

/// A diagnostic for machines: message, `file:line:col`, hint.
pub(crate) fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    serde_json::json!({
        "message": d.message,
        "location": d.location(),
        "hint": d.shown_hint(),
    })
}

fn indent(text: &str, by: &str) -> String {
    let mut s = String::new();
    for line in text.lines() {
        if line.is_empty() {
            s.push('\n');
        } else {
            let _ = writeln!(s, "{by}{line}");
        }
    }
    s
}
