//! guide-web over real sockets on 127.0.0.1 (and 127.0.0.2..4 as other clients: Linux routes
//! all of 127/8 to the loopback interface). Every wait is bounded.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use guide_web::axum::{routing::get, routing::post, Router};
use guide_web::{Config, Limits, SecurityHeaders, Server};

fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "ciao" }))
        .route("/echo", post(|body: String| async move { body }))
        .route(
            "/slow",
            get(|| async {
                guide_web::tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route("/big", get(|| async { vec![b'x'; 32 * 1024 * 1024] }))
}

fn start(limits: Limits) -> Server {
    Server::start(
        Config {
            limits,
            headers: SecurityHeaders {
                content_security_policy: "default-src 'self'".into(),
                cache_control: "no-store".into(),
            },
            worker_threads: 2,
            ..Config::default()
        },
        app(),
    )
    .expect("the server starts")
}

/// A connection to `addr` from the loopback address `from`.
fn connect_from(from: [u8; 4], addr: SocketAddr) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    let local = SocketAddr::from((from, 0));
    s.bind(&local.into()).expect("bind the client address");
    s.connect_timeout(&addr.into(), Duration::from_secs(5))
        .expect("connect");
    s.into()
}

/// Sends `req` and reads until the server closes (or 10 s): the status (0 if none) and text.
fn exchange(mut s: TcpStream, req: &[u8]) -> (u16, String) {
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let _ = s.write_all(req);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn get_from(from: [u8; 4], addr: SocketAddr, path: &str) -> (u16, String) {
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    exchange(connect_from(from, addr), req.as_bytes())
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn serves_with_security_headers_and_checks_the_host() {
    let server = start(Limits::default());
    let addr = server.addr();
    assert_eq!(addr.ip(), IpAddr::from([127, 0, 0, 1]));
    assert_ne!(addr.port(), 0);
    let (status, text) = get_from([127, 0, 0, 1], addr, "/");
    assert_eq!(status, 200, "{text}");
    assert!(text.ends_with("ciao"));
    let lower = text.to_ascii_lowercase();
    for header in [
        "content-security-policy: default-src 'self'; frame-ancestors 'none'",
        "x-content-type-options: nosniff",
        "referrer-policy: no-referrer",
        "x-frame-options: deny",
        "cache-control: no-store",
    ] {
        assert!(lower.contains(header), "{header} missing: {text}");
    }
    assert_eq!(get_from([127, 0, 0, 1], addr, "/nothing").0, 404);
    // DNS rebinding: another name for 127.0.0.1 is refused.
    let (status, text) = exchange(
        connect_from([127, 0, 0, 1], addr),
        b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 421);
    assert!(text
        .to_ascii_lowercase()
        .contains("x-content-type-options: nosniff"));
    let local = format!("localhost:{}", addr.port());
    let (status, _) = exchange(
        connect_from([127, 0, 0, 1], addr),
        format!("GET / HTTP/1.1\r\nHost: {local}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert_eq!(status, 200);
    server.stop();
}

#[test]
fn sizes_are_bounded() {
    let server = start(Limits {
        max_body: 1000,
        max_url: 100,
        max_head: 8 * 1024,
        max_headers: 10,
        ..Limits::default()
    });
    let addr = server.addr();
    let host = format!("Host: {addr}\r\nConnection: close\r\n");
    let post = |body: &str, announced: usize| {
        exchange(
            connect_from([127, 0, 0, 1], addr),
            format!("POST /echo HTTP/1.1\r\n{host}Content-Length: {announced}\r\n\r\n{body}")
                .as_bytes(),
        )
        .0
    };
    assert_eq!(post("hello", 5), 200);
    assert_eq!(post("{", 1001), 413, "announced");
    let chunked = format!(
        "POST /echo HTTP/1.1\r\n{host}Transfer-Encoding: chunked\r\n\r\n7d0\r\n{}\r\n0\r\n\r\n",
        "x".repeat(2000)
    );
    assert_eq!(
        exchange(connect_from([127, 0, 0, 1], addr), chunked.as_bytes()).0,
        413,
        "sent"
    );
    let long = format!("/{}", "a".repeat(200));
    assert_eq!(get_from([127, 0, 0, 1], addr, &long).0, 414);
    let big_head = format!(
        "GET / HTTP/1.1\r\n{host}X-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    assert_eq!(
        exchange(connect_from([127, 0, 0, 1], addr), big_head.as_bytes()).0,
        431
    );
    let many = format!("GET / HTTP/1.1\r\n{host}{}\r\n", "X-A: b\r\n".repeat(20));
    assert_eq!(
        exchange(connect_from([127, 0, 0, 1], addr), many.as_bytes()).0,
        431
    );
    assert_eq!(
        exchange(
            connect_from([127, 0, 0, 1], addr),
            b"\x00\xff garbage\r\n\r\n"
        )
        .0,
        400
    );
    server.stop();
}

#[test]
fn connections_are_limited_per_address_and_in_total() {
    let server = start(Limits {
        max_connections: 4,
        max_per_address: 2,
        ..Limits::default()
    });
    let addr = server.addr();
    let idle_a: Vec<TcpStream> = (0..2).map(|_| connect_from([127, 0, 0, 2], addr)).collect();
    wait_until("two connections from 127.0.0.2", || {
        server.connections_from(IpAddr::from([127, 0, 0, 2])) == 2
    });
    // A third from the same address: 503 at once, with Retry-After.
    let started = Instant::now();
    let (status, text) = get_from([127, 0, 0, 2], addr, "/");
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("Retry-After: 1"));
    assert!(started.elapsed() < Duration::from_secs(2), "not queued");
    // Another address is served meanwhile.
    assert_eq!(get_from([127, 0, 0, 1], addr, "/").0, 200);
    // Its place (and the refused one's) is given back once the server has closed them, which
    // may take a moment on a busy machine: only then do two more fill the server exactly.
    wait_until("the closed connections given back", || {
        server.connections() == 2
    });
    // The total: two more idle from a third address fill the server.
    let idle_b: Vec<TcpStream> = (0..2).map(|_| connect_from([127, 0, 0, 3], addr)).collect();
    wait_until("four connections", || server.connections() == 4);
    assert_eq!(get_from([127, 0, 0, 4], addr, "/").0, 503);
    drop(idle_a);
    drop(idle_b);
    wait_until("the places given back", || server.connections() == 0);
    assert_eq!(get_from([127, 0, 0, 4], addr, "/").0, 200);
    server.stop();
}

#[test]
fn slow_clients_are_timed_out() {
    let server = start(Limits {
        header_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(300),
        ..Limits::default()
    });
    let addr = server.addr();
    // Silent: closed after the head timeout.
    let started = Instant::now();
    let (status, _) = exchange(connect_from([127, 0, 0, 1], addr), b"");
    assert_eq!(status, 0);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    // A head that never ends: the same.
    let (status, _) = exchange(
        connect_from([127, 0, 0, 1], addr),
        b"GET / HTTP/1.1\r\nHost: ",
    );
    assert_eq!(status, 0);
    // An idle keep-alive connection: closed once the next head is late.
    let mut s = connect_from([127, 0, 0, 1], addr);
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .expect("send");
    let idle_from = Instant::now();
    let mut seen = Vec::new();
    let _ = s.read_to_end(&mut seen);
    let seen = String::from_utf8_lossy(&seen);
    assert!(
        seen.starts_with("HTTP/1.1 200") && seen.ends_with("ciao"),
        "{seen}"
    );
    assert!(
        idle_from.elapsed() < Duration::from_secs(5),
        "kept idle for ever"
    );
    // A body that never comes: 408.
    let req = format!("POST /echo HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 10\r\n\r\nab");
    assert_eq!(
        exchange(connect_from([127, 0, 0, 1], addr), req.as_bytes()).0,
        408
    );
    // A handler that takes too long: 408.
    assert_eq!(get_from([127, 0, 0, 1], addr, "/slow").0, 408);
    wait_until("every connection closed", || server.connections() == 0);
    server.stop();
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = start(Limits::default());
    let addr = server.addr();
    let mut s = connect_from([127, 0, 0, 1], addr);
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    for _ in 0..3 {
        s.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .expect("send");
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        while !seen.ends_with("ciao") {
            let n = s.read(&mut buf).expect("read");
            assert!(n > 0, "closed: {seen}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    }
    assert_eq!(server.connections(), 1);
    server.stop();
}

#[test]
fn a_client_that_stops_reading_is_dropped() {
    let server = start(Limits {
        write_timeout: Duration::from_millis(300),
        ..Limits::default()
    });
    let addr = server.addr();
    let mut s = connect_from([127, 0, 0, 1], addr);
    s.write_all(format!("GET /big HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .expect("send");
    wait_until("the connection to be open", || server.connections() == 1);
    // Never read: the server's writes stall and it gives the connection up.
    wait_until("the stalled connection to be dropped", || {
        server.connections() == 0
    });
    drop(s);
    server.stop();
}

#[test]
fn stop_closes_the_port() {
    let server = start(Limits::default());
    let addr = server.addr();
    let idle = connect_from([127, 0, 0, 1], addr);
    let started = Instant::now();
    server.stop();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
    drop(idle);
}
