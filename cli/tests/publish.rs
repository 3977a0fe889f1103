//! `guide publish` and `guide purge`: the accounting on a mixed file, republishing (tokens kept,
//! data and version updated), kill -9 and re-run, the links manifest and QR codes, retention
//! leaving nothing personal. Every test runs against SQLite, and against PostgreSQL too when
//! GUIDE_TEST_POSTGRES is set to a server URL (./test.sh starts one: scripts/postgres.sh).

use guide_server::StoredRecipient;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod support;
use support::{databases, demos, guide, p, root, scratch};

fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres")
}

fn demo(campaign: &str, name: &str) -> Value {
    let text =
        std::fs::read_to_string(root().join(format!("campaigns/{campaign}/demo/{name}.json")))
            .expect("demo");
    serde_json::from_str(&text).expect("demo JSON")
}

fn write_jsonl(path: &Path, records: &[Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).expect("write the data");
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn recipients(db: &str, campaign: &str) -> Vec<StoredRecipient> {
    let mut store = guide_server::open(db).expect("the database opens");
    store.recipients(campaign).expect("read the recipients")
}

/// Stored recipients by their key attribute (read from the stored record).
fn by_key(rows: &[StoredRecipient], key: &str) -> BTreeMap<String, StoredRecipient> {
    rows.iter()
        .filter_map(|r| {
            let v: Value = serde_json::from_str(r.record.as_deref()?).ok()?;
            let k = match &v[key] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((k, r.clone()))
        })
        .collect()
}

/// Deterministic recipients of the naspi-like workload (examples/naspi-peer).
fn naspi_peer_recipients(n: u64) -> Vec<Value> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let names = [
        "Giulia",
        "Niccolò",
        "Maria Grazia",
        "Zoë",
        "Lorenzo",
        "José",
    ];
    (1..=n)
        .map(|id| {
            let cents = 30_000 + next(125_043);
            json!({
                "id": id,
                "nome": names[next(names.len() as u64) as usize],
                "sesso": if next(2) == 0 { "F" } else { "M" },
                "importo_mensile": cents as f64 / 100.0,
                "data_primo_pagamento": format!("{}-{:02}-{:02}", 2024 + next(3), 1 + next(12), 1 + next(28)),
                "durata_settimane": 4 + next(101),
                "modalita_pagamento": if next(4) == 0 { "ufficio_postale" } else { "bonifico" },
                "ha_figli": next(10) < 4,
                "eta": 18 + next(50),
                "patronato": next(2) == 0,
                "contatti_aggiornati": next(10) < 7,
            })
        })
        .collect()
}

/// Every personal attribute value of `records` (schema `personal: true`), as text.
fn personal_values(schema: &guide_runtime::Schema, records: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for r in records {
        for (name, attr) in schema.attributes.iter() {
            if attr.personal {
                if let Some(Value::String(s)) = r.get(name) {
                    out.push(s.clone());
                }
            }
        }
    }
    out
}

fn schema_of(campaign: &str) -> guide_runtime::Schema {
    let project = guide_compiler::project::load(&root().join(campaign)).expect("loads");
    let compiled = guide_compiler::compile(&project);
    let bytes = compiled.bytecode.expect("bytecode");
    guide_runtime::Program::from_bytes(&bytes)
        .expect("program")
        .schema()
        .clone()
}

