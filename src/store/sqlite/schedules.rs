//! Schedules and decks in the store. A guild has at most one schedule; config entries are the
//! starting point and a schedule changed in Discord (`/daily set`, `/daily off`) wins from then on.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::{date_text, id_from_sql, id_sql, instant_text, read_date, read_instant, Sqlite};
use crate::daily::{DeckState, Entry, Origin, Schedule};
use crate::store::{StoreError, Unreadable};
use crate::zones::{parse_time, parse_zone};

const COLUMNS: &str =
    "guild_id, channel_id, time, timezone, topic, conference, enabled, origin, post_now_for, active_since";

fn entry(row: &Row<'_>) -> rusqlite::Result<Result<Entry, StoreError>> {
    Ok(unread(row, 0))
}

/// The entry in the columns from `at` on; any unreadable value is the row's problem alone.
fn unread(row: &Row<'_>, at: usize) -> Result<Entry, StoreError> {
    let column = |i: usize| at + i;
    let time: String = row.get(column(2))?;
    let zone: String = row.get(column(3))?;
    let origin: String = row.get(column(7))?;
    let post_now: Option<String> = row.get(column(8))?;
    let active_since: String = row.get(column(9))?;
    let (guild_id, channel_id): (i64, i64) = (row.get(column(0))?, row.get(column(1))?);
    let (topic, conference, enabled) = (row.get(column(4))?, row.get(column(5))?, row.get(column(6))?);
    (|| {
        Ok(Entry {
            schedule: Schedule {
                guild_id: id_from_sql(guild_id),
                channel_id: id_from_sql(channel_id),
                time: parse_time(&time).map_err(StoreError::Corrupt)?,
                zone: parse_zone(&zone).map_err(StoreError::Corrupt)?,
                topic,
                conference,
                enabled,
            },
            origin: if origin == "discord" { Origin::Discord } else { Origin::Config },
            post_now_for: post_now.as_deref().map(read_date).transpose()?,
            active_since: read_instant(&active_since)?,
        })
    })()
}

