//! SQLite in a file: WAL mode, prepared statements, one transaction per batch. Killed at any
//! moment, the file holds every batch committed before and nothing of the one in progress.

use super::{
    date_text, known_version, parse_date, summarise, NewRecipient, Store, StoredEvent,
    StoredRecipient, Tally,
};
use crate::token::{random, SECRET_BYTES};
use crate::StoreError;
use access::Access;
use guide_runtime::Date;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

mod access;
pub use access::SNAPSHOT_REUSE;

/// The migrations, in order: (number, SQL).
pub const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../migrations/sqlite/001_initial.sql"),
    ),
    (2, include_str!("../../../migrations/sqlite/002_events.sql")),
];

/// A SQLite database.
pub struct SqliteStore {
    db: Access,
    secret: Vec<u8>,
    /// Whether this connection was set up for publishing (a bigger page cache, rarer
    /// checkpoints): on its first batch.
    publishing: bool,
    viewer_secret: Vec<u8>,
}

/// The page cache of a publishing connection, in KiB: the two indexes of random keys (token,
/// key hash) of a few million recipients stay in memory, so a batch reads none of their pages.
const PUBLISH_CACHE_KIB: i64 = 512 * 1024;

/// Pages the write-ahead log may hold before a publishing connection copies it into the
/// database (default 1,000): an index page changed by many batches is copied once, not once
/// per batch.
const PUBLISH_CHECKPOINT_PAGES: i64 = 65_536;

impl SqliteStore {
    /// Opens or creates the database file, and migrates it.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Location(format!("{}: {e}", path.display())))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted content is overwritten with zeros, not left in free pages of the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        // The indexes of millions of recipients (token, key hash) are written in random order:
        // a page cache of 64 MiB keeps most of their inner pages in memory.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // Look-ups read the file through the operating system's page cache, shared by every
        // connection, instead of copying pages into each connection's own cache.
        conn.pragma_update(None, "mmap_size", 1i64 << 32)?;
        let mut store = SqliteStore {
            db: Access::new(conn),
            secret: Vec::new(),
            publishing: false,
            viewer_secret: Vec::new(),
        };
        store.migrate()?;
        store.secret = store.load_secret("key_secret")?;
        store.viewer_secret = store.load_secret("viewer_secret")?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self.db.own()?.transaction()?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
        let found: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |r| r.get(0),
        )?;
        let known = known_version(MIGRATIONS);
        if found > known {
            return Err(StoreError::NewerSchema { found, known });
        }
        for (n, sql) in MIGRATIONS.iter().filter(|(n, _)| *n > found) {
            tx.execute_batch(sql)?;
            tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [n])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The secret called `name` in `meta`, generated if missing.
    fn load_secret(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        let mut fresh = vec![0u8; SECRET_BYTES];
        random(&mut fresh)?;
        let conn = self.db.own()?;
        conn.execute(
            "INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![name, fresh],
        )?;
        Ok(
            conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
                r.get(0)
            })?,
        )
    }

    /// The connection, for tests that read every table.
    pub fn connection(&self) -> &Connection {
        self.db.peek()
    }
}

/// A recipient's row, selected as `token, campaign, version, record, available_from,
/// available_until`.
fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRecipient> {
    Ok(StoredRecipient {
        token: r.get(0)?,
        campaign: r.get(1)?,
        version: r.get(2)?,
        record: r.get(3)?,
        from: parse_date(r.get(4)?),
        until: parse_date(r.get(5)?),
    })
}

impl Store for SqliteStore {
    fn key_secret(&self) -> &[u8] {
        &self.secret
    }

    fn lookups_are_brief(&self) -> bool {
        true
    }

    fn end_idle_read(&mut self) -> Result<(), StoreError> {
        self.db.end_idle()
    }

