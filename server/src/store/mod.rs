//! The database of published recipients, behind one [`Store`] trait: SQLite in a file (the
//! default, nothing to install) or PostgreSQL (`postgres://...`), with the same behaviour.
//!
//! The tables (see `server/migrations/`): `meta` (the secret the key attribute is hashed
//! under), `campaigns` (the version served), `versions` (every version's bytecode, so the
//! server evaluates a guide from the database alone) and `recipients` (token, campaign,
//! version, keyed hash of the key attribute, the validated record as JSON, the availability
//! window `[from, until)`). Migrations are applied on open and recorded in `schema_version`;
//! a database with a newer schema than this binary knows is refused.

pub mod postgres;
pub mod sqlite;

use crate::StoreError;
use guide_runtime::Date;

/// A recipient to publish: a new token is used only if the recipient (campaign and key hash)
/// is not in the database yet.
#[derive(Debug, Clone)]
pub struct NewRecipient {
    /// The token to give if the recipient is new.
    pub token: String,
    /// HMAC-SHA256 of the key attribute's value.
    pub key_hash: Vec<u8>,
    /// The validated record, as JSON.
    pub record: String,
    /// First day of availability (inclusive), if bounded.
    pub from: Option<Date>,
    /// First day the guide is no longer available (exclusive), if bounded.
    pub until: Option<Date>,
}

/// A recipient as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecipient {
    /// The personal token.
    pub token: String,
    /// The campaign id.
    pub campaign: String,
    /// The campaign version served (SHA-256 of its bytecode, hex).
    pub version: String,
    /// The record as JSON; `None` once purged.
    pub record: Option<String>,
    /// First day of availability (inclusive).
    pub from: Option<Date>,
    /// First day the guide is no longer available (exclusive).
    pub until: Option<Date>,
}

/// The recipient service's database.
pub trait Store: Send {
    /// The secret the key attribute is hashed under (generated with the database).
    fn key_secret(&self) -> &[u8];

    /// Whether a look-up by token is brief enough to run on the server's own threads (a file
    /// in this process, mostly in its page cache) rather than on a thread that may block (a
    /// round trip to another server).
    fn lookups_are_brief(&self) -> bool {
        false
    }

