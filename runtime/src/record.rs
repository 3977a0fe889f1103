//! One recipient's data, decoded and checked against the campaign's [`Schema`].
//!
//! A [`Record`] holds one [`Value`] per top-level attribute, in schema order, so that compiled
//! expressions read attributes by position. Records come from JSON (`Record::from_json`, with the
//! `json` feature) or are assembled in code with a [`RecordBuilder`]. Either way every value is
//! checked against its declared type, and the first problem is reported as a [`RecordError`]
//! naming the attribute, what was expected and what was found.
//!
//! Attributes that the schema marks `personal` are never quoted in errors: the error says what
//! kind of value was found, not the value.

use crate::date::Date;
use crate::format;
use crate::schema::{Bound, Fields, Range, Schema, Type, Violation};
use crate::suggest::did_you_mean;
use std::fmt;

/// The value of one attribute (or of one field of a nested record).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An optional attribute without a value.
    Absent,
    /// A `Bool`.
    Bool(bool),
    /// An `Int`.
    Int(i64),
    /// A `Decimal` (always finite).
    Decimal(f64),
    /// A `Money` amount, in cents.
    Money(i64),
    /// A `Date`.
    Date(Date),
    /// A `String`.
    Str(Box<str>),
    /// An `Enum` value: its index among the enum's declared values.
    Enum(u16),
    /// A `Set`: bit `i` is set when the set's `i`-th declared value is present.
    Set(u64),
    /// A nested `Record`: its fields in schema order.
    Record(Vec<Value>),
    /// A `List` of records, each with its fields in schema order.
    List(Vec<Vec<Value>>),
}

impl Value {
    /// Whether this is [`Value::Absent`].
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Absent)
    }
}

/// Returned by [`Record::get`] for a position the record does not have.
static ABSENT: Value = Value::Absent;

/// One recipient's record: the values of the schema's top-level attributes, in schema order.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    values: Vec<Value>,
}

impl Record {
    /// The value of the attribute at `index` in `schema.attributes`; [`Value::Absent`] if the
    /// index is out of range.
    pub fn get(&self, index: usize) -> &Value {
        self.values.get(index).unwrap_or(&ABSENT)
    }

    /// All values, in schema order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The value of the top-level attribute called `name`, if the schema has one.
    pub fn get_by_name(&self, schema: &Schema, name: &str) -> Option<&Value> {
        schema.attributes.get(name).map(|(i, _)| self.get(i))
    }

    /// Decodes and checks a JSON object against `schema`.
    ///
    /// - The top level must be an object; attributes the schema does not declare are an error
    ///   ([`RecordErrorKind::Unknown`]): a misspelt name would otherwise silently lose data.
    /// - A missing key or `null` is [`Value::Absent`] for an `Optional` attribute and
    ///   [`RecordErrorKind::Missing`] otherwise.
    /// - `Int` takes integer numbers only (`1.5` and `1.0` are errors); `Decimal` any number.
    /// - `Money` takes a number of euros or a string with a dot (`1234.5`, `"1234.50"`,
    ///   `"-12"`), with at most two decimals either way: `1234.567` is
    ///   [`RecordErrorKind::MoneyPrecision`], never rounded.
    /// - `Date` takes an ISO string (`"2024-02-29"`); impossible dates are errors.
    /// - `Enum` takes a string among the declared values (case-sensitive); `Set` an array of such
    ///   strings, repetitions allowed; `Record` an object; `List` an array of objects.
    ///
    /// Paths in errors use `.` for fields and `[i]` (from 0) for elements: `figli[2].eta`.
    #[cfg(feature = "json")]
    pub fn from_json(schema: &Schema, value: &serde_json::Value) -> Result<Record, RecordError> {
        json::fields(&schema.attributes, value, &Path::Root, false).map(|values| Record { values })
    }

    /// Decodes and checks the text of one JSON object against `schema`, with the same rules
    /// and the same errors as [`Record::from_json`] (text that is not JSON at all is
    /// [`RecordErrorKind::Syntax`]).
    ///
    /// Faster than parsing a `serde_json::Value` first: the schema drives the parser and
    /// values are converted as they are read. To decode many records, reuse one record with
    /// [`Record::decode_json_str`].
    #[cfg(feature = "json")]
    pub fn from_json_str(schema: &Schema, text: &str) -> Result<Record, RecordError> {
        let mut r = Record { values: Vec::new() };
        r.decode_json_str(schema, text)?;
        Ok(r)
    }

    /// Replaces this record's values by those of the JSON object `text` (see
    /// [`Record::from_json_str`]), reusing its allocation. On error the record's values are
    /// unspecified (but still a record of some values).
    #[cfg(feature = "json")]
    pub fn decode_json_str(&mut self, schema: &Schema, text: &str) -> Result<(), RecordError> {
        crate::decode::decode_into(schema, None, text.as_bytes(), &mut self.values)
    }

    /// [`Record::decode_json_str`] from bytes, as read from a file: text that is not UTF-8 is
    /// a [`RecordErrorKind::Syntax`] error. Only the strings the record keeps are checked to be
    /// UTF-8 on the fast path, which spares a pass over the whole text.
    #[cfg(feature = "json")]
    pub fn decode_json_slice(&mut self, schema: &Schema, text: &[u8]) -> Result<(), RecordError> {
        crate::decode::decode_into(schema, None, text, &mut self.values)
    }

    /// [`Record::decode_json_slice`] with the decoding plan of a loaded program.
    #[cfg(feature = "json")]
    pub(crate) fn decode_json_planned(
        &mut self,
        schema: &Schema,
        plan: &crate::decode::Plan,
        text: &[u8],
    ) -> Result<(), RecordError> {
        crate::decode::decode_into(schema, Some(plan), text, &mut self.values)
    }

    /// An empty record (no values): a buffer for `Record::decode_json_str` (`json` feature).
    pub fn empty() -> Record {
        Record { values: Vec::new() }
    }

    /// The values, taken out of the record.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }
}

/// A problem with one record: where it is and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The attribute, with fields and element indices: `sesso`, `indirizzo.comune`,
    /// `figli[2].eta`. Empty for the record itself.
    pub path: String,
    /// What is wrong.
    pub kind: RecordErrorKind,
}

