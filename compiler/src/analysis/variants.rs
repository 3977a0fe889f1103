//! Every personalised variant a recipient can receive, each with a witness record.
//!
//! The conditions of a campaign only tell recipients apart through a few representative values per
//! attribute ([`super::domains`]). Running the compiled program on every combination of those
//! values visits every reachable combination of branch outcomes: each distinct decision trace is a
//! variant, and the first record that produced it is its witness. What no combination reaches is
//! dead content. When the combinations are too many to run, the enumeration says so and falls back
//! to coverage-guided witnesses: it keeps trying records that reach outcomes not yet seen, within a
//! fixed budget, so it never hangs.

use super::domains::{self, Domain};
use super::exact::{self, Verdict};
use crate::analysis::error::{AnalysisError, Dead, VariantFacts};
use crate::diagnostic::Diagnostic;
use crate::ir;
use guide_runtime::bytecode::DecisionKind;
use guide_runtime::timeline::Decision;
use guide_runtime::Date;
use guide_runtime::{EvalError, Outcome, Program};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// Above this many combinations the enumeration falls back to coverage-guided witnesses.
pub const MAX_EXHAUSTIVE: u128 = 20_000;
/// Records tried by the coverage-guided fallback.
pub const FALLBACK_BUDGET: usize = 5_000;

/// One personalised variant.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The variant id the runtime reports for it.
    pub id: String,
    /// A name that stays the same when unrelated parts of the storyboard change: a hash of the
    /// decisions taken, by their labels (not their positions in the bytecode).
    pub stable_name: String,
    /// Scene ids, in order (ending included).
    pub scenes: Vec<String>,
    /// Pop-up ids offered.
    pub popups: Vec<String>,
    /// Buttons shown, as service labels.
    pub buttons: Vec<String>,
    /// Total duration.
    pub duration_ms: u64,
    /// The decisions taken, by label and outcome.
    pub decisions: Vec<(String, u16)>,
    /// A recipient record that yields exactly this variant.
    pub witness: Value,
}

impl Variant {
    /// The witness's guide as a readable storyboard, evaluated with `today` at `as_of` (the
    /// report's [`Report::as_of`]); `None` if the witness is not eligible (it always is when
    /// `program` is the one the report was made with). Made on demand: the analyses that only
    /// need the variants' facts (every keystroke in the language server) never pay for the text.
    pub fn storyboard(&self, program: &Program, as_of: Date) -> Result<Option<String>, EvalError> {
        Ok(match program.evaluate_json_at(&self.witness, as_of)? {
            Outcome::Eligible(t) => Some(t.storyboard()),
            Outcome::NotEligible => None,
        })
    }
}

/// What the enumeration found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The variants, in the order they were found.
    pub variants: Vec<Variant>,
    /// Whether every combination of representative values was run.
    pub exhaustive: bool,
    /// The number of combinations of representative values.
    pub combinations: u128,
    /// How many records were evaluated.
    pub evaluated: usize,
    /// A record that is not eligible, if some combination is.
    pub not_eligible: Option<Value>,
    /// Records the runtime refused (should be none: they are built from the schema).
    pub failures: Vec<(Value, String)>,
    /// Decision outcomes never reached: (decision point, outcome).
    pub unreached: Vec<(u16, u16)>,
    /// The domains enumerated.
    pub domains: Vec<Domain>,
    /// What may be said of each decision point's unreached outcomes.
    pub verdicts: Vec<Verdict>,
    /// The reference date (`today`) the records were evaluated at.
    pub as_of: Date,
}

impl Report {
    /// Shortest and longest total duration over the variants.
    pub fn duration_range(&self) -> Option<(u64, u64)> {
        let min = self.variants.iter().map(|v| v.duration_ms).min()?;
        let max = self.variants.iter().map(|v| v.duration_ms).max()?;
        Some((min, max))
    }

