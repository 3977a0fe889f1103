//! One recipient's timeline: what a player needs to show their guide.
//!
//! A [`Timeline`] borrows its static texts from the [`Program`] and keeps the texts built for
//! this recipient in one string arena, so producing it copies no static text. Read it through
//! views ([`Timeline::scenes`], [`Timeline::ending`]) or serialise it (serde) to this JSON shape,
//! keys in this order:
//!
//! ```json
//! {
//!   "campaign": "naspi", "title": "La tua NASpI", "variant": "v-0123456789abcdef",
//!   "available": {"from": "2024-03-15", "until": "2024-09-15"},
//!   "duration_ms": 42000,
//!   "scenes": [
//!     {"id": "intro", "start_ms": 0, "duration_ms": 4000, "visual": "intro.png",
//!      "visual_alt": "Un'operatrice INPS saluta",
//!      "texts": ["Benvenuta Giulia"], "narration": "Benvenuta Giulia.",
//!      "popups": [{"id": "calcolo", "button": "Come viene calcolato", "title": "...", "body": "..."}],
//!      "buttons": [{"label": "Accedi a MyINPS", "url": "https://www.inps.it/..."}],
//!      "captions": [{"start_ms": 0, "end_ms": 4000, "text": "Benvenuta Giulia."}]}
//!   ],
//!   "ending": {"id": "ending", "...": "as a scene", "rating": {"question": "...", "min": 1, "max": 5}}
//! }
//! ```
//!
//! The ending is not repeated in `scenes`: it is the `ending` object, which starts when the last
//! scene ends (`duration_ms` includes it). [`Timeline::all_scenes`] iterates over the scenes and
//! then the ending, for a player that wants one list. `visual` is absent when the scene has none;
//! `visual_alt` (the picture's alternative text) when it has none or the picture is decorative;
//! `available.from`/`until` are `null` when unbounded; `rating` is absent when the ending has no
//! rating question.

use crate::checksum;
use crate::date::Date;
use crate::Program;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use std::fmt;

/// "The text is in the arena" in [`TextRef::src`].
pub(crate) const ARENA: u32 = u32::MAX;

/// A text: a byte range in a pool string (`src` its index) or in the arena (`src` = [`ARENA`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct TextRef {
    pub src: u32,
    pub start: u32,
    pub end: u32,
}

/// The text `t` refers to, in the program's pool or in `arena`.
pub(crate) fn text_in<'a>(program: &'a Program, arena: &'a str, t: TextRef) -> &'a str {
    let s = if t.src == ARENA {
        arena
    } else {
        program.str(t.src)
    };
    s.get(t.start as usize..t.end as usize).unwrap_or("")
}

/// A scene as recorded by the machine.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SceneRec {
    pub def: u16,
    pub start_ms: u64,
    pub duration_ms: u64,
    pub texts: (u32, u32),
    pub narration: TextRef,
    pub popups: (u32, u32),
    pub buttons: (u32, u32),
    pub captions: (u32, u32),
    /// For a scene whose content is the same for every recipient: the instruction that starts
    /// it, whose [`crate::prepared::StaticBody`] holds its texts, pop-ups and buttons (the
    /// three ranges above are then empty and unused). Recording a static scene copies nothing.
    pub body: Option<u32>,
}

/// A pop-up as recorded by the machine.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PopupRec {
    pub def: u16,
    pub button: TextRef,
    pub title: TextRef,
    pub body: TextRef,
}

/// A caption cue as recorded by the machine.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CaptionRec {
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: TextRef,
}

/// A value formatted into a text of the timeline, as recorded by the machine: its byte range
/// in the arena.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ValueRec {
    pub start: u32,
    pub end: u32,
    pub value: FormattedValue,
}

/// A value that a text template formatted into a text (`{importo}`, `{data}`), with what it
/// is, so that a speech synthesiser can be told how to read it ([`SceneView::narration_parts`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FormattedValue {
    /// An amount of money, in cents (written `€ 1.234,56`).
    Money(i64),
    /// A date (written in words or `dd/mm/yyyy`).
    Date(Date),
    /// An integer (written `1.234`).
    Int(i64),
    /// A number and the word agreeing with it (written `20 settimane`): the number.
    Count(i64),
    /// A decimal number (written `0,75`).
    Decimal(f64),
}

