//! pest pairs → [`ast`](super::ast). One function per grammar rule.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use pest::iterators::{Pair, Pairs};
use pest::Parser as _;
use rust_decimal::Decimal;

use super::ast::*;
pub(crate) use super::lexical::parse_duration;
use super::lexical::*;
use super::span::{snippet, Source, Span};
use super::types::FieldType;
use crate::limits::{shorten, Limits};

mod keywords;
pub use keywords::Expected;
mod primary;
mod types;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/bylaw.pest"]
pub(super) struct Grammar;

/// A rule file that could not be read as a policy.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{location}: {message}\n{snippet}")]
#[non_exhaustive]
pub struct ParseError {
    /// `file:line:col`.
    pub location: String,
    /// What was wrong, in a policy author's words.
    pub message: String,
    /// The offending line with a caret.
    pub snippet: String,
    /// Where it is.
    pub span: Span,
    /// What kind of problem it is (for the hint; never read back from `message`).
    /// Boxed: errors travel in `Result`s through every parsing function.
    pub kind: Box<ParseKind>,
}

/// The kinds of [`ParseError`] a hint can tell apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseKind {
    /// Any other.
    #[default]
    Other,
    /// The grammar expected something else.
    Syntax {
        /// What it would have taken, sorted as the message names them.
        expected: Vec<Expected>,
        /// What it found.
        found: Found,
    },
    /// The file is empty.
    NoPolicy,
    /// Brackets and `if`s nested past the limit.
    TooDeep,
    /// A time literal that is not a valid time.
    InvalidTime,
    /// A decimal literal with more significant digits than allowed.
    TooManyDigits {
        /// The most allowed.
        max: usize,
    },
}

/// What the parser found where it expected something else.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Found {
    /// A word (the text up to the next white space, at most 20 characters).
    Word(String),
    /// The end of the line (an unclosed string, typically).
    EndOfLine,
    /// The end of the file.
    EndOfFile,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Word(w) => write!(f, "`{w}`"),
            Found::EndOfLine => f.write_str("the end of the line"),
            Found::EndOfFile => f.write_str("the end of the file"),
        }
    }
}

impl ParseError {
    pub(crate) fn at(span: &Span, message: impl Into<String>) -> ParseError {
        ParseError {
            location: span.location_col(),
            message: message.into(),
            snippet: snippet(span),
            span: span.clone(),
            kind: Box::new(ParseKind::Other),
        }
    }

    /// The same error, of `kind`.
    pub(crate) fn of_kind(mut self, kind: ParseKind) -> ParseError {
        *self.kind = kind;
        self
    }
}

/// The names the parser's messages give to what it expected, where a hint looks for them.
pub(crate) mod expected {
    /// A policy's first line.
    pub(crate) const POLICY_NAME: &str = "`policy NAME`";
    /// A name.
    pub(crate) const NAME: &str = "a name";
    /// A rule.
    pub(crate) const RULE: &str = "a rule (`deny`, `review`, `warn` or `effect`)";
    /// An expression.
    pub(crate) const EXPRESSION: &str = "an expression";
    /// A string literal (an expression, so left out where one is expected).
    pub(crate) const STRING: &str = "a string in double quotes";
    /// A currency code (part of a money literal, an expression).
    pub(crate) const CURRENCY: &str = "a currency code such as `USD`";
}

pub(super) type Result<T> = std::result::Result<T, ParseError>;

/// Parses one rule file with the default [`Limits`].
pub fn parse_policy(source: &Arc<Source>) -> Result<Policy> {
    parse_policy_with(source, &Limits::default())
}

/// The stack the parser runs on when the caller's has too little to spare. pest
/// recurses a few dozen frames per nesting level (large ones in a debug build), so
/// `max_expr_depth` levels need more than a test thread's 2 MiB; a thread of its own
/// makes the parser safe whatever thread calls it.
pub(super) const PARSER_STACK: usize = 64 * 1024 * 1024;

/// Stack a parse may use per level: of nesting for pest, of the expression tree for
/// the builder. Measured in a debug build: about 48 KiB per level of `[[[…]]]`, 12 KiB
/// per `not`; counting both for every level leaves room to spare.
pub(super) const STACK_PER_LEVEL: usize = 64 * 1024;

