//! Go to definition, the outline of a file, and renaming a scene, pop-up or service.

use crate::lookup::{self, Target};
use crate::text::LineIndex;
use guide_compiler::diagnostic::{SourceFile, Span};
use guide_compiler::index::{self, SymbolKind};
use guide_compiler::project::Project;
use guide_compiler::schema;
use guide_compiler::syntax::ast;
use lsp_types::{DocumentSymbol, SymbolKind as Kind};

/// Where `target` is defined: a file of the project (or its schema) and a span in it.
pub fn definition<'p>(project: &'p Project, target: &Target) -> Option<(&'p SourceFile, Span)> {
    match target {
        Target::Symbol(kind, name) => {
            let def = index::occurrences(&project.asts)
                .into_iter()
                .find(|o| o.kind == *kind && o.name == *name && o.is_definition())?;
            Some((project.files.get(def.file)?, def.span))
        }
        Target::Attribute(path) => {
            let (file, _) = project.schema.as_ref()?;
            let span = schema::attribute_spans(&file.text)
                .into_iter()
                .find(|(p, _)| p == path)?
                .1;
            Some((file, span))
        }
        Target::Formatter(_) => None,
    }
}

/// Every place (file of the project, span) where the scene, pop-up or service `name` is written.
pub fn occurrences<'p>(
    project: &'p Project,
    kind: SymbolKind,
    name: &str,
) -> Vec<(&'p SourceFile, Span)> {
    index::occurrences(&project.asts)
        .into_iter()
        .filter(|o| o.kind == kind && o.name == name)
        .filter_map(|o| Some((project.files.get(o.file)?, o.span)))
        .collect()
}

/// The scene, pop-up or service under the cursor, for rename.
pub fn symbol_at(file: &ast::File, offset: usize) -> Option<(Span, SymbolKind, String)> {
    match lookup::at(file, offset)? {
        (span, Target::Symbol(kind, name)) => Some((span, kind, name)),
        _ => None,
    }
}

/// Whether `name` can name a scene, pop-up or service.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !guide_compiler::syntax::keywords::KEYWORDS.contains(&name)
}

/// The outline of a file: its header, services, scenes, branches and matches, nested, and its
/// `notify` blocks.
pub fn symbols(file: &ast::File, text: &str) -> Vec<DocumentSymbol> {
    let idx = LineIndex::new(text);
    let o = Outline { idx: &idx, text };
    let mut out = Vec::new();
    if let Some(c) = &file.campaign {
        out.push(o.symbol(
            format!("campaign {}", c.id.name),
            Kind::PACKAGE,
            &c.span,
            &c.id.span,
            Vec::new(),
        ));
    }
    for s in &file.services {
        out.push(o.symbol(
            s.id.name.clone(),
            Kind::INTERFACE,
            &s.span,
            &s.id.span,
            Vec::new(),
        ));
    }
    out.extend(o.items(&file.story));
    for e in &file.endings {
        out.push(o.scene(e));
    }
    for n in &file.notifications {
        out.push(o.symbol(
            format!("notify {}", n.channel.name),
            Kind::EVENT,
            &n.span,
            &n.channel.span,
            Vec::new(),
        ));
    }
    out.sort_by_key(|s| (s.range.start.line, s.range.start.character));
    out
}

struct Outline<'a> {
    idx: &'a LineIndex<'a>,
    text: &'a str,
}

