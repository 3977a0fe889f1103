//! The recipient data schema: which attributes a record has and of what type.
//!
//! A schema is written by campaign authors as a RON file (parsed by the compiler) and embedded in
//! the bytecode, so that the runtime checks every record against the same declaration the compiler
//! type-checked the storyboard with.

use serde::{Deserialize, Serialize};

/// The type of an attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Type {
    /// UTF-8 text.
    String,
    /// `true` or `false`.
    Bool,
    /// A signed 64-bit integer.
    Int,
    /// A decimal number (IEEE double).
    Decimal,
    /// An amount of euros, held in cents.
    Money,
    /// A calendar date (proleptic Gregorian).
    Date,
    /// One value of a closed set of names.
    Enum(Vec<String>),
    /// Any subset of a closed set of names (at most 64).
    Set(Vec<String>),
    /// The inner type, or absent.
    Optional(Box<Type>),
    /// A nested record.
    Record(Fields),
    /// A list of records.
    List(Fields),
}

/// Ordered named fields of a record (also the top level of a schema).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fields(#[serde(with = "ordered_map")] pub Vec<(String, Attribute)>);

impl Fields {
    /// The field called `name`, with its position.
    pub fn get(&self, name: &str) -> Option<(usize, &Attribute)> {
        self.0
            .iter()
            .enumerate()
            .find(|(_, (n, _))| n == name)
            .map(|(i, (_, a))| (i, a))
    }

    /// Iterates over the fields in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Attribute)> {
        self.0.iter().map(|(n, a)| (n.as_str(), a))
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One declared attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attribute {
    /// Its type.
    #[serde(rename = "type")]
    pub ty: Type,
    /// What it means, for people reading the schema and the preview form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it identifies a person (name, fiscal code): never logged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub personal: bool,
    /// The bounds its values must respect (`min`, `max`, `max_length` in the schema), checked
    /// when records are read; for an `Optional` attribute they bound the value when present.
    /// [`Range::default`] (no bound) for most attributes.
    #[serde(default, skip_serializing_if = "Range::is_unbounded")]
    pub range: Range,
}

impl Attribute {
    /// The attribute's declared maximum length in characters (Unicode scalar values), for a
    /// `String` (or `Optional(String)`) declared with `max_length`. Values read from records
    /// never exceed it.
    pub fn max_length(&self) -> Option<u32> {
        self.range.max_length
    }
}

/// The bounds declared on an attribute's values: `min` and `max` (inclusive) for `Int`,
/// `Decimal` and `Money`, `max_length` (in characters) for `String`. A record whose value is
/// outside them is rejected when it is read ([`crate::RecordErrorKind::OutOfRange`]); the
/// compiler uses them to find conditions that are always true or false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Range {
    /// The least value allowed, in the attribute's own unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Bound>,
    /// The greatest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Bound>,
    /// The most characters (Unicode scalar values) a string may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
}

/// One bound of a numeric [`Range`], of the attribute's type.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub enum Bound {
    /// For an `Int`.
    Int(i64),
    /// For a `Money`, in cents.
    Cents(i64),
    /// For a `Decimal` (always finite).
    Decimal(f64),
}

impl PartialEq for Bound {
    fn eq(&self, other: &Bound) -> bool {
        match (self, other) {
            (Bound::Int(a), Bound::Int(b)) | (Bound::Cents(a), Bound::Cents(b)) => a == b,
            (Bound::Decimal(a), Bound::Decimal(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl Eq for Bound {}

impl std::hash::Hash for Bound {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Bound::Int(v) => (0u8, *v).hash(state),
            Bound::Cents(v) => (1u8, *v).hash(state),
            Bound::Decimal(v) => (2u8, v.to_bits()).hash(state),
        }
    }
}

impl std::fmt::Display for Bound {
    /// As a record writes it: `40`, `0.5`, `1234.50` (euros).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Int(v) => write!(f, "{v}"),
            Bound::Decimal(v) => write!(f, "{v}"),
            Bound::Cents(c) => {
                let sign = if *c < 0 { "-" } else { "" };
                let a = c.unsigned_abs();
                write!(f, "{sign}{}.{:02}", a / 100, a % 100)
            }
        }
    }
}

/// How a value breaks a [`Range`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    /// Less than `min`.
    BelowMin(Bound),
    /// More than `max`.
    AboveMax(Bound),
    /// A string longer than `max_length` characters.
    TooLong {
        /// The bound.
        max_length: u32,
        /// The string's length, in characters.
        length: usize,
    },
}

