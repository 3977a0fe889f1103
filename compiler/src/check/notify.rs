//! Checking `notify` blocks: the channel, the statements each channel takes, the contact
//! attribute, and the templates (with `{link}` for the personal link and `{deadline}` for the end
//! of the availability window).

use super::error::{CheckError, NotifyProblem};
use super::expr::Scope;
use super::Checker;
use crate::diagnostic::Span;
use crate::ir::{self, Channel, Const, ExprKind, NoteLine, NoteTemplate, Piece, Ty};
use crate::syntax::ast::{self, NotifyStmt, TemplatePart};

/// The most buttons an app IO message may carry.
pub const MAX_IO_BUTTONS: usize = 2;
/// The most SMS segments a notification may declare.
pub const MAX_SMS_SEGMENTS: i64 = 10;

impl Checker<'_> {
    /// Checks every `notify` block of the campaign file.
    pub(super) fn notifications(
        &mut self,
        blocks: &[ast::Notify],
        availability: Option<&ir::Availability>,
    ) -> Vec<ir::Notification> {
        let mut out: Vec<ir::Notification> = Vec::new();
        for n in blocks {
            if let Some(x) = self.notification(n, availability) {
                if let Some(first) = out.iter().find(|o| o.channel == x.channel) {
                    self.error(CheckError::Notification {
                        span: n.channel.span.clone(),
                        problem: NotifyProblem::SecondOfChannel {
                            channel: x.channel.name(),
                            first: first.span.clone(),
                        },
                    });
                    continue;
                }
                out.push(x);
            }
        }
        out
    }

    fn notify_error(&mut self, span: &Span, problem: NotifyProblem) {
        self.error(CheckError::Notification {
            span: span.clone(),
            problem,
        });
    }

    fn notification(
        &mut self,
        n: &ast::Notify,
        availability: Option<&ir::Availability>,
    ) -> Option<ir::Notification> {
        let channel = match n.channel.name.as_str() {
            "io" => Channel::Io,
            "sms" => Channel::Sms,
            "email" => Channel::Email,
            other => {
                self.notify_error(
                    &n.channel.span,
                    NotifyProblem::UnknownChannel {
                        name: other.to_string(),
                    },
                );
                return None;
            }
        };
        let scope = Scope::default();
        let when = n.when.as_ref().map(|w| self.cond(w, &scope));
        let scope = match &when {
            Some(c) => scope.with_facts(c, true),
            None => scope,
        };
        let mut to = None;
        let mut segments = None;
        let mut subject = None;
        let mut body = Vec::new();
        let mut html = Vec::new();
        let mut buttons = Vec::new();
        for s in &n.stmts {
            let (word, span) = stmt_word(s);
            let allowed = match channel {
                Channel::Io => matches!(word, "subject" | "body" | "button"),
                Channel::Sms => matches!(word, "to" | "segments" | "text"),
                Channel::Email => matches!(word, "to" | "subject" | "text" | "html"),
            };
            if !allowed {
                self.notify_error(
                    &(span.start..span.start + word.len()),
                    NotifyProblem::NotForChannel {
                        statement: word,
                        channel: channel.name(),
                    },
                );
                continue;
            }
            let once = matches!(word, "to" | "segments" | "subject");
            let given = match word {
                "to" => to.is_some(),
                "segments" => segments.is_some(),
                "subject" => subject.is_some(),
                _ => false,
            };
            if once && given {
                self.repeated(&(span.start..span.start + word.len()), word);
                continue;
            }
            match s {
                NotifyStmt::To(e, _) => {
                    // An absent contact is no error: that recipient skips the channel.
                    let x = self.expr(e, &scope, None);
                    let ok = match &x.ty {
                        Ty::Str | Ty::Error => true,
                        Ty::Optional(t) => **t == Ty::Str,
                        _ => false,
                    };
                    if !ok {
                        self.notify_error(
                            &e.span,
                            NotifyProblem::ContactNotText {
                                found: x.ty.clone(),
                            },
                        );
                    }
                    to = Some(x);
                }
                NotifyStmt::Segments(v, sp) => {
                    if !(1..=MAX_SMS_SEGMENTS).contains(v) {
                        self.notify_error(sp, NotifyProblem::Segments { found: *v });
                    }
                    segments = Some((*v).clamp(1, MAX_SMS_SEGMENTS) as u32);
                }
                NotifyStmt::Subject(t, _) => {
                    subject = Some(self.note_template(t, &scope, availability));
                }
                NotifyStmt::Body(l) | NotifyStmt::Text(l) => {
                    body.push(self.note_line(l, &scope, availability));
                }
                NotifyStmt::Html(l) => html.push(self.note_line(l, &scope, availability)),
                NotifyStmt::Button {
                    service,
                    label,
                    span,
                } => {
                    if buttons.len() == MAX_IO_BUTTONS {
                        self.notify_error(
                            span,
                            NotifyProblem::TooManyButtons {
                                max: MAX_IO_BUTTONS,
                            },
                        );
                        continue;
                    }
                    if let Some(b) = self.note_button(service, label, span, &scope, availability) {
                        buttons.push(b);
                    }
                }
            }
        }
        let needs: &[&'static str] = match channel {
            Channel::Io => &["subject", "body"],
            Channel::Sms => &["to", "text"],
            Channel::Email => &["to", "subject", "text", "html"],
        };
        let mut complete = true;
        for need in needs {
            let have = match *need {
                "to" => to.is_some(),
                "subject" => subject.is_some(),
                "html" => !html.is_empty(),
                _ => !body.is_empty(),
            };
            if !have && !n.broken {
                complete = false;
                self.notify_error(
                    &n.channel.span,
                    NotifyProblem::Missing {
                        statement: need,
                        channel: channel.name(),
                    },
                );
            }
        }
        if channel == Channel::Io && self.schema_ok && self.schema.key.is_none() {
            self.notify_error(&n.channel.span, NotifyProblem::IoWithoutKey);
        }
        if !complete {
            return None;
        }
        Some(ir::Notification {
            channel,
            when,
            to,
            segments: segments.unwrap_or(1),
            subject,
            body,
            html,
            buttons,
            span: n.channel.span.clone(),
        })
    }

    fn note_line(
        &mut self,
        l: &ast::TextLine,
        scope: &Scope,
        availability: Option<&ir::Availability>,
    ) -> NoteLine {
        let when = l.when.as_ref().map(|w| self.cond(w, scope));
        let scope = match &when {
            Some(c) => scope.with_facts(c, true),
            None => scope.clone(),
        };
        NoteLine {
            template: self.note_template(&l.template, &scope, availability),
            when,
            span: l.span.clone(),
        }
    }

    fn note_button(
        &mut self,
        service: &Option<ast::Ident>,
        label: &Option<ast::Template>,
        span: &Span,
        scope: &Scope,
        availability: Option<&ir::Availability>,
    ) -> Option<ir::NoteButton> {
        let label_of = |c: &mut Self, t: &ast::Template| c.note_template(t, scope, availability);
        let Some(id) = service else {
            let t = label.as_ref()?;
            return Some(ir::NoteButton {
                label: label_of(self, t),
                url: None,
                span: span.clone(),
            });
        };
        let b = ast::Button {
            service: id.clone(),
            label: None,
            when: None,
            span: span.clone(),
        };
        let resolved = self.button(&b, scope)?;
        let label = match label {
            Some(t) => label_of(self, t),
            None => NoteTemplate {
                pieces: vec![Piece::Part(ir::Part::Text(resolved.label))],
            },
        };
        Some(ir::NoteButton {
            label,
            url: Some(resolved.url),
            span: span.clone(),
        })
    }

    /// A template with `{link}` (the personal link) and `{deadline}` (the end of availability,
    /// a date) besides what guide templates hold.
    fn note_template(
        &mut self,
        t: &ast::Template,
        scope: &Scope,
        availability: Option<&ir::Availability>,
    ) -> NoteTemplate {
        let mut pieces = Vec::new();
        for p in &t.parts {
            if let TemplatePart::Hole {
                expr,
                formatter,
                span,
            } = p
            {
                if let ast::ExprKind::Path(path) = &expr.kind {
                    match path.as_slice() {
                        [one] if one.name == "link" => {
                            if formatter.is_some() {
                                self.notify_error(span, NotifyProblem::LinkFormatter);
                            }
                            pieces.push(Piece::Link);
                            continue;
                        }
                        [one] if one.name == "deadline" => {
                            match deadline(availability, expr.span.clone()) {
                                Some(end) => {
                                    let hole = ast::Template {
                                        parts: vec![TemplatePart::Hole {
                                            expr: ast::Expr {
                                                kind: ast::ExprKind::Date("2000-01-01".to_string()),
                                                span: expr.span.clone(),
                                            },
                                            formatter: formatter.clone(),
                                            span: span.clone(),
                                        }],
                                        span: span.clone(),
                                    };
                                    // Typed as any date, then given the window's end.
                                    let checked = self.template(&hole, scope);
                                    for part in checked.parts {
                                        if let ir::Part::Value(_, fmt) = part {
                                            pieces.push(Piece::Part(ir::Part::Value(
                                                end.clone(),
                                                fmt,
                                            )));
                                        }
                                    }
                                }
                                None => self.notify_error(span, NotifyProblem::NoDeadline),
                            }
                            continue;
                        }
                        _ => {}
                    }
                }
            }
            let one = ast::Template {
                parts: vec![p.clone()],
                span: t.span.clone(),
            };
            pieces.extend(
                self.template(&one, scope)
                    .parts
                    .into_iter()
                    .map(Piece::Part),
            );
        }
        NoteTemplate { pieces }
    }
}

