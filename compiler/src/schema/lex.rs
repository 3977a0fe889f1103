//! The tokens of the RON subset schemas are written in: strings (with escapes, or raw),
//! identifiers, numbers, the punctuation `( ) [ ] { } , :`, and comments and spaces, skipped.

use super::SchemaError;
use crate::diagnostic::Span;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// A string, unescaped: `"a\"b"`, `r#"raw"#`.
    Str(String),
    /// An identifier, as written: `type`, `String`, `true`.
    Ident,
    /// A number, as written (schemas have none, but a number is named as one in messages).
    Number,
    /// One of `( ) [ ] { } , :`.
    Punct(char),
    /// The end of the text.
    Eof,
    /// Text that is not a token: the reading stops here with this error.
    Error(Box<SchemaError>),
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    /// What it is.
    pub kind: Tok,
    /// Where it is, in bytes.
    pub span: Span,
}

/// Splits `text` into tokens. The last one is [`Tok::Eof`], or [`Tok::Error`] where the text
/// stops being tokens (the parser reports it when it gets there, so errors come in text order).
/// Linear in the text.
pub(super) fn tokenize(text: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        text,
        // A byte order mark, as some editors write, is not part of the text.
        pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
        out: Vec::new(),
    };
    let end = match lexer.run() {
        Ok(()) => Token {
            kind: Tok::Eof,
            span: text.len()..text.len(),
        },
        Err(e) => Token {
            span: 0..0,
            kind: Tok::Error(Box::new(e)),
        },
    };
    lexer.out.push(end);
    lexer.out
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    out: Vec<Token>,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn push(&mut self, kind: Tok, start: usize) {
        self.out.push(Token {
            kind,
            span: start..self.pos,
        });
    }

    fn run(&mut self) -> Result<(), SchemaError> {
        while let Some(c) = self.rest().chars().next() {
            let start = self.pos;
            let rest = self.rest();
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else if rest.starts_with("//") {
                self.pos += rest.find('\n').unwrap_or(rest.len());
            } else if rest.starts_with("/*") {
                self.block_comment()?;
            } else if c == '"' {
                let value = self.string()?;
                self.push(Tok::Str(value), start);
            } else if c == 'r' && rest[1..].starts_with(['"', '#']) {
                let value = self.raw_string()?;
                self.push(Tok::Str(value), start);
            } else if c.is_alphabetic() || c == '_' {
                self.pos += word_len(rest);
                self.push(Tok::Ident, start);
            } else if c.is_ascii_digit()
                || (matches!(c, '-' | '+') && rest[1..].starts_with(|d: char| d.is_ascii_digit()))
            {
                self.pos += 1 + number_len(&rest[1..]);
                self.push(Tok::Number, start);
            } else if matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | ',' | ':') {
                self.pos += 1;
                self.push(Tok::Punct(c), start);
            } else {
                return Err(syntax(
                    start..start + c.len_utf8(),
                    format!("unexpected character `{c}`"),
                    None::<String>,
                ));
            }
        }
        Ok(())
    }

    /// Skips a `/* ... */` comment, which may nest.
    fn block_comment(&mut self) -> Result<(), SchemaError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut i = start;
        while let Some(pair) = bytes.get(i..i + 2) {
            match pair {
                b"/*" => {
                    depth += 1;
                    i += 2;
                }
                b"*/" => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        self.pos = i;
                        return Ok(());
                    }
                }
                _ => i += 1,
            }
        }
        Err(syntax(
            start..start + 2,
            "a `/*` comment is not closed",
            Some("close it with `*/`"),
        ))
    }

    /// Reads a `"..."` string, unescaping it. A string ends on its line: a newline before the
    /// closing quote means the quote is missing (write `\n` for a newline in the text).
    fn string(&mut self) -> Result<String, SchemaError> {
        let start = self.pos;
        let mut value = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        let unclosed = |text: &str| {
            let line = text.get(start..).unwrap_or("");
            let end = start + line.find('\n').unwrap_or(line.len());
            syntax(
                start..end,
                "this string is not closed",
                Some("close it with `\"` on the same line"),
            )
        };
        loop {
            let Some((i, c)) = chars.next() else {
                return Err(unclosed(self.text));
            };
            match c {
                '"' => {
                    self.pos = start + i + 1;
                    return Ok(value);
                }
                '\n' => return Err(unclosed(self.text)),
                '\\' => {
                    let at = start + i;
                    let escaped = match chars.next() {
                        Some((_, c @ ('"' | '\\' | '/' | '\''))) => Some(c),
                        Some((_, 'n')) => Some('\n'),
                        Some((_, 't')) => Some('\t'),
                        Some((_, 'r')) => Some('\r'),
                        Some((_, '0')) => Some('\0'),
                        Some((_, 'b')) => Some('\u{8}'),
                        Some((_, 'f')) => Some('\u{c}'),
                        Some((_, 'u')) => unicode_escape(&mut chars),
                        Some((_, 'x')) => ascii_escape(&mut chars),
                        _ => None,
                    };
                    match escaped {
                        Some(c) => value.push(c),
                        None => {
                            let end = chars.next().map_or(self.text.len(), |(j, _)| start + j);
                            return Err(syntax(
                                at..end.max(at + 1),
                                "this escape is not one RON knows",
                                Some("the escapes are \\\" \\\\ \\n \\t, \\x41 and \\u{e8} for a character by its code; accented letters can be written as they are"),
                            ));
                        }
                    }
                }
                c => value.push(c),
            }
        }
    }

    /// Reads a raw string, `r"..."` or `r#"..."#` (no escapes; may span lines).
    fn raw_string(&mut self) -> Result<String, SchemaError> {
        let start = self.pos;
        let rest = self.rest();
        let hashes = rest[1..].len() - rest[1..].trim_start_matches('#').len();
        let open = 1 + hashes;
        if !rest[open..].starts_with('"') {
            return Err(syntax(
                start..start + open,
                "expected `\"` opening a raw string",
                Some("write a raw string as r\"...\" or r#\"...\"#"),
            ));
        }
        let body = &rest[open + 1..];
        let closing = format!("\"{}", "#".repeat(hashes));
        match body.find(&closing) {
            Some(i) => {
                self.pos = start + open + 1 + i + closing.len();
                Ok(body[..i].to_owned())
            }
            None => {
                let end = start + rest.find('\n').unwrap_or(rest.len());
                Err(syntax(
                    start..end,
                    "this string is not closed",
                    Some(format!("close it with `{closing}`")),
                ))
            }
        }
    }
}