/// The whole database as text: SQLite every column of every table (blobs as bytes read
/// leniently), PostgreSQL through pg_dump.
fn dump(db: &str) -> String {
    if is_postgres(db) {
        let pg_dump = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path().join("bin/pg_dump"))
                    .find(|p| p.exists())
            })
            .unwrap_or_else(|| PathBuf::from("pg_dump"));
        let o = Command::new(pg_dump)
            .args(["--no-owner", "-d", db])
            .output()
            .expect("pg_dump runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        return String::from_utf8_lossy(&o.stdout).into_owned();
    }
    let conn = rusqlite::Connection::open(db).expect("open");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("tables");
    let mut out = String::new();
    for t in &tables {
        let mut st = conn
            .prepare(&format!("SELECT * FROM \"{t}\""))
            .expect("select");
        let n = st.column_count();
        let mut rows = st.query([]).expect("rows");
        while let Some(row) = rows.next().expect("row") {
            for i in 0..n {
                use rusqlite::types::ValueRef;
                match row.get_ref(i).expect("value") {
                    ValueRef::Null => out.push_str("NULL"),
                    ValueRef::Integer(x) => out.push_str(&x.to_string()),
                    ValueRef::Real(x) => out.push_str(&x.to_string()),
                    ValueRef::Text(b) | ValueRef::Blob(b) => {
                        out.push_str(&String::from_utf8_lossy(b));
                    }
                }
                out.push('\t');
            }
            out.push('\n');
        }
    }
    out
}

/// The accounting of `guide render` on a file mixing published, ineligible and bad records, in
/// JSON Lines and CSV; the summary gives counts only.
#[test]
fn accounting_on_a_mixed_file() {
    let dir = scratch("mixed");
    let campaign = root().join("campaigns/assegno_unico");
    let good = demo("assegno_unico", "alessandro");
    let mut no_consent = demo("assegno_unico", "davide");
    no_consent["consenso_servizi_proattivi"] = json!(false);
    let mut wrong_type = demo("assegno_unico", "federica");
    wrong_type["sesso"] = json!(1);
    let mut unknown = demo("assegno_unico", "ilaria");
    unknown["nme"] = json!("x");
    // (line, fate): p published, n not eligible, x rejected, - blank.
    let rows: Vec<(String, char)> = vec![
        (good.to_string(), 'p'),
        (no_consent.to_string(), 'n'),
        (wrong_type.to_string(), 'x'),
        (String::new(), '-'),
        (demo("assegno_unico", "silvia").to_string(), 'p'),
        ("{not json".into(), 'x'),
        (unknown.to_string(), 'x'),
        (demo("assegno_unico", "stefano").to_string(), 'n'),
        (demo("assegno_unico", "valentina").to_string(), 'p'),
    ];
    let data = dir.join("mixed.jsonl");
    let text: String = rows.iter().map(|(l, _)| format!("{l}\n")).collect();
    std::fs::write(&data, text).expect("write");
    let count = |c: char| rows.iter().filter(|(_, f)| *f == c).count();
    let expect = |c: char| -> Vec<u64> {
        rows.iter()
            .enumerate()
            .filter(|(_, (_, f))| *f == c)
            .map(|(i, _)| i as u64 + 1)
            .collect()
    };
    for db in databases(&dir, "mixed") {
        let (code, err) = guide(&["publish", p(&campaign), "--data", p(&data), "--db", &db]);
        assert_eq!(code, 3, "{err}");
        assert!(err.contains("read                     8"), "{err}");
        assert!(
            err.contains("published                3  (3 new, 0 updated)"),
            "{err}"
        );
        assert!(err.contains("not eligible             2"), "{err}");
        assert!(err.contains("rejected                 3"), "{err}");
        // Counts only: no name, no codice fiscale, no database password.
        for r in [&good, &no_consent, &wrong_type] {
            for attr in ["codice_fiscale", "nome"] {
                let v = r[attr].as_str().expect("text");
                assert!(!err.contains(v), "{attr} in the summary: {err}");
            }
        }
        assert!(!err.contains("postgres://"), "{err}");
        let rejects = lines(&dir.join("mixed.rejects.jsonl"));
        let listed: Vec<u64> = rejects.iter().filter_map(|v| v["line"].as_u64()).collect();
        assert_eq!(listed, expect('x'));
        let ne = lines(&dir.join("mixed.not-eligible.jsonl"));
        let listed: Vec<u64> = ne.iter().filter_map(|v| v["line"].as_u64()).collect();
        assert_eq!(listed, expect('n'));
        assert_eq!(ne[0]["key"], no_consent["codice_fiscale"]);
        let stored = recipients(&db, "assegno_unico");
        assert_eq!(stored.len(), count('p'));
        // The stored record is the validated record, as JSON.
        let keyed = by_key(&stored, "codice_fiscale");
        let cf = good["codice_fiscale"].as_str().expect("cf");
        let mine: Value =
            serde_json::from_str(keyed[cf].record.as_deref().expect("record")).expect("JSON");
        assert_eq!(mine, good);
    }
}

