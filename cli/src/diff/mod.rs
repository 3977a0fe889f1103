//! `guide diff OLD NEW [--git REV] [--data FILE] [--format text|json]`: what a change to a
//! campaign changes for its recipients.
//!
//! Every variant of both versions (the enumeration of `guide variants`) is played, through its
//! witness record, by the old and by the new version; the two storyboards are compared line by
//! line (texts, narration, pop-ups, buttons, durations). A variant is added or removed when its
//! stable name (its decisions, by label) exists on one side only, changed when its witness sees a
//! different storyboard. Identical changes are grouped: an edit that reaches 300 variants reads
//! as one change with 300 variants. With `--data`, every recipient of the file is played by both
//! versions, and each change says how many recipients it reaches.
//!
//! Exit codes: 0 no change, 1 changes (so CI can require a review), 2 errors.

mod compare;

use compare::{changes, evaluator, seen, Change, Grouped};
use guide_compiler::analysis::variants::Report;
use guide_compiler::project;
use guide_runtime::Program;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// Exit code: an error (not 1, which means "there are changes").
const EXIT_FAILED: u8 = 2;

/// How `guide diff` prints.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
pub enum DiffFormat {
    /// A report for people.
    Text,
    /// One JSON object, for CI.
    Json,
}

/// Arguments of `guide diff`.
#[derive(clap::Args)]
pub struct Args {
    /// The old version: a campaign (folder or .guide file) or a .guidec file; with --git, the
    /// campaign whose committed version is the old one.
    pub old: PathBuf,
    /// The new version (with --git: default, the same campaign as it is now on disk).
    pub new: Option<PathBuf>,
    /// Compare OLD as committed at this git revision (read with `git archive`) with NEW.
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    /// Recipients (JSON Lines, or CSV as `guide render` reads it): count how many guides change, and how.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// How to print.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
}

/// One version: its program and, from source, its variants.
struct Version {
    program: Program,
    report: Option<Report>,
}

