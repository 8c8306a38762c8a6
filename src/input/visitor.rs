//! The serde reader: a visitor that builds [`Value`]s within a [`Limits`] budget,
//! refusing duplicate keys and interning short ones. It reads JSON (behind `direct.rs`)
//! and words the YAML reader's refusals through serde_yaml; the YAML reader
//! (`yaml_reader.rs`) calls its scalar functions, so both build values alike.

use super::*;

/// Where a value sits in the snapshot, without allocating while parsing.
pub(super) enum Seg<'a> {
    Root,
    Key(&'a Seg<'a>, &'a str),
    Index(&'a Seg<'a>, usize),
}

impl fmt::Display for Seg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Root => Ok(()),
            Seg::Key(Seg::Root, k) => f.write_str(k),
            Seg::Key(p, k) => write!(f, "{p}.{k}"),
            Seg::Index(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}

impl Seg<'_> {
    /// How deep the value at this place is nested (a top-level fact is 1).
    pub(super) fn depth(&self) -> usize {
        let mut n = 0;
        let mut at = self;
        loop {
            match at {
                Seg::Root => return n,
                Seg::Key(p, _) | Seg::Index(p, _) => {
                    n += 1;
                    at = p;
                }
            }
        }
    }

    pub(super) fn error<E: de::Error>(&self, message: impl fmt::Display) -> E {
        match self {
            Seg::Root => E::custom(message),
            _ => E::custom(format!("at `{self}`: {message}")),
        }
    }
}

/// An error the visitor raised at a fact, kept typed beside the text serde carries
/// (`de::Error::custom` takes only text): the error is placed by `path`, and worded
/// from these parts, never by reading serde's rendering of them back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Raised {
    /// The fact's path, as [`Seg`] writes it (`resources[0].amount`).
    pub(super) path: String,
    /// What was wrong there, without the place.
    pub(super) message: String,
}

impl Raised {
    /// The message as the author reads it: the place, then what was wrong.
    pub(super) fn worded(&self) -> String {
        format!("at `{}`: {}", self.path, self.message)
    }
}

/// What reading one snapshot has used of its [`Limits`] so far.
pub(super) struct Budget<'l> {
    pub(super) limits: &'l Limits,
    /// Values read.
    pub(super) values: Cell<usize>,
    /// One per value plus the bytes of every string and key: bounded by the text's size,
    /// unless YAML aliases repeat parts of it.
    pub(super) size: Cell<usize>,
    pub(super) max_size: usize,
    /// The floats (as bits) of numbers written with more digits than a float holds.
    pub(super) inexact: Vec<u64>,
    /// The entries of the records being read, innermost last, and likewise the elements
    /// of the lists: one buffer each for the whole snapshot, so that a record or list is
    /// allocated once, at its final size, instead of growing a vector of its own.
    pub(super) entries: RefCell<Map>,
    pub(super) items: RefCell<Vec<Value>>,
    /// The kind of the error the visitor raised, if it raised one: serde carries the
    /// error as text, its kind comes back this way.
    pub(super) kind: Cell<FactsErrorKind>,
    /// Where the visitor raised its error, and what it said, when it raised one at a
    /// fact: set only on the way out of a refused snapshot, so free for accepted ones.
    pub(super) raised: RefCell<Option<Raised>>,
}

impl<'l> Budget<'l> {
    /// A budget for reading `text`: what aliases may expand it to is bounded by its
    /// length times `max_alias_expansion` (at least 4 KiB); `entries` and `items` are
    /// scratch buffers a previous read may hand on.
    pub(super) fn new(
        limits: &'l Limits,
        text: &str,
        inexact: Vec<u64>,
        entries: Map,
        items: Vec<Value>,
    ) -> Self {
        Budget {
            limits,
            values: Cell::new(0),
            size: Cell::new(0),
            max_size: text
                .len()
                .saturating_mul(limits.max_alias_expansion)
                .max(4096),
            inexact,
            entries: RefCell::new(entries),
            items: RefCell::new(items),
            kind: Cell::default(),
            raised: RefCell::new(None),
        }
    }

