//! The RON subset schemas are written in, read into a tree where every value has its span.
//!
//! The subset: structs with named fields `(name: value, ...)`, tuples `(value, ...)` (both may
//! be named: `Attribute(type: Int)`, `Enum([...])`, `Some("a")`), lists `[...]`, maps
//! `{ key: value, ... }`, strings, identifiers (`true`, `None`, `String`) and numbers; trailing
//! commas allowed. The parser is recursive descent over the tokens of [`super::lex`], linear in
//! the text, and refuses brackets nested deeper than [`MAX_NESTING`] (so no input can exhaust
//! the stack). It stops at the first error, which says what was expected and what was found.

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

/// Reads the one value `text` holds.
pub(super) fn parse(text: &str) -> Result<Node, SchemaError> {
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
        ));
    }
    let node = p.value()?;
    let next = p.peek()?;
    if next.kind != Tok::Eof {
        return Err(syntax(
            next.span.clone(),
            "unexpected text after the end of the schema",
            Some("the whole schema is one ( ... ); remove what follows it"),
        ));
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
        if token.kind == Tok::Eof {
            return match self.open.last() {
                Some(&(c, at)) => {
                    let line = self.text.get(..at).unwrap_or("").matches('\n').count() + 1;
                    syntax(
                        token.span.clone(),
                        format!("the file ends too early: the `{c}` on line {line} is not closed"),
                        Some(format!("close it with `{}`", closing(c))),
                    )
                }
                None => syntax(token.span.clone(), "the file ends too early", help),
            };
        }
        syntax(token.span.clone(), message, help)
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

    /// Closes the innermost bracket at the current token, returning the end of the value.
    fn close(&mut self) -> Result<usize, SchemaError> {
        let t = self.bump()?;
        self.open.pop();
        Ok(t.span.end)
    }

    fn value(&mut self) -> Result<Node, SchemaError> {
        let t = self.peek()?.clone();
        match &t.kind {
            Tok::Str(s) => {
                self.pos += 1;
                Ok(Node {
                    span: t.span,
                    kind: Kind::Str(s.clone()),
                })
            }
            Tok::Number => {
                self.pos += 1;
                Ok(Node {
                    span: t.span,
                    kind: Kind::Number,
                })
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
                    Ok(Node {
                        span: t.span,
                        kind: Kind::Ident(word.text),
                    })
                }
            }
            Tok::Punct('(') => self.parens(None),
            Tok::Punct('[') => self.list(),
            Tok::Punct('{') => self.map(),
            _ => Err(self.unexpected(
                &t,
                &format!("expected a value, found {}", self.found(&t)),
                None,
            )),
        }
    }

    /// `(...)` after an optional name: a struct if it starts with `name:`, a tuple otherwise.
    fn parens(&mut self, name: Option<Word>) -> Result<Node, SchemaError> {
        let start = self.open('(')?;
        let start = name.as_ref().map_or(start, |n| n.span.start);
        let is_struct = self.peek()?.kind == Tok::Ident && self.peek_at(1)?.kind == Tok::Punct(':');
        if !is_struct {
            let items = self.sequence(')', "expected `,` or `)`")?;
            let end = self.close()?;
            return Ok(Node {
                span: start..end,
                kind: Kind::Tuple { name, items },
            });
        }
        let mut fields = Vec::new();
        while !self.eat_close(')')? {
            let t = self.bump()?;
            let field = match t.kind {
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
            let colon = self.peek()?.clone();
            if !self.eat(':')? {
                let message = format!("expected `:` after the field name `{}`", field.text);
                let help = format!("write {}: value", field.text);
                return Err(self.unexpected(&colon, &message, Some(help)));
            }
            fields.push(Field {
                name: field,
                value: self.value()?,
            });
            self.separator(')', "expected `,` or `)`")?;
        }
        Ok(Node {
            span: start..self.last_end(),
            kind: Kind::Struct { name, fields },
        })
    }

    fn list(&mut self) -> Result<Node, SchemaError> {
        let start = self.open('[')?;
        let items = self.sequence(']', "expected `,` or `]` after a value")?;
        let end = self.close()?;
        Ok(Node {
            span: start..end,
            kind: Kind::List(items),
        })
    }

    fn map(&mut self) -> Result<Node, SchemaError> {
        let start = self.open('{')?;
        let mut entries = Vec::new();
        while !self.eat_close('}')? {
            let key = self.value()?;
            let colon = self.peek()?.clone();
            if !self.eat(':')? {
                return Err(self.unexpected(
                    &colon,
                    "expected `:` after an attribute name",
                    Some("write \"name\": (type: String)".to_owned()),
                ));
            }
            entries.push((key, self.value()?));
            self.separator('}', "expected `,` or `}` after an attribute")?;
        }
        Ok(Node {
            span: start..self.last_end(),
            kind: Kind::Map(entries),
        })
    }

    /// Values separated by commas, up to `end` (not taken).
    fn sequence(&mut self, end: char, message: &str) -> Result<Vec<Node>, SchemaError> {
        let mut items = Vec::new();
        while self.peek()?.kind != Tok::Punct(end) {
            items.push(self.value()?);
            self.separator(end, message)?;
        }
        Ok(items)
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

/// The bracket closing `c`.
fn closing(c: char) -> char {
    match c {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}
