//! The typed syntax tree of a rule file. Every node carries its [`Span`].

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeDelta};
use rust_decimal::Decimal;

use crate::value::currency::Currency;

use super::span::Span;
use super::types::FieldType;

/// A name with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name itself.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A string literal with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    /// The unescaped text.
    pub value: String,
    /// Where it was written.
    pub span: Span,
}

/// One rule file: a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `policy ID`.
    pub id: Ident,
    /// `title "…"`.
    pub title: Option<Str>,
    /// `source "…"`: the document the policy encodes.
    pub source_doc: Option<Str>,
    /// `facts a, b, c`: the top-level facts the policy reads (the fields of `facts { … }`).
    pub facts: Vec<Ident>,
    /// `facts { a: TYPE, … }`: the typed schema, when the facts are declared with types.
    pub schema: Option<Vec<FieldType>>,
    /// The whole `facts` clause, keyword included.
    pub facts_span: Option<Span>,
    /// `applies when EXPR`.
    pub applies: Option<Expr>,
    /// `for each NAME in EXPR identified by EXPR`.
    pub for_each: Option<ForEach>,
    /// `let NAME = EXPR`, in file order.
    pub lets: Vec<Let>,
    /// `fn NAME(PARAMS) -> TYPE = EXPR`, in file order.
    pub functions: Vec<Function>,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// Header clauses given more than once (reported by the checker).
    pub repeated_clauses: Vec<Span>,
    /// `library NAME` instead of `policy NAME`: definitions for policies to import
    /// (docs/language.md, "Sharing definitions"); a library decides nothing.
    pub library: bool,
    /// `use LIBRARY.{name, …}`, in file order.
    pub uses: Vec<Use>,
    /// `type NAME = TYPE`, in file order.
    pub types: Vec<TypeDecl>,
    /// The whole file.
    pub span: Span,
}

/// `use LIBRARY.{name, …}`: definitions of a library, brought in by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    /// The library's name.
    pub library: Ident,
    /// The names imported, in order.
    pub names: Vec<Ident>,
    /// The whole clause.
    pub span: Span,
}

/// `type NAME = TYPE`: a named type, for `facts { … }` and functions' parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDecl {
    /// The name it is used by.
    pub name: Ident,
    /// What it stands for.
    pub ty: crate::syntax::types::TypeExpr,
    /// The whole item.
    pub span: Span,
}

/// An iteration: each element of a list gets its own decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ForEach<E = Expr> {
    /// The name each element is bound to.
    pub var: Ident,
    /// The list.
    pub list: E,
    /// What identifies an element in the output.
    pub id: Option<E>,
    /// The whole clause.
    pub span: Span,
}

/// `let NAME = EXPR`.
#[derive(Debug, Clone, PartialEq)]
pub struct Let<E = Expr> {
    /// The name bound.
    pub name: Ident,
    /// Its value.
    pub value: E,
}

/// `fn NAME(a: TYPE, …) -> TYPE = EXPR`: a pure function of its parameters, a
/// top-level item of its file (so that another file can bring it in by name).
#[derive(Debug, Clone, PartialEq)]
pub struct Function<E = Expr> {
    /// The name it is called by.
    pub name: Ident,
    /// Its parameters, in order.
    pub params: Vec<Param>,
    /// The type of its result.
    pub result: crate::syntax::types::TypeExpr,
    /// What it computes; it sees its parameters and other functions only.
    pub body: E,
    /// The whole item.
    pub span: Span,
}

/// A function's parameter: `name: TYPE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Its name in the body.
    pub name: Ident,
    /// Its type.
    pub ty: crate::syntax::types::TypeExpr,
}

/// `match SUBJECT { PATTERN | PATTERN => EXPR, …, else => EXPR }`, or without a
/// subject, `match { CONDITION => EXPR, …, else => EXPR }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<E = Expr> {
    /// The value matched; none: each arm has a condition.
    pub subject: Option<E>,
    /// The arms, tried in order.
    pub arms: Vec<Arm<E>>,
    /// `else => EXPR`.
    pub otherwise: Option<E>,
}

/// One arm of a [`Match`].
#[derive(Debug, Clone, PartialEq)]
pub struct Arm<E = Expr> {
    /// The literal values it takes (or its one condition, in a match without subject).
    pub patterns: Vec<E>,
    /// Its result.
    pub value: E,
}

/// What a matched rule does to the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Blocks the request.
    Deny,
    /// Someone must approve first.
    Review,
    /// A risk the user must see.
    Warn,
    /// A consequence, often with a computed value.
    Effect,
}

impl RuleKind {
    /// The keyword as written.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Deny => "deny",
            RuleKind::Review => "review",
            RuleKind::Warn => "warn",
            RuleKind::Effect => "effect",
        }
    }

    /// Whether a rule of this kind that cannot be decided makes the decision `error`.
    pub fn is_blocking(self) -> bool {
        matches!(self, RuleKind::Deny | RuleKind::Review)
    }
}