/// Stack a parse uses whatever the nesting, with room to spare.
pub(super) const STACK_BASE: usize = 512 * 1024;

/// Parses one rule file within `limits`.
///
/// On the calling thread when its stack has room for the file's nesting: starting a
/// thread costs more than parsing a small file.
pub(crate) fn parse_policy_with(source: &Arc<Source>, limits: &Limits) -> Result<Policy> {
    let nesting = check_text(source, limits)?;
    if stack_to_spare(nesting, limits) {
        return parse_checked(source, limits);
    }
    let on_thread = {
        let source = Arc::clone(source);
        let limits = limits.clone();
        std::thread::Builder::new()
            .name("bylaw-parser".into())
            .stack_size(PARSER_STACK)
            .spawn(move || parse_checked(&source, &limits))
    };
    let failed = |what: &str| {
        Err(ParseError::at(
            &Span::new(source, 0, 0),
            format!("the parser could not run: {what}"),
        ))
    };
    match on_thread {
        Ok(handle) => handle.join().unwrap_or_else(|_| failed("it stopped")),
        // No thread to be had: parse here, within the same limits.
        Err(_) => parse_checked(source, limits),
    }
}

/// Whether the calling thread's stack can take a parse of text nested `nesting`
/// deep (the builder may recurse `max_expr_depth` levels whatever the nesting).
/// Unknown stack bounds count as no.
pub(super) fn stack_to_spare(nesting: usize, limits: &Limits) -> bool {
    let levels = nesting.saturating_add(limits.max_expr_depth);
    let need = levels
        .saturating_mul(STACK_PER_LEVEL)
        .saturating_add(STACK_BASE);
    stacker::remaining_stack().is_some_and(|left| left >= need)
}

/// The checks that need no parse and little stack: size, NUL, nesting. Returns the
/// nesting depth.
pub(super) fn check_text(source: &Arc<Source>, limits: &Limits) -> Result<usize> {
    if source.text.len() > limits.max_rule_bytes {
        return Err(ParseError::at(
            &Span::new(source, 0, 0),
            format!(
                "the rule file is {} bytes, more than the limit of {} bytes",
                source.text.len(),
                limits.max_rule_bytes
            ),
        ));
    }
    if let Some(at) = source.text.find('\0') {
        return Err(ParseError::at(
            &Span::new(source, at, at + 1),
            "the file contains a NUL character: it is not a text file",
        ));
    }
    super::nesting::check_nesting(source, limits.max_expr_depth)
}

/// Parses text that passed [`check_text`].
pub(super) fn parse_checked(source: &Arc<Source>, limits: &Limits) -> Result<Policy> {
    let mut pairs =
        Grammar::parse(Rule::file, &source.text).map_err(|e| syntax_error(source, e))?;
    let file = pairs.next().ok_or_else(|| {
        ParseError::at(
            &Span::new(source, 0, 0),
            "the file is empty: expected `policy NAME`",
        )
        .of_kind(ParseKind::NoPolicy)
    })?;
    Ctx {
        source,
        limits,
        max_depth: limits.max_expr_depth,
        depth: Cell::new(0),
    }
    .file(file)
}

pub(super) fn syntax_error(source: &Arc<Source>, e: pest::error::Error<Rule>) -> ParseError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let end = source.text[pos..]
        .chars()
        .next()
        .map_or(pos, |c| pos + c.len_utf8());
    let span = Span::new(source, pos, end);
    let found = match source.text[pos..].chars().next() {
        None => Found::EndOfFile,
        Some('\n' | '\r') => Found::EndOfLine,
        Some(_) => Found::Word(
            source.text[pos..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .take(20)
                .collect(),
        ),
    };
    let (message, expected) = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let expected = keywords::expected(positives);
            let words: Vec<&str> = expected.iter().map(|e| e.what).collect();
            let message = match words.len() {
                0 => format!("unexpected {found}"),
                1 => format!("expected {}, found {found}", words[0]),
                _ => {
                    let last = words.last().copied().unwrap_or_default();
                    let rest = &words[..words.len() - 1];
                    format!("expected {} or {last}, found {found}", rest.join(", "))
                }
            };
            (message, Some(expected))
        }
        pest::error::ErrorVariant::CustomError { message } => (message.clone(), None),
    };
    let kind = match expected {
        Some(expected) if !expected.is_empty() => ParseKind::Syntax { expected, found },
        _ => ParseKind::Other,
    };
    ParseError::at(&span, message).of_kind(kind)
}

