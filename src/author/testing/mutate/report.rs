//! The mutation report, as text for authors and JSON for tools.

use std::fmt::Write as _;

use super::{Fate, MutationReport};

impl MutationReport {
    /// The closing line: `mutants: N, killed K, survived S, … kill rate R%`.
    pub fn summary(&self) -> String {
        format!(
            "mutants: {} — {} killed, {} survived, {} equivalent, {} invalid; kill rate {:.1}%",
            self.mutants.len(),
            self.killed(),
            self.survived(),
            self.equivalent(),
            self.invalid(),
            self.kill_rate()
        )
    }

    /// The report for people: survivors first (each with the case that would kill
    /// it), then the equivalent and stale declarations; with `verbose`, every mutant;
    /// then, after a blank line, the [`summary`](Self::summary).
    pub fn text(&self, verbose: bool) -> String {
        let mut out = self.details(verbose);
        let _ = writeln!(out, "\n{}", self.summary());
        out
    }

    /// [`text`](Self::text) without its summary, for a caller that adds lines before it.
    pub fn details(&self, verbose: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "each mutant was run against {} test cases and golden decisions",
            self.cases
        );
        for s in &self.skipped {
            let _ = writeln!(out, "not used: {s}");
        }
        let survivors: Vec<_> = self
            .mutants
            .iter()
            .filter(|m| m.fate == Fate::Survived)
            .collect();
        if !survivors.is_empty() {
            let _ = writeln!(out, "\nsurvived (no test notices the edit):");
            for m in survivors {
                let _ = writeln!(out, "  {}  {}  ({})", m.at, m.edit, m.owner);
                let _ = writeln!(out, "      to kill it: {}", m.hint);
            }
        }
        let equivalent: Vec<_> = self
            .mutants
            .iter()
            .filter_map(|m| match &m.fate {
                Fate::Equivalent { reason } => Some((m, reason)),
                _ => None,
            })
            .collect();
        if !equivalent.is_empty() {
            let _ = writeln!(out, "\nequivalent (declared; no test can notice them):");
            for (m, reason) in equivalent {
                let _ = writeln!(out, "  {}  {}  ({})", m.at, m.edit, m.owner);
                let _ = writeln!(out, "      because {reason}");
            }
        }
        if !self.stale.is_empty() {
            let _ = writeln!(
                out,
                "\nstale declarations (no surviving mutant matches them: remove them):"
            );
            for d in &self.stale {
                let _ = writeln!(out, "  {}  {}", d.at, d.edit);
            }
        }
        if verbose {
            let _ = writeln!(out, "\nevery mutant:");
            for m in &self.mutants {
                let fate = match &m.fate {
                    Fate::Killed { by } => format!("killed by {by}"),
                    Fate::Survived => "SURVIVED".into(),
                    Fate::Equivalent { .. } => "equivalent".into(),
                    Fate::Invalid { reason } => format!("invalid: {reason}"),
                };
                let _ = writeln!(out, "  {}  {}  — {fate}", m.at, m.edit);
            }
        }
        out
    }

    /// The report for tools: the counts, and every mutant with its fate.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "mutants": self.mutants.len(),
            "killed": self.killed(),
            "survived": self.survived(),
            "equivalent": self.equivalent(),
            "invalid": self.invalid(),
            "kill_rate": self.kill_rate(),
            "cases": self.cases,
            "skipped": self.skipped,
            "stale": self.stale,
            "results": self.mutants,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bylaw test --mutate --min-kill-rate` puts its line between the details and the
    /// summary from the two parts, not by cutting the rendered text at its last line.
    #[test]
    fn the_text_is_the_details_then_the_summary() {
        let report = MutationReport {
            cases: 3,
            skipped: vec!["a.jsonl: JSONL\nover two lines".into()],
            ..MutationReport::default()
        };
        for verbose in [false, true] {
            assert_eq!(
                report.text(verbose),
                format!("{}\n{}\n", report.details(verbose), report.summary())
            );
        }
    }
}
