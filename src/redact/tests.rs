//! Unit tests of the engine: positives, negatives and operators, on in-memory text.

use super::*;

fn red(text: &str) -> String {
    Redactor::with_defaults().redact_str(text).into_owned()
}

fn with(settings: Settings, text: &str) -> String {
    Redactor::new(&settings)
        .unwrap()
        .redact_str(text)
        .into_owned()
}

#[test]
fn cards_of_every_brand_and_format() {
    for card in [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4222222222222",
        "4111111111111111110",
        "5555555555554444",
        "2223003122003222",
        "378282246310005",
        "3782 822463 10005",
        "6011111111111117",
        "3530111333300000",
        "30569309025904",
        "6200000000000005",
    ] {
        let out = red(&format!("pay with {card} today"));
        assert_eq!(out, "pay with [REDACTED:CARD] today", "{card}");
    }
    // Glued to CJK text, after a JSON escape, in parentheses.
    assert_eq!(red("卡号是4111111111111111请"), "卡号是[REDACTED:CARD]请");
    assert_eq!(
        red(r#"{"t":"a\n4111111111111111"}"#),
        r#"{"t":"a\n[REDACTED:CARD]"}"#
    );
    assert_eq!(red("(4111111111111111)"), "([REDACTED:CARD])");
}

#[test]
fn numbers_that_are_not_cards_stay() {
    for text in [
        "order 4111111111111112 shipped",
        "txn 1234567812345678",
        "ts 1700000000123 ms",
        "id 550e8400-e29b-41d4-a716-446655440000",
        "uuid 12345678-1234-4234-9234-123456789012",
        "at 2024-01-15T10:30:45.123Z",
        "version 5.2.106.23",
        "UA Chrome/36.0.854.0 Safari",
        "we sold 4111111111111111111111 units",
        "订单号4111111111111112已发货",
        "pi is 3.14159265358979",
    ] {
        assert_eq!(red(text), text);
    }
}

#[test]
fn ssn_email_ip_phone() {
    assert_eq!(red("ssn 123-45-6789."), "ssn [REDACTED:SSN].");
    assert_eq!(red("SSN: 123456789"), "SSN: [REDACTED:SSN]");
    assert_eq!(
        red("no 666-12-3456 or 123-00-4567"),
        "no 666-12-3456 or 123-00-4567"
    );
    assert_eq!(
        red("mail jane.doe+x@mail.example.co.uk!"),
        "mail [REDACTED:EMAIL]!"
    );
    assert_eq!(red("邮箱john@example.com谢谢"), "邮箱[REDACTED:EMAIL]谢谢");
    assert_eq!(
        red("/u?email=a.b@c.io&x=1"),
        "/u?email=[REDACTED:EMAIL]&x=1"
    );
    assert_eq!(red("from 203.0.113.77:443"), "from 203.0.113.0:443");
    assert_eq!(
        red("from 2001:db8:85a3::8a2e:370:7334 ok"),
        "from [REDACTED:IPV6] ok"
    );
    assert_eq!(red("call +1 415 555 2671 now"), "call [REDACTED:PHONE] now");
    assert_eq!(red("call (415) 555-2671"), "call [REDACTED:PHONE]");
    assert_eq!(red("call 415-555-2671"), "call [REDACTED:PHONE]");
    assert_eq!(
        red("at 12:30:45 on 2024-03-01"),
        "at 12:30:45 on 2024-03-01"
    );
}

#[test]
fn secrets() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    assert_eq!(
        red(&format!("Authorization: Bearer {jwt}\r\n")),
        "Authorization: Bearer [REDACTED:AUTHORIZATION]\r\n"
    );
    assert_eq!(
        red("authorization: Basic dXNlcjpwYXNzd29yZA=="),
        "authorization: Basic [REDACTED:AUTHORIZATION]"
    );
    assert_eq!(
        red("curl -H 'Authorization: token ghp_x' x"),
        "curl -H 'Authorization: token [REDACTED:AUTHORIZATION]' x"
    );
    assert_eq!(red(&format!("token={jwt}")), "token=[REDACTED:JWT]");
    assert_eq!(
        red("use bearer abcdef0123456789abcdef please"),
        "use bearer [REDACTED:BEARER_TOKEN] please"
    );
    let keys = [
        (
            "sk-proj-Ab3_dEf-GhIjKlMnOpQrStUvWxYz0123456789",
            "OPENAI_KEY",
        ),
        (
            "sk-ant-api03-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789",
            "ANTHROPIC_KEY",
        ),
        ("AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY"),
        ("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "GITHUB_TOKEN"),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            "GITHUB_TOKEN",
        ),
        ("AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "GOOGLE_API_KEY"),
        ("xoxb-1234567890-abcdefghijkl", "SLACK_TOKEN"),
        ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "STRIPE_KEY"),
        ("ya29.a0AfH6SMBx-abcdefghijklmnop", "GOOGLE_OAUTH_TOKEN"),
    ];
    for (key, label) in keys {
        assert_eq!(
            red(&format!("key: {key} ok")),
            format!("key: [REDACTED:{label}] ok")
        );
    }
    assert_eq!(
        red("AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        "[REDACTED:AWS_ACCESS_KEY] [REDACTED:AWS_SECRET_KEY]"
    );
    assert_eq!(
        red("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        "aws_secret_access_key = [REDACTED:AWS_SECRET_KEY]"
    );
    // A git sha is 40 characters too, but lower-case hex and no AWS around.
    let sha = "commit 9fceb02d0ae598e95dc970b74767f19372d61af8";
    assert_eq!(red(sha), sha);
    assert_eq!(
        red("password=hunter2&x=1"),
        "password=[REDACTED:PASSWORD]&x=1"
    );
    assert_eq!(
        red(r#"{"password": "correct horse"}"#),
        r#"{"password": "[REDACTED:PASSWORD]"}"#
    );
    let pem =
        "x\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK==\n-----END RSA PRIVATE KEY-----\ny";
    assert_eq!(red(pem), "x\n[REDACTED:PRIVATE_KEY]\ny");
    assert_eq!(
        red("scikit sk-learn-tutorial-for-beginners"),
        "scikit sk-learn-tutorial-for-beginners"
    );
}

#[test]
fn redacting_twice_changes_nothing_more() {
    let text =
        "Authorization: Bearer abc123def456ghi789 password=x1 jane@example.com 4111111111111111";
    let once = red(text);
    assert_eq!(red(&once), once);
}

/// One redactor shared by threads that scan at the same time: each scan takes its own scratch
/// set (regex caches and all) from the redactor's pool, and the answers are those of scans one
/// at a time.
#[test]
fn one_redactor_on_many_threads_at_once() {
    let r = Redactor::with_defaults();
    let texts: Vec<String> = (0..16)
        .map(|i| {
            format!(
                "turn {i}: card 4111 1111 1111 1111, mail user{i}@example.com, from 10.0.{i}.7, \
                 Authorization: Bearer tok{i}abcdefghijklmnop, order 1234567890123456"
            )
        })
        .collect();
    let alone: Vec<String> = texts.iter().map(|t| r.redact_str(t).into_owned()).collect();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..50 {
                    for (text, expected) in texts.iter().zip(&alone) {
                        assert_eq!(&r.redact_str(text), expected);
                    }
                }
            });
        }
    });
    assert!(
        alone
            .iter()
            .all(|t| t.contains("[REDACTED:CARD]") && !t.contains("@example"))
    );
}

