//! Static timing checks: narration that cannot be spoken in its scene's declared duration.
//!
//! The total duration range of a campaign depends on which scenes play together, so it is computed
//! over the enumerated variants (see `variants`); what can be said of one scene alone is said here.

use crate::analysis::error::AnalysisError;
use crate::ir::{self, Format, Node, Part, Ty};

/// Estimated number of spoken words a template produces (holes by the kind of value they hold).
pub fn template_words(t: &ir::Template) -> usize {
    t.parts
        .iter()
        .map(|p| match p {
            Part::Text(s) => guide_runtime::format::words(s),
            Part::Gender {
                masculine,
                feminine,
            } => {
                guide_runtime::format::words(masculine).max(guide_runtime::format::words(feminine))
            }
            Part::Value(e, fmt) => match fmt {
                Format::Date => 3,
                Format::Count(..) => 2,
                Format::Str | Format::Upper | Format::Lower | Format::Capitalize => {
                    if matches!(e.ty, Ty::Enum(_)) {
                        1
                    } else {
                        2
                    }
                }
                _ => 1,
            },
        })
        .sum()
}

/// Milliseconds needed to speak `words` at `wpm`.
pub fn speaking_ms(words: usize, wpm: u32) -> u64 {
    (words as u64 * 60_000).div_ceil(u64::from(wpm.max(1)))
}

/// W0502 for every scene whose explicit duration is shorter than its longest narration.
pub fn narration_warnings(c: &ir::Campaign) -> Vec<AnalysisError> {
    let mut out = Vec::new();
    let mut visit = |s: &ir::Scene| {
        let Some(duration) = s.duration_ms else {
            return;
        };
        if s.says.is_empty() {
            return;
        }
        let words: usize = s.says.iter().map(|l| template_words(&l.template)).sum();
        let needed = speaking_ms(words, c.rate_wpm);
        if needed > duration {
            out.push(AnalysisError::NarrationTooLong {
                file: s.file,
                span: s.span.clone(),
                scene: s.id.clone(),
                duration_ms: duration,
                needed_ms: needed,
                words,
                wpm: c.rate_wpm,
            });
        }
    };
    walk(&c.story, &mut visit);
    visit(&c.ending);
    out
}

/// Calls `f` on every scene of a storyboard, in order.
pub fn walk(nodes: &[Node], f: &mut impl FnMut(&ir::Scene)) {
    for n in nodes {
        match n {
            Node::Scene(s) => f(s),
            Node::If {
                arms, otherwise, ..
            } => {
                for (_, body) in arms {
                    walk(body, f);
                }
                walk(otherwise, f);
            }
            Node::Match {
                arms, otherwise, ..
            } => {
                for (_, body) in arms {
                    walk(body, f);
                }
                walk(otherwise, f);
            }
        }
    }
}
