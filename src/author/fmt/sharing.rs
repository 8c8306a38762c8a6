//! Printing `use` clauses and `type` items (docs/language.md, "Sharing definitions").

use super::{tidy_block, Body, Unit};
use crate::syntax::ast::Policy;

/// A unit for each `use` and `type`: a `use` on one line, names as written in order; a
/// `type` with its type laid out as its author wrote it, like a typed `facts` block.
pub(super) fn units<'a>(p: &'a Policy, units: &mut Vec<Unit<'a>>) {
    for u in &p.uses {
        let names: Vec<&str> = u.names.iter().map(|n| n.name.as_str()).collect();
        let text = format!("use {}.{{{}}}", u.library.name, names.join(", "));
        units.push(Unit::new(u.span.start, u.span.end, Body::Line(text)));
    }
    for t in &p.types {
        let text = format!("type {} = {}", t.name.name, tidy_block(t.ty.span.text()));
        units.push(Unit::new(t.span.start, t.span.end, Body::Line(text)));
    }
}
