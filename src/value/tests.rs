use super::*;

#[test]
fn text_short_or_long_compares_orders_and_shows_as_its_str() {
    // Around the 23 bytes kept in the value, and shared text from a rule's literal.
    let texts: Vec<String> = [0, 1, 22, 23, 24, 40]
        .iter()
        .flat_map(|&n| ["a".repeat(n), format!("{}b", "a".repeat(n)), "é".repeat(n)])
        .collect();
    for a in &texts {
        let (x, shared) = (Text::new(a), Text::from(Arc::<str>::from(a.as_str())));
        assert_eq!(x, shared);
        assert_eq!((x.as_str(), x.to_string()), (a.as_str(), a.clone()));
        assert_eq!(format!("{x:?}"), format!("{a:?}"));
        for b in &texts {
            assert_eq!(x.cmp(&Text::new(b)), a.as_str().cmp(b.as_str()), "{a} {b}");
        }
    }
    assert_eq!(std::mem::size_of::<Value>(), 24);
}

#[test]
fn numbers_pushed_as_digits_are_written_as_display_writes_them() {
    for n in [0, 7, 10, 99, 2021, 1_000_000, u64::MAX] {
        let mut out = String::from("x");
        push_uint(&mut out, n);
        assert_eq!(out, format!("x{n}"));
    }
}

#[test]
fn keys_compared_by_words_are_compared_as_text() {
    // Every length around the words' edges, a difference at every place.
    for n in 0..40usize {
        let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
        assert!(same_key(&a, &a), "{n}");
        assert!(!same_key(&a, &a[..n.saturating_sub(1)]) || n == 0, "{n}");
        for at in 0..n {
            let mut b = a.clone();
            b[at] ^= 0x20;
            assert!(!same_key(&a, &b), "{n} at {at}");
        }
    }
}

#[test]
fn message_text_is_what_display_writes() {
    let values = [
        Value::Null,
        Value::Bool(true),
        Value::string("ecs-1 \"x\""),
        Value::Number("-12.50".parse().unwrap()),
        Value::Money(Money {
            amount: "3294.09".parse().unwrap(),
            currency: Currency::new("USD").unwrap(),
        }),
        Value::Time(DateTime::parse_from_rfc3339("2023-07-11T20:54:38.5+08:00").unwrap()),
        Value::Duration(TimeDelta::hours(24)),
        Value::List(vec![Value::string("a"), Value::Number(1.into())].into()),
        Value::List(Vec::new().into()),
        // Text quoted in a list: plain, and every kind `Debug` escapes.
        Value::List(
            [
                "ecs-1",
                "",
                " ~",
                "a\"b",
                "a\\b",
                "a'b",
                "tab\there",
                "line\n",
                "\u{7f}",
                "\u{0}",
                "é",
                "\u{301}",
                "\u{200b}",
                "日本",
            ]
            .iter()
            .map(|s| Value::string(s))
            .collect::<Vec<_>>()
            .into(),
        ),
        Value::List(
            vec![
                Value::Null,
                Value::Bool(false),
                Value::Money(Money {
                    amount: "-0.50".parse().unwrap(),
                    currency: Currency::new("EUR").unwrap(),
                }),
                Value::Duration(TimeDelta::minutes(90)),
                Value::Time(DateTime::parse_from_rfc3339("2023-07-11T20:54:38Z").unwrap()),
                Value::List(vec![Value::string("nested \"q\"")].into()),
                Value::Map(Arc::new([(Arc::from("k"), Value::string("v"))])),
            ]
            .into(),
        ),
    ];
    for v in values {
        let mut out = String::new();
        push_text(&mut out, &v);
        assert_eq!(out, v.to_string());
    }
}

#[test]
fn unsigned_numbers_are_written_as_display_writes_them() {
    for n in [0, 1, 9, 10, 99, 100, 2021, 1 << 40, u64::MAX - 1, u64::MAX] {
        let mut out = String::from("x");
        push_uint(&mut out, n);
        assert_eq!(out, format!("x{n}"));
    }
}

#[test]
fn decimals_are_written_as_their_display_writes_them() {
    let mut cases: Vec<Decimal> = [
        "0",
        "0.00",
        "-0.00",
        "1",
        "-1",
        "3294.09",
        "0.005",
        "-0.5",
        "1000",
        "10.10",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0.0000000000000000000000000001",
        "7.9228162514264337593543950335",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    // Every scale, with values whose digits are fewer, as many and more than the scale.
    for scale in 0..=28 {
        for m in [0i64, 1, -7, 42, 123_456_789, i64::MAX, i64::MIN] {
            cases.push(Decimal::new(m, scale));
        }
    }
    for d in cases {
        assert_eq!(DecimalText::of(&d).as_str(), d.to_string(), "{d:?}");
    }
}

#[test]
fn times_are_written_as_chrono_writes_them() {
    let cases = [
        "2023-07-10T21:16:38+08:00",
        "2023-07-10T21:16:38Z",
        "2023-07-10T21:16:38-05:30",
        "2023-07-10T21:16:38.5+08:00",
        "2023-07-10T21:16:38.123456+08:00",
        "2023-07-10T21:16:38.000000001-01:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59.999999999-14:00",
        "2016-12-31T23:59:60Z",
        "2023-07-10T21:16:38+00:00",
    ];
    for c in cases {
        let t = DateTime::parse_from_rfc3339(c).unwrap();
        assert_eq!(
            format_time(&t),
            t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            "{c}"
        );
    }
}
