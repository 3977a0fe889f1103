//! `guide fmt` as a user runs it: rewrites in place, `--check` lists and exits 1, a file that
//! does not parse is reported and left untouched, folders are searched, the current folder is
//! the default.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MESSY: &str = "scene a {text \"Ciao\"   // saluto\n}\n";
const TIDY: &str = "scene a {\n    text \"Ciao\" // saluto\n}\n";

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("guide-fmt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("sub")).expect("temp dir");
    d
}

fn guide(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guide"))
        .current_dir(cwd)
        .arg("fmt")
        .args(args)
        .output()
        .expect("guide runs")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("readable")
}

#[test]
fn check_lists_the_files_that_would_change_and_writes_nothing() {
    let d = dir("check");
    std::fs::write(d.join("sub/a.guide"), MESSY).expect("write");
    std::fs::write(d.join("b.guide"), TIDY).expect("write");
    std::fs::write(d.join("notes.txt"), MESSY).expect("write");
    let out = guide(&d, &["--check", "."]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("a.guide"), "{stdout}");
    assert!(!stdout.contains("b.guide"), "{stdout}");
    assert_eq!(read(&d.join("sub/a.guide")), MESSY);

    // Formatting (default: the current folder) rewrites it; then --check is clean.
    let out = guide(&d, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(read(&d.join("sub/a.guide")), TIDY);
    assert_eq!(read(&d.join("notes.txt")), MESSY);
    assert_eq!(guide(&d, &["--check"]).status.code(), Some(0));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(d.join("sub"))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_untouched() {
    let d = dir("broken");
    let broken = "scene a {\n  txet \"x\"\n}\n";
    std::fs::write(d.join("broken.guide"), broken).expect("write");
    std::fs::write(d.join("ok.guide"), MESSY).expect("write");
    let out = guide(&d, &["broken.guide", "ok.guide"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("txet"), "{stderr}");
    assert_eq!(read(&d.join("broken.guide")), broken);
    // The other files are still formatted.
    assert_eq!(read(&d.join("ok.guide")), TIDY);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let d = dir("missing");
    assert_eq!(guide(&d, &["nope.guide"]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}
