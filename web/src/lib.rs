//! The HTTP layer of guide's servers (the designers' preview, the recipients' server): axum on
//! tokio and hyper 1, with a bound on everything a client controls and fairness between
//! clients, and nothing of the applications themselves.
//!
//! ```text
//! accept ──> admission (total, per address: else 503 + close) ──> hyper HTTP/1.1
//!   (head timeout and size, keep-alive) ──> log ──> security headers ──> Host check
//!   ──> URL length ──> request timeout (408) ──> body limit (413) ──> the application's Router
//! ```
//!
//! A slow or silent client holds a socket, never a thread, and one client address holds at
//! most [`Limits::max_per_address`] sockets: a flood from one address leaves the others served.
//!
//! ```no_run
//! use guide_web::{axum::{routing::get, Router}, Config, Server};
//! let server = Server::start(Config::default(), Router::new().route("/", get(|| async { "ciao" })))?;
//! println!("http://{}/", server.addr());
//! server.stop();
//! # Ok::<(), guide_web::Error>(())
//! ```

#![deny(missing_docs)]

mod admission;
pub mod assets;
mod io;
mod layers;
mod limits;
mod server;

pub use layers::host_allowed;
pub use limits::Limits;
pub use server::{Config, Error, SecurityHeaders, Server};

/// The axum the servers are written with (its version is this crate's).
pub use axum;
/// The tokio the servers run on.
pub use tokio;
