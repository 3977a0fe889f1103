//! The `guide` command as a user runs it: exit codes, JSON diagnostics, and `build`, `disasm`
//! and `run` on the campaign every bytecode test compiles.

#[path = "../../compiler/tests/fixture/mod.rs"]
mod fixture;

use fixture::{anna, with, LIB, MAIN, SCHEMA};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[test]
fn json_diagnostics_have_the_documented_fields() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_guide"))
        .args([
            "check",
            "--format",
            "json",
            "../compiler/tests/ui/err_unknown_attribute.guide",
        ])
        .output()
        .expect("guide runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.lines().next().expect("one line per diagnostic");
    let v: serde_json::Value = serde_json::from_str(first).expect("valid JSON");
    for key in [
        "severity",
        "code",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "label",
        "help",
        "notes",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["code"], "E0101");
    assert_eq!(v["line"], 7);
    assert_eq!(v["column"], 22);
    assert_eq!(v["help"], "did you mean `nome`?");
    assert_eq!(v["notes"], serde_json::json!([]));

    // A note keeps its own file: the first of two shared scenes of the same id, in another
    // imported library.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_guide"))
        .args([
            "check",
            "--format",
            "json",
            "../compiler/tests/ui/err_duplicate_scene_import.guide",
        ])
        .output()
        .expect("guide runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("valid JSON"))
        .find(|v| v["code"] == "E0201")
        .expect("the duplicate is reported");
    assert_eq!(v["file"], "../compiler/tests/ui/shared_dup.guide");
    assert_eq!(
        v["notes"],
        serde_json::json!([{
            "file": "../compiler/tests/ui/shared.guide",
            "line": 7,
            "column": 7,
            "end_line": 7,
            "end_column": 24,
            "label": "the first one is here",
        }])
    );
}

#[test]
fn exit_codes_follow_the_contract() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_guide"))
            .args(args)
            .output()
            .expect("guide runs")
            .status
            .code()
    };
    assert_eq!(
        run(&["check", "../compiler/tests/ui/ok_full.guide"]),
        Some(0)
    );
    assert_eq!(
        run(&["check", "../compiler/tests/ui/err_missing_ending.guide"]),
        Some(1)
    );
    assert_eq!(
        run(&["check", "../compiler/tests/ui/does_not_exist.guide"]),
        Some(2)
    );
    assert_eq!(run(&["check"]), Some(2));
    // Warnings alone do not fail.
    assert_eq!(
        run(&["check", "../compiler/tests/ui/err_constant_condition.guide"]),
        Some(0)
    );
}

// ------------------------------------------------------------------------- the command line

fn guide(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_guide"))
        .args(args)
        .output()
        .expect("runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("guide-bytecode-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temporary folder");
    d
}

#[test]
fn cli_build_disasm_run() {
    let d = temp_dir("cli");
    std::fs::write(d.join("main.guide"), MAIN).unwrap();
    std::fs::write(d.join("schema.ron"), SCHEMA).unwrap();
    std::fs::write(d.join("lib.guide"), LIB).unwrap();
    std::fs::write(d.join("anna.json"), anna().to_string()).unwrap();
    std::fs::write(
        d.join("bad.json"),
        with(anna(), "eta", json!("x")).to_string(),
    )
    .unwrap();
    let out = d.join("out.guidec");
    let main = d.join("main.guide");
    let o = guide(&["build", main.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = guide(&["disasm", out.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("campaign   features"));
    let data = d.join("anna.json");
    for path in [&out, &main] {
        let o = guide(&[
            "run",
            path.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["scenes"][0]["texts"][0], "Benvenuta ANNA");
    }
    let o = guide(&[
        "run",
        out.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--format",
        "text",
    ]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("[0:00.0 - 0:06.0] intro"), "{text}");
    assert!(text.contains("rating  Ti è piaciuto? (1 to 5)"), "{text}");
    let bad = d.join("bad.json");
    let o = guide(&[
        "run",
        out.to_str().unwrap(),
        "--data",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("attribute \"eta\": expected an integer, found \"x\""),
        "{err}"
    );
    // A damaged file is an input error too.
    let mut bytes = std::fs::read(&out).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    std::fs::write(&out, bytes).unwrap();
    let o = guide(&["disasm", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("corrupted"));
    let _ = std::fs::remove_dir_all(&d);
}

// ------------------------------------------------------------------------- one pipeline

/// The error codes `guide check --format json` reports for a file.
fn error_codes(path: &str) -> Vec<String> {
    let out = guide(&["check", "--format", "json", path]);
    let mut codes: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// Anything `guide check` refuses, every command that compiles refuses, with the same codes: they
/// all go through `guide_compiler::compile()`.
#[test]
fn every_command_refuses_what_check_refuses() {
    let d = temp_dir("pipeline");
    let data = d.join("r.jsonl");
    std::fs::write(&data, "{}\n").expect("write data");
    let data = data.to_string_lossy().to_string();
    let out_file = d.join("out.jsonl").to_string_lossy().to_string();
    let out_dir = d.join("vtt").to_string_lossy().to_string();
    let mut fixtures: Vec<String> = std::fs::read_dir("../compiler/tests/ui")
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string());
            name.is_some_and(|n| n.starts_with("err_") && n.ends_with(".guide"))
        })
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() > 40, "the UI fixtures are there");
    let mut refused = 0;
    for fixture in &fixtures {
        let codes = error_codes(fixture);
        if codes.is_empty() {
            continue; // warnings only: every command may go ahead
        }
        refused += 1;
        let commands: [Vec<&str>; 6] = [
            vec!["build", fixture, "-o", &out_file],
            vec!["disasm", fixture],
            vec!["run", fixture, "--data", &data],
            vec!["variants", fixture],
            vec!["render", fixture, "--data", &data, "--out", &out_file],
            vec![
                "render", fixture, "--data", &data, "--out", &out_dir, "--format", "vtt",
            ],
        ];
        for args in &commands {
            let out = guide(args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(1),
                "`guide {}` must refuse what check refuses ({codes:?}):\n{stderr}",
                args.join(" ")
            );
            for code in &codes {
                assert!(
                    stderr.contains(&format!("[{code}]")) || stderr.contains(code.as_str()),
                    "`guide {}` must report {code} as check does:\n{stderr}",
                    args.join(" ")
                );
            }
        }
        assert!(
            !Path::new(&out_file).exists(),
            "nothing written for {fixture}"
        );
    }
    assert!(refused > 30, "most fixtures have errors ({refused})");
}
