//! Property tests (proptest) over the real campaigns:
//!
//! - random recipients generated from a campaign's schema, some with defects (a required
//!   attribute missing or null, a value of the wrong type, an enum value not allowed, an
//!   unknown attribute): evaluation never fails except with a `RecordError` that is true of the
//!   record (it names an attribute that has a defect), and never quotes a personal value;
//! - encoding and decoding bytecode is the identity, for the campaigns' modules and for modules
//!   whose strings, constants, metadata and schema are replaced by random ones;
//! - the witnesses of `guide variants` reproduce their variant, whatever base records the
//!   enumeration starts from;
//! - the machine's shortcuts give what its instructions give one by one, and
//!   `Timeline::write_json` writes the bytes of `Timeline::to_json`.
//!
//! A few hundred cases each, so that `cargo test` stays fast.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::{analysis, check, codegen, project};
use guide_runtime::bytecode::{reader, writer, Module, Op};
use guide_runtime::schema::{Attribute, Fields, Schema, Type};
use guide_runtime::{Date, EvalError, Outcome, Program};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

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

fn load(name: &str) -> (project::Project, Program) {
    let p = project::load(&campaign_dir(name)).expect("campaign loads");
    let c = check::check(&p).campaign.expect("campaign checks");
    let program = codegen::program(&c).expect("campaign compiles");
    (p, program)
}

/// A campaign without its narration (every `say` line dropped): most of its scenes then have
/// the same body for everyone, which the machine records by reference to the body it prepared
/// at load time (the static-scene shortcut), where the real campaigns, narrated, have none.
fn load_silent(name: &str) -> Program {
    let dir = campaign_dir(name);
    let main = dir.join(format!("{name}.guide"));
    let text = std::fs::read_to_string(&main).expect("campaign readable");
    let silent: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("say "))
        .map(|l| format!("{l}\n"))
        .collect();
    let p = project::load_source(&main, silent, &mut |p| std::fs::read_to_string(p));
    let c = check::check(&p).campaign.expect("silent campaign checks");
    codegen::program(&c).expect("silent campaign compiles")
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Records generated from a schema.

/// Any string: letters, accents, other scripts, quotes, control characters, emoji.
fn any_string() -> BoxedStrategy<String> {
    prop_oneof![
        "[A-Za-zÀ-ÿ' ]{0,20}",
        "\\PC{0,20}",
        proptest::collection::vec(any::<char>(), 0..12).prop_map(|v| v.into_iter().collect()),
        Just(String::new()),
        Just("\u{0}\u{7}\t\n\r\u{1b}[31m\u{202e}".to_string()),
    ]
    .boxed()
}

/// A date well inside the runtime's range (periods added to it stay valid).
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

