//! The preview's one door to the runtime: build a checked campaign into a loaded [`Program`]
//! (exactly as `guide build` writes it and a service loads it), evaluate one recipient's JSON
//! record into what the page shows.
//!
//! The rest of the preview goes through [`Engine::build`], [`Engine::record`] and
//! [`Engine::evaluate`] only.

use guide_compiler::{codegen, ir};
use guide_runtime::{Date, EvalError, Outcome as VmOutcome, Program, Record};
use serde_json::Value as Json;

/// What evaluating one record gives the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The recipient's timeline, as the runtime serialises it.
    Timeline(Json),
    /// The campaign's `requires` is false for this recipient: the condition, as written.
    NotEligible(String),
    /// The record does not fit the schema: which attribute, and the runtime's message.
    RecordError {
        /// The attribute path (`eta`, `figli[2].eta`; empty for the record itself).
        path: String,
        /// The runtime's message.
        message: String,
    },
    /// Evaluation failed for another reason (a value out of range, a limit).
    Failed(String),
}

/// A campaign ready to evaluate records.
#[derive(Debug, Clone)]
pub struct Engine {
    program: Program,
}

impl Engine {
    /// Generates the campaign's bytecode and loads it.
    pub fn build(campaign: &ir::Campaign) -> Result<Engine, String> {
        codegen::program(campaign)
            .map(|program| Engine { program })
            .map_err(|e| e.to_string())
    }

    /// The loaded program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Decodes a record against the schema embedded in the program.
    pub fn record(&self, value: &Json) -> Result<Record, Outcome> {
        Record::from_json(self.program.schema(), value).map_err(|e| Outcome::RecordError {
            path: e.path.clone(),
            message: e.to_string(),
        })
    }

    /// Evaluates one recipient as on today (UTC): [`Engine::evaluate_at`].
    pub fn evaluate(&self, value: &Json) -> Outcome {
        self.evaluate_at(value, today())
    }

    /// Evaluates one recipient, the campaign's `today` reading `as_of`.
    pub fn evaluate_at(&self, value: &Json, as_of: Date) -> Outcome {
        let record = match self.record(value) {
            Ok(r) => r,
            Err(o) => return o,
        };
        match self.program.evaluate_at(&record, as_of) {
            Ok(VmOutcome::Eligible(timeline)) => match serde_json::to_value(&timeline) {
                Ok(json) => Outcome::Timeline(json),
                Err(e) => Outcome::Failed(format!("cannot serialise the timeline: {e}")),
            },
            Ok(VmOutcome::NotEligible) => Outcome::NotEligible(format!(
                "requires {}",
                self.program.metadata().requires.unwrap_or("")
            )),
            Err(EvalError::Record(e)) => Outcome::RecordError {
                path: e.path.clone(),
                message: e.to_string(),
            },
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// Today's date (UTC) from the system clock: the preview's default reference date.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0)).unwrap_or(Date::MIN)
}
