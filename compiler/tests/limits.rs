//! Hostile source and schema files: very long lines, deep nesting and long chains, schemas at
//! the runtime's limits. Each gives diagnostics of a reasonable size with the right position,
//! never a panic or a stack overflow; and every schema the compiler accepts gives bytecode the
//! runtime loads.
//!
//! Regression tests: a diagnostic on a line longer than 65,535 bytes made miette panic
//! ("Formatting argument out of range"); a schema nested 16 to 24 levels deep passed the
//! compiler but its bytecode was refused by the runtime (E0901); so was an Enum of 65,535 or
//! 65,536 values; lines of unclosed `{` took exponential time in the parser's error recovery
//! (found by the `guide_source` fuzz target: an 11 KB file took 11 s, 26 such lines 20 s);
//! blocks nested 2,000 deep through broken lines overflowed the stack.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::diagnostic::{Diagnostic, MAX_SHOWN_LINE, WINDOW};
use guide_compiler::schema::{MAX_ENUM_VALUES, MAX_TYPE_DEPTH};
use guide_compiler::{check, codegen, project};
use std::path::Path;

const SCHEMA: &str = include_str!("ui/schema.ron");

const HEAD: &str = "campaign t {\n    title \"T\"\n    schema \"schema.ron\"\n}\n\n";

/// Checks `text` as a campaign file next to `schema`.
fn check_with(text: &str, schema: &str) -> check::Checked {
    let p = project::load_source(
        Path::new("/virtual/t/t.guide"),
        text.to_owned(),
        &mut |_| Ok(schema.to_owned()),
    );
    check::check(&p)
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code).collect()
}

/// Renders every diagnostic; each must be short and name the position `to_json` gives.
fn render_all(diags: &[Diagnostic]) -> String {
    let mut all = String::new();
    for d in diags {
        let text = d.render(false);
        assert!(
            text.len() < 20 * WINDOW + d.message.len() + d.label.len() + 2000,
            "{} renders to {} bytes",
            d.code,
            text.len()
        );
        let j = d.to_json();
        let at = format!("{}:{}:{}", d.file.path, j["line"], j["column"]);
        assert!(text.contains(&at), "{} does not show {at}:\n{text}", d.code);
        all.push_str(&text);
    }
    all
}

#[test]
fn an_error_inside_a_very_long_line_is_shown_cut_around_it() {
    let long = "x".repeat(1 << 20);
    let text = format!(
        "{HEAD}scene a {{\n    text \"{long}\" oops\n}}\n\nending {{\n    text \"y\"\n}}\n"
    );
    let checked = check_with(&text, SCHEMA);
    assert!(checked.has_errors());
    let shown = render_all(&checked.diagnostics);
    assert!(shown.contains('…'), "{shown}");
    assert!(
        shown.contains("oops"),
        "the span is in the window:\n{shown}"
    );
    // A line of normal length is shown whole, as before.
    let short =
        format!("{HEAD}scene a {{\n    text \"ciao\" oops\n}}\n\nending {{\n    text \"y\"\n}}\n");
    let shown = render_all(&check_with(&short, SCHEMA).diagnostics);
    assert!(!shown.contains('…'), "{shown}");
}

#[test]
fn an_error_next_to_a_very_long_line_does_not_show_it_whole() {
    // E0206 points at the header; the long line is far away or just below.
    for long_at in [1, 5] {
        let mut lines: Vec<String> = HEAD.lines().map(str::to_owned).collect();
        lines.insert(long_at, format!("// {}", "é".repeat(100_000)));
        let text = lines.join("\n") + "\nscene a {\n    text \"x\"\n}\n";
        let checked = check_with(&text, SCHEMA);
        assert!(codes(&checked.diagnostics).contains(&"E0206"));
        render_all(&checked.diagnostics);
    }
}

