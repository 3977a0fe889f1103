//! `guide render`: the summary invariant, nothing lost, input order with several threads, CSV
//! and JSON Lines giving the same timelines, the per-recipient formats, the exit codes, and
//! the fast JSON writer giving the serde bytes. Small inputs: these are fast tests.

use guide_compiler::{check, codegen, project};
use guide_render as render;
use guide_render::formats::OutputFormat;
use guide_render::{InputFormat, Options, Paths, RenderError, Summary};
use guide_runtime::{Outcome, Program};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn program(campaign: &str) -> Program {
    let path = root().join(campaign);
    let project = project::load(&path).expect("the campaign loads");
    let checked = check::check(&project);
    assert!(!checked.has_errors(), "{campaign} has errors");
    let c = checked.campaign.expect("a campaign");
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

fn opts(threads: usize, input: InputFormat, format: OutputFormat) -> Options {
    Options {
        input,
        format,
        threads,
        progress: false,
        as_of: None,
        speaker: None,
    }
}

fn run(program: &Program, data: &Path, out: &Path, o: Options) -> Summary {
    let paths = Paths::new(data.to_path_buf(), out.to_path_buf(), None, None);
    render::render(program, &paths, &o).expect("the run completes")
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Deterministic recipients of the naspi-like workload (examples/naspi-peer).
fn naspi_recipients(n: u64) -> Vec<Value> {
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
        "Lorenzo \"Nini\"",
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

fn write_jsonl(path: &Path, records: &[Value]) {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).expect("write the data");
}

/// The reference timeline of one JSON record: `Program::evaluate_json` and serde.
fn reference(program: &Program, record: &Value) -> Option<String> {
    match program.evaluate_json(record).expect("a good record") {
        Outcome::Eligible(t) => Some(t.to_json()),
        Outcome::NotEligible => None,
    }
}

#[test]
fn summary_invariant_and_nothing_lost() {
    let p = program("campaigns/assegno_unico");
    let dir = scratch("mixed");
    let demo = |name: &str| -> Value {
        let text = std::fs::read_to_string(
            root().join(format!("campaigns/assegno_unico/demo/{name}.json")),
        )
        .expect("demo");
        serde_json::from_str(&text).expect("demo JSON")
    };
    let good = demo("alessandro");
    let mut no_consent = demo("davide");
    no_consent["consenso_servizi_proattivi"] = json!(false);
    let mut wrong_type = demo("federica");
    wrong_type["sesso"] = json!(1);
    let mut unknown = demo("ilaria");
    unknown["nme"] = json!("x");
    let mut missing = demo("roberto");
    if let Some(o) = missing.as_object_mut() {
        o.remove("situazione");
    }
    // (line content, expected fate): r rendered, n not eligible, x rejected, - blank.
    let rows: Vec<(Vec<u8>, char)> = vec![
        (good.to_string().into_bytes(), 'r'),
        (no_consent.to_string().into_bytes(), 'n'),
        (wrong_type.to_string().into_bytes(), 'x'),
        (b"".to_vec(), '-'),
        (demo("silvia").to_string().into_bytes(), 'r'),
        (b"{not json".to_vec(), 'x'),
        (unknown.to_string().into_bytes(), 'x'),
        (b"   ".to_vec(), '-'),
        (missing.to_string().into_bytes(), 'x'),
        (b"{\"nome\": \"\xff\"}".to_vec(), 'x'),
        (demo("stefano").to_string().into_bytes(), 'n'),
        (b"[1, 2]".to_vec(), 'x'),
        (no_consent.to_string().into_bytes(), 'n'),
        (demo("valentina").to_string().into_bytes(), 'r'),
    ];
    let mut data = Vec::new();
    for (l, _) in &rows {
        data.extend_from_slice(l);
        data.push(b'\n');
    }
    let input = dir.join("mixed.jsonl");
    std::fs::write(&input, &data).expect("write");
    for threads in [1, 3] {
        let out = dir.join(format!("out{threads}.jsonl"));
        let s = run(
            &p,
            &input,
            &out,
            opts(threads, InputFormat::Jsonl, OutputFormat::Json),
        );
        let count = |c: char| rows.iter().filter(|(_, f)| *f == c).count() as u64;
        assert_eq!(s.read, s.rendered + s.not_eligible + s.rejected);
        assert_eq!(
            (s.read, s.rendered, s.not_eligible, s.rejected),
            (12, count('r'), count('n'), count('x'))
        );
        // Every record line is in exactly one place, by line number.
        let listed = |path: &Path| -> Vec<(u64, Value)> {
            lines(path)
                .iter()
                .map(|l| {
                    let v: Value = serde_json::from_str(l).expect("list line");
                    (v["line"].as_u64().expect("line number"), v)
                })
                .collect()
        };
        let rejects = listed(&dir.join(format!("out{threads}.rejects.jsonl")));
        let not_eligible = listed(&dir.join(format!("out{threads}.not-eligible.jsonl")));
        let expect = |c: char| -> Vec<u64> {
            rows.iter()
                .enumerate()
                .filter(|(_, (_, f))| *f == c)
                .map(|(i, _)| i as u64 + 1)
                .collect()
        };
        assert_eq!(rejects.iter().map(|r| r.0).collect::<Vec<_>>(), expect('x'));
        assert_eq!(
            not_eligible.iter().map(|r| r.0).collect::<Vec<_>>(),
            expect('n')
        );
        // Rejects carry the key when it can be read, and the runtime's error.
        let (_, wrong) = &rejects[0];
        assert_eq!(wrong["key"], good_key(&wrong_type));
        assert!(wrong["error"]
            .as_str()
            .is_some_and(|e| e.contains("\"sesso\"")));
        assert_eq!(not_eligible[0].1["key"], good_key(&no_consent));
        // The output holds exactly the rendered records, in input order, as the runtime
        // renders them one by one: no rejected record is in it.
        let expected: Vec<String> = rows
            .iter()
            .filter(|(_, f)| *f == 'r')
            .map(|(l, _)| {
                let v: Value = serde_json::from_slice(l).expect("good JSON");
                reference(&p, &v).expect("eligible")
            })
            .collect();
        assert_eq!(lines(&out), expected);
    }
}

fn good_key(v: &Value) -> Value {
    v["codice_fiscale"].clone()
}

#[test]
fn output_order_with_several_threads() {
    let p = program("examples/naspi-peer");
    let dir = scratch("order");
    let records = naspi_recipients(6_000);
    let input = dir.join("r.jsonl");
    write_jsonl(&input, &records);
    let expected: Vec<String> = records
        .iter()
        .map(|r| reference(&p, r).expect("eligible"))
        .collect();
    for threads in [1, 2, 4, 7] {
        let out = dir.join(format!("t{threads}.jsonl"));
        let s = run(
            &p,
            &input,
            &out,
            opts(threads, InputFormat::Jsonl, OutputFormat::Json),
        );
        assert_eq!((s.read, s.rendered), (6_000, 6_000));
        // Byte for byte the serde form of each recipient's timeline, in input order.
        assert!(
            lines(&out) == expected,
            "order differs with {threads} threads"
        );
    }
}

/// The CSV form of JSON records (flat schemas: sets as values separated by `|`).
/// An output that cannot be written stops the run with an error (no worker left waiting), on
/// one thread and on several.
#[test]
fn an_output_that_cannot_be_written_stops_the_run() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    let p = program("examples/naspi-peer");
    let dir = scratch("full");
    let input = dir.join("r.jsonl");
    write_jsonl(&input, &naspi_recipients(3_000));
    for threads in [1, 2, 5] {
        let paths = Paths::new(
            input.clone(),
            full.to_path_buf(),
            Some(dir.join("rejects.jsonl")),
            Some(dir.join("not-eligible.jsonl")),
        );
        let r = render::render(
            &p,
            &paths,
            &opts(threads, InputFormat::Jsonl, OutputFormat::Json),
        );
        match r {
            Err(RenderError::Io(m)) => {
                assert!(m.contains("cannot write the output /dev/full: "), "{m}")
            }
            other => panic!("{threads} threads: {other:?}"),
        }
        assert!(!dir.join("rejects.jsonl").exists(), "a list left behind");
    }
}

/// Ctrl-C in the middle of a run (here: the input is a pipe that is still open) ends it with
/// exit code 130 and removes its temporaries: the output, the rejects and the not-eligible
/// list, in a file or a folder of per-recipient files.
#[test]
fn an_interrupted_run_leaves_nothing_behind() {
    if !Path::new("/bin/kill").exists() && !Path::new("/usr/bin/kill").exists() {
        return;
    }
    let guide = env!("CARGO_BIN_EXE_guide");
    let campaign = root().join("examples/naspi-peer");
    for (name, format) in [("out.jsonl", "json"), ("vtt", "vtt")] {
        let dir = scratch(&format!("interrupt-{format}"));
        let out = dir.join(name);
        let mut child = Command::new(guide)
            .args([
                "render".as_ref(),
                campaign.as_os_str(),
                "--data".as_ref(),
                "/dev/stdin".as_ref(),
                "--out".as_ref(),
                out.as_os_str(),
                "--format".as_ref(),
                format.as_ref(),
                "-q".as_ref(),
            ])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs");
        let mut stdin = child.stdin.take().expect("stdin");
        let mut text = String::new();
        for r in naspi_recipients(20) {
            text.push_str(&r.to_string());
            text.push('\n');
        }
        std::io::Write::write_all(&mut stdin, text.as_bytes()).expect("write records");
        // Wait for the run to have created its temporaries.
        let started = std::time::Instant::now();
        let partials = || {
            std::fs::read_dir(&dir)
                .map(|d| {
                    d.filter_map(Result::ok)
                        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
                        .count()
                })
                .unwrap_or(0)
        };
        while partials() < 3 && started.elapsed() < std::time::Duration::from_secs(30) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(
            partials(),
            3,
            "output, rejects and not-eligible list being written"
        );
        let killed = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let o = child.wait_with_output().expect("ends");
        drop(stdin);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(130), "{err}");
        assert!(err.contains("interrupted"), "{err}");
        let left: Vec<String> = std::fs::read_dir(&dir)
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(left.is_empty(), "{format}: left behind {left:?}");
    }
}