/// A rule: `deny ID { message … when … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule<E = Expr> {
    /// The outcome kind.
    pub kind: RuleKind,
    /// The rule's name within its policy.
    pub name: Ident,
    /// The clauses in the order written.
    pub clauses: Vec<Clause<E>>,
    /// The whole rule.
    pub span: Span,
}

impl<E> Rule<E> {
    /// The message template, if written.
    pub fn message(&self) -> Option<&Template<E>> {
        self.clauses.iter().find_map(|c| match c {
            Clause::Message(t) => Some(t),
            _ => None,
        })
    }

    /// The condition, if written.
    pub fn when(&self) -> Option<&E> {
        self.clauses.iter().find_map(|c| match c {
            Clause::When(e) => Some(e),
            _ => None,
        })
    }

    /// The `remedy` template, if written.
    pub fn remedy(&self) -> Option<&Template<E>> {
        self.clauses.iter().find_map(|c| match c {
            Clause::Remedy(t) => Some(t),
            _ => None,
        })
    }

    /// The effect's value expression, if written.
    pub fn value(&self) -> Option<&E> {
        self.clauses.iter().find_map(|c| match c {
            Clause::Value(e) => Some(e),
            _ => None,
        })
    }

    /// The clause of the source document the rule encodes, if cited.
    pub fn cites(&self) -> Option<&Str> {
        self.clauses.iter().find_map(|c| match c {
            Clause::Cites(s) => Some(s),
            _ => None,
        })
    }

    /// A review's status clauses, in order.
    pub fn statuses(&self) -> impl Iterator<Item = &StatusClause<E>> {
        self.clauses.iter().filter_map(|c| match c {
            Clause::Status(s) => Some(&**s),
            _ => None,
        })
    }
}

/// One clause of a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause<E = Expr> {
    /// `message "…"`.
    Message(Template<E>),
    /// `when EXPR`.
    When(E),
    /// `value EXPR`.
    Value(E),
    /// `cites "…"`.
    Cites(Str),
    /// `remedy "…"`: what would make the rule stop blocking, for the customer.
    Remedy(Template<E>),
    /// `rejected when …` or `approved by "…" at … when …`.
    Status(Box<StatusClause<E>>),
}

/// A review's status clause; the first whose condition holds decides.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusClause<E = Expr> {
    /// Rejected, or approved by whom and when.
    pub status: StatusKind<E>,
    /// When the status applies.
    pub when: E,
    /// The whole clause.
    pub span: Span,
}

/// What a status clause concludes.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusKind<E = Expr> {
    /// `rejected when …`.
    Rejected,
    /// `approved by "WHO" at TIME when …`.
    Approved {
        /// Who approved (`manager`, `automatic`, …).
        by: Str,
        /// When it was approved.
        at: E,
    },
}

/// A message with `{expression}` holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Template<E = Expr> {
    /// Text and holes in order.
    pub parts: Vec<TemplatePart<E>>,
    /// The whole literal, quotes included.
    pub span: Span,
}

/// A piece of a [`Template`].
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart<E = Expr> {
    /// Literal text, unescaped.
    Text(String),
    /// `{EXPR}`.
    Hole(E),
}

/// An expression with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `null`.
    Null,
    /// `true`, `false`.
    Bool(bool),
    /// `12`, `12.50`.
    Number(Decimal),
    /// `"text"` (shared, so evaluating the literal copies nothing).
    String(Arc<str>),
    /// `1000 USD`.
    Money(Decimal, Currency),
    /// `2021-09-30T10:00:00+08:00`.
    Time(DateTime<FixedOffset>),
    /// `24h`, `1h30m`.
    Duration(TimeDelta),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// A name: a fact, a `let`, a bound element, or `now`.
    Name(String),
    /// `EXPR.field`.
    Field(Box<Expr>, Ident),
    /// `EXPR[EXPR]`.
    Index(Box<Expr>, Box<Expr>),
    /// `not EXPR`, `-EXPR`.
    Unary(UnaryOp, Box<Expr>),
    /// `EXPR op EXPR`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `f(args)`.
    Call(Ident, Vec<Expr>),
    /// `if C then A else B`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `any(x in L where C)`, `all(…)`, `count(…)`.
    Quantifier(Quantifier, Ident, Box<Expr>, Box<Expr>),
    /// `[E for x in L where C]`, `sum(E for x in L where C)`.
    Comprehension(Collect, Box<Expr>, Ident, Box<Expr>, Option<Box<Expr>>),
    /// `{name: EXPR, …}`.
    Record(Vec<(Ident, Expr)>),
    /// `match …  { … }`.
    Match(Box<Match>),
    /// `EXPR is number`, `EXPR is "none"`: whether the value is of that kind.
    Is(Box<Expr>, KindTest),
}

