//! `guide serve`: demo recipients published into a fresh SQLite file (and a fresh PostgreSQL
//! database when GUIDE_TEST_POSTGRES is set), the server started on a free port, then over
//! HTTP: the guide, its text version, the notices (not yet, no longer, not found), the security
//! headers, the budget of failed look-ups, purge then 410, and withdrawal on republish.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

mod browser;
mod support;
use support::{databases, demos, root, scratch, start, Running};

/// A demo recipient as published: its token and window.
#[derive(Debug, Clone)]
struct Link {
    token: String,
    from: String,
    until: String,
}

/// Publishes the demo recipients of `campaign` into `db`; their links by codice fiscale.
fn publish(dir: &Path, campaign: &str, db: &str) -> HashMap<String, Link> {
    publish_records(dir, campaign, db, &demos(campaign))
}

/// Publishes `records` of `campaign` into `db`; their links by codice fiscale.
fn publish_records(
    dir: &Path,
    campaign: &str,
    db: &str,
    records: &[serde_json::Value],
) -> HashMap<String, Link> {
    let mut lines = String::new();
    for v in records {
        lines.push_str(&v.to_string());
        lines.push('\n');
    }
    let data = dir.join(format!("{campaign}.jsonl"));
    std::fs::write(&data, lines).expect("write data");
    let links = dir.join(format!("{campaign}.csv"));
    let out = Command::new(env!("CARGO_BIN_EXE_guide"))
        .arg("publish")
        .arg(root().join("campaigns").join(campaign))
        .arg("--data")
        .arg(&data)
        .arg("--db")
        .arg(db)
        .arg("--links")
        .arg(&links)
        .arg("--base-url")
        .arg("https://guide.example")
        .output()
        .expect("run guide publish");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_path(&links).expect("links");
    r.records()
        .map(|row| {
            let row = row.expect("row");
            let token = row[1].rsplit('/').next().expect("token").to_string();
            (
                row[0].to_string(),
                Link {
                    token,
                    from: row[2].to_string(),
                    until: row[3].to_string(),
                },
            )
        })
        .collect()
}

/// A running `guide serve`, killed on drop.
fn serve(db: &str, extra: &[&str]) -> Running {
    let mut args = vec!["--quiet"];
    args.extend_from_slice(extra);
    start("serve", db, &args, Stdio::null())
}

/// An HTTP answer.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn request(addr: &str, method: &str, path: &str) -> Answer {
    request_with(addr, method, path, "")
}

