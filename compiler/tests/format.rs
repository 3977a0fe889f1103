//! `guide fmt` never changes meaning and is idempotent, over every campaign, `campaigns/common`,
//! the examples, every compiler fixture that parses and every example of the spec: each file is
//! compiled as written and as formatted (its imports formatted too), and the bytecode and the
//! diagnostics (codes and messages) must be the same; formatting the formatted text changes
//! nothing.

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::format::{format_source, FormatError};
use guide_compiler::project;
use guide_runtime::bytecode::{reader::decode, Module};
use std::path::{Path, PathBuf};

fn guide_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            guide_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "guide") {
            out.push(p);
        }
    }
}

/// Reads a file, formatted when `formatted` and it is a `.guide` file that formats.
fn read(p: &Path, formatted: bool) -> std::io::Result<String> {
    let text = std::fs::read_to_string(p)?;
    if formatted && p.extension().is_some_and(|e| e == "guide") {
        return Ok(format_source(&text).unwrap_or(text));
    }
    Ok(text)
}

/// The bytecode's module without source positions (the span table holds byte offsets, lines and
/// columns, which layout changes by design; everything else must stay the same).
fn without_positions(bytecode: &[u8]) -> Module {
    let mut module = decode(bytecode).expect("the compiler's bytecode decodes");
    for span in &mut module.spans {
        (span.start, span.end, span.line, span.col) = (0, 0, 0, 0);
    }
    module
}

/// What compiling `main` (with `text`) gives: bytecode and diagnostics without positions.
fn meaning(main: &Path, text: String, formatted: bool) -> (Option<Module>, Vec<String>) {
    let project = project::load_source(main, text, &mut |p| read(p, formatted));
    let compiled = guide_compiler::compile(&project);
    let diags = compiled
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    (compiled.bytecode.as_deref().map(without_positions), diags)
}

/// Formats `text` (the file `main`): checks idempotence and meaning. Returns whether it parsed.
fn check_file(main: &Path, text: &str, failures: &mut Vec<String>) -> bool {
    let out = match format_source(text) {
        Ok(out) => out,
        Err(FormatError::Syntax(_)) => return false,
        Err(e) => {
            failures.push(format!("{}: {e:?}", main.display()));
            return true;
        }
    };
    match format_source(&out) {
        Ok(again) if again == out => {}
        Ok(again) => failures.push(format!(
            "{}: not idempotent:\n--- once\n{out}\n--- twice\n{again}",
            main.display()
        )),
        Err(e) => failures.push(format!("{}: formatted text refused: {e:?}", main.display())),
    }
    let before = meaning(main, text.to_string(), false);
    let after = meaning(main, out, true);
    if before != after {
        failures.push(format!(
            "{}: meaning changed: diagnostics {:?} -> {:?}, bytecode same: {}",
            main.display(),
            before.1,
            after.1,
            before.0 == after.0
        ));
    }
    true
}

#[test]
fn formatting_keeps_the_meaning_of_every_file() {
    let mut files = Vec::new();
    for dir in [
        "../campaigns",
        "../examples",
        "../language-spec/examples",
        "tests/ui",
        "tests/inputs",
    ] {
        guide_files(Path::new(dir), &mut files);
    }
    files.sort();
    let mut failures = Vec::new();
    let mut parsed = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("fixture readable");
        parsed += usize::from(check_file(f, &text, &mut failures));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        parsed >= 60,
        "only {parsed} of {} files parsed",
        files.len()
    );
}

#[test]
fn formatting_keeps_the_meaning_of_every_spec_example() {
    let spec = std::fs::read_to_string("../language-spec/language.md").expect("spec readable");
    let mut failures = Vec::new();
    let mut blocks = 0;
    let mut body: Option<(usize, String)> = None;
    for (n, line) in spec.lines().enumerate() {
        match &mut body {
            None if line.trim() == "```guide" => body = Some((n + 2, String::new())),
            Some(_) if line.trim() == "```" => {
                if let Some((line, text)) = body.take() {
                    let main =
                        PathBuf::from(format!("../language-spec/examples/spec_line_{line}.guide"));
                    blocks += usize::from(check_file(&main, &text, &mut failures));
                }
            }
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(blocks >= 20, "only {blocks} spec examples parsed");
}

/// What an editor sends while a file is being typed: every prefix of every campaign (cut every
/// few bytes) is formatted without a panic; when it formats, formatting again changes nothing.
#[test]
fn half_typed_files_never_panic() {
    let mut files = Vec::new();
    guide_files(Path::new("../campaigns"), &mut files);
    let mut formatted = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("fixture readable");
        for cut in (0..text.len())
            .step_by(71)
            .filter(|&i| text.is_char_boundary(i))
        {
            let prefix = &text[..cut];
            if let Ok(out) = format_source(prefix) {
                formatted += 1;
                assert_eq!(
                    format_source(&out).as_deref(),
                    Ok(out.as_str()),
                    "{} cut at {cut}",
                    f.display()
                );
            }
        }
    }
    assert!(formatted > 0);
}
