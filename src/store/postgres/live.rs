//! Live state on PostgreSQL, as `store/live.rs` keeps it in SQLite: which servers follow which
//! conference's programme (and where), the outbox of announcements, change notices and
//! reminders with the sessions each announced, the schedule snapshots changes are measured
//! against, and members' bookmarks and reminder settings.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::{execute, id_from_sql, id_sql, instant, lock, query, query_one, query_opt, small, Postgres};
use crate::daily::Origin;
use crate::live::due::Bookmark;
use crate::live::outbox::{Kind, NewOutgoing, Outgoing, Status, Target};
use crate::live::{Following, Snapshot};
use crate::store::{StoreError, Toggle, REMIND_MINUTES};

const COLUMNS: &str = "id, key, kind, guild_id, user_id, channel_id, nonce, payload, status, message_id, error, \
                       attempts, created_at, next_attempt_at, not_after";

fn outgoing(row: &Row) -> Result<Outgoing, StoreError> {
    let id: i64 = row.try_get(0)?;
    let (kind, status): (String, String) = (row.try_get(2)?, row.try_get(8)?);
    let (guild, user, channel): (Option<i64>, Option<i64>, Option<i64>) =
        (row.try_get(3)?, row.try_get(4)?, row.try_get(5)?);
    let target = match (guild, user, channel) {
        (Some(g), _, Some(c)) => Target::Channel { guild_id: id_from_sql(g), channel_id: id_from_sql(c) },
        (None, Some(u), _) => Target::User { user_id: id_from_sql(u) },
        _ => return Err(StoreError::Corrupt(format!("outbox row {id} has no target"))),
    };
    Ok(Outgoing {
        id,
        key: row.try_get(1)?,
        kind: Kind::parse(&kind).map_err(StoreError::Corrupt)?,
        target,
        channel_id: channel.map(id_from_sql),
        nonce: row.try_get(6)?,
        payload: row.try_get(7)?,
        status: Status::parse(&status).map_err(StoreError::Corrupt)?,
        message_id: row.try_get::<_, Option<i64>>(9)?.map(id_from_sql),
        error: row.try_get(10)?,
        attempts: small(row.try_get(11)?, "outbox attempts")?,
        created_at: row.try_get(12)?,
        next_attempt_at: row.try_get(13)?,
        not_after: row.try_get(14)?,
    })
}

impl Postgres {
    /// Every server's follows, with their room channels.
    pub async fn following(&self) -> Result<Vec<Following>, StoreError> {
        let client = self.client().await?;
        let mut rooms: Vec<(u64, String, u64)> = Vec::new();
        for r in
            query(&client, "SELECT guild_id, room, channel_id FROM live_rooms ORDER BY guild_id, room", &[]).await?
        {
            rooms.push((id_from_sql(r.try_get(0)?), r.try_get(1)?, id_from_sql(r.try_get(2)?)));
        }
        let mut follows = Vec::new();
        for r in query(
            &client,
            "SELECT guild_id, conference, channel_id, minutes_before FROM live_follows ORDER BY guild_id, conference",
            &[],
        )
        .await?
        {
            let guild_id = id_from_sql(r.try_get(0)?);
            let rooms = rooms.iter().filter(|(g, _, _)| *g == guild_id).map(|(_, r, c)| (r.clone(), *c)).collect();
            follows.push(Following {
                guild_id,
                conference: r.try_get(1)?,
                channel_id: id_from_sql(r.try_get(2)?),
                rooms,
                minutes_before: small(r.try_get(3)?, "minutes before")?,
            });
        }
        Ok(follows)
    }

    /// `/live set` (or a config `[[live]]`): a server follows a conference's programme. A
    /// setting made in Discord is not overwritten by the config.
    pub async fn follow(&self, f: &Following, origin: Origin, at: DateTime<Utc>) -> Result<(), StoreError> {
        follow(&self.client().await?, f, origin, at).await
    }

