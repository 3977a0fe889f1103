use super::error::identifier_like;
use super::*;
use crate::diagnostic::Span;
use guide_runtime::schema::Type;

const SPEC: &str = include_str!("../../../language-spec/examples/schema.ron");

fn errors(text: &str) -> Vec<SchemaError> {
    match parse(text) {
        Ok(_) => panic!("expected errors in:\n{text}"),
        Err(e) => e,
    }
}

fn codes(text: &str) -> Vec<&'static str> {
    let file = SourceFile::new("schema.ron", text);
    match load(&file) {
        Ok(_) => panic!("expected errors in:\n{text}"),
        Err(d) => d.into_iter().map(|d| d.code).collect(),
    }
}

fn with_attrs(attrs: &str) -> String {
    format!("(\n    attributes: {{\n{attrs}\n    }},\n)\n")
}

#[test]
fn spec_schema_loads_in_order() {
    let file = SourceFile::new("schema.ron", SPEC);
    let schema = load(&file).unwrap();
    let names: Vec<&str> = schema.attributes.iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "codice_fiscale",
            "nome",
            "sesso",
            "importo_mensile",
            "data_primo_pagamento",
            "durata_settimane",
            "modalita_pagamento",
            "prestazioni",
            "eta",
            "patronato",
            "contatti_aggiornati",
            "consenso_proattivo",
            "aliquota",
            "data_decorrenza",
            "indirizzo",
            "figli",
        ]
    );
    assert_eq!(schema.key.as_deref(), Some("codice_fiscale"));
    let g = schema.gender.as_ref().unwrap();
    assert_eq!(
        (
            g.attribute.as_str(),
            g.masculine.as_str(),
            g.feminine.as_str()
        ),
        ("sesso", "M", "F")
    );
    let (_, cf) = schema.attributes.get("codice_fiscale").unwrap();
    assert!(cf.personal);
    assert_eq!(cf.description.as_deref(), Some("Codice fiscale"));
    let (i, sesso) = schema.attributes.get("sesso").unwrap();
    assert_eq!(i, 2);
    assert_eq!(sesso.ty, Type::Enum(vec!["M".into(), "F".into()]));
    assert!(!sesso.personal);
    let (_, d) = schema.attributes.get("data_decorrenza").unwrap();
    assert_eq!(d.ty, Type::Optional(Box::new(Type::Date)));
    let (_, ind) = schema.attributes.get("indirizzo").unwrap();
    let Type::Record(f) = &ind.ty else { panic!() };
    assert_eq!(
        f.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        ["comune", "cap"]
    );
    let (_, figli) = schema.attributes.get("figli").unwrap();
    let Type::List(f) = &figli.ty else { panic!() };
    assert_eq!(
        f.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        ["nome", "eta"]
    );
}

#[test]
fn minimal_and_optional_forms() {
    let s = parse("(attributes: {})").unwrap();
    assert!(s.attributes.is_empty() && s.key.is_none() && s.gender.is_none());
    let s = parse(
        "// comment\n(key: Some(\"a\"), attributes: { \"a\": (type: Int, description: None) /* c */ })",
    )
    .unwrap();
    assert_eq!(s.key.as_deref(), Some("a"));
    let s = parse("Schema(attributes: { r\"a\": Attribute(type: String) })").unwrap();
    assert_eq!(s.attributes.len(), 1);
}

fn syntax(text: &str) -> (Span, String, Option<String>) {
    match errors(text).as_slice() {
        [SchemaError::Syntax {
            span,
            message,
            help,
            ..
        }] => (span.clone(), message.clone(), help.clone()),
        other => panic!("{other:?}"),
    }
}

fn slice(text: &str, span: &Span) -> String {
    text.get(span.clone()).unwrap_or("<bad span>").to_owned()
}

#[test]
fn syntax_unknown_type() {
    let t = with_attrs("        \"nome\": (type: Strng),");
    let (span, message, help) = syntax(&t);
    assert_eq!(slice(&t, &span), "Strng");
    assert!(message.starts_with("unknown type `Strng`: the types are String, Bool"));
    assert_eq!(help.as_deref(), Some("did you mean `String`?"));
    assert_eq!(codes(&t), ["E0601"]);
}