#[test]
fn toggles_operators_and_the_at_rule() {
    let s = Settings {
        toggles: vec![Toggle::Disable("email".into())],
        ..Settings::default()
    };
    assert_eq!(with(s, "jane@example.com"), "jane@example.com");
    let s = Settings {
        toggles: vec![Toggle::Enable("at_token".into())],
        ..Settings::default()
    };
    assert_eq!(
        with(s, "ping @bob and x@y now"),
        "ping [REDACTED:AT_TOKEN] and [REDACTED:AT_TOKEN] now"
    );
    let s = Settings {
        operators: vec![(None, Operator::Mask)],
        ..Settings::default()
    };
    assert_eq!(
        with(s, "4111 1111 1111 1111 jane@example.com 10.1.2.3"),
        "**** **** **** 1111 ***@example.com 10.1.2.0"
    );
    let s = Settings {
        toggles: vec![Toggle::Disable("all".into()), Toggle::Enable("ssn".into())],
        ..Settings::default()
    };
    assert_eq!(
        with(s, "123-45-6789 jane@example.com"),
        "[REDACTED:SSN] jane@example.com"
    );
    let err = Redactor::new(&Settings {
        toggles: vec![Toggle::Enable("creditcard".into())],
        ..Settings::default()
    })
    .unwrap_err();
    assert!(matches!(err, RedactError::UnknownRule { .. }));
}

