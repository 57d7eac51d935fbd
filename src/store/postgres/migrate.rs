//! `confbot state migrate`: copies a SQLite state file into an empty PostgreSQL database, every
//! table, in one transaction: ids kept, identity sequences moved past them, row counts checked
//! before the commit. The SQLite file is first brought up to date by opening it as a store,
//! then read in one read transaction (a consistent copy even if a bot still writes to it).

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use tokio_postgres::types::ToSql;

use super::{execute, query_one, Postgres};
use crate::store::StoreError;

/// How a SQLite column is read and written to PostgreSQL.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    /// SQLite's 0/1.
    Bool,
    Text,
    /// RFC 3339 text.
    Instant,
    /// `YYYY-MM-DD` text.
    Date,
}

/// A table and its columns, as both schemas name them.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    /// Has an identity `id` whose sequence must move past the copied ids.
    identity: bool,
}

use Kind::{Bool, Date, Instant, Int, Text};

/// Every table of the state, in SQLite's schema 3 plus what the lead's schema 4 adds (leases,
/// claim epochs). A column or table the SQLite file lacks is left out (PostgreSQL's default or
/// NULL); one this list lacks stops the copy, so nothing is silently dropped.
static TABLES: &[Table] = &[
    Table {
        name: "schedules",
        columns: &[
            ("guild_id", Int),
            ("channel_id", Int),
            ("time", Text),
            ("timezone", Text),
            ("topic", Text),
            ("conference", Text),
            ("enabled", Bool),
            ("origin", Text),
            ("post_now_for", Date),
            ("active_since", Instant),
            ("updated_at", Instant),
        ],
        identity: false,
    },
    Table {
        name: "decks",
        columns: &[("guild_id", Int), ("seed", Int), ("cycle", Int), ("last", Text)],
        identity: false,
    },
    Table { name: "deck_shown", columns: &[("guild_id", Int), ("cycle", Int), ("item", Text)], identity: false },
    Table {
        name: "posts",
        columns: &[
            ("id", Int),
            ("guild_id", Int),
            ("local_date", Date),
            ("channel_id", Int),
            ("item", Text),
            ("cycle", Int),
            ("position", Int),
            ("total", Int),
            ("nonce", Text),
            ("payload", Text),
            ("status", Text),
            ("message_id", Int),
            ("error", Text),
            ("attempts", Int),
            ("late", Bool),
            ("intended_at", Instant),
            ("next_attempt_at", Instant),
            ("finished_at", Instant),
            ("claim_epoch", Int),
        ],
        identity: true,
    },
    Table {
        name: "suggestions",
        columns: &[
            ("id", Int),
            ("guild_id", Int),
            ("author_id", Int),
            ("author_name", Text),
            ("credit", Bool),
            ("kind", Text),
            ("text", Text),
            ("folded", Text),
            ("talk", Text),
            ("speaker", Text),
            ("status", Text),
            ("global", Bool),
            ("created_at", Instant),
            ("decided_at", Instant),
            ("decided_by", Int),
            ("decided_by_name", Text),
            ("reason", Text),
            ("told", Bool),
            ("review_channel", Int),
            ("review_message", Int),
        ],
        identity: true,
    },
    Table {
        name: "review_channels",
        columns: &[("guild_id", Int), ("channel_id", Int), ("updated_at", Instant)],
        identity: false,
    },
    Table {
        name: "live_follows",
        columns: &[
            ("guild_id", Int),
            ("conference", Text),
            ("channel_id", Int),
            ("minutes_before", Int),
            ("origin", Text),
            ("updated_at", Instant),
        ],
        identity: false,
    },
    Table { name: "live_rooms", columns: &[("guild_id", Int), ("room", Text), ("channel_id", Int)], identity: false },
    Table {
        name: "outbox",
        columns: &[
            ("id", Int),
            ("key", Text),
            ("kind", Text),
            ("guild_id", Int),
            ("user_id", Int),
            ("channel_id", Int),
            ("nonce", Text),
            ("payload", Text),
            ("status", Text),
            ("message_id", Int),
            ("error", Text),
            ("attempts", Int),
            ("created_at", Instant),
            ("next_attempt_at", Instant),
            ("not_after", Instant),
            ("finished_at", Instant),
            ("claim_epoch", Int),
        ],
        identity: true,
    },
    Table {
        name: "announced",
        columns: &[("guild_id", Int), ("channel_id", Int), ("talk", Text), ("start", Instant), ("outbox_id", Int)],
        identity: false,
    },
    Table {
        name: "snapshots",
        columns: &[("conference", Text), ("snapshot", Text), ("updated_at", Instant)],
        identity: false,
    },
    Table { name: "bookmarks", columns: &[("user_id", Int), ("talk", Text), ("created_at", Instant)], identity: false },
    Table {
        name: "live_members",
        columns: &[("user_id", Int), ("remind_minutes", Int), ("dm_closed_at", Instant), ("dm_told", Bool)],
        identity: false,
    },
    Table {
        name: "leases",
        columns: &[("name", Text), ("holder", Text), ("epoch", Int), ("expires_at", Instant)],
        identity: false,
    },
    Table {
        name: "channel_insights",
        columns: &[("channel_id", Int), ("insight", Text), ("updated_at", Instant)],
        identity: false,
    },
];

