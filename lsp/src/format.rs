//! Formatting a document: the whole text replaced by its canonical layout, as `guide fmt`
//! writes it (through [`guide_compiler::format::format_source`]).

/// The formatted text of `text`, or `None` when it cannot be formatted (a file with syntax
/// errors is left as it is; the diagnostics already say why).
pub fn format(text: &str) -> Option<String> {
    guide_compiler::format::format_source(text).ok()
}
