//! The messages of the analyses' problems ([`AnalysisError`]).

use crate::analysis::error::AnalysisError;
use crate::diagnostic::{Diagnostic, SourceFile};

fn secs(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", ms as f64 / 1000.0)
    }
}

impl AnalysisError {
    /// The diagnostic that explains this problem; `files` are the campaign's files.
    pub fn to_diagnostic(&self, files: &[SourceFile]) -> Diagnostic {
        use crate::analysis::error::Dead;
        use crate::analysis::variants::clock;
        let file = |i: usize| {
            files
                .get(i)
                .cloned()
                .unwrap_or_else(|| SourceFile::new("<unknown>", ""))
        };
        match self {
            AnalysisError::LengthMismatch {
                span,
                min_ms,
                max_ms,
                declared_ms: (lo, hi),
                too_short,
                too_long,
            } => {
                let mut help = String::new();
                if let Some(v) = too_short {
                    help.push_str(&format!(
                        "the shortest variant ({}, {} scenes: {}) is too short; ",
                        v.id,
                        v.scenes.len(),
                        v.scenes.join(", ")
                    ));
                }
                if let Some(v) = too_long {
                    help.push_str(&format!(
                        "the longest variant ({}, {} scenes) is too long; ",
                        v.id,
                        v.scenes.len()
                    ));
                }
                help.push_str("change scene durations or narration, or the `length` bounds");
                let label = match (min_ms < lo, max_ms > hi) {
                    (true, true) => format!(
                        "some variants last less than {} and some more than {}",
                        clock(*lo),
                        clock(*hi)
                    ),
                    (true, false) => format!(
                        "the shortest variant lasts {}, less than {}",
                        clock(*min_ms),
                        clock(*lo)
                    ),
                    _ => format!(
                        "the longest variant lasts {}, more than {}",
                        clock(*max_ms),
                        clock(*hi)
                    ),
                };
                Diagnostic::error(
                    "E0501",
                    format!(
                        "the guide lasts {} to {}, outside the declared {} to {}",
                        clock(*min_ms),
                        clock(*max_ms),
                        clock(*lo),
                        clock(*hi)
                    ),
                    &file(0),
                    span.clone(),
                    label,
                )
                .with_help(help)
            }
            AnalysisError::DeadContent {
                file: f,
                span,
                what,
            } => {
                let label = match what {
                    Dead::MatchArm { label, arm } => {
                        format!("arm {} of `{label}` never plays", arm + 1)
                    }
                    Dead::Masculine(label) => {
                        format!("the masculine form of `{label}` never shows")
                    }
                    Dead::Feminine(label) => format!("the feminine form of `{label}` never shows"),
                    Dead::NeverTrue(label) => format!("`{label}` is never true"),
                    Dead::NeverFalse(label) => format!("`{label}` is never false"),
                };
                Diagnostic::warning(
                    "W0401",
                    "dead content: no recipient can reach this",
                    &file(*f),
                    span.clone(),
                    label,
                )
                .with_help("no record that fits the schema takes this branch: fix the condition, or remove the content")
            }
            AnalysisError::NarrationTooLong {
                file: f,
                span,
                scene,
                duration_ms,
                needed_ms,
                words,
                wpm,
            } => Diagnostic::warning(
                "W0502",
                format!(
                    "the narration of `{scene}` does not fit in {}",
                    secs(*duration_ms)
                ),
                &file(*f),
                span.clone(),
                format!(
                    "about {words} words take {} at {wpm} words per minute",
                    secs(*needed_ms)
                ),
            )
            .with_help(format!(
                "shorten the narration, or write `duration {}` (or remove `duration` to derive it)",
                secs(needed_ms.div_ceil(500) * 500)
            )),
            AnalysisError::NotificationLength {
                span,
                channel,
                what,
                length,
                limits: (lo, hi),
                too_short,
                variant,
            } => {
                let code = if *what == "subject" { "E0711" } else { "E0712" };
                let (label, help) = if *too_short {
                    (
                        format!("for {variant} the {what} can be {length} characters, fewer than {lo}"),
                        format!("the app IO refuses a {what} shorter than {lo} characters: write more, or move a conditional line out of its condition"),
                    )
                } else {
                    (
                        format!("for {variant} the {what} can reach {length} characters, more than {hi}"),
                        format!("the app IO refuses a {what} longer than {hi} characters: shorten the text, or bound the attributes it writes (`max_length` in schema.ron)"),
                    )
                };
                Diagnostic::error(
                    code,
                    format!("this `{channel}` message's {what} can leave {lo} to {hi} characters"),
                    &file(0),
                    span.clone(),
                    label,
                )
                .with_help(help)
            }
            AnalysisError::SmsSegments {
                span,
                declared,
                segments,
                encoding,
                units,
                variant,
            } => Diagnostic::error(
                "E0713",
                format!(
                    "this SMS can take {segments} segments, more than the {declared} declared"
                ),
                &file(0),
                span.clone(),
                format!("for {variant} the text can reach {units} {encoding} {}", if *encoding == "UCS-2" { "units" } else { "septets" }),
            )
            .with_help(if *encoding == "UCS-2" {
                "one character outside GSM-7 (an accented capital, a curly apostrophe in a name) makes the whole SMS UCS-2: 70 characters, 67 per segment when longer; shorten the text, bound the attributes (`max_length`), or declare more `segments`"
            } else {
                "GSM-7 takes 160 characters, 153 per segment when longer, and `€ ^ { } [ ] ~ | \\` count twice; shorten the text or declare more `segments`"
            }),
            AnalysisError::UnboundedInNotification {
                span,
                channel,
                attribute,
            } => Diagnostic::warning(
                "W0714",
                format!("`{attribute}` has no maximum length, so this `{channel}` message's length is not proven"),
                &file(0),
                span.clone(),
                format!("it writes `{attribute}`"),
            )
            .with_help(format!(
                "bound it in schema.ron: `\"{attribute}\": (type: String, max_length: 40, ...)`"
            )),
            AnalysisError::Internal { message } => Diagnostic::error(
                "E0901",
                format!("internal error: {message}"),
                &file(0),
                0..0,
                "this is a bug in the compiler, not in the campaign",
            )
            .with_help("please report this with the campaign attached"),
        }
    }
}
