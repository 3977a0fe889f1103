//! The campaigns under the preview's folder, each with its last good build: what the request
//! handlers read.
//!
//! [`discover`] finds the campaign folders (walkdir, no parsing); [`crate::builds`] compiles
//! them away from the requests and swaps a new [`Workspace`] snapshot in when a compilation
//! finishes. A campaign whose source now has errors, or whose compilation takes too long, keeps
//! its last good build, so the page can go on playing it under the diagnostics.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use guide_compiler::diagnostic::Diagnostic;
use guide_compiler::{ir, project};
use serde_json::Value as Json;

use super::engine::Engine;

/// Folders never searched for campaigns.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target", "demo"];
/// How deep under the root campaigns are searched.
const MAX_DEPTH: usize = 6;

/// One demo recipient (`demo/NAME.json`).
#[derive(Debug, Clone)]
pub struct Demo {
    /// The file name without `.json`.
    pub name: String,
    /// The record.
    pub record: Json,
    /// Why the schema refuses the record, for a broken demo (listed as such, and in
    /// `demo_problems`): what `guide check` reports as E0621.
    pub broken: Option<String>,
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

/// What [`guide_compiler::compile()`] adds to the check: the variants of the campaign and the
/// full list of diagnostics.
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
    /// Every diagnostic of [`guide_compiler::compile()`]: the checker's and the analyses'
    /// (durations against `length`, E0501; dead content, W0401), exactly as `guide check`
    /// reports them.
    pub diagnostics: Vec<Diagnostic>,
}

/// What the preview knows of one campaign folder.
#[derive(Debug, Clone)]
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
    /// Whether the current generation is still being compiled (what is shown is older).
    pub pending: bool,
}

impl CampaignState {
    /// The diagnostics of the current source: the checker's until [`guide_compiler::compile()`]
    /// is done, then its full list (the same list `guide check` prints).
    pub fn all_diagnostics(&self) -> Vec<&Diagnostic> {
        let analysed = self
            .good
            .as_ref()
            .filter(|_| self.good_is_current())
            .and_then(|g| g.analysis.get());
        let mut all: Vec<&Diagnostic> = match analysed {
            Some(a) => a.diagnostics.iter().collect(),
            None => self.diagnostics.iter().collect(),
        };
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

/// Every campaign under the root, as the request handlers see it: an immutable snapshot,
/// replaced whole (see [`crate::snapshot::Shared`]) when a compilation finishes.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    root_canon: PathBuf,
    campaigns: Vec<Arc<CampaignState>>,
}

impl Workspace {
    /// A workspace over `root`, with no campaign yet.
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
            campaigns: Vec::new(),
        })
    }

    /// The same folder with these campaigns (sorted by slug).
    pub fn with_campaigns(&self, mut campaigns: Vec<Arc<CampaignState>>) -> Workspace {
        campaigns.sort_by(|a, b| a.slug.cmp(&b.slug));
        Workspace {
            root: self.root.clone(),
            root_canon: self.root_canon.clone(),
            campaigns,
        }
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
        self.campaigns.clone()
    }

    /// The campaign with this slug.
    pub fn get(&self, slug: &str) -> Option<Arc<CampaignState>> {
        self.campaigns.iter().find(|c| c.slug == slug).cloned()
    }
}

/// Whether a folder holds a `.guide` file.
pub fn has_guide(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .any(|f| f.path().extension().is_some_and(|x| x == "guide"))
        })
        .unwrap_or(false)
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
        if !has_guide(dir) {
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
