//! The HTTP side: a small HTTP/1.1 server of its own, one request per connection, with a bound
//! on everything a client controls, security headers, and one log line per request (method,
//! path, status: never a body, so never recipient data).
//!
//! Each connection gets a thread, up to [`MAX_CONNECTIONS`] at once; past that a connection is
//! answered `503` at once and closed, so a flood of clients cannot exhaust threads or memory. A
//! client has [`REQUEST_TIMEOUT`] to send its whole request (head and body): one that sends
//! nothing, or a byte at a time, gets `408` and its connection closed, and meanwhile holds only
//! its own thread, never another client's. The head is at most [`MAX_HEAD`] bytes (`431`), the
//! body [`MAX_BODY`] (`413`); anything that is not well-formed HTTP/1.x gets `400` and a close.
//! Responses and events are written with [`WRITE_TIMEOUT`], so a client that stops reading is
//! dropped rather than blocking the server.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::events::Events;
use super::routes::{self, Reply};
use super::App;

/// Longest accepted request target (path and query), in bytes.
pub const MAX_URL: usize = 2048;
/// Largest accepted request body, in bytes (a recipient record is a few hundred).
pub const MAX_BODY: usize = 256 * 1024;
/// Largest accepted request head (request line and headers), in bytes.
pub const MAX_HEAD: usize = 16 * 1024;
/// Most headers accepted in a request.
pub const MAX_HEADERS: usize = 64;
/// Connections served at once (event streams handed to [`Events`] do not count).
pub const MAX_CONNECTIONS: usize = 128;
/// Time a client has to send its whole request, head and body.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a write to a client may block (a response, or an event to an open page).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// The headers every response carries: the page loads nothing from elsewhere and runs no inline
/// script, so even a value that escaped escaping could not run.
const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
];

/// A request as the routes see it: decoded path, query, body.
#[derive(Debug)]
pub struct Req {
    /// `GET`, `POST`...
    pub method: String,
    /// The percent-decoded path, without the query.
    pub path: String,
    /// The body (empty for GET).
    pub body: Vec<u8>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
}

/// A complete response.
#[derive(Debug)]
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

impl Resp {
    /// A response with a body.
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Resp {
        Resp {
            status,
            content_type,
            body: body.into(),
        }
    }

    /// A JSON response.
    pub fn json(status: u16, value: &serde_json::Value) -> Resp {
        Resp::new(status, "application/json; charset=utf-8", value.to_string())
    }

    /// A plain-text error.
    pub fn text(status: u16, message: &str) -> Resp {
        Resp::new(status, "text/plain; charset=utf-8", message.to_string())
    }
}

/// The running HTTP server.
pub struct Server {
    acceptor: Option<JoinHandle<()>>,
    stopping: Arc<AtomicBool>,
    active: Arc<AtomicUsize>,
    addr: SocketAddr,
}

