//! PLACEHOLDER until the schema loader lands.
use crate::diagnostic::{Diagnostic, SourceFile};
use guide_runtime::schema::Schema;
pub fn load(file: &SourceFile) -> Result<Schema, Vec<Diagnostic>> {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(&file.text)
        .map_err(|e| {
            eprintln!("{e}");
            Vec::new()
        })
}
