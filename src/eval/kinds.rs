//! `x is KIND`: what each kind test accepts at run time. The type checker narrows by
//! the same tests (`check::typeck`), and conforming a snapshot against a union picks
//! the alternative the same way, so a value that conformed to `integer | "none"` is
//! exactly one of `is integer`, `is "none"`.

use crate::syntax::ast::KindTest;
use crate::value::Value;

/// Whether `v` passes `v is t`. An integer is a number whose fractional part is zero
/// (`15.0 is integer`), as the schema's `integer` accepts it.
pub(crate) fn is_kind(v: &Value, t: &KindTest) -> bool {
    match (t, v) {
        (KindTest::Null, Value::Null)
        | (KindTest::Bool, Value::Bool(_))
        | (KindTest::Number, Value::Number(_))
        | (KindTest::String, Value::String(_))
        | (KindTest::Money, Value::Money(_))
        | (KindTest::Time, Value::Time(_))
        | (KindTest::Duration, Value::Duration(_))
        | (KindTest::List, Value::List(_))
        | (KindTest::Record, Value::Map(_)) => true,
        (KindTest::Integer, Value::Number(n)) => n.fract().is_zero(),
        (KindTest::Literal(s), Value::String(x)) => **s == *x.as_str(),
        _ => false,
    }
}
