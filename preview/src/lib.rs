//! `guide preview`: a local web server where a designer sees every campaign under a folder play
//! as a recipient would, for any recipient, and sees it change as soon as a file is saved.
//!
//! ```text
//! notify ──> watch ──> builds::refresh ──> compile worker (job: check, then compile())
//!                                              │ result swapped into the snapshot
//!                                              ▼
//! guide-web (axum) ──> server ──> routes ──> Shared<Workspace> snapshot
//!                          ──> engine (runtime) + explain (VM trace)
//!                                              └──> events (SSE) ──> open pages refetch
//! ```
//!
//! Compilations never run on a request's thread nor under a lock a request waits for: a slow or
//! broken campaign shows as such after its time budget while the others, and its last good
//! version, keep playing.
//!
//! The HTTP side runs on [`guide_web`] (axum on tokio, threads of its own); the routes run on
//! its blocking threads; watching and compiling are threads of their own. Every asset is
//! embedded ([`assets`]); the page loads nothing
//! from the network. Recipient values reach the page as JSON and are written into it as text
//! only; the log carries methods, paths and statuses, never a body.

pub mod assets;
pub mod builds;
pub mod engine;
pub mod events;
pub mod explain;
pub mod form;
pub mod inputs;
pub mod job;
pub mod routes;
pub mod server;
pub mod snapshot;
pub mod voice;
pub mod watch;
pub mod workspace;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use builds::{Hook, Tuning};
use events::Events;
use snapshot::Shared;
use workspace::Workspace;

/// How to run the preview.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder searched for campaigns.
    pub root: PathBuf,
    /// The address to listen on (loopback unless asked otherwise).
    pub host: IpAddr,
    /// The port; 0 for a free one.
    pub port: u16,
    /// Whether to watch the folder and reload.
    pub watch: bool,
}

/// What the request handlers share.
pub struct App {
    /// The campaigns, as last compiled: a snapshot swapped in whole when a compilation ends.
    pub workspace: Shared<Workspace>,
    /// The page templates.
    pub templates: assets::Templates,
    /// The open event streams.
    pub events: Arc<Events>,
    /// Compiles the campaigns on worker threads.
    pub builds: builds::Builds,
    /// Speaks the guides (`guide preview --voice`), or not.
    pub voice: Option<voice::Voice>,
}

/// A running preview.
pub struct Preview {
    app: Arc<App>,
    server: guide_web::Server,
    watch: Option<watch::Watch>,
}

impl Preview {
    /// Starts serving (and watching) at once, and compiles every campaign in the background
    /// with the default [`Tuning`].
    pub fn start(opts: &Options) -> Result<Preview, String> {
        Preview::start_with(opts, Tuning::default())
    }

    /// [`Preview::start`] with a time budget and hook of one's own.
    pub fn start_with(opts: &Options, tuning: Tuning) -> Result<Preview, String> {
        Preview::start_speaking(opts, tuning, None)
    }

    /// [`Preview::start_with`], the guides spoken by `voice` (`GET /audio/SLUG/KEY`).
    pub fn start_speaking(
        opts: &Options,
        tuning: Tuning,
        voice: Option<voice::Voice>,
    ) -> Result<Preview, String> {
        let ws = Workspace::new(&opts.root)?;
        let events = Arc::new(Events::default());
        let app = Arc::new(App {
            workspace: Shared::new(ws),
            templates: assets::Templates::new()?,
            events: Arc::clone(&events),
            builds: builds::Builds::new(tuning),
            voice,
        });
        app.builds.start(Arc::clone(&app))?;
        app.builds.refresh(&app);
        let server = match guide_web::Server::start(
            server::config(SocketAddr::new(opts.host, opts.port)),
            server::router(Arc::clone(&app)),
        ) {
            Ok(s) => s,
            Err(e) => {
                app.builds.stop();
                return Err(e.to_string());
            }
        };
        let watch = if opts.watch {
            match watch::Watch::start(&opts.root, Arc::clone(&app)) {
                Ok(w) => Some(w),
                Err(e) => {
                    server.stop();
                    app.builds.stop();
                    return Err(e);
                }
            }
        } else {
            None
        };
        Ok(Preview { app, server, watch })
    }

    /// Waits until every campaign's current source is checked (or past its budget), at most
    /// `timeout`; whether it is.
    pub fn wait_settled(&self, timeout: Duration) -> bool {
        wait(timeout, || self.app.builds.settled())
    }

    /// Waits until every campaign is checked and analysed (or past its budget), at most
    /// `timeout`; whether it is.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        wait(timeout, || self.app.builds.idle())
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The page's address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr())
    }

    /// Connections open now (for tests).
    pub fn connections(&self) -> usize {
        self.server.connections()
    }

    /// Connections open now from one client address (for tests).
    pub fn connections_from(&self, address: IpAddr) -> usize {
        self.server.connections_from(address)
    }

    /// The shared state (for tests and the command line).
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Rereads the folder now, as a saved file would.
    pub fn reload(&self) {
        watch::reload(&self.app);
    }

    /// Stops serving and watching.
    pub fn stop(self) {
        if let Some(w) = self.watch {
            w.stop();
        }
        self.app.builds.stop();
        self.app.events.stop();
        self.server.stop();
    }
}

fn wait(timeout: Duration, done: impl Fn() -> bool) -> bool {
    let until = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
