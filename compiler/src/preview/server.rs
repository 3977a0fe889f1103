//! The HTTP side: a tiny_http server, a few worker threads, request limits, security headers and
//! one log line per request (method, path, status: never a body, so never recipient data).

use std::io::Read;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use super::events::Events;
use super::routes::{self, Reply};
use super::App;

/// Longest accepted request target (path and query), in bytes.
pub const MAX_URL: usize = 2048;
/// Largest accepted request body, in bytes (a recipient record is a few hundred).
pub const MAX_BODY: usize = 256 * 1024;
/// Worker threads answering requests (event streams are handed to [`Events`] and hold none).
const WORKERS: usize = 4;

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
    http: Arc<tiny_http::Server>,
    workers: Vec<JoinHandle<()>>,
    stopping: Arc<AtomicBool>,
    addr: SocketAddr,
}

impl Server {
    /// Binds and starts the workers.
    pub fn start(bind: SocketAddr, app: Arc<App>, events: Arc<Events>) -> Result<Server, String> {
        let http =
            tiny_http::Server::http(bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        let addr = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| format!("cannot listen on {bind}: not an IP address"))?;
        let http = Arc::new(http);
        let stopping = Arc::new(AtomicBool::new(false));
        let loopback = addr.ip().is_loopback();
        let workers = (0..WORKERS)
            .map(|i| {
                let http = Arc::clone(&http);
                let app = Arc::clone(&app);
                let events = Arc::clone(&events);
                let stopping = Arc::clone(&stopping);
                std::thread::Builder::new()
                    .name(format!("preview-http-{i}"))
                    .spawn(move || {
                        while !stopping.load(Ordering::SeqCst) {
                            match http.recv() {
                                Ok(rq) => handle(rq, &app, &events, addr, loopback),
                                Err(_) => break,
                            }
                        }
                    })
                    .map_err(|e| format!("cannot start a thread: {e}"))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Server {
            http,
            workers,
            stopping,
            addr,
        })
    }

    /// The address actually bound (the port chosen when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting requests and waits for the workers.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        for _ in &self.workers {
            self.http.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

fn header(rq: &tiny_http::Request, name: &'static str) -> Option<String> {
    rq.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
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

fn handle(
    mut rq: tiny_http::Request,
    app: &App,
    events: &Events,
    addr: SocketAddr,
    loopback: bool,
) {
    let started = Instant::now();
    let method = rq.method().as_str().to_string();
    let url = rq.url().to_string();
    let raw_path = url.split(['?', '#']).next().unwrap_or("").to_string();
    // The path is logged as received, cut short: routes carry campaign folders and asset names,
    // never recipient data (records travel in POST bodies, which are never logged).
    let logged: String = raw_path.chars().take(120).collect();

    let outcome: Result<Req, Resp> = (|| {
        if url.len() > MAX_URL {
            return Err(Resp::text(414, "URI too long"));
        }
        if loopback && !host_allowed(header(&rq, "Host").as_deref(), addr) {
            return Err(Resp::text(
                421,
                "this preview answers to 127.0.0.1 and localhost only",
            ));
        }
        let path = percent_decode(&raw_path).ok_or_else(|| Resp::text(400, "bad path"))?;
        let mut body = Vec::new();
        if method == "POST" {
            if rq.body_length().is_some_and(|n| n > MAX_BODY) {
                return Err(Resp::text(413, "request body too large"));
            }
            let limit = u64::try_from(MAX_BODY + 1).unwrap_or(u64::MAX);
            rq.as_reader()
                .take(limit)
                .read_to_end(&mut body)
                .map_err(|_| Resp::text(400, "cannot read the request body"))?;
            if body.len() > MAX_BODY {
                return Err(Resp::text(413, "request body too large"));
            }
        }
        Ok(Req {
            method: method.clone(),
            path,
            body,
            content_type: header(&rq, "Content-Type"),
        })
    })();

    let reply = match outcome {
        Ok(req) => routes::route(app, &req),
        Err(resp) => Reply::Resp(resp),
    };
    match reply {
        Reply::Resp(resp) => {
            let status = resp.status;
            let mut response = tiny_http::Response::from_data(resp.body).with_status_code(status);
            for (k, v) in
                std::iter::once(&("Content-Type", resp.content_type)).chain(SECURITY_HEADERS)
            {
                if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                    response.add_header(h);
                }
            }
            let _ = rq.respond(response);
            log(&method, &logged, status, started);
        }
        Reply::Events => {
            let mut writer = rq.into_writer();
            let mut head = String::from(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
                 Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
                 Connection: close\r\n\r\n",
            );
            head.push_str("retry: 500\n\n");
            use std::io::Write;
            if writer.write_all(head.as_bytes()).is_ok() && writer.flush().is_ok() {
                events.add(writer);
            }
            log(&method, &logged, 200, started);
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
