//! Live state: which servers follow which conference's programme (and where), the outbox of
//! announcements, change notices and reminders with the sessions each announced, the schedule
//! snapshots changes are measured against, and members' bookmarks and reminder settings.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{id_from_sql, id_sql, instant_text, read_instant, Sqlite};
use crate::daily::Origin;
use crate::live::due::Bookmark;
use crate::live::outbox::{Kind, NewOutgoing, Outgoing, Status, Target};
use crate::live::{Following, Snapshot};
use crate::store::{StoreError, Toggle, REMIND_MINUTES};

/// The SQL that adds the live tables (a migration step of [`super::MIGRATIONS`]).
pub(super) const MIGRATION: &str = r#"
CREATE TABLE live_follows (
    guild_id       INTEGER NOT NULL,
    conference     TEXT NOT NULL,           -- conference id
    channel_id     INTEGER NOT NULL,        -- the programme channel
    minutes_before INTEGER NOT NULL,
    origin         TEXT NOT NULL CHECK (origin IN ('config', 'discord')),
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (guild_id, conference)
);
CREATE TABLE live_rooms (
    guild_id   INTEGER NOT NULL,
    room       TEXT NOT NULL,
    channel_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, room)
);
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,   -- what the message is about: the exactly-once rule
    kind            TEXT NOT NULL CHECK (kind IN ('announcement', 'notice', 'reminder')),
    guild_id        INTEGER,                -- a channel's server, or NULL for a DM
    user_id         INTEGER,                -- a DM's recipient
    channel_id      INTEGER,                -- NULL until a DM channel is opened
    nonce           TEXT NOT NULL,
    payload         TEXT NOT NULL,          -- the exact message JSON, re-sent as is
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'missed')),
    message_id      INTEGER,
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT,
    not_after       TEXT NOT NULL,          -- not worth sending after this instant
    finished_at     TEXT
);
CREATE INDEX outbox_pending ON outbox (status) WHERE status = 'pending';
CREATE TABLE announced (
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    talk       TEXT NOT NULL,
    start      TEXT NOT NULL,
    outbox_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id, talk, start)  -- one announcement per session and start
);
CREATE TABLE snapshots (
    conference TEXT PRIMARY KEY,
    snapshot   TEXT NOT NULL,               -- JSON: the schedule last compared
    updated_at TEXT NOT NULL
);
CREATE TABLE bookmarks (
    user_id    INTEGER NOT NULL,
    talk       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, talk)
);
CREATE TABLE live_members (
    user_id        INTEGER PRIMARY KEY,
    remind_minutes INTEGER,
    dm_closed_at   TEXT,                    -- Discord refused a DM (50007)
    dm_told        INTEGER NOT NULL DEFAULT 1  -- the member was told since
);
"#;

const COLUMNS: &str = "id, key, kind, guild_id, user_id, channel_id, nonce, payload, status, message_id, error, \
                       attempts, created_at, next_attempt_at, not_after";

type Raw = (i64, String, String, Option<i64>, Option<i64>, Option<i64>, String, String, String, Option<i64>);
type RawTail = (Option<String>, u32, String, Option<String>, String);

fn raw(row: &Row<'_>) -> rusqlite::Result<(Raw, RawTail)> {
    Ok((
        (
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
            row.get(6)?,
            row.get(7)?,
            row.get(8)?,
            row.get(9)?,
        ),
        (row.get(10)?, row.get(11)?, row.get(12)?, row.get(13)?, row.get(14)?),
    ))
}

fn outgoing((head, tail): (Raw, RawTail)) -> Result<Outgoing, StoreError> {
    let (id, key, kind, guild, user, channel, nonce, payload, status, message_id) = head;
    let (error, attempts, created_at, next_attempt_at, not_after) = tail;
    let target = match (guild, user, channel) {
        (Some(g), _, Some(c)) => Target::Channel { guild_id: id_from_sql(g), channel_id: id_from_sql(c) },
        (None, Some(u), _) => Target::User { user_id: id_from_sql(u) },
        _ => return Err(StoreError::Corrupt(format!("outbox row {id} has no target"))),
    };
    Ok(Outgoing {
        id,
        key,
        kind: Kind::parse(&kind).map_err(StoreError::Corrupt)?,
        target,
        channel_id: channel.map(id_from_sql),
        nonce,
        payload,
        status: Status::parse(&status).map_err(StoreError::Corrupt)?,
        message_id: message_id.map(id_from_sql),
        error,
        attempts,
        created_at: read_instant(&created_at)?,
        next_attempt_at: next_attempt_at.as_deref().map(read_instant).transpose()?,
        not_after: read_instant(&not_after)?,
    })
}