fn to_csv(records: &[Value], columns: &[&str]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns).expect("header");
    for r in records {
        let row: Vec<String> = columns
            .iter()
            .map(|c| match &r[*c] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("|"),
                other => other.to_string(),
            })
            .collect();
        w.write_record(&row).expect("row");
    }
    w.into_inner().expect("csv bytes")
}

#[test]
fn csv_and_jsonl_give_identical_timelines() {
    let dir = scratch("csv");
    // The naspi-like workload, and red2021 (a set attribute) with its demo recipients.
    let naspi = naspi_recipients(500);
    let red: Vec<Value> = std::fs::read_dir(root().join("campaigns/red2021/demo"))
        .expect("demo folder")
        .filter_map(|e| e.ok())
        .map(|e| {
            serde_json::from_str(&std::fs::read_to_string(e.path()).expect("demo")).expect("JSON")
        })
        .collect();
    for (campaign, records) in [("examples/naspi-peer", naspi), ("campaigns/red2021", red)] {
        let p = program(campaign);
        let columns: Vec<&str> = p.schema().attributes.iter().map(|(n, _)| n).collect();
        // Columns in another order than the schema's.
        let mut shuffled = columns.clone();
        shuffled.reverse();
        let jsonl = dir.join("r.jsonl");
        let csv_path = dir.join("r.csv");
        write_jsonl(&jsonl, &records);
        std::fs::write(&csv_path, to_csv(&records, &shuffled)).expect("write csv");
        let a = dir.join("a.jsonl");
        let b = dir.join("b.jsonl");
        let sa = run(
            &p,
            &jsonl,
            &a,
            opts(2, InputFormat::Jsonl, OutputFormat::Json),
        );
        let sb = run(
            &p,
            &csv_path,
            &b,
            opts(2, InputFormat::of_path(&csv_path), OutputFormat::Json),
        );
        assert_eq!(sa.read, records.len() as u64);
        assert_eq!(
            (sa.rendered, sa.rejected),
            (sb.rendered, sb.rejected),
            "{campaign}"
        );
        assert_eq!(
            sb.rejected,
            0,
            "{campaign}: {:?}",
            lines(&dir.join("b.rejects.jsonl"))
        );
        assert!(lines(&a) == lines(&b), "{campaign}: CSV and JSONL differ");
    }
}