/// A connection's place among the [`MAX_CONNECTIONS`]: given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Server {
    /// Binds and starts accepting connections.
    pub fn start(bind: SocketAddr, app: Arc<App>, events: Arc<Events>) -> Result<Server, String> {
        let listener =
            TcpListener::bind(bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        let stopping = Arc::new(AtomicBool::new(false));
        let active = Arc::new(AtomicUsize::new(0));
        let loopback = addr.ip().is_loopback();
        let acceptor = {
            let stopping = Arc::clone(&stopping);
            let active = Arc::clone(&active);
            std::thread::Builder::new()
                .name("preview-accept".into())
                .spawn(move || {
                    for conn in listener.incoming() {
                        if stopping.load(Ordering::SeqCst) {
                            break;
                        }
                        let stream = match conn {
                            Ok(s) => s,
                            // Out of file descriptors, a connection reset before it was
                            // accepted...: wait a little and go on listening.
                            Err(_) => {
                                std::thread::sleep(Duration::from_millis(20));
                                continue;
                            }
                        };
                        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                            active.fetch_sub(1, Ordering::SeqCst);
                            refuse(stream);
                            continue;
                        }
                        let slot = Slot(Arc::clone(&active));
                        let app = Arc::clone(&app);
                        let events = Arc::clone(&events);
                        // If no thread can be started, the closure (and the slot) is dropped
                        // and the connection closed.
                        let _ = std::thread::Builder::new()
                            .name("preview-http".into())
                            .spawn(move || {
                                let _slot = slot;
                                serve(stream, &app, &events, addr, loopback);
                            });
                    }
                })
                .map_err(|e| format!("cannot start a thread: {e}"))?
        };
        Ok(Server {
            acceptor: Some(acceptor),
            stopping,
            active,
            addr,
        })
    }

    /// The address actually bound (the port chosen when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections being served now.
    pub fn active(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    /// Stops accepting connections and waits (a little) for those being served.
    pub fn stop(mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor with a connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        if TcpStream::connect_timeout(&wake, Duration::from_secs(1)).is_ok() {
            if let Some(a) = self.acceptor.take() {
                let _ = a.join();
            }
        }
        let until = Instant::now() + Duration::from_secs(2);
        while self.active() > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Answers a connection over [`MAX_CONNECTIONS`] without waiting for it.
fn refuse(stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let body = "the preview is busy: try again";
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut s = &stream;
    let _ = s.write_all(head.as_bytes());
    let _ = stream.shutdown(Shutdown::Both);
    log("-", "-", 503, Instant::now());
}

/// A request as read from the connection, before the routes' checks.
#[derive(Debug)]
struct Raw {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request was not read: an answer to send, or nothing (the client went away).
enum Unread {
    Answer(Resp),
    Gone,
}

/// Reads from `stream` into `buf`, waiting at most until `deadline`.
fn read_some(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> Result<usize, Unread> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Unread::Answer(Resp::text(408, "request timeout")));
    }
    let _ = stream.set_read_timeout(Some(left.max(Duration::from_millis(1))));
    loop {
        match stream.read(buf) {
            Ok(0) => return Err(Unread::Gone),
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(Unread::Answer(Resp::text(408, "request timeout")))
            }
            Err(_) => return Err(Unread::Gone),
        }
    }
}

/// The end of the head in `buf`: (where the head ends, where the body starts).
fn head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let crlf = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4));
    let lf = buf
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn bad(message: &str) -> Unread {
    Unread::Answer(Resp::text(400, message))
}

/// Parses a request head (without its blank line).
fn parse_head(head: &[u8]) -> Result<Raw, Unread> {
    let head = std::str::from_utf8(head).map_err(|_| bad("the request head is not text"))?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let first = lines.next().unwrap_or("");
    let mut parts = first.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) || target.is_empty() {
        return Err(bad("malformed request line"));
    }
    match version {
        "HTTP/1.1" | "HTTP/1.0" => {}
        v if v.starts_with("HTTP/") => {
            return Err(Unread::Answer(Resp::text(
                505,
                "this server speaks HTTP/1.0 and HTTP/1.1",
            )))
        }
        _ => return Err(bad("malformed request line")),
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("malformed header"));
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad("malformed header"));
        }
        if headers.len() >= MAX_HEADERS {
            return Err(Unread::Answer(Resp::text(431, "too many headers")));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Raw {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body: Vec::new(),
    })
}

/// Reads one request, head and body, within [`REQUEST_TIMEOUT`] and the size limits.
fn read_request(stream: &mut TcpStream, started: Instant) -> Result<Raw, Unread> {
    let deadline = started + REQUEST_TIMEOUT;
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let (head_len, body_start) = loop {
        if let Some(end) = head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(Unread::Answer(Resp::text(431, "request head too large")));
        }
        let n = read_some(stream, &mut chunk, deadline)?;
        buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
    };
    if head_len > MAX_HEAD {
        return Err(Unread::Answer(Resp::text(431, "request head too large")));
    }
    let mut raw = parse_head(buf.get(..head_len).unwrap_or(&[]))?;
    if raw.target.len() > MAX_URL {
        return Err(Unread::Answer(Resp::text(414, "URI too long")));
    }
    if raw.header("Transfer-Encoding").is_some() {
        return Err(Unread::Answer(Resp::text(
            411,
            "send the body with a Content-Length",
        )));
    }
    let mut lengths = raw
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .map(|(_, v)| v.parse::<usize>());
    let length = match (lengths.next(), lengths.next()) {
        (None, _) => 0,
        (Some(Ok(n)), None) => n,
        _ => return Err(bad("bad Content-Length")),
    };
    if length > MAX_BODY {
        return Err(Unread::Answer(Resp::text(413, "request body too large")));
    }
    if length > 0
        && raw
            .header("Expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let mut body = buf.get(body_start..).unwrap_or(&[]).to_vec();
    while body.len() < length {
        let n = read_some(stream, &mut chunk, deadline)?;
        body.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
    }
    body.truncate(length);
    raw.body = body;
    Ok(raw)
}

