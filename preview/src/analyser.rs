//! The variants of each campaign, computed in the background after every build: enumerating
//! them evaluates up to thousands of records, which must not delay a reload. When a campaign's
//! analysis is ready the pages hear an `analysis` event (and the index an `index` event).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::json;

use super::workspace;
use super::App;

/// The analysis thread and its queue of campaign slugs.
pub struct Analyser {
    tx: Mutex<Option<mpsc::Sender<String>>>,
    stopping: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Default for Analyser {
    fn default() -> Self {
        Analyser {
            tx: Mutex::new(None),
            stopping: Arc::new(AtomicBool::new(false)),
            thread: Mutex::new(None),
        }
    }
}

impl Analyser {
    /// Starts the thread (once).
    pub fn start(&self, app: Arc<App>) {
        let (tx, rx) = mpsc::channel::<String>();
        let stopping = Arc::clone(&self.stopping);
        let spawned = std::thread::Builder::new()
            .name("preview-analysis".into())
            .spawn(move || {
                while !stopping.load(Ordering::SeqCst) {
                    match rx.recv_timeout(Duration::from_millis(200)) {
                        Ok(slug) => analyse(&app, &slug),
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
            });
        if let Ok(handle) = spawned {
            if let (Ok(mut t), Ok(mut s)) = (self.thread.lock(), self.tx.lock()) {
                *t = Some(handle);
                *s = Some(tx);
            }
        }
    }

    /// Queues campaigns whose build changed.
    pub fn queue<'a>(&self, slugs: impl IntoIterator<Item = &'a str>) {
        if let Ok(tx) = self.tx.lock() {
            if let Some(tx) = tx.as_ref() {
                for slug in slugs {
                    let _ = tx.send(slug.to_string());
                }
            }
        }
    }

    /// Stops the thread, after the analysis under way if any.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        let handle = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

fn analyse(app: &App, slug: &str) {
    let Some(state) = app.workspace.read().ok().and_then(|w| w.get(slug)) else {
        return;
    };
    let Some(good) = &state.good else {
        return;
    };
    if good.analysis.get().is_some() {
        return;
    }
    let analysis = workspace::analyse(good, &state.demos);
    if good.analysis.set(analysis).is_ok() {
        app.events.send("analysis", &json!({ "slug": slug }));
        app.events.send("index", &json!({ "list_changed": false }));
    }
}
