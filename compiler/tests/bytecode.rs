//! The bytecode end to end: every language feature compiled, encoded, decoded and evaluated;
//! every `RecordError` kind; the `build`, `disasm` and `run` commands; and, for every campaign
//! under `campaigns/`, its disassembly and its demo recipients' timelines as snapshots under
//! `snapshots/`.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::{check, codegen, project};
use guide_runtime::{EvalError, Outcome, Program, RecordErrorKind, Timeline};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod fixture;
use fixture::{anna, with, LIB, MAIN, SCHEMA};

/// Compiles a campaign held in memory (the main file, `schema.ron` and libraries), encodes it
/// and loads the bytes.
fn build(main: &str, files: &[(&str, &str)]) -> Program {
    let files: HashMap<PathBuf, String> = files
        .iter()
        .map(|(n, t)| (Path::new("mem").join(n), (*t).to_owned()))
        .collect();
    let project = project::load_source(Path::new("mem/main.guide"), main.to_owned(), &mut |p| {
        files
            .get(p)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not in memory"))
    });
    let checked = check::check(&project);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render(false))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let campaign = checked.campaign.expect("a campaign");
    let bytes = codegen::compile(&campaign);
    let program = Program::from_bytes(&bytes).expect("the compiled program loads");
    // Decoding then encoding gives the same bytes.
    assert_eq!(program.to_bytes(), bytes);
    program
}

fn features() -> Program {
    build(MAIN, &[("schema.ron", SCHEMA), ("lib.guide", LIB)])
}

fn eval<'p>(p: &'p Program, v: &Value) -> Timeline<'p> {
    match p.evaluate_json(v) {
        Ok(Outcome::Eligible(t)) => t,
        Ok(Outcome::NotEligible) => panic!("not eligible"),
        Err(e) => panic!("{e}"),
    }
}

fn scene<'t>(t: &'t Timeline<'_>, id: &str) -> Vec<&'t str> {
    t.all_scenes()
        .find(|s| s.id() == id)
        .map(|s| s.texts().collect())
        .unwrap_or_else(|| panic!("no scene {id}"))
}

#[test]
fn formatting_and_agreement() {
    let p = features();
    let t = eval(&p, &anna());
    assert_eq!(
        scene(&t, "intro"),
        [
            "Benvenuta ANNA",
            "Importo € 1.234,56, data 31 gennaio 2024, breve 31/01/2024",
            "1 settimana e mese",
            "Aliquota 0,75, numero 70, Ufficio_postale, roma",
        ]
    );
    let t = eval(
        &p,
        &with(with(anna(), "sesso", json!("M")), "settimane", json!(1234)),
    );
    assert_eq!(scene(&t, "intro")[0], "Benvenuto ANNA");
    assert_eq!(scene(&t, "intro")[2], "1.234 settimane e mesi");
    // Neither masculine nor feminine: both forms, with a slash.
    let t = eval(&p, &with(anna(), "sesso", json!("X")));
    assert_eq!(scene(&t, "intro")[0], "Benvenuto/Benvenuta ANNA");
}

#[test]
fn arithmetic_and_optionals() {
    let p = features();
    let t = eval(&p, &anna());
    assert_eq!(
        scene(&t, "calcoli"),
        [
            "Doppio € 2.469,12, metà € 617,28, tasso € 925,92",
            "Fine 29 febbraio 2024, prima 17 gennaio 2024, somma 71, diff 0,5",
            "Decorrenza 1° gennaio 2024",
            "Nessuna decorrenza",
        ]
    );
    let v = with(
        with(anna(), "decorrenza", json!("2024-03-01")),
        "indirizzo",
        json!({"comune": "Bari", "cap": "70121"}),
    );
    let t = eval(&p, &v);
    assert_eq!(
        scene(&t, "calcoli")[2..],
        [
            "Decorrenza 1° marzo 2024",
            "Decorrenza presente: 1° marzo 2024",
            "CAP 70121"
        ]
    );
}

