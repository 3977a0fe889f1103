//! The HTTP side: the preview's routes served by [`guide_web`] (axum on tokio), with the
//! preview's limits, its Content-Security-Policy and one log line per request (method, path,
//! status: never a body, so never recipient data).
//!
//! guide-web bounds everything a client controls: at most [`MAX_CONNECTIONS`] connections, at
//! most [`MAX_PER_ADDRESS`] from one client address (past either, `503` at once and closed); a
//! client has [`REQUEST_TIMEOUT`] to send its request head (else its connection is closed) and
//! as long again for its body (else `408`); the head is at most [`MAX_HEAD`] bytes (`431`), the
//! body [`MAX_BODY`] (`413`), the target [`MAX_URL`] (`414`); a client that stops reading is
//! dropped after [`WRITE_TIMEOUT`]. A slow client holds a socket, never a thread. The routes
//! themselves read the workspace and run campaigns: they run on tokio's blocking threads.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use guide_web::axum::body::Bytes;
use guide_web::axum::extract::State;
use guide_web::axum::http::header::{self, HeaderMap, HeaderValue};
use guide_web::axum::http::{Method, StatusCode, Uri};
use guide_web::axum::response::{IntoResponse, Response};
use guide_web::axum::Router;
use guide_web::{Config, Limits, SecurityHeaders};

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
/// Connections open at once, event streams included.
pub const MAX_CONNECTIONS: usize = 128;
/// Connections open at once from one client address: a browser opens six or so per page.
pub const MAX_PER_ADDRESS: usize = 64;
/// Time a client has to send its request head, and then its body.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a write to a client may make no progress (a response, or an event to an open page).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// The page loads nothing from elsewhere and runs no inline script, so even a value that
/// escaped escaping could not run.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; media-src 'self' blob:; font-src 'self'; \
    connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The preview's bounds.
pub fn limits() -> Limits {
    Limits {
        max_connections: MAX_CONNECTIONS,
        max_per_address: MAX_PER_ADDRESS,
        header_timeout: REQUEST_TIMEOUT,
        request_timeout: REQUEST_TIMEOUT,
        write_timeout: WRITE_TIMEOUT,
        max_head: MAX_HEAD,
        max_headers: MAX_HEADERS,
        max_url: MAX_URL,
        max_body: MAX_BODY,
        ..Limits::default()
    }
}

/// How the preview is served on `addr`: its limits, its policy, a log line per request, and
/// the `Host` check on a loopback address.
pub fn config(addr: SocketAddr) -> Config {
    Config {
        addr,
        limits: limits(),
        headers: SecurityHeaders {
            content_security_policy: CONTENT_SECURITY_POLICY.into(),
            cache_control: "no-store".into(),
        },
        check_host: true,
        log_requests: true,
        worker_threads: 2,
        thread_name: "preview-http".into(),
    }
}

/// Every address of the preview (see [`routes`]).
pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(dispatch).with_state(app)
}

/// A request as the routes see it: decoded path, headers, body.
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
    /// Every header (for `If-None-Match`).
    pub headers: HeaderMap,
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

impl IntoResponse for Resp {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, self.body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        resp
    }
}

/// Every request: the routes run on a blocking thread (they take the workspace's lock and run
/// campaigns); an event stream is answered here.
async fn dispatch(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(path) = percent_decode(uri.path()) else {
        return Resp::text(400, "bad path").into_response();
    };
    let req = Req {
        method: method.as_str().to_string(),
        path,
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        headers,
        body: body.to_vec(),
    };
    let routed = {
        let app = Arc::clone(&app);
        guide_web::tokio::task::spawn_blocking(move || routes::route(&app, &req)).await
    };
    match routed {
        Ok(Reply::Resp(resp)) => resp.into_response(),
        Ok(Reply::Http(resp)) => resp,
        Ok(Reply::Events) => match app.events.subscribe() {
            Some(sse) => sse.into_response(),
            None => Resp::text(503, "the preview is stopping").into_response(),
        },
        Err(_) => Resp::text(500, "the request failed").into_response(),
    }
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
    fn the_limits_are_the_preview_s() {
        let l = limits();
        assert_eq!(
            (l.max_body, l.max_head, l.max_url),
            (MAX_BODY, MAX_HEAD, MAX_URL)
        );
        assert!(
            l.max_per_address < l.max_connections,
            "one client cannot take every place"
        );
    }
}