/// CSV input: the same accounting, and the stored record is the JSON a JSON Lines line would
/// be; a recipient published from CSV and then from JSON Lines is the same recipient.
#[test]
fn csv_input_stores_the_json_record() {
    let dir = scratch("csv");
    let campaign = root().join("campaigns/naspi");
    let records = demos("naspi");
    let columns = [
        "codice_fiscale",
        "nome",
        "sesso",
        "eta",
        "importo_mensile",
        "data_primo_pagamento",
        "durata_settimane",
        "modalita_pagamento",
        "reddito_autonomo",
        "contatti_aggiornati",
    ];
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns).expect("header");
    for r in &records {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match &r[*c] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Number(n) if *c == "importo_mensile" || *c == "reddito_autonomo" => {
                    format!("{:.2}", n.as_f64().expect("number"))
                }
                other => other.to_string(),
            })
            .collect();
        w.write_record(&cells).expect("row");
    }
    let mut bad = vec!["RSSMRA80A01H501U"; 1];
    bad.extend([
        "Mario",
        "M",
        "trenta",
        "1.00",
        "2024-01-01",
        "4",
        "bonifico",
        "",
        "true",
    ]);
    w.write_record(&bad).expect("row");
    let data = dir.join("naspi.csv");
    std::fs::write(&data, w.into_inner().expect("csv")).expect("write");
    let jsonl = dir.join("naspi.jsonl");
    write_jsonl(&jsonl, &records);
    for db in databases(&dir, "csv") {
        let (code, err) = guide(&["publish", p(&campaign), "--data", p(&data), "--db", &db]);
        assert_eq!(code, 3, "{err}");
        assert_eq!(lines(&dir.join("naspi.rejects.jsonl")).len(), 1);
        assert!(!err.contains("RSSMRA80A01H501U"), "{err}");
        let stored = by_key(&recipients(&db, "naspi"), "codice_fiscale");
        assert_eq!(stored.len(), records.len());
        for r in &records {
            let cf = r["codice_fiscale"].as_str().expect("cf");
            let got: Value =
                serde_json::from_str(stored[cf].record.as_deref().expect("record")).expect("JSON");
            // Money read from CSV is the same amount, possibly written with another number of
            // decimals: compare by the runtime's reading of both.
            let schema = schema_of("campaigns/naspi");
            assert_eq!(
                guide_runtime::Record::from_json(&schema, &got).expect("valid"),
                guide_runtime::Record::from_json(&schema, r).expect("valid"),
                "{cf}"
            );
        }
        // The same recipients from JSON Lines: the same rows, tokens kept.
        let (code, err) = guide(&["publish", p(&campaign), "--data", p(&jsonl), "--db", &db]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("(0 new, 7 updated)"), "{err}");
        let again = by_key(&recipients(&db, "naspi"), "codice_fiscale");
        for (k, r) in &stored {
            assert_eq!(again[k].token, r.token);
        }
    }
}

