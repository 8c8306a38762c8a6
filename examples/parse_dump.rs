#![allow(clippy::unwrap_used, clippy::expect_used)] // a checking tool: fail loudly
//! Prints a fingerprint of how each of FILES and many mutations of them parse and
//! load, to compare two builds of the parser: `parse_dump FILES... > out.txt`.
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

const INSERTS: &[&str] = &[
    "\"", "\\", "{", "}", "\n", "#", "(", ")", "[", "]", " ", "x", "-", ".", "\t", "é", "not ",
    " in ", "\\{", "\\n", "\\q", "1", "and", "==", ",", "?", "|", ":", "\r",
];

fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let step = (bounds.len() / 150).max(1);
        dump(&path, "orig", &text);
        for (k, &at) in bounds.iter().enumerate().step_by(step) {
            dump(&path, &format!("trunc{at}"), &text[..at]);
            if let Some(&next) = bounds.get(k + 1) {
                let cut = format!("{}{}", &text[..at], &text[next..]);
                dump(&path, &format!("del{at}"), &cut);
            }
            let ins = INSERTS[k % INSERTS.len()];
            let put = format!("{}{}{}", &text[..at], ins, &text[at..]);
            dump(&path, &format!("ins{at}"), &put);
        }
    }
}

fn dump(path: &str, case: &str, text: &str) {
    let source = bylaw::syntax::Source::new(path, text);
    let parsed = match bylaw::syntax::parse_policy(&source) {
        Ok(p) => format!("ok {:x}", fingerprint(&format!("{p:#?}"))),
        Err(e) => format!("err {e}"),
    };
    let loaded = match bylaw::Engine::from_sources([(path.to_string(), text.to_string())]) {
        Ok(_) => "loaded".to_string(),
        Err(e) => format!("{:x}", fingerprint(&format!("{e:?} {e}"))),
    };
    println!("{path} {case}: {loaded} {}", parsed.replace('\n', "\\n"));
}

fn fingerprint(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}