#[test]
fn syntax_missing_colon() {
    let t = with_attrs("        \"nome\" (type: String),");
    let (span, message, _) = syntax(&t);
    assert_eq!(message, "expected `:` after an attribute name");
    assert_eq!(slice(&t, &span), "(");
}

#[test]
fn syntax_unknown_field() {
    let t = with_attrs("        \"nome\": (type: String, descripton: \"x\"),");
    let (span, message, help) = syntax(&t);
    assert_eq!(slice(&t, &span), "descripton");
    assert!(
        message.starts_with("unknown field `descripton`"),
        "{message}"
    );
    assert_eq!(help.as_deref(), Some("did you mean `description`?"));
}

#[test]
fn syntax_missing_type() {
    let t = with_attrs("        \"nome\": (personal: true),");
    let (_, message, _) = syntax(&t);
    assert_eq!(message, "this attribute has no `type`");
}

#[test]
fn syntax_misc() {
    let t = with_attrs("        \"sesso\": (type: Enum(\"M\", \"F\")),");
    let (span, message, _) = syntax(&t);
    assert_eq!(message, "expected `[` opening the list of values");
    assert_eq!(slice(&t, &span), "\"M\"");

    let t = with_attrs("        \"nome\": (type: String)\n        \"eta\": (type: Int),");
    let (span, message, _) = syntax(&t);
    assert_eq!(message, "expected `,` between two entries");
    assert_eq!(slice(&t, &span), "\"eta\"");

    let t = with_attrs("        \"nome\": (type: String, personal: \"yes\"),");
    let (_, message, _) = syntax(&t);
    assert_eq!(message, "expected `true` or `false`");

    let t = "(attributes: { \"nome\": (type: String) }) extra";
    let (span, message, _) = syntax(t);
    assert_eq!(message, "unexpected text after the end of the schema");
    assert_eq!(slice(t, &span), "extra");

    let t = "(attributes: { \"nome\": (type: String) }";
    let (span, message, _) = syntax(t);
    assert!(
        message.starts_with("the file ends too early")
            || message.starts_with("expected `,` or `)`"),
        "{message}"
    );
    assert_eq!(span.end, t.len());

    let t = "(attributes: { \"nome: (type: String) })";
    let (_, message, _) = syntax(t);
    assert!(message.contains("string"), "{message}");

    let t = "(key: \"a\")";
    let (_, message, _) = syntax(t);
    assert_eq!(message, "the schema has no `attributes`");

    let t = "(gender: (attribute: \"s\", masculine: \"M\"), attributes: {})";
    let (_, message, _) = syntax(t);
    assert_eq!(message, "`gender` has no `feminine`");

    let t = "(attributes: {}, attributes: {})";
    let (span, message, _) = syntax(t);
    assert_eq!(message, "`attributes` is given twice");
    assert_eq!(span, 17..27);

    let t = "(attributes: { \"x\": (type: Optional(Dat)) })";
    let (span, _, help) = syntax(t);
    assert_eq!(slice(t, &span), "Dat");
    assert_eq!(help.as_deref(), Some("did you mean `Date`?"));

    let t = "(attributes: { \"città\": (type: Strin) })";
    let (span, _, _) = syntax(t);
    assert_eq!(slice(t, &span), "Strin");

    let t = "(attributes: { \"nome\": (type: Enum) })";
    let (span, message, help) = syntax(t);
    assert_eq!(
        (slice(t, &span).as_str(), message.as_str()),
        ("Enum", "expected `(` after `Enum`")
    );
    assert_eq!(help.as_deref(), Some("write Enum([\"a\", \"b\"])"));

    let t = "(gender: \"sesso\", attributes: {})";
    let (_, _, help) = syntax(t);
    assert!(help.unwrap().starts_with("write gender: (attribute:"));

    let t = "(attributes: { \"nome\": String })";
    let (span, message, help) = syntax(t);
    assert_eq!(slice(t, &span), "String");
    assert_eq!(
        message,
        "expected `(type: ...)` after the attribute name, found `String`"
    );
    assert_eq!(help.as_deref(), Some("write \"name\": (type: String)"));

    let t = "(attributes: { \"nome\": (String) })";
    let (_, _, help) = syntax(t);
    assert_eq!(help.as_deref(), Some("write (type: String)"));

    let t = "(attributes: { \"sesso\": (type: Enum([M, F])) })";
    let (span, message, help) = syntax(t);
    assert_eq!(slice(t, &span), "M");
    assert_eq!(message, "expected a string in double quotes");
    assert_eq!(help.as_deref(), Some("write it in double quotes: \"M\""));

    let t = "(attributes: {\n \"nome: (type: String) })\n";
    let (span, message, _) = syntax(t);
    assert_eq!(message, "this string is not closed");
    assert_eq!(slice(t, &span), "\"nome: (type: String) })");

    let t = "/* x (attributes: {})";
    let (_, message, _) = syntax(t);
    assert_eq!(message, "a `/*` comment is not closed");

    assert_eq!(codes(""), ["E0601"]);
}