/// Publishing again after a storyboard fix and with updated data keeps every token, replaces
/// the data and serves the new version.
#[test]
fn republish_keeps_tokens_and_updates_data_and_version() {
    let dir = scratch("republish");
    // A copy of the campaign, to change its storyboard.
    let campaign = dir.join("naspi");
    std::fs::create_dir_all(&campaign).expect("dir");
    for f in ["naspi.guide", "schema.ron"] {
        std::fs::copy(root().join("campaigns/naspi").join(f), campaign.join(f)).expect("copy");
    }
    std::fs::create_dir_all(dir.join("common")).expect("dir");
    for e in std::fs::read_dir(root().join("campaigns/common")).expect("common") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dir.join("common").join(e.file_name())).expect("copy");
    }
    let records = demos("naspi");
    let data = dir.join("r.jsonl");
    write_jsonl(&data, &records);
    for db in databases(&dir, "republish") {
        let (code, err) = guide(&["publish", p(&campaign), "--data", p(&data), "--db", &db]);
        assert_eq!(code, 0, "{err}");
        let first = by_key(&recipients(&db, "naspi"), "codice_fiscale");
        assert_eq!(first.len(), records.len());
        let v1 = first.values().next().expect("a row").version.clone();
        // A storyboard fix, and new data for every recipient.
        let src = std::fs::read_to_string(campaign.join("naspi.guide")).expect("read");
        std::fs::write(
            campaign.join("naspi.guide"),
            src.replacen(
                "title \"La tua NASpI\"",
                "title \"La tua NASpI (aggiornata)\"",
                1,
            ),
        )
        .expect("write");
        let updated: Vec<Value> = records
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r["durata_settimane"] = json!(52);
                r
            })
            .collect();
        let data2 = dir.join("r2.jsonl");
        write_jsonl(&data2, &updated);
        let (code, err) = guide(&["publish", p(&campaign), "--data", p(&data2), "--db", &db]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("(0 new, 7 updated)"), "{err}");
        let second = by_key(&recipients(&db, "naspi"), "codice_fiscale");
        assert_eq!(second.len(), records.len());
        let v2 = second.values().next().expect("a row").version.clone();
        assert_ne!(v1, v2, "a new campaign version");
        let mut store = guide_server::open(&db).expect("open");
        assert_eq!(
            store.current_version("naspi").expect("read"),
            Some(v2.clone())
        );
        // Both versions' bytecode are kept, and the new one is what was compiled.
        assert!(store.bytecode("naspi", &v1).expect("read").is_some());
        let b2 = store
            .bytecode("naspi", &v2)
            .expect("read")
            .expect("bytecode");
        let prog = guide_runtime::Program::from_bytes(&b2).expect("loads");
        assert_eq!(prog.metadata().title, "La tua NASpI (aggiornata)");
        for (k, r) in &first {
            let s = &second[k];
            assert_eq!(s.token, r.token, "the link of {k} is unchanged");
            assert_eq!(s.version, v2);
            let rec: Value =
                serde_json::from_str(s.record.as_deref().expect("record")).expect("JSON");
            assert_eq!(rec["durata_settimane"], json!(52));
        }
        // Put the storyboard back for the next database.
        std::fs::write(campaign.join("naspi.guide"), src).expect("write");
    }
}

/// A tiny random generator seeded by the clock (the kill moments of the next test).
fn clock_rng() -> impl FnMut(u64) -> u64 {
    let mut x = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    move |m| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    }
}

/// The naspi-peer recipients in `db` after an interrupted run: whole batches of `batch` only (or
/// all `total`), and no token of a recipient `seen` before changed. Their number.
fn whole_batches(db: &str, batch: u64, total: u64, seen: &mut HashMap<String, String>) -> usize {
    let rows = recipients(db, "naspi_peer");
    let n = rows.len() as u64;
    assert!(
        n.is_multiple_of(batch) || n == total,
        "{n} rows: a batch half written"
    );
    for (id, r) in by_key(&rows, "id") {
        if let Some(t) = seen.insert(id.clone(), r.token.clone()) {
            assert_eq!(t, r.token, "the token of {id} changed");
        }
    }
    rows.len()
}

