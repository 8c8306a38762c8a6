//! Exact decimal arithmetic: a result is either the exact value or an error, never a
//! silently rounded one; rounding happens only where a rule asks for it (`round`,
//! `floor`, `ceil`, `round_money`), in the mode it names.
//!
//! `rust_decimal` rounds silently when a result needs more than 28 digits after the
//! point or more than 96 bits of digits; each operation here checks that it did not.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::value::currency::Currency;

/// How a value is rounded to a number of places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Nearest; a tie goes away from zero (2.5 → 3, −2.5 → −3).
    HalfUp,
    /// Nearest; a tie goes to the even neighbour (2.5 → 2, 3.5 → 4).
    HalfEven,
    /// Toward zero (2.7 → 2, −2.7 → −2).
    Down,
    /// Away from zero (2.1 → 3, −2.1 → −3).
    Up,
    /// Toward minus infinity (`floor`).
    Floor,
    /// Toward plus infinity (`ceil`).
    Ceiling,
}

/// The modes `round` takes, as a rule writes them.
pub const MODES: &[(&str, Mode)] = &[
    ("half_up", Mode::HalfUp),
    ("half_even", Mode::HalfEven),
    ("down", Mode::Down),
    ("up", Mode::Up),
];

impl Mode {
    /// The mode a rule names, if it is one.
    pub fn named(s: &str) -> Option<Mode> {
        MODES.iter().find(|(n, _)| *n == s).map(|(_, m)| *m)
    }
}

/// The most places a decimal holds after the point.
pub const MAX_PLACES: u32 = crate::limits::DECIMAL_CAPACITY as u32;

/// `a * b`, exactly, or `None` when the product needs more digits than a decimal holds
/// (too many digits, or an underflow that would round toward zero).
pub fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let p = a.checked_mul(b)?;
    let scale = a.scale() + b.scale();
    if p.scale() == scale {
        return Some(p);
    }
    // The scale was reduced: exact only if what was dropped was zeros.
    let exact = a.mantissa().checked_mul(b.mantissa())?;
    let dropped = scale.checked_sub(p.scale())?;
    let back = p.mantissa().checked_mul(pow10(dropped)?)?;
    (back == exact).then_some(p)
}

/// `a + b`, exactly (`None` when the sum would be rounded or overflow).
pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let s = a.checked_add(b)?;
    (s.scale() >= a.scale().max(b.scale()) || s.checked_sub(b) == Some(a)).then_some(s)
}

/// `a - b`, exactly.
pub fn sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    add(a, -b)
}

