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
//! - The separator is `,` or `;`, from the header row ([`detect_separator`]); with
//!   [`Locale::Italian`] (`--input csv-it`) amounts, decimals and dates are read as Italian
//!   spreadsheets write them (`1.234,56`, `0,75`, `01/05/2024`).
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
use std::io::{Read, Seek, SeekFrom};

/// How the cells of numbers and dates are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// `1234.56`, `0.75`, `2024-05-01` (as in JSON Lines).
    #[default]
    Standard,
    /// As spreadsheets in Italian export them (`--input csv-it`): `1.234,56` (a dot only
    /// between groups of three digits, a comma before the decimals), `0,75`, `01/05/2024`
    /// (day/month/year). A cell in another form is left as written: the standard form
    /// (`1234.56`, ISO dates) reads as in JSON Lines, anything else is refused, never guessed.
    Italian,
}

/// The separator of a CSV file, from its header row: `;` when the header has a `;` and no
/// `,`, else `,`. Attribute names have neither, so the rule is never ambiguous for a header
/// that maps to a schema. The file is read from its start and left there.
pub fn detect_separator<F: Read + Seek>(file: &mut F) -> std::io::Result<u8> {
    let mut head = Vec::with_capacity(4096);
    file.by_ref().take(64 * 1024).read_to_end(&mut head)?;
    file.seek(SeekFrom::Start(0))?;
    let line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let mut quoted = false;
    let (mut commas, mut semicolons) = (0usize, 0usize);
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    Ok(if semicolons > 0 && commas == 0 {
        b';'
    } else {
        b','
    })
}

/// How the columns of a CSV file map to a schema.
#[derive(Debug, Clone)]
pub struct CsvMap {
    /// Per column: the attribute path (names) and the type of the leaf.
    columns: Vec<(Vec<String>, Type)>,
    /// The column of the schema's key attribute, if any.
    key_column: Option<usize>,
    /// How numbers and dates are written.
    locale: Locale,
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
                let hint = [(';', "`;`"), ('\t', "tabs"), (',', "`,`"), ('|', "`|`")]
                    .iter()
                    .find(|(c, _)| h.contains(*c))
                    .map(|(_, name)| {
                        format!(
                            "; this header looks separated by {name}: the separator is detected \
                             from the header (`;` when it has a `;` and no `,`, else `,`), so \
                             save the file as CSV with `,` or `;`"
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "the column {h:?} is not an attribute of the schema (attributes: {}; a field \
                     of a nested record is written parent.field){hint}",
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
            locale: Locale::Standard,
        })
    }

    /// The same map, reading numbers and dates as `locale` writes them.
    pub fn with_locale(mut self, locale: Locale) -> CsvMap {
        self.locale = locale;
        self
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
            let cell = match self.locale {
                Locale::Standard => std::borrow::Cow::Borrowed(*cell),
                Locale::Italian => italian(ty, cell),
            };
            if let Some(v) = cell_value(ty, &cell) {
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
        // An amount written as a JSON number is read as JSON Lines reads that number (exactly,
        // or refused); any other text is read as a JSON string amount would be.
        Type::Money => {
            serde_json::from_str::<Number>(cell.trim()).map_or_else(|_| text(), J::Number)
        }
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

/// A cell written the Italian way, in the standard form its type reads: `1.234,56` is
/// `1234.56`, `01/05/2024` is `2024-05-01`. Anything else is returned as written.
fn italian<'c>(ty: &Type, cell: &'c str) -> std::borrow::Cow<'c, str> {
    use std::borrow::Cow;
    let t = cell.trim();
    match base(ty) {
        Type::Money | Type::Decimal => {
            let (sign, rest) = t.strip_prefix('-').map_or(("", t), |r| ("-", r));
            let (whole, frac) = rest
                .split_once(',')
                .map_or((rest, None), |(w, f)| (w, Some(f)));
            let groups: Vec<&str> = whole.split('.').collect();
            let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
            let grouped = groups.iter().all(|g| digits(g))
                && groups.iter().skip(1).all(|g| g.len() == 3)
                && groups
                    .first()
                    .is_some_and(|g| g.len() <= 3 || groups.len() == 1);
            if !grouped || frac.is_some_and(|f| !digits(f)) {
                return Cow::Borrowed(cell);
            }
            let mut out = format!("{sign}{}", groups.concat());
            if let Some(f) = frac {
                out.push('.');
                out.push_str(f);
            }
            Cow::Owned(out)
        }
        Type::Date => {
            let parts: Vec<&str> = t.split('/').collect();
            match parts.as_slice() {
                [d, m, y]
                    if d.len() <= 2
                        && m.len() <= 2
                        && y.len() == 4
                        && [d, m, y]
                            .iter()
                            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
                        && !d.is_empty()
                        && !m.is_empty() =>
                {
                    Cow::Owned(format!("{y}-{m:0>2}-{d:0>2}"))
                }
                _ => Cow::Borrowed(cell),
            }
        }
        _ => Cow::Borrowed(cell),
    }
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
            serde_json::json!({"cf":"X1","eta":42,"ok":true,"importo":1234.5,"p":["a","b"],
                "indirizzo":{"comune":"Roma"},"figli":[{"eta":3}]})
        );
        assert_eq!(m.key(&row), Some("X1"));
        assert!(m.to_json(&s, &row[..3]).is_err());
    }

    #[test]
    fn the_separator_comes_from_the_header() {
        let sep = |text: &str| {
            let mut c = std::io::Cursor::new(text.as_bytes().to_vec());
            let s = detect_separator(&mut c).expect("reads");
            assert_eq!(c.position(), 0);
            char::from(s)
        };
        assert_eq!(sep("cf;eta;importo\nX;1;1.234,56\n"), ';');
        assert_eq!(sep("cf,eta,importo\nX;1;2\n"), ',');
        assert_eq!(sep("cf\nX\n"), ',');
        assert_eq!(sep("\"a;b\",c\n"), ',');
        assert_eq!(sep(""), ',');
        // A header of another separator: the error names it.
        let s = schema();
        let e = CsvMap::new(&s, &heads(&["cf\teta"])).unwrap_err();
        assert!(e.contains("separated by tabs"), "{e}");
    }

    #[test]
    fn italian_cells() {
        let s = schema();
        let h = heads(&[
            "cf",
            "eta",
            "ok",
            "importo",
            "p",
            "d",
            "indirizzo.comune",
            "figli",
        ]);
        let m = CsvMap::new(&s, &h)
            .expect("maps")
            .with_locale(Locale::Italian);
        let row = |importo: &'static str, d: &'static str| {
            let j = m
                .to_json(&s, &["X", "42", "true", importo, "", d, "Roma", ""])
                .expect("row");
            (j["importo"].clone(), j["d"].clone())
        };
        let n = |x: f64| serde_json::json!(x);
        assert_eq!(
            row("1.234,56", "01/05/2024"),
            (n(1234.56), json("2024-05-01"))
        );
        assert_eq!(row("-12,5", "2024-05-01"), (n(-12.5), json("2024-05-01")));
        assert_eq!(
            row("1.234.567", "1/5/2024"),
            (serde_json::json!(1_234_567), json("2024-05-01"))
        );
        // Not the Italian form: left as written (the standard form reads as in JSON Lines,
        // anything else is refused by the reader).
        assert_eq!(
            row("1234.56", "05-01-2024"),
            (n(1234.56), json("05-01-2024"))
        );
        assert_eq!(row("12.34,5", "").0, json("12.34,5"));
        assert_eq!(row("1,234", "").0, n(1.234));
    }

    fn json(s: &str) -> J {
        J::String(s.to_owned())
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
