//! Every personalised variant of every campaign is snapshotted: `snapshots/variants/<campaign>/`
//! holds one file per variant (its witness record and timeline) and the demo table. A change to a
//! campaign shows as a diff of exactly the variants it changes; a variant without a snapshot, or a
//! snapshot of a variant that no longer exists, fails the test.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::analysis::{self, variants};
use guide_compiler::project;
use std::path::{Path, PathBuf};

fn campaigns() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("../campaigns")
        .expect("campaigns folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "common"))
        .collect();
    v.push(PathBuf::from("../examples/naspi-peer"));
    v.sort();
    v
}

fn name_of(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

#[test]
fn every_variant_has_a_snapshot_and_every_witness_evaluates() {
    let mut summary = Vec::new();
    for dir in campaigns() {
        let name = name_of(&dir);
        let main = project::resolve(&dir).expect("campaign resolves");
        let project = project::load(&main).expect("campaign loads");
        let demos = project::demo_records(&main);
        let bases: Vec<serde_json::Value> = demos
            .iter()
            .filter_map(|(_, v)| v.as_ref().ok().cloned())
            .collect();
        let analysed = analysis::analyse(&project, &bases);
        assert!(
            !analysed.checked.has_errors(),
            "{name} does not check: {:?}",
            analysed
                .checked
                .diagnostics
                .iter()
                .map(|d| &d.message)
                .collect::<Vec<_>>()
        );
        let report = analysed.report.expect("checked campaigns are analysed");
        let program = analysed.program.expect("checked campaigns compile");
        assert!(
            report.exhaustive,
            "{name}: the enumeration was not exhaustive"
        );
        assert!(
            report.failures.is_empty(),
            "{name}: witnesses refused: {:?}",
            report.failures
        );

        // Every demo recipient evaluates, without error.
        let mut demo_lines = Vec::new();
        for (demo, value) in &demos {
            let value = value
                .as_ref()
                .unwrap_or_else(|e| panic!("{name}/demo/{demo}.json: {e}"));
            let line = match program.evaluate_json(value) {
                Ok(guide_runtime::Outcome::Eligible(t)) => format!(
                    "{demo}: {} ({} scenes)",
                    t.variant(),
                    t.all_scenes().count()
                ),
                Ok(guide_runtime::Outcome::NotEligible) => format!("{demo}: not eligible"),
                Err(e) => panic!("{name}/demo/{demo}.json: {e}"),
            };
            demo_lines.push(line);
        }

        let folder = format!("../../snapshots/variants/{name}");
        let mut expected_files = Vec::new();
        for v in &report.variants {
            let snap = format!("{name}__{}", v.stable_name);
            expected_files.push(format!("{snap}.snap"));
            let body = format!(
                "variant: {}\nwitness: {}\n\n{}",
                v.id,
                serde_json::to_string(&v.witness).unwrap_or_default(),
                v.storyboard(&program, report.as_of)
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
                    .unwrap_or_else(|| panic!("{name}: a witness not eligible"))
            );
            insta::with_settings!({ snapshot_path => &folder, prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(snap, body);
            });
        }
        // The demo table: the smallest set of witnesses that plays everything, and the demo
        // recipients' variants.
        let minimal: Vec<String> = report
            .minimal()
            .iter()
            .map(|v| {
                format!(
                    "{} {}",
                    v.id,
                    serde_json::to_string(&v.witness).unwrap_or_default()
                )
            })
            .collect();
        let table = format!(
            "{} variants, {} of them cover every scene, pop-up, button and alternative:\n{}\n\ndemo recipients:\n{}",
            report.variants.len(),
            minimal.len(),
            minimal.join("\n"),
            demo_lines.join("\n")
        );
        let demo_snap = format!("{name}__demo_table");
        expected_files.push(format!("{demo_snap}.snap"));
        insta::with_settings!({ snapshot_path => &folder, prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(demo_snap, table);
        });

        // No stale snapshots: every file in the folder is a variant that still exists.
        let on_disk: Vec<String> = std::fs::read_dir(format!("../snapshots/variants/{name}"))
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .filter(|f| f.ends_with(".snap"))
                    .collect()
            })
            .unwrap_or_default();
        let stale: Vec<&String> = on_disk
            .iter()
            .filter(|f| !expected_files.contains(f))
            .collect();
        assert!(
            stale.is_empty(),
            "{name}: snapshots of variants that no longer exist (delete them): {stale:?}"
        );
        summary.push(format!("{name}: {} variants", report.variants.len()));
        let _ = variants::MAX_EXHAUSTIVE;
    }
    eprintln!("{}", summary.join("\n"));
}
