//! From source text to [`ast::File`](super::ast::File), collecting every syntax error instead of
//! stopping at the first. pest's rule names never reach the user: [`describe_rule`] names each
//! for people.

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use std::collections::HashSet;
use std::sync::OnceLock;

use super::ast::*;
use super::error::SyntaxError;
use super::keywords;
use crate::diagnostic::Span;

#[derive(pest_derive::Parser)]
#[grammar = "syntax/guide.pest"]
pub(crate) struct GuideParser;

/// Parses one file. The tree holds everything that could be read; the errors list the rest.
pub fn parse(source: &str) -> (File, Vec<SyntaxError>) {
    let mut p = Builder::new(source);
    // The grammar and the checker recurse on nesting: refuse, with one error, what a person
    // never writes and a hostile input would use to exhaust the stack.
    if let Some(e) = too_deep(source) {
        return (File::default(), vec![e]);
    }
    let file = match GuideParser::parse(Rule::file, source) {
        Ok(mut pairs) => match pairs.next() {
            Some(root) => p.file(root),
            None => File::default(),
        },
        Err(e) => {
            // The catch-all rules make this rare (e.g. an unclosed block at the end of the file).
            p.errors
                .push(p.pest_error(&e, 0, source.len(), Context::File));
            File::default()
        }
    };
    (file, p.errors)
}

/// Where a broken line was found: decides how it is re-parsed and explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The top level of a file.
    File,
    /// The campaign header.
    Header,
    /// A scene or ending body.
    Scene,
    /// A pop-up body.
    Popup,
    /// A service body.
    Service,
    /// A notification body.
    Notify,
    /// The body of an `if` or `match` arm.
    Block,
    /// The arms of a `match`.
    Match,
}

impl Context {
    /// The grammar rule that explains a broken line here.
    pub(super) fn entry(self) -> Rule {
        match self {
            Context::File | Context::Block => Rule::line_item,
            Context::Match => Rule::line_match,
            Context::Header => Rule::line_header,
            Context::Scene => Rule::line_scene,
            Context::Popup => Rule::line_popup,
            Context::Service => Rule::line_service,
            Context::Notify => Rule::line_notify,
        }
    }

    /// The words that may start a line here.
    pub fn starters(self) -> &'static [&'static str] {
        match self {
            Context::File => keywords::FILE_STARTERS,
            Context::Block => keywords::BLOCK_STARTERS,
            Context::Match => keywords::MATCH_STARTERS,
            Context::Header => keywords::HEADER_STARTERS,
            Context::Scene => keywords::SCENE_STARTERS,
            Context::Popup => keywords::POPUP_STARTERS,
            Context::Service => keywords::SERVICE_STARTERS,
            Context::Notify => keywords::NOTIFY_STARTERS,
        }
    }

    /// Where, for messages: "in a scene".
    pub fn place(self) -> &'static str {
        match self {
            Context::File => "here",
            Context::Block => "inside this block",
            Context::Match => "inside a `match`",
            Context::Header => "in the campaign header",
            Context::Scene => "in a scene",
            Context::Popup => "in a pop-up",
            Context::Service => "in a service",
            Context::Notify => "in a notification",
        }
    }
}

fn pratt() -> &'static PrattParser<Rule> {
    static P: OnceLock<PrattParser<Rule>> = OnceLock::new();
    P.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_in, Assoc::Left)
                | Op::infix(Rule::op_not_in, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
            .op(Op::infix(Rule::op_default, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
            .op(Op::postfix(Rule::op_present) | Op::postfix(Rule::op_absent))
    })
}

struct Builder<'s> {
    src: &'s str,
    errors: Vec<SyntaxError>,
    /// Where unclosed blocks ended: blocks nested in one another that are all left open end at
    /// the same place, and only the innermost is reported.
    unclosed_ends: HashSet<usize>,
    /// How many blocks (`if`, `match` arms) enclose the one being built.
    depth: usize,
    /// Whether blocks nested too deep were reported (once is enough).
    too_deep_reported: bool,
}

fn span(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    s.start()..s.end()
}

impl<'s> Builder<'s> {
    fn new(src: &'s str) -> Self {
        Builder {
            src,
            errors: Vec::new(),
            unclosed_ends: HashSet::new(),
            depth: 0,
            too_deep_reported: false,
        }
    }

    /// Reports the `{` after `from` of a `what` whose body ended at `at` without its `}`,
    /// unless a block inside it ending there was reported already.
    fn unclosed(&mut self, from: usize, at: usize, what: &'static str) {
        if !self.unclosed_ends.insert(at) {
            return;
        }
        let brace = from + first_brace(&self.src[from..at]).unwrap_or(0);
        // A block inside whose `}` stands left of the line that opened it most likely took the
        // `}` of this one: point at that block instead.
        if let Some((inner, close)) = misplaced_close(&self.src[brace..at]) {
            let (inner, close) = (brace + inner, brace + close);
            let line_start = self.src[..inner].rfind('\n').map_or(0, |i| i + 1);
            let inner_what = match first_word(&self.src[line_start..inner]) {
                "scene" => "scene",
                "ending" => "ending",
                "popup" => "pop-up",
                "notify" => "notification",
                "service" => "service",
                "campaign" => "campaign header",
                "match" => "`match`",
                _ => "block",
            };
            self.errors.push(SyntaxError::UnclosedBlock {
                span: inner..inner + 1,
                what: inner_what,
                stop: None,
                taken: Some((close..close + 1, what)),
            });
            return;
        }
        let rest = &self.src[at..];
        let word = first_word(rest);
        let stop = (!word.is_empty()).then(|| {
            let start = at + (rest.len() - rest.trim_start().len());
            start..start + word.len()
        });
        self.errors.push(SyntaxError::UnclosedBlock {
            span: brace..brace + 1,
            what,
            stop,
            taken: None,
        });
    }