impl Sqlite {
    /// Makes the config file's entries the starting point: new guilds get their entry, guilds
    /// whose schedule came from config follow the config, guilds changed in Discord keep
    /// their settings, and config schedules no longer in the file are switched off.
    pub fn sync_config(&self, entries: &[Schedule], now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.prepare_cached("UPDATE schedules SET enabled = 0 WHERE origin = 'config'")?.execute([])?;
        for s in entries {
            let from_discord: Option<bool> = tx
                .prepare_cached("SELECT origin = 'discord' FROM schedules WHERE guild_id = ?1")?
                .query_row([id_sql(s.guild_id)], |r| r.get(0))
                .optional()?;
            if from_discord != Some(true) {
                upsert(&tx, s, "config", now)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Saves a schedule set in Discord; it overrides the config from now on.
    pub fn set_schedule(&self, s: &Schedule, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        upsert(&tx, s, "discord", now)?;
        tx.commit()?;
        Ok(())
    }

    /// Switches a guild's schedule off (`/daily off`); false when it had none switched on.
    pub fn disable(&self, guild_id: u64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE schedules SET enabled = 0, origin = 'discord', updated_at = ?2 WHERE guild_id = ?1 AND enabled",
            )?
            .execute(params![id_sql(guild_id), instant_text(now)])?;
        Ok(changed > 0)
    }

    /// Asks for `date`'s post to go out at once (`/daily now`). A failed post for that date is
    /// reopened, since the admin presumably fixed the channel.
    pub fn request_now(&self, guild_id: u64, date: NaiveDate) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.prepare_cached("UPDATE schedules SET post_now_for = ?2 WHERE guild_id = ?1")?
            .execute(params![id_sql(guild_id), date_text(date)])?;
        super::posts::reopen_failed(&tx, guild_id, date)?;
        tx.commit()?;
        Ok(())
    }

    /// A guild's schedule, switched on or off.
    pub fn entry(&self, guild_id: u64) -> Result<Option<Entry>, StoreError> {
        let conn = self.conn();
        let sql = format!("SELECT {COLUMNS} FROM schedules WHERE guild_id = ?1");
        let row = conn.prepare_cached(&sql)?.query_row([id_sql(guild_id)], entry).optional()?;
        row.transpose()
    }

    /// Every schedule, switched on or off, by guild.
    ///
    /// A row that cannot be read (a damaged file, an edit by hand: an unknown zone, a time
    /// `99:99`) comes back as its guild and the problem, beside the readable ones: one bad row
    /// must never stop the other servers' posts.
    pub fn entries(&self) -> Result<(Vec<Entry>, Vec<Unreadable>), StoreError> {
        let conn = self.conn();
        let mut statement =
            conn.prepare_cached(&format!("SELECT guild_id, {COLUMNS} FROM schedules ORDER BY guild_id"))?;
        let rows = statement.query_map([], |row| Ok((id_from_sql(row.get(0)?), unread(row, 1))))?;
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        for row in rows {
            match row? {
                (_, Ok(entry)) => good.push(entry),
                (guild, Err(e)) => bad.push((guild, e)),
            }
        }
        Ok((good, bad))
    }

    /// A guild's deck: its seed, cycle, and the items shown in this cycle.
    pub fn deck(&self, guild_id: u64) -> Result<DeckState, StoreError> {
        let conn = self.conn();
        let head: Option<(i64, u32, Option<String>)> = conn
            .prepare_cached("SELECT seed, cycle, last FROM decks WHERE guild_id = ?1")?
            .query_row([id_sql(guild_id)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((seed, cycle, last)) = head else { return Ok(DeckState::default()) };
        let mut statement = conn.prepare_cached("SELECT item FROM deck_shown WHERE guild_id = ?1 AND cycle = ?2")?;
        let shown = statement.query_map(params![id_sql(guild_id), cycle], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(DeckState { seed: seed as u64, cycle, shown, last })
    }
}

fn upsert(tx: &Transaction<'_>, s: &Schedule, origin: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO schedules (guild_id, channel_id, time, timezone, topic, conference, enabled, origin,
                                active_since, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (guild_id) DO UPDATE SET channel_id = ?2, time = ?3, timezone = ?4, topic = ?5,
             conference = ?6, enabled = ?7, origin = ?8, updated_at = ?9,
             active_since = CASE WHEN enabled THEN active_since ELSE ?9 END",
    )?
    .execute(params![
        id_sql(s.guild_id),
        id_sql(s.channel_id),
        s.time.format("%H:%M").to_string(),
        s.zone.name(),
        s.topic,
        s.conference,
        s.enabled,
        origin,
        instant_text(now)
    ])?;
    // The deck's seed is drawn once, when the guild first gets a schedule, so previews made
    // before the first post show what will really be posted.
    tx.prepare_cached("INSERT OR IGNORE INTO decks (guild_id, seed, cycle) VALUES (?1, ?2, 0)")?
        .execute(params![id_sql(s.guild_id), fastrand::u64(..) as i64])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(guild: u64, time: &str) -> Schedule {
        Schedule {
            guild_id: guild,
            channel_id: guild * 10,
            time: parse_time(time).unwrap(),
            zone: chrono_tz::Europe::Berlin,
            topic: None,
            conference: None,
            enabled: true,
        }
    }

    #[test]
    fn discord_settings_override_config_and_survive_resyncs() {
        let store = Sqlite::open_in_memory().unwrap();
        let now = Utc::now();
        store.sync_config(&[schedule(1, "09:00"), schedule(2, "10:00")], now).unwrap();
        store.set_schedule(&schedule(1, "18:30"), now).unwrap();
        store.sync_config(&[schedule(1, "09:00"), schedule(2, "11:00")], now).unwrap();
        let one = store.entry(1).unwrap().unwrap();
        assert_eq!((one.origin, one.schedule.time), (Origin::Discord, parse_time("18:30").unwrap()));
        assert_eq!(store.entry(2).unwrap().unwrap().schedule.time, parse_time("11:00").unwrap());
        // Gone from the config: switched off. Switched off in Discord: stays off.
        assert!(store.disable(1, now).unwrap());
        store.sync_config(&[schedule(1, "09:00")], now).unwrap();
        assert!(!store.entry(1).unwrap().unwrap().schedule.enabled);
        assert!(!store.entry(2).unwrap().unwrap().schedule.enabled);
        assert_eq!(store.entries().unwrap().0.len(), 2);
        assert!(store.entry(3).unwrap().is_none());
    }

    #[test]
    fn a_deck_seed_is_drawn_once() {
        let store = Sqlite::open_in_memory().unwrap();
        store.set_schedule(&schedule(5, "09:00"), Utc::now()).unwrap();
        let seed = store.deck(5).unwrap().seed;
        store.set_schedule(&schedule(5, "10:00"), Utc::now()).unwrap();
        assert_eq!(store.deck(5).unwrap().seed, seed);
    }
}
