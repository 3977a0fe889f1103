//! The recipient service of `.guide` campaigns: where published recipients live, and how they
//! get there and leave.
//!
//! - [`store`]: the database behind one [`Store`] trait, SQLite in a file by default or
//!   PostgreSQL, with versioned migrations applied on open.
//! - [`publish`](mod@publish): a file of recipients in, one row per eligible recipient out,
//!   each with an opaque personal token that never changes when the same recipient is published
//!   again.
//! - [`links`]: the links manifest (CSV) and one QR code per recipient.
//! - [`purge`](mod@purge): retention, the personal data of every closed window deleted.
//! - [`serve`]: `guide serve`, every recipient's own guide at `/g/TOKEN`.
//! - [`token`]: tokens and the keyed hash of the key attribute.

pub mod error;
pub mod links;
pub mod publish;
pub mod purge;
pub mod serve;
pub mod store;
pub mod token;

pub use error::{PublishError, StoreError};
pub use publish::{publish, Outbox, OutboxHandle, PublishOptions, PublishPaths, Summary};
pub use purge::purge;
pub use store::{open, NewRecipient, Store, StoredEvent, StoredRecipient, Tally};
