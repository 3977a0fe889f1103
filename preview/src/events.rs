//! Server-sent events: the open pages hear that a campaign was recompiled.
//!
//! An `/events` request is answered with the stream's headers, then its connection is handed
//! here and kept; no worker thread stays busy with it. Every event is written to every open
//! stream; a stream that fails to take one (the tab was closed) is dropped. A comment line every
//! few seconds finds closed tabs even when nothing changes.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// At most this many pages listen at once; the oldest stream is closed for a new one (its page
/// reconnects by itself).
const MAX_CLIENTS: usize = 64;
/// Interval of the keep-alive comment.
const HEARTBEAT: Duration = Duration::from_secs(10);

type Client = Box<dyn Write + Send>;

/// The open event streams.
#[derive(Default)]
pub struct Events {
    clients: Mutex<Vec<Client>>,
    stopping: AtomicBool,
}

impl Events {
    /// Keeps a stream whose headers were written.
    pub fn add(&self, client: Client) {
        if self.stopping.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(mut clients) = self.clients.lock() {
            if clients.len() >= MAX_CLIENTS {
                clients.remove(0);
            }
            clients.push(client);
        }
    }

    /// Number of open streams.
    pub fn len(&self) -> usize {
        self.clients.lock().map_or(0, |c| c.len())
    }

    /// Whether no stream is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sends one event to every stream.
    pub fn send(&self, event: &str, data: &serde_json::Value) {
        self.write(format!("event: {event}\ndata: {data}\n\n").as_bytes());
    }

    fn write(&self, bytes: &[u8]) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain_mut(|c| c.write_all(bytes).is_ok() && c.flush().is_ok());
        }
    }

    /// Starts the keep-alive thread.
    pub fn start_heartbeat(self: &Arc<Self>) -> Option<JoinHandle<()>> {
        let me = Arc::clone(self);
        std::thread::Builder::new()
            .name("preview-events".into())
            .spawn(move || {
                let step = Duration::from_millis(100);
                let mut waited = Duration::ZERO;
                while !me.stopping.load(Ordering::SeqCst) {
                    std::thread::sleep(step);
                    waited += step;
                    if waited >= HEARTBEAT {
                        waited = Duration::ZERO;
                        me.write(b": ping\n\n");
                    }
                }
            })
            .ok()
    }

    /// Closes every stream and stops the keep-alive thread.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Ok(mut clients) = self.clients.lock() {
            clients.clear();
        }
    }
}
