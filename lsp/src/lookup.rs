//! What is written where: every name in a file that hover, definition and rename know about,
//! with attribute paths resolved through `for x in list` and `any x in list` to the schema.

use guide_compiler::diagnostic::Span;
use guide_compiler::index::SymbolKind;
use guide_compiler::syntax::ast;
use guide_runtime::schema::{Attribute, Fields, Schema, Type};

/// A name under the cursor.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// An attribute or field, by its path from the top of the schema (a list's element fields
    /// follow the list's name: `figli.eta`).
    Attribute(Vec<String>),
    /// A scene, pop-up or service id.
    Symbol(SymbolKind, String),
    /// A formatter after `|`.
    Formatter(String),
}

/// Every target in a file, with the span of its name.
pub fn targets(file: &ast::File) -> Vec<(Span, Target)> {
    let mut w = Walker::default();
    if let Some(c) = &file.campaign {
        for s in &c.stmts {
            match s {
                ast::HeaderStmt::AvailableUntil(e, _) | ast::HeaderStmt::Requires(e, _) => {
                    w.expr(e)
                }
                ast::HeaderStmt::AvailableFor(a, b, _) => {
                    w.expr(a);
                    w.expr(b);
                }
                _ => {}
            }
        }
    }
    for s in &file.services {
        w.symbol(SymbolKind::Service, &s.id);
    }
    w.items(&file.story);
    for e in &file.endings {
        w.scene_body(e);
    }
    w.out
}

/// The innermost target whose name holds `offset` (its end included, as editors place the
/// cursor after a word).
pub fn at(file: &ast::File, offset: usize) -> Option<(Span, Target)> {
    targets(file)
        .into_iter()
        .filter(|(s, _)| s.start <= offset && offset <= s.end)
        .min_by_key(|(s, _)| s.end - s.start)
}

/// The attribute at `path` in a schema.
pub fn attribute<'s>(schema: &'s Schema, path: &[String]) -> Option<&'s Attribute> {
    let (last, init) = path.split_last()?;
    let mut fields = &schema.attributes;
    for name in init {
        fields = nested(&fields.get(name)?.1.ty)?;
    }
    fields.get(last).map(|(_, a)| a)
}

/// The fields of a record or of a list's elements (through `Optional`).
pub fn nested(ty: &Type) -> Option<&Fields> {
    match ty {
        Type::Optional(inner) => nested(inner),
        Type::Record(f) | Type::List(f) => Some(f),
        _ => None,
    }
}

/// The values of an enum or a set (through `Optional`).
pub fn values(ty: &Type) -> Option<&[String]> {
    match ty {
        Type::Optional(inner) => values(inner),
        Type::Enum(v) | Type::Set(v) => Some(v),
        _ => None,
    }
}

#[derive(Default)]
struct Walker {
    /// `for x in list` / `any x in list` in scope: the name and the list's path.
    binders: Vec<(String, Vec<String>)>,
    out: Vec<(Span, Target)>,
}

impl Walker {
    fn symbol(&mut self, kind: SymbolKind, id: &ast::Ident) {
        self.out
            .push((id.span.clone(), Target::Symbol(kind, id.name.clone())));
    }

    /// The schema path of `ids[..=k]`, through the binders.
    fn resolve(&self, ids: &[ast::Ident]) -> Vec<String> {
        let Some((first, rest)) = ids.split_first() else {
            return Vec::new();
        };
        let mut path = match self.binders.iter().rev().find(|(n, _)| *n == first.name) {
            Some((_, list)) => list.clone(),
            None => vec![first.name.clone()],
        };
        path.extend(rest.iter().map(|i| i.name.clone()));
        path
    }

    fn list_path(&self, e: &ast::Expr) -> Vec<String> {
        match &e.kind {
            ast::ExprKind::Path(ids) => self.resolve(ids),
            _ => Vec::new(),
        }
    }

    fn expr(&mut self, e: &ast::Expr) {
        match &e.kind {
            ast::ExprKind::Path(ids) => {
                for (k, id) in ids.iter().enumerate() {
                    let path = self.resolve(&ids[..=k]);
                    self.out.push((id.span.clone(), Target::Attribute(path)));
                }
            }
            ast::ExprKind::Unary(_, a) | ast::ExprKind::Presence(a, _) => self.expr(a),
            ast::ExprKind::Call(_, args) => {
                for a in args {
                    self.expr(a);
                }
            }
            ast::ExprKind::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ast::ExprKind::Any(var, list, cond) => {
                self.expr(list);
                let path = self.list_path(list);
                self.binders.push((var.name.clone(), path));
                self.expr(cond);
                self.binders.pop();
            }
            _ => {}
        }
    }

    fn when(&mut self, when: &Option<ast::Expr>) {
        if let Some(e) = when {
            self.expr(e);
        }
    }

    fn template(&mut self, t: &ast::Template) {
        for part in &t.parts {
            if let ast::TemplatePart::Hole {
                expr, formatter, ..
            } = part
            {
                self.expr(expr);
                if let Some(f) = formatter {
                    self.out
                        .push((f.name.span.clone(), Target::Formatter(f.name.name.clone())));
                }
            }
        }
    }

    fn items(&mut self, items: &[ast::StoryItem]) {
        for item in items {
            match item {
                ast::StoryItem::Scene(s) => {
                    self.symbol(SymbolKind::Scene, &s.id);
                    self.scene_body(s);
                }
                ast::StoryItem::Include(i) => {
                    self.symbol(SymbolKind::Scene, &i.id);
                    self.when(&i.when);
                }
                ast::StoryItem::If(b) => {
                    for (cond, body) in &b.arms {
                        self.expr(cond);
                        self.items(body);
                    }
                    if let Some((_, body)) = &b.otherwise {
                        self.items(body);
                    }
                }
                ast::StoryItem::Match(m) => {
                    self.expr(&m.subject);
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

    fn scene_body(&mut self, s: &ast::Scene) {
        self.when(&s.when);
        for stmt in &s.stmts {
            match stmt {
                ast::SceneStmt::Text(t) | ast::SceneStmt::Say(t) => {
                    let bound = t.for_each.as_ref().map(|f| {
                        self.expr(&f.list);
                        (f.var.name.clone(), self.list_path(&f.list))
                    });
                    let pushed = bound.is_some();
                    self.binders.extend(bound);
                    self.template(&t.template);
                    self.when(&t.when);
                    if pushed {
                        self.binders.pop();
                    }
                }
                ast::SceneStmt::Popup(p) => {
                    self.symbol(SymbolKind::Popup, &p.id);
                    self.when(&p.when);
                    for t in [&p.button, &p.title, &p.body].into_iter().flatten() {
                        self.template(t);
                    }
                }
                ast::SceneStmt::Button(b) => {
                    self.symbol(SymbolKind::Service, &b.service);
                    self.when(&b.when);
                }
                ast::SceneStmt::Rating(r) => self.template(&r.question),
                ast::SceneStmt::Visual(_) | ast::SceneStmt::Duration(_) => {}
            }
        }
    }
}
