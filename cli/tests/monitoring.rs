//! The monitoring: the players' events (`POST /g/TOKEN/eventi` of `guide serve`) and the staff's
//! dashboard (`guide dashboard`), end to end over HTTP with the real binaries.
//!
//! - hostile batches are refused whole and store nothing;
//! - a simulation publishes recipients and drives viewers with planted behaviour: the dashboard
//!   reports the planted figures, and no token or personal value is found in the events'
//!   tables, the logs or any export (SQLite, and PostgreSQL when GUIDE_TEST_POSTGRES is set);
//! - a batch answered `204` survives `kill -9` of the server.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

mod browser;
mod support;
use support::{databases, root, scratch, start, Running};

/// A recipient published by the tests: their personal values and token.
#[derive(Debug, Clone)]
struct Person {
    codice_fiscale: String,
    nome: String,
    token: String,
}

/// Letters for `i` (`a`, `b`, ... `ba`): names with no digits.
fn letters(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// Publishes `n` NASpI recipients (Chiara's record, each with their own codice fiscale and
/// name) into `db`; their tokens from the links manifest.
fn publish(dir: &Path, db: &str, n: usize) -> Vec<Person> {
    let chiara: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("campaigns/naspi/demo/chiara.json")).expect("demo"),
    )
    .expect("json");
    let mut people = Vec::new();
    let mut lines = String::new();
    for i in 0..n {
        let mut r = chiara.clone();
        let cf = format!("QZX{i:05}K42F839G");
        let nome = format!("Zebedia{}", letters(i));
        r["codice_fiscale"] = json!(cf);
        r["nome"] = json!(nome);
        lines.push_str(&r.to_string());
        lines.push('\n');
        people.push(Person {
            codice_fiscale: cf,
            nome,
            token: String::new(),
        });
    }
    let data = dir.join("recipients.jsonl");
    std::fs::write(&data, lines).expect("write data");
    let links = dir.join("links.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_guide"))
        .arg("publish")
        .arg(root().join("campaigns/naspi"))
        .arg("--data")
        .arg(&data)
        .args(["--db", db, "--links"])
        .arg(&links)
        .args(["--base-url", "https://guide.example"])
        .output()
        .expect("run guide publish");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_path(&links).expect("links");
    for row in r.records() {
        let row = row.expect("row");
        let p = people
            .iter_mut()
            .find(|p| p.codice_fiscale == row[0])
            .expect("a published recipient");
        p.token = row[1].rsplit('/').next().expect("token").to_string();
    }
    let _ = std::fs::remove_file(&data);
    let _ = std::fs::remove_file(&links);
    people
}

/// Standard error into `log`.
fn log_file(log: &Path) -> Stdio {
    Stdio::from(std::fs::File::create(log).expect("log file"))
}

fn serve(db: &str, log: &Path, extra: &[&str]) -> Running {
    let mut args = vec![
        "--as-of",
        "2024-07-01",
        "--event-batches-per-minute",
        "100000",
    ];
    args.extend_from_slice(extra);
    start("serve", db, &args, log_file(log))
}

/// An HTTP request; the status and body.
fn request(addr: &str, method: &str, path: &str, body: &[u8], ua: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: {ua}\r\n\
         Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // A server may answer (413) before reading a large body: a failed write is not an error.
    let _ = s.write_all(head.as_bytes()).and_then(|_| s.write_all(body));
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, body.to_string())
}

const PHONE: &str =
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Mobile Safari/537.36";
const DESKTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36";

/// Posts a batch of `events` for `token`; the status.
fn post(addr: &str, token: &str, id: &str, channel: Option<&str>, events: Value, ua: &str) -> u16 {
    let mut b = json!({ "id": id, "e": events });
    if let Some(c) = channel {
        b["c"] = json!(c);
    }
    request(
        addr,
        "POST",
        &format!("/g/{token}/eventi"),
        b.to_string().as_bytes(),
        ua,
    )
    .0
}