    /// A smallest set of variants (greedy set cover) that together play every scene, pop-up,
    /// button and decision outcome that any variant plays: the demo table.
    pub fn minimal(&self) -> Vec<&Variant> {
        let features = |v: &Variant| -> BTreeSet<String> {
            let mut f = BTreeSet::new();
            f.extend(v.scenes.iter().map(|s| format!("scene:{s}")));
            f.extend(v.popups.iter().map(|s| format!("popup:{s}")));
            f.extend(v.buttons.iter().map(|s| format!("button:{s}")));
            f.extend(v.decisions.iter().map(|(l, o)| format!("decision:{l}={o}")));
            f
        };
        let sets: Vec<BTreeSet<String>> = self.variants.iter().map(features).collect();
        let mut uncovered: BTreeSet<String> = sets.iter().flatten().cloned().collect();
        let mut chosen = Vec::new();
        while !uncovered.is_empty() {
            let best = sets
                .iter()
                .enumerate()
                .max_by_key(|(i, s)| (s.intersection(&uncovered).count(), std::cmp::Reverse(*i)));
            let Some((i, s)) = best else { break };
            if s.intersection(&uncovered).count() == 0 {
                break;
            }
            for f in s {
                uncovered.remove(f);
            }
            chosen.push(&self.variants[i]);
        }
        chosen
    }
}

/// Enumerates the variants of a checked campaign compiled to `program`. `bases` are the records
/// witnesses start from (usually the demo recipients), so that attributes no decision reads keep
/// plausible values; for each combination the first base of the same gender is used, so a
/// witness's name agrees with its gender.
pub fn enumerate(c: &ir::Campaign, program: &Program, bases: &[Value]) -> Report {
    enumerate_at(c, program, bases, exact::analysis_date())
}

/// [`enumerate`] with `today` (the reference date of the campaign's conditions) at `as_of`.
pub fn enumerate_at(c: &ir::Campaign, program: &Program, bases: &[Value], as_of: Date) -> Report {
    let domains = domains::domains(c, as_of);
    let complete = |mut base: Value| {
        // Make sure every declared attribute is there (a demo record may omit optional ones).
        if let Value::Object(map) = &mut base {
            for (name, attr) in c.schema.attributes.iter() {
                map.entry(name.to_string())
                    .or_insert_with(|| domains::default_value(&attr.ty));
            }
        }
        base
    };
    let mut bases: Vec<Value> = bases.iter().cloned().map(complete).collect();
    if bases.is_empty() {
        bases.push(complete(domains::base_record(&c.schema)));
    }
    let gender = c.schema.gender.as_ref().map(|g| g.attribute.clone());
    let base_for = |combo: &[(usize, &Value)]| -> Value {
        let wanted = gender.as_ref().and_then(|g| {
            domains
                .iter()
                .zip(combo)
                .find(|(d, _)| d.name == *g)
                .map(|(_, (_, v))| (*v).clone())
        });
        match (&gender, wanted) {
            (Some(g), Some(w)) => bases
                .iter()
                .find(|b| b.get(g) == Some(&w))
                .unwrap_or(&bases[0])
                .clone(),
            _ => bases[0].clone(),
        }
    };
    let base = bases[0].clone();
    let combinations = domains.iter().fold(1u128, |acc, d| {
        acc.saturating_mul(d.values.len().max(1) as u128)
    });
    let mut state = State {
        program,
        as_of,
        c,
        seen: HashMap::new(),
        variants: Vec::new(),
        not_eligible: None,
        failures: Vec::new(),
        reached: BTreeSet::new(),
        evaluated: 0,
    };
    let exhaustive = combinations <= MAX_EXHAUSTIVE;
    if exhaustive {
        let mut digits = vec![0usize; domains.len()];
        loop {
            let combo: Vec<(usize, &Value)> = domains
                .iter()
                .zip(&digits)
                .filter_map(|(d, &i)| d.values.get(i).map(|v| (i, v)))
                .collect();
            let mut rec = base_for(&combo);
            for (d, &i) in domains.iter().zip(&digits) {
                if let Some(v) = d.values.get(i) {
                    domains::set_path(&mut rec, &c.schema.attributes, &d.path, v.clone());
                }
            }
            state.run(rec);
            // Next combination (mixed radix); done when it wraps around.
            let mut k = 0;
            loop {
                if k == digits.len() {
                    return state.finish(true, combinations, domains);
                }
                digits[k] += 1;
                if digits[k] < domains[k].values.len() {
                    break;
                }
                digits[k] = 0;
                k += 1;
            }
        }
    }
    // Coverage-guided: each value alone on the base, then random combinations that keep the
    // records reaching something new.
    state.run(base.clone());
    for d in &domains {
        for v in &d.values {
            let mut rec = base.clone();
            domains::set_path(&mut rec, &c.schema.attributes, &d.path, v.clone());
            state.run(rec);
        }
    }
    let mut rng = SplitMix(0x5eed_2024_0229);
    let mut pool: Vec<Value> = vec![base];
    while state.evaluated < FALLBACK_BUDGET {
        let parent = pool[(rng.next() as usize) % pool.len()].clone();
        let mut rec = parent;
        for d in &domains {
            if rng.next().is_multiple_of(3) && !d.values.is_empty() {
                let v = d.values[(rng.next() as usize) % d.values.len()].clone();
                domains::set_path(&mut rec, &c.schema.attributes, &d.path, v);
            }
        }
        if state.run(rec.clone()) {
            pool.push(rec);
        }
    }
    state.finish(false, combinations, domains)
}

