//! `guide publish --outbox`: on a mixed file every published recipient is accounted for on
//! every channel; app IO requests respect the limits the API enforces; SMS are counted as the
//! gateways do; e-mails parse back with a mail parser; nothing personal in a file name.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};

mod support;
use support::{guide, p, root, scratch};

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("readable")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// The RED demo recipients with every kind of contact situation.
fn mixed(dir: &Path) -> PathBuf {
    let demo = root().join("campaigns/red2021/demo");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&demo)
        .expect("demos")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let base: Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).expect("demo")).expect("JSON");
    let cases = [
        json!({"contatti_aggiornati": true, "cellulare": "+39 333 1234567", "email": "mario.rossi@example.org"}),
        json!({"contatti_aggiornati": false, "cellulare": "+393331234567", "email": "a@example.org"}),
        json!({"contatti_aggiornati": true}),
        json!({"contatti_aggiornati": true, "cellulare": "12ab", "email": "not an address"}),
        json!({"contatti_aggiornati": true, "cellulare": "3331234567", "email": "x@example.org", "nome": "Ŝara D’Amico", "sesso": "F"}),
        json!({"contatti_aggiornati": true, "nome": "x".repeat(41)}),
    ];
    let mut out = String::new();
    for (i, c) in cases.iter().enumerate() {
        let mut r = base.clone();
        for (k, v) in c.as_object().expect("object") {
            r[k] = v.clone();
        }
        r["codice_fiscale"] = json!(format!("RSSMRA41S42H50{i:02}"));
        out.push_str(&r.to_string());
        out.push('\n');
    }
    let data = dir.join("data.jsonl");
    std::fs::write(&data, out).expect("data written");
    data
}

#[test]
fn every_recipient_is_accounted_for_on_every_channel() {
    let dir = scratch("mixed");
    let data = mixed(&dir);
    let outbox = dir.join("out");
    let campaign = root().join("campaigns/red2021");
    let (code, err) = guide(&[
        "publish",
        p(&campaign),
        "--data",
        p(&data),
        "--db",
        p(&dir.join("db.sqlite")),
        "--base-url",
        "https://guide.inps.it",
        "--outbox",
        p(&outbox),
    ]);
    // The name of 41 characters is rejected (max_length 40), naming the attribute.
    assert_eq!(code, 3, "{err}");
    let rejects = std::fs::read_to_string(dir.join("data.rejects.jsonl")).expect("rejects");
    assert!(
        rejects.contains("nome") && rejects.contains("max_length: 40"),
        "{rejects}"
    );

    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(outbox.join("summary.json")).expect("summary"),
    )
    .expect("JSON");
    assert_eq!(summary["io"], json!({"sent": 5}));
    let expected = |bad: &str| {
        json!({
            "sent": 2,
            "condition not met (no consent)": 1,
            "no contact on file": 1,
            bad: 1,
        })
    };
    assert_eq!(summary["sms"], expected("mobile number not well formed"));
    assert_eq!(summary["email"], expected("e-mail address not well formed"));
    // Per channel, sent + skipped = published.
    for c in ["io", "sms", "email"] {
        let total: u64 = summary[c]
            .as_object()
            .expect("counts")
            .values()
            .filter_map(Value::as_u64)
            .sum();
        assert_eq!(total, 5, "{c}");
    }
    let skipped = lines(&outbox.join("skipped.jsonl"));
    assert_eq!(skipped.len(), 6);

    // App IO: the limits the API enforces, the buttons' front matter, the due date.
    let io = lines(&outbox.join("io.jsonl"));
    assert_eq!(io.len(), 5);
    for m in &io {
        let fc = m["fiscal_code"].as_str().expect("fiscal code");
        assert_eq!(fc.len(), 16);
        let subject = m["content"]["subject"].as_str().expect("subject");
        assert!((10..=120).contains(&subject.chars().count()), "{subject}");
        let md = m["content"]["markdown"].as_str().expect("markdown");
        assert!((80..=10_000).contains(&md.chars().count()));
        assert!(md.starts_with("---\nit:\n  cta_1:\n    text: \"Guarda la video-guida\"\n    action: \"iohandledlink://https://guide.inps.it/g/"), "{md}");
        assert!(md.contains("?c=io\"\n  cta_2:\n"), "{md}");
        assert!(md.contains("29 febbraio 2024"));
        assert_eq!(m["content"]["due_date"], json!("2024-02-29T23:59:59Z"));
    }

    // SMS: the number normalised, the link marked, counted as the gateways do.
    let sms = lines(&outbox.join("sms.jsonl"));
    assert_eq!(sms.len(), 2);
    assert_eq!(sms[0]["to"], json!("+393331234567"));
    for m in &sms {
        let text = m["text"].as_str().expect("text");
        assert!(
            text.ends_with("?c=sms") && text.contains("29/02/2024"),
            "{text}"
        );
        assert_eq!(m["encoding"], json!("GSM-7"));
        assert_eq!(m["segments"], json!(2));
    }

    // E-mails: numbered files that parse back, multipart, UTF-8, the link marked.
    let mut names: Vec<String> = std::fs::read_dir(outbox.join("email"))
        .expect("email folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["00000001.eml", "00000002.eml"]);
    let raw = std::fs::read(outbox.join("email/00000002.eml")).expect("eml");
    let parsed = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("parses");
    assert_eq!(
        parsed.subject(),
        Some("Dichiarazione RED 2021: la tua video-guida personalizzata")
    );
    assert_eq!(
        parsed
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("x@example.org")
    );
    assert_eq!(
        parsed
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("noreply@inps.it")
    );
    assert_eq!((parsed.text_body_count(), parsed.html_body_count()), (1, 1));
    let text = parsed.body_text(0).expect("text");
    assert!(text.starts_with("Cara Ŝara D’Amico,"), "{text}");
    assert!(text.contains("?c=email"));
    let html = parsed.body_html(0).expect("html");
    assert!(html.contains("<strong>29 febbraio 2024</strong>"), "{html}");

    // Nothing personal in a file name.
    for entry in walk(&outbox) {
        let name = entry.to_string_lossy().to_string();
        assert!(
            !name.contains("RSSMRA") && !name.contains("example"),
            "{name}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("folder") {
        let path = e.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

#[test]
fn a_base_url_too_long_for_the_proven_links_is_refused() {
    let dir = scratch("long-base");
    let data = mixed(&dir);
    let long = format!("https://{}.inps.it", "x".repeat(60));
    let (code, err) = guide(&[
        "publish",
        p(&root().join("campaigns/red2021")),
        "--data",
        p(&data),
        "--db",
        p(&dir.join("db.sqlite")),
        "--base-url",
        &long,
        "--outbox",
        p(&dir.join("out")),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most 80"), "{err}");
    assert!(!dir.join("out").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
