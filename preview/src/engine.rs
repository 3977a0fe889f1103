//! The preview's one door to the runtime: build a checked campaign into a loaded [`Program`]
//! (exactly as `guide build` writes it and a service loads it), evaluate one recipient's JSON
//! record into what the page shows.
//!
//! The rest of the preview goes through [`Engine::build`], [`Engine::record`] and
//! [`Engine::evaluate`] only.

use guide_compiler::ir::Channel;
use guide_compiler::notify::{Delivery, Notifier};
use guide_compiler::{codegen, ir};
use guide_runtime::{Date, EvalError, Outcome as VmOutcome, Program, Record};
use serde_json::json;
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
#[derive(Clone)]
pub struct Engine {
    program: Program,
    /// The campaign's notifications, compiled (none when it declares none).
    notifier: Option<std::sync::Arc<Notifier>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("program", &self.program)
            .finish_non_exhaustive()
    }
}

/// The personal link shown in the preview's notifications (a real one has a random token).
fn preview_link(c: Channel) -> String {
    format!(
        "https://guide.inps.it/g/ANTEPRIMAANTEPRIMA0000?c={}",
        c.name()
    )
}

impl Engine {
    /// Generates the campaign's bytecode and loads it.
    pub fn build(campaign: &ir::Campaign) -> Result<Engine, String> {
        let program = codegen::program(campaign).map_err(|e| e.to_string())?;
        let notifier = if campaign.notifications.is_empty() {
            None
        } else {
            Some(std::sync::Arc::new(
                Notifier::new(campaign).map_err(|e| e.to_string())?,
            ))
        };
        Ok(Engine { program, notifier })
    }

    /// The notifications one recipient gets, as the page shows them: per channel, whether it is
    /// sent (and why not), the texts, the SMS's segments and encoding, the app IO Markdown.
    pub fn notifications(&self, value: &Json, as_of: Date) -> Json {
        let Some(n) = &self.notifier else {
            return Json::Array(Vec::new());
        };
        let Ok(Some(deliveries)) = n.render_at(value, &preview_link, Some(as_of)) else {
            return Json::Array(Vec::new());
        };
        let items = deliveries
            .into_iter()
            .map(|(channel, d)| match d {
                Delivery::NotApplicable => {
                    json!({"channel": channel.name(), "status": "not_applicable"})
                }
                Delivery::NoContact => json!({"channel": channel.name(), "status": "no_contact"}),
                Delivery::Send(m) => {
                    let (encoding, units, segments) = m.sms_count();
                    json!({
                        "channel": channel.name(),
                        "status": "send",
                        "to": m.to,
                        "subject": m.subject,
                        "text": m.text,
                        "html": m.html,
                        "markdown": (channel == Channel::Io).then(|| m.io_markdown()),
                        "buttons": m.buttons.iter().map(|(l, u)| json!({"label": l, "url": u})).collect::<Vec<_>>(),
                        "sms": (channel == Channel::Sms).then(|| json!({"segments": segments, "encoding": encoding.name(), "units": units})),
                    })
                }
            })
            .collect();
        Json::Array(items)
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