/// A batch id (22 URL-safe characters) from a number.
fn batch_id(n: usize) -> String {
    format!("b{n:021}")
}

/// The timeline embedded in a recipient's page.
fn timeline(addr: &str, token: &str) -> Value {
    let (status, page) = request(addr, "GET", &format!("/g/{token}"), b"", PHONE);
    assert_eq!(status, 200, "{page}");
    let start = page
        .find(r#"<script type="application/json" id="timeline">"#)
        .expect("timeline")
        + 46;
    let end = start + page[start..].find("</script>").expect("end of timeline");
    serde_json::from_str(&page[start..end]).expect("timeline JSON")
}

/// Ids of the timeline's scenes in order (the ending last) and pop-ups, and the addresses of
/// its service buttons.
fn ids(t: &Value) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut scenes: Vec<&Value> = t["scenes"].as_array().expect("scenes").iter().collect();
    scenes.push(&t["ending"]);
    let text = |v: &Value| v.as_str().expect("id").to_string();
    let s = scenes.iter().map(|s| text(&s["id"])).collect();
    let p = scenes
        .iter()
        .flat_map(|s| s["popups"].as_array().into_iter().flatten())
        .map(|p| text(&p["id"]))
        .collect();
    let b = scenes
        .iter()
        .flat_map(|s| s["buttons"].as_array().into_iter().flatten())
        .map(|b| text(&b["url"]))
        .collect();
    (s, p, b)
}

fn count_events(db: &str) -> i64 {
    if db.starts_with("postgres") {
        let mut c = postgres::Client::connect(db, postgres::NoTls).expect("PostgreSQL");
        c.query_one("SELECT COUNT(*) FROM events", &[])
            .expect("count")
            .get(0)
    } else {
        let c = rusqlite::Connection::open(db).expect("open");
        c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .expect("count")
    }
}

