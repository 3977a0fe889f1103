//! What every request goes through before the application: a log line, the security headers,
//! the `Host` check, the size and time limits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::{Config, SecurityHeaders};

/// The headers every response carries, ready to insert.
#[derive(Debug, Clone)]
struct Headers {
    csp: HeaderValue,
    cache_control: HeaderValue,
}

impl Headers {
    fn new(h: &SecurityHeaders) -> Result<Headers, String> {
        let csp = if h.content_security_policy.contains("frame-ancestors") {
            h.content_security_policy.clone()
        } else {
            format!(
                "{}; frame-ancestors 'none'",
                h.content_security_policy.trim_end_matches([';', ' '])
            )
        };
        Ok(Headers {
            csp: HeaderValue::from_str(&csp)
                .map_err(|e| format!("bad Content-Security-Policy: {e}"))?,
            cache_control: HeaderValue::from_str(&h.cache_control)
                .map_err(|e| format!("bad Cache-Control: {e}"))?,
        })
    }
}

/// Wraps `app` in the layers `config` asks for, for a server bound to `addr`.
pub(crate) fn wrap(app: Router, config: &Config, addr: SocketAddr) -> Result<Router, String> {
    let limits = &config.limits;
    let headers = Arc::new(Headers::new(&config.headers)?);
    // Layers run outermost last-added: the log sees the final status, every answer (a refused
    // Host, a timeout, a body too large) carries the security headers.
    let mut app = app
        .layer(RequestBodyLimitLayer::new(limits.max_body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(limits.max_url, url_length));
    if config.check_host && addr.ip().is_loopback() {
        app = app.layer(middleware::from_fn_with_state(addr, host_check));
    }
    app = app.layer(middleware::from_fn_with_state(headers, security_headers));
    if config.log_requests {
        app = app.layer(middleware::from_fn(log));
    }
    Ok(app)
}

async fn url_length(State(max): State<usize>, req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if len > max {
        return (StatusCode::URI_TOO_LONG, "URI too long").into_response();
    }
    next.run(req).await
}

/// Whether a `Host` header names a server bound to the loopback address `addr` by a loopback
/// name: pages of other sites that resolve their own name to 127.0.0.1 (DNS rebinding) cannot
/// read what the server answers.
pub fn host_allowed(host: Option<&str>, addr: SocketAddr) -> bool {
    let Some(host) = host else {
        return false;
    };
    let port = addr.port();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host.eq_ignore_ascii_case(&format!("{name}:{port}")))
        || host.eq_ignore_ascii_case(&addr.to_string())
}

async fn host_check(State(addr): State<SocketAddr>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if !host_allowed(host, addr) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers to 127.0.0.1 and localhost only",
        )
            .into_response();
    }
    next.run(req).await
}

async fn security_headers(State(h): State<Arc<Headers>>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, h.csp.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, h.cache_control.clone());
    }
    resp
}

/// One line per request on standard error: method, path (cut short), status, time. Never a
/// query, a header or a body.
async fn log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path: String = req.uri().path().chars().take(120).collect();
    let resp = next.run(req).await;
    eprintln!(
        "{method} {path} {} {}ms",
        resp.status().as_u16(),
        started.elapsed().as_millis()
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        let addr: SocketAddr = "127.0.0.1:4000".parse().expect("addr");
        assert!(host_allowed(Some("127.0.0.1:4000"), addr));
        assert!(host_allowed(Some("localhost:4000"), addr));
        assert!(host_allowed(Some("LOCALHOST:4000"), addr));
        assert!(!host_allowed(Some("evil.example:4000"), addr));
        assert!(!host_allowed(Some("localhost:4001"), addr));
        assert!(!host_allowed(Some("localhost"), addr));
        assert!(!host_allowed(None, addr));
    }

    #[test]
    fn frame_ancestors_is_always_in_the_policy() {
        let h = Headers::new(&SecurityHeaders {
            content_security_policy: "default-src 'self';".into(),
            cache_control: "no-store".into(),
        })
        .expect("headers");
        assert_eq!(h.csp, "default-src 'self'; frame-ancestors 'none'");
    }
}
