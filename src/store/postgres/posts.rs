//! The post log on PostgreSQL, as `store/posts.rs` keeps it in SQLite: an intent (with its
//! nonce and the exact payload) is logged and the deck advanced in one transaction before
//! anything is sent; the message id is recorded after. A row is `pending` from intent to outcome.

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::{execute, id_from_sql, id_sql, instant, query, query_opt, small, Postgres};
use crate::daily::{NewPost, PostRecord, Status};
use crate::store::StoreError;

const COLUMNS: &str = "id, guild_id, local_date, channel_id, item, cycle, position, total, nonce, payload, status, \
                       message_id, error, attempts, late, intended_at, next_attempt_at, finished_at";

fn record(row: &Row) -> Result<PostRecord, StoreError> {
    let status: String = row.try_get(10)?;
    Ok(PostRecord {
        id: row.try_get(0)?,
        guild_id: id_from_sql(row.try_get(1)?),
        local_date: row.try_get(2)?,
        channel_id: id_from_sql(row.try_get(3)?),
        item: row.try_get(4)?,
        cycle: small(row.try_get(5)?, "post cycle")?,
        position: row.try_get::<_, i64>(6)?.max(0) as usize,
        total: row.try_get::<_, i64>(7)?.max(0) as usize,
        nonce: row.try_get(8)?,
        payload: row.try_get(9)?,
        status: Status::parse(&status).map_err(StoreError::Corrupt)?,
        message_id: row.try_get::<_, Option<i64>>(11)?.map(id_from_sql),
        error: row.try_get(12)?,
        attempts: small(row.try_get(13)?, "post attempts")?,
        late: row.try_get(14)?,
        intended_at: row.try_get(15)?,
        next_attempt_at: row.try_get(16)?,
        finished_at: row.try_get(17)?,
    })
}

impl Postgres {
    /// Step 1 of delivery: logs the intent and advances the deck, atomically. Fails with
    /// [`StoreError::AlreadyLogged`] when the day already has a post — the rule that makes a
    /// second post for a day impossible whatever the caller does. Of two workers racing for one
    /// day, the second waits on the unique key and then inserts nothing.
    pub async fn begin_post(&self, new: &NewPost) -> Result<PostRecord, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let guild = id_sql(new.guild_id);
        let cycle = i64::from(new.pick.cycle);
        if logged(&tx, guild, new.local_date).await? {
            return Err(StoreError::AlreadyLogged);
        }
        let sql = format!(
            "INSERT INTO posts (guild_id, local_date, channel_id, item, cycle, position, total, nonce, payload,
                                status, late, intended_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11)
             ON CONFLICT (guild_id, local_date) DO NOTHING
             RETURNING {COLUMNS}"
        );
        let inserted = query_opt(
            &tx,
            &sql,
            &[
                &guild,
                &new.local_date,
                &id_sql(new.channel_id),
                &new.pick.id,
                &cycle,
                &(new.pick.position as i64),
                &(new.pick.total as i64),
                &new.nonce,
                &new.payload,
                &new.late,
                &instant(new.at),
            ],
        )
        .await?;
        // Another worker logged the day since the check. Dropping `tx` rolls back: nothing was written.
        let Some(row) = inserted else { return Err(StoreError::AlreadyLogged) };
        let record = record(&row)?;
        // Deck rows normally exist since the schedule was saved; a missing one starts here.
        execute(
            &tx,
            "INSERT INTO decks (guild_id, seed, cycle) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
            &[&guild, &(fastrand::u64(..) as i64)],
        )
        .await?;
        execute(&tx, "DELETE FROM deck_shown WHERE guild_id = $1 AND cycle < $2", &[&guild, &cycle]).await?;
        execute(
            &tx,
            "INSERT INTO deck_shown (guild_id, cycle, item) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&guild, &cycle, &new.pick.id],
        )
        .await?;
        execute(&tx, "UPDATE decks SET cycle = $2, last = $3 WHERE guild_id = $1", &[&guild, &cycle, &new.pick.id])
            .await?;
        execute(&tx, "UPDATE schedules SET post_now_for = NULL WHERE guild_id = $1", &[&guild]).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Step 3 of delivery: Discord accepted the post as `message_id`.
    pub async fn mark_sent(&self, id: i64, message_id: u64, at: DateTime<Utc>) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "UPDATE posts SET status = 'sent', message_id = $2, error = NULL, next_attempt_at = NULL,
                 finished_at = $3, attempts = attempts + 1
             WHERE id = $1 AND status = 'pending'",
            &[&id, &id_sql(message_id), &instant(at)],
        )
        .await?;
        Ok(())
    }

    /// A transient failure (429, 5xx, no answer): try again at `next_at`.
    pub async fn retry_later(&self, id: i64, error: &str, next_at: DateTime<Utc>) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "UPDATE posts SET error = $2, next_attempt_at = $3, attempts = attempts + 1
             WHERE id = $1 AND status = 'pending'",
            &[&id, &error, &instant(next_at)],
        )
        .await?;
        Ok(())
    }

    /// Gives a post up (`Failed` or `Missed`). Its item was never seen, so it goes back into
    /// the deck.
    pub async fn give_up(&self, id: i64, status: Status, error: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        execute(
            &tx,
            "UPDATE posts SET status = $2, error = $3, next_attempt_at = NULL, finished_at = $4
             WHERE id = $1 AND status = 'pending'",
            &[&id, &status.as_str(), &error, &instant(at)],
        )
        .await?;
        // As in SQLite, whatever the row's status was.
        execute(
            &tx,
            "DELETE FROM deck_shown WHERE (guild_id, cycle, item) IN
                 (SELECT guild_id, cycle, item FROM posts WHERE id = $1)",
            &[&id],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Logs a day that could not even be attempted (nothing matches the filter), so the loop
    /// does not try again all day and `/daily show` can say why.
    pub async fn log_failure(
        &self,
        guild_id: u64,
        date: NaiveDate,
        channel_id: u64,
        error: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        if logged(&client, id_sql(guild_id), date).await? {
            return Ok(());
        }
        execute(
            &client,
            "INSERT INTO posts (guild_id, local_date, channel_id, item, cycle, position, total, nonce, payload,
                                status, error, late, intended_at, finished_at)
             VALUES ($1, $2, $3, '', 0, 0, 0, '', '{}', 'failed', $4, FALSE, $5, $5)
             ON CONFLICT (guild_id, local_date) DO NOTHING",
            &[&id_sql(guild_id), &date, &id_sql(channel_id), &error, &instant(at)],
        )
        .await?;
        Ok(())
    }

    /// The post logged for a guild's local date, if any.
    pub async fn post_for(&self, guild_id: u64, date: NaiveDate) -> Result<Option<PostRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM posts WHERE guild_id = $1 AND local_date = $2");
        let row = query_opt(&self.client().await?, &sql, &[&id_sql(guild_id), &date]).await?;
        row.as_ref().map(record).transpose()
    }

    /// Every unfinished intent, oldest first: what a restart must reconcile.
    pub async fn pending(&self) -> Result<Vec<PostRecord>, StoreError> {
        self.select("WHERE status = 'pending' ORDER BY id", &[]).await
    }

    /// A guild's log, newest first, at most `limit` rows.
    pub async fn recent_posts(&self, guild_id: u64, limit: usize) -> Result<Vec<PostRecord>, StoreError> {
        self.select("WHERE guild_id = $1 ORDER BY local_date DESC LIMIT $2", &[&id_sql(guild_id), &super::limit(limit)])
            .await
    }

    async fn select(&self, tail: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<PostRecord>, StoreError> {
        let rows = query(&self.client().await?, &format!("SELECT {COLUMNS} FROM posts {tail}"), params).await?;
        rows.iter().map(record).collect()
    }
}