/// Why the copy stopped. Nothing was committed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{0}: no such state file (the bot's `state` setting names it)")]
    NoFile(PathBuf),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading the state file: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the PostgreSQL database already holds confbot state ({0}); migrate into an empty database or schema, \
         or empty those tables first"
    )]
    NotEmpty(String),
    #[error("the state file has a {0} this confbot does not know: use the confbot version that wrote it")]
    Unknown(String),
    #[error("the state file's {table} row {row}: {column} holds {value}, which is not {expected}")]
    Value { table: &'static str, row: usize, column: &'static str, value: String, expected: &'static str },
    #[error("{table}: {expected} row(s) in the state file but {found} in PostgreSQL after copying")]
    Count { table: &'static str, expected: u64, found: u64 },
}

impl From<tokio_postgres::Error> for MigrateError {
    fn from(e: tokio_postgres::Error) -> MigrateError {
        MigrateError::Store(e.into())
    }
}

/// One table copied: its name and row count (the same on both sides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: &'static str,
    pub rows: u64,
}

/// A value on its way from SQLite to PostgreSQL.
#[derive(Debug)]
enum Value {
    Int(Option<i64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Instant(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
}

impl Value {
    fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Value::Int(v) => v,
            Value::Bool(v) => v,
            Value::Text(v) => v,
            Value::Instant(v) => v,
            Value::Date(v) => v,
        }
    }
}

/// One table read from SQLite: the columns it has, and its rows.
struct Rows {
    table: &'static Table,
    columns: Vec<(&'static str, Kind)>,
    rows: Vec<Vec<Value>>,
}

/// Copies the SQLite state file at `from` into `to`, which must hold no state yet, in one
/// transaction; returns each table's row count.
pub async fn copy_sqlite(from: &Path, to: &Postgres) -> Result<Vec<Copied>, MigrateError> {
    if !from.is_file() {
        return Err(MigrateError::NoFile(from.to_owned()));
    }
    // Brings an older file's schema up to date, exactly as the bot would on start.
    drop(crate::store::Store::open(from)?);
    let tables = read_sqlite(from)?;
    let mut client = to.client().await?;
    let tx = client.transaction().await?;
    let mut held = Vec::new();
    for table in TABLES {
        let n = count(&tx, table.name).await?;
        if n > 0 {
            held.push(format!("{}: {n} row(s)", table.name));
        }
    }
    if !held.is_empty() {
        return Err(MigrateError::NotEmpty(held.join(", ")));
    }
    let mut copied = Vec::new();
    for t in &tables {
        let names: Vec<&str> = t.columns.iter().map(|(name, _)| *name).collect();
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let sql = format!("INSERT INTO {} ({}) VALUES ({})", t.table.name, names.join(", "), placeholders.join(", "));
        let statement = tx.prepare(&sql).await?;
        for row in &t.rows {
            let params: Vec<&(dyn ToSql + Sync)> = row.iter().map(Value::as_sql).collect();
            tx.execute(&statement, &params).await?;
        }
        if t.table.identity {
            // New rows must not collide with the copied ids.
            let name = t.table.name;
            execute(
                &tx,
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"
                ),
                &[],
            )
            .await?;
        }
        let (expected, found) = (t.rows.len() as u64, count(&tx, t.table.name).await?);
        if found != expected {
            return Err(MigrateError::Count { table: t.table.name, expected, found });
        }
        copied.push(Copied { table: t.table.name, rows: found });
    }
    tx.commit().await?;
    Ok(copied)
}

