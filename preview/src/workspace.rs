//! The campaigns under the preview's folder, each compiled, with its last good build.
//!
//! [`Workspace::refresh`] finds the campaign folders (walkdir), reads each campaign (its files,
//! imports, schema and demo recipients), and recompiles the ones whose inputs changed. A campaign
//! whose source now has errors keeps its last good build, so the page can go on playing it under
//! the diagnostics.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use guide_compiler::diagnostic::Diagnostic;
use guide_compiler::{check, ir, project};
use serde_json::Value as Json;

use super::engine::{Engine, Outcome};

/// Folders never searched for campaigns.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target", "demo"];
/// How deep under the root campaigns are searched.
const MAX_DEPTH: usize = 6;
/// Demo recipient files larger than this are ignored.
const MAX_DEMO_BYTES: u64 = 1024 * 1024;

/// One demo recipient (`demo/NAME.json`).
#[derive(Debug, Clone)]
pub struct Demo {
    /// The file name without `.json`.
    pub name: String,
    /// The record.
    pub record: Json,
}

/// A successful build of a campaign.
#[derive(Debug)]
pub struct Good {
    /// The generation of the source it was built from.
    pub generation: u64,
    /// The checked campaign.
    pub campaign: ir::Campaign,
    /// What evaluates records.
    pub engine: Engine,
    /// The demo recipients' outcomes: variant id and duration of each that has a timeline.
    pub demo_outcomes: Vec<(String, Option<(String, u64)>)>,
    /// Every variant the campaign can produce, once computed (in the background: it evaluates
    /// up to thousands of records, too slow to hold up a reload).
    pub analysis: OnceLock<Analysis>,
}

/// The variants of a campaign (from [`guide_compiler::analysis::variants`]).
#[derive(Debug, Clone)]
pub struct Analysis {
    /// How many variants.
    pub variants: usize,
    /// Whether every combination of representative values was tried (else: at least this many).
    pub exhaustive: bool,
    /// Shortest and longest total duration over the variants, in ms.
    pub duration: Option<(u64, u64)>,
    /// Witness records for the recipient selector: `{name, group, record, variant,
    /// duration_ms}`; group `minimal` for the smallest set of variants that together show every
    /// scene, pop-up, button and branch, `other` for the rest (only listed when they are few).
    pub witnesses: Vec<Json>,
    /// What the analysis adds to the checker's diagnostics, as `guide check` reports it: the
    /// duration range against `length` (E0501) and dead content (W0401).
    pub diagnostics: Vec<Diagnostic>,
}

/// Variants listed one by one in the selector when there are at most this many.
const MAX_LISTED_VARIANTS: usize = 40;

/// Computes the variants of a good build, starting the witnesses from the demo recipients.
pub fn analyse(good: &Good, demos: &[Demo]) -> Analysis {
    let bases: Vec<Json> = demos.iter().map(|d| d.record.clone()).collect();
    let report = guide_compiler::analysis::variants::enumerate(
        &good.campaign,
        good.engine.program(),
        &bases,
    );
    let minimal: Vec<&str> = report.minimal().iter().map(|v| v.id.as_str()).collect();
    let listed_all = report.variants.len() <= MAX_LISTED_VARIANTS;
    let witnesses = report
        .variants
        .iter()
        .enumerate()
        .filter(|(_, v)| listed_all || minimal.contains(&v.id.as_str()))
        .map(|(i, v)| {
            let group = if minimal.contains(&v.id.as_str()) {
                "minimal"
            } else {
                "other"
            };
            serde_json::json!({
                "name": format!("variante {}: {} scene, {}", i + 1, v.scenes.len(), super::routes::clock(v.duration_ms)),
                "group": group,
                "record": v.witness,
                "variant": v.id,
                "duration_ms": v.duration_ms,
            })
        })
        .collect();
    let diagnostics = guide_compiler::analysis::variants::diagnostics(
        &good.campaign,
        good.engine.program(),
        &report,
    );
    Analysis {
        variants: report.variants.len(),
        exhaustive: report.exhaustive,
        duration: report.duration_range(),
        witnesses,
        diagnostics,
    }
}

