//! Scalars in a snapshot: JSON numbers, money objects, exact decimals, date-times.

use super::*;

pub(super) fn json_number(text: &str) -> Result<Value, String> {
    if text.contains(['e', 'E']) {
        // Exponent notation: exact only when the decimal type can hold it.
        return Decimal::from_scientific(text)
            .map(Value::Number)
            .map_err(|_| format!("the number `{text}` cannot be held exactly"));
    }
    exact_decimal(text).map(Value::Number).map_err(|_| {
        format!(
            "the number `{text}` has more digits than a decimal holds (28); it would be rounded"
        )
    })
}

/// `{amount, currency}` with nothing else is money. The budget's kind and place, if
/// given, are set to those of the error returned.
pub(super) fn money<E: de::Error>(
    entries: &[(Arc<str>, Value)],
    at: &Seg<'_>,
    limits: &Limits,
    budget: Option<&Budget<'_>>,
) -> Result<Option<Value>, E> {
    if entries.len() != 2 {
        return Ok(None);
    }
    let (Some(amount), Some(currency)) = (field(entries, "amount"), field(entries, "currency"))
    else {
        return Ok(None);
    };
    let amount = match amount {
        Value::Number(n) => *n,
        Value::String(s) => {
            let here = Seg::Key(at, "amount");
            let n = parse_amount(s).map_err(|m| raise(budget, &here, m))?;
            check_decimal_text(limits, s).map_err(|m| {
                let e = raise(budget, &here, m);
                match budget {
                    Some(b) => b.refused(
                        FactsErrorKind::TooManyDigits {
                            max: limits.decimal_digits(),
                        },
                        e,
                    ),
                    None => e,
                }
            })?;
            n
        }
        other => {
            return Err(raise(
                budget,
                &Seg::Key(at, "amount"),
                format!(
                    "a money amount must be a decimal string such as \"2000.00\", found {}",
                    other.type_of()
                ),
            ))
        }
    };
    let currency = match currency {
        Value::String(c) => match Currency::new(c) {
            Some(c) => c,
            None => {
                return Err(raise(
                    budget,
                    &Seg::Key(at, "currency"),
                    format!(
                        "`{}` is not an ISO 4217 currency code (such as `USD` or `CNY`)",
                        shorten(c)
                    ),
                ))
            }
        },
        other => {
            return Err(raise(
                budget,
                &Seg::Key(at, "currency"),
                format!(
                    "a currency must be an ISO 4217 code such as `USD`, found {}",
                    other.type_of()
                ),
            ))
        }
    };
    Ok(Some(Value::Money(Money { amount, currency })))
}

/// The error `message` at `at`, kept typed in the budget when there is one.
fn raise<E: de::Error>(budget: Option<&Budget<'_>>, at: &Seg<'_>, message: impl fmt::Display) -> E {
    match budget {
        Some(b) => b.at(at, message),
        None => at.error(message),
    }
}

pub(super) fn field<'m>(entries: &'m [(Arc<str>, Value)], key: &str) -> Option<&'m Value> {
    entries.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
}

/// [`Limits::check_decimal_text`], without its work for the usual number: one with no
/// more digits in all than a decimal may have cannot have too many significant ones.
pub(super) fn check_decimal_text(limits: &Limits, text: &str) -> Result<(), String> {
    let max = limits.max_decimal_digits.min(DECIMAL_CAPACITY);
    if text.bytes().filter(u8::is_ascii_digit).count() <= max {
        return Ok(());
    }
    limits.check_decimal_text(text)
}

/// A money amount: a plain decimal (`-12.50`), nothing else (`12,5`, `1e3`, `$5` are refused).
pub(crate) fn parse_amount(s: &str) -> Result<Decimal, String> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut parts = body.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits_ok = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !digits_ok {
        return Err(format!(
            "`{}` is not a decimal amount; write it like \"2000.00\" (a dot for decimals, no thousands separators)",
            shorten(s)
        ));
    }
    exact_decimal(s).map_err(|_| {
        format!(
            "the amount `{}` has more digits than a decimal holds (28); it would be rounded",
            shorten(s)
        )
    })
}

/// [`Decimal::from_str_exact`], with the usual number (`-12.50`: at most 18 digits and
/// a dot) read directly: every amount and number of a snapshot goes through here, and
/// the general parser took a tenth of loading one.
pub(super) fn exact_decimal(text: &str) -> Result<Decimal, rust_decimal::Error> {
    match plain_decimal(text) {
        Some(d) => Ok(d),
        None => Decimal::from_str_exact(text),
    }
}

/// `[-]DIGITS[.DIGITS]` with at most 18 digits, as `Decimal::from_str_exact` reads it
/// (the same value and scale); `None` for any other text, and for `-0` (whose sign the
/// general parser decides).
pub(super) fn plain_decimal(text: &str) -> Option<Decimal> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let mut mantissa = 0i64;
    let mut digits = 0;
    // Digits after the dot, once there is one.
    let mut scale: Option<u32> = None;
    for &b in body.as_bytes() {
        match b {
            b'0'..=b'9' if digits < 18 => {
                mantissa = mantissa * 10 + i64::from(b - b'0');
                digits += 1;
                if let Some(s) = &mut scale {
                    *s += 1;
                }
            }
            b'.' if scale.is_none() && digits > 0 => scale = Some(0),
            _ => return None,
        }
    }
    if digits == 0 || scale == Some(0) || (negative && mantissa == 0) {
        return None;
    }
    let mantissa = if negative { -mantissa } else { mantissa };
    // At most 17 places, within the 28 a decimal holds; `try_new` rather than trust it.
    Decimal::try_new(mantissa, scale.unwrap_or(0)).ok()
}

/// `YYYY-MM-DDT…`: a string meant as a date-time, which must then parse with an offset.
pub(crate) fn looks_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 16
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && matches!(b[10], b'T' | b't' | b' ')
        && b[11..13].iter().all(u8::is_ascii_digit)
        && b[13] == b':'
}

/// `2021-09-30T10:00:00+08:00` (or `…Z`), the usual form, read directly as
/// `DateTime::parse_from_rfc3339` reads it: every time in a snapshot goes through here,
/// and chrono's general parser was a tenth of loading one. `None` for any other text,
/// for a value out of range and for a `-00:00` offset: chrono decides those.
pub(super) fn plain_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    let num = |at: usize, len: usize| -> Option<u32> {
        let digits = b.get(at..at + len)?;
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let shape = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return None;
    }
    let offset = match &b[19..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (num(20, 2)?, num(23, 2)?);
            if hours > 23 || minutes > 59 || (*sign == b'-' && hours + minutes == 0) {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(5, 2)?, num(8, 2)?)?;
    let local = date.and_hms_opt(num(11, 2)?, num(14, 2)?, num(17, 2)?)?;
    FixedOffset::east_opt(offset)?
        .from_local_datetime(&local)
        .single()
}
