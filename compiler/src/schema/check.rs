//! The schema as written, checked as a whole and turned into the runtime's [`Schema`]: names
//! that are not identifiers, duplicates, empty or oversized enums and sets,
//! `Optional(Optional(..))`, nesting too deep, and `key` / `gender` declarations that do not fit
//! the attributes. Every problem is reported, each at the name or value it is about.

use super::error::valid_value_char;
use super::read::{RawAttribute, RawSchema, RawType, Text};
use super::{SchemaError, MAX_ENUM_VALUES, MAX_SET_VALUES, MAX_TYPE_DEPTH};
use crate::diagnostic::{did_you_mean, Span};
use guide_runtime::schema::{Attribute, Bound, Fields, Gender, Range, Schema, Type};
use std::collections::HashMap;

/// Checks `raw`; the schema, or every problem found.
pub(super) fn schema(raw: RawSchema) -> Result<Schema, Vec<SchemaError>> {
    let mut errors = Vec::new();
    let attributes = fields(&raw.attributes, "", 0, &mut errors);
    let schema = Schema {
        key: raw.key.as_ref().map(|k| k.value.clone()),
        gender: raw.gender.as_ref().map(|g| Gender {
            attribute: g.attribute.value.clone(),
            masculine: g.masculine.value.clone(),
            feminine: g.feminine.value.clone(),
        }),
        attributes,
    };
    if let Some(key) = &raw.key {
        check_key(key, &schema.attributes, &mut errors);
    }
    if let Some(g) = &raw.gender {
        check_gender(g, &schema.attributes, &mut errors);
    }
    if errors.is_empty() {
        Ok(schema)
    } else {
        Err(errors)
    }
}

/// Converts and checks one level of fields; `prefix` is the enclosing path (`indirizzo.`).
/// `depth` is the nesting depth of this level (0 at the top), as in [`MAX_TYPE_DEPTH`].
fn fields(
    raw: &[RawAttribute],
    prefix: &str,
    depth: usize,
    errors: &mut Vec<SchemaError>,
) -> Fields {
    let mut out: Vec<(String, Attribute)> = Vec::with_capacity(raw.len());
    let mut seen: HashMap<&str, &Span> = HashMap::with_capacity(raw.len());
    for attr in raw {
        let (name, span) = (&attr.name.value, &attr.name.span);
        let path = format!("{prefix}{name}");
        if !is_identifier(name) {
            errors.push(SchemaError::BadAttributeName {
                name: path.clone(),
                written: name.clone(),
                span: span.clone(),
            });
        }
        if let Some(first) = seen.get(name.as_str()) {
            errors.push(SchemaError::DuplicateAttribute {
                name: path.clone(),
                span: span.clone(),
                first: (*first).clone(),
            });
        }
        let ty = ty(&attr.ty, &path, span, depth + 1, errors);
        let range = range(attr, &path, errors);
        out.push((
            name.clone(),
            Attribute {
                ty,
                description: attr.description.clone(),
                personal: attr.personal,
                range,
            },
        ));
        seen.entry(name).or_insert(span);
    }
    Fields(out)
}

/// Converts and checks a type; `span` is its attribute's name.
fn ty(raw: &RawType, path: &str, span: &Span, depth: usize, errors: &mut Vec<SchemaError>) -> Type {
    let nested = matches!(raw, RawType::Record(_) | RawType::List(_));
    if depth > MAX_TYPE_DEPTH || (nested && depth + 1 > MAX_TYPE_DEPTH) {
        errors.push(SchemaError::TooDeep {
            attribute: path.to_owned(),
            span: span.clone(),
        });
        // The schema is refused: what is inside does not matter.
        return Type::Int;
    }
    match raw {
        RawType::String => Type::String,
        RawType::Bool => Type::Bool,
        RawType::Int => Type::Int,
        RawType::Decimal => Type::Decimal,
        RawType::Money => Type::Money,
        RawType::Date => Type::Date,
        RawType::Enum(values) => Type::Enum(check_values(values, false, path, span, errors)),
        RawType::Set(values) => Type::Set(check_values(values, true, path, span, errors)),
        RawType::Optional(inner) => {
            if matches!(**inner, RawType::Optional(_)) {
                errors.push(SchemaError::NestedOptional {
                    attribute: path.to_owned(),
                    span: span.clone(),
                });
            }
            Type::Optional(Box::new(ty(inner, path, span, depth + 1, errors)))
        }
        RawType::Record(raw_fields) | RawType::List(raw_fields) => {
            let list = matches!(raw, RawType::List(_));
            if raw_fields.is_empty() {
                errors.push(SchemaError::EmptyRecord {
                    attribute: path.to_owned(),
                    list,
                    span: span.clone(),
                });
            }
            let fields = fields(raw_fields, &format!("{path}."), depth + 1, errors);
            if list {
                Type::List(fields)
            } else {
                Type::Record(fields)
            }
        }
    }
}