    /// The error `message` at `at`, as serde carries it; kept typed in `raised` too
    /// when `at` is a fact (an error about the whole snapshot has no place to keep).
    #[cold]
    pub(super) fn at<E: de::Error>(&self, at: &Seg<'_>, message: impl fmt::Display) -> E {
        let message = message.to_string();
        let e = at.error(&message);
        if !matches!(at, Seg::Root) {
            *self.raised.borrow_mut() = Some(Raised {
                path: at.to_string(),
                message,
            });
        }
        e
    }

    /// `e`, an error of `kind` the visitor raises.
    pub(super) fn refused<E>(&self, kind: FactsErrorKind, e: E) -> E {
        self.kind.set(kind);
        e
    }

    fn too_many_digits(&self) -> FactsErrorKind {
        FactsErrorKind::TooManyDigits {
            max: self.limits.decimal_digits(),
        }
    }

    /// Accounts for one value holding `bytes` bytes of text, before it is built.
    #[inline]
    pub(super) fn take<E: de::Error>(&self, at: &Seg<'_>, bytes: usize) -> Result<(), E> {
        let values = self.values.get() + 1;
        let size = self.size.get().saturating_add(bytes).saturating_add(1);
        if bytes > self.limits.max_string_bytes
            || values > self.limits.max_fact_values
            || size > self.max_size
        {
            return Err(self.refuse(at, bytes, values));
        }
        self.values.set(values);
        self.size.set(size);
        Ok(())
    }

    /// Why [`Budget::take`] refused: kept out of line, the common case stays small.
    #[cold]
    pub(super) fn refuse<E: de::Error>(&self, at: &Seg<'_>, bytes: usize, values: usize) -> E {
        let limits = self.limits;
        if bytes > limits.max_string_bytes {
            return self.at(
                at,
                format!(
                    "a string of {bytes} bytes is longer than the limit of {} bytes",
                    limits.max_string_bytes
                ),
            );
        }
        if values > limits.max_fact_values {
            return self.at(
                at,
                format!(
                    "the snapshot holds more than {} values, the limit",
                    limits.max_fact_values
                ),
            );
        }
        self.at(at, format!(
            "the snapshot expands to more than {} times its size (YAML aliases `*name` repeat what they refer to)",
            limits.max_alias_expansion
        ))
    }

