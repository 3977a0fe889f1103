//! The messages of the checker's problems with `notify` blocks ([`NotifyProblem`]).

use crate::check::error::NotifyProblem;
use crate::diagnostic::{Diagnostic, SourceFile, Span};

/// What a channel's block looks like, for help texts.
fn example(channel: &str) -> &'static str {
    match channel {
        "io" => "notify io { subject \"...\" body \"...\" button \"Guarda la guida\" }",
        "sms" => "notify sms { to cellulare segments 1 text \"... {link}\" }",
        _ => "notify email { to email subject \"...\" text \"...\" html \"...\" }",
    }
}

/// "an `io`", "a `sms`": the article of a channel's name.
fn a(channel: &str) -> String {
    match channel {
        "io" | "email" => format!("an `{channel}`"),
        _ => format!("a `{channel}`"),
    }
}

/// The diagnostic of a `notify` problem found in `file`.
pub(super) fn diagnostic(file: &SourceFile, span: Span, problem: NotifyProblem) -> Diagnostic {
    use NotifyProblem::*;
    match problem {
        UnknownChannel { name } => Diagnostic::error(
            "E0701",
            format!("unknown notification channel `{name}`"),
            file,
            span,
            "not a channel",
        )
        .with_help("the channels are `io` (the app IO), `sms` and `email`"),
        NotForChannel { statement, channel } => Diagnostic::error(
            "E0702",
            format!("`{statement}` has no meaning in {} notification", a(channel)),
            file,
            span,
            format!("{} message has no {statement}", a(channel)),
        )
        .with_help(format!(
            "remove the line; {} notification reads: {}",
            a(channel),
            example(channel)
        )),
        Missing { statement, channel } => Diagnostic::error(
            "E0703",
            format!("this `{channel}` notification has no `{statement}`"),
            file,
            span,
            format!("{} message needs `{statement}`", a(channel)),
        )
        .with_help(format!("write it as: {}", example(channel))),
        TooManyButtons { max } => Diagnostic::error(
            "E0704",
            format!("an app IO message carries at most {max} buttons"),
            file,
            span,
            "one button too many",
        )
        .with_help("keep the two that matter most: the guide and its service"),
        Segments { found } => Diagnostic::error(
            "E0704",
            format!("an SMS notification may take 1 to 10 segments, not {found}"),
            file,
            span,
            "out of range",
        )
        .with_help("every segment is billed: most reminders fit in `segments 1` or `segments 2`"),
        ContactNotText { found } => Diagnostic::error(
            "E0705",
            "the contact must be a text attribute",
            file,
            span,
            format!("this is a {}", found.describe()),
        )
        .with_help("name the attribute with the mobile number or the e-mail address (a String)"),
        NoDeadline => Diagnostic::error(
            "E0706",
            "`{deadline}` needs an availability window",
            file,
            span,
            "this guide is available forever",
        )
        .with_help("declare `available until DATE` or `available for PERIOD from DATE` in the campaign header"),
        LinkFormatter => Diagnostic::error(
            "E0706",
            "`{link}` takes no formatter",
            file,
            span,
            "the personal link is written as is",
        )
        .with_help("write `{link}`"),
        IoWithoutKey => Diagnostic::error(
            "E0707",
            "an app IO message needs the recipient's fiscal code",
            file,
            span,
            "the schema declares no `key`",
        )
        .with_help("declare `key: \"codice_fiscale\"` in schema.ron: app IO messages are addressed by fiscal code"),
        SecondOfChannel { channel, first } => Diagnostic::error(
            "E0708",
            format!("a second `{channel}` notification"),
            file,
            span,
            "each recipient gets one message per channel",
        )
        .with_note(first, "the first one")
        .with_help("merge the two: use `when` on their lines for what differs"),
    }
}