/// The end of the availability window, as a date expression.
fn deadline(a: Option<&ir::Availability>, span: Span) -> Option<ir::Expr> {
    match a? {
        ir::Availability::Always => None,
        ir::Availability::Until(e) => Some(e.clone()),
        ir::Availability::For { months, days, from } => Some(ir::Expr {
            kind: ExprKind::Arith(
                ir::ArithOp::AddPeriod,
                Box::new(from.clone()),
                Box::new(ir::Expr {
                    kind: ExprKind::Const(Const::Period(*months, *days)),
                    ty: Ty::Period,
                    span: span.clone(),
                }),
            ),
            ty: Ty::Date,
            span,
        }),
    }
}

/// The word that starts a statement, and the statement's span.
fn stmt_word(s: &NotifyStmt) -> (&'static str, Span) {
    match s {
        NotifyStmt::To(_, sp) => ("to", sp.clone()),
        NotifyStmt::Segments(_, sp) => ("segments", sp.clone()),
        NotifyStmt::Subject(_, sp) => ("subject", sp.clone()),
        NotifyStmt::Body(l) => ("body", l.span.clone()),
        NotifyStmt::Text(l) => ("text", l.span.clone()),
        NotifyStmt::Html(l) => ("html", l.span.clone()),
        NotifyStmt::Button { span, .. } => ("button", span.clone()),
    }
}