/// `guide publish` killed with SIGKILL at random moments, several times: the database stays
/// consistent (whole batches only), a re-run completes the work, and no token of a recipient
/// already published ever changes.
#[test]
fn kill_9_then_rerun_completes_and_keeps_tokens() {
    let dir = scratch("kill");
    let campaign = root().join("examples/naspi-peer");
    let total = 20_000u64;
    let batch = 500u64;
    let data = dir.join("r.jsonl");
    write_jsonl(&data, &naspi_peer_recipients(total));
    let mut rng = clock_rng();
    for db in databases(&dir, "kill") {
        let mut seen: HashMap<String, String> = HashMap::new();
        let check = |seen: &mut HashMap<String, String>| whole_batches(&db, batch, total, seen);
        for round in 0..5 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_guide"))
                .args(["publish", p(&campaign), "--data", p(&data), "--db", &db])
                .args(["--batch", &batch.to_string()])
                .stderr(Stdio::null())
                .spawn()
                .expect("guide runs");
            std::thread::sleep(Duration::from_millis(100 + round * 400 + rng(1000)));
            // SIGKILL: no handler runs, the transaction in progress is simply cut.
            let _ = child.kill();
            let status = child.wait().expect("ends");
            let n = check(&mut seen);
            eprintln!("round {round}: {status:?}, {n} rows");
        }
        let (code, err) = guide(&["publish", p(&campaign), "--data", p(&data), "--db", &db]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(check(&mut seen) as u64, total);
        assert_eq!(seen.len() as u64, total);
        if !is_postgres(&db) {
            let conn = rusqlite::Connection::open(&db).expect("open");
            let ok: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .expect("integrity check");
            assert_eq!(ok, "ok");
        }
    }
}

