//! PostgreSQL (`postgres://...`): the same tables and behaviour as SQLite, one transaction per
//! batch.

use super::{
    date_text, known_version, parse_date, summarise, NewRecipient, Store, StoredEvent,
    StoredRecipient, Tally,
};
use crate::token::{random, SECRET_BYTES};
use crate::StoreError;
use guide_runtime::Date;
use postgres::{Client, NoTls};
use std::collections::HashMap;

/// The migrations, in order: (number, SQL).
pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/001_initial.sql")),
    (2, include_str!("../../migrations/postgres/002_events.sql")),
];

/// A lock key that serialises migrations between processes opening the same database.
const MIGRATION_LOCK: i64 = 0x6775_6964_6500;

/// A PostgreSQL database.
pub struct PgStore {
    client: Client,
    secret: Vec<u8>,
    viewer_secret: Vec<u8>,
}

impl PgStore {
    /// Connects, and migrates the database.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        // The URL may hold a password: the error says why, never what was given.
        let client =
            Client::connect(url, NoTls).map_err(|e| StoreError::Location(e.to_string()))?;
        let mut store = PgStore {
            client,
            secret: Vec::new(),
            viewer_secret: Vec::new(),
        };
        store.migrate()?;
        store.secret = store.load_secret("key_secret")?;
        store.viewer_secret = store.load_secret("viewer_secret")?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
        let found: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])?
            .get(0);
        let known = known_version(MIGRATIONS);
        if found > known {
            return Err(StoreError::NewerSchema { found, known });
        }
        for (n, sql) in MIGRATIONS.iter().filter(|(n, _)| *n > found) {
            tx.batch_execute(sql)?;
            tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[n])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The secret called `name` in `meta`, generated if missing.
    fn load_secret(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        let mut fresh = vec![0u8; SECRET_BYTES];
        random(&mut fresh)?;
        self.client.execute(
            "INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &fresh],
        )?;
        Ok(self
            .client
            .query_one("SELECT value FROM meta WHERE name = $1", &[&name])?
            .try_get(0)?)
    }
}

impl Store for PgStore {
    fn key_secret(&self) -> &[u8] {
        &self.secret
    }

    fn put_version(
        &mut self,
        campaign: &str,
        version: &str,
        bytecode: &[u8],
    ) -> Result<(), StoreError> {
        let mut tx = self.client.transaction()?;
        tx.execute(
            "INSERT INTO campaigns (id, current_version) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET current_version = excluded.current_version",
            &[&campaign, &version],
        )?;
        tx.execute(
            "INSERT INTO versions (campaign, version, bytecode) VALUES ($1, $2, $3)
             ON CONFLICT (campaign, version) DO NOTHING",
            &[&campaign, &version, &bytecode],
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
        // One statement for the whole batch (arrays unnested), each key hash once: a key given
        // twice in a batch takes its last record, as row-by-row upserts would.
        let mut last: HashMap<&[u8], usize> = HashMap::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            last.insert(&r.key_hash, i);
        }
        let mut unique: Vec<usize> = last.values().copied().collect();
        unique.sort_unstable();
        let col = |f: &dyn Fn(&NewRecipient) -> Option<String>| -> Vec<Option<String>> {
            unique.iter().map(|&i| f(&rows[i])).collect()
        };
        let tokens = col(&|r| Some(r.token.clone()));
        let records = col(&|r| Some(r.record.clone()));
        let froms = col(&|r| date_text(r.from));
        let untils = col(&|r| date_text(r.until));
        let hashes: Vec<&[u8]> = unique
            .iter()
            .map(|&i| rows[i].key_hash.as_slice())
            .collect();
        let mut tx = self.client.transaction()?;
        let stored = tx.query(
            "INSERT INTO recipients
               (token, campaign, version, key_hash, record, available_from, available_until)
             SELECT t, $1, $2, k, r, f, u
             FROM UNNEST($3::text[], $4::bytea[], $5::text[], $6::text[], $7::text[])
               AS n (t, k, r, f, u)
             ON CONFLICT (campaign, key_hash) DO UPDATE SET
               version = excluded.version, record = excluded.record,
               available_from = excluded.available_from,
               available_until = excluded.available_until
             RETURNING key_hash, token",
            &[
                &campaign, &version, &tokens, &hashes, &records, &froms, &untils,
            ],
        )?;
        tx.commit()?;
        let by_hash: HashMap<Vec<u8>, String> =
            stored.iter().map(|r| (r.get(0), r.get(1))).collect();
        rows.iter()
            .map(|r| {
                by_hash
                    .get(&r.key_hash)
                    .cloned()
                    .ok_or_else(|| StoreError::Database("a published row was not returned".into()))
            })
            .collect()
    }

    fn purge_until(&mut self, cutoff: Date) -> Result<u64, StoreError> {
        Ok(self.client.execute(
            "UPDATE recipients SET record = NULL, key_hash = NULL
             WHERE (record IS NOT NULL OR key_hash IS NOT NULL) AND available_until <= $1",
            &[&cutoff.to_string()],
        )?)
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
        let mut tx = self.client.transaction()?;
        let st = tx.prepare(
            "UPDATE recipients SET record = NULL, key_hash = NULL,
               available_until = CASE WHEN available_until IS NULL OR available_until > $3
                                 THEN $3 ELSE available_until END
             WHERE campaign = $1 AND key_hash = $2",
        )?;
        let on = on.to_string();
        let mut n = 0;
        for h in key_hashes {
            n += tx.execute(&st, &[&campaign, h, &on])?;
        }
        tx.commit()?;
        Ok(n)
    }