#[test]
fn hash_needs_a_key_and_is_stable() {
    let s = Settings {
        operators: vec![(Some("email".into()), Operator::Hash)],
        ..Settings::default()
    };
    assert!(matches!(
        Redactor::new(&s),
        Err(RedactError::MissingHashKey { .. })
    ));
    let s = Settings {
        hash_key: Some(HashKey::new(b"k")),
        ..s
    };
    let r = Redactor::new(&s).unwrap();
    let a = r.redact_str("Jane@Example.com").into_owned();
    let b = r.redact_str("jane@example.com").into_owned();
    assert_eq!(a, b);
    assert!(a.starts_with("[EMAIL:"), "{a}");
}

#[test]
fn custom_rules_and_allow_list() {
    let s = Settings {
        custom: vec![CustomRule {
            name: "employee_id".into(),
            pattern: r"EMP-(?P<secret>[0-9]{6})".into(),
            keywords: vec!["employee".into()],
            ..CustomRule::default()
        }],
        allow_values: vec!["support@example.com".into()],
        allow_patterns: vec![r".*@example\.org".into()],
        ..Settings::default()
    };
    assert_eq!(
        with(s.clone(), "employee EMP-123456, EMP-654321"),
        "employee EMP-[REDACTED:EMPLOYEE_ID], EMP-[REDACTED:EMPLOYEE_ID]"
    );
    assert_eq!(with(s.clone(), "badge EMP-123456"), "badge EMP-123456");
    assert_eq!(
        with(s, "support@example.com a@example.org b@example.net"),
        "support@example.com a@example.org [REDACTED:EMAIL]"
    );
    for (rule, needle) in [
        (
            CustomRule {
                name: "x".into(),
                pattern: "(".into(),
                ..CustomRule::default()
            },
            "does not compile",
        ),
        (
            CustomRule {
                name: "x".into(),
                pattern: "a*".into(),
                ..CustomRule::default()
            },
            "empty",
        ),
        (
            CustomRule {
                name: "email".into(),
                pattern: "a".into(),
                ..CustomRule::default()
            },
            "reserved",
        ),
        (
            CustomRule {
                name: "x".into(),
                pattern: "a".into(),
                validator: Some("crc".into()),
                ..CustomRule::default()
            },
            "unknown validator",
        ),
    ] {
        let err = Redactor::new(&Settings {
            custom: vec![rule],
            ..Settings::default()
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(needle) && (msg.contains("\"x\"") || msg.contains("\"email\"")),
            "{msg}"
        );
    }
}

#[test]
fn json_redacts_values_only_and_keeps_the_rest() {
    let r = Redactor::with_defaults();
    let doc = br#"{ "jane@example.com": "mail jane@example.com",  "n": 1.50e3, "h": {"Authorization": "Basic dXNlcjpwYXNz"},
  "args": "{\"to\": \"bob@example.com\", \"n\": 2}", "u": "caf\u00e9" }"#;
    let mut out = Vec::new();
    let s = r
        .stream_json(&mut &doc[..], Some(&mut out), false, Some(10))
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        r#"{ "jane@example.com": "mail [REDACTED:EMAIL]",  "n": 1.50e3, "h": {"Authorization": "Basic [REDACTED:AUTHORIZATION]"},
  "args": "{\"to\": \"[REDACTED:EMAIL]\", \"n\": 2}", "u": "caf\u00e9" }"#
    );
    assert_eq!(s.total, 3);
    assert_eq!(s.findings[2].line, 2);
    serde_json::from_str::<serde_json::Value>(&text).unwrap();
}