#[test]
fn csv_rejects_and_bad_headers() {
    let p = program("examples/naspi-peer");
    let dir = scratch("csvbad");
    let good = "id,nome,sesso,importo_mensile,data_primo_pagamento,durata_settimane,modalita_pagamento,ha_figli,eta,patronato,contatti_aggiornati\n\
                1,Anna,F,1234.50,2024-03-15,20,bonifico,false,40,true,true\n\
                2,Bea,F,12,2024-02-30,20,bonifico,false,40,true,true\n\
                3,Carla,F,12,2024-02-03,20,bonifico,forse,40,true,true\n\
                4,Dora,F,12\n";
    let input = dir.join("r.csv");
    std::fs::write(&input, good).expect("write");
    let out = dir.join("o.jsonl");
    let s = run(
        &p,
        &input,
        &out,
        opts(1, InputFormat::Csv, OutputFormat::Json),
    );
    assert_eq!((s.read, s.rendered, s.rejected), (4, 1, 3));
    let rejects = lines(&dir.join("o.rejects.jsonl"));
    let first: Value = serde_json::from_str(&rejects[0]).expect("JSON");
    assert_eq!(first["line"], 3);
    assert_eq!(first["key"], "2");
    assert!(first["error"]
        .as_str()
        .is_some_and(|e| e.contains("data_primo_pagamento")));
    // A header that does not match the schema stops the run before anything is written.
    std::fs::write(&input, "id,nome,sess\n1,Anna,F\n").expect("write");
    let paths = Paths::new(input.clone(), dir.join("x.jsonl"), None, None);
    let e = render::render(&p, &paths, &opts(1, InputFormat::Csv, OutputFormat::Json));
    assert!(matches!(e, Err(render::RenderError::Usage(_))));
    assert!(!dir.join("x.jsonl").exists());
}