/// Reads the rest of a `\u{e8}` or `\u00e8` escape; `None` if malformed.
fn unicode_escape(chars: &mut impl Iterator<Item = (usize, char)>) -> Option<char> {
    let mut hex = String::new();
    match chars.next()? {
        (_, '{') => loop {
            match chars.next()? {
                (_, '}') => break,
                (_, c) if c.is_ascii_hexdigit() && hex.len() < 6 => hex.push(c),
                _ => return None,
            }
        },
        (_, c) => {
            hex.push(c);
            for _ in 0..3 {
                hex.push(chars.next()?.1);
            }
        }
    }
    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
}

/// Reads the rest of a `\x41` escape (an ASCII character); `None` if malformed.
fn ascii_escape(chars: &mut impl Iterator<Item = (usize, char)>) -> Option<char> {
    let hex: String = [chars.next()?.1, chars.next()?.1].iter().collect();
    u8::from_str_radix(&hex, 16)
        .ok()
        .filter(u8::is_ascii)
        .map(char::from)
}

/// The length of the identifier at the start of `s`.
fn word_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// The length of the rest of a number: digits, letters, `_`, `.`, and a sign after an exponent.
fn number_len(s: &str) -> usize {
    let mut prev = ' ';
    s.find(|c: char| {
        let part = c.is_ascii_alphanumeric()
            || c == '_'
            || c == '.'
            || (matches!(c, '+' | '-') && matches!(prev, 'e' | 'E'));
        prev = c;
        !part
    })
    .unwrap_or(s.len())
}

/// A syntax error.
pub(super) fn syntax(
    span: Span,
    message: impl Into<String>,
    help: Option<impl Into<String>>,
) -> SchemaError {
    SchemaError::Syntax {
        span,
        message: message.into(),
        help: help.map(Into::into),
        note: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .map(|t| match t.kind {
                Tok::Str(s) => format!("S{s}"),
                Tok::Ident => format!("I{}", &text[t.span]),
                Tok::Number => format!("N{}", &text[t.span]),
                Tok::Punct(c) => format!("P{c}"),
                Tok::Eof => "EOF".to_owned(),
                Tok::Error(e) => format!("E{e:?}"),
            })
            .collect()
    }

    #[test]
    fn tokens() {
        assert_eq!(
            kinds(
                "/* a /* b */ c */ // x\n\"q\\\"\\u{e8}\\u00e9\\x41\": r#\"r\"aw\"# -1.5e-3 città,"
            ),
            ["Sq\"èéA", "P:", "Sr\"aw", "N-1.5e-3", "Icittà", "P,", "EOF"]
        );
        assert_eq!(kinds("r\"a\nb\""), ["Sa\nb", "EOF"]);
        assert_eq!(kinds("\u{feff}x"), ["Ix", "EOF"]);
        let spans: Vec<Span> = tokenize(" \"è\" x").into_iter().map(|t| t.span).collect();
        assert_eq!(spans, [1..5, 6..7, 7..7]);
    }

    #[test]
    fn errors_stop_the_tokens() {
        let err = |text: &str| match tokenize(text).pop().map(|t| t.kind) {
            Some(Tok::Error(e)) => match *e {
                SchemaError::Syntax { span, message, .. } => (text[span].to_owned(), message),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(
            err("a \"bc\n\"d\""),
            ("\"bc".to_owned(), "this string is not closed".to_owned())
        );
        assert_eq!(
            err("\"ab"),
            ("\"ab".to_owned(), "this string is not closed".to_owned())
        );
        assert_eq!(
            err("r#\"ab\"\nx"),
            (
                "r#\"ab\"".to_owned(),
                "this string is not closed".to_owned()
            )
        );
        assert_eq!(
            err("x /* /* */"),
            ("/*".to_owned(), "a `/*` comment is not closed".to_owned())
        );
        assert_eq!(
            err("x @"),
            ("@".to_owned(), "unexpected character `@`".to_owned())
        );
        assert_eq!(
            err("\"a\\qb\""),
            (
                "\\q".to_owned(),
                "this escape is not one RON knows".to_owned()
            )
        );
        assert_eq!(
            err("\"a\\u{zz}\""),
            (
                "\\u{z".to_owned(),
                "this escape is not one RON knows".to_owned()
            )
        );
        assert_eq!(
            err("r#x"),
            (
                "r#".to_owned(),
                "expected `\"` opening a raw string".to_owned()
            )
        );
        assert_eq!(
            err("\"a\\"),
            (
                "\\".to_owned(),
                "this escape is not one RON knows".to_owned()
            )
        );
    }
}
