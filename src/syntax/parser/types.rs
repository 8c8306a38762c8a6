//! Types as written (`integer 1..28 | "none"`, `string matching "…"`) and kind tests
//! (`x is number`): a part of [`super`], apart for its size.

use pest::iterators::Pair;
use rust_decimal::Decimal;

use super::{first_inner, next, Ctx, ParseError, Result, Rule};
use crate::syntax::ast::KindTest;
use crate::syntax::span::Span;
use crate::syntax::types::{Refinement, TypeExpr, TypeExprKind};

impl Ctx<'_> {
    pub(super) fn type_expr(&self, pair: Pair<'_, Rule>) -> Result<TypeExpr> {
        let span = self.span(&pair);
        let (mut optional, mut fixed, mut required_when) = (false, false, None);
        let mut alternatives = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::fixed_mark => fixed = true,
                Rule::optional => optional = true,
                Rule::required_when => {
                    let cond = p.into_inner().find(|c| c.as_rule() == Rule::expr);
                    if let Some(cond) = cond {
                        required_when = Some(Box::new(self.expr(cond)?));
                    }
                }
                _ => alternatives.push(self.type_atom(p)?),
            }
        }
        let kind = if alternatives.len() == 1 {
            alternatives.pop().map(|t| t.kind)
        } else if alternatives
            .iter()
            .all(|t| matches!(&t.kind, TypeExprKind::Enum(v) if v.len() == 1))
        {
            // Only strings: an enumeration, as it always was.
            let values = alternatives.into_iter().flat_map(|t| match t.kind {
                TypeExprKind::Enum(v) => v,
                _ => Vec::new(),
            });
            Some(TypeExprKind::Enum(values.collect()))
        } else {
            Some(TypeExprKind::Union(alternatives))
        };
        let kind = kind.ok_or_else(|| ParseError::at(&span, "expected a type"))?;
        Ok(TypeExpr {
            kind,
            optional,
            fixed,
            required_when,
            span,
        })
    }

    /// One alternative of a type: no `?`, no `fixed` of its own.
    fn type_atom(&self, atom: Pair<'_, Rule>) -> Result<TypeExpr> {
        let span = self.span(&atom);
        let kind = match atom.as_rule() {
            Rule::type_name => {
                let mut inner = atom.into_inner();
                let name = self.ident(next(&mut inner, self.source)?);
                match inner.next() {
                    None => TypeExprKind::Named(name),
                    Some(r) => TypeExprKind::Refined(name, self.refinement(r)?),
                }
            }
            Rule::literal_type => {
                TypeExprKind::Enum(vec![self.string(first_inner(atom, self.source)?)])
            }
            Rule::list_type => {
                TypeExprKind::List(Box::new(self.type_expr(first_inner(atom, self.source)?)?))
            }
            Rule::record_type => TypeExprKind::Record(self.fields(atom)?),
            _ => return Err(self.err(&atom, "expected a type")),
        };
        Ok(TypeExpr {
            kind,
            optional: false,
            fixed: false,
            required_when: None,
            span,
        })
    }

    fn refinement(&self, pair: Pair<'_, Rule>) -> Result<Refinement> {
        let span = self.span(&pair);
        if pair.as_rule() == Rule::matching {
            return Ok(Refinement::Matching(
                self.string(first_inner(pair, self.source)?),
            ));
        }
        // `..` is not a pair: a bound before it is the first, one after it the second.
        let (mut min, mut max) = (None, None);
        for b in pair.into_inner() {
            let before = b.as_span().start() < span.start + pair_dots(&span);
            let n = b.as_str().parse::<Decimal>().map_err(|_| {
                self.err(
                    &b,
                    format!("`{}` is not a number bylaw can hold exactly", b.as_str()),
                )
            })?;
            if before {
                min = Some(n);
            } else {
                max = Some(n);
            }
        }
        Ok(Refinement::Range { min, max, span })
    }

    /// `is KIND` after an operand.
    pub(super) fn kind_test(&self, pair: Pair<'_, Rule>) -> Result<KindTest> {
        let Some(test) = pair.into_inner().nth(1) else {
            return Err(ParseError::at(
                &Span::new(self.source, 0, 0),
                "expected a kind after `is`",
            ));
        };
        let Some(t) = test.into_inner().next() else {
            return Err(ParseError::at(
                &Span::new(self.source, 0, 0),
                "expected a kind after `is`",
            ));
        };
        Ok(match t.as_rule() {
            Rule::string => KindTest::Literal(self.string(t).value.into()),
            Rule::null => KindTest::Null,
            _ => match KindTest::named(t.as_str()) {
                Some(k) => k,
                None => {
                    let hint = match t.as_str() {
                        "decimal" => {
                            "write `is number`: integers and decimals are numbers".to_string()
                        }
                        "time" => "did you mean `timestamp`?".to_string(),
                        "bool" | "boolean" => "did you mean `bool`?".to_string(),
                        "map" | "object" => "did you mean `record`?".to_string(),
                        "array" => "did you mean `list`?".to_string(),
                        _ => format!(
                            "the kinds are {}, null, or a string such as \"none\"",
                            KindTest::NAMES.join(", ")
                        ),
                    };
                    return Err(self.err(&t, format!("unknown kind `{}`; {hint}", t.as_str())));
                }
            },
        })
    }
}

/// Where `..` starts in a range's text, from the range's start.
fn pair_dots(span: &Span) -> usize {
    span.text().find("..").unwrap_or(0)
}
