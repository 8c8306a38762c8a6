//! Checks on a YAML snapshot's text before the YAML parser reads it, for what the
//! parser would hide (a float's written digits, a `!!binary` tag) or take too long
//! over (deeply nested flow brackets). Each errs on the side of refusing.

/// The line where YAML flow brackets (`[`, `{`) nest deeper than `max`, if they do.
/// The YAML parser takes time quadratic in that depth (20,000 levels: seconds), so
/// deep text is refused before it is parsed. A light lexer: quoted scalars and
/// comments are skipped; outside brackets, a bracket opens a collection only where
/// a node starts (`a: [`, `- [`), elsewhere it is text of a plain scalar (`a: x[1]`).
pub(crate) fn flow_too_deep(text: &str, max: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut line = 1;
    let mut prev = '\n';
    // Outside brackets: whether a node may start here.
    let mut node_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let after_space = prev.is_whitespace();
        let quote_ok = after_space || matches!(prev, '[' | '{' | ',' | ':');
        match c {
            '\n' => {
                line += 1;
                node_start = true;
            }
            _ if c.is_whitespace() => {}
            '#' if after_space => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        line += 1;
                        break;
                    }
                }
                node_start = true;
                prev = '\n';
                continue;
            }
            '"' | '\'' if quote_ok && (depth > 0 || node_start) => {
                let mut escaped = false;
                for d in chars.by_ref() {
                    if d == '\n' {
                        line += 1;
                    }
                    match d {
                        _ if escaped => escaped = false,
                        '\\' if c == '"' => escaped = true,
                        _ if d == c => break,
                        _ => {}
                    }
                }
                // `''` inside single quotes is a quote: the scalar goes on, and
                // reading it as two scalars side by side changes no bracket.
                node_start = false;
                prev = c;
                continue;
            }
            '[' | '{' if depth > 0 || node_start => {
                depth += 1;
                if depth > max {
                    return Some(line);
                }
            }
            ']' | '}' if depth > 0 => depth -= 1,
            // `- `, `? ` and `: ` start a node; so does the end of a flow collection's
            // last entry, for what follows.
            '-' | '?' | ':' if chars.peek().is_none_or(|d| d.is_whitespace()) => {
                node_start = true;
            }
            _ => {
                if depth == 0 {
                    node_start = false;
                }
            }
        }
        prev = c;
    }
    None
}

/// The line of a `!!binary` tag, if the text has one. serde_yaml hands the base64
/// text over as a plain string, so the tag is looked for in the text (anywhere a
/// tag can start: a string that merely mentions it is refused too, which is safe).
pub fn binary_tag(text: &str) -> Option<usize> {
    let at = ["!!binary", "tag:yaml.org,2002:binary"]
        .iter()
        .filter_map(|t| text.find(t))
        .min()?;
    Some(text[..at].matches('\n').count() + 1)
}

/// YAML reads a number with a point or an exponent as a binary float, which keeps
/// about 15 significant digits: `2000.0000000000000001` arrives as `2000`. The
/// written text is gone by then, so the numbers in the text with more digits are
/// found beforehand, and a float equal to one of them is refused. Crude on purpose
/// (it also looks inside strings and comments): it can only refuse a float that
/// equals such a number, never accept a rounded one. Used by the serde reader, which
/// words the YAML reader's refusals as they were worded (`yaml_reader.rs` checks each
/// float's own written digits).
pub(crate) fn long_numbers(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let is_part = |c: char| c.is_ascii_digit() || matches!(c, '.' | '_' | 'e' | 'E' | '+' | '-');
    for token in text.split(|c: char| !is_part(c)) {
        let token: String = token.chars().filter(|&c| c != '_').collect();
        let mantissa = token.split(['e', 'E']).next().unwrap_or("");
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        if digits.trim_start_matches('0').len() <= 15 {
            continue;
        }
        let token = token.trim_start_matches('+');
        if let Ok(v) = token.parse::<f64>() {
            out.push(v.to_bits());
            out.push((-v).to_bits());
        }
    }
    out
}
