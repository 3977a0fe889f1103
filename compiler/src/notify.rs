//! Rendering a campaign's notifications for one recipient, on the same machine that renders the
//! guide: the notifications are compiled into a small program of their own (one scene per line,
//! one text per piece), so holes, formatters, agreement and conditions behave exactly as in the
//! guide. The host gives the record and the personal links, and gets the messages back.

use crate::analysis::sms;
use crate::codegen;
use crate::ir::{self, Channel, ExprKind, NoteTemplate, Part, Piece, Ty};
use guide_runtime::{EvalError, LoadError, Outcome, Program};

/// What a piece of a rendered line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg {
    /// Text written in the storyboard (HTML is kept as is).
    Literal,
    /// A value from the record (escaped in HTML).
    Value,
    /// The personal link (not rendered by the program).
    Link,
}

/// Which field of a notification a scene renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// The marker scene: plays when the notification applies.
    Applies,
    /// The contact: plays when it is present.
    To,
    Subject,
    Body,
    Html,
    Button(usize),
}

/// One scene of the notification program.
#[derive(Debug, Clone)]
struct Slot {
    notification: usize,
    field: Field,
    segs: Vec<Seg>,
}

/// A campaign's notifications, compiled.
pub struct Notifier {
    program: Program,
    slots: Vec<Slot>,
    notifications: Vec<ir::Notification>,
}

/// A message for one recipient on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The channel.
    pub channel: Channel,
    /// The contact (SMS: the number; e-mail: the address), as in the record; `None` for the app
    /// IO (addressed by the key).
    pub to: Option<String>,
    /// The subject (app IO, e-mail).
    pub subject: Option<String>,
    /// The app IO body paragraphs joined by blank lines (Markdown, without the front matter),
    /// the SMS text, or the e-mail's plain text.
    pub text: String,
    /// The e-mail's HTML body (values escaped).
    pub html: Option<String>,
    /// The app IO buttons: label and address.
    pub buttons: Vec<(String, String)>,
}

impl Message {
    /// The app IO `content.markdown`: the buttons' front matter (`it:` → `cta_1`, `cta_2`), then
    /// the body.
    pub fn io_markdown(&self) -> String {
        let mut out = String::new();
        if !self.buttons.is_empty() {
            out.push_str("---\nit:\n");
            for (i, (label, url)) in self.buttons.iter().enumerate() {
                out.push_str(&format!(
                    "  cta_{}:\n    text: \"{}\"\n    action: \"iohandledlink://{}\"\n",
                    i + 1,
                    yaml_escape(label),
                    yaml_escape(url)
                ));
            }
            out.push_str("---\n");
        }
        out.push_str(&self.text);
        out
    }

    /// The SMS encoding, its units and segments.
    pub fn sms_count(&self) -> (sms::Encoding, usize, usize) {
        sms::count(&self.text)
    }
}

/// Whether a recipient gets a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The message to send.
    Send(Box<Message>),
    /// The notification's condition is false for this recipient (e.g. no consent).
    NotApplicable,
    /// The contact is absent.
    NoContact,
}

/// `"` and `\` escaped for a YAML double-quoted string; line breaks become spaces.
fn yaml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text escaped for HTML.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn and(a: Option<ir::Expr>, b: Option<ir::Expr>) -> Option<ir::Expr> {
    match (a, b) {
        (Some(a), Some(b)) => {
            let span = a.span.clone();
            Some(ir::Expr {
                kind: ExprKind::And(Box::new(a), Box::new(b)),
                ty: Ty::Bool,
                span,
            })
        }
        (a, None) => a,
        (None, b) => b,
    }
}

fn scene(id: String, when: Option<ir::Expr>, parts: Vec<Part>) -> ir::Scene {
    ir::Scene {
        id,
        span: 0..0,
        file: 0,
        when,
        include: None,
        visual: None,
        visual_alt: None,
        duration_ms: Some(1000),
        texts: parts
            .into_iter()
            .map(|p| ir::Line {
                template: ir::Template { parts: vec![p] },
                when: None,
                for_each: None,
                span: 0..0,
            })
            .collect(),
        says: Vec::new(),
        popups: Vec::new(),
        buttons: Vec::new(),
        rating: None,
    }
}

