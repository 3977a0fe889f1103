//! The checker's and the analyses' problems are data (facts, each with its file) until they are
//! rendered, in one place; the rendered diagnostics keep every fact, notes in other files included.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::analysis::error::AnalysisError;
use guide_compiler::check::error::{CheckError, Context, Expected, FileId, Place};
use guide_compiler::ir::Ty;
use guide_compiler::syntax::ast::BinaryOp;
use guide_compiler::{compile, project, Compiled};

fn compiled(fixture: &str) -> Compiled {
    let path = format!("tests/ui/{fixture}");
    let p = project::load(std::path::Path::new(&path)).expect("fixture readable");
    compile(&p)
}

fn errors(c: &Compiled) -> Vec<&CheckError> {
    c.errors.iter().map(|l| &l.error).collect()
}

#[test]
fn a_comparison_of_money_with_a_number_keeps_the_operator_and_the_types() {
    let c = compiled("err_type_mismatch_money_int.guide");
    assert!(errors(&c).iter().any(|e| matches!(
        e,
        CheckError::BadOperands {
            op: BinaryOp::Gt,
            left: Ty::Money,
            right: Ty::Int,
            ..
        }
    )));
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code == "E0106")
        .expect("E0106");
    assert_eq!(
        d.help.as_deref(),
        Some("write amounts with the euro sign: `€ 500`")
    );
}

#[test]
fn membership_in_something_that_is_not_a_set_says_where_and_what() {
    let c = compiled("err_in_not_set.guide");
    let found = errors(&c).into_iter().find_map(|e| match e {
        CheckError::TypeMismatch {
            expected, context, ..
        } => Some((expected.clone(), context.clone())),
        _ => None,
    });
    assert_eq!(found, Some((Expected::Set, Context::Membership)));
}

#[test]
fn a_duplicate_across_files_points_at_the_first_in_its_own_file() {
    let c = compiled("err_duplicate_scene_import.guide");
    let dup = c
        .errors
        .iter()
        .find(|l| matches!(l.error, CheckError::DuplicateId { .. }))
        .expect("the duplicate is found");
    // The project's files: 0 the campaign, 1 shared.guide, 2 shared_dup.guide.
    assert_eq!(dup.file, FileId::Guide(2));
    let CheckError::DuplicateId { first, .. } = &dup.error else {
        unreachable!()
    };
    assert_eq!(
        *first,
        Place {
            file: 1,
            span: first.span.clone()
        }
    );
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code == "E0201")
        .expect("E0201");
    assert_eq!(d.file.path, "tests/ui/shared_dup.guide");
    let [note] = d.notes.as_slice() else {
        panic!("one note: {:?}", d.notes)
    };
    assert_eq!(note.file.path, "tests/ui/shared.guide");
    assert_eq!(&note.file.text[note.span.clone()], "aggiorna_contatti");
    assert_eq!(note.label, "the first one is here");
    let json = d.to_json();
    assert_eq!(json["notes"][0]["file"], "tests/ui/shared.guide");
    assert_eq!(json["notes"][0]["line"], 7);
    // People see the other file's snippet too.
    let shown = d.render(false);
    assert!(shown.contains("tests/ui/shared.guide:7:7"), "{shown}");
    assert!(shown.contains("the first one is here"), "{shown}");
}

#[test]
fn the_analyses_keep_durations_in_milliseconds() {
    let c = compiled("err_length_out_of_bounds.guide");
    let found = c.analysis.iter().find_map(|a| match a {
        AnalysisError::LengthMismatch {
            min_ms,
            declared_ms,
            too_short,
            too_long,
            ..
        } => Some((
            *min_ms,
            *declared_ms,
            too_short.is_some(),
            too_long.is_some(),
        )),
        _ => None,
    });
    assert_eq!(found, Some((15_000, (30_000, 60_000), true, false)));

    let c = compiled("err_narration_too_long.guide");
    assert!(c
        .analysis
        .iter()
        .any(|a| matches!(a, AnalysisError::NarrationTooLong { needed_ms, duration_ms, .. } if needed_ms > duration_ms)));
}

#[test]
fn labels_say_something_the_title_does_not() {
    let mut fixtures: Vec<_> = std::fs::read_dir("tests/ui")
        .expect("tests/ui exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string());
            name.is_some_and(|n| n.starts_with("err_") && n.ends_with(".guide"))
        })
        .collect();
    fixtures.sort();
    let mut same = Vec::new();
    for path in fixtures {
        let p = project::load(&path).expect("fixture readable");
        for d in compile(&p).diagnostics {
            if d.label.trim().is_empty() || d.label == d.message {
                same.push(format!("{} {}: {}", path.display(), d.code, d.message));
            }
        }
    }
    assert!(same.is_empty(), "labels that repeat the title: {same:#?}");
}

#[test]
fn every_mismatched_comparison_says_what_to_write_instead() {
    let c = compiled("err_type_mismatch_comparisons.guide");
    let helps: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == "E0106")
        .filter_map(|d| d.help.as_deref())
        .collect();
    assert_eq!(
        helps,
        [
            "write amounts with the euro sign, without quotes: `€ 500`",
            "write numbers without quotes: `18`",
            "compare a date with a date: `2024-02-29`, or `data + 6 months`",
            "a bool is already a condition: write `contatti_aggiornati` or `not contatti_aggiornati` \
             (or compare it with `true` / `false`)",
            "write numbers without quotes: `0.75`",
            "write text in double quotes: `\"Maria\"`",
        ]
    );
}
