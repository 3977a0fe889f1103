//! `guide fmt [PATH...] [--check]`: rewrites `.guide` files in the canonical layout
//! (`guide_compiler::format::format_source`). A file that does not parse is reported and left as
//! it is; every write is atomic (a temporary file in the same folder, then a rename).

use super::{check::print_diagnostics, DiagFormat, EXIT_ERRORS, EXIT_USAGE};
use guide_compiler::diagnostic::SourceFile;
use guide_compiler::format::format_source;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `guide fmt`.
#[derive(clap::Args)]
pub struct Args {
    /// `.guide` files or folders (searched recursively); default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Write nothing: list the files that are not formatted and exit with 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: Args) -> ExitCode {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let mut files = Vec::new();
    for root in &roots {
        if let Err(e) = collect(root, &mut files) {
            eprintln!("error: cannot read {}: {e}", root.display());
            return ExitCode::from(EXIT_USAGE);
        }
    }
    files.sort();
    files.dedup();
    let mut failed = false;
    let mut unformatted = 0usize;
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                return ExitCode::from(EXIT_USAGE);
            }
        };
        let formatted = match format_source(&text) {
            Ok(f) => f,
            Err(e) => {
                let source = SourceFile::new(file.display().to_string(), text.as_str());
                print_diagnostics(&e.into_diagnostics(&source), DiagFormat::Human);
                failed = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        unformatted += 1;
        if args.check {
            println!("{}", file.display());
        } else if let Err(e) = write_atomic(file, &formatted) {
            eprintln!("error: cannot write {}: {e}", file.display());
            return ExitCode::from(EXIT_USAGE);
        } else {
            println!("formatted {}", file.display());
        }
    }
    if failed || (args.check && unformatted > 0) {
        ExitCode::from(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}

/// The `.guide` files at `path`: the file itself, or every one under the folder (hidden folders,
/// `target` and `node_modules` skipped).
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        // A missing file is an error here, not an empty list.
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let p = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                collect(&p, out)?;
            }
        } else if p.extension().is_some_and(|e| e == "guide") {
            out.push(p);
        }
    }
    Ok(())
}

/// Replaces `path`'s content with `text` at once: readers see the old file or the new one.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.fmt-{}.tmp", std::process::id()));
    if let Err(e) = std::fs::write(&tmp, text).and_then(|()| {
        // Keep the file's permissions.
        let perms = std::fs::metadata(path)?.permissions();
        std::fs::set_permissions(&tmp, perms)?;
        std::fs::rename(&tmp, path)
    }) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}
