//! The two stores behave the same: upserts keep tokens, a key twice in a batch takes its last
//! record, purge deletes the personal columns only, migrations are recorded and a newer schema
//! is refused. SQLite always; PostgreSQL too when GUIDE_TEST_POSTGRES is set.

use guide_runtime::Date;
use guide_server::store::NewRecipient;
use guide_server::token::{new_tokens, KeyHasher};
use guide_server::StoreError;

fn sqlite(name: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    dir.join(format!("{name}.db")).display().to_string()
}

/// A fresh PostgreSQL database on the server of GUIDE_TEST_POSTGRES, if set.
fn postgres(name: &str) -> Option<String> {
    let url = std::env::var("GUIDE_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())?;
    let db = format!("guide_store_{name}_{}", std::process::id());
    let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .expect("drop");
    c.batch_execute(&format!("CREATE DATABASE {db}"))
        .expect("create");
    let cut = url.rfind('/').expect("a database in the URL");
    Some(format!("{}/{db}", &url[..cut]))
}

fn locations(name: &str) -> Vec<String> {
    let mut v = vec![sqlite(name)];
    v.extend(postgres(name));
    v
}

fn day(s: &str) -> Option<Date> {
    Date::parse_iso(s)
}

fn row(h: &KeyHasher, key: &str, record: &str, until: &str) -> NewRecipient {
    NewRecipient {
        token: new_tokens(1).expect("random").remove(0),
        key_hash: h.hash(key),
        record: record.into(),
        from: day("2024-01-01"),
        until: day(until),
    }
}

#[test]
fn upserts_keep_tokens_and_purge_deletes_personal_columns() {
    for loc in locations("upsert") {
        let mut s = guide_server::open(&loc).expect("open");
        let h = KeyHasher::new(s.key_secret());
        s.put_version("c", "v1", b"bytes1").expect("version");
        let t1 = s
            .publish_batch(
                "c",
                "v1",
                &[
                    row(&h, "A", r#"{"k":"A","n":1}"#, "2024-06-01"),
                    row(&h, "B", r#"{"k":"B","n":1}"#, "2024-09-01"),
                ],
            )
            .expect("publish");
        s.put_version("c", "v2", b"bytes2").expect("version");
        // B twice in one batch: the last record wins, one row, the same token for both.
        let t2 = s
            .publish_batch(
                "c",
                "v2",
                &[
                    row(&h, "B", r#"{"k":"B","n":2}"#, "2024-09-01"),
                    row(&h, "A", r#"{"k":"A","n":2}"#, "2024-06-01"),
                    row(&h, "B", r#"{"k":"B","n":3}"#, "2024-09-01"),
                ],
            )
            .expect("publish again");
        assert_eq!(
            t2,
            vec![t1[1].clone(), t1[0].clone(), t1[1].clone()],
            "{loc}"
        );
        assert_eq!(s.count("c").expect("count"), 2);
        assert_eq!(s.current_version("c").expect("v").as_deref(), Some("v2"));
        let b = s.recipient(&t1[1]).expect("read").expect("B");
        assert_eq!(b.record.as_deref(), Some(r#"{"k":"B","n":3}"#));
        assert_eq!(b.version, "v2");
        assert_eq!(
            s.bytecode("c", "v1").expect("read").as_deref(),
            Some(&b"bytes1"[..])
        );
        // Purge as of 2024-07-01, no grace: A's window [2024-01-01, 2024-06-01) has closed.
        let n = guide_server::purge(s.as_mut(), day("2024-07-01").expect("day"), 0).expect("purge");
        assert_eq!(n, 1);
        let a = s.recipient(&t1[0]).expect("read").expect("A");
        assert_eq!(a.record, None);
        assert_eq!(a.until, day("2024-06-01"));
        assert!(s
            .recipient(&t1[1])
            .expect("read")
            .expect("B")
            .record
            .is_some());
        // With 100 days of grace as of 2024-12-01 B (until 2024-09-01) stays.
        let n =
            guide_server::purge(s.as_mut(), day("2024-12-01").expect("day"), 100).expect("purge");
        assert_eq!(n, 0);
        // A purged recipient published again is a new recipient (the key hash is gone).
        let t3 = s
            .publish_batch(
                "c",
                "v2",
                &[row(&h, "A", r#"{"k":"A","n":4}"#, "2025-06-01")],
            )
            .expect("publish");
        assert_ne!(t3[0], t1[0]);
        // Reopening keeps the secret: the same key hashes to the same value.
        drop(s);
        let s = guide_server::open(&loc).expect("reopen");
        assert_eq!(KeyHasher::new(s.key_secret()).hash("A"), h.hash("A"));
    }
}

#[test]
fn a_newer_schema_is_refused() {
    let db = sqlite("newer");
    drop(guide_server::open(&db).expect("create"));
    let conn = rusqlite::Connection::open(&db).expect("open");
    let v: i64 = conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v, 2);
    conn.execute("INSERT INTO schema_version VALUES (3)", [])
        .expect("bump");
    drop(conn);
    match guide_server::open(&db) {
        Err(StoreError::NewerSchema { found: 3, known: 2 }) => {}
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("opened a newer database"),
    }
    if let Some(url) = postgres("newer") {
        drop(guide_server::open(&url).expect("create"));
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        c.batch_execute("INSERT INTO schema_version VALUES (3)")
            .expect("bump");
        assert!(matches!(
            guide_server::open(&url),
            Err(StoreError::NewerSchema { found: 3, known: 2 })
        ));
    }
}

#[test]
fn a_database_of_version_1_gets_the_events_tables_and_keeps_its_recipients() {
    let db = sqlite("v1");
    // A database as the first schema left it: migration 1 only.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute_batch("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        .expect("schema_version");
    conn.execute_batch(guide_server::store::sqlite::MIGRATIONS[0].1)
        .expect("migration 1");
    conn.execute_batch(
        "INSERT INTO schema_version VALUES (1);
         INSERT INTO campaigns VALUES ('c', 'v');
         INSERT INTO versions VALUES ('c', 'v', x'00');
         INSERT INTO recipients (token, campaign, version) VALUES ('t', 'c', 'v');",
    )
    .expect("a recipient");
    drop(conn);
    let mut s = guide_server::open(&db).expect("migrate");
    assert_eq!(s.count("c").expect("count"), 1);
    assert_eq!(s.viewer_secret().len(), 32);
    let day = guide_runtime::Date::parse_iso("2024-07-01").expect("date");
    let e = guide_server::StoredEvent {
        campaign: "c".into(),
        version: "v".into(),
        variant: "v-0".into(),
        kind: "played",
        target: String::new(),
        value: 0,
        channel: "sms",
        device: "mobile",
        viewer: "00".into(),
    };
    assert!(s
        .record_events("b", day, std::slice::from_ref(&e))
        .expect("store"));
    assert!(
        !s.record_events("b", day, &[e]).expect("again"),
        "stored once"
    );
    let rows = s
        .tally(
            "SELECT kind, COUNT(*) FROM events WHERE campaign = $1 GROUP BY kind",
            "c",
            1,
        )
        .expect("tally");
    assert_eq!(rows, vec![(vec!["played".to_string()], vec![1])]);
}

/// Look-ups share a read transaction for a few milliseconds (SQLite): what another connection
/// writes is seen once it is over, a write on the same connection ends it first (no "cannot
/// start a transaction within a transaction"), and `end_idle_read` ends it when no look-up
/// comes, so that an idle server holds no snapshot. Any store may be asked to.
#[test]
fn look_ups_share_a_snapshot_only_briefly() {
    use guide_server::store::sqlite::{SqliteStore, SNAPSHOT_REUSE};
    for loc in locations("snapshot") {
        let mut reader = guide_server::open(&loc).expect("open");
        let mut writer = guide_server::open(&loc).expect("open");
        let h = KeyHasher::new(reader.key_secret());
        reader.put_version("c", "v1", b"bytes1").expect("version");
        let t = reader
            .publish_batch("c", "v1", &[row(&h, "A", r#"{"n":1}"#, "2030-01-01")])
            .expect("publish");
        assert!(reader.recipient(&t[0]).expect("read").is_some());
        // The same connection writes right after a look-up.
        let t2 = reader
            .publish_batch("c", "v1", &[row(&h, "B", r#"{"n":1}"#, "2030-01-01")])
            .expect("a write after a look-up, on the same connection");
        assert!(reader.recipient(&t2[0]).expect("read").is_some());
        // Another connection changes A; once the snapshot's time is over, A reads the change.
        writer
            .publish_batch("c", "v1", &[row(&h, "A", r#"{"n":2}"#, "2030-01-01")])
            .expect("publish again");
        std::thread::sleep(SNAPSHOT_REUSE + std::time::Duration::from_millis(5));
        let a = reader.recipient(&t[0]).expect("read").expect("A");
        assert_eq!(a.record.as_deref(), Some(r#"{"n":2}"#));
        // Idle: the snapshot is ended.
        std::thread::sleep(SNAPSHOT_REUSE + std::time::Duration::from_millis(5));
        reader.end_idle_read().expect("end the read");
        writer
            .purge_until(Date::parse_iso("2031-01-01").expect("date"))
            .expect("purge");
        let a = reader.recipient(&t[0]).expect("read").expect("A");
        assert_eq!(
            a.record, None,
            "the purge is seen at once after an idle end"
        );
    }
    // SQLite: the transaction is really over after `end_idle_read`.
    let path = sqlite("snapshot-idle");
    let mut s = SqliteStore::open(std::path::Path::new(&path)).expect("open");
    let looked_up = std::time::Instant::now();
    let _ = guide_server::store::Store::recipient(&mut s, "nobody").expect("read");
    assert!(
        !s.connection().is_autocommit(),
        "a look-up opens the shared snapshot"
    );
    guide_server::store::Store::end_idle_read(&mut s).expect("too young: kept");
    // Kept while younger than SNAPSHOT_REUSE (a machine too busy to get here in time proves
    // nothing either way).
    if looked_up.elapsed() < SNAPSHOT_REUSE {
        assert!(!s.connection().is_autocommit(), "a young snapshot is kept");
    }
    std::thread::sleep(SNAPSHOT_REUSE + std::time::Duration::from_millis(5));
    guide_server::store::Store::end_idle_read(&mut s).expect("end the read");
    assert!(s.connection().is_autocommit(), "no snapshot held when idle");
}