#[test]
fn per_recipient_formats() {
    let p = program("campaigns/naspi");
    let dir = scratch("formats");
    let schema_keys: BTreeSet<String> = p
        .schema()
        .attributes
        .iter()
        .map(|(n, _)| n.to_owned())
        .collect();
    assert!(schema_keys.contains("codice_fiscale"));
    let records: Vec<Value> = std::fs::read_dir(root().join("campaigns/naspi/demo"))
        .expect("demo folder")
        .filter_map(|e| e.ok())
        .map(|e| {
            serde_json::from_str(&std::fs::read_to_string(e.path()).expect("demo")).expect("JSON")
        })
        .collect();
    assert!(!records.is_empty());
    let input = dir.join("r.jsonl");
    write_jsonl(&input, &records);
    for (format, ext) in [
        (OutputFormat::Vtt, "vtt"),
        (OutputFormat::Transcript, "txt"),
        (OutputFormat::Ssml, "ssml"),
    ] {
        let out = dir.join(ext);
        let s = run(&p, &input, &out, opts(2, InputFormat::Jsonl, format));
        assert_eq!(s.rendered, records.len() as u64);
        let first = &records[0];
        let key = first["codice_fiscale"].as_str().expect("key");
        let text = std::fs::read_to_string(out.join(format!("{key}.{ext}"))).expect("file by key");
        let name = first["nome"].as_str().expect("name");
        match format {
            OutputFormat::Vtt => {
                assert!(
                    text.starts_with("WEBVTT\n\nintro-1\n00:00:00.000 --> "),
                    "{text}"
                );
            }
            OutputFormat::Transcript => {
                assert!(text.starts_with("La tua NASpI\n"), "{text}");
                assert!(text.contains(name));
                assert!(text.contains("Pulsante «"));
                assert!(text.contains("Valutazione: "));
            }
            _ => {
                assert!(text.contains("<speak version=\"1.1\""), "{text}");
                assert!(text.contains("<mark name=\"intro\"/>"));
                assert!(text.contains("<sub alias=\""), "{text}");
                assert!(text.contains(" euro"), "{text}");
            }
        }
        assert_eq!(
            std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0),
            records.len()
        );
    }
}

#[test]
fn fast_json_equals_serde_for_every_demo() {
    for campaign in [
        "campaigns/red2021",
        "campaigns/naspi",
        "campaigns/neopensionati",
        "campaigns/assegno_sociale",
        "campaigns/assegno_unico",
        "examples/naspi-peer",
    ] {
        let p = program(campaign);
        let mut ev = p.evaluator();
        let Ok(demo) = std::fs::read_dir(root().join(campaign).join("demo")) else {
            continue;
        };
        for entry in demo.filter_map(|e| e.ok()) {
            let text = std::fs::read_to_string(entry.path()).expect("demo");
            let v: Value = serde_json::from_str(&text).expect("JSON");
            let line = v.to_string();
            if let Outcome::Eligible(t) = ev.evaluate_json_str(&line).expect("evaluates") {
                let mut fast = Vec::new();
                t.write_json(&mut fast);
                assert_eq!(
                    String::from_utf8(fast).expect("UTF-8"),
                    t.to_json(),
                    "{}",
                    entry.path().display()
                );
            }
        }
    }
}

