//! Recipients from CSV: columns mapped to the schema's attributes by the header row.
//!
//! The convention (also in `guide render --help` and the README):
//!
//! - The first row names the columns: each is an attribute of the schema. Columns may come in
//!   any order. A column the schema does not declare, a repeated column, or a required
//!   attribute without a column stops the run before any record is read (exit code 2).
//! - A cell is read as the attribute's type says: `String` as it is; `Bool` `true` or `false`;
//!   `Int` an integer (`1234`); `Decimal` a number with a dot (`0.75`); `Money` an amount of
//!   euros with a dot and at most two decimals (`1234.50`); `Date` `YYYY-MM-DD`; `Enum` one of
//!   its values; `Set` its values separated by `|` (`quattordicesima|importo_aggiuntivo`, an
//!   empty cell is the empty set).
//! - An empty cell is an absent value: fine for an `Optional` attribute, a missing value for a
//!   required one, except that a required `String` takes it as the empty string.
//! - A nested `Record` attribute is given field by field, in columns named with a dot:
//!   `indirizzo.comune`, `indirizzo.cap`. An optional record whose cells are all empty is absent.
//! - A `List` attribute is one column holding the list as JSON, an array of objects
//!   (`[{"nome":"Luca","eta":12}]`; an empty cell is the empty list). Lists have no column-wise
//!   form: for them JSON Lines is the natural input.
//!
//! A row is turned into a JSON object and checked by [`guide_runtime::Record::from_json`], so a
//! CSV record is accepted or rejected, with the same messages, exactly as the same record in
//! JSON Lines, and gives the same timeline.

use guide_runtime::schema::{Fields, Schema, Type};
use serde_json::{Map, Number, Value as J};

/// How the columns of a CSV file map to a schema.
#[derive(Debug, Clone)]
pub struct CsvMap {
    /// Per column: the attribute path (names) and the type of the leaf.
    columns: Vec<(Vec<String>, Type)>,
    /// The column of the schema's key attribute, if any.
    key_column: Option<usize>,
}

/// The type under any `Optional`.
fn base(t: &Type) -> &Type {
    match t {
        Type::Optional(i) => base(i),
        t => t,
    }
}

impl CsvMap {
    /// Maps the header row to `schema`; an error says which column is wrong and why.
    pub fn new(schema: &Schema, headers: &[String]) -> Result<CsvMap, String> {
        let mut columns = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim();
            if headers.iter().take(i).any(|other| other.trim() == h) {
                return Err(format!("the column {h:?} is given more than once"));
            }
            let path: Vec<String> = h.split('.').map(str::to_owned).collect();
            let ty = leaf_type(&schema.attributes, &path).ok_or_else(|| {
                let names: Vec<&str> = schema.attributes.iter().map(|(n, _)| n).collect();
                format!(
                    "the column {h:?} is not an attribute of the schema (attributes: {}; a field \
                     of a nested record is written parent.field)",
                    names.join(", ")
                )
            })?;
            columns.push((path, ty));
        }
        for (name, attr) in schema.attributes.iter() {
            let covered = columns
                .iter()
                .any(|(p, _)| p.first().is_some_and(|f| f == name));
            if !covered && !matches!(attr.ty, Type::Optional(_)) {
                return Err(format!(
                    "no column for the required attribute {name:?} ({})",
                    attr.ty.describe()
                ));
            }
        }
        let key_column = schema.key.as_ref().and_then(|k| {
            columns
                .iter()
                .position(|(p, _)| p.len() == 1 && p.first() == Some(k))
        });
        Ok(CsvMap {
            columns,
            key_column,
        })
    }

    /// The key attribute's cell of a row, if the schema declares a key and the row has it.
    pub fn key<'r>(&self, row: &'r [&'r str]) -> Option<&'r str> {
        self.key_column.and_then(|i| row.get(i).copied())
    }

    /// The row as a JSON object, to be checked against the schema; an error when the row does
    /// not have as many cells as the header.
    pub fn to_json(&self, schema: &Schema, row: &[&str]) -> Result<J, String> {
        if row.len() != self.columns.len() {
            return Err(format!(
                "the row has {} cells, the header has {} columns",
                row.len(),
                self.columns.len()
            ));
        }
        let mut obj = Map::new();
        for ((path, ty), cell) in self.columns.iter().zip(row) {
            if let Some(v) = cell_value(ty, cell) {
                insert(&mut obj, path, v);
            }
        }
        drop_empty_optional_records(&schema.attributes, &mut obj);
        Ok(J::Object(obj))
    }
}

/// The type of the attribute at `path` (names through nested records); a `List` only as a
/// whole.
fn leaf_type(fields: &Fields, path: &[String]) -> Option<Type> {
    let (first, rest) = path.split_first()?;
    let (_, attr) = fields.get(first)?;
    if rest.is_empty() {
        return match base(&attr.ty) {
            Type::Record(_) => None,
            _ => Some(attr.ty.clone()),
        };
    }
    match base(&attr.ty) {
        Type::Record(f) => leaf_type(f, rest),
        _ => None,
    }
}

