//! Reading a campaign: the `.guide` file, its imports (transitively), its schema and its demo
//! recipients, through a [`Reader`] the caller injects.
//!
//! The language crate never touches the disk itself: every file it reads goes through a
//! [`Reader`]. [`FsReader`] reads the real file system (the one module allowed to, see
//! `compiler/clippy.toml`); a language server or a test injects its own (unsaved buffers, files
//! in memory). It produces a [`Project`]: every source file, parsed, plus the diagnostics of
//! reading and parsing. The checker then works on memory only.

mod fs;

pub use fs::FsReader;

use std::io;
use std::path::{Path, PathBuf};

/// Where the language crate reads files from.
pub trait Reader {
    /// The text of a file.
    fn read(&self, path: &Path) -> io::Result<String>;
    /// The paths of the entries of a folder, in any order.
    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>>;
    /// Whether `path` is a folder (an error if it does not exist).
    fn is_dir(&self, path: &Path) -> io::Result<bool>;
}

use crate::check::error::{CheckError, FileId, FileKind, Located};
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::syntax::{self, ast, SyntaxError};
use guide_runtime::schema::Schema;

/// A campaign and everything it reads.
#[derive(Debug, Clone)]
pub struct Project {
    /// Source files: 0 is the campaign (or library) file, then imports in reading order.
    pub files: Vec<SourceFile>,
    /// The parsed tree of each `.guide` file, same order as `files`.
    pub asts: Vec<ast::File>,
    /// For each `.guide` file, the indices of the files it imports.
    pub imports: Vec<Vec<usize>>,
    /// The schema, with its source file.
    pub schema: Option<(SourceFile, Schema)>,
    /// The syntax errors of each `.guide` file, as data: (index into `files`, error).
    pub syntax_errors: Vec<(usize, SyntaxError)>,
    /// The schema's problems, rendered (see [`crate::schema::load`]).
    pub diagnostics: Vec<Diagnostic>,
    /// Problems with the files themselves (missing, cyclic, a campaign imported), as data; the
    /// checker renders them with its own (see [`crate::report`]).
    pub errors: Vec<Located>,
    /// The demo recipients (`demo/*.json` next to the campaign file), by name, sorted; each as
    /// its JSON value or why it could not be read.
    pub demos: Vec<(String, Result<serde_json::Value, String>)>,
    /// The text of each demo recipient's file, in the order of `demos` (empty when it cannot
    /// be read), for diagnostics that point into it.
    pub demo_files: Vec<SourceFile>,
}

impl Project {
    /// Whether reading the project already failed: a syntax error, a schema error, or a file
    /// that cannot be read or imported.
    pub fn failed_to_load(&self) -> bool {
        !self.syntax_errors.is_empty()
            || self.diagnostics.iter().any(Diagnostic::is_error)
            || self.errors.iter().any(|e| e.error.is_error())
    }
}

/// A failure to even start: the path given on the command line cannot be read.
#[derive(Debug)]
pub struct LoadError {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for LoadError {}

/// Finds the `.guide` file of a campaign: the file itself, or in a folder the `.guide` file that
/// has a `campaign` header (or the only one, or the one named like the folder).
pub fn resolve(path: &Path) -> Result<PathBuf, LoadError> {
    resolve_with(path, &FsReader)
}

/// [`resolve`], reading through `reader`.
pub fn resolve_with(path: &Path, reader: &dyn Reader) -> Result<PathBuf, LoadError> {
    let failed = |e: io::Error| LoadError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    if !reader.is_dir(path).map_err(failed)? {
        return Ok(path.to_path_buf());
    }
    let mut guides: Vec<PathBuf> = reader
        .list(path)
        .map_err(failed)?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "guide"))
        .collect();
    guides.sort();
    let named = path
        .file_name()
        .map(|n| path.join(format!("{}.guide", n.to_string_lossy())));
    if let Some(n) = named.filter(|n| guides.contains(n)) {
        return Ok(n);
    }
    let campaigns: Vec<&PathBuf> = guides
        .iter()
        .filter(|p| {
            reader
                .read(p)
                .map(|t| t.lines().any(|l| l.trim_start().starts_with("campaign ")))
                .unwrap_or(false)
        })
        .collect();
    match (campaigns.as_slice(), guides.as_slice()) {
        ([one], _) => Ok((*one).clone()),
        (_, [one]) => Ok(one.clone()),
        ([], []) => Err(LoadError {
            path: path.to_path_buf(),
            message: "this folder has no .guide file".into(),
        }),
        _ => Err(LoadError {
            path: path.to_path_buf(),
            message: "this folder has several campaign .guide files; name one".into(),
        }),
    }
}