#[test]
fn duplicate_attribute() {
    let t = with_attrs("        \"nome\": (type: String),\n        \"nome\": (type: Int),");
    let e = errors(&t);
    let [SchemaError::DuplicateAttribute { name, span, first }] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert_eq!(name, "nome");
    assert!(first.start < span.start);
    assert_eq!(slice(&t, span), "\"nome\"");
    assert_eq!(codes(&t), ["E0602"]);
    // In a nested record too.
    let t =
        with_attrs("        \"r\": (type: Record({ \"a\": (type: Int), \"a\": (type: Int) })),");
    assert_eq!(codes(&t), ["E0602"]);
}

#[test]
fn bad_attribute_names() {
    for name in ["data-nascita", "1a", "città", "", "a b"] {
        let t = with_attrs(&format!("        \"{name}\": (type: String),"));
        assert_eq!(codes(&t), ["E0603"], "{name}");
    }
    for name in ["_a", "a1", "A_b"] {
        parse(&with_attrs(&format!("        \"{name}\": (type: String),"))).unwrap();
    }
    let t = with_attrs("        \"r\": (type: List({ \"x-y\": (type: Int) })),");
    let e = errors(&t);
    let [SchemaError::BadAttributeName {
        name,
        written,
        span,
    }] = e.as_slice()
    else {
        panic!("{e:?}")
    };
    assert_eq!((name.as_str(), written.as_str()), ("r.x-y", "x-y"));
    assert_eq!(slice(&t, span), "\"x-y\"");
    assert_eq!(identifier_like("Data-Nascita"), "data_nascita");
    assert_eq!(identifier_like("1a"), "_1a");
}

#[test]
fn enum_errors() {
    assert_eq!(codes(&with_attrs("\"e\": (type: Enum([])),")), ["E0604"]);
    assert_eq!(codes(&with_attrs("\"e\": (type: Set([])),")), ["E0604"]);
    let t = with_attrs("\"e\": (description: \"a\", type: Enum([\"a\", \"b\", \"a\"])),");
    let e = errors(&t);
    let [SchemaError::DuplicateEnumValue { span, first, .. }] = e.as_slice() else {
        panic!("{e:?}")
    };
    assert_eq!(slice(&t, first), "\"a\"");
    assert!(first.start > t.find("Enum").unwrap());
    assert!(span.start > first.start && span.start > t.find("\"b\"").unwrap());
    assert_eq!(codes(&t), ["E0605"]);
    let t =
        with_attrs("\"e\": (type: Set([\"ok\", \"ufficio postale\", \"\", \"però\", \"x-y\"])),");
    let e = errors(&t);
    assert_eq!(e.len(), 3, "{e:?}");
    let SchemaError::BadEnumValue { span, .. } = &e[0] else {
        panic!("{e:?}")
    };
    assert_eq!(slice(&t, span), "\"ufficio postale\"");
    assert_eq!(codes(&t), ["E0606", "E0606", "E0606"]);
    let many: Vec<String> = (0..65).map(|i| format!("\"v{i}\"")).collect();
    let t = with_attrs(&format!("\"e\": (type: Set([{}])),", many.join(", ")));
    assert_eq!(codes(&t), ["E0607"]);
    let t = with_attrs(&format!("\"e\": (type: Set([{}])),", many[..64].join(", ")));
    parse(&t).unwrap();
    let many: Vec<String> = (0..=MAX_ENUM_VALUES).map(|i| format!("\"v{i}\"")).collect();
    let t = with_attrs(&format!("\"e\": (type: Enum([{}])),", many.join(",")));
    assert_eq!(codes(&t), ["E0608"]);
}

