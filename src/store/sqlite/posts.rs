//! The post log and the delivery protocol's steps: an intent (with its nonce and the exact
//! payload) is logged and the deck advanced in one transaction before anything is sent; the
//! message id is recorded after. A row is `pending` from intent to outcome.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::{date_text, id_from_sql, id_sql, instant_text, read_date, read_instant, Sqlite};
use crate::daily::{NewPost, PostRecord, Status};
use crate::store::StoreError;

const COLUMNS: &str = "id, guild_id, local_date, channel_id, item, cycle, position, total, nonce, payload, status, \
                       message_id, error, attempts, late, intended_at, next_attempt_at, finished_at";

type RawRow = (i64, i64, String, i64, String, u32, i64, i64, String, String, String);
type RawTail = (Option<i64>, Option<String>, u32, bool, String, Option<String>, Option<String>);

fn raw(row: &Row<'_>) -> rusqlite::Result<(RawRow, RawTail)> {
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
            row.get(10)?,
        ),
        (row.get(11)?, row.get(12)?, row.get(13)?, row.get(14)?, row.get(15)?, row.get(16)?, row.get(17)?),
    ))
}

fn record((head, tail): (RawRow, RawTail)) -> Result<PostRecord, StoreError> {
    let (id, guild, date, channel, item, cycle, position, total, nonce, payload, status) = head;
    let (message_id, error, attempts, late, intended_at, next_attempt_at, finished_at) = tail;
    Ok(PostRecord {
        id,
        guild_id: id_from_sql(guild),
        local_date: read_date(&date)?,
        channel_id: id_from_sql(channel),
        item,
        cycle,
        position: position.max(0) as usize,
        total: total.max(0) as usize,
        nonce,
        payload,
        status: Status::parse(&status).map_err(StoreError::Corrupt)?,
        message_id: message_id.map(id_from_sql),
        error,
        attempts,
        late,
        intended_at: read_instant(&intended_at)?,
        next_attempt_at: next_attempt_at.as_deref().map(read_instant).transpose()?,
        finished_at: finished_at.as_deref().map(read_instant).transpose()?,
    })
}

impl Sqlite {
    /// Step 1 of delivery: logs the intent and advances the deck, atomically. Fails with
    /// [`StoreError::AlreadyLogged`] when the day already has a post — the rule that makes a
    /// second post for a day impossible whatever the caller does.
    pub fn begin_post(&self, new: &NewPost) -> Result<PostRecord, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let guild = id_sql(new.guild_id);
        let inserted = tx
            .prepare_cached(
                "INSERT INTO posts (guild_id, local_date, channel_id, item, cycle, position, total, nonce, payload,
                                status, late, intended_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11)
             ON CONFLICT (guild_id, local_date) DO NOTHING",
            )?
            .execute(params![
                guild,
                date_text(new.local_date),
                id_sql(new.channel_id),
                new.pick.id,
                new.pick.cycle,
                new.pick.position as i64,
                new.pick.total as i64,
                new.nonce,
                new.payload,
                new.late,
                instant_text(new.at)
            ])?;
        if inserted == 0 {
            return Err(StoreError::AlreadyLogged);
        }
        let id = tx.last_insert_rowid();
        // Deck rows normally exist since the schedule was saved; a missing one starts here.
        tx.prepare_cached("INSERT OR IGNORE INTO decks (guild_id, seed, cycle) VALUES (?1, ?2, 0)")?
            .execute(params![guild, fastrand::u64(..) as i64])?;
        tx.prepare_cached("DELETE FROM deck_shown WHERE guild_id = ?1 AND cycle < ?2")?
            .execute(params![guild, new.pick.cycle])?;
        tx.prepare_cached("INSERT OR IGNORE INTO deck_shown (guild_id, cycle, item) VALUES (?1, ?2, ?3)")?
            .execute(params![guild, new.pick.cycle, new.pick.id])?;
        tx.prepare_cached("UPDATE decks SET cycle = ?2, last = ?3 WHERE guild_id = ?1")?.execute(params![
            guild,
            new.pick.cycle,
            new.pick.id
        ])?;
        tx.prepare_cached("UPDATE schedules SET post_now_for = NULL WHERE guild_id = ?1")?.execute([guild])?;
        let record = read_one(&tx, id)?;
        tx.commit()?;
        Ok(record)
    }

    /// Step 3 of delivery: Discord accepted the post as `message_id`.
    pub fn mark_sent(&self, id: i64, message_id: u64, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE posts SET status = 'sent', message_id = ?2, error = NULL, next_attempt_at = NULL,
                 finished_at = ?3, attempts = attempts + 1
             WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, id_sql(message_id), instant_text(at)])?;
        Ok(())
    }

    /// A transient failure (429, 5xx, no answer): try again at `next_at`.
    pub fn retry_later(&self, id: i64, error: &str, next_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE posts SET error = ?2, next_attempt_at = ?3, attempts = attempts + 1
             WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, error, instant_text(next_at)])?;
        Ok(())
    }

    /// Gives a post up (`Failed` or `Missed`). Its item was never seen, so it goes back into
    /// the deck.
    pub fn give_up(&self, id: i64, status: Status, error: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.prepare_cached(
            "UPDATE posts SET status = ?2, error = ?3, next_attempt_at = NULL, finished_at = ?4
             WHERE id = ?1 AND status = 'pending'",
        )?
        .execute(params![id, status.as_str(), error, instant_text(at)])?;
        tx.prepare_cached(
            "DELETE FROM deck_shown WHERE (guild_id, cycle, item) IN
                 (SELECT guild_id, cycle, item FROM posts WHERE id = ?1)",
        )?
        .execute([id])?;
        tx.commit()?;
        Ok(())
    }

    /// Logs a day that could not even be attempted (nothing matches the filter), so the loop
    /// does not try again all day and `/daily show` can say why.
    pub fn log_failure(
        &self,
        guild_id: u64,
        date: NaiveDate,
        channel_id: u64,
        error: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO posts (guild_id, local_date, channel_id, item, cycle, position, total, nonce, payload,
                                status, error, late, intended_at, finished_at)
             VALUES (?1, ?2, ?3, '', 0, 0, 0, '', '{}', 'failed', ?4, 0, ?5, ?5)
             ON CONFLICT (guild_id, local_date) DO NOTHING",
            )?
            .execute(params![id_sql(guild_id), date_text(date), id_sql(channel_id), error, instant_text(at)])?;
        Ok(())
    }

    /// The post logged for a guild's local date, if any.
    pub fn post_for(&self, guild_id: u64, date: NaiveDate) -> Result<Option<PostRecord>, StoreError> {
        let conn = self.conn();
        let sql = format!("SELECT {COLUMNS} FROM posts WHERE guild_id = ?1 AND local_date = ?2");
        let row = conn.prepare_cached(&sql)?.query_row(params![id_sql(guild_id), date_text(date)], raw).optional()?;
        row.map(record).transpose()
    }

    /// Every unfinished intent, oldest first: what a restart must reconcile.
    pub fn pending(&self) -> Result<Vec<PostRecord>, StoreError> {
        self.select("WHERE status = 'pending' ORDER BY id", params![])
    }

    /// A guild's log, newest first, at most `limit` rows.
    pub fn recent_posts(&self, guild_id: u64, limit: usize) -> Result<Vec<PostRecord>, StoreError> {
        self.select("WHERE guild_id = ?1 ORDER BY local_date DESC LIMIT ?2", params![id_sql(guild_id), limit as i64])
    }

    fn select(&self, tail: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<PostRecord>, StoreError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM posts {tail}"))?;
        let rows = statement.query_map(args, raw)?;
        rows.map(|r| record(r?)).collect()
    }
}

