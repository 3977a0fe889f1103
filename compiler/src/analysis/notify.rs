//! The proof that every notification fits its channel: for every recipient the schema allows
//! (every gender, every set of conditional lines, every value up to its declared `max_length`),
//! an app IO subject stays within 10 to 120 characters and its body within 80 to 10,000, and an
//! SMS within its declared segments. The bounds are sound: a conditional line is counted in for
//! the longest text and out for the shortest, whatever the conditions say.

use super::error::AnalysisError;
use super::measure::{Measure, Measurer, LINK_MAX_CHARS, LINK_MIN_CHARS};
use crate::ir::{self, Channel, NoteLine};

/// The app IO subject's limits, in characters.
pub const IO_SUBJECT: (usize, usize) = (10, 120);
/// The app IO Markdown body's limits, in characters (the buttons' front matter included).
pub const IO_BODY: (usize, usize) = (80, 10_000);

/// The personal link of a channel: `BASE/g/TOKEN?c=CHANNEL`.
fn link(channel: Channel) -> Measure {
    let mut m = Measure::exact(&"x".repeat(LINK_MAX_CHARS));
    m.min = LINK_MIN_CHARS + channel.name().len() - 2;
    m
}

/// The front matter of an app IO message with these buttons, and the body after it.
pub fn io_markdown(
    m: &Measurer<'_>,
    n: &ir::Notification,
    lines: &[&NoteLine],
    link: &Measure,
) -> Measure {
    let mut out = Measure::empty();
    if !n.buttons.is_empty() {
        out = out.then(&Measure::exact("---\nit:\n"));
        for (i, b) in n.buttons.iter().enumerate() {
            out = out
                .then(&Measure::exact(&format!("  cta_{}:\n    text: \"", i + 1)))
                .then(&m.template(&b.label, link).yaml_quoted())
                .then(&Measure::exact("\"\n    action: \"iohandledlink://"));
            out = match &b.url {
                Some(u) => out.then(&Measure::exact(u)),
                None => out.then(link),
            };
            out = out.then(&Measure::exact("\"\n"));
        }
        out = out.then(&Measure::exact("---\n"));
    }
    out.then(&paragraphs(m, lines, link, "\n\n"))
}

/// Lines joined by `sep`.
pub fn paragraphs(m: &Measurer<'_>, lines: &[&NoteLine], link: &Measure, sep: &str) -> Measure {
    let mut out = Measure::empty();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out = out.then(&Measure::exact(sep));
        }
        out = out.then(&m.template(&l.template, link));
    }
    out
}

/// One combination the bounds are computed for: a gender and whether conditional lines are in.
struct Case {
    feminine: Option<bool>,
    with_conditional: bool,
}

impl Case {
    fn describe(&self, n: &ir::Notification) -> String {
        let gender = match self.feminine {
            Some(true) => "a feminine recipient",
            Some(false) => "a masculine recipient",
            None => "any recipient",
        };
        let conditional = n
            .body
            .iter()
            .chain(&n.html)
            .filter(|l| l.when.is_some())
            .count();
        match (conditional, self.with_conditional) {
            (0, _) => gender.to_string(),
            (_, true) => format!("{gender} with every conditional line"),
            (_, false) => format!("{gender} without the conditional lines"),
        }
    }
}

/// The lengths of one notification's texts, as the proof found them.
#[derive(Debug, Clone)]
pub struct Bounds {
    /// The channel.
    pub channel: Channel,
    /// The subject (app IO, e-mail).
    pub subject: Option<Measure>,
    /// The body: app IO Markdown (front matter included), SMS text, e-mail plain text.
    pub body: Measure,
}

/// The bounds of every notification, over both genders and every set of lines.
pub fn bounds(c: &ir::Campaign) -> Vec<Bounds> {
    let m = Measurer {
        schema: &c.schema.attributes,
        feminine: None,
    };
    c.notifications
        .iter()
        .map(|n| {
            let link = link(n.channel);
            let all: Vec<&NoteLine> = n.body.iter().collect();
            let body = match n.channel {
                Channel::Io => io_markdown(&m, n, &all, &link),
                Channel::Sms => paragraphs(&m, &all, &link, " "),
                Channel::Email => paragraphs(&m, &all, &link, "\n\n"),
            };
            let fixed: Vec<&NoteLine> = n.body.iter().filter(|l| l.when.is_none()).collect();
            let body_min = match n.channel {
                Channel::Io => io_markdown(&m, n, &fixed, &link),
                Channel::Sms => paragraphs(&m, &fixed, &link, " "),
                Channel::Email => paragraphs(&m, &fixed, &link, "\n\n"),
            };
            let body = Measure {
                min: body_min.min,
                ..body
            };
            Bounds {
                channel: n.channel,
                subject: n.subject.as_ref().map(|s| m.template(s, &link)),
                body,
            }
        })
        .collect()
}

