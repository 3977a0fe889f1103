//! `guide check PATH`.

use super::{DiagFormat, EXIT_ERRORS, EXIT_USAGE};
use guide_compiler::{diagnostic::Diagnostic, project};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

pub fn run(path: &Path, format: DiagFormat) -> ExitCode {
    let project = match project::load(path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot read {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // Checking is the whole pipeline, analyses included: the duration range over every variant
    // against the declared `length`, and content no recipient can reach.
    let compiled = guide_compiler::compile(&project);
    print_diagnostics(&compiled.diagnostics, format);
    if compiled.has_errors() {
        ExitCode::from(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints diagnostics to stderr (human) or stdout (JSON lines), with a summary line for people.
pub fn print_diagnostics(diags: &[Diagnostic], format: DiagFormat) {
    match format {
        DiagFormat::Json => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for d in diags {
                let _ = writeln!(out, "{}", d.to_json());
            }
        }
        DiagFormat::Human => {
            let color = std::io::stderr().is_terminal();
            let stderr = std::io::stderr();
            let mut err = stderr.lock();
            for d in diags {
                let _ = writeln!(err, "{}", d.render(color));
            }
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let warnings = diags.len() - errors;
            if errors > 0 || warnings > 0 {
                let _ = writeln!(err, "{errors} error(s), {warnings} warning(s)");
            }
        }
    }
}
