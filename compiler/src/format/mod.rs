//! `guide fmt`: one canonical layout for `.guide` files.
//!
//! [`format_source`] rewrites a file's text: four spaces per block level, one statement per line,
//! `{` at the end of the line that opens a block and `}` alone on its line (`} else {` for `if`),
//! one space between words and around infix operators, at most one blank line in a row (none
//! right after `{` or before `}`). Strings and templates are copied exactly as written, so a long
//! template stays whole on its line. Every `//` comment stays where it was among the tokens: on its
//! own line, or at the end of the line of the code it followed.
//!
//! It never changes meaning: the formatted text is parsed again and must have the same syntax
//! tree (rules, nesting and tokens) and the same comments in the same order, or nothing is returned ([`FormatError::NotPreserved`]).
//! A file with syntax errors is refused ([`FormatError::Syntax`]), and so is a construct the
//! printer does not know ([`FormatError::Unsupported`]): a rule added to the grammar is never
//! dropped silently. The function is pure (text in, text out); `guide fmt` and the language
//! server call it.

mod printer;
mod tokens;

use pest::Parser as _;

use crate::diagnostic::{Diagnostic, IntoDiagnostic, SourceFile, Span};
use crate::syntax::parser::{GuideParser, Rule};
use crate::syntax::SyntaxError;

/// Why a file was not formatted. The file must then be left as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatError {
    /// The file does not parse: the same errors `guide check` reports.
    Syntax(Vec<SyntaxError>),
    /// A grammar rule the formatter does not know how to print (taught to the grammar but not to
    /// `format/printer.rs`).
    Unsupported {
        /// The pest rule's name.
        rule: String,
        /// Where it stands.
        span: Span,
    },
    /// The formatted text would not read back as the same tokens and comments: a formatter bug,
    /// caught before anything is written.
    NotPreserved {
        /// Where in the original the first difference is.
        span: Span,
    },
}

impl FormatError {
    /// The diagnostics that explain this error in `file` (one per syntax error).
    pub fn into_diagnostics(self, file: &SourceFile) -> Vec<Diagnostic> {
        match self {
            FormatError::Syntax(errors) => errors
                .into_iter()
                .map(|e| e.into_diagnostic(file))
                .collect(),
            FormatError::Unsupported { rule, span } => vec![Diagnostic::error(
                "E0911",
                "the formatter does not know this construct",
                file,
                span,
                format!("`guide fmt` cannot print the grammar rule `{rule}` yet; the file was left as it is"),
            )],
            FormatError::NotPreserved { span } => vec![Diagnostic::error(
                "E0912",
                "formatting would change this file's tokens or comments",
                file,
                span,
                "this is a bug in `guide fmt`; the file was left as it is".to_string(),
            )],
        }
    }
}

/// Formats the text of one `.guide` file in the canonical layout (see the module documentation).
///
/// Returns the new text (equal to `source` when it is already formatted), or why it cannot be
/// formatted; it never returns a text whose tokens or comments differ from `source`'s.
pub fn format_source(source: &str) -> Result<String, FormatError> {
    let (_, errors) = crate::syntax::parse(source);
    if !errors.is_empty() {
        return Err(FormatError::Syntax(errors));
    }
    let root = parse_root(source).ok_or(FormatError::NotPreserved { span: 0..0 })?;
    let mut leaves = Vec::new();
    tokens::leaves(root.clone(), &mut leaves);
    let mut shape = Vec::new();
    tokens::shape(root.clone(), 0, &mut shape);
    let comments = tokens::comments(source, &leaves);
    let mut printer = printer::Printer::new(source, comments.clone());
    printer.file(root)?;
    let out = printer.finish();
    verify(source, &leaves, &shape, &comments, &out)?;
    Ok(out)
}

fn parse_root(source: &str) -> Option<pest::iterators::Pair<'_, Rule>> {
    GuideParser::parse(Rule::file, source).ok()?.next()
}

/// Checks that `out` has the syntax tree (`shape`, `leaves`) and the comments of `source`, in the
/// same order.
fn verify(
    source: &str,
    leaves: &[(Rule, usize, usize)],
    shape: &[(Rule, usize)],
    comments: &[tokens::Comment],
    out: &str,
) -> Result<(), FormatError> {
    let (_, errors) = crate::syntax::parse(out);
    let root = parse_root(out).filter(|_| errors.is_empty());
    let Some(root) = root else {
        return Err(FormatError::NotPreserved { span: 0..0 });
    };
    let mut after_shape = Vec::new();
    tokens::shape(root.clone(), 0, &mut after_shape);
    if after_shape != shape {
        return Err(FormatError::NotPreserved { span: 0..0 });
    }
    let mut after = Vec::new();
    tokens::leaves(root, &mut after);
    let after_comments = tokens::comments(out, &after);
    for (i, &(rule, start, end)) in leaves.iter().enumerate() {
        let same = after
            .get(i)
            .is_some_and(|&(r, s, e)| r == rule && out[s..e] == source[start..end]);
        if !same {
            return Err(FormatError::NotPreserved { span: start..end });
        }
    }
    if after.len() != leaves.len() {
        return Err(FormatError::NotPreserved {
            span: source.len()..source.len(),
        });
    }
    for (i, c) in comments.iter().enumerate() {
        if after_comments.get(i).map(|a| &a.text) != Some(&c.text) {
            return Err(FormatError::NotPreserved {
                span: c.start..c.start + c.text.len(),
            });
        }
    }
    if after_comments.len() != comments.len() {
        return Err(FormatError::NotPreserved {
            span: source.len()..source.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
