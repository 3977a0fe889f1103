//! The problems a schema can have, and how they are told to people.

use super::{MAX_ENUM_VALUES, MAX_SET_VALUES};
use crate::diagnostic::{Diagnostic, IntoDiagnostic, SourceFile, Span};

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
        /// Another place worth showing: the bracket left open when the file ends.
        note: Option<(Span, String)>,
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
        /// The name alone, as written.
        written: String,
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
    /// Records, lists and optionals nested deeper than [`MAX_TYPE_DEPTH`](super::MAX_TYPE_DEPTH) allows.
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
    /// `min`, `max` or `max_length` on a type that has no such bound.
    RangeNotAllowed {
        /// The attribute.
        attribute: String,
        /// `min`, `max` or `max_length`.
        field: &'static str,
        /// The attribute's type (under `Optional`).
        ty: &'static str,
        /// The bound.
        span: Span,
    },
    /// A bound that is not a value of the attribute's type.
    BadBound {
        /// The attribute.
        attribute: String,
        /// `min`, `max` or `max_length`.
        field: &'static str,
        /// The bound as written.
        written: String,
        /// What it should be, in words.
        expected: &'static str,
        /// The bound.
        span: Span,
    },
    /// `min` greater than `max`: no value fits.
    EmptyRange {
        /// The attribute.
        attribute: String,
        /// `min` as written.
        min: String,
        /// `max` as written.
        max: String,
        /// `max`.
        span: Span,
        /// `min`.
        min_span: Span,
    },
}

impl SchemaError {
    /// Where the problem is (the main label's span).
    pub fn span(&self) -> &Span {
        use SchemaError::*;
        match self {
            Syntax { span, .. }
            | DuplicateAttribute { span, .. }
            | BadAttributeName { span, .. }
            | EmptyEnum { span, .. }
            | DuplicateEnumValue { span, .. }
            | BadEnumValue { span, .. }
            | SetTooLarge { span, .. }
            | EnumTooLarge { span, .. }
            | NestedOptional { span, .. }
            | EmptyRecord { span, .. }
            | TooDeep { span, .. }
            | KeyAttributeMissing { span, .. }
            | KeyNotScalar { span, .. }
            | GenderAttributeMissing { span, .. }
            | GenderNotEnum { span, .. }
            | GenderValueNotInEnum { span, .. }
            | GenderValuesSame { span, .. }
            | RangeNotAllowed { span, .. }
            | BadBound { span, .. }
            | EmptyRange { span, .. } => span,
        }
    }
}

impl IntoDiagnostic for SchemaError {
    fn into_diagnostic(self, file: &SourceFile) -> Diagnostic {
        use SchemaError::*;
        match self {
            Syntax {
                span,
                message,
                help,
                note,
            } => {
                let mut d = Diagnostic::error(
                    "E0601",
                    "the schema cannot be read",
                    file,
                    span,
                    message,
                );
                if let Some((span, label)) = note {
                    d = d.with_note(span, label);
                }
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
            BadAttributeName {
                name,
                written,
                span,
            } => Diagnostic::error(
                "E0603",
                format!("`{name}` cannot be an attribute name"),
                file,
                span,
                "attribute names are written in .guide expressions, so they must be identifiers",
            )
            .with_help(format!(
                "use an ASCII letter or `_`, then ASCII letters, digits or `_`, e.g. `{}`",
                identifier_like(&written)
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
            RangeNotAllowed {
                attribute,
                field,
                ty,
                span,
            } => Diagnostic::error(
                "E0618",
                format!("`{attribute}` is of type {ty}: it cannot have `{field}`"),
                file,
                span,
                if field == "max_length" {
                    "max_length bounds a String only"
                } else {
                    "min and max bound an Int, a Decimal or a Money only"
                },
            )
            .with_help(format!("remove `{field}`, or change the attribute's type")),
            BadBound {
                attribute,
                field,
                written,
                expected,
                span,
            } => Diagnostic::error(
                "E0619",
                format!("`{field}: {written}` does not fit `{attribute}`"),
                file,
                span,
                format!("expected {expected}"),
            )
            .with_help(format!("write `{field}` as {expected}")),
            EmptyRange {
                attribute,
                min,
                max,
                span,
                min_span,
            } => Diagnostic::error(
                "E0620",
                format!("no value of `{attribute}` fits: min {min} is more than max {max}"),
                file,
                span,
                "max is less than min",
            )
            .with_note(min_span, "min is here")
            .with_help("swap them, or correct one"),
        }
    }
}

/// `name` turned into an identifier, for suggestions: `data-nascita` -> `data_nascita`.
pub(super) fn identifier_like(name: &str) -> String {
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

/// Whether `c` may appear in an enum or set value.
pub(super) fn valid_value_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}