async fn count(tx: &deadpool_postgres::Transaction<'_>, table: &str) -> Result<u64, MigrateError> {
    let n: i64 = query_one(tx, &format!("SELECT count(*) FROM {table}"), &[]).await?.try_get(0)?;
    Ok(n as u64)
}

/// Every table of the file, read in one read transaction; refuses tables and columns that
/// [`TABLES`] does not know.
fn read_sqlite(path: &Path) -> Result<Vec<Rows>, MigrateError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let snapshot = conn.unchecked_transaction()?;
    let present: Vec<String> = snapshot
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    // SQLite's `events` carries notifications between processes for a moment; PostgreSQL has
    // NOTIFY instead, and nothing in it is state.
    let present: Vec<String> = present.into_iter().filter(|name| name != "events").collect();
    if let Some(unknown) = present.iter().find(|name| !TABLES.iter().any(|t| t.name == name.as_str())) {
        return Err(MigrateError::Unknown(format!("table `{unknown}`")));
    }
    let mut tables = Vec::new();
    for table in TABLES.iter().filter(|t| present.iter().any(|name| name == t.name)) {
        let has: Vec<String> = snapshot
            .prepare(&format!("SELECT name FROM pragma_table_info('{}')", table.name))?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if let Some(unknown) = has.iter().find(|c| !table.columns.iter().any(|(name, _)| name == c)) {
            return Err(MigrateError::Unknown(format!("column `{}.{unknown}`", table.name)));
        }
        let columns: Vec<(&str, Kind)> =
            table.columns.iter().copied().filter(|(name, _)| has.iter().any(|c| c == name)).collect();
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let mut statement =
            snapshot.prepare(&format!("SELECT {} FROM {} ORDER BY rowid", names.join(", "), table.name))?;
        let mut found = statement.query([])?;
        let mut rows = Vec::new();
        while let Some(row) = found.next()? {
            let values = columns
                .iter()
                .enumerate()
                .map(|(i, &(column, kind))| convert(row.get_ref(i)?, kind, table.name, rows.len() + 1, column))
                .collect::<Result<Vec<_>, MigrateError>>()?;
            rows.push(values);
        }
        drop(found);
        drop(statement);
        tables.push(Rows { table, columns, rows });
    }
    Ok(tables)
}

/// One SQLite value as the PostgreSQL column wants it.
fn convert(
    value: ValueRef<'_>,
    kind: Kind,
    table: &'static str,
    row: usize,
    column: &'static str,
) -> Result<Value, MigrateError> {
    let wrong = |expected: &'static str| MigrateError::Value { table, row, column, value: describe(value), expected };
    let text = || match value {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).map(Some).map_err(|_| wrong("UTF-8 text")),
        _ => Err(wrong("text")),
    };
    if matches!(value, ValueRef::Null) {
        return Ok(match kind {
            Int => Value::Int(None),
            Bool => Value::Bool(None),
            Text => Value::Text(None),
            Instant => Value::Instant(None),
            Date => Value::Date(None),
        });
    }
    Ok(match kind {
        Int => match value {
            ValueRef::Integer(n) => Value::Int(Some(n)),
            _ => return Err(wrong("an integer")),
        },
        Bool => match value {
            ValueRef::Integer(n) => Value::Bool(Some(n != 0)),
            _ => return Err(wrong("0 or 1")),
        },
        Text => Value::Text(text()?.map(str::to_owned)),
        Instant => {
            let parsed =
                text()?.map(DateTime::parse_from_rfc3339).transpose().map_err(|_| wrong("an RFC 3339 instant"))?;
            Value::Instant(parsed.map(|t| t.with_timezone(&Utc)))
        }
        Date => Value::Date(text()?.map(str::parse).transpose().map_err(|_| wrong("a YYYY-MM-DD date"))?),
    })
}