impl Outline<'_> {
    #[allow(deprecated)]
    fn symbol(
        &self,
        name: String,
        kind: Kind,
        whole: &Span,
        sel: &Span,
        children: Vec<DocumentSymbol>,
    ) -> DocumentSymbol {
        let range = self.idx.range(whole);
        let mut selection = self.idx.range(sel);
        if selection.start < range.start || selection.end > range.end {
            selection = range;
        }
        DocumentSymbol {
            name: if name.is_empty() { "?".into() } else { name },
            detail: None,
            kind,
            tags: None,
            deprecated: None,
            range,
            selection_range: selection,
            children: (!children.is_empty()).then_some(children),
        }
    }

    fn snippet(&self, span: &Span) -> String {
        let s = self.text.get(span.clone()).unwrap_or("");
        let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if one.chars().count() > 60 {
            format!("{}…", one.chars().take(60).collect::<String>())
        } else {
            one
        }
    }

    fn scene(&self, s: &ast::Scene) -> DocumentSymbol {
        let popups = s
            .stmts
            .iter()
            .filter_map(|st| match st {
                ast::SceneStmt::Popup(p) => Some(self.symbol(
                    format!("popup {}", p.id.name),
                    Kind::EVENT,
                    &p.span,
                    &p.id.span,
                    Vec::new(),
                )),
                _ => None,
            })
            .collect();
        self.symbol(s.id.name.clone(), Kind::CLASS, &s.span, &s.id.span, popups)
    }

    fn items(&self, items: &[ast::StoryItem]) -> Vec<DocumentSymbol> {
        items
            .iter()
            .flat_map(|item| match item {
                ast::StoryItem::Scene(s) => vec![self.scene(s)],
                ast::StoryItem::Include(i) => vec![self.symbol(
                    format!("include {}", i.id.name),
                    Kind::OBJECT,
                    &i.span,
                    &i.id.span,
                    Vec::new(),
                )],
                ast::StoryItem::If(b) => {
                    let mut arms: Vec<DocumentSymbol> = Vec::new();
                    for (n, (cond, body)) in b.arms.iter().enumerate() {
                        let word = if n == 0 { "if" } else { "else if" };
                        let end = body.last().map_or(cond.span.end, |i| span_of(i).end);
                        let whole = cond.span.start..end.max(cond.span.end);
                        arms.push(self.symbol(
                            format!("{word} {}", self.snippet(&cond.span)),
                            Kind::BOOLEAN,
                            &whole,
                            &cond.span,
                            self.items(body),
                        ));
                    }
                    if let Some((kw, body)) = &b.otherwise {
                        let end = body.last().map_or(kw.end, |i| span_of(i).end);
                        arms.push(self.symbol(
                            "else".into(),
                            Kind::BOOLEAN,
                            &(kw.start..end.max(kw.end)),
                            kw,
                            self.items(body),
                        ));
                    }
                    arms
                }
                ast::StoryItem::Match(m) => {
                    let mut cases: Vec<DocumentSymbol> = m
                        .cases
                        .iter()
                        .map(|c| {
                            let names: Vec<&str> =
                                c.values.iter().map(|v| v.name.as_str()).collect();
                            let end = c.body.last().map_or(c.span.end, |i| span_of(i).end);
                            self.symbol(
                                format!("case {}", names.join(", ")),
                                Kind::ENUM_MEMBER,
                                &(c.span.start..end.max(c.span.end)),
                                &c.span,
                                self.items(&c.body),
                            )
                        })
                        .collect();
                    if let Some((kw, body)) = &m.otherwise {
                        let end = body.last().map_or(kw.end, |i| span_of(i).end);
                        cases.push(self.symbol(
                            "else".into(),
                            Kind::ENUM_MEMBER,
                            &(kw.start..end.max(kw.end)),
                            kw,
                            self.items(body),
                        ));
                    }
                    vec![self.symbol(
                        format!("match {}", self.snippet(&m.subject.span)),
                        Kind::ENUM,
                        &m.span,
                        &m.subject.span,
                        cases,
                    )]
                }
            })
            .collect()
    }
}

fn span_of(item: &ast::StoryItem) -> Span {
    match item {
        ast::StoryItem::Scene(s) => s.span.clone(),
        ast::StoryItem::Include(i) => i.span.clone(),
        ast::StoryItem::If(b) => b.span.clone(),
        ast::StoryItem::Match(m) => m.span.clone(),
    }
}
