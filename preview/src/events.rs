//! Server-sent events: the open pages hear that a campaign was recompiled.
//!
//! Every event is broadcast to every open stream; an `/events` request subscribes and is
//! answered with axum's server-sent events, which write a comment every few seconds, so a closed
//! tab is noticed even when nothing changes. A stream that falls behind skips what it missed
//! (its page refetches the whole state on the next event anyway). A stream only holds a socket,
//! never a thread. Past [`MAX_CLIENTS`] streams the oldest is closed for the new one (its page
//! reconnects by itself, as after any stream that ends).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::stream::{self, Stream, StreamExt};
use guide_web::axum::response::sse::{Event, KeepAlive, Sse};
use guide_web::tokio;
use guide_web::tokio::sync::{broadcast, oneshot};

/// At most this many pages listen at once; the oldest stream is closed for a new one. Below
/// the connections one address may open, so that a browser full of tabs still loads pages.
pub const MAX_CLIENTS: usize = 32;
/// Interval of the keep-alive comment.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// How soon a page reconnects when its stream closes.
const RETRY: Duration = Duration::from_millis(500);
/// Events kept for a stream that has not yet written the previous ones.
const BACKLOG: usize = 64;

/// One event: its name and its JSON data.
#[derive(Debug, Clone)]
struct Message {
    event: String,
    data: String,
}

/// The open event streams.
pub struct Events {
    sender: Mutex<Option<broadcast::Sender<Message>>>,
    /// One per open stream, oldest first: dropping it closes the stream.
    open: Mutex<VecDeque<oneshot::Sender<()>>>,
}

impl Default for Events {
    fn default() -> Events {
        Events {
            sender: Mutex::new(Some(broadcast::channel(BACKLOG).0)),
            open: Mutex::default(),
        }
    }
}

impl Events {
    fn sender(&self) -> Option<broadcast::Sender<Message>> {
        self.sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Number of open streams.
    pub fn len(&self) -> usize {
        self.sender().map_or(0, |s| s.receiver_count())
    }

    /// Whether no stream is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sends one event to every stream.
    pub fn send(&self, event: &str, data: &serde_json::Value) {
        if let Some(s) = self.sender() {
            let _ = s.send(Message {
                event: event.to_string(),
                data: data.to_string(),
            });
        }
    }

    /// A new stream, starting with the page's reconnection delay (the oldest stream is closed
    /// when there are [`MAX_CLIENTS`] already); `None` when the preview is stopping.
    pub fn subscribe(
        &self,
    ) -> Option<Sse<impl Stream<Item = Result<Event, Infallible>> + Send + 'static>> {
        let sender = self.sender()?;
        let receiver = sender.subscribe();
        drop(sender);
        let (closer, closed) = oneshot::channel();
        {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            open.retain(|c| !c.is_closed());
            while open.len() >= MAX_CLIENTS {
                open.pop_front();
            }
            open.push_back(closer);
        }
        let events = stream::unfold(
            (receiver, closed),
            |(mut receiver, mut closed)| async move {
                loop {
                    let received = tokio::select! {
                        r = receiver.recv() => r,
                        _ = &mut closed => return None,
                    };
                    match received {
                        Ok(m) => {
                            let event = Event::default().event(m.event).data(m.data);
                            return Some((Ok(event), (receiver, closed)));
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            },
        );
        let first = stream::once(async { Ok(Event::default().retry(RETRY)) });
        Some(
            Sse::new(first.chain(events))
                .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("ping")),
        )
    }

    /// Closes every stream; no new one opens.
    pub fn stop(&self) {
        self.sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
