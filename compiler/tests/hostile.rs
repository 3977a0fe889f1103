//! Hostile recipient data: every record gives either a correct timeline (texts intact) or a
//! precise error naming the attribute; none panics. Runs the real naspi campaign.

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
        &"x".repeat(100_000),
    ] {
        let texts = run(&p, &with("nome", json!(name))).expect("a name is any string");
        assert!(
            texts.iter().any(|t| t.contains(name)),
            "the name {:?} is not in the texts",
            name.chars().take(30).collect::<String>()
        );
    }
}

#[test]
fn amounts_and_dates_at_the_edges() {
    let p = program();
    for amount in [
        json!(0),
        json!(-12.5),
        json!(0.005),
        json!(1e12),
        json!("1234.50"),
    ] {
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
    for bad in [json!(1e300), json!("12,50"), json!("abc"), json!(true)] {
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