    fn file(&mut self, root: Pair<'s, Rule>) -> File {
        let mut file = File::default();
        for item in root.into_inner() {
            match item.as_rule() {
                Rule::campaign => {
                    let c = self.campaign(item);
                    if file.campaign.is_some() {
                        file.extra_campaigns.push(c.span);
                    } else {
                        file.campaign = Some(c);
                    }
                }
                Rule::import => {
                    let sp = span(&item);
                    if let Some(s) = item.into_inner().find(|p| p.as_rule() == Rule::string) {
                        let path = self.string(s);
                        file.imports.push(Import { path, span: sp });
                    }
                }
                Rule::service => {
                    let s = self.service(item);
                    file.services.push(s);
                }
                Rule::ending => {
                    let e = self.scene(item, true);
                    file.endings.push(e);
                }
                Rule::notify => {
                    let n = self.notify(item);
                    file.notifications.push(n);
                }
                Rule::scene | Rule::include | Rule::if_block | Rule::match_block => {
                    if let Some(s) = self.story_item(item) {
                        file.story.push(s);
                    }
                }
                Rule::bad_item => self.bad(item, Context::File),
                _ => {}
            }
        }
        file
    }

    fn bad(&mut self, pair: Pair<'s, Rule>, ctx: Context) {
        let sp = span(&pair);
        let text = &self.src[sp.clone()];
        // A `{` on the broken line that is never closed: report it, and explain the rest as if
        // it were closed at the end.
        let open = unclosed_braces(text);
        if let Some(&innermost) = open.last() {
            self.unclosed(sp.start + innermost, sp.end, "block");
        }
        let closed;
        let text = if open.is_empty() {
            text
        } else {
            closed = format!("{text}{}", "}".repeat(open.len()));
            closed.as_str()
        };
        match GuideParser::parse(ctx.entry(), text) {
            Err(e) => {
                // A position in the closing braces added above is the end of the broken text.
                let err = self.pest_error(&e, sp.start, sp.end, ctx);
                self.errors.push(err);
            }
            Ok(_) => {
                // Valid on its own but not allowed here (e.g. an `ending` inside an `if`).
                let word = first_word(text);
                self.errors.push(SyntaxError::NotAllowedHere {
                    span: sp.start..sp.start + word.len().max(1),
                    word: word.to_string(),
                    context: ctx,
                });
            }
        }
    }

    /// Explains a pest error found at `offset` plus its position, at most at `limit`.
    fn pest_error(
        &self,
        e: &pest::error::Error<Rule>,
        offset: usize,
        limit: usize,
        ctx: Context,
    ) -> SyntaxError {
        let pos = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        let at = (offset + pos).min(limit);
        // pest's own limits: its stack guard (blocks nested deeper than the stack allows, which
        // the bracket count of `too_deep` does not always see, e.g. `if a { y } x` lines) and
        // the call limit, if an embedder sets one with `pest::set_call_limit`.
        if let pest::error::ErrorVariant::CustomError { message } = &e.variant {
            let what = if message.contains("call limit") {
                "parsing work"
            } else {
                "nesting"
            };
            return SyntaxError::TooComplex {
                span: at..(at + 1).min(self.src.len()).max(at),
                what,
                limit: MAX_DEPTH,
            };
        }
        let rest = self.src.get(at..).unwrap_or("");
        let found = found_token(rest);
        let mut expected: Vec<&'static str> = Vec::new();
        if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
            for r in positives {
                if let Some(name) = describe_rule(*r) {
                    if !expected.contains(&name) {
                        expected.push(name);
                    }
                }
            }
        }
        let end = at + found.len().max(1);
        let line_start = self.src[..at.min(self.src.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let at_line_start = self.src[line_start..at.min(self.src.len())]
            .trim()
            .is_empty();
        if at_line_start
            && !found.is_empty()
            && found.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            return SyntaxError::UnknownStatement {
                span: at..end,
                word: found.to_string(),
                context: ctx,
            };
        }
        if matches!(found, "when" | "for")
            && rest[found.len()..].split('\n').next().is_some_and(|r| {
                let r = r.trim();
                r.is_empty() || r.starts_with("//")
            })
        {
            return SyntaxError::Unexpected {
                span: at..end,
                found: format!("`{found}` at the end of the line"),
                expected: vec![if found == "when" {
                    "a condition after `when`, e.g. `when eta >= 55`"
                } else {
                    "`for NAME in LIST` after `for`"
                }],
                context: ctx,
            };
        }
        if let Some(brace) = self.unclosed_hole(at) {
            return SyntaxError::UnclosedHole { span: brace..at };
        }
        collapse_values(&mut expected);
        if rest.starts_with('"') || self.unclosed_string_at(at) {
            if let Some(sp) = self.unclosed_string_span(at) {
                return SyntaxError::UnclosedString { span: sp };
            }
        }
        SyntaxError::Unexpected {
            span: at..end.min(self.src.len()).max(at),
            found: if found.is_empty() {
                "the end of the line".to_string()
            } else {
                format!("`{found}`")
            },
            expected,
            context: ctx,
        }
    }