    /// Refuses a list or record nested deeper than the limit.
    pub(super) fn enter<E: de::Error>(&self, at: &Seg<'_>) -> Result<(), E> {
        if at.depth() + 1 > self.limits.max_fact_depth {
            return Err(self.refused(
                FactsErrorKind::TooDeep,
                self.at(
                    at,
                    format!(
                        "lists and records are nested more than {} deep, the limit",
                        self.limits.max_fact_depth
                    ),
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn number<E: de::Error>(&self, at: &Seg<'_>, text: &str) -> Result<(), E> {
        check_decimal_text(self.limits, text)
            .map_err(|m| self.refused(self.too_many_digits(), self.at(at, m)))
    }
}

pub(super) struct NodeSeed<'a>(pub(super) &'a Seg<'a>, pub(super) &'a Budget<'a>);

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(NodeVisitor(self.0, self.1))
    }
}

pub(super) struct NodeVisitor<'a>(pub(super) &'a Seg<'a>, pub(super) &'a Budget<'a>);

/// serde_json's private key for a number's exact text (feature `arbitrary_precision`).
pub(super) const JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> Visitor<'de> for NodeVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a fact value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.1.take(self.0, 0)?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.1.take(self.0, 0)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.visit_i128(i128::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.visit_i128(i128::from(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.1.take(self.0, 0)?;
        integer(self.1.limits, v).map_err(|m| {
            let e = self.1.at(self.0, m);
            match check_decimal_text(self.1.limits, &v.to_string()) {
                Err(_) => self.1.refused(self.1.too_many_digits(), e),
                Ok(()) => e,
            }
        })
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        i128::try_from(v)
            .map_err(|_| self.1.at(self.0, format!("{v} is too large for a decimal")))
            .and_then(|v| self.visit_i128(v))
    }

    /// YAML hands numbers over as binary floats. Up to 15 significant digits a float
    /// reproduces the decimal that was written; beyond that it may not, so such a
    /// number must be written as a string.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.1.take(self.0, 0)?;
        if !v.is_finite() {
            return Err(self
                .1
                .at(self.0, format!("`{v}` is not a number a fact may hold")));
        }
        if self.1.inexact.contains(&v.to_bits()) {
            return Err(self.1.at(self.0, format!(
                "a number read as `{v}` was written with more digits than YAML reads exactly; write it as a string (\"...\")"
            )));
        }
        let text = format!("{v}");
        let digits = text
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>();
        let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
        if significant > 15 {
            return Err(self.1.refused(
                FactsErrorKind::InexactNumber,
                self.1.at(
                    self.0,
                    format!(
                        "the number `{}` cannot be read exactly; write it as a string (\"...\")",
                        shorten(&text)
                    ),
                ),
            ));
        }
        self.1.number(self.0, &text)?;
        // Exact: a float's shortest text can have more decimal places than a decimal
        // holds (1e-30), and that must be refused, not rounded to 0.
        Decimal::from_str_exact(&text).map(Value::Number).map_err(|_| {
            self.1.at(self.0, format!(
                "the number `{}` has more decimal places than a decimal holds (28); it would be rounded",
                shorten(&text)
            ))
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.1.take(self.0, v.len())?;
        text_value(v).map_err(|m| self.1.at(self.0, m))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.1.enter(self.0)?;
        self.1.take(self.0, 0)?;
        let max = self.1.limits.max_list_len;
        let start = self.1.items.borrow().len();
        loop {
            let len = self.1.items.borrow().len() - start;
            let at = Seg::Index(self.0, len);
            let Some(v) = seq.next_element_seed(NodeSeed(&at, self.1))? else {
                break;
            };
            if len == max {
                return Err(self.1.at(
                    self.0,
                    format!("the list has more than {max} elements, the limit"),
                ));
            }
            self.1.items.borrow_mut().push(v);
        }
        // A drain knows its length: the list is allocated once, at its size.
        let items: Arc<[Value]> = self.1.items.borrow_mut().drain(start..).collect();
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut next = map.next_key_seed(KeySeed)?;
        if next.as_deref() == Some(JSON_NUMBER_TOKEN) {
            let text: String = map.next_value()?;
            self.1.take(self.0, 0)?;
            self.1.number(self.0, &text)?;
            return json_number(&text).map_err(|m| self.1.at(self.0, m));
        }
        self.1.enter(self.0)?;
        self.1.take(self.0, 0)?;
        let start = self.1.entries.borrow().len();
        let mut seen = None;
        while let Some(key) = next.take() {
            let here = Seg::Key(self.0, &key);
            self.1.take(&here, key.len())?;
            if repeated(&self.1.entries.borrow()[start..], &mut seen, &key) {
                return Err(self.1.refused(
                    FactsErrorKind::DuplicateKey,
                    self.1
                        .at(&here, "this key appears twice in the same record"),
                ));
            }
            let value = map.next_value_seed(NodeSeed(&here, self.1))?;
            self.1.entries.borrow_mut().push((key, value));
            next = map.next_key_seed(KeySeed)?;
        }
        let mut entries = self.1.entries.borrow_mut();
        if let Some(m) = money(&entries[start..], self.0, self.1.limits, Some(self.1))? {
            entries.truncate(start);
            return Ok(m);
        }
        // A drain knows its length: the record is allocated once, at its size.
        Ok(Value::Map(entries.drain(start..).collect()))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Value, A::Error> {
        Err(self.1.at(
            self.0,
            "a tagged YAML value (`!tag`), which snapshots may not use",
        ))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Value, E> {
        Err(self
            .1
            .at(self.0, "binary data, which snapshots may not hold"))
    }
}

/// The value a string of the snapshot holds: a time when it is a valid RFC 3339 time
/// with an offset, else the text. Text shaped like a time but not one (no offset, a
/// date that does not exist) stays text: the reader does not know the schema, and a
/// declared `string` (`reason: "2021-09-30T10:00:00"`) is a string; a declared
/// `timestamp` refuses it with its reason (`schema::validate`). A time with digits
/// past the nanosecond is refused here: it cannot be held exactly, whatever it is for.
pub(super) fn text_value(v: &str) -> Result<Value, String> {
    if looks_like_time(v) {
        if let Some(t) = plain_time(v) {
            return Ok(Value::Time(t));
        }
        if super::time::fraction_digits(v) > super::time::MAX_FRACTION_DIGITS {
            return Err(format!(
                "`{}` is not a time that can be held exactly: its seconds have more than {} fractional digits (nanoseconds); a time is not truncated",
                shorten(v),
                super::time::MAX_FRACTION_DIGITS
            ));
        }
        if let Ok(t) = rfc3339_exact(v) {
            return Ok(Value::Time(t));
        }
    }
    Ok(Value::string(v))
}

/// A whole number as a fact: a decimal of scale 0, within the limits on digits.
pub(super) fn integer(limits: &Limits, v: i128) -> Result<Value, String> {
    check_decimal_text(limits, &v.to_string())?;
    Decimal::try_from_i128_with_scale(v, 0)
        .ok()
        .map(Value::Number)
        .ok_or_else(|| format!("{v} is too large for a decimal"))
}

/// Whether `key` is already among the record's keys read so far (`these`). Records are
/// small: a scan finds a repeated key sooner than hashing would. Past `SCAN` keys,
/// a set (`seen`, made then) keeps a huge record from costing quadratic time.
pub(super) fn repeated(
    these: &[(Arc<str>, Value)],
    seen: &mut Option<HashSet<Arc<str>>>,
    key: &Arc<str>,
) -> bool {
    const SCAN: usize = 32;
    match seen {
        Some(set) => !set.insert(Arc::clone(key)),
        None if these.len() < SCAN => these
            .iter()
            .any(|(k, _)| crate::value::same_key(k.as_bytes(), key.as_bytes())),
        None => {
            let set = seen.insert(these.iter().map(|(k, _)| Arc::clone(k)).collect());
            !set.insert(Arc::clone(key))
        }
    }
}

/// Reads a record key. Map keys must be strings; YAML allows others, which facts may not use.
pub(super) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Arc<str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Arc<str>, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Arc<str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Arc<str>, E> {
                Ok(intern_key(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Arc<str>, E> {
                Err(E::custom(format!(
                    "the key `{v}` is a boolean; quote it if it is meant as a name"
                )))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Arc<str>, E> {
                Ok(Arc::from(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Arc<str>, E> {
                Ok(Arc::from(v.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

/// Slots of the key table; a power of two, with room to spare for a policy's few dozen
/// distinct keys so that two of them rarely share a slot.
pub(super) const KEY_SLOTS: usize = 1024;
/// Longer keys are not kept: they are rare, and the table's memory stays small.
pub(super) const KEY_MAX_KEPT: usize = 32;

thread_local! {
    /// The keys read last on this thread, by hash. The same few dozen keys (`id`,
    /// `amount`, …) recur in every snapshot: allocating each anew, and freeing it with
    /// the snapshot, was a large part of loading. A key found here is shared instead.
    /// A slot holds the last key that hashed to it, so the table never grows.
    static KEYS: RefCell<[Option<Arc<str>>; KEY_SLOTS]> =
        const { RefCell::new([const { None }; KEY_SLOTS]) };
}

/// The key as an `Arc<str>`, shared with earlier snapshots' when the table has it.
pub(super) fn intern_key(key: &str) -> Arc<str> {
    if key.len() > KEY_MAX_KEPT {
        return Arc::from(key);
    }
    let slot = key_slot(key.as_bytes());
    KEYS.with(|table| {
        let mut table = table.borrow_mut();
        match &mut table[slot] {
            Some(kept) if crate::value::same_key(kept.as_bytes(), key.as_bytes()) => {
                Arc::clone(kept)
            }
            other => Arc::clone(other.insert(Arc::from(key))),
        }
    })
}

/// A key's slot in the key table, from its length and its first and last eight bytes
/// (fewer when shorter), a word at a time: a byte at a time was a tenth of loading.
/// Keys that share all three share a slot, which only costs a miss.
pub(super) fn key_slot(b: &[u8]) -> usize {
    let n = b.len();
    let (head, tail) = match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
        _ => (b.iter().fold(0, |w, &x| w << 8 | u64::from(x)), 0),
    };
    let mixed = (head ^ tail.rotate_left(29) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // The top bits of a multiplication are its best mixed.
    (mixed >> (64 - KEY_SLOTS.trailing_zeros())) as usize
}