/// Whether a line of `text` starts with these words.
fn has_line(text: &str, words: &[&str]) -> bool {
    text.lines().any(|l| {
        l.split_whitespace()
            .take(words.len())
            .eq(words.iter().copied())
    })
}

#[test]
fn command_exit_codes_and_summary() {
    let dir = scratch("cli");
    let input = dir.join("r.jsonl");
    let mut records = naspi_recipients(50);
    write_jsonl(&input, &records);
    let guide = env!("CARGO_BIN_EXE_guide");
    let campaign = root().join("examples/naspi-peer");
    let out = dir.join("out.jsonl");
    let o = Command::new(guide)
        .args([
            "render".as_ref(),
            campaign.as_os_str(),
            "--data".as_ref(),
            input.as_os_str(),
        ])
        .args([
            "--out".as_ref(),
            out.as_os_str(),
            "--threads".as_ref(),
            "2".as_ref(),
        ])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(has_line(&err, &["read", "50"]), "{err}");
    assert!(err.contains("recipients/s"), "{err}");
    assert_eq!(lines(&out).len(), 50);
    // No temporary is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty());
    // A rejected record: exit code 3, the others rendered.
    records[10]["eta"] = json!("quaranta");
    write_jsonl(&input, &records);
    let o = Command::new(guide)
        .args([
            "render".as_ref(),
            campaign.as_os_str(),
            "--data".as_ref(),
            input.as_os_str(),
        ])
        .args(["--out".as_ref(), out.as_os_str(), "-q".as_ref()])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(has_line(&err, &["rejected", "1"]), "{err}");
    assert_eq!(lines(&out).len(), 49);
    let rejects = lines(&dir.join("out.rejects.jsonl"));
    assert_eq!(rejects.len(), 1);
    assert!(
        rejects[0].starts_with("{\"error\":") || rejects[0].contains("\"line\":11"),
        "{}",
        rejects[0]
    );
    // A missing data file: exit code 2.
    let o = Command::new(guide)
        .args([
            "render".as_ref(),
            campaign.as_os_str(),
            "--data".as_ref(),
            dir.join("none.jsonl").as_os_str(),
        ])
        .args(["--out".as_ref(), out.as_os_str()])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
}

/// A full disk under any one of the files a run writes stops it with exit code 2, a message
/// that names that file, and nothing left (no temporary, nothing under a final name): the
/// rejects file, the not-eligible list, the output, the output folder of a per-recipient format.
#[test]
fn every_file_that_cannot_be_written_is_named() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    let dir = scratch("full-each");
    let demo = |name: &str| -> Value {
        let text = std::fs::read_to_string(
            root().join(format!("campaigns/assegno_unico/demo/{name}.json")),
        )
        .expect("demo");
        serde_json::from_str(&text).expect("demo JSON")
    };
    let mut not_eligible = demo("davide");
    not_eligible["consenso_servizi_proattivi"] = json!(false);
    let mut rejected = demo("federica");
    rejected["sesso"] = json!(1);
    let input = dir.join("data").join("r.jsonl");
    std::fs::create_dir_all(input.parent().expect("folder")).expect("folder");
    write_jsonl(&input, &[demo("alessandro"), not_eligible, rejected]);
    let guide = env!("CARGO_BIN_EXE_guide");
    let campaign = root().join("campaigns/assegno_unico");
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "rejects",
            &["--rejects", "/dev/full"],
            "the rejects file /dev/full",
        ),
        (
            "not-eligible",
            &["--not-eligible", "/dev/full"],
            "the not-eligible list /dev/full",
        ),
        ("out", &["--out", "/dev/full"], "the output /dev/full"),
        (
            "folder",
            &["--out", "/dev/full", "--format", "vtt"],
            "the output folder /dev/full",
        ),
        (
            "threads",
            &["--rejects", "/dev/full", "--threads", "1"],
            "the rejects file /dev/full",
        ),
    ];
    for (case, args, named) in cases {
        let run = dir.join(case);
        std::fs::create_dir_all(&run).expect("folder");
        let mut cmd = Command::new(guide);
        cmd.arg("render")
            .arg(&campaign)
            .arg("--data")
            .arg(&input)
            .arg("-q")
            .current_dir(&run);
        if !args.contains(&"--out") {
            cmd.arg("--out").arg(run.join("out.jsonl"));
        }
        let o = cmd.args(args).output().expect("runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{case}: {err}");
        assert!(err.contains(named), "{case}: {err}");
        assert!(
            !err.contains("cannot write the output:"),
            "{case}: the file is not named: {err}"
        );
        let left: Vec<_> = std::fs::read_dir(&run)
            .expect("folder")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert!(left.is_empty(), "{case}: left {left:?}");
    }
}