/// Grammar rules named for a policy author, not a parser writer.
pub(super) fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::policy_decl => expected::POLICY_NAME,
        Rule::title_decl => "`title`",
        Rule::source_decl => "`source`",
        Rule::facts_decl => "`facts`",
        Rule::fact_schema | Rule::record_type => "a record type (`{ name: TYPE, … }`)",
        Rule::field_type => "a field (`name: TYPE`)",
        Rule::type_expr | Rule::list_type | Rule::literal_type | Rule::type_name => {
            "a type (bool, string, integer, decimal, number, money, timestamp, duration, \"a\" | \"b\", [TYPE] or { … })"
        }
        Rule::range | Rule::range_bound => "a range (`1..28`, `0..`, `..100`)",
        Rule::matching => "`matching \"PATTERN\"`",
        Rule::kind_test => {
            "a kind (bool, integer, number, string, money, timestamp, duration, list, record, null or a string such as \"none\")"
        }
        Rule::optional => "`?`",
        Rule::fixed_mark => "`fixed`",
        Rule::required_when | Rule::required_kw => "`required when`",
        Rule::applies_decl => "`applies when`",
        Rule::for_each_decl => "`for each`",
        Rule::let_decl => "`let`",
        Rule::fn_decl => "`fn`",
        Rule::fn_param => "a parameter (`name: TYPE`)",
        Rule::record_field => "a field (`name: EXPR`)",
        Rule::match_arm => "an arm (`VALUE => EXPR`)",
        Rule::match_else => "`else =>`",
        Rule::arrow => "`=>`",
        Rule::rule_decl | Rule::rule_kind => expected::RULE,
        Rule::message_clause => "`message`",
        Rule::when_clause => "`when`",
        Rule::value_clause => "`value`",
        Rule::cites_clause => "`cites`",
        Rule::remedy_clause => "`remedy`",
        Rule::rejected_clause => "`rejected when`",
        Rule::approved_clause => "`approved by`",
        Rule::identified_by => "`identified by`",
        Rule::expr
        | Rule::paren
        | Rule::if_expr
        | Rule::quantifier
        | Rule::quant_kind
        | Rule::for_clause
        | Rule::list
        | Rule::record
        | Rule::match_expr
        | Rule::match_kw
        | Rule::name
        | Rule::boolean
        | Rule::null
        | Rule::number
        | Rule::money
        | Rule::money_amount
        | Rule::duration
        | Rule::duration_part
        | Rule::timestamp
        | Rule::op_not
        | Rule::op_neg => expected::EXPRESSION,
        Rule::op_start
        | Rule::op_or
        | Rule::op_and
        | Rule::op_in
        | Rule::op_not_in
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_default
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::is_test
        | Rule::op_is => "an operator",
        Rule::field => "`.field`",
        Rule::index => "`[index]`",
        Rule::where_filter => "`where`",
        Rule::string | Rule::string_text => expected::STRING,
        Rule::template | Rule::template_text | Rule::template_hole => "a message in double quotes",
        Rule::escape => "an escape (`\\\"`, `\\\\`, `\\n`, `\\t`, `\\{`, `\\}`)",
        Rule::currency => expected::CURRENCY,
        Rule::ident | Rule::field_name => expected::NAME,
        // Tried after every name, so not worth naming: what else may follow a name is.
        Rule::call => return None,
        _ => return None,
    })
}

pub(super) struct Ctx<'s> {
    source: &'s Arc<Source>,
    limits: &'s Limits,
    max_depth: usize,
    /// How deep the builder's own recursion is.
    depth: Cell<usize>,
}

