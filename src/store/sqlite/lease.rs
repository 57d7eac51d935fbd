//! Work shared between processes: the scheduler lease, claims of pending work, and each
//! channel's last insight (so any worker can answer "another one" in any channel).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};

use super::{id_sql, instant_text, Sqlite};
use crate::store::StoreError;

/// The SQL that adds leases, claims and the channels' last insights (a migration step).
pub(super) const MIGRATION: &str = r#"
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    epoch      INTEGER NOT NULL,   -- goes up by one each time the lease changes hands
    expires_at TEXT NOT NULL
);
ALTER TABLE posts ADD COLUMN claim_epoch INTEGER;   -- the lease epoch that last claimed it
ALTER TABLE outbox ADD COLUMN claim_epoch INTEGER;
CREATE TABLE channel_insights (
    channel_id INTEGER PRIMARY KEY,
    insight    TEXT NOT NULL,      -- insight id
    updated_at TEXT NOT NULL
);
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,   -- listeners read the rows after the last id they saw
    payload TEXT NOT NULL,
    at      TEXT NOT NULL
);
"#;

impl Sqlite {
    /// Takes, keeps or renews lease `name` for `holder` until `now + ttl`: the epoch when
    /// `holder` holds it after the call, `None` while another holder's lease is unexpired.
    pub fn lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Option<i64>, StoreError> {
        // Instants are fixed-width RFC 3339 in UTC, so text order is time order.
        let epoch = self
            .conn()
            .prepare_cached(
                "INSERT INTO leases (name, holder, epoch, expires_at) VALUES (?1, ?2, 1, ?4)
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
                     epoch = leases.epoch + CASE WHEN leases.holder = excluded.holder THEN 0 ELSE 1 END
                 WHERE leases.holder = excluded.holder OR leases.expires_at <= ?3
                 RETURNING epoch",
            )?
            .query_row(params![name, holder, instant_text(now), instant_text(now + ttl)], |r| r.get(0))
            .optional()?;
        Ok(epoch)
    }

    /// Gives the lease up at once (a clean shutdown), keeping its epoch, if `holder` holds it.
    pub fn release(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "UPDATE leases SET expires_at = '1970-01-01T00:00:00.000Z' WHERE name = ?1 AND holder = ?2",
            )?
            .execute(params![name, holder])?;
        Ok(())
    }

    /// Claims pending post `id` for the scheduler of lease epoch `epoch`; false when a newer
    /// epoch claimed it (this process lost the lease) or it is no longer pending.
    pub fn claim_post(&self, id: i64, epoch: i64) -> Result<bool, StoreError> {
        self.claim("posts", id, epoch)
    }

    /// [`Sqlite::claim_post`] for the outbox.
    pub fn claim_outgoing(&self, id: i64, epoch: i64) -> Result<bool, StoreError> {
        self.claim("outbox", id, epoch)
    }

    fn claim(&self, table: &str, id: i64, epoch: i64) -> Result<bool, StoreError> {
        let claimed = self
            .conn()
            .prepare_cached(&format!(
                "UPDATE {table} SET claim_epoch = ?2
                 WHERE id = ?1 AND status = 'pending' AND (claim_epoch IS NULL OR claim_epoch <= ?2)"
            ))?
            .execute(params![id, epoch])?;
        Ok(claimed == 1)
    }

    /// The insight last shown in a channel, by id.
    pub fn last_insight(&self, channel_id: u64) -> Result<Option<String>, StoreError> {
        let insight = self
            .conn()
            .prepare_cached("SELECT insight FROM channel_insights WHERE channel_id = ?1")?
            .query_row([id_sql(channel_id)], |r| r.get(0))
            .optional()?;
        Ok(insight)
    }

    /// Remembers the insight just shown in a channel.
    pub fn set_last_insight(&self, channel_id: u64, insight: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO channel_insights (channel_id, insight, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (channel_id) DO UPDATE SET insight = excluded.insight, updated_at = excluded.updated_at",
            )?
            .execute(params![id_sql(channel_id), insight, instant_text(at)])?;
        Ok(())
    }
}