/// A piece of a text: literal text, or a value formatted into it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TextPart<'t> {
    /// Text as written in the storyboard (or a string or enum value of the record).
    Text(&'t str),
    /// A formatted value: the text written and the value it stands for.
    Value(&'t str, FormattedValue),
}

/// One decision taken while evaluating: which decision point, and its outcome (see
/// [`crate::bytecode::DecisionKind`] for what outcomes mean).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Decision {
    /// Index into [`Program::decision_points`].
    pub point: u16,
    /// The outcome.
    pub outcome: u16,
}

/// Which variant of the guide a recipient sees: FNV-1a 64 over the decision trace (each
/// decision as its point and outcome, two little-endian `u16`s). Recipients for whom the same
/// decisions were taken share it. Written `v-` and 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VariantId(pub u64);

impl VariantId {
    /// The variant of a decision trace.
    pub fn of(trace: &[Decision]) -> VariantId {
        let mut h = checksum::FNV_OFFSET;
        for d in trace {
            h = checksum::fnv1a64_extend(h, &d.point.to_le_bytes());
            h = checksum::fnv1a64_extend(h, &d.outcome.to_le_bytes());
        }
        VariantId(h)
    }
}

impl fmt::Display for VariantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v-{:016x}", self.0)
    }
}

impl Serialize for VariantId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The availability window, resolved to dates (`None`: unbounded on that side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Window {
    /// The first day the guide can be watched.
    pub from: Option<Date>,
    /// The last day the guide can be watched.
    pub until: Option<Date>,
}

/// One recipient's personalised guide. See the [module documentation](self) for its JSON form.
#[derive(Debug, Clone)]
pub struct Timeline<'p> {
    pub(crate) program: &'p Program,
    pub(crate) arena: String,
    /// Whether no text in the arena needs JSON escaping (kept true only where that is known
    /// cheaply: by fused lines; anything else that writes to the arena clears it).
    pub(crate) arena_clean: bool,
    pub(crate) texts: Vec<TextRef>,
    pub(crate) scenes: Vec<SceneRec>,
    pub(crate) popups: Vec<PopupRec>,
    pub(crate) buttons: Vec<u16>,
    pub(crate) captions: Vec<CaptionRec>,
    pub(crate) decisions: Vec<Decision>,
    pub(crate) values: Vec<ValueRec>,
    pub(crate) available: Window,
    pub(crate) duration_ms: u64,
    pub(crate) rating: Option<TextRef>,
    pub(crate) variant: VariantId,
}

impl<'p> Timeline<'p> {
    pub(crate) fn new(program: &'p Program) -> Timeline<'p> {
        Timeline {
            program,
            arena: String::new(),
            arena_clean: true,
            texts: Vec::new(),
            scenes: Vec::new(),
            popups: Vec::new(),
            buttons: Vec::new(),
            captions: Vec::new(),
            decisions: Vec::new(),
            values: Vec::new(),
            available: Window::default(),
            duration_ms: 0,
            rating: None,
            variant: VariantId(0),
        }
    }

    /// Empties the timeline, keeping its buffers.
    pub(crate) fn clear(&mut self) {
        self.arena.clear();
        self.arena_clean = true;
        self.texts.clear();
        self.scenes.clear();
        self.popups.clear();
        self.buttons.clear();
        self.captions.clear();
        self.decisions.clear();
        self.values.clear();
        self.available = Window::default();
        self.duration_ms = 0;
        self.rating = None;
        self.variant = VariantId(0);
    }

    /// The on-screen lines, pop-ups and buttons of a recorded scene: its static body's when it
    /// was recorded from one ([`SceneRec::body`]), else its ranges of the timeline's buffers.
    pub(crate) fn parts(&self, rec: &SceneRec) -> (&[TextRef], &[PopupRec], &[u16]) {
        match rec
            .body
            .and_then(|pc| self.program.text.static_body(pc as usize))
        {
            Some(b) => (&b.texts, &b.popups, &b.buttons),
            None => (
                slice(&self.texts, rec.texts),
                slice(&self.popups, rec.popups),
                slice(&self.buttons, rec.buttons),
            ),
        }
    }

    pub(crate) fn text(&self, t: TextRef) -> &str {
        text_in(self.program, &self.arena, t)
    }

    /// The program this timeline comes from.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// The campaign id.
    pub fn campaign(&self) -> &'p str {
        self.program.metadata().id
    }