/// What is wrong with an attribute of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordErrorKind {
    /// A required attribute has no value.
    Missing,
    /// A required attribute is `null`.
    Null {
        /// What the schema asks for, in words: `a date string "YYYY-MM-DD"`.
        expected: String,
    },
    /// The value is of the wrong kind.
    WrongType {
        /// What the schema asks for, in words: `an integer`, `an object`.
        expected: String,
        /// What was given, in words or quoted: `1.5`, `"abc"`, `an array`.
        found: String,
    },
    /// A string that is not one of an enum's (or set's) values.
    NotInEnum {
        /// The string given ([`REDACTED`] for a personal attribute).
        value: String,
        /// The declared values.
        allowed: Vec<String>,
        /// A declared value differing only in case or by a likely typo.
        suggestion: Option<String>,
    },
    /// A string that is not a `YYYY-MM-DD` date, or names a day that does not exist.
    MalformedDate {
        /// The string given ([`REDACTED`] for a personal attribute).
        value: String,
    },
    /// A string that is not an amount of euros such as `1234.50`.
    MalformedMoney {
        /// The string given ([`REDACTED`] for a personal attribute).
        value: String,
    },
    /// An amount of money too large to be held in cents.
    MoneyOutOfRange,
    /// An amount of money with more than two decimals (`1234.567`, `0.005`): amounts are
    /// euros and cents, and are never rounded.
    MoneyPrecision {
        /// The amount as given ([`REDACTED`] for a personal attribute).
        value: String,
    },
    /// A value outside the range the schema declares for the attribute (`min`, `max`,
    /// `max_length`).
    OutOfRange {
        /// The value as a record writes it (`-5.00`, `130`); [`REDACTED`] for a personal
        /// attribute; empty for a string too long (its length is in `violation`).
        value: String,
        /// Which bound it breaks, and the bound.
        violation: Violation,
    },
    /// An attribute the schema does not declare. Unknown attributes are an error, not ignored:
    /// a misspelt name would otherwise silently drop the value it carries.
    Unknown {
        /// A declared attribute with a close name.
        suggestion: Option<String>,
    },
    /// The text of a record is not valid JSON (`Record::from_json_str`, `json` feature).
    Syntax {
        /// The parser's message, with the line and column.
        message: String,
    },
    /// The same attribute given twice (only detectable by [`RecordBuilder`]: JSON objects are
    /// decoded with the last key winning before they reach this module).
    Duplicate,
    /// The schema itself is unusable (an enum with more than 65,536 values, a set with more than
    /// 64): only possible with a schema the compiler did not check.
    InvalidSchema {
        /// Why.
        reason: String,
    },
}

/// What errors show instead of the value of a personal attribute.
pub const REDACTED: &str = "(value not shown: personal attribute)";

impl RecordError {
    fn new(path: &Path<'_>, kind: RecordErrorKind) -> RecordError {
        RecordError {
            path: path.render(),
            kind,
        }
    }

    /// The same error, located inside `prefix` (`figli[2]` turns `eta` into `figli[2].eta`).
    fn within(mut self, prefix: &str) -> RecordError {
        self.path = if self.path.is_empty() {
            prefix.to_owned()
        } else if self.path.starts_with('[') {
            format!("{prefix}{}", self.path)
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str("the record")?;
        } else {
            write!(f, "attribute \"{}\"", self.path)?;
        }
        match &self.kind {
            RecordErrorKind::Missing => f.write_str(" is missing"),
            RecordErrorKind::Null { expected } => write!(
                f,
                " is null; expected {expected} (only an optional attribute may be null or left out)"
            ),
            RecordErrorKind::WrongType { expected, found } => {
                write!(f, ": expected {expected}, found {found}")
            }
            RecordErrorKind::NotInEnum {
                value,
                allowed,
                suggestion,
            } => {
                write!(
                    f,
                    ": expected one of {}, found {}",
                    allowed.join(", "),
                    Quoted(value)
                )?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean \"{s}\"?)"),
                    None => Ok(()),
                }
            }
            RecordErrorKind::MalformedDate { value } => {
                write!(
                    f,
                    ": expected a date written YYYY-MM-DD, found {}",
                    Quoted(value)
                )?;
                if looks_like_iso_date(value) {
                    f.write_str(", a day that does not exist")?;
                }
                Ok(())
            }
            RecordErrorKind::MalformedMoney { value } => write!(
                f,
                ": expected an amount in euros written like \"1234.50\", found {}",
                Quoted(value)
            ),
            RecordErrorKind::MoneyOutOfRange => f.write_str(": the amount is too large"),
            RecordErrorKind::MoneyPrecision { value } => write!(
                f,
                ": {value} has more than two decimals; amounts are written in euros and cents \
                 (\"1234.56\") and are never rounded"
            ),
            RecordErrorKind::OutOfRange { value, violation } => match violation {
                Violation::BelowMin(b) => write!(
                    f,
                    ": {value} is less than {b}, the minimum the schema allows (min: {b})"
                ),
                Violation::AboveMax(b) => write!(
                    f,
                    ": {value} is more than {b}, the maximum the schema allows (max: {b})"
                ),
                Violation::TooLong { max_length, length } => write!(
                    f,
                    " has {length} characters, more than the {max_length} the schema allows \
                     (max_length: {max_length})"
                ),
            },
            RecordErrorKind::Unknown { suggestion } => {
                f.write_str(" is not in the schema")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean \"{s}\"?)"),
                    None => Ok(()),
                }
            }
            RecordErrorKind::Duplicate => f.write_str(" is given more than once"),
            RecordErrorKind::Syntax { message } => write!(f, " is not valid JSON: {message}"),
            RecordErrorKind::InvalidSchema { reason } => {
                write!(f, ": the schema cannot be used: {reason}")
            }
        }
    }
}

impl std::error::Error for RecordError {}

/// Quotes a value in a message, unless it is [`REDACTED`].
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == REDACTED {
            f.write_str(self.0)
        } else {
            write!(f, "{:?}", self.0)
        }
    }
}

/// Whether `s` has the shape `dddd-dd-dd` (whether or not the day exists).
fn looks_like_iso_date(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// Where a value sits in a record, built on the stack while decoding and rendered on error.
enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Field(parent, name) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, i) => {
                parent.write(out);
                out.push('[');
                format::int(out, i64::try_from(*i).unwrap_or(i64::MAX));
                out.push(']');
            }
        }
    }
}

/// The type under any `Optional` wrappers.
fn base(ty: &Type) -> &Type {
    match ty {
        Type::Optional(inner) => base(inner),
        other => other,
    }
}

/// A value given for a personal attribute, or [`REDACTED`].
fn shown(value: &str, personal: bool) -> String {
    if personal {
        REDACTED.to_owned()
    } else {
        value.to_owned()
    }
}

/// The index of `value` among an enum's values.
fn enum_index(
    values: &[String],
    value: &str,
    path: &Path<'_>,
    personal: bool,
) -> Result<u16, RecordError> {
    match values.iter().position(|v| v == value) {
        Some(i) => u16::try_from(i).map_err(|_| {
            RecordError::new(
                path,
                RecordErrorKind::InvalidSchema {
                    reason: "an enum has more than 65,536 values".into(),
                },
            )
        }),
        None => Err(RecordError::new(
            path,
            RecordErrorKind::NotInEnum {
                value: shown(value, personal),
                allowed: values.to_vec(),
                // A suggestion close to a personal value would hint at it.
                suggestion: if personal {
                    None
                } else {
                    suggest(value, values.iter().map(String::as_str))
                },
            },
        )),
    }
}

/// Checks that a set's values fit the 64-bit mask.
fn check_set_size(values: &[String], path: &Path<'_>) -> Result<(), RecordError> {
    if values.len() > 64 {
        return Err(RecordError::new(
            path,
            RecordErrorKind::InvalidSchema {
                reason: "a set has more than 64 values".into(),
            },
        ));
    }
    Ok(())
}

/// Checks a value read for an attribute against the attribute's declared range.
pub(crate) fn check_range(range: &Range, value: &Value) -> Result<(), Violation> {
    match value {
        Value::Int(v) => range.check_int(*v),
        Value::Money(c) => range.check_cents(*c),
        Value::Decimal(d) => range.check_decimal(*d),
        Value::Str(s) => range.check_str(s),
        _ => Ok(()),
    }
}

