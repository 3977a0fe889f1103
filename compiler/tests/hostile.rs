//! Hostile recipient data: every record gives either a correct timeline (texts intact) or a
//! precise error naming the attribute; none panics. Runs the real naspi campaign.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_runtime::{EvalError, Outcome, Program};
use serde_json::{json, Value};

fn program() -> Program {
    let project = guide_compiler::project::load(std::path::Path::new("../campaigns/naspi"))
        .expect("campaign loads");
    let checked = guide_compiler::check::check(&project);
    let campaign = checked.campaign.expect("naspi checks");
    guide_compiler::codegen::program(&campaign).expect("bytecode loads")
}

fn base() -> Value {
    json!({
        "codice_fiscale": "SPSCHR96P42F839G",
        "nome": "Chiara",
        "sesso": "F",
        "eta": 27,
        "importo_mensile": 865.1,
        "data_primo_pagamento": "2024-05-10",
        "durata_settimane": 7,
        "modalita_pagamento": "ufficio_postale",
        "contatti_aggiornati": false
    })
}

fn with(key: &str, v: Value) -> Value {
    let mut r = base();
    r[key] = v;
    r
}

fn without(key: &str) -> Value {
    let mut r = base();
    if let Value::Object(m) = &mut r {
        m.remove(key);
    }
    r
}

/// The texts of the first scene, or the error's text.
fn run(p: &Program, rec: &Value) -> Result<Vec<String>, String> {
    match p.evaluate_json(rec) {
        Ok(Outcome::Eligible(t)) => Ok(t
            .all_scenes()
            .flat_map(|s| s.texts().map(str::to_string).collect::<Vec<_>>())
            .collect()),
        Ok(Outcome::NotEligible) => Err("not eligible".into()),
        Err(EvalError::Record(e)) => Err(format!("record: {} {e}", e.path)),
        Err(e) => Err(format!("eval: {e}")),
    }
}

#[test]
fn names_are_kept_intact_whatever_they_contain() {
    let p = program();
    for name in [
        "",
        "D'Amico",
        "Niccolò Zoë Ångström",
        "Мария",
        "玛丽亚",
        "مريم",
        "<img src=x onerror=alert(1)>",
        "\"quoted\" \\ back",
        "tab\tnew\nline\u{7}bell",
        "😀 emoji",
        &"x".repeat(40),
        &"è".repeat(40),
    ] {
        let texts = run(&p, &with("nome", json!(name))).expect("a name is any string");
        assert!(
            texts.iter().any(|t| t.contains(name)),
            "the name {:?} is not in the texts",
            name.chars().take(30).collect::<String>()
        );
    }
    // Past the schema's max_length (40 characters), refused, naming the bound.
    for name in ["x".repeat(41), "è".repeat(41), "x".repeat(100_000)] {
        let e = run(&p, &with("nome", json!(name))).expect_err("too long");
        assert!(
            e.contains("nome") && e.contains("(max_length: 40)"),
            "{e:.200}"
        );
    }
}

#[test]
fn amounts_and_dates_at_the_edges() {
    let p = program();
    for amount in [json!(0), json!(0.01), json!(1e12), json!("1234.50")] {
        assert!(
            run(&p, &with("importo_mensile", amount.clone())).is_ok(),
            "{amount}"
        );
    }
    let texts = run(&p, &with("importo_mensile", json!(1234.5))).expect("ok");
    assert!(texts.iter().any(|t| t.contains("€ 1.234,50")), "{texts:?}");
    let texts = run(&p, &with("data_primo_pagamento", json!("2024-02-29"))).expect("ok");
    assert!(
        texts.iter().any(|t| t.contains("29 febbraio 2024")),
        "{texts:?}"
    );
    // Negative amounts are below the schema's `min: 0`; a third decimal is never rounded away.
    for bad in [
        json!(1e300),
        json!("12,50"),
        json!("abc"),
        json!(true),
        json!(-12.5),
        json!(-0.01),
        json!(0.005),
        json!(1234.567),
    ] {
        let e = run(&p, &with("importo_mensile", bad.clone())).expect_err("refused");
        assert!(e.contains("importo_mensile"), "{bad}: {e}");
    }
    for bad in [
        "2023-02-29",
        "2024-13-01",
        "29/02/2024",
        "",
        "2024-02-29T00:00:00",
    ] {
        let e = run(&p, &with("data_primo_pagamento", json!(bad))).expect_err("refused");
        assert!(e.contains("data_primo_pagamento"), "{bad}: {e}");
    }
    for n in [i64::MAX, i64::MIN] {
        // Huge integers are valid ints; arithmetic on them must not panic.
        let _ = run(&p, &with("eta", json!(n)));
        let _ = run(&p, &with("durata_settimane", json!(n)));
    }
}

