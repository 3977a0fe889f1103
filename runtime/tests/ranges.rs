//! Ranges declared in a schema (`min`, `max`, `max_length`): every reader of records accepts a
//! value at the bound and rejects one past it, naming the attribute, the value and the bound;
//! the bytecode carries them and the loader refuses a range that does not fit its type.
#![cfg(feature = "json")]

use guide_runtime::bytecode::writer;
use guide_runtime::doc_example::doc_example_module;
use guide_runtime::record::RecordBuilder;
use guide_runtime::schema::{Attribute, Bound, Fields, Range, Schema, Type, Violation};
use guide_runtime::{LoadError, Program, Record, RecordError, RecordErrorKind};

fn attr(ty: Type, range: Range) -> Attribute {
    Attribute {
        ty,
        description: None,
        personal: false,
        range,
    }
}

fn between(min: Option<Bound>, max: Option<Bound>) -> Range {
    Range {
        min,
        max,
        max_length: None,
    }
}

fn schema() -> Schema {
    let figli = Fields(vec![(
        "eta".into(),
        attr(
            Type::Int,
            between(Some(Bound::Int(0)), Some(Bound::Int(17))),
        ),
    )]);
    let mut nome = attr(
        Type::String,
        Range {
            max_length: Some(3),
            ..Range::default()
        },
    );
    nome.personal = true;
    Schema {
        key: None,
        gender: None,
        attributes: Fields(vec![
            (
                "eta".into(),
                attr(
                    Type::Int,
                    between(Some(Bound::Int(18)), Some(Bound::Int(120))),
                ),
            ),
            (
                "importo".into(),
                attr(
                    Type::Money,
                    between(Some(Bound::Cents(0)), Some(Bound::Cents(150_050))),
                ),
            ),
            (
                "quota".into(),
                attr(
                    Type::Decimal,
                    between(Some(Bound::Decimal(0.5)), Some(Bound::Decimal(1.0))),
                ),
            ),
            ("nome".into(), nome),
            (
                "reddito".into(),
                attr(
                    Type::Optional(Box::new(Type::Money)),
                    between(Some(Bound::Cents(0)), None),
                ),
            ),
            ("figli".into(), attr(Type::List(figli), Range::default())),
        ]),
    }
}