/// The error for `value`, read for an attribute, breaking its range.
fn out_of_range(value: &Value, violation: Violation, personal: bool) -> RecordErrorKind {
    let written = match (value, personal) {
        (_, true) => REDACTED.to_owned(),
        (Value::Int(v), _) => Bound::Int(*v).to_string(),
        (Value::Money(c), _) => Bound::Cents(*c).to_string(),
        (Value::Decimal(d), _) => Bound::Decimal(*d).to_string(),
        _ => String::new(),
    };
    RecordErrorKind::OutOfRange {
        value: written,
        violation,
    }
}

/// The bitmask of `values` among a set's `declared` values.
fn set_mask(
    declared: &[String],
    values: &[&str],
    personal: bool,
) -> Result<Value, RecordErrorKind> {
    check_set_size(declared, &Path::Root).map_err(|e| e.kind)?;
    let mut mask = 0u64;
    for v in values {
        let i = enum_index(declared, v, &Path::Root, personal).map_err(|e| e.kind)?;
        mask |= 1u64 << i;
    }
    Ok(Value::Set(mask))
}

/// Parses an amount of euros written as a string: `1234`, `1234.5`, `-1234.50` (no thousands
/// separators, a dot, at most two decimals; surrounding spaces are ignored).
#[cfg(feature = "json")]
pub(crate) fn parse_money(s: &str) -> Result<i64, RecordErrorKind> {
    let malformed = || RecordErrorKind::MalformedMoney {
        value: s.to_owned(),
    };
    let t = s.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (t, None),
    };
    let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(malformed());
    }
    if frac.is_some_and(|f| f.len() > 2) {
        return Err(RecordErrorKind::MoneyPrecision {
            value: s.trim().to_owned(),
        });
    }
    let mut cents: i64 = 0;
    let frac = frac.unwrap_or("");
    let frac_digits = frac.bytes().chain(std::iter::repeat(b'0')).take(2);
    for b in whole.bytes().chain(frac_digits) {
        cents = cents
            .checked_mul(10)
            .and_then(|c| c.checked_add(i64::from(b - b'0')))
            .ok_or(RecordErrorKind::MoneyOutOfRange)?;
    }
    Ok(if negative { -cents } else { cents })
}

/// A candidate `given` was likely meant to be ([`did_you_mean`]).
fn suggest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    did_you_mean(given, candidates).map(str::to_owned)
}

#[cfg(feature = "json")]
mod json {
    //! Decoding from `serde_json` values.
    use super::*;
    use serde_json::Value as J;

    /// Decodes an object against `fields`: unknown keys first (a misspelt key explains a
    /// missing attribute better than the other way round), then the fields in order.
    pub(super) fn fields(
        fields: &Fields,
        value: &J,
        path: &Path<'_>,
        personal: bool,
    ) -> Result<Vec<Value>, RecordError> {
        let J::Object(map) = value else {
            return Err(wrong(path, "an object", value, personal));
        };
        if let Some(key) = map.keys().find(|k| fields.get(k).is_none()) {
            return Err(RecordError::new(
                &Path::Field(path, key),
                RecordErrorKind::Unknown {
                    suggestion: suggest(key, fields.0.iter().map(|(n, _)| n.as_str())),
                },
            ));
        }
        fields
            .iter()
            .map(|(name, attr)| {
                let at = Path::Field(path, name);
                let personal = personal || attr.personal;
                let value = decode(&attr.ty, map.get(name), &at, personal)?;
                check_range(&attr.range, &value)
                    .map_err(|v| RecordError::new(&at, out_of_range(&value, v, personal)))?;
                Ok(value)
            })
            .collect()
    }

    fn decode(
        ty: &Type,
        value: Option<&J>,
        path: &Path<'_>,
        personal: bool,
    ) -> Result<Value, RecordError> {
        let value = match (ty, value) {
            (Type::Optional(_), None | Some(J::Null)) => return Ok(Value::Absent),
            (_, None) => return Err(RecordError::new(path, RecordErrorKind::Missing)),
            (_, Some(J::Null)) => {
                return Err(RecordError::new(
                    path,
                    RecordErrorKind::Null {
                        expected: expected(base(ty)),
                    },
                ))
            }
            (_, Some(v)) => v,
        };
        let err = |kind| RecordError::new(path, kind);
        let optional = matches!(ty, Type::Optional(_));
        let ty = base(ty);
        match (ty, value) {
            (Type::String, J::String(s)) => Ok(Value::Str(s.as_str().into())),
            (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
            (Type::Int, J::Number(n)) if n.is_i64() => n
                .as_i64()
                .map(Value::Int)
                .ok_or_else(|| wrong(path, "an integer", value, personal)),
            (Type::Decimal, J::Number(n)) => n
                .as_f64()
                .filter(|x| x.is_finite())
                .map(Value::Decimal)
                .ok_or_else(|| wrong(path, "a number", value, personal)),
            (Type::Money, J::Number(n)) => {
                let euros = n.as_f64();
                let cents = match n.as_i64() {
                    Some(i) => i.checked_mul(100),
                    None if n.is_u64() => None,
                    None => euros.and_then(format::money_from_f64),
                };
                let cents = cents.ok_or_else(|| err(RecordErrorKind::MoneyOutOfRange))?;
                // Exactly the cents: the shortest form of the double (the number as written)
                // has at most two decimals. Integers are exact whatever their size.
                let exact = n.as_i64().is_some()
                    || euros.is_some_and(|x| x.fract() == 0.0 || cents as f64 / 100.0 == x);
                if !exact {
                    return Err(err(RecordErrorKind::MoneyPrecision {
                        value: shown(&n.to_string(), personal),
                    }));
                }
                Ok(Value::Money(cents))
            }
            (Type::Money, J::String(s)) => parse_money(s).map(Value::Money).map_err(|kind| {
                err(match kind {
                    RecordErrorKind::MalformedMoney { .. } => RecordErrorKind::MalformedMoney {
                        value: shown(s, personal),
                    },
                    RecordErrorKind::MoneyPrecision { .. } => RecordErrorKind::MoneyPrecision {
                        value: shown(s.trim(), personal),
                    },
                    other => other,
                })
            }),
            (Type::Date, J::String(s)) => Date::parse_iso(s).map(Value::Date).ok_or_else(|| {
                err(RecordErrorKind::MalformedDate {
                    value: shown(s, personal),
                })
            }),
            (Type::Enum(values), J::String(s)) => {
                enum_index(values, s, path, personal).map(Value::Enum)
            }
            (Type::Set(values), J::Array(items)) => {
                check_set_size(values, path)?;
                let mut mask = 0u64;
                for (i, item) in items.iter().enumerate() {
                    let at = Path::Index(path, i);
                    let J::String(s) = item else {
                        return Err(wrong(
                            &at,
                            &expected(&Type::Enum(values.clone())),
                            item,
                            personal,
                        ));
                    };
                    mask |= 1u64 << enum_index(values, s, &at, personal)?;
                }
                Ok(Value::Set(mask))
            }
            (Type::Record(f), J::Object(_)) => fields(f, value, path, personal).map(Value::Record),
            (Type::List(f), J::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| fields(f, item, &Path::Index(path, i), personal))
                .collect::<Result<_, _>>()
                .map(Value::List),
            (ty, v) => {
                let mut exp = expected(ty);
                if optional {
                    exp.push_str(" or null");
                }
                Err(wrong(path, &exp, v, personal))
            }
        }
    }

    fn wrong(path: &Path<'_>, expected: &str, found: &J, personal: bool) -> RecordError {
        RecordError::new(
            path,
            RecordErrorKind::WrongType {
                expected: expected.to_owned(),
                found: describe(found, personal),
            },
        )
    }

    /// What the schema asks for, in words.
    fn expected(ty: &Type) -> String {
        match ty {
            Type::String => "a string".into(),
            Type::Bool => "true or false".into(),
            Type::Int => "an integer".into(),
            Type::Decimal => "a number".into(),
            Type::Money => {
                "an amount in euros (a number such as 1234.5 or a string such as \"1234.50\")"
                    .into()
            }
            Type::Date => "a date string \"YYYY-MM-DD\"".into(),
            Type::Enum(v) => format!("one of {}", v.join(", ")),
            Type::Set(v) => format!("an array of values among {}", v.join(", ")),
            Type::Optional(t) => format!("{} or null", expected(base(t))),
            Type::Record(_) => "an object".into(),
            Type::List(_) => "an array of objects".into(),
        }
    }

    /// What was found, in words: the value itself for short non-personal scalars.
    fn describe(v: &J, personal: bool) -> String {
        match (v, personal) {
            (J::Null, _) => "null".into(),
            (J::Bool(_), true) => "a boolean".into(),
            (J::Bool(b), false) => b.to_string(),
            (J::Number(_), true) => "a number".into(),
            (J::Number(n), false) => n.to_string(),
            (J::String(_), true) => "a string".into(),
            (J::String(s), false) => {
                let mut short: String = s.chars().take(40).collect();
                if short.len() < s.len() {
                    short.push('…');
                }
                format!("{short:?}")
            }
            (J::Array(_), _) => "an array".into(),
            (J::Object(_), _) => "an object".into(),
        }
    }
}

/// Assembles a [`Record`] in code, checking each value against the schema as it is set.
///
/// ```
/// # use guide_runtime::{schema::Schema, record::RecordBuilder};
/// # fn demo(schema: &Schema) -> Result<(), guide_runtime::RecordError> {
/// let mut b = RecordBuilder::new(schema);
/// b.set_str("nome", "Anna")?.set_enum("sesso", "F")?.set_int("eta", 67)?;
/// let mut figlio = b.builder_for("figli")?;
/// figlio.set_str("nome", "Luca")?.set_int("eta", 12)?;
/// b.set_list("figli", vec![figlio])?;
/// let record = b.build()?;
/// # let _ = record; Ok(()) }
/// ```
///
/// Each setter fails on an attribute the schema does not declare ([`RecordErrorKind::Unknown`]),
/// on one already set ([`RecordErrorKind::Duplicate`]) and on a value of the wrong type.
/// Errors from a nested builder carry paths relative to it until it is attached with
/// [`RecordBuilder::set_record`] or [`RecordBuilder::set_list`], which prefix them.
#[derive(Debug, Clone)]
pub struct RecordBuilder<'s> {
    fields: &'s Fields,
    values: Vec<Option<Value>>,
}