#[test]
fn missing_null_unknown_and_wrong_attributes_are_named() {
    let p = program();
    let cases = [
        (without("nome"), "nome"),
        (with("nome", Value::Null), "nome"),
        (with("nome", json!(42)), "nome"),
        (with("eta", json!("27")), "eta"),
        (with("eta", json!(27.5)), "eta"),
        (with("sesso", json!("f")), "sesso"),
        (with("sesso", json!("Femmina")), "sesso"),
        (
            with("modalita_pagamento", json!("BONIFICO")),
            "modalita_pagamento",
        ),
        (
            with("contatti_aggiornati", json!("false")),
            "contatti_aggiornati",
        ),
        (with("sconosciuto", json!(1)), "sconosciuto"),
        (
            with("reddito_autonomo", json!({"a": 1})),
            "reddito_autonomo",
        ),
    ];
    for (rec, attr) in cases {
        let e = run(&p, &rec).expect_err("refused");
        assert!(e.contains(attr), "expected an error about {attr}, got {e}");
    }
    // Not an object at all.
    for rec in [json!([]), json!("x"), json!(null), json!(1)] {
        assert!(run(&p, &rec).is_err());
    }
    // Optional attributes may be absent or null.
    assert!(run(&p, &with("reddito_autonomo", Value::Null)).is_ok());
    assert!(run(&p, &without("reddito_autonomo")).is_ok());
}

#[test]
fn personal_values_never_appear_in_errors() {
    let p = program();
    let secret = "RSSMRA41S42H501F-SECRET";
    let e = run(&p, &with("codice_fiscale", json!(12345))).expect_err("refused");
    assert!(!e.contains("12345"), "{e}");
    let e = run(&p, &with("nome", json!([secret]))).expect_err("refused");
    assert!(!e.contains(secret), "{e}");
}

/// Evaluates the text of a record with the streaming decoder, and with serde_json's `Value`
/// when the text is JSON at all: both must agree. The texts of the timeline, or the error.
fn run_text(p: &Program, text: &str) -> Result<Vec<String>, String> {
    let mut ev = p.evaluator();
    let fast = match ev.evaluate_json_str(text) {
        Ok(Outcome::Eligible(t)) => Ok(t
            .all_scenes()
            .flat_map(|s| s.texts().map(str::to_string).collect::<Vec<_>>())
            .collect()),
        Ok(Outcome::NotEligible) => Err("not eligible".into()),
        Err(EvalError::Record(e)) => Err(format!("record: {} {e}", e.path)),
        Err(e) => Err(format!("eval: {e}")),
    };
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        assert_eq!(fast, run(p, &v), "the decoders disagree on {text:.200}");
    } else {
        let e = fast.clone().expect_err("text that is not JSON is refused");
        assert!(e.contains("not valid JSON"), "{e}");
    }
    fast
}

/// The base record's text with `extra` (`"key": value` pairs) added at its end, so that a key
/// of the base given again in `extra` is the later one.
fn text_with(extra: &str) -> String {
    let base = base().to_string();
    format!("{},{extra}}}", base.trim_end_matches('}'))
}

#[test]
fn duplicated_attributes_keep_the_last_value_in_both_decoders() {
    let p = program();
    // JSON allows a key twice; like serde_json's `Value`, the last one wins, whichever decoder.
    let texts = run_text(&p, &text_with("\"nome\":\"Prima\",\"nome\":\"Seconda\""))
        .expect("a repeated key is read");
    assert!(texts.iter().any(|t| t.contains("Seconda")), "{texts:?}");
    assert!(
        !texts
            .iter()
            .any(|t| t.contains("Prima") || t.contains("Chiara")),
        "{texts:?}"
    );
    // A repeated key whose last value is wrong is refused, naming it.
    let text = text_with("\"eta\":30,\"eta\":\"ventisette\"");
    let e = run_text(&p, &text).expect_err("the last value is wrong");
    assert!(e.contains("eta"), "{e}");
    // The builder API refuses a repeated attribute outright.
    let mut b = p.record_builder();
    b.set_str("nome", "Prima").expect("first");
    assert!(b.set_str("nome", "Seconda").is_err());
}

#[test]
fn control_characters_and_odd_unicode_are_kept_or_refused_as_json_says() {
    let p = program();
    // Escaped control characters, NUL, ANSI escapes, bidi overrides, non-characters: kept
    // intact in the texts (escaping them is the job of whoever displays them).
    for name in [
        "\u{0}",
        "a\u{0}b",
        "\u{1b}[2J\u{1b}[31mrosso",
        "\u{202e}otseT",
        "\u{feff}BOM",
        "\u{fffe}\u{ffff}",
        "\u{10ffff}",
        "\r\n\t\u{7f}\u{85}\u{2028}",
        "<script>alert(1)</script>",
        "{nome} [a|b] \\",
    ] {
        let text = text_with(&format!("\"nome\":{}", json!(name)));
        let texts = run_text(&p, &text).expect("any string is a name");
        assert!(texts.iter().any(|t| t.contains(name)), "{name:?}");
    }
    // What JSON forbids is refused as a syntax error, never a panic.
    for bad in [
        "{\"nome\":\"\u{0}\"}",          // a raw control character in a string
        "{\"nome\":\"a\nb\"}",           // a raw newline
        "{\"nome\":\"\\ud800\"}",        // a lone surrogate
        "{\"nome\":\"\\udc00\\ud800\"}", // reversed surrogates
        "{\"nome\":\"\\u00\"}",          // a short escape
        "{\"nome\":\"\\x41\"}",          // an escape JSON does not have
        "\u{feff}{}",                    // a byte order mark
        "{\"nome\":\"unterminated",
        "{\"eta\":1e400}", // a number out of range
        "{\"eta\":01}",    // a leading zero
        "{\"eta\":NaN}",
        "{\"eta\":-}",
        "{,}",
        "",
        "   ",
        "{}}",
        "{} {}",
    ] {
        let e = run_text(&p, bad).expect_err(bad);
        assert!(e.starts_with("record:"), "{bad:?}: {e}");
    }
}