/// `--format audio`: one Ogg Opus file per recipient, spoken by espeak-ng (installed by
/// ./test.sh); a voice that fails stops the run and leaves nothing.
#[test]
fn audio_one_spoken_file_per_recipient() {
    let dir = scratch("audio");
    let input = dir.join("r.jsonl");
    let giulia: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("campaigns/naspi/demo/giulia.json")).expect("demo"),
    )
    .expect("JSON");
    write_jsonl(&input, std::slice::from_ref(&giulia));
    let guide = env!("CARGO_BIN_EXE_guide");
    let render = |out: &Path, extra: &[&str]| {
        Command::new(guide)
            .args(["render", "campaigns/naspi", "--format", "audio", "--quiet"])
            .arg("--data")
            .arg(&input)
            .arg("--out")
            .arg(out)
            .args(extra)
            .current_dir(root())
            .output()
            .expect("run guide")
    };
    let out = dir.join("audio");
    let o = render(&out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let key = giulia["codice_fiscale"].as_str().expect("key");
    let bytes = std::fs::read(out.join(format!("{key}.opus"))).expect("KEY.opus");
    assert!(bytes.starts_with(b"OggS"));
    assert!(
        (50_000..600_000).contains(&bytes.len()),
        "{} bytes",
        bytes.len()
    );

    let failed = dir.join("failed");
    let o = render(&failed, &["--voice-command", "false"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("voice"));
    assert!(!failed.exists() || std::fs::read_dir(&failed).expect("dir").next().is_none());
}

#[test]
fn csv_as_italian_spreadsheets_write_it() {
    let p = program("examples/naspi-peer");
    let dir = scratch("csvit");
    let header = "id;nome;sesso;importo_mensile;data_primo_pagamento;durata_settimane;modalita_pagamento;ha_figli;eta;patronato;contatti_aggiornati\n";
    let italian = format!(
        "{header}1;Anna;F;1.234,50;15/03/2024;20;bonifico;false;40;true;true\n\
         2;Bea;F;865,1;01/02/2024;20;bonifico;false;40;true;true\n"
    );
    let standard = "{\"id\":1,\"nome\":\"Anna\",\"sesso\":\"F\",\"importo_mensile\":1234.5,\"data_primo_pagamento\":\"2024-03-15\",\"durata_settimane\":20,\"modalita_pagamento\":\"bonifico\",\"ha_figli\":false,\"eta\":40,\"patronato\":true,\"contatti_aggiornati\":true}\n\
                    {\"id\":2,\"nome\":\"Bea\",\"sesso\":\"F\",\"importo_mensile\":865.1,\"data_primo_pagamento\":\"2024-02-01\",\"durata_settimane\":20,\"modalita_pagamento\":\"bonifico\",\"ha_figli\":false,\"eta\":40,\"patronato\":true,\"contatti_aggiornati\":true}\n";
    let csv_path = dir.join("it.csv");
    let jsonl = dir.join("std.jsonl");
    std::fs::write(&csv_path, &italian).expect("write");
    std::fs::write(&jsonl, standard).expect("write");
    let a = dir.join("a.jsonl");
    let b = dir.join("b.jsonl");
    let sa = run(
        &p,
        &jsonl,
        &a,
        opts(1, InputFormat::Jsonl, OutputFormat::Json),
    );
    let sb = run(
        &p,
        &csv_path,
        &b,
        opts(1, InputFormat::CsvIt, OutputFormat::Json),
    );
    assert_eq!((sa.rendered, sb.rendered, sb.rejected), (2, 2, 0));
    assert!(lines(&a) == lines(&b), "Italian CSV and JSONL differ");
    // The same file read as plain CSV: the separator is still found, the Italian amounts are
    // refused (never guessed).
    let c = dir.join("c.jsonl");
    let sc = run(
        &p,
        &csv_path,
        &c,
        opts(1, InputFormat::Csv, OutputFormat::Json),
    );
    assert_eq!((sc.rendered, sc.rejected), (0, 2));
    // A header separated by tabs: the error names the separator it looks like.
    std::fs::write(&csv_path, header.replace(';', "\t")).expect("write");
    let paths = Paths::new(csv_path.clone(), dir.join("x.jsonl"), None, None);
    let e = render::render(&p, &paths, &opts(1, InputFormat::Csv, OutputFormat::Json));
    match e {
        Err(render::RenderError::Usage(m)) => assert!(m.contains("separated by tabs"), "{m}"),
        other => panic!("{other:?}"),
    }
}

/// The same records, valid or not, through JSON Lines and CSV: the same outcome for each
/// (rendered identically, or rejected on the same line), over a generated corpus of values at
/// the edges (amounts with 0 to 4 decimals, numbers that do not fit, negative amounts).
#[test]
fn both_readers_agree_on_a_generated_corpus() {
    let p = program("campaigns/naspi");
    let dir = scratch("corpus");
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let amounts = [
        "0",
        "0.01",
        "1234.5",
        "1234.56",
        "1234.567",
        "0.005",
        "-5",
        "-0.01",
        "999.999",
        "12.340",
        "1e3",
        "99999999999999999999",
        "7",
    ];
    let ints = [
        "1",
        "104",
        "105",
        "0",
        "-3",
        "1.5",
        "9223372036854775808",
        "52",
    ];
    let names = [
        "Anna",
        "Niccolò",
        "",
        "Maria Grazia de' Medici Bianchi Rossi Verdi",
    ];
    let mut records: Vec<Vec<(String, String)>> = Vec::new();
    for i in 0..400u64 {
        let amount = amounts[next(amounts.len() as u64) as usize];
        let weeks = ints[next(ints.len() as u64) as usize];
        let name = names[next(names.len() as u64) as usize];
        records.push(vec![
            ("codice_fiscale".into(), format!("\"CF{i:06}\"")),
            ("nome".into(), format!("{name:?}")),
            ("sesso".into(), "\"F\"".into()),
            ("eta".into(), "40".into()),
            ("importo_mensile".into(), amount.to_owned()),
            ("data_primo_pagamento".into(), "\"2024-05-10\"".into()),
            ("durata_settimane".into(), weeks.to_owned()),
            ("modalita_pagamento".into(), "\"bonifico\"".into()),
            ("contatti_aggiornati".into(), "true".into()),
        ]);
    }
    let jsonl: String = records
        .iter()
        .map(|r| {
            let fields: Vec<String> = r.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}\n", fields.join(","))
        })
        .collect();
    let header: Vec<&str> = records[0].iter().map(|(k, _)| k.as_str()).collect();
    let mut csv = format!("{}\n", header.join(","));
    for r in &records {
        let cells: Vec<String> = r
            .iter()
            .map(|(_, v)| {
                let v = v.trim_matches('"');
                if v.contains(',') || v.contains('"') {
                    format!("\"{}\"", v.replace('"', "\"\""))
                } else {
                    v.to_owned()
                }
            })
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    let (jp, cp) = (dir.join("c.jsonl"), dir.join("c.csv"));
    std::fs::write(&jp, jsonl).expect("write");
    std::fs::write(&cp, csv).expect("write");
    let (a, b) = (dir.join("a.jsonl"), dir.join("b.jsonl"));
    let sa = run(&p, &jp, &a, opts(2, InputFormat::Jsonl, OutputFormat::Json));
    let sb = run(&p, &cp, &b, opts(2, InputFormat::Csv, OutputFormat::Json));
    assert_eq!((sa.rendered, sa.rejected), (sb.rendered, sb.rejected));
    assert!(sa.rendered > 0 && sa.rejected > 0, "{sa:?}");
    assert!(lines(&a) == lines(&b), "the rendered timelines differ");
    // Rejected: the same records, for the same attribute.
    let rejected = |path: &Path| -> Vec<(String, String)> {
        lines(path)
            .iter()
            .map(|l| {
                let v: Value = serde_json::from_str(l).expect("JSON");
                let error = v["error"].as_str().unwrap_or("").to_owned();
                let attribute = error.split('"').nth(1).unwrap_or("").to_owned();
                (v["key"].as_str().unwrap_or("").to_owned(), attribute)
            })
            .collect()
    };
    assert_eq!(
        rejected(&dir.join("a.rejects.jsonl")),
        rejected(&dir.join("b.rejects.jsonl"))
    );
}
