//! Loading a campaign's data schema (a RON file, see "Schemas" in language-spec/language.md)
//! into [`guide_runtime::schema::Schema`], with diagnostics for people.
//!
//! Loading has two steps. RON is first read into mirror types that refuse unknown fields (so
//! `descripton:` is an error, not silently ignored); a RON error is rephrased and pointed at the
//! offending token. The schema is then checked as a whole and every problem is reported: names
//! that are not identifiers, duplicates, empty or oversized enums and sets, `Optional(Optional(..))`,
//! and `key` / `gender` declarations that do not fit the attributes.
//!
//! Semantic errors point at the attribute's quoted name (or at the value in question); the
//! spans come from a light scan of the text, in the order the parser read it.

use crate::diagnostic::{did_you_mean, Diagnostic, IntoDiagnostic, SourceFile, Span};
use guide_runtime::schema::{Attribute, Fields, Gender, Schema, Type};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::HashMap;
use std::fmt;

/// The type names a schema can use, for messages.
const TYPE_NAMES: [&str; 11] = [
    "String", "Bool", "Int", "Decimal", "Money", "Date", "Enum", "Set", "Optional", "Record",
    "List",
];

/// How the types are written, for messages.
const TYPE_FORMS: &str = "String, Bool, Int, Decimal, Money, Date, Enum([...]), Set([...]), \
                          Optional(T), Record({...}), List({...})";

/// The most values a `Set` may have (the runtime holds a set in 64 bits).
pub const MAX_SET_VALUES: usize = 64;

/// The most values an `Enum` may have (the runtime holds an enum value in 16 bits, and keeps
/// `u16::MAX` for "no enum").
pub const MAX_ENUM_VALUES: usize = u16::MAX as usize - 1;

/// How deeply types may nest, counted as the runtime's loader counts them
/// ([`guide_runtime::bytecode::format::limits::MAX_TYPE_DEPTH`]): each Record or List level
/// counts two, each Optional one; so at most 15 levels of Record or List.
pub const MAX_TYPE_DEPTH: usize = guide_runtime::bytecode::format::limits::MAX_TYPE_DEPTH;

/// Reads and checks the schema in `file`; every problem found becomes a diagnostic.
pub fn load(file: &SourceFile) -> Result<Schema, Vec<Diagnostic>> {
    parse(&file.text).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| e.into_diagnostic(file))
            .collect()
    })
}

/// Reads and checks a schema's text, returning all errors found (a syntax error stops the
/// reading, so it comes alone).
pub fn parse(text: &str) -> Result<Schema, Vec<SchemaError>> {
    let options =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let raw: RawSchema = options
        .from_str(text)
        .map_err(|e| vec![syntax_error(text, &e)])?;
    let tokens = tokenize(text);
    let mut checker = Checker {
        text,
        keys: tokens
            .iter()
            .enumerate()
            .filter(|(i, t)| {
                matches!(t.kind, Tok::Str(_))
                    && matches!(tokens.get(i + 1).map(|t| &t.kind), Some(Tok::Punct(':')))
            })
            .map(|(_, t)| t.span.clone())
            .collect(),
        next_key: 0,
        tokens: &tokens,
        errors: Vec::new(),
    };
    let attributes = checker.fields(&raw.attributes, "", 0);
    let schema = Schema {
        key: raw.key,
        gender: raw.gender.map(|g| Gender {
            attribute: g.attribute,
            masculine: g.masculine,
            feminine: g.feminine,
        }),
        attributes,
    };
    checker.key(&schema);
    checker.gender(&schema);
    if checker.errors.is_empty() {
        Ok(schema)
    } else {
        Err(checker.errors)
    }
}