impl Sqlite {
    /// Every server's follows, with their room channels.
    pub fn following(&self) -> Result<Vec<Following>, StoreError> {
        let conn = self.conn();
        let mut rooms: Vec<(u64, String, u64)> = Vec::new();
        for row in conn
            .prepare_cached("SELECT guild_id, room, channel_id FROM live_rooms ORDER BY guild_id, room")?
            .query_map([], |r| Ok((id_from_sql(r.get(0)?), r.get(1)?, id_from_sql(r.get(2)?))))?
        {
            rooms.push(row?);
        }
        let mut follows = Vec::new();
        let mut statement = conn.prepare_cached(
            "SELECT guild_id, conference, channel_id, minutes_before FROM live_follows ORDER BY guild_id, conference",
        )?;
        for row in statement.query_map([], |r| {
            Ok((id_from_sql(r.get(0)?), r.get::<_, String>(1)?, id_from_sql(r.get(2)?), r.get::<_, u32>(3)?))
        })? {
            let (guild_id, conference, channel_id, minutes_before) = row?;
            let rooms = rooms.iter().filter(|(g, _, _)| *g == guild_id).map(|(_, r, c)| (r.clone(), *c)).collect();
            follows.push(Following { guild_id, conference, channel_id, rooms, minutes_before });
        }
        Ok(follows)
    }

    /// `/live set` (or a config `[[live]]`): a server follows a conference's programme. A
    /// setting made in Discord is not overwritten by the config.
    pub fn follow(&self, f: &Following, origin: Origin, at: DateTime<Utc>) -> Result<(), StoreError> {
        let origin_text = match origin {
            Origin::Config => "config",
            Origin::Discord => "discord",
        };
        self.conn()
            .prepare_cached(
                "INSERT INTO live_follows (guild_id, conference, channel_id, minutes_before, origin, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (guild_id, conference) DO UPDATE SET
                     channel_id = excluded.channel_id, minutes_before = excluded.minutes_before,
                     origin = excluded.origin, updated_at = excluded.updated_at
                 WHERE excluded.origin = 'discord' OR live_follows.origin = 'config'",
            )?
            .execute(params![
                id_sql(f.guild_id),
                f.conference,
                id_sql(f.channel_id),
                f.minutes_before,
                origin_text,
                instant_text(at)
            ])?;
        Ok(())
    }

    /// Makes the config's `[[live]]` entries the starting point: follows the config made and
    /// no longer lists are dropped; those set with `/live` stay as they are.
    pub fn sync_live_config(&self, follows: &[Following], at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn().prepare_cached("DELETE FROM live_follows WHERE origin = 'config'")?.execute([])?;
        for f in follows {
            self.follow(f, Origin::Config, at)?;
            for (room, channel) in &f.rooms {
                self.set_room_channel(f.guild_id, room, Some(*channel))?;
            }
        }
        Ok(())
    }

    /// `/live room`: a room's sessions are also announced in `channel`; `None` stops that.
    pub fn set_room_channel(&self, guild_id: u64, room: &str, channel: Option<u64>) -> Result<(), StoreError> {
        let conn = self.conn();
        match channel {
            Some(c) => conn
                .prepare_cached(
                    "INSERT INTO live_rooms (guild_id, room, channel_id) VALUES (?1, ?2, ?3)
                     ON CONFLICT (guild_id, room) DO UPDATE SET channel_id = excluded.channel_id",
                )?
                .execute(params![id_sql(guild_id), room, id_sql(c)])?,
            None => conn
                .prepare_cached("DELETE FROM live_rooms WHERE guild_id = ?1 AND room = ?2")?
                .execute(params![id_sql(guild_id), room])?,
        };
        Ok(())
    }

