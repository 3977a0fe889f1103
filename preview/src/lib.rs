//! `guide preview`: a local web server where a designer sees every campaign under a folder play
//! as a recipient would, for any recipient, and sees it change as soon as a file is saved.
//!
//! ```text
//! notify ──> watch ──> Workspace::refresh ──> events (SSE) ──> open pages refetch
//!                          │ (check + build, last good kept)    ▲
//!                          └──> analyser (variants, background) ┘
//! guide-web (axum) ──> server ──> routes ──> engine (runtime) + explain (IR) ──> JSON / pages
//! ```
//!
//! The HTTP side runs on [`guide_web`] (axum on tokio, two threads of its own); the routes run
//! on its blocking threads; watching and analysing are threads of their own. Every asset is embedded ([`assets`]); the page loads nothing
//! from the network. Recipient values reach the page as JSON and are written into it as text
//! only; the log carries methods, paths and statuses, never a body.

pub mod analyser;
pub mod assets;
pub mod engine;
pub mod events;
pub mod explain;
pub mod form;
pub mod routes;
pub mod server;
pub mod watch;
pub mod workspace;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use events::Events;
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
    /// The campaigns.
    pub workspace: RwLock<Workspace>,
    /// The page templates.
    pub templates: assets::Templates,
    /// The open event streams.
    pub events: Arc<Events>,
    /// Computes the variants of each new build in the background.
    pub analyser: analyser::Analyser,
}

/// A running preview.
pub struct Preview {
    app: Arc<App>,
    server: guide_web::Server,
    watch: Option<watch::Watch>,
}

impl Preview {
    /// Reads and compiles every campaign, then starts serving (and watching).
    pub fn start(opts: &Options) -> Result<Preview, String> {
        let mut ws = Workspace::new(&opts.root)?;
        ws.refresh();
        let events = Arc::new(Events::default());
        let app = Arc::new(App {
            workspace: RwLock::new(ws),
            templates: assets::Templates::new()?,
            events: Arc::clone(&events),
            analyser: analyser::Analyser::default(),
        });
        app.analyser.start(Arc::clone(&app));
        if let Ok(ws) = app.workspace.read() {
            let slugs: Vec<String> = ws.campaigns().iter().map(|c| c.slug.clone()).collect();
            app.analyser.queue(slugs.iter().map(String::as_str));
        }
        let server = match guide_web::Server::start(
            server::config(SocketAddr::new(opts.host, opts.port)),
            server::router(Arc::clone(&app)),
        ) {
            Ok(s) => s,
            Err(e) => {
                app.analyser.stop();
                return Err(e.to_string());
            }
        };
        let watch = if opts.watch {
            match watch::Watch::start(&opts.root, Arc::clone(&app)) {
                Ok(w) => Some(w),
                Err(e) => {
                    server.stop();
                    app.analyser.stop();
                    return Err(e);
                }
            }
        } else {
            None
        };
        Ok(Preview { app, server, watch })
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
        self.app.analyser.stop();
        self.app.events.stop();
        self.server.stop();
    }
}