#[test]
fn deep_nesting_and_long_chains_are_refused_with_a_short_report() {
    let n = 100_000;
    for cond in [
        "not ".repeat(n) + "patronato",
        "-".repeat(n) + "eta > 0",
        vec!["patronato"; n].join(" and "),
        "(".repeat(n) + "patronato" + &")".repeat(n),
        format!("eta > {}", "1 + ".repeat(n) + "1"),
    ] {
        let text = format!(
            "{HEAD}scene a when {cond} {{\n    text \"x\"\n}}\n\nending {{\n    text \"y\"\n}}\n"
        );
        let checked = check_with(&text, SCHEMA);
        assert!(
            codes(&checked.diagnostics).contains(&"E0010"),
            "{:?}",
            codes(&checked.diagnostics)
        );
        render_all(&checked.diagnostics);
    }
    // Brackets in texts, and unclosed ones.
    for text in [
        format!("{HEAD}scene a {{\n    text \"{}\"\n}}\n", "[a|".repeat(n)),
        format!("{HEAD}{}", "scene a {\n".repeat(n)),
        "{".repeat(n),
        "\"".repeat(n),
        format!("{HEAD}scene a {{\n    text \"{}\"\n}}\n", "{".repeat(n)),
    ] {
        let checked = check_with(&text, SCHEMA);
        assert!(checked.has_errors());
        render_all(&checked.diagnostics);
    }
}

#[test]
fn a_very_long_valid_line_compiles() {
    let long = "parola ".repeat(150_000);
    let text =
        format!("{HEAD}scene a {{\n    text \"{long}\"\n}}\n\nending {{\n    text \"y\"\n}}\n");
    let checked = check_with(&text, SCHEMA);
    let campaign = checked.campaign.expect("a long text is fine");
    codegen::program(&campaign).expect("and loads");
    assert!(MAX_SHOWN_LINE < long.len());
}

/// A campaign that reads nothing, over `schema`.
const PLAIN: &str = "campaign t {\n    title \"T\"\n    schema \"schema.ron\"\n}\n\nscene a {\n    text \"x\"\n}\n\nending {\n    text \"y\"\n}\n";

/// `Ok(())` when the schema is accepted and its bytecode loads; the codes otherwise.
fn compile_schema(schema: &str) -> Result<(), Vec<&'static str>> {
    let checked = check_with(PLAIN, schema);
    match &checked.campaign {
        Some(c) => {
            if let Err(e) = codegen::program(c) {
                panic!("accepted, but the runtime refuses it: {e}");
            }
            Ok(())
        }
        None => Err(codes(&checked.diagnostics)),
    }
}

fn nested(levels: &[&str]) -> String {
    let mut ty = "Int".to_owned();
    for l in levels.iter().rev() {
        ty = match *l {
            "R" => format!("Record({{ \"x\": (type: {ty}) }})"),
            "L" => format!("List({{ \"x\": (type: {ty}) }})"),
            _ => format!("Optional({ty})"),
        };
    }
    format!("(\n    attributes: {{\n        \"a\": (type: {ty}),\n        \"nome\": (type: String),\n    }},\n)\n")
}

