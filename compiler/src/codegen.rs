//! Code generation: a checked [`ir::Campaign`] becomes a bytecode [`Module`] (the runtime's
//! in-memory form), which the runtime's writer encodes as `.guidec` bytes.
//!
//! The storyboard is laid out in order: the `requires` check, the availability window, then
//! each scene (its condition as a [`Op::Branch`] around it), `if` chains as branches, `match` as
//! a jump table, and the ending last. Every condition and agreement is a decision point, so that
//! the runtime's decision trace (and the variant id hashed from it) says which branches a
//! recipient saw.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::analysis::exact::{self, Verdict};
use crate::diagnostic::Span as SrcSpan;
use crate::ir::{self, Const, ExprKind, Format, Part};
use guide_runtime::bytecode::{
    enum_table, schema_fingerprint, writer, AvailabilityRule, ButtonDef, DecisionKind,
    DecisionPoint, FmtKind, LoadError, MatchArm, Meta, Module, Op, PopupDef, Program, SceneDef,
    ServiceDef, Span, Target, NO_DECISION, NO_STRING,
};
use guide_runtime::Period;

/// Generates the bytecode module of a checked campaign.
pub fn generate(c: &ir::Campaign) -> Module {
    let mut g = Gen::new(c);
    g.campaign();
    g.m
}

/// What the variant analysis may say of each decision point of [`generate`]'s module, by index
/// (see [`crate::analysis::exact`]).
pub fn verdicts(c: &ir::Campaign) -> Vec<Verdict> {
    let mut g = Gen::new(c);
    g.campaign();
    g.verdicts
}

/// Generates and encodes a campaign: the bytes of its `.guidec` file.
pub fn compile(c: &ir::Campaign) -> Vec<u8> {
    writer::encode(&generate(c))
}

/// Generates, encodes and loads a campaign, as a service would load the `.guidec` file.
pub fn program(c: &ir::Campaign) -> Result<Program, LoadError> {
    Program::from_bytes(&compile(c))
}

struct Gen<'c> {
    c: &'c ir::Campaign,
    m: Module,
    strings: HashMap<String, u32>,
    paths: HashMap<Vec<u16>, u32>,
    spans: HashMap<(u16, u32, u32), u32>,
    services: HashMap<String, u16>,
    enums: Vec<Vec<String>>,
    last_span: Option<u32>,
    /// One per decision point.
    verdicts: Vec<Verdict>,
    /// How many enclosing conditions the analysis cannot decide exactly.
    inexact: usize,
}

/// `path` relative to the folder `base` (with `..` where needed), `/`-separated.
fn relative(base: &Path, path: &Path) -> String {
    let b: Vec<Component> = base.components().collect();
    let p: Vec<Component> = path.components().collect();
    let common = b.iter().zip(&p).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in p.iter().skip(common) {
        out.push(c);
    }
    out.to_string_lossy().replace('\\', "/")
}