/// What the preview knows of one campaign folder.
#[derive(Debug)]
pub struct CampaignState {
    /// Its address in the preview: the folder relative to the root (`naspi`).
    pub slug: String,
    /// The folder as given on the command line joined with the slug (`campaigns/naspi`).
    pub dir: PathBuf,
    /// Bumped at every change of the campaign's inputs.
    pub generation: u64,
    /// The campaign id, from the last good build or the folder name.
    pub id: String,
    /// The title, from the last good build or the folder name.
    pub title: String,
    /// Diagnostics of the current source.
    pub diagnostics: Vec<Diagnostic>,
    /// A failure to read the campaign at all, or to build it.
    pub fatal: Option<String>,
    /// The demo recipients.
    pub demos: Vec<Demo>,
    /// Demo files that could not be read.
    pub demo_problems: Vec<String>,
    /// The last good build, possibly of an older generation.
    pub good: Option<Arc<Good>>,
}

impl CampaignState {
    /// The diagnostics of the current source, with those of its analysis once it is done (the
    /// same list `guide check` prints).
    pub fn all_diagnostics(&self) -> Vec<&Diagnostic> {
        let analysed = self
            .good
            .as_ref()
            .filter(|_| self.good_is_current())
            .and_then(|g| g.analysis.get());
        let mut all: Vec<&Diagnostic> = self.diagnostics.iter().collect();
        if let Some(a) = analysed {
            all.extend(a.diagnostics.iter());
        }
        all.sort_by(|a, b| guide_compiler::diagnostic::compare(a, b));
        all
    }

    /// Number of error diagnostics (a fatal problem counts as one).
    pub fn errors(&self) -> usize {
        self.all_diagnostics()
            .iter()
            .filter(|d| d.is_error())
            .count()
            + usize::from(self.fatal.is_some())
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.all_diagnostics()
            .iter()
            .filter(|d| !d.is_error())
            .count()
    }

    /// Whether the last good build is of the current source.
    pub fn good_is_current(&self) -> bool {
        self.good
            .as_ref()
            .is_some_and(|g| g.generation == self.generation)
    }
}

struct Slot {
    fingerprint: u64,
    state: Arc<CampaignState>,
}

/// Every campaign under the root.
pub struct Workspace {
    root: PathBuf,
    root_canon: PathBuf,
    slots: Vec<Slot>,
    next_generation: u64,
}

/// What a refresh changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Campaigns whose inputs changed (recompiled), with their new generation.
    pub changed: Vec<(String, u64)>,
    /// Whether campaigns appeared or disappeared.
    pub list_changed: bool,
}

impl Workspace {
    /// A workspace over `root` (nothing read yet: call [`Workspace::refresh`]).
    pub fn new(root: &Path) -> Result<Workspace, String> {
        let root_canon = root
            .canonicalize()
            .map_err(|e| format!("{}: {e}", root.display()))?;
        if !root_canon.is_dir() {
            return Err(format!("{}: not a folder", root.display()));
        }
        Ok(Workspace {
            root: root.to_path_buf(),
            root_canon,
            slots: Vec::new(),
            next_generation: 1,
        })
    }

    /// The folder as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder, canonical: nothing outside it is ever served.
    pub fn root_canon(&self) -> &Path {
        &self.root_canon
    }

    /// The campaigns, sorted by slug.
    pub fn campaigns(&self) -> Vec<Arc<CampaignState>> {
        self.slots.iter().map(|s| Arc::clone(&s.state)).collect()
    }

    /// The campaign with this slug.
    pub fn get(&self, slug: &str) -> Option<Arc<CampaignState>> {
        self.slots
            .iter()
            .find(|s| s.state.slug == slug)
            .map(|s| Arc::clone(&s.state))
    }