/// Converts and checks an attribute's `min`, `max` and `max_length` against its type: numeric
/// bounds for `Int` (whole numbers), `Money` (at most two decimals) and `Decimal`, a length of at
/// least 1 for `String`; `min` not above `max`.
fn range(attr: &RawAttribute, path: &str, errors: &mut Vec<SchemaError>) -> Range {
    let mut base = &attr.ty;
    while let RawType::Optional(inner) = base {
        base = inner;
    }
    let mut out = Range::default();
    for (field, written) in [("min", &attr.min), ("max", &attr.max)] {
        let Some(t) = written else { continue };
        let bound = match base {
            RawType::Int => t
                .value
                .parse::<i64>()
                .map(Bound::Int)
                .map_err(|_| "a whole number that fits an Int (e.g. 0 or 120)"),
            RawType::Money => cents(&t.value)
                .map(Bound::Cents)
                .ok_or("an amount of euros with at most two decimals (e.g. 0 or 1500.50)"),
            RawType::Decimal => t
                .value
                .parse::<f64>()
                .ok()
                .filter(|d| d.is_finite())
                .map(Bound::Decimal)
                .ok_or("a finite number (e.g. 0.5)"),
            other => {
                errors.push(SchemaError::RangeNotAllowed {
                    attribute: path.to_owned(),
                    field,
                    ty: raw_name(other),
                    span: t.span.clone(),
                });
                continue;
            }
        };
        match bound {
            Ok(b) if field == "min" => out.min = Some(b),
            Ok(b) => out.max = Some(b),
            Err(expected) => errors.push(SchemaError::BadBound {
                attribute: path.to_owned(),
                field,
                written: t.value.clone(),
                expected,
                span: t.span.clone(),
            }),
        }
    }
    if let Some(t) = &attr.max_length {
        if matches!(base, RawType::String) {
            match t.value.parse::<u32>() {
                Ok(n) if n >= 1 => out.max_length = Some(n),
                _ => errors.push(SchemaError::BadBound {
                    attribute: path.to_owned(),
                    field: "max_length",
                    written: t.value.clone(),
                    expected: "a whole number of characters, at least 1 (e.g. 40)",
                    span: t.span.clone(),
                }),
            }
        } else {
            errors.push(SchemaError::RangeNotAllowed {
                attribute: path.to_owned(),
                field: "max_length",
                ty: raw_name(base),
                span: t.span.clone(),
            });
        }
    }
    let reversed = match (out.min, out.max) {
        (Some(Bound::Int(a)), Some(Bound::Int(b)))
        | (Some(Bound::Cents(a)), Some(Bound::Cents(b))) => a > b,
        (Some(Bound::Decimal(a)), Some(Bound::Decimal(b))) => a > b,
        _ => false,
    };
    if let (true, Some(min), Some(max)) = (reversed, &attr.min, &attr.max) {
        errors.push(SchemaError::EmptyRange {
            attribute: path.to_owned(),
            min: min.value.clone(),
            max: max.value.clone(),
            span: max.span.clone(),
            min_span: min.span.clone(),
        });
        out.min = None;
        out.max = None;
    }
    out
}

/// An amount of euros written as a number with at most two decimals, in cents; `None` if it
/// has more decimals, an exponent, or does not fit.
fn cents(written: &str) -> Option<i64> {
    let (negative, t) = match written.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, written.strip_prefix('+').unwrap_or(written)),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    let frac = format!("{frac:0<2}");
    let c = format!("{whole}{frac}").parse::<i64>().ok()?;
    Some(if negative { -c } else { c })
}

/// A type's name as written, for messages.
fn raw_name(ty: &RawType) -> &'static str {
    match ty {
        RawType::String => "String",
        RawType::Bool => "Bool",
        RawType::Int => "Int",
        RawType::Decimal => "Decimal",
        RawType::Money => "Money",
        RawType::Date => "Date",
        RawType::Enum(_) => "Enum",
        RawType::Set(_) => "Set",
        RawType::Optional(_) => "Optional",
        RawType::Record(_) => "Record",
        RawType::List(_) => "List",
    }
}