#[test]
fn hostile_batches_are_refused_whole_and_store_nothing() {
    let dir = scratch("hostile");
    let db = dir.join("events.db").display().to_string();
    let people = publish(&dir, &db, 2);
    let token = &people[0].token;
    let s = serve(&db, &dir.join("serve.log"), &[]);
    let ok = json!([{"k": "initialized"}, {"k": "scene", "s": "intro"}]);
    let refused =
        |id: usize, events: Value| post(&s.addr, token, &batch_id(id), None, events, PHONE);

    assert_eq!(refused(1, ok.clone()), 204);
    assert_eq!(count_events(&db), 2);
    assert_eq!(
        refused(1, ok.clone()),
        409,
        "a batch sent again is stored once"
    );
    assert_eq!(refused(2, json!([{"k": "hacked"}])), 400, "unknown kind");
    assert_eq!(
        refused(3, json!([{"k": "scene", "s": "nowhere"}])),
        400,
        "unknown scene"
    );
    assert_eq!(
        refused(4, json!([{"k": "popup", "s": "nope"}])),
        400,
        "unknown pop-up"
    );
    let phishing = json!([{"k": "button", "s": "https://phishing.example"}]);
    assert_eq!(refused(5, phishing), 400, "unknown service");
    assert_eq!(
        refused(6, json!([{"k": "rated", "v": 7}])),
        400,
        "a rating of 7"
    );
    assert_eq!(
        refused(7, json!([{"k": "progressed", "v": 15}])),
        400,
        "not a 10% step"
    );
    assert_eq!(
        refused(8, json!([{"k": "initialized"}, {"k": "rated", "v": 0}])),
        400,
        "one bad event refuses the batch"
    );
    assert_eq!(
        refused(9, json!([{"k": "played", "x": "RSSMRA80A01H501U"}])),
        400,
        "unknown field"
    );
    assert_eq!(refused(10, json!([])), 400, "no event");
    let many: Vec<Value> = (0..201).map(|_| json!({"k": "played"})).collect();
    assert_eq!(refused(11, Value::Array(many)), 413, "too many events");
    let path = format!("/g/{token}/eventi");
    let big = format!(
        r#"{{"id":"{}","e":[{}]}}"#,
        batch_id(12),
        "{\"k\":\"played\"},".repeat(4000)
    );
    assert_eq!(
        request(&s.addr, "POST", &path, big.as_bytes(), PHONE).0,
        413,
        "too large"
    );
    assert_eq!(
        request(&s.addr, "POST", &path, b"{not json", PHONE).0,
        400,
        "malformed"
    );
    assert_eq!(
        post(&s.addr, token, "short", None, ok.clone(), PHONE),
        400,
        "a malformed batch id"
    );
    assert_eq!(
        post(
            &s.addr,
            "AAAAAAAAAAAAAAAAAAAAAA",
            &batch_id(13),
            None,
            ok.clone(),
            PHONE
        ),
        404,
        "an unknown token"
    );
    assert_eq!(count_events(&db), 2, "nothing refused was stored");
    // The recipient's page is unaffected.
    assert_eq!(
        request(&s.addr, "GET", &format!("/g/{token}"), b"", PHONE).0,
        200
    );
    drop(s);

    // A flood from one address: 429 once its budget is spent, and other tokens' pages still load.
    let tight = start(
        "serve",
        &db,
        &["--as-of", "2024-07-01", "--event-batches-per-minute", "5"],
        log_file(&dir.join("tight.log")),
    );
    let statuses: Vec<u16> = (0..8)
        .map(|i| {
            post(
                &tight.addr,
                &people[1].token,
                &batch_id(100 + i),
                None,
                ok.clone(),
                PHONE,
            )
        })
        .collect();
    assert_eq!(&statuses[..5], &[204; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(
        request(&tight.addr, "GET", &format!("/g/{token}"), b"", PHONE).0,
        200
    );
    assert_eq!(count_events(&db), 2 + 5 * 2);
    drop(tight);

    // Outside the window (the guide closed on 2024-11-10; not purged yet): 410, nothing stored.
    let late = start(
        "serve",
        &db,
        &["--as-of", "2025-01-01", "--grace", "400"],
        log_file(&dir.join("late.log")),
    );
    assert_eq!(post(&late.addr, token, &batch_id(14), None, ok, PHONE), 410);
    assert_eq!(count_events(&db), 2 + 5 * 2);
}

#[test]
fn a_batch_answered_204_survives_kill_9() {
    let dir = scratch("kill");
    let db = dir.join("events.db").display().to_string();
    let people = publish(&dir, &db, 1);
    let s = serve(&db, &dir.join("serve.log"), &[]);
    for i in 0..20 {
        let events = json!([{"k": "initialized"}, {"k": "played"}, {"k": "progressed", "v": 10}]);
        assert_eq!(
            post(
                &s.addr,
                &people[0].token,
                &batch_id(i),
                Some("io"),
                events,
                PHONE
            ),
            204
        );
    }
    // Child::kill is SIGKILL: no shutdown, no flush.
    drop(s);
    assert_eq!(count_events(&db), 60);
}

/// What one simulated viewer does, planted: see [`the_dashboard_reports_the_planted_figures`].
struct Plan {
    interacts: bool,
    completes: bool,
    channel: &'static str,
    desktop: bool,
}

fn plan(i: usize) -> Plan {
    Plan {
        // 58 of every 100 viewers open a pop-up (7919 is prime to 100: a permutation).
        interacts: (i * 7919) % 100 < 58,
        // 40% watch to the end; the others leave after the scene `durata`.
        completes: (i * 37 + 11) % 10 < 4,
        channel: match i % 10 {
            0..=4 => "sms",
            5..=7 => "io",
            _ => "qr",
        },
        desktop: i.is_multiple_of(4),
    }
}

/// The rating of the `n`th viewer who rates: 5 (70%), 4 (20%), 3 (10%), a mean of 4.6.
fn rating(n: usize) -> i64 {
    match (n * 3) % 10 {
        0..=6 => 5,
        7 | 8 => 4,
        _ => 3,
    }
}

/// Drives viewer `i` through their guide over HTTP, as `plan(i)` says; `raters` counts the
/// viewers who rated.
fn view(addr: &str, person: &Person, i: usize, raters: &mut usize) {
    let p = plan(i);
    let t = timeline(addr, &person.token);
    let (scenes, popups, services) = ids(&t);
    let stop = scenes
        .iter()
        .position(|s| s == "durata")
        .expect("scene durata");
    let ua = if p.desktop { DESKTOP } else { PHONE };
    let mut first = vec![json!({"k": "initialized"}), json!({"k": "played"})];
    let reached = if p.completes { scenes.len() } else { stop + 1 };
    for s in &scenes[..reached] {
        first.push(json!({"k": "scene", "s": s}));
    }
    if p.interacts {
        first.push(json!({"k": "popup", "s": popups[0]}));
    }
    assert_eq!(
        post(
            addr,
            &person.token,
            &batch_id(2 * i),
            Some(p.channel),
            Value::Array(first),
            ua
        ),
        204
    );
    let mut second = Vec::new();
    let steps = if p.completes { 10 } else { 4 };
    for s in 1..=steps {
        second.push(json!({"k": "progressed", "v": s * 10}));
    }
    if p.completes {
        second.push(json!({"k": "completed", "v": 80}));
        second.push(json!({"k": "completed", "v": 100}));
        if p.interacts {
            second.push(json!({"k": "rated", "v": rating(*raters)}));
            *raters += 1;
            second.push(json!({"k": "button", "s": services[0]}));
        }
    }
    second.push(json!({"k": "paused"}));
    assert_eq!(
        post(
            addr,
            &person.token,
            &batch_id(2 * i + 1),
            Some(p.channel),
            Value::Array(second),
            ua
        ),
        204
    );
}

/// A cell of a table of `tutto.json`: the row whose first cell is `label`, column `col`.
fn cell<'a>(report: &'a Value, table: &str, label: &str, col: usize) -> &'a Value {
    let t = report["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["table"] == table)
        .unwrap_or_else(|| panic!("table {table}"));
    let row = t["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[0] == label)
        .unwrap_or_else(|| panic!("row {label} of {table}: {t}"));
    &row[col]
}

fn near(v: &Value, expected: f64, tolerance: f64, what: &str) {
    let x = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {v} is not a number"));
    assert!(
        (x - expected).abs() <= tolerance,
        "{what}: {x}, planted {expected} (± {tolerance})"
    );
}

/// Every table of the database but `recipients` (which holds the tokens and records until
/// the purge, by design), as text.
fn dump_events_side(db: &str) -> String {
    let mut out = String::new();
    if db.starts_with("postgres") {
        let mut c = postgres::Client::connect(db, postgres::NoTls).expect("PostgreSQL");
        let tables: Vec<String> = c
            .query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'recipients'",
                &[],
            )
            .expect("tables")
            .iter()
            .map(|r| r.get(0))
            .collect();
        for t in tables {
            for r in c
                .query(&format!("SELECT t::text FROM {t} t"), &[])
                .expect("dump")
            {
                out.push_str(&r.get::<_, String>(0));
                out.push('\n');
            }
        }
    } else {
        let c = rusqlite::Connection::open(db).expect("open");
        let mut st = c
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'recipients'")
            .expect("tables");
        let tables: Vec<String> = st
            .query_map([], |r| r.get(0))
            .expect("tables")
            .map(|r| r.expect("name"))
            .collect();
        for t in tables {
            let mut st = c.prepare(&format!("SELECT * FROM {t}")).expect("select");
            let n = st.column_count();
            let mut rows = st.query([]).expect("rows");
            while let Some(r) = rows.next().expect("row") {
                for i in 0..n {
                    match r.get_ref(i).expect("value") {
                        rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                            out.push_str(&String::from_utf8_lossy(b));
                        }
                        v => out.push_str(&format!("{v:?}")),
                    }
                    out.push('|');
                }
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn the_dashboard_reports_the_planted_figures_and_nothing_personal() {
    const PUBLISHED: usize = 300;
    const VIEWERS: usize = 250;
    let dir = scratch("planted");
    for db in databases(&dir, "planted") {
        let people = publish(&dir, &db, PUBLISHED);
        let serve_log = dir.join("serve.log");
        let s = serve(&db, &serve_log, &[]);
        let mut raters = 0;
        for (i, person) in people.iter().take(VIEWERS).enumerate() {
            view(&s.addr, person, i, &mut raters);
        }
        drop(s);

        let dash_log = dir.join("dashboard.log");
        let d = start("dashboard", &db, &[], log_file(&dash_log));
        let mut exports = String::new();
        let mut fetch = |path: &str| -> String {
            let (status, body) = request(&d.addr, "GET", path, b"", DESKTOP);
            assert_eq!(status, 200, "{path}: {body}");
            exports.push_str(&body);
            body
        };
        let index = fetch("/");
        assert!(index.contains("/c/naspi"), "{index}");
        let page = fetch("/c/naspi");
        assert!(page.contains("<svg class=\"chart\""), "{page}");
        let all: Value = serde_json::from_str(&fetch("/c/naspi/tutto.json")).expect("json");
        for t in all["tables"].as_array().expect("tables") {
            let id = t["table"].as_str().expect("id");
            fetch(&format!("/c/naspi/{id}.csv"));
            fetch(&format!("/c/naspi/{id}.json"));
        }
        assert_eq!(request(&d.addr, "GET", "/c/nessuna", b"", DESKTOP).0, 404);
        drop(d);

        // The planted figures.
        assert_eq!(
            *cell(&all, "sintesi", "Guide pubblicate", 1),
            json!(PUBLISHED)
        );
        assert_eq!(
            *cell(&all, "sintesi", "Spettatori unici", 1),
            json!(VIEWERS)
        );
        let aperte = cell(&all, "sintesi", "Aperte, sul totale delle pubblicate", 1);
        near(aperte, VIEWERS as f64 / PUBLISHED as f64, 0.001, "opened");
        let interazioni = cell(
            &all,
            "sintesi",
            "Interazioni (pop-up, servizi o valutazione)",
            1,
        );
        near(interazioni, 0.58, 0.03, "interaction rate");
        near(
            cell(&all, "sintesi", "Viste fino alla fine", 1),
            0.40,
            0.03,
            "completion",
        );
        near(
            cell(&all, "sintesi", "Valutazione media", 1),
            4.6,
            0.2,
            "mean rating",
        );
        near(
            cell(&all, "scene", "durata", 2),
            1.0,
            0.001,
            "everyone reaches durata",
        );
        near(
            cell(&all, "scene", "obblighi", 2),
            0.40,
            0.03,
            "the drop-off after durata",
        );
        near(cell(&all, "canali", "sms", 2), 0.5, 0.01, "sms");
        near(cell(&all, "canali", "io", 2), 0.3, 0.01, "io");
        near(cell(&all, "canali", "qr", 2), 0.2, 0.01, "qr");
        near(
            cell(&all, "dispositivi", "desktop", 2),
            0.25,
            0.01,
            "desktop",
        );
        near(
            cell(&all, "avanzamento", "100 %", 2),
            0.40,
            0.03,
            "100% watched",
        );
        // A group of fewer than 10 viewers is suppressed, in the page and the exports: the
        // 3-star ratings are ~6.
        assert_eq!(*cell(&all, "valutazioni", "3", 1), json!("< 10"));
        assert_eq!(*cell(&all, "valutazioni", "1", 1), json!("< 10"));
        assert!(page.contains("&lt; 10"), "the page shows < 10");

        // Nothing personal anywhere: the events' tables, both logs, every page and export.
        let dump = dump_events_side(&db);
        assert!(dump.contains("naspi"), "the dump is not empty");
        let logs = std::fs::read_to_string(&serve_log).expect("log")
            + &std::fs::read_to_string(&dash_log).expect("log");
        assert!(
            logs.contains("/eventi 204"),
            "the log lists the batches: {logs}"
        );
        for (what, text) in [("dump", &dump), ("logs", &logs), ("exports", &exports)] {
            for p in &people {
                for secret in [&p.token, &p.codice_fiscale, &p.nome] {
                    assert!(
                        !text.contains(secret.as_str()),
                        "{secret} found in the {what}"
                    );
                }
            }
            assert!(!text.contains("Zebedia") && !text.contains("QZX"), "{what}");
        }
        let _ = std::fs::remove_file(&serve_log);
        let _ = std::fs::remove_file(&dash_log);
    }
}

/// The events of the database, as (kind, target, value, channel) rows.
fn events_of(db: &str) -> Vec<(String, String, i64, String)> {
    let c = rusqlite::Connection::open(db).expect("open");
    let mut st = c
        .prepare("SELECT kind, target, value, channel FROM events ORDER BY rowid")
        .expect("select");
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("rows");
    rows.map(|r| r.expect("row")).collect()
}

#[test]
fn a_real_browser_reports_its_events_and_the_dashboard_passes_axe() {
    let Some(setup) = browser::setup() else {
        return;
    };
    let dir = scratch("browser");
    let db = dir.join("events.db").display().to_string();
    let people = publish(&dir, &db, 31);
    let serve_log = dir.join("serve.log");
    let s = serve(&db, &serve_log, &[]);
    // Thirty viewers over HTTP, so that the dashboard has figures above the threshold.
    let mut raters = 0;
    for (i, p) in people.iter().take(30).enumerate() {
        view(&s.addr, p, i, &mut raters);
    }
    let before = events_of(&db).len();
    let in_browser = &people[30];
    let dash_log = dir.join("dashboard.log");
    let d = start("dashboard", &db, &[], log_file(&dash_log));
    let link = format!("http://{}/g/{}?c=sms", s.addr, in_browser.token);
    let artifacts = browser::artifacts();
    let dashboard = format!("http://{}/", d.addr);
    let args = [link.as_ref(), dashboard.as_ref(), artifacts.as_os_str()];
    browser::node(&setup, "dashboard.e2e.mjs", &args, Duration::from_secs(180));

    // The browser's events, within a few seconds (the last batch goes as the page closes).
    let mut kinds = Vec::new();
    for _ in 0..50 {
        let events = events_of(&db);
        kinds = events[before..]
            .iter()
            .map(|e| e.0.clone())
            .collect::<Vec<_>>();
        if kinds.iter().any(|k| k == "captions") {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for k in [
        "initialized",
        "played",
        "paused",
        "scene",
        "popup",
        "captions",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} not reported: {kinds:?}");
    }
    let events = events_of(&db);
    assert!(
        events[before..].iter().all(|e| e.3 == "sms"),
        "the channel of ?c=sms"
    );
    assert!(events[before..]
        .iter()
        .any(|e| e.0 == "captions" && e.2 == 0));
    drop(s);
    drop(d);
    let dump = dump_events_side(&db);
    let logs = std::fs::read_to_string(&serve_log).expect("log")
        + &std::fs::read_to_string(&dash_log).expect("log");
    for p in &people {
        for secret in [&p.token, &p.codice_fiscale, &p.nome] {
            assert!(!dump.contains(secret.as_str()), "{secret} in the dump");
            assert!(!logs.contains(secret.as_str()), "{secret} in the logs");
        }
    }
}
