//! Loading a campaign's data schema (a RON file, see "Schemas" in language-spec/language.md)
//! into [`guide_runtime::schema::Schema`], with diagnostics for people.
//!
//! Loading has three steps, each in its module:
//! - `tree` reads the RON subset schemas use into a tree where every value has its byte span
//!   (with `lex` for the tokens); a syntax error says what was expected and what was found,
//!   at the offending token;
//! - `read` takes the schema's shape from the tree: known fields only (so `descripton:` is an
//!   error, not silently ignored), the types as written, every name and value with its span;
//! - `check` checks the schema as a whole and reports every problem, each at the name or
//!   value it is about: names that are not identifiers, duplicates, empty or oversized enums
//!   and sets, `Optional(Optional(..))`, nesting too deep, and `key` / `gender` declarations
//!   that do not fit the attributes.
//!
//! The spans of every diagnostic come from the same parse that reads the values. A file with
//! a syntax error or a value of the wrong shape gets one E0601, the first problem in the text:
//! the parser hands back the tree read up to its error, and the reader looks there for an
//! earlier one. A file that reads gets every semantic problem at once.

mod check;
mod error;
mod lex;
mod read;
mod tree;

pub use error::SchemaError;
pub use tree::MAX_NESTING;

use crate::diagnostic::{Diagnostic, IntoDiagnostic, SourceFile};
use guide_runtime::schema::Schema;

/// The most values a `Set` may have (the runtime holds a set in 64 bits).
pub const MAX_SET_VALUES: usize = 64;

/// The most values an `Enum` may have (the runtime holds an enum value in 16 bits, and keeps
/// `u16::MAX` for "no enum").
pub const MAX_ENUM_VALUES: usize = u16::MAX as usize - 1;

/// How deeply types may nest, counted as the runtime's loader counts them
/// ([`guide_runtime::bytecode::format::limits::MAX_TYPE_DEPTH`]): each Record or List level
/// counts two, each Optional one; so at most 15 levels of Record or List.
pub const MAX_TYPE_DEPTH: usize = guide_runtime::bytecode::format::limits::MAX_TYPE_DEPTH;

/// Reads and checks the schema in `file`; every problem found becomes a diagnostic.
pub fn load(file: &SourceFile) -> Result<Schema, Vec<Diagnostic>> {
    parse(&file.text).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| e.into_diagnostic(file))
            .collect()
    })
}

/// Reads and checks a schema's text, returning all errors found (a syntax error stops the
/// reading, so it comes alone).
pub fn parse(text: &str) -> Result<Schema, Vec<SchemaError>> {
    let root = match tree::parse(text) {
        Ok(root) => root,
        Err(failure) => {
            let tree::Failure { error, partial } = *failure;
            // An error in what was read before the syntax error comes first.
            let earlier = partial
                .and_then(|p| read::schema(text, &p).err())
                .filter(|e| e.span().start < error.span().start);
            return Err(vec![earlier.unwrap_or(error)]);
        }
    };
    let raw = read::schema(text, &root).map_err(|e| vec![e])?;
    check::schema(raw)
}

/// Where each attribute is declared in a schema's text: its path (`["figli", "nome"]` for a field
/// of a list or record) and the span of its quoted name, in the order written. Empty when the
/// text does not read (a language server's go to definition).
pub fn attribute_spans(text: &str) -> Vec<(Vec<String>, crate::diagnostic::Span)> {
    fn walk(
        attrs: &[read::RawAttribute],
        prefix: &mut Vec<String>,
        out: &mut Vec<(Vec<String>, crate::diagnostic::Span)>,
    ) {
        for a in attrs {
            prefix.push(a.name.value.clone());
            out.push((prefix.clone(), a.name.span.clone()));
            let mut ty = &a.ty;
            while let read::RawType::Optional(inner) = ty {
                ty = inner;
            }
            if let read::RawType::Record(fields) | read::RawType::List(fields) = ty {
                walk(fields, prefix, out);
            }
            prefix.pop();
        }
    }
    let Ok(root) = tree::parse(text) else {
        return Vec::new();
    };
    let Ok(raw) = read::schema(text, &root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(&raw.attributes, &mut Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests;