/// A problem with a schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaError {
    /// The file is not a schema as RON reads it.
    Syntax {
        /// The offending token.
        span: Span,
        /// What is wrong, for people.
        message: String,
        /// What to write instead, when known.
        help: Option<String>,
    },
    /// Two attributes (or two fields of one record) with the same name.
    DuplicateAttribute {
        /// The name, with its record: `indirizzo.cap`.
        name: String,
        /// The second one.
        span: Span,
        /// The first one.
        first: Span,
    },
    /// A name that cannot be written in a `.guide` expression.
    BadAttributeName {
        /// The name, with its record.
        name: String,
        /// The name.
        span: Span,
    },
    /// An `Enum([])` or `Set([])`.
    EmptyEnum {
        /// The attribute.
        attribute: String,
        /// Whether it is a `Set`.
        set: bool,
        /// The attribute's name.
        span: Span,
    },
    /// The same value twice in one enum or set.
    DuplicateEnumValue {
        /// The attribute.
        attribute: String,
        /// The value.
        value: String,
        /// The second one.
        span: Span,
        /// The first one.
        first: Span,
    },
    /// An enum or set value with characters other than letters, digits and `_`.
    BadEnumValue {
        /// The attribute.
        attribute: String,
        /// The value.
        value: String,
        /// The value.
        span: Span,
    },
    /// A `Set` with more than [`MAX_SET_VALUES`] values.
    SetTooLarge {
        /// The attribute.
        attribute: String,
        /// How many values it has.
        count: usize,
        /// The attribute's name.
        span: Span,
    },
    /// An `Enum` with more than [`MAX_ENUM_VALUES`] values.
    EnumTooLarge {
        /// The attribute.
        attribute: String,
        /// How many values it has.
        count: usize,
        /// The attribute's name.
        span: Span,
    },
    /// `Optional(Optional(T))`.
    NestedOptional {
        /// The attribute.
        attribute: String,
        /// The attribute's name.
        span: Span,
    },
    /// A `Record({})` or `List({})` without fields.
    EmptyRecord {
        /// The attribute.
        attribute: String,
        /// Whether it is a `List`.
        list: bool,
        /// The attribute's name.
        span: Span,
    },
    /// Records, lists and optionals nested deeper than [`MAX_TYPE_DEPTH`] allows.
    TooDeep {
        /// The attribute where the limit is reached.
        attribute: String,
        /// The attribute's name.
        span: Span,
    },
    /// `key` names no attribute.
    KeyAttributeMissing {
        /// The name given.
        name: String,
        /// The name given.
        span: Span,
        /// A close attribute name.
        suggestion: Option<String>,
    },
    /// `key` names an attribute that cannot name a record (optional, a set, a record, a list).
    KeyNotScalar {
        /// The attribute.
        name: String,
        /// Its type, described.
        ty: String,
        /// The name given.
        span: Span,
    },
    /// `gender.attribute` names no attribute.
    GenderAttributeMissing {
        /// The name given.
        name: String,
        /// The name given.
        span: Span,
        /// A close attribute name.
        suggestion: Option<String>,
    },
    /// `gender.attribute` names an attribute that is not a required `Enum`.
    GenderNotEnum {
        /// The attribute.
        name: String,
        /// Its type, described.
        ty: String,
        /// The name given.
        span: Span,
    },
    /// `gender.masculine` or `gender.feminine` is not one of the enum's values.
    GenderValueNotInEnum {
        /// `masculine` or `feminine`.
        role: &'static str,
        /// The value given.
        value: String,
        /// The enum's values.
        allowed: Vec<String>,
        /// The value given.
        span: Span,
        /// A close value.
        suggestion: Option<String>,
    },
    /// `gender.masculine` and `gender.feminine` are the same value.
    GenderValuesSame {
        /// The value.
        value: String,
        /// The feminine value.
        span: Span,
    },
}