impl<'s> RecordBuilder<'s> {
    /// An empty record of `schema`'s top-level attributes.
    pub fn new(schema: &'s Schema) -> RecordBuilder<'s> {
        RecordBuilder::over(&schema.attributes)
    }

    fn over(fields: &'s Fields) -> RecordBuilder<'s> {
        RecordBuilder {
            fields,
            values: vec![None; fields.len()],
        }
    }

    /// An empty builder for the value of the `Record` attribute `name`, or for one element of
    /// the `List` attribute `name`.
    pub fn builder_for(&self, name: &str) -> Result<RecordBuilder<'s>, RecordError> {
        let (_, attr) = self.lookup(name)?;
        match base(&attr.ty) {
            Type::Record(f) | Type::List(f) => Ok(RecordBuilder::over(f)),
            other => Err(self.builder_error(name, other, "a record")),
        }
    }

    /// Sets a `String` attribute.
    pub fn set_str(&mut self, name: &str, value: &str) -> Result<&mut Self, RecordError> {
        self.set(name, "a string", |ty, _| match ty {
            Type::String => Some(Ok(Value::Str(value.into()))),
            _ => None,
        })
    }

    /// Sets a `Bool` attribute.
    pub fn set_bool(&mut self, name: &str, value: bool) -> Result<&mut Self, RecordError> {
        self.set(name, "a bool", |ty, _| match ty {
            Type::Bool => Some(Ok(Value::Bool(value))),
            _ => None,
        })
    }

    /// Sets an `Int` attribute.
    pub fn set_int(&mut self, name: &str, value: i64) -> Result<&mut Self, RecordError> {
        self.set(name, "an int", |ty, _| match ty {
            Type::Int => Some(Ok(Value::Int(value))),
            _ => None,
        })
    }

    /// Sets a `Decimal` attribute; NaN and infinities are a [`RecordErrorKind::WrongType`].
    pub fn set_decimal(&mut self, name: &str, value: f64) -> Result<&mut Self, RecordError> {
        let found = if value.is_finite() {
            "a decimal"
        } else {
            "a value that is not a finite number"
        };
        self.set(name, found, |ty, _| match ty {
            Type::Decimal if value.is_finite() => Some(Ok(Value::Decimal(value))),
            _ => None,
        })
    }

    /// Sets a `Money` attribute, in cents.
    pub fn set_money_cents(&mut self, name: &str, cents: i64) -> Result<&mut Self, RecordError> {
        self.set(name, "money", |ty, _| match ty {
            Type::Money => Some(Ok(Value::Money(cents))),
            _ => None,
        })
    }

    /// Sets a `Date` attribute.
    pub fn set_date(&mut self, name: &str, value: Date) -> Result<&mut Self, RecordError> {
        self.set(name, "a date", |ty, _| match ty {
            Type::Date => Some(Ok(Value::Date(value))),
            _ => None,
        })
    }

    /// Sets an `Enum` attribute to one of its values.
    pub fn set_enum(&mut self, name: &str, value: &str) -> Result<&mut Self, RecordError> {
        self.set(name, "an enum value", |ty, personal| match ty {
            Type::Enum(values) => Some(
                enum_index(values, value, &Path::Root, personal)
                    .map(Value::Enum)
                    .map_err(|e| e.kind),
            ),
            _ => None,
        })
    }

    /// Sets a `Set` attribute to the given values (repetitions allowed).
    pub fn set_set(&mut self, name: &str, values: &[&str]) -> Result<&mut Self, RecordError> {
        self.set(name, "a set", |ty, personal| match ty {
            Type::Set(declared) => Some(set_mask(declared, values, personal)),
            _ => None,
        })
    }

    /// Sets a `Record` attribute to a record built with [`RecordBuilder::builder_for`].
    pub fn set_record(
        &mut self,
        name: &str,
        record: RecordBuilder<'s>,
    ) -> Result<&mut Self, RecordError> {
        self.nested_fields(name, &record, false)?;
        let values = record.build().map_err(|e| e.within(name))?.values;
        self.set(name, "a record", |ty, _| match ty {
            Type::Record(_) => Some(Ok(Value::Record(values))),
            _ => None,
        })
    }

    /// Sets a `List` attribute to elements built with [`RecordBuilder::builder_for`].
    pub fn set_list(
        &mut self,
        name: &str,
        rows: Vec<RecordBuilder<'s>>,
    ) -> Result<&mut Self, RecordError> {
        let mut values = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            self.nested_fields(name, &row, true)?;
            let prefix = Path::Index(&Path::Field(&Path::Root, name), i).render();
            values.push(row.build().map_err(|e| e.within(&prefix))?.values);
        }
        self.set(name, "a list", |ty, _| match ty {
            Type::List(_) => Some(Ok(Value::List(values))),
            _ => None,
        })
    }