/// Reads a campaign from a `.guide` file or a folder on disk.
pub fn load(path: &Path) -> Result<Project, LoadError> {
    load_with(path, &FsReader)
}

/// Reads a campaign from a `.guide` file or a folder, through `reader`: the file, its imports,
/// its schema and its demo recipients.
pub fn load_with(path: &Path, reader: &dyn Reader) -> Result<Project, LoadError> {
    let main = resolve_with(path, reader)?;
    let text = reader.read(&main).map_err(|e| LoadError {
        path: main.clone(),
        message: e.to_string(),
    })?;
    let mut project = load_source(&main, text, &mut |p| reader.read(p));
    let demos = demo_files_with(&main, reader);
    project.demo_files = demos.iter().map(|(_, f, _)| f.clone()).collect();
    project.demos = demos.into_iter().map(|(n, _, v)| (n, v)).collect();
    let dir = main.parent().unwrap_or(Path::new(""));
    missing_visuals(&mut project, dir, reader);
    Ok(project)
}

/// A warning (W0110) for every `visual` whose file is not in the campaign's folder `dir`: the
/// player resolves every visual there, an imported scene's too (a library's scenes count only
/// when the campaign includes them).
fn missing_visuals(project: &mut Project, dir: &Path, reader: &dyn Reader) {
    fn scenes<'a>(
        items: &'a [ast::StoryItem],
        out: &mut Vec<&'a ast::Scene>,
        includes: &mut Vec<&'a str>,
    ) {
        for item in items {
            match item {
                ast::StoryItem::Scene(s) => out.push(s),
                ast::StoryItem::Include(i) => includes.push(&i.id.name),
                ast::StoryItem::If(b) => {
                    for (_, body) in &b.arms {
                        scenes(body, out, includes);
                    }
                    if let Some((_, body)) = &b.otherwise {
                        scenes(body, out, includes);
                    }
                }
                ast::StoryItem::Match(m) => {
                    for arm in &m.cases {
                        scenes(&arm.body, out, includes);
                    }
                    if let Some((_, body)) = &m.otherwise {
                        scenes(body, out, includes);
                    }
                }
            }
        }
    }
    let mut per_file = Vec::new();
    let mut includes = Vec::new();
    for ast in &project.asts {
        let mut all = Vec::new();
        scenes(&ast.story, &mut all, &mut includes);
        all.extend(&ast.endings);
        per_file.push((ast.campaign.is_some(), all));
    }
    let mut found = Vec::new();
    for (index, (campaign, all)) in per_file.iter().enumerate() {
        let played = all
            .iter()
            .filter(|s| *campaign || includes.contains(&s.id.name.as_str()));
        for stmt in played.flat_map(|s| &s.stmts) {
            let ast::SceneStmt::Visual(v) = stmt else {
                continue;
            };
            if v.file.value.is_empty() {
                continue;
            }
            let path = dir.join(&v.file.value);
            // `is_dir` fails on a path that does not exist; a folder is no picture either.
            if !matches!(reader.is_dir(&path), Ok(false)) {
                found.push(Located {
                    file: FileId::Guide(index),
                    error: CheckError::MissingVisual {
                        span: v.file.span.clone(),
                        path: display(&path),
                    },
                });
            }
        }
    }
    project.errors.extend(found);
}

