//! What the tests of slow compilations share: a plain HTTP/1.1 client with generous timeouts
//! (failure guards only) and polling of a campaign's state.

#![allow(dead_code)] // each test file uses its own part

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The longest any single request may take: a guard, far above what a request needs.
pub const REQUEST_GUARD: Duration = Duration::from_secs(20);
/// The longest a state may take to come: a guard.
pub const STATE_GUARD: Duration = Duration::from_secs(180);

/// Sends one request and reads the status and the JSON body (the server closes).
pub fn request(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(REQUEST_GUARD)).expect("timeout");
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if method == "POST" {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(&body);
    s.write_all(req.as_bytes()).expect("send");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)
        .unwrap_or_else(|e| panic!("no answer to {method} {path}: {e}"));
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let json = serde_json::from_slice(&buf[split + 4..]).unwrap_or(Value::Null);
    (status, json)
}

/// `GET /api/state/SLUG`.
pub fn state(addr: SocketAddr, slug: &str) -> Value {
    let (status, json) = request(addr, "GET", &format!("/api/state/{slug}"), None);
    assert_eq!(status, 200, "{json}");
    json
}

/// Evaluates a demo recipient of a campaign.
pub fn evaluate_demo(addr: SocketAddr, root: &std::path::Path, slug: &str, name: &str) -> Value {
    let text = std::fs::read_to_string(root.join(slug).join("demo").join(format!("{name}.json")))
        .expect("demo recipient");
    let record: Value = serde_json::from_str(&text).expect("demo JSON");
    let (status, json) = request(
        addr,
        "POST",
        &format!("/api/evaluate/{slug}"),
        Some(&json!({ "record": record })),
    );
    assert_eq!(status, 200, "{json}");
    json
}

/// Polls a campaign's state until `done` holds (or the guard runs out: a failure).
pub fn wait_state(
    addr: SocketAddr,
    slug: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + STATE_GUARD;
    loop {
        let s = state(addr, slug);
        if done(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The messages of a state's diagnostics, joined.
pub fn messages(state: &Value) -> String {
    state["diagnostics"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|x| x["message"].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Whether a state reports a compilation past its budget.
pub fn too_slow(state: &Value) -> bool {
    messages(state).contains("the compilation took longer than")
}

/// A campaign that keeps today's parser busy for minutes: a header, 30 nested `if a {`, an
/// ending (after the parser is made linear it is just a campaign with syntax errors).
pub fn pathological(id: &str) -> String {
    let mut s = format!("campaign {id} {{\n    title \"Lenta\"\n}}\n\n");
    for _ in 0..30 {
        s.push_str("if a {\n");
    }
    s.push_str("ending {\n    text \"Fine\"\n}\n");
    s
}