/// The parts of a template, one per piece, and what each is.
fn pieces(t: &NoteTemplate) -> (Vec<Part>, Vec<Seg>) {
    let mut parts = Vec::new();
    let mut segs = Vec::new();
    for p in &t.pieces {
        match p {
            Piece::Link => segs.push(Seg::Link),
            Piece::Part(part) => {
                segs.push(match part {
                    Part::Value(..) => Seg::Value,
                    _ => Seg::Literal,
                });
                parts.push(part.clone());
            }
        }
    }
    (parts, segs)
}

impl Notifier {
    /// Compiles the notifications of a checked campaign.
    pub fn new(c: &ir::Campaign) -> Result<Notifier, LoadError> {
        let mut story = Vec::new();
        let mut slots = Vec::new();
        let mut add = |story: &mut Vec<ir::Node>,
                       k: usize,
                       field: Field,
                       when: Option<ir::Expr>,
                       t: Option<&NoteTemplate>| {
            let (parts, segs) = match t {
                Some(t) => pieces(t),
                None => (vec![Part::Text("x".into())], vec![Seg::Literal]),
            };
            let id = format!("n{k}_{}", slots.len());
            story.push(ir::Node::Scene(Box::new(scene(id, when, parts))));
            slots.push(Slot {
                notification: k,
                field,
                segs,
            });
        };
        for (k, n) in c.notifications.iter().enumerate() {
            add(&mut story, k, Field::Applies, n.when.clone(), None);
            if let Some(to) = &n.to {
                let (when, value) = match &to.ty {
                    Ty::Optional(inner) => (
                        Some(ir::Expr {
                            kind: ExprKind::Present(Box::new(to.clone()), true),
                            ty: Ty::Bool,
                            span: to.span.clone(),
                        }),
                        ir::Expr {
                            kind: ExprKind::Unwrap(Box::new(to.clone())),
                            ty: (**inner).clone(),
                            span: to.span.clone(),
                        },
                    ),
                    _ => (None, to.clone()),
                };
                let t = NoteTemplate {
                    pieces: vec![Piece::Part(Part::Value(value, ir::Format::Str))],
                };
                add(
                    &mut story,
                    k,
                    Field::To,
                    and(n.when.clone(), when),
                    Some(&t),
                );
            }
            if let Some(s) = &n.subject {
                add(&mut story, k, Field::Subject, n.when.clone(), Some(s));
            }
            for l in &n.body {
                let when = and(n.when.clone(), l.when.clone());
                add(&mut story, k, Field::Body, when, Some(&l.template));
            }
            for l in &n.html {
                let when = and(n.when.clone(), l.when.clone());
                add(&mut story, k, Field::Html, when, Some(&l.template));
            }
            for (i, b) in n.buttons.iter().enumerate() {
                add(
                    &mut story,
                    k,
                    Field::Button(i),
                    n.when.clone(),
                    Some(&b.label),
                );
            }
        }
        let campaign = ir::Campaign {
            id: c.id.clone(),
            title: c.title.clone(),
            locale: c.locale.clone(),
            schema: c.schema.clone(),
            availability: c.availability.clone(),
            requires: c.requires.clone(),
            length: None,
            length_span: None,
            rate_wpm: c.rate_wpm,
            story,
            ending: scene("ending".into(), None, Vec::new()),
            files: c.files.clone(),
            notifications: Vec::new(),
        };
        Ok(Notifier {
            program: codegen::program(&campaign)?,
            slots,
            notifications: c.notifications.clone(),
        })
    }

    /// Whether the campaign declares any notification.
    pub fn is_empty(&self) -> bool {
        self.notifications.is_empty()
    }