    /// Finds the campaigns, reloads them and recompiles those whose inputs changed.
    pub fn refresh(&mut self) -> Changes {
        let found = discover(&self.root);
        let mut changes = Changes::default();
        let old_slugs: Vec<String> = self.slots.iter().map(|s| s.state.slug.clone()).collect();
        let new_slugs: Vec<String> = found.iter().map(|(s, _)| s.clone()).collect();
        changes.list_changed = old_slugs != new_slugs;
        let mut slots = Vec::new();
        for (slug, dir) in found {
            let old = self
                .slots
                .iter()
                .position(|s| s.state.slug == slug)
                .map(|i| self.slots.swap_remove(i));
            let inputs = read_inputs(&dir);
            match old {
                Some(old) if old.fingerprint == inputs.fingerprint => slots.push(old),
                old => {
                    let generation = self.next_generation;
                    self.next_generation += 1;
                    let previous = old.and_then(|o| o.state.good.clone());
                    let state = build(
                        slug.clone(),
                        dir,
                        generation,
                        inputs.project,
                        inputs.demos,
                        previous,
                    );
                    changes.changed.push((slug, generation));
                    slots.push(Slot {
                        fingerprint: inputs.fingerprint,
                        state: Arc::new(state),
                    });
                }
            }
        }
        slots.sort_by(|a, b| a.state.slug.cmp(&b.state.slug));
        self.slots = slots;
        changes
    }
}

/// The campaign folders under `root`: `(slug, folder)`, sorted by slug.
pub fn discover(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .max_depth(MAX_DEPTH)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref()))
        });
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_dir() {
            continue;
        }
        let dir = entry.path();
        let has_guide = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .any(|f| f.path().extension().is_some_and(|x| x == "guide"))
            })
            .unwrap_or(false);
        if !has_guide {
            continue;
        }
        let Ok(main) = project::resolve(dir) else {
            continue;
        };
        let is_campaign = std::fs::read_to_string(&main)
            .map(|t| t.lines().any(|l| l.trim_start().starts_with("campaign ")))
            .unwrap_or(false);
        if !is_campaign {
            continue;
        }
        let rel = dir.strip_prefix(root).unwrap_or(dir);
        let mut slug: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if slug.is_empty() {
            slug.push(
                root.canonicalize()
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_else(|| "campaign".into()),
            );
        }
        out.push((slug.join("/"), dir.to_path_buf()));
    }
    out.sort();
    out
}

struct Inputs {
    project: Result<project::Project, String>,
    demos: (Vec<Demo>, Vec<String>),
    fingerprint: u64,
}

fn read_inputs(dir: &Path) -> Inputs {
    let mut h = DefaultHasher::new();
    let project = project::load(dir).map_err(|e| e.to_string());
    match &project {
        Ok(p) => {
            for f in &p.files {
                f.path.hash(&mut h);
                f.text.hash(&mut h);
            }
            if let Some((f, _)) = &p.schema {
                f.path.hash(&mut h);
                f.text.hash(&mut h);
            }
            // Files that failed to load show up here (a missing import, a bad schema).
            for d in &p.diagnostics {
                d.code.hash(&mut h);
                d.message.hash(&mut h);
                d.file.path.hash(&mut h);
            }
            for e in &p.errors {
                format!("{e:?}").hash(&mut h);
            }
        }
        Err(e) => e.hash(&mut h),
    }
    let demos = read_demos(dir, &mut h);
    Inputs {
        project,
        demos,
        fingerprint: h.finish(),
    }
}

fn read_demos(dir: &Path, h: &mut DefaultHasher) -> (Vec<Demo>, Vec<String>) {
    let mut demos = Vec::new();
    let mut problems = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir.join("demo")) else {
        return (demos, problems);
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for f in files {
        let name = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let too_big = std::fs::metadata(&f).map_or(true, |m| m.len() > MAX_DEMO_BYTES);
        if too_big {
            problems.push(format!("demo/{name}.json: too large or unreadable"));
            continue;
        }
        match std::fs::read_to_string(&f) {
            Ok(text) => {
                name.hash(h);
                text.hash(h);
                match serde_json::from_str::<Json>(&text) {
                    Ok(record) => demos.push(Demo { name, record }),
                    Err(e) => problems.push(format!("demo/{name}.json: not valid JSON: {e}")),
                }
            }
            Err(e) => problems.push(format!("demo/{name}.json: {e}")),
        }
    }
    (demos, problems)
}

