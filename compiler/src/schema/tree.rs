//! The RON subset schemas are written in, read into a tree where every value has its span.
//!
//! The subset: structs with named fields `(name: value, ...)`, tuples `(value, ...)` (both may
//! be named: `Attribute(type: Int)`, `Enum([...])`, `Some("a")`), lists `[...]`, maps
//! `{ key: value, ... }`, strings, identifiers (`true`, `None`, `String`) and numbers; trailing
//! commas allowed. The parser is recursive descent over the tokens of [`super::lex`], linear in
//! the text, and refuses brackets nested deeper than [`MAX_NESTING`] (so no input can exhaust
//! the stack). It stops at the first error, which says what was expected and what was found,
//! and hands back the tree read up to there (see [`Failure`]).

use super::lex::{self, syntax, Tok, Token};
use super::SchemaError;
use crate::diagnostic::Span;

/// How deeply brackets may nest. A schema at the deepest level of records the runtime accepts
/// nests 3 brackets a level (`(type: Record({ ...`), about 50 in all.
pub const MAX_NESTING: usize = 128;

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    /// The whole value, brackets and name included.
    pub span: Span,
    /// What it is.
    pub kind: Kind,
    /// False for a value cut short by a syntax error: what it lacks is not its fault.
    pub complete: bool,
}

/// The kinds of value.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    /// A string, unescaped.
    Str(String),
    /// An identifier: `true`, `None`, `String`.
    Ident(String),
    /// A number.
    Number,
    /// `(name: value, ...)`, perhaps named: `Attribute(type: Int)`.
    Struct {
        /// The name before `(`.
        name: Option<Word>,
        /// The fields in the order written (duplicates kept).
        fields: Vec<Field>,
    },
    /// `(value, ...)` or `()`, perhaps named: `Enum(["a"])`, `Some("a")`.
    Tuple {
        /// The name before `(`.
        name: Option<Word>,
        /// The values.
        items: Vec<Node>,
    },
    /// `[value, ...]`.
    List(Vec<Node>),
    /// `{ key: value, ... }`, in the order written (duplicates kept).
    Map(Vec<(Node, Node)>),
}

/// An identifier and where it is.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Word {
    /// The identifier.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// `name: value` in a struct.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Field {
    /// The field's name.
    pub name: Word,
    /// Its value.
    pub value: Node,
}

impl Node {
    /// Where to point at the value: its name, its opening bracket, or all of it if it is a
    /// single token.
    pub fn head(&self) -> Span {
        match &self.kind {
            Kind::Struct { name: Some(n), .. } | Kind::Tuple { name: Some(n), .. } => {
                n.span.clone()
            }
            Kind::Struct { .. } | Kind::Tuple { .. } | Kind::List(_) | Kind::Map(_) => {
                self.span.start..self.span.start + 1
            }
            Kind::Str(_) | Kind::Ident(_) | Kind::Number => self.span.clone(),
        }
    }

    /// The value described for messages: "a string", "`Strng`", "a list `[...]`".
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Str(_) => "a string".to_owned(),
            Kind::Ident(w) => format!("`{w}`"),
            Kind::Number => "a number".to_owned(),
            Kind::Struct { name, .. } | Kind::Tuple { name, .. } => match name {
                Some(n) => format!("`{}(...)`", n.text),
                None => "`(...)`".to_owned(),
            },
            Kind::List(_) => "a list `[...]`".to_owned(),
            Kind::Map(_) => "a map `{...}`".to_owned(),
        }
    }
}

/// A syntax error, and the value read up to it (cut short, see [`Node::complete`]): the reader
/// looks there for an error earlier in the text, so that errors are reported in text order.
#[derive(Debug)]
pub(super) struct Failure {
    /// The syntax error.
    pub error: SchemaError,
    /// What was read before it, if anything.
    pub partial: Option<Node>,
}

impl From<SchemaError> for Box<Failure> {
    fn from(error: SchemaError) -> Self {
        Box::new(Failure {
            error,
            partial: None,
        })
    }
}