#[test]
fn lists_sets_and_popups() {
    let p = features();
    let t = eval(&p, &anna());
    assert_eq!(
        scene(&t, "figli"),
        [
            "Luca ha 20 anni",
            "Sara ha 10 anni",
            "Maggiorenne: Luca",
            "C'è un figlio maggiorenne"
        ]
    );
    let figli = t.all_scenes().find(|s| s.id() == "figli").unwrap();
    let popups: Vec<_> = figli.popups().collect();
    assert_eq!(popups.len(), 1);
    assert_eq!(
        (
            popups[0].id,
            popups[0].button,
            popups[0].title,
            popups[0].body
        ),
        (
            "assegno",
            "Assegno unico",
            "Assegno per 2 figli",
            "Puoi chiederlo"
        )
    );
    // No children: no scene.
    let t = eval(&p, &with(anna(), "figli", json!([])));
    assert!(t.all_scenes().all(|s| s.id() != "figli"));
    // Only adults: no pop-up.
    let t = eval(
        &p,
        &with(anna(), "figli", json!([{"nome": "Luca", "eta": 20}])),
    );
    let figli = t.all_scenes().find(|s| s.id() == "figli").unwrap();
    assert_eq!(figli.popups().count(), 0);
}

fn ids(t: &Timeline<'_>) -> Vec<String> {
    t.all_scenes().map(|s| s.id().to_owned()).collect()
}

#[test]
fn branches_matches_includes() {
    let p = features();
    let t = eval(&p, &anna());
    assert_eq!(
        ids(&t),
        [
            "intro",
            "calcoli",
            "figli",
            "anziano_a",
            "posta",
            "non_bonifico",
            "condivisa",
            "ending"
        ]
    );
    let v = with(
        with(
            with(anna(), "eta", json!(25)),
            "modalita",
            json!("bonifico"),
        ),
        "prestazioni",
        json!(["b"]),
    );
    let t = eval(&p, &v);
    assert_eq!(
        ids(&t),
        [
            "intro",
            "calcoli",
            "figli",
            "giovane",
            "bonifico",
            "solo_bonifico",
            "ending"
        ]
    );
    let t = eval(&p, &with(anna(), "eta", json!(62)));
    assert!(ids(&t).contains(&"medio".to_owned()));
    let t = eval(
        &p,
        &with(with(anna(), "eta", json!(50)), "prestazioni", json!(["a"])),
    );
    assert!(ids(&t).contains(&"medio".to_owned()));
}

#[test]
fn ending_buttons_rating() {
    let p = features();
    let t = eval(&p, &anna());
    let end = t.ending().unwrap();
    assert_eq!(end.texts().collect::<Vec<_>>(), ["Grazie Anna"]);
    let b: Vec<_> = end.buttons().map(|b| (b.label, b.url)).collect();
    assert_eq!(b, [("Accedi a MyINPS", "https://www.inps.it/myinps")]);
    let t = eval(&p, &with(anna(), "eta", json!(25)));
    let b: Vec<_> = t.ending().unwrap().buttons().map(|b| b.label).collect();
    assert_eq!(b, ["Accedi a MyINPS", "Entra"]);
    let r = t.rating().unwrap();
    assert_eq!((r.question, r.min, r.max), ("Ti è piaciuto?", 1, 5));
}

#[test]
fn eligibility_and_availability() {
    let p = features();
    let out = p
        .evaluate_json(&with(anna(), "consenso", json!(false)))
        .unwrap();
    assert!(matches!(out, Outcome::NotEligible));
    let t = eval(&p, &anna());
    let w = t.available();
    assert_eq!(w.from.map(|d| d.to_string()).as_deref(), Some("2024-01-31"));
    assert_eq!(
        w.until.map(|d| d.to_string()).as_deref(),
        Some("2024-07-31")
    );
    assert_eq!(p.metadata().requires, Some("consenso"));
}

#[test]
fn durations_and_captions() {
    let p = features();
    let t = eval(&p, &anna());
    let intro = t.scenes().next().unwrap();
    assert_eq!(intro.visual(), Some("intro.png"));
    // 12 words at 120 wpm.
    assert_eq!((intro.start_ms(), intro.duration_ms()), (0, 6000));
    assert_eq!(
        intro.narration(),
        "Ciao Anna. Questa è una prova! Va bene? Sì: certo. Seconda frase"
    );
    let cues: Vec<_> = intro
        .captions()
        .map(|c| (c.start_ms, c.end_ms, c.text))
        .collect();
    assert_eq!(
        cues,
        [
            (0, 1000, "Ciao Anna."),
            (1000, 3000, "Questa è una prova!"),
            (3000, 4000, "Va bene?"),
            (4000, 4500, "Sì:"),
            (4500, 5000, "certo."),
            (5000, 6000, "Seconda frase"),
        ]
    );
    let calcoli = t.scenes().nth(1).unwrap();
    assert_eq!((calcoli.start_ms(), calcoli.duration_ms()), (6000, 3000));
    assert_eq!(calcoli.captions().count(), 0);
    // No narration: from the on-screen text, at least 2 seconds.
    let anziano = t.all_scenes().find(|s| s.id() == "anziano_a").unwrap();
    assert_eq!(anziano.duration_ms(), 2000);
    let condivisa = t.all_scenes().find(|s| s.id() == "condivisa").unwrap();
    assert_eq!(condivisa.duration_ms(), 2500);
    let total: u64 = t.all_scenes().map(|s| s.duration_ms()).sum();
    assert_eq!(t.duration_ms(), total);
    let end = t.ending().unwrap();
    assert_eq!(end.end_ms(), t.duration_ms());
}

