//! Pretty JSON for decisions (`evaluate --format json`, the server's answers), written
//! directly by the writer of [`super::json`] with the pretty printer's whitespace. It
//! is byte-for-byte `serde_json::to_string_pretty` (tested below and in
//! `tests/it/render_json.rs`): the compact writer matches `serde_json::to_vec`, and
//! serde_json's `PrettyFormatter` only adds whitespace, which this adds the same way.
//! serde_json's own pretty printer walks the decision through `Serialize` and checks
//! every byte of text for escapes one at a time; writing compact JSON and indenting it
//! afterwards cost a second pass and a second buffer (on a server's request path, the
//! indenting alone was 7% of the server's CPU).

use crate::decision::Decision;

/// Appends `d` as `serde_json::to_string_pretty` writes it (no line end after it).
pub fn write_decision(out: &mut Vec<u8>, d: &Decision) {
    super::json::write_decision_pretty(out, d);
}

#[cfg(test)]
mod tests {
    use crate::value::Value;

    fn pretty(v: &Value) -> String {
        let mut out = Vec::new();
        super::super::json::value_pretty(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    fn compact(v: &Value) -> String {
        let mut out = Vec::new();
        super::super::json::value(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn values_are_written_as_serde_json_pretty_prints_them() {
        let cases = [
            r#"{}"#,
            r#"[]"#,
            r#"{"a":[],"b":{},"c":[1,{"d":null}],"e":"x"}"#,
            r#"[[[]],[{}],"",true,false]"#,
            r#"{"k:,{}[]\"\\":"v\":,{[\\","n":[{"x":{"y":{"z":[0]}}}]}"#,
            r#"{"esc":"\u0000\n\t\\\"","uni":"é漢🎉"}"#,
            "{\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
        ];
        for c in cases {
            // A snapshot is a record: each case is the value of one.
            let text = format!("{{\"v\":{c}}}");
            let v = crate::input::load_str(&text, crate::input::Format::Json, "case").unwrap();
            let serde = serde_json::to_value(&v).unwrap();
            assert_eq!(compact(&v), serde_json::to_string(&serde).unwrap(), "{c}");
            assert_eq!(
                pretty(&v),
                serde_json::to_string_pretty(&serde).unwrap(),
                "{c}"
            );
        }
    }

    #[test]
    fn a_near_miss_an_empty_container_stays_on_its_line() {
        // `[]` and `{}` are not opened onto a line of their own, a full one is.
        let v = crate::input::load_str(r#"{"a":[],"b":[{}]}"#, crate::input::Format::Json, "x")
            .unwrap();
        assert_eq!(pretty(&v), "{\n  \"a\": [],\n  \"b\": [\n    {}\n  ]\n}");
    }
}