pub fn run(args: Args) -> ExitCode {
    match diff(&args) {
        Ok(true) => ExitCode::from(1),
        Ok(false) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// Compares and prints; whether anything changed.
fn diff(args: &Args) -> Result<bool, String> {
    let (old, new, _tmp) = match &args.git {
        Some(rev) => {
            let tmp = TempDir::new()?;
            let old = checkout(&args.old, rev, &tmp.0)?;
            let new = args.new.clone().unwrap_or_else(|| args.old.clone());
            (load(&old)?, load(&new)?, Some(tmp))
        }
        None => {
            let new = args
                .new
                .as_ref()
                .ok_or("give OLD and NEW, or OLD and --git REV")?;
            (load(&args.old)?, load(new)?, None)
        }
    };
    let report = compare(&old, &new, args.data.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let printed = match args.format {
        DiffFormat::Json => writeln!(out, "{}", report.to_json()),
        DiffFormat::Text => write!(out, "{}", report.to_text()),
    };
    printed.map_err(|e| format!("cannot write: {e}"))?;
    Ok(report.changed())
}

/// Reads a version: a `.guidec` file, or a campaign compiled (errors are errors here).
fn load(path: &Path) -> Result<Version, String> {
    if path.extension().is_some_and(|e| e == "guidec") {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let program = Program::from_bytes(&bytes)
            .map_err(|e| format!("{} is not valid bytecode: {e}", path.display()))?;
        return Ok(Version {
            program,
            report: None,
        });
    }
    let project = project::load(path).map_err(|e| format!("cannot read {e}"))?;
    let compiled = guide_compiler::compile(&project);
    if compiled.has_errors() {
        let errors: Vec<_> = compiled
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        crate::check::print_diagnostics(&errors, crate::DiagFormat::Human);
        return Err(format!("{} does not compile", path.display()));
    }
    match (compiled.program, compiled.report) {
        (Some(program), report) => Ok(Version { program, report }),
        _ => Err(format!(
            "{} is a library (no `campaign` header): there is nothing to compare",
            path.display()
        )),
    }
}

/// The comparison of two versions.
struct DiffReport {
    /// Variant counts and names, when both versions come from source.
    variants: Option<VariantDiff>,
    groups: Grouped,
    /// With --data: (read, changed).
    recipients: Option<(u64, u64)>,
}

#[derive(Default)]
struct VariantDiff {
    old: usize,
    new: usize,
    added: Vec<String>,
    removed: Vec<String>,
    changed: Vec<String>,
    /// The scenes of the added and removed variants, by name.
    scenes: Vec<(String, String)>,
}

fn compare(old: &Version, new: &Version, data: Option<&Path>) -> Result<DiffReport, String> {
    let mut groups = Grouped::default();
    let mut eval_old = evaluator(&old.program);
    let mut eval_new = evaluator(&new.program);
    // The changes a record sees, and the id of its variant in the new version.
    let mut play = |record: &Value| -> (Vec<Change>, Option<String>) {
        let (a, _) = seen(&mut eval_old, record);
        let (b, id) = seen(&mut eval_new, record);
        (changes(&a, &b), id)
    };
    let variants = match (&old.report, &new.report) {
        (Some(ro), Some(rn)) => {
            let mut v = VariantDiff {
                old: ro.variants.len(),
                new: rn.variants.len(),
                ..VariantDiff::default()
            };
            let old_names: HashSet<&str> =
                ro.variants.iter().map(|x| x.stable_name.as_str()).collect();
            let new_names: HashSet<&str> =
                rn.variants.iter().map(|x| x.stable_name.as_str()).collect();
            let name_of_id: HashMap<&str, &str> = rn
                .variants
                .iter()
                .map(|x| (x.id.as_str(), x.stable_name.as_str()))
                .collect();
            // New variants that continue an old one whose name is gone (its decisions changed:
            // a condition edited, a branch added inside it).
            let mut continued: HashSet<&str> = HashSet::new();
            for x in &ro.variants {
                let (c, id) = play(&x.witness);
                groups.add_variant(&x.stable_name, &c);
                let name = x.stable_name.as_str();
                let successor = id
                    .as_deref()
                    .and_then(|id| name_of_id.get(id).copied())
                    .filter(|n| !old_names.contains(n) && !continued.contains(n));
                if new_names.contains(name) || successor.is_some() {
                    if let Some(n) = successor {
                        continued.insert(n);
                    }
                    if !c.is_empty() {
                        v.changed.push(x.stable_name.clone());
                    }
                } else {
                    v.removed.push(x.stable_name.clone());
                    v.scenes.push((x.stable_name.clone(), x.scenes.join(" ")));
                }
            }
            for x in rn.variants.iter().filter(|x| {
                !old_names.contains(x.stable_name.as_str())
                    && !continued.contains(x.stable_name.as_str())
            }) {
                let (c, _) = play(&x.witness);
                groups.add_variant(&x.stable_name, &c);
                v.added.push(x.stable_name.clone());
                v.scenes.push((x.stable_name.clone(), x.scenes.join(" ")));
            }
            Some(v)
        }
        _ if data.is_none() => {
            return Err(
                "a .guidec file has no variants to enumerate: compare it with --data FILE".into(),
            )
        }
        _ => None,
    };
    let recipients = match data {
        Some(path) => {
            let (mut read, mut changed) = (0u64, 0u64);
            for_each_record(path, &old.program, |record| {
                read += 1;
                let (c, _) = play(&record);
                if !c.is_empty() {
                    changed += 1;
                }
                groups.add_recipient(&c);
            })?;
            Some((read, changed))
        }
        None => None,
    };
    Ok(DiffReport {
        variants,
        groups,
        recipients,
    })
}

/// Calls `f` on every record of `path`: JSON Lines, or CSV (`.csv`, columns mapped to `program`'s
/// schema as `guide render` maps them).
fn for_each_record(path: &Path, program: &Program, mut f: impl FnMut(Value)) -> Result<(), String> {
    let cannot = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
    if guide_render::InputFormat::of_path(path) == guide_render::InputFormat::Csv {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| cannot(&e))?
            .iter()
            .map(str::to_string)
            .collect();
        let map = guide_render::csv::CsvMap::new(program.schema(), &headers)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for (n, row) in reader.records().enumerate() {
            let row = row.map_err(|e| cannot(&e))?;
            let cells: Vec<&str> = row.iter().collect();
            let record = map
                .to_json(program.schema(), &cells)
                .map_err(|e| format!("{} row {}: {e}", path.display(), n + 2))?;
            f(record);
        }
        return Ok(());
    }
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| cannot(&e))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Value = serde_json::from_str(&line)
            .map_err(|e| format!("{} line {}: not JSON: {e}", path.display(), n + 1))?;
        f(record);
    }
    Ok(())
}

/// At most this many variant names are listed per change in the text report.
const SHOWN: usize = 5;

impl DiffReport {
    fn changed(&self) -> bool {
        !self.groups.changes().is_empty()
            || self
                .variants
                .as_ref()
                .is_some_and(|v| !v.added.is_empty() || !v.removed.is_empty())
    }

    fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        if let Some(v) = &self.variants {
            let _ = writeln!(
                out,
                "variants: {} before, {} after: {} added, {} removed, {} changed",
                v.old,
                v.new,
                v.added.len(),
                v.removed.len(),
                v.changed.len()
            );
            // Added and removed variants, by the scenes they play.
            for (what, names) in [("added", &v.added), ("removed", &v.removed)] {
                let mut by_scenes: Vec<(&str, Vec<String>)> = Vec::new();
                for name in names {
                    let scenes = v
                        .scenes
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or("", |(_, s)| s.as_str());
                    match by_scenes.iter_mut().find(|(s, _)| *s == scenes) {
                        Some((_, list)) => list.push(name.clone()),
                        None => by_scenes.push((scenes, vec![name.clone()])),
                    }
                }
                for (scenes, names) in by_scenes {
                    let _ = writeln!(
                        out,
                        "  {what} {} variant{} playing {scenes} ({})",
                        names.len(),
                        plural(names.len()),
                        list(&names, SHOWN)
                    );
                }
            }
        }
        if let Some((read, changed)) = self.recipients {
            let _ = writeln!(
                out,
                "recipients: {read} read, {changed} guides change, {} unchanged",
                read - changed
            );
        }
        let all = self.groups.changes();
        if all.is_empty() {
            let _ = writeln!(out, "no change");
        }
        for (i, c) in all.iter().enumerate() {
            let mut reach = Vec::new();
            if let Some(names) = self.groups.variants.get(i).filter(|n| !n.is_empty()) {
                reach.push(format!(
                    "{} variant{} ({})",
                    names.len(),
                    plural(names.len()),
                    list(names, SHOWN)
                ));
            }
            if self.recipients.is_some() {
                let n = self.groups.recipients.get(i).copied().unwrap_or(0);
                reach.push(format!("{n} recipient{}", plural(n as usize)));
            }
            let _ = writeln!(
                out,
                "\nchange {} of {}: {}",
                i + 1,
                all.len(),
                reach.join(", ")
            );
            if !c.scene.is_empty() {
                let _ = writeln!(out, "  in {}", c.scene);
            }
            for l in &c.removed {
                let _ = writeln!(out, "  - {}", l.trim_start());
            }
            for l in &c.added {
                let _ = writeln!(out, "  + {}", l.trim_start());
            }
        }
        out
    }

    fn to_json(&self) -> Value {
        let changes: Vec<Value> = self
            .groups
            .changes()
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut o = json!({
                    "scene": c.scene.strip_prefix("scene ").unwrap_or(&c.scene),
                    "removed": c.removed,
                    "added": c.added,
                    "variants": self.groups.variants.get(i).cloned().unwrap_or_default(),
                });
                if self.recipients.is_some() {
                    o["recipients"] = json!(self.groups.recipients.get(i).copied().unwrap_or(0));
                }
                o
            })
            .collect();
        let mut out = json!({ "changed": self.changed(), "changes": changes });
        if let Some(v) = &self.variants {
            out["variants"] = json!({
                "old": v.old,
                "new": v.new,
                "added": v.added,
                "removed": v.removed,
                "changed": v.changed,
            });
        }
        if let Some((read, changed)) = self.recipients {
            out["recipients"] =
                json!({ "read": read, "changed": changed, "unchanged": read - changed });
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `a, b, c and 4 more`.
fn list(names: &[String], shown: usize) -> String {
    let mut s = names
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > shown {
        s.push_str(&format!(" and {} more", names.len() - shown));
    }
    s
}

/// A folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("guide-diff-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Extracts the repository that holds `path` as it was at `rev` into `into` (`git archive`,
/// piped into `tar`), and returns where `path` is in that copy.
fn checkout(path: &Path, rev: &str, into: &Path) -> Result<PathBuf, String> {
    let abs =
        std::fs::canonicalize(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let dir = if abs.is_dir() {
        abs.clone()
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let top = Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !top.status.success() {
        return Err(format!("{} is not in a git repository", path.display()));
    }
    let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let rel = abs
        .strip_prefix(&top)
        .map_err(|_| format!("{} is outside its repository", path.display()))?;
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(&top)
        .args(["archive", "--format=tar", rev])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let stdout = archive.stdout.take().ok_or("git archive gave no output")?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(into)
        .stdin(stdout)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let git = archive
        .wait_with_output()
        .map_err(|e| format!("git archive failed: {e}"))?;
    if !git.status.success() {
        return Err(format!(
            "git archive {rev}: {}",
            String::from_utf8_lossy(&git.stderr).trim()
        ));
    }
    if !tar.success() {
        return Err("tar could not extract the revision".into());
    }
    let old = into.join(rel);
    if !old.exists() {
        return Err(format!("{} does not exist at {rev}", rel.display()));
    }
    Ok(old)
}
