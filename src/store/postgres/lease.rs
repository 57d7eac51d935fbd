//! Leases and claims: how workers sharing one database run each background loop once.
//!
//! A lease is a row (name, holder, epoch, expires_at) taken or renewed in one statement. Its
//! epoch grows by one each time it changes hands, so it is a fencing token: a worker claims a
//! pending row with its epoch before calling Discord, and a worker whose lease was taken over
//! (an older epoch) is refused. A claim commits before the call: no row lock is held across
//! the network. Unlike a session advisory lock, a lease does not depend on one connection of
//! the pool staying open.

use chrono::{DateTime, Duration, Utc};

use super::{execute, id_sql, instant, query_opt, Postgres};
use crate::store::StoreError;

impl Postgres {
    /// Takes, keeps or renews lease `name` for `holder` until `now + ttl`. `Some(epoch)` when
    /// `holder` holds it after the call; `None` while another holder's lease is unexpired.
    pub async fn lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Option<i64>, StoreError> {
        let row = query_opt(
            &self.client().await?,
            "INSERT INTO leases (name, holder, epoch, expires_at) VALUES ($1, $2, 1, $4)
             ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
                 epoch = leases.epoch + CASE WHEN leases.holder = EXCLUDED.holder THEN 0 ELSE 1 END
             WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= $3
             RETURNING epoch",
            &[&name, &holder, &instant(now), &instant(now + ttl)],
        )
        .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Gives lease `name` up at once (a clean shutdown), if `holder` holds it: it expires, and
    /// keeps its epoch so the next holder's is higher.
    pub async fn release(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "UPDATE leases SET expires_at = '1970-01-01T00:00:00Z' WHERE name = $1 AND holder = $2",
            &[&name, &holder],
        )
        .await?;
        Ok(())
    }

    /// The worker holding lease epoch `epoch` claims pending post `id` before sending it. False
    /// when the post is no longer pending, was claimed with a newer epoch, or is being claimed
    /// by another worker right now: then the caller must leave it alone.
    pub async fn claim_post(&self, id: i64, epoch: i64) -> Result<bool, StoreError> {
        self.claim("posts", id, epoch).await
    }

    /// As [`Postgres::claim_post`], for a pending outbox row.
    pub async fn claim_outgoing(&self, id: i64, epoch: i64) -> Result<bool, StoreError> {
        self.claim("outbox", id, epoch).await
    }

    async fn claim(&self, table: &str, id: i64, epoch: i64) -> Result<bool, StoreError> {
        // SKIP LOCKED: a row another worker is claiming this instant is theirs, not a wait.
        let sql = format!(
            "UPDATE {table} SET claim_epoch = $2 WHERE id = (
                 SELECT id FROM {table}
                 WHERE id = $1 AND status = 'pending' AND (claim_epoch IS NULL OR claim_epoch <= $2)
                 FOR UPDATE SKIP LOCKED)"
        );
        let changed = execute(&self.client().await?, &sql, &[&id, &epoch]).await?;
        Ok(changed == 1)
    }
}

