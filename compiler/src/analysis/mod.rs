//! Analyses of a checked campaign: the personalised variants a recipient can receive, witnesses
//! for each, and the duration range.
pub mod domains;
pub mod error;
pub mod exact;
pub mod measure;
pub mod notify;
pub mod ranges;
pub mod sms;
pub mod solve;
pub mod timing;
pub mod variants;

use crate::check::Checked;
use crate::project::Project;

/// A campaign checked, compiled and analysed: what `guide check` and `guide variants` report.
pub struct Analysed {
    /// The checker's result, with the analyses' diagnostics added (duration bounds, dead content).
    pub checked: Checked,
    /// The compiled program, when the campaign checks.
    pub program: Option<guide_runtime::Program>,
    /// The variants, when the campaign checks.
    pub report: Option<variants::Report>,
}

/// Checks a project, then compiles it and enumerates its variants: the duration range over all
/// variants is checked against the declared `length` (E0501) and unreachable content is reported
/// (W0401). `bases` are the records witnesses start from (the demo recipients, if any).
/// The same pipeline as [`crate::compile()`], shaped for the analyses' tests.
pub fn analyse(project: &Project, bases: &[serde_json::Value]) -> Analysed {
    let c = crate::compile::compile_with(project, bases);
    Analysed {
        checked: Checked {
            campaign: c.campaign,
            errors: c.errors,
            analysis: c.analysis,
            diagnostics: c.diagnostics,
        },
        program: c.program,
        report: c.report,
    }
}
