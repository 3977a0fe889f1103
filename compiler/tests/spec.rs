//! Keeps language-spec/language.md and the compiler from drifting apart: every ```guide block of
//! the spec is compiled against language-spec/examples/schema.ron. A block must check without
//! errors, unless its first line is `// error: CODE` or `// warning: CODE`, which the checker must
//! report. Blocks without a `campaign` header are fragments, wrapped in a header (and an ending).

#![allow(clippy::disallowed_methods)] // a test reads its fixtures from disk; the crate may not

use guide_compiler::{check, project};
use std::path::Path;

const HEADER: &str =
    "campaign spec_fragment {\n    title \"Frammento\"\n    schema \"schema.ron\"\n}\n\n";
const SERVICES: &str = "service myinps {\n    label \"Accedi a MyINPS\"\n    url \"https://www.inps.it/it/it/myinps.html\"\n}\n\n";

fn blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        match &mut current {
            None if line.trim() == "```guide" => current = Some((n + 2, String::new())),
            Some(_) if line.trim() == "```" => out.extend(current.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn every_spec_example_checks_as_annotated() {
    let dir = Path::new("../language-spec/examples");
    let spec = std::fs::read_to_string("../language-spec/language.md").expect("spec readable");
    let blocks = blocks(&spec);
    assert!(
        blocks.len() >= 20,
        "only {} example blocks found",
        blocks.len()
    );
    let mut failures = Vec::new();
    for (line, body) in &blocks {
        let first = body.lines().next().unwrap_or("");
        let expected = first
            .strip_prefix("// error: ")
            .or_else(|| first.strip_prefix("// warning: "))
            .map(str::trim);
        let mut source = body.clone();
        if !source.contains("campaign ") {
            let ending = if source.contains("ending") {
                ""
            } else {
                "\nending {\n    text \"Fine\"\n}\n"
            };
            let services = if source.contains("service myinps") {
                ""
            } else {
                SERVICES
            };
            source = format!("{HEADER}{services}{source}{ending}");
        }
        let main = dir.join(format!("spec_line_{line}.guide"));
        let project =
            project::load_source(&main, source.clone(), &mut |p| std::fs::read_to_string(p));
        let checked = check::check(&project);
        let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
        let ok = match expected {
            Some(code) => codes.contains(&code),
            None => !checked.has_errors(),
        };
        if !ok {
            let rendered: Vec<String> = checked
                .diagnostics
                .iter()
                .map(|d| d.render(false))
                .collect();
            failures.push(format!(
                "language.md line {line}: expected {}, got {codes:?}\n{}",
                expected.unwrap_or("no errors"),
                rendered.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
