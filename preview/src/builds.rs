//! The compile workers: every campaign is compiled on a thread of its own, away from what serves
//! requests, with a time budget, and its result swapped into the [`crate::workspace::Workspace`] snapshot the
//! request handlers read.
//!
//! ```text
//! refresh (watcher, start) ──> discover + replay fingerprints (no parsing) ──> submit
//!      submit ──> worker thread: job::check ──> Done ──> coordinator: swap snapshot, events
//!                               job::analyse ──> Analysed ──> coordinator: events
//! coordinator tick ──> a compile past its budget: the campaign shows the timeout, last good kept
//! ```
//!
//! A worker cannot be interrupted (a pathological file may keep the parser busy for minutes), so
//! it is left to finish and its result dropped if a newer save superseded it meanwhile; at most
//! [`MAX_RUNNING`] workers run at once, further compilations wait their turn (only the newest
//! per campaign). The registry lock is held by the watcher and the coordinator only, never
//! while compiling and never by a request handler.

use std::collections::VecDeque;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::json;

use super::inputs::Fingerprint;
use super::job;
use super::workspace::{self, CampaignState};
use super::App;

/// Compile workers running at once within their budget; past it, compilations wait.
pub const MAX_RUNNING: usize = 4;
/// Compile workers alive at once, counting those past their budget (left to finish, since a
/// worker cannot be interrupted); past it, compilations wait.
pub const MAX_THREADS: usize = 16;
/// The default time budget of a compilation.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(5);
/// How often the coordinator looks for compilations past their budget.
const TICK: Duration = Duration::from_millis(50);

/// A step run by every compile worker before it reads the campaign, with the campaign's folder:
/// for tests, to make a compilation slow whatever the speed of the parser.
#[derive(Clone)]
pub struct Hook(Arc<dyn Fn(&Path) + Send + Sync>);

impl Hook {
    /// A hook running `f`.
    pub fn new(f: impl Fn(&Path) + Send + Sync + 'static) -> Hook {
        Hook(Arc::new(f))
    }
}

impl fmt::Debug for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hook")
    }
}

/// How compilations run.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Past this, a compilation is reported as too slow (and its result, if it ever comes,
    /// still taken if nothing newer was saved).
    pub budget: Duration,
    /// Run by every worker before reading the campaign.
    pub hook: Option<Hook>,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            budget: DEFAULT_BUDGET,
            hook: None,
        }
    }
}

/// The message shown for a compilation past its budget.
pub fn too_slow(budget: Duration, has_good: bool) -> String {
    let secs = budget.as_secs_f64();
    let shown = if has_good {
        "the last good version is shown"
    } else {
        "there is no good version to show yet"
    };
    format!("the compilation took longer than {secs} s; {shown}")
}

/// What workers tell the coordinator.
enum Msg {
    /// Phase 1 is done.
    Checked {
        slug: String,
        generation: u64,
        checked: Box<job::Checked>,
        took: Duration,
    },
    /// Phase 2 is done (the analysis is set on the build).
    Analysed {
        slug: String,
        generation: u64,
        took: Duration,
    },
    /// A worker ended.
    Finished(u64),
}

/// One campaign as the registry knows it.
struct Slot {
    slug: String,
    dir: PathBuf,
    /// What the current generation was compiled from (or will be: see [`Builds::refresh`]).
    fingerprint: Fingerprint,
    /// The current generation, as the workers see it: one superseded skips its analysis.
    latest: Arc<AtomicU64>,
    /// The state shown.
    state: Arc<CampaignState>,
    /// When the current generation's compilation was asked for, until it is checked.
    started: Option<Instant>,
}

#[derive(Default)]
struct Registry {
    slots: Vec<Slot>,
    next_generation: u64,
    /// The workers alive: id and start.
    workers: Vec<(u64, Instant)>,
    next_worker: u64,
    /// Compilations waiting for a worker: (slug, generation).
    queue: VecDeque<(String, u64)>,
}

/// The compile workers and their coordinator.
pub struct Builds {
    registry: Mutex<Registry>,
    tx: Mutex<Option<mpsc::Sender<Msg>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    stopping: Arc<AtomicBool>,
    tuning: Tuning,
}

impl Builds {
    /// Compile workers with this tuning (not started).
    pub fn new(tuning: Tuning) -> Builds {
        Builds {
            registry: Mutex::new(Registry {
                next_generation: 1,
                ..Registry::default()
            }),
            tx: Mutex::new(None),
            thread: Mutex::new(None),
            stopping: Arc::new(AtomicBool::new(false)),
            tuning,
        }
    }

    /// The time budget of a compilation.
    pub fn budget(&self) -> Duration {
        self.tuning.budget
    }