    /// Makes the config's `[[live]]` entries the starting point: follows the config made and
    /// no longer lists are dropped; those set with `/live` stay as they are. One transaction
    /// (SQLite runs these statements one by one): other workers never see the follows gone.
    pub async fn sync_live_config(&self, follows: &[Following], at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        execute(&tx, "DELETE FROM live_follows WHERE origin = 'config'", &[]).await?;
        for f in follows {
            follow(&tx, f, Origin::Config, at).await?;
            for (room, channel) in &f.rooms {
                set_room_channel(&tx, f.guild_id, room, Some(*channel)).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// `/live room`: a room's sessions are also announced in `channel`; `None` stops that.
    pub async fn set_room_channel(&self, guild_id: u64, room: &str, channel: Option<u64>) -> Result<(), StoreError> {
        set_room_channel(&self.client().await?, guild_id, room, channel).await
    }

    /// `/live off`: the server follows nothing any more; returns how many follows it had.
    pub async fn unfollow(&self, guild_id: u64) -> Result<usize, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let n = execute(&tx, "DELETE FROM live_follows WHERE guild_id = $1", &[&id_sql(guild_id)]).await?;
        execute(&tx, "DELETE FROM live_rooms WHERE guild_id = $1", &[&id_sql(guild_id)]).await?;
        tx.commit().await?;
        Ok(n as usize)
    }

    /// Step 1 of sending an announcement: logs the intent and the sessions it announces, in
    /// one transaction. `None` when any of them was announced in that channel already: the
    /// caller leaves it out and builds the message again.
    pub async fn begin_announcement(
        &self,
        new: &NewOutgoing,
        sessions: &[(String, DateTime<Utc>)],
    ) -> Result<Option<Outgoing>, StoreError> {
        let Target::Channel { guild_id, channel_id } = new.target else {
            return Err(StoreError::Corrupt("an announcement goes to a channel".into()));
        };
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Refused before the outbox insert when we can tell: a rolled-back insert would leave a
        // gap in the ids, where SQLite reuses the id.
        if announced(&tx, guild_id, channel_id, sessions).await?.contains(&true) {
            return Ok(None);
        }
        let Some(row) = insert(&tx, new).await? else { return Ok(None) };
        let id: i64 = row.try_get(0)?;
        for (talk, start) in sessions {
            let added = execute(
                &tx,
                "INSERT INTO announced (guild_id, channel_id, talk, start, outbox_id) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT DO NOTHING",
                &[&id_sql(guild_id), &id_sql(channel_id), talk, &instant(*start), &id],
            )
            .await?;
            if added == 0 {
                return Ok(None); // dropped without commit: nothing was logged
            }
        }
        let logged = outgoing(&row)?;
        tx.commit().await?;
        Ok(Some(logged))
    }

    /// Which of `sessions` were announced in a channel already.
    pub async fn announced(
        &self,
        guild_id: u64,
        channel_id: u64,
        sessions: &[(String, DateTime<Utc>)],
    ) -> Result<Vec<bool>, StoreError> {
        announced(&self.client().await?, guild_id, channel_id, sessions).await
    }

    /// Step 1 of a notice or a reminder: logs the intent; `None` when its key was logged before.
    pub async fn begin_outgoing(&self, new: &NewOutgoing) -> Result<Option<Outgoing>, StoreError> {
        // One statement: it commits on its own, as SQLite's transaction around it does.
        let row = insert(&self.client().await?, new).await?;
        row.as_ref().map(outgoing).transpose()
    }

    /// A DM's channel, once opened, so a resend or a lookup goes to the same place.
    pub async fn set_outgoing_channel(&self, id: i64, channel_id: u64) -> Result<(), StoreError> {
        execute(&self.client().await?, "UPDATE outbox SET channel_id = $2 WHERE id = $1", &[&id, &id_sql(channel_id)])
            .await?;
        Ok(())
    }

    /// Step 3: Discord accepted it as `message_id`.
    pub async fn outgoing_sent(&self, id: i64, message_id: u64, at: DateTime<Utc>) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "UPDATE outbox SET status = 'sent', message_id = $2, error = NULL, next_attempt_at = NULL,
                 finished_at = $3, attempts = attempts + 1 WHERE id = $1 AND status = 'pending'",
            &[&id, &id_sql(message_id), &instant(at)],
        )
        .await?;
        Ok(())
    }