    /// The campaign title.
    pub fn title(&self) -> &'p str {
        self.program.metadata().title
    }

    /// The variant: the same for every recipient for whom the same decisions were taken.
    pub fn variant(&self) -> VariantId {
        self.variant
    }

    /// The decisions taken, in order (the trace the variant id hashes).
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// When the guide can be watched.
    pub fn available(&self) -> Window {
        self.available
    }

    /// Total duration in ms, the ending included.
    pub fn duration_ms(&self) -> u64 {
        self.duration_ms
    }

    /// The scenes in order, the ending excluded.
    pub fn scenes(&self) -> impl ExactSizeIterator<Item = SceneView<'_>> + '_ {
        let n = self.scenes.len().saturating_sub(1);
        self.scenes
            .get(..n)
            .unwrap_or(&[])
            .iter()
            .map(move |rec| SceneView { t: self, rec })
    }

    /// The scenes in order, then the ending.
    pub fn all_scenes(&self) -> impl ExactSizeIterator<Item = SceneView<'_>> + '_ {
        self.scenes
            .iter()
            .map(move |rec| SceneView { t: self, rec })
    }

    /// The ending (always present in a timeline produced by evaluation).
    pub fn ending(&self) -> Option<SceneView<'_>> {
        self.scenes.last().map(|rec| SceneView { t: self, rec })
    }

    /// The rating question, when the ending has one.
    pub fn rating(&self) -> Option<Rating<'_>> {
        let q = self.rating?;
        let end = self.scenes.last()?;
        let (min, max) = self.program.m.scenes.get(usize::from(end.def))?.rating?;
        Some(Rating {
            question: self.text(q),
            min,
            max,
        })
    }

    /// A readable storyboard: scene by scene, with times, texts, narration, pop-ups, buttons
    /// and the rating.
    pub fn storyboard(&self) -> String {
        let mut out = String::new();
        self.write_storyboard(&mut out);
        out
    }

    fn write_storyboard(&self, out: &mut String) {
        use fmt::Write as _;
        let _ = writeln!(out, "{} ({})", self.title(), self.campaign());
        let _ = writeln!(out, "variant   {}", self.variant);
        let w = self.available;
        let day = |d: Option<Date>| d.map_or_else(|| "-".to_string(), |d| d.to_string());
        if w.from.is_some() || w.until.is_some() {
            let _ = writeln!(out, "available {} to {}", day(w.from), day(w.until));
        } else {
            let _ = writeln!(out, "available always");
        }
        let _ = writeln!(out, "duration  {}", clock(self.duration_ms));
        for s in self.all_scenes() {
            let _ = write!(
                out,
                "\n[{} - {}] {}",
                clock(s.start_ms()),
                clock(s.end_ms()),
                s.id()
            );
            if let Some(v) = s.visual() {
                let _ = write!(out, "  (visual {v})");
            }
            out.push('\n');
            for t in s.texts() {
                let _ = writeln!(out, "  text    {t}");
            }
            if !s.narration().is_empty() {
                let _ = writeln!(out, "  say     {}", s.narration());
            }
            for p in s.popups() {
                let _ = writeln!(out, "  popup   [{}] {}: {}", p.button, p.title, p.body);
            }
            for b in s.buttons() {
                let _ = writeln!(out, "  button  {} -> {}", b.label, b.url);
            }
            if s.is_ending() {
                if let Some(r) = self.rating() {
                    let _ = writeln!(out, "  rating  {} ({} to {})", r.question, r.min, r.max);
                }
            }
        }
    }
}

/// `m:ss.d` for a time in ms.
fn clock(ms: u64) -> String {
    format!(
        "{}:{:02}.{}",
        ms / 60_000,
        (ms / 1000) % 60,
        (ms % 1000) / 100
    )
}