fn to_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'c> Gen<'c> {
    fn new(c: &'c ir::Campaign) -> Self {
        let enums = enum_table(&c.schema)
            .into_iter()
            .map(<[String]>::to_vec)
            .collect();
        let mut g = Gen {
            c,
            m: Module::default(),
            strings: HashMap::new(),
            paths: HashMap::new(),
            spans: HashMap::new(),
            services: HashMap::new(),
            enums,
            last_span: None,
            verdicts: Vec::new(),
            inexact: 0,
        };
        let base = c
            .files
            .first()
            .and_then(|f| Path::new(&f.path).parent().map(Path::to_path_buf))
            .unwrap_or_default();
        for f in &c.files {
            let name = relative(&base, Path::new(&f.path));
            let i = g.string(&name);
            g.m.files.push(i);
        }
        g
    }

    fn string(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.strings.get(s) {
            return i;
        }
        let i = to_u32(self.m.strings.len());
        self.m.strings.push(s.to_owned());
        self.strings.insert(s.to_owned(), i);
        i
    }

    fn path(&mut self, p: &[usize]) -> u32 {
        let p: Vec<u16> = p.iter().map(|&x| to_u16(x)).collect();
        if let Some(&i) = self.paths.get(&p) {
            return i;
        }
        let i = to_u32(self.m.paths.len());
        self.m.paths.push(p.clone());
        self.paths.insert(p, i);
        i
    }

    fn span(&mut self, file: usize, s: &SrcSpan) -> u32 {
        let key = (to_u16(file), to_u32(s.start), to_u32(s.end));
        if let Some(&i) = self.spans.get(&key) {
            return i;
        }
        let (line, col) = self
            .c
            .files
            .get(file)
            .map_or((0, 0), |f| f.line_col(s.start));
        let i = to_u32(self.m.spans.len());
        self.m.spans.push(Span {
            file: key.0,
            start: key.1,
            end: key.2,
            line: to_u32(line),
            col: to_u32(col),
        });
        self.spans.insert(key, i);
        i
    }

    /// The source text of a span, on one line with spaces collapsed.
    fn source(&self, file: usize, s: &SrcSpan) -> String {
        let text = self
            .c
            .files
            .get(file)
            .and_then(|f| f.text.get(s.clone()))
            .unwrap_or("");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Attributes the next instructions to a span.
    fn mark(&mut self, span: u32) {
        if self.last_span != Some(span) {
            let pc = self.pc();
            if self.m.lines.last().is_some_and(|&(p, _)| p == pc) {
                self.m.lines.pop();
            }
            self.m.lines.push((pc, span));
            self.last_span = Some(span);
        }
    }

    fn pc(&self) -> u32 {
        to_u32(self.m.code.len())
    }

    fn emit(&mut self, op: Op) -> usize {
        self.m.code.push(op);
        self.m.code.len() - 1
    }

    /// Points the jump at `at` to the next instruction.
    fn patch(&mut self, at: usize) {
        let here = self.pc();
        if let Some(
            Op::Jump(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfFalseOrPop(t)
            | Op::JumpIfTrueOrPop(t)
            | Op::Coalesce(t)
            | Op::IterNext(t)
            | Op::Branch { target: t, .. },
        ) = self.m.code.get_mut(at)
        {
            *t = here;
        }
    }

    fn decision(&mut self, kind: DecisionKind, span: u32, label: &str, outcomes: u16) -> u16 {
        let label = self.string(label);
        self.m.decisions.push(DecisionPoint {
            kind,
            span,
            label,
            outcomes,
        });
        self.verdicts.push(Verdict {
            exact: self.inexact == 0,
            impossible: [false; 2],
        });
        to_u16(self.m.decisions.len() - 1)
    }

    /// A condition as a branch: returns the branch to patch to where the false path goes.
    fn branch(&mut self, cond: &ir::Expr, file: usize, kind: DecisionKind, label: &str) -> usize {
        self.branch_at(cond, (file, &cond.span), kind, label)
    }

    /// [`Gen::branch`] with the decision point at a given place.
    fn branch_at(
        &mut self,
        cond: &ir::Expr,
        (file, span): (usize, &SrcSpan),
        kind: DecisionKind,
        label: &str,
    ) -> usize {
        let sp = self.span(file, span);
        self.expr(cond);
        let d = self.decision(kind, sp, label, 2);
        if let Some(v) = self.verdicts.last_mut() {
            *v = Verdict::of(cond, self.inexact == 0);
        }
        self.emit(Op::Branch {
            decision: d,
            target: 0,
        })
    }

    /// Enters the body of a condition: what it encloses is decided exactly only if it is.
    fn enter(&mut self, cond: Option<&ir::Expr>) -> bool {
        let inexact = cond.is_some_and(|c| !exact::exact(c));
        self.inexact += usize::from(inexact);
        inexact
    }

    fn leave(&mut self, entered: bool) {
        self.inexact -= usize::from(entered);
    }

    fn campaign(&mut self) {
        let c = self.c;
        self.enter(c.requires.as_ref());
        let id = self.string(&c.id);
        let title = self.string(&c.title);
        let locale = self.string(&c.locale);
        let availability = match &c.availability {
            ir::Availability::Always => AvailabilityRule::Always,
            ir::Availability::Until(e) => AvailabilityRule::Until {
                expr: {
                    let t = self.source(0, &e.span);
                    self.string(&t)
                },
            },
            ir::Availability::For { months, days, from } => AvailabilityRule::For {
                period: Period::new(*months, *days),
                from: {
                    let t = self.source(0, &from.span);
                    self.string(&t)
                },
            },
        };
        let requires = c.requires.as_ref().map(|e| {
            let t = self.source(0, &e.span);
            self.string(&t)
        });
        self.m.meta = Meta {
            id,
            title,
            locale,
            rate_wpm: c.rate_wpm.max(1),
            length: c.length,
            availability,
            requires,
            schema_fingerprint: schema_fingerprint(&c.schema),
        };
        self.m.schema = c.schema.clone();

        if let Some(r) = &c.requires {
            let sp = self.span(0, &r.span);
            self.mark(sp);
            self.expr(r);
            self.emit(Op::Require);
        }
        match &c.availability {
            ir::Availability::Always => {}
            ir::Availability::Until(e) => {
                let sp = self.span(0, &e.span);
                self.mark(sp);
                self.expr(e);
                self.emit(Op::AvailableUntil);
            }
            ir::Availability::For { months, days, from } => {
                let sp = self.span(0, &from.span);
                self.mark(sp);
                self.expr(from);
                self.emit(Op::AvailableFor(Period::new(*months, *days)));
            }
        }
        self.nodes(&c.story);
        self.scene(&c.ending);
        self.emit(Op::Halt);
    }

    fn nodes(&mut self, nodes: &[ir::Node]) {
        for n in nodes {
            self.node(n);
        }
    }

    fn node(&mut self, n: &ir::Node) {
        match n {
            ir::Node::Scene(s) => self.scene(s),
            ir::Node::If {
                arms,
                otherwise,
                file,
                ..
            } => {
                let mut ends = Vec::new();
                let mut entered = 0;
                for (i, (cond, block)) in arms.iter().enumerate() {
                    let sp = self.span(*file, &cond.span);
                    self.mark(sp);
                    let label = format!(
                        "{}if {}",
                        if i == 0 { "" } else { "else " },
                        self.source(*file, &cond.span)
                    );
                    let br = self.branch(cond, *file, DecisionKind::If, &label);
                    // This arm's block and everything after it depend on this condition.
                    entered += usize::from(self.enter(Some(cond)));
                    self.nodes(block);
                    if i + 1 < arms.len() || !otherwise.is_empty() {
                        ends.push(self.emit(Op::Jump(0)));
                    }
                    self.patch(br);
                }
                self.nodes(otherwise);
                self.inexact -= entered;
                for j in ends {
                    self.patch(j);
                }
            }
            ir::Node::Match {
                subject,
                arms,
                otherwise,
                file,
                ..
            } => {
                let sp = self.span(*file, &subject.span);
                self.mark(sp);
                self.expr(subject);
                let label = format!("match {}", self.source(*file, &subject.span));
                // The `else` outcome exists only when some value has no arm of its own.
                let values = match &subject.ty {
                    ir::Ty::Enum(v) => v.len(),
                    _ => 0,
                };
                let all_covered = (0..values).all(|v| {
                    arms.iter()
                        .any(|(vs, _)| vs.iter().any(|&x| usize::from(x) == v))
                });
                let outcomes = arms.len() + usize::from(!all_covered);
                let d = self.decision(DecisionKind::Match, sp, &label, to_u16(outcomes));
                let entered = !matches!(subject.kind, ir::ExprKind::Attr(_));
                if let Some(v) = self.verdicts.last_mut() {
                    v.exact &= !entered;
                }
                self.inexact += usize::from(entered);
                let table = to_u32(self.m.jump_tables.len());
                self.m.jump_tables.push(Vec::new());
                self.emit(Op::Match { decision: d, table });
                let mut starts = Vec::new();
                let mut ends = Vec::new();
                for (_, block) in arms {
                    starts.push(self.pc());
                    self.nodes(block);
                    ends.push(self.emit(Op::Jump(0)));
                }
                let else_start = self.pc();
                self.nodes(otherwise);
                self.leave(entered);
                for j in ends {
                    self.patch(j);
                }
                let n = match &subject.ty {
                    ir::Ty::Enum(v) => v.len(),
                    _ => 0,
                };
                let entries = (0..n)
                    .map(|v| {
                        arms.iter()
                            .position(|(values, _)| values.iter().any(|&x| usize::from(x) == v))
                            .map_or(
                                MatchArm {
                                    arm: to_u16(arms.len()),
                                    target: else_start,
                                },
                                |k| MatchArm {
                                    arm: to_u16(k),
                                    target: starts.get(k).copied().unwrap_or(else_start),
                                },
                            )
                    })
                    .collect();
                if let Some(t) = self.m.jump_tables.get_mut(table as usize) {
                    *t = entries;
                }
            }
        }
    }

    fn scene(&mut self, s: &ir::Scene) {
        let file = s.file;
        let sp = self.span(file, &s.span);
        self.mark(sp);
        let id = self.string(&s.id);
        let visual = match &s.visual {
            Some(v) => self.string(v),
            None => NO_STRING,
        };
        let alt = match &s.visual_alt {
            Some(a) => self.string(a),
            None => NO_STRING,
        };
        let index = to_u16(self.m.scenes.len());
        self.m.scenes.push(SceneDef {
            id,
            span: sp,
            visual,
            alt,
            duration_ms: s.duration_ms.unwrap_or(0),
            rating: s.rating.as_ref().map(|r| (r.min, r.max)),
        });
        let skip = s.when.as_ref().map(|w| {
            let (cond_file, cond_span, text) = self.scene_condition(s, w);
            let label = format!("scene {} when {text}", s.id);
            let b = self.branch_at(w, (cond_file, &cond_span), DecisionKind::Scene, &label);
            self.mark(sp);
            b
        });
        self.emit(Op::Scene(index));
        let entered = self.enter(s.when.as_ref());
        for (i, l) in s.texts.iter().enumerate() {
            self.line(
                l,
                file,
                Target::Text,
                &format!("text {} of {}", i + 1, s.id),
            );
        }
        for (i, l) in s.says.iter().enumerate() {
            self.line(l, file, Target::Say, &format!("say {} of {}", i + 1, s.id));
        }
        for p in &s.popups {
            let psp = self.span(file, &p.span);
            self.mark(psp);
            let pid = self.string(&p.id);
            let pindex = to_u16(self.m.popups.len());
            self.m.popups.push(PopupDef { id: pid, span: psp });
            let skip = p.when.as_ref().map(|w| {
                let label = format!("popup {} when {}", p.id, self.source(file, &w.span));
                let b = self.branch(w, file, DecisionKind::Popup, &label);
                self.mark(psp);
                b
            });
            self.emit(Op::Popup(pindex));
            let entered = self.enter(p.when.as_ref());
            self.template(&p.button, Target::PopupButton, psp);
            self.template(&p.title, Target::PopupTitle, psp);
            self.template(&p.body, Target::PopupBody, psp);
            self.leave(entered);
            self.emit(Op::EndPopup);
            if let Some(b) = skip {
                self.patch(b);
            }
        }
        for b in &s.buttons {
            let bsp = self.span(file, &b.span);
            self.mark(bsp);
            let service = self.service(b);
            let label = self.string(&b.label);
            let bindex = to_u16(self.m.buttons.len());
            self.m.buttons.push(ButtonDef {
                service,
                label,
                span: bsp,
            });
            let skip = b.when.as_ref().map(|w| {
                let label = format!(
                    "button {} in {} when {}",
                    b.service,
                    s.id,
                    self.source(file, &w.span)
                );
                let x = self.branch(w, file, DecisionKind::Button, &label);
                self.mark(bsp);
                x
            });
            self.emit(Op::Button(bindex));
            if let Some(x) = skip {
                self.patch(x);
            }
        }
        if let Some(r) = &s.rating {
            self.mark(sp);
            self.template(&r.question, Target::Rating, sp);
        }
        self.leave(entered);
        self.emit(Op::EndScene);
        if let Some(b) = skip {
            self.patch(b);
        }
    }

    /// The file and text of a scene's condition: an included scene's condition can come from
    /// the `include` (in the campaign file), from the scene in its library, or both (joined by
    /// `and`, the include's first).
    fn scene_condition(&self, s: &ir::Scene, w: &ir::Expr) -> (usize, SrcSpan, String) {
        match s
            .include
            .as_ref()
            .and_then(|i| i.when.as_ref().map(|c| (i.file, c)))
        {
            None => (s.file, w.span.clone(), self.source(s.file, &w.span)),
            Some((inc_file, inc_when)) => match &w.kind {
                ExprKind::And(a, b) if a.span == inc_when.span && w.span != inc_when.span => {
                    let text = format!(
                        "{} and {}",
                        self.source(inc_file, &a.span),
                        self.source(s.file, &b.span)
                    );
                    (inc_file, a.span.clone(), text)
                }
                _ => (inc_file, w.span.clone(), self.source(inc_file, &w.span)),
            },
        }
    }

    fn service(&mut self, b: &ir::Button) -> u16 {
        if let Some(&i) = self.services.get(&b.service) {
            return i;
        }
        let id = self.string(&b.service);
        let label = self.string(&b.label);
        let url = self.string(&b.url);
        let i = to_u16(self.m.services.len());
        self.m.services.push(ServiceDef { id, label, url });
        self.services.insert(b.service.clone(), i);
        i
    }

    fn line(&mut self, l: &ir::Line, file: usize, target: Target, what: &str) {
        let sp = self.span(file, &l.span);
        self.mark(sp);
        let iteration = l.for_each.as_ref().map(|list| {
            self.expr(list);
            let label = format!("{what} for each of {}", self.source(file, &list.span));
            let d = self.decision(DecisionKind::ForEach, sp, &label, 0);
            self.emit(Op::IterBegin { decision: d });
            let head = self.pc();
            let next = self.emit(Op::IterNext(0));
            (head, next)
        });
        let skip = l.when.as_ref().map(|w| {
            let kind = if target == Target::Say {
                DecisionKind::Say
            } else {
                DecisionKind::Text
            };
            let label = format!("{what} when {}", self.source(file, &w.span));
            let b = self.branch(w, file, kind, &label);
            if let (Some(list), Some(v)) = (&l.for_each, self.verdicts.last_mut()) {
                // Per element: decided exactly when it reads one field of the element.
                let over_attr = matches!(list.kind, ir::ExprKind::Attr(_));
                v.exact =
                    self.inexact == 0 && (exact::exact(w) || over_attr && exact::one_field(w));
            }
            self.mark(sp);
            b
        });
        let entered = match &l.for_each {
            Some(_) => self.enter(l.when.as_ref().filter(|w| !exact::one_field(w))),
            None => self.enter(l.when.as_ref()),
        };
        self.template(&l.template, target, sp);
        self.leave(entered);
        if let Some(b) = skip {
            self.patch(b);
        }
        if let Some((head, next)) = iteration {
            self.emit(Op::Jump(head));
            self.patch(next);
        }
    }

    fn template(&mut self, t: &ir::Template, target: Target, span: u32) {
        let all_text = t.parts.iter().all(|p| matches!(p, Part::Text(_)));
        if all_text {
            let text: String = t
                .parts
                .iter()
                .filter_map(|p| match p {
                    Part::Text(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            let text = self.string(&text);
            self.emit(Op::StaticLine { target, text });
            return;
        }
        self.emit(Op::Line(target));
        for p in &t.parts {
            match p {
                Part::Text(s) => {
                    if !s.is_empty() {
                        let i = self.string(s);
                        self.emit(Op::Lit(i));
                    }
                }
                Part::Value(e, f) => {
                    self.expr(e);
                    let k = match f {
                        Format::Str => FmtKind::Str,
                        Format::Money => FmtKind::Money,
                        Format::Date => FmtKind::Date,
                        Format::ShortDate => FmtKind::ShortDate,
                        Format::Int => FmtKind::Int,
                        Format::Decimal => FmtKind::Decimal,
                        Format::Bool => FmtKind::Bool,
                        Format::Upper => FmtKind::Upper,
                        Format::Lower => FmtKind::Lower,
                        Format::Capitalize => FmtKind::Capitalize,
                        Format::Count(a, b) => FmtKind::Count(self.string(a), self.string(b)),
                        Format::Plural(a, b) => FmtKind::Plural(self.string(a), self.string(b)),
                    };
                    self.emit(Op::Fmt(k));
                }
                Part::Gender {
                    masculine,
                    feminine,
                } => {
                    let label = format!("gender [{masculine}|{feminine}]");
                    let d = self.decision(DecisionKind::Gender, span, &label, 3);
                    let masculine = self.string(masculine);
                    let feminine = self.string(feminine);
                    self.emit(Op::Gender {
                        decision: d,
                        masculine,
                        feminine,
                    });
                }
            }
        }
        self.emit(Op::EndLine);
    }

    fn enum_id(&self, ty: &ir::Ty) -> u16 {
        match ty {
            ir::Ty::Enum(v) | ir::Ty::Set(v) => self
                .enums
                .iter()
                .position(|e| e == v)
                .map_or(u16::MAX, to_u16),
            _ => u16::MAX,
        }
    }

    fn expr(&mut self, e: &ir::Expr) {
        match &e.kind {
            ExprKind::Const(c) => {
                let op = match c {
                    Const::Bool(b) => Op::PushBool(*b),
                    Const::Int(i) => Op::PushInt(*i),
                    Const::Decimal(x) => Op::PushDec(*x),
                    Const::Money(c) => Op::PushMoney(*c),
                    Const::Date(d) => Op::PushDate(*d),
                    Const::Period(m, d) => Op::PushPeriod(Period::new(*m, *d)),
                    Const::Duration(ms) => Op::PushInt(i64::try_from(*ms).unwrap_or(i64::MAX)),
                    Const::Str(s) => Op::PushStr(self.string(s)),
                    Const::Enum(v) => Op::PushEnum {
                        enum_id: self.enum_id(&e.ty),
                        value: *v,
                    },
                };
                self.emit(op);
            }
            ExprKind::Attr(p) => {
                let p = self.path(p);
                self.emit(Op::Attr(p));
            }
            ExprKind::Local(d, p) => {
                let p = self.path(p);
                self.emit(Op::Local {
                    depth: u8::try_from(*d).unwrap_or(u8::MAX),
                    path: p,
                });
            }
            ExprKind::Not(a) => {
                self.expr(a);
                self.emit(Op::Not);
            }
            ExprKind::Neg(a) => {
                self.expr(a);
                self.emit(Op::Neg);
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                self.expr(a);
                let j = self.emit(if matches!(e.kind, ExprKind::And(..)) {
                    Op::JumpIfFalseOrPop(0)
                } else {
                    Op::JumpIfTrueOrPop(0)
                });
                self.expr(b);
                self.patch(j);
            }
            ExprKind::Compare(op, a, b) => {
                self.expr(a);
                self.expr(b);
                self.emit(Op::Cmp(op.runtime()));
            }
            ExprKind::In(a, b, negated) => {
                self.expr(a);
                self.expr(b);
                self.emit(Op::In { negated: *negated });
            }
            ExprKind::Arith(op, a, b) => {
                self.expr(a);
                self.expr(b);
                self.emit(Op::Arith(op.runtime()));
            }
            ExprKind::Present(a, is_present) => {
                self.expr(a);
                self.emit(Op::Present {
                    negated: !*is_present,
                });
            }
            ExprKind::Default(a, b) => {
                self.expr(a);
                let j = self.emit(Op::Coalesce(0));
                self.expr(b);
                self.patch(j);
            }
            ExprKind::Unwrap(a) => {
                self.expr(a);
                self.emit(Op::Unwrap);
            }
            ExprKind::Count(a) => {
                self.expr(a);
                self.emit(Op::Count);
            }
            ExprKind::Today => {
                self.emit(Op::Today);
            }
            ExprKind::ToDecimal(a) => {
                self.expr(a);
                self.emit(Op::ToDec);
            }
            ExprKind::Any(list, cond) => {
                self.expr(list);
                self.emit(Op::IterBegin {
                    decision: NO_DECISION,
                });
                let head = self.pc();
                let next = self.emit(Op::IterNext(0));
                self.expr(cond);
                self.emit(Op::JumpIfFalse(head));
                self.emit(Op::IterEnd);
                self.emit(Op::PushBool(true));
                let done = self.emit(Op::Jump(0));
                self.patch(next);
                self.emit(Op::PushBool(false));
                self.patch(done);
            }
        }
    }
}
