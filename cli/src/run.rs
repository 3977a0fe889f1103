//! `guide run PATH --data RECORD.json [--format json|text] [--as-of DATE]`: one recipient's
//! timeline, produced as on DATE (default: today), the day the campaign's `today` reads.

use super::{EXIT_ERRORS, EXIT_USAGE};
use clap::ValueEnum;
use guide_runtime::{Date, EvalError, Outcome};
use std::path::Path;
use std::process::ExitCode;

/// How `guide run` prints the timeline.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum RunFormat {
    /// The timeline as JSON (the shape players read).
    Json,
    /// A readable storyboard.
    Text,
}

pub fn run(path: &Path, data: &Path, format: RunFormat, as_of: Date) -> ExitCode {
    let program = match super::build::load(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let text = match std::fs::read_to_string(data) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", data.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {} is not valid JSON: {e}", data.display());
            return ExitCode::from(EXIT_ERRORS);
        }
    };
    match program.evaluate_json_at(&value, as_of) {
        Ok(Outcome::Eligible(t)) => {
            match format {
                RunFormat::Json => println!("{}", t.to_json_pretty()),
                RunFormat::Text => print!("{}", t.storyboard()),
            }
            ExitCode::SUCCESS
        }
        Ok(Outcome::NotEligible) => {
            let meta = program.metadata();
            match format {
                RunFormat::Json => println!(
                    "{}",
                    serde_json::json!({"campaign": meta.id, "eligible": false})
                ),
                RunFormat::Text => println!(
                    "{} ({}): this recipient is not eligible (requires {})",
                    meta.title,
                    meta.id,
                    meta.requires.unwrap_or("-")
                ),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(data, &e);
            ExitCode::from(EXIT_ERRORS)
        }
    }
}

/// Prints an evaluation error for people.
fn report(data: &Path, e: &EvalError) {
    match e {
        EvalError::Record(r) => {
            eprintln!("error: {}: {r}", data.display());
            eprintln!(
                "  the record does not fit the campaign's schema; fix the attribute named above"
            );
        }
        other => eprintln!("error: {}: {other}", data.display()),
    }
}