    /// `/live off`: the server follows nothing any more; returns how many follows it had.
    pub fn unfollow(&self, guild_id: u64) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.prepare_cached("DELETE FROM live_follows WHERE guild_id = ?1")?.execute([id_sql(guild_id)])?;
        tx.prepare_cached("DELETE FROM live_rooms WHERE guild_id = ?1")?.execute([id_sql(guild_id)])?;
        tx.commit()?;
        Ok(n)
    }

    /// Step 1 of sending an announcement: logs the intent and the sessions it announces, in
    /// one transaction. `None` when any of them was announced in that channel already: the
    /// caller leaves it out and builds the message again.
    pub fn begin_announcement(
        &self,
        new: &NewOutgoing,
        sessions: &[(String, DateTime<Utc>)],
    ) -> Result<Option<Outgoing>, StoreError> {
        let Target::Channel { guild_id, channel_id } = new.target else {
            return Err(StoreError::Corrupt("an announcement goes to a channel".into()));
        };
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let Some(id) = insert(&tx, new)? else { return Ok(None) };
        for (talk, start) in sessions {
            let added = tx
                .prepare_cached(
                    "INSERT INTO announced (guild_id, channel_id, talk, start, outbox_id) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![id_sql(guild_id), id_sql(channel_id), talk, instant_text(*start), id])?;
            if added == 0 {
                return Ok(None); // dropped without commit: nothing was logged
            }
        }
        let row = read(&tx, id)?;
        tx.commit()?;
        Ok(Some(row))
    }

    /// Which of `sessions` were announced in a channel already.
    pub fn announced(
        &self,
        guild_id: u64,
        channel_id: u64,
        sessions: &[(String, DateTime<Utc>)],
    ) -> Result<Vec<bool>, StoreError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT 1 FROM announced WHERE guild_id = ?1 AND channel_id = ?2 AND talk = ?3 AND start = ?4",
        )?;
        sessions
            .iter()
            .map(|(talk, start)| {
                Ok(statement
                    .query_row(params![id_sql(guild_id), id_sql(channel_id), talk, instant_text(*start)], |_| Ok(()))
                    .optional()?
                    .is_some())
            })
            .collect()
    }

    /// Step 1 of a notice or a reminder: logs the intent; `None` when its key was logged before.
    pub fn begin_outgoing(&self, new: &NewOutgoing) -> Result<Option<Outgoing>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let Some(id) = insert(&tx, new)? else { return Ok(None) };
        let row = read(&tx, id)?;
        tx.commit()?;
        Ok(Some(row))
    }

    /// A DM's channel, once opened, so a resend or a lookup goes to the same place.
    pub fn set_outgoing_channel(&self, id: i64, channel_id: u64) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("UPDATE outbox SET channel_id = ?2 WHERE id = ?1")?
            .execute(params![id, id_sql(channel_id)])?;
        Ok(())
    }

    /// Step 3: Discord accepted it as `message_id`.
    pub fn outgoing_sent(&self, id: i64, message_id: u64, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET status = 'sent', message_id = ?2, error = NULL, next_attempt_at = NULL,
                 finished_at = ?3, attempts = attempts + 1 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, id_sql(message_id), instant_text(at)])?;
        Ok(())
    }

    /// A transient failure: try again at `next_at`.
    pub fn outgoing_retry(&self, id: i64, error: &str, next_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET error = ?2, next_attempt_at = ?3, attempts = attempts + 1
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, error, instant_text(next_at)])?;
        Ok(())
    }

    /// Gives an intent up: `Failed` (refused) or `Missed` (too late to matter).
    pub fn outgoing_done(&self, id: i64, status: Status, error: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET status = ?2, error = ?3, next_attempt_at = NULL, finished_at = ?4
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, status.as_str(), error, instant_text(at)])?;
        Ok(())
    }

    /// Every unfinished intent, oldest first.
    pub fn pending_outgoing(&self) -> Result<Vec<Outgoing>, StoreError> {
        self.select_outgoing("WHERE status = 'pending' ORDER BY id", params![])
    }

    /// The outbox, newest first, at most `limit` rows: what `/live show` and tests read.
    pub fn recent_outgoing(&self, limit: usize) -> Result<Vec<Outgoing>, StoreError> {
        self.select_outgoing("ORDER BY id DESC LIMIT ?1", params![limit as i64])
    }

    fn select_outgoing(&self, tail: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Outgoing>, StoreError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM outbox {tail}"))?;
        let rows = statement.query_map(args, raw)?;
        rows.map(|r| outgoing(r?)).collect()
    }

    /// The schedule of a conference as last compared, if it ever was.
    pub fn snapshot(&self, conference: &str) -> Result<Option<Snapshot>, StoreError> {
        let text: Option<String> = self
            .conn()
            .prepare_cached("SELECT snapshot FROM snapshots WHERE conference = ?1")?
            .query_row([conference], |r| r.get(0))
            .optional()?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("snapshot: {e}")))).transpose()
    }

    /// Records a conference's new schedule and the notices its changes call for, in one
    /// transaction: a kill leaves both or neither, so each change is noticed exactly once.
    /// Notices whose key was logged before are skipped. `renamed` talks (a re-import gave them
    /// new ids) keep their bookmarks under the new id.
    pub fn save_snapshot(
        &self,
        conference: &str,
        snapshot: &Snapshot,
        notices: &[NewOutgoing],
        renamed: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(snapshot).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.prepare_cached(
            "INSERT INTO snapshots (conference, snapshot, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (conference) DO UPDATE SET snapshot = excluded.snapshot, updated_at = excluded.updated_at",
        )?
        .execute(params![conference, text, instant_text(at)])?;
        for notice in notices {
            insert(&tx, notice)?;
        }
        for (old, new) in renamed {
            tx.prepare_cached("UPDATE OR IGNORE bookmarks SET talk = ?2 WHERE talk = ?1")?.execute([old, new])?;
            tx.prepare_cached("DELETE FROM bookmarks WHERE talk = ?1")?.execute([old])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// "Remind me": bookmarks a talk for a user, or removes the bookmark when there is one.
    /// Returns whether the talk is bookmarked now; refuses a new one beyond `limit`.
    pub fn toggle_bookmark(
        &self,
        user_id: u64,
        talk: &str,
        limit: usize,
        at: DateTime<Utc>,
    ) -> Result<Toggle, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let removed = tx
            .prepare_cached("DELETE FROM bookmarks WHERE user_id = ?1 AND talk = ?2")?
            .execute(params![id_sql(user_id), talk])?;
        let result = if removed > 0 {
            Toggle::Removed
        } else {
            let held: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM bookmarks WHERE user_id = ?1")?
                .query_row([id_sql(user_id)], |r| r.get(0))?;
            if held as usize >= limit {
                return Ok(Toggle::Full);
            }
            tx.prepare_cached("INSERT INTO bookmarks (user_id, talk, created_at) VALUES (?1, ?2, ?3)")?
                .execute(params![id_sql(user_id), talk, instant_text(at)])?;
            Toggle::Added
        };
        tx.commit()?;
        Ok(result)
    }

    /// A user's bookmarked talk ids, oldest first.
    pub fn bookmarks_of(&self, user_id: u64) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut statement =
            conn.prepare_cached("SELECT talk FROM bookmarks WHERE user_id = ?1 ORDER BY created_at, talk")?;
        let rows = statement.query_map([id_sql(user_id)], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `/mine clear`: deletes every bookmark of a user; returns how many there were.
    pub fn clear_bookmarks(&self, user_id: u64) -> Result<usize, StoreError> {
        Ok(self.conn().prepare_cached("DELETE FROM bookmarks WHERE user_id = ?1")?.execute([id_sql(user_id)])?)
    }

    /// Every bookmark with its user's lead time, for the reminder loop.
    pub fn all_bookmarks(&self) -> Result<Vec<Bookmark>, StoreError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT b.user_id, b.talk, m.remind_minutes FROM bookmarks b
             LEFT JOIN live_members m ON m.user_id = b.user_id ORDER BY b.user_id, b.talk",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(Bookmark {
                user_id: id_from_sql(r.get(0)?),
                talk_id: r.get(1)?,
                minutes_before: r.get::<_, Option<u32>>(2)?.unwrap_or(REMIND_MINUTES),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `/remind minutes:`: the user's lead time for reminders.
    pub fn set_remind_minutes(&self, user_id: u64, minutes: u32) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO live_members (user_id, remind_minutes) VALUES (?1, ?2)
                 ON CONFLICT (user_id) DO UPDATE SET remind_minutes = excluded.remind_minutes",
            )?
            .execute(params![id_sql(user_id), minutes])?;
        Ok(())
    }

    /// The user's lead time for reminders.
    pub fn remind_minutes(&self, user_id: u64) -> Result<u32, StoreError> {
        let minutes: Option<Option<u32>> = self
            .conn()
            .prepare_cached("SELECT remind_minutes FROM live_members WHERE user_id = ?1")?
            .query_row([id_sql(user_id)], |r| r.get(0))
            .optional()?;
        Ok(minutes.flatten().unwrap_or(REMIND_MINUTES))
    }

    /// Discord refused to DM the user (their DMs are closed): remember it, to tell them once.
    pub fn dms_closed(&self, user_id: u64, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO live_members (user_id, dm_closed_at, dm_told) VALUES (?1, ?2, 0)
                 ON CONFLICT (user_id) DO UPDATE SET dm_closed_at = excluded.dm_closed_at, dm_told = 0",
            )?
            .execute(params![id_sql(user_id), instant_text(at)])?;
        Ok(())
    }

    /// When the user's DMs were found closed and they have not been told yet: marks them told.
    pub fn take_dm_notice(&self, user_id: u64) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let closed: Option<String> = tx
            .prepare_cached("SELECT dm_closed_at FROM live_members WHERE user_id = ?1 AND dm_told = 0")?
            .query_row([id_sql(user_id)], |r| r.get(0))
            .optional()?
            .flatten();
        tx.prepare_cached("UPDATE live_members SET dm_told = 1 WHERE user_id = ?1")?.execute([id_sql(user_id)])?;
        tx.commit()?;
        closed.as_deref().map(read_instant).transpose()
    }
}