#[test]
fn odd_keys_numbers_and_shapes_are_refused_naming_the_attribute() {
    let p = program();
    for (extra, attr) in [
        ("\"\":1", "\"\""),
        ("\"nome\\u0000\":1", "nome"),
        ("\"NOME\":\"x\"", "NOME"),
        ("\" nome\":\"x\"", "nome"),
        ("\"__proto__\":{}", "__proto__"),
        ("\"constructor\":1", "constructor"),
    ] {
        let e = run_text(&p, &text_with(extra)).expect_err(extra);
        let shown = attr.trim_matches('"');
        assert!(e.contains(shown) || shown.is_empty(), "{extra}: {e}");
    }
    // Numbers of euros are read to the cent, whatever their form (a third decimal is refused
    // above, never rounded; a number below the smallest double is zero for JSON itself).
    for (value, shown) in [
        ("1e-400", "€ 0,00"),
        ("12.340", "€ 12,34"),
        ("-0", "€ 0,00"),
        // Surrounding white space (any, as `str::trim` sees it) is ignored in a string.
        ("\" 1234\u{a0}\"", "€ 1.234,00"),
    ] {
        let texts = run_text(&p, &text_with(&format!("\"importo_mensile\":{value}"))).expect(value);
        assert!(
            texts.iter().any(|t| t.contains(shown)),
            "{value}: {texts:?}"
        );
    }
    let mut failures = Vec::new();
    for (key, value) in [
        ("eta", "27.0"),
        ("eta", "2.7e1"),
        ("eta", "99999999999999999999"),
        ("eta", "-9223372036854775809"),
        ("eta", "true"),
        ("eta", "[27]"),
        ("importo_mensile", "\"12.345\""),
        ("importo_mensile", "\"1.234,50\""),
        ("importo_mensile", "\"€ 10\""),
        ("importo_mensile", "\"NaN\""),
        ("importo_mensile", "\"inf\""),
        ("importo_mensile", "\"99999999999999999999\""),
        ("data_primo_pagamento", "\"0000-01-01\""),
        ("data_primo_pagamento", "\"10000-01-01\""),
        ("data_primo_pagamento", "\"2024-1-1\""),
        ("data_primo_pagamento", "\"+2024-01-01\""),
        ("data_primo_pagamento", "\"２０２４-01-01\""),
        ("data_primo_pagamento", "20240101"),
        ("sesso", "\"F \""),
        ("sesso", "\"F\\u0000\""),
        ("sesso", "[\"F\"]"),
        ("contatti_aggiornati", "1"),
        ("contatti_aggiornati", "null"),
    ] {
        let e = match run_text(&p, &text_with(&format!("\"{key}\":{value}"))) {
            Ok(_) => {
                failures.push(format!("{key}: {value} accepted"));
                continue;
            }
            Err(e) => e,
        };
        if !e.contains(key) {
            failures.push(format!("{key}: {value}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn deep_and_huge_records_are_refused_or_bounded_without_exhausting_anything() {
    let p = program();
    // Nesting far past serde_json's recursion limit, in an unknown attribute and in a known
    // one: an error, not a stack overflow.
    for key in ["sconosciuto", "nome", "importo_mensile"] {
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = run_text(&p, &text_with(&format!("\"{key}\":{deep}"))).expect_err(key);
        assert!(e.starts_with("record:"), "{e}");
        let deep = format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        assert!(run_text(&p, &text_with(&format!("\"{key}\":{deep}"))).is_err());
    }
    // A name of 2 MB: refused by the schema's max_length before anything is evaluated.
    let e = run_text(
        &p,
        &text_with(&format!("\"nome\":\"{}\"", "x".repeat(2 << 20))),
    )
    .expect_err("too long a name");
    assert!(e.starts_with("record: nome"), "{e:.200}");
    // A timeline past the output limit says so.
    let mut ev = guide_runtime::Evaluator::new(
        &p,
        guide_runtime::Limits {
            max_output_bytes: 200,
            ..guide_runtime::Limits::default()
        },
    );
    let e = ev
        .evaluate_json_str(&text_with("\"nome\":\"Chiara\""))
        .map(|_| ())
        .expect_err("too much text");
    assert!(e.to_string().contains("exceeds"), "{e}");
    // Many unknown attributes: one error, naming the first.
    let many: Vec<String> = (0..10_000).map(|i| format!("\"x{i}\":{i}")).collect();
    let e = run_text(&p, &text_with(&many.join(","))).expect_err("unknown");
    assert!(e.contains("x0"), "{e:.200}");
}