    /// Marks an `Optional` attribute as absent (the same as never setting it); for a required
    /// attribute this is a [`RecordErrorKind::Missing`].
    pub fn set_absent(&mut self, name: &str) -> Result<&mut Self, RecordError> {
        let (index, attr) = self.lookup(name)?;
        if !matches!(attr.ty, Type::Optional(_)) {
            return Err(RecordError::new(
                &Path::Field(&Path::Root, name),
                RecordErrorKind::Missing,
            ));
        }
        self.put(index, name, Value::Absent)
    }

    /// The record, or [`RecordErrorKind::Missing`] for the first required attribute not set.
    pub fn build(self) -> Result<Record, RecordError> {
        let mut out = Vec::with_capacity(self.values.len());
        for ((name, attr), value) in self.fields.iter().zip(self.values) {
            match value {
                Some(v) => out.push(v),
                None if matches!(attr.ty, Type::Optional(_)) => out.push(Value::Absent),
                None => {
                    return Err(RecordError::new(
                        &Path::Field(&Path::Root, name),
                        RecordErrorKind::Missing,
                    ))
                }
            }
        }
        Ok(Record { values: out })
    }

    /// The attribute `name`, with its position.
    fn lookup(&self, name: &str) -> Result<(usize, &'s crate::schema::Attribute), RecordError> {
        self.fields.get(name).ok_or_else(|| {
            RecordError::new(
                &Path::Field(&Path::Root, name),
                RecordErrorKind::Unknown {
                    suggestion: suggest(name, self.fields.0.iter().map(|(n, _)| n.as_str())),
                },
            )
        })
    }

    /// Checks that `nested` was made by `builder_for(name)` on this builder's fields.
    fn nested_fields(
        &self,
        name: &str,
        nested: &RecordBuilder<'s>,
        list: bool,
    ) -> Result<(), RecordError> {
        let (_, attr) = self.lookup(name)?;
        match (base(&attr.ty), list) {
            (Type::Record(f), false) | (Type::List(f), true) if std::ptr::eq(f, nested.fields) => {
                Ok(())
            }
            (Type::Record(_), false) | (Type::List(_), true) => Err(RecordError::new(
                &Path::Field(&Path::Root, name),
                RecordErrorKind::WrongType {
                    expected: format!("a record made by builder_for(\"{name}\")"),
                    found: "a record with other fields".into(),
                },
            )),
            (other, _) => {
                Err(self.builder_error(name, other, if list { "a list" } else { "a record" }))
            }
        }
    }

    fn builder_error(&self, name: &str, ty: &Type, found: &str) -> RecordError {
        RecordError::new(
            &Path::Field(&Path::Root, name),
            RecordErrorKind::WrongType {
                expected: ty.describe(),
                found: found.into(),
            },
        )
    }

    /// Looks `name` up, converts with `make` (given the type under `Optional` and whether the
    /// attribute is personal; `None` means the type does not match) and stores the value.
    fn set(
        &mut self,
        name: &str,
        found: &str,
        make: impl FnOnce(&Type, bool) -> Option<Result<Value, RecordErrorKind>>,
    ) -> Result<&mut Self, RecordError> {
        let (index, attr) = self.lookup(name)?;
        let path = Path::Field(&Path::Root, name);
        if matches!(self.values.get(index), Some(Some(_))) {
            return Err(RecordError::new(&path, RecordErrorKind::Duplicate));
        }
        let ty = base(&attr.ty);
        let value = match make(ty, attr.personal) {
            Some(Ok(v)) => v,
            Some(Err(kind)) => return Err(RecordError::new(&path, kind)),
            None => return Err(self.builder_error(name, &attr.ty, found)),
        };
        if let Err(v) = check_range(&attr.range, &value) {
            return Err(RecordError::new(
                &path,
                out_of_range(&value, v, attr.personal),
            ));
        }
        self.put(index, name, value)
    }

