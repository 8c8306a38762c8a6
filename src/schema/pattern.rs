//! `string matching "…"`: patterns read as JSON Schema reads `pattern` (ECMA-262, not
//! anchored: the text must *contain* a match), run with the `regex` crate.
//!
//! The two dialects differ, so a pattern is translated, and what cannot be translated
//! exactly is refused with a way out: `.` excludes every ECMA-262 line terminator (`\n`,
//! `\r`, U+2028, U+2029), `\d` is `[0-9]` and `\w` is `[0-9A-Za-z_]` (ASCII, as in
//! ECMA-262 without the `u` flag); other letter escapes (`\s`, `\b`, `\p{…}`), inline
//! flags and groups other than `(?:…)`, and the `regex` crate's own class syntax
//! (`[[:alpha:]]`, `&&`, `--`, `~~`) are refused.

use std::sync::Arc;

/// A compiled pattern; equal when written the same.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// As written in the schema (and exported to JSON Schema).
    pub source: Arc<str>,
    regex: regex::Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Pattern {
    /// Compiles a pattern as JSON Schema would read it; the error says what to write.
    pub fn new(source: &str) -> Result<Pattern, String> {
        let translated = translate(source)?;
        let regex = regex::RegexBuilder::new(&translated)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => "the pattern is too large".to_string(),
                e => format!(
                    "not a regular expression: {}",
                    e.to_string()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .trim_start_matches("error: ")
                ),
            })?;
        Ok(Pattern {
            source: source.into(),
            regex,
        })
    }

    /// Whether the text contains a match.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

/// ECMA-262 → `regex` syntax, for the part of ECMA-262 both read alike.
fn translate(p: &str) -> Result<String, String> {
    let mut out = String::with_capacity(p.len() + 8);
    let mut in_class = false;
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err("the pattern ends in a lone `\\`".into());
                };
                match (e, in_class) {
                    ('d', false) => out.push_str("[0-9]"),
                    ('d', true) => out.push_str("0-9"),
                    ('w', false) => out.push_str("[0-9A-Za-z_]"),
                    ('w', true) => out.push_str("0-9A-Za-z_"),
                    ('n' | 't' | 'r' | 'f' | 'v', _) => {
                        out.push('\\');
                        out.push(e);
                    }
                    (e, _) if e.is_ascii_punctuation() => {
                        out.push('\\');
                        out.push(e);
                    }
                    (e, _) => {
                        return Err(format!(
                            "`\\{e}` reads differently in JSON Schema and in bylaw: write the characters it stands for in a class (`[ \\t]`, `[0-9]`)"
                        ))
                    }
                }
            }
            '(' if !in_class && chars.peek() == Some(&'?') => {
                chars.next();
                if chars.next() != Some(':') {
                    return Err(
                        "only `(?:…)` groups are allowed: no flags, lookarounds or named groups"
                            .into(),
                    );
                }
                out.push_str("(?:");
            }
            '.' if !in_class => out.push_str("[^\\n\\r\\u{2028}\\u{2029}]"),
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                // `[]` and `[^]` mean nothing / anything in ECMA-262, a `]` in `regex`.
                if chars.peek() == Some(&']') {
                    return Err("an empty class (`[]`, `[^]`) is not allowed".into());
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '[' => out.push_str("\\["),
            '&' | '-' | '~' if in_class && chars.peek() == Some(&c) => {
                return Err(format!(
                    "`{c}{c}` in a class reads differently in JSON Schema and in bylaw: escape it (`\\{c}`)"
                ));
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_search_the_text_as_json_schema_does() {
        let p = Pattern::new("^[A-Z]{3}$").unwrap();
        assert!(p.is_match("USD"));
        assert!(!p.is_match("usd"));
        assert!(!p.is_match("USDX"));
        // Not anchored unless written so.
        assert!(Pattern::new("[0-9]").unwrap().is_match("ab1"));
    }

    #[test]
    fn ecma_escapes_and_the_dot_keep_their_meaning() {
        let d = Pattern::new(r"^\d+$").unwrap();
        assert!(d.is_match("0123"));
        assert!(!d.is_match("١٢")); // Arabic-Indic digits: not `\d` in ECMA-262
        let dot = Pattern::new("^a.b$").unwrap();
        assert!(dot.is_match("a-b"));
        assert!(!dot.is_match("a\rb"));
        assert!(!dot.is_match("a\u{2028}b"));
        assert!(Pattern::new(r"^[\w-]+$").unwrap().is_match("acct-1_x"));
    }

    #[test]
    fn what_reads_differently_is_refused() {
        for p in [
            r"\s", r"\bx", r"(?i)x", "(?=x)", "[a--b]", "[]", r"\p{L}", "x\\",
        ] {
            assert!(Pattern::new(p).is_err(), "{p}");
        }
        assert!(Pattern::new("(").is_err());
        assert!(Pattern::new(r"^(?:ab|cd)\.[a-z]{2,}$").is_ok());
    }
}