fn read_one(tx: &Transaction<'_>, id: i64) -> Result<PostRecord, StoreError> {
    record(tx.prepare_cached(&format!("SELECT {COLUMNS} FROM posts WHERE id = ?1"))?.query_row([id], raw)?)
}

/// `/daily now` after a refused post: the admin fixed the channel, so the day's intent becomes
/// pending again (same nonce and payload) and its item is back in the deck's shown set.
pub(super) fn reopen_failed(tx: &Transaction<'_>, guild_id: u64, date: NaiveDate) -> Result<(), StoreError> {
    let guild = id_sql(guild_id);
    let reopened = tx
        .prepare_cached(
            "UPDATE posts SET status = 'pending', attempts = 0, next_attempt_at = NULL, finished_at = NULL
         WHERE guild_id = ?1 AND local_date = ?2 AND status = 'failed' AND item != ''",
        )?
        .execute(params![guild, date_text(date)])?;
    if reopened > 0 {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO deck_shown (guild_id, cycle, item)
             SELECT guild_id, cycle, item FROM posts WHERE guild_id = ?1 AND local_date = ?2",
        )?
        .execute(params![guild, date_text(date)])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daily::Pick;

    fn new_post(guild: u64, date: &str, item: &str) -> NewPost {
        NewPost {
            guild_id: guild,
            local_date: date.parse().unwrap(),
            channel_id: 9,
            pick: Pick { id: item.into(), cycle: 0, position: 1, total: 3 },
            nonce: format!("n-{date}"),
            payload: "{}".into(),
            late: false,
            at: Utc::now(),
        }
    }

    #[test]
    fn one_intent_per_local_day_and_the_deck_moves_with_it() {
        let store = Sqlite::open_in_memory().unwrap();
        let first = store.begin_post(&new_post(1, "2024-05-01", "insight:a")).unwrap();
        assert_eq!(first.status, Status::Pending);
        assert!(matches!(store.begin_post(&new_post(1, "2024-05-01", "insight:b")), Err(StoreError::AlreadyLogged)));
        assert!(store.deck(1).unwrap().shown.contains("insight:a"));
        assert!(!store.deck(1).unwrap().shown.contains("insight:b"));
        store.mark_sent(first.id, 77, Utc::now()).unwrap();
        let sent = store.post_for(1, first.local_date).unwrap().unwrap();
        assert_eq!((sent.status, sent.message_id), (Status::Sent, Some(77)));
        assert!(store.pending().unwrap().is_empty());
    }

    #[test]
    fn a_refused_post_returns_its_item_and_can_be_reopened() {
        let store = Sqlite::open_in_memory().unwrap();
        let post = store.begin_post(&new_post(1, "2024-05-01", "insight:a")).unwrap();
        store.give_up(post.id, Status::Failed, "403 Missing Access", Utc::now()).unwrap();
        assert!(store.deck(1).unwrap().shown.is_empty());
        let failed = store.post_for(1, post.local_date).unwrap().unwrap();
        assert_eq!((failed.status, failed.error.as_deref()), (Status::Failed, Some("403 Missing Access")));
        store.request_now(1, post.local_date).unwrap();
        assert_eq!(store.pending().unwrap().len(), 1);
        assert!(store.deck(1).unwrap().shown.contains("insight:a"));
        // Once sent, later outcomes cannot change it.
        store.mark_sent(post.id, 5, Utc::now()).unwrap();
        store.give_up(post.id, Status::Missed, "late", Utc::now()).unwrap();
        assert_eq!(store.post_for(1, post.local_date).unwrap().unwrap().status, Status::Sent);
    }
}
