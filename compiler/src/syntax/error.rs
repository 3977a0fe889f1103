//! Syntax errors, as data. Rendering is in [`IntoDiagnostic`].

use super::parser::Context;
use crate::diagnostic::{did_you_mean, Diagnostic, IntoDiagnostic, SourceFile, Span};

/// Something the parser could not read.
#[derive(Debug, Clone, PartialEq)]
pub enum SyntaxError {
    /// A token that does not fit where it stands.
    Unexpected {
        /// Where.
        span: Span,
        /// What is there, as shown to the user.
        found: String,
        /// What could stand there, in words.
        expected: Vec<&'static str>,
        /// Which kind of block it was in.
        context: Context,
    },
    /// A line that starts with a word that starts nothing here.
    UnknownStatement {
        /// The word.
        span: Span,
        /// The word.
        word: String,
        /// Which kind of block it was in.
        context: Context,
    },
    /// A statement that is valid elsewhere but not here.
    NotAllowedHere {
        /// The first word.
        span: Span,
        /// The word.
        word: String,
        /// Which kind of block it was in.
        context: Context,
    },
    /// A string without its closing quote.
    UnclosedString {
        /// From the opening quote to the end of the line.
        span: Span,
    },
    /// A `{` in a text that is not closed before the text ends.
    UnclosedHole {
        /// From the brace to the closing quote.
        span: Span,
    },
    /// A block whose `{` no `}` closes.
    UnclosedBlock {
        /// The `{`.
        span: Span,
        /// What it opens, in words: "scene", "pop-up", "block".
        what: &'static str,
        /// The word at the left margin the block stopped before (`scene`, `ending`...), or
        /// `None` when the file ends first.
        stop: Option<Span>,
        /// When a `}` meant for an enclosing block closed this one (it stands left of the line
        /// that opened this block): that `}`, and what it was meant for.
        taken: Option<(Span, &'static str)>,
    },
    /// `\x` where x is not an escape.
    BadEscape {
        /// The escape.
        span: Span,
        /// The character after the backslash.
        found: char,
    },
    /// Input nested or chained beyond what the compiler accepts.
    TooComplex {
        /// Where the limit was passed.
        span: Span,
        /// "nesting", "expression" or "parsing work" (pest's call limit).
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A number that does not fit.
    NumberTooLarge {
        /// Where.
        span: Span,
    },
    /// A duration that cannot be read.
    BadDuration {
        /// Where.
        span: Span,
        /// As written.
        text: String,
    },
    /// An amount with more than two decimals.
    BadMoney {
        /// Where.
        span: Span,
        /// As written.
        text: String,
    },
}

fn list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

impl IntoDiagnostic for SyntaxError {
    fn into_diagnostic(self, file: &SourceFile) -> Diagnostic {
        match self {
            SyntaxError::Unexpected {
                span,
                found,
                expected,
                context,
            } => {
                let label = if expected.is_empty() {
                    format!("{found} is not expected here")
                } else {
                    format!("expected {}", list(&expected))
                };
                Diagnostic::error(
                    "E0001",
                    if context == Context::File {
                        format!("unexpected {found}")
                    } else {
                        format!("unexpected {found} {}", context.place())
                    },
                    file,
                    span,
                    label,
                )
                .with_help(match expected.first() {
                    Some(first) => format!(
                        "write {} here, or check the line against language-spec/language.md",
                        first
                    ),
                    None => "check the line against language-spec/language.md".to_string(),
                })
            }
            SyntaxError::UnknownStatement {
                span,
                word,
                context,
            } => {
                let starters = context.starters();
                let quoted: Vec<String> = starters.iter().map(|s| format!("`{s}`")).collect();
                let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
                let d = Diagnostic::error(
                    "E0002",
                    format!("`{word}` does not start a line {}", context.place()),
                    file,
                    span,
                    format!("a line here starts with {}", list(&quoted)),
                );
                match did_you_mean(&word, starters.iter().copied()) {
                    Some(s) if s != word => d.with_help(format!("did you mean `{s}`?")),
                    _ => d.with_help(format!(
                        "start the line with one of {}; to write text, use `text \"...\"`",
                        list(&quoted)
                    )),
                }
            }
            SyntaxError::NotAllowedHere {
                span,
                word,
                context,
            } => Diagnostic::error(
                "E0003",
                format!("`{word}` is not allowed {}", context.place()),
                file,
                span,
                format!("`{word}` cannot stand {}", context.place()),
            )
            .with_help(match word.as_str() {
                "ending" => "the ending is written once, at the top level of the campaign file",
                "campaign" => "the campaign header is written once, at the top of the file",
                "service" => "declare services at the top level, usually in campaigns/common/services.guide",
                "import" => "imports go at the top level of the file",
                _ => "move it to a place where it is allowed (see language-spec/language.md)",
            }),
            SyntaxError::UnclosedString { span } => Diagnostic::error(
                "E0004",
                "this text has no closing quote",
                file,
                span,
                "the string starts here and the line ends before a closing `\"`",
            )
            .with_help("add `\"` at the end of the text; to write a quote inside it, write `\\\"`"),
            SyntaxError::UnclosedHole { span } => Diagnostic::error(
                "E0009",
                "this `{` is not closed",
                file,
                span,
                "the value starts here, and the text ends before a closing `}`",
            )
            .with_help("close the value with `}`, e.g. `{nome}`; to write a brace as text, write `\\{`"),
            SyntaxError::UnclosedBlock {
                span,
                what,
                stop,
                taken,
            } => {
                let d = Diagnostic::error(
                    "E0011",
                    "this `{` is never closed",
                    file,
                    span,
                    format!("the {what} opened here has no closing `}}`"),
                );
                if let Some((close, outer)) = taken {
                    return d
                        .with_note(
                            close,
                            if what == outer {
                                format!("this `}}` stands left of the {what}'s first line: it closes this {what}, not the one around it")
                            } else {
                                format!("this `}}` stands left of the {what}'s first line: it closes the {what}, not the {outer}")
                            },
                        )
                        .with_help(format!("add the {what}'s own `}}` before this one"));
                }
                match stop {
                    Some(stop) => {
                        let word = file.text.get(stop.clone()).unwrap_or("").to_string();
                        d.with_note(stop, format!("the {what} ends before this `{word}`, which starts a new item"))
                            .with_help(format!(
                                "add `}}` where the {what} ends, before the `{word}` line (if a block inside it lacks its own `}}`, this one's was taken for it)"
                            ))
                    }
                    None => d.with_help(format!(
                        "add `}}` where the {what} ends: the file ends before it is closed (if a block inside it lacks its own `}}`, this one's was taken for it)"
                    )),
                }
            }
            SyntaxError::BadEscape { span, found } => Diagnostic::error(
                "E0005",
                format!("unknown escape `\\{found}`"),
                file,
                span,
                "a backslash starts an escape",
            )
            .with_help(
                "the escapes are \\\" \\\\ \\n \\{ \\} \\[ \\] \\|; to write a backslash, write \\\\",
            ),
            SyntaxError::TooComplex { span, what, limit } => Diagnostic::error(
                "E0010",
                format!("{what} too deep"),
                file,
                span,
                if what == "nesting" {
                    format!("more than {limit} brackets are open here")
                } else if what == "parsing work" {
                    "reading the file stopped here: it needs more steps than the parser allows"
                        .to_string()
                } else {
                    format!("this expression has more than {limit} parts")
                },
            )
            .with_help("split it: a storyboard needs nothing this deep; use `if` blocks and several conditions"),
            SyntaxError::NumberTooLarge { span } => Diagnostic::error(
                "E0006",
                "number too large",
                file,
                span,
                "this number does not fit in the range the language supports",
            )
            .with_help("use a smaller number"),
            SyntaxError::BadDuration { span, text } => Diagnostic::error(
                "E0007",
                format!("invalid duration `{text}`"),
                file,
                span,
                "a duration is a number followed by ms, s, m or h, and must be under 24 hours",
            )
            .with_help("write it like `6s`, `6.5s`, `1m` or `3m30s`"),
            SyntaxError::BadMoney { span, text } => Diagnostic::error(
                "E0008",
                format!("invalid amount `{text}`"),
                file,
                span,
                "an amount has at most two decimals (cents)",
            )
            .with_help("write it like `€ 12.50`"),
        }
    }
}
