//! The per-recipient text formats stay well formed whatever a record holds: the hostile names
//! of compiler/tests/hostile.rs (line breaks, blank lines, control characters, markup, `-->`)
//! rendered by `guide render` in vtt, transcript and ssml, then read back by real parsers: the
//! W3C validator's WebVTT parser (`webvtt-parser`, Node, `npm ci` in tests/e2e) and roxmltree
//! (a strict XML 1.0 parser).
//!
//! Without Node or `webvtt-parser` the WebVTT part is skipped with a message, except under CI
//! (`CI` set), where it fails; `./test.sh` installs both.

use guide_compiler::{check, codegen, project};
use guide_render as render;
use guide_render::formats::OutputFormat;
use guide_render::{InputFormat, Options, Paths};
use guide_runtime::{Outcome, Program, Timeline};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn program() -> Program {
    let project = project::load(&root().join("campaigns/naspi")).expect("the campaign loads");
    let checked = check::check(&project);
    let c = checked.campaign.expect("naspi checks");
    Program::from_bytes(&codegen::compile(&c)).expect("the program loads")
}

/// A fresh folder under target/.
fn scratch(name: &str) -> PathBuf {
    let dir = root()
        .join("target")
        .join("render-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Names no text format may be broken by: compiler/tests/hostile.rs's, and a few aimed at
/// WebVTT, XML and the transcript.
const NAMES: &[&str] = &[
    "",
    "D'Amico",
    "Niccolò Zoë Ångström",
    "Мария",
    "مريم",
    "<img src=x onerror=alert(1)>",
    "\"quoted\" \\ back",
    "tab\tnew\nline\u{7}bell",
    "😀 emoji",
    "\u{0}",
    "a\u{0}b",
    "\u{1b}[2J\u{1b}[31mrosso",
    "\u{202e}otseT",
    "\u{feff}BOM",
    "\u{fffe}\u{ffff}",
    "\u{10ffff}",
    "\r\n\t\u{7f}\u{85}\u{2028}",
    "<script>alert(1)</script>",
    "{nome} [a|b] \\",
    "Anna\n\nRossi",
    "Anna\r\rRossi",
    "Anna\n \nRossi",
    "Anna --> Rossi",
    "Anna\n00:00:01.000 --> 00:00:02.000\nRossi",
    "Anna\n\nWEBVTT\n\nNOTE x",
    // Two names: the campaign's schema bounds names to 40 characters.
    "&amp; &lt;b&gt; ]]> <![CDATA[x]]>",
    "<?pi?> <!-- c --> ]]>",
    "</p></speak><speak>",
    "Anna\u{2029}Rossi\u{b}\u{c}",
];

fn record(i: usize, name: &str) -> Value {
    json!({
        "codice_fiscale": format!("CF{i:03}"),
        "nome": name,
        "sesso": "F",
        "eta": 27,
        "importo_mensile": 865.1,
        "data_primo_pagamento": "2024-05-10",
        "durata_settimane": 7,
        "modalita_pagamento": "ufficio_postale",
        "contatti_aggiornati": false
    })
}

/// `s` with every run of whitespace and control characters made one space.
fn one_line(s: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            blank = true;
        } else {
            if blank {
                out.push(' ');
                blank = false;
            }
            out.push(c);
        }
    }
    if blank {
        out.push(' ');
    }
    out
}

/// Renders every hostile name in `format`; returns each record with its file's text.
fn rendered(p: &Program, format: OutputFormat, dir: &Path) -> Vec<(Value, PathBuf, String)> {
    let records: Vec<Value> = NAMES
        .iter()
        .enumerate()
        .map(|(i, n)| record(i, n))
        .collect();
    let data = dir.join(format!("{}.jsonl", format.name()));
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&data, text).expect("data");
    let out = dir.join(format.name());
    let paths = Paths::new(data, out.clone(), None, None);
    let opts = Options {
        input: InputFormat::Jsonl,
        format,
        threads: 2,
        progress: false,
        as_of: None,
        speaker: None,
    };
    let s = render::render(p, &paths, &opts).expect("the run completes");
    assert_eq!(s.rendered as usize, NAMES.len(), "{s:?}");
    let ext = format.extension().expect("a file per recipient");
    records
        .into_iter()
        .map(|r| {
            let key = r["codice_fiscale"].as_str().expect("key").to_owned();
            let file = out.join(format!("{key}.{ext}"));
            let text = std::fs::read_to_string(&file).expect("the recipient's file");
            (r, file, text)
        })
        .collect()
}