fn describe(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("a blob of {} bytes", b.len()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::Duration;

    use super::*;
    use crate::catalogue::InsightKind;
    use crate::community::{Decision, Limits, NewSuggestion, Status as Review};
    use crate::daily::{NewPost, Origin, Pick, Schedule, Status};
    use crate::live::changes::SnapshotTalk;
    use crate::live::outbox::{Kind as Sent, NewOutgoing, Target};
    use crate::live::{Following, Snapshot};
    use crate::store::postgres::test_url;
    use crate::store::Store;
    use crate::zones::parse_time;

    fn at(minutes: i64) -> DateTime<Utc> {
        // Not on a millisecond: both stores cut it the same way.
        "2025-01-01T10:00:00.123456Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
    }

    fn schedule(guild: u64) -> Schedule {
        Schedule {
            guild_id: guild,
            channel_id: guild * 10,
            time: parse_time("09:30").unwrap(),
            zone: chrono_tz::Europe::Berlin,
            topic: Some("python".into()),
            conference: (guild == 2).then(|| "pycon".into()),
            enabled: true,
        }
    }

    fn post(date: &str, item: &str) -> NewPost {
        NewPost {
            guild_id: 1,
            local_date: date.parse().unwrap(),
            channel_id: 10,
            pick: Pick { id: item.into(), cycle: 2, position: 3, total: 9 },
            nonce: format!("n-{date}"),
            payload: format!(r#"{{"content": "{item} ✓",  "embeds": []}}"#),
            late: date.ends_with('2'),
            at: at(0),
        }
    }

    fn outgoing(key: &str, kind: Sent, target: Target) -> NewOutgoing {
        NewOutgoing {
            key: key.into(),
            kind,
            target,
            nonce: crate::live::outbox::nonce(key),
            payload: format!(r#"{{"content":"{key}"}}"#),
            not_after: at(30),
            at: at(1),
        }
    }

    fn suggestion(author: u64, text: &str) -> NewSuggestion {
        NewSuggestion {
            guild_id: 7,
            author_id: author,
            author_name: format!("member {author}"),
            credit: author % 2 == 0,
            kind: if author == 3 { InsightKind::Quote } else { InsightKind::Insight },
            text: text.into(),
            talk: "talk-1".into(),
            speaker: (author == 2).then(|| "speaker-1".into()),
            at: at(author as i64),
        }
    }

    /// A state file with every kind of row, written through the store's own methods.
    fn fill(store: &Store) {
        store.sync_config(&[schedule(2), schedule(3)], at(0)).unwrap();
        store.set_last_insight(70, "insight:a", at(0)).unwrap();
        store.set_schedule(&schedule(1), at(0)).unwrap();
        store.disable(3, at(1)).unwrap();
        let pending = store.begin_post(&post("2025-01-01", "insight:a")).unwrap();
        store.retry_later(pending.id, "502 Bad Gateway", at(5)).unwrap();
        let sent = store.begin_post(&post("2025-01-02", "insight:b")).unwrap();
        store.mark_sent(sent.id, 1_234_567_890_123_456_789, at(2)).unwrap();
        let failed = store.begin_post(&post("2025-01-03", "talk:c")).unwrap();
        store.give_up(failed.id, Status::Failed, "403 Missing Access", at(3)).unwrap();
        let missed = store.begin_post(&post("2025-01-04", "talk:d")).unwrap();
        store.give_up(missed.id, Status::Missed, "the day ended", at(4)).unwrap();
        store.log_failure(2, "2025-01-01".parse().unwrap(), 20, "nothing matches", at(5)).unwrap();
        store.request_now(1, "2025-01-05".parse().unwrap()).unwrap();

        store.set_review_channel(7, 70, at(0)).unwrap();
        let limits = Limits::default();
        let ids: Vec<i64> = (1..=4)
            .map(|author| store.suggest(&suggestion(author, &format!("Thought number {author} here")), limits))
            .map(|s| s.unwrap().unwrap().id)
            .collect();
        let decision = |by: u64| Decision { by_id: by, by_name: format!("mod {by}"), at: at(9), reason: None };
        store.decide(7, ids[0], Review::Approved, &decision(8)).unwrap();
        store
            .decide(7, ids[1], Review::Rejected, &Decision { reason: Some("off topic".into()), ..decision(9) })
            .unwrap();
        store.edit(7, ids[0], "Thought number one, edited", "talk-2", Some("speaker-2")).unwrap();
        store.set_global(7, ids[0], true).unwrap();
        store.set_review_message(ids[2], 70, 700).unwrap();
        store.mark_told(&[ids[1]]).unwrap();

        let follow = Following {
            guild_id: 1,
            conference: "pycon".into(),
            channel_id: 11,
            rooms: vec![("Hall B".into(), 12), ("Hall A".into(), 13)],
            minutes_before: 5,
        };
        store.sync_live_config(std::slice::from_ref(&follow), at(0)).unwrap();
        store.follow(&Following { conference: "europython".into(), ..follow }, Origin::Discord, at(1)).unwrap();
        store.set_room_channel(1, "Room Ω", Some(14)).unwrap();
        let sessions = vec![("talk-1".to_owned(), at(30)), ("talk-2".to_owned(), at(30))];
        let channel = Target::Channel { guild_id: 1, channel_id: 11 };
        let announced = store.begin_announcement(&outgoing("a1", Sent::Announcement, channel), &sessions).unwrap();
        store.outgoing_sent(announced.unwrap().id, 99, at(2)).unwrap();
        let dm = store.begin_outgoing(&outgoing("r1", Sent::Reminder, Target::User { user_id: 5 })).unwrap().unwrap();
        store.set_outgoing_channel(dm.id, 55).unwrap();
        store.outgoing_retry(dm.id, "429", at(3)).unwrap();
        let late = store.begin_outgoing(&outgoing("r2", Sent::Reminder, Target::User { user_id: 6 })).unwrap().unwrap();
        store.outgoing_done(late.id, Status::Missed, "too late", at(40)).unwrap();
        let talk = SnapshotTalk {
            id: "talk-1".into(),
            title: "Typing, “quoted”".into(),
            start: Some(at(30)),
            end: None,
            room: Some("Hall A".into()),
        };
        let snapshot = Snapshot { talks: BTreeMap::from([("talk-1".to_owned(), talk)]) };
        store.save_snapshot("pycon", &snapshot, &[outgoing("n1", Sent::Notice, channel)], &[], at(4)).unwrap();

        store.toggle_bookmark(5, "talk-2", 10, at(1)).unwrap();
        store.toggle_bookmark(5, "talk-1", 10, at(2)).unwrap();
        store.toggle_bookmark(6, "talk-1", 10, at(2)).unwrap();
        store.set_remind_minutes(5, 15).unwrap();
        store.dms_closed(6, at(3)).unwrap();
        store.dms_closed(8, at(3)).unwrap();
        store.take_dm_notice(8).unwrap();
    }

    /// Leases come with SQLite's schema 4 (the lead's); until then the test makes the table.
    fn add_lease(path: &Path) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, epoch INTEGER NOT NULL,
                                                expires_at TEXT NOT NULL);
             INSERT INTO leases VALUES ('daily', 'worker-1', 3, '2999-01-01T00:00:00.000Z');",
        )
        .unwrap();
    }

    #[tokio::test]
    async fn every_table_is_copied_and_reads_back_the_same() {
        let Some(url) = test_url() else { return };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let sqlite = Store::open(&path).unwrap();
        fill(&sqlite);
        add_lease(&path);
        let pg = Postgres::scratch(&url).await.unwrap();
        let copied = copy_sqlite(&path, &pg).await.unwrap();
        let rows = |table: &str| copied.iter().find(|c| c.table == table).unwrap().rows;
        let expected = [
            ("schedules", 3),
            ("decks", 3),
            ("deck_shown", 2),
            ("posts", 5),
            ("suggestions", 4),
            ("review_channels", 1),
            ("live_follows", 2),
            ("live_rooms", 3),
            ("outbox", 4),
            ("announced", 2),
            ("snapshots", 1),
            ("bookmarks", 3),
            ("live_members", 3),
            ("leases", 1),
            ("channel_insights", 1),
        ];
        for (table, n) in expected {
            assert_eq!(rows(table), n, "{table}");
        }
        assert_eq!(copied.len(), expected.len());

        let (good, bad) = sqlite.entries().unwrap();
        let (pg_good, pg_bad) = pg.entries().await.unwrap();
        assert_eq!((good, bad.len()), (pg_good, pg_bad.len()));
        for guild in [1, 2, 3, 4] {
            assert_eq!(sqlite.entry(guild).unwrap(), pg.entry(guild).await.unwrap());
            assert_eq!(sqlite.deck(guild).unwrap(), pg.deck(guild).await.unwrap());
            assert_eq!(sqlite.recent_posts(guild, 100).unwrap(), pg.recent_posts(guild, 100).await.unwrap());
        }
        assert_eq!(sqlite.pending().unwrap(), pg.pending().await.unwrap());
        for date in ["2025-01-01", "2025-01-03"] {
            let date = date.parse().unwrap();
            assert_eq!(sqlite.post_for(1, date).unwrap(), pg.post_for(1, date).await.unwrap());
        }
        for status in [Review::Pending, Review::Approved, Review::Rejected] {
            assert_eq!(sqlite.suggestions(None, status).unwrap(), pg.suggestions(None, status).await.unwrap());
        }
        for author in 1..=4 {
            assert_eq!(sqlite.untold(author, 10).unwrap(), pg.untold(author, 10).await.unwrap());
        }
        assert_eq!(sqlite.review_channel(7).unwrap(), pg.review_channel(7).await.unwrap());
        assert_eq!(sqlite.following().unwrap(), pg.following().await.unwrap());
        assert_eq!(sqlite.last_insight(70).unwrap(), pg.last_insight(70).await.unwrap());
        assert_eq!(sqlite.recent_outgoing(100).unwrap(), pg.recent_outgoing(100).await.unwrap());
        assert_eq!(sqlite.pending_outgoing().unwrap(), pg.pending_outgoing().await.unwrap());
        let sessions = [("talk-1".to_owned(), at(30)), ("talk-3".to_owned(), at(30)), ("talk-2".to_owned(), at(31))];
        assert_eq!(pg.announced(1, 11, &sessions).await.unwrap(), [true, false, false]);
        assert_eq!(sqlite.announced(1, 11, &sessions).unwrap(), [true, false, false]);
        assert_eq!(sqlite.snapshot("pycon").unwrap(), pg.snapshot("pycon").await.unwrap());
        assert_eq!(sqlite.all_bookmarks().unwrap(), pg.all_bookmarks().await.unwrap());
        for user in [5, 6, 8, 9] {
            assert_eq!(sqlite.bookmarks_of(user).unwrap(), pg.bookmarks_of(user).await.unwrap());
            assert_eq!(sqlite.remind_minutes(user).unwrap(), pg.remind_minutes(user).await.unwrap());
            assert_eq!(sqlite.take_dm_notice(user).unwrap(), pg.take_dm_notice(user).await.unwrap());
        }
        let ttl = Duration::minutes(1);
        assert_eq!(pg.lease("daily", "worker-2", at(0), ttl).await.unwrap(), None, "still held");
        assert_eq!(pg.lease("daily", "worker-1", at(0), ttl).await.unwrap(), Some(3), "its epoch kept");

        // New rows get ids past the copied ones.
        let newest = pg.begin_post(&post("2025-02-01", "insight:z")).await.unwrap();
        assert_eq!(newest.id, 6, "posts 1 to 5 were copied");
        let added = pg.suggest(&suggestion(9, "A brand new thought"), Limits::default()).await.unwrap().unwrap();
        assert_eq!(added.id, 5);

        // A second copy finds state there and says so, changing nothing.
        let again = copy_sqlite(&path, &pg).await.unwrap_err();
        assert!(matches!(&again, MigrateError::NotEmpty(held) if held.contains("posts: 6 row(s)")), "{again}");
        assert!(matches!(copy_sqlite(&dir.path().join("none.db"), &pg).await, Err(MigrateError::NoFile(_))));
    }

    #[tokio::test]
    async fn a_table_or_column_it_does_not_know_stops_the_copy() {
        let Some(url) = test_url() else { return };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        drop(Store::open(&path).unwrap());
        Connection::open(&path).unwrap().execute_batch("ALTER TABLE posts ADD COLUMN mood TEXT").unwrap();
        let pg = Postgres::scratch(&url).await.unwrap();
        let refused = copy_sqlite(&path, &pg).await.unwrap_err();
        assert!(matches!(&refused, MigrateError::Unknown(what) if what == "column `posts.mood`"), "{refused}");
    }
}