/// Reads a campaign whose main file is already in memory; `read` reads imports and the schema.
pub fn load_source(
    main: &Path,
    text: String,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Project {
    let mut project = Project {
        files: Vec::new(),
        asts: Vec::new(),
        imports: Vec::new(),
        schema: None,
        syntax_errors: Vec::new(),
        diagnostics: Vec::new(),
        errors: Vec::new(),
        demos: Vec::new(),
        demo_files: Vec::new(),
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    add_file(&mut project, &mut paths, main, text);
    let mut stack = vec![0usize];
    visit(&mut project, &mut paths, &mut stack, read);

    // The schema, named by the campaign header relative to the campaign file.
    let schema_decl = project.asts[0].campaign.as_ref().and_then(|c| {
        c.stmts.iter().find_map(|s| match s {
            ast::HeaderStmt::Schema(s) => Some(s.clone()),
            _ => None,
        })
    });
    if let Some(decl) = schema_decl {
        let path = main.parent().unwrap_or(Path::new("")).join(&decl.value);
        match read(&path) {
            Ok(text) => {
                let file = SourceFile::new(display(&path), text);
                match crate::schema::load(&file) {
                    Ok(schema) => project.schema = Some((file, schema)),
                    Err(diags) => project.diagnostics.extend(diags),
                }
            }
            Err(e) => project.errors.push(Located {
                file: FileId::Guide(0),
                error: CheckError::MissingFile {
                    span: decl.span.clone(),
                    path: display(&path),
                    reason: e.to_string(),
                    what: FileKind::Schema,
                },
            }),
        }
    }
    project
}

fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn add_file(project: &mut Project, paths: &mut Vec<PathBuf>, path: &Path, text: String) -> usize {
    let file = SourceFile::new(display(path), text);
    let (ast, errors) = syntax::parse(&file.text);
    let index = project.files.len();
    project
        .syntax_errors
        .extend(errors.into_iter().map(|e| (index, e)));
    project.files.push(file);
    project.asts.push(ast);
    project.imports.push(Vec::new());
    paths.push(normalize(path));
    project.files.len() - 1
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn visit(
    project: &mut Project,
    paths: &mut Vec<PathBuf>,
    stack: &mut Vec<usize>,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) {
    let Some(&current) = stack.last() else {
        return;
    };
    let base = paths[current]
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let imports = project.asts[current].imports.clone();
    for imp in imports {
        let target = normalize(&base.join(&imp.path.value));
        if let Some(pos) = paths.iter().position(|p| *p == target) {
            if let Some(at) = stack.iter().position(|&i| i == pos) {
                let mut cycle: Vec<String> = stack[at..]
                    .iter()
                    .map(|&i| project.files[i].path.clone())
                    .collect();
                cycle.push(project.files[pos].path.clone());
                project.errors.push(Located {
                    file: FileId::Guide(current),
                    error: CheckError::ImportCycle {
                        span: imp.path.span.clone(),
                        cycle,
                    },
                });
            } else if !project.imports[current].contains(&pos) {
                project.imports[current].push(pos);
            }
            continue;
        }
        match read(&target) {
            Ok(text) => {
                let idx = add_file(project, paths, &target, text);
                project.imports[current].push(idx);
                if project.asts[idx].campaign.is_some() {
                    project.errors.push(Located {
                        file: FileId::Guide(current),
                        error: CheckError::ImportCampaign {
                            span: imp.path.span.clone(),
                            path: imp.path.value.clone(),
                        },
                    });
                }
                stack.push(idx);
                visit(project, paths, stack, read);
                stack.pop();
            }
            Err(e) => {
                project.errors.push(Located {
                    file: FileId::Guide(current),
                    error: CheckError::MissingFile {
                        span: imp.path.span.clone(),
                        path: display(&target),
                        reason: e.to_string(),
                        what: FileKind::Import,
                    },
                });
            }
        }
    }
}

/// The demo recipients of a campaign: `demo/*.json` next to its `.guide` file, sorted by name.
/// Files that are not valid JSON are returned as errors, not skipped.
pub fn demo_records(campaign_file: &Path) -> Vec<(String, Result<serde_json::Value, String>)> {
    demo_records_with(campaign_file, &FsReader)
}

/// [`demo_records`], reading through `reader`.
pub fn demo_records_with(
    campaign_file: &Path,
    reader: &dyn Reader,
) -> Vec<(String, Result<serde_json::Value, String>)> {
    demo_files_with(campaign_file, reader)
        .into_iter()
        .map(|(n, _, v)| (n, v))
        .collect()
}

/// The demo recipients with the text of their files.
#[allow(clippy::type_complexity)]
fn demo_files_with(
    campaign_file: &Path,
    reader: &dyn Reader,
) -> Vec<(String, SourceFile, Result<serde_json::Value, String>)> {
    let Some(dir) = campaign_file.parent().map(|d| d.join("demo")) else {
        return Vec::new();
    };
    let Ok(entries) = reader.list(&dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let text = reader.read(&p).map_err(|e| e.to_string());
            let file = SourceFile::new(
                p.display().to_string(),
                text.as_deref().unwrap_or("").to_owned(),
            );
            let value = text.and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()));
            (name, file, value)
        })
        .collect()
}
