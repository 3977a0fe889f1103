//! `guide disasm FILE`: the readable listing of a compiled campaign.

use std::path::Path;
use std::process::ExitCode;

pub fn run(path: &Path) -> ExitCode {
    match super::build::load(path) {
        Ok(p) => {
            print!("{}", p.disassemble());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}