#[test]
fn nested_optional_and_empty_records() {
    assert_eq!(
        codes(&with_attrs("\"o\": (type: Optional(Optional(Int))),")),
        ["E0609"]
    );
    assert_eq!(codes(&with_attrs("\"r\": (type: Record({})),")), ["E0610"]);
    assert_eq!(
        codes(&with_attrs("\"l\": (type: Optional(List({}))),")),
        ["E0610"]
    );
}

#[test]
fn key_errors() {
    let t = "(key: \"codice\", attributes: { \"codice_fiscale\": (type: String) })";
    let e = errors(t);
    let [SchemaError::KeyAttributeMissing {
        span, suggestion, ..
    }] = e.as_slice()
    else {
        panic!("{e:?}")
    };
    assert_eq!(slice(t, span), "\"codice\"");
    assert_eq!(suggestion, &None);
    assert_eq!(codes(t), ["E0611"]);
    let t = "(key: \"codice_fiscal\", attributes: { \"codice_fiscale\": (type: String) })";
    assert!(matches!(
        errors(t).as_slice(),
        [SchemaError::KeyAttributeMissing { suggestion: Some(s), .. }] if s == "codice_fiscale"
    ));
    for ty in [
        "Optional(String)",
        "Set([\"a\"])",
        "List({ \"a\": (type: Int) })",
    ] {
        let t = format!("(key: \"k\", attributes: {{ \"k\": (type: {ty}) }})");
        assert_eq!(codes(&t), ["E0612"], "{ty}");
    }
    parse("(key: \"k\", attributes: { \"k\": (type: Int) })").unwrap();
}

#[test]
fn gender_errors() {
    let g = |gender: &str, ty: &str| {
        format!("(\n    gender: {gender},\n    attributes: {{ \"sesso\": (type: {ty}) }},\n)")
    };
    let ok = "(attribute: \"sesso\", masculine: \"M\", feminine: \"F\")";
    parse(&g(ok, "Enum([\"M\", \"F\"])")).unwrap();

    let t = g(
        "(attribute: \"sess\", masculine: \"M\", feminine: \"F\")",
        "Enum([\"M\", \"F\"])",
    );
    let e = errors(&t);
    let [SchemaError::GenderAttributeMissing {
        span, suggestion, ..
    }] = e.as_slice()
    else {
        panic!("{e:?}")
    };
    assert_eq!(slice(&t, span), "\"sess\"");
    assert_eq!(suggestion.as_deref(), Some("sesso"));
    assert_eq!(codes(&t), ["E0613"]);

    assert_eq!(codes(&g(ok, "String")), ["E0614"]);
    assert_eq!(codes(&g(ok, "Optional(Enum([\"M\", \"F\"]))")), ["E0614"]);

    let t = g(
        "(attribute: \"sesso\", masculine: \"m\", feminine: \"X\")",
        "Enum([\"M\", \"F\"])",
    );
    let e = errors(&t);
    assert_eq!(e.len(), 2, "{e:?}");
    let SchemaError::GenderValueNotInEnum {
        role,
        span,
        suggestion,
        ..
    } = &e[0]
    else {
        panic!("{e:?}")
    };
    assert_eq!(*role, "masculine");
    assert_eq!(slice(&t, span), "\"m\"");
    assert_eq!(suggestion.as_deref(), Some("M"));
    let SchemaError::GenderValueNotInEnum { role, span, .. } = &e[1] else {
        panic!("{e:?}")
    };
    assert_eq!(*role, "feminine");
    assert_eq!(slice(&t, span), "\"X\"");
    assert_eq!(codes(&t), ["E0615", "E0615"]);

    let t = g(
        "(attribute: \"sesso\", masculine: \"M\", feminine: \"M\")",
        "Enum([\"M\", \"F\"])",
    );
    assert_eq!(codes(&t), ["E0616"]);
}