    /// When `at` is the closing quote of a text whose last `{` is still open: that brace's offset.
    fn unclosed_hole(&self, at: usize) -> Option<usize> {
        if !self.src.get(at..)?.starts_with('"') {
            return None;
        }
        let line_start = self.src[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = &self.src[line_start..at];
        let mut depth_open: Option<usize> = None;
        let mut in_string = false;
        let mut chars = before.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' if depth_open.is_none() => in_string = !in_string,
                '{' if in_string => depth_open = Some(line_start + i),
                '}' if in_string => depth_open = None,
                _ => {}
            }
        }
        depth_open
    }

    /// Whether the line containing `at` has an odd number of unescaped quotes before `at`.
    fn unclosed_string_at(&self, at: usize) -> bool {
        self.unclosed_string_span(at).is_some()
    }

    fn unclosed_string_span(&self, at: usize) -> Option<Span> {
        let at = at.min(self.src.len());
        let line_start = self.src[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.src[at..].find('\n').map_or(self.src.len(), |i| at + i);
        let line = &self.src[line_start..line_end];
        let mut open: Option<usize> = None;
        let mut chars = line.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => open = if open.is_some() { None } else { Some(i) },
                _ => {}
            }
        }
        open.map(|i| line_start + i..line_end)
    }

    fn campaign(&mut self, pair: Pair<'s, Rule>) -> Campaign {
        let sp = span(&pair);
        let mut id = Ident {
            name: String::new(),
            span: sp.clone(),
        };
        let mut stmts = Vec::new();
        for p in pair.into_inner() {
            let psp = span(&p);
            match p.as_rule() {
                Rule::ident => id = ident(&p),
                Rule::h_title => stmts.push(HeaderStmt::Title(self.first_string(p))),
                Rule::h_locale => stmts.push(HeaderStmt::Locale(self.first_string(p))),
                Rule::h_schema => stmts.push(HeaderStmt::Schema(self.first_string(p))),
                Rule::h_available => {
                    if let Some(inner) = p.into_inner().nth(1) {
                        match inner.as_rule() {
                            Rule::avail_until => {
                                if let Some(e) = inner.into_inner().nth(1) {
                                    let e = self.expr(e);
                                    stmts.push(HeaderStmt::AvailableUntil(e, psp));
                                }
                            }
                            _ => {
                                let mut it =
                                    inner.into_inner().filter(|x| x.as_rule() == Rule::expr);
                                if let (Some(a), Some(b)) = (it.next(), it.next()) {
                                    let (a, b) = (self.expr(a), self.expr(b));
                                    stmts.push(HeaderStmt::AvailableFor(a, b, psp));
                                }
                            }
                        }
                    }
                }
                Rule::h_requires => {
                    if let Some(e) = p.into_inner().nth(1) {
                        let e = self.expr(e);
                        stmts.push(HeaderStmt::Requires(e, psp));
                    }
                }
                Rule::h_length => {
                    let d: Vec<_> = p
                        .into_inner()
                        .filter(|x| x.as_rule() == Rule::duration)
                        .collect();
                    if let [a, b] = d.as_slice() {
                        if let (Some(a), Some(b)) = (self.duration(a), self.duration(b)) {
                            stmts.push(HeaderStmt::Length(a, b, psp));
                        }
                    }
                }
                Rule::h_rate => {
                    if let Some(n) = p.into_inner().find(|x| x.as_rule() == Rule::int) {
                        if let Some(v) = self.int(&n) {
                            stmts.push(HeaderStmt::Rate(v.clamp(0, u32::MAX as i64) as u32, psp));
                        }
                    }
                }
                Rule::bad_stmt => self.bad(p, Context::Header),
                Rule::unclosed => self.unclosed(sp.start, psp.start, "campaign header"),
                _ => {}
            }
        }
        Campaign {
            id,
            span: sp,
            stmts,
        }
    }

    fn service(&mut self, pair: Pair<'s, Rule>) -> Service {
        let sp = span(&pair);
        let mut s = Service {
            id: Ident {
                name: String::new(),
                span: sp.clone(),
            },
            label: None,
            url: None,
            span: sp,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => s.id = ident(&p),
                Rule::sv_label => s.label = Some(self.first_string(p)),
                Rule::sv_url => s.url = Some(self.first_string(p)),
                Rule::bad_stmt => self.bad(p, Context::Service),
                Rule::unclosed => self.unclosed(s.span.start, span(&p).start, "service"),
                _ => {}
            }
        }
        s
    }

    fn story_item(&mut self, pair: Pair<'s, Rule>) -> Option<StoryItem> {
        match pair.as_rule() {
            Rule::scene => Some(StoryItem::Scene(self.scene(pair, false))),
            Rule::include => {
                let sp = span(&pair);
                let mut id = None;
                let mut when = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => id = Some(ident(&p)),
                        Rule::when => when = self.when(p),
                        _ => {}
                    }
                }
                id.map(|id| StoryItem::Include(Include { id, when, span: sp }))
            }
            Rule::if_block => Some(StoryItem::If(self.if_block(pair))),
            Rule::match_block => Some(StoryItem::Match(self.match_block(pair))),
            Rule::bad_stmt => {
                self.bad(pair, Context::Block);
                None
            }

            _ => None,
        }
    }

    fn block(&mut self, pair: Pair<'s, Rule>) -> Vec<StoryItem> {
        let start = span(&pair).start;
        let mut items = Vec::new();
        // `too_deep` counts brackets, and a `}` inside a broken line closes nothing here
        // (`if a { y } x`): the nesting of blocks is bounded again where they are built, so
        // that neither this builder nor the checker recurses without limit.
        if self.depth >= MAX_DEPTH {
            if !self.too_deep_reported {
                self.too_deep_reported = true;
                self.errors.push(SyntaxError::TooComplex {
                    span: start..start + 1,
                    what: "nesting",
                    limit: MAX_DEPTH,
                });
            }
            return items;
        }
        self.depth += 1;
        for p in pair.into_inner() {
            if p.as_rule() == Rule::unclosed {
                self.unclosed(start, span(&p).start, "block");
            } else if let Some(item) = self.story_item(p) {
                items.push(item);
            }
        }
        self.depth -= 1;
        items
    }

    fn if_block(&mut self, pair: Pair<'s, Rule>) -> IfBlock {
        let sp = span(&pair);
        let mut arms = Vec::new();
        let mut otherwise = None;
        let mut cond = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::expr => cond = Some(self.expr(p)),
                Rule::block => {
                    if let Some(c) = cond.take() {
                        let b = self.block(p);
                        arms.push((c, b));
                    }
                }
                Rule::else_if => {
                    let mut c = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::expr => c = Some(self.expr(q)),
                            Rule::block => {
                                if let Some(c) = c.take() {
                                    let b = self.block(q);
                                    arms.push((c, b));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Rule::else_block => otherwise = Some(self.else_block(p)),
                _ => {}
            }
        }
        IfBlock {
            arms,
            otherwise,
            span: sp,
        }
    }

    fn else_block(&mut self, pair: Pair<'s, Rule>) -> (Span, Vec<StoryItem>) {
        let mut kw = span(&pair);
        let mut body = Vec::new();
        for q in pair.into_inner() {
            match q.as_rule() {
                Rule::kw_else => kw = span(&q),
                Rule::block => body = self.block(q),
                _ => {}
            }
        }
        (kw, body)
    }

    fn match_block(&mut self, pair: Pair<'s, Rule>) -> MatchBlock {
        let sp = span(&pair);
        let mut subject = None;
        let mut cases = Vec::new();
        let mut otherwise = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::expr => subject = Some(self.expr(p)),
                Rule::case_arm => {
                    let arm_sp = span(&p);
                    let mut values = Vec::new();
                    let mut body = Vec::new();
                    let mut head_end = arm_sp.end;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::case_value => {
                                if let Some(v) = q.into_inner().next() {
                                    match v.as_rule() {
                                        Rule::ident => values.push(ident(&v)),
                                        _ => {
                                            let s = self.string(v);
                                            values.push(Ident {
                                                name: s.value,
                                                span: s.span,
                                            });
                                        }
                                    }
                                }
                            }
                            Rule::block => {
                                head_end = span(&q).start;
                                body = self.block(q);
                            }
                            _ => {}
                        }
                    }
                    let head = &self.src[arm_sp.start..head_end];
                    cases.push(CaseArm {
                        values,
                        body,
                        span: arm_sp.start..arm_sp.start + head.trim_end().len(),
                    });
                }
                Rule::else_block => otherwise = Some(self.else_block(p)),
                Rule::bad_stmt => self.bad(p, Context::Match),
                Rule::unclosed => self.unclosed(sp.start, span(&p).start, "`match`"),
                _ => {}
            }
        }
        MatchBlock {
            subject: subject.unwrap_or(Expr {
                kind: ExprKind::Bool(true),
                span: sp.clone(),
            }),
            cases,
            otherwise,
            span: sp,
        }
    }

    fn scene(&mut self, pair: Pair<'s, Rule>, is_ending: bool) -> Scene {
        let sp = span(&pair);
        let mut id = Ident {
            name: "ending".into(),
            span: sp.start..sp.start + "ending".len().min(sp.len()),
        };
        let mut when = None;
        let mut stmts = Vec::new();
        let errors_before = self.errors.len();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident if !is_ending => id = ident(&p),
                Rule::kw_ending => id.span = span(&p),
                Rule::when => when = self.when(p),
                Rule::s_visual => stmts.push(SceneStmt::Visual(self.visual(p))),
                Rule::s_duration => {
                    if let Some(d) = p.into_inner().find(|x| x.as_rule() == Rule::duration) {
                        if let Some(d) = self.duration(&d) {
                            stmts.push(SceneStmt::Duration(d));
                        }
                    }
                }
                Rule::s_text => stmts.push(SceneStmt::Text(self.text_line(p))),
                Rule::s_say => stmts.push(SceneStmt::Say(self.text_line(p))),
                Rule::popup => stmts.push(SceneStmt::Popup(self.popup(p))),
                Rule::button => {
                    let bsp = span(&p);
                    let mut service = None;
                    let mut label = None;
                    let mut when = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::ident => service = Some(ident(&q)),
                            Rule::string => label = Some(self.string(q)),
                            Rule::when => when = self.when(q),
                            _ => {}
                        }
                    }
                    if let Some(service) = service {
                        stmts.push(SceneStmt::Button(Button {
                            service,
                            label,
                            when,
                            span: bsp,
                        }));
                    }
                }
                Rule::rating => {
                    let rsp = span(&p);
                    let mut question = None;
                    let mut ints = Vec::new();
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::template => question = Some(self.template(q)),
                            Rule::int => {
                                let s = span(&q);
                                if let Some(v) = self.int(&q) {
                                    ints.push((v, s));
                                }
                            }
                            _ => {}
                        }
                    }
                    if let (Some(question), [min, max]) = (question, ints.as_slice()) {
                        stmts.push(SceneStmt::Rating(Rating {
                            question,
                            min: min.clone(),
                            max: max.clone(),
                            span: rsp,
                        }));
                    }
                }
                Rule::bad_stmt => self.bad(p, Context::Scene),
                Rule::unclosed => self.unclosed(
                    sp.start,
                    span(&p).start,
                    if is_ending { "ending" } else { "scene" },
                ),
                _ => {}
            }
        }
        Scene {
            id,
            when,
            stmts,
            span: sp,
            broken: self.errors.len() > errors_before,
        }
    }

    fn notify(&mut self, pair: Pair<'s, Rule>) -> Notify {
        let sp = span(&pair);
        let mut n = Notify {
            channel: Ident {
                name: String::new(),
                span: sp.clone(),
            },
            when: None,
            stmts: Vec::new(),
            span: sp,
            broken: false,
        };
        let errors_before = self.errors.len();
        for p in pair.into_inner() {
            let psp = span(&p);
            let rule = p.as_rule();
            match rule {
                Rule::ident => n.channel = ident(&p),
                Rule::when => n.when = self.when(p),
                Rule::bad_stmt => self.bad(p, Context::Notify),
                Rule::unclosed => self.unclosed(n.span.start, psp.start, "notification"),
                Rule::n_to => {
                    if let Some(x) = p.into_inner().find(|x| x.as_rule() == Rule::path) {
                        let e = self.path(x);
                        n.stmts.push(NotifyStmt::To(e, psp));
                    }
                }
                Rule::n_segments => {
                    let v = p
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::int)
                        .and_then(|x| x.as_str().replace('_', "").parse::<i64>().ok())
                        .unwrap_or(i64::MAX);
                    n.stmts.push(NotifyStmt::Segments(v, psp));
                }
                Rule::n_subject => {
                    if let Some(t) = p.into_inner().find(|x| x.as_rule() == Rule::template) {
                        let t = self.template(t);
                        n.stmts.push(NotifyStmt::Subject(t, psp));
                    }
                }
                Rule::n_body | Rule::n_text | Rule::n_html => {
                    let mut template = None;
                    let mut when = None;
                    for x in p.into_inner() {
                        match x.as_rule() {
                            Rule::template => template = Some(self.template(x)),
                            Rule::when => when = self.when(x),
                            _ => {}
                        }
                    }
                    if let Some(template) = template {
                        let line = TextLine {
                            template,
                            when,
                            for_each: None,
                            span: psp,
                        };
                        n.stmts.push(match rule {
                            Rule::n_body => NotifyStmt::Body(line),
                            Rule::n_text => NotifyStmt::Text(line),
                            _ => NotifyStmt::Html(line),
                        });
                    }
                }
                Rule::n_button => {
                    let mut service = None;
                    let mut label = None;
                    for x in p.into_inner() {
                        match x.as_rule() {
                            Rule::ident => service = Some(ident(&x)),
                            Rule::template => label = Some(self.template(x)),
                            _ => {}
                        }
                    }
                    n.stmts.push(NotifyStmt::Button {
                        service,
                        label,
                        span: psp,
                    });
                }
                _ => {}
            }
        }
        n.broken = self.errors.len() > errors_before;
        n
    }

    fn popup(&mut self, pair: Pair<'s, Rule>) -> Popup {
        let sp = span(&pair);
        let mut pop = Popup {
            id: Ident {
                name: String::new(),
                span: sp.clone(),
            },
            when: None,
            button: None,
            title: None,
            body: None,
            span: sp,
            repeated: Vec::new(),
            broken: false,
        };
        let errors_before = self.errors.len();
        for p in pair.into_inner() {
            let psp = span(&p);
            let rule = p.as_rule();
            match rule {
                Rule::ident => pop.id = ident(&p),
                Rule::when => pop.when = self.when(p),
                Rule::bad_stmt => self.bad(p, Context::Popup),
                Rule::unclosed => self.unclosed(pop.span.start, psp.start, "pop-up"),
                Rule::p_button | Rule::p_title | Rule::p_body => {
                    let t = p
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::template)
                        .map(|t| self.template(t));
                    let slot = match rule {
                        Rule::p_button => &mut pop.button,
                        Rule::p_title => &mut pop.title,
                        _ => &mut pop.body,
                    };
                    if slot.is_some() {
                        let kw = first_word(&self.src[psp.clone()]).len();
                        pop.repeated.push(psp.start..psp.start + kw);
                    }
                    *slot = t;
                }
                _ => {}
            }
        }
        pop.broken = self.errors.len() > errors_before;
        pop
    }

    fn text_line(&mut self, pair: Pair<'s, Rule>) -> TextLine {
        let sp = span(&pair);
        let mut template = Template {
            parts: Vec::new(),
            span: sp.clone(),
        };
        let mut when = None;
        let mut for_each = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::template => template = self.template(p),
                Rule::when => when = self.when(p),
                Rule::for_each => {
                    let fsp = span(&p);
                    let mut var = None;
                    let mut list = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::ident => var = Some(ident(&q)),
                            Rule::path => list = Some(self.path(q)),
                            _ => {}
                        }
                    }
                    if let (Some(var), Some(list)) = (var, list) {
                        for_each = Some(ForEach {
                            var,
                            list,
                            span: fsp,
                        });
                    }
                }
                _ => {}
            }
        }
        TextLine {
            template,
            when,
            for_each,
            span: sp,
        }
    }

    fn when(&mut self, pair: Pair<'s, Rule>) -> Option<Expr> {
        pair.into_inner()
            .find(|p| p.as_rule() == Rule::expr)
            .map(|e| self.expr(e))
    }

    /// `visual "asset" [alt "…" | decorative]`.
    fn visual(&mut self, pair: Pair<'s, Rule>) -> Visual {
        let sp = span(&pair);
        let mut file = Str {
            value: String::new(),
            span: sp.clone(),
        };
        let mut alt = None;
        let mut end = sp.start;
        for p in pair.into_inner() {
            end = end.max(span(&p).end);
            match p.as_rule() {
                Rule::string => file = self.string(p),
                Rule::v_alt => alt = Some(VisualAlt::Text(self.first_string(p))),
                Rule::v_decorative => alt = Some(VisualAlt::Decorative(span(&p))),
                _ => {}
            }
        }
        Visual {
            file,
            alt,
            // The pair may end past the line's trailing blanks: the line is up to its last word.
            span: sp.start..end,
        }
    }

    fn first_string(&mut self, pair: Pair<'s, Rule>) -> Str {
        let sp = span(&pair);
        match pair.into_inner().find(|p| p.as_rule() == Rule::string) {
            Some(s) => self.string(s),
            None => Str {
                value: String::new(),
                span: sp,
            },
        }
    }

    fn string(&mut self, pair: Pair<'s, Rule>) -> Str {
        let sp = span(&pair);
        let raw = pair
            .into_inner()
            .next()
            .map(|p| (p.as_str(), span(&p)))
            .unwrap_or(("", sp.clone()));
        let value = self.unescape(raw.0, raw.1.start);
        Str { value, span: sp }
    }

    fn unescape(&mut self, raw: &str, offset: usize) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, e)) => match unescape_char(e) {
                    Some(u) => out.push(u),
                    None => {
                        self.errors.push(SyntaxError::BadEscape {
                            span: offset + i..offset + i + 1 + e.len_utf8(),
                            found: e,
                        });
                        out.push(e);
                    }
                },
                None => out.push('\\'),
            }
        }
        out
    }

    fn template(&mut self, pair: Pair<'s, Rule>) -> Template {
        let sp = span(&pair);
        let mut parts: Vec<TemplatePart> = Vec::new();
        let push_text = |parts: &mut Vec<TemplatePart>, s: &str| {
            if let Some(TemplatePart::Text(t)) = parts.last_mut() {
                t.push_str(s);
            } else {
                parts.push(TemplatePart::Text(s.to_string()));
            }
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::tpl_text => push_text(&mut parts, p.as_str()),
                Rule::tpl_escape => {
                    let s = self.unescape(p.as_str(), span(&p).start);
                    push_text(&mut parts, &s);
                }
                Rule::tpl_hole => {
                    let hsp = span(&p);
                    let mut expr = None;
                    let mut formatter = None;
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::expr => expr = Some(self.expr(q)),
                            Rule::formatter => {
                                let fsp = span(&q);
                                let mut name = None;
                                let mut args = Vec::new();
                                for r in q.into_inner() {
                                    match r.as_rule() {
                                        Rule::ident => name = Some(ident(&r)),
                                        Rule::string => args.push(self.string(r)),
                                        _ => {}
                                    }
                                }
                                if let Some(name) = name {
                                    formatter = Some(Formatter {
                                        name,
                                        args,
                                        span: fsp,
                                    });
                                }
                            }
                            _ => {}
                        }
                    }
                    if let Some(expr) = expr {
                        parts.push(TemplatePart::Hole {
                            expr,
                            formatter,
                            span: hsp,
                        });
                    }
                }
                Rule::tpl_agree => {
                    let asp = span(&p);
                    let forms: Vec<String> = p
                        .into_inner()
                        .map(|f| f.as_str().trim().to_string())
                        .collect();
                    if let [m, f] = forms.as_slice() {
                        parts.push(TemplatePart::Gender {
                            masculine: m.clone(),
                            feminine: f.clone(),
                            span: asp,
                        });
                    }
                }
                _ => {}
            }
        }
        Template { parts, span: sp }
    }

    fn int(&mut self, pair: &Pair<'s, Rule>) -> Option<i64> {
        let text: String = pair.as_str().chars().filter(|c| *c != '_').collect();
        match text.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.errors
                    .push(SyntaxError::NumberTooLarge { span: span(pair) });
                None
            }
        }
    }

    fn duration(&mut self, pair: &Pair<'s, Rule>) -> Option<DurationLit> {
        let sp = span(pair);
        match parse_duration(pair.as_str()) {
            Some(ms) => Some(DurationLit { ms, span: sp }),
            None => {
                self.errors.push(SyntaxError::BadDuration {
                    span: sp,
                    text: pair.as_str().to_string(),
                });
                None
            }
        }
    }

    fn path(&mut self, pair: Pair<'s, Rule>) -> Expr {
        let sp = span(&pair);
        let segs = pair.into_inner().map(|p| ident(&p)).collect::<Vec<_>>();
        Expr {
            kind: ExprKind::Path(segs),
            span: sp,
        }
    }

    fn expr(&mut self, pair: Pair<'s, Rule>) -> Expr {
        let pairs = pair.into_inner();
        self.pratt_expr(pairs)
    }

    fn pratt_expr(&mut self, pairs: Pairs<'s, Rule>) -> Expr {
        let tokens = pairs.clone().count();
        if tokens > MAX_EXPR_TOKENS {
            let span = pairs
                .clone()
                .next()
                .map(|p| p.as_span().start())
                .unwrap_or(0);
            let end = pairs
                .clone()
                .last()
                .map(|p| p.as_span().end())
                .unwrap_or(span);
            self.errors.push(SyntaxError::TooComplex {
                span: span..end,
                what: "expression",
                limit: MAX_EXPR_TOKENS,
            });
            return Expr {
                kind: ExprKind::Bool(false),
                span: span..end,
            };
        }
        // The closures need `&mut self` each; a RefCell-free way is to collect errors locally.
        let errors = std::cell::RefCell::new(Vec::new());
        let src = self.src;
        let e = pratt()
            .map_primary(|p| primary(src, p, &errors))
            .map_prefix(|op, rhs| {
                let sp = span(&op).start..rhs.span.end;
                let op = if op.as_rule() == Rule::op_not {
                    UnaryOp::Not
                } else {
                    UnaryOp::Neg
                };
                Expr {
                    kind: ExprKind::Unary(op, Box::new(rhs)),
                    span: sp,
                }
            })
            .map_postfix(|lhs, op| {
                let sp = lhs.span.start..span(&op).end;
                Expr {
                    kind: ExprKind::Presence(Box::new(lhs), op.as_rule() == Rule::op_present),
                    span: sp,
                }
            })
            .map_infix(|lhs, op, rhs| {
                let sp = lhs.span.start..rhs.span.end;
                let op = match op.as_rule() {
                    Rule::op_or => BinaryOp::Or,
                    Rule::op_and => BinaryOp::And,
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_ne => BinaryOp::Ne,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::Le,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::Ge,
                    Rule::op_in => BinaryOp::In,
                    Rule::op_not_in => BinaryOp::NotIn,
                    Rule::op_add => BinaryOp::Add,
                    Rule::op_sub => BinaryOp::Sub,
                    Rule::op_mul => BinaryOp::Mul,
                    Rule::op_div => BinaryOp::Div,
                    _ => BinaryOp::Default,
                };
                Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    span: sp,
                }
            })
            .parse(pairs);
        self.errors.extend(errors.into_inner());
        e
    }
}

