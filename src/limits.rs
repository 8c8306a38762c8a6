//! Limits on hostile input: every input gets a decision or a clear error, quickly,
//! and nothing it holds can exhaust the stack or the memory.
//!
//! One struct for all of them, so a caller can tighten or loosen them in one place;
//! `docs/robustness.md` lists each with its default and why.

/// The steps one decision may take before it is stopped (a guard against huge lists).
pub const DEFAULT_MAX_STEPS: u64 = 10_000_000;

/// How deep evaluation may recurse (expressions in expressions, through `let`s).
pub const DEFAULT_MAX_DEPTH: usize = 100;

/// The largest snapshot read by default, in bytes (one JSONL line included).
pub const DEFAULT_MAX_SNAPSHOT_BYTES: usize = 16 * 1024 * 1024;

/// How much input the engine accepts, and how much work a decision may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest snapshot, in bytes.
    pub max_snapshot_bytes: usize,
    /// Deepest nesting of lists and records in a snapshot (the top-level record is 1).
    pub max_fact_depth: usize,
    /// Longest string (or record key) in a snapshot, in bytes.
    pub max_string_bytes: usize,
    /// Most elements in one list of a snapshot.
    pub max_list_len: usize,
    /// Most values (records, lists, scalars, keys) a snapshot may be read into.
    pub max_fact_values: usize,
    /// How many times its own size a snapshot may grow to when read: only YAML
    /// aliases (`*name`) make a document larger than its text.
    pub max_alias_expansion: usize,
    /// Most significant digits of a decimal (a number or an amount); at most 28,
    /// what the decimal type holds. More is an error, never a rounding.
    pub max_decimal_digits: usize,
    /// Largest rule file, in bytes.
    pub max_rule_bytes: usize,
    /// Deepest nesting of a rule expression: brackets and `if` while parsing, and
    /// the depth of the expression tree built from it.
    pub max_expr_depth: usize,
    /// Evaluation steps one decision may take (each expression evaluated, and each
    /// element an operator goes through, is a step).
    pub max_steps: u64,
    /// Deepest evaluation (expressions within expressions, through `let`s).
    pub max_eval_depth: usize,
}

/// The decimal type's capacity: 96-bit mantissa, 28 digits always fit.
pub const DECIMAL_CAPACITY: usize = 28;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_snapshot_bytes: DEFAULT_MAX_SNAPSHOT_BYTES,
            max_fact_depth: 32,
            max_string_bytes: 1024 * 1024,
            max_list_len: 100_000,
            max_fact_values: 1_000_000,
            max_alias_expansion: 10,
            max_decimal_digits: DECIMAL_CAPACITY,
            max_rule_bytes: 1024 * 1024,
            max_expr_depth: 64,
            max_steps: DEFAULT_MAX_STEPS,
            max_eval_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl Limits {
    /// The most significant digits a decimal may have: `max_decimal_digits`, at most
    /// what the decimal type holds.
    pub fn decimal_digits(&self) -> usize {
        self.max_decimal_digits.min(DECIMAL_CAPACITY)
    }

    /// Checks the significant digits of a decimal's text (`-0012.500` has 5: leading
    /// zeros do not count; trailing ones do, they are part of the written scale).
    pub fn check_decimal_text(&self, text: &str) -> Result<(), String> {
        let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let significant = digits.trim_start_matches('0').len().max(1);
        let max = self.decimal_digits();
        if significant > max {
            return Err(format!(
                "`{}` has {significant} significant digits, more than the {max} a decimal may have; it would be rounded",
                shorten(text)
            ));
        }
        Ok(())
    }
}

/// Long input quoted in a message: its start, and how long it was.
pub fn shorten(text: &str) -> String {
    const SHOWN: usize = 40;
    if text.len() <= SHOWN + 10 {
        return text.to_string();
    }
    let mut end = SHOWN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_significant_digits() {
        let l = Limits::default();
        assert!(l
            .check_decimal_text("0000000000000000000000000000000001.5")
            .is_ok());
        assert!(l.check_decimal_text("1234567890123456789012345678").is_ok());
        let e = l
            .check_decimal_text("12345678901234567890123456789")
            .unwrap_err();
        assert!(e.contains("29 significant digits"), "{e}");
        let tight = Limits {
            max_decimal_digits: 4,
            ..Limits::default()
        };
        assert!(tight.check_decimal_text("12.34").is_ok());
        assert!(tight.check_decimal_text("12.345").is_err());
    }

    #[test]
    fn shortens_long_text_on_a_char_boundary() {
        let s = "é".repeat(100);
        let short = shorten(&s);
        assert!(short.ends_with("(200 bytes)"), "{short}");
    }
}
