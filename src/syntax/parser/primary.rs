//! The primary expressions (literals, names and calls, lists, records, `if`,
//! quantifiers, `match`): a part of [`super`], apart for its size.

use super::*;

impl Ctx<'_> {
    pub(super) fn primary(&self, pair: Pair<'_, Rule>) -> Result<(Expr, usize)> {
        let span = self.span(&pair);
        // The deepest child built so far.
        let kids = Cell::new(0usize);
        let sub = |p: Pair<'_, Rule>| -> Result<Expr> {
            let (e, d) = self.expr_d(p)?;
            kids.set(kids.get().max(d));
            Ok(e)
        };
        let kind = match pair.as_rule() {
            // Parentheses only group: the expression keeps its own span.
            Rule::paren => return self.expr_d(first_inner(pair, self.source)?),
            Rule::null => ExprKind::Null,
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::number => ExprKind::Number(self.decimal(&pair, pair.as_str())?),
            Rule::money => {
                let mut inner = pair.clone().into_inner();
                let amount = next(&mut inner, self.source)?;
                let currency = next(&mut inner, self.source)?;
                let Some(code) = crate::value::currency::Currency::new(currency.as_str()) else {
                    return Err(self.err(
                        &currency,
                        format!(
                            "`{}` is not an ISO 4217 currency code (such as `USD` or `CNY`)",
                            currency.as_str()
                        ),
                    ));
                };
                ExprKind::Money(self.decimal(&amount, amount.as_str())?, code)
            }
            Rule::duration => ExprKind::Duration(
                parse_duration(pair.as_str())
                    .ok_or_else(|| self.err(&pair, "this duration is too long"))?,
            ),
            Rule::timestamp => {
                ExprKind::Time(crate::input::rfc3339_exact(pair.as_str()).map_err(|e| {
                    self.err(
                        &pair,
                        format!("`{}` is not a valid time: {e}", pair.as_str()),
                    )
                    .of_kind(ParseKind::InvalidTime)
                })?)
            }
            Rule::string => ExprKind::String(self.string(pair).value.into()),
            // The pair may end in the white space read while looking for arguments.
            Rule::name if pair.clone().into_inner().nth(1).is_none() => {
                ExprKind::Name(first_inner(pair, self.source)?.as_str().to_string())
            }
            // `name` with arguments (a `call`), or a list.
            Rule::name | Rule::list => {
                let mut inner: Vec<Pair<'_, Rule>> = pair.clone().into_inner().collect();
                let name = if pair.as_rule() == Rule::name {
                    let name = self.ident(inner.remove(0));
                    let args = inner
                        .pop()
                        .ok_or_else(|| self.err(&pair, "expected a call"))?;
                    inner = args.into_inner().collect();
                    Some(name)
                } else {
                    None
                };
                let for_clause = match inner.last() {
                    Some(p) if p.as_rule() == Rule::for_clause => inner.pop(),
                    _ => None,
                };
                match (for_clause, name) {
                    (None, None) => {
                        ExprKind::List(inner.into_iter().map(&sub).collect::<Result<_>>()?)
                    }
                    (None, Some(name)) => {
                        ExprKind::Call(name, inner.into_iter().map(&sub).collect::<Result<_>>()?)
                    }
                    (Some(clause), name) => {
                        let collect = match &name {
                            None => Collect::List,
                            Some(n) if n.name == "sum" => Collect::Sum,
                            Some(n) => {
                                return Err(ParseError::at(
                                    &n.span,
                                    format!(
                                        "`{}` cannot take `for`: only `sum(E for x in LIST)` and `[E for x in LIST]` can",
                                        n.name
                                    ),
                                ))
                            }
                        };
                        let body = sub(inner.remove(0))?;
                        let mut parts = clause.into_inner();
                        let var = self.ident(next(&mut parts, self.source)?);
                        let list = sub(next(&mut parts, self.source)?)?;
                        let filter = match parts.next() {
                            Some(p) => Some(Box::new(sub(first_inner(p, self.source)?)?)),
                            None => None,
                        };
                        ExprKind::Comprehension(
                            collect,
                            Box::new(body),
                            var,
                            Box::new(list),
                            filter,
                        )
                    }
                }
            }
            Rule::if_expr => {
                let mut inner = pair.into_inner();
                let c = sub(next(&mut inner, self.source)?)?;
                let a = sub(next(&mut inner, self.source)?)?;
                let b = sub(next(&mut inner, self.source)?)?;
                ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
            }
            Rule::quantifier => {
                let mut inner = pair.clone().into_inner();
                let kind = next(&mut inner, self.source)?;
                let q = match kind.as_str() {
                    "any" => Quantifier::Any,
                    "all" => Quantifier::All,
                    _ => Quantifier::Count,
                };
                let var = self.ident(next(&mut inner, self.source)?);
                let _in = next(&mut inner, self.source)?;
                let list = sub(next(&mut inner, self.source)?)?;
                let Some(filter) = inner.next() else {
                    return Err(self.err(
                        &pair,
                        format!(
                            "`{}({} in …)` needs a condition: write `{}({} in LIST where CONDITION)`",
                            kind.as_str(),
                            var.name,
                            kind.as_str(),
                            var.name
                        ),
                    ));
                };
                let body = sub(first_inner(filter, self.source)?)?;
                ExprKind::Quantifier(q, var, Box::new(list), Box::new(body))
            }
            Rule::record => ExprKind::Record(
                pair.into_inner()
                    .map(|f| {
                        let mut parts = f.into_inner();
                        let name = self.ident(next(&mut parts, self.source)?);
                        Ok((name, sub(next(&mut parts, self.source)?)?))
                    })
                    .collect::<Result<_>>()?,
            ),
            Rule::match_expr => {
                let mut m = Match {
                    subject: None,
                    arms: Vec::new(),
                    otherwise: None,
                };
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::match_subject => m.subject = Some(sub(first_inner(p, self.source)?)?),
                        Rule::match_arm => {
                            let mut parts: Vec<Expr> = p
                                .into_inner()
                                .filter(|x| x.as_rule() != Rule::arrow)
                                .map(&sub)
                                .collect::<Result<_>>()?;
                            let value = parts
                                .pop()
                                .ok_or_else(|| ParseError::at(&span, "incomplete arm"))?;
                            m.arms.push(Arm {
                                patterns: parts,
                                value,
                            });
                        }
                        Rule::match_else => {
                            let value = p.into_inner().find(|x| x.as_rule() != Rule::arrow);
                            let value =
                                value.ok_or_else(|| ParseError::at(&span, "incomplete `else`"))?;
                            m.otherwise = Some(sub(value)?);
                        }
                        _ => {}
                    }
                }
                ExprKind::Match(Box::new(m))
            }
            _ => return Err(self.err(&pair, "expected an expression")),
        };
        let depth = self.node(&span, kids.get())?;
        Ok((Expr::new(kind, span), depth))
    }
    pub(super) fn decimal(&self, pair: &Pair<'_, Rule>, text: &str) -> Result<Decimal> {
        self.limits.check_decimal_text(text).map_err(|m| {
            self.err(pair, m).of_kind(ParseKind::TooManyDigits {
                max: self.limits.decimal_digits(),
            })
        })?;
        Decimal::from_str_exact(text).map_err(|_| {
            self.err(
                pair,
                format!(
                    "`{}` has more digits than a decimal holds (28); it would be rounded",
                    shorten(text)
                ),
            )
        })
    }
}
