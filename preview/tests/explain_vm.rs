//! The explanation panel and the VM never disagree: for random records of every campaign, and
//! for the witness of every variant, the scenes the panel says play are exactly the scenes of
//! the VM's timeline, `requires` holds exactly when the VM finds the recipient eligible, and a
//! scene plays exactly when every condition the panel lists on its way holds (which also checks
//! the one re-evaluation the panel keeps, the halves of an included scene's condition).
//!
//! The record generators are copied from `compiler/tests/properties.rs`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use guide_compiler::{check, codegen, ir, project};
use guide_preview::explain::{self, Explanation};
use guide_runtime::schema::{Fields, Type};
use guide_runtime::{Date, Outcome, Program};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

const CAMPAIGNS: [&str; 5] = [
    "naspi",
    "red2021",
    "neopensionati",
    "assegno_sociale",
    "assegno_unico",
];

fn campaign_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../campaigns")
        .join(name)
}

/// A campaign with what the five do not have: an included scene with a condition of its own
/// (the one place the panel re-evaluates), `else if`, `match … else`, `any`, `??`.
const FIXTURE_SCHEMA: &str = r#"(
    gender: (attribute: "sesso", masculine: "M", feminine: "F"),
    attributes: {
        "sesso": (type: Enum(["M", "F"])),
        "eta": (type: Int),
        "modo": (type: Enum(["bonifico", "posta", "altro"])),
        "reddito": (type: Optional(Money)),
        "aggiornati": (type: Bool),
        "figli": (type: List({ "nome": (type: String), "eta": (type: Int) })),
    },
)"#;

const FIXTURE: &str = r#"campaign t {
    title "T"
    schema "schema.ron"
    requires eta >= 18
}
import "lib.guide"
scene intro { text "Ciao" }
if eta >= 55 and not aggiornati {
    scene anziano { text "A" }
} else if reddito is present {
    scene reddito { text "R" }
} else {
    scene altro { text "B" }
}
match modo {
    case bonifico { scene b { text "b" } }
    case posta { scene p { text "p" } }
    else { scene o { text "o" } }
}
scene ricco when (reddito ?? € 0) > € 1000 { text "x" }
scene adulti when any f in figli: f.eta >= 18 { text "y" }
include condivisa when not aggiornati
ending { text "Fine" }
"#;

fn fixture_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("guide-explain-vm-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("t.guide"), FIXTURE).expect("write");
    std::fs::write(dir.join("schema.ron"), FIXTURE_SCHEMA).expect("write");
    std::fs::write(
        dir.join("lib.guide"),
        "scene condivisa when eta > 40 and reddito is absent { text \"L\" }\n",
    )
    .expect("write");
    dir
}

fn load(name: &str) -> (project::Project, ir::Campaign, Program) {
    let dir = if name == "fixture" {
        fixture_dir()
    } else {
        campaign_dir(name)
    };
    let p = project::load(&dir).expect("campaign loads");
    if name == "fixture" {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let c = check::check(&p).campaign.expect("campaign checks");
    let program = codegen::program(&c).expect("campaign compiles");
    (p, c, program)
}

/// Any string: letters, accents, other scripts, quotes, control characters.
fn any_string() -> BoxedStrategy<String> {
    prop_oneof!["[A-Za-zÀ-ÿ' ]{0,20}", "\\PC{0,20}", Just(String::new()),].boxed()
}

/// A date well inside the runtime's range.
fn date() -> BoxedStrategy<Value> {
    (1900i32..=2200, 1u8..=12, 1u8..=31)
        .prop_map(|(y, m, d)| {
            let d = (1..=d)
                .rev()
                .find(|&d| Date::new(y, m, d).is_some())
                .unwrap_or(1);
            json!(format!("{y:04}-{m:02}-{d:02}"))
        })
        .boxed()
}

/// A valid JSON value of type `ty`, often near the small values conditions compare with.
fn value(ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::String => any_string().prop_map(Value::String).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => prop_oneof![0i64..100, -1000i64..1000, -1_000_000_000i64..1_000_000_000]
            .prop_map(|n| json!(n))
            .boxed(),
        Type::Decimal => prop_oneof![-1.0f64..1.0, -1e6f64..1e6]
            .prop_map(|x| json!(x))
            .boxed(),
        Type::Money => prop_oneof![0i64..5_000_000, -100_000_000_000i64..100_000_000_000]
            .prop_map(|c| {
                let text = format!(
                    "{}{}.{:02}",
                    if c < 0 { "-" } else { "" },
                    c.unsigned_abs() / 100,
                    c.unsigned_abs() % 100
                );
                json!(text)
            })
            .boxed(),
        Type::Date => date(),
        Type::Enum(values) => proptest::sample::select(values.clone())
            .prop_map(Value::String)
            .boxed(),
        Type::Set(values) => proptest::sample::subsequence(values.clone(), 0..=values.len())
            .prop_map(|v| json!(v))
            .boxed(),
        Type::Optional(inner) => prop_oneof![1 => Just(Value::Null), 3 => value(inner)].boxed(),
        Type::Record(fields) => object(fields),
        Type::List(fields) => proptest::collection::vec(object(fields), 0..4)
            .prop_map(Value::Array)
            .boxed(),
    }
}

