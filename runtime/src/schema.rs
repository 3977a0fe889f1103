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