    /// A transient failure: try again at `next_at`.
    pub async fn outgoing_retry(&self, id: i64, error: &str, next_at: DateTime<Utc>) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "UPDATE outbox SET error = $2, next_attempt_at = $3, attempts = attempts + 1
             WHERE id = $1 AND status = 'pending'",
            &[&id, &error, &instant(next_at)],
        )
        .await?;
        Ok(())
    }

    /// Gives an intent up: `Failed` (refused) or `Missed` (too late to matter).
    pub async fn outgoing_done(
        &self,
        id: i64,
        status: Status,
        error: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "UPDATE outbox SET status = $2, error = $3, next_attempt_at = NULL, finished_at = $4
             WHERE id = $1 AND status = 'pending'",
            &[&id, &status.as_str(), &error, &instant(at)],
        )
        .await?;
        Ok(())
    }

    /// Every unfinished intent, oldest first.
    pub async fn pending_outgoing(&self) -> Result<Vec<Outgoing>, StoreError> {
        self.select_outgoing("WHERE status = 'pending' ORDER BY id", &[]).await
    }

    /// The outbox, newest first, at most `limit` rows: what `/live show` and tests read.
    pub async fn recent_outgoing(&self, limit: usize) -> Result<Vec<Outgoing>, StoreError> {
        self.select_outgoing("ORDER BY id DESC LIMIT $1", &[&super::limit(limit)]).await
    }

    async fn select_outgoing(&self, tail: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Outgoing>, StoreError> {
        let rows = query(&self.client().await?, &format!("SELECT {COLUMNS} FROM outbox {tail}"), params).await?;
        rows.iter().map(outgoing).collect()
    }

    /// The schedule of a conference as last compared, if it ever was.
    pub async fn snapshot(&self, conference: &str) -> Result<Option<Snapshot>, StoreError> {
        let row =
            query_opt(&self.client().await?, "SELECT snapshot FROM snapshots WHERE conference = $1", &[&conference])
                .await?;
        let text: Option<String> = row.map(|r| r.try_get(0)).transpose()?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("snapshot: {e}")))).transpose()
    }

    /// Records a conference's new schedule and the notices its changes call for, in one
    /// transaction: a kill leaves both or neither, so each change is noticed exactly once.
    /// Notices whose key was logged before are skipped. `renamed` talks (a re-import gave them
    /// new ids) keep their bookmarks under the new id.
    pub async fn save_snapshot(
        &self,
        conference: &str,
        snapshot: &Snapshot,
        notices: &[NewOutgoing],
        renamed: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(snapshot).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        execute(
            &tx,
            "INSERT INTO snapshots (conference, snapshot, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (conference) DO UPDATE SET snapshot = EXCLUDED.snapshot, updated_at = EXCLUDED.updated_at",
            &[&conference, &text, &instant(at)],
        )
        .await?;
        for notice in notices {
            insert(&tx, notice).await?;
        }
        for (old, new) in renamed {
            // SQLite's `UPDATE OR IGNORE`: a member who already bookmarked the new id keeps
            // that bookmark, and the old one goes with the DELETE below.
            execute(
                &tx,
                "UPDATE bookmarks b SET talk = $2 WHERE talk = $1
                 AND NOT EXISTS (SELECT 1 FROM bookmarks o WHERE o.user_id = b.user_id AND o.talk = $2)",
                &[old, new],
            )
            .await?;
            execute(&tx, "DELETE FROM bookmarks WHERE talk = $1", &[old]).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// "Remind me": bookmarks a talk for a user, or removes the bookmark when there is one.
    /// Returns whether the talk is bookmarked now; refuses a new one beyond `limit`.
    pub async fn toggle_bookmark(
        &self,
        user_id: u64,
        talk: &str,
        limit: usize,
        at: DateTime<Utc>,
    ) -> Result<Toggle, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Two presses at once (two workers) then toggle twice, and never pass the limit.
        lock(&tx, &format!("bookmarks {user_id}")).await?;
        let user = id_sql(user_id);
        let removed = execute(&tx, "DELETE FROM bookmarks WHERE user_id = $1 AND talk = $2", &[&user, &talk]).await?;
        let result = if removed > 0 {
            Toggle::Removed
        } else {
            let held: i64 =
                query_one(&tx, "SELECT count(*) FROM bookmarks WHERE user_id = $1", &[&user]).await?.try_get(0)?;
            if held as usize >= limit {
                return Ok(Toggle::Full);
            }
            execute(
                &tx,
                "INSERT INTO bookmarks (user_id, talk, created_at) VALUES ($1, $2, $3)",
                &[&user, &talk, &instant(at)],
            )
            .await?;
            Toggle::Added
        };
        tx.commit().await?;
        Ok(result)
    }

    /// A user's bookmarked talk ids, oldest first.
    pub async fn bookmarks_of(&self, user_id: u64) -> Result<Vec<String>, StoreError> {
        let rows = query(
            &self.client().await?,
            "SELECT talk FROM bookmarks WHERE user_id = $1 ORDER BY created_at, talk",
            &[&id_sql(user_id)],
        )
        .await?;
        Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
    }

    /// `/mine clear`: deletes every bookmark of a user; returns how many there were.
    pub async fn clear_bookmarks(&self, user_id: u64) -> Result<usize, StoreError> {
        let n = execute(&self.client().await?, "DELETE FROM bookmarks WHERE user_id = $1", &[&id_sql(user_id)]).await?;
        Ok(n as usize)
    }

    /// Every bookmark with its user's lead time, for the reminder loop.
    pub async fn all_bookmarks(&self) -> Result<Vec<Bookmark>, StoreError> {
        let rows = query(
            &self.client().await?,
            "SELECT b.user_id, b.talk, m.remind_minutes FROM bookmarks b
             LEFT JOIN live_members m ON m.user_id = b.user_id ORDER BY b.user_id, b.talk",
            &[],
        )
        .await?;
        rows.iter()
            .map(|r| {
                let minutes: Option<i64> = r.try_get(2)?;
                Ok(Bookmark {
                    user_id: id_from_sql(r.try_get(0)?),
                    talk_id: r.try_get(1)?,
                    minutes_before: minutes.map(|m| small(m, "remind minutes")).transpose()?.unwrap_or(REMIND_MINUTES),
                })
            })
            .collect()
    }

    /// `/remind minutes:`: the user's lead time for reminders.
    pub async fn set_remind_minutes(&self, user_id: u64, minutes: u32) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "INSERT INTO live_members (user_id, remind_minutes) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET remind_minutes = EXCLUDED.remind_minutes",
            &[&id_sql(user_id), &i64::from(minutes)],
        )
        .await?;
        Ok(())
    }

    /// The user's lead time for reminders.
    pub async fn remind_minutes(&self, user_id: u64) -> Result<u32, StoreError> {
        let row = query_opt(
            &self.client().await?,
            "SELECT remind_minutes FROM live_members WHERE user_id = $1",
            &[&id_sql(user_id)],
        )
        .await?;
        let minutes: Option<i64> = row.map(|r| r.try_get(0)).transpose()?.flatten();
        Ok(minutes.map(|m| small(m, "remind minutes")).transpose()?.unwrap_or(REMIND_MINUTES))
    }

    /// Discord refused to DM the user (their DMs are closed): remember it, to tell them once.
    pub async fn dms_closed(&self, user_id: u64, at: DateTime<Utc>) -> Result<(), StoreError> {
        execute(
            &self.client().await?,
            "INSERT INTO live_members (user_id, dm_closed_at, dm_told) VALUES ($1, $2, FALSE)
             ON CONFLICT (user_id) DO UPDATE SET dm_closed_at = EXCLUDED.dm_closed_at, dm_told = FALSE",
            &[&id_sql(user_id), &instant(at)],
        )
        .await?;
        Ok(())
    }

    /// When the user's DMs were found closed and they have not been told yet: marks them told.
    pub async fn take_dm_notice(&self, user_id: u64) -> Result<Option<DateTime<Utc>>, StoreError> {
        // One statement, so of two workers taking it at once only one gets it (SQLite's
        // read-then-update is safe only under its single writer).
        let row = query_opt(
            &self.client().await?,
            "UPDATE live_members SET dm_told = TRUE WHERE user_id = $1 AND NOT dm_told RETURNING dm_closed_at",
            &[&id_sql(user_id)],
        )
        .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?.flatten())
    }
}