/// A valid JSON value of type `ty`.
fn value(ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::String => any_string().prop_map(Value::String).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => prop_oneof![-1000i64..1000, -1_000_000_000i64..1_000_000_000]
            .prop_map(|n| json!(n))
            .boxed(),
        Type::Decimal => prop_oneof![-1.0f64..1.0, -1e6f64..1e6]
            .prop_map(|x| json!(x))
            .boxed(),
        Type::Money => (-100_000_000_000i64..100_000_000_000, any::<bool>())
            .prop_map(|(c, as_text)| {
                let text = format!(
                    "{}{}.{:02}",
                    if c < 0 { "-" } else { "" },
                    c.unsigned_abs() / 100,
                    c.unsigned_abs() % 100
                );
                if as_text {
                    json!(text)
                } else {
                    serde_json::from_str(&text).unwrap_or(json!(0))
                }
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

/// What can be wrong with one top-level attribute.
#[derive(Debug, Clone, Copy)]
enum Defect {
    Missing,
    Null,
    WrongType,
    BadEnumValue,
    Unknown,
}

fn defect() -> impl Strategy<Value = Defect> {
    prop_oneof![
        Just(Defect::Missing),
        Just(Defect::Null),
        Just(Defect::WrongType),
        Just(Defect::BadEnumValue),
        Just(Defect::Unknown),
    ]
}

/// Applies `d` to the attribute `pick` (modulo the number of attributes); the name of the
/// attribute made wrong, if the defect applies to it.
fn apply(schema: &Schema, record: &mut Value, d: Defect, pick: usize) -> Option<String> {
    let attrs = &schema.attributes.0;
    let (name, a) = attrs.get(pick % attrs.len())?;
    let map = record.as_object_mut()?;
    let optional = matches!(a.ty, Type::Optional(_));
    match d {
        Defect::Missing if !optional => {
            map.remove(name);
        }
        Defect::Null if !optional => {
            map.insert(name.clone(), Value::Null);
        }
        Defect::WrongType => {
            let wrong = match a.ty {
                Type::Record(_) | Type::List(_) => json!(42),
                Type::Optional(ref t) if matches!(**t, Type::Record(_) | Type::List(_)) => {
                    json!(42)
                }
                _ => json!({"valore": 1}),
            };
            map.insert(name.clone(), wrong);
        }
        Defect::BadEnumValue if matches!(a.ty, Type::Enum(_)) => {
            map.insert(name.clone(), json!("zz_non_previsto"));
        }
        Defect::Unknown => {
            map.insert("zz_attributo_ignoto".into(), json!(1));
            return Some("zz_attributo_ignoto".into());
        }
        _ => return None,
    }
    Some(name.clone())
}

/// The top-level attribute a record error's path starts with.
fn top(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// Personal string values of the record (long enough not to appear by chance).
fn personal_values(schema: &Schema, record: &Value) -> Vec<String> {
    schema
        .attributes
        .0
        .iter()
        .filter(|(_, a)| a.personal)
        .filter_map(|(n, _)| record.get(n)?.as_str().map(str::to_owned))
        .filter(|v| v.chars().count() >= 8)
        .collect()
}

#[test]
fn random_recipients_give_a_timeline_or_a_true_record_error() {
    for name in CAMPAIGNS {
        let (_, program) = load(name);
        let schema = program.schema().clone();
        let strategy = (
            object(&schema.attributes),
            proptest::collection::vec((defect(), any::<usize>()), 0..3),
        );
        let mut runner = TestRunner::new(config(120));
        let result = runner.run(&strategy, |(mut record, defects)| {
            let mut wrong: Vec<String> = Vec::new();
            for (d, pick) in defects {
                wrong.extend(apply(&schema, &mut record, d, pick));
            }
            let slow = program.evaluate_json(&record);
            // The streaming decoder gives the same answer from the text.
            let text = record.to_string();
            let mut ev = program.evaluator();
            let fast = ev
                .evaluate_json_str(&text)
                .map(|o| o.eligible().map(|t| t.variant().to_string()));
            let slow_variant = match &slow {
                Ok(Outcome::Eligible(t)) => Ok(Some(t.variant().to_string())),
                Ok(Outcome::NotEligible) => Ok(None),
                Err(e) => Err(e.clone()),
            };
            prop_assert_eq!(slow_variant, fast, "the two decoders disagree on {}", text);
            match slow {
                Ok(Outcome::Eligible(t)) => {
                    prop_assert!(
                        wrong.is_empty(),
                        "accepted a record with defects {:?}",
                        wrong
                    );
                    prop_assert!(t.scenes().count() > 0 || t.all_scenes().count() > 0);
                    let _ = t.storyboard();
                }
                Ok(Outcome::NotEligible) => {
                    prop_assert!(
                        wrong.is_empty(),
                        "accepted a record with defects {:?}",
                        wrong
                    );
                }
                Err(EvalError::Record(e)) => {
                    prop_assert!(
                        wrong.iter().any(|w| w == top(&e.path)),
                        "{}: {} is not among the defects {:?} of {}",
                        name,
                        e,
                        wrong,
                        text
                    );
                    let message = format!("{} {e}", e.path);
                    for v in personal_values(&schema, &record) {
                        prop_assert!(!message.contains(&v), "{message} quotes a personal value");
                    }
                }
                Err(other) => {
                    prop_assert!(false, "{}: {} on {}", name, other, text);
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    }
}

/// `Timeline::write_json` (prepared fragments, its own escaping and number writing) writes
/// exactly the bytes of `Timeline::to_json` (serde) for random recipients of every campaign,
/// narrated and silent, evaluated fused and one by one, and for the same evaluator reused
/// (its buffers kept from the previous recipient).
#[test]
fn write_json_gives_the_bytes_of_to_json() {
    for name in CAMPAIGNS {
        for (how, program) in [("narrated", load(name).1), ("silent", load_silent(name))] {
            let schema = program.schema().clone();
            let reused = std::cell::RefCell::new(program.evaluator());
            let mut runner = TestRunner::new(config(100));
            let result = runner.run(
                &(object(&schema.attributes), any::<bool>()),
                |(record, fusion)| {
                    let Ok(r) = guide_runtime::Record::from_json(&schema, &record) else {
                        return Ok(());
                    };
                    let mut fresh = program.evaluator();
                    fresh.set_fusion(fusion);
                    for ev in [&mut fresh, &mut *reused.borrow_mut()] {
                        if let Ok(Outcome::Eligible(t)) = ev.evaluate(&r) {
                            let mut out = Vec::new();
                            t.write_json(&mut out);
                            let fast = String::from_utf8(out);
                            prop_assert_eq!(
                                fast,
                                Ok(t.to_json()),
                                "{} ({}) on {}",
                                name,
                                how,
                                record
                            );
                        }
                    }
                    Ok(())
                },
            );
            if let Err(e) = result {
                panic!("{name} ({how}): {e}");
            }
        }
    }
}

/// What an evaluation gives, comparably: the timeline's JSON, "not eligible", or the error.
/// The JSON is serde's (`to_json`, built from the timeline's accessors) then `write_json`'s
/// (whose prepared fragments could hide a difference in what the evaluator recorded).
fn outcome(r: Result<Outcome<&guide_runtime::Timeline<'_>>, EvalError>) -> Result<String, String> {
    match r {
        Ok(Outcome::Eligible(t)) => {
            let mut out = t.to_json().into_bytes();
            out.push(b'\n');
            t.write_json(&mut out);
            Ok(String::from_utf8_lossy(&out).into_owned())
        }
        Ok(Outcome::NotEligible) => Ok("not eligible".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// The machine's shortcuts (fused steps, `runtime/src/fuse.rs`; static scenes recorded by
/// reference to their prepared body; words and sentences counted at load time) give what the
/// instructions give one by one (`set_fusion(false)`): the same timeline or the same error, for
/// random recipients, under random fuel and output limits (so that a limit falls inside a fused
/// run or a static scene), and for records of another campaign's schema (whose values are not
/// of the types the program expects). The campaigns run narrated and silent ([`load_silent`]),
/// so that static scenes are met.
#[test]
fn fused_steps_give_what_the_instructions_give_one_by_one() {
    let mut programs: Vec<(&str, Program)> = CAMPAIGNS.iter().map(|&n| (n, load(n).1)).collect();
    programs.extend(CAMPAIGNS.iter().map(|&n| (n, load_silent(n))));
    for (name, program) in &programs {
        let schema = program.schema().clone();
        let strategy = (
            object(&schema.attributes),
            prop_oneof![Just(u64::MAX), 0u64..400],
            prop_oneof![Just(usize::MAX), 0usize..3000],
            0..programs.len(),
        );
        let mut runner = TestRunner::new(config(150));
        let result = runner.run(&strategy, |(record, fuel, bytes, other)| {
            let limits = guide_runtime::vm::Limits {
                fuel,
                max_output_bytes: bytes,
            };
            let Ok(r) = guide_runtime::Record::from_json(&schema, &record) else {
                return Ok(());
            };
            // Fused and op by op, the outcomes of `r` run by program `p`.
            let both = |p: &Program| {
                let mut fused = guide_runtime::Evaluator::new(p, limits);
                let mut plain = guide_runtime::Evaluator::new(p, limits);
                plain.set_fusion(false);
                (outcome(fused.evaluate(&r)), outcome(plain.evaluate(&r)))
            };
            let (a, b) = both(program);
            prop_assert_eq!(a, b, "{} on {}", name, record);
            // The same record run by another campaign's program.
            let (other_name, other) = &programs[other];
            let (a, b) = both(other);
            prop_assert_eq!(a, b, "{} record run by {}", name, other_name);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bytecode: encode and decode are inverse.

#[test]
fn the_campaigns_bytecode_decodes_to_the_module_and_reencodes_to_the_same_bytes() {
    for name in CAMPAIGNS {
        let (_, program) = load(name);
        let bytes = program.to_bytes();
        let m = reader::decode(&bytes).expect("decodes");
        assert_eq!(&m, program.module(), "{name}");
        assert_eq!(writer::encode(&m), bytes, "{name}");
        let again = Program::from_bytes(&bytes).expect("loads");
        assert_eq!(again.to_bytes(), bytes, "{name}");
    }
}

/// A random type, nested at most `depth` levels.
fn any_type(depth: u32) -> BoxedStrategy<Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Bool),
        Just(Type::Int),
        Just(Type::Decimal),
        Just(Type::Money),
        Just(Type::Date),
        proptest::collection::vec(any_string(), 1..5).prop_map(Type::Enum),
        proptest::collection::vec(any_string(), 1..5).prop_map(Type::Set),
    ];
    leaf.prop_recursive(depth, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Type::Optional(Box::new(t))),
            any_fields(inner.clone()).prop_map(Type::Record),
            any_fields(inner).prop_map(Type::List),
        ]
    })
    .boxed()
}

fn any_fields(ty: impl Strategy<Value = Type> + 'static) -> BoxedStrategy<Fields> {
    proptest::collection::vec(
        (
            any_string(),
            ty,
            proptest::option::of(any_string()),
            any::<bool>(),
        ),
        0..4,
    )
    .prop_map(|v| {
        Fields(
            v.into_iter()
                .map(|(n, ty, description, personal)| {
                    (
                        n,
                        Attribute {
                            ty,
                            description,
                            personal,
                            range: Default::default(),
                        },
                    )
                })
                .collect(),
        )
    })
    .boxed()
}

/// A random constant for an instruction that carries one, keeping its kind.
fn mutate_op(op: Op, x: i64, f: f64) -> Op {
    match op {
        Op::PushInt(_) => Op::PushInt(x),
        Op::PushMoney(_) => Op::PushMoney(x),
        Op::PushDec(_) => Op::PushDec(f),
        Op::PushBool(_) => Op::PushBool(x % 2 == 0),
        Op::PushStr(_) => Op::PushStr(x as u32),
        Op::Attr(_) => Op::Attr(x as u32),
        Op::Lit(_) => Op::Lit(x as u32),
        Op::Jump(_) => Op::Jump(x as u32),
        other => other,
    }
}

#[test]
fn encoding_then_decoding_any_module_gives_it_back() {
    let modules: Vec<Module> = CAMPAIGNS
        .iter()
        .map(|n| load(n).1.module().clone())
        .collect();
    let strategy = (
        0..modules.len(),
        proptest::collection::vec(any_string(), 0..8),
        proptest::collection::vec((any::<usize>(), any::<i64>(), -1e300f64..1e300), 0..16),
        any_fields(any_type(3)),
        proptest::option::of(any_string()),
        (
            any::<u32>(),
            any::<u64>(),
            proptest::option::of((any::<u64>(), any::<u64>())),
        ),
        proptest::collection::vec((any::<u32>(), any::<u32>()), 0..4),
    );
    let mut runner = TestRunner::new(config(200));
    runner
        .run(
            &strategy,
            |(which, strings, ops, attributes, key, (rate, fp, length), lines)| {
                let mut m = modules[which].clone();
                for (i, s) in strings.into_iter().enumerate() {
                    match m.strings.get_mut(i * 7) {
                        Some(slot) => *slot = s,
                        None => m.strings.push(s),
                    }
                }
                for (at, x, f) in ops {
                    let n = m.code.len();
                    if let Some(op) = m.code.get_mut(at % n) {
                        *op = mutate_op(*op, x, f);
                    }
                }
                m.schema.attributes = attributes;
                m.schema.key = key;
                m.meta.rate_wpm = rate;
                m.meta.schema_fingerprint = fp;
                m.meta.length = length;
                m.lines.extend(lines);
                let bytes = writer::encode(&m);
                let back = reader::decode(&bytes);
                prop_assert_eq!(back.as_ref(), Ok(&m));
                prop_assert_eq!(writer::encode(&m), bytes);
                // Whatever the verifier thinks of it, loading it never panics.
                let _ = Program::from_bytes(&writer::encode(&m));
                Ok(())
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
}

// ---------------------------------------------------------------------------------------------
// Witnesses.

#[test]
fn witnesses_reproduce_their_variant_whatever_the_base_records() {
    for name in CAMPAIGNS {
        let (project, program) = load(name);
        let schema = program.schema().clone();
        let mut runner = TestRunner::new(config(6));
        let result = runner.run(
            &proptest::collection::vec(object(&schema.attributes), 0..3),
            |bases| {
                let a = analysis::analyse(&project, &bases);
                let (Some(program), Some(report)) = (&a.program, &a.report) else {
                    prop_assert!(false, "{} does not analyse", name);
                    return Ok(());
                };
                prop_assert!(!report.variants.is_empty());
                for v in &report.variants {
                    match program.evaluate_json(&v.witness) {
                        Ok(Outcome::Eligible(t)) => {
                            prop_assert_eq!(t.variant().to_string(), v.id.clone(), "{}", v.witness)
                        }
                        other => {
                            prop_assert!(false, "witness {}: {:?}", v.witness, other.map(|_| ()))
                        }
                    }
                }
                if let Some(r) = &report.not_eligible {
                    prop_assert!(matches!(program.evaluate_json(r), Ok(Outcome::NotEligible)));
                }
                Ok(())
            },
        );
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Constant folding and the machine: one meaning.

/// What a constant condition is: folded by the checker (the value of its W0102 warning, `None`
/// when it does not fold), and run by the machine (`None` when it stops with an error).
fn folded_and_run(cond: &str) -> (Option<bool>, Option<bool>) {
    const SCHEMA: &str = "(attributes: { \"n\": (type: Int) })";
    let source = format!(
        "campaign fold {{\n    title \"Fold\"\n    schema \"schema.ron\"\n}}\n\n\
         scene s when {cond} {{\n    text \"x\"\n}}\n\nending {{\n    text \"Fine\"\n}}\n"
    );
    let project = project::load_source(Path::new("fold/fold.guide"), source, &mut |p| {
        if p.ends_with("schema.ron") {
            Ok(SCHEMA.into())
        } else {
            Err(std::io::Error::from(std::io::ErrorKind::NotFound))
        }
    });
    let checked = check::check(&project);
    if checked.has_errors() {
        let all: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| d.render(false))
            .collect();
        panic!("`{cond}`:\n{}", all.join("\n"));
    }
    let folded = checked
        .diagnostics
        .iter()
        .find(|d| d.code == "W0102")
        .map(|d| d.message.ends_with("true"));
    let c = checked.campaign.expect("the condition checks");
    let program = codegen::program(&c).expect("compiles");
    let record =
        guide_runtime::Record::from_json(program.schema(), &json!({"n": 0})).expect("a record");
    let run = match program.evaluate(&record) {
        Ok(Outcome::Eligible(t)) => Some(t.scenes().any(|s| s.id() == "s")),
        Ok(Outcome::NotEligible) => panic!("`{cond}`: not eligible"),
        Err(EvalError::Computation { .. }) => None,
        Err(e) => panic!("`{cond}`: {e}"),
    };
    (folded, run)
}

/// The checker folds a condition that reads no recipient data with the runtime's operators
/// (`guide_runtime::ops`): the value it warns about is the value the machine computes, and it
/// does not fold what the machine cannot compute. Swept over edge values: integer and amount
/// overflow (the amount bound of a multiplication included), decimals that overflow to
/// infinity, negative zero, divisions by zero, rounding to the cent, dates plus or minus periods
/// at month ends and at the ends of the calendar. (No expression gives a NaN: every decimal
/// result is checked finite; `ops`'s unit tests cover NaN.)
#[test]
fn constant_folding_and_the_machine_agree() {
    let max_dec = format!("{}.0", "9".repeat(308));
    let ints = [
        "0",
        "1",
        "-1",
        "3037000500",
        "4611686018427387904",
        "9223372036854775807",
        "(-9223372036854775807 - 1)",
    ];
    let decs = [
        "0.0",
        "-0.0",
        "0.1",
        "0.2",
        "-2.5",
        "1000000000000000000000.0",
        max_dec.as_str(),
    ];
    let moneys = [
        "€ 0",
        "€ 0.01",
        "(-€ 0.05)",
        "€ 1234.56",
        "€ 91999999999999999.99",
        "€ 92233720368547758.07",
    ];
    let factors = ["0.5", "-0.5", "0.0", "-0.0", "3", "0.001", "100000.0"];
    let dates = [
        "2024-01-31",
        "2023-01-31",
        "2024-02-29",
        "2024-03-31",
        "9999-12-31",
        "0001-01-01",
    ];
    let periods = [
        "1 month",
        "1 day",
        "12 months",
        "1 year",
        "0 days",
        "2 weeks",
    ];
    let mut conds: Vec<String> = Vec::new();
    for a in ints {
        for b in ints {
            for op in ["+", "-", "*"] {
                conds.push(format!("({a} {op} {b}) > 0"));
            }
            conds.push(format!("{a} < {b}"));
        }
    }
    for a in &decs {
        for b in &decs {
            for op in ["+", "-", "*", "/"] {
                conds.push(format!("({a} {op} {b}) < 0.0"));
                conds.push(format!("({a} {op} {b}) == 0.0"));
            }
            for cmp in ["==", "!=", "<", "<=", ">", ">="] {
                conds.push(format!("{a} {cmp} {b}"));
            }
        }
        conds.push(format!("({a} * 1) >= 1"));
    }
    for m in moneys {
        for f in factors {
            conds.push(format!("({m} * {f}) > € 0"));
            conds.push(format!("({m} / {f}) == € 0.01"));
        }
        for n in moneys {
            conds.push(format!("({m} + {n}) > € 0"));
            conds.push(format!("({m} - {n}) <= € 0"));
        }
        conds.push(format!("-{m} < € 0"));
    }
    for d in dates {
        for p in periods {
            for (op, expected) in [("+", "2024-02-29"), ("-", "2024-02-29")] {
                conds.push(format!("({d} {op} {p}) == {expected}"));
                conds.push(format!("({d} {op} {p}) > {d}"));
            }
        }
    }
    // Short-circuits: the machine never evaluates the right side.
    conds.push("false and (9223372036854775807 + 1) > 0".into());
    conds.push("true or (1.0 / 0.0) > 0.0".into());
    conds.push("not (1.0 / 0.0) > 0.0 or true".into());

    let mut folded_errors = 0;
    for cond in &conds {
        let (folded, run) = folded_and_run(cond);
        assert_eq!(folded, run, "`{cond}`: folded {folded:?}, run {run:?}");
        folded_errors += usize::from(run.is_none());
    }
    // The sweep does reach the machine's errors, and mostly computes.
    assert!(
        folded_errors > 50 && folded_errors < conds.len() / 2,
        "{folded_errors}"
    );
}

/// A decimal attribute of -0.0 equals 0.0, in a fused test of the attribute and one by one, as
/// in folding (`ops::decimal_order`); the fused test compared with `total_cmp` before, for which
/// -0.0 < 0.0.
#[test]
fn negative_zero_equals_zero_fused_or_not() {
    const SCHEMA: &str = "(attributes: { \"x\": (type: Decimal) })";
    let source = "campaign zero {\n    title \"Zero\"\n    schema \"schema.ron\"\n}\n\n\
                  scene nulla when x == 0.0 {\n    text \"x\"\n}\n\n\
                  scene negativa when x < 0.0 {\n    text \"y\"\n}\n\n\
                  ending {\n    text \"Fine\"\n}\n";
    let project = project::load_source(Path::new("zero/zero.guide"), source.into(), &mut |p| {
        if p.ends_with("schema.ron") {
            Ok(SCHEMA.into())
        } else {
            Err(std::io::Error::from(std::io::ErrorKind::NotFound))
        }
    });
    let c = check::check(&project).campaign.expect("checks");
    let program = codegen::program(&c).expect("compiles");
    let record =
        guide_runtime::Record::from_json_str(program.schema(), r#"{"x": -0.0}"#).expect("a record");
    for fusion in [true, false] {
        let mut ev = program.evaluator();
        ev.set_fusion(fusion);
        let Ok(Outcome::Eligible(t)) = ev.evaluate(&record) else {
            panic!("not eligible");
        };
        let ids: Vec<&str> = t.scenes().map(|s| s.id()).collect();
        assert_eq!(ids, ["nulla"], "fusion {fusion}");
    }
}