fn primary<'s>(
    src: &'s str,
    p: Pair<'s, Rule>,
    errors: &std::cell::RefCell<Vec<SyntaxError>>,
) -> Expr {
    let sp = span(&p);
    let kind = match p.as_rule() {
        Rule::boolean => ExprKind::Bool(p.as_str() == "true"),
        Rule::int => {
            let t: String = p.as_str().chars().filter(|c| *c != '_').collect();
            match t.parse() {
                Ok(v) => ExprKind::Int(v),
                Err(_) => {
                    errors
                        .borrow_mut()
                        .push(SyntaxError::NumberTooLarge { span: sp.clone() });
                    ExprKind::Int(0)
                }
            }
        }
        Rule::decimal => ExprKind::Decimal(p.as_str().parse().unwrap_or(0.0)),
        Rule::money => {
            let amount = p.into_inner().next();
            let text: String = amount
                .as_ref()
                .map(|a| a.as_str())
                .unwrap_or("0")
                .chars()
                .filter(|c| *c != '_')
                .collect();
            match parse_money(&text) {
                Some(c) => ExprKind::Money(c),
                None => {
                    errors.borrow_mut().push(SyntaxError::BadMoney {
                        span: sp.clone(),
                        text,
                    });
                    ExprKind::Money(0)
                }
            }
        }
        Rule::date => ExprKind::Date(p.as_str().to_string()),
        Rule::duration => match parse_duration(p.as_str()) {
            Some(ms) => ExprKind::Duration(ms),
            None => {
                errors.borrow_mut().push(SyntaxError::BadDuration {
                    span: sp.clone(),
                    text: p.as_str().to_string(),
                });
                ExprKind::Duration(0)
            }
        },
        Rule::period => {
            let mut it = p.into_inner();
            let n: i32 = it
                .next()
                .and_then(|c| c.as_str().parse().ok())
                .unwrap_or(i32::MAX);
            let unit = it.next().map(|u| u.as_str()).unwrap_or("days");
            if n > 10_000 {
                errors
                    .borrow_mut()
                    .push(SyntaxError::NumberTooLarge { span: sp.clone() });
            }
            let n = n.min(10_000);
            match unit.trim_end_matches('s') {
                "month" => ExprKind::Period { months: n, days: 0 },
                "year" => ExprKind::Period {
                    months: n * 12,
                    days: 0,
                },
                "week" => ExprKind::Period {
                    months: 0,
                    days: n * 7,
                },
                _ => ExprKind::Period { months: 0, days: n },
            }
        }
        Rule::string => {
            let raw = p.into_inner().next().map(|x| x.as_str()).unwrap_or("");
            let mut b = Builder::new(src);
            let v = b.unescape(raw, sp.start + 1);
            errors.borrow_mut().extend(b.errors);
            ExprKind::Str(v)
        }
        Rule::path => ExprKind::Path(p.into_inner().map(|x| ident(&x)).collect()),
        Rule::call => {
            let mut it = p.into_inner();
            let name = it.next().map(|n| ident(&n));
            let args: Vec<Expr> = it
                .map(|a| {
                    let mut b = Builder::new(src);
                    let e = b.expr(a);
                    errors.borrow_mut().extend(b.errors);
                    e
                })
                .collect();
            match name {
                Some(n) if !args.is_empty() => ExprKind::Call(n, args),
                _ => ExprKind::Bool(false),
            }
        }
        Rule::any_expr => {
            let mut var = None;
            let mut list = None;
            let mut cond = None;
            let mut b = Builder::new(src);
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::ident => var = Some(ident(&q)),
                    Rule::path => list = Some(b.path(q)),
                    Rule::expr => cond = Some(b.expr(q)),
                    _ => {}
                }
            }
            errors.borrow_mut().extend(b.errors);
            match (var, list, cond) {
                (Some(v), Some(l), Some(c)) => ExprKind::Any(v, Box::new(l), Box::new(c)),
                _ => ExprKind::Bool(false),
            }
        }
        Rule::paren => {
            let mut b = Builder::new(src);
            let e = p.into_inner().next().map(|inner| b.expr(inner));
            errors.borrow_mut().extend(b.errors);
            // The span keeps the parentheses: `(eta + 1) == 2` is underlined whole.
            match e {
                Some(e) => e.kind,
                None => ExprKind::Bool(false),
            }
        }
        _ => ExprKind::Bool(false),
    };
    Expr { kind, span: sp }
}

