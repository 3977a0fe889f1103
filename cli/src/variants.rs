//! `guide variants PATH [--minimal] [--format text|json] [--as-of DATE]`: every personalised
//! variant a recipient can receive, with a witness record for each (evaluated as on DATE, the day
//! the campaign's `today` reads).

use super::EXIT_ERRORS;
use clap::ValueEnum;
use guide_compiler::analysis::variants;
use guide_runtime::Date;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// How `guide variants` prints.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum VariantsFormat {
    /// A table for people.
    Text,
    /// One JSON object per variant per line: `{"variant", "scenes", "witness", ...}`.
    Json,
}

pub fn run(path: &Path, minimal: bool, format: VariantsFormat, as_of: Date) -> ExitCode {
    let report = match super::build::compile_project_at(path, Some(as_of)) {
        Ok(compiled) => match compiled.report {
            Some(r) => r,
            None => return ExitCode::from(EXIT_ERRORS),
        },
        Err(code) => return code,
    };
    let chosen: Vec<&variants::Variant> = if minimal {
        report.minimal()
    } else {
        report.variants.iter().collect()
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        VariantsFormat::Json => {
            for v in &chosen {
                let line = serde_json::json!({
                    "variant": v.id,
                    "name": v.stable_name,
                    "scenes": v.scenes,
                    "popups": v.popups,
                    "buttons": v.buttons,
                    "duration_ms": v.duration_ms,
                    "witness": v.witness,
                });
                let _ = writeln!(out, "{line}");
            }
        }
        VariantsFormat::Text => {
            let _ = writeln!(out, "{}", summary(&report, chosen.len(), minimal));
            for v in &chosen {
                let _ = writeln!(
                    out,
                    "{}  {:>7}  {:>2} scenes  {}",
                    v.id,
                    variants::clock(v.duration_ms),
                    v.scenes.len(),
                    v.scenes.join(" ")
                );
            }
        }
    }
    if !report.exhaustive {
        eprintln!(
            "note: {} combinations of representative values are too many to run; the variants above \
             come from {} coverage-guided witnesses and may not be all",
            report.combinations, report.evaluated
        );
    }
    if !report.failures.is_empty() {
        for (_, e) in &report.failures {
            eprintln!("error: a generated witness was refused: {e}");
        }
        return ExitCode::from(EXIT_ERRORS);
    }
    ExitCode::SUCCESS
}

fn summary(report: &variants::Report, shown: usize, minimal: bool) -> String {
    let range = report
        .duration_range()
        .map(|(a, b)| format!(", {} to {}", variants::clock(a), variants::clock(b)))
        .unwrap_or_default();
    let how = if report.exhaustive {
        format!(
            "all {} combinations of representative values run",
            report.combinations
        )
    } else {
        format!(
            "{} coverage-guided witnesses (of {} combinations)",
            report.evaluated, report.combinations
        )
    };
    let eligible = if report.not_eligible.is_some() {
        "; some recipients are not eligible"
    } else {
        ""
    };
    if minimal {
        format!(
            "{shown} witnesses cover every scene, pop-up, button and alternative of the {} variants{range} ({how}{eligible})",
            report.variants.len()
        )
    } else {
        format!(
            "{} variants{range} ({how}{eligible})",
            report.variants.len()
        )
    }
}