    fn recipient(&mut self, token: &str) -> Result<Option<StoredRecipient>, StoreError> {
        let row = self.client.query_opt(
            "SELECT token, campaign, version, record, available_from, available_until
             FROM recipients WHERE token = $1",
            &[&token],
        )?;
        Ok(row.map(|r| StoredRecipient {
            token: r.get(0),
            campaign: r.get(1),
            version: r.get(2),
            record: r.get(3),
            from: parse_date(r.get(4)),
            until: parse_date(r.get(5)),
        }))
    }

    fn bytecode(&mut self, campaign: &str, version: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .client
            .query_opt(
                "SELECT bytecode FROM versions WHERE campaign = $1 AND version = $2",
                &[&campaign, &version],
            )?
            .map(|r| r.get(0)))
    }

    fn current_version(&mut self, campaign: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .client
            .query_opt(
                "SELECT current_version FROM campaigns WHERE id = $1",
                &[&campaign],
            )?
            .map(|r| r.get(0)))
    }

    fn count(&mut self, campaign: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .client
            .query_one(
                "SELECT COUNT(*) FROM recipients WHERE campaign = $1",
                &[&campaign],
            )?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn recipients(&mut self, campaign: &str) -> Result<Vec<StoredRecipient>, StoreError> {
        let rows = self.client.query(
            "SELECT token, campaign, version, record, available_from, available_until
             FROM recipients WHERE campaign = $1 ORDER BY token",
            &[&campaign],
        )?;
        Ok(rows
            .iter()
            .map(|r| StoredRecipient {
                token: r.get(0),
                campaign: r.get(1),
                version: r.get(2),
                record: r.get(3),
                from: parse_date(r.get(4)),
                until: parse_date(r.get(5)),
            })
            .collect())
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
        let day = day.to_string();
        let mut tx = self.client.transaction()?;
        let new = tx.execute(
            "INSERT INTO event_batches (id, day) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            &[&batch, &day],
        )?;
        if new == 0 {
            return Ok(false);
        }
        let st = tx.prepare(
            "INSERT INTO events
               (campaign, version, variant, day, kind, target, value, channel, device, viewer)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )?;
        for e in events {
            tx.execute(
                &st,
                &[
                    &e.campaign,
                    &e.version,
                    &e.variant,
                    &day,
                    &e.kind,
                    &e.target,
                    &e.value,
                    &e.channel,
                    &e.device,
                    &e.viewer,
                ],
            )?;
        }
        if let Some(s) = summarise(events) {
            let e = s.first;
            tx.execute(
                "INSERT INTO viewers (campaign, viewer, variant, first_day, channel, device,
                                      interacted, completed, rating)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (campaign, viewer) DO UPDATE SET
                   interacted = GREATEST(viewers.interacted, excluded.interacted),
                   completed = GREATEST(viewers.completed, excluded.completed),
                   rating = GREATEST(viewers.rating, excluded.rating)",
                &[
                    &e.campaign,
                    &e.viewer,
                    &e.variant,
                    &day,
                    &e.channel,
                    &e.device,
                    &s.interacted,
                    &s.completed,
                    &s.rating,
                ],
            )?;
            for (kind, target) in &s.targets {
                let new = tx.execute(
                    "INSERT INTO viewer_targets (campaign, kind, target, viewer)
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[&e.campaign, kind, target, &e.viewer],
                )?;
                if new == 1 {
                    tx.execute(
                        "INSERT INTO target_counts (campaign, kind, target, viewers)
                         VALUES ($1, $2, $3, 1)
                         ON CONFLICT (campaign, kind, target) DO UPDATE
                         SET viewers = target_counts.viewers + 1",
                        &[&e.campaign, kind, target],
                    )?;
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
        let n = self.client.execute(
            "DELETE FROM events WHERE day < $1",
            &[&events_before.to_string()],
        )?;
        self.client.execute(
            "DELETE FROM event_batches WHERE day < $1",
            &[&batches_before.to_string()],
        )?;
        Ok(n)
    }

    fn campaigns(&mut self) -> Result<Vec<String>, StoreError> {
        let rows = self
            .client
            .query("SELECT id FROM campaigns ORDER BY id", &[])?;
        rows.iter()
            .map(|r| r.try_get(0).map_err(StoreError::from))
            .collect()
    }

    fn tally(&mut self, sql: &str, campaign: &str, keys: usize) -> Result<Vec<Tally>, StoreError> {
        let rows = self.client.query(sql, &[&campaign])?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut k = Vec::with_capacity(keys);
            let mut c = Vec::with_capacity(r.len().saturating_sub(keys));
            for i in 0..r.len() {
                if i < keys {
                    k.push(r.try_get::<_, Option<String>>(i)?.unwrap_or_default());
                } else {
                    c.push(r.try_get::<_, Option<i64>>(i)?.unwrap_or(0));
                }
            }
            out.push((k, c));
        }
        Ok(out)
    }
}