#[test]
fn schemas_the_compiler_accepts_always_load_in_the_runtime() {
    assert_eq!(MAX_TYPE_DEPTH, 32);
    assert_eq!(compile_schema(&nested(&["R"; 15])), Ok(()));
    assert_eq!(compile_schema(&nested(&["R"; 16])), Err(vec!["E0617"]));
    assert_eq!(compile_schema(&nested(&["L"; 15])), Ok(()));
    assert_eq!(compile_schema(&nested(&["L"; 20])), Err(vec!["E0617"]));
    // Mixes of Record, List and Optional (never Optional twice in a row), 1 to 20 levels:
    // accepted if and only if the runtime loads it (`compile_schema` panics otherwise).
    let (mut accepted, mut refused) = (0, 0);
    let mut seed = 0x2545_f491_u32;
    for _ in 0..300 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = 1 + (seed >> 16) as usize % 20;
        let mut levels = Vec::new();
        for _ in 0..n {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            levels.push(match (seed >> 16) % 3 {
                0 => "R",
                1 => "L",
                _ if levels.last() == Some(&"O") => "R",
                _ => "O",
            });
        }
        match compile_schema(&nested(&levels)) {
            Ok(()) => accepted += 1,
            Err(_) => refused += 1,
        }
    }
    assert!(
        accepted > 0 && refused > 0,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn the_largest_enum_the_compiler_accepts_loads_in_the_runtime() {
    let values = |n: usize| -> String {
        (0..n)
            .map(|i| format!("\"v{i}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let schema = |n: usize| {
        format!(
            "(\n    attributes: {{\n        \"e\": (type: Enum([{}])),\n    }},\n)\n",
            values(n)
        )
    };
    assert_eq!(compile_schema(&schema(MAX_ENUM_VALUES)), Ok(()));
    assert_eq!(
        compile_schema(&schema(MAX_ENUM_VALUES + 1)),
        Err(vec!["E0608"])
    );
}

#[test]
fn unclosed_braces_are_reported_at_the_brace() {
    // Before, each more line doubled the time: 26 lines took 20 s, 60 would never end. That the
    // work is now linear is tested in rule calls by `--test parse_linear`; here, what is said.
    for text in [
        "a {\n".repeat(60),
        format!("{HEAD}{}", "scene a {\n    text \"{\" {\n".repeat(20)),
        "{ x { y { \"}\" {\n".repeat(15),
        format!(
            "{HEAD}{}ending {{\n    text \"x\"\n}}\n",
            "if a {\n".repeat(21)
        ),
        format!("{HEAD}{}", "match m {\ncase a {\n".repeat(16)),
        include_str!("inputs/fuzz_timeout_unclosed_braces.guide").to_owned(),
    ] {
        let checked = check_with(&text, SCHEMA);
        assert!(
            codes(&checked.diagnostics).contains(&"E0011"),
            "{:?}",
            codes(&checked.diagnostics)
        );
        render_all(&checked.diagnostics);
    }
}

#[test]
fn blocks_nested_past_the_limit_through_broken_lines_are_refused() {
    // `too_deep` counts brackets, and here each `}` closes nothing: the parser's blocks nested
    // 2,000 deep overflowed the stack of the builder (and pest's own guard stopped deeper ones
    // with a confusing "`a` is not expected here").
    for n in [100, 2_000, 100_000] {
        let text = format!(
            "{HEAD}{}ending {{\n    text \"x\"\n}}\n",
            "if a { y } x\n".repeat(n)
        );
        let checked = check_with(&text, SCHEMA);
        assert!(
            codes(&checked.diagnostics).contains(&"E0010"),
            "{:?}",
            codes(&checked.diagnostics)
        );
        render_all(&checked.diagnostics);
    }
}

/// Replays a `bytecode` fuzz finding as the target does: re-sealed, loaded, run on a record
/// built from its schema, every output produced.
fn replay_bytecode(bytes: &[u8]) {
    use guide_runtime::bytecode::format::HEADER_LEN;
    let mut b = bytes.to_vec();
    let len = u32::try_from(b.len() - HEADER_LEN).expect("length");
    b[12..16].copy_from_slice(&len.to_le_bytes());
    let crc = guide_runtime::checksum::crc32(&b[HEADER_LEN..]);
    b[16..20].copy_from_slice(&crc.to_le_bytes());
    let Ok(program) = guide_runtime::Program::from_bytes(&b) else {
        return;
    };
    let _ = program.disassemble();
    let record = guide_compiler::analysis::domains::base_record(program.schema());
    if let Ok(guide_runtime::Outcome::Eligible(t)) = program.evaluate_json(&record) {
        let _ = t.storyboard();
        let _ = t.to_json();
        for s in t.all_scenes() {
            assert!(s.end_ms() >= s.start_ms());
        }
    }
}

#[test]
fn bytecode_fuzz_findings_no_longer_panic() {
    // A scene duration near u64::MAX overflowed `SceneView::end_ms` in the storyboard.
    replay_bytecode(include_bytes!("inputs/fuzz_crash_end_ms_overflow.guidec"));
}