/// What `x is …` tests: a kind of value, `null`, or one string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindTest {
    /// `bool`.
    Bool,
    /// `integer`: a number without a fractional part.
    Integer,
    /// `number`: any number.
    Number,
    /// `string`.
    String,
    /// `money`.
    Money,
    /// `timestamp`.
    Time,
    /// `duration`.
    Duration,
    /// `list`.
    List,
    /// `record`.
    Record,
    /// `null`: absent or null.
    Null,
    /// `"none"`: this string.
    Literal(Arc<str>),
}

impl KindTest {
    /// The kind names `is` takes, in the order messages list them.
    pub const NAMES: &'static [&'static str] = &[
        "bool",
        "integer",
        "number",
        "string",
        "money",
        "timestamp",
        "duration",
        "list",
        "record",
    ];

    /// The kind of that name (`null` and literals are not names).
    pub fn named(name: &str) -> Option<KindTest> {
        Some(match name {
            "bool" => KindTest::Bool,
            "integer" => KindTest::Integer,
            "number" => KindTest::Number,
            "string" => KindTest::String,
            "money" => KindTest::Money,
            "timestamp" => KindTest::Time,
            "duration" => KindTest::Duration,
            "list" => KindTest::List,
            "record" => KindTest::Record,
            _ => return None,
        })
    }

    /// The test as written after `is` (a literal without its quotes).
    pub fn as_str(&self) -> &str {
        match self {
            KindTest::Bool => "bool",
            KindTest::Integer => "integer",
            KindTest::Number => "number",
            KindTest::String => "string",
            KindTest::Money => "money",
            KindTest::Time => "timestamp",
            KindTest::Duration => "duration",
            KindTest::List => "list",
            KindTest::Record => "record",
            KindTest::Null => "null",
            KindTest::Literal(s) => s,
        }
    }
}

/// `not`, unary minus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`.
    Not,
    /// `-`.
    Neg,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `in`.
    In,
    /// `not in`.
    NotIn,
    /// `??`: the right side when the left is missing or null.
    Default,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinaryOp {
    /// Whether it yields a boolean: `and`, `or`, comparisons and membership.
    pub fn is_boolean(self) -> bool {
        // Every operator named, so that a new one must be placed.
        match self {
            BinaryOp::Or
            | BinaryOp::And
            | BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn => true,
            BinaryOp::Default | BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                false
            }
        }
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Default => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn => 4,
            BinaryOp::Default => 5,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul | BinaryOp::Div => 7,
        }
    }
}

/// Precedence of `is` (that of the comparisons).
pub(crate) const IS_PRECEDENCE: u8 = 4;
/// Precedence of `not` (between `and` and the comparisons).
pub(crate) const NOT_PRECEDENCE: u8 = 3;
/// Precedence of unary minus.
pub(crate) const NEG_PRECEDENCE: u8 = 8;

/// The quantifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// True when some element satisfies the condition.
    Any,
    /// True when every element does.
    All,
    /// How many do.
    Count,
}

impl Quantifier {
    /// The keyword as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::All => "all",
            Quantifier::Count => "count",
        }
    }
}

/// What a comprehension builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collect {
    /// `[E for x in L]`: a list.
    List,
    /// `sum(E for x in L)`: the total.
    Sum,
}

impl Expr {
    /// An expression written at `span`.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Calls `f` on each direct sub-expression, in evaluation order (see
    /// [`super::scoping::walk`] for the names bound around them).
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        super::scoping::walk(self, |step| {
            if let super::scoping::Step::Part(e) = step {
                f(e);
            }
        });
    }

    /// The name a path starts from, if this is a path (`a.b[0].c`).
    pub fn path_root(&self) -> Option<&str> {
        match &self.path_root_expr()?.kind {
            ExprKind::Name(n) => Some(n),
            _ => None,
        }
    }

    /// Whether this is a literal value (`1`, `"a"`, `1000 USD`, `24h`, `null`), which
    /// reads no fact.
    pub fn is_literal(&self) -> bool {
        matches!(
            self.kind,
            ExprKind::Null
                | ExprKind::Bool(_)
                | ExprKind::Number(_)
                | ExprKind::String(_)
                | ExprKind::Money(..)
                | ExprKind::Time(_)
                | ExprKind::Duration(_)
        )
    }

    /// The name expression a path starts from, if this is a path.
    pub fn path_root_expr(&self) -> Option<&Expr> {
        match &self.kind {
            ExprKind::Name(_) => Some(self),
            ExprKind::Field(e, _) => e.path_root_expr(),
            ExprKind::Index(e, i)
                if matches!(i.kind, ExprKind::Number(_) | ExprKind::String(_)) =>
            {
                e.path_root_expr()
            }
            _ => None,
        }
    }
}