fn ident(p: &Pair<'_, Rule>) -> Ident {
    Ident {
        name: p.as_str().to_string(),
        span: span(p),
    }
}

fn unescape_char(c: char) -> Option<char> {
    Some(match c {
        'n' => '\n',
        '"' | '\\' | '{' | '}' | '[' | ']' | '|' => c,
        _ => return None,
    })
}

/// Deepest nesting of brackets accepted in a file.
pub const MAX_DEPTH: usize = 64;
/// Most operators and operands accepted in one expression.
pub const MAX_EXPR_TOKENS: usize = 512;

fn too_deep(source: &str) -> Option<SyntaxError> {
    let mut depth = 0usize;
    for (i, c) in source.char_indices() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(SyntaxError::TooComplex {
                        span: i..i + 1,
                        what: "nesting",
                        limit: MAX_DEPTH,
                    });
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// In the text of a block that is never closed (from its `{`), the first `{` whose `}` stands
/// at the start of a line, left of the line that opened it: the offsets of both. Quoted
/// strings and comments are skipped.
fn misplaced_close(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    // Open braces, each with the indentation of its line.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut line_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line_start = i + 1,
            b'"' => i = string_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n) - 1;
            }
            b'{' => open.push((i, indentation(&text[line_start..]))),
            b'}' => {
                let first_on_line = text[line_start..i].trim().is_empty();
                if let Some((brace, indent)) = open.pop() {
                    if first_on_line && i - line_start < indent && !open.is_empty() {
                        return Some((brace, i));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The number of spaces and tabs a line starts with.
fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// The offset of the first `{` in `text` outside quoted strings.
fn first_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => return Some(i),
            b'"' => i = string_end(bytes, i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where the quoted string opened at `start` ends: its closing quote, or `start` itself when the
/// line ends first (the quote is then an ordinary character, as in the grammar's `raw_string`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start + 1;
    while j < bytes.len() && bytes[j] != b'"' && bytes[j] != b'\n' {
        j += if bytes[j] == b'\\' { 2 } else { 1 };
    }
    if j < bytes.len() && bytes[j] == b'"' {
        j
    } else {
        start
    }
}

/// The offsets of the `{` in `text` that no `}` closes, outermost first. Reads brackets as the
/// grammar's `balanced` does: a quoted string closed on its line hides its brackets.
fn unclosed_braces(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut open = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => open.push(i),
            b'}' => {
                open.pop();
            }
            b'"' => i = string_end(bytes, i),
            _ => {}
        }
        i += 1;
    }
    open
}

/// Replaces the long list of literal kinds pest offers where a value may start with one phrase.
fn collapse_values(expected: &mut Vec<&'static str>) {
    const VALUES: [&str; 10] = [
        "a whole number",
        "a number",
        "an amount like `€ 12.50`",
        "a date like `2024-02-29`",
        "a duration like `6s` or `3m30s`",
        "a period like `6 months`",
        "`true` or `false`",
        "a quoted string",
        "a name",
        "`any`",
    ];
    let n = expected.iter().filter(|e| VALUES.contains(e)).count();
    if n >= 4 {
        expected.retain(|e| !VALUES.contains(e));
        expected.insert(0, "a value or an attribute");
    }
}

/// The first word of a line, for messages.
pub fn first_word(s: &str) -> &str {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    if end == 0 {
        s.chars().next().map_or("", |c| &s[..c.len_utf8()])
    } else {
        &s[..end]
    }
}

fn found_token(rest: &str) -> &str {
    let rest = rest.split('\n').next().unwrap_or("");
    let rest = rest.trim_end_matches('\r');
    if rest.is_empty() {
        return "";
    }
    if rest.starts_with('"') {
        return &rest[..1];
    }
    let w = first_word(rest);
    if w.is_empty() {
        rest
    } else {
        w
    }
}

/// `3m30s` -> 210000 ms. `None` when a number is out of range.
pub fn parse_duration(text: &str) -> Option<u64> {
    let mut total: f64 = 0.0;
    let mut rest = text;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let (unit, len) = if rest.starts_with("ms") {
            (1.0, 2)
        } else if rest.starts_with('s') {
            (1000.0, 1)
        } else if rest.starts_with('m') {
            (60_000.0, 1)
        } else if rest.starts_with('h') {
            (3_600_000.0, 1)
        } else {
            return None;
        };
        total += n * unit;
        rest = &rest[len..];
    }
    if total.is_finite() && total < 86_400_000.0 {
        Some(total.round() as u64)
    } else {
        None
    }
}