struct State<'a> {
    program: &'a Program,
    as_of: Date,
    c: &'a ir::Campaign,
    seen: HashMap<Vec<Decision>, usize>,
    variants: Vec<Variant>,
    not_eligible: Option<Value>,
    failures: Vec<(Value, String)>,
    reached: BTreeSet<(u16, u16)>,
    evaluated: usize,
}

impl State<'_> {
    /// Evaluates one record; true when it reached a decision outcome not seen before.
    fn run(&mut self, rec: Value) -> bool {
        self.evaluated += 1;
        match self.program.evaluate_json_at(&rec, self.as_of) {
            Ok(Outcome::Eligible(t)) => {
                let trace = t.decisions().to_vec();
                let before = self.reached.len();
                self.reached
                    .extend(trace.iter().map(|d| (d.point, d.outcome)));
                let new_outcome = self.reached.len() > before;
                if self.seen.contains_key(&trace) {
                    return new_outcome;
                }
                let decisions: Vec<(String, u16)> = trace
                    .iter()
                    .map(|d| (self.program.decision_label(d.point).to_string(), d.outcome))
                    .collect();
                let mut scenes = Vec::new();
                let mut popups = Vec::new();
                let mut buttons = Vec::new();
                for s in t.all_scenes() {
                    scenes.push(s.id().to_string());
                    popups.extend(s.popups().map(|p| p.id.to_string()));
                    buttons.extend(s.buttons().map(|b| b.label.to_string()));
                }
                self.seen.insert(trace, self.variants.len());
                self.variants.push(Variant {
                    id: t.variant().to_string(),
                    stable_name: stable_name(&decisions),
                    scenes,
                    popups,
                    buttons,
                    duration_ms: t.duration_ms(),
                    decisions,
                    witness: rec,
                });
                true
            }
            Ok(Outcome::NotEligible) => {
                if self.not_eligible.is_none() {
                    self.not_eligible = Some(rec);
                    return true;
                }
                false
            }
            Err(e) => {
                if self.failures.len() < 10 {
                    self.failures.push((rec, e.to_string()));
                }
                false
            }
        }
    }

    fn finish(self, exhaustive: bool, combinations: u128, domains: Vec<Domain>) -> Report {
        let mut unreached = Vec::new();
        for (i, p) in self.program.decision_points().iter().enumerate() {
            let point = i as u16;
            let outcomes: Vec<u16> = match p.kind {
                DecisionKind::ForEach => continue,
                // "Neither" is only for values outside the gender declaration.
                DecisionKind::Gender => vec![0, 1],
                _ => (0..p.outcomes).collect(),
            };
            for o in outcomes {
                if !self.reached.contains(&(point, o)) {
                    unreached.push((point, o));
                }
            }
        }
        Report {
            verdicts: crate::codegen::verdicts(self.c),
            as_of: self.as_of,
            variants: self.variants,
            exhaustive,
            combinations,
            evaluated: self.evaluated,
            not_eligible: self.not_eligible,
            failures: self.failures,
            unreached,
            domains,
        }
    }
}