/// A request with `extra` header lines (each ending in CRLF).
fn request_with(addr: &str, method: &str, path: &str, extra: &str) -> Answer {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8(raw).expect("utf-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("head");
    let mut lines = head.lines();
    let status = lines.next().expect("status line")[9..12]
        .parse()
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

fn get(addr: &str, path: &str) -> Answer {
    request(addr, "GET", path)
}

const CHIARA: &str = "SPSCHR96P42F839G";

fn title(body: &str) -> &str {
    let start = body.find("<title>").expect("title") + 7;
    let end = body.find("</title>").expect("end of title");
    &body[start..end]
}

#[test]
fn a_recipient_opens_their_guide_and_its_text_version() {
    let dir = scratch("guide");
    for db in databases(&dir, "guide") {
        let db = db.as_str();
        let links = publish(&dir, "naspi", db);
        let chiara = &links[CHIARA];
        assert_eq!(chiara.from, "2024-05-10");
        let s = serve(db, &["--as-of", "2024-07-01"]);

        let a = get(&s.addr, &format!("/g/{}?c=qr", chiara.token));
        assert_eq!(a.status, 200, "{}", a.body);
        assert!(a.body.contains("/static/player.js"));
        assert!(a
            .body
            .contains(r#"<script type="application/json" id="timeline">"#));
        assert!(
            a.body.contains("Benvenuta Chiara"),
            "the timeline is embedded"
        );
        let open = r#"<script type="application/json" id="timeline">"#;
        let start = a.body.find(open).expect("data block") + open.len();
        let end = start + a.body[start..].find("</script>").expect("end of block");
        let embedded: serde_json::Value =
            serde_json::from_str(&a.body[start..end]).expect("the data block is JSON");
        assert_eq!(embedded["campaign"], "naspi");
        assert!(embedded["scenes"].as_array().is_some_and(|s| !s.is_empty()));
        assert!(a.body.contains(r#"data-mode="recipient""#));
        assert!(!a.body.contains("record-form"), "no designer panel");
        let t = title(&a.body);
        assert!(!t.contains("Chiara") && !t.contains(CHIARA), "{t}");
        for (n, v) in &a.headers {
            assert!(
                !v.contains("Chiara") && !v.contains(CHIARA) && !v.contains(&chiara.token),
                "{n}: {v}"
            );
        }
        assert_eq!(a.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(a.header("x-robots-tag"), Some("noindex, nofollow"));
        assert_eq!(a.header("cache-control"), Some("private, no-store"));
        assert_eq!(a.header("x-frame-options"), Some("DENY"));
        let csp = a.header("content-security-policy").expect("CSP");
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(a
            .body
            .contains(r#"<meta name="robots" content="noindex, nofollow">"#));

        let text = get(&s.addr, &format!("/g/{}/testo", chiara.token));
        assert_eq!(text.status, 200);
        assert!(!title(&text.body).contains("Chiara"));
        for needle in [
            "Benvenuta Chiara",
            "€ 865,10 al mese",
            "Come viene calcolato l&#x27;importo",
            "Quanto ti è stato utile questo video? (da 1 a 5)",
            "https://",
        ] {
            assert!(text.body.contains(needle), "{needle} in {}", text.body);
        }

        let rated = request(&s.addr, "POST", &format!("/g/{}/rating", chiara.token));
        assert_eq!(rated.status, 204);

        let js = get(&s.addr, "/static/player.js");
        assert_eq!(js.status, 200);
        assert!(js.body.contains("recipientMode"));

        // Without --visuals and --audio-cache: no pictures, no voice, and the player is not told
        // of any (it shows its neutral picture and plays silently with captions).
        assert!(!a.body.contains("data-audio"));
        assert!(a.body.contains(r#"id="visual-fallback""#));
        let audio = get(&s.addr, &format!("/g/{}/audio", chiara.token));
        assert_eq!(audio.status, 404);
        assert_eq!(get(&s.addr, "/visual/naspi/naspi_intro.png").status, 404);
    }
}

#[test]
fn before_the_window_the_page_says_from_when() {
    let dir = scratch("before");
    for db in databases(&dir, "before") {
        let db = db.as_str();
        let links = publish(&dir, "naspi", db);
        let s = serve(db, &["--as-of", "2024-01-01"]);
        let a = get(&s.addr, &format!("/g/{}", links[CHIARA].token));
        assert_eq!(a.status, 200);
        assert!(
            a.body.contains("sarà disponibile dal 10 maggio 2024"),
            "{}",
            a.body
        );
        assert!(!a.body.contains("player.js"));
        assert_eq!(a.header("cache-control"), Some("private, no-store"));
    }
}

#[test]
fn after_the_window_410_and_purge_keeps_410() {
    let dir = scratch("after");
    for db in databases(&dir, "after") {
        let db = db.as_str();
        let links = publish(&dir, "naspi", db);
        let chiara = &links[CHIARA];
        assert_eq!(chiara.until, "2024-11-11");
        let token = chiara.token.clone();
        {
            // A long grace: closed, not purged yet.
            let s = serve(db, &["--as-of", "2025-01-01", "--grace", "1000"]);
            let a = get(&s.addr, &format!("/g/{token}"));
            assert_eq!(a.status, 410);
            assert!(
                a.body
                    .contains("non è più disponibile dal 11 novembre 2024"),
                "{}",
                a.body
            );
            assert!(a.body.contains("MyINPS"));
            let mut store = guide_server::open(db).expect("open");
            assert!(store
                .recipient(&token)
                .expect("row")
                .expect("row")
                .record
                .is_some());
        }
        // No grace: the start purges it; still 410, with nothing personal left.
        let s = serve(db, &["--as-of", "2025-01-01"]);
        let mut store = guide_server::open(db).expect("open");
        assert!(store
            .recipient(&token)
            .expect("row")
            .expect("row")
            .record
            .is_none());
        let a = get(&s.addr, &format!("/g/{token}"));
        assert_eq!(a.status, 410);
        assert!(a
            .body
            .contains("non è più disponibile dal 11 novembre 2024"));
    }
}

#[test]
fn a_recipient_not_eligible_on_republish_is_withdrawn() {
    let dir = scratch("withdrawn");
    for db in databases(&dir, "withdrawn") {
        let db = db.as_str();
        let mut records = demos("assegno_unico");
        let links = publish_records(&dir, "assegno_unico", db, &records);
        let who = records[0]["codice_fiscale"]
            .as_str()
            .expect("codice fiscale")
            .to_string();
        let name = records[0]["nome"].as_str().expect("nome").to_string();
        let (token, other) = (links[&who].token.clone(), records[1].clone());
        let other = links[other["codice_fiscale"].as_str().expect("cf")]
            .token
            .clone();
        let as_of = ["--as-of", "2024-03-01"];
        {
            let s = serve(db, &as_of);
            assert_eq!(get(&s.addr, &format!("/g/{token}")).status, 200);
        }
        // They withdrew their consent: republished, they are not eligible any more.
        records[0]["consenso_servizi_proattivi"] = serde_json::Value::Bool(false);
        let again = publish_records(&dir, "assegno_unico", db, &records);
        assert!(!again.contains_key(&who), "no link for them");
        let mut store = guide_server::open(db).expect("open");
        let row = store.recipient(&token).expect("row").expect("row");
        assert!(row.record.is_none(), "their personal data is deleted");
        drop(store);
        if !db.starts_with("postgres") {
            let dump = std::fs::read(db).expect("database file");
            let dump = String::from_utf8_lossy(&dump);
            assert!(
                !dump.contains(&who),
                "their codice fiscale is in the database"
            );
        }
        let s = serve(db, &as_of);
        let a = get(&s.addr, &format!("/g/{token}"));
        assert_eq!(a.status, 410, "{}", a.body);
        assert!(a.body.contains("non è più disponibile"), "{}", a.body);
        assert!(!a.body.contains(&name) && !a.body.contains("player.js"));
        assert_eq!(
            get(&s.addr, &format!("/g/{other}")).status,
            200,
            "the others keep their guide"
        );
    }
}

#[test]
fn as_of_first_day_plays_every_demo_recipient() {
    let dir = scratch("first-day");
    for db in databases(&dir, "first_day") {
        let db = db.as_str();
        let links = publish(&dir, "naspi", db);
        let froms: std::collections::BTreeSet<_> = links.values().map(|l| l.from.clone()).collect();
        assert!(froms.len() > 1, "the demo windows differ: {froms:?}");
        let s = serve(db, &["--as-of", "first-day"]);
        for (key, link) in &links {
            let a = get(&s.addr, &format!("/g/{}", link.token));
            assert_eq!(a.status, 200, "{key}: {}", a.body);
            assert!(a.body.contains("/static/player.js"), "{key} plays");
        }
    }
}

#[test]
fn unknown_and_malformed_tokens_get_the_same_404() {
    let dir = scratch("unknown");
    for db in databases(&dir, "unknown") {
        let db = db.as_str();
        publish(&dir, "naspi", db);
        let s = serve(db, &["--as-of", "2024-07-01"]);
        let unknown = get(&s.addr, "/g/AAAAAAAAAAAAAAAAAAAAAA");
        let malformed = get(&s.addr, "/g/not-a-token");
        let nowhere = get(&s.addr, "/elsewhere");
        assert_eq!(unknown.status, 404);
        assert_eq!(malformed.status, 404);
        assert_eq!(nowhere.status, 404);
        assert_eq!(unknown.body, malformed.body);
        assert_eq!(unknown.header("x-robots-tag"), Some("noindex, nofollow"));
        assert_eq!(unknown.header("referrer-policy"), Some("no-referrer"));
    }
}

#[test]
fn failed_look_ups_are_limited_per_client() {
    let dir = scratch("limit");
    for db in databases(&dir, "limit") {
        let db = db.as_str();
        let links = publish(&dir, "naspi", db);
        let s = serve(db, &["--as-of", "2024-07-01", "--failures-per-minute", "5"]);
        let ok = format!("/g/{}", links[CHIARA].token);
        assert_eq!(get(&s.addr, &ok).status, 200, "a success costs nothing");
        for i in 0..5 {
            assert_eq!(
                get(&s.addr, &format!("/g/AAAAAAAAAAAAAAAAAAAAA{i}")).status,
                404
            );
        }
        let refused = get(&s.addr, "/g/BBBBBBBBBBBBBBBBBBBBBB");
        assert_eq!(refused.status, 429);
        assert_eq!(refused.header("retry-after"), Some("60"));
        assert_eq!(
            get(&s.addr, &ok).status,
            429,
            "no look-up at all once over the budget"
        );
    }
}

#[test]
fn behind_a_trusted_proxy_failed_look_ups_count_per_forwarded_client() {
    let dir = scratch("proxy");
    let db = dir.join("serve.db").display().to_string();
    let db = db.as_str();
    publish(&dir, "naspi", db);
    let from = |addr: &str, i: usize, client: &str| {
        request_with(
            addr,
            "GET",
            &format!("/g/AAAAAAAAAAAAAAAAAAAAA{i}"),
            &format!("X-Forwarded-For: {client}\r\n"),
        )
        .status
    };
    let budget = ["--as-of", "2024-07-01", "--failures-per-minute", "3"];
    {
        let mut args = budget.to_vec();
        args.extend(["--trusted-proxy", "127.0.0.1"]);
        let s = serve(db, &args);
        for i in 0..3 {
            assert_eq!(from(&s.addr, i, "1.2.3.4, 203.0.113.7"), 404);
        }
        assert_eq!(from(&s.addr, 3, "203.0.113.7"), 429, "this client's budget");
        assert_eq!(
            from(&s.addr, 4, "203.0.113.7, 203.0.113.8"),
            404,
            "another client (the last address the proxy saw) has its own"
        );
    }
    // Not a trusted proxy: the header is ignored, the budget is the connection's address.
    let s = serve(db, &budget);
    for i in 0..3 {
        assert_eq!(from(&s.addr, i, &format!("198.51.100.{i}")), 404);
    }
    assert_eq!(from(&s.addr, 3, "198.51.100.9"), 429);
}

#[test]
fn a_recipient_plays_their_guide_in_headless_chromium() {
    let Some(setup) = browser::setup() else {
        return;
    };
    let dir = scratch("browser");
    let db = dir.join("serve.db").display().to_string();
    let db = db.as_str();
    let links = publish(&dir, "naspi", db);
    // With the campaigns' pictures and the voice: the page shows no placeholder and no
    // request fails.
    let campaigns = root().join("campaigns");
    let audio = dir.join("audio");
    let s = serve(
        db,
        &[
            "--as-of",
            "2024-07-01",
            "--visuals",
            campaigns.to_str().expect("a UTF-8 path"),
            "--audio-cache",
            audio.to_str().expect("a UTF-8 path"),
        ],
    );
    let link = format!("http://{}/g/{}?c=qr", s.addr, links[CHIARA].token);
    let artifacts = browser::artifacts();
    let args = [link.as_ref(), artifacts.as_os_str()];
    browser::node(&setup, "serve.e2e.mjs", &args, Duration::from_secs(180));
    assert!(artifacts.join("serve-390x844.png").exists());
}

#[test]
fn the_log_shows_a_short_hash_of_the_token_never_the_token() {
    let dir = scratch("log");
    let db = dir.join("serve.db").display().to_string();
    let db = db.as_str();
    let links = publish(&dir, "naspi", db);
    let token = links[CHIARA].token.clone();
    let log = dir.join("serve.log");
    let s = start(
        "serve",
        db,
        &["--as-of", "2024-07-01"],
        Stdio::from(std::fs::File::create(&log).expect("log file")),
    );
    let addr = s.addr.clone();
    assert_eq!(get(&addr, &format!("/g/{token}?c=sms")).status, 200);
    assert_eq!(get(&addr, &format!("/g/{token}/testo")).status, 200);
    assert_eq!(get(&addr, "/g/AAAAAAAAAAAAAAAAAAAAAA").status, 404);
    drop(s);
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(
        text.contains("--as-of 2024-07-01"),
        "the demo date is said loudly: {text}"
    );
    let hash = guide_server::serve::token_hash(&token);
    assert!(text.contains(&format!("GET /g/#{hash} 200")), "{text}");
    assert!(
        text.contains(&format!("GET /g/#{hash}/testo 200")),
        "{text}"
    );
    assert!(!text.contains(&token), "{text}");
    assert!(!text.contains("AAAAAAAAAAAAAAAAAAAAAA"), "{text}");
    assert!(!text.contains("Chiara") && !text.contains(CHIARA), "{text}");
}

#[test]
fn without_as_of_the_server_clock_decides() {
    let dir = scratch("clock");
    let db = dir.join("serve.db").display().to_string();
    let db = db.as_str();
    let links = publish(&dir, "naspi", db);
    // The demo windows lie in 2024: today (the server's clock, well past them) they are closed.
    let s = serve(db, &[]);
    let a = get(&s.addr, &format!("/g/{}", links[CHIARA].token));
    assert_eq!(a.status, 410);
    assert!(a
        .body
        .contains("non è più disponibile dal 11 novembre 2024"));
}

/// Reads one response off a keep-alive connection: its status and body (by `Content-Length`).
fn read_response(s: &mut TcpStream, buf: &mut Vec<u8>) -> (u16, String) {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).expect("read the head");
        assert!(n > 0, "the server closed a keep-alive connection");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).expect("UTF-8 head");
    let status = head[9..12].parse().expect("status");
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().expect("length"))
        })
        .expect("a Content-Length");
    while buf.len() < head_end + length {
        let n = s.read(&mut chunk).expect("read the body");
        assert!(n > 0, "the server closed the connection inside a body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8(buf[head_end..head_end + length].to_vec()).expect("UTF-8");
    (status, body)
}

/// A load test on 127.0.0.1 that stops by itself (a fixed number of requests, not a duration):
/// 48 keep-alive connections at once (the default per-address limit is 64), each asking 40
/// times for a random recipient's guide or text version among every demo recipient of the five
/// campaigns. Every answer is `200` and is that recipient's own guide (their campaign, their
/// name), so concurrent views never mix two recipients; the server still answers afterwards.
#[test]
fn many_keep_alive_clients_at_once_each_get_their_own_guide() {
    const CONNECTIONS: usize = 48;
    const REQUESTS: usize = 40;
    let dir = scratch("load");
    for db in databases(&dir, "load") {
        let db = db.as_str();
        let mut links = Vec::new();
        for campaign in [
            "naspi",
            "neopensionati",
            "red2021",
            "assegno_sociale",
            "assegno_unico",
        ] {
            let names: HashMap<String, String> = demos(campaign)
                .iter()
                .map(|r| {
                    let cf = r["codice_fiscale"].as_str().expect("key").to_string();
                    (cf, r["nome"].as_str().unwrap_or_default().to_string())
                })
                .collect();
            for (key, link) in publish(&dir, campaign, db) {
                links.push((campaign, names[&key].clone(), link.token));
            }
        }
        assert!(
            links.len() > 30,
            "{} demo recipients published",
            links.len()
        );
        let s = serve(db, &["--as-of", "first-day"]);
        let links = std::sync::Arc::new(links);
        let clients: Vec<_> = (0..CONNECTIONS)
            .map(|c| {
                let (addr, links) = (s.addr.clone(), links.clone());
                std::thread::spawn(move || {
                    let mut conn = TcpStream::connect(&addr).expect("connect");
                    conn.set_read_timeout(Some(Duration::from_secs(60)))
                        .expect("timeout");
                    let mut buf = Vec::new();
                    let mut seed = 0x9E37_79B9_7F4A_7C15_u64 ^ (c as u64 + 1);
                    for i in 0..REQUESTS {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        let (campaign, name, token) = &links[(seed % links.len() as u64) as usize];
                        let path = if i % 4 == 3 {
                            format!("/g/{token}/testo")
                        } else {
                            format!("/g/{token}?c=io")
                        };
                        write!(conn, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("send");
                        let (status, body) = read_response(&mut conn, &mut buf);
                        assert_eq!(status, 200, "{campaign} {path}: {body}");
                        assert!(
                            body.contains(name.as_str()),
                            "{campaign}: not {name}'s guide"
                        );
                        if !path.ends_with("/testo") {
                            assert!(
                                body.contains(&format!(r#""campaign":"{campaign}""#)),
                                "{campaign}: another campaign's guide"
                            );
                        }
                    }
                })
            })
            .collect();
        for c in clients {
            c.join().expect("a client failed");
        }
        assert_eq!(get(&s.addr, "/healthz").status, 200, "still serving");
    }
}
