//! What the fuzz targets share: the campaigns and fixtures of the repository, read once, and the
//! ways a target exercises a program.

use guide_compiler::diagnostic::{Diagnostic, SourceFile};
use guide_compiler::{analysis, project};
use guide_runtime::{Evaluator, Limits, Outcome, Program};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file a fuzzed `.guide` may import or name as its schema, by file name; and the
/// schema and demo records of each campaign, by campaign name.
pub struct Files {
    /// `.guide` libraries and `.ron` schemas of the UI fixtures, the spec and `campaigns/common`.
    pub by_name: HashMap<String, String>,
    /// Campaign name -> (schema text, demo records).
    pub campaigns: Vec<(String, String, Vec<serde_json::Value>)>,
}

fn read_dir(dir: &Path, ext: &str, into: &mut HashMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == ext) {
            if let (Some(n), Ok(t)) = (p.file_name(), std::fs::read_to_string(&p)) {
                into.entry(n.to_string_lossy().into_owned()).or_insert(t);
            }
        }
    }
}

/// The program of each campaign of `campaigns/` (in [`Files::campaigns`] order), compiled once.
pub fn programs() -> &'static [Program] {
    static P: OnceLock<Vec<Program>> = OnceLock::new();
    P.get_or_init(|| {
        files()
            .campaigns
            .iter()
            .map(|(name, _, _)| {
                let p =
                    project::load(&root().join("campaigns").join(name)).expect("campaign loads");
                let c = guide_compiler::check::check(&p)
                    .campaign
                    .expect("campaign checks");
                guide_compiler::codegen::program(&c).expect("campaign compiles")
            })
            .collect()
    })
}

/// The files, read once.
pub fn files() -> &'static Files {
    static FILES: OnceLock<Files> = OnceLock::new();
    FILES.get_or_init(|| {
        let r = root();
        let mut by_name = HashMap::new();
        for dir in [
            "campaigns/common",
            "compiler/tests/ui",
            "language-spec/examples",
        ] {
            read_dir(&r.join(dir), "guide", &mut by_name);
            read_dir(&r.join(dir), "ron", &mut by_name);
        }
        let mut campaigns = Vec::new();
        for name in [
            "naspi",
            "red2021",
            "neopensionati",
            "assegno_sociale",
            "assegno_unico",
        ] {
            let dir = r.join("campaigns").join(name);
            let schema = std::fs::read_to_string(dir.join("schema.ron")).unwrap_or_default();
            let demos = project::demo_records(&dir.join(format!("{name}.guide")))
                .into_iter()
                .filter_map(|(_, v)| v.ok())
                .collect();
            campaigns.push((name.to_string(), schema, demos));
        }
        Files { by_name, campaigns }
    })
}

/// Loads a campaign whose main file is `text`, from a virtual folder: the schema is the one of
/// the campaign the header names (`campaign naspi` -> the naspi schema) or a fixture's schema
/// by file name; imports are found by file name among the fixtures and `campaigns/common`.
pub fn load(text: &str) -> (project::Project, Vec<serde_json::Value>) {
    let f = files();
    let campaign = f
        .campaigns
        .iter()
        .find(|(name, _, _)| text.contains(&format!("campaign {name} ")));
    let mut read = |p: &Path| -> std::io::Result<String> {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == "schema.ron" {
            if let Some((_, schema, _)) = campaign {
                return Ok(schema.clone());
            }
        }
        f.by_name
            .get(&name)
            .cloned()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    };
    let p = project::load_source(
        Path::new("/fuzz/campaign/main.guide"),
        text.to_owned(),
        &mut read,
    );
    let bases = campaign.map(|(_, _, d)| d.clone()).unwrap_or_default();
    (p, bases)
}

/// Renders every diagnostic both ways, as `guide check` does.
pub fn render(diags: &[Diagnostic]) {
    for d in diags {
        let text = d.render(false);
        assert!(!text.is_empty());
        let _ = d.to_json().to_string();
    }
}

/// Checks, compiles and analyses a loaded project (what `guide check` does) and runs the
/// program over the witnesses found.
pub fn analyse(project: &project::Project, bases: &[serde_json::Value]) {
    let a = analysis::analyse(project, bases);
    render(&a.checked.diagnostics);
    if let (Some(program), Some(report)) = (&a.program, &a.report) {
        // A compiled campaign always reloads from its bytes.
        let again = Program::from_bytes(&program.to_bytes()).expect("generated bytecode reloads");
        assert_eq!(again.module(), program.module());
        // Witnesses reproduce their variant.
        for v in report.variants.iter().take(8) {
            match again.evaluate_json(&v.witness) {
                Ok(Outcome::Eligible(t)) => assert_eq!(t.variant().to_string(), v.id),
                other => panic!("witness of {} gives {other:?}", v.id),
            }
        }
    }
}

/// Runs a program over a record with small limits and uses every output.
pub fn exercise(program: &Program, record: &serde_json::Value) {
    let limits = Limits {
        fuel: 200_000,
        max_output_bytes: 256 << 10,
    };
    let mut ev = Evaluator::new(program, limits);
    match ev.evaluate_json(record) {
        Ok(Outcome::Eligible(t)) => {
            let _ = t.storyboard();
            let _ = t.to_json();
            let _ = t.variant().to_string();
        }
        Ok(Outcome::NotEligible) => {}
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// A schema file as the compiler reads it.
pub fn schema_file(text: &str) -> SourceFile {
    SourceFile::new("schema.ron", text)
}