impl IntoDiagnostic for SchemaError {
    fn into_diagnostic(self, file: &SourceFile) -> Diagnostic {
        use SchemaError::*;
        match self {
            Syntax {
                span,
                message,
                help,
            } => {
                let d = Diagnostic::error(
                    "E0601",
                    "the schema cannot be read",
                    file,
                    span,
                    message,
                );
                match help {
                    Some(h) => d.with_help(h),
                    None => d,
                }
            }
            DuplicateAttribute { name, span, first } => Diagnostic::error(
                "E0602",
                format!("attribute `{name}` is declared twice"),
                file,
                span,
                format!("`{name}` is declared again here"),
            )
            .with_note(first, "first declared here")
            .with_help("remove one of the two, or rename it"),
            BadAttributeName { name, span } => Diagnostic::error(
                "E0603",
                format!("`{name}` cannot be an attribute name"),
                file,
                span,
                "attribute names are written in .guide expressions, so they must be identifiers",
            )
            .with_help(format!(
                "use an ASCII letter or `_`, then ASCII letters, digits or `_`, e.g. `{}`",
                identifier_like(&name)
            )),
            EmptyEnum {
                attribute,
                set,
                span,
            } => {
                let what = if set { "Set" } else { "Enum" };
                Diagnostic::error(
                    "E0604",
                    format!("`{attribute}` is an {what} without values"),
                    file,
                    span,
                    format!("this {what} lists no values"),
                )
                .with_help(format!("list its values: {what}([\"a\", \"b\"])"))
            }
            DuplicateEnumValue {
                attribute,
                value,
                span,
                first,
            } => Diagnostic::error(
                "E0605",
                format!("value \"{value}\" is listed twice in `{attribute}`"),
                file,
                span,
                "listed again here",
            )
            .with_note(first, "first listed here")
            .with_help("remove the repetition"),
            BadEnumValue {
                attribute,
                value,
                span,
            } => Diagnostic::error(
                "E0606",
                format!("\"{value}\" cannot be a value of `{attribute}`"),
                file,
                span,
                if value.is_empty() {
                    "a value cannot be empty".to_owned()
                } else {
                    "values may contain only letters (accented ones too), digits and `_`".to_owned()
                },
            )
            .with_help(format!(
                "write it with letters, digits and `_`, e.g. \"{}\"",
                value_like(&value)
            )),
            SetTooLarge {
                attribute,
                count,
                span,
            } => Diagnostic::error(
                "E0607",
                format!("`{attribute}` is a Set of {count} values"),
                file,
                span,
                format!("a Set may have at most {MAX_SET_VALUES} values"),
            )
            .with_help("split it into several sets, or use a List of records"),
            EnumTooLarge {
                attribute,
                count,
                span,
            } => Diagnostic::error(
                "E0608",
                format!("`{attribute}` is an Enum of {count} values"),
                file,
                span,
                format!("an Enum may have at most {MAX_ENUM_VALUES} values"),
            )
            .with_help("use a String instead"),
            NestedOptional { attribute, span } => Diagnostic::error(
                "E0609",
                format!("`{attribute}` is Optional twice"),
                file,
                span,
                "Optional(Optional(...)) means nothing more than Optional(...)",
            )
            .with_help("write Optional only once"),
            EmptyRecord {
                attribute,
                list,
                span,
            } => {
                let what = if list { "List" } else { "Record" };
                Diagnostic::error(
                    "E0610",
                    format!("`{attribute}` is a {what} without fields"),
                    file,
                    span,
                    format!("this {what} declares no fields"),
                )
                .with_help(format!(
                    "declare its fields: {what}({{ \"name\": (type: String) }})"
                ))
            }
            TooDeep { attribute, span } => Diagnostic::error(
                "E0617",
                format!("`{attribute}` is nested too deeply"),
                file,
                span,
                "records and lists may nest at most 15 levels deep",
            )
            .with_help("flatten the record: move the inner fields up a level"),
            KeyAttributeMissing {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    "E0611",
                    format!("the key `{name}` is not an attribute"),
                    file,
                    span,
                    format!("no attribute is called `{name}`"),
                );
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
                    None => d.with_help("name one of the attributes declared below"),
                }
            }
            KeyNotScalar { name, ty, span } => Diagnostic::error(
                "E0612",
                format!("`{name}` cannot be the key"),
                file,
                span,
                format!("the key names every record, so it must be a single required value; `{name}` is {ty}"),
            )
            .with_help("use a required String, Int, Date, Enum, Bool, Decimal or Money attribute, such as the fiscal code"),
            GenderAttributeMissing {
                name,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    "E0613",
                    format!("the gender attribute `{name}` is not an attribute"),
                    file,
                    span,
                    format!("no attribute is called `{name}`"),
                );
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
                    None => d.with_help(
                        "declare an Enum attribute for the gender, e.g. \"sesso\": (type: Enum([\"M\", \"F\"]))",
                    ),
                }
            }
            GenderNotEnum { name, ty, span } => Diagnostic::error(
                "E0614",
                format!("the gender attribute `{name}` is not an Enum"),
                file,
                span,
                format!("gender agreement needs a required Enum; `{name}` is {ty}"),
            )
            .with_help(format!(
                "declare it as \"{name}\": (type: Enum([\"M\", \"F\"]))"
            )),
            GenderValueNotInEnum {
                role,
                value,
                allowed,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error(
                    "E0615",
                    format!("the {role} value \"{value}\" is not a value of the gender attribute"),
                    file,
                    span,
                    format!("the gender attribute's values are {}", allowed.join(", ")),
                );
                match suggestion {
                    Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
                    None => d.with_help("use one of the values listed in the gender attribute's Enum"),
                }
            }
            GenderValuesSame { value, span } => Diagnostic::error(
                "E0616",
                "masculine and feminine are the same value",
                file,
                span,
                format!("both are \"{value}\""),
            )
            .with_help("give the feminine form its own value of the Enum"),
        }
    }
}

