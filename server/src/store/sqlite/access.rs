//! The one way to the connection: every use either shares the brief read transaction of
//! look-ups ([`Access::shared`]) or ends it first ([`Access::own`]). The connection is private
//! to this module, so no method of the store can forget which.

use crate::StoreError;
use rusqlite::Connection;
use std::time::{Duration, Instant};

/// How long look-ups by token share one read transaction. Beginning and ending a read
/// transaction in WAL mode takes and releases locks on the shared-memory file (system calls
/// that cost as much as the look-up itself); a snapshot at most this old is as good as a new
/// one for a view (a campaign published again reaches its links within seconds anyway). Any
/// other use of the connection ends the snapshot first, and
/// [`Store::end_idle_read`](crate::store::Store::end_idle_read) ends it when no look-up comes.
pub const SNAPSHOT_REUSE: Duration = Duration::from_millis(20);

/// A connection and the read transaction its look-ups share, if one is open.
pub(super) struct Access {
    conn: Connection,
    /// When the shared read transaction began.
    snapshot: Option<Instant>,
}

impl Access {
    pub(super) fn new(conn: Connection) -> Access {
        Access {
            conn,
            snapshot: None,
        }
    }

    /// The connection for anything but a look-up by token: the shared read transaction, if
    /// one is open, is ended first, so a write can begin its own.
    pub(super) fn own(&mut self) -> Result<&mut Connection, StoreError> {
        self.end_snapshot()?;
        Ok(&mut self.conn)
    }

    /// The connection inside the read transaction look-ups share: the one open if it is
    /// younger than [`SNAPSHOT_REUSE`], else a new one.
    pub(super) fn shared(&mut self) -> Result<&Connection, StoreError> {
        if let Some(since) = self.snapshot {
            if since.elapsed() < SNAPSHOT_REUSE && !self.conn.is_autocommit() {
                return Ok(&self.conn);
            }
            self.end_snapshot()?;
        }
        if self.conn.is_autocommit() {
            self.conn.execute_batch("BEGIN")?;
            self.snapshot = Some(Instant::now());
        }
        Ok(&self.conn)
    }

    /// Ends the shared read transaction if it is older than [`SNAPSHOT_REUSE`].
    pub(super) fn end_idle(&mut self) -> Result<(), StoreError> {
        match self.snapshot {
            Some(since) if since.elapsed() >= SNAPSHOT_REUSE => self.end_snapshot(),
            _ => Ok(()),
        }
    }

    /// The connection as it is, for tests that read every table or look at its state.
    pub(super) fn peek(&self) -> &Connection {
        &self.conn
    }

    fn end_snapshot(&mut self) -> Result<(), StoreError> {
        if self.snapshot.take().is_some() && !self.conn.is_autocommit() {
            if let Err(e) = self.conn.execute_batch("COMMIT") {
                // A read transaction has nothing to keep: make sure it is over.
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
        }
        Ok(())
    }
}