/// Inserts an intent; `None` when its key is in the outbox already.
fn insert(tx: &rusqlite::Transaction<'_>, new: &NewOutgoing) -> Result<Option<i64>, StoreError> {
    let (guild, user, channel) = match new.target {
        Target::Channel { guild_id, channel_id } => (Some(id_sql(guild_id)), None, Some(id_sql(channel_id))),
        Target::User { user_id } => (None, Some(id_sql(user_id)), None),
    };
    let inserted = tx
        .prepare_cached(
            "INSERT INTO outbox (key, kind, guild_id, user_id, channel_id, nonce, payload, status, created_at, not_after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9)
             ON CONFLICT (key) DO NOTHING",
        )?
        .execute(params![
            new.key,
            new.kind.as_str(),
            guild,
            user,
            channel,
            new.nonce,
            new.payload,
            instant_text(new.at),
            instant_text(new.not_after)
        ])?;
    Ok((inserted > 0).then(|| tx.last_insert_rowid()))
}

fn read(tx: &rusqlite::Transaction<'_>, id: i64) -> Result<Outgoing, StoreError> {
    outgoing(tx.prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"))?.query_row([id], raw)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn announcement(key: &str, at: DateTime<Utc>) -> NewOutgoing {
        NewOutgoing {
            key: key.into(),
            kind: Kind::Announcement,
            target: Target::Channel { guild_id: 1, channel_id: 2 },
            nonce: crate::live::outbox::nonce(key),
            payload: "{}".into(),
            not_after: at,
            at,
        }
    }

    #[test]
    fn a_session_is_announced_once_per_channel_and_start() {
        let store = Sqlite::open_in_memory().unwrap();
        let at = Utc::now();
        let sessions = vec![("a".to_owned(), at), ("b".to_owned(), at)];
        let first = store.begin_announcement(&announcement("k1", at), &sessions).unwrap().unwrap();
        assert_eq!(first.status, Status::Pending);
        // The same key, or a new key naming a session already announced: refused, nothing logged.
        assert!(store.begin_announcement(&announcement("k1", at), &sessions).unwrap().is_none());
        assert!(store.begin_announcement(&announcement("k2", at), &[("b".to_owned(), at)]).unwrap().is_none());
        assert_eq!(store.pending_outgoing().unwrap().len(), 1);
        assert_eq!(store.announced(1, 2, &[("a".into(), at), ("c".into(), at)]).unwrap(), [true, false]);
        // A moved session (new start) is a new announcement.
        let later = at + chrono::Duration::hours(1);
        assert!(store.begin_announcement(&announcement("k3", later), &[("a".to_owned(), later)]).unwrap().is_some());
        store.outgoing_sent(first.id, 99, at).unwrap();
        assert_eq!(store.pending_outgoing().unwrap().len(), 1);
    }

    #[test]
    fn bookmarks_toggle_within_a_limit() {
        let store = Sqlite::open_in_memory().unwrap();
        let at = Utc::now();
        assert_eq!(store.toggle_bookmark(5, "a", 2, at).unwrap(), Toggle::Added);
        assert_eq!(store.toggle_bookmark(5, "b", 2, at).unwrap(), Toggle::Added);
        assert_eq!(store.toggle_bookmark(5, "c", 2, at).unwrap(), Toggle::Full);
        assert_eq!(store.toggle_bookmark(5, "a", 2, at).unwrap(), Toggle::Removed);
        assert_eq!(store.bookmarks_of(5).unwrap(), ["b"]);
        store.set_remind_minutes(5, 3).unwrap();
        assert_eq!(store.all_bookmarks().unwrap()[0].minutes_before, 3);
        assert_eq!(store.clear_bookmarks(5).unwrap(), 1);
        store.dms_closed(5, at).unwrap();
        assert!(store.take_dm_notice(5).unwrap().is_some());
        assert!(store.take_dm_notice(5).unwrap().is_none(), "told once");
    }
}