/// `guide publish` interrupted by SIGINT or SIGTERM at random moments: it exits 130 (or has
/// finished, exit 0), leaves no temporary and nothing under a final name (the rejects and
/// not-eligible lists, the links manifest), the database holds whole batches only, and a re-run
/// completes the work with every token kept.
#[test]
fn an_interrupt_at_any_moment_leaves_nothing_and_a_rerun_completes() {
    let dir = scratch("interrupt");
    let campaign = root().join("examples/naspi-peer");
    let total = 20_000u64;
    let batch = 500u64;
    let data = dir.join("r.jsonl");
    write_jsonl(&data, &naspi_peer_recipients(total));
    let mut rng = clock_rng();
    for db in databases(&dir, "interrupt") {
        let mut seen: HashMap<String, String> = HashMap::new();
        let check = |seen: &mut HashMap<String, String>| whole_batches(&db, batch, total, seen);
        let links = dir.join("links.csv");
        for round in 0..8u64 {
            // What a previous round that finished left under the final names.
            for f in [
                &links,
                &dir.join("r.rejects.jsonl"),
                &dir.join("r.not-eligible.jsonl"),
            ] {
                let _ = std::fs::remove_file(f);
            }
            let child = Command::new(env!("CARGO_BIN_EXE_guide"))
                .args(["publish", p(&campaign), "--data", p(&data), "--db", &db])
                .args(["--batch", &batch.to_string(), "--links", p(&links)])
                .args(["--base-url", "https://guide.inps.it"])
                .stderr(Stdio::piped())
                .spawn()
                .expect("guide runs");
            std::thread::sleep(Duration::from_millis(rng(1500)));
            let signal = if round % 2 == 0 { "-INT" } else { "-TERM" };
            let _ = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .stderr(Stdio::null())
                .status();
            let o = child.wait_with_output().expect("ends");
            let err = String::from_utf8_lossy(&o.stderr);
            let left: Vec<String> = std::fs::read_dir(&dir)
                .expect("folder")
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            assert!(
                !left.iter().any(|n| n.contains(".partial")),
                "round {round} ({signal}): temporaries left: {left:?}\n{err}"
            );
            match o.status.code() {
                Some(130) => {
                    assert!(
                        !links.exists(),
                        "round {round}: a manifest left after 130\n{err}"
                    );
                    assert!(
                        !dir.join("r.rejects.jsonl").exists()
                            && !dir.join("r.not-eligible.jsonl").exists(),
                        "round {round}: a list left after 130: {left:?}"
                    );
                }
                Some(0) => assert!(
                    links.exists(),
                    "round {round}: finished without its manifest"
                ),
                // A signal before the handler is installed (the first milliseconds) ends the
                // process by the signal itself: nothing can have been written yet.
                None => assert!(
                    !links.exists(),
                    "round {round}: killed early, left {left:?}"
                ),
                other => panic!("round {round} ({signal}): exit {other:?}\n{err}"),
            }
            let n = check(&mut seen);
            eprintln!("round {round}: {signal} -> {:?}, {n} rows", o.status.code());
        }
        let (code, err) = guide(&["publish", p(&campaign), "--data", p(&data), "--db", &db]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(check(&mut seen) as u64, total);
    }
}

/// The links manifest and the QR codes: one row and one SVG and PNG per recipient, the QR code
/// decoding to BASE/g/TOKEN?c=qr, the window as stored; --base-url required and checked.
#[test]
fn links_manifest_and_qr_codes() {
    let dir = scratch("links");
    let campaign = root().join("campaigns/naspi");
    let records = demos("naspi");
    let data = dir.join("r.jsonl");
    write_jsonl(&data, &records);
    let base = "https://guide.inps.it/v";
    for (i, db) in databases(&dir, "links").into_iter().enumerate() {
        let links = dir.join(format!("links{i}.csv"));
        let qr = dir.join(format!("qr{i}"));
        let (code, err) = guide(&[
            "publish",
            p(&campaign),
            "--data",
            p(&data),
            "--db",
            &db,
            "--links",
            p(&links),
            "--qr",
            p(&qr),
            "--base-url",
            base,
        ]);
        assert_eq!(code, 0, "{err}");
        let stored = by_key(&recipients(&db, "naspi"), "codice_fiscale");
        let mut reader = csv::Reader::from_path(&links).expect("manifest");
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            header,
            [
                "codice_fiscale",
                "url",
                "available_from",
                "available_until",
                "qr_url",
                "qr_file"
            ]
        );
        let mut n = 0;
        for row in reader.records() {
            let row = row.expect("row");
            n += 1;
            let s = &stored[&row[0]];
            assert_eq!(&row[1], format!("{base}/g/{}", s.token));
            assert_eq!(&row[2], s.from.expect("from").to_string());
            assert_eq!(&row[3], s.until.expect("until").to_string());
            assert_eq!(&row[4], format!("{base}/g/{}?c=qr", s.token));
            assert!(qr.join(format!("{}.svg", s.token)).is_file());
            // The PNG decodes back to the QR URL.
            let file = std::fs::File::open(qr.join(&row[5])).expect("png");
            let mut dec = png::Decoder::new(file).read_info().expect("png header");
            let mut buf = vec![0; dec.output_buffer_size()];
            let info = dec.next_frame(&mut buf).expect("png data");
            assert_eq!(info.color_type, png::ColorType::Grayscale);
            let (w, h) = (info.width as usize, info.height as usize);
            assert!(w >= 300 && h >= 300, "{w}x{h}");
            let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
            let grids = img.detect_grids();
            assert_eq!(grids.len(), 1);
            let (meta, text) = grids[0].decode().expect("decodes");
            assert_eq!(text, &row[4]);
            assert!(meta.ecc_level <= 1, "level M or better: {}", meta.ecc_level);
        }
        assert_eq!(n, records.len());
        // The window: 6 months from the first payment, until exclusive.
        let chiara = &stored["SPSCHR96P42F839G"];
        assert_eq!(chiara.from.expect("from").to_string(), "2024-05-10");
        assert_eq!(chiara.until.expect("until").to_string(), "2024-11-11");
    }
    // --links needs --base-url, which must be http(s).
    let db = dir.join("u.db");
    let links = dir.join("u.csv");
    let (code, _) = guide(&[
        "publish",
        p(&campaign),
        "--data",
        p(&data),
        "--db",
        p(&db),
        "--links",
        p(&links),
    ]);
    assert_eq!(code, 2);
    let (code, err) = guide(&[
        "publish",
        p(&campaign),
        "--data",
        p(&data),
        "--db",
        p(&db),
        "--links",
        p(&links),
        "--base-url",
        "ftp://x",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("https://"), "{err}");
}

/// After `guide purge`, nothing personal of the purged recipients is left anywhere in the
/// database (every table and column; pg_dump), while the others are untouched.
#[test]
fn purge_leaves_nothing_personal() {
    let dir = scratch("purge");
    let campaign = root().join("campaigns/naspi");
    let schema = schema_of("campaigns/naspi");
    let records = demos("naspi");
    let data = dir.join("r.jsonl");
    write_jsonl(&data, &records);
    for db in databases(&dir, "purge") {
        let (code, err) = guide(&["publish", p(&campaign), "--data", p(&data), "--db", &db]);
        assert_eq!(code, 0, "{err}");
        let before = by_key(&recipients(&db, "naspi"), "codice_fiscale");
        // As of 2025-01-01 with 10 days of grace: windows that ended by 2024-12-22 go.
        let (code, err) = guide(&[
            "purge",
            "--db",
            &db,
            "--as-of",
            "2025-01-01",
            "--grace",
            "10",
        ]);
        assert_eq!(code, 0, "{err}");
        let cutoff = guide_runtime::Date::parse_iso("2024-12-22").expect("date");
        let (purged, kept): (Vec<&Value>, Vec<&Value>) = records.iter().partition(|r| {
            let cf = r["codice_fiscale"].as_str().expect("cf");
            before[cf].until.expect("until") <= cutoff
        });
        assert!(!purged.is_empty() && !kept.is_empty());
        assert!(
            err.contains(&format!("purged {} recipient(s)", purged.len())),
            "{err}"
        );
        let text = dump(&db);
        let purged_owned: Vec<Value> = purged.iter().map(|v| (*v).clone()).collect();
        let kept_owned: Vec<Value> = kept.iter().map(|v| (*v).clone()).collect();
        let gone = personal_values(&schema, &purged_owned);
        assert!(gone.len() >= 2 * purged.len());
        for v in &gone {
            // Names shared with a recipient kept would be found for them: only the unique ones.
            if personal_values(&schema, &kept_owned).contains(v) {
                continue;
            }
            assert!(!text.contains(v.as_str()), "{v:?} is still in the database");
        }
        for v in personal_values(&schema, &kept_owned) {
            assert!(
                text.contains(v.as_str()),
                "{v:?} of a recipient kept is missing"
            );
        }
        // SQLite: not in the bytes of the file either (secure_delete, WAL truncated).
        if !is_postgres(&db) {
            let mut bytes = std::fs::read(&db).expect("db file");
            bytes.extend(std::fs::read(format!("{db}-wal")).unwrap_or_default());
            for r in &purged {
                let cf = r["codice_fiscale"].as_str().expect("cf");
                assert!(
                    !bytes.windows(cf.len()).any(|w| w == cf.as_bytes()),
                    "{cf} left in the file"
                );
            }
        }
        // The purged rows still answer: token, campaign, window.
        let after = recipients(&db, "naspi");
        assert_eq!(after.len(), records.len());
        assert_eq!(
            after.iter().filter(|r| r.record.is_none()).count(),
            purged.len()
        );
        // Purging again purges nothing more.
        let (code, err) = guide(&[
            "purge",
            "--db",
            &db,
            "--as-of",
            "2025-01-01",
            "--grace",
            "10",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("purged 0 recipient(s)"), "{err}");
    }
}

/// A database written by a newer guide is refused, with exit code 2.
#[test]
fn a_newer_database_is_refused() {
    let dir = scratch("newer");
    let db = dir.join("n.db");
    let conn = rusqlite::Connection::open(&db).expect("create");
    conn.execute_batch(
        "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (999);",
    )
    .expect("write");
    drop(conn);
    let (code, err) = guide(&["purge", "--db", p(&db)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("schema version 999"), "{err}");
}
