//! The embedded state store: one SQLite file, the default. The file is opened in WAL mode with
//! `synchronous = FULL`, and every change that must stay consistent (an intent and the deck
//! step it consumes) is one transaction: a kill at any moment leaves either the whole change
//! or none of it. Several processes may share one file on one machine (`confbot serve`
//! workers): SQLite's locks serialise their writes, and the unique keys hold across them.
//!
//! # Layout
//! - `schedules`: schedules (config entries overridden by `/daily set`) and decks;
//! - `posts`: the post log and the delivery protocol's state transitions;
//! - `live`: live follows, the outbox of announcements, notices and reminders, schedule
//!   snapshots, bookmarks;
//! - `suggestions`: members' insights, their review and the review channel (issue #17);
//! - `lease`: the scheduler lease, claims of pending work, and each channel's last insight;
//! - `events`: what one process tells the others sharing the file (`/daily`, `/reload`).

mod events;
mod lease;
mod live;
mod posts;
mod schedules;
mod suggestions;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use super::StoreError;

/// The SQLite backend. Each method holds the connection briefly.
pub struct Sqlite {
    conn: Mutex<Connection>,
    /// The file, for the events listener's own connection; `None` in memory.
    path: Option<std::path::PathBuf>,
}

/// The schema version this code writes; each step in [`MIGRATIONS`] moves one version up.
const VERSION: i64 = 4;

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE schedules (
    guild_id     INTEGER PRIMARY KEY,
    channel_id   INTEGER NOT NULL,
    time         TEXT NOT NULL,          -- HH:MM, local
    timezone     TEXT NOT NULL,          -- IANA name
    topic        TEXT,                   -- topic id
    conference   TEXT,                   -- conference id
    enabled      INTEGER NOT NULL,
    origin       TEXT NOT NULL CHECK (origin IN ('config', 'discord')),
    post_now_for TEXT,                   -- local date /daily now asked for
    active_since TEXT NOT NULL,          -- when last switched on: earlier posting times are not owed
    updated_at   TEXT NOT NULL
);
CREATE TABLE decks (
    guild_id INTEGER PRIMARY KEY,
    seed     INTEGER NOT NULL,
    cycle    INTEGER NOT NULL,
    last     TEXT
);
CREATE TABLE deck_shown (
    guild_id INTEGER NOT NULL,
    cycle    INTEGER NOT NULL,
    item     TEXT NOT NULL,
    PRIMARY KEY (guild_id, cycle, item)
);
CREATE TABLE posts (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    local_date      TEXT NOT NULL,       -- YYYY-MM-DD in the schedule's zone
    channel_id      INTEGER NOT NULL,
    item            TEXT NOT NULL,       -- insight:<id> or talk:<id>
    cycle           INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    nonce           TEXT NOT NULL,
    payload         TEXT NOT NULL,       -- the exact message JSON, re-sent as is
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'missed')),
    message_id      INTEGER,
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    late            INTEGER NOT NULL,    -- intended after the posting time (the bot was down)
    intended_at     TEXT NOT NULL,
    next_attempt_at TEXT,
    finished_at     TEXT,
    UNIQUE (guild_id, local_date)        -- the exactly-once-per-day rule, enforced by SQLite
);
CREATE INDEX posts_pending ON posts (status) WHERE status = 'pending';
"#,
    suggestions::MIGRATION,
    live::MIGRATION,
    lease::MIGRATION,
];

impl Sqlite {
    /// Opens (creating if needed) the state file at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let conn =
            Connection::open(path).map_err(|error| StoreError::Open { path: path.display().to_string(), error })?;
        Sqlite::init(conn, Some(path.to_owned()))
    }

    /// A throwaway store, for tests and the offline CLI.
    pub fn open_in_memory() -> Result<Sqlite, StoreError> {
        Sqlite::init(Connection::open_in_memory()?, None)
    }

    fn init(conn: Connection, path: Option<std::path::PathBuf>) -> Result<Sqlite, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Several processes opening one new file together (`confbot serve` workers): SQLite
        // answers some lock upgrades (switching the file to WAL, a read turned write) with BUSY
        // at once instead of waiting, to avoid deadlock. Every step is idempotent: try again.
        let mut attempt = 0;
        loop {
            match Sqlite::prepare(&conn) {
                Err(StoreError::Sql(e)) if is_busy(&e) && attempt < 50 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20 + fastrand::u64(0..80)));
                }
                Err(e) => return Err(e),
                Ok(()) => return Ok(Sqlite { conn: Mutex::new(conn), path }),
            }
        }
    }

    /// WAL, durability, and the schema brought up to date.
    fn prepare(conn: &Connection) -> Result<(), StoreError> {
        // WAL: readers (e.g. /daily show) never block the delivery loop's writes. FULL: a
        // committed intent survives power loss, not just a killed process.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Each step reads the version under the write lock (IMMEDIATE), so two processes
        // starting together on one file migrate once: the second waits, then finds it done.
        loop {
            let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
            let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if found > VERSION {
                return Err(StoreError::TooNew { found, known: VERSION });
            }
            let Some(step) = MIGRATIONS.get(found as usize) else { return Ok(()) };
            tx.execute_batch(step)?;
            tx.pragma_update(None, "user_version", found + 1)?;
            tx.commit()?;
        }
    }

    pub(super) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-written transaction (SQLite rolls
        // it back), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
}

fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn read_date(text: &str) -> Result<NaiveDate, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("date {text:?}")))
}

fn instant_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn read_instant(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("instant {text:?}")))
}

/// Discord ids are below 2^63, so they fit SQLite's signed integers unchanged.
fn id_sql(id: u64) -> i64 {
    id as i64
}

fn id_from_sql(id: i64) -> u64 {
    id as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_twice_and_keeps_its_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        drop(Sqlite::open(&path).unwrap());
        let store = Sqlite::open(&path).unwrap();
        let version: i64 = store.conn().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, VERSION);
        let mode: String = store.conn().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    /// Several `confbot serve` workers starting together on one new file: each opens it, and
    /// the schema is migrated once (before, two read version 0 and the second failed).
    #[test]
    fn workers_starting_together_migrate_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let opened: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Sqlite::open(&path).map(drop))
            })
            .collect();
        for worker in opened {
            worker.join().unwrap().unwrap();
        }
        let store = Sqlite::open(&path).unwrap();
        let version: i64 = store.conn().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, VERSION);
    }

    /// A state file written by the release before suggestions and live state (schema 1) keeps
    /// its schedules, decks and post log when this version opens it, and gains the new tables.
    #[test]
    fn a_version_1_file_keeps_its_data_after_migrating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch(MIGRATIONS[0]).unwrap();
            old.pragma_update(None, "user_version", 1).unwrap();
            old.execute_batch(
                "INSERT INTO schedules VALUES (7, 70, '09:00', 'Europe/Berlin', NULL, NULL, 1, 'discord', NULL,
                                              '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z');
                 INSERT INTO decks VALUES (7, 42, 3, 'insight:a');
                 INSERT INTO deck_shown VALUES (7, 3, 'insight:a');
                 INSERT INTO posts (guild_id, local_date, channel_id, item, cycle, position, total, nonce, payload,
                                    status, message_id, late, intended_at)
                 VALUES (7, '2025-01-02', 70, 'insight:a', 3, 1, 4, 'n', '{}', 'sent', 99, 0,
                         '2025-01-02T08:00:00.000Z');",
            )
            .unwrap();
        }
        let store = Sqlite::open(&path).unwrap();
        let version: i64 = store.conn().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, VERSION);
        let entry = store.entry(7).unwrap().unwrap();
        assert_eq!((entry.schedule.channel_id, entry.schedule.when()), (70, "09:00 Europe/Berlin".to_owned()));
        let deck = store.deck(7).unwrap();
        assert_eq!((deck.seed, deck.cycle, deck.last.as_deref()), (42, 3, Some("insight:a")));
        assert!(deck.shown.contains("insight:a"));
        let post = store.post_for(7, "2025-01-02".parse().unwrap()).unwrap().unwrap();
        assert_eq!(post.message_id, Some(99));
        assert_eq!(store.review_channel(7).unwrap(), None);
        store.set_review_channel(7, 71, Utc::now()).unwrap();
        assert_eq!(store.review_channel(7).unwrap(), Some(71));
        let follow = crate::live::Following {
            guild_id: 7,
            conference: "c".into(),
            channel_id: 70,
            rooms: Vec::new(),
            minutes_before: 5,
        };
        store.follow(&follow, crate::daily::Origin::Discord, Utc::now()).unwrap();
        store.set_room_channel(7, "Hall", Some(72)).unwrap();
        assert_eq!(store.following().unwrap()[0].rooms, [("Hall".to_owned(), 72)]);
        drop(store);
        // And again: an up-to-date file opens as it is.
        assert_eq!(Sqlite::open(&path).unwrap().following().unwrap().len(), 1);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        drop(Sqlite::open(&path).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(Sqlite::open(&path), Err(StoreError::TooNew { found: 99, .. })));
    }
}