/// A valid JSON object for `fields` (optional attributes sometimes left out).
fn object(fields: &Fields) -> BoxedStrategy<Value> {
    let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .0
        .iter()
        .map(|(name, a)| {
            let name = name.clone();
            let v = value(&a.ty);
            if matches!(a.ty, Type::Optional(_)) {
                proptest::option::weighted(0.8, v.prop_map(move |v| (name.clone(), v))).boxed()
            } else {
                v.prop_map(move |v| Some((name.clone(), v))).boxed()
            }
        })
        .collect();
    parts
        .prop_map(|kv| Value::Object(kv.into_iter().flatten().collect::<Map<String, Value>>()))
        .boxed()
}

fn playing(x: &Explanation) -> Vec<String> {
    x.scenes
        .iter()
        .filter(|s| s.plays)
        .map(|s| s.id.clone())
        .collect()
}

/// Checks the explanation of `json` against the VM; `Ok(false)` when the record does not fit
/// the schema (nothing to explain).
fn agree(c: &ir::Campaign, program: &Program, json: &Value) -> Result<bool, TestCaseError> {
    let Ok(record) = program.record_from_json(json) else {
        return Ok(false);
    };
    let x = explain::explain(c, program, &record);
    let vm = program.evaluate(&record);
    let (eligible, scenes): (Option<bool>, Vec<String>) = match &vm {
        Ok(Outcome::Eligible(t)) => (
            Some(true),
            t.all_scenes().map(|s| s.id().to_string()).collect(),
        ),
        Ok(Outcome::NotEligible) => (Some(false), Vec::new()),
        Err(_) => (None, Vec::new()),
    };
    prop_assert_eq!(playing(&x), scenes, "scenes of {}", json);
    if let Some(r) = &x.requires {
        prop_assert_eq!(r.holds, eligible, "requires of {}", json);
    }
    for s in &x.scenes {
        let every = s.reasons.iter().all(|r| r.holds == Some(true));
        prop_assert_eq!(
            s.plays,
            eligible == Some(true) && every,
            "scene {} of {}: {:?}",
            s.id,
            json,
            s.reasons
        );
    }
    Ok(true)
}

#[test]
fn the_explanation_agrees_with_the_vm_on_random_records() {
    for name in CAMPAIGNS.into_iter().chain(["fixture"]) {
        let (_, c, program) = load(name);
        let mut runner = TestRunner::new(Config {
            cases: 150,
            failure_persistence: None,
            ..Config::default()
        });
        let records = object(&program.schema().attributes);
        runner
            .run(&records, |json| agree(&c, &program, &json).map(|_| ()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn the_explanation_agrees_with_the_vm_on_every_variant() {
    for name in CAMPAIGNS.into_iter().chain(["fixture"]) {
        let (project, c, program) = load(name);
        let report = guide_compiler::compile(&project)
            .report
            .expect("campaign analysed");
        assert!(!report.variants.is_empty(), "{name}");
        for v in &report.variants {
            let checked = agree(&c, &program, &v.witness).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(checked, "{name}: the witness of {} fits the schema", v.id);
        }
        for (demo, record) in &project.demos {
            let record = record.as_ref().expect("demo JSON");
            let checked = agree(&c, &program, record).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(checked, "{name}: demo {demo} fits the schema");
        }
    }
}