#[test]
fn jsonl_falls_back_to_text_for_broken_lines() {
    let r = Redactor::with_defaults();
    let doc = b"{\"a\":\"x@y.io\"}\r\n{\"truncated\": \"4111111111111111\n\n";
    let mut out = Vec::new();
    let s = r
        .stream_json(&mut &doc[..], Some(&mut out), true, None)
        .unwrap();
    assert_eq!(
        out,
        b"{\"a\":\"[REDACTED:EMAIL]\"}\r\n{\"truncated\": \"[REDACTED:CARD]\n\n"
    );
    assert_eq!(s.text_fallback_lines, 1);
}

#[test]
fn values_in_memory() {
    let r = Redactor::with_defaults();
    let mut v = serde_json::json!({"messages": [{"role": "user", "content": "I'm jane@example.com"}], "password": "pw"});
    assert_eq!(r.redact_value(&mut v), 2);
    assert_eq!(v["messages"][0]["content"], "I'm [REDACTED:EMAIL]");
    assert_eq!(v["password"], "[REDACTED:PASSWORD]");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Known findings and their replacement with the default operators.
    const SECRETS: &[(&str, &str)] = &[
        ("jane.doe@example.com", "[REDACTED:EMAIL]"),
        ("4111 1111 1111 1111", "[REDACTED:CARD]"),
        ("5555555555554444", "[REDACTED:CARD]"),
        ("123-45-6789", "[REDACTED:SSN]"),
        ("192.168.10.77", "192.168.10.0"),
        ("AKIAIOSFODNN7EXAMPLE", "[REDACTED:AWS_ACCESS_KEY]"),
        (
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
            "[REDACTED:GITHUB_TOKEN]",
        ),
        ("password=hunter2", "password=[REDACTED:PASSWORD]"),
    ];

    /// Text that no rule matches (and that does not glue itself to a neighbouring finding).
    fn filler() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                " ",
                "\n",
                "\r\n",
                "\t",
                " hello ",
                " 订单 ",
                " v1.2 ",
                " 2024-01-15 ",
                " 42 ",
                " \u{0} ",
                " ok. ",
            ]),
            1..6,
        )
        .prop_map(|v| format!(" {} ", v.concat()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn never_panics_and_unchanged_when_nothing_found(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
            let r = Redactor::with_defaults();
            let mut tally = Tally::new(r.rule_count(), None);
            let out = r.redact_slice(&bytes, &mut tally, (0, 0));
            if tally.counts.iter().sum::<u64>() == 0 {
                prop_assert_eq!(&out[..], &bytes[..]);
            }
            // The JSON path must not panic on garbage either.
            let mut sink = Vec::new();
            let _ = r.stream_json(&mut &bytes[..], Some(&mut sink), true, Some(10));
            let _ = r.stream_json(&mut &bytes[..], Some(&mut sink), false, None);
        }

        #[test]
        fn only_the_findings_change(parts in prop::collection::vec((filler(), prop::option::of(0..SECRETS.len())), 1..12)) {
            let mut input = String::new();
            let mut expected = String::new();
            for (fill, secret) in &parts {
                input.push_str(fill);
                expected.push_str(fill);
                if let Some(i) = secret {
                    input.push_str(SECRETS[*i].0);
                    expected.push_str(SECRETS[*i].1);
                }
            }
            prop_assert_eq!(red(&input), expected);
        }

        #[test]
        fn json_output_always_parses_with_the_same_shape(
            values in prop::collection::vec((
                "[a-z_]{1,8}",
                prop::sample::select(vec![
                    "plain", "jane@example.com", "4111111111111111", "{\"ip\": \"10.0.0.1\"}",
                    "line\nbreak \"quoted\" \\ back", "Bearer abcdefghijklmnop123", "雪 😀",
                ]),
            ), 0..8)
        ) {
            let mut map = serde_json::Map::new();
            for (k, v) in &values {
                map.insert(k.clone(), serde_json::Value::String((*v).to_string()));
            }
            let doc = serde_json::json!({"messages": [serde_json::Value::Object(map.clone())], "n": 1});
            let text = serde_json::to_vec_pretty(&doc).unwrap();
            let r = Redactor::with_defaults();
            let mut out = Vec::new();
            r.stream_json(&mut &text[..], Some(&mut out), false, None).unwrap();
            let parsed: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let keys: Vec<&String> = parsed["messages"][0].as_object().unwrap().keys().collect();
            let want: Vec<&String> = map.keys().collect();
            prop_assert_eq!(keys, want);
            prop_assert!(!String::from_utf8_lossy(&out).contains("jane@example.com"));
        }
    }
}

