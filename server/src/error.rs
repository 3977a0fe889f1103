//! The errors of the store and of publishing. None of them carries a recipient's data: a
//! message may name a file, a table or a line number, never an attribute value.

use std::fmt;

/// A database could not be opened, migrated, read or written.
#[derive(Debug)]
pub enum StoreError {
    /// The `--db` value is neither a file path nor a `postgres://` URL that can be used.
    Location(String),
    /// The database was written by a newer `guide`: its schema version is unknown here.
    NewerSchema {
        /// The version recorded in the database.
        found: i64,
        /// The newest version this binary knows.
        known: i64,
    },
    /// The database refused an operation.
    Database(String),
    /// The operating system's random generator failed.
    Random(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Location(m) => write!(f, "cannot open the database: {m}"),
            StoreError::NewerSchema { found, known } => write!(
                f,
                "the database has schema version {found}, newer than the {known} this guide \
                 knows: use a newer guide"
            ),
            StoreError::Database(m) => write!(f, "database error: {m}"),
            StoreError::Random(m) => write!(f, "the random generator failed: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<postgres::Error> for StoreError {
    /// The server's message without its DETAIL, which may quote the values of a row.
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => StoreError::Database(format!(
                "{} ({}): {}",
                db.severity(),
                db.code().code(),
                db.message()
            )),
            None => StoreError::Database(e.to_string()),
        }
    }
}

/// Why a publishing run stopped before its end (every batch committed before stays published).
#[derive(Debug)]
pub enum PublishError {
    /// The input or the options cannot be used (a CSV header that does not match, no key...).
    Usage(String),
    /// Reading or writing a file failed.
    Io(String),
    /// The database failed.
    Store(StoreError),
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishError::Usage(m) | PublishError::Io(m) => f.write_str(m),
            PublishError::Store(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PublishError {}

impl From<StoreError> for PublishError {
    fn from(e: StoreError) -> Self {
        PublishError::Store(e)
    }
}
