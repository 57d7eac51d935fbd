//! Schedules and decks on PostgreSQL, as `store/schedules.rs` keeps them in SQLite: a guild has
//! at most one schedule; config entries are the starting point and a schedule changed in Discord
//! (`/daily set`, `/daily off`) wins from then on.

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::{execute, id_from_sql, id_sql, instant, posts, query, query_opt, small, Postgres};
use crate::daily::{DeckState, Entry, Origin, Schedule};
use crate::store::StoreError;
use crate::zones::{parse_time, parse_zone};

const COLUMNS: &str =
    "guild_id, channel_id, time, timezone, topic, conference, enabled, origin, post_now_for, active_since";

/// The entry in the columns from `at` on; any unreadable value is the row's problem alone.
fn unread(row: &Row, at: usize) -> Result<Entry, StoreError> {
    let column = |i: usize| at + i;
    let time: String = row.try_get(column(2))?;
    let zone: String = row.try_get(column(3))?;
    let origin: String = row.try_get(column(7))?;
    Ok(Entry {
        schedule: Schedule {
            guild_id: id_from_sql(row.try_get(column(0))?),
            channel_id: id_from_sql(row.try_get(column(1))?),
            time: parse_time(&time).map_err(StoreError::Corrupt)?,
            zone: parse_zone(&zone).map_err(StoreError::Corrupt)?,
            topic: row.try_get(column(4))?,
            conference: row.try_get(column(5))?,
            enabled: row.try_get(column(6))?,
        },
        origin: if origin == "discord" { Origin::Discord } else { Origin::Config },
        post_now_for: row.try_get(column(8))?,
        active_since: row.try_get(column(9))?,
    })
}

impl Postgres {
    /// Makes the config file's entries the starting point: new guilds get their entry, guilds
    /// whose schedule came from config follow the config, guilds changed in Discord keep
    /// their settings, and config schedules no longer in the file are switched off.
    pub async fn sync_config(&self, entries: &[Schedule], now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        execute(&tx, "UPDATE schedules SET enabled = FALSE WHERE origin = 'config'", &[]).await?;
        for s in entries {
            // The upsert itself leaves a schedule set in Discord alone (SQLite reads the origin
            // first, under its single writer; here a `/daily set` may commit in between).
            upsert(&tx, s, "config", now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Saves a schedule set in Discord; it overrides the config from now on.
    pub async fn set_schedule(&self, s: &Schedule, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        upsert(&tx, s, "discord", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Switches a guild's schedule off (`/daily off`); false when it had none switched on.
    pub async fn disable(&self, guild_id: u64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = execute(
            &self.client().await?,
            "UPDATE schedules SET enabled = FALSE, origin = 'discord', updated_at = $2 WHERE guild_id = $1 AND enabled",
            &[&id_sql(guild_id), &instant(now)],
        )
        .await?;
        Ok(changed > 0)
    }

    /// Asks for `date`'s post to go out at once (`/daily now`). A failed post for that date is
    /// reopened, since the admin presumably fixed the channel.
    pub async fn request_now(&self, guild_id: u64, date: NaiveDate) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        execute(&tx, "UPDATE schedules SET post_now_for = $2 WHERE guild_id = $1", &[&id_sql(guild_id), &date]).await?;
        posts::reopen_failed(&tx, guild_id, date).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A guild's schedule, switched on or off.
    pub async fn entry(&self, guild_id: u64) -> Result<Option<Entry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM schedules WHERE guild_id = $1");
        let row = query_opt(&self.client().await?, &sql, &[&id_sql(guild_id)]).await?;
        row.map(|r| unread(&r, 0)).transpose()
    }

    /// Every schedule, switched on or off, by guild.
    ///
    /// A row that cannot be read (an unknown zone, a time `99:99`) comes back as its guild and
    /// the problem, beside the readable ones: one bad row must never stop the other servers' posts.
    pub async fn entries(&self) -> Result<(Vec<Entry>, Vec<(u64, StoreError)>), StoreError> {
        let sql = format!("SELECT guild_id, {COLUMNS} FROM schedules ORDER BY guild_id");
        let rows = query(&self.client().await?, &sql, &[]).await?;
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        for row in &rows {
            let guild = id_from_sql(row.try_get(0)?);
            match unread(row, 1) {
                Ok(entry) => good.push(entry),
                Err(e) => bad.push((guild, e)),
            }
        }
        Ok((good, bad))
    }

    /// A guild's deck: its seed, cycle, and the items shown in this cycle.
    pub async fn deck(&self, guild_id: u64) -> Result<DeckState, StoreError> {
        let client = self.client().await?;
        let guild = id_sql(guild_id);
        let Some(head) =
            query_opt(&client, "SELECT seed, cycle, last FROM decks WHERE guild_id = $1", &[&guild]).await?
        else {
            return Ok(DeckState::default());
        };
        let (seed, cycle, last): (i64, i64, Option<String>) = (head.try_get(0)?, head.try_get(1)?, head.try_get(2)?);
        let rows =
            query(&client, "SELECT item FROM deck_shown WHERE guild_id = $1 AND cycle = $2", &[&guild, &cycle]).await?;
        let shown = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        Ok(DeckState { seed: seed as u64, cycle: small(cycle, "deck cycle")?, shown, last })
    }
}

/// Saves a schedule from `origin`. A config entry never overwrites a schedule set in Discord:
/// the `WHERE` of the update leaves that row, and its deck, as they are.
async fn upsert(c: &impl GenericClient, s: &Schedule, origin: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let saved = execute(
        c,
        "INSERT INTO schedules (guild_id, channel_id, time, timezone, topic, conference, enabled, origin,
                                active_since, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (guild_id) DO UPDATE SET channel_id = $2, time = $3, timezone = $4, topic = $5,
             conference = $6, enabled = $7, origin = $8, updated_at = $9,
             active_since = CASE WHEN schedules.enabled THEN schedules.active_since ELSE $9 END
         WHERE EXCLUDED.origin = 'discord' OR schedules.origin = 'config'",
        &[
            &id_sql(s.guild_id),
            &id_sql(s.channel_id),
            &s.time.format("%H:%M").to_string(),
            &s.zone.name(),
            &s.topic,
            &s.conference,
            &s.enabled,
            &origin,
            &instant(now),
        ],
    )
    .await?;
    if saved > 0 {
        // The deck's seed is drawn once, when the guild first gets a schedule, so previews made
        // before the first post show what will really be posted.
        execute(
            c,
            "INSERT INTO decks (guild_id, seed, cycle) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
            &[&id_sql(s.guild_id), &(fastrand::u64(..) as i64)],
        )
        .await?;
    }
    Ok(())
}
