//! Date spans, the reference date and the exactness of dead-content warnings
//! (`compiler/tests/dates/`): the sixth campaign's "name and age of each minor child, in list
//! order" in one line; conditions that relate dates reach their content and raise no W0401, and
//! the witnesses of the variants cover them; genuinely dead content of the same shapes still
//! does.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::analysis;
use guide_compiler::project;
use guide_runtime::bytecode::DecisionKind;
use guide_runtime::{Date, EvalError, Outcome, Program};
use std::path::Path;

fn date(s: &str) -> Date {
    Date::parse_iso(s).expect("a date")
}

fn analysed(path: &Path) -> analysis::Analysed {
    let project = project::load(path).expect("fixture readable");
    let bases: Vec<serde_json::Value> = project
        .demos
        .iter()
        .filter_map(|(_, v)| v.as_ref().ok().cloned())
        .collect();
    analysis::analyse(&project, &bases)
}

fn warnings(a: &analysis::Analysed, code: &str) -> Vec<String> {
    a.checked
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| d.render(false))
        .collect()
}

fn texts(program: &Program, record: &serde_json::Value, today: &str) -> Vec<String> {
    match program.evaluate_json_at(record, date(today)) {
        Ok(Outcome::Eligible(t)) => t
            .scenes()
            .flat_map(|s| s.texts().map(String::from).collect::<Vec<_>>())
            .collect(),
        other => panic!("not a timeline: {other:?}"),
    }
}

#[test]
fn sixth_campaign_ages_of_minor_children_in_list_order() {
    let a = analysed(Path::new("tests/dates/superstiti/superstiti.guide"));
    assert!(
        a.checked.diagnostics.is_empty(),
        "{:#?}",
        a.checked.diagnostics
    );
    let program = a.program.expect("compiles");
    assert!(program.reads_today());
    assert_eq!(program.metadata().version, (1, 1));
    let demo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/dates/superstiti/demo/giulia.json").expect("demo"),
    )
    .expect("json");
    // Sara, born on 29 February 2008, is 17 on 1 March 2025; Anna turned 18 that day; Marco
    // is 23. The list's order stands (Pietro, the youngest, comes after Sara).
    let march = texts(&program, &demo, "2025-03-20");
    insta::assert_snapshot!(march.join("\n"), @r"
    Gentile signora Giulia
    Puoi chiedere la pensione ai superstiti entro il 16 settembre 2025
    Hanno diritto a una quota i figli minorenni:
    Sara, 17 anni
    Pietro, 1 anno
    L'importo stimato è di € 812,40 al mese
    ");
    // The same record, another day: the deadline is near.
    let august = texts(&program, &demo, "2025-08-20");
    assert!(
        august.contains(&"Mancano 12 giorni alla scadenza".to_string()),
        "{august:?}"
    );
    // A host that gives no reference date is told so, with the place that reads `today`.
    match program.evaluate_json(&demo) {
        Err(EvalError::NoReferenceDate { location }) => {
            assert!(location.starts_with("superstiti.guide:"), "{location}")
        }
        other => panic!("expected NoReferenceDate, got {other:?}"),
    }
}

#[test]
fn reachable_conditions_on_dates_raise_no_dead_content_and_witnesses_cover_them() {
    for name in [
        "reach_workaround",
        "reach_spans",
        "reach_arith",
        "superstiti/superstiti",
    ] {
        let a = analysed(&Path::new("tests/dates").join(format!("{name}.guide")));
        let dead = warnings(&a, "W0401");
        assert!(dead.is_empty(), "{name}:\n{}", dead.join("\n"));
        let report = a.report.expect("analysed");
        let program = a.program.expect("compiles");
        assert!(
            report.exhaustive,
            "{name}: {} combinations of {:#?}",
            report.combinations, report.domains
        );
        // Every outcome of every line, scene and branch has a witness.
        let missing: Vec<String> = report
            .unreached
            .iter()
            .filter(|(p, _)| {
                program.decision_points()[usize::from(*p)].kind != DecisionKind::Gender
            })
            .map(|(p, o)| format!("{} = {o}", program.decision_label(*p)))
            .collect();
        assert!(missing.is_empty(), "{name}: no witness for {missing:#?}");
    }
}

#[test]
fn dead_content_on_dates_still_warns() {
    let a = analysed(Path::new("tests/dates/dead_spans.guide"));
    let rendered = warnings(&a, "W0401");
    assert_eq!(rendered.len(), 3, "{}", rendered.join("\n"));
    insta::with_settings!({ snapshot_path => "ui_snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("dates_dead_spans", rendered.join("\n"));
    });
}

#[test]
fn bytecode_declares_the_lowest_minor_it_needs() {
    let with = analysed(Path::new("tests/dates/reach_spans.guide"));
    let without = analysed(Path::new("tests/dates/reach_workaround.guide"));
    let with = with.program.expect("compiles").to_bytes();
    let without = without.program.expect("compiles").to_bytes();
    // Header: magic (8), major (2), minor (2).
    assert_eq!(
        &with[8..12],
        &[1, 0, 1, 0],
        "a campaign reading `today` is 1.1"
    );
    assert_eq!(&without[8..12], &[1, 0, 0, 0], "nothing new: still 1.0");
    assert!(Program::from_bytes(&with).is_ok());
    // The minor is not under the checksum: a 1.1 instruction in a file that says 1.0 is refused.
    let mut lying = with.clone();
    lying[10] = 0;
    let e = Program::from_bytes(&lying)
        .expect_err("refused")
        .to_string();
    assert!(e.contains("from format 1.1"), "{e}");
    // A newer minor whose code this runtime cannot decode asks for a newer runtime.
    let mut newer = with.clone();
    newer[10] = 9;
    let at = newer
        .windows(4)
        .position(|w| w == b"CODE")
        .expect("a code section");
    // The first instruction's opcode, just after the tag, the length and the count.
    newer[at + 12] = 0xEE;
    let body = &newer[24..];
    let crc = guide_runtime::checksum::crc32(body);
    newer[16..20].copy_from_slice(&crc.to_le_bytes());
    let e = Program::from_bytes(&newer)
        .expect_err("refused")
        .to_string();
    assert!(e.contains("use a newer runtime"), "{e}");
}
