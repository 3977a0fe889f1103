//! Keeps language-spec/language.md and the compiler from drifting apart: every ```guide block of
//! the spec is compiled against language-spec/examples/schema.ron. A block must check without
//! errors, unless its first line is `// error: CODE at "TEXT"` or `// warning: CODE at "TEXT"`:
//! the checker must then report a diagnostic of that code whose span underlines exactly `TEXT`.
//! Blocks without a `campaign` header are fragments, wrapped in a header (and an ending).

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::diagnostic::Diagnostic;
use guide_compiler::{check, project};
use std::path::Path;

const HEADER: &str =
    "campaign spec_fragment {\n    title \"Frammento\"\n    schema \"schema.ron\"\n}\n\n";
const SERVICES: &str = "service myinps {\n    label \"Accedi a MyINPS\"\n    url \"https://www.inps.it/it/it/myinps.html\"\n}\n\n";

/// What a block's first line expects: a diagnostic code and the text its span underlines.
#[derive(Debug, PartialEq)]
struct Expected<'a> {
    code: &'a str,
    at: &'a str,
}

/// The expectation of a block whose first line is `first`: `None` for a block that must check
/// clean, `Err` for a mark that does not parse (`// error: CODE` without `at "TEXT"`).
fn expected(first: &str) -> Result<Option<Expected<'_>>, String> {
    let Some(mark) = first
        .strip_prefix("// error: ")
        .or_else(|| first.strip_prefix("// warning: "))
    else {
        return Ok(None);
    };
    let parsed = mark.split_once(" at \"").and_then(|(code, rest)| {
        let at = rest.strip_suffix('"')?;
        (!at.is_empty()).then_some(Expected {
            code: code.trim(),
            at,
        })
    });
    parsed
        .map(Some)
        .ok_or_else(|| format!("`{first}`: write the mark as `// error: CODE at \"TEXT\"`"))
}

/// The text a diagnostic underlines.
fn underlined(d: &Diagnostic) -> &str {
    d.file.text.get(d.span.clone()).unwrap_or("")
}

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
        let expected = match expected(first) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("language.md line {line}: {e}"));
                continue;
            }
        };
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
        let ok = match &expected {
            Some(e) => checked
                .diagnostics
                .iter()
                .any(|d| d.code == e.code && underlined(d) == e.at),
            None => !checked.has_errors(),
        };
        if !ok {
            let got: Vec<String> = checked
                .diagnostics
                .iter()
                .map(|d| format!("{} at {:?}", d.code, underlined(d)))
                .collect();
            let rendered: Vec<String> = checked
                .diagnostics
                .iter()
                .map(|d| d.render(false))
                .collect();
            failures.push(format!(
                "language.md line {line}: expected {}, got {got:?}\n{}",
                expected.map_or("no errors".to_string(), |e| format!(
                    "{} at {:?}",
                    e.code, e.at
                )),
                rendered.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The codes of language.md's diagnostic tables (`| E0101 | ...`, ranges such as `E0601-E0617`
/// expanded).
fn table_codes(spec: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for line in spec.lines() {
        let Some(cell) = line.strip_prefix("| ").and_then(|l| l.split(' ').next()) else {
            continue;
        };
        let code = |s: &str| {
            let ok = s.len() == 5
                && s.starts_with(['E', 'W'])
                && s[1..].bytes().all(|b| b.is_ascii_digit());
            ok.then(|| (s[..1].to_string(), s[1..].parse::<u32>().unwrap_or(0)))
        };
        match cell.split_once('-') {
            Some((a, b)) => {
                if let (Some((p, from)), Some((_, to))) = (code(a), code(b)) {
                    codes.extend((from..=to).map(|n| format!("{p}{n:04}")));
                }
            }
            None => codes.extend(code(cell).map(|(p, n)| format!("{p}{n:04}"))),
        }
    }
    codes.sort();
    codes.dedup();
    codes
}

/// The codes the UI fixtures' snapshots show (a line holding only the code, under
/// `--- DIAGNOSTICS ---`).
fn fixture_codes() -> Vec<String> {
    let mut codes = Vec::new();
    for entry in std::fs::read_dir("tests/ui_snapshots").expect("snapshots readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "snap") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("snapshot readable");
        let Some((_, diagnostics)) = text.split_once("--- DIAGNOSTICS ---") else {
            continue;
        };
        codes.extend(
            diagnostics
                .lines()
                .map(str::trim)
                .filter(|l| l.len() == 5 && l.starts_with(['E', 'W']))
                .filter(|l| l[1..].bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_owned),
        );
    }
    codes.sort();
    codes.dedup();
    codes
}

/// Codes without a UI fixture, and why.
const WITHOUT_FIXTURE: [(&str, &str); 1] = [(
    "E0608",
    "an Enum of more than 65,534 values: its fixture would be half a megabyte; \
     compiler/src/schema.rs's unit tests build one",
)];

/// Every diagnostic code of language.md's tables has a UI fixture (compiler/tests/ui, with its
/// snapshot in compiler/tests/ui_snapshots) that shows it, and every code a fixture shows is
/// in the tables.
#[test]
fn every_documented_code_has_a_fixture() {
    let spec = std::fs::read_to_string("../language-spec/language.md").expect("spec readable");
    let documented = table_codes(&spec);
    assert!(documented.len() >= 60, "{documented:?}");
    let shown = fixture_codes();
    let missing: Vec<&String> = documented
        .iter()
        .filter(|c| !shown.contains(c))
        .filter(|c| !WITHOUT_FIXTURE.iter().any(|(w, _)| w == c))
        .collect();
    assert!(
        missing.is_empty(),
        "no UI fixture shows {missing:?}: add tests/ui/err_*.guide (or schema_err_*.ron) and \
         accept its snapshot"
    );
    let undocumented: Vec<&String> = shown.iter().filter(|c| !documented.contains(c)).collect();
    assert!(
        undocumented.is_empty(),
        "fixtures show {undocumented:?}, which language.md's tables do not list"
    );
    for (code, _) in WITHOUT_FIXTURE {
        assert!(
            documented.iter().any(|c| c == code),
            "{code} is no longer documented"
        );
        assert!(
            !shown.iter().any(|c| c == code),
            "{code} has a fixture now: unlist it"
        );
    }
}

#[test]
fn table_codes_expand_ranges() {
    let t = "| E0101 | x |\n| E0601-E0603 | y |\n| W0101 | z |\n| code | meaning |\n";
    assert_eq!(
        table_codes(t),
        ["E0101", "E0601", "E0602", "E0603", "W0101"]
    );
}

#[test]
fn marks_name_a_code_and_a_place() {
    assert_eq!(expected("scene a {"), Ok(None));
    assert_eq!(
        expected("// error: E0106 at \"importo_mensile > 500\""),
        Ok(Some(Expected {
            code: "E0106",
            at: "importo_mensile > 500"
        }))
    );
    assert_eq!(
        expected("// warning: W0102 at \"1 > 2\""),
        Ok(Some(Expected {
            code: "W0102",
            at: "1 > 2"
        }))
    );
    assert!(expected("// error: E0106").is_err());
    assert!(expected("// error: E0106 at \"\"").is_err());
}
