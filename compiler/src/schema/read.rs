//! From the RON tree to the schema as written: every name and value with its span, unknown
//! fields refused (so `descripton:` is an error, not silently ignored), duplicates kept for the
//! checker. A value of the wrong shape stops the reading with one error, at that value.

use super::lex::syntax;
use super::tree::{Field, Kind, Node, Word};
use super::SchemaError;
use crate::diagnostic::{did_you_mean, Span};
use std::cell::RefCell;

/// The type names a schema can use, for messages.
const TYPE_NAMES: [&str; 11] = [
    "String", "Bool", "Int", "Decimal", "Money", "Date", "Enum", "Set", "Optional", "Record",
    "List",
];

/// How the types are written, for messages.
const TYPE_FORMS: &str = "String, Bool, Int, Decimal, Money, Date, Enum([...]), Set([...]), \
                          Optional(T), Record({...}), List({...})";

/// How a gender declaration is written, for messages.
const GENDER_FORM: &str = "write gender: (attribute: \"sesso\", masculine: \"M\", feminine: \"F\")";

/// A string and where it is written (quotes included).
#[derive(Debug, Clone)]
pub(super) struct Text {
    /// The string.
    pub value: String,
    /// Where it is.
    pub span: Span,
}

/// The schema as written.
pub(super) struct RawSchema {
    /// `key`.
    pub key: Option<Text>,
    /// `gender`.
    pub gender: Option<RawGender>,
    /// `attributes`.
    pub attributes: Vec<RawAttribute>,
}

/// `gender: (...)` as written.
pub(super) struct RawGender {
    /// `attribute`.
    pub attribute: Text,
    /// `masculine`.
    pub masculine: Text,
    /// `feminine`.
    pub feminine: Text,
}

/// `"name": (type: ..., ...)` as written.
pub(super) struct RawAttribute {
    /// The name.
    pub name: Text,
    /// `type`.
    pub ty: RawType,
    /// `description`.
    pub description: Option<String>,
    /// `personal`.
    pub personal: bool,
    /// `min`, as written.
    pub min: Option<Text>,
    /// `max`, as written.
    pub max: Option<Text>,
    /// `max_length`, as written.
    pub max_length: Option<Text>,
}

/// A type as written.
pub(super) enum RawType {
    String,
    Bool,
    Int,
    Decimal,
    Money,
    Date,
    Enum(Vec<Text>),
    Set(Vec<Text>),
    Optional(Box<RawType>),
    Record(Vec<RawAttribute>),
    List(Vec<RawAttribute>),
}