async fn announced(
    c: &impl GenericClient,
    guild_id: u64,
    channel_id: u64,
    sessions: &[(String, DateTime<Utc>)],
) -> Result<Vec<bool>, StoreError> {
    let mut found = Vec::with_capacity(sessions.len());
    for (talk, start) in sessions {
        let row = query_opt(
            c,
            "SELECT 1 FROM announced WHERE guild_id = $1 AND channel_id = $2 AND talk = $3 AND start = $4",
            &[&id_sql(guild_id), &id_sql(channel_id), talk, &instant(*start)],
        )
        .await?;
        found.push(row.is_some());
    }
    Ok(found)
}

/// A follow from `origin`; a config entry never overwrites one set in Discord.
async fn follow(c: &impl GenericClient, f: &Following, origin: Origin, at: DateTime<Utc>) -> Result<(), StoreError> {
    let origin = match origin {
        Origin::Config => "config",
        Origin::Discord => "discord",
    };
    execute(
        c,
        "INSERT INTO live_follows (guild_id, conference, channel_id, minutes_before, origin, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (guild_id, conference) DO UPDATE SET
             channel_id = EXCLUDED.channel_id, minutes_before = EXCLUDED.minutes_before,
             origin = EXCLUDED.origin, updated_at = EXCLUDED.updated_at
         WHERE EXCLUDED.origin = 'discord' OR live_follows.origin = 'config'",
        &[
            &id_sql(f.guild_id),
            &f.conference,
            &id_sql(f.channel_id),
            &i64::from(f.minutes_before),
            &origin,
            &instant(at),
        ],
    )
    .await?;
    Ok(())
}