/// FNV-1a over the decisions' labels and outcomes, sorted: 12 hex digits.
fn stable_name(decisions: &[(String, u16)]) -> String {
    let mut items: Vec<String> = decisions.iter().map(|(l, o)| format!("{l}={o}")).collect();
    items.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for it in &items {
        for b in it.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:012x}", h >> 16)
}

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// [`problems`], rendered (see [`crate::report`]).
pub fn diagnostics(c: &ir::Campaign, program: &Program, report: &Report) -> Vec<Diagnostic> {
    problems(c, program, report)
        .iter()
        .map(|p| p.to_diagnostic(&c.files))
        .collect()
}

/// Warnings for content no recipient can reach (only meaningful after an exhaustive run), and the
/// duration check against the declared `length`.
pub fn problems(c: &ir::Campaign, program: &Program, report: &Report) -> Vec<AnalysisError> {
    let mut out = Vec::new();
    let module = program.module();
    if report.exhaustive {
        for &(point, outcome) in &report.unreached {
            let Some(p) = program.decision_points().get(usize::from(point)) else {
                continue;
            };
            let Some(span) = module.spans.get(p.span as usize) else {
                continue;
            };
            // Say "never" only where it is certain (see `exact`).
            let certain = report
                .verdicts
                .get(usize::from(point))
                .is_some_and(|v| v.dead(outcome));
            if !certain {
                continue;
            }
            let label = program.decision_label(point).to_string();
            let what = match (p.kind, outcome) {
                (DecisionKind::Match, o) => Dead::MatchArm {
                    label,
                    arm: usize::from(o),
                },
                (DecisionKind::Gender, 0) => Dead::Masculine(label),
                (DecisionKind::Gender, _) => Dead::Feminine(label),
                (_, 1) => Dead::NeverTrue(label),
                (_, _) => Dead::NeverFalse(label),
            };
            out.push(AnalysisError::DeadContent {
                file: usize::from(span.file),
                span: span.start as usize..span.end as usize,
                what,
            });
        }
    }
    if let (Some((lo, hi)), Some((min, max))) = (c.length, report.duration_range()) {
        if min < lo || max > hi {
            let facts = |v: &Variant| VariantFacts {
                id: v.id.clone(),
                scenes: v.scenes.clone(),
            };
            let shortest = report.variants.iter().min_by_key(|v| v.duration_ms);
            let longest = report.variants.iter().max_by_key(|v| v.duration_ms);
            out.push(AnalysisError::LengthMismatch {
                span: c.length_span.clone().unwrap_or(0..0),
                min_ms: min,
                max_ms: max,
                declared_ms: (lo, hi),
                too_short: shortest.filter(|_| min < lo).map(facts),
                too_long: longest.filter(|_| max > hi).map(facts),
            });
        }
    }
    out
}

/// `3m30s`-style rendering of milliseconds.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    let tenths = (ms % 1000) / 100;
    let (m, s) = (s / 60, s % 60);
    match (m, tenths) {
        (0, 0) => format!("{s}s"),
        (0, t) => format!("{s}.{t}s"),
        (m, 0) if s == 0 => format!("{m}m"),
        (m, 0) => format!("{m}m{s}s"),
        (m, t) => format!("{m}m{s}.{t}s"),
    }
}