/// A struct the schema expects: its optional name, its fields, how to write it.
struct Shape<const N: usize> {
    name: &'static str,
    fields: [&'static str; N],
    help: &'static str,
}

const SCHEMA: Shape<3> = Shape {
    name: "Schema",
    fields: ["key", "gender", "attributes"],
    help: "a schema is written (attributes: { \"name\": (type: String), ... })",
};

const GENDER: Shape<3> = Shape {
    name: "Gender",
    fields: ["attribute", "masculine", "feminine"],
    help: GENDER_FORM,
};

const ATTRIBUTE: Shape<6> = Shape {
    name: "Attribute",
    fields: [
        "type",
        "description",
        "personal",
        "min",
        "max",
        "max_length",
    ],
    help: "an attribute is written \"name\": (type: String)",
};

/// Reads the schema in `root`; `text` is the file, to place some spans. Of the errors found,
/// the first in the text (reading stops at a wrong value, but goes on past an unknown field).
pub(super) fn schema(text: &str, root: &Node) -> Result<RawSchema, SchemaError> {
    let r = Reader {
        text,
        skipped: RefCell::new(Vec::new()),
    };
    let read = r.schema(root);
    let skipped = earliest(r.skipped.into_inner().into_iter().map(Err::<(), _>));
    match (read, skipped) {
        (Ok(schema), Ok(())) => Ok(schema),
        (read, skipped) => Err(earliest([read.map(drop), skipped])
            .err()
            .unwrap_or_else(|| syntax(0..0, "the schema cannot be read", None::<&str>))),
    }
}

/// The first error in the text among `results`, if any.
fn earliest(results: impl IntoIterator<Item = Result<(), SchemaError>>) -> Result<(), SchemaError> {
    match results
        .into_iter()
        .filter_map(Result::err)
        .min_by_key(|e| e.span().start)
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Three values read, or the first error in the text.
fn all3<A, B, C>(
    a: Result<A, SchemaError>,
    b: Result<B, SchemaError>,
    c: Result<C, SchemaError>,
) -> Result<(A, B, C), SchemaError> {
    match (a, b, c) {
        (Ok(a), Ok(b), Ok(c)) => Ok((a, b, c)),
        (a, b, c) => {
            earliest([a.map(drop), b.map(drop), c.map(drop)])?;
            Err(syntax(0..0, "the schema cannot be read", None::<&str>))
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    /// Errors the reading went on past: unknown and repeated fields.
    skipped: RefCell<Vec<SchemaError>>,
}

impl Reader<'_> {
    fn schema(&self, root: &Node) -> Result<RawSchema, SchemaError> {
        let [key, gender, attributes] = self.fields(root, &SCHEMA)?;
        let key = key
            .and_then(optional)
            .transpose()
            .and_then(|k| k.map(string).transpose());
        let gender = gender
            .and_then(optional)
            .transpose()
            .and_then(|g| g.map(|g| self.gender(g)).transpose());
        let attributes = match attributes {
            Some(node) => self.attributes(node, None),
            None => Err(self.missing(
                root,
                "the schema has no `attributes`",
                Some("add attributes: { \"name\": (type: String), ... }"),
            )),
        };
        let (key, gender, attributes) = all3(key, gender, attributes)?;
        Ok(RawSchema {
            key,
            gender,
            attributes,
        })
    }

    /// The fields of the struct `node` as `shape` names them. Unknown or repeated fields are
    /// set aside in `skipped`.
    fn fields<'n, const N: usize>(
        &self,
        node: &'n Node,
        shape: &Shape<N>,
    ) -> Result<[Option<&'n Node>; N], SchemaError> {
        let (name, fields): (&Option<Word>, &[Field]) = match &node.kind {
            Kind::Struct { name, fields } => (name, fields),
            Kind::Tuple { name, items } => {
                self.check_name(node, name.as_ref(), shape)?;
                return match items.first() {
                    None => Ok([None; N]),
                    Some(Node {
                        kind: Kind::Ident(w),
                        span,
                        ..
                    }) if shape.fields.contains(&w.as_str()) => {
                        if node.complete {
                            Err(syntax(
                                span.clone(),
                                format!("expected `:` after the field name `{w}`"),
                                Some(format!("write {w}: value")),
                            ))
                        } else {
                            // Cut short after the name: the syntax error says it.
                            Ok([None; N])
                        }
                    }
                    Some(Node {
                        kind: Kind::Ident(w),
                        span,
                        ..
                    }) => Err(unknown_field(w, span.clone(), shape)),
                    Some(item) => Err(syntax(
                        item.head(),
                        format!("expected a field name, found {}", item.describe()),
                        Some(shape.help),
                    )),
                };
            }
            _ => return Err(self.not_a_struct(node, shape)),
        };
        self.check_name(node, name.as_ref(), shape)?;
        let mut out: [Option<&Node>; N] = [None; N];
        for field in fields {
            let slot = shape
                .fields
                .iter()
                .position(|f| *f == field.name.text)
                .and_then(|i| out.get_mut(i));
            match slot {
                None => self.skipped.borrow_mut().push(unknown_field(
                    &field.name.text,
                    field.name.span.clone(),
                    shape,
                )),
                Some(Some(_)) => self.skipped.borrow_mut().push(syntax(
                    field.name.span.clone(),
                    format!("`{}` is given twice", field.name.text),
                    Some("keep only one"),
                )),
                Some(slot) => *slot = Some(&field.value),
            }
        }
        Ok(out)
    }

    /// Refuses a struct name other than the shape's.
    fn check_name<const N: usize>(
        &self,
        node: &Node,
        name: Option<&Word>,
        shape: &Shape<N>,
    ) -> Result<(), SchemaError> {
        match name {
            Some(n) if n.text != shape.name => Err(self.not_a_struct(node, shape)),
            _ => Ok(()),
        }
    }

    /// The error for `node` where a struct of `shape` was expected.
    fn not_a_struct<const N: usize>(&self, node: &Node, shape: &Shape<N>) -> SchemaError {
        let (span, found) = match &node.kind {
            Kind::Struct { name: Some(n), .. } | Kind::Tuple { name: Some(n), .. } => {
                (n.span.clone(), format!("`{}`", n.text))
            }
            _ => (node.head(), node.describe()),
        };
        if shape.name == "Attribute" {
            let ty = match &node.kind {
                Kind::Ident(w) => w.as_str(),
                Kind::Struct { name: Some(n), .. } | Kind::Tuple { name: Some(n), .. } => &n.text,
                _ => "String",
            };
            return syntax(
                span,
                format!("expected `(type: ...)` after the attribute name, found {found}"),
                Some(format!("write \"name\": (type: {ty})")),
            );
        }
        let help = match &node.kind {
            Kind::Struct { name: Some(_), .. } | Kind::Tuple { name: Some(_), .. } => {
                "remove the name before `(`"
            }
            _ => shape.help,
        };
        syntax(span, format!("expected `(`, found {found}"), Some(help))
    }

    /// The error for a field missing from `node`; but an unknown field in it comes first (it is
    /// likely the missing one, misspelt).
    fn missing(
        &self,
        node: &Node,
        message: impl Into<String>,
        help: Option<impl Into<String>>,
    ) -> SchemaError {
        let skipped = self.skipped.borrow();
        let inside = skipped
            .iter()
            .filter(|e| node.span.start <= e.span().start && e.span().end <= node.span.end)
            .min_by_key(|e| e.span().start);
        match inside {
            Some(e) => e.clone(),
            None => syntax(self.missing_span(node), message, help),
        }
    }

    /// Where to say a field is missing: the whole struct if on one line, else its `)`. For a
    /// struct cut short by a syntax error, where it was cut (so that error comes first).
    fn missing_span(&self, node: &Node) -> Span {
        let written = self.text.get(node.span.clone()).unwrap_or("");
        if !node.complete {
            node.span.end..node.span.end
        } else if written.contains('\n') {
            node.span.end.saturating_sub(1)..node.span.end
        } else {
            node.span.clone()
        }
    }

    fn gender(&self, node: &Node) -> Result<RawGender, SchemaError> {
        let [attribute, masculine, feminine] = self.fields(node, &GENDER)?;
        let get = |field: Option<&Node>, name: &str| match field {
            Some(v) => string(v),
            None => Err(self.missing(node, format!("`gender` has no `{name}`"), Some(GENDER_FORM))),
        };
        let (attribute, masculine, feminine) = all3(
            get(attribute, "attribute"),
            get(masculine, "masculine"),
            get(feminine, "feminine"),
        )?;
        Ok(RawGender {
            attribute,
            masculine,
            feminine,
        })
    }

    /// A map of attributes: `attributes: {...}`, or inside `Record(...)` / `List(...)`.
    fn attributes(
        &self,
        node: &Node,
        within: Option<&str>,
    ) -> Result<Vec<RawAttribute>, SchemaError> {
        let Kind::Map(entries) = &node.kind else {
            let help = match within {
                Some(w) => format!("write {w}({{ \"name\": (type: String) }})"),
                None => "write attributes as { \"name\": (type: String), ... }".to_owned(),
            };
            return Err(syntax(
                node.head(),
                format!(
                    "expected `{{` opening a map of attributes, found {}",
                    node.describe()
                ),
                Some(help),
            ));
        };
        entries
            .iter()
            .map(|(name, value)| {
                Ok(RawAttribute {
                    name: string(name)?,
                    ..self.attribute(value)?
                })
            })
            .collect()
    }

    /// `(type: ..., description: ..., personal: ...)`, with an empty name.
    fn attribute(&self, node: &Node) -> Result<RawAttribute, SchemaError> {
        let [ty, description, personal, min, max, max_length] = self.fields(node, &ATTRIBUTE)?;
        let bounds = [min, max, max_length].map(|b| {
            b.and_then(optional)
                .transpose()
                .and_then(|b| b.map(|b| self.number(b)).transpose())
        });
        let [min, max, max_length] = bounds;
        let (min, max, max_length) = all3(min, max, max_length)?;
        let ty = match ty {
            Some(t) => self.ty(t),
            None => Err(self.missing(
                node,
                "this attribute has no `type`",
                Some(format!(
                    "add one, e.g. (type: String); the types are {TYPE_FORMS}"
                )),
            )),
        };
        let description = description
            .and_then(optional)
            .transpose()
            .and_then(|d| d.map(|d| string(d).map(|t| t.value)).transpose());
        let personal = match personal.map(|p| (&p.kind, p.span.clone())) {
            None => Ok(false),
            Some((Kind::Ident(w), _)) if w == "true" => Ok(true),
            Some((Kind::Ident(w), _)) if w == "false" => Ok(false),
            Some((_, span)) => Err(syntax(span, "expected `true` or `false`", None::<&str>)),
        };
        let (ty, description, personal) = all3(ty, description, personal)?;
        Ok(RawAttribute {
            name: Text {
                value: String::new(),
                span: 0..0,
            },
            ty,
            description,
            personal,
            min,
            max,
            max_length,
        })
    }

    /// A number, as written.
    fn number(&self, node: &Node) -> Result<Text, SchemaError> {
        match &node.kind {
            Kind::Number => Ok(Text {
                value: self.text.get(node.span.clone()).unwrap_or("").to_owned(),
                span: node.span.clone(),
            }),
            Kind::Str(s) => Err(syntax(
                node.span.clone(),
                "expected a number, found a string",
                Some(format!("write it without quotes: {s}")),
            )),
            _ => Err(syntax(
                node.head(),
                format!("expected a number, found {}", node.describe()),
                Some("write a number: min: 0, max: 120, max_length: 40"),
            )),
        }
    }

    fn ty(&self, node: &Node) -> Result<RawType, SchemaError> {
        let (word, content) = match &node.kind {
            Kind::Ident(w) => (
                Word {
                    text: w.clone(),
                    span: node.span.clone(),
                },
                None,
            ),
            Kind::Tuple { name: Some(n), .. } | Kind::Struct { name: Some(n), .. } => {
                (n.clone(), Some(node))
            }
            Kind::Str(s) => {
                let help = if TYPE_NAMES.contains(&s.as_str()) {
                    format!("write it without quotes: {s}")
                } else {
                    format!("the types are {TYPE_FORMS}")
                };
                return Err(syntax(
                    node.head(),
                    "expected a type, found a string",
                    Some(help),
                ));
            }
            _ => {
                return Err(syntax(
                    node.head(),
                    format!("expected a type, found {}", node.describe()),
                    Some(format!("the types are {TYPE_FORMS}")),
                ))
            }
        };
        let scalar = match word.text.as_str() {
            "String" => Some(RawType::String),
            "Bool" => Some(RawType::Bool),
            "Int" => Some(RawType::Int),
            "Decimal" => Some(RawType::Decimal),
            "Money" => Some(RawType::Money),
            "Date" => Some(RawType::Date),
            _ => None,
        };
        let w = word.text.as_str();
        match (scalar, content) {
            (Some(t), None) => return Ok(t),
            (Some(_), Some(_)) => {
                return Err(syntax(
                    node.head(),
                    format!("`{w}` is written alone, without `(...)`"),
                    Some(format!("write (type: {w})")),
                ))
            }
            (None, _) if !TYPE_NAMES.contains(&w) => {
                return Err(syntax(
                    word.span,
                    format!("unknown type `{w}`: the types are {TYPE_FORMS}"),
                    did_you_mean(w, TYPE_NAMES).map(|s| format!("did you mean `{s}`?")),
                ))
            }
            _ => {}
        }
        let help = match w {
            "Enum" | "Set" => format!("write {w}([\"a\", \"b\"])"),
            "Optional" => "write Optional(Date), with the inner type".to_owned(),
            _ => format!("write {w}({{ \"name\": (type: String) }})"),
        };
        let Some(content) = content else {
            return Err(syntax(
                word.span,
                format!("expected `(` after `{w}`"),
                Some(help),
            ));
        };
        let inner = one_value(content, w, &help)?;
        Ok(match w {
            "Enum" | "Set" => {
                let Kind::List(items) = &inner.kind else {
                    return Err(syntax(
                        inner.head(),
                        "expected `[` opening the list of values",
                        Some(help),
                    ));
                };
                let values = items.iter().map(string).collect::<Result<Vec<_>, _>>()?;
                if w == "Enum" {
                    RawType::Enum(values)
                } else {
                    RawType::Set(values)
                }
            }
            "Optional" => RawType::Optional(Box::new(self.ty(inner)?)),
            "Record" => RawType::Record(self.attributes(inner, Some(w))?),
            _ => RawType::List(self.attributes(inner, Some(w))?),
        })
    }
}

/// The one value inside `Name(...)`.
fn one_value<'n>(node: &'n Node, name: &str, help: &str) -> Result<&'n Node, SchemaError> {
    match &node.kind {
        Kind::Tuple { items, .. } => match items.as_slice() {
            [one] => Ok(one),
            [first, second, ..] => Err(match &first.kind {
                // Let the first value's shape speak first: `Enum("M", "F")`.
                Kind::List(_) | Kind::Map(_) | Kind::Ident(_) | Kind::Tuple { .. } => syntax(
                    second.head(),
                    format!("`{name}(...)` holds one value: expected `)`"),
                    Some(help),
                ),
                _ => syntax(first.head(), expected_inside(name), Some(help)),
            }),
            [] => Err(syntax(
                absent(node),
                format!("`{name}()` is empty"),
                Some(help),
            )),
        },
        Kind::Struct { fields, .. } => {
            let span = fields
                .first()
                .map_or(node.span.clone(), |f| f.name.span.clone());
            Err(syntax(span, expected_inside(name), Some(help)))
        }
        _ => Err(syntax(node.head(), expected_inside(name), Some(help))),
    }
}

