//! Hover: an attribute's type, `personal` mark and description; a service's label and URL; where
//! a scene or pop-up is defined; what a formatter prints.

use crate::lookup::{self, Target};
use guide_compiler::index::{self, SymbolKind};
use guide_compiler::project::Project;
use guide_compiler::syntax::ast;
use guide_runtime::schema::Type;

/// The formatters of templates: name, what it prints, an example.
pub const FORMATTERS: &[(&str, &str, &str)] = &[
    (
        "money",
        "an amount in euros",
        "`{importo | money}` → `€ 1.234,56`",
    ),
    (
        "date",
        "a date in words",
        "`{data | date}` → `29 febbraio 2024`",
    ),
    (
        "short_date",
        "a date in figures",
        "`{data | short_date}` → `29/02/2024`",
    ),
    (
        "number",
        "a number with thousands separators and a decimal comma",
        "`{n | number}` → `1.234`, `0,75`",
    ),
    (
        "upper",
        "the text in capitals",
        "`{nome | upper}` → `MARIO`",
    ),
    (
        "lower",
        "the text in small letters",
        "`{nome | lower}` → `mario`",
    ),
    (
        "capitalize",
        "the text with a capital first letter",
        "`{nome | capitalize}` → `Mario`",
    ),
    (
        "count",
        "the number with the singular or plural word",
        "`{n | count(\"settimana\", \"settimane\")}` → `1 settimana`, `20 settimane`",
    ),
    (
        "plural",
        "only the singular or plural word",
        "`{n | plural(\"settimana\", \"settimane\")}` → `settimana` / `settimane`",
    ),
];

/// The Markdown shown over `target`, if there is something to say.
pub fn hover(project: &Project, target: &Target) -> Option<String> {
    match target {
        Target::Attribute(path) => {
            let (_, schema) = project.schema.as_ref()?;
            let a = lookup::attribute(schema, path)?;
            let mut out = format!("**{}** · `{}`", path.join("."), describe(&a.ty));
            if a.personal {
                out.push_str(" · personal (never logged)");
            }
            if let Some(v) = lookup::values(&a.ty) {
                out.push_str(&format!("\n\nvalues: {}", v.join(", ")));
            }
            if let Some(d) = &a.description {
                out.push_str(&format!("\n\n{d}"));
            }
            Some(out)
        }
        Target::Formatter(name) => {
            let (_, what, example) = FORMATTERS.iter().find(|(n, _, _)| n == name)?;
            Some(format!("**| {name}**: {what}\n\n{example}"))
        }
        Target::Symbol(SymbolKind::Service, name) => {
            let (file, service) = project.asts.iter().enumerate().find_map(|(i, f)| {
                f.services
                    .iter()
                    .find(|s| s.id.name == *name)
                    .map(|s| (i, s))
            })?;
            let text =
                |s: &Option<ast::Str>| s.as_ref().map_or("(none)".to_string(), |s| s.value.clone());
            Some(format!(
                "**service {name}**\n\nlabel: {}\n\nurl: {}\n\n{}",
                text(&service.label),
                text(&service.url),
                where_(project, file, service.span.start)
            ))
        }
        Target::Symbol(kind, name) => {
            let def = index::occurrences(&project.asts)
                .into_iter()
                .find(|o| o.kind == *kind && o.name == *name && o.is_definition())?;
            Some(format!(
                "**{} {name}**\n\n{}",
                kind.word(),
                where_(project, def.file, def.span.start)
            ))
        }
    }
}

fn where_(project: &Project, file: usize, offset: usize) -> String {
    match project.files.get(file) {
        Some(f) => {
            let (line, _) = f.line_col(offset);
            let name = std::path::Path::new(&f.path)
                .file_name()
                .map_or(f.path.clone(), |n| n.to_string_lossy().to_string());
            format!("defined in {name}, line {line}")
        }
        None => String::new(),
    }
}

/// A type as the schema writes it.
pub fn describe(ty: &Type) -> String {
    match ty {
        Type::Enum(_) => "Enum".into(),
        Type::Set(_) => "Set".into(),
        Type::Optional(inner) => format!("Optional({})", describe(inner)),
        Type::Record(_) => "Record".into(),
        Type::List(_) => "List".into(),
        other => format!("{other:?}"),
    }
}
