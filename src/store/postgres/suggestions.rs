//! Members' suggestions and each server's review channel on PostgreSQL, as
//! `store/suggestions.rs` keeps them in SQLite. Adding and editing check the server's
//! suggestions and then write: those transactions hold an advisory lock on the server, as
//! SQLite's immediate transactions hold its single write lock, so two adds at once cannot both
//! slip under a limit. A decision is a conditional UPDATE (`… WHERE status = 'pending'`), so of
//! two moderators pressing at once exactly one wins.

use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::{execute, id_from_sql, id_sql, instant, lock, query, query_one, query_opt, Postgres};
use crate::catalogue::InsightKind;
use crate::community::{fold_key, Decision, Limits, NewSuggestion, Status, Suggestion};
use crate::store::{Decided, Edited, Refusal, StoreError};

const COLUMNS: &str = "id, guild_id, author_id, author_name, credit, kind, text, talk, speaker, status, global, \
     created_at, decided_at, decided_by, decided_by_name, reason, review_channel, review_message";

fn read_kind(text: &str) -> Result<InsightKind, StoreError> {
    match text {
        "insight" => Ok(InsightKind::Insight),
        "quote" => Ok(InsightKind::Quote),
        other => Err(StoreError::Corrupt(format!("insight kind {other:?}"))),
    }
}

fn suggestion(r: &Row) -> Result<Suggestion, StoreError> {
    let (kind, status): (String, String) = (r.try_get(5)?, r.try_get(9)?);
    let (decided_at, by): (Option<DateTime<Utc>>, Option<i64>) = (r.try_get(12)?, r.try_get(13)?);
    let decision = match (decided_at, by) {
        (Some(at), Some(by)) => Some(Decision {
            by_id: id_from_sql(by),
            by_name: r.try_get::<_, Option<String>>(14)?.unwrap_or_default(),
            at,
            reason: r.try_get(15)?,
        }),
        _ => None,
    };
    let review: (Option<i64>, Option<i64>) = (r.try_get(16)?, r.try_get(17)?);
    Ok(Suggestion {
        id: r.try_get(0)?,
        guild_id: id_from_sql(r.try_get(1)?),
        author_id: id_from_sql(r.try_get(2)?),
        author_name: r.try_get(3)?,
        credit: r.try_get(4)?,
        kind: read_kind(&kind)?,
        text: r.try_get(6)?,
        talk: r.try_get(7)?,
        speaker: r.try_get(8)?,
        status: Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("suggestion status {status:?}")))?,
        global: r.try_get(10)?,
        created_at: r.try_get(11)?,
        decision,
        review: review.0.zip(review.1).map(|(c, m)| (id_from_sql(c), id_from_sql(m))),
    })
}

