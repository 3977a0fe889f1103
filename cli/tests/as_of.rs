//! `--as-of DATE`: the reference date a campaign's `today` reads, on `run`, `render` and
//! `variants` (the sixth campaign's fixture, `compiler/tests/dates/superstiti`).

use std::path::PathBuf;

const CAMPAIGN: &str = "../compiler/tests/dates/superstiti";
const DEMO: &str = "../compiler/tests/dates/superstiti/demo/giulia.json";

fn guide(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_guide"))
        .args(args)
        .output()
        .expect("runs")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("guide-as-of-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temporary folder");
    d
}

#[test]
fn run_produces_the_guide_as_on_the_date_given() {
    let march = guide(&[
        "run",
        CAMPAIGN,
        "--data",
        DEMO,
        "--format",
        "text",
        "--as-of",
        "2025-03-20",
    ]);
    assert_eq!(march.status.code(), Some(0), "{march:?}");
    let text = stdout(&march);
    assert!(text.contains("Sara, 17 anni"), "{text}");
    assert!(!text.contains("Mancano"), "{text}");
    let august = guide(&[
        "run",
        CAMPAIGN,
        "--data",
        DEMO,
        "--format",
        "text",
        "--as-of",
        "2025-08-20",
    ]);
    assert!(
        stdout(&august).contains("Mancano 12 giorni alla scadenza"),
        "{august:?}"
    );
    // Without --as-of: today's date, taken by the command (the run succeeds whatever the day).
    assert_eq!(
        guide(&["run", CAMPAIGN, "--data", DEMO]).status.code(),
        Some(0)
    );
    // A date that does not exist is a usage error.
    let bad = guide(&["run", CAMPAIGN, "--data", DEMO, "--as-of", "2025-02-29"]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn render_and_variants_take_the_date_too() {
    let d = temp_dir("render");
    let demo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(DEMO).expect("demo")).expect("json");
    let data = d.join("in.jsonl");
    std::fs::write(&data, format!("{demo}\n")).expect("write");
    let out = d.join("out.jsonl");
    let r = guide(&[
        "render",
        CAMPAIGN,
        "--data",
        data.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2025-08-20",
        "--quiet",
    ]);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let written = std::fs::read_to_string(&out).expect("output");
    assert!(
        written.contains("Mancano 12 giorni alla scadenza"),
        "{written}"
    );

    let v = guide(&[
        "variants",
        CAMPAIGN,
        "--format",
        "json",
        "--as-of",
        "2025-08-20",
    ]);
    assert_eq!(v.status.code(), Some(0), "{v:?}");
    let lines = stdout(&v);
    assert!(
        lines.lines().any(|l| l.contains("\"scadenza\"")),
        "a witness plays the deadline scene on that day:\n{lines}"
    );
    let _ = std::fs::remove_dir_all(&d);
}
