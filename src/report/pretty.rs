//! Pretty JSON for decisions (`evaluate --format json`, the server's answers), written
//! by the direct writer of [`super::json`] and then indented. serde_json's pretty
//! printer walks the decision through `Serialize` and checks every byte of text for
//! escapes one at a time; on a server's request path that was as costly as the
//! decision. Indenting compact JSON is one pass over bytes, and the result is
//! byte-for-byte `serde_json::to_string_pretty` (tested below and in
//! `tests/it/render_json.rs`): the compact writer matches `serde_json::to_vec`, and
//! serde_json's `PrettyFormatter` only adds whitespace, which this adds the same way.

use std::cell::RefCell;

use crate::decision::Decision;

/// Appends `d` as `serde_json::to_string_pretty` writes it (no line end after it).
pub fn write_decision(out: &mut Vec<u8>, d: &Decision) {
    thread_local! {
        // The compact text, kept between calls: a server thread writes one decision
        // after another, and this saves growing a buffer of a few KB each time.
        static COMPACT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    COMPACT.with(|cell| match cell.try_borrow_mut() {
        Ok(mut compact) => {
            compact.clear();
            super::json::write_decision(&mut compact, d);
            indent(out, &compact);
            // A rare huge decision does not keep its buffer for the thread's life.
            if compact.capacity() > 1 << 20 {
                *compact = Vec::new();
            }
        }
        // Only if writing a decision wrote one (it does not): a buffer of its own.
        Err(_) => {
            let mut compact = Vec::new();
            super::json::write_decision(&mut compact, d);
            indent(out, &compact);
        }
    });
}

/// Appends `compact` (JSON with no whitespace outside strings, as the direct writer
/// and `serde_json::to_vec` write it) indented as serde_json's `PrettyFormatter`
/// indents: two spaces a level, `": "` between a key and its value, and empty arrays
/// and objects kept as `[]` and `{}`.
pub fn indent(out: &mut Vec<u8>, compact: &[u8]) {
    out.reserve(compact.len() + compact.len() / 2);
    let mut depth = 0usize;
    // Bytes from `copied` to the current place are copied as they are, in one go.
    let mut copied = 0;
    let mut i = 0;
    while let Some(&b) = compact.get(i) {
        match b {
            b'"' => {
                // To the closing quote: strings are copied whole, escapes included.
                i += 1;
                while let Some(at) = memchr::memchr2(b'"', b'\\', compact.get(i..).unwrap_or(&[])) {
                    i += at;
                    if compact.get(i) == Some(&b'\\') {
                        i += 2;
                    } else {
                        break;
                    }
                }
                i += 1;
            }
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                if compact.get(i + 1) == Some(&close) {
                    i += 2;
                } else {
                    i += 1;
                    out.extend_from_slice(compact.get(copied..i).unwrap_or(&[]));
                    depth += 1;
                    newline(out, depth);
                    copied = i;
                }
            }
            b'}' | b']' => {
                out.extend_from_slice(compact.get(copied..i).unwrap_or(&[]));
                depth = depth.saturating_sub(1);
                newline(out, depth);
                copied = i;
                i += 1;
            }
            b',' => {
                i += 1;
                out.extend_from_slice(compact.get(copied..i).unwrap_or(&[]));
                newline(out, depth);
                copied = i;
            }
            b':' => {
                i += 1;
                out.extend_from_slice(compact.get(copied..i).unwrap_or(&[]));
                out.push(b' ');
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.extend_from_slice(compact.get(copied..).unwrap_or(&[]));
}

fn newline(out: &mut Vec<u8>, depth: usize) {
    const SPACES: &[u8; 64] = &[b' '; 64];
    out.push(b'\n');
    let mut n = depth * 2;
    while n > 0 {
        let step = n.min(SPACES.len());
        out.extend_from_slice(&SPACES[..step]);
        n -= step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretty(compact: &str) -> String {
        let mut out = Vec::new();
        indent(&mut out, compact.as_bytes());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn indents_as_serde_json_pretty_prints() {
        let cases = [
            r#"{}"#,
            r#"[]"#,
            r#"{"a":[],"b":{},"c":[1,{"d":null}],"e":"x"}"#,
            r#"[[[]],[{}],"",true,false,-1.5]"#,
            r#"{"k:,{}[]\"\\":"v\":,{[\\","n":[{"x":{"y":{"z":[0]}}}]}"#,
            r#"{"esc":"\u0000\n\t\\\"","uni":"é漢🎉"}"#,
            "{\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
        ];
        for c in cases {
            let v: serde_json::Value = serde_json::from_str(c).unwrap();
            assert_eq!(serde_json::to_string(&v).unwrap(), c, "a compact case");
            assert_eq!(pretty(c), serde_json::to_string_pretty(&v).unwrap(), "{c}");
        }
    }

    #[test]
    fn a_near_miss_a_string_ending_in_an_escaped_backslash() {
        // `"\\"` ends at its third quote-free byte: the escape is skipped whole.
        let c = r#"{"a":"\\","b":"\\\"","c":[]}"#;
        let v: serde_json::Value = serde_json::from_str(c).unwrap();
        assert_eq!(pretty(c), serde_json::to_string_pretty(&v).unwrap());
    }
}