/// A record with `field` replaced by `value` (JSON text), through both JSON readers, which
/// must agree.
fn read(field: &str, value: &str) -> Result<Record, RecordError> {
    let s = schema();
    let mut fields = vec![
        ("eta", "40"),
        ("importo", "100"),
        ("quota", "0.75"),
        ("nome", "\"Léa\""),
        ("figli", "[]"),
    ];
    match fields.iter_mut().find(|(n, _)| *n == field) {
        Some(f) => f.1 = value,
        None => fields.push((field, value)),
    }
    let text = format!(
        "{{{}}}",
        fields
            .iter()
            .map(|(n, v)| format!("\"{n}\":{v}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let tree: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let slow = Record::from_json(&s, &tree);
    let fast = Record::from_json_str(&s, &text);
    assert_eq!(slow, fast, "{text}");
    slow
}

fn rejected(field: &str, value: &str) -> String {
    match read(field, value) {
        Ok(r) => panic!("{field}: {value} accepted: {r:?}"),
        Err(e) => {
            assert!(
                matches!(e.kind, RecordErrorKind::OutOfRange { .. }),
                "{field}: {value}: {e}"
            );
            e.to_string()
        }
    }
}

#[test]
fn values_at_the_bounds_are_accepted() {
    for (field, value) in [
        ("eta", "18"),
        ("eta", "120"),
        ("importo", "0"),
        ("importo", "1500.50"),
        ("importo", "\"1500.50\""),
        ("importo", "\"0\""),
        ("quota", "0.5"),
        ("quota", "1"),
        ("nome", "\"Ada\""),
        ("nome", "\"Léa\""),
        ("nome", "\"\""),
        ("reddito", "null"),
        ("reddito", "0"),
        ("figli", "[{\"eta\":0},{\"eta\":17}]"),
    ] {
        if let Err(e) = read(field, value) {
            panic!("{field}: {value}: {e}");
        }
    }
}

#[test]
fn values_past_the_bounds_are_rejected_with_the_attribute_the_value_and_the_bound() {
    assert_eq!(
        rejected("eta", "17"),
        "attribute \"eta\": 17 is less than 18, the minimum the schema allows (min: 18)"
    );
    assert_eq!(
        rejected("eta", "121"),
        "attribute \"eta\": 121 is more than 120, the maximum the schema allows (max: 120)"
    );
    assert_eq!(
        rejected("importo", "-0.01"),
        "attribute \"importo\": -0.01 is less than 0.00, the minimum the schema allows \
         (min: 0.00)"
    );
    assert_eq!(
        rejected("importo", "\"-5\""),
        "attribute \"importo\": -5.00 is less than 0.00, the minimum the schema allows \
         (min: 0.00)"
    );
    assert_eq!(
        rejected("importo", "1500.51"),
        "attribute \"importo\": 1500.51 is more than 1500.50, the maximum the schema allows \
         (max: 1500.50)"
    );
    assert_eq!(
        rejected("quota", "0.49"),
        "attribute \"quota\": 0.49 is less than 0.5, the minimum the schema allows (min: 0.5)"
    );
    assert_eq!(
        rejected("quota", "1.01"),
        "attribute \"quota\": 1.01 is more than 1, the maximum the schema allows (max: 1)"
    );
    // Characters, not bytes; a personal value is never shown.
    assert_eq!(
        rejected("nome", "\"Luca\""),
        "attribute \"nome\" has 4 characters, more than the 3 the schema allows (max_length: 3)"
    );
    assert_eq!(
        rejected("reddito", "-1"),
        "attribute \"reddito\": -1.00 is less than 0.00, the minimum the schema allows \
         (min: 0.00)"
    );
    assert_eq!(
        rejected("figli", "[{\"eta\":3},{\"eta\":18}]"),
        "attribute \"figli[1].eta\": 18 is more than 17, the maximum the schema allows \
         (max: 17)"
    );
    // A wrong type comes before a range: the same error whichever reader meets it first.
    let e = read("eta", "\"x\"").unwrap_err();
    assert!(matches!(e.kind, RecordErrorKind::WrongType { .. }), "{e}");
}

#[test]
fn the_record_builder_checks_ranges_too() {
    let s = schema();
    let mut b = RecordBuilder::new(&s);
    assert!(b.set_int("eta", 18).is_ok());
    let e = b.set_money_cents("importo", -1).unwrap_err();
    assert_eq!(
        e.kind,
        RecordErrorKind::OutOfRange {
            value: "-0.01".into(),
            violation: Violation::BelowMin(Bound::Cents(0)),
        }
    );
    let e = b.set_str("nome", "Luca").unwrap_err();
    assert!(matches!(
        e.kind,
        RecordErrorKind::OutOfRange {
            violation: Violation::TooLong {
                max_length: 3,
                length: 4
            },
            ..
        }
    ));
    let mut figlio = b.builder_for("figli").expect("list");
    assert!(figlio.set_int("eta", 18).is_err());
}

#[test]
fn the_bytecode_carries_ranges_and_the_loader_checks_them() {
    let mut m = doc_example_module();
    let plain = writer::encode(&m);
    let s = schema();
    m.schema.attributes.0.extend(s.attributes.0.iter().cloned());
    m.meta.schema_fingerprint = guide_runtime::bytecode::schema_fingerprint(&m.schema);
    let p = Program::from_bytes(&writer::encode(&m)).expect("loads");
    assert_eq!(p.schema(), &m.schema);
    // Without ranges the encoding is the one before ranges existed: flags 0 or 1.
    assert_eq!(
        Program::from_bytes(&plain)
            .expect("loads")
            .schema()
            .attributes
            .len()
            + s.attributes.len(),
        m.schema.attributes.len()
    );
    // A range of another unit than its type's is refused.
    m.schema.attributes.0.push((
        "forged".into(),
        attr(Type::Int, between(Some(Bound::Cents(0)), None)),
    ));
    m.meta.schema_fingerprint = guide_runtime::bytecode::schema_fingerprint(&m.schema);
    let e = Program::from_bytes(&writer::encode(&m)).expect_err("forged");
    assert!(matches!(e, LoadError::Malformed { .. }), "{e}");
}
