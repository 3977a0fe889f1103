//! `guide lsp`: the language server, on stdin and stdout (see the guide-lsp crate).

use super::EXIT_USAGE;
use std::process::ExitCode;

pub fn run() -> ExitCode {
    match guide_lsp::run_stdio() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
