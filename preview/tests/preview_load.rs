//! `guide preview` under load and abuse, on an ephemeral loopback port: concurrent clients while a
//! campaign file is rewritten, slow clients that send nothing or a byte at a time, oversized and
//! malformed requests, path traversal, a flood of idle connections, and one client address
//! (127.0.0.2, bound before connecting) flooding while clients from 127.0.0.1 are served. Every
//! loop is bounded in count and time; only the server on 127.0.0.1 is contacted.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guide_preview::server::{
    MAX_BODY, MAX_CONNECTIONS, MAX_HEAD, MAX_PER_ADDRESS, REQUEST_TIMEOUT,
};
use serde_json::json;

/// The whole load test must end within this.
const DEADLINE: Duration = Duration::from_secs(30);

mod common;
use common::{start, TempCampaigns};

/// A connection to `addr` from the loopback address `from` (Linux routes all of 127/8 to the
/// loopback interface, so 127.0.0.2 is another client of a server on 127.0.0.1).
pub fn connect_from(from: [u8; 4], addr: std::net::SocketAddr) -> std::net::TcpStream {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    let local = std::net::SocketAddr::from((from, 0));
    s.bind(&local.into()).expect("bind the client address");
    s.connect_timeout(&addr.into(), std::time::Duration::from_secs(5))
        .expect("connect");
    s.into()
}

/// Sends `request`, reads until the server closes; `None` when the connection fails. The status
/// is 0 when the server closed without answering.
fn send(addr: SocketAddr, request: &[u8]) -> Option<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(20))).ok()?;
    // The server may answer (and close) before it has read everything we send.
    let _ = s.write_all(request);
    let buf = read_response(&mut s);
    Some((status_of(&buf), buf))
}