    fn put(&mut self, index: usize, name: &str, value: Value) -> Result<&mut Self, RecordError> {
        match self.values.get_mut(index) {
            Some(slot @ None) => {
                *slot = Some(value);
                Ok(self)
            }
            Some(Some(_)) => Err(RecordError::new(
                &Path::Field(&Path::Root, name),
                RecordErrorKind::Duplicate,
            )),
            None => Err(RecordError::new(
                &Path::Field(&Path::Root, name),
                RecordErrorKind::Unknown { suggestion: None },
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, Gender};

    fn attr(ty: Type) -> Attribute {
        Attribute {
            ty,
            description: None,
            personal: false,
            range: Default::default(),
        }
    }

    fn fields(list: Vec<(&str, Attribute)>) -> Fields {
        Fields(list.into_iter().map(|(n, a)| (n.to_owned(), a)).collect())
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    /// The schema of language-spec/examples/schema.ron.
    fn spec_schema() -> Schema {
        Schema {
            key: Some("codice_fiscale".into()),
            gender: Some(Gender {
                attribute: "sesso".into(),
                masculine: "M".into(),
                feminine: "F".into(),
            }),
            attributes: fields(vec![
                (
                    "codice_fiscale",
                    Attribute {
                        personal: true,
                        ..attr(Type::String)
                    },
                ),
                (
                    "nome",
                    Attribute {
                        personal: true,
                        ..attr(Type::String)
                    },
                ),
                ("sesso", attr(Type::Enum(strings(&["M", "F"])))),
                ("importo_mensile", attr(Type::Money)),
                ("data_primo_pagamento", attr(Type::Date)),
                ("durata_settimane", attr(Type::Int)),
                (
                    "modalita_pagamento",
                    attr(Type::Enum(strings(&["bonifico", "ufficio_postale"]))),
                ),
                (
                    "prestazioni",
                    attr(Type::Set(strings(&[
                        "quattordicesima",
                        "integrazione_al_minimo",
                        "maggiorazione_sociale",
                    ]))),
                ),
                ("eta", attr(Type::Int)),
                ("patronato", attr(Type::Bool)),
                ("contatti_aggiornati", attr(Type::Bool)),
                ("consenso_proattivo", attr(Type::Bool)),
                ("aliquota", attr(Type::Decimal)),
                (
                    "data_decorrenza",
                    attr(Type::Optional(Box::new(Type::Date))),
                ),
                (
                    "indirizzo",
                    attr(Type::Record(fields(vec![
                        ("comune", attr(Type::String)),
                        ("cap", attr(Type::Optional(Box::new(Type::String)))),
                    ]))),
                ),
                (
                    "figli",
                    attr(Type::List(fields(vec![
                        ("nome", attr(Type::String)),
                        ("eta", attr(Type::Int)),
                    ]))),
                ),
            ]),
        }
    }

    fn kind(r: Result<&mut RecordBuilder<'_>, RecordError>) -> RecordErrorKind {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.kind,
        }
    }

    fn full_builder(schema: &Schema) -> RecordBuilder<'_> {
        let mut b = RecordBuilder::new(schema);
        b.set_str("codice_fiscale", "RSSMRA80A01H501U")
            .unwrap()
            .set_str("nome", "Anna")
            .unwrap()
            .set_enum("sesso", "F")
            .unwrap()
            .set_money_cents("importo_mensile", 123_456)
            .unwrap()
            .set_date("data_primo_pagamento", Date::new(2024, 2, 29).unwrap())
            .unwrap()
            .set_int("durata_settimane", 20)
            .unwrap()
            .set_enum("modalita_pagamento", "ufficio_postale")
            .unwrap()
            .set_set("prestazioni", &["maggiorazione_sociale", "quattordicesima"])
            .unwrap()
            .set_int("eta", 67)
            .unwrap()
            .set_bool("patronato", true)
            .unwrap()
            .set_bool("contatti_aggiornati", false)
            .unwrap()
            .set_bool("consenso_proattivo", true)
            .unwrap()
            .set_decimal("aliquota", 0.75)
            .unwrap();
        let mut indirizzo = b.builder_for("indirizzo").unwrap();
        indirizzo.set_str("comune", "Roma").unwrap();
        b.set_record("indirizzo", indirizzo).unwrap();
        let mut figlio = b.builder_for("figli").unwrap();
        figlio
            .set_str("nome", "Luca")
            .unwrap()
            .set_int("eta", 12)
            .unwrap();
        b.set_list("figli", vec![figlio]).unwrap();
        b
    }

    #[test]
    fn builder_builds_in_schema_order() {
        let schema = spec_schema();
        let r = full_builder(&schema).build().unwrap();
        assert_eq!(r.values().len(), 16);
        assert_eq!(r.get(0), &Value::Str("RSSMRA80A01H501U".into()));
        assert_eq!(r.get(2), &Value::Enum(1));
        assert_eq!(r.get(3), &Value::Money(123_456));
        assert_eq!(r.get(7), &Value::Set(0b101));
        assert_eq!(r.get(12), &Value::Decimal(0.75));
        assert_eq!(r.get(13), &Value::Absent);
        assert!(r.get(13).is_absent());
        assert_eq!(
            r.get(14),
            &Value::Record(vec![Value::Str("Roma".into()), Value::Absent])
        );
        assert_eq!(
            r.get(15),
            &Value::List(vec![vec![Value::Str("Luca".into()), Value::Int(12)]])
        );
        assert_eq!(r.get(99), &Value::Absent);
        assert_eq!(r.get_by_name(&schema, "eta"), Some(&Value::Int(67)));
        assert_eq!(r.get_by_name(&schema, "nope"), None);
    }

    #[test]
    fn builder_errors() {
        let schema = spec_schema();
        let mut b = full_builder(&schema);
        assert_eq!(kind(b.set_int("eta", 1)), RecordErrorKind::Duplicate);
        assert_eq!(
            kind(b.set_int("etta", 1)),
            RecordErrorKind::Unknown {
                suggestion: Some("eta".into())
            }
        );
        assert_eq!(
            kind(b.set_str("data_decorrenza", "2024-01-01")),
            RecordErrorKind::WrongType {
                expected: "optional date".into(),
                found: "a string".into()
            }
        );
        assert!(matches!(
            kind(b.set_decimal("data_decorrenza", f64::NAN)),
            RecordErrorKind::WrongType { .. }
        ));
        b.set_absent("data_decorrenza").unwrap();
        assert_eq!(
            kind(b.set_absent("data_decorrenza")),
            RecordErrorKind::Duplicate
        );

        let mut b = RecordBuilder::new(&schema);
        assert_eq!(
            kind(b.set_enum("sesso", "f")),
            RecordErrorKind::NotInEnum {
                value: "f".into(),
                allowed: strings(&["M", "F"]),
                suggestion: Some("F".into())
            }
        );
        assert!(matches!(
            kind(b.set_set("prestazioni", &["tredicesima"])),
            RecordErrorKind::NotInEnum {
                suggestion: None,
                ..
            }
        ));
        assert_eq!(kind(b.set_absent("eta")), RecordErrorKind::Missing);
        assert!(matches!(
            kind(b.set_decimal("aliquota", f64::INFINITY)),
            RecordErrorKind::WrongType { .. }
        ));
        // A row for another list or record is refused.
        let row = b.builder_for("indirizzo").unwrap();
        assert!(matches!(
            kind(b.set_list("figli", vec![row])),
            RecordErrorKind::WrongType { .. }
        ));
        assert!(b.builder_for("eta").is_err());
        // Errors inside rows get the row's path.
        let mut row = b.builder_for("figli").unwrap();
        row.set_str("nome", "Luca").unwrap();
        let ok = b.builder_for("figli").unwrap();
        let mut ok2 = ok.clone();
        ok2.set_str("nome", "Eva")
            .unwrap()
            .set_int("eta", 3)
            .unwrap();
        let err = b.set_list("figli", vec![ok2, row]).unwrap_err();
        assert_eq!(err.path, "figli[1].eta");
        assert_eq!(err.kind, RecordErrorKind::Missing);
        assert_eq!(err.to_string(), "attribute \"figli[1].eta\" is missing");
        // The first missing required attribute.
        let e = RecordBuilder::new(&schema).build().unwrap_err();
        assert_eq!(e.path, "codice_fiscale");
        assert_eq!(e.kind, RecordErrorKind::Missing);
        let e = b.builder_for("indirizzo").unwrap();
        let e = b.set_record("indirizzo", e).unwrap_err();
        assert_eq!(e.path, "indirizzo.comune");
    }

    #[test]
    fn personal_values_are_not_shown() {
        let mut schema = spec_schema();
        if let Some((_, a)) = schema.attributes.0.get_mut(2) {
            a.personal = true;
        }
        let mut b = RecordBuilder::new(&schema);
        let e = b.set_enum("sesso", "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "attribute \"sesso\": expected one of M, F, found (value not shown: personal attribute)"
        );
        let mut b = RecordBuilder::new(&schema);
        let e = b.set_enum("sesso", "m").unwrap_err();
        assert!(matches!(
            e.kind,
            RecordErrorKind::NotInEnum {
                suggestion: None,
                ..
            }
        ));
    }

    #[test]
    fn invalid_schema_is_reported() {
        let many: Vec<String> = (0..65).map(|i| format!("v{i}")).collect();
        let schema = Schema {
            key: None,
            gender: None,
            attributes: fields(vec![("s", attr(Type::Set(many)))]),
        };
        let mut b = RecordBuilder::new(&schema);
        assert!(matches!(
            kind(b.set_set("s", &["v0"])),
            RecordErrorKind::InvalidSchema { .. }
        ));
    }

    #[test]
    fn display() {
        let e = |path: &str, kind| RecordError {
            path: path.into(),
            kind,
        };
        let cases = [
            (
                e(
                    "sesso",
                    RecordErrorKind::NotInEnum {
                        value: "f".into(),
                        allowed: strings(&["M", "F"]),
                        suggestion: Some("F".into()),
                    },
                ),
                "attribute \"sesso\": expected one of M, F, found \"f\" (did you mean \"F\"?)",
            ),
            (
                e("nome", RecordErrorKind::Missing),
                "attribute \"nome\" is missing",
            ),
            (
                e(
                    "",
                    RecordErrorKind::WrongType {
                        expected: "an object".into(),
                        found: "an array".into(),
                    },
                ),
                "the record: expected an object, found an array",
            ),
            (
                e(
                    "d",
                    RecordErrorKind::MalformedDate {
                        value: "2023-02-29".into(),
                    },
                ),
                "attribute \"d\": expected a date written YYYY-MM-DD, found \"2023-02-29\", a day that does not exist",
            ),
            (
                e(
                    "d",
                    RecordErrorKind::MalformedDate {
                        value: "29/02/2024".into(),
                    },
                ),
                "attribute \"d\": expected a date written YYYY-MM-DD, found \"29/02/2024\"",
            ),
            (
                e(
                    "m",
                    RecordErrorKind::MalformedMoney {
                        value: "1.234,50".into(),
                    },
                ),
                "attribute \"m\": expected an amount in euros written like \"1234.50\", found \"1.234,50\"",
            ),
            (
                e("m", RecordErrorKind::MoneyOutOfRange),
                "attribute \"m\": the amount is too large",
            ),
            (
                e(
                    "nme",
                    RecordErrorKind::Unknown {
                        suggestion: Some("nome".into()),
                    },
                ),
                "attribute \"nme\" is not in the schema (did you mean \"nome\"?)",
            ),
            (
                e("xyz", RecordErrorKind::Unknown { suggestion: None }),
                "attribute \"xyz\" is not in the schema",
            ),
            (
                e("nome", RecordErrorKind::Duplicate),
                "attribute \"nome\" is given more than once",
            ),
            (
                e(
                    "s",
                    RecordErrorKind::InvalidSchema {
                        reason: "a set has more than 64 values".into(),
                    },
                ),
                "attribute \"s\": the schema cannot be used: a set has more than 64 values",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
        }
        let boxed: Box<dyn std::error::Error> = Box::new(e("x", RecordErrorKind::Missing));
        assert_eq!(boxed.to_string(), "attribute \"x\" is missing");
    }

    #[test]
    fn suggestions() {
        let c = ["bonifico", "ufficio_postale"];
        assert_eq!(
            suggest("Bonifico", c.iter().copied()),
            Some("bonifico".into())
        );
        assert_eq!(
            suggest(" bonifico ", c.iter().copied()),
            Some("bonifico".into())
        );
        assert_eq!(
            suggest("bonifco", c.iter().copied()),
            Some("bonifico".into())
        );
        assert_eq!(suggest("posta", c.iter().copied()), None);
    }

    #[cfg(feature = "json")]
    mod json_tests {
        use super::*;
        use serde_json::{json, Value as J};

        fn valid() -> J {
            json!({
                "codice_fiscale": "RSSMRA80A01H501U",
                "nome": "Anna",
                "sesso": "F",
                "importo_mensile": 1234.56,
                "data_primo_pagamento": "2024-02-29",
                "durata_settimane": 20,
                "modalita_pagamento": "ufficio_postale",
                "prestazioni": ["maggiorazione_sociale", "quattordicesima", "quattordicesima"],
                "eta": 67,
                "patronato": true,
                "contatti_aggiornati": false,
                "consenso_proattivo": true,
                "aliquota": 0.75,
                "indirizzo": { "comune": "Roma", "cap": null },
                "figli": [{ "nome": "Luca", "eta": 12 }],
            })
        }

        fn with(key: &str, value: J) -> J {
            let mut v = valid();
            if let Some(o) = v.as_object_mut() {
                o.insert(key.to_owned(), value);
            }
            v
        }

        fn without(key: &str) -> J {
            let mut v = valid();
            if let Some(o) = v.as_object_mut() {
                o.remove(key);
            }
            v
        }

        fn err(v: &J) -> RecordError {
            Record::from_json(&spec_schema(), v).unwrap_err()
        }

        #[test]
        fn decodes_like_the_builder() {
            let schema = spec_schema();
            let from_json = Record::from_json(&schema, &valid()).unwrap();
            let built = full_builder(&schema).build().unwrap();
            assert_eq!(from_json, built);
        }

        #[test]
        fn optional_absent_or_null() {
            let schema = spec_schema();
            let r = Record::from_json(&schema, &with("data_decorrenza", J::Null)).unwrap();
            assert_eq!(r.get(13), &Value::Absent);
            let r =
                Record::from_json(&schema, &with("data_decorrenza", json!("2024-01-01"))).unwrap();
            assert_eq!(r.get(13), &Value::Date(Date::new(2024, 1, 1).unwrap()));
            let r =
                Record::from_json(&schema, &with("indirizzo", json!({"comune": "Bari"}))).unwrap();
            assert_eq!(
                r.get(14),
                &Value::Record(vec![Value::Str("Bari".into()), Value::Absent])
            );
            let r = Record::from_json(&schema, &with("figli", json!([]))).unwrap();
            assert_eq!(r.get(15), &Value::List(vec![]));
            let r = Record::from_json(&schema, &with("prestazioni", json!([]))).unwrap();
            assert_eq!(r.get(7), &Value::Set(0));
        }

        #[test]
        fn missing() {
            let e = err(&without("eta"));
            assert_eq!((e.path.as_str(), e.kind), ("eta", RecordErrorKind::Missing));
            let e = err(&with("eta", J::Null));
            assert_eq!(
                e.kind,
                RecordErrorKind::Null {
                    expected: "an integer".into()
                }
            );
            assert_eq!(
                e.to_string(),
                "attribute \"eta\" is null; expected an integer (only an optional attribute may \
                 be null or left out)"
            );
            let e = err(&with("data_primo_pagamento", J::Null));
            assert_eq!(
                e.to_string(),
                "attribute \"data_primo_pagamento\" is null; expected a date string \
                 \"YYYY-MM-DD\" (only an optional attribute may be null or left out)"
            );
            let e = err(&with(
                "figli",
                json!([{"nome": "A", "eta": 1}, {"nome": "B"}]),
            ));
            assert_eq!(e.path, "figli[1].eta");
            assert_eq!(e.kind, RecordErrorKind::Missing);
            let e = err(&with("indirizzo", json!({})));
            assert_eq!(e.path, "indirizzo.comune");
        }

        #[test]
        fn wrong_types() {
            let wrong = |key: &str, value: J| match err(&with(key, value)) {
                RecordError {
                    path,
                    kind: RecordErrorKind::WrongType { expected, found },
                } => (path, expected, found),
                other => panic!("{other:?}"),
            };
            assert_eq!(
                wrong("eta", json!(1.5)),
                ("eta".into(), "an integer".into(), "1.5".into())
            );
            assert_eq!(wrong("eta", json!(1.0)).2, "1.0");
            assert_eq!(wrong("eta", json!(u64::MAX)).1, "an integer");
            assert_eq!(wrong("eta", json!("67")).2, "\"67\"");
            assert_eq!(wrong("patronato", json!("true")).1, "true or false");
            assert_eq!(wrong("aliquota", json!("0,75")).1, "a number");
            assert_eq!(wrong("sesso", json!(1)).1, "one of M, F");
            assert_eq!(wrong("data_primo_pagamento", json!(20240229)).2, "20240229");
            assert_eq!(
                wrong("data_decorrenza", json!(true)).1,
                "a date string \"YYYY-MM-DD\" or null"
            );
            assert_eq!(wrong("importo_mensile", json!([1])).2, "an array");
            assert_eq!(wrong("indirizzo", json!("Roma")).1, "an object");
            assert_eq!(wrong("figli", json!({})).1, "an array of objects");
            assert_eq!(wrong("figli", json!([1])).0, "figli[0]");
            let (path, _, found) = wrong("prestazioni", json!(["quattordicesima", 3]));
            assert_eq!((path.as_str(), found.as_str()), ("prestazioni[1]", "3"));
            assert_eq!(
                wrong("prestazioni", json!("quattordicesima")).2,
                "\"quattordicesima\""
            );
            // Personal attributes: the kind of value, never the value.
            assert_eq!(wrong("nome", json!(42)).2, "a number");
            assert_eq!(wrong("codice_fiscale", json!(["X"])).2, "an array");
            // Long strings are shortened.
            let long = "a".repeat(100);
            assert_eq!(
                wrong("eta", json!(long)).2,
                format!("\"{}…\"", "a".repeat(40))
            );
            // The top level must be an object.
            let e = err(&json!([1, 2]));
            assert_eq!(e.path, "");
            assert_eq!(
                e.to_string(),
                "the record: expected an object, found an array"
            );
        }

        #[test]
        fn not_in_enum() {
            let e = err(&with("sesso", json!("f")));
            assert_eq!(
                e.to_string(),
                "attribute \"sesso\": expected one of M, F, found \"f\" (did you mean \"F\"?)"
            );
            let e = err(&with("modalita_pagamento", json!("bonifco")));
            assert!(matches!(
                e.kind,
                RecordErrorKind::NotInEnum { suggestion: Some(ref s), .. } if s == "bonifico"
            ));
            let e = err(&with("modalita_pagamento", json!("assegno")));
            assert!(matches!(
                e.kind,
                RecordErrorKind::NotInEnum {
                    suggestion: None,
                    ..
                }
            ));
            let e = err(&with(
                "prestazioni",
                json!(["quattordicesima", "tredicesima"]),
            ));
            assert_eq!(e.path, "prestazioni[1]");
            assert!(matches!(e.kind, RecordErrorKind::NotInEnum { .. }));
        }

        #[test]
        fn malformed_dates() {
            for bad in [
                "2023-02-29",
                "29/02/2024",
                "2024-2-29",
                "",
                "2024-02-29T10:00:00",
            ] {
                let e = err(&with("data_primo_pagamento", json!(bad)));
                assert_eq!(
                    e.kind,
                    RecordErrorKind::MalformedDate { value: bad.into() },
                    "{bad}"
                );
            }
            let e = err(&with("data_decorrenza", json!("2023-02-29")));
            assert_eq!(e.path, "data_decorrenza");
        }

        #[test]
        fn money() {
            let schema = spec_schema();
            let cents = |v: J| match Record::from_json(&schema, &with("importo_mensile", v)) {
                Ok(r) => match r.get(3) {
                    Value::Money(c) => Ok(*c),
                    other => panic!("{other:?}"),
                },
                Err(e) => Err(e.kind),
            };
            assert_eq!(cents(json!(1234.5)), Ok(123_450));
            assert_eq!(cents(json!(500)), Ok(50_000));
            assert_eq!(cents(json!(-12)), Ok(-1200));
            assert_eq!(cents(json!(1.5e1)), Ok(1500));
            assert_eq!(cents(json!(1e12)), Ok(100_000_000_000_000));
            // More than two decimals: refused, never rounded, as a number or as a string.
            for (v, written) in [
                (json!(0.005), "0.005"),
                (json!(1.005), "1.005"),
                (json!(999.999), "999.999"),
                (json!(1234.567), "1234.567"),
                (json!(-0.125), "-0.125"),
                (json!("1234.567"), "1234.567"),
                (json!(" 0.005 "), "0.005"),
                (json!("1.234"), "1.234"),
            ] {
                assert_eq!(
                    cents(v),
                    Err(RecordErrorKind::MoneyPrecision {
                        value: written.into()
                    }),
                    "{written}"
                );
            }
            assert_eq!(cents(json!("1234.50")), Ok(123_450));
            assert_eq!(cents(json!("1234.5")), Ok(123_450));
            assert_eq!(cents(json!("1234")), Ok(123_400));
            assert_eq!(cents(json!("-12.00")), Ok(-1200));
            assert_eq!(cents(json!(" 7.05 ")), Ok(705));
            assert_eq!(cents(json!("92233720368547758.07")), Ok(i64::MAX));
            for bad in [
                "1.234,50", "12,5", "€ 12", "1.", ".5", "-", "", "1e3", "+5", "--1",
            ] {
                assert_eq!(
                    cents(json!(bad)),
                    Err(RecordErrorKind::MalformedMoney { value: bad.into() }),
                    "{bad}"
                );
            }
            assert_eq!(cents(json!(1e20)), Err(RecordErrorKind::MoneyOutOfRange));
            assert_eq!(
                cents(json!(i64::MAX)),
                Err(RecordErrorKind::MoneyOutOfRange)
            );
            assert_eq!(
                cents(json!(u64::MAX)),
                Err(RecordErrorKind::MoneyOutOfRange)
            );
            assert_eq!(
                cents(json!("99999999999999999999")),
                Err(RecordErrorKind::MoneyOutOfRange)
            );
            assert!(matches!(
                cents(json!(true)),
                Err(RecordErrorKind::WrongType { .. })
            ));
        }

        #[test]
        fn unknown_attributes() {
            let mut v = without("nome");
            if let Some(o) = v.as_object_mut() {
                o.insert("nme".into(), json!("Anna"));
            }
            let e = err(&v);
            assert_eq!(e.path, "nme");
            assert_eq!(
                e.kind,
                RecordErrorKind::Unknown {
                    suggestion: Some("nome".into())
                }
            );
            let e = err(&with(
                "figli",
                json!([{"nome": "A", "eta": 1, "sesso": "M"}]),
            ));
            assert_eq!(e.path, "figli[0].sesso");
            assert_eq!(e.kind, RecordErrorKind::Unknown { suggestion: None });
        }

        #[test]
        fn invalid_schema() {
            let many: Vec<String> = (0..65).map(|i| format!("v{i}")).collect();
            let schema = Schema {
                key: None,
                gender: None,
                attributes: fields(vec![("s", attr(Type::Set(many)))]),
            };
            let e = Record::from_json(&schema, &json!({"s": ["v1"]})).unwrap_err();
            assert!(matches!(e.kind, RecordErrorKind::InvalidSchema { .. }));
        }

        #[test]
        fn personal_values_are_not_quoted() {
            let mut schema = spec_schema();
            if let Some((_, a)) = schema.attributes.0.get_mut(4) {
                a.personal = true;
            }
            let e = Record::from_json(&schema, &with("data_primo_pagamento", json!("1980-02-30")))
                .unwrap_err();
            assert_eq!(
                e.kind,
                RecordErrorKind::MalformedDate {
                    value: REDACTED.into()
                }
            );
            assert!(!e.to_string().contains("1980"));
            // Personal parents make their fields personal.
            if let Some((_, a)) = schema.attributes.0.get_mut(15) {
                a.personal = true;
            }
            let e = Record::from_json(&schema, &with("figli", json!([{"nome": 5, "eta": 1}])))
                .unwrap_err();
            assert!(matches!(
                e.kind,
                RecordErrorKind::WrongType { ref found, .. } if found == "a number"
            ));
        }
    }
}