/// Reads the one value `text` holds.
pub(super) fn parse(text: &str) -> Result<Node, Box<Failure>> {
    let mut p = Parser {
        text,
        tokens: lex::tokenize(text),
        pos: 0,
        open: Vec::new(),
    };
    if p.peek()?.kind == Tok::Eof {
        return Err(syntax(
            text.len()..text.len(),
            "the schema is empty",
            Some("a schema is written (attributes: { \"name\": (type: String), ... })"),
        )
        .into());
    }
    let node = p.value()?;
    let next = match p.peek() {
        Ok(t) => t,
        Err(error) => {
            return Err(Box::new(Failure {
                error,
                partial: Some(node),
            }))
        }
    };
    if next.kind != Tok::Eof {
        return Err(Box::new(Failure {
            error: syntax(
                next.span.clone(),
                "unexpected text after the end of the schema",
                Some("the whole schema is one ( ... ); remove what follows it"),
            ),
            partial: Some(node),
        }));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    /// Ends with an end-of-file or error token.
    tokens: Vec<Token>,
    pos: usize,
    /// The brackets open around the current position: the opening character and its offset.
    open: Vec<(char, usize)>,
}

impl Parser<'_> {
    /// The token at `pos + ahead` (the last one past the end); the tokenizer's error if that is
    /// where the text stops being tokens.
    fn peek_at(&self, ahead: usize) -> Result<&Token, SchemaError> {
        let last = self.tokens.len().saturating_sub(1);
        match self.tokens.get((self.pos + ahead).min(last)) {
            Some(Token {
                kind: Tok::Error(e),
                ..
            }) => Err((**e).clone()),
            Some(t) => Ok(t),
            None => Err(syntax(0..0, "the schema is empty", None::<&str>)),
        }
    }

    fn peek(&self) -> Result<&Token, SchemaError> {
        self.peek_at(0)
    }

    /// Takes the current token (never past the end).
    fn bump(&mut self) -> Result<Token, SchemaError> {
        let t = self.peek()?.clone();
        if t.kind != Tok::Eof {
            self.pos += 1;
        }
        Ok(t)
    }

    /// Takes `c` if it is next.
    fn eat(&mut self, c: char) -> Result<bool, SchemaError> {
        if self.peek()?.kind == Tok::Punct(c) {
            self.pos += 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// The error for `token` where something else was expected; at the end of the file, names
    /// the innermost bracket left open.
    fn unexpected(&self, token: &Token, message: &str, help: Option<String>) -> SchemaError {
        if token.kind != Tok::Eof {
            return syntax(token.span.clone(), message, help);
        }
        // Right after the last token, on its line (the very end may be past the last line).
        let end = self.last_end();
        match self.open.last() {
            Some(&(c, at)) => {
                let line = self.text.get(..at).unwrap_or("").matches('\n').count() + 1;
                SchemaError::Syntax {
                    span: end..end,
                    message: format!(
                        "the file ends too early: the `{c}` on line {line} is not closed"
                    ),
                    help: Some(format!("close it with `{}`", closing(c))),
                    note: Some((at..at + 1, format!("this `{c}` is not closed"))),
                }
            }
            None => syntax(end..end, "the file ends too early", help),
        }
    }

    /// Opens a bracket at the current token, refusing to nest too deeply.
    fn open(&mut self, c: char) -> Result<usize, SchemaError> {
        let t = self.bump()?;
        if self.open.len() >= MAX_NESTING {
            return Err(syntax(
                t.span,
                "the schema is nested too deeply",
                Some(format!(
                    "brackets may nest at most {MAX_NESTING} deep; records at most 15 levels"
                )),
            ));
        }
        self.open.push((c, t.span.start));
        Ok(t.span.start)
    }

    /// Closes the innermost bracket at the current token.
    fn close(&mut self) -> Result<(), SchemaError> {
        self.bump()?;
        self.open.pop();
        Ok(())
    }

    fn value(&mut self) -> Result<Node, Box<Failure>> {
        let t = self.peek()?.clone();
        let leaf = |kind| Node {
            span: t.span.clone(),
            kind,
            complete: true,
        };
        match &t.kind {
            Tok::Str(s) => {
                self.pos += 1;
                Ok(leaf(Kind::Str(s.clone())))
            }
            Tok::Number => {
                self.pos += 1;
                Ok(leaf(Kind::Number))
            }
            Tok::Ident => {
                self.pos += 1;
                let word = Word {
                    text: self.text.get(t.span.clone()).unwrap_or("").to_owned(),
                    span: t.span.clone(),
                };
                if self.peek()?.kind == Tok::Punct('(') {
                    self.parens(Some(word))
                } else {
                    Ok(leaf(Kind::Ident(word.text)))
                }
            }
            Tok::Punct('(') => self.parens(None),
            Tok::Punct('[') => self.list(),
            Tok::Punct('{') => self.map(),
            _ => {
                let message = format!("expected a value, found {}", self.found(&t));
                Err(self.unexpected(&t, &message, None).into())
            }
        }
    }

    /// A container from `start`: complete if `read` succeeded, else cut short at the error.
    fn container(
        &mut self,
        start: usize,
        read: Result<(), SchemaError>,
        kind: Kind,
    ) -> Result<Node, Box<Failure>> {
        match read {
            Ok(()) => Ok(Node {
                span: start..self.last_end(),
                kind,
                complete: true,
            }),
            Err(error) => {
                let end = match &error {
                    SchemaError::Syntax { span, .. } => span.start.max(start),
                    _ => start,
                };
                Err(Box::new(Failure {
                    error,
                    partial: Some(Node {
                        span: start..end,
                        kind,
                        complete: false,
                    }),
                }))
            }
        }
    }

    /// Reads a value into `out`, keeping what was read of it on an error.
    fn value_into(&mut self, out: &mut Vec<Node>) -> Result<(), SchemaError> {
        match self.value() {
            Ok(v) => {
                out.push(v);
                Ok(())
            }
            Err(f) => {
                out.extend(f.partial);
                Err(f.error)
            }
        }
    }

    /// `(...)` after an optional name: a struct if it starts with `name:`, a tuple otherwise.
    fn parens(&mut self, name: Option<Word>) -> Result<Node, Box<Failure>> {
        let start = self.open('(')?;
        let start = name.as_ref().map_or(start, |n| n.span.start);
        // `(name: ...`, or a field name missing its colon (`(type String)`); not `(String)`,
        // `(a, b)` or `(Enum([...]))`, which are tuples.
        let is_struct = self.peek()?.kind == Tok::Ident
            && !matches!(
                self.peek_at(1).map(|t| &t.kind),
                Ok(Tok::Punct(',' | ')' | '('))
            );
        if is_struct {
            let mut fields = Vec::new();
            let read = self.fields(&mut fields);
            self.container(start, read, Kind::Struct { name, fields })
        } else {
            let mut items = Vec::new();
            let read = self.sequence(')', "expected `,` or `)`", &mut items);
            self.container(start, read, Kind::Tuple { name, items })
        }
    }

    /// The fields of a struct, and its `)`.
    fn fields(&mut self, fields: &mut Vec<Field>) -> Result<(), SchemaError> {
        while !self.eat_close(')')? {
            let t = self.bump()?;
            let name = match t.kind {
                Tok::Ident => Word {
                    text: self.text.get(t.span.clone()).unwrap_or("").to_owned(),
                    span: t.span,
                },
                Tok::Str(s) => {
                    return Err(syntax(
                        t.span,
                        "expected a field name, found a string",
                        Some(format!("field names are written without quotes: {s}:")),
                    ))
                }
                _ => {
                    let message = format!("expected a field name or `)`, found {}", self.found(&t));
                    return Err(self.unexpected(&t, &message, None));
                }
            };
            if let Err(e) = self.colon() {
                let message = format!("expected `:` after the field name `{}`", name.text);
                let help = format!("write {}: value", name.text);
                let error = e.unwrap_or_else(|t| self.unexpected(&t, &message, Some(help)));
                let value = missing_value(error.span().start);
                fields.push(Field { name, value });
                return Err(error);
            }
            let mut value = Vec::with_capacity(1);
            let read = self.value_into(&mut value);
            if let Some(value) = value.pop() {
                fields.push(Field { name, value });
            }
            read?;
            self.separator(')', "expected `,` or `)`")?;
        }
        Ok(())
    }

    fn list(&mut self) -> Result<Node, Box<Failure>> {
        let start = self.open('[')?;
        let mut items = Vec::new();
        let read = self.sequence(']', "expected `,` or `]` after a value", &mut items);
        self.container(start, read, Kind::List(items))
    }

    fn map(&mut self) -> Result<Node, Box<Failure>> {
        let start = self.open('{')?;
        let mut entries = Vec::new();
        let read = self.entries(&mut entries);
        self.container(start, read, Kind::Map(entries))
    }

    /// The entries of a map, and its `}`.
    fn entries(&mut self, entries: &mut Vec<(Node, Node)>) -> Result<(), SchemaError> {
        while !self.eat_close('}')? {
            let key = self.value().map_err(|f| f.error)?;
            if let Err(e) = self.colon() {
                let error = e.unwrap_or_else(|t| {
                    self.unexpected(
                        &t,
                        "expected `:` after an attribute name",
                        Some("write \"name\": (type: String)".to_owned()),
                    )
                });
                entries.push((key, missing_value(error.span().start)));
                return Err(error);
            }
            let mut value = Vec::with_capacity(1);
            let read = self.value_into(&mut value);
            if let Some(value) = value.pop() {
                entries.push((key, value));
            }
            read?;
            self.separator('}', "expected `,` or `}` after an attribute")?;
        }
        Ok(())
    }

    /// Takes a `:`; if it is not there, the token found instead (or the tokenizer's error).
    fn colon(&mut self) -> Result<(), Result<SchemaError, Token>> {
        match self.peek() {
            Ok(t) if t.kind == Tok::Punct(':') => {
                self.pos += 1;
                Ok(())
            }
            Ok(t) => Err(Err(t.clone())),
            Err(e) => Err(Ok(e)),
        }
    }

    /// Values separated by commas, and the closing `end`.
    fn sequence(
        &mut self,
        end: char,
        message: &str,
        items: &mut Vec<Node>,
    ) -> Result<(), SchemaError> {
        while !self.eat_close(end)? {
            self.value_into(items)?;
            self.separator(end, message)?;
        }
        Ok(())
    }

    /// After an entry: a comma, or `end` (not taken).
    fn separator(&mut self, end: char, message: &str) -> Result<(), SchemaError> {
        if self.eat(',')? {
            return Ok(());
        }
        let t = self.peek()?.clone();
        if t.kind == Tok::Punct(end) {
            return Ok(());
        }
        let starts_value = matches!(
            t.kind,
            Tok::Str(_) | Tok::Ident | Tok::Number | Tok::Punct('(' | '[' | '{')
        );
        let message = if starts_value {
            "expected `,` between two entries"
        } else {
            message
        };
        Err(self.unexpected(&t, message, None))
    }

    /// Takes the closing `end` if it is next.
    fn eat_close(&mut self, end: char) -> Result<bool, SchemaError> {
        if self.peek()?.kind == Tok::Punct(end) {
            self.close()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// The end of the last token taken.
    fn last_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(0, |t| t.span.end)
    }

    /// A token named for messages.
    fn found(&self, t: &Token) -> String {
        match &t.kind {
            Tok::Str(_) => "a string".to_owned(),
            Tok::Number => "a number".to_owned(),
            Tok::Eof => "the end of the file".to_owned(),
            _ => format!("`{}`", self.text.get(t.span.clone()).unwrap_or("")),
        }
    }
}

/// The value of a name whose `:` is missing: empty, cut short at the syntax error `at` (so the
/// reader can still judge the name, and reports nothing about the value).
fn missing_value(at: usize) -> Node {
    Node {
        span: at..at,
        kind: Kind::Tuple {
            name: None,
            items: Vec::new(),
        },
        complete: false,
    }
}

/// The bracket closing `c`.
fn closing(c: char) -> char {
    match c {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> (String, String) {
        match parse(text) {
            Ok(node) => panic!("{node:?}"),
            Err(f) => match f.error {
                SchemaError::Syntax { span, message, .. } => {
                    (text.get(span).unwrap_or("<bad span>").to_owned(), message)
                }
                other => panic!("{other:?}"),
            },
        }
    }

    #[test]
    fn every_value_has_its_span() {
        let text = "Schema(key: \"k\", list: [1, x], m: { \"a\": Enum([\"v\"]) }, t: (), )";
        let root = parse(text).unwrap();
        let at = |span: &Span| text[span.clone()].to_owned();
        assert_eq!(at(&root.span), text);
        let Kind::Struct { name, fields } = &root.kind else {
            panic!("{root:?}")
        };
        assert_eq!(
            name.as_ref().map(|n| at(&n.span)).as_deref(),
            Some("Schema")
        );
        let spans: Vec<(String, String)> = fields
            .iter()
            .map(|f| (at(&f.name.span), at(&f.value.span)))
            .collect();
        assert_eq!(
            spans,
            [
                ("key".into(), "\"k\"".into()),
                ("list".into(), "[1, x]".into()),
                ("m".into(), "{ \"a\": Enum([\"v\"]) }".into()),
                ("t".into(), "()".into()),
            ]
        );
        let Kind::Map(entries) = &fields[2].value.kind else {
            panic!()
        };
        let (key, value) = &entries[0];
        assert_eq!(
            (at(&key.span), at(&value.span)),
            ("\"a\"".into(), "Enum([\"v\"])".into())
        );
        assert_eq!(at(&value.head()), "Enum");
        let Kind::Tuple { items, .. } = &value.kind else {
            panic!()
        };
        assert_eq!(at(&items[0].head()), "[");
        assert!(matches!(&fields[1].value.kind, Kind::List(v) if v.len() == 2));
    }

    #[test]
    fn syntax_errors_say_what_was_expected_and_found() {
        assert_eq!(
            error("(a: 1 b: 2)"),
            ("b".into(), "expected `,` between two entries".into())
        );
        assert_eq!(error("(a: 1 ]"), ("]".into(), "expected `,` or `)`".into()));
        assert_eq!(
            error("[1 }"),
            ("}".into(), "expected `,` or `]` after a value".into())
        );
        assert_eq!(
            error("{ \"a\" 1 }"),
            ("1".into(), "expected `:` after an attribute name".into())
        );
        assert_eq!(
            error("(a 1)"),
            ("1".into(), "expected `:` after the field name `a`".into())
        );
        assert_eq!(
            error("(a: )"),
            (")".into(), "expected a value, found `)`".into())
        );
        assert_eq!(
            error("(a: 1, \"b\": 2)"),
            (
                "\"b\"".into(),
                "expected a field name, found a string".into()
            )
        );
        assert_eq!(
            error("(a: 1) (b: 2)"),
            (
                "(".into(),
                "unexpected text after the end of the schema".into()
            )
        );
        assert_eq!(
            error("  // nothing\n"),
            ("".into(), "the schema is empty".into())
        );
        assert_eq!(
            error("(\n  a: [\n    1,\n"),
            (
                "".into(),
                "the file ends too early: the `[` on line 2 is not closed".into()
            )
        );
        // The tokenizer's errors come in text order with the parser's.
        assert_eq!(
            error("(a: 1 b: \"x)"),
            ("b".into(), "expected `,` between two entries".into())
        );
        assert_eq!(
            error("(a: @ b)"),
            ("@".into(), "unexpected character `@`".into())
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&nested(MAX_NESTING)).is_ok());
        let text = nested(MAX_NESTING + 1);
        let (span, message) = match parse(&text).map_err(|f| f.error) {
            Err(SchemaError::Syntax { span, message, .. }) => (span, message),
            other => panic!("{other:?}"),
        };
        assert_eq!(message, "the schema is nested too deeply");
        assert_eq!(span, MAX_NESTING..MAX_NESTING + 1);
        // Far deeper, of every bracket, unclosed: the same error, no stack overflow.
        for open in ["[", "(", "(a: ", "{ \"a\": ", "Enum("] {
            let text = open.repeat(200_000);
            assert!(matches!(
                parse(&text).map_err(|f| f.error),
                Err(SchemaError::Syntax { message, .. }) if message == "the schema is nested too deeply"
            ));
        }
    }

    #[test]
    fn a_syntax_error_keeps_what_was_read() {
        let text = "(a: [1, (b: x y";
        let Err(f) = parse(text) else { panic!() };
        let partial = f.partial.expect("what was read");
        assert!(!partial.complete);
        assert_eq!(partial.span, 0..text.len() - 1);
        let Kind::Struct { fields, .. } = &partial.kind else {
            panic!("{partial:?}")
        };
        let Kind::List(items) = &fields[0].value.kind else {
            panic!()
        };
        assert!(items[0].complete && !items[1].complete);
        let Kind::Struct { fields, .. } = &items[1].kind else {
            panic!()
        };
        assert_eq!(fields[0].value.kind, Kind::Ident("x".into()));
        // A name whose `:` is missing keeps an empty value, cut short.
        let Err(f) = parse("{ \"a\" 1 }") else {
            panic!()
        };
        let Some(Node {
            kind: Kind::Map(entries),
            ..
        }) = f.partial
        else {
            panic!()
        };
        assert!(!entries[0].1.complete);
    }
}
