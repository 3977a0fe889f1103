//! Where the scenes, pop-ups and services of a project are defined and referenced, with spans:
//! what a language server needs for go to definition, hover and rename. Pure: it reads only the
//! parsed trees of [`crate::project::Project`].

use crate::diagnostic::Span;
use crate::syntax::ast;

#[cfg(test)]
mod tests;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SymbolKind {
    /// A scene (`scene ID`), referenced by `include ID`.
    Scene,
    /// A pop-up (`popup ID`).
    Popup,
    /// A service (`service ID`), referenced by `button ID`.
    Service,
}

impl SymbolKind {
    /// The word the language uses for it.
    pub fn word(self) -> &'static str {
        match self {
            SymbolKind::Scene => "scene",
            SymbolKind::Popup => "popup",
            SymbolKind::Service => "service",
        }
    }
}

/// One place a scene, pop-up or service id is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// What it names.
    pub kind: SymbolKind,
    /// The id.
    pub name: String,
    /// The index of the file in the project (as in [`crate::project::Project::files`]).
    pub file: usize,
    /// Where the id is written.
    pub span: Span,
    /// The whole definition (the block), for a definition; `None` for a reference.
    pub definition: Option<Span>,
}

impl Occurrence {
    /// Whether this occurrence defines the name.
    pub fn is_definition(&self) -> bool {
        self.definition.is_some()
    }
}

/// Every occurrence of a scene, pop-up or service id in `asts` (one per file, in project
/// order), in file order then text order.
pub fn occurrences(asts: &[ast::File]) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for (file, ast) in asts.iter().enumerate() {
        let mut v = Visitor {
            file,
            out: &mut out,
        };
        for s in &ast.services {
            v.def(SymbolKind::Service, &s.id, &s.span);
        }
        v.items(&ast.story);
        for ending in &ast.endings {
            v.stmts(&ending.stmts);
        }
    }
    out.sort_by_key(|o| (o.file, o.span.start));
    out
}

struct Visitor<'a> {
    file: usize,
    out: &'a mut Vec<Occurrence>,
}

impl Visitor<'_> {
    fn push(&mut self, kind: SymbolKind, id: &ast::Ident, definition: Option<Span>) {
        self.out.push(Occurrence {
            kind,
            name: id.name.clone(),
            file: self.file,
            span: id.span.clone(),
            definition,
        });
    }

    fn def(&mut self, kind: SymbolKind, id: &ast::Ident, whole: &Span) {
        self.push(kind, id, Some(whole.clone()));
    }

    fn items(&mut self, items: &[ast::StoryItem]) {
        for item in items {
            match item {
                ast::StoryItem::Scene(s) => {
                    self.def(SymbolKind::Scene, &s.id, &s.span);
                    self.stmts(&s.stmts);
                }
                ast::StoryItem::Include(i) => self.push(SymbolKind::Scene, &i.id, None),
                ast::StoryItem::If(b) => {
                    for (_, body) in &b.arms {
                        self.items(body);
                    }
                    if let Some((_, body)) = &b.otherwise {
                        self.items(body);
                    }
                }
                ast::StoryItem::Match(m) => {
                    for case in &m.cases {
                        self.items(&case.body);
                    }
                    if let Some((_, body)) = &m.otherwise {
                        self.items(body);
                    }
                }
            }
        }
    }

    fn stmts(&mut self, stmts: &[ast::SceneStmt]) {
        for stmt in stmts {
            match stmt {
                ast::SceneStmt::Popup(p) => self.def(SymbolKind::Popup, &p.id, &p.span),
                ast::SceneStmt::Button(b) => self.push(SymbolKind::Service, &b.service, None),
                _ => {}
            }
        }
    }
}