    /// Starts the coordinator (once).
    pub fn start(&self, app: Arc<App>) -> Result<(), String> {
        let (tx, rx) = mpsc::channel::<Msg>();
        let stopping = Arc::clone(&self.stopping);
        let handle = std::thread::Builder::new()
            .name("preview-builds".into())
            .spawn(move || {
                while !stopping.load(Ordering::SeqCst) {
                    match rx.recv_timeout(TICK) {
                        Ok(msg) => app.builds.receive(&app, msg),
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                    app.builds.check_budgets(&app);
                }
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        *self.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        *self.tx.lock().unwrap_or_else(PoisonError::into_inner) = Some(tx);
        Ok(())
    }

    /// Stops the coordinator. Workers still running are left to end on their own; their results
    /// are dropped.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.tx
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }

    /// Whether every campaign's current generation has been checked or has run past its budget
    /// (the analyses may still be under way).
    pub fn settled(&self) -> bool {
        let reg = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        reg.slots.iter().all(|s| !s.state.pending)
    }

    /// Whether every campaign is checked and analysed (or past its budget, or not checking).
    pub fn idle(&self) -> bool {
        let reg = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        reg.slots.iter().all(|s| {
            !s.state.pending
                && (s.started.is_some()
                    || s.state.good.as_ref().is_none_or(|g| {
                        g.generation != s.state.generation || g.analysis.get().is_some()
                    }))
        })
    }

    /// Finds the campaigns under the root, and submits a compilation for every campaign that is
    /// new or whose inputs changed. Reads files but parses nothing: it returns at once.
    pub fn refresh(&self, app: &App) {
        let Ok(current) = app.workspace.read() else {
            return;
        };
        let mut found = workspace::discover(current.root());
        let mut reg = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        // A campaign stays one while its folder holds a `.guide` file, even if its header is
        // (say, halfway through a save) not there: it shows its errors rather than vanishing.
        for slot in &reg.slots {
            if !found.iter().any(|(s, _)| *s == slot.slug) && workspace::has_guide(&slot.dir) {
                found.push((slot.slug.clone(), slot.dir.clone()));
            }
        }
        let old: Vec<String> = reg.slots.iter().map(|s| s.slug.clone()).collect();
        let mut slots = Vec::new();
        let mut submit = Vec::new();
        for (slug, dir) in found {
            let existing = reg
                .slots
                .iter()
                .position(|s| s.slug == slug)
                .map(|i| reg.slots.swap_remove(i));
            let generation = reg.next_generation;
            match existing {
                Some(mut slot) => {
                    let now = slot.fingerprint.replay();
                    if now.hash != slot.fingerprint.hash {
                        reg.next_generation += 1;
                        slot.fingerprint = now;
                        slot.latest.store(generation, Ordering::SeqCst);
                        slot.state = Arc::new(CampaignState {
                            generation,
                            pending: true,
                            ..(*slot.state).clone()
                        });
                        slot.started = Some(Instant::now());
                        submit.push((slug.clone(), generation));
                    }
                    slots.push(slot);
                }
                None => {
                    reg.next_generation += 1;
                    slots.push(Slot {
                        fingerprint: Fingerprint::initial(&dir),
                        latest: Arc::new(AtomicU64::new(generation)),
                        state: Arc::new(job::unknown(&slug, &dir, generation)),
                        slug: slug.clone(),
                        dir,
                        started: Some(Instant::now()),
                    });
                    submit.push((slug, generation));
                }
            }
        }
        slots.sort_by(|a, b| a.slug.cmp(&b.slug));
        reg.slots = slots;
        let list_changed = reg.slots.iter().map(|s| &s.slug).ne(old.iter());
        self.publish(app, &reg);
        for (slug, generation) in &submit {
            eprintln!("compiling {slug} (generation {generation})");
            reg.queue.retain(|(s, _)| s != slug);
            reg.queue.push_back((slug.clone(), *generation));
        }
        self.start_queued(&mut reg);
        drop(reg);
        if list_changed || !submit.is_empty() {
            app.events
                .send("index", &json!({"list_changed": list_changed}));
        }
    }

    /// Swaps in a snapshot of the registry's states.
    fn publish(&self, app: &App, reg: &Registry) {
        let Ok(current) = app.workspace.read() else {
            return;
        };
        let states = reg.slots.iter().map(|s| Arc::clone(&s.state)).collect();
        app.workspace.swap(Arc::new(current.with_campaigns(states)));
    }

    /// Starts waiting compilations while workers are free.
    fn start_queued(&self, reg: &mut Registry) {
        let Some(tx) = self
            .tx
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        else {
            return;
        };
        loop {
            let budget = self.tuning.budget;
            let within = reg
                .workers
                .iter()
                .filter(|(_, t)| t.elapsed() <= budget)
                .count();
            if within >= MAX_RUNNING || reg.workers.len() >= MAX_THREADS {
                break;
            }
            let Some((slug, generation)) = reg.queue.pop_front() else {
                break;
            };
            let Some(slot) = reg
                .slots
                .iter_mut()
                .find(|s| s.slug == slug && s.state.generation == generation)
            else {
                continue;
            };
            let previous = Arc::clone(&slot.state);
            let latest = Arc::clone(&slot.latest);
            let hook = self.tuning.hook.clone();
            let tx = tx.clone();
            let dir = slot.dir.clone();
            let id = reg.next_worker;
            let spawned = std::thread::Builder::new()
                .name("preview-compile".into())
                .spawn(move || {
                    if let Some(h) = hook {
                        (h.0)(&dir);
                    }
                    work(&previous, generation, &latest, &tx);
                    let _ = tx.send(Msg::Finished(id));
                });
            match spawned {
                Ok(_) => {
                    reg.next_worker += 1;
                    reg.workers.push((id, Instant::now()));
                }
                Err(e) => {
                    eprintln!("cannot start a compile worker for {slug}: {e}");
                    reg.queue.push_front((slug, generation));
                    break;
                }
            }
        }
    }

    fn receive(&self, app: &App, msg: Msg) {
        let mut reg = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        match msg {
            Msg::Finished(id) => {
                reg.workers.retain(|(w, _)| *w != id);
                self.start_queued(&mut reg);
            }
            Msg::Checked {
                slug,
                generation,
                checked,
                took,
            } => {
                let Some(slot) = reg
                    .slots
                    .iter_mut()
                    .find(|s| s.slug == slug && s.state.generation == generation)
                else {
                    eprintln!("dropped the compilation of {slug} (generation {generation}): a newer one superseded it");
                    return;
                };
                let checked = *checked;
                slot.state = Arc::new(checked.state);
                slot.fingerprint = checked.fingerprint;
                slot.started = None;
                self.publish(app, &reg);
                drop(reg);
                eprintln!(
                    "recompiled {slug} (generation {generation}): checked in {} ms",
                    took.as_millis()
                );
                app.events
                    .send("campaign", &json!({"slug": slug, "generation": generation}));
                app.events.send("index", &json!({"list_changed": false}));
            }
            Msg::Analysed {
                slug,
                generation,
                took,
            } => {
                let current = reg
                    .slots
                    .iter()
                    .any(|s| s.slug == slug && s.state.generation == generation);
                drop(reg);
                if current {
                    eprintln!(
                        "analysed {slug} (generation {generation}) in {} ms",
                        took.as_millis()
                    );
                    app.events.send("analysis", &json!({ "slug": slug }));
                    app.events.send("index", &json!({"list_changed": false}));
                }
            }
        }
    }

    /// Reports the compilations past their budget.
    fn check_budgets(&self, app: &App) {
        let budget = self.tuning.budget;
        let mut reg = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        let mut late = Vec::new();
        for slot in &mut reg.slots {
            if slot.state.pending && slot.started.is_some_and(|t| t.elapsed() > budget) {
                let has_good = slot.state.good.is_some();
                slot.state = Arc::new(CampaignState {
                    pending: false,
                    fatal: Some(too_slow(budget, has_good)),
                    ..(*slot.state).clone()
                });
                late.push((slot.slug.clone(), slot.state.generation));
            }
        }
        // Workers past their budget no longer hold back those waiting.
        if !reg.queue.is_empty() {
            self.start_queued(&mut reg);
        }
        if late.is_empty() {
            return;
        }
        self.publish(app, &reg);
        drop(reg);
        for (slug, generation) in late {
            eprintln!("compiling {slug} (generation {generation}) takes longer than {budget:?}");
            app.events
                .send("campaign", &json!({"slug": slug, "generation": generation}));
        }
        app.events.send("index", &json!({"list_changed": false}));
    }
}

/// A worker: both phases, the second only if the first is still wanted when it ends.
fn work(previous: &CampaignState, generation: u64, latest: &AtomicU64, tx: &mpsc::Sender<Msg>) {
    let slug = previous.slug.clone();
    let started = Instant::now();
    let mut checked = job::check(previous, generation);
    let took = started.elapsed();
    let project = checked.project.take();
    let good = checked
        .state
        .good
        .clone()
        .filter(|g| g.generation == generation);
    let sent = tx.send(Msg::Checked {
        slug: slug.clone(),
        generation,
        checked: Box::new(checked),
        took,
    });
    if sent.is_err() {
        return;
    }
    if latest.load(Ordering::SeqCst) != generation {
        return;
    }
    if let (Some(project), Some(good)) = (project, good) {
        let started = Instant::now();
        if good.analysis.set(job::analyse(&project)).is_ok() {
            let took = started.elapsed();
            let _ = tx.send(Msg::Analysed {
                slug,
                generation,
                took,
            });
        }
    }
}