impl Postgres {
    /// The insight last shown in a channel, by id.
    pub async fn last_insight(&self, channel_id: u64) -> Result<Option<String>, StoreError> {
        let row = query_opt(
            &self.client().await?,
            "SELECT insight FROM channel_insights WHERE channel_id = $1",
            &[&id_sql(channel_id)],
        )
        .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Remembers the insight just shown in a channel.
    pub async fn set_last_insight(&self, channel_id: u64, insight: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "INSERT INTO channel_insights (channel_id, insight, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (channel_id) DO UPDATE SET insight = EXCLUDED.insight, updated_at = EXCLUDED.updated_at",
            &[&id_sql(channel_id), &insight, &instant(at)],
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daily::{NewPost, Pick};
    use crate::live::outbox::{Kind, NewOutgoing, Target};
    use crate::store::postgres::test_url;

    fn at(minutes: i64) -> DateTime<Utc> {
        "2025-01-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
    }

    #[tokio::test]
    async fn a_lease_is_taken_renewed_refused_taken_over_and_released() {
        let Some(url) = test_url() else { return };
        let store = Postgres::scratch(&url).await.unwrap();
        let ttl = Duration::minutes(1);
        assert_eq!(store.lease("daily", "a", at(0), ttl).await.unwrap(), Some(1), "taken");
        assert_eq!(store.lease("daily", "a", at(0) + Duration::seconds(30), ttl).await.unwrap(), Some(1), "renewed");
        assert_eq!(store.lease("daily", "b", at(1), ttl).await.unwrap(), None, "a holds it until 10:01:30");
        assert_eq!(store.lease("live", "b", at(1), ttl).await.unwrap(), Some(1), "another lease is another row");
        assert_eq!(store.lease("daily", "b", at(2), ttl).await.unwrap(), Some(2), "expired: taken over");
        assert_eq!(store.lease("daily", "a", at(2), ttl).await.unwrap(), None, "a's turn is over");
        // Only the holder can release; released, it is free at once and keeps counting.
        store.release("daily", "a").await.unwrap();
        assert_eq!(store.lease("daily", "a", at(2), ttl).await.unwrap(), None);
        store.release("daily", "b").await.unwrap();
        assert_eq!(store.lease("daily", "a", at(2), ttl).await.unwrap(), Some(3));
        // Exactly at expiry the lease is free.
        assert_eq!(store.lease("daily", "b", at(3), ttl).await.unwrap(), Some(4));
    }

    #[tokio::test]
    async fn the_newest_epoch_claims_a_row_and_an_older_one_is_refused() {
        let Some(url) = test_url() else { return };
        let store = Postgres::scratch(&url).await.unwrap();
        let post = store
            .begin_post(&NewPost {
                guild_id: 1,
                local_date: "2025-01-01".parse().unwrap(),
                channel_id: 2,
                pick: Pick { id: "insight:a".into(), cycle: 0, position: 1, total: 1 },
                nonce: "n".into(),
                payload: "{}".into(),
                late: false,
                at: at(0),
            })
            .await
            .unwrap();
        assert!(store.claim_post(post.id, 2).await.unwrap(), "epoch 2 claims it");
        assert!(!store.claim_post(post.id, 1).await.unwrap(), "a stale worker is refused");
        assert!(store.claim_post(post.id, 2).await.unwrap(), "the holder may claim again (a retry)");
        assert!(store.claim_post(post.id, 3).await.unwrap(), "a newer holder takes it over");
        store.mark_sent(post.id, 9, at(1)).await.unwrap();
        assert!(!store.claim_post(post.id, 3).await.unwrap(), "sent: nothing to claim");
        assert!(!store.claim_post(post.id + 1, 3).await.unwrap(), "no such row");

        let new = NewOutgoing {
            key: "k".into(),
            kind: Kind::Notice,
            target: Target::Channel { guild_id: 1, channel_id: 2 },
            nonce: "n".into(),
            payload: "{}".into(),
            not_after: at(60),
            at: at(0),
        };
        let row = store.begin_outgoing(&new).await.unwrap().unwrap();
        // A row locked by another worker's claim in flight is skipped, not waited for.
        let mut other = store.client().await.unwrap();
        let holding = other.transaction().await.unwrap();
        holding.execute("SELECT 1 FROM outbox WHERE id = $1 FOR UPDATE", &[&row.id]).await.unwrap();
        let claimed = tokio::time::timeout(std::time::Duration::from_secs(5), store.claim_outgoing(row.id, 5));
        assert!(!claimed.await.expect("SKIP LOCKED does not wait").unwrap());
        holding.rollback().await.unwrap();
        assert!(store.claim_outgoing(row.id, 5).await.unwrap());
        assert!(!store.claim_outgoing(row.id, 4).await.unwrap());
    }
}