/// `a / b` when the quotient is held exactly; `Err(approximation)` when it is not (the
/// approximation is for the message); `Ok(None)` on division by zero or overflow.
pub fn div(a: Decimal, b: Decimal) -> Result<Option<Decimal>, Decimal> {
    if b.is_zero() {
        return Ok(None);
    }
    let Some(q) = a.checked_div(b) else {
        return Ok(None);
    };
    if mul(q, b) == Some(a) {
        Ok(Some(q))
    } else {
        Err(q)
    }
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// `a / b` rounded to `places` in `mode`, from the exact quotient: the approximation
/// `rust_decimal` computes is corrected against the exact product, so a quotient just
/// past a tie is never rounded as the tie. `None` on division by zero or overflow.
pub fn div_round(a: Decimal, b: Decimal, places: u32, mode: Mode) -> Option<Decimal> {
    if b.is_zero() || places > MAX_PLACES {
        return None;
    }
    let negative = a.is_sign_negative() != b.is_sign_negative() && !a.is_zero();
    let (ax, ay) = (a.abs(), b.abs());
    let ulp = Decimal::new(1, places);
    // The quotient truncated at `places`, made exact: f·ay ≤ ax < (f + ulp)·ay.
    let approx = ax.checked_div(ay)?;
    let mut f = approx.round_dp_with_strategy(places, RoundingStrategy::ToZero);
    if mul(f, ay)? > ax {
        f = sub(f, ulp)?;
    } else if mul(add(f, ulp)?, ay)? <= ax {
        f = add(f, ulp)?;
    }
    let rem = sub(ax, mul(f, ay)?)?;
    let up = if rem.is_zero() {
        false
    } else {
        let half = mul(rem, Decimal::TWO)?.cmp(&mul(ulp, ay)?);
        match mode {
            Mode::Down => false,
            Mode::Up => true,
            Mode::HalfUp => half.is_ge(),
            Mode::HalfEven => half.is_gt() || (half.is_eq() && !is_even_at(f, places)),
            Mode::Floor => negative,
            Mode::Ceiling => !negative,
        }
    };
    let mut r = if up { add(f, ulp)? } else { f };
    r.rescale(places);
    Some(if negative && !r.is_zero() { -r } else { r })
}

/// Whether `f`'s digit at `places` is even.
fn is_even_at(f: Decimal, places: u32) -> bool {
    let mut g = f;
    g.rescale(places);
    g.mantissa() % 2 == 0
}

/// `x` rounded to `places` in `mode`.
#[cfg(test)]
pub fn round(x: Decimal, places: u32, mode: Mode) -> Option<Decimal> {
    div_round(x, Decimal::ONE, places, mode)
}

/// The digits after the point of the currency's minor unit (ISO 4217): 2 for most,
/// 0 for `JPY`, `KRW`, …, 3 for `BHD`, `KWD`, ….
pub fn minor_unit(c: Currency) -> u32 {
    // Matched as three bytes, a test per letter, not as text (a comparison per code):
    // every amount computed is scaled by it.
    let Ok(code) = <[u8; 3]>::try_from(c.as_str().as_bytes()) else {
        return 2;
    };
    match &code {
        b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG" | b"RWF"
        | b"UGX" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
        b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
        _ => 2,
    }
}

/// An amount computed by arithmetic, at the scale money is shown with: the currency's
/// minor-unit digits, or more when the exact value needs them (`15.00`, `199.0867`),
/// so how a computation is written does not change how its result reads.
#[inline]
pub fn money_scale(amount: Decimal, c: Currency) -> Decimal {
    let minor = minor_unit(c);
    let mut a = amount.normalize();
    if a.scale() < minor {
        a.rescale(minor);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn each_mode_on_ties_and_negative_values() {
        let cases = [
            // x, half_up, half_even, down, up, floor, ceiling
            ("2.5", "3", "2", "2", "3", "2", "3"),
            ("3.5", "4", "4", "3", "4", "3", "4"),
            ("-2.5", "-3", "-2", "-2", "-3", "-3", "-2"),
            ("-3.5", "-4", "-4", "-3", "-4", "-4", "-3"),
            ("2.4", "2", "2", "2", "3", "2", "3"),
            ("-2.6", "-3", "-3", "-2", "-3", "-3", "-2"),
            ("7", "7", "7", "7", "7", "7", "7"),
            ("-0.4", "0", "0", "0", "-1", "-1", "0"),
        ];
        let modes = [
            Mode::HalfUp,
            Mode::HalfEven,
            Mode::Down,
            Mode::Up,
            Mode::Floor,
            Mode::Ceiling,
        ];
        for (x, a, b, c, e, f, g) in cases {
            for (m, want) in modes.iter().zip([a, b, c, e, f, g]) {
                assert_eq!(round(d(x), 0, *m), Some(d(want)), "{x} {m:?}");
            }
        }
        assert_eq!(round(d("0.125"), 2, Mode::HalfEven), Some(d("0.12")));
        assert_eq!(round(d("0.135"), 2, Mode::HalfEven), Some(d("0.14")));
        assert_eq!(
            round(d("1.005"), 2, Mode::HalfUp).unwrap().to_string(),
            "1.01"
        );
        assert_eq!(round(d("1"), 2, Mode::HalfUp).unwrap().to_string(), "1.00");
    }

    #[test]
    fn a_quotient_is_rounded_from_its_exact_value() {
        // 75.80 / 3 = 25.2666…
        assert_eq!(
            div_round(d("75.80"), d("3"), 2, Mode::HalfUp),
            Some(d("25.27"))
        );
        assert_eq!(
            div_round(d("75.80"), d("3"), 2, Mode::Down),
            Some(d("25.26"))
        );
        assert_eq!(
            div_round(d("-75.80"), d("3"), 2, Mode::Down),
            Some(d("-25.26"))
        );
        assert_eq!(
            div_round(d("-75.80"), d("3"), 2, Mode::Floor),
            Some(d("-25.27"))
        );
        // 1/8 = 0.125 is a tie; 1/7.9999… is not.
        assert_eq!(
            div_round(d("1"), d("8"), 2, Mode::HalfEven),
            Some(d("0.12"))
        );
        assert_eq!(div_round(d("1"), d("3"), 0, Mode::Up), Some(d("1")));
        assert_eq!(div_round(d("1"), d("0"), 2, Mode::Up), None);
        // Just past a tie by less than the 28th digit: still not a tie.
        let a = d("0.1250000000000000000000000001");
        assert_eq!(div_round(a, d("1"), 2, Mode::HalfEven), Some(d("0.13")));
        assert_eq!(
            div_round(
                d("1000000000000000000000000001"),
                d("8000000000000000000000000000"),
                2,
                Mode::HalfEven
            ),
            Some(d("0.13"))
        );
    }

    #[test]
    fn inexact_results_are_refused() {
        assert!(div(d("75.80"), d("3")).is_err());
        assert_eq!(div(d("75.80"), d("4")), Ok(Some(d("18.95"))));
        assert_eq!(div(d("1"), d("0")), Ok(None));
        assert!(div(d("1"), d("3")).is_err());
        // Underflow to zero and too many digits.
        let tiny = d("0.000000000000001");
        assert_eq!(mul(tiny, tiny), None);
        assert_eq!(mul(d("0.10"), d("0.10")), Some(d("0.0100")));
        assert_eq!(add(d("1"), d("0.5")), Some(d("1.5")));
    }

    #[test]
    fn money_shows_its_minor_unit_or_the_digits_it_needs() {
        let usd = Currency::new("USD").unwrap();
        let jpy = Currency::new("JPY").unwrap();
        assert_eq!(money_scale(d("15.0000"), usd).to_string(), "15.00");
        assert_eq!(money_scale(d("0"), usd).to_string(), "0.00");
        assert_eq!(money_scale(d("199.08670"), usd).to_string(), "199.0867");
        assert_eq!(money_scale(d("1500.00"), jpy).to_string(), "1500");
    }
}