/// Whether a notification agrees with the recipient's gender anywhere.
fn uses_gender(n: &ir::Notification) -> bool {
    let agrees = |t: &ir::NoteTemplate| {
        t.pieces
            .iter()
            .any(|p| matches!(p, ir::Piece::Part(ir::Part::Gender { .. })))
    };
    n.subject.iter().any(agrees)
        || n.body.iter().chain(&n.html).any(|l| agrees(&l.template))
        || n.buttons.iter().any(|b| agrees(&b.label))
}

/// The errors and warnings of the proof.
pub fn problems(c: &ir::Campaign) -> Vec<AnalysisError> {
    let mut out = Vec::new();
    for n in &c.notifications {
        let genders: Vec<Option<bool>> = if uses_gender(n) {
            vec![Some(false), Some(true)]
        } else {
            vec![None]
        };
        let link = link(n.channel);
        let mut unbounded: Vec<String> = Vec::new();
        let mut found: Vec<AnalysisError> = Vec::new();
        for &feminine in &genders {
            let m = Measurer {
                schema: &c.schema.attributes,
                feminine,
            };
            for with_conditional in [false, true] {
                let case = Case {
                    feminine,
                    with_conditional,
                };
                let lines: Vec<&NoteLine> = n
                    .body
                    .iter()
                    .filter(|l| with_conditional || l.when.is_none())
                    .collect();
                let mut check = |what: &'static str, measure: &Measure, limits: (usize, usize)| {
                    for u in &measure.unbounded {
                        if !unbounded.contains(u) {
                            unbounded.push(u.clone());
                        }
                    }
                    let too_short = !with_conditional && measure.min < limits.0;
                    let too_long =
                        with_conditional && measure.max.is_some_and(|max| max > limits.1);
                    if too_short || too_long {
                        found.push(AnalysisError::NotificationLength {
                            span: n.span.clone(),
                            channel: n.channel.name(),
                            what,
                            length: if too_short {
                                measure.min
                            } else {
                                measure.max.unwrap_or_default()
                            },
                            limits,
                            too_short,
                            variant: case.describe(n),
                        });
                    }
                };
                match n.channel {
                    Channel::Io => {
                        if let Some(s) = &n.subject {
                            check("subject", &m.template(s, &link), IO_SUBJECT);
                        }
                        check("body", &io_markdown(&m, n, &lines, &link), IO_BODY);
                    }
                    Channel::Sms => {
                        let text = paragraphs(&m, &lines, &link, " ");
                        for u in &text.unbounded {
                            if !unbounded.contains(u) {
                                unbounded.push(u.clone());
                            }
                        }
                        let segments = text.max_segments();
                        if with_conditional && segments.is_some_and(|s| s > n.segments as usize) {
                            let ucs2 = !text.gsm;
                            found.push(AnalysisError::SmsSegments {
                                span: n.span.clone(),
                                declared: n.segments,
                                segments: segments.unwrap_or_default(),
                                encoding: if ucs2 { "UCS-2" } else { "GSM-7" },
                                units: if ucs2 {
                                    text.units.unwrap_or_default()
                                } else {
                                    text.septets.unwrap_or_default()
                                },
                                variant: match (ucs2 && text.literal_gsm, text.free.first()) {
                                    (true, Some(name)) => format!(
                                        "{} whose `{name}` holds a character outside GSM-7",
                                        case.describe(n)
                                    ),
                                    _ => case.describe(n),
                                },
                            });
                        }
                    }
                    Channel::Email => {
                        // No length limits: only the bounded attributes matter (the warning).
                        let all = m.template(
                            n.subject
                                .as_ref()
                                .map_or(&ir::NoteTemplate::default(), |s| s),
                            &link,
                        );
                        let html: Vec<&NoteLine> = n.html.iter().collect();
                        let all = all
                            .then(&paragraphs(&m, &lines, &link, ""))
                            .then(&paragraphs(&m, &html, &link, ""));
                        for u in &all.unbounded {
                            if !unbounded.contains(u) {
                                unbounded.push(u.clone());
                            }
                        }
                    }
                }
            }
        }
        // One error per text and direction: the first variant found that breaks it.
        let mut seen = Vec::new();
        for f in found {
            let key = match &f {
                AnalysisError::NotificationLength {
                    what, too_short, ..
                } => format!("{what}{too_short}"),
                _ => "sms".to_string(),
            };
            if !seen.contains(&key) {
                seen.push(key);
                out.push(f);
            }
        }
        for name in unbounded {
            out.push(AnalysisError::UnboundedInNotification {
                span: n.span.clone(),
                channel: n.channel.name(),
                attribute: name,
            });
        }
    }
    out
}
