//! The runtime of the `.guide` storyboard language: it loads a compiled campaign, checks one
//! recipient's record against the campaign's data [`Schema`] and produces that recipient's
//! personalised timeline, formatting values the Italian way (`€ 1.234,56`, `29 febbraio 2024`).
//! It depends only on `serde` (and `serde_json` with the `json` feature, for JSON records).
//!
//! # Embedding
//!
//! Load a `.guidec` file built by `guide build` once, then evaluate recipients:
//!
//! ```
//! use guide_runtime::{Outcome, Program};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let bytes = guide_runtime::doc_example_bytes();
//! let program = Program::from_bytes(&bytes)?; // validates everything once
//! println!("{} ({})", program.metadata().title, program.metadata().id);
//!
//! // A record, checked against the schema embedded in the program.
//! let mut b = program.record_builder();
//! b.set_str("nome", "Giulia")?.set_enum("sesso", "F")?;
//! let record = b.build()?;
//!
//! match program.evaluate(&record)? {
//!     Outcome::Eligible(timeline) => {
//!         assert_eq!(timeline.scenes().next().map(|s| s.id()), Some("intro"));
//!         let first = timeline.scenes().next().and_then(|s| s.texts().next());
//!         assert_eq!(first, Some("Benvenuta Giulia"));
//!         println!("{} lasts {} ms", timeline.variant(), timeline.duration_ms());
//!     }
//!     Outcome::NotEligible => println!("no guide for this recipient"),
//! }
//! # Ok(()) }
//! ```
//!
//! With the `json` feature, `Program::evaluate_json` takes a `serde_json::Value` and a
//! [`Timeline`] serialises to JSON. To evaluate many recipients, reuse one [`Evaluator`]
//! ([`Program::evaluator`]): it keeps its buffers between recipients, and
//! `Evaluator::evaluate_json_slice` decodes each record straight from its JSON text.
//! [`Timeline::write_json`] appends the timeline's JSON (the bytes serde would write) to a
//! buffer, several times faster than serde: static text is rendered to JSON once, at load time.
//!
//! A [`Program`] is `Send + Sync` and evaluation is deterministic: the same record always gives
//! the same timeline. Evaluation is bounded by [`Limits`] (instructions and output size).
//!
//! The runtime reads no clock. A campaign whose conditions or texts read `today` (an age, the
//! days left before a deadline) needs the reference date from the host:
//! [`Program::evaluate_at`], or [`Evaluator::set_today`] (without one, such a campaign fails with
//! [`EvalError::NoReferenceDate`]; [`Program::reads_today`] says whether it reads it). The same
//! record on the same date always gives the same timeline.

#![warn(missing_docs)]

pub mod bytecode;
pub mod checksum;
pub mod date;
#[cfg(feature = "json")]
mod decode;
pub mod disasm;
pub mod format;
mod fuse;
pub mod ops;
mod prepared;
pub mod record;
pub mod schema;
pub mod suggest;
pub mod timeline;
pub mod vm;
mod write;

pub use bytecode::{LoadError, Metadata, Program};
pub use date::{Date, Period};
pub use record::{Record, RecordError, RecordErrorKind, Value};
pub use schema::Schema;
pub use timeline::{FormattedValue, TextPart, Timeline, VariantId};
pub use vm::{EvalError, Evaluator, Limits, Outcome};

#[doc(hidden)]
pub mod doc_example;
#[doc(hidden)]
pub use doc_example::doc_example_bytes;
