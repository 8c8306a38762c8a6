//! Reading an RFC 3339 time exactly, wherever one is written.
//!
//! chrono reads any number of fractional digits and drops those past the
//! nanosecond: `…00.0000000001+08:00` becomes `…00+08:00`, and at a deadline that
//! flips a decision. A time is held to the nanosecond, so more digits are refused.

use chrono::{DateTime, FixedOffset};

/// The most fractional digits of a second a time holds (nanoseconds).
pub const MAX_FRACTION_DIGITS: usize = 9;

/// `s` as an RFC 3339 time, refused (with chrono's reason, or the digits past the
/// nanosecond) rather than rounded or truncated. The error is a phrase: the caller
/// says where.
pub fn rfc3339_exact(s: &str) -> Result<DateTime<FixedOffset>, String> {
    let digits = fraction_digits(s);
    if digits > MAX_FRACTION_DIGITS {
        return Err(format!(
            "its seconds have {digits} fractional digits; a time is held to the \
             nanosecond ({MAX_FRACTION_DIGITS} digits) and is not truncated"
        ));
    }
    DateTime::parse_from_rfc3339(s).map_err(|e| e.to_string())
}

/// The digits after the seconds' point (`HH:MM:SS.fff`), 0 if there is none.
pub(crate) fn fraction_digits(s: &str) -> usize {
    // The point after the seconds is the first `.` of the text: the date and the
    // time of day are digits, `-`, `:` and the `T`.
    match s.find('.') {
        Some(at) => s[at + 1..].bytes().take_while(u8::is_ascii_digit).count(),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly
    use super::*;

    #[test]
    fn digits_past_the_nanosecond_are_refused_not_truncated() {
        for s in [
            "2021-09-30T10:00:00.0000000001+08:00",
            "2021-09-30T10:00:00.1234567890Z",
            "2021-09-30T10:00:00.0000000000+08:00",
            "2021-09-30T10:00:00.99999999999999999999999-01:00",
        ] {
            let e = rfc3339_exact(s).unwrap_err();
            assert!(e.contains("fractional digits"), "{s}: {e}");
        }
        // near misses: nine digits and fewer are exact
        let t = rfc3339_exact("2021-09-30T10:00:00.123456789+08:00").unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 123_456_789);
        assert!(rfc3339_exact("2021-09-30T10:00:00.1Z").is_ok());
        assert!(rfc3339_exact("2021-09-30T10:00:00Z").is_ok());
        assert!(rfc3339_exact("2021-09-30T10:00:00").is_err());
    }
}
