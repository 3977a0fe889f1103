//! Live reload: a file saved under the preview's folder recompiles the campaigns it belongs to,
//! and the open pages are told at once.
//!
//! notify reports changes; a thread waits for a short quiet period (editors save in several
//! steps) and refreshes the campaigns ([`crate::builds::Builds::refresh`]): it only compares what
//! each campaign read last time and submits a compilation for those that changed, so it never
//! waits for a compiler, and the pages hear of each result as it comes.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use super::App;

/// Quiet time after the last change before recompiling.
const DEBOUNCE: Duration = Duration::from_millis(80);
/// Longest wait for quiet: a file written continuously still reloads this often.
const MAX_DELAY: Duration = Duration::from_millis(400);

/// The running watcher.
pub struct Watch {
    _watcher: notify::RecommendedWatcher,
    thread: Option<JoinHandle<()>>,
    stopping: Arc<AtomicBool>,
}

impl Watch {
    /// Watches `root` recursively.
    pub fn start(root: &Path, app: Arc<App>) -> Result<Watch, String> {
        let (tx, rx) = mpsc::channel::<()>();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res {
                if ev.paths.iter().any(|p| relevant(p)) {
                    let _ = tx.send(());
                }
            }
        })
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&stopping);
        let thread = std::thread::Builder::new()
            .name("preview-watch".into())
            .spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match rx.recv_timeout(Duration::from_millis(200)) {
                        Ok(()) => {}
                        Err(mpsc::RecvTimeoutError::Timeout) => continue,
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                    let first = Instant::now();
                    loop {
                        let left = MAX_DELAY.saturating_sub(first.elapsed());
                        if left.is_zero() {
                            break;
                        }
                        match rx.recv_timeout(DEBOUNCE.min(left)) {
                            Ok(()) => continue,
                            Err(_) => break,
                        }
                    }
                    reload(&app);
                }
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        Ok(Watch {
            _watcher: watcher,
            thread: Some(thread),
            stopping,
        })
    }

    /// Stops watching.
    pub fn stop(mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Whether a changed path can change a campaign: sources, schemas, demo recipients, visuals, or
/// a folder (created, removed, renamed).
fn relevant(p: &Path) -> bool {
    if p.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c == "target" || c == "node_modules" || c == ".git"
    }) {
        return false;
    }
    match p.extension().and_then(|e| e.to_str()) {
        Some(ext) => matches!(
            ext,
            "guide"
                | "ron"
                | "json"
                | "png"
                | "jpg"
                | "jpeg"
                | "gif"
                | "webp"
                | "avif"
                | "mp4"
                | "webm"
        ),
        None => true,
    }
}

/// Looks for changed campaigns and submits their compilation (returns at once).
pub fn reload(app: &App) {
    app.builds.refresh(app);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevant_paths() {
        assert!(relevant(Path::new("campaigns/naspi/naspi.guide")));
        assert!(relevant(Path::new("campaigns/naspi/schema.ron")));
        assert!(relevant(Path::new("campaigns/naspi/demo/luca.json")));
        assert!(relevant(Path::new("campaigns/nuova")));
        assert!(!relevant(Path::new("campaigns/naspi/.naspi.guide.swp")));
        assert!(!relevant(Path::new("x/target/debug/guide.guide")));
    }
}