async fn set_room_channel(
    c: &impl GenericClient,
    guild_id: u64,
    room: &str,
    channel: Option<u64>,
) -> Result<(), StoreError> {
    match channel {
        Some(channel) => {
            execute(
                c,
                "INSERT INTO live_rooms (guild_id, room, channel_id) VALUES ($1, $2, $3)
                 ON CONFLICT (guild_id, room) DO UPDATE SET channel_id = EXCLUDED.channel_id",
                &[&id_sql(guild_id), &room, &id_sql(channel)],
            )
            .await?
        }
        None => {
            execute(c, "DELETE FROM live_rooms WHERE guild_id = $1 AND room = $2", &[&id_sql(guild_id), &room]).await?
        }
    };
    Ok(())
}

/// Inserts an intent and returns its row; `None` when its key is in the outbox already.
async fn insert(c: &impl GenericClient, new: &NewOutgoing) -> Result<Option<Row>, StoreError> {
    // Asked first, though `ON CONFLICT` alone keeps the rule: a conflicting insert still draws
    // an id from the sequence (the live loop offers the same keys every pass), and SQLite's
    // ids have no such gaps.
    if query_opt(c, "SELECT 1 FROM outbox WHERE key = $1", &[&new.key]).await?.is_some() {
        return Ok(None);
    }
    let (guild, user, channel) = match new.target {
        Target::Channel { guild_id, channel_id } => (Some(id_sql(guild_id)), None, Some(id_sql(channel_id))),
        Target::User { user_id } => (None, Some(id_sql(user_id)), None),
    };
    let sql = format!(
        "INSERT INTO outbox (key, kind, guild_id, user_id, channel_id, nonce, payload, status, created_at, not_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)
         ON CONFLICT (key) DO NOTHING
         RETURNING {COLUMNS}"
    );
    query_opt(
        c,
        &sql,
        &[
            &new.key,
            &new.kind.as_str(),
            &guild,
            &user,
            &channel,
            &new.nonce,
            &new.payload,
            &instant(new.at),
            &instant(new.not_after),
        ],
    )
    .await
}