/// The start finders of `starts.rs` against the unanchored regexes they stand in for: the same
/// findings on the evaluation sample, on adversarial text and across parallel parts.
mod same_as_the_regexes {
    use proptest::prelude::*;

    use super::*;

    fn hits(r: &Redactor, hay: &[u8]) -> Vec<scan::Hit> {
        let mut out = Vec::new();
        r.scan(hay, 0, hay.len(), &mut |h| out.push(h));
        out
    }

    fn both(settings: &Settings) -> (Redactor, Redactor) {
        (
            Redactor::new(settings).unwrap(),
            Redactor::reference(settings).unwrap(),
        )
    }

    /// Pieces that sit on the edges of the rules: near-misses of every shape, keywords, JSON
    /// escapes, CJK neighbours, separators.
    const PIECES: &[&str] = &[
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111112",
        "3782 822463 10005",
        "1234567890123",
        "12 4111 1111 1111 1111",
        "123-45-6789",
        "123 45 6789",
        "123456789",
        "666-12-3456",
        "SSN: ",
        "ssn#",
        "Social Security No. ",
        "social security number ",
        "soc",
        "10.0.0.1",
        "256.1.1.1",
        "1.2.3.4.5",
        "v1.2.3.4",
        "Chrome/36.0.854.0",
        "fe80::1",
        "2001:db8::8a2e:370:7334",
        "1:2:3:4:5:6:7:8",
        "::",
        "a::b",
        "std::vec",
        "dead:beef",
        "22:48:10",
        "+1 415 555 0100",
        "+44 20 7946 0958",
        "(555) 123-4567",
        "555.123.4567",
        "555-123-4567",
        "020 7946 0958",
        "0201 234 567",
        "2024-01-15T10:30:45.123Z",
        "973880.792",
        "1650501546876",
        "1234567890",
        "123456789012",
        "12345678901234567890",
        "4111111111111111:",
        "123456789::1",
        "4111111111111111.",
        "4111111111111111x",
        "+0",
        "(1",
        "a+15551234567",
        "id\\n4111 1111 1111 1111",
        "x(555) 123-4567",
        "\\n",
        "\\t",
        "\\\\n",
        "\\",
        "+",
        "(",
        ")",
        ":",
        ".",
        "-",
        " ",
        "  ",
        "\n",
        "\t",
        "_",
        "x",
        "id",
        "n",
        "0",
        "9",
        "12",
        "1234",
        "abc",
        "ABCDEF",
        "卡号是",
        "请",
        "号",
        "é",
        "\u{0}",
        "\"",
        "'",
        "=",
        "@",
        "jane@example.com",
        "Authorization: Bearer abc.def-123456789",
        "authorization=",
        "Bearer ",
        "bearer\t",
        "password=",
        "\"password\": \"p w\"",
        "PWD:",
        "passphrase ",
        "aws_secret_access_key=",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AKIAIOSFODNN7EXAMPLE",
        "eyJhbGciOi.eyJzdWIiOi.sig_1",
        "eyJ",
        "sk-",
        "sk-proj-",
        "sk-ant-",
        "abcdefghijklmnopqrstuvwxyz0123",
        "ghp_",
        "github_pat_",
        "AIza",
        "ya29.",
        "xoxb-",
        "sk_live_",
        "rk_test_",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----END RSA PRIVATE KEY-----",
        "ASIA",
        "secret",
        "AWS",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES.to_vec()), 0..60).prop_map(|v| v.concat())
    }

    /// Every position where a prefiltered group's regex matches anchored is one its finder
    /// reports (the finder may report more).
    fn finders_cover_every_start(r: &Redactor, hay: &[u8]) -> Result<(), TestCaseError> {
        for g in 0..r.groups.len() {
            let Some(found) = r.starts_of(g, hay) else {
                continue;
            };
            for p in 0..hay.len() {
                if r.matches_at(g, hay, p) {
                    prop_assert!(
                        found.contains(&p),
                        "group {g} misses a start at {p} in {:?}",
                        String::from_utf8_lossy(hay)
                    );
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn same_findings_on_adversarial_text(s in text()) {
            let (fast, reference) = both(&Settings::default());
            prop_assert_eq!(hits(&fast, s.as_bytes()), hits(&reference, s.as_bytes()), "{:?}", s);
            finders_cover_every_start(&fast, s.as_bytes())?;
        }

        #[test]
        fn same_findings_on_arbitrary_bytes(bytes in prop::collection::vec(
            prop::sample::select(b"0123456789 -.:+()\\ntabfABCxyz_@=\"\n\xe5".to_vec()), 0..400)
        ) {
            let (fast, reference) = both(&Settings::default());
            prop_assert_eq!(hits(&fast, &bytes), hits(&reference, &bytes));
            finders_cover_every_start(&fast, &bytes)?;
        }
    }

    #[test]
    fn same_findings_on_the_evaluation_sample() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/eval/data/sample.txt");
        let sample = std::fs::read(path).unwrap();
        let (fast, reference) = both(&Settings::default());
        let found = hits(&fast, &sample);
        assert!(found.len() > 1000);
        assert_eq!(found, hits(&reference, &sample));
        // Every rule on, and only a few, change which groups exist and what they hold.
        for toggles in [
            vec![Toggle::Enable("all".into())],
            vec![Toggle::Disable("all".into()), Toggle::Enable("ssn".into())],
            vec![
                Toggle::Disable("card".into()),
                Toggle::Disable("password".into()),
            ],
            vec![
                Toggle::Disable("all".into()),
                Toggle::Enable("card".into()),
                Toggle::Enable("ipv4".into()),
            ],
        ] {
            let settings = Settings {
                toggles,
                ..Settings::default()
            };
            let (fast, reference) = both(&settings);
            assert_eq!(hits(&fast, &sample), hits(&reference, &sample));
        }
    }

    /// Large enough to be scanned in parallel parts, with findings on the part boundaries.
    #[test]
    fn same_findings_across_parallel_parts() {
        let mut hay = Vec::new();
        let mut i = 0usize;
        while hay.len() < 3 << 20 {
            hay.extend_from_slice(PIECES[i * 7919 % PIECES.len()].as_bytes());
            hay.extend_from_slice(PIECES[i * 104_729 % PIECES.len()].as_bytes());
            hay.push(b" \n-:"[i % 4]);
            i += 1;
        }
        let (fast, reference) = both(&Settings::default());
        assert_eq!(hits(&fast, &hay), hits(&reference, &hay));
    }
}
