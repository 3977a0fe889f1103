//! What evaluation would otherwise compute again for every recipient about the program's
//! static content, computed once when the program is loaded: the number of words of each pool
//! string (for durations derived from the narration), its sentences (the caption cues of a
//! static narration), and the content of the scenes that is the same for every recipient.

use crate::bytecode::{Module, Op, Target};
use crate::format;
use crate::timeline::{PopupRec, TextRef, ARENA};

/// A sentence of a narration: a byte range (trimmed) and its number of words (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sentence {
    pub start: u32,
    pub end: u32,
    pub words: u32,
}

/// Word counts and sentences of every pool string; static scene bodies.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextInfo {
    /// Per pool string: its length, to know a reference covers it whole.
    len: Vec<u32>,
    words: Vec<u32>,
    sentences: Vec<Box<[Sentence]>>,
    /// Per instruction: the static body of the scene it starts, if it starts one.
    bodies: Vec<Option<Box<StaticBody>>>,
}

/// The body of a scene made only of static lines of text and of pop-ups, pop-ups and
/// buttons (no condition, no value of the record): what executing it adds to the timeline,
/// added at once.
#[derive(Debug, Clone, Default)]
pub(crate) struct StaticBody {
    /// The on-screen lines.
    pub texts: Vec<TextRef>,
    /// The pop-ups.
    pub popups: Vec<PopupRec>,
    /// The buttons.
    pub buttons: Vec<u16>,
    /// Bytes of text it adds (as the output limit counts them).
    pub out_bytes: usize,
    /// Words of its on-screen lines (for a duration derived from them).
    pub words: u64,
    /// Instructions of the body (as fuel counts them), `end.scene` excluded.
    pub ops: u64,
    /// The `end.scene` instruction.
    pub end: usize,
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl TextInfo {
    /// Counts the words and cuts the sentences of every string of `m`.
    pub(crate) fn new(m: &Module) -> TextInfo {
        let mut t = TextInfo::default();
        for s in &m.strings {
            t.len.push(len32(s.len()));
            t.words.push(len32(format::words(s)));
            let mut cut = Vec::new();
            crate::vm::sentences(s, |a, b| {
                let w = s.get(a..b).map_or(0, format::words);
                if w > 0 {
                    cut.push(Sentence {
                        start: len32(a),
                        end: len32(b),
                        words: len32(w),
                    });
                }
            });
            t.sentences.push(cut.into_boxed_slice());
        }
        t.bodies = (0..m.code.len()).map(|pc| static_body(m, &t, pc)).collect();
        t
    }

    /// The static body of the scene starting at instruction `pc`, if it has one.
    pub(crate) fn static_body(&self, pc: usize) -> Option<&StaticBody> {
        self.bodies.get(pc).and_then(|b| b.as_deref())
    }

    /// A whole pool string.
    fn pool(&self, s: u32) -> TextRef {
        TextRef {
            src: s,
            start: 0,
            end: self.len.get(s as usize).copied().unwrap_or(0),
        }
    }

    /// Whether `r` is a whole pool string: its index.
    fn whole(&self, r: TextRef) -> Option<usize> {
        let i = r.src as usize;
        (r.src != ARENA && r.start == 0 && self.len.get(i) == Some(&r.end)).then_some(i)
    }

    /// The words of `r` when it is a whole pool string.
    pub(crate) fn static_words(&self, r: TextRef) -> Option<u32> {
        self.whole(r).and_then(|i| self.words.get(i).copied())
    }

    /// The sentences of `r` when it is a whole pool string.
    pub(crate) fn static_sentences(&self, r: TextRef) -> Option<&[Sentence]> {
        self.whole(r)
            .and_then(|i| self.sentences.get(i))
            .map(|b| &b[..])
    }
}

/// The body of the scene started by the instruction at `pc` when it is static: from the
/// `scene` to its `end.scene`, only static lines of text or of a pop-up, pop-ups and buttons.
fn static_body(m: &Module, t: &TextInfo, pc: usize) -> Option<Box<StaticBody>> {
    let Some(Op::Scene(_)) = m.code.get(pc) else {
        return None;
    };
    let mut body = StaticBody::default();
    let mut popup: Option<PopupRec> = None;
    let label = |b: u16| {
        m.buttons
            .get(usize::from(b))
            .and_then(|d| m.strings.get(d.label as usize))
            .map_or(0, String::len)
    };
    for (i, op) in m.code.iter().enumerate().skip(pc + 1) {
        match *op {
            Op::StaticLine { target, text } => {
                let r = t.pool(text);
                body.out_bytes += r.end as usize;
                match (target, popup.as_mut()) {
                    (Target::Text, None) => {
                        body.words += u64::from(t.words.get(text as usize).copied().unwrap_or(0));
                        body.texts.push(r);
                    }
                    (Target::PopupButton, Some(p)) => p.button = r,
                    (Target::PopupTitle, Some(p)) => p.title = r,
                    (Target::PopupBody, Some(p)) => p.body = r,
                    _ => return None,
                }
            }
            Op::Popup(def) if popup.is_none() => {
                popup = Some(PopupRec {
                    def,
                    ..PopupRec::default()
                });
            }
            Op::EndPopup => body.popups.push(popup.take()?),
            Op::Button(b) if popup.is_none() => {
                body.out_bytes += label(b);
                body.buttons.push(b);
            }
            Op::EndScene if popup.is_none() => {
                body.end = i;
                return Some(Box::new(body));
            }
            _ => return None,
        }
        body.ops += 1;
    }
    None
}