/// `1234.5` -> 123450 cents; at most two decimals.
pub fn parse_money(text: &str) -> Option<i64> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    if frac.len() > 2 {
        return None;
    }
    let i: i64 = int.parse().ok()?;
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    if frac.len() == 1 {
        f *= 10;
    }
    i.checked_mul(100)?.checked_add(f)
}

/// The name of a grammar rule as a person would say it, or `None` for rules that only structure
/// the grammar and would confuse if listed.
pub fn describe_rule(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::ident => "a name",
        Rule::field => "a field name",
        Rule::path => "an attribute",
        Rule::expr => "an expression",
        Rule::string => "a quoted string",
        Rule::template => "a quoted text",
        Rule::int => "a whole number",
        Rule::decimal => "a number",
        Rule::money => "an amount like `€ 12.50`",
        Rule::date => "a date like `2024-02-29`",
        Rule::duration => "a duration like `6s` or `3m30s`",
        Rule::period => "a period like `6 months`",
        Rule::boolean => "`true` or `false`",
        Rule::tpl_hole => "`{`",
        Rule::tpl_agree => "`[masculine|feminine]`",
        Rule::formatter => "a formatter name",
        Rule::op_or => "`or`",
        Rule::op_and => "`and`",
        Rule::op_eq => "`==`",
        Rule::op_ne => "`!=`",
        Rule::op_lt => "`<`",
        Rule::op_le => "`<=`",
        Rule::op_gt => "`>`",
        Rule::op_ge => "`>=`",
        Rule::op_in => "`in`",
        Rule::op_not_in => "`not in`",
        Rule::op_add => "`+`",
        Rule::op_sub => "`-`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::op_default => "`??`",
        Rule::op_not => "`not`",
        Rule::op_present => "`is present`",
        Rule::op_absent => "`is absent`",
        Rule::when => "`when`",
        Rule::for_each => "`for`",
        Rule::block | Rule::block_strict => "`{`",
        Rule::kw_campaign => "`campaign`",
        Rule::kw_title => "`title`",
        Rule::kw_locale => "`locale`",
        Rule::kw_schema => "`schema`",
        Rule::kw_available => "`available`",
        Rule::kw_until => "`until`",
        Rule::kw_for => "`for`",
        Rule::kw_from => "`from`",
        Rule::kw_to => "`to`",
        Rule::kw_requires => "`requires`",
        Rule::kw_length => "`length`",
        Rule::kw_speaking => "`speaking`",
        Rule::kw_rate => "`rate`",
        Rule::kw_wpm => "`wpm`",
        Rule::kw_import => "`import`",
        Rule::kw_include => "`include`",
        Rule::kw_scene => "`scene`",
        Rule::kw_ending => "`ending`",
        Rule::kw_visual => "`visual`",
        Rule::kw_alt => "`alt`",
        Rule::kw_decorative => "`decorative`",
        Rule::v_alt => "`alt \"…\"`",
        Rule::v_decorative => "`decorative`",
        Rule::kw_duration => "`duration`",
        Rule::kw_text => "`text`",
        Rule::kw_say => "`say`",
        Rule::kw_when => "`when`",
        Rule::kw_popup => "`popup`",
        Rule::kw_button => "`button`",
        Rule::kw_body => "`body`",
        Rule::kw_rating => "`rating`",
        Rule::kw_service => "`service`",
        Rule::kw_label => "`label`",
        Rule::kw_url => "`url`",
        Rule::kw_notify => "`notify`",
        Rule::kw_subject => "`subject`",
        Rule::kw_html => "`html`",
        Rule::kw_segments => "`segments`",
        Rule::kw_if => "`if`",
        Rule::kw_else => "`else`",
        Rule::kw_match => "`match`",
        Rule::kw_case => "`case`",
        Rule::kw_in => "`in`",
        Rule::kw_is => "`is`",
        Rule::kw_present => "`present`",
        Rule::kw_absent => "`absent`",
        Rule::kw_any => "`any`",
        Rule::EOI => "the end of the line",
        _ => return None,
    })
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads the spec from disk
mod tests {
    use super::*;

