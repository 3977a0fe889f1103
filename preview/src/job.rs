//! One compilation of one campaign, in two phases, each a stage of the library and nothing of
//! the preview's own:
//!
//! 1. [`check()`]: read and parse the project ([`project::load_with`], through a [`Recorder`] so
//!    that later saves can be compared without parsing), [`check::check`] it and generate its
//!    bytecode ([`Engine::build`]): enough to play it, and quickly.
//! 2. [`analyse`]: [`guide_compiler::compile()`], the entry point of `guide check` and every
//!    command, whose diagnostics replace the checker's and whose variants fill the selector.
//!
//! Both run on a compile worker thread ([`crate::builds`]), never on a request's.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use guide_compiler::{check, project};
use serde_json::json;

use super::engine::{Engine, Outcome};
use super::inputs::{Fingerprint, Recorder};
use super::workspace::{Analysis, CampaignState, Demo, Good};

/// Variants listed one by one in the selector when there are at most this many.
const MAX_LISTED_VARIANTS: usize = 40;

/// What the first phase gives.
#[derive(Debug)]
pub struct Checked {
    /// The campaign's new state (its last good build replaced when this one checked).
    pub state: CampaignState,
    /// What was read, to tell later whether it changed.
    pub fingerprint: Fingerprint,
    /// The project, for the second phase, when it checked.
    pub project: Option<project::Project>,
}

/// The state of a campaign never compiled yet: named after its folder, nothing to play.
pub fn unknown(slug: &str, dir: &Path, generation: u64) -> CampaignState {
    let id = slug.rsplit('/').next().unwrap_or(slug).to_string();
    CampaignState {
        slug: slug.to_string(),
        dir: dir.to_path_buf(),
        generation,
        id: id.clone(),
        title: id,
        diagnostics: Vec::new(),
        fatal: None,
        demos: Vec::new(),
        demo_problems: Vec::new(),
        good: None,
        pending: true,
    }
}

/// Phase 1: reads, parses, checks and builds the campaign in `dir`. `previous` is the state
/// being replaced (its last good build is kept when this one does not check).
pub fn check(previous: &CampaignState, generation: u64) -> Checked {
    let recorder = Recorder::default();
    let loaded = project::load_with(&previous.dir, &recorder);
    let mut state = CampaignState {
        generation,
        diagnostics: Vec::new(),
        fatal: None,
        demos: Vec::new(),
        demo_problems: Vec::new(),
        pending: false,
        ..previous.clone()
    };
    let project = match loaded {
        Ok(p) => p,
        Err(e) => {
            state.fatal = Some(format!("cannot read {e}"));
            return Checked {
                state,
                fingerprint: recorder.fingerprint(),
                project: None,
            };
        }
    };
    for (name, record) in &project.demos {
        match record {
            Ok(record) => {
                // A demo the schema refuses is listed as broken, with the reason.
                let broken = project.schema.as_ref().and_then(|(_, schema)| {
                    guide_runtime::Record::from_json(schema, record)
                        .err()
                        .map(|e| e.to_string())
                });
                if let Some(why) = &broken {
                    state.demo_problems.push(format!("demo/{name}.json: {why}"));
                }
                state.demos.push(Demo {
                    name: name.clone(),
                    record: record.clone(),
                    broken,
                });
            }
            Err(e) => state.demo_problems.push(format!("demo/{name}.json: {e}")),
        }
    }
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
    let has_header = project.asts.first().is_some_and(|a| a.campaign.is_some());
    if !has_header && !state.diagnostics.iter().any(|d| d.is_error()) {
        // A library to `guide check`, but this folder was found as a campaign (a save caught
        // halfway, a header removed): nothing to play.
        let file = project.files.first().map_or("", |f| f.path.as_str());
        state.fatal = Some(format!(
            "{file} has no `campaign` header: there is nothing to play"
        ));
    }
    let mut checked_ok = false;
    if let Some(campaign) = checked.campaign {
        match Engine::build(&campaign) {
            Ok(engine) => {
                let demo_outcomes = state
                    .demos
                    .iter()
                    .map(|d| (d.name.clone(), summary(&engine, &d.record)))
                    .collect();
                state.id = campaign.id.clone();
                state.title = campaign.title.clone();
                state.good = Some(Arc::new(Good {
                    generation,
                    campaign,
                    engine,
                    demo_outcomes,
                    analysis: OnceLock::new(),
                }));
                checked_ok = true;
            }
            Err(e) => state.fatal = Some(format!("code generation failed: {e}")),
        }
    }
    Checked {
        state,
        fingerprint: recorder.fingerprint(),
        project: checked_ok.then_some(project),
    }
}

/// The variant id and duration of one demo recipient.
fn summary(engine: &Engine, record: &serde_json::Value) -> Option<(String, u64)> {
    match engine.evaluate(record) {
        Outcome::Timeline(t) => Some((
            t["variant"].as_str().unwrap_or("").to_string(),
            t["duration_ms"].as_u64().unwrap_or(0),
        )),
        _ => None,
    }
}

/// Phase 2: the whole pipeline, [`guide_compiler::compile()`], as `guide check` runs it (the
/// witnesses start from the demo recipients, read with the project).
pub fn analyse(project: &project::Project) -> Analysis {
    let compiled = guide_compiler::compile(project);
    let mut analysis = Analysis {
        variants: 0,
        exhaustive: false,
        duration: None,
        witnesses: Vec::new(),
        diagnostics: compiled.diagnostics,
    };
    let Some(report) = compiled.report else {
        return analysis;
    };
    let minimal: Vec<&str> = report.minimal().iter().map(|v| v.id.as_str()).collect();
    let listed_all = report.variants.len() <= MAX_LISTED_VARIANTS;
    analysis.witnesses = report
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
            json!({
                "name": format!("variante {}: {} scene, {}", i + 1, v.scenes.len(), super::routes::clock(v.duration_ms)),
                "group": group,
                "record": v.witness,
                "variant": v.id,
                "duration_ms": v.duration_ms,
            })
        })
        .collect();
    analysis.variants = report.variants.len();
    analysis.exhaustive = report.exhaustive;
    analysis.duration = report.duration_range();
    analysis
}