#[test]
fn all_semantic_errors_are_reported() {
    let t = "(
        key: \"nope\",
        gender: (attribute: \"missing\", masculine: \"M\", feminine: \"F\"),
        attributes: {
            \"a-b\": (type: Enum([])),
            \"c\": (type: Optional(Optional(Set([\"x y\"])))),
            \"c\": (type: Record({})),
        },
    )";
    let mut c = codes(t);
    c.sort_unstable();
    assert_eq!(
        c,
        ["E0602", "E0603", "E0604", "E0606", "E0609", "E0610", "E0611", "E0613"]
    );
}

#[test]
fn diagnostics_render() {
    let t = with_attrs("        \"nome\": (type: Strng),");
    let file = SourceFile::new("schema.ron", t);
    let d = load(&file).unwrap_err();
    let text = d[0].render(false);
    assert!(text.contains("E0601"), "{text}");
    assert!(text.contains("unknown type `Strng`"), "{text}");
    let (line, col) = file.line_col(d[0].span.start);
    assert_eq!((line, col), (3, 24));
}

#[test]
fn spans_of_values_wrapped_in_some() {
    // The old scan looked for a string right after `key:` and pointed at the start of the file.
    let t = "(key: Some(\"codice\"), gender: Some((attribute: \"genere\", masculine: \"M\", feminine: \"F\")), attributes: { \"nome\": (type: String) })";
    let e = errors(t);
    let spans: Vec<String> = e.iter().map(|e| slice(t, e.span())).collect();
    assert_eq!(spans, ["\"codice\"", "\"genere\""], "{e:?}");
}

#[test]
fn enum_values_are_found_by_position_not_by_text() {
    // Escapes, and the same text in a description or a nested record before the enum.
    let t = "(attributes: {
        \"r\": (type: Record({ \"e\": (description: \"a\", type: Enum([\"b\", \"\\x61\", \"a\"])) })),
    })";
    let e = errors(t);
    let [SchemaError::DuplicateEnumValue {
        attribute,
        span,
        first,
        ..
    }] = e.as_slice()
    else {
        panic!("{e:?}")
    };
    assert_eq!(attribute, "r.e");
    assert_eq!(
        (slice(t, first), slice(t, span)),
        ("\"\\x61\"".into(), "\"a\"".into())
    );
    assert!(span.start > t.find("Enum").unwrap());
}

#[test]
fn errors_come_in_text_order() {
    // An unknown field before a missing comma: the unknown field.
    let t = with_attrs("        \"nome\": (tipe: String)\n        \"eta\": (type: Int),");
    let (span, message, help) = syntax(&t);
    assert_eq!(slice(&t, &span), "tipe");
    assert!(message.starts_with("unknown field `tipe`"), "{message}");
    assert_eq!(help.as_deref(), Some("did you mean `type`?"));
    // An unknown type before an unknown field of the same attribute.
    let t = with_attrs("        \"nome\": (type: Strng, descripton: \"x\"),");
    assert_eq!(slice(&t, &syntax(&t).0), "Strng");
    // A wrong value before the end of the file.
    let t = "(attributes: { \"nome\": (type: String, personal: si";
    let (span, message, _) = syntax(t);
    assert_eq!(
        (slice(t, &span).as_str(), message.as_str()),
        ("si", "expected `true` or `false`")
    );
    // An unknown field rather than the missing field it misspells.
    let t = with_attrs("        \"nome\": (typ: String),");
    assert_eq!(slice(&t, &syntax(&t).0), "typ");
    // A missing colon after a field that exists.
    let t = with_attrs("        \"nome\": (type String),");
    let (span, message, _) = syntax(&t);
    assert_eq!(
        (slice(&t, &span).as_str(), message.as_str()),
        ("String", "expected `:` after the field name `type`")
    );
    // The top level without its parentheses.
    let t = "attributes: { \"nome\": (type: String) }";
    let (span, message, _) = syntax(t);
    assert_eq!(
        (slice(t, &span).as_str(), message.as_str()),
        ("attributes", "expected `(`, found `attributes`")
    );
}

