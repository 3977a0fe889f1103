//! The bounds a server puts on what its clients control.

use std::time::Duration;

/// Every bound of a server, with defaults fit for a public service on a small machine.
///
/// A slow or silent client holds a socket, never a thread: with async I/O the cost of a
/// connection is a few kilobytes, and [`Limits::max_per_address`] bounds how many one client
/// address may hold, [`Limits::max_connections`] how many all of them may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, from every address together (default 1024). A connection past
    /// it is answered `503` with `Retry-After` and closed at once; it is never queued.
    pub max_connections: usize,
    /// Connections open at once from one client address (default 64; an IPv6 address counts
    /// by its /64 network). Past it, as past [`Limits::max_connections`]: `503` and closed. Behind a reverse proxy every client has the
    /// proxy's address: raise it there (or leave fairness to the proxy).
    pub max_per_address: usize,
    /// Time a client has to send a request head, from the moment the server waits for one
    /// (default 10 s). It bounds a silent new connection and an idle keep-alive connection
    /// alike: past it the connection is closed.
    pub header_timeout: Duration,
    /// Time from a request's head to its response's head, reading the body included
    /// (default 10 s): past it the client gets `408` and the connection is closed.
    pub request_timeout: Duration,
    /// Time a write to the client may make no progress (default 5 s): a client that stops
    /// reading its response, or an event stream, is dropped.
    pub write_timeout: Duration,
    /// Largest request head, request line and headers, in bytes (default 16 KiB, at least
    /// 8 KiB): past it `431`.
    pub max_head: usize,
    /// Most headers in a request (default 64): past it `431`.
    pub max_headers: usize,
    /// Longest request target, path and query, in bytes (default 2048): past it `414`.
    pub max_url: usize,
    /// Largest request body, in bytes (default 256 KiB): past it `413`, whether the length is
    /// announced or only sent.
    pub max_body: usize,
    /// Time [`crate::Server::stop`] lets open requests finish before closing them (default 2 s).
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 1024,
            max_per_address: 64,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(5),
            max_head: 16 * 1024,
            max_headers: 64,
            max_url: 2048,
            max_body: 256 * 1024,
            shutdown_grace: Duration::from_secs(2),
        }
    }
}

/// hyper's smallest read buffer: a head limit below it cannot be enforced.
pub(crate) const MIN_HEAD: usize = 8 * 1024;
