//! A tiny program built by hand, for the crate documentation and the runtime's own tests (the
//! compiler builds real ones). It is the compilation of:
//!
//! ```text
//! campaign hello { title "Ciao" schema "schema.ron" }
//! scene intro { text "[Benvenuto|Benvenuta] {nome}" say "Ciao {nome}. Benvenuto!" }
//! ending { text "Grazie" rating "Ti è piaciuto?" from 1 to 5 }
//! ```
//!
//! with a schema of `nome: String` and `sesso: Enum(["M", "F"])` (the gender attribute).

use crate::bytecode::{
    schema_fingerprint, writer, DecisionKind, DecisionPoint, Meta, Module, Op, SceneDef, Span,
    Target, NO_STRING,
};
use crate::schema::{Attribute, Fields, Gender, Schema, Type};

/// The example module.
pub fn doc_example_module() -> Module {
    let attr = |ty| Attribute {
        ty,
        description: None,
        personal: false,
        range: Default::default(),
    };
    let schema = Schema {
        key: None,
        gender: Some(Gender {
            attribute: "sesso".into(),
            masculine: "M".into(),
            feminine: "F".into(),
        }),
        attributes: Fields(vec![
            ("nome".into(), attr(Type::String)),
            (
                "sesso".into(),
                attr(Type::Enum(vec!["M".into(), "F".into()])),
            ),
        ]),
    };
    let strings: Vec<String> = [
        "hello",
        "Ciao",
        "it-IT",
        "hello.guide",
        "intro",
        "ending",
        "Benvenuto",
        "Benvenuta",
        " ",
        "Ciao ",
        ". Benvenuto!",
        "Grazie",
        "Ti è piaciuto?",
        "gender [Benvenuto|Benvenuta]",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let span = |line| Span {
        file: 0,
        start: 0,
        end: 0,
        line,
        col: 1,
    };
    Module {
        strings,
        meta: Meta {
            id: 0,
            title: 1,
            locale: 2,
            rate_wpm: 150,
            length: None,
            availability: Default::default(),
            requires: None,
            schema_fingerprint: schema_fingerprint(&schema),
        },
        schema,
        paths: vec![vec![0]],
        files: vec![3],
        spans: vec![span(2), span(3)],
        decisions: vec![DecisionPoint {
            kind: DecisionKind::Gender,
            span: 0,
            label: 13,
            outcomes: 3,
        }],
        scenes: vec![
            SceneDef {
                id: 4,
                span: 0,
                visual: NO_STRING,
                duration_ms: 0,
                rating: None,
            },
            SceneDef {
                id: 5,
                span: 1,
                visual: NO_STRING,
                duration_ms: 0,
                rating: Some((1, 5)),
            },
        ],
        popups: vec![],
        services: vec![],
        buttons: vec![],
        jump_tables: vec![],
        code: vec![
            Op::Scene(0),
            Op::Line(Target::Text),
            Op::Gender {
                decision: 0,
                masculine: 6,
                feminine: 7,
            },
            Op::Lit(8),
            Op::Attr(0),
            Op::Fmt(crate::bytecode::FmtKind::Str),
            Op::EndLine,
            Op::Line(Target::Say),
            Op::Lit(9),
            Op::Attr(0),
            Op::Fmt(crate::bytecode::FmtKind::Str),
            Op::Lit(10),
            Op::EndLine,
            Op::EndScene,
            Op::Scene(1),
            Op::StaticLine {
                target: Target::Text,
                text: 11,
            },
            Op::StaticLine {
                target: Target::Rating,
                text: 12,
            },
            Op::EndScene,
            Op::Halt,
        ],
        lines: vec![(0, 0), (14, 1)],
    }
}

/// The example module encoded as `.guidec` bytes.
pub fn doc_example_bytes() -> Vec<u8> {
    writer::encode(&doc_example_module())
}
