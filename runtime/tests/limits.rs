//! The machine's bounds against hostile bytecode: a program that passes the verifier but loops
//! appending text, or nests as deep as the format allows, stops with `EvalError::Limit` within
//! its limits instead of exhausting memory or time. (Regression tests: before the output check
//! on `Lit` and `Gender`, the looping programs grew the text arena by gigabytes.)

use guide_runtime::bytecode::format::limits::{MAX_FRAMES, MAX_STACK, MAX_TYPE_DEPTH};
use guide_runtime::bytecode::{writer, Module, Op, Target};
use guide_runtime::doc_example::doc_example_module;
use guide_runtime::vm::LimitKind;
use guide_runtime::{EvalError, Evaluator, Limits, LoadError, Program, Record};

fn record(p: &Program) -> Record {
    let mut b = p.record_builder();
    b.set_str("nome", "Giulia")
        .expect("nome")
        .set_enum("sesso", "F")
        .expect("sesso");
    b.build().expect("record")
}

/// The doc example with `code` and one more string of `big` bytes (its index is returned).
fn with_code(big: usize, code: impl Fn(u32) -> Vec<Op>) -> Result<Program, LoadError> {
    let mut m: Module = doc_example_module();
    let s = u32::try_from(m.strings.len()).expect("index");
    m.strings.push("x".repeat(big));
    m.code = code(s);
    m.lines.clear();
    Program::from_bytes(&writer::encode(&m))
}

fn limit_kind(p: &Program, limits: Limits) -> Option<LimitKind> {
    let r = record(p);
    match Evaluator::new(p, limits).evaluate(&r) {
        Err(EvalError::Limit { kind, .. }) => Some(kind),
        other => panic!("expected a limit, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_loop_appending_literals_stops_at_the_output_limit() {
    // Line; L: Lit(64 KiB); Jump L — verified (the states agree), and without the check it
    // would append 500,000 x 64 KiB before running out of fuel.
    let p = with_code(64 << 10, |s| {
        vec![
            Op::Scene(0),
            Op::Line(Target::Text),
            Op::Lit(s),
            Op::Jump(2),
        ]
    })
    .expect("the loop verifies");
    assert_eq!(limit_kind(&p, Limits::default()), Some(LimitKind::Output));
    let small = Limits {
        fuel: 1_000_000,
        max_output_bytes: 1000,
    };
    assert_eq!(limit_kind(&p, small), Some(LimitKind::Output));
}

#[test]
fn a_loop_of_gender_agreements_stops_at_the_output_limit() {
    let p = with_code(64 << 10, |s| {
        vec![
            Op::Scene(0),
            Op::Line(Target::Text),
            Op::Gender {
                decision: 0,
                masculine: s,
                feminine: s,
            },
            Op::Jump(2),
        ]
    })
    .expect("the loop verifies");
    assert_eq!(limit_kind(&p, Limits::default()), Some(LimitKind::Output));
}

#[test]
fn an_empty_loop_stops_at_the_fuel_limit() {
    let p = with_code(1, |_| vec![Op::Jump(0)]).expect("the loop verifies");
    assert_eq!(limit_kind(&p, Limits::default()), Some(LimitKind::Fuel));
}

#[test]
fn a_loop_of_static_lines_stops_at_the_output_limit() {
    let p = with_code(64 << 10, |s| {
        vec![
            Op::Scene(0),
            Op::StaticLine {
                target: Target::Say,
                text: s,
            },
            Op::Jump(1),
        ]
    })
    .expect("the loop verifies");
    assert_eq!(limit_kind(&p, Limits::default()), Some(LimitKind::Output));
}

#[test]
fn stack_and_iteration_depth_are_bounded_by_the_verifier() {
    // One value more than the stack allows.
    let mut code: Vec<Op> = (0..=MAX_STACK).map(|_| Op::PushBool(true)).collect();
    code.extend((0..=MAX_STACK).map(|_| Op::Pop));
    code.push(Op::Halt);
    let e = with_code(1, |_| code.clone()).expect_err("too deep a stack");
    assert!(matches!(e, LoadError::InvalidCode { .. }), "{e}");
    // The doc example's schema has no list, so nesting iterations cannot even start; the limit
    // is a constant of the format, checked by the verifier.
    assert_eq!(MAX_FRAMES, 16);
    assert_eq!(MAX_TYPE_DEPTH, 32);
}

#[test]
fn schemas_nested_past_the_limit_are_refused_by_the_loader() {
    use guide_runtime::schema::{Attribute, Fields, Type};
    for (levels, loads) in [(15, true), (16, false), (1000, false)] {
        let mut ty = Type::Int;
        for _ in 0..levels {
            ty = Type::Record(Fields(vec![(
                "x".into(),
                Attribute {
                    ty,
                    description: None,
                    personal: false,
                    range: Default::default(),
                },
            )]));
        }
        let mut m = doc_example_module();
        m.schema.attributes.0.push((
            "deep".into(),
            Attribute {
                ty,
                description: None,
                personal: false,
                range: Default::default(),
            },
        ));
        m.meta.schema_fingerprint = guide_runtime::bytecode::schema_fingerprint(&m.schema);
        let r = Program::from_bytes(&writer::encode(&m));
        assert_eq!(r.is_ok(), loads, "{levels} levels: {:?}", r.err());
    }
}

#[test]
fn huge_scene_durations_saturate_instead_of_overflowing() {
    // Found by the `bytecode` fuzz target: a forged duration near u64::MAX made
    // `SceneView::end_ms` overflow (a panic in debug builds, a wrong time otherwise).
    let mut m: Module = doc_example_module();
    for s in &mut m.scenes {
        s.duration_ms = u64::MAX - 1;
    }
    let p = Program::from_bytes(&writer::encode(&m)).expect("loads");
    let r = record(&p);
    let mut ev = p.evaluator();
    let t = match ev.evaluate(&r) {
        Ok(guide_runtime::Outcome::Eligible(t)) => t,
        other => panic!("{:?}", other.map(|_| ())),
    };
    for s in t.all_scenes() {
        assert!(s.end_ms() >= s.start_ms());
    }
    assert_eq!(t.duration_ms(), u64::MAX);
    assert!(!t.storyboard().is_empty());
}
