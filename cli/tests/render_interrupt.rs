//! `guide render` interrupted at random moments, in every format, by `SIGINT` and `SIGTERM`:
//! every run either exits with 130 leaving nothing at all (no temporary, nothing under a final
//! name), or finished first and left every file complete and no temporary.
//!
//! The moments are random (the seed is printed; `GUIDE_INTERRUPT_SEED=N` replays a run), from 0
//! (while the campaign compiles) to a little past the length of an uninterrupted run, measured
//! first on the same data.

use serde_json::json;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Runs per format.
const RUNS: usize = 11;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
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

/// `n` recipients of examples/naspi-peer, one in 50 rejected (a string for a number).
fn write_data(path: &Path, n: usize) {
    let mut text = String::new();
    for id in 1..=n {
        let eta = if id % 50 == 0 {
            json!("trenta")
        } else {
            json!(18 + id % 50)
        };
        let name = ["Giulia", "Niccolò", "Zoë", "Lorenzo \"Nini\""][id % 4];
        let r = json!({
            "id": id,
            "nome": name,
            "sesso": if id % 2 == 0 { "F" } else { "M" },
            "importo_mensile": 300.0 + (id % 1000) as f64,
            "data_primo_pagamento": format!("2025-{:02}-{:02}", 1 + id % 12, 1 + id % 28),
            "durata_settimane": 4 + id % 100,
            "modalita_pagamento": if id % 3 == 0 { "ufficio_postale" } else { "bonifico" },
            "ha_figli": id % 5 < 2,
            "eta": eta,
            "patronato": id % 2 == 0,
            "contatti_aggiornati": id % 10 < 7,
        });
        text.push_str(&r.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).expect("write the data");
}

/// The names in `dir`.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// What a complete run leaves: the output's lines (json) or files (a folder), the rejects'
/// lines, the not-eligible list's lines.
fn complete(out: &Path, json: bool) -> (usize, usize, usize) {
    let count_lines = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .lines()
            .count()
    };
    let rendered = if json {
        count_lines(out)
    } else {
        entries(out).len()
    };
    let dir = out.parent().expect("a folder");
    (
        rendered,
        count_lines(&dir.join("out.rejects.jsonl")),
        count_lines(&dir.join("out.not-eligible.jsonl")),
    )
}

fn start(campaign: &Path, data: &Path, out: &Path, format: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_guide"))
        .arg("render")
        .arg(campaign)
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(["--format", format, "-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("guide runs")
}

/// xorshift64: random enough for moments, replayable from its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn an_interrupt_at_any_moment_of_any_format_leaves_nothing() {
    if !Path::new("/bin/kill").exists() && !Path::new("/usr/bin/kill").exists() {
        return;
    }
    let seed = std::env::var("GUIDE_INTERRUPT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    eprintln!("GUIDE_INTERRUPT_SEED={seed}");
    let mut rng = Rng(seed);
    let campaign = root().join("examples/naspi-peer");
    let base = scratch("interrupt-random");
    let (mut interrupted, mut finished, mut before_handler) = (0, 0, 0);
    // Record counts for about half a second to a second per run in a debug build.
    for (format, n) in [
        ("json", 10_000),
        ("vtt", 5_000),
        ("transcript", 2_000),
        ("ssml", 4_000),
    ] {
        let json = format == "json";
        let out_name = if json { "out.jsonl" } else { "out" };
        let data = base.join(format!("{format}.jsonl"));
        write_data(&data, n);
        // An uninterrupted run: its length, and what a complete run leaves.
        let dir = base.join(format!("{format}-full"));
        std::fs::create_dir_all(&dir).expect("folder");
        let t0 = Instant::now();
        let o = start(&campaign, &data, &dir.join(out_name), format)
            .wait_with_output()
            .expect("ends");
        let length = t0.elapsed();
        assert_eq!(
            o.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let expected = complete(&dir.join(out_name), json);
        assert_eq!(expected.0 + expected.1 + expected.2, n, "{format}");
        eprintln!("{format}: {n} recipients in {length:?}");
        for i in 0..RUNS {
            let dir = base.join(format!("{format}-{i}"));
            std::fs::create_dir_all(&dir).expect("folder");
            let out = dir.join(out_name);
            let child = start(&campaign, &data, &out, format);
            let delay = Duration::from_micros(rng.below(length.as_micros() as u64 * 11 / 10));
            std::thread::sleep(delay);
            let signal = if i % 2 == 0 { "-INT" } else { "-TERM" };
            let sent = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .stderr(Stdio::null())
                .status()
                .expect("kill");
            let o = child.wait_with_output().expect("ends");
            let err = String::from_utf8_lossy(&o.stderr);
            let left = entries(&dir);
            let what = format!("{format} run {i}, {signal} after {delay:?} (seed {seed})");
            assert!(
                !left.iter().any(|n| n.contains(".partial")),
                "{what}: temporaries left: {left:?}\n{err}"
            );
            match outcome(o.status) {
                Outcome::Interrupted => {
                    interrupted += 1;
                    assert!(left.is_empty(), "{what}: exit 130 but left {left:?}\n{err}");
                    assert!(err.contains("interrupted"), "{what}: {err}");
                }
                Outcome::Finished => {
                    finished += 1;
                    assert_eq!(complete(&out, json), expected, "{what}: incomplete\n{err}");
                }
                // Killed before the handler was installed: nothing was created yet.
                Outcome::Signalled if sent.success() => {
                    before_handler += 1;
                    assert!(left.is_empty(), "{what}: killed, left {left:?}");
                }
                _ => panic!("{what}: {:?}\n{err}", o.status),
            }
        }
    }
    eprintln!(
        "{interrupted} runs interrupted (exit 130), {finished} finished first, {before_handler} \
         killed before the handler was installed"
    );
    assert!(
        interrupted >= RUNS,
        "too few runs were interrupted to test anything: {interrupted}"
    );
}

enum Outcome {
    Interrupted,
    Finished,
    Signalled,
    Other,
}

fn outcome(s: ExitStatus) -> Outcome {
    match (s.code(), s.signal()) {
        (Some(130), _) => Outcome::Interrupted,
        (Some(0 | 3), _) => Outcome::Finished,
        (None, Some(2 | 15)) => Outcome::Signalled,
        _ => Outcome::Other,
    }
}
