//! `guide preview` over HTTP: a real server on an ephemeral loopback port, serving a temporary
//! copy of the campaigns, queried with plain HTTP/1.1 requests.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;
use common::{start, TempCampaigns};

struct Response {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// Sends raw bytes, reads the whole response (the request asks the server to close).
fn raw(addr: SocketAddr, request: &[u8]) -> Response {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    s.write_all(request).expect("send");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("read the response");
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
    let (_, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
    Response {
        status,
        headers: headers.replace("\r\n", "\n"),
        body: buf[split + 4..].to_vec(),
    }
}

fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Response {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = content_type {
        req.push_str(&format!("Content-Type: {t}\r\n"));
    }
    if method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes)
}

fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, None, b"")
}

fn evaluate(addr: SocketAddr, slug: &str, record: &Value) -> Value {
    let body = json!({ "record": record }).to_string();
    let r = request(
        addr,
        "POST",
        &format!("/api/evaluate/{slug}"),
        Some("application/json"),
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn demo(root: &Path, campaign: &str, name: &str) -> Value {
    let text = std::fs::read_to_string(
        root.join(campaign)
            .join("demo")
            .join(format!("{name}.json")),
    )
    .expect("demo recipient");
    serde_json::from_str(&text).expect("demo JSON")
}

fn scene_ids(out: &Value) -> Vec<String> {
    let t = &out["timeline"];
    t["scenes"]
        .as_array()
        .expect("scenes")
        .iter()
        .chain(std::iter::once(&t["ending"]))
        .map(|s| s["id"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Polls the campaign's state until `done` holds (the watcher recompiles within a second).
fn wait_state(addr: SocketAddr, slug: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let state = get(addr, &format!("/api/state/{slug}")).json();
        if done(&state) {
            return state;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {state}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn index_lists_every_campaign_with_its_status() {
    let tmp = TempCampaigns::new("preview-http", "index");
    let p = start(&tmp.root());
    let r = get(p.addr(), "/");
    assert_eq!(r.status, 200);
    assert!(r
        .header("Content-Type")
        .is_some_and(|t| t.starts_with("text/html")));
    let csp = r.header("Content-Security-Policy").expect("a CSP");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = r.text();
    for title in [
        "La tua NASpI",
        "Sollecito",
        "Assegno sociale",
        "Assegno unico",
        "La tua pensione",
    ] {
        assert!(html.contains(title), "{title} missing from the index");
    }
    assert!(html.contains("href=\"/c/naspi\""));
    assert!(html.contains("tra i destinatari demo") || html.contains("in tutto"));
    assert!(!html.contains("common"), "a library is not a campaign");

    let index = get(p.addr(), "/api/index").json();
    let campaigns = index["campaigns"].as_array().expect("campaigns");
    assert_eq!(campaigns.len(), 5);
    for c in campaigns {
        assert_eq!(c["status"], "clean", "{c}");
        assert!(
            c["duration"].as_str().is_some_and(|d| d.contains(':')),
            "{c}"
        );
    }
    p.stop();
}

#[test]
fn campaign_page_and_assets() {
    let tmp = TempCampaigns::new("preview-http", "page");
    let p = start(&tmp.root());
    let r = get(p.addr(), "/c/naspi");
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("<title>La tua NASpI — anteprima</title>"));
    assert!(html.contains("data-slug=\"naspi\""));
    for control in [
        "aria-label=\"Riproduci\"",
        "aria-label=\"Scena precedente\"",
        "aria-label=\"Scena successiva\"",
        "aria-label=\"Avanzamento della guida\"",
        "aria-pressed=\"true\">Sottotitoli",
        "<dialog id=\"popup\"",
    ] {
        assert!(html.contains(control), "{control} missing");
    }
    for (path, kind) in [
        ("/static/preview.css", "text/css"),
        ("/static/player.js", "text/javascript"),
        ("/static/fonts/titillium-web-400.woff2", "font/woff2"),
        ("/favicon.ico", "image/svg+xml"),
    ] {
        let r = get(p.addr(), path);
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.header("Content-Type")
                .is_some_and(|t| t.starts_with(kind)),
            "{path}"
        );
        assert_eq!(
            r.header("X-Content-Type-Options").as_deref(),
            Some("nosniff")
        );
    }
    // No address outside this server is referenced by the pages.
    let css = get(p.addr(), "/static/preview.css").text();
    let js = get(p.addr(), "/static/player.js").text();
    for text in [&html, &css, &js] {
        assert!(!text.contains("http://") && !text.contains("https://"));
    }

    let state = get(p.addr(), "/api/state/naspi").json();
    assert_eq!(state["title"], "La tua NASpI");
    assert_eq!(state["playable"], true);
    let fields: Vec<(&str, &str)> = state["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or(""),
                f["kind"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(fields.contains(&("modalita_pagamento", "enum")));
    assert!(fields.contains(&("data_primo_pagamento", "date")));
    assert!(fields.contains(&("importo_mensile", "money")));
    assert_eq!(state["demos"].as_array().map(Vec::len), Some(7));
    assert!(state["demos"][0]["variant"]
        .as_str()
        .is_some_and(|v| v.starts_with("v-")));

    // The variants, computed in the background: their witnesses join the recipients.
    let state = wait_state(p.addr(), "naspi", "the variants", |s| s["analysed"] == true);
    let witnesses = state["witnesses"].as_array().expect("witnesses");
    assert!(!witnesses.is_empty());
    assert!(witnesses.iter().any(|w| w["group"] == "minimal"));
    for w in witnesses {
        let out = evaluate(p.addr(), "naspi", &w["record"]);
        assert_eq!(out["variant"], w["variant"], "{w}");
    }
    let index = get(p.addr(), "/api/index").json();
    let naspi = &index["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .find(|c| c["slug"] == "naspi")
        .cloned()
        .expect("naspi");
    assert_eq!(naspi["variants_note"], "in tutto");
    assert!(
        naspi["variants"]
            .as_str()
            .and_then(|n| n.parse::<usize>().ok())
            > Some(7)
    );
    assert_eq!(naspi["duration_note"], "tra tutte le varianti");

    assert_eq!(get(p.addr(), "/c/nessuna").status, 404);
    assert_eq!(get(p.addr(), "/api/state/nessuna").status, 404);
    assert_eq!(request(p.addr(), "POST", "/", None, b"").status, 405);
    p.stop();
}

#[test]
fn recipient_updates_change_the_timeline_and_the_explanation() {
    let tmp = TempCampaigns::new("preview-http", "recipient");
    let p = start(&tmp.root());
    let addr = p.addr();
    let mut luca = demo(&tmp.root(), "naspi", "luca");

    let out = evaluate(addr, "naspi", &luca);
    assert_eq!(out["status"], "ok", "{out}");
    let with_income = out["variant"].clone();
    assert!(scene_ids(&out).contains(&"reddito_autonomo".to_string()));
    let why = &out["explanation"]["scenes"];
    let scene = why
        .as_array()
        .expect("explanation")
        .iter()
        .find(|s| s["id"] == "reddito_autonomo")
        .expect("the scene is explained");
    assert_eq!(scene["plays"], true);
    assert_eq!(
        scene["reasons"][0]["condition"],
        "reddito_autonomo is present"
    );
    assert_eq!(scene["reasons"][0]["holds"], true);
    assert_eq!(scene["reasons"][0]["values"][0][1], "€ 4.200,00");

    // The same recipient without self-employment income: other scenes, another variant.
    luca.as_object_mut()
        .expect("object")
        .insert("reddito_autonomo".into(), Value::Null);
    let out = evaluate(addr, "naspi", &luca);
    assert_eq!(out["status"], "ok");
    assert!(!scene_ids(&out).contains(&"reddito_autonomo".to_string()));
    assert_ne!(out["variant"], with_income);

    // A bad value: the runtime's error, for the field, not a failure.
    luca["eta"] = json!("cinquantasette");
    let out = evaluate(addr, "naspi", &luca);
    assert_eq!(out["status"], "record_error", "{out}");
    assert_eq!(out["field"], "eta");
    assert!(out["message"]
        .as_str()
        .is_some_and(|m| m.contains("eta") && m.contains("integer")));
    luca["eta"] = json!(57);
    luca["modalita_pagamento"] = json!("assegno");
    let out = evaluate(addr, "naspi", &luca);
    assert_eq!(out["field"], "modalita_pagamento");

    // A recipient the campaign does not address (assegno_unico requires consent).
    let mut davide = demo(&tmp.root(), "assegno_unico", "davide");
    davide["consenso_servizi_proattivi"] = json!(false);
    let out = evaluate(addr, "assegno_unico", &davide);
    assert_eq!(out["status"], "not_eligible", "{out}");

    // Malformed requests.
    let r = request(
        addr,
        "POST",
        "/api/evaluate/naspi",
        Some("application/json"),
        b"{",
    );
    assert_eq!(r.status, 400);
    let r = request(
        addr,
        "POST",
        "/api/evaluate/naspi",
        Some("text/plain"),
        b"{}",
    );
    assert_eq!(r.status, 415);
    let big = vec![b' '; 300 * 1024];
    let r = request(
        addr,
        "POST",
        "/api/evaluate/naspi",
        Some("application/json"),
        &big,
    );
    assert_eq!(r.status, 413);
    p.stop();
}

#[test]
fn the_notifications_of_the_recipient_come_with_the_timeline() {
    let tmp = TempCampaigns::new("preview-http", "notifications");
    let p = start(&tmp.root());
    let addr = p.addr();
    let mut luca = demo(&tmp.root(), "naspi", "luca");
    luca["contatti_aggiornati"] = json!(true);
    luca["cellulare"] = json!("+393331234567");
    let out = evaluate(addr, "naspi", &luca);
    assert_eq!(out["status"], "ok", "{out}");
    let list = out["notifications"].as_array().expect("notifications");
    let channels: Vec<&str> = list.iter().filter_map(|n| n["channel"].as_str()).collect();
    assert_eq!(channels, ["io", "sms", "email"]);
    assert_eq!(list[0]["status"], "send");
    assert!(list[0]["markdown"]
        .as_str()
        .is_some_and(|m| m.starts_with("---\nit:\n  cta_1:")));
    assert_eq!(list[1]["status"], "send");
    assert_eq!(list[1]["sms"]["encoding"], "GSM-7");
    assert_eq!(list[1]["sms"]["segments"], 2);
    assert_eq!(list[2]["status"], "no_contact");
    luca["contatti_aggiornati"] = json!(false);
    let out = evaluate(addr, "naspi", &luca);
    assert_eq!(out["notifications"][1]["status"], "not_applicable");
}

#[test]
fn errors_are_shown_and_the_last_good_version_stays_playable() {
    let tmp = TempCampaigns::new("preview-http", "errors");
    let p = start(&tmp.root());
    let addr = p.addr();
    let before = get(addr, "/api/state/naspi").json();
    let generation = before["generation"].as_u64().expect("generation");

    // Listen to the events as an open page would.
    let mut events = TcpStream::connect(addr).expect("connect");
    events
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    events
        .write_all(format!("GET /events HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .expect("send");
    let mut seen = String::new();
    read_until(&mut events, &mut seen, "retry:");
    assert!(seen.contains("text/event-stream"), "{seen}");

    let guide = tmp.root().join("naspi/naspi.guide");
    let good = std::fs::read_to_string(&guide).expect("read");
    let bad = good.replace(
        "text \"Riceverai la NASpI per {durata_settimane",
        "text \"Riceverai la NASpI per {durata_settimanee",
    );
    assert_ne!(good, bad);
    // Events sent before the change (e.g. background analyses finishing) are not its answer.
    seen.clear();
    std::fs::write(&guide, &bad).expect("write");

    read_until(&mut events, &mut seen, "event: campaign");
    read_until(&mut events, &mut seen, "\"slug\":\"naspi\"");

    let state = wait_state(addr, "naspi", "the error", |s| {
        s["generation"].as_u64() > Some(generation) && s["errors"].as_u64() > Some(0)
    });
    assert_eq!(state["status"], "errors");
    assert_eq!(state["playable"], true, "the last good build stays");
    assert_eq!(state["good_is_current"], false);
    // The same text as `guide check`.
    let project = guide_compiler::project::load(&tmp.root().join("naspi")).expect("load");
    let checked = guide_compiler::check::check(&project);
    let expected: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| d.render(false))
        .collect();
    let shown: Vec<String> = state["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["text"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(shown, expected);
    assert!(shown[0].contains("naspi/naspi.guide:"), "{}", shown[0]);
    assert!(shown[0].contains("durata_settimanee"));
    assert_eq!(state["diagnostics"][0]["line"], 51);
    // The index says so too.
    let index = get(addr, "/api/index").json();
    let naspi = index["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .find(|c| c["slug"] == "naspi")
        .cloned()
        .expect("naspi");
    assert_eq!(naspi["status"], "errors");

    // Still playable.
    let out = evaluate(addr, "naspi", &demo(&tmp.root(), "naspi", "luca"));
    assert_eq!(out["status"], "ok");

    // Fixing the file clears the errors.
    std::fs::write(&guide, &good).expect("write");
    let state = wait_state(addr, "naspi", "the fix", |s| s["errors"] == 0);
    assert_eq!(state["good_is_current"], true);
    assert_eq!(state["status"], "clean");
    p.stop();
}

fn read_until(s: &mut TcpStream, seen: &mut String, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 4096];
    while !seen.contains(needle) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {needle}: {seen}"
        );
        match s.read(&mut buf) {
            Ok(0) => panic!("the event stream closed: {seen}"),
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(e) => panic!("reading events: {e}: {seen}"),
        }
    }
}

#[test]
fn values_are_escaped() {
    let tmp = TempCampaigns::new("preview-http", "escaping");
    // A campaign whose title and folder are markup.
    let dir = tmp.root().join("naspi");
    let guide = dir.join("naspi.guide");
    let text = std::fs::read_to_string(&guide).expect("read");
    let text = text.replace(
        "title \"La tua NASpI\"",
        "title \"<img src=x onerror=alert(1)> & <script>alert(2)</script>\"",
    );
    std::fs::write(&guide, text).expect("write");
    let p = start(&tmp.root());
    let addr = p.addr();
    for path in ["/", "/c/naspi"] {
        let html = get(addr, path).text();
        assert!(!html.contains("<img src=x"), "{path}");
        assert!(!html.contains("<script>alert"), "{path}");
        assert!(
            html.contains("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; &lt;script&gt;"),
            "{path}: {html}"
        );
    }
    // Recipient values travel as JSON and come back as JSON.
    let mut luca = demo(&tmp.root(), "naspi", "luca");
    luca["nome"] = json!("<img src=x onerror=alert(1)>");
    let r = request(
        addr,
        "POST",
        "/api/evaluate/naspi",
        Some("application/json"),
        json!({ "record": luca }).to_string().as_bytes(),
    );
    assert!(r
        .header("Content-Type")
        .is_some_and(|t| t.starts_with("application/json")));
    let out = r.json();
    assert_eq!(
        out["timeline"]["scenes"][0]["texts"][0],
        "Benvenuto <img src=x onerror=alert(1)>"
    );
    // The page's script writes text, never markup.
    let js = get(addr, "/static/player.js").text();
    assert!(
        !js.contains(".innerHTML")
            && !js.contains("insertAdjacentHTML")
            && !js.contains("document.write")
    );
    p.stop();
}

#[test]
fn only_files_under_the_folder_are_served() {
    let tmp = TempCampaigns::new("preview-http", "traversal");
    let root = tmp.root();
    // A visual of the campaign, present.
    std::fs::write(root.join("naspi/naspi_intro.png"), b"\x89PNG\r\n\x1a\nfake").expect("write");
    // A secret next to the served folder, and a visual that links to it.
    std::fs::write(tmp.dir.join("secret.png"), b"secret").expect("write");
    // The campaign ships this picture: the link takes its place.
    let _ = std::fs::remove_file(root.join("naspi/naspi_importo.png"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        tmp.dir.join("secret.png"),
        root.join("naspi/naspi_importo.png"),
    )
    .expect("symlink");
    let p = start(&root);
    let addr = p.addr();

    let r = get(addr, "/visual/naspi/naspi_intro.png");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type").as_deref(), Some("image/png"));
    let state = get(addr, "/api/state/naspi").json();
    // The campaign's pictures are present, but not the link out of the folder.
    let present = state["visuals_present"].as_array().expect("a list");
    assert!(present.contains(&json!("naspi_intro.png")));
    assert!(!present.contains(&json!("naspi_importo.png")));

    for path in [
        "/visual/naspi/naspi_importo.png",
        "/visual/naspi/../secret.png",
        "/visual/naspi/%2e%2e/secret.png",
        "/visual/naspi/..%2f..%2fsecret.png",
        "/visual/naspi/schema.ron",
        "/visual/naspi/demo/luca.json",
        "/visual/../secret.png",
        "/static/../../Cargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/c/../../etc/passwd",
        "/../../../etc/passwd",
        "/api/state/..%2f..%2f",
        "/%00",
    ] {
        let r = get(addr, path);
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
        assert!(!r.text().contains("secret"), "{path}");
        assert!(!r.text().contains("root:"), "{path}");
    }

    // Request limits: the target's length, the Host header (DNS rebinding).
    let long = format!("/c/{}", "a".repeat(5000));
    assert_eq!(get(addr, &long).status, 414);
    let r = raw(
        addr,
        b"GET / HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 421);
    p.stop();
}

#[test]
fn static_files_are_revalidated_by_etag() {
    let tmp = TempCampaigns::new("preview-http", "etag");
    let p = start(&tmp.root());
    let addr = p.addr();
    let r = get(addr, "/static/player.js");
    assert_eq!(r.status, 200);
    let tag = r.header("ETag").expect("an ETag");
    assert_eq!(r.header("Cache-Control").as_deref(), Some("no-cache"));
    let again = raw(
        addr,
        format!(
            "GET /static/player.js HTTP/1.1\r\nHost: {addr}\r\nIf-None-Match: {tag}\r\n\
             Connection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // Pages and data are never stored.
    assert_eq!(
        get(addr, "/api/index").header("Cache-Control").as_deref(),
        Some("no-store")
    );
    assert_eq!(
        request(addr, "POST", "/static/player.js", None, b"").status,
        405
    );
    p.stop();
}

#[test]
fn the_oldest_event_stream_is_closed_for_a_new_one() {
    use guide_preview::events::MAX_CLIENTS;
    let tmp = TempCampaigns::new("preview-http", "streams");
    let p = start(&tmp.root());
    let addr = p.addr();
    let open = |seen: &mut String| {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s.write_all(format!("GET /events HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .expect("send");
        read_until(&mut s, seen, "retry:");
        s
    };
    let mut first_seen = String::new();
    let mut first = open(&mut first_seen);
    let mut others: Vec<TcpStream> = (1..MAX_CLIENTS).map(|_| open(&mut String::new())).collect();
    assert_eq!(p.app().events.len(), MAX_CLIENTS);
    // One more: the first stream ends (its page reconnects by itself), the new one is open.
    let mut last_seen = String::new();
    let mut last = open(&mut last_seen);
    read_until(&mut first, &mut first_seen, "\r\n0\r\n\r\n");
    assert_eq!(p.app().events.len(), MAX_CLIENTS);
    p.app().events.send("index", &json!({"list_changed": true}));
    read_until(&mut last, &mut last_seen, "event: index");
    read_until(&mut others[0], &mut String::new(), "event: index");
    p.stop();
}

/// `guide preview --voice`: an evaluation names its audio, `202` while it is spoken, then the
/// Ogg Opus file (espeak-ng and opusenc, installed by ./test.sh); an unknown key is `404`.
#[test]
fn the_voice_speaks_an_evaluation_on_request() {
    let tmp = TempCampaigns::new("preview-http", "voice");
    let p = guide_preview::Preview::start_speaking(
        &guide_preview::Options {
            root: tmp.root(),
            host: "127.0.0.1".parse().expect("ip"),
            port: 0,
            watch: false,
        },
        guide_preview::builds::Tuning::default(),
        Some(guide_preview::voice::Voice::new(None)),
    )
    .expect("the preview starts");
    assert!(p.wait_settled(Duration::from_secs(120)));
    let addr = p.addr();
    let out = evaluate(addr, "naspi", &demo(&tmp.root(), "naspi", "giulia"));
    let audio = out["audio"].as_str().expect("an audio address").to_string();
    assert!(audio.starts_with("/audio/naspi/"), "{audio}");
    let first = get(addr, &audio);
    assert!(
        first.status == 202 || first.status == 200,
        "{}",
        first.status
    );
    let started = Instant::now();
    let ready = loop {
        let r = get(addr, &audio);
        if r.status != 202 || started.elapsed() > Duration::from_secs(120) {
            break r;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(ready.status, 200);
    assert_eq!(ready.header("Content-Type").as_deref(), Some("audio/ogg"));
    assert!(ready.body.starts_with(b"OggS"));
    assert_eq!(get(addr, "/audio/naspi/0123456789abcdef").status, 404);
    p.stop();
}

#[test]
fn the_form_s_date_is_the_reference_date() {
    let tmp = TempCampaigns::new("preview-http", "as-of");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../compiler/tests/dates/superstiti"),
        &tmp.root().join("superstiti"),
    );
    let p = start(&tmp.root());
    let addr = p.addr();
    let giulia = demo(&tmp.root(), "superstiti", "giulia");
    let at = |as_of: Value| {
        let body = json!({ "record": giulia, "as_of": as_of }).to_string();
        request(
            addr,
            "POST",
            "/api/evaluate/superstiti",
            Some("application/json"),
            body.as_bytes(),
        )
    };
    let august = at(json!("2025-08-20"));
    assert_eq!(august.status, 200, "{}", august.text());
    assert!(
        august.text().contains("Mancano 12 giorni alla scadenza"),
        "{}",
        august.text()
    );
    let march = at(json!("2025-03-20")).text();
    assert!(
        march.contains("Sara, 17 anni") && !march.contains("Mancano"),
        "{march}"
    );
    // Empty: today; not a date: refused.
    assert_eq!(at(json!("")).json()["status"], "ok");
    assert_eq!(at(json!("2025-02-30")).status, 400);
}

#[test]
fn a_demo_the_schema_refuses_is_listed_as_broken() {
    let tmp = TempCampaigns::new("preview-http", "broken-demo");
    let demo = tmp.root().join("naspi/demo/maria.json");
    let mut record: Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.root().join("naspi/demo/chiara.json")).expect("demo"),
    )
    .expect("JSON");
    record["contatti_aggiornati"] = json!("no");
    std::fs::write(&demo, record.to_string()).expect("write");
    let p = start(&tmp.root());
    let state = wait_state(p.addr(), "naspi", "the demos", |s| {
        s["demos"].as_array().is_some_and(|d| !d.is_empty())
    });
    let demos = state["demos"].as_array().expect("demos");
    let maria = demos
        .iter()
        .find(|d| d["name"] == "maria")
        .expect("maria listed");
    let why = maria["broken"].as_str().expect("maria is broken");
    assert!(why.contains("contatti_aggiornati"), "{why}");
    let chiara = demos
        .iter()
        .find(|d| d["name"] == "chiara")
        .expect("chiara listed");
    assert!(chiara["broken"].is_null(), "{chiara}");
    let problems = state["demo_problems"].as_array().expect("problems");
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().is_some_and(|p| p.starts_with("demo/maria.json"))),
        "{state}"
    );
    p.stop();
}
