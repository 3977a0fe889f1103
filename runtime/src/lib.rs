//! The runtime of the `.guide` storyboard language: it loads a compiled campaign, checks one
//! recipient's record against the campaign's data [`Schema`] and produces that recipient's
//! personalised timeline, formatting values the Italian way (`€ 1.234,56`, `29 febbraio 2024`).
//! It depends only on `serde` (and `serde_json` with the `json` feature, for JSON records).

pub mod date;
pub mod format;
pub mod record;
pub mod schema;

pub use date::{Date, Period};
pub use record::{Record, RecordError, RecordErrorKind, Value};
pub use schema::Schema;
