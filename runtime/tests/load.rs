//! Every `LoadError`, provoked by a damaged or forged file; and the runtime's API on a small
//! hand-built program.

use guide_runtime::bytecode::format::{HEADER_LEN, MAJOR, MINOR};
use guide_runtime::bytecode::{writer, FmtKind, Module, Op, Target, NO_STRING};
use guide_runtime::checksum::crc32;
use guide_runtime::doc_example::{doc_example_bytes, doc_example_module};
use guide_runtime::{LoadError, Outcome, Program};

/// Re-seals a payload after tampering: fixes the length and the checksum.
fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
    let len = (bytes.len() - HEADER_LEN) as u32;
    bytes[12..16].copy_from_slice(&len.to_le_bytes());
    let crc = crc32(&bytes[HEADER_LEN..]);
    bytes[16..20].copy_from_slice(&crc.to_le_bytes());
    bytes
}

fn load_module(m: &Module) -> Result<Program, LoadError> {
    Program::from_bytes(&writer::encode(m))
}

#[test]
fn loads_and_evaluates() {
    let p = Program::from_bytes(&doc_example_bytes()).unwrap();
    assert_eq!(p.metadata().id, "hello");
    // Nothing in it is newer than 1.0: it is written as 1.0 (the lowest minor it needs).
    assert_eq!(p.metadata().version, (MAJOR, 0));
    const { assert!(MINOR >= 1) };
    let mut b = p.record_builder();
    b.set_str("nome", "Giulia")
        .unwrap()
        .set_enum("sesso", "F")
        .unwrap();
    let r = b.build().unwrap();
    let Outcome::Eligible(t) = p.evaluate(&r).unwrap() else {
        panic!("not eligible")
    };
    let intro = t.scenes().next().unwrap();
    assert_eq!(intro.texts().collect::<Vec<_>>(), ["Benvenuta Giulia"]);
    assert_eq!(intro.narration(), "Ciao Giulia. Benvenuto!");
    assert_eq!(intro.captions().count(), 2);
    assert_eq!(t.ending().unwrap().id(), "ending");
    assert_eq!(t.rating().unwrap().question, "Ti è piaciuto?");
    // Encoding what was loaded gives the same bytes.
    assert_eq!(p.to_bytes(), doc_example_bytes());
}

#[test]
fn program_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Program>();
}

#[test]
fn not_bytecode() {
    assert_eq!(
        Program::from_bytes(b"hello world, not bytecode").unwrap_err(),
        LoadError::NotBytecode
    );
    assert_eq!(
        Program::from_bytes(b"").unwrap_err(),
        LoadError::NotBytecode
    );
}

#[test]
fn truncated_everywhere() {
    let bytes = doc_example_bytes();
    for n in 1..bytes.len() {
        let e = Program::from_bytes(&bytes[..n]).unwrap_err();
        assert!(
            matches!(e, LoadError::Truncated { .. }),
            "cut at {n}: {e:?}"
        );
    }
    let e = Program::from_bytes(&bytes[..HEADER_LEN + 3]).unwrap_err();
    assert_eq!(e, LoadError::Truncated { what: "payload" });
    assert!(e.to_string().contains("truncated"));
}

#[test]
fn trailing_bytes() {
    let mut bytes = doc_example_bytes();
    bytes.extend_from_slice(b"xx");
    assert_eq!(
        Program::from_bytes(&bytes).unwrap_err(),
        LoadError::TrailingBytes { extra: 2 }
    );
}

#[test]
fn wrong_version() {
    let mut bytes = doc_example_bytes();
    bytes[8..10].copy_from_slice(&(MAJOR + 1).to_le_bytes());
    let e = Program::from_bytes(&bytes).unwrap_err();
    assert_eq!(
        e,
        LoadError::UnsupportedVersion {
            major: MAJOR + 1,
            minor: 0
        }
    );
    assert!(e.to_string().contains("use a newer runtime"), "{e}");
    bytes[8..10].copy_from_slice(&0u16.to_le_bytes());
    assert!(matches!(
        Program::from_bytes(&bytes).unwrap_err(),
        LoadError::UnsupportedVersion { major: 0, .. }
    ));
}

#[test]
fn newer_minor_is_read_and_unknown_sections_skipped() {
    let mut bytes = doc_example_bytes();
    bytes[10..12].copy_from_slice(&(MINOR + 7).to_le_bytes());
    // A section this runtime does not know, as a newer minor could add.
    bytes.extend_from_slice(b"XTRA");
    bytes.extend_from_slice(&3u32.to_le_bytes());
    bytes.extend_from_slice(b"abc");
    let p = Program::from_bytes(&reseal(bytes)).unwrap();
    assert_eq!(p.metadata().version, (MAJOR, MINOR + 7));
}

#[test]
fn wrong_checksum() {
    let mut bytes = doc_example_bytes();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    let e = Program::from_bytes(&bytes).unwrap_err();
    assert!(matches!(e, LoadError::Checksum { .. }), "{e:?}");
    assert!(e.to_string().contains("corrupted"));
}

