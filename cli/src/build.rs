//! `guide build PATH [-o FILE]`, and loading a program for the other subcommands.

use super::check::print_diagnostics;
use super::{DiagFormat, EXIT_ERRORS, EXIT_USAGE};
use guide_compiler::{project, Compiled};
use guide_runtime::bytecode::format::MAGIC;
use guide_runtime::Program;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reads a campaign and takes it through [`guide_compiler::compile()`], the pipeline every
/// command shares: the diagnostics are printed for people; a campaign with errors (or a library,
/// which has nothing to compile) is refused with exit code 1, whatever the command.
pub fn compile_project(path: &Path) -> Result<Compiled, ExitCode> {
    compile_project_at(path, None)
}

/// [`compile_project`] with the witnesses evaluated as on `as_of` (`guide variants --as-of`).
pub fn compile_project_at(
    path: &Path,
    as_of: Option<guide_runtime::Date>,
) -> Result<Compiled, ExitCode> {
    let project = project::load(path).map_err(|e| {
        eprintln!("error: cannot read {e}");
        ExitCode::from(EXIT_USAGE)
    })?;
    let bases: Vec<serde_json::Value> = project
        .demos
        .iter()
        .filter_map(|(_, v)| v.as_ref().ok().cloned())
        .collect();
    let compiled = guide_compiler::compile::compile_at(&project, &bases, as_of);
    if !compiled.diagnostics.is_empty() {
        print_diagnostics(&compiled.diagnostics, DiagFormat::Human);
    }
    if compiled.has_errors() {
        return Err(ExitCode::from(EXIT_ERRORS));
    }
    if compiled.output().is_none() {
        eprintln!(
            "error: {} is a library (no `campaign` header): there is nothing to build",
            path.display()
        );
        return Err(ExitCode::from(EXIT_ERRORS));
    }
    Ok(compiled)
}

/// Compiles a campaign into `.guidec` bytes (diagnostics printed for people).
pub fn compile(path: &Path) -> Result<Vec<u8>, ExitCode> {
    let compiled = compile_project(path)?;
    Ok(compiled.bytecode.unwrap_or_default())
}

/// Loads a program: a `.guidec` file as is, anything else compiled from source.
pub fn load(path: &Path) -> Result<Program, ExitCode> {
    let is_bytecode = path.is_file()
        && std::fs::read(path)
            .map(|b| b.starts_with(&MAGIC) || path.extension().is_some_and(|e| e == "guidec"))
            .unwrap_or(false);
    let bytes = if is_bytecode {
        std::fs::read(path).map_err(|e| {
            eprintln!("error: cannot read {}: {e}", path.display());
            ExitCode::from(EXIT_USAGE)
        })?
    } else {
        compile(path)?
    };
    Program::from_bytes(&bytes).map_err(|e| {
        eprintln!("error: cannot load {}: {e}", path.display());
        ExitCode::from(EXIT_ERRORS)
    })
}

pub fn run(path: &Path, output: Option<PathBuf>) -> ExitCode {
    let bytes = match compile(path) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let out = match output {
        Some(o) => o,
        None => match Program::from_bytes(&bytes) {
            Ok(p) => PathBuf::from(format!("{}.guidec", p.metadata().id)),
            Err(e) => {
                eprintln!("error: the compiled program does not load: {e}");
                return ExitCode::from(EXIT_ERRORS);
            }
        },
    };
    if let Err(e) = std::fs::write(&out, &bytes) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(EXIT_USAGE);
    }
    eprintln!("wrote {} ({} bytes)", out.display(), bytes.len());
    ExitCode::SUCCESS
}