impl Range {
    /// Whether no bound is declared.
    pub fn is_unbounded(&self) -> bool {
        *self == Range::default()
    }

    /// Whether the bounds are of `ty`'s kind (under any `Optional`): numeric bounds of the
    /// right unit for `Int`, `Decimal`, `Money`, finite, `min <= max`; `max_length` for
    /// `String` only. The compiler refuses other schemas; the bytecode loader checks it.
    pub fn fits(&self, ty: &Type) -> bool {
        let mut ty = ty;
        while let Type::Optional(inner) = ty {
            ty = inner;
        }
        let kind = |b: &Option<Bound>| match (b, ty) {
            (None, _) => true,
            (Some(Bound::Int(_)), Type::Int) | (Some(Bound::Cents(_)), Type::Money) => true,
            (Some(Bound::Decimal(d)), Type::Decimal) => d.is_finite(),
            _ => false,
        };
        let ordered = match (self.min, self.max) {
            (Some(Bound::Int(a)), Some(Bound::Int(b)))
            | (Some(Bound::Cents(a)), Some(Bound::Cents(b))) => a <= b,
            (Some(Bound::Decimal(a)), Some(Bound::Decimal(b))) => a <= b,
            _ => true,
        };
        kind(&self.min)
            && kind(&self.max)
            && ordered
            && (self.max_length.is_none() || *ty == Type::String)
    }

    /// Checks an `Int` value.
    pub fn check_int(&self, v: i64) -> Result<(), Violation> {
        self.check_ordered(|b| match b {
            Bound::Int(b) => v.cmp(&b),
            _ => std::cmp::Ordering::Equal,
        })
    }

    /// Checks a `Money` value, in cents.
    pub fn check_cents(&self, v: i64) -> Result<(), Violation> {
        self.check_ordered(|b| match b {
            Bound::Cents(b) => v.cmp(&b),
            _ => std::cmp::Ordering::Equal,
        })
    }

    /// Checks a `Decimal` value (finite).
    pub fn check_decimal(&self, v: f64) -> Result<(), Violation> {
        self.check_ordered(|b| match b {
            Bound::Decimal(b) => v.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
            _ => std::cmp::Ordering::Equal,
        })
    }

    /// Checks a `String` value's length.
    pub fn check_str(&self, s: &str) -> Result<(), Violation> {
        match self.max_length {
            // Bytes bound characters from above: most strings need no count.
            Some(max) if s.len() > max as usize => {
                let length = s.chars().count();
                if length > max as usize {
                    return Err(Violation::TooLong {
                        max_length: max,
                        length,
                    });
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn check_ordered(&self, cmp: impl Fn(Bound) -> std::cmp::Ordering) -> Result<(), Violation> {
        if let Some(min) = self.min {
            if cmp(min).is_lt() {
                return Err(Violation::BelowMin(min));
            }
        }
        if let Some(max) = self.max {
            if cmp(max).is_gt() {
                return Err(Violation::AboveMax(max));
            }
        }
        Ok(())
    }
}

/// Which attribute carries the recipient's grammatical gender, and which values mean what.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Gender {
    /// The attribute (an enum).
    pub attribute: String,
    /// The enum value for masculine agreement.
    pub masculine: String,
    /// The enum value for feminine agreement.
    pub feminine: String,
}

/// A campaign's recipient schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Schema {
    /// The attribute that names a record (in rejects files and output folders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The gender attribute used by `[masculine|feminine]` agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// The attributes, in declaration order.
    pub attributes: Fields,
}

impl Type {
    /// A short name for messages: `money`, `optional date`, `enum`...
    pub fn describe(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Bool => "bool".into(),
            Type::Int => "int".into(),
            Type::Decimal => "decimal".into(),
            Type::Money => "money".into(),
            Type::Date => "date".into(),
            Type::Enum(v) => format!("enum ({})", v.join(", ")),
            Type::Set(v) => format!("set of ({})", v.join(", ")),
            Type::Optional(t) => format!("optional {}", t.describe()),
            Type::Record(_) => "record".into(),
            Type::List(_) => "list of records".into(),
        }
    }
}

mod ordered_map {
    //! Serialises `Vec<(String, Attribute)>` as a map while keeping the declaration order.
    use super::Attribute;
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(v: &[(String, Attribute)], s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(v.len()))?;
        for (k, a) in v {
            m.serialize_entry(k, a)?;
        }
        m.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(String, Attribute)>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<(String, Attribute)>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of attribute names to attributes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Attribute>()? {
                    out.push((k, v));
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}