    /// The channels declared, in order.
    pub fn channels(&self) -> Vec<Channel> {
        self.notifications.iter().map(|n| n.channel).collect()
    }

    /// The messages of one recipient, per channel declared; `link` gives the personal link of a
    /// channel (`BASE/g/TOKEN?c=sms`). `None` when the recipient is not eligible.
    pub fn render(
        &self,
        record: &serde_json::Value,
        link: &dyn Fn(Channel) -> String,
    ) -> Result<Option<Vec<(Channel, Delivery)>>, EvalError> {
        self.render_at(record, link, None)
    }

    /// [`Notifier::render`] with the reference date the campaign's `today` reads (the same
    /// `--as-of` as the guide's own evaluation).
    pub fn render_at(
        &self,
        record: &serde_json::Value,
        link: &dyn Fn(Channel) -> String,
        today: Option<guide_runtime::Date>,
    ) -> Result<Option<Vec<(Channel, Delivery)>>, EvalError> {
        let mut eval = self.program.evaluator();
        eval.set_today(today);
        let timeline = match eval.evaluate_json(record)? {
            Outcome::Eligible(t) => t,
            Outcome::NotEligible => return Ok(None),
        };
        let mut played: Vec<Option<Vec<String>>> = vec![None; self.slots.len()];
        for s in timeline.scenes() {
            let Some(i) = s
                .id()
                .strip_prefix('n')
                .and_then(|r| r.split_once('_'))
                .and_then(|(_, i)| i.parse::<usize>().ok())
            else {
                continue;
            };
            if let Some(slot) = played.get_mut(i) {
                *slot = Some(s.texts().map(str::to_owned).collect());
            }
        }
        let mut out = Vec::new();
        for (k, n) in self.notifications.iter().enumerate() {
            let link = link(n.channel);
            let mut applies = false;
            let mut to = None;
            let mut subject = None;
            let mut body: Vec<String> = Vec::new();
            let mut html: Vec<String> = Vec::new();
            let mut buttons = Vec::new();
            for (slot, texts) in self.slots.iter().zip(&played) {
                if slot.notification != k {
                    continue;
                }
                let Some(texts) = texts else { continue };
                let escape = slot.field == Field::Html;
                let line = assemble(&slot.segs, texts, &link, escape);
                match slot.field {
                    Field::Applies => applies = true,
                    Field::To => to = Some(line),
                    Field::Subject => subject = Some(line),
                    Field::Body => body.push(line),
                    Field::Html => html.push(line),
                    Field::Button(b) => {
                        let url = n
                            .buttons
                            .get(b)
                            .and_then(|x| x.url.clone())
                            .unwrap_or_else(|| link.clone());
                        buttons.push((line, url));
                    }
                }
            }
            let delivery = if !applies {
                Delivery::NotApplicable
            } else if n.to.is_some() && to.is_none() {
                Delivery::NoContact
            } else {
                let sep = if n.channel == Channel::Sms {
                    " "
                } else {
                    "\n\n"
                };
                Delivery::Send(Box::new(Message {
                    channel: n.channel,
                    to,
                    subject,
                    text: body.join(sep),
                    html: (n.channel == Channel::Email).then(|| html.join("\n")),
                    buttons,
                }))
            };
            out.push((n.channel, delivery));
        }
        Ok(Some(out))
    }
}

/// A line from its rendered pieces and the link.
fn assemble(segs: &[Seg], texts: &[String], link: &str, html: bool) -> String {
    let mut out = String::new();
    let mut texts = texts.iter();
    for s in segs {
        match s {
            Seg::Link => out.push_str(&if html {
                html_escape(link)
            } else {
                link.to_string()
            }),
            Seg::Literal => out.push_str(texts.next().map_or("", String::as_str)),
            Seg::Value => {
                let v = texts.next().map_or("", String::as_str);
                if html {
                    out.push_str(&html_escape(v));
                } else {
                    out.push_str(v);
                }
            }
        }
    }
    out
}