/// Whether a `Host` header names this server by a loopback name: pages of other sites that
/// resolve their own name to 127.0.0.1 (DNS rebinding) cannot read the demo data.
fn host_allowed(host: Option<&str>, addr: SocketAddr) -> bool {
    let Some(host) = host else {
        return false;
    };
    let port = addr.port();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host.eq_ignore_ascii_case(&format!("{name}:{port}")))
        || host.eq_ignore_ascii_case(&format!("{}:{port}", addr.ip()))
}

/// Serves one connection: one request, one response, then the connection is closed (an event
/// stream is handed to [`Events`] instead).
fn serve(mut stream: TcpStream, app: &App, events: &Events, addr: SocketAddr, loopback: bool) {
    let started = Instant::now();
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let raw = match read_request(&mut stream, started) {
        Ok(raw) => raw,
        Err(Unread::Gone) => return,
        Err(Unread::Answer(resp)) => {
            let status = resp.status;
            respond(&mut stream, &resp, false);
            log("-", "-", status, started);
            return;
        }
    };
    let method = raw.method.clone();
    let raw_path = raw
        .target
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_string();
    // The path is logged as received, cut short: routes carry campaign folders and asset names,
    // never recipient data (records travel in POST bodies, which are never logged).
    let logged: String = raw_path.chars().take(120).collect();

    let outcome: Result<Req, Resp> = (|| {
        if loopback && !host_allowed(raw.header("Host"), addr) {
            return Err(Resp::text(
                421,
                "this preview answers to 127.0.0.1 and localhost only",
            ));
        }
        let path = percent_decode(&raw_path).ok_or_else(|| Resp::text(400, "bad path"))?;
        Ok(Req {
            method: method.clone(),
            path,
            content_type: raw.header("Content-Type").map(str::to_string),
            body: raw.body,
        })
    })();

    let reply = match outcome {
        Ok(req) => routes::route(app, &req),
        Err(resp) => Reply::Resp(resp),
    };
    match reply {
        Reply::Resp(resp) => {
            respond(&mut stream, &resp, method == "HEAD");
            log(&method, &logged, resp.status, started);
        }
        Reply::Events => {
            let mut head = String::from(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
                 Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
                 Connection: close\r\n\r\n",
            );
            head.push_str("retry: 500\n\n");
            if stream.write_all(head.as_bytes()).is_ok() && stream.flush().is_ok() {
                events.add(Box::new(stream));
            }
            log(&method, &logged, 200, started);
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    }
}

/// Writes a whole response and closes the connection, letting the client read it.
fn respond(stream: &mut TcpStream, resp: &Resp, head_only: bool) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len()
    );
    for (k, v) in SECURITY_HEADERS {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(&resp.body);
    }
    if stream
        .write_all(&out)
        .and_then(|()| stream.flush())
        .is_err()
    {
        return;
    }
    // Closing with unread request bytes would reset the connection and could lose the
    // response: say we are done, then drain briefly what the client still sends.
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let until = Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 4096];
    let mut drained = 0usize;
    while drained <= MAX_BODY && Instant::now() < until {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn log(method: &str, path: &str, status: u16, started: Instant) {
    eprintln!(
        "{method} {path} {status} {}ms",
        started.elapsed().as_millis()
    );
}

/// Decodes `%XX` escapes; `None` for a malformed escape, invalid UTF-8 or a NUL byte.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    if out.contains(&0) {
        return None;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_paths() {
        assert_eq!(percent_decode("/c/naspi").as_deref(), Some("/c/naspi"));
        assert_eq!(percent_decode("/a%20b%2F..").as_deref(), Some("/a b/.."));
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%2"), None);
        assert_eq!(percent_decode("/%00"), None);
        assert_eq!(percent_decode("/%C3%A8").as_deref(), Some("/è"));
        assert_eq!(percent_decode("/%C3"), None);
    }

    #[test]
    fn loopback_hosts() {
        let addr: SocketAddr = "127.0.0.1:4000".parse().expect("addr");
        assert!(host_allowed(Some("127.0.0.1:4000"), addr));
        assert!(host_allowed(Some("localhost:4000"), addr));
        assert!(!host_allowed(Some("evil.example:4000"), addr));
        assert!(!host_allowed(Some("localhost:4001"), addr));
        assert!(!host_allowed(None, addr));
    }
}