fn build(
    slug: String,
    dir: PathBuf,
    generation: u64,
    project: Result<project::Project, String>,
    (demos, demo_problems): (Vec<Demo>, Vec<String>),
    previous: Option<Arc<Good>>,
) -> CampaignState {
    let fallback_id = slug.rsplit('/').next().unwrap_or(&slug).to_string();
    let mut state = CampaignState {
        slug,
        dir,
        generation,
        id: fallback_id.clone(),
        title: fallback_id,
        diagnostics: Vec::new(),
        fatal: None,
        demos,
        demo_problems,
        good: previous,
    };
    let project = match project {
        Ok(p) => p,
        Err(e) => {
            state.fatal = Some(format!("cannot read {e}"));
            return finish(state);
        }
    };
    // The header's id and title, even when the campaign does not check.
    if let Some(header) = project.asts.first().and_then(|a| a.campaign.as_ref()) {
        state.id = header.id.name.clone();
        state.title = header
            .stmts
            .iter()
            .find_map(|s| match s {
                guide_compiler::syntax::ast::HeaderStmt::Title(t) => Some(t.value.clone()),
                _ => None,
            })
            .unwrap_or_else(|| state.id.clone());
    }
    let checked = check::check(&project);
    state.diagnostics = checked.diagnostics;
    if let Some(campaign) = checked.campaign {
        match Engine::build(&campaign) {
            Ok(engine) => {
                let demo_outcomes = state
                    .demos
                    .iter()
                    .map(|d| {
                        let summary = match engine.evaluate(&d.record) {
                            Outcome::Timeline(t) => Some((
                                t["variant"].as_str().unwrap_or("").to_string(),
                                t["duration_ms"].as_u64().unwrap_or(0),
                            )),
                            _ => None,
                        };
                        (d.name.clone(), summary)
                    })
                    .collect::<Vec<_>>();
                state.good = Some(Arc::new(Good {
                    generation,
                    campaign,
                    engine,
                    demo_outcomes,
                    analysis: OnceLock::new(),
                }));
            }
            Err(e) => state.fatal = Some(format!("code generation failed: {e}")),
        }
    }
    finish(state)
}

fn finish(mut state: CampaignState) -> CampaignState {
    if let Some(g) = state
        .good
        .as_ref()
        .filter(|g| g.generation == state.generation)
    {
        state.id = g.campaign.id.clone();
        state.title = g.campaign.title.clone();
    }
    state
}

/// The number of variants shown on the index, and what it counts: every variant the campaign
/// can produce once the analysis is done, until then the distinct variants of the demo
/// recipients.
pub fn variant_count(good: &Good) -> (usize, &'static str) {
    if let Some(a) = good.analysis.get() {
        return (
            a.variants,
            if a.exhaustive {
                "in tutto"
            } else {
                "almeno (enumerazione parziale)"
            },
        );
    }
    let mut ids: Vec<&str> = good
        .demo_outcomes
        .iter()
        .filter_map(|(_, s)| s.as_ref().map(|(v, _)| v.as_str()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    (ids.len(), "tra i destinatari demo (analisi in corso)")
}

/// The shortest and longest total duration, in ms, and what they range over (every variant, or
/// the demo recipients until the analysis is done: see [`variant_count`]).
pub fn duration_range(good: &Good) -> Option<(u64, u64, &'static str)> {
    if let Some((min, max)) = good.analysis.get().and_then(|a| a.duration) {
        return Some((min, max, "tra tutte le varianti"));
    }
    let durations = good
        .demo_outcomes
        .iter()
        .filter_map(|(_, s)| s.as_ref().map(|(_, d)| *d));
    let min = durations.clone().min()?;
    let max = durations.max()?;
    Some((min, max, "tra i destinatari demo"))
}