#[test]
fn variants() {
    let p = features();
    let a = eval(&p, &anna());
    let b = eval(
        &p,
        &with(with(anna(), "nome", json!("Bea")), "importo", json!(10)),
    );
    let c = eval(&p, &with(anna(), "modalita", json!("bonifico")));
    let d = eval(&p, &with(anna(), "sesso", json!("M")));
    assert_eq!(a.variant(), b.variant(), "same decisions, same variant");
    assert_ne!(a.variant(), c.variant());
    assert_ne!(a.variant(), d.variant());
    assert!(a.variant().to_string().starts_with("v-"));
    assert_eq!(a.variant().to_string().len(), 18);
    // The trace names decision points of the program.
    for dec in a.decisions() {
        let point = &p.decision_points()[usize::from(dec.point)];
        assert!(point.outcomes == 0 || dec.outcome < point.outcomes);
        assert!(!p.decision_label(dec.point).is_empty());
    }
}

#[test]
fn deterministic_reentrant_and_shared_between_threads() {
    let p = features();
    let one = serde_json::to_string(&eval(&p, &anna())).unwrap();
    let mut ev = p.evaluator();
    let other = with(anna(), "modalita", json!("bonifico"));
    for _ in 0..3 {
        let r = p.record_from_json(&other).unwrap();
        ev.evaluate(&r).unwrap();
        let r = p.record_from_json(&anna()).unwrap();
        let t = ev.evaluate(&r).unwrap().eligible().unwrap();
        assert_eq!(serde_json::to_string(t).unwrap(), one);
    }
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| assert_eq!(serde_json::to_string(&eval(&p, &anna())).unwrap(), one));
        }
    });
}

#[test]
fn timeline_json_shape() {
    let p = features();
    let t = eval(&p, &anna());
    let text = serde_json::to_string(&t).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    // Keys in the documented order (serde_json's `Value` sorts them, so look at the text).
    let in_order = |text: &str, keys: &[&str]| {
        let at: Vec<usize> = keys
            .iter()
            .map(|k| {
                text.find(&format!("\"{k}\":"))
                    .unwrap_or_else(|| panic!("no key {k}"))
            })
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{keys:?} in {text}");
    };
    in_order(
        &text,
        &[
            "campaign",
            "title",
            "variant",
            "available",
            "duration_ms",
            "scenes",
            "ending",
        ],
    );
    let first_scene =
        &text[text.find("\"scenes\":").unwrap()..text.find("\"id\":\"calcoli\"").unwrap()];
    in_order(
        first_scene,
        &[
            "id",
            "start_ms",
            "duration_ms",
            "visual",
            "texts",
            "narration",
            "popups",
            "buttons",
            "captions",
        ],
    );
    assert!(v["scenes"][1].get("visual").is_none());
    assert_eq!(v["ending"]["id"], "ending");
    assert_eq!(
        v["ending"]["rating"],
        json!({"question": "Ti è piaciuto?", "min": 1, "max": 5})
    );
    assert_eq!(
        v["available"],
        json!({"from": "2024-01-31", "until": "2024-07-31"})
    );
}

fn record_error(v: &Value) -> (String, RecordErrorKind) {
    match features().evaluate_json(v) {
        Err(EvalError::Record(e)) => (e.path, e.kind),
        other => panic!("{other:?}"),
    }
}