/// `name` turned into an identifier, for suggestions: `data-nascita` -> `data_nascita`.
fn identifier_like(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// `value` with disallowed characters turned into `_`, for suggestions.
fn value_like(value: &str) -> String {
    let out: String = value
        .trim()
        .chars()
        .map(|c| if valid_value_char(c) { c } else { '_' })
        .collect();
    if out.is_empty() {
        "valore".to_owned()
    } else {
        out
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

/// Whether `c` may appear in an enum or set value.
fn valid_value_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The semantic checks, with what they need to place their spans.
struct Checker<'a> {
    text: &'a str,
    tokens: &'a [Token],
    /// Spans of the quoted map keys (attribute names), in the order the parser read them.
    keys: Vec<Span>,
    /// The next key in `keys` to hand out.
    next_key: usize,
    errors: Vec<SchemaError>,
}

impl Checker<'_> {
    /// Converts and checks one level of fields; `prefix` is the enclosing path (`indirizzo.`).
    /// `depth` is the nesting depth of this level (0 at the top), as in [`MAX_TYPE_DEPTH`].
    fn fields(&mut self, raw: &RawFields, prefix: &str, depth: usize) -> Fields {
        let mut out: Vec<(String, Attribute)> = Vec::with_capacity(raw.0.len());
        let mut seen: HashMap<&str, Span> = HashMap::with_capacity(raw.0.len());
        for (name, attr) in &raw.0 {
            let span = self.take_key();
            let path = format!("{prefix}{name}");
            if !is_identifier(name) {
                self.errors.push(SchemaError::BadAttributeName {
                    name: path.clone(),
                    span: span.clone(),
                });
            }
            if let Some(first) = seen.get(name.as_str()) {
                self.errors.push(SchemaError::DuplicateAttribute {
                    name: path.clone(),
                    span: span.clone(),
                    first: first.clone(),
                });
            }
            // Enum values are searched between this key and the next one.
            let region = span.start
                ..self
                    .keys
                    .get(self.next_key)
                    .map_or(self.text.len(), |s| s.start);
            let ty = self.ty(&attr.ty, &path, &span, region, depth + 1);
            out.push((
                name.clone(),
                Attribute {
                    ty,
                    description: attr.description.clone(),
                    personal: attr.personal,
                },
            ));
            seen.entry(name).or_insert(span);
        }
        Fields(out)
    }

    /// Converts and checks a type.
    fn ty(&mut self, raw: &RawType, path: &str, span: &Span, region: Span, depth: usize) -> Type {
        let nested = matches!(raw, RawType::Record(_) | RawType::List(_));
        if depth > MAX_TYPE_DEPTH || (nested && depth + 1 > MAX_TYPE_DEPTH) {
            self.errors.push(SchemaError::TooDeep {
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
            RawType::Enum(values) => {
                self.values(values, false, path, span, &region);
                Type::Enum(values.clone())
            }
            RawType::Set(values) => {
                self.values(values, true, path, span, &region);
                Type::Set(values.clone())
            }
            RawType::Optional(inner) => {
                if matches!(**inner, RawType::Optional(_)) {
                    self.errors.push(SchemaError::NestedOptional {
                        attribute: path.to_owned(),
                        span: span.clone(),
                    });
                }
                Type::Optional(Box::new(self.ty(inner, path, span, region, depth + 1)))
            }
            RawType::Record(fields) | RawType::List(fields) => {
                let list = matches!(raw, RawType::List(_));
                if fields.0.is_empty() {
                    self.errors.push(SchemaError::EmptyRecord {
                        attribute: path.to_owned(),
                        list,
                        span: span.clone(),
                    });
                }
                let prefix = format!("{path}.");
                let fields = self.fields(fields, &prefix, depth + 1);
                if list {
                    Type::List(fields)
                } else {
                    Type::Record(fields)
                }
            }
        }
    }

    /// Checks the values of an enum or set.
    fn values(&mut self, values: &[String], set: bool, path: &str, span: &Span, region: &Span) {
        if values.is_empty() {
            self.errors.push(SchemaError::EmptyEnum {
                attribute: path.to_owned(),
                set,
                span: span.clone(),
            });
        }
        if set && values.len() > MAX_SET_VALUES {
            self.errors.push(SchemaError::SetTooLarge {
                attribute: path.to_owned(),
                count: values.len(),
                span: span.clone(),
            });
        }
        if !set && values.len() > MAX_ENUM_VALUES {
            self.errors.push(SchemaError::EnumTooLarge {
                attribute: path.to_owned(),
                count: values.len(),
                span: span.clone(),
            });
        }
        // The string tokens of the region, in order, matched to the values in order.
        // Tokens are in text order: take the slice inside the region.
        let lo = self
            .tokens
            .partition_point(|t| t.span.start <= region.start);
        let hi = self.tokens.partition_point(|t| t.span.end <= region.end);
        let mut strings = self
            .tokens
            .get(lo..hi.max(lo))
            .unwrap_or(&[])
            .iter()
            .skip_while(
                |t| !matches!(&t.kind, Tok::Ident(w) if w == if set { "Set" } else { "Enum" }),
            )
            .filter_map(|t| match &t.kind {
                Tok::Str(s) => Some((s.as_str(), t.span.clone())),
                _ => None,
            });
        let mut seen: HashMap<&str, Span> = HashMap::with_capacity(values.len());
        for value in values {
            let value_span = strings
                .by_ref()
                .find(|(s, _)| *s == value)
                .map_or_else(|| span.clone(), |(_, sp)| sp);
            if value.is_empty() || !value.chars().all(valid_value_char) {
                self.errors.push(SchemaError::BadEnumValue {
                    attribute: path.to_owned(),
                    value: value.clone(),
                    span: value_span.clone(),
                });
            }
            if let Some(first) = seen.get(value.as_str()) {
                self.errors.push(SchemaError::DuplicateEnumValue {
                    attribute: path.to_owned(),
                    value: value.clone(),
                    span: value_span,
                    first: first.clone(),
                });
            } else {
                seen.insert(value, value_span);
            }
        }
    }

    /// Checks `key`.
    fn key(&mut self, schema: &Schema) {
        let Some(name) = &schema.key else { return };
        let span = self.field_value_span(None, "key");
        match schema.attributes.get(name) {
            None => self.errors.push(SchemaError::KeyAttributeMissing {
                name: name.clone(),
                span,
                suggestion: suggestion(name, &schema.attributes),
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
                    self.errors.push(SchemaError::KeyNotScalar {
                        name: name.clone(),
                        ty: a_type(&attr.ty),
                        span,
                    });
                }
            }
        }
    }

    /// Checks `gender`.
    fn gender(&mut self, schema: &Schema) {
        let Some(gender) = &schema.gender else { return };
        let span = self.field_value_span(Some("gender"), "attribute");
        let values = match schema.attributes.get(&gender.attribute) {
            None => {
                self.errors.push(SchemaError::GenderAttributeMissing {
                    name: gender.attribute.clone(),
                    span,
                    suggestion: suggestion(&gender.attribute, &schema.attributes),
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
                self.errors.push(SchemaError::GenderNotEnum {
                    name: gender.attribute.clone(),
                    ty: a_type(&attr.ty),
                    span,
                });
                return;
            }
        };
        for (role, value) in [
            ("masculine", &gender.masculine),
            ("feminine", &gender.feminine),
        ] {
            if !values.contains(value) {
                self.errors.push(SchemaError::GenderValueNotInEnum {
                    role,
                    value: value.clone(),
                    allowed: values.clone(),
                    span: self.field_value_span(Some("gender"), role),
                    suggestion: did_you_mean(value, values.iter().map(String::as_str))
                        .map(str::to_owned),
                });
            }
        }
        if gender.masculine == gender.feminine && values.contains(&gender.feminine) {
            self.errors.push(SchemaError::GenderValuesSame {
                value: gender.feminine.clone(),
                span: self.field_value_span(Some("gender"), "feminine"),
            });
        }
    }

    /// The span of the next attribute name.
    fn take_key(&mut self) -> Span {
        let span = self.keys.get(self.next_key).cloned().unwrap_or(0..0);
        self.next_key += 1;
        span
    }

    /// The span of the string after `field:` (inside `within:` when given); the start of the
    /// file if not found.
    fn field_value_span(&self, within: Option<&str>, field: &str) -> Span {
        let ident_colon = |i: usize, name: &str| {
            matches!(self.tokens.get(i).map(|t| &t.kind), Some(Tok::Ident(n)) if n == name)
                && matches!(
                    self.tokens.get(i + 1).map(|t| &t.kind),
                    Some(Tok::Punct(':'))
                )
        };
        let start = match within {
            Some(w) => match (0..self.tokens.len()).find(|&i| ident_colon(i, w)) {
                Some(i) => i,
                None => return 0..0,
            },
            None => 0,
        };
        (start..self.tokens.len())
            .find(|&i| ident_colon(i, field))
            .and_then(|i| self.tokens.get(i + 2))
            .filter(|t| matches!(t.kind, Tok::Str(_)))
            .map_or(0..0, |t| t.span.clone())
    }
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

// ---------------------------------------------------------------------------------------------
// RON mirror types: the runtime's schema types, refusing unknown fields.

#[derive(Deserialize)]
#[serde(rename = "Schema", deny_unknown_fields)]
struct RawSchema {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    gender: Option<RawGender>,
    attributes: RawFields,
}

#[derive(Deserialize)]
#[serde(rename = "Gender", deny_unknown_fields)]
struct RawGender {
    attribute: String,
    masculine: String,
    feminine: String,
}

#[derive(Deserialize)]
#[serde(rename = "Attribute", deny_unknown_fields)]
struct RawAttribute {
    #[serde(rename = "type")]
    ty: RawType,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    personal: bool,
}

#[derive(Deserialize)]
#[serde(rename = "Type")]
enum RawType {
    String,
    Bool,
    Int,
    Decimal,
    Money,
    Date,
    Enum(Vec<String>),
    Set(Vec<String>),
    Optional(Box<RawType>),
    Record(RawFields),
    List(RawFields),
}

/// Attributes in the order written, duplicates kept (they are reported by the checker).
struct RawFields(Vec<(String, RawAttribute)>);

impl<'de> Deserialize<'de> for RawFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawFields, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of attribute names to attributes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFields, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, RawAttribute>()? {
                    out.push(entry);
                }
                Ok(RawFields(out))
            }
        }
        d.deserialize_map(V)
    }
}

// ---------------------------------------------------------------------------------------------
// RON errors, for people.

/// Rephrases a RON error and points it at the token where RON stopped.
fn syntax_error(text: &str, err: &ron::error::SpannedError) -> SchemaError {
    use ron::error::Error as E;
    let offset = byte_offset(text, err.position.line, err.position.col);
    let at = token_at(text, offset);
    let (span, message, help): (Span, String, Option<String>) = match &err.code {
        E::NoSuchEnumVariant { found, .. } => (
            find_back(text, offset, found).unwrap_or(at),
            format!("unknown type `{found}`: the types are {TYPE_FORMS}"),
            did_you_mean(found, TYPE_NAMES).map(|s| format!("did you mean `{s}`?")),
        ),
        E::NoSuchStructField {
            expected, found, ..
        } => (
            find_back(text, offset, found).unwrap_or(at),
            format!(
                "unknown field `{found}`: the fields here are {}",
                expected
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            if TYPE_NAMES.contains(&found.as_str()) {
                Some(format!("write (type: {found})"))
            } else {
                did_you_mean(found, expected.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
            },
        ),
        E::MissingStructField { field, .. } => {
            let (message, help) = match *field {
                "type" => (
                    "this attribute has no `type`".to_owned(),
                    format!("add one, e.g. (type: String); the types are {TYPE_FORMS}"),
                ),
                "attributes" => (
                    "the schema has no `attributes`".to_owned(),
                    "add attributes: { \"name\": (type: String), ... }".to_owned(),
                ),
                other => (
                    format!("`gender` has no `{other}`"),
                    "write gender: (attribute: \"sesso\", masculine: \"M\", feminine: \"F\")"
                        .to_owned(),
                ),
            };
            (at, message, Some(help))
        }
        E::DuplicateStructField { field, .. } => (
            find_back(text, offset, field).unwrap_or(at),
            format!("`{field}` is given twice"),
            Some("keep only one".to_owned()),
        ),
        E::ExpectedMapColon => (
            at,
            "expected `:` after an attribute name".to_owned(),
            Some("write \"name\": (type: String)".to_owned()),
        ),
        E::ExpectedComma => (at, "expected `,` between two entries".to_owned(), None),
        E::ExpectedMap => (
            at,
            "expected `{` opening a map of attributes".to_owned(),
            Some("write attributes as { \"name\": (type: String), ... }".to_owned()),
        ),
        E::ExpectedMapEnd => (
            at,
            "expected `,` or `}` after an attribute".to_owned(),
            None,
        ),
        E::ExpectedArray => (
            at,
            "expected `[` opening the list of values".to_owned(),
            Some("write Enum([\"a\", \"b\"]) or Set([\"a\", \"b\"])".to_owned()),
        ),
        E::ExpectedArrayEnd => (at, "expected `,` or `]` after a value".to_owned(), None),
        E::ExpectedStructLike | E::ExpectedNamedStructLike(_) => {
            let help = match prev_word(text, offset) {
                Some(w @ ("Enum" | "Set")) => format!("write {w}([\"a\", \"b\"])"),
                Some("Optional") => "write Optional(Date), with the inner type".to_owned(),
                Some(w @ ("Record" | "List")) => {
                    format!("write {w}({{ \"name\": (type: String) }})")
                }
                Some("gender") => {
                    "write gender: (attribute: \"sesso\", masculine: \"M\", feminine: \"F\")"
                        .to_owned()
                }
                _ => "an attribute is written \"name\": (type: String)".to_owned(),
            };
            (at, "expected `(`".to_owned(), Some(help))
        }
        E::ExpectedStructLikeEnd | E::ExpectedOptionEnd => {
            (at, "expected `,` or `)`".to_owned(), None)
        }
        E::ExpectedDifferentStructName { expected, found } => {
            let span = find_back(text, offset, found).unwrap_or(at);
            if *expected == "Attribute" {
                (
                    span,
                    format!("expected `(type: ...)` after the attribute name, found `{found}`"),
                    Some(format!("write \"name\": (type: {found})")),
                )
            } else {
                (
                    span,
                    format!("expected `(`, found `{found}`"),
                    Some("remove the name before `(`".to_owned()),
                )
            }
        }
        E::ExpectedString => {
            let tok = text.get(at.clone()).unwrap_or("");
            let help = if tok.chars().all(|c| c.is_alphanumeric() || c == '_') && !tok.is_empty() {
                format!("write it in double quotes: \"{tok}\"")
            } else {
                "names and values are written in double quotes: \"nome\"".to_owned()
            };
            (
                at,
                "expected a string in double quotes".to_owned(),
                Some(help),
            )
        }
        E::ExpectedStringEnd => {
            // RON stops just after the opening quote; show from the quote to the end of the line.
            let start = if offset > 0 && text.get(offset - 1..offset) == Some("\"") {
                offset - 1
            } else {
                offset
            };
            let rest = text.get(start..).unwrap_or("");
            let end = start + rest.find('\n').unwrap_or(rest.len());
            (
                start..end,
                "this string is not closed".to_owned(),
                Some("close it with `\"` on the same line".to_owned()),
            )
        }
        E::ExpectedBoolean => (at, "expected `true` or `false`".to_owned(), None),
        E::ExpectedIdentifier => (
            at,
            "expected a field name or a type".to_owned(),
            Some(format!("the types are {TYPE_FORMS}")),
        ),
        E::InvalidValueForType { expected, found } => {
            (at, format!("expected {expected}, found {found}"), None)
        }
        E::ExpectedDifferentLength { expected, found } => (
            at,
            format!("expected {expected}, found {found} elements"),
            None,
        ),
        E::Eof => (
            at,
            "the file ends too early: something opened is not closed".to_owned(),
            Some("check that every `(`, `[`, `{` and `\"` is closed".to_owned()),
        ),
        E::TrailingCharacters => (
            at,
            "unexpected text after the end of the schema".to_owned(),
            Some("the whole schema is one ( ... ); remove what follows it".to_owned()),
        ),
        E::UnexpectedByte(c) => (at, format!("unexpected character `{c}`"), None),
        E::UnclosedBlockComment => (
            at,
            "a `/*` comment is not closed".to_owned(),
            Some("close it with `*/`".to_owned()),
        ),
        E::ExceededRecursionLimit => (at, "the schema is nested too deeply".to_owned(), None),
        E::Message(m) => (at, m.clone(), None),
        other => (at, lower_first(&other.to_string()), None),
    };
    SchemaError::Syntax {
        span,
        message,
        help,
    }
}

/// The word just before `offset`, skipping spaces and a `:` (`gender` in `gender: "x"`).
fn prev_word(text: &str, offset: usize) -> Option<&str> {
    let head = text
        .get(..offset)?
        .trim_end()
        .trim_end_matches(':')
        .trim_end();
    let start = head
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    head.get(start..).filter(|w| !w.is_empty())
}

/// `s` with its first letter in lower case.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The byte offset of a RON position (1-based line, 1-based column in bytes); 0 for RON's
/// "no position" (0, 0). Clamped to the text and to a character boundary.
fn byte_offset(text: &str, line: usize, col: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let line_start = if line == 1 {
        Some(0)
    } else {
        text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)
    };
    let Some(line_start) = line_start else {
        return text.len();
    };
    let mut offset = line_start
        .saturating_add(col.saturating_sub(1))
        .min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The token starting at `offset`: a word, a quoted string, or one character (empty at the end).
fn token_at(text: &str, offset: usize) -> Span {
    let rest = text.get(offset..).unwrap_or("");
    let mut chars = rest.char_indices();
    let Some((_, first)) = chars.next() else {
        return offset..offset;
    };
    let len = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())
    } else if first == '"' {
        string_end(rest).unwrap_or_else(|| rest.find('\n').unwrap_or(rest.len()))
    } else {
        first.len_utf8()
    };
    offset..offset + len
}

/// The length of the quoted string at the start of `s`, quotes included.
fn string_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The last occurrence of the word `word` (bare or quoted) ending at or before `offset`, or
/// starting right there.
fn find_back(text: &str, offset: usize, word: &str) -> Option<Span> {
    if word.is_empty() {
        return None;
    }
    let limit = offset.saturating_add(word.len()).min(text.len());
    let head = text.get(..limit)?;
    head.rmatch_indices(word)
        .find(|(i, _)| {
            let before = text.get(..*i).and_then(|s| s.chars().next_back());
            let after = text.get(i + word.len()..).and_then(|s| s.chars().next());
            let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            boundary(before) && boundary(after)
        })
        .map(|(i, _)| i..i + word.len())
}

// ---------------------------------------------------------------------------------------------
// A light scan of the RON text, for spans.

struct Token {
    kind: Tok,
    span: Span,
}

enum Tok {
    /// A string literal, unescaped.
    Str(String),
    /// A word: identifier or number.
    Ident(String),
    /// Any other character.
    Punct(char),
}

/// Splits RON text into strings, words and punctuation, skipping spaces and comments.
fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some((start, c)) = it.next() {
        match c {
            c if c.is_whitespace() => {}
            '/' if matches!(it.peek(), Some((_, '/'))) => {
                for (_, c) in it.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if matches!(it.peek(), Some((_, '*'))) => {
                it.next();
                let mut depth = 1usize;
                let mut prev = ' ';
                for (_, c) in it.by_ref() {
                    match (prev, c) {
                        ('*', '/') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            prev = ' ';
                            continue;
                        }
                        ('/', '*') => {
                            depth += 1;
                            prev = ' ';
                            continue;
                        }
                        _ => {}
                    }
                    prev = c;
                }
            }
            '"' => {
                let mut value = String::new();
                let mut end = text.len();
                while let Some((i, c)) = it.next() {
                    match c {
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        '\\' => match it.next() {
                            Some((_, 'n')) => value.push('\n'),
                            Some((_, 't')) => value.push('\t'),
                            Some((_, 'r')) => value.push('\r'),
                            Some((_, '0')) => value.push('\0'),
                            Some((_, 'u')) => {
                                // \u{XXXX}
                                let mut hex = String::new();
                                for (_, c) in it.by_ref() {
                                    match c {
                                        '{' => {}
                                        '}' => break,
                                        c => hex.push(c),
                                    }
                                }
                                if let Some(ch) =
                                    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                                {
                                    value.push(ch);
                                }
                            }
                            Some((_, c)) => value.push(c),
                            None => {}
                        },
                        c => value.push(c),
                    }
                }
                out.push(Token {
                    kind: Tok::Str(value),
                    span: start..end,
                });
            }
            'r' if matches!(it.peek(), Some((_, '"' | '#'))) => {
                // Raw string: r"..." or r#"..."#.
                let mut hashes = 0usize;
                while matches!(it.peek(), Some((_, '#'))) {
                    hashes += 1;
                    it.next();
                }
                it.next(); // The opening quote.
                let body_start = start + 1 + hashes + 1;
                let mut closing = String::from("\"");
                for _ in 0..hashes {
                    closing.push('#');
                }
                let rest = text.get(body_start..).unwrap_or("");
                let (value, end) = match rest.find(&closing) {
                    Some(i) => (rest.get(..i).unwrap_or(""), body_start + i + closing.len()),
                    None => (rest, text.len()),
                };
                while matches!(it.peek(), Some((i, _)) if *i < end) {
                    it.next();
                }
                out.push(Token {
                    kind: Tok::Str(value.to_owned()),
                    span: start..end,
                });
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut end = start + c.len_utf8();
                while let Some((i, c)) = it.peek().copied() {
                    if c.is_alphanumeric() || c == '_' || c == '.' {
                        end = i + c.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                }
                out.push(Token {
                    kind: Tok::Ident(text.get(start..end).unwrap_or("").to_owned()),
                    span: start..end,
                });
            }
            c => out.push(Token {
                kind: Tok::Punct(c),
                span: start..start + c.len_utf8(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = include_str!("../../language-spec/examples/schema.ron");

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
            (")", "expected `(`")
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

        assert_eq!(prev_word("gender: \"x\"", 8), Some("gender"));
        assert_eq!(prev_word("  x", 0), None);

        assert_eq!(codes(""), ["E0601"]);
    }

    #[test]
    fn positions() {
        let t = "ab\ncdé\nfg";
        assert_eq!(byte_offset(t, 1, 1), 0);
        assert_eq!(byte_offset(t, 2, 2), 4);
        assert_eq!(byte_offset(t, 3, 1), 8);
        assert_eq!(byte_offset(t, 3, 99), t.len());
        assert_eq!(byte_offset(t, 9, 1), t.len());
        assert_eq!(byte_offset(t, 0, 0), 0);
        assert_eq!(byte_offset(t, 2, 4), 5); // Inside `é`: back to its start.
        assert_eq!(token_at(t, t.len()), t.len()..t.len());
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
        let t = with_attrs(
            "        \"r\": (type: Record({ \"a\": (type: Int), \"a\": (type: Int) })),",
        );
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
        let [SchemaError::BadAttributeName { name, span }] = e.as_slice() else {
            panic!("{e:?}")
        };
        assert_eq!(name, "r.x-y");
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
        let t = with_attrs(
            "\"e\": (type: Set([\"ok\", \"ufficio postale\", \"\", \"però\", \"x-y\"])),",
        );
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
    fn tokenizer() {
        let toks = tokenize("/* a /* b */ c */ // x\n\"q\\\"\\u{e8}\": r#\"raw\"# 1.5 x");
        let kinds: Vec<String> = toks
            .iter()
            .map(|t| match &t.kind {
                Tok::Str(s) => format!("S{s}"),
                Tok::Ident(s) => format!("I{s}"),
                Tok::Punct(c) => format!("P{c}"),
            })
            .collect();
        assert_eq!(kinds, ["Sq\"è", "P:", "Sraw", "I1.5", "Ix"]);
    }
}
