//! The currencies money may be in: the active ISO 4217 codes.
//!
//! A fixed list, so a typo (`USB`) or an invented code is an error at load time
//! instead of a currency that silently never equals `USD`. Funds codes and
//! precious metals (`XAU`, `XDR`, …) are not money a bill is paid in and are
//! left out; `XXX` (no currency) and `XTS` (testing) too.

/// The active ISO 4217 alphabetic codes, sorted.
pub const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW",
    "ZWG",
];

/// Whether `code` is one of [`ISO_4217`].
pub(crate) fn is_iso4217(code: &str) -> bool {
    // Every amount a snapshot holds is checked: a bit per three-letter code, not a
    // search comparing text.
    match letters(code.as_bytes()) {
        Some(i) => KNOWN[i / 64] >> (i % 64) & 1 == 1,
        None => false,
    }
}

/// The number of a code of three capital letters (`AAA` is 0), if it is one.
const fn letters(code: &[u8]) -> Option<usize> {
    match code {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z', c @ b'A'..=b'Z'] => {
            Some((*a - b'A') as usize * 26 * 26 + (*b - b'A') as usize * 26 + (*c - b'A') as usize)
        }
        _ => None,
    }
}

/// A currency money is in: an active ISO 4217 code, held as its three letters, so that
/// money is as small as a number and is copied and compared without a pointer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The currency `code` names, if it is one of [`ISO_4217`].
    pub fn new(code: &str) -> Option<Currency> {
        match code.as_bytes() {
            &[a, b, c] if is_iso4217(code) => Some(Currency([a, b, c])),
            _ => None,
        }
    }

    /// The code (`USD`).
    pub fn as_str(&self) -> &str {
        // Made only from three capital letters, so never the fallback.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl std::ops::Deref for Currency {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// [`ISO_4217`] as a bit per code number, built when compiling.
static KNOWN: [u64; 26 * 26 * 26 / 64 + 1] = {
    let mut bits = [0u64; 26 * 26 * 26 / 64 + 1];
    let mut k = 0;
    while k < ISO_4217.len() {
        // A malformed entry fails the build (and the test below names it).
        let Some(i) = letters(ISO_4217[k].as_bytes()) else {
            panic!("an ISO 4217 code is three capital letters")
        };
        bits[i / 64] |= 1 << (i % 64);
        k += 1;
    }
    bits
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_well_formed() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
        assert!(ISO_4217
            .iter()
            .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn every_three_letter_code_is_known_exactly_when_listed() {
        let mut code = [b'A'; 3];
        for i in 0..26 * 26 * 26 {
            code[0] = b'A' + (i / 676) as u8;
            code[1] = b'A' + (i / 26 % 26) as u8;
            code[2] = b'A' + (i % 26) as u8;
            let text = std::str::from_utf8(&code).unwrap();
            assert_eq!(is_iso4217(text), ISO_4217.contains(&text), "{text}");
            assert_eq!(
                Currency::new(text).map(|c| c.to_string()),
                is_iso4217(text).then(|| text.to_string())
            );
        }
        for other in ["", "US", "USDX", "usd", "US1", "ÜSD"] {
            assert!(
                !is_iso4217(other) && Currency::new(other).is_none(),
                "{other}"
            );
        }
    }

    #[test]
    fn knows_real_codes_only() {
        assert!(is_iso4217("USD") && is_iso4217("CNY") && is_iso4217("EUR"));
        assert!(!is_iso4217("USB") && !is_iso4217("usd") && !is_iso4217("XXX"));
    }
}
