//! The checker: resolves and types a parsed [`Project`] into an [`ir::Campaign`], reporting every
//! problem it finds in one run. Pure: no I/O, everything comes from the project in memory.

mod call;
pub use call::{FUNCTIONS, TODAY};
pub mod error;
pub mod expr;
mod notify;
mod ranges;

use std::collections::HashMap;

use crate::analysis::error::AnalysisError;
use crate::diagnostic::{did_you_mean, Diagnostic, SourceFile, Span};
use crate::ir::{self, Ty};
use crate::project::Project;
use crate::report::Sources;
use crate::syntax::ast::{self, HeaderStmt, SceneStmt, StoryItem, VisualAlt};
use error::{
    Bound, CheckError, Context, Expected, FileId, IdKind, Located, Misplaced, Part, Place,
};
use expr::Scope;
use guide_runtime::schema::Schema;

/// The default speaking rate, in words per minute.
pub const DEFAULT_RATE_WPM: u32 = 150;

/// The result of checking: the typed campaign when there were no errors, the problems as data,
/// and all of them rendered once, in [`crate::report`].
#[derive(Debug)]
pub struct Checked {
    /// The typed campaign (`None` when any error was found, or for a library).
    pub campaign: Option<ir::Campaign>,
    /// The checker's problems (and those of loading the project's files), each with its file.
    pub errors: Vec<Located>,
    /// The problems of the analyses run at check time (narration longer than its scene).
    pub analysis: Vec<AnalysisError>,
    /// Every error and warning, rendered (syntax and schema ones included), sorted by file and
    /// position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// State of one checking run.
pub struct Checker<'p> {
    project: &'p Project,
    schema: Schema,
    file: usize,
    errors: Vec<Located>,
    used: Vec<bool>,
    scene_ids: HashMap<String, (usize, Span)>,
    popup_ids: HashMap<String, (usize, Span)>,
    services: HashMap<String, (usize, &'p ast::Service)>,
    library_scenes: HashMap<String, (usize, &'p ast::Scene)>,
    rate_wpm: u32,
    /// Whether a schema was loaded: without one, attribute errors would only be noise.
    schema_ok: bool,
}

/// Checks a loaded project.
pub fn check(project: &Project) -> Checked {
    let parse_failed = project.failed_to_load();
    let schema = project
        .schema
        .as_ref()
        .map(|(_, s)| s.clone())
        .unwrap_or(Schema {
            key: None,
            gender: None,
            attributes: Default::default(),
        });
    let used = vec![false; schema.attributes.len()];
    let mut c = Checker {
        project,
        schema,
        file: 0,
        errors: Vec::new(),
        used,
        scene_ids: HashMap::new(),
        popup_ids: HashMap::new(),
        services: HashMap::new(),
        library_scenes: HashMap::new(),
        rate_wpm: DEFAULT_RATE_WPM,
        schema_ok: project.schema.is_some(),
    };
    let campaign = c.run();
    let mut errors = project.errors.clone();
    errors.append(&mut c.errors);
    let analysis = campaign
        .as_ref()
        .map(|c| {
            let mut found = crate::analysis::timing::narration_warnings(c);
            found.extend(crate::analysis::notify::problems(c));
            found
        })
        .unwrap_or_default();
    let sources = Sources::of(project);
    let mut diagnostics = project.diagnostics.clone();
    diagnostics.extend(sources.syntax(&project.syntax_errors));
    diagnostics.extend(errors.iter().map(|e| e.to_diagnostic(&sources)));
    diagnostics.extend(analysis.iter().map(|a| a.to_diagnostic(&project.files)));
    crate::diagnostic::sort(&mut diagnostics);
    let has_errors = parse_failed || diagnostics.iter().any(Diagnostic::is_error);
    Checked {
        campaign: if has_errors { None } else { campaign },
        errors,
        analysis,
        diagnostics,
    }
}

impl<'p> Checker<'p> {
    fn file(&self) -> &'p SourceFile {
        &self.project.files[self.file]
    }

    fn error(&mut self, e: CheckError) {
        self.errors.push(Located {
            file: FileId::Guide(self.file),
            error: e,
        });
    }

    fn run(&mut self) -> Option<ir::Campaign> {
        let project = self.project;
        let main = &project.asts[0];
        self.collect_services();
        self.collect_library_scenes();
        for sp in &main.extra_campaigns {
            self.error(CheckError::NotHere {
                span: sp.clone(),
                what: Misplaced::SecondCampaign,
            });
        }
        let Some(header) = &main.campaign else {
            // A library checked on its own: its scenes need a campaign's schema, so only the
            // parts that do not depend on one are checked here.
            for (i, ast) in project.asts.iter().enumerate() {
                self.file = i;
                for e in &ast.endings {
                    self.error(CheckError::NotHere {
                        span: e.id.span.clone(),
                        what: Misplaced::EndingInLibrary,
                    });
                }
                for n in &ast.notifications {
                    self.error(CheckError::NotHere {
                        span: n.channel.span.clone(),
                        what: Misplaced::NotifyInLibrary,
                    });
                }
            }
            return None;
        };
        self.file = 0;
        let head = self.header(header);
        let scope = Scope::default();

        let mut story = Vec::new();
        for item in &main.story {
            if let Some(n) = self.story_item(item, &scope) {
                story.push(n);
            }
        }
        self.file = 0;
        let ending = match main.endings.as_slice() {
            [] => {
                self.error(CheckError::MissingEnding {
                    span: header.id.span.clone(),
                });
                None
            }
            [first, rest @ ..] => {
                for e in rest {
                    self.error(CheckError::NotHere {
                        span: e.id.span.clone(),
                        what: Misplaced::SecondEnding,
                    });
                }
                if let Some(w) = &first.when {
                    self.error(CheckError::NotHere {
                        span: w.span.clone(),
                        what: Misplaced::EndingCondition,
                    });
                }
                self.scene(first, &scope, None, true, false)
            }
        };
        for (i, ast) in project.asts.iter().enumerate().skip(1) {
            self.file = i;
            for e in &ast.endings {
                self.error(CheckError::NotHere {
                    span: e.id.span.clone(),
                    what: Misplaced::EndingInLibrary,
                });
            }
            for n in &ast.notifications {
                self.error(CheckError::NotHere {
                    span: n.channel.span.clone(),
                    what: Misplaced::NotifyInLibrary,
                });
            }
        }
        self.file = 0;
        let notifications =
            self.notifications(&main.notifications, head.as_ref().map(|h| &h.availability));
        // With errors, unused attributes are noise: half-written code uses nothing yet.
        if !self.errors.iter().any(|e| e.error.is_error()) && !project.failed_to_load() {
            self.unused_attributes();
        }
        let head = head?;
        Some(ir::Campaign {
            id: header.id.name.clone(),
            title: head.title,
            locale: head.locale,
            schema: self.schema.clone(),
            availability: head.availability,
            requires: head.requires,
            length: head.length,
            length_span: head.length_span,
            rate_wpm: self.rate_wpm,
            story,
            ending: ending?,
            files: project.files.clone(),
            notifications,
        })
    }

    fn collect_services(&mut self) {
        let project = self.project;
        for (i, ast) in project.asts.iter().enumerate() {
            self.file = i;
            for s in &ast.services {
                if let Some((f, first)) = self.services.get(&s.id.name) {
                    let first = Place {
                        file: *f,
                        span: first.id.span.clone(),
                    };
                    self.error(CheckError::DuplicateId {
                        span: s.id.span.clone(),
                        what: IdKind::Service,
                        id: s.id.name.clone(),
                        first,
                    });
                    continue;
                }
                if s.label.is_none() {
                    self.error(CheckError::Missing {
                        span: s.id.span.clone(),
                        what: Part::ServiceLabel,
                    });
                }
                match &s.url {
                    None => self.error(CheckError::Missing {
                        span: s.id.span.clone(),
                        what: Part::ServiceUrl,
                    }),
                    Some(u)
                        if !(u.value.starts_with("https://") || u.value.starts_with("http://")) =>
                    {
                        self.error(CheckError::OutOfRange {
                            span: u.span.clone(),
                            bound: Bound::ServiceUrl,
                        })
                    }
                    _ => {}
                }
                self.services.insert(s.id.name.clone(), (i, s));
            }
        }
    }

    fn collect_library_scenes(&mut self) {
        let project = self.project;
        for (i, ast) in project.asts.iter().enumerate().skip(1) {
            self.file = i;
            for item in &ast.story {
                match item {
                    StoryItem::Scene(s) => {
                        if let Some((f, first)) = self.library_scenes.get(&s.id.name) {
                            let first = Place {
                                file: *f,
                                span: first.id.span.clone(),
                            };
                            self.error(CheckError::DuplicateId {
                                span: s.id.span.clone(),
                                what: IdKind::SharedScene,
                                id: s.id.name.clone(),
                                first,
                            });
                            continue;
                        }
                        self.library_scenes.insert(s.id.name.clone(), (i, s));
                    }
                    StoryItem::Include(x) => self.error(CheckError::NotHere {
                        span: x.span.clone(),
                        what: Misplaced::IncludeInLibrary,
                    }),
                    StoryItem::If(b) => self.error(CheckError::NotHere {
                        span: b.span.clone(),
                        what: Misplaced::IfInLibrary,
                    }),
                    StoryItem::Match(b) => self.error(CheckError::NotHere {
                        span: b.span.clone(),
                        what: Misplaced::MatchInLibrary,
                    }),
                }
            }
        }
    }

    fn header(&mut self, c: &ast::Campaign) -> Option<Header> {
        let mut title = None;
        let mut locale = None;
        let mut schema = false;
        let mut availability = None;
        let mut requires = None;
        let mut length = None;
        let mut length_span = None;
        let mut rate = None;
        let scope = Scope::default();
        let mut seen: HashMap<&'static str, ()> = HashMap::new();
        for s in &c.stmts {
            let (key, span) = match s {
                HeaderStmt::Title(x) => ("title", x.span.clone()),
                HeaderStmt::Locale(x) => ("locale", x.span.clone()),
                HeaderStmt::Schema(x) => ("schema", x.span.clone()),
                HeaderStmt::AvailableUntil(_, sp) | HeaderStmt::AvailableFor(_, _, sp) => {
                    ("available", sp.clone())
                }
                HeaderStmt::Requires(_, sp) => ("requires", sp.clone()),
                HeaderStmt::Length(_, _, sp) => ("length", sp.clone()),
                HeaderStmt::Rate(_, sp) => ("speaking rate", sp.clone()),
            };
            if seen.insert(key, ()).is_some() {
                let kw = span.start..span.start + key.split(' ').next().map_or(0, str::len);
                self.error(CheckError::Repeated {
                    span: kw,
                    what: key.into(),
                });
                continue;
            }
            match s {
                HeaderStmt::Title(x) => {
                    if x.value.trim().is_empty() {
                        self.error(CheckError::Missing {
                            span: x.span.clone(),
                            what: Part::TitleText,
                        });
                    }
                    title = Some(x.value.clone());
                }
                HeaderStmt::Locale(x) => {
                    if x.value != "it-IT" {
                        self.error(CheckError::BadLocale {
                            span: x.span.clone(),
                            locale: x.value.clone(),
                        });
                    }
                    locale = Some(x.value.clone());
                }
                HeaderStmt::Schema(_) => schema = true,
                HeaderStmt::AvailableUntil(e, _) => {
                    let x = self.value(e, &scope, Some(&Ty::Date));
                    if !matches!(x.ty, Ty::Date | Ty::Error) {
                        self.error(CheckError::TypeMismatch {
                            span: e.span.clone(),
                            expected: Expected::Date,
                            found: x.ty.clone(),
                            context: Context::AvailableUntil,
                        });
                    } else {
                        availability = Some(ir::Availability::Until(x));
                    }
                }
                HeaderStmt::AvailableFor(p, from, _) => {
                    let pe = self.value(p, &scope, None);
                    let fe = self.value(from, &scope, Some(&Ty::Date));
                    let period = match pe.kind {
                        ir::ExprKind::Const(ir::Const::Period(m, d)) => Some((m, d)),
                        _ => {
                            if pe.ty != Ty::Error {
                                self.error(CheckError::TypeMismatch {
                                    span: p.span.clone(),
                                    expected: Expected::Period,
                                    found: pe.ty.clone(),
                                    context: Context::AvailableFor,
                                });
                            }
                            None
                        }
                    };
                    if !matches!(fe.ty, Ty::Date | Ty::Error) {
                        self.error(CheckError::TypeMismatch {
                            span: from.span.clone(),
                            expected: Expected::Date,
                            found: fe.ty.clone(),
                            context: Context::AvailableFrom,
                        });
                    } else if let Some((months, days)) = period {
                        availability = Some(ir::Availability::For {
                            months,
                            days,
                            from: fe,
                        });
                    }
                }
                HeaderStmt::Requires(e, _) => requires = Some(self.cond(e, &scope)),
                HeaderStmt::Length(a, b, sp) => {
                    if a.ms > b.ms {
                        self.error(CheckError::OutOfRange {
                            span: sp.clone(),
                            bound: Bound::LengthReversed {
                                shortest_ms: a.ms,
                                longest_ms: b.ms,
                            },
                        });
                    }
                    length = Some((a.ms, b.ms));
                    length_span = Some(sp.clone());
                }
                HeaderStmt::Rate(n, sp) => {
                    if !(60..=400).contains(n) {
                        self.error(CheckError::OutOfRange {
                            span: sp.clone(),
                            bound: Bound::SpeakingRate(*n),
                        });
                    } else {
                        rate = Some(*n);
                    }
                }
            }
        }
        let head_span = c.id.span.clone();
        if title.is_none() {
            self.error(CheckError::Missing {
                span: head_span.clone(),
                what: Part::CampaignTitle,
            });
        }
        if !schema {
            self.error(CheckError::Missing {
                span: head_span,
                what: Part::CampaignSchema,
            });
        }
        self.rate_wpm = rate.unwrap_or(DEFAULT_RATE_WPM);
        Some(Header {
            title: title?,
            locale: locale.unwrap_or_else(|| "it-IT".into()),
            availability: availability.unwrap_or(ir::Availability::Always),
            requires,
            length,
            length_span,
        })
    }

    fn story_item(&mut self, item: &StoryItem, scope: &Scope) -> Option<ir::Node> {
        match item {
            StoryItem::Scene(s) => self
                .scene(s, scope, None, false, true)
                .map(|s| ir::Node::Scene(Box::new(s))),
            StoryItem::Include(inc) => {
                let cond = inc.when.as_ref().map(|w| self.cond(w, scope));
                let Some(&(lib_file, scene)) = self.library_scenes.get(&inc.id.name) else {
                    let suggestion =
                        did_you_mean(&inc.id.name, self.library_scenes.keys().map(String::as_str))
                            .map(String::from);
                    let has_imports = self.project.asts.len() > 1;
                    self.error(CheckError::UnknownScene {
                        span: inc.id.span.clone(),
                        id: inc.id.name.clone(),
                        suggestion,
                        has_imports,
                    });
                    return None;
                };
                let inner = match &cond {
                    Some(c) => scope.with_facts(c, true),
                    None => scope.clone(),
                };
                let here = self.file;
                // Ids of included scenes are unique in the campaign too: report at the include.
                if let Some((f, first)) = self.scene_ids.get(&inc.id.name).cloned() {
                    self.error(CheckError::DuplicateId {
                        span: inc.id.span.clone(),
                        what: IdKind::Scene,
                        id: inc.id.name.clone(),
                        first: Place {
                            file: f,
                            span: first,
                        },
                    });
                    return None;
                }
                self.scene_ids
                    .insert(inc.id.name.clone(), (here, inc.id.span.clone()));
                self.file = lib_file;
                let s = self.scene(scene, &inner, cond.clone(), false, false);
                self.file = here;
                s.map(|mut s| {
                    s.include = Some(ir::IncludeSite {
                        file: here,
                        span: inc.span.clone(),
                        when: cond,
                    });
                    ir::Node::Scene(Box::new(s))
                })
            }
            StoryItem::If(b) => {
                let mut arms = Vec::new();
                let mut negated = scope.clone();
                for (c, body) in &b.arms {
                    let cond = self.cond(c, &negated);
                    let inner = negated.with_facts(&cond, true);
                    let nodes = self.block(body, &inner);
                    negated = negated.with_facts(&cond, false);
                    arms.push((cond, nodes));
                }
                let otherwise = match &b.otherwise {
                    Some((_, body)) => self.block(body, &negated),
                    None => Vec::new(),
                };
                Some(ir::Node::If {
                    arms,
                    otherwise,
                    span: b.span.clone(),
                    file: self.file,
                })
            }
            StoryItem::Match(m) => self.match_block(m, scope),
        }
    }

    fn block(&mut self, items: &[StoryItem], scope: &Scope) -> Vec<ir::Node> {
        items
            .iter()
            .filter_map(|i| self.story_item(i, scope))
            .collect()
    }

    fn match_block(&mut self, m: &ast::MatchBlock, scope: &Scope) -> Option<ir::Node> {
        let subject = self.value(&m.subject, scope, None);
        let values = match &subject.ty {
            Ty::Enum(v) => v.clone(),
            Ty::Error => {
                // Still check the arms' content.
                for c in &m.cases {
                    self.block(&c.body, scope);
                }
                return None;
            }
            other => {
                self.error(CheckError::MatchNotEnum {
                    span: m.subject.span.clone(),
                    found: other.clone(),
                });
                return None;
            }
        };
        let mut covered: Vec<Option<Span>> = vec![None; values.len()];
        let mut arms = Vec::new();
        for case in &m.cases {
            let mut idx = Vec::new();
            for v in &case.values {
                match values.iter().position(|x| *x == v.name) {
                    Some(i) => {
                        if let Some(first) = &covered[i] {
                            self.error(CheckError::DuplicateArm {
                                span: v.span.clone(),
                                value: v.name.clone(),
                                first: first.clone(),
                            });
                        } else {
                            covered[i] = Some(v.span.clone());
                            idx.push(i as u16);
                        }
                    }
                    None => {
                        let suggestion = values
                            .iter()
                            .find(|x| x.eq_ignore_ascii_case(&v.name))
                            .cloned()
                            .or_else(|| {
                                did_you_mean(&v.name, values.iter().map(String::as_str))
                                    .map(String::from)
                            });
                        self.error(CheckError::NotInEnum {
                            span: v.span.clone(),
                            value: v.name.clone(),
                            allowed: values.clone(),
                            suggestion,
                        });
                    }
                }
            }
            let body = self.block(&case.body, scope);
            arms.push((idx, body));
        }
        let missing: Vec<String> = values
            .iter()
            .zip(&covered)
            .filter(|(_, c)| c.is_none())
            .map(|(v, _)| v.clone())
            .collect();
        let otherwise = match &m.otherwise {
            Some((kw, body)) => {
                if missing.is_empty() {
                    self.error(CheckError::UnreachableElse { span: kw.clone() });
                }
                self.block(body, scope)
            }
            None => {
                if !missing.is_empty() {
                    let head = m.span.start..m.subject.span.end;
                    self.error(CheckError::NonExhaustive {
                        span: head,
                        missing,
                    });
                }
                Vec::new()
            }
        };
        Some(ir::Node::Match {
            subject,
            arms,
            otherwise,
            span: m.span.clone(),
            file: self.file,
        })
    }

    /// Checks a scene. `extra` is an include's condition, already checked in the caller's file;
    /// `register` is false for included scenes, whose id was registered at the `include`.
    fn scene(
        &mut self,
        s: &ast::Scene,
        scope: &Scope,
        extra: Option<ir::Expr>,
        is_ending: bool,
        register: bool,
    ) -> Option<ir::Scene> {
        if !register || is_ending {
            // The ending has a fixed id; included scenes were registered at the `include`.
        } else if !self.scene_ids.contains_key(&s.id.name) {
            self.scene_ids
                .insert(s.id.name.clone(), (self.file, s.id.span.clone()));
        } else {
            let (f, first) = self.scene_ids[&s.id.name].clone();
            self.error(CheckError::DuplicateId {
                span: s.id.span.clone(),
                what: IdKind::Scene,
                id: s.id.name.clone(),
                first: Place {
                    file: f,
                    span: first,
                },
            });
        }
        let own = s.when.as_ref().map(|w| self.cond(w, scope));
        let when = match (extra, own) {
            (Some(a), Some(b)) => {
                let span = b.span.clone();
                Some(ir::Expr {
                    kind: ir::ExprKind::And(Box::new(a), Box::new(b)),
                    ty: Ty::Bool,
                    span,
                })
            }
            (a, b) => a.or(b),
        };
        let scope = match &when {
            Some(c) => scope.with_facts(c, true),
            None => scope.clone(),
        };
        let mut out = ir::Scene {
            id: s.id.name.clone(),
            span: s.id.span.clone(),
            file: self.file,
            when,
            include: None,
            visual: None,
            visual_alt: None,
            duration_ms: None,
            texts: Vec::new(),
            says: Vec::new(),
            popups: Vec::new(),
            buttons: Vec::new(),
            rating: None,
        };
        for st in &s.stmts {
            match st {
                SceneStmt::Visual(v) => {
                    if out.visual.is_some() {
                        self.repeated(&v.file.span, "visual");
                    }
                    out.visual = Some(v.file.value.clone());
                    out.visual_alt = match &v.alt {
                        Some(VisualAlt::Text(t)) => Some(t.value.clone()),
                        Some(VisualAlt::Decorative(_)) => None,
                        None => {
                            self.error(CheckError::MissingAlt {
                                span: v.span.clone(),
                                visual: v.file.value.clone(),
                            });
                            None
                        }
                    };
                }
                SceneStmt::Duration(d) => {
                    if out.duration_ms.is_some() {
                        self.repeated(&d.span, "duration");
                    }
                    if d.ms == 0 {
                        self.error(CheckError::OutOfRange {
                            span: d.span.clone(),
                            bound: Bound::ZeroDuration,
                        });
                    }
                    out.duration_ms = Some(d.ms);
                }
                SceneStmt::Text(t) => out.texts.push(self.line(t, &scope)),
                SceneStmt::Say(t) => out.says.push(self.line(t, &scope)),
                SceneStmt::Popup(p) => {
                    if let Some(p) = self.popup(p, &scope) {
                        out.popups.push(p);
                    }
                }
                SceneStmt::Button(b) => {
                    if let Some(b) = self.button(b, &scope) {
                        out.buttons.push(b);
                    }
                }
                SceneStmt::Rating(r) => {
                    if !is_ending {
                        self.error(CheckError::NotHere {
                            span: r.span.clone(),
                            what: Misplaced::RatingOutsideEnding,
                        });
                        continue;
                    }
                    if out.rating.is_some() {
                        self.repeated(&r.span, "rating");
                    }
                    if r.min.0 != 1 || !(2..=10).contains(&r.max.0) {
                        self.error(CheckError::BadRating {
                            span: r.min.1.start..r.max.1.end,
                            min: r.min.0,
                            max: r.max.0,
                        });
                        continue;
                    }
                    let question = self.template(&r.question, &scope);
                    out.rating = Some(ir::Rating {
                        question,
                        min: 1,
                        max: r.max.0 as u8,
                    });
                }
            }
        }
        if out.texts.is_empty() && out.says.is_empty() && !s.broken {
            self.error(CheckError::EmptyScene {
                span: s.id.span.clone(),
                id: s.id.name.clone(),
            });
        }
        Some(out)
    }

    fn repeated(&mut self, span: &Span, what: &str) {
        self.error(CheckError::Repeated {
            span: span.clone(),
            what: what.into(),
        });
    }

    fn line(&mut self, t: &ast::TextLine, scope: &Scope) -> ir::Line {
        let mut scope = scope.clone();
        let mut for_each = None;
        if let Some(f) = &t.for_each {
            let l = self.value(&f.list, &scope, None);
            match &l.ty {
                Ty::List(fields) => {
                    scope.locals.push((f.var.name.clone(), fields.clone()));
                    for_each = Some(l);
                }
                Ty::Error => {}
                other => self.error(CheckError::TypeMismatch {
                    span: f.list.span.clone(),
                    expected: Expected::List,
                    found: other.clone(),
                    context: Context::ForEach,
                }),
            }
        }
        let when = t.when.as_ref().map(|w| self.cond(w, &scope));
        let scope = match &when {
            Some(c) => scope.with_facts(c, true),
            None => scope,
        };
        let template = self.template(&t.template, &scope);
        ir::Line {
            template,
            when,
            for_each,
            span: t.span.clone(),
        }
    }

    fn popup(&mut self, p: &ast::Popup, scope: &Scope) -> Option<ir::Popup> {
        if let Some((f, first)) = self.popup_ids.get(&p.id.name).cloned() {
            self.error(CheckError::DuplicateId {
                span: p.id.span.clone(),
                what: IdKind::PopUp,
                id: p.id.name.clone(),
                first: Place {
                    file: f,
                    span: first,
                },
            });
        } else {
            self.popup_ids
                .insert(p.id.name.clone(), (self.file, p.id.span.clone()));
        }
        for r in &p.repeated {
            let what = self
                .file()
                .text
                .get(r.clone())
                .unwrap_or("statement")
                .to_string();
            self.repeated(r, &what);
        }
        let when = p.when.as_ref().map(|w| self.cond(w, scope));
        let scope = match &when {
            Some(c) => scope.with_facts(c, true),
            None => scope.clone(),
        };
        let broken = p.broken;
        let part = |c: &mut Self, t: &Option<ast::Template>, what| match t {
            Some(t) => Some(c.template(t, &scope)),
            None if broken => None,
            None => {
                c.error(CheckError::Missing {
                    span: p.id.span.clone(),
                    what,
                });
                None
            }
        };
        let button = part(self, &p.button, Part::PopupButton);
        let title = part(self, &p.title, Part::PopupTitle);
        let body = part(self, &p.body, Part::PopupBody);
        Some(ir::Popup {
            id: p.id.name.clone(),
            when,
            button: button?,
            title: title?,
            body: body?,
            span: p.id.span.clone(),
        })
    }

    fn button(&mut self, b: &ast::Button, scope: &Scope) -> Option<ir::Button> {
        let when = b.when.as_ref().map(|w| self.cond(w, scope));
        let Some(&(_, service)) = self.services.get(&b.service.name) else {
            let suggestion =
                did_you_mean(&b.service.name, self.services.keys().map(String::as_str))
                    .map(String::from);
            self.error(CheckError::UnknownService {
                span: b.service.span.clone(),
                id: b.service.name.clone(),
                suggestion,
            });
            return None;
        };
        let label = b
            .label
            .as_ref()
            .map(|l| l.value.clone())
            .or_else(|| service.label.as_ref().map(|l| l.value.clone()))?;
        let url = service.url.as_ref().map(|u| u.value.clone())?;
        Some(ir::Button {
            service: b.service.name.clone(),
            label,
            url,
            when,
            span: b.span.clone(),
        })
    }

    fn unused_attributes(&mut self) {
        let Some((file, _)) = &self.project.schema else {
            return;
        };
        let mut exempt: Vec<&str> = Vec::new();
        if let Some(k) = &self.schema.key {
            exempt.push(k);
        }
        let mut warnings = Vec::new();
        for (i, (name, _)) in self.schema.attributes.iter().enumerate() {
            if self.used[i] || exempt.contains(&name) {
                continue;
            }
            let quoted = format!("\"{name}\"");
            let span = file
                .text
                .find(&format!("{quoted}:"))
                .or_else(|| file.text.find(&quoted))
                .map_or(0..0, |at| at..at + quoted.len());
            warnings.push(Located {
                file: FileId::Schema,
                error: CheckError::UnusedAttribute {
                    span,
                    name: name.to_string(),
                },
            });
        }
        self.errors.extend(warnings);
    }
}

struct Header {
    title: String,
    locale: String,
    availability: ir::Availability,
    requires: Option<ir::Expr>,
    length: Option<(u64, u64)>,
    length_span: Option<Span>,
}