#[test]
fn shapes() {
    let cases = [
        (
            "(attributes: { \"a\": (type: \"String\") })",
            "\"String\"",
            "expected a type, found a string",
        ),
        (
            "(attributes: { \"a\": (type: String(1)) })",
            "String",
            "`String` is written alone, without `(...)`",
        ),
        (
            "(attributes: { \"a\": (type: Enum([\"x\"], [\"y\"])) })",
            "[",
            "`Enum(...)` holds one value: expected `)`",
        ),
        (
            "(attributes: { \"a\": (type: Enum()) })",
            "Enum()",
            "`Enum()` is empty",
        ),
        (
            "(attributes: { \"a\": (type: Record([])) })",
            "[",
            "expected `{` opening a map of attributes, found a list `[...]`",
        ),
        (
            "(attributes: { \"a\": (type: List(x: 1)) })",
            "x",
            "expected `{` opening a map of attributes",
        ),
        (
            "(attributes: { \"a\": (type: Optional) })",
            "Optional",
            "expected `(` after `Optional`",
        ),
        (
            "(attributes: { \"a\": (type: Int, description: Some(\"x\", \"y\")) })",
            "Some(\"x\", \"y\")",
            "`Some(...)` holds one value",
        ),
        (
            "(attributes: { \"a\": (type: Int, description: 3) })",
            "3",
            "expected a string in double quotes, found a number",
        ),
        (
            "(attributes: { a: (type: Int) })",
            "a",
            "expected a string in double quotes",
        ),
        (
            "(attributes: [])",
            "[",
            "expected `{` opening a map of attributes, found a list `[...]`",
        ),
        (
            "Gender(attributes: {})",
            "Gender",
            "expected `(`, found `Gender`",
        ),
        (
            "(attributes: {}, colore: 1)",
            "colore",
            "unknown field `colore`: the fields here are `key`, `gender`, `attributes`",
        ),
        ("(\"x\")", "\"x\"", "expected a field name, found a string"),
        (
            "(attributes: { \"a\": (type: Int, type: Int) })",
            "type",
            "`type` is given twice",
        ),
        (
            "(attributes: { \"a\": (type) })",
            "type",
            "expected `:` after the field name `type`",
        ),
    ];
    for (t, at, message) in cases {
        let (span, m, _) = syntax(t);
        assert_eq!((slice(t, &span).as_str(), m.as_str()), (at, message), "{t}");
    }
    // A missing field: the whole struct on one line, its `)` over several.
    let t = "(attributes: { \"a\": (personal: true) })";
    assert_eq!(slice(t, &syntax(t).0), "(personal: true)");
    let t = "(\n    key: \"a\",\n)";
    assert_eq!(syntax(t).0, t.len() - 1..t.len());
}

#[test]
fn strings_end_on_their_line() {
    // A forgotten quote is reported where it is, not where the next quote closes the string.
    let t = with_attrs("        \"nome: (type: String),\n        \"eta\": (type: Int),");
    let (span, message, _) = syntax(&t);
    assert_eq!(message, "this string is not closed");
    assert_eq!(slice(&t, &span), "\"nome: (type: String),");
    // A newline is written `\n`; a raw string may span lines.
    let s = parse("(attributes: { \"a\": (type: Int, description: \"x\\ny\"), \"b\": (type: Int, description: r\"x\ny\") })").unwrap();
    let descriptions: Vec<_> = s
        .attributes
        .iter()
        .map(|(_, a)| a.description.clone())
        .collect();
    assert_eq!(
        descriptions,
        [Some("x\ny".to_owned()), Some("x\ny".to_owned())]
    );
}

/// Every error of `text` has a span inside it, on character boundaries, and renders.
fn spans_are_sound(text: &str) {
    let Err(errors) = parse(text) else { return };
    let file = SourceFile::new("schema.ron", text);
    for e in errors {
        let span = e.span().clone();
        assert!(
            span.start <= span.end && text.get(span.clone()).is_some(),
            "{span:?} in {text:?}: {e:?}"
        );
        let rendered = e.into_diagnostic(&file).render(false);
        assert!(rendered.contains("E06"), "{rendered}");
    }
}

#[test]
fn every_cut_and_deletion_of_the_spec_schema_gives_sound_spans() {
    let text = format!("// é\n{SPEC}");
    for (i, c) in text.char_indices() {
        spans_are_sound(&text[..i]);
        spans_are_sound(&format!("{}{}", &text[..i], &text[i + c.len_utf8()..]));
    }
}