/// Checks the values of an enum or set; returns them.
fn check_values(
    values: &[Text],
    set: bool,
    path: &str,
    span: &Span,
    errors: &mut Vec<SchemaError>,
) -> Vec<String> {
    if values.is_empty() {
        errors.push(SchemaError::EmptyEnum {
            attribute: path.to_owned(),
            set,
            span: span.clone(),
        });
    }
    if set && values.len() > MAX_SET_VALUES {
        errors.push(SchemaError::SetTooLarge {
            attribute: path.to_owned(),
            count: values.len(),
            span: span.clone(),
        });
    }
    if !set && values.len() > MAX_ENUM_VALUES {
        errors.push(SchemaError::EnumTooLarge {
            attribute: path.to_owned(),
            count: values.len(),
            span: span.clone(),
        });
    }
    let mut seen: HashMap<&str, &Span> = HashMap::with_capacity(values.len());
    for Text { value, span } in values {
        if value.is_empty() || !value.chars().all(valid_value_char) {
            errors.push(SchemaError::BadEnumValue {
                attribute: path.to_owned(),
                value: value.clone(),
                span: span.clone(),
            });
        }
        match seen.get(value.as_str()) {
            Some(first) => errors.push(SchemaError::DuplicateEnumValue {
                attribute: path.to_owned(),
                value: value.clone(),
                span: span.clone(),
                first: (*first).clone(),
            }),
            None => {
                seen.insert(value, span);
            }
        }
    }
    values.iter().map(|t| t.value.clone()).collect()
}

/// Checks `key`.
fn check_key(key: &Text, attributes: &Fields, errors: &mut Vec<SchemaError>) {
    let name = &key.value;
    match attributes.get(name) {
        None => errors.push(SchemaError::KeyAttributeMissing {
            name: name.clone(),
            span: key.span.clone(),
            suggestion: suggestion(name, attributes),
        }),
        Some((_, attr)) => {
            if !matches!(
                attr.ty,
                Type::String
                    | Type::Int
                    | Type::Date
                    | Type::Enum(_)
                    | Type::Bool
                    | Type::Decimal
                    | Type::Money
            ) {
                errors.push(SchemaError::KeyNotScalar {
                    name: name.clone(),
                    ty: a_type(&attr.ty),
                    span: key.span.clone(),
                });
            }
        }
    }
}

/// Checks `gender`.
fn check_gender(
    gender: &super::read::RawGender,
    attributes: &Fields,
    errors: &mut Vec<SchemaError>,
) {
    let attribute = &gender.attribute;
    let values = match attributes.get(&attribute.value) {
        None => {
            errors.push(SchemaError::GenderAttributeMissing {
                name: attribute.value.clone(),
                span: attribute.span.clone(),
                suggestion: suggestion(&attribute.value, attributes),
            });
            return;
        }
        Some((
            _,
            Attribute {
                ty: Type::Enum(values),
                ..
            },
        )) => values,
        Some((_, attr)) => {
            errors.push(SchemaError::GenderNotEnum {
                name: attribute.value.clone(),
                ty: a_type(&attr.ty),
                span: attribute.span.clone(),
            });
            return;
        }
    };
    for (role, given) in [
        ("masculine", &gender.masculine),
        ("feminine", &gender.feminine),
    ] {
        if !values.contains(&given.value) {
            errors.push(SchemaError::GenderValueNotInEnum {
                role,
                value: given.value.clone(),
                allowed: values.clone(),
                span: given.span.clone(),
                suggestion: did_you_mean(&given.value, values.iter().map(String::as_str))
                    .map(str::to_owned),
            });
        }
    }
    if gender.masculine.value == gender.feminine.value && values.contains(&gender.feminine.value) {
        errors.push(SchemaError::GenderValuesSame {
            value: gender.feminine.value.clone(),
            span: gender.feminine.span.clone(),
        });
    }
}

/// Whether `name` is an identifier of the `.guide` language.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A close attribute name, for did-you-mean.
fn suggestion(name: &str, fields: &Fields) -> Option<String> {
    did_you_mean(name, fields.iter().map(|(n, _)| n)).map(str::to_owned)
}

/// A type with its article, for messages: `an optional date`, `a set of (a, b)`.
fn a_type(ty: &Type) -> String {
    let d = ty.describe();
    if d.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {d}")
    } else {
        format!("a {d}")
    }
}