#[test]
fn corrupted_payload_is_caught_by_the_checksum_everywhere() {
    let bytes = doc_example_bytes();
    for i in HEADER_LEN..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        assert!(
            matches!(
                Program::from_bytes(&b).unwrap_err(),
                LoadError::Checksum { .. }
            ),
            "byte {i}"
        );
    }
}

#[test]
fn forged_payloads_never_panic() {
    // Flip bytes and re-seal the checksum: the loader must reject or accept, never panic, and
    // whatever loads must evaluate without panicking.
    let bytes = doc_example_bytes();
    let original = Program::from_bytes(&bytes).unwrap();
    let mut b = original.record_builder();
    b.set_str("nome", "Anna")
        .unwrap()
        .set_enum("sesso", "F")
        .unwrap();
    let record = b.build().unwrap();
    for i in HEADER_LEN..bytes.len() {
        for x in [0x01u8, 0x80, 0xFF] {
            let mut f = bytes.clone();
            f[i] ^= x;
            if let Ok(p) = Program::from_bytes(&reseal(f)) {
                let _ = p.evaluate(&record);
                let _ = p.disassemble();
            }
        }
    }
}

#[test]
fn malformed() {
    // An unknown opcode.
    let bytes = doc_example_bytes();
    let code_at = bytes.windows(4).position(|w| w == b"CODE").unwrap();
    let mut f = bytes.clone();
    f[code_at + 12] = 0xEE; // the first opcode, after tag, length and count
    let e = Program::from_bytes(&reseal(f)).unwrap_err();
    assert!(
        matches!(
            e,
            LoadError::Malformed {
                section: "code",
                ..
            }
        ),
        "{e:?}"
    );
    // A string that is not UTF-8.
    let mut m = doc_example_module();
    m.strings[1] = "Ciao".into();
    let mut f = writer::encode(&m);
    let at = f.windows(4).position(|w| w == b"Ciao").unwrap();
    f[at] = 0xFF;
    let e = Program::from_bytes(&reseal(f)).unwrap_err();
    assert!(
        matches!(
            e,
            LoadError::Malformed {
                section: "strings",
                ..
            }
        ),
        "{e:?}"
    );
    // A missing section.
    let f = bytes.clone();
    let at = f.windows(4).position(|w| w == b"LINE").unwrap();
    let f = reseal(f[..at].to_vec());
    let e = Program::from_bytes(&f).unwrap_err();
    assert!(
        matches!(
            e,
            LoadError::Malformed {
                section: "line table",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn out_of_range_indices() {
    let mut m = doc_example_module();
    m.code[4] = Op::Attr(9);
    assert!(matches!(
        load_module(&m).unwrap_err(),
        LoadError::OutOfRange { what: "path", .. }
    ));

    let mut m = doc_example_module();
    m.code[3] = Op::Lit(999);
    assert!(matches!(
        load_module(&m).unwrap_err(),
        LoadError::OutOfRange { what: "string", .. }
    ));

    let mut m = doc_example_module();
    m.code.insert(1, Op::Jump(500));
    assert!(matches!(
        load_module(&m).unwrap_err(),
        LoadError::OutOfRange {
            what: "jump target",
            ..
        }
    ));

    let mut m = doc_example_module();
    m.code[0] = Op::Scene(7);
    assert!(matches!(
        load_module(&m).unwrap_err(),
        LoadError::OutOfRange { what: "scene", .. }
    ));

    let mut m = doc_example_module();
    m.scenes[0].id = 12345;
    let e = load_module(&m).unwrap_err();
    assert!(
        matches!(e, LoadError::OutOfRange { what: "string", .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("scene 0"));

    let mut m = doc_example_module();
    m.paths[0] = vec![5];
    assert!(matches!(
        load_module(&m).unwrap_err(),
        LoadError::OutOfRange { what: "field", .. }
    ));
}

#[test]
fn invalid_code() {
    let code = |m: &Module| match load_module(m).unwrap_err() {
        LoadError::InvalidCode { pc, reason } => (pc, reason),
        other => panic!("{other:?}"),
    };
    // Stack underflow.
    let mut m = doc_example_module();
    m.code.remove(4); // the Attr before Fmt
    let (pc, reason) = code(&m);
    assert_eq!(pc, 4);
    assert!(reason.contains("stack is empty"), "{reason}");
    // A type mismatch: money format of a string.
    let mut m = doc_example_module();
    m.code[5] = Op::Fmt(FmtKind::Money);
    assert!(code(&m).1.contains("format money of string"));
    // Values left on the stack at the end.
    let mut m = doc_example_module();
    m.code.insert(0, Op::PushInt(1));
    assert!(code(&m).1.contains("halt with values"));
    // Paths joining with different stacks.
    let mut m = doc_example_module();
    m.code.splice(
        0..0,
        [Op::PushBool(true), Op::JumpIfFalse(3), Op::PushInt(1)],
    );
    for op in &mut m.code {
        if let Op::Gender { .. } = op {}
    }
    m.lines = vec![(0, 0)];
    assert!(code(&m).1.contains("different states"));
    // Text outside a line, a line outside a scene, no ending, running off the end.
    let mut m = doc_example_module();
    m.code.insert(0, Op::Lit(0));
    assert!(code(&m).1.contains("outside a line"));
    let mut m = doc_example_module();
    m.code.insert(
        0,
        Op::StaticLine {
            target: Target::Text,
            text: 0,
        },
    );
    assert!(code(&m).1.contains("out of place"));
    let mut m = doc_example_module();
    m.code.truncate(14);
    m.code.push(Op::Halt);
    assert!(code(&m).1.contains("before the ending"));
    let mut m = doc_example_module();
    m.code.pop();
    assert!(code(&m).1.contains("past the end"));
}

#[test]
fn schema_fingerprint_mismatch() {
    let mut m = doc_example_module();
    m.meta.schema_fingerprint ^= 1;
    assert!(matches!(
        load_module(&m).unwrap_err(),
        LoadError::SchemaFingerprint { .. }
    ));
}

#[test]
fn invalid_schema() {
    let mut m = doc_example_module();
    if let Some(g) = m.schema.gender.as_mut() {
        g.attribute = "nome".into();
    }
    m.meta.schema_fingerprint = guide_runtime::bytecode::schema_fingerprint(&m.schema);
    assert!(matches!(
        load_module(&m).unwrap_err(),
        LoadError::InvalidSchema { .. }
    ));
}

#[test]
fn limits() {
    use guide_runtime::vm::LimitKind;
    use guide_runtime::{EvalError, Evaluator, Limits};
    let p = Program::from_bytes(&doc_example_bytes()).unwrap();
    let mut b = p.record_builder();
    b.set_str("nome", "Giulia")
        .unwrap()
        .set_enum("sesso", "F")
        .unwrap();
    let r = b.build().unwrap();
    let mut ev = Evaluator::new(
        &p,
        Limits {
            fuel: 5,
            ..Limits::default()
        },
    );
    assert_eq!(
        ev.evaluate(&r).unwrap_err(),
        EvalError::Limit {
            kind: LimitKind::Fuel,
            limit: 5
        }
    );
    let mut ev = Evaluator::new(
        &p,
        Limits {
            max_output_bytes: 10,
            ..Limits::default()
        },
    );
    assert!(matches!(
        ev.evaluate(&r).unwrap_err(),
        EvalError::Limit {
            kind: LimitKind::Output,
            ..
        }
    ));
    // The evaluator is reusable after an error, and reuse gives the same result.
    let mut ev = p.evaluator();
    let a = ev.evaluate(&r).unwrap().eligible().unwrap().storyboard();
    let b2 = ev.evaluate(&r).unwrap().eligible().unwrap().storyboard();
    assert_eq!(a, b2);
}

/// A minor-0 file has no `ALTS` section (the visuals' alternative texts): it still loads, and
/// no scene has an alternative text.
#[test]
fn minor_0_without_alternative_texts_loads() {
    let bytes = doc_example_bytes();
    let at = bytes.windows(4).rposition(|w| w == b"ALTS").unwrap();
    let mut old = bytes[..at].to_vec();
    old[10..12].copy_from_slice(&0u16.to_le_bytes());
    let p = Program::from_bytes(&reseal(old)).unwrap();
    assert_eq!(p.metadata().version, (MAJOR, 0));
    assert!(p.module().scenes.iter().all(|s| s.alt == NO_STRING));
}

#[test]
fn alternative_texts_round_trip_and_are_verified() {
    let mut m = doc_example_module();
    m.scenes[0].visual = 4;
    m.scenes[0].alt = 13;
    let p = load_module(&m).unwrap();
    assert_eq!(
        (p.module().scenes[0].visual, p.module().scenes[0].alt),
        (4, 13)
    );

    // An alternative text without a visual.
    let mut m = doc_example_module();
    m.scenes[0].alt = 13;
    let e = load_module(&m).unwrap_err();
    assert!(
        matches!(
            e,
            LoadError::Malformed {
                section: "alternative texts",
                ..
            }
        ),
        "{e:?}"
    );
    // A string index out of range.
    let mut m = doc_example_module();
    m.scenes[0].visual = 4;
    m.scenes[0].alt = 9999;
    assert!(load_module(&m).is_err());
    // One entry per scene, no fewer.
    let bytes = doc_example_bytes();
    let at = bytes.windows(4).rposition(|w| w == b"ALTS").unwrap();
    let mut f = bytes[..at].to_vec();
    f.extend_from_slice(b"ALTS");
    f.extend_from_slice(&8u32.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&NO_STRING.to_le_bytes());
    let e = Program::from_bytes(&reseal(f)).unwrap_err();
    assert!(
        matches!(
            e,
            LoadError::Malformed {
                section: "alternative texts",
                ..
            }
        ),
        "{e:?}"
    );
}