    /// Ends a read transaction that look-ups by token have shared for long enough (SQLite's
    /// [`sqlite::SNAPSHOT_REUSE`]), so that an idle server holds no snapshot of the database.
    /// The server calls it regularly on every connection it is not using.
    fn end_idle_read(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Records a campaign version (its bytecode) if new, and makes it the version served.
    fn put_version(
        &mut self,
        campaign: &str,
        version: &str,
        bytecode: &[u8],
    ) -> Result<(), StoreError>;

    /// Publishes `rows` of `campaign` at `version` in one transaction: a recipient already
    /// there (same campaign and key hash) keeps its token and gets the new record, window and
    /// version. Returns the token of each row, in order.
    fn publish_batch(
        &mut self,
        campaign: &str,
        version: &str,
        rows: &[NewRecipient],
    ) -> Result<Vec<String>, StoreError>;

    /// Deletes the personal data (record and key hash) of every recipient whose window ended
    /// on or before `cutoff` (`until <= cutoff`). Returns the number of rows purged.
    fn purge_until(&mut self, cutoff: Date) -> Result<u64, StoreError>;

    /// Withdraws the recipients of `campaign` with these key hashes (published before, not
    /// eligible any more): their personal data (record and key hash) is deleted and their
    /// window ends on `on` at the latest, so their link answers that the guide is no longer
    /// available. One transaction. Returns how many were withdrawn.
    fn withdraw(
        &mut self,
        campaign: &str,
        key_hashes: &[Vec<u8>],
        on: Date,
    ) -> Result<u64, StoreError>;

    /// The recipient with this token.
    fn recipient(&mut self, token: &str) -> Result<Option<StoredRecipient>, StoreError>;

    /// The bytecode of a campaign version.
    fn bytecode(&mut self, campaign: &str, version: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// The version of a campaign served.
    fn current_version(&mut self, campaign: &str) -> Result<Option<String>, StoreError>;

    /// How many recipients a campaign has (purged ones included).
    fn count(&mut self, campaign: &str) -> Result<u64, StoreError>;

    /// Every recipient of a campaign, by token (for checks and exports: it reads them all).
    fn recipients(&mut self, campaign: &str) -> Result<Vec<StoredRecipient>, StoreError>;

    /// The secret viewers are pseudonymised under (generated with the database's events).
    fn viewer_secret(&self) -> &[u8];

    /// Stores a batch of events in one transaction, unless a batch with this id was stored
    /// before: then nothing is stored and the answer is `false`. Every event of a batch has
    /// the same campaign, variant, viewer, channel and device (one viewer's batch); the
    /// dashboard's tables (`viewers`, `viewer_targets`, `target_counts`) are updated in the
    /// same transaction.
    fn record_events(
        &mut self,
        batch: &str,
        day: Date,
        events: &[StoredEvent],
    ) -> Result<bool, StoreError>;

    /// Deletes the events of days before `events_before` and the batch ids of days before
    /// `batches_before`. Returns the number of events deleted.
    fn purge_events(
        &mut self,
        events_before: Date,
        batches_before: Date,
    ) -> Result<u64, StoreError>;

    /// The ids of every campaign published, in order.
    fn campaigns(&mut self) -> Result<Vec<String>, StoreError>;

    /// The rows of an aggregate query over `events` with `$1` bound to `campaign` (for the
    /// dashboard): its first `keys` columns are text, the others counts (`BIGINT`).
    fn tally(&mut self, sql: &str, campaign: &str, keys: usize) -> Result<Vec<Tally>, StoreError>;
}

/// A row of an aggregate query: its keys, then its counts.
pub type Tally = (Vec<String>, Vec<i64>);

/// An event as stored: nothing in it names a recipient (see `migrations/*/002_events.sql`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The campaign id.
    pub campaign: String,
    /// The campaign version the viewer was served.
    pub version: String,
    /// The variant of the viewer's guide (`v-` and 16 hex digits).
    pub variant: String,
    /// What happened (`initialized`, `played`, ... see the README).
    pub kind: &'static str,
    /// The scene, pop-up or service id, or empty.
    pub target: String,
    /// The progress step, completion, rating or captions state; 0 for none.
    pub value: i32,
    /// The channel the link came by.
    pub channel: &'static str,
    /// The coarse class of the device.
    pub device: &'static str,
    /// The pseudonymous viewer: a keyed hash of the token, hex.
    pub viewer: String,
}

/// Opens (creating it if needed, and migrating it) the database at `location`: a
/// `postgres://` or `postgresql://` URL, or else the path of a SQLite file.
pub fn open(location: &str) -> Result<Box<dyn Store>, StoreError> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Ok(Box::new(postgres::PgStore::open(location)?))
    } else {
        Ok(Box::new(sqlite::SqliteStore::open(std::path::Path::new(
            location,
        ))?))
    }
}

/// A date column's value.
pub(crate) fn date_text(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// A date column read back (`None` for NULL or a value that is not a date).
pub(crate) fn parse_date(s: Option<String>) -> Option<Date> {
    s.as_deref().and_then(Date::parse_iso)
}

/// The newest migration among `migrations` (numbered from 1).
pub(crate) fn known_version(migrations: &[(i64, &str)]) -> i64 {
    migrations.iter().map(|(n, _)| *n).max().unwrap_or(0)
}

/// What one viewer's batch adds to the dashboard's tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchSummary<'a> {
    /// The first event (campaign, variant, viewer, channel, device).
    pub first: &'a StoredEvent,
    /// 1 if the batch opens a pop-up, presses a service button or rates, else 0.
    pub interacted: i32,
    /// The highest completion reported (0, 80 or 100).
    pub completed: i32,
    /// The highest rating (0: none).
    pub rating: i32,
    /// The (kind, target) pairs counted once per viewer: scenes, pop-ups, services and
    /// progress steps (the step as text), each once.
    pub targets: Vec<(&'static str, String)>,
}

/// The summary of a batch; `None` for an empty one.
pub(crate) fn summarise(events: &[StoredEvent]) -> Option<BatchSummary<'_>> {
    let first = events.first()?;
    let mut s = BatchSummary {
        first,
        interacted: 0,
        completed: 0,
        rating: 0,
        targets: Vec::new(),
    };
    for e in events {
        match e.kind {
            "popup" | "button" | "rated" => s.interacted = 1,
            _ => {}
        }
        match e.kind {
            "completed" => s.completed = s.completed.max(e.value),
            "rated" => s.rating = s.rating.max(e.value),
            _ => {}
        }
        let target = match e.kind {
            "scene" | "popup" | "button" => e.target.clone(),
            "progressed" => e.value.to_string(),
            _ => continue,
        };
        if !s.targets.iter().any(|(k, t)| *k == e.kind && *t == target) {
            s.targets.push((e.kind, target));
        }
    }
    Some(s)
}
