//! What a recipient sees, as lines that can be compared, and the changes between two versions,
//! grouped so that one edit that reaches many variants or recipients reads as one change.

use guide_runtime::{Evaluator, Limits, Outcome, Program, Timeline};
use serde_json::Value;
use std::collections::BTreeMap;

/// The storyboard a recipient sees, one line per text, narration, pop-up and button; each scene
/// starts with `scene ID` and says its duration (no clock times: a longer first scene would
/// otherwise change every later line).
pub fn board(t: &Timeline<'_>) -> Vec<String> {
    let mut out = vec![format!("title    {}", t.title())];
    let w = t.available();
    if w.from.is_some() || w.until.is_some() {
        let day = |d: Option<guide_runtime::Date>| d.map_or_else(|| "-".into(), |d| d.to_string());
        out.push(format!("available {} to {}", day(w.from), day(w.until)));
    }
    for s in t.all_scenes() {
        match s.visual() {
            Some(v) => out.push(format!("scene {}  (visual {v})", s.id())),
            None => out.push(format!("scene {}", s.id())),
        }
        out.push(format!("  duration {}", seconds(s.duration_ms())));
        for text in s.texts() {
            out.push(format!("  text     {text}"));
        }
        if !s.narration().is_empty() {
            out.push(format!("  say      {}", s.narration()));
        }
        for p in s.popups() {
            out.push(format!("  popup    [{}] {}: {}", p.button, p.title, p.body));
        }
        for b in s.buttons() {
            out.push(format!("  button   {} -> {}", b.label, b.url));
        }
        if s.is_ending() {
            if let Some(r) = t.rating() {
                out.push(format!(
                    "  rating   {} ({} to {})",
                    r.question, r.min, r.max
                ));
            }
        }
    }
    out
}

/// `12.5s`.
fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{}.{:03}s", ms / 1000, ms % 1000)
            .trim_end_matches('0')
            .to_string()
    }
}

/// What one version shows one recipient: the storyboard, or why there is none; and the id of
/// the variant it is.
pub fn seen(eval: &mut Evaluator<'_>, record: &Value) -> (Vec<String>, Option<String>) {
    match eval.evaluate_json(record) {
        Ok(Outcome::Eligible(t)) => (board(t), Some(t.variant().to_string())),
        Ok(Outcome::NotEligible) => (vec!["(not eligible: no guide)".to_string()], None),
        Err(e) => (vec![format!("(record refused: {e})")], None),
    }
}

/// An evaluator with the default limits.
pub fn evaluator(program: &Program) -> Evaluator<'_> {
    Evaluator::new(program, Limits::default())
}

/// One change: lines removed and added at one place (the scene it is in).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// The scene the change is in (`scene ID` line), or empty before the first scene.
    pub scene: String,
    /// Lines of the old storyboard that are gone.
    pub removed: Vec<String>,
    /// Lines of the new storyboard that are new.
    pub added: Vec<String>,
}

/// The changes from `old` to `new`: runs of differing lines, each with its scene.
pub fn changes(old: &[String], new: &[String]) -> Vec<Change> {
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, old, new);
    let mut out: Vec<Change> = Vec::new();
    let mut open = false;
    for op in ops {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            open = false;
            continue;
        }
        if !open {
            // A change that starts with a whole scene is about that scene, wherever it stands.
            let whole = old[o.clone()]
                .iter()
                .chain(&new[n.clone()])
                .next()
                .is_some_and(|l| l.starts_with("scene "));
            let scene = old[..o.start]
                .iter()
                .rev()
                .find(|l| l.starts_with("scene "))
                .or_else(|| {
                    new[..n.start]
                        .iter()
                        .rev()
                        .find(|l| l.starts_with("scene "))
                })
                .filter(|_| !whole)
                .map(|l| l.split("  ").next().unwrap_or(l).to_string())
                .unwrap_or_default();
            out.push(Change {
                scene,
                removed: Vec::new(),
                added: Vec::new(),
            });
            open = true;
        }
        if let Some(c) = out.last_mut() {
            c.removed
                .extend(old[o].iter().map(|l| l.trim_start().to_string()));
            c.added
                .extend(new[n].iter().map(|l| l.trim_start().to_string()));
        }
    }
    out
}

/// Changes, each with the variants and the number of recipients it reaches, in first-seen order.
#[derive(Debug, Default)]
pub struct Grouped {
    order: Vec<Change>,
    index: BTreeMap<Change, usize>,
    /// For each change (same order): the variants it reaches.
    pub variants: Vec<Vec<String>>,
    /// For each change (same order): how many recipients of `--data` it reaches.
    pub recipients: Vec<u64>,
}

impl Grouped {
    fn slot(&mut self, c: &Change) -> usize {
        if let Some(&i) = self.index.get(c) {
            return i;
        }
        let i = self.order.len();
        self.order.push(c.clone());
        self.index.insert(c.clone(), i);
        self.variants.push(Vec::new());
        self.recipients.push(0);
        i
    }

    /// Records that `variant` shows `changes`.
    pub fn add_variant(&mut self, variant: &str, changes: &[Change]) {
        for c in changes {
            let i = self.slot(c);
            self.variants[i].push(variant.to_string());
        }
    }

    /// Records that one recipient's guide shows `changes`.
    pub fn add_recipient(&mut self, changes: &[Change]) {
        for c in changes {
            let i = self.slot(c);
            self.recipients[i] += 1;
        }
    }

    /// The changes, in first-seen order.
    pub fn changes(&self) -> &[Change] {
        &self.order
    }
}