impl Ctx<'_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(
            self.source,
            s.start(),
            tight_end(&self.source.text, s.start(), s.end()),
        )
    }

    fn err(&self, pair: &Pair<'_, Rule>, message: impl Into<String>) -> ParseError {
        ParseError::at(&self.span(pair), message)
    }

    fn file(&self, pair: Pair<'_, Rule>) -> Result<Policy> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let decl = next(&mut inner, self.source)?;
        let library = decl.as_str().starts_with("library");
        let id = self.ident(first_inner(decl, self.source)?);
        let mut policy = Policy {
            id,
            title: None,
            source_doc: None,
            facts: Vec::new(),
            schema: None,
            facts_span: None,
            applies: None,
            for_each: None,
            lets: Vec::new(),
            functions: Vec::new(),
            rules: Vec::new(),
            repeated_clauses: Vec::new(),
            library,
            uses: Vec::new(),
            types: Vec::new(),
            span,
        };
        for pair in inner {
            let here = self.span(&pair);
            let repeated = match pair.as_rule() {
                Rule::title_decl => policy
                    .title
                    .replace(self.string(first_inner(pair, self.source)?))
                    .is_some(),
                Rule::source_decl => policy
                    .source_doc
                    .replace(self.string(first_inner(pair, self.source)?))
                    .is_some(),
                Rule::facts_decl => {
                    let had = !policy.facts.is_empty() || policy.schema.is_some();
                    policy.facts_span = Some(self.span(&pair));
                    for p in pair.into_inner() {
                        if p.as_rule() == Rule::fact_schema {
                            let fields = self.fields(p)?;
                            policy.facts.extend(fields.iter().map(|f| f.name.clone()));
                            policy.schema.get_or_insert_with(Vec::new).extend(fields);
                        } else {
                            policy.facts.push(self.ident(p));
                        }
                    }
                    had
                }
                Rule::applies_decl => policy
                    .applies
                    .replace(self.expr(first_inner(pair, self.source)?)?)
                    .is_some(),
                Rule::for_each_decl => policy.for_each.replace(self.for_each(pair)?).is_some(),
                Rule::let_decl => {
                    policy.lets.push(self.let_decl(pair)?);
                    false
                }
                Rule::fn_decl => {
                    policy.functions.push(self.fn_decl(pair)?);
                    false
                }
                Rule::use_decl | Rule::type_decl => {
                    self.sharing(pair, &mut policy)?;
                    false
                }
                Rule::rule_decl => {
                    policy.rules.push(self.rule(pair)?);
                    false
                }
                Rule::EOI => false,
                _ => return Err(self.err(&pair, "unexpected text")),
            };
            if repeated {
                policy.repeated_clauses.push(here);
            }
        }
        Ok(policy)
    }

    /// `use LIB.{a, b}` and `type NAME = TYPE`.
    fn sharing(&self, pair: Pair<'_, Rule>, policy: &mut Policy) -> Result<()> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let name = self.ident(next(&mut inner, self.source)?);
        if rule == Rule::use_decl {
            let names = inner.map(|p| self.ident(p)).collect();
            policy.uses.push(Use {
                library: name,
                names,
                span,
            });
        } else {
            let ty = self.type_expr(next(&mut inner, self.source)?)?;
            policy.types.push(TypeDecl { name, ty, span });
        }
        Ok(())
    }

    fn fields(&self, pair: Pair<'_, Rule>) -> Result<Vec<FieldType>> {
        pair.into_inner()
            .map(|p| {
                let mut inner = p.into_inner();
                let name = self.ident(next(&mut inner, self.source)?);
                let ty = self.type_expr(next(&mut inner, self.source)?)?;
                Ok(FieldType { name, ty })
            })
            .collect()
    }

    fn for_each(&self, pair: Pair<'_, Rule>) -> Result<ForEach> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let var = self.ident(next(&mut inner, self.source)?);
        let list = self.expr(next(&mut inner, self.source)?)?;
        let id = match inner.next() {
            Some(p) => Some(self.expr(first_inner(p, self.source)?)?),
            None => None,
        };
        Ok(ForEach {
            var,
            list,
            id,
            span,
        })
    }

    fn fn_decl(&self, pair: Pair<'_, Rule>) -> Result<Function> {
        let span = self.span(&pair);
        let mut inner: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
        let body = inner
            .pop()
            .ok_or_else(|| ParseError::at(&span, "incomplete function"))?;
        let result = inner
            .pop()
            .ok_or_else(|| ParseError::at(&span, "incomplete function"))?;
        let mut inner = inner.into_iter();
        let name = self.ident(next_of(&mut inner, &span)?);
        let params = inner
            .map(|p| {
                let mut parts = p.into_inner();
                let name = self.ident(next(&mut parts, self.source)?);
                let ty = self.type_expr(next(&mut parts, self.source)?)?;
                Ok(Param { name, ty })
            })
            .collect::<Result<_>>()?;
        Ok(Function {
            name,
            params,
            result: self.type_expr(result)?,
            body: self.expr(body)?,
            span,
        })
    }

    fn let_decl(&self, pair: Pair<'_, Rule>) -> Result<Let> {
        let mut inner = pair.into_inner();
        let name = self.ident(next(&mut inner, self.source)?);
        let value = self.expr(next(&mut inner, self.source)?)?;
        Ok(Let { name, value })
    }

    fn rule(&self, pair: Pair<'_, Rule>) -> Result<Rule_> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let kind = match next(&mut inner, self.source)?.as_str() {
            "deny" => RuleKind::Deny,
            "review" => RuleKind::Review,
            "warn" => RuleKind::Warn,
            _ => RuleKind::Effect,
        };
        let name = self.ident(next(&mut inner, self.source)?);
        let mut clauses = Vec::new();
        for clause in inner {
            clauses.push(self.clause(clause)?);
        }
        Ok(Rule_ {
            kind,
            name,
            clauses,
            span,
        })
    }

    fn clause(&self, pair: Pair<'_, Rule>) -> Result<Clause> {
        let span = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::message_clause => {
                Clause::Message(self.template(first_inner(pair, self.source)?)?)
            }
            Rule::remedy_clause => Clause::Remedy(self.template(first_inner(pair, self.source)?)?),
            Rule::when_clause => Clause::When(self.expr(first_inner(pair, self.source)?)?),
            Rule::value_clause => Clause::Value(self.expr(first_inner(pair, self.source)?)?),
            Rule::cites_clause => Clause::Cites(self.string(first_inner(pair, self.source)?)),
            Rule::rejected_clause => Clause::Status(Box::new(StatusClause {
                status: StatusKind::Rejected,
                when: self.expr(first_inner(pair, self.source)?)?,
                span,
            })),
            Rule::approved_clause => {
                let mut inner = pair.into_inner();
                let by = self.string(next(&mut inner, self.source)?);
                let at = self.expr(next(&mut inner, self.source)?)?;
                let when = self.expr(next(&mut inner, self.source)?)?;
                Clause::Status(Box::new(StatusClause {
                    status: StatusKind::Approved { by, at },
                    when,
                    span,
                }))
            }
            _ => return Err(self.err(&pair, "unexpected clause")),
        })
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Str {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map_or("", |p| p.as_str());
        Str {
            value: unescape(raw),
            span,
        }
    }

    fn template(&self, pair: Pair<'_, Rule>) -> Result<Template> {
        let span = self.span(&pair);
        let mut parts = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::template_text => parts.push(TemplatePart::Text(unescape(part.as_str()))),
                _ => parts.push(TemplatePart::Hole(
                    self.expr(first_inner(part, self.source)?)?,
                )),
            }
        }
        Ok(Template { parts, span })
    }

    // ------------------------------------------------------------ expressions

    fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        self.expr_d(pair).map(|(e, _)| e)
    }

    /// An expression and the depth of its tree. Depth is limited where the tree is
    /// built: a deeper tree would overflow the stack of whatever walks it (even its drop).
    fn expr_d(&self, pair: Pair<'_, Rule>) -> Result<(Expr, usize)> {
        self.descend(&pair, || {
            let mut pairs = pair.clone().into_inner().peekable();
            self.climb(&mut pairs, 0)
        })
    }

    /// Runs `f` one level deeper in the builder's own recursion, refused past the limit.
    fn descend<T>(&self, at: &Pair<'_, Rule>, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let depth = self.depth.get() + 1;
        if depth > self.max_depth {
            return Err(self.too_deep(&self.span(at)));
        }
        self.depth.set(depth);
        let r = f();
        self.depth.set(depth - 1);
        r
    }

    /// The depth of a node over children of depth `kids`.
    fn node(&self, span: &Span, kids: usize) -> Result<usize> {
        let depth = kids + 1;
        if depth > self.max_depth {
            return Err(self.too_deep(span));
        }
        Ok(depth)
    }

    fn too_deep(&self, span: &Span) -> ParseError {
        ParseError::at(
            span,
            format!(
                "this expression is nested more than {} deep, the limit",
                self.max_depth
            ),
        )
    }

    /// Precedence climbing over the flat `prefix* operand (infix prefix* operand)*` sequence.
    fn climb<'i>(
        &self,
        pairs: &mut std::iter::Peekable<Pairs<'i, Rule>>,
        min: u8,
    ) -> Result<(Expr, usize)> {
        let (mut lhs, mut depth) = self.operand(pairs)?;
        loop {
            if let Some(test) =
                pairs.next_if(|p| p.as_rule() == Rule::is_test && IS_PRECEDENCE >= min)
            {
                let end = tight_end(&self.source.text, lhs.span.start, test.as_span().end());
                let span = Span::new(self.source, lhs.span.start, end);
                depth = self.node(&span, depth)?;
                let kind = self.kind_test(test)?;
                lhs = Expr::new(ExprKind::Is(Box::new(lhs), kind), span);
                continue;
            }
            let Some(op) = pairs.peek().and_then(|p| binary_op(p.as_rule())) else {
                break;
            };
            let prec = op.precedence();
            if prec < min {
                break;
            }
            pairs.next();
            let (rhs, rd) = self.climb(pairs, prec + 1)?;
            let span = Span::new(self.source, lhs.span.start, rhs.span.end);
            depth = self.node(&span, depth.max(rd))?;
            lhs = Expr::new(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span);
        }
        Ok((lhs, depth))
    }

    fn operand<'i>(
        &self,
        pairs: &mut std::iter::Peekable<Pairs<'i, Rule>>,
    ) -> Result<(Expr, usize)> {
        let Some(pair) = pairs.next() else {
            return Err(ParseError::at(
                &Span::new(self.source, 0, 0),
                "expected an expression",
            ));
        };
        let start = pair.as_span().start();
        let (op, prec) = match pair.as_rule() {
            Rule::op_not => (UnaryOp::Not, NOT_PRECEDENCE + 1),
            Rule::op_neg => (UnaryOp::Neg, NEG_PRECEDENCE),
            _ => {
                let (mut e, mut depth) = self.primary(pair)?;
                while let Some(p) =
                    pairs.next_if(|p| matches!(p.as_rule(), Rule::field | Rule::index))
                {
                    let end = p.as_span().end();
                    let span = Span::new(self.source, e.span.start, end);
                    let kind = if p.as_rule() == Rule::field {
                        depth = self.node(&span, depth)?;
                        ExprKind::Field(Box::new(e), self.ident(first_inner(p, self.source)?))
                    } else {
                        let (index, id) = self.expr_d(first_inner(p, self.source)?)?;
                        depth = self.node(&span, depth.max(id))?;
                        ExprKind::Index(Box::new(e), Box::new(index))
                    };
                    e = Expr::new(kind, span);
                }
                return Ok((e, depth));
            }
        };
        let (operand, depth) = self.descend(&pair, || {
            if op == UnaryOp::Neg {
                self.operand(pairs)
            } else {
                self.climb(pairs, prec)
            }
        })?;
        let span = Span::new(self.source, start, operand.span.end);
        // Fold `-12` into a literal so `-12` and `- 12` print and compare as numbers.
        if op == UnaryOp::Neg {
            match operand.kind {
                ExprKind::Number(n) => return Ok((Expr::new(ExprKind::Number(-n), span), depth)),
                ExprKind::Money(n, c) => {
                    return Ok((Expr::new(ExprKind::Money(-n, c), span), depth))
                }
                _ => {}
            }
        }
        let depth = self.node(&span, depth)?;
        Ok((
            Expr::new(ExprKind::Unary(op, Box::new(operand)), span),
            depth,
        ))
    }
}

pub(super) type Rule_ = super::ast::Rule;

/// The next pair of an item's parts, or an error at the item.
fn next_of<'i>(
    pairs: &mut impl Iterator<Item = Pair<'i, Rule>>,
    span: &Span,
) -> Result<Pair<'i, Rule>> {
    pairs
        .next()
        .ok_or_else(|| ParseError::at(span, "incomplete clause"))
}