/// A scene of a [`Timeline`].
#[derive(Debug, Clone, Copy)]
pub struct SceneView<'t> {
    t: &'t Timeline<'t>,
    rec: &'t SceneRec,
}

impl<'t> SceneView<'t> {
    fn def(&self) -> Option<&'t crate::bytecode::SceneDef> {
        self.t.program.m.scenes.get(usize::from(self.rec.def))
    }

    /// The scene's stable id (`ending` for the ending).
    pub fn id(&self) -> &'t str {
        self.def().map_or("", |d| self.t.program.str(d.id))
    }

    /// Whether this is the ending.
    pub fn is_ending(&self) -> bool {
        usize::from(self.rec.def) + 1 == self.t.program.m.scenes.len()
    }

    /// Start, in ms from the beginning of the guide.
    pub fn start_ms(&self) -> u64 {
        self.rec.start_ms
    }

    /// Duration in ms.
    pub fn duration_ms(&self) -> u64 {
        self.rec.duration_ms
    }

    /// End, in ms from the beginning of the guide.
    pub fn end_ms(&self) -> u64 {
        self.rec.start_ms.saturating_add(self.rec.duration_ms)
    }

    /// The asset reference, if any.
    pub fn visual(&self) -> Option<&'t str> {
        let d = self.def()?;
        (d.visual != crate::bytecode::NO_STRING).then(|| self.t.program.str(d.visual))
    }

    /// The visual's alternative text; `None` when the visual is decorative (or absent).
    pub fn visual_alt(&self) -> Option<&'t str> {
        let d = self.def()?;
        (d.alt != crate::bytecode::NO_STRING).then(|| self.t.program.str(d.alt))
    }

    /// The on-screen lines, in order.
    pub fn texts(&self) -> impl ExactSizeIterator<Item = &'t str> + 't {
        let t = self.t;
        t.parts(self.rec).0.iter().map(move |&r| t.text(r))
    }

    /// The narration (the scene's `say` lines joined by a space; empty when none).
    pub fn narration(&self) -> &'t str {
        self.t.text(self.rec.narration)
    }

    /// The narration cut into literal text and the values formatted into it (amounts, dates,
    /// numbers), in order: joined, the parts' texts are [`SceneView::narration`]. A speech
    /// synthesiser can be told how to read each value (see `guide render --format ssml`).
    pub fn narration_parts(&self) -> impl Iterator<Item = TextPart<'t>> + 't {
        let t = self.t;
        let n = self.rec.narration;
        let text = t.text(n);
        let values: &'t [ValueRec] = if n.src == ARENA {
            let first = t.values.partition_point(|v| v.start < n.start);
            let rest = t.values.get(first..).unwrap_or(&[]);
            let count = rest.iter().take_while(|v| v.end <= n.end).count();
            rest.get(..count).unwrap_or(&[])
        } else {
            &[]
        };
        let mut at = 0usize;
        let mut vals = values.iter();
        let mut pending: Option<TextPart<'t>> = None;
        std::iter::from_fn(move || {
            if let Some(p) = pending.take() {
                return Some(p);
            }
            match vals.next() {
                Some(v) => {
                    let s = (v.start - n.start) as usize;
                    let e = (v.end - n.start) as usize;
                    let value = TextPart::Value(text.get(s..e).unwrap_or(""), v.value);
                    let before = text.get(at..s).unwrap_or("");
                    at = e;
                    if before.is_empty() {
                        Some(value)
                    } else {
                        pending = Some(value);
                        Some(TextPart::Text(before))
                    }
                }
                None => {
                    let rest = text.get(at..).unwrap_or("");
                    at = text.len();
                    (!rest.is_empty()).then_some(TextPart::Text(rest))
                }
            }
        })
    }

    /// The pop-ups offered.
    pub fn popups(&self) -> impl ExactSizeIterator<Item = Popup<'t>> + 't {
        let t = self.t;
        t.parts(self.rec).1.iter().map(move |p| Popup {
            id: t
                .program
                .m
                .popups
                .get(usize::from(p.def))
                .map_or("", |d| t.program.str(d.id)),
            button: t.text(p.button),
            title: t.text(p.title),
            body: t.text(p.body),
        })
    }

    /// The buttons shown.
    pub fn buttons(&self) -> impl ExactSizeIterator<Item = Button<'t>> + 't {
        let t = self.t;
        let m = &t.program.m;
        t.parts(self.rec).2.iter().map(move |&b| {
            let def = m.buttons.get(usize::from(b));
            let svc = def.and_then(|d| m.services.get(usize::from(d.service)));
            Button {
                service: svc.map_or("", |s| t.program.str(s.id)),
                label: def.map_or("", |d| t.program.str(d.label)),
                url: svc.map_or("", |s| t.program.str(s.url)),
            }
        })
    }

    /// The caption cues of the narration.
    pub fn captions(&self) -> impl ExactSizeIterator<Item = Caption<'t>> + 't {
        let t = self.t;
        slice(&t.captions, self.rec.captions)
            .iter()
            .map(move |c| Caption {
                start_ms: c.start_ms,
                end_ms: c.end_ms,
                text: t.text(c.text),
            })
    }
}