    fn put_version(
        &mut self,
        campaign: &str,
        version: &str,
        bytecode: &[u8],
    ) -> Result<(), StoreError> {
        let conn = self.db.own()?;
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO campaigns (id, current_version) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET current_version = excluded.current_version",
            params![campaign, version],
        )?;
        tx.execute(
            "INSERT INTO versions (campaign, version, bytecode) VALUES (?1, ?2, ?3)
             ON CONFLICT (campaign, version) DO NOTHING",
            params![campaign, version, bytecode],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn publish_batch(
        &mut self,
        campaign: &str,
        version: &str,
        rows: &[NewRecipient],
    ) -> Result<Vec<String>, StoreError> {
        let conn = self.db.own()?;
        if !self.publishing {
            conn.pragma_update(None, "cache_size", -PUBLISH_CACHE_KIB)?;
            conn.pragma_update(None, "wal_autocheckpoint", PUBLISH_CHECKPOINT_PAGES)?;
            self.publishing = true;
        }
        // In the order of the key-hash index: its pages are visited once each, in order.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_unstable_by(|&a, &b| rows[a].key_hash.cmp(&rows[b].key_hash));
        let tx = conn.transaction()?;
        let mut tokens = vec![String::new(); rows.len()];
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO recipients
                   (token, campaign, version, key_hash, record, available_from, available_until)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (campaign, key_hash) DO UPDATE SET
                   version = excluded.version, record = excluded.record,
                   available_from = excluded.available_from,
                   available_until = excluded.available_until
                 RETURNING token",
            )?;
            for i in order {
                let r = &rows[i];
                let token: String = st.query_row(
                    params![
                        r.token,
                        campaign,
                        version,
                        r.key_hash,
                        r.record,
                        date_text(r.from),
                        date_text(r.until)
                    ],
                    |row| row.get(0),
                )?;
                tokens[i] = token;
            }
        }
        tx.commit()?;
        Ok(tokens)
    }

    fn purge_until(&mut self, cutoff: Date) -> Result<u64, StoreError> {
        let conn = self.db.own()?;
        let n = conn.execute(
            "UPDATE recipients SET record = NULL, key_hash = NULL
             WHERE (record IS NOT NULL OR key_hash IS NOT NULL) AND available_until <= ?1",
            [cutoff.to_string()],
        )?;
        // The pages as they were before the purge are still in the write-ahead log: copy the
        // log into the database and empty it.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(n as u64)
    }

    fn withdraw(
        &mut self,
        campaign: &str,
        key_hashes: &[Vec<u8>],
        on: Date,
    ) -> Result<u64, StoreError> {
        if key_hashes.is_empty() {
            return Ok(0);
        }
        let conn = self.db.own()?;
        let tx = conn.transaction()?;
        let mut n = 0;
        {
            let mut st = tx.prepare_cached(
                "UPDATE recipients SET record = NULL, key_hash = NULL,
                   available_until = CASE WHEN available_until IS NULL OR available_until > ?3
                                     THEN ?3 ELSE available_until END
                 WHERE campaign = ?1 AND key_hash = ?2",
            )?;
            let on = on.to_string();
            for h in key_hashes {
                n += st.execute(params![campaign, h, on])?;
            }
        }
        tx.commit()?;
        if n > 0 {
            // As for a purge: no copy of the old pages left in the write-ahead log.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(n as u64)
    }

    fn recipient(&mut self, token: &str) -> Result<Option<StoredRecipient>, StoreError> {
        let conn = self.db.shared()?;
        let mut st = conn.prepare_cached(
            "SELECT token, campaign, version, record, available_from, available_until
             FROM recipients WHERE token = ?1",
        )?;
        Ok(st.query_row([token], stored).optional()?)
    }

    fn bytecode(&mut self, campaign: &str, version: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let conn = self.db.own()?;
        Ok(conn
            .query_row(
                "SELECT bytecode FROM versions WHERE campaign = ?1 AND version = ?2",
                [campaign, version],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn current_version(&mut self, campaign: &str) -> Result<Option<String>, StoreError> {
        let conn = self.db.own()?;
        Ok(conn
            .query_row(
                "SELECT current_version FROM campaigns WHERE id = ?1",
                [campaign],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn count(&mut self, campaign: &str) -> Result<u64, StoreError> {
        let conn = self.db.own()?;
        let n: i64 = conn.query_row(
            "SELECT COUNT(*) FROM recipients WHERE campaign = ?1",
            [campaign],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn recipients(&mut self, campaign: &str) -> Result<Vec<StoredRecipient>, StoreError> {
        let conn = self.db.own()?;
        let mut st = conn.prepare(
            "SELECT token, campaign, version, record, available_from, available_until
             FROM recipients WHERE campaign = ?1 ORDER BY token",
        )?;
        let rows = st.query_map([campaign], stored)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn viewer_secret(&self) -> &[u8] {
        &self.viewer_secret
    }

    fn record_events(
        &mut self,
        batch: &str,
        day: Date,
        events: &[StoredEvent],
    ) -> Result<bool, StoreError> {
        let conn = self.db.own()?;
        let tx = conn.transaction()?;
        let day = day.to_string();
        let new = tx.execute(
            "INSERT INTO event_batches (id, day) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
            params![batch, day],
        )?;
        if new == 0 {
            return Ok(false);
        }
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO events
                   (campaign, version, variant, day, kind, target, value, channel, device, viewer)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for e in events {
                st.execute(params![
                    e.campaign, e.version, e.variant, day, e.kind, e.target, e.value, e.channel,
                    e.device, e.viewer
                ])?;
            }
        }
        if let Some(s) = summarise(events) {
            let e = s.first;
            tx.prepare_cached(
                "INSERT INTO viewers (campaign, viewer, variant, first_day, channel, device,
                                      interacted, completed, rating)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (campaign, viewer) DO UPDATE SET
                   interacted = max(interacted, excluded.interacted),
                   completed = max(completed, excluded.completed),
                   rating = max(rating, excluded.rating)",
            )?
            .execute(params![
                e.campaign,
                e.viewer,
                e.variant,
                day,
                e.channel,
                e.device,
                s.interacted,
                s.completed,
                s.rating
            ])?;
            let mut seen = tx.prepare_cached(
                "INSERT INTO viewer_targets (campaign, kind, target, viewer) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
            )?;
            let mut count = tx.prepare_cached(
                "INSERT INTO target_counts (campaign, kind, target, viewers) VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (campaign, kind, target) DO UPDATE SET viewers = viewers + 1",
            )?;
            for (kind, target) in &s.targets {
                if seen.execute(params![e.campaign, kind, target, e.viewer])? == 1 {
                    count.execute(params![e.campaign, kind, target])?;
                }
            }
        }
        tx.commit()?;
        Ok(true)
    }

    fn purge_events(
        &mut self,
        events_before: Date,
        batches_before: Date,
    ) -> Result<u64, StoreError> {
        let conn = self.db.own()?;
        let n = conn.execute(
            "DELETE FROM events WHERE day < ?1",
            [events_before.to_string()],
        )?;
        conn.execute(
            "DELETE FROM event_batches WHERE day < ?1",
            [batches_before.to_string()],
        )?;
        Ok(n as u64)
    }

    fn campaigns(&mut self) -> Result<Vec<String>, StoreError> {
        let conn = self.db.own()?;
        let mut st = conn.prepare("SELECT id FROM campaigns ORDER BY id")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn tally(&mut self, sql: &str, campaign: &str, keys: usize) -> Result<Vec<Tally>, StoreError> {
        let conn = self.db.own()?;
        let mut st = conn.prepare_cached(sql)?;
        let n = st.column_count();
        let rows = st.query_map([campaign], |r| {
            let mut k = Vec::with_capacity(keys);
            let mut c = Vec::with_capacity(n.saturating_sub(keys));
            for i in 0..n {
                if i < keys {
                    k.push(r.get::<_, Option<String>>(i)?.unwrap_or_default());
                } else {
                    c.push(r.get::<_, Option<i64>>(i)?.unwrap_or(0));
                }
            }
            Ok((k, c))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