/// Whether the day has a post already. Asked before inserting, though `ON CONFLICT` alone would
/// keep the rule: a conflicting insert still draws an id from the sequence, and SQLite's ids,
/// which the generic store tests see, have no such gaps.
async fn logged(c: &impl GenericClient, guild: i64, date: NaiveDate) -> Result<bool, StoreError> {
    Ok(query_opt(c, "SELECT 1 FROM posts WHERE guild_id = $1 AND local_date = $2", &[&guild, &date]).await?.is_some())
}

/// `/daily now` after a refused post: the admin fixed the channel, so the day's intent becomes
/// pending again (same nonce and payload) and its item is back in the deck's shown set.
pub(super) async fn reopen_failed(c: &impl GenericClient, guild_id: u64, date: NaiveDate) -> Result<(), StoreError> {
    let guild = id_sql(guild_id);
    let reopened = execute(
        c,
        "UPDATE posts SET status = 'pending', attempts = 0, next_attempt_at = NULL, finished_at = NULL
         WHERE guild_id = $1 AND local_date = $2 AND status = 'failed' AND item <> ''",
        &[&guild, &date],
    )
    .await?;
    if reopened > 0 {
        execute(
            c,
            "INSERT INTO deck_shown (guild_id, cycle, item)
             SELECT guild_id, cycle, item FROM posts WHERE guild_id = $1 AND local_date = $2
             ON CONFLICT DO NOTHING",
            &[&guild, &date],
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daily::Pick;
    use crate::store::postgres::test_url;

    fn new_post(guild: u64, date: &str, item: &str) -> NewPost {
        NewPost {
            guild_id: guild,
            local_date: date.parse().unwrap(),
            channel_id: 9,
            pick: Pick { id: item.into(), cycle: 0, position: 1, total: 3 },
            nonce: format!("n-{date}-{item}"),
            payload: r#"{"content": "ünïcode ✓",  "spaces":  true}"#.into(),
            late: false,
            at: Utc::now(),
        }
    }

    /// Two workers racing to log one day's post: one row, one winner, one `AlreadyLogged`, and
    /// the deck moved once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_workers_racing_for_one_day_log_one_post() {
        let Some(url) = test_url() else { return };
        let store = std::sync::Arc::new(Postgres::scratch(&url).await.unwrap());
        for day in 1..=10 {
            let date = format!("2024-05-{day:02}");
            let racers: Vec<_> = ["insight:a", "insight:b"]
                .into_iter()
                .map(|item| {
                    let (store, post) = (store.clone(), new_post(1, &date, item));
                    tokio::spawn(async move { store.begin_post(&post).await })
                })
                .collect();
            let mut won = Vec::new();
            for racer in racers {
                match racer.await.unwrap() {
                    Ok(record) => won.push(record),
                    Err(StoreError::AlreadyLogged) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            assert_eq!(won.len(), 1, "{date}");
            let logged = store.post_for(1, date.parse().unwrap()).await.unwrap().unwrap();
            assert_eq!(logged, won[0]);
            assert_eq!(store.deck(1).await.unwrap().last.as_deref(), Some(logged.item.as_str()));
        }
        assert_eq!(store.pending().await.unwrap().len(), 10);
        let payload = &store.pending().await.unwrap()[0].payload;
        assert_eq!(payload, &new_post(1, "2024-05-01", "x").payload, "byte for byte");
    }
}