pub(crate) fn slice<T>(v: &[T], (a, b): (u32, u32)) -> &[T] {
    v.get(a as usize..b as usize).unwrap_or(&[])
}

/// A pop-up of a scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Popup<'t> {
    /// Stable id.
    pub id: &'t str,
    /// The label of the button that opens it.
    pub button: &'t str,
    /// Title.
    pub title: &'t str,
    /// Body.
    pub body: &'t str,
}

/// A button to an online service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Button<'t> {
    /// The service's stable id.
    pub service: &'t str,
    /// The label shown.
    pub label: &'t str,
    /// The address.
    pub url: &'t str,
}

impl Serialize for Button<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Button", 2)?;
        st.serialize_field("label", self.label)?;
        st.serialize_field("url", self.url)?;
        st.end()
    }
}

/// A caption cue: a sentence of the narration with its times (ms from the beginning of the
/// guide), proportional to its number of words within the scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Caption<'t> {
    /// When it appears.
    pub start_ms: u64,
    /// When it disappears.
    pub end_ms: u64,
    /// The sentence.
    pub text: &'t str,
}

/// The closing rating question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rating<'t> {
    /// The question.
    pub question: &'t str,
    /// Scale start.
    pub min: u8,
    /// Scale end.
    pub max: u8,
}

/// Serialises an iterator as a sequence.
struct Seq<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Seq<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        if let Some(it) = self.0.take() {
            for x in it {
                seq.serialize_element(&x)?;
            }
        }
        seq.end()
    }
}

fn seq<I>(it: I) -> Seq<I> {
    Seq(std::cell::Cell::new(Some(it)))
}

impl Serialize for SceneView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", self.id())?;
        m.serialize_entry("start_ms", &self.start_ms())?;
        m.serialize_entry("duration_ms", &self.duration_ms())?;
        if let Some(v) = self.visual() {
            m.serialize_entry("visual", v)?;
        }
        if let Some(a) = self.visual_alt() {
            m.serialize_entry("visual_alt", a)?;
        }
        m.serialize_entry("texts", &seq(self.texts()))?;
        m.serialize_entry("narration", self.narration())?;
        m.serialize_entry("popups", &seq(self.popups()))?;
        m.serialize_entry("buttons", &seq(self.buttons()))?;
        m.serialize_entry("captions", &seq(self.captions()))?;
        if self.is_ending() {
            if let Some(r) = self.t.rating() {
                m.serialize_entry("rating", &r)?;
            }
        }
        m.end()
    }
}

impl Serialize for Timeline<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("campaign", self.campaign())?;
        m.serialize_entry("title", self.title())?;
        m.serialize_entry("variant", &self.variant)?;
        m.serialize_entry("available", &self.available)?;
        m.serialize_entry("duration_ms", &self.duration_ms)?;
        m.serialize_entry("scenes", &seq(self.scenes()))?;
        m.serialize_entry("ending", &self.ending())?;
        m.end()
    }
}

#[cfg(feature = "json")]
impl Timeline<'_> {
    /// The timeline as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The timeline as indented JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
