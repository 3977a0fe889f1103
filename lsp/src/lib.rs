//! The language server of the `.guide` language, started by `guide lsp` (JSON-RPC over stdio,
//! built on rust-analyzer's `lsp-server` and `lsp-types`).
//!
//! It reads a campaign as `guide check` does, through [`guide_compiler::compile()`], with the open
//! documents injected through the compiler's `project::Reader` in place of the files on disk.
//! It gives diagnostics as you type (debounced, the same codes, messages and help as `guide
//! check`, analysis warnings included), hover, completion, go to definition, the outline of a
//! file, renaming of scenes, pop-ups and services across files, and formatting.
//!
//! [`Server`] holds the state and answers each message as plain data, so that tests (and the
//! prefix fuzzing of half-typed files) drive it without a client; [`run`] is the loop over a
//! connection.

mod complete;
mod diagnostics;
mod format;
mod hover;
mod lookup;
mod navigate;
mod server;
mod text;
mod workspace;
mod world;

pub use server::{capabilities, Server};

use lsp_server::{Connection, Message};
use std::fmt;
use std::time::{Duration, Instant};

/// Why the server stopped short.
#[derive(Debug)]
pub enum Error {
    /// The client broke the protocol (or went away during the handshake).
    Protocol(lsp_server::ProtocolError),
    /// A message could not be sent: the client went away.
    Disconnected,
    /// The capabilities could not be written.
    Json(serde_json::Error),
    /// The stdio threads failed.
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Protocol(e) => write!(f, "language server protocol error: {e}"),
            Error::Disconnected => f.write_str("the editor closed the connection"),
            Error::Json(e) => write!(f, "cannot write a message: {e}"),
            Error::Io(e) => write!(f, "language server I/O error: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<lsp_server::ProtocolError> for Error {
    fn from(e: lsp_server::ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

/// Serves the editor on stdin and stdout until it says `exit`.
pub fn run_stdio() -> Result<(), Error> {
    let (connection, threads) = Connection::stdio();
    run(&connection)?;
    drop(connection);
    threads.join().map_err(Error::Io)
}

/// How long diagnostics wait after the last keystroke.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// Serves one connection: the handshake, then every message until `shutdown` and `exit`.
pub fn run(connection: &Connection) -> Result<(), Error> {
    let caps = serde_json::to_value(capabilities()).map_err(Error::Json)?;
    let params = connection.initialize(caps)?;
    let mut server = Server::default();
    server.initialize(&params);
    loop {
        let wait = server
            .next_deadline()
            .map_or(Duration::from_secs(3600), |d| {
                d.saturating_duration_since(Instant::now())
            });
        match connection.receiver.recv_timeout(wait) {
            Ok(Message::Request(req)) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                let response = server.request(req);
                connection
                    .sender
                    .send(Message::Response(response))
                    .map_err(|_| Error::Disconnected)?;
            }
            Ok(Message::Notification(n)) => {
                if n.method == "exit" {
                    return Ok(());
                }
                server.notify(n, Instant::now());
            }
            Ok(Message::Response(_)) => {}
            Err(e) if e.is_timeout() => {}
            Err(_) => return Ok(()),
        }
        for n in server.due(Instant::now()) {
            connection
                .sender
                .send(Message::Notification(n))
                .map_err(|_| Error::Disconnected)?;
        }
    }
}