impl Postgres {
    /// Makes `channel_id` where this server's suggestions are posted for review.
    pub async fn set_review_channel(
        &self,
        guild_id: u64,
        channel_id: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "INSERT INTO review_channels (guild_id, channel_id, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (guild_id) DO UPDATE SET channel_id = $2, updated_at = $3",
            &[&id_sql(guild_id), &id_sql(channel_id), &instant(now)],
        )
        .await?;
        Ok(())
    }

    /// The server's review channel, if one is set.
    pub async fn review_channel(&self, guild_id: u64) -> Result<Option<u64>, StoreError> {
        let row = query_opt(
            &self.client().await?,
            "SELECT channel_id FROM review_channels WHERE guild_id = $1",
            &[&id_sql(guild_id)],
        )
        .await?;
        Ok(row.map(|r| r.try_get::<_, i64>(0)).transpose()?.map(id_from_sql))
    }

    /// Stores a checked suggestion as pending, unless a limit or a duplicate refuses it. The
    /// checks and the insert are one transaction holding the server's lock: two adds at once
    /// cannot both slip under a limit.
    pub async fn suggest(
        &self,
        new: &NewSuggestion,
        limits: Limits,
    ) -> Result<Result<Suggestion, Refusal>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        lock(&tx, &format!("suggestions {}", new.guild_id)).await?;
        let (guild, author) = (id_sql(new.guild_id), id_sql(new.author_id));
        let folded = fold_key(&new.text);
        let twin = query_opt(
            &tx,
            "SELECT id, status FROM suggestions WHERE guild_id = $1 AND folded = $2",
            &[&guild, &folded],
        )
        .await?;
        if let Some(twin) = twin {
            let status: String = twin.try_get(1)?;
            let status = Status::parse(&status).unwrap_or(Status::Pending);
            return Ok(Err(Refusal::Duplicate { id: twin.try_get(0)?, status }));
        }
        let mine: i64 = query_one(
            &tx,
            "SELECT count(*) FROM suggestions WHERE guild_id = $1 AND author_id = $2 AND status = 'pending'",
            &[&guild, &author],
        )
        .await?
        .try_get(0)?;
        if mine as usize >= limits.pending_per_member {
            return Ok(Err(Refusal::PendingPerMember(limits.pending_per_member)));
        }
        let since = instant(new.at - Duration::hours(1));
        let recent: Vec<DateTime<Utc>> = query(
            &tx,
            "SELECT created_at FROM suggestions WHERE guild_id = $1 AND author_id = $2 AND created_at > $3
             ORDER BY created_at",
            &[&guild, &author, &since],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        if recent.len() >= limits.per_hour {
            // The hour frees up when the oldest of the last `per_hour` is an hour old.
            let oldest = recent[recent.len() - limits.per_hour];
            return Ok(Err(Refusal::PerHour { limit: limits.per_hour, next_at: oldest + Duration::hours(1) }));
        }
        let queued: i64 =
            query_one(&tx, "SELECT count(*) FROM suggestions WHERE guild_id = $1 AND status = 'pending'", &[&guild])
                .await?
                .try_get(0)?;
        if queued as usize >= limits.pending_per_server {
            return Ok(Err(Refusal::ServerQueueFull(limits.pending_per_server)));
        }
        let sql = format!(
            "INSERT INTO suggestions (guild_id, author_id, author_name, credit, kind, text, folded, talk, speaker,
                                      status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10)
             RETURNING {COLUMNS}"
        );
        let row = query_one(
            &tx,
            &sql,
            &[
                &guild,
                &author,
                &new.author_name,
                &new.credit,
                &new.kind.as_str(),
                &new.text,
                &folded,
                &new.talk,
                &new.speaker,
                &instant(new.at),
            ],
        )
        .await?;
        let stored = suggestion(&row)?;
        tx.commit().await?;
        Ok(Ok(stored))
    }

    /// Suggestion `id` of this server.
    pub async fn suggestion(&self, guild_id: u64, id: i64) -> Result<Option<Suggestion>, StoreError> {
        let found = read_one(&self.client().await?, id).await?;
        Ok(found.filter(|s| s.guild_id == guild_id))
    }

    /// Suggestion `id`, whichever server it belongs to (for the edge posting it for review).
    pub async fn suggestion_by_id(&self, id: i64) -> Result<Option<Suggestion>, StoreError> {
        read_one(&self.client().await?, id).await
    }

    /// A server's suggestions with this status, oldest first; every server's with `None`.
    pub async fn suggestions(&self, guild_id: Option<u64>, status: Status) -> Result<Vec<Suggestion>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM suggestions WHERE status = $1 AND ($2::BIGINT IS NULL OR guild_id = $2) ORDER BY id"
        );
        let rows = query(&self.client().await?, &sql, &[&status.as_str(), &guild_id.map(id_sql)]).await?;
        rows.iter().map(suggestion).collect()
    }

    /// Approves or rejects a pending suggestion of this server. Only the first decision counts.
    pub async fn decide(
        &self,
        guild_id: u64,
        id: i64,
        status: Status,
        decision: &Decision,
    ) -> Result<Decided, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let changed = execute(
            &tx,
            "UPDATE suggestions SET status = $3, decided_at = $4, decided_by = $5, decided_by_name = $6,
                                    reason = $7, told = FALSE
             WHERE id = $1 AND guild_id = $2 AND status = 'pending'",
            &[
                &id,
                &id_sql(guild_id),
                &status.as_str(),
                &instant(decision.at),
                &id_sql(decision.by_id),
                &decision.by_name,
                &decision.reason,
            ],
        )
        .await?;
        let now = read_one(&tx, id).await?.filter(|s| s.guild_id == guild_id);
        tx.commit().await?;
        Ok(match now {
            None => Decided::NotFound,
            Some(s) if changed == 1 => Decided::Done(s),
            Some(s) => Decided::Already(s),
        })
    }

    /// A moderator's correction: new text, talk and speaker for a suggestion that is not
    /// rejected. An approved one stays approved and is served as edited at once.
    pub async fn edit(
        &self,
        guild_id: u64,
        id: i64,
        text: &str,
        talk: &str,
        speaker: Option<&str>,
    ) -> Result<Edited, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        lock(&tx, &format!("suggestions {guild_id}")).await?;
        let Some(before) = read_one(&tx, id).await?.filter(|s| s.guild_id == guild_id) else {
            return Ok(Edited::NotFound);
        };
        if before.status == Status::Rejected {
            return Ok(Edited::Closed(before));
        }
        let folded = fold_key(text);
        let twin = query_opt(
            &tx,
            "SELECT id FROM suggestions WHERE guild_id = $1 AND folded = $2 AND id <> $3",
            &[&id_sql(guild_id), &folded, &id],
        )
        .await?;
        if twin.is_some() {
            return Ok(Edited::Duplicate);
        }
        execute(
            &tx,
            "UPDATE suggestions SET text = $2, folded = $3, talk = $4, speaker = $5
             WHERE id = $1 AND status <> 'rejected'",
            &[&id, &text, &folded, &talk, &speaker],
        )
        .await?;
        let after = read_one(&tx, id).await?.ok_or_else(|| StoreError::Corrupt("a suggestion vanished".into()))?;
        tx.commit().await?;
        Ok(Edited::Done(after))
    }

    /// Marks an approved suggestion global (for the operator to publish) or back to this
    /// server only; `None` when there is no approved suggestion `id` here.
    pub async fn set_global(&self, guild_id: u64, id: i64, global: bool) -> Result<Option<Suggestion>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let changed = execute(
            &tx,
            "UPDATE suggestions SET global = $3 WHERE id = $1 AND guild_id = $2 AND status = 'approved'",
            &[&id, &id_sql(guild_id), &global],
        )
        .await?;
        let now = read_one(&tx, id).await?;
        tx.commit().await?;
        Ok(now.filter(|_| changed == 1))
    }

    /// Remembers where a suggestion's review message is.
    pub async fn set_review_message(&self, id: i64, channel_id: u64, message_id: u64) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "UPDATE suggestions SET review_channel = $2, review_message = $3 WHERE id = $1",
            &[&id, &id_sql(channel_id), &id_sql(message_id)],
        )
        .await?;
        Ok(())
    }

    /// Decisions on `author_id`'s suggestions they have not been told of, oldest first, at most
    /// `limit`.
    pub async fn untold(&self, author_id: u64, limit: usize) -> Result<Vec<Suggestion>, StoreError> {
        // NULLS FIRST: SQLite's order, should a decided suggestion ever lack its time.
        let sql = format!(
            "SELECT {COLUMNS} FROM suggestions WHERE author_id = $1 AND NOT told AND status <> 'pending'
             ORDER BY decided_at NULLS FIRST, id LIMIT $2"
        );
        let rows = query(&self.client().await?, &sql, &[&id_sql(author_id), &super::limit(limit)]).await?;
        rows.iter().map(suggestion).collect()
    }

    /// Records that the author has been told of these decisions.
    pub async fn mark_told(&self, ids: &[i64]) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "UPDATE suggestions SET told = TRUE WHERE id = ANY($1) AND status <> 'pending'",
            &[&ids],
        )
        .await?;
        Ok(())
    }
}

/// One suggestion by id, within a connection or a transaction.
async fn read_one(c: &impl GenericClient, id: i64) -> Result<Option<Suggestion>, StoreError> {
    let row = query_opt(c, &format!("SELECT {COLUMNS} FROM suggestions WHERE id = $1"), &[&id]).await?;
    row.as_ref().map(suggestion).transpose()
}