fn with_timeline(p: &Program, r: &Value, f: impl FnOnce(&Timeline<'_>)) {
    match p.evaluate_json(r).expect("a good record") {
        Outcome::Eligible(t) => f(&t),
        Outcome::NotEligible => panic!("eligible"),
    }
}

fn node_and_parser(e2e: &Path) -> Result<(), String> {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node {
        return Err("Node.js (`node`)".into());
    }
    if !e2e.join("node_modules/webvtt-parser/package.json").exists() {
        return Err("webvtt-parser (`npm ci` in cli/tests/e2e)".into());
    }
    Ok(())
}

#[test]
fn captions_are_well_formed_webvtt_whatever_the_name() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    if let Err(what) = node_and_parser(&e2e) {
        let msg = format!("this test needs {what}; run ./test.sh, which installs it");
        assert!(std::env::var_os("CI").is_none(), "{msg}");
        eprintln!("skipped: {msg}");
        return;
    }
    let p = program();
    let dir = scratch("text-vtt");
    let files = rendered(&p, OutputFormat::Vtt, &dir);
    let o = Command::new("node")
        .arg(e2e.join("vtt.cjs"))
        .args(files.iter().map(|(_, f, _)| f))
        .output()
        .expect("node runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let parsed: Vec<Value> = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(parsed.len(), files.len());
    let mut named = 0;
    for ((r, _, text), got) in files.iter().zip(&parsed) {
        let name = r["nome"].as_str().unwrap_or_default();
        assert_eq!(got["errors"], json!([]), "{name:?}:\n{text}");
        let cues = got["cues"].as_array().expect("cues");
        with_timeline(&p, r, |t| {
            let expected: Vec<(String, f64, f64, String)> = t
                .all_scenes()
                .flat_map(|s| {
                    let id = s.id().to_owned();
                    s.captions()
                        .enumerate()
                        .map(|(i, c)| {
                            (
                                format!("{id}-{}", i + 1),
                                c.start_ms as f64 / 1000.0,
                                c.end_ms as f64 / 1000.0,
                                one_line(c.text),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            assert!(!expected.is_empty());
            assert_eq!(cues.len(), expected.len(), "{name:?}:\n{text}");
            for (cue, (id, start, end, words)) in cues.iter().zip(&expected) {
                assert_eq!(cue["id"], json!(id), "{name:?}");
                assert_eq!(cue["start"].as_f64(), Some(*start), "{name:?}");
                assert_eq!(cue["end"].as_f64(), Some(*end), "{name:?}");
                let shown = cue["text"]
                    .as_str()
                    .expect("text")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&");
                assert_eq!(&shown, words, "{name:?}");
            }
            let whole = one_line(name);
            if !whole.trim().is_empty() && expected.iter().any(|e| e.3.contains(&whole)) {
                named += 1;
            }
        });
    }
    // The narration says the name: the test saw hostile names in cues, not just around them.
    assert!(named > NAMES.len() / 2, "{named}");
}

#[test]
fn ssml_is_well_formed_xml_whatever_the_name() {
    let p = program();
    let dir = scratch("text-ssml");
    for (r, _, text) in rendered(&p, OutputFormat::Ssml, &dir) {
        let name = r["nome"].as_str().unwrap_or_default();
        let doc =
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{name:?}: {e}\n{text}"));
        let speak = doc.root_element();
        assert_eq!(speak.tag_name().name(), "speak");
        with_timeline(&p, &r, |t| {
            let marks: Vec<&str> = speak
                .children()
                .filter(|n| n.has_tag_name("mark"))
                .filter_map(|n| n.attribute("name"))
                .collect();
            let scenes: Vec<&str> = t.all_scenes().map(|s| s.id()).collect();
            assert_eq!(marks, scenes, "{name:?}");
            let paragraphs = speak.children().filter(|n| n.has_tag_name("p")).count();
            let spoken = t.all_scenes().filter(|s| !s.narration().is_empty()).count();
            assert_eq!(paragraphs, spoken, "{name:?}");
            // The name is read as written, less what XML cannot hold.
            let kept: String = name
                .chars()
                .filter(|&c| {
                    matches!(c, '\t' | '\n' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
                })
                .collect();
            let narration: String = speak
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            let said = t
                .all_scenes()
                .any(|s| s.narration().contains(name) && !name.is_empty());
            if said && !name.contains('\r') {
                assert!(narration.contains(&kept), "{name:?}: {narration}");
            }
        });
    }
}

#[test]
fn transcript_lines_are_whole_whatever_the_name() {
    let p = program();
    let dir = scratch("text-transcript");
    let files = rendered(&p, OutputFormat::Transcript, &dir);
    // The reference: the same record with a plain name has as many lines.
    let (_, _, plain) = &files[1];
    for (r, _, text) in &files {
        let name = r["nome"].as_str().unwrap_or_default();
        assert_eq!(
            text.lines().count(),
            plain.lines().count(),
            "{name:?}:\n{text}"
        );
        assert!(
            !text.chars().any(|c| c != '\n' && c.is_control()),
            "{name:?}: a control character"
        );
        let whole = one_line(name);
        assert!(text.contains(whole.trim()), "{name:?}:\n{text}");
    }
}