/// Reads one response: its head, then as much body as it announces (the connection may stay
/// open for another request), or until the server closes.
fn read_response(s: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head.lines().find_map(|l| {
                l.strip_prefix("content-length:")
                    .and_then(|v| v.trim().parse::<usize>().ok())
            });
            match length {
                Some(n) if buf.len() >= end + 4 + n => return buf,
                _ if head.contains("transfer-encoding: chunked")
                    && buf.ends_with(b"\r\n0\r\n\r\n") =>
                {
                    return buf
                }
                _ => {}
            }
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return buf,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn status_of(buf: &[u8]) -> u16 {
    String::from_utf8_lossy(buf.get(..buf.len().min(64)).unwrap_or(&[]))
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn get(addr: SocketAddr, path: &str) -> u16 {
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    send(addr, req.as_bytes()).map_or(0, |(s, _)| s)
}

fn post(addr: SocketAddr, path: &str, body: &str) -> (u16, String) {
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    send(addr, req.as_bytes()).map_or((0, String::new()), |(s, b)| {
        (s, String::from_utf8_lossy(&b).into_owned())
    })
}

/// Slow clients, each holding a connection until the server gives up on it: some send nothing,
/// some send their head a byte at a time, some send a complete head announcing a body and then
/// the body a byte at a time.
fn slow_clients(
    addr: SocketAddr,
    n: usize,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<u16>> {
    (0..n)
        .map(|i| {
            let stop = Arc::clone(stop);
            std::thread::spawn(move || {
                let Ok(mut s) = TcpStream::connect(addr) else {
                    return 0;
                };
                let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
                let (head, trickle): (String, &[u8]) = match i % 3 {
                    0 => (String::new(), b""),
                    1 => (
                        String::new(),
                        b"GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    ),
                    _ => (
                        format!(
                            "POST /api/evaluate/naspi HTTP/1.1\r\nHost: {addr}\r\n\
                             Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                        ),
                        b"{\"record\": {}} and more bytes that take a very long time to arrive",
                    ),
                };
                if s.write_all(head.as_bytes()).is_err() {
                    return 0;
                }
                let mut sent = 0usize;
                let mut buf = Vec::new();
                let started = Instant::now();
                while !stop.load(Ordering::SeqCst) && started.elapsed() < DEADLINE {
                    if let Some(&byte) = trickle.get(sent) {
                        if s.write_all(&[byte]).is_err() {
                            break;
                        }
                        sent += 1;
                    }
                    let mut chunk = [0u8; 512];
                    match s.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        Err(_) => {}
                    }
                }
                status_of(&buf)
            })
        })
        .collect()
}

#[test]
fn keeps_answering_under_load_while_files_change_and_slow_clients_wait() {
    let tmp = TempCampaigns::new("preview-load", "load");
    let root = tmp.root();
    let p = start(&root);
    let addr = p.addr();
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));

    // Slow clients first: they must not keep anyone else waiting.
    let slow = slow_clients(addr, 16, &stop);

    // A designer saving the campaign over and over.
    let guide = root.join("naspi/naspi.guide");
    let original = std::fs::read_to_string(&guide).expect("naspi.guide");
    let edited = original.replace("La tua NASpI", "La tua NASpI (bozza)");
    assert_ne!(original, edited);
    let writer = {
        let stop = Arc::clone(&stop);
        let guide = guide.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) && n < 100 && started.elapsed() < DEADLINE {
                let text = if n % 2 == 0 { &edited } else { &original };
                std::fs::write(&guide, text).expect("rewrite the campaign");
                n += 1;
                std::thread::sleep(Duration::from_millis(250));
            }
            n
        })
    };

    let record = std::fs::read_to_string(root.join("naspi/demo/chiara.json"))
        .ok()
        .or_else(|| {
            std::fs::read_dir(root.join("naspi/demo"))
                .ok()?
                .flatten()
                .find_map(|e| std::fs::read_to_string(e.path()).ok())
        })
        .expect("a naspi demo recipient");
    let body =
        json!({ "record": serde_json::from_str::<serde_json::Value>(&record).expect("JSON") })
            .to_string();

    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let edited_seen = Arc::new(AtomicUsize::new(0));
    let original_seen = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..8)
        .map(|t| {
            let (latencies, failures, done) = (
                Arc::clone(&latencies),
                Arc::clone(&failures),
                Arc::clone(&done),
            );
            let body = body.clone();
            let (edited_seen, original_seen) =
                (Arc::clone(&edited_seen), Arc::clone(&original_seen));
            std::thread::spawn(move || {
                for i in 0..50 {
                    if started.elapsed() > DEADLINE {
                        break;
                    }
                    let at = Instant::now();
                    let (what, status, answer) = match (t + i) % 4 {
                        0 => ("index", get(addr, "/"), String::new()),
                        1 => ("page", get(addr, "/c/naspi"), String::new()),
                        2 => {
                            let (s, text) = post(addr, "/api/evaluate/naspi", &body);
                            // While a reload is in progress the last good version answers.
                            let ok = s == 200 && text.contains("\"status\":\"ok\"");
                            let which = if text.contains("(bozza)") {
                                &edited_seen
                            } else {
                                &original_seen
                            };
                            which.fetch_add(1, Ordering::SeqCst);
                            // An answer that is not a timeline is a failure too, with its text.
                            let head: String = text.chars().take(300).collect();
                            ("evaluate", if ok { 200 } else { 0 }, head)
                        }
                        _ => ("state", get(addr, "/api/state/naspi"), String::new()),
                    };
                    let ms = at.elapsed().as_millis();
                    // A designer's browser, not a benchmark: spread the requests over the saves.
                    std::thread::sleep(Duration::from_millis(40));
                    if status == 200 {
                        latencies.lock().expect("lock").push(ms);
                        done.fetch_add(1, Ordering::SeqCst);
                    } else {
                        // What failed, when and how long it took, for a failure on a busy
                        // machine to say what happened.
                        failures.lock().expect("lock").push(format!(
                            "{what}: status {status} after {ms} ms, {:?} into the run: {answer}",
                            at.duration_since(started)
                        ));
                    }
                }
            })
        })
        .collect();
    for c in clients {
        c.join().expect("client thread");
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let saves = writer.join().expect("writer thread");
    let slow_statuses: Vec<u16> = slow.into_iter().map(|h| h.join().unwrap_or(0)).collect();

    let failures = failures.lock().expect("lock").clone();
    let mut lat = latencies.lock().expect("lock").clone();
    lat.sort_unstable();
    let pct = |q: f64| {
        lat.get(((lat.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    eprintln!(
        "preview load: {} requests answered 200 in {:?} by 8 clients, {} saves, 16 slow clients; \
         latency p50 {} ms, p99 {} ms, max {} ms; evaluations of the edited/original \
         version {}/{}; slow clients ended with {:?}",
        done.load(Ordering::SeqCst),
        elapsed,
        saves,
        pct(0.5),
        pct(0.99),
        lat.last().copied().unwrap_or(0),
        edited_seen.load(Ordering::SeqCst),
        original_seen.load(Ordering::SeqCst),
        slow_statuses
    );
    assert!(failures.is_empty(), "failed requests: {failures:?}");
    assert_eq!(done.load(Ordering::SeqCst), 400, "every request answered");
    assert!(elapsed < DEADLINE, "the load took {elapsed:?}");
    assert!(saves >= 2, "the campaign was rewritten during the load");
    assert!(
        edited_seen.load(Ordering::SeqCst) > 0 && original_seen.load(Ordering::SeqCst) > 0,
        "the server recompiled the campaign during the load"
    );
    assert_eq!(get(addr, "/"), 200, "still answering afterwards");
    p.stop();
}

#[test]
fn a_silent_client_is_timed_out() {
    let tmp = TempCampaigns::new("preview-load", "silent");
    let p = start(&tmp.root());
    let addr = p.addr();
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(REQUEST_TIMEOUT + Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(b"GET / HTTP/1.1\r\nHost: ").expect("send");
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let waited = started.elapsed();
    // Closed unanswered once the head is late (hyper), or told 408: never served, never kept.
    assert!(
        matches!(status_of(&buf), 0 | 408),
        "{}",
        String::from_utf8_lossy(&buf)
    );
    assert!(
        waited >= REQUEST_TIMEOUT - Duration::from_secs(1)
            && waited < REQUEST_TIMEOUT + Duration::from_secs(5),
        "closed after {waited:?}"
    );
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(5);
    while p.connections() > 0 {
        assert!(Instant::now() < deadline, "its place is not given back");
        std::thread::sleep(Duration::from_millis(20));
    }
    p.stop();
}

#[test]
fn oversized_malformed_and_traversing_requests_are_refused() {
    let tmp = TempCampaigns::new("preview-load", "abuse");
    let p = start(&tmp.root());
    let addr = p.addr();
    let host = format!("Host: {addr}\r\n");
    let cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
        (
            "a body over the limit, announced",
            format!(
                "POST /api/evaluate/naspi HTTP/1.1\r\n{host}Content-Length: {}\r\n\r\n{{",
                MAX_BODY + 1
            )
            .into_bytes(),
            &[413],
        ),
        (
            "a body over the limit, sent",
            {
                let mut r = format!(
                    "POST /api/evaluate/naspi HTTP/1.1\r\n{host}Content-Length: {}\r\n\r\n",
                    10 * MAX_BODY
                )
                .into_bytes();
                r.extend(std::iter::repeat_n(b'x', 2 * MAX_BODY));
                r
            },
            &[413],
        ),
        (
            "a huge header",
            format!("GET / HTTP/1.1\r\n{host}X-Big: {}\r\n\r\n", "a".repeat(4 * MAX_HEAD)).into_bytes(),
            &[431],
        ),
        (
            "a header line that never ends",
            format!("GET / HTTP/1.1\r\n{host}X-Big: {}", "a".repeat(4 * MAX_HEAD)).into_bytes(),
            &[431],
        ),
        (
            "too many headers",
            format!("GET / HTTP/1.1\r\n{host}{}\r\n", "X-A: b\r\n".repeat(200)).into_bytes(),
            &[431],
        ),
        (
            "a long URL",
            format!("GET /{} HTTP/1.1\r\n{host}\r\n", "a".repeat(5000)).into_bytes(),
            &[414],
        ),
        ("garbage", b"\x00\xff\xfe garbage \x01\r\n\r\n".to_vec(), &[400]),
        ("a header without a colon", format!("GET / HTTP/1.1\r\n{host}oops\r\n\r\n").into_bytes(), &[400]),
        // HTTP/1.x only: the HTTP/2 preface is closed unanswered (hyper) or refused.
        ("HTTP/2", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(), &[505, 0]),
        ("HTTP/0.9", b"GET /\r\n\r\n".to_vec(), &[400]),
        (
            "a chunked body",
            format!("POST /api/evaluate/naspi HTTP/1.1\r\n{host}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                .into_bytes(),
            // Decoded (hyper reads chunked bodies, within the body limit), then refused for
            // its content type.
            &[411, 415],
        ),
        (
            "two lengths",
            format!("POST /api/evaluate/naspi HTTP/1.1\r\n{host}Content-Length: 1\r\nContent-Length: 2\r\n\r\n{{}}")
                .into_bytes(),
            &[400],
        ),
        (
            "a negative length",
            format!("POST /api/evaluate/naspi HTTP/1.1\r\n{host}Content-Length: -1\r\n\r\n").into_bytes(),
            &[400],
        ),
        ("a foreign Host", b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n".to_vec(), &[421]),
        ("no Host", b"GET / HTTP/1.0\r\n\r\n".to_vec(), &[421]),
        ("a NUL in the path", format!("GET /c/%00 HTTP/1.1\r\n{host}\r\n").into_bytes(), &[400]),
        ("a bad escape", format!("GET /c/%zz HTTP/1.1\r\n{host}\r\n").into_bytes(), &[400]),
        ("a body that is not JSON", {
            let body = "\u{0}\u{1}not json";
            format!("POST /api/evaluate/naspi HTTP/1.1\r\n{host}Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
        }, &[400, 415]),
    ];
    let mut wrong = Vec::new();
    for (what, req, want) in &cases {
        let at = Instant::now();
        let (status, _) = send(addr, req).expect("connect");
        if !want.contains(&status) {
            wrong.push(format!("{what}: got {status}, want {want:?}"));
        }
        assert!(
            at.elapsed() < Duration::from_secs(5),
            "{what}: answered after {:?}",
            at.elapsed()
        );
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Blank lines and no request (blank lines before a request line are allowed, RFC 9112
    // section 2.2): closed, never served.
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(REQUEST_TIMEOUT + Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(b"\r\n\r\n").expect("send");
    s.shutdown(std::net::Shutdown::Write).expect("shutdown");
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    assert!(
        matches!(status_of(&buf), 0 | 400),
        "{}",
        String::from_utf8_lossy(&buf)
    );
    // A client that closes before its request is complete gets nothing and costs nothing.
    for partial in [
        &b"GET / HT"[..],
        b"",
        b"POST /api/evaluate/naspi HTTP/1.1\r\nContent-Length: 100\r\n\r\n{",
    ] {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.write_all(partial).expect("send");
        drop(s);
    }
    // Path traversal, in every spelling: never a file outside the folder.
    let secret = tmp.dir.join("secret.txt");
    std::fs::write(&secret, "SECRET").expect("write");
    for path in [
        "/../secret.txt",
        "/c/../../secret.txt",
        "/static/../../secret.txt",
        "/static/%2e%2e/%2e%2e/secret.txt",
        "/visual/naspi/..%2f..%2f..%2fsecret.txt",
        "/visual/naspi/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/visual/naspi/....//....//secret.txt",
        "/visual/naspi/..\\..\\secret.txt",
        "/visual/naspi//etc/passwd",
        "/visual/..%2fsecret.txt",
        "/c/naspi%2f..%2f..%2fsecret.txt",
    ] {
        let req = format!("GET {path} HTTP/1.1\r\n{host}\r\n");
        let (status, body) = send(addr, req.as_bytes()).expect("connect");
        assert!(matches!(status, 400 | 404), "{path}: status {status}");
        assert!(
            !String::from_utf8_lossy(&body).contains("SECRET"),
            "{path} served the secret"
        );
        assert!(
            !String::from_utf8_lossy(&body).contains("root:"),
            "{path} served /etc/passwd"
        );
    }
    assert_eq!(get(addr, "/"), 200, "still answering after the abuse");
    p.stop();
}

/// Opens `n` silent connections from `from`; returns those the server kept and how many it
/// refused with `503` at once.
fn silent_flood(from: [u8; 4], addr: SocketAddr, n: usize) -> (Vec<TcpStream>, usize) {
    let sockets: Vec<TcpStream> = (0..n).map(|_| connect_from(from, addr)).collect();
    // A refused connection is answered at once; a kept one hears nothing.
    std::thread::sleep(Duration::from_millis(500));
    let mut kept = Vec::new();
    let mut refused = 0;
    for mut s in sockets {
        s.set_nonblocking(true).expect("nonblocking");
        let mut buf = [0u8; 512];
        match s.read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => kept.push(s),
            Ok(n) if n > 0 && status_of(&buf[..n]) == 503 => {
                assert!(String::from_utf8_lossy(&buf[..n]).contains("Retry-After"));
                refused += 1;
            }
            other => panic!("a flooding connection neither kept nor refused: {other:?}"),
        }
    }
    (kept, refused)
}

#[test]
fn a_flood_of_idle_connections_is_capped_and_then_served_again() {
    let tmp = TempCampaigns::new("preview-load", "flood");
    let p = start(&tmp.root());
    let addr = p.addr();
    // Two addresses fill the server: each up to its own limit, both up to the total.
    assert_eq!(MAX_PER_ADDRESS * 2, MAX_CONNECTIONS);
    let (a, refused_a) = silent_flood([127, 0, 0, 2], addr, MAX_PER_ADDRESS + 8);
    let (b, refused_b) = silent_flood([127, 0, 0, 3], addr, MAX_PER_ADDRESS + 8);
    assert_eq!((a.len(), refused_a), (MAX_PER_ADDRESS, 8));
    assert_eq!((b.len(), refused_b), (MAX_PER_ADDRESS, 8));
    assert_eq!(p.connections(), MAX_CONNECTIONS);
    // Full: a third address is told 503 at once, not queued.
    let started = Instant::now();
    assert_eq!(get(addr, "/api/index"), 503);
    assert!(started.elapsed() < Duration::from_secs(2));
    // Once the idle clients go away, everyone is served again.
    drop(a);
    drop(b);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = get(addr, "/api/index");
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "not served again: {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
    p.stop();
}

#[test]
fn one_address_flooding_leaves_the_other_clients_served() {
    let tmp = TempCampaigns::new("preview-load", "fair");
    let p = start(&tmp.root());
    let addr = p.addr();
    let flooder = [127, 0, 0, 2];
    let started = Instant::now();
    // More silent sockets than one address may hold: the excess is refused at once.
    let (held, refused) = silent_flood(flooder, addr, MAX_PER_ADDRESS + 64);
    assert_eq!((held.len(), refused), (MAX_PER_ADDRESS, 64));
    assert_eq!(p.connections_from(IpAddr::from(flooder)), MAX_PER_ADDRESS);

    // Meanwhile clients from 127.0.0.1 are served, promptly, and the flooder is still refused.
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..4)
        .map(|t| {
            let (latencies, failures) = (Arc::clone(&latencies), Arc::clone(&failures));
            std::thread::spawn(move || {
                for i in 0..50 {
                    if started.elapsed() > DEADLINE {
                        break;
                    }
                    let path =
                        ["/api/index", "/", "/static/preview.css", "/api/state/naspi"][(t + i) % 4];
                    let at = Instant::now();
                    let status = get(addr, path);
                    let ms = at.elapsed().as_millis();
                    if status == 200 {
                        latencies.lock().expect("lock").push(ms);
                    } else {
                        failures
                            .lock()
                            .expect("lock")
                            .push(format!("{path}: {status} after {ms} ms"));
                    }
                }
            })
        })
        .collect();
    let mut probes = Vec::new();
    for _ in 0..10 {
        let req = format!("GET /api/index HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let mut s = connect_from(flooder, addr);
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let _ = s.write_all(req.as_bytes());
        let status = status_of(&read_response(&mut s));
        // The flood's sockets are closed once their head is late: until then, refused.
        if started.elapsed() < REQUEST_TIMEOUT - Duration::from_secs(2) {
            probes.push(status);
        }
        assert!(p.connections() <= MAX_CONNECTIONS);
        assert!(p.connections_from(IpAddr::from(flooder)) <= MAX_PER_ADDRESS);
        std::thread::sleep(Duration::from_millis(100));
    }
    for c in clients {
        c.join().expect("client thread");
    }
    let failures = failures.lock().expect("lock").clone();
    let mut lat = latencies.lock().expect("lock").clone();
    lat.sort_unstable();
    let pct = |q: f64| {
        lat.get(((lat.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    eprintln!(
        "preview fairness: 127.0.0.2 held {} silent sockets, {} more refused; 127.0.0.1: {} \
         requests answered 200 in {:?}, latency p50 {} ms, p99 {} ms, max {} ms; probes from \
         127.0.0.2: {:?}",
        held.len(),
        refused,
        lat.len(),
        started.elapsed(),
        pct(0.5),
        pct(0.99),
        lat.last().copied().unwrap_or(0),
        probes
    );
    assert!(failures.is_empty(), "failed requests: {failures:?}");
    assert_eq!(lat.len(), 200, "every request answered");
    // Promptly: far within the head timeout for which the flood holds its sockets.
    assert!(
        lat.last().copied().unwrap_or(0) < 5000,
        "a request waited {:?} ms",
        lat.last()
    );
    assert!(probes.iter().all(|&s| s == 503), "{probes:?}");
    assert!(p.connections_from(IpAddr::from(flooder)) <= MAX_PER_ADDRESS);
    drop(held);
    p.stop();
}