    #[test]
    fn smoke() {
        let src = std::fs::read_to_string("../language-spec/language.md").unwrap_or_default();
        let block = src
            .split("```guide")
            .nth(1)
            .and_then(|b| b.split("```").next())
            .unwrap_or("");
        let (f, errs) = parse(block);
        assert!(errs.is_empty(), "{errs:#?}");
        assert!(f.campaign.is_some());
        assert_eq!(f.endings.len(), 1);
        let (_, errs) = parse("scene a {\n  txt \"x\"\n  text \"Hai {eta anni\"\n  text \"ok\" when eta >\n}\nscen b {}\n");
        eprintln!("{errs:#?}");
        assert_eq!(errs.len(), 4);
    }

    #[test]
    fn hostile_nesting_is_one_error_not_a_stack_overflow() {
        for src in [
            format!(
                "scene a when {}true{} {{ text \"a\" }}",
                "(".repeat(100_000),
                ")".repeat(100_000)
            ),
            format!(
                "scene a when {}true {{ text \"a\" }}",
                "not ".repeat(100_000)
            ),
            format!(
                "scene a when 1{} > 2 {{ text \"a\" }}",
                " + 1".repeat(100_000)
            ),
            format!("scene a {{ text \"{}\" }}", "{".repeat(100_000)),
        ] {
            let (_, errs) = parse(&src);
            assert!(
                errs.iter()
                    .any(|e| matches!(e, SyntaxError::TooComplex { .. })),
                "{errs:?}"
            );
        }
    }
}