/// A cell read as its type says; `None` for an absent value.
fn cell_value(ty: &Type, cell: &str) -> Option<J> {
    let optional = matches!(ty, Type::Optional(_));
    let ty = base(ty);
    if cell.is_empty() {
        return match ty {
            Type::String if !optional => Some(J::String(String::new())),
            Type::Set(_) | Type::List(_) if !optional => Some(J::Array(Vec::new())),
            _ => None,
        };
    }
    let text = || J::String(cell.to_owned());
    Some(match ty {
        Type::Bool => match cell.trim() {
            "true" => J::Bool(true),
            "false" => J::Bool(false),
            _ => text(),
        },
        Type::Int => cell
            .trim()
            .parse::<i64>()
            .map_or_else(|_| text(), |i| J::Number(i.into())),
        Type::Decimal => cell
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(text, J::Number),
        Type::Set(_) => J::Array(
            cell.split('|')
                .map(|v| J::String(v.trim().to_owned()))
                .collect(),
        ),
        Type::List(_) => serde_json::from_str::<J>(cell).unwrap_or_else(|_| text()),
        _ => text(),
    })
}

/// Puts `v` at `path`, creating nested objects.
fn insert(obj: &mut Map<String, J>, path: &[String], v: J) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        obj.insert(first.clone(), v);
        return;
    }
    let entry = obj
        .entry(first.clone())
        .or_insert_with(|| J::Object(Map::new()));
    if let J::Object(inner) = entry {
        insert(inner, rest, v);
    }
}

/// Required nested records get an object even when all their cells are empty (so that the
/// error names the missing field); optional ones stay absent.
fn drop_empty_optional_records(fields: &Fields, obj: &mut Map<String, J>) {
    for (name, attr) in fields.iter() {
        if let Type::Record(f) = base(&attr.ty) {
            let present = obj.contains_key(name);
            if !present && !matches!(attr.ty, Type::Optional(_)) {
                obj.insert(name.to_owned(), J::Object(Map::new()));
            }
            if let Some(J::Object(inner)) = obj.get_mut(name) {
                drop_empty_optional_records(f, inner);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use guide_runtime::schema::Attribute;

    fn attr(ty: Type) -> Attribute {
        Attribute {
            ty,
            description: None,
            personal: false,
            range: Default::default(),
        }
    }

    fn schema() -> Schema {
        let ind = Fields(vec![
            ("comune".into(), attr(Type::String)),
            ("cap".into(), attr(Type::Optional(Box::new(Type::String)))),
        ]);
        let figli = Fields(vec![("eta".into(), attr(Type::Int))]);
        Schema {
            key: Some("cf".into()),
            gender: None,
            attributes: Fields(vec![
                ("cf".into(), attr(Type::String)),
                ("eta".into(), attr(Type::Int)),
                ("ok".into(), attr(Type::Bool)),
                ("importo".into(), attr(Type::Money)),
                ("p".into(), attr(Type::Set(vec!["a".into(), "b".into()]))),
                ("d".into(), attr(Type::Optional(Box::new(Type::Date)))),
                ("indirizzo".into(), attr(Type::Record(ind))),
                ("figli".into(), attr(Type::List(figli))),
            ]),
        }
    }

    fn heads(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn maps_rows() {
        let s = schema();
        let h = heads(&[
            "cf",
            "eta",
            "ok",
            "importo",
            "p",
            "d",
            "indirizzo.comune",
            "indirizzo.cap",
            "figli",
        ]);
        let m = CsvMap::new(&s, &h).expect("maps");
        let row = [
            "X1",
            "42",
            "true",
            "1234.50",
            "a|b",
            "",
            "Roma",
            "",
            "[{\"eta\":3}]",
        ];
        let j = m.to_json(&s, &row).expect("row");
        assert_eq!(
            j,
            serde_json::json!({"cf":"X1","eta":42,"ok":true,"importo":"1234.50","p":["a","b"],
                "indirizzo":{"comune":"Roma"},"figli":[{"eta":3}]})
        );
        assert_eq!(m.key(&row), Some("X1"));
        assert!(m.to_json(&s, &row[..3]).is_err());
    }

    #[test]
    fn bad_headers() {
        let s = schema();
        assert!(CsvMap::new(&s, &heads(&["cf", "cf"])).is_err());
        assert!(CsvMap::new(&s, &heads(&["cf", "nome"])).is_err());
        let e = CsvMap::new(&s, &heads(&["cf"])).unwrap_err();
        assert!(e.contains("\"eta\""), "{e}");
        assert!(CsvMap::new(&s, &heads(&["indirizzo"])).is_err());
    }
}
