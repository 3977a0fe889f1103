//! UI tests: every `tests/ui/err_*.guide` must produce diagnostics, every `ok_*.guide` must check
//! without errors; the source and the rendered diagnostics are snapshotted together, so a reviewer
//! sees exactly what a designer would see. Schema fixtures (`schema_err_*.ron`) likewise.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::diagnostic::{Diagnostic, SourceFile};
use guide_compiler::{analysis, check, project, schema};
use std::path::Path;

fn fixtures(prefix: &str, ext: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir("tests/ui")
        .expect("tests/ui exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            name.starts_with(prefix) && name.ends_with(ext)
        })
        .collect();
    v.sort();
    v
}

fn render(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.render(false))
        .collect::<Vec<_>>()
        .join("\n")
}

fn snapshot(path: &Path, source: &str, rendered: &str) {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let body = format!(
        "--- SOURCE: {} ---\n{source}\n--- DIAGNOSTICS ---\n{rendered}",
        path.display()
    );
    insta::with_settings!({ snapshot_path => "ui_snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, body);
    });
}

#[test]
fn guide_fixtures_with_errors() {
    let files = fixtures("err_", ".guide");
    assert!(
        files.len() >= 30,
        "expected at least 30 error fixtures, found {}",
        files.len()
    );
    for path in files {
        let project = project::load(&path).expect("fixture readable");
        // As `guide check` does: the checker, then the analyses of the compiled campaign.
        let checked = analysis::analyse(&project, &[]).checked;
        assert!(
            !checked.diagnostics.is_empty(),
            "{} should produce a diagnostic",
            path.display()
        );
        let source = std::fs::read_to_string(&path).expect("readable");
        snapshot(&path, &source, &render(&checked.diagnostics));
    }
}

#[test]
fn guide_fixtures_without_errors() {
    let files = fixtures("ok_", ".guide");
    assert!(!files.is_empty());
    for path in files {
        let project = project::load(&path).expect("fixture readable");
        let checked = check::check(&project);
        assert!(
            !checked.has_errors(),
            "{} should check clean:\n{}",
            path.display(),
            render(&checked.diagnostics)
        );
        assert!(checked.campaign.is_some());
        let source = std::fs::read_to_string(&path).expect("readable");
        snapshot(&path, &source, &render(&checked.diagnostics));
    }
}

#[test]
fn schema_fixtures_with_errors() {
    for path in fixtures("schema_err_", ".ron") {
        let text = std::fs::read_to_string(&path).expect("readable");
        let file = SourceFile::new(path.display().to_string(), text.clone());
        let diags = match schema::load(&file) {
            Ok(_) => panic!("{} should not load", path.display()),
            Err(d) => d,
        };
        assert!(!diags.is_empty(), "{} gave no diagnostic", path.display());
        snapshot(&path, &text, &render(&diags));
    }
}

/// The demo recipients are checked with the campaign (E0621): each problem at its file, its
/// JSON path and its line.
#[test]
fn demo_records_that_do_not_fit_the_schema() {
    let path = Path::new("tests/ui/demos/err_demo_record.guide");
    let project = project::load(path).expect("fixture readable");
    let compiled = guide_compiler::compile(&project);
    let demo: Vec<&Diagnostic> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.code == "E0621")
        .collect();
    assert_eq!(demo.len(), 4, "{}", render(&compiled.diagnostics));
    assert!(compiled.output().is_none(), "a broken demo fails the check");
    let source = std::fs::read_to_string(path).expect("readable");
    snapshot(path, &source, &render(&compiled.diagnostics));
}