#[test]
fn ranges_are_read_in_the_attribute_s_unit() {
    use guide_runtime::schema::{Bound, Range};
    let text = with_attrs(
        r#"        "eta": (type: Int, min: 18, max: 120),
        "importo": (type: Money, min: 0, max: 1500.5),
        "saldo": (type: Money, min: -10.25),
        "quota": (type: Optional(Decimal), min: 0.5, max: 1e2),
        "nome": (type: String, personal: true, max_length: 40),
        "note": (type: Optional(String), max_length: None),
        "figli": (type: List({ "nome": (type: String, max_length: 20) })),"#,
    );
    let schema = parse(&text).unwrap();
    let range = |name: &str| schema.attributes.get(name).unwrap().1.range;
    assert_eq!(
        range("eta"),
        Range {
            min: Some(Bound::Int(18)),
            max: Some(Bound::Int(120)),
            max_length: None
        }
    );
    assert_eq!(range("importo").min, Some(Bound::Cents(0)));
    assert_eq!(range("importo").max, Some(Bound::Cents(150_050)));
    assert_eq!(range("saldo").min, Some(Bound::Cents(-1025)));
    assert_eq!(range("quota").min, Some(Bound::Decimal(0.5)));
    assert_eq!(range("quota").max, Some(Bound::Decimal(100.0)));
    assert_eq!(
        schema.attributes.get("nome").unwrap().1.max_length(),
        Some(40)
    );
    assert!(range("note").is_unbounded());
    let Type::List(fields) = &schema.attributes.get("figli").unwrap().1.ty else {
        panic!()
    };
    assert_eq!(fields.get("nome").unwrap().1.max_length(), Some(20));
    for (_, a) in schema.attributes.iter() {
        assert!(a.range.fits(&a.ty));
    }
}

#[test]
fn ranges_that_do_not_fit_are_refused() {
    let attrs = |a: &str| codes(&with_attrs(a));
    assert_eq!(attrs(r#""a": (type: Date, min: 1),"#), ["E0618"]);
    assert_eq!(attrs(r#""a": (type: Bool, max: 1),"#), ["E0618"]);
    assert_eq!(attrs(r#""a": (type: Int, max_length: 1),"#), ["E0618"]);
    assert_eq!(attrs(r#""a": (type: Int, min: 1.5),"#), ["E0619"]);
    assert_eq!(attrs(r#""a": (type: Int, min: 1e3),"#), ["E0619"]);
    assert_eq!(
        attrs(r#""a": (type: Int, max: 9223372036854775808),"#),
        ["E0619"]
    );
    assert_eq!(attrs(r#""a": (type: Money, min: 0.001),"#), ["E0619"]);
    assert_eq!(
        attrs(r#""a": (type: Money, max: 92233720368547758.08),"#),
        ["E0619"]
    );
    assert_eq!(attrs(r#""a": (type: String, max_length: 0),"#), ["E0619"]);
    assert_eq!(attrs(r#""a": (type: String, max_length: -1),"#), ["E0619"]);
    assert_eq!(attrs(r#""a": (type: Int, min: 2, max: 1),"#), ["E0620"]);
    assert_eq!(attrs(r#""a": (type: Money, min: "0"),"#), ["E0601"]);
    assert_eq!(attrs(r#""a": (type: Int, mn: 0),"#), ["E0601"]);
    // Equal bounds: one value allowed.
    assert!(parse(&with_attrs(r#""a": (type: Int, min: 1, max: 1),"#)).is_ok());
}

#[test]
fn attribute_spans_name_every_attribute_and_nested_field() {
    let text = "(attributes: {\n  \"nome\": (type: String),\n  \"figli\": (type: Optional(List({ \"eta\": (type: Int) }))),\n})";
    let found: Vec<(String, &str)> = super::attribute_spans(text)
        .into_iter()
        .map(|(path, span)| (path.join("."), &text[span]))
        .collect();
    assert_eq!(
        found,
        vec![
            ("nome".to_string(), "\"nome\""),
            ("figli".to_string(), "\"figli\""),
            ("figli.eta".to_string(), "\"eta\""),
        ]
    );
}