#[test]
fn record_errors() {
    let mut v = anna();
    v.as_object_mut().unwrap().remove("eta");
    assert_eq!(record_error(&v), ("eta".into(), RecordErrorKind::Missing));
    let (path, kind) = record_error(&with(anna(), "eta", json!("70")));
    assert_eq!(path, "eta");
    assert!(
        matches!(kind, RecordErrorKind::WrongType { ref expected, ref found } if expected == "an integer" && found == "\"70\"")
    );
    let (path, kind) = record_error(&with(anna(), "modalita", json!("bonifco")));
    assert_eq!(path, "modalita");
    assert!(
        matches!(kind, RecordErrorKind::NotInEnum { suggestion: Some(ref s), .. } if s == "bonifico")
    );
    let (path, kind) = record_error(&with(anna(), "data", json!("2023-02-29")));
    assert_eq!(path, "data");
    assert!(matches!(kind, RecordErrorKind::MalformedDate { .. }));
    let (_, kind) = record_error(&with(anna(), "importo", json!("1.234,56")));
    assert!(matches!(kind, RecordErrorKind::MalformedMoney { .. }));
    let (_, kind) = record_error(&with(anna(), "importo", json!(1e20)));
    assert_eq!(kind, RecordErrorKind::MoneyOutOfRange);
    let (path, kind) = record_error(&with(anna(), "nme", json!("Anna")));
    assert_eq!(path, "nme");
    assert!(matches!(kind, RecordErrorKind::Unknown { .. }));
    let (path, _) = record_error(&with(anna(), "figli", json!([{"nome": "Luca"}])));
    assert_eq!(path, "figli[0].eta");
    // Duplicates can only be given through the builder.
    let p = features();
    let mut b = p.record_builder();
    b.set_str("nome", "Anna").unwrap();
    let e = b.set_str("nome", "Bea").unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.kind),
        ("nome", RecordErrorKind::Duplicate)
    );
    // A personal attribute's value is never shown.
    let (_, kind) = record_error(&with(anna(), "nome", json!(42)));
    assert!(matches!(kind, RecordErrorKind::WrongType { ref found, .. } if found == "a number"));
}

#[test]
fn computation_errors_name_the_source() {
    let p = features();
    let e = p
        .evaluate_json(&with(anna(), "data", json!("9999-12-01")))
        .unwrap_err();
    match e {
        EvalError::Computation { location, .. } => {
            assert!(location.starts_with("main.guide:"), "{location}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn builder_records_without_json() {
    let p = build(
        r#"campaign mini { title "Mini" schema "schema.ron" }
scene s { text "Ciao {nome}" }
ending { text "Fine" }"#,
        &[("schema.ron", r#"(attributes: { "nome": (type: String) })"#)],
    );
    let mut b = p.record_builder();
    b.set_str("nome", "Pino").unwrap();
    let t = p.evaluate(&b.build().unwrap()).unwrap().eligible().unwrap();
    assert_eq!(t.scenes().next().unwrap().texts().next(), Some("Ciao Pino"));
    assert_eq!(t.available(), Default::default());
    assert!(t.rating().is_none());
}

// ------------------------------------------------------------------------- the campaigns

/// Every campaign folder with a `.guide` campaign file, sorted.
fn campaigns() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../campaigns");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| {
        p.is_dir() && project::resolve(p).is_ok() && p.file_name().is_some_and(|n| n != "common")
    });
    out.sort();
    out
}

#[test]
fn campaign_snapshots() {
    let mut built = 0;
    for dir in campaigns() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let project = match project::load(&dir) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("skipping campaign {name}: {e}");
                continue;
            }
        };
        let checked = check::check(&project);
        let has_errors = checked.has_errors();
        let Some(c) = checked.campaign.filter(|_| !has_errors) else {
            eprintln!("skipping campaign {name}: it does not check");
            continue;
        };
        let bytes = codegen::compile(&c);
        let p = Program::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.to_bytes(), bytes);
        insta::with_settings!({snapshot_path => "../../snapshots/disasm", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name.clone(), p.disassemble());
            // The runs of instructions the evaluator executes as one step.
            insta::assert_snapshot!(format!("{name}__fused"), p.fusion_plan());
        });
        let mut demos: Vec<PathBuf> = std::fs::read_dir(dir.join("demo"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        demos.retain(|p| p.extension().is_some_and(|e| e == "json"));
        demos.sort();
        for demo in demos {
            let who = demo.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&demo).unwrap();
            let value: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", demo.display()));
            let shown = match p.evaluate_json(&value) {
                Ok(Outcome::Eligible(t)) => t.to_json_pretty(),
                Ok(Outcome::NotEligible) => "not eligible".to_owned(),
                Err(e) => format!("error: {e}"),
            };
            insta::with_settings!({snapshot_path => "../../snapshots/timelines", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(format!("{name}__{who}"), shown);
            });
        }
        built += 1;
    }
    eprintln!("{built} campaign(s) snapshotted");
}
