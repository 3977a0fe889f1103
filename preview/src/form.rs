//! The recipient form, described from the schema: one typed field per attribute, which the page
//! turns into inputs (an enum is a select, a set a group of checkboxes, a date a date picker,
//! money a euro amount, an optional attribute a "present" switch in front of its input).

use guide_runtime::schema::{Schema, Type};
use serde::Serialize;

/// One field of the form.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Field {
    /// The attribute name, also the record's key.
    pub name: String,
    /// The schema's description, if any.
    pub description: Option<String>,
    /// Whether the attribute identifies a person.
    pub personal: bool,
    /// `string`, `bool`, `int`, `decimal`, `money`, `date`, `enum`, `set`, or `json` (a nested
    /// record or a list, edited as JSON text).
    pub kind: &'static str,
    /// Whether the attribute may be absent.
    pub optional: bool,
    /// The values of an enum or a set.
    pub options: Vec<String>,
    /// The type in words, for the hint: `money`, `optional date`.
    pub type_name: String,
}

/// The fields of the top-level attributes, in schema order.
pub fn fields(schema: &Schema) -> Vec<Field> {
    schema
        .attributes
        .iter()
        .map(|(name, attr)| {
            let (inner, optional) = match &attr.ty {
                Type::Optional(t) => (t.as_ref(), true),
                t => (t, false),
            };
            let (kind, options) = match inner {
                Type::String => ("string", Vec::new()),
                Type::Bool => ("bool", Vec::new()),
                Type::Int => ("int", Vec::new()),
                Type::Decimal => ("decimal", Vec::new()),
                Type::Money => ("money", Vec::new()),
                Type::Date => ("date", Vec::new()),
                Type::Enum(v) => ("enum", v.clone()),
                Type::Set(v) => ("set", v.clone()),
                Type::Optional(_) | Type::Record(_) | Type::List(_) => ("json", Vec::new()),
            };
            Field {
                name: name.to_string(),
                description: attr.description.clone(),
                personal: attr.personal,
                kind,
                optional,
                options,
                type_name: attr.ty.describe(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_fields() {
        let file = guide_compiler::diagnostic::SourceFile::new(
            "schema.ron",
            r#"(attributes: {
                "nome": (type: String, personal: true, description: "Nome"),
                "modo": (type: Enum(["a", "b"])),
                "prest": (type: Set(["x", "y"])),
                "reddito": (type: Optional(Money)),
                "figli": (type: List({ "eta": (type: Int) })),
            })"#,
        );
        let schema: Schema = guide_compiler::schema::load(&file).expect("schema");
        let f = fields(&schema);
        let kinds: Vec<(&str, bool)> = f.iter().map(|f| (f.kind, f.optional)).collect();
        assert_eq!(
            kinds,
            [
                ("string", false),
                ("enum", false),
                ("set", false),
                ("money", true),
                ("json", false)
            ]
        );
        assert!(f[0].personal);
        assert_eq!(f[1].options, ["a", "b"]);
        assert_eq!(f[3].type_name, "optional money");
    }
}
