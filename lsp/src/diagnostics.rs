//! The compiler's diagnostics as LSP diagnostics, grouped by the file they are about.

use crate::text::LineIndex;
use crate::world::World;
use guide_compiler::diagnostic::{Diagnostic, Severity};
use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Url};
use std::collections::BTreeMap;

/// One diagnostic as an editor shows it: the title, then the label and the help of `guide
/// check`, the code, and the notes as related locations.
pub fn convert(world: &World, d: &Diagnostic) -> lsp_types::Diagnostic {
    let idx = LineIndex::new(&d.file.text);
    let mut message = d.message.clone();
    if !d.label.is_empty() && d.label != d.message {
        message.push_str(&format!("\n{}", d.label));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .notes
        .iter()
        .filter_map(|n| {
            let uri = world.uri_of(&n.file.path)?;
            let range = LineIndex::new(&n.file.text).range(&n.span);
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range),
                message: n.label.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: idx.range(&d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("guide".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

/// The diagnostics of a compilation by the URI of their file.
pub fn by_file(
    world: &World,
    diagnostics: &[Diagnostic],
) -> BTreeMap<Url, Vec<lsp_types::Diagnostic>> {
    let mut out: BTreeMap<Url, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        if let Some(uri) = world.uri_of(&d.file.path) {
            out.entry(uri).or_default().push(convert(world, d));
        }
    }
    out
}