/// Where to say `node` lacks a value: all of it, or where it was cut short by a syntax error.
fn absent(node: &Node) -> Span {
    if node.complete {
        node.span.clone()
    } else {
        node.span.end..node.span.end
    }
}

/// What `Name(...)` holds, as an error message.
fn expected_inside(name: &str) -> &'static str {
    match name {
        "Enum" | "Set" => "expected `[` opening the list of values",
        "Optional" => "expected a type",
        _ => "expected `{` opening a map of attributes",
    }
}

/// The unknown field `found`.
fn unknown_field<const N: usize>(found: &str, span: Span, shape: &Shape<N>) -> SchemaError {
    let fields: Vec<String> = shape.fields.iter().map(|f| format!("`{f}`")).collect();
    syntax(
        span,
        format!(
            "unknown field `{found}`: the fields here are {}",
            fields.join(", ")
        ),
        if TYPE_NAMES.contains(&found) {
            Some(format!("write (type: {found})"))
        } else {
            did_you_mean(found, shape.fields.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
        },
    )
}

/// An optional value: `None`, `Some(x)`, or `x` itself.
fn optional(node: &Node) -> Option<Result<&Node, SchemaError>> {
    match &node.kind {
        Kind::Ident(w) if w == "None" => None,
        Kind::Tuple {
            name: Some(n),
            items,
        } if n.text == "Some" => Some(match items.as_slice() {
            [one] => Ok(one),
            _ => Err(syntax(
                absent(node),
                "`Some(...)` holds one value",
                Some("write the value alone, without Some(...)"),
            )),
        }),
        _ => Some(Ok(node)),
    }
}

/// A string.
fn string(node: &Node) -> Result<Text, SchemaError> {
    match &node.kind {
        Kind::Str(s) => Ok(Text {
            value: s.clone(),
            span: node.span.clone(),
        }),
        Kind::Ident(w) => Err(syntax(
            node.span.clone(),
            "expected a string in double quotes",
            Some(format!("write it in double quotes: \"{w}\"")),
        )),
        _ => Err(syntax(
            node.head(),
            format!(
                "expected a string in double quotes, found {}",
                node.describe()
            ),
            Some("names and values are written in double quotes: \"nome\""),
        )),
    }
}
