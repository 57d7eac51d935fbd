//! Members' suggestions and each server's review channel. Every change that must not race is
//! one statement or one immediate transaction: adding checks the member's limits and the
//! duplicates in the same transaction as the insert, and a decision is a conditional UPDATE
//! (`… WHERE status = 'pending'`), so of two moderators pressing at once exactly one wins.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};

use super::{id_from_sql, id_sql, instant_text, read_instant, Sqlite};
use crate::catalogue::InsightKind;
use crate::community::{fold_key, Decision, Limits, NewSuggestion, Status, Suggestion};
use crate::store::{Decided, Edited, Refusal, StoreError};

/// Schema version 2: suggestions and review channels.
pub(super) const MIGRATION: &str = r#"
CREATE TABLE suggestions (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    author_id       INTEGER NOT NULL,
    author_name     TEXT NOT NULL,       -- display name when suggested
    credit          INTEGER NOT NULL,    -- 1: "shared by author_name"; 0: the author declined
    kind            TEXT NOT NULL CHECK (kind IN ('insight', 'quote')),
    text            TEXT NOT NULL,
    folded          TEXT NOT NULL,       -- search::fold of text: the same suggestion twice is refused
    talk            TEXT NOT NULL,       -- catalogue talk id, kept when the talk goes missing
    speaker         TEXT,                -- catalogue speaker id
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    global          INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    decided_at      TEXT,
    decided_by      INTEGER,
    decided_by_name TEXT,
    reason          TEXT,
    told            INTEGER NOT NULL DEFAULT 0,  -- the author has seen the decision
    review_channel  INTEGER,
    review_message  INTEGER,
    UNIQUE (guild_id, folded)
);
CREATE INDEX suggestions_by_author ON suggestions (author_id, guild_id, created_at);
CREATE INDEX suggestions_by_status ON suggestions (guild_id, status);
CREATE INDEX suggestions_untold ON suggestions (author_id) WHERE told = 0 AND status != 'pending';
CREATE TABLE review_channels (
    guild_id   INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
"#;

const COLUMNS: &str = "id, guild_id, author_id, author_name, credit, kind, text, talk, speaker, status, global, \
     created_at, decided_at, decided_by, decided_by_name, reason, review_channel, review_message";

fn kind_text(kind: InsightKind) -> &'static str {
    kind.as_str()
}

fn read_kind(text: &str) -> Result<InsightKind, StoreError> {
    match text {
        "insight" => Ok(InsightKind::Insight),
        "quote" => Ok(InsightKind::Quote),
        other => Err(StoreError::Corrupt(format!("insight kind {other:?}"))),
    }
}

/// The raw columns of one row; read in two steps so an unreadable value is the row's problem.
type Raw = (i64, i64, i64, String, bool, String, String, String, Option<String>, String, bool, String, RawDecision);
type RawDecision = (Option<String>, Option<i64>, Option<String>, Option<String>, Option<i64>, Option<i64>);

fn raw(r: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        (r.get(12)?, r.get(13)?, r.get(14)?, r.get(15)?, r.get(16)?, r.get(17)?),
    ))
}

fn suggestion(raw: Raw) -> Result<Suggestion, StoreError> {
    let (id, guild, author, author_name, credit, kind, text, talk, speaker, status, global, created, decided) = raw;
    let (decided_at, by, by_name, reason, review_channel, review_message) = decided;
    let decision = match (decided_at, by) {
        (Some(at), Some(by)) => Some(Decision {
            by_id: id_from_sql(by),
            by_name: by_name.unwrap_or_default(),
            at: read_instant(&at)?,
            reason,
        }),
        _ => None,
    };
    Ok(Suggestion {
        id,
        guild_id: id_from_sql(guild),
        author_id: id_from_sql(author),
        author_name,
        credit,
        kind: read_kind(&kind)?,
        text,
        talk,
        speaker,
        status: Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("suggestion status {status:?}")))?,
        global,
        created_at: read_instant(&created)?,
        decision,
        review: review_channel.zip(review_message).map(|(c, m)| (id_from_sql(c), id_from_sql(m))),
    })
}

impl Sqlite {
    /// Makes `channel_id` where this server's suggestions are posted for review.
    pub fn set_review_channel(&self, guild_id: u64, channel_id: u64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO review_channels (guild_id, channel_id, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (guild_id) DO UPDATE SET channel_id = ?2, updated_at = ?3",
            )?
            .execute(params![id_sql(guild_id), id_sql(channel_id), instant_text(now)])?;
        Ok(())
    }

    /// The server's review channel, if one is set.
    pub fn review_channel(&self, guild_id: u64) -> Result<Option<u64>, StoreError> {
        let found: Option<i64> = self
            .conn()
            .prepare_cached("SELECT channel_id FROM review_channels WHERE guild_id = ?1")?
            .query_row([id_sql(guild_id)], |r| r.get(0))
            .optional()?;
        Ok(found.map(id_from_sql))
    }

    /// Stores a checked suggestion as pending, unless a limit or a duplicate refuses it. The
    /// checks and the insert are one immediate transaction: two adds at once cannot both slip
    /// under a limit.
    pub fn suggest(&self, new: &NewSuggestion, limits: Limits) -> Result<Result<Suggestion, Refusal>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (guild, author) = (id_sql(new.guild_id), id_sql(new.author_id));
        let folded = fold_key(&new.text);
        let twin: Option<(i64, String)> = tx
            .prepare_cached("SELECT id, status FROM suggestions WHERE guild_id = ?1 AND folded = ?2")?
            .query_row(params![guild, folded], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((id, status)) = twin {
            let status = Status::parse(&status).unwrap_or(Status::Pending);
            return Ok(Err(Refusal::Duplicate { id, status }));
        }
        let count = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<usize, StoreError> {
            let n: i64 = tx.prepare_cached(sql)?.query_row(args, |r| r.get(0))?;
            Ok(n as usize)
        };
        let mine = count(
            "SELECT count(*) FROM suggestions WHERE guild_id = ?1 AND author_id = ?2 AND status = 'pending'",
            &[&guild, &author],
        )?;
        if mine >= limits.pending_per_member {
            return Ok(Err(Refusal::PendingPerMember(limits.pending_per_member)));
        }
        let since = instant_text(new.at - Duration::hours(1));
        let recent: Vec<String> = tx
            .prepare_cached(
                "SELECT created_at FROM suggestions WHERE guild_id = ?1 AND author_id = ?2 AND created_at > ?3
                 ORDER BY created_at",
            )?
            .query_map(params![guild, author, since], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if recent.len() >= limits.per_hour {
            // The hour frees up when the oldest of the last `per_hour` is an hour old.
            let oldest = read_instant(&recent[recent.len() - limits.per_hour])?;
            return Ok(Err(Refusal::PerHour { limit: limits.per_hour, next_at: oldest + Duration::hours(1) }));
        }
        let queued = count("SELECT count(*) FROM suggestions WHERE guild_id = ?1 AND status = 'pending'", &[&guild])?;
        if queued >= limits.pending_per_server {
            return Ok(Err(Refusal::ServerQueueFull(limits.pending_per_server)));
        }
        tx.prepare_cached(
            "INSERT INTO suggestions (guild_id, author_id, author_name, credit, kind, text, folded, talk, speaker,
                                      status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10)",
        )?
        .execute(params![
            guild,
            author,
            new.author_name,
            new.credit,
            kind_text(new.kind),
            new.text,
            folded,
            new.talk,
            new.speaker,
            instant_text(new.at),
        ])?;
        let id = tx.last_insert_rowid();
        let stored = read_one(&tx, id)?.ok_or_else(|| StoreError::Corrupt("a suggestion vanished".into()))?;
        tx.commit()?;
        Ok(Ok(stored))
    }

    /// Suggestion `id` of this server.
    pub fn suggestion(&self, guild_id: u64, id: i64) -> Result<Option<Suggestion>, StoreError> {
        let conn = self.conn();
        let found = read_one(&conn, id)?;
        Ok(found.filter(|s| s.guild_id == guild_id))
    }

    /// Suggestion `id`, whichever server it belongs to (for the edge posting it for review).
    pub fn suggestion_by_id(&self, id: i64) -> Result<Option<Suggestion>, StoreError> {
        read_one(&self.conn(), id)
    }

    /// A server's suggestions with this status, oldest first; every server's with `None`.
    pub fn suggestions(&self, guild_id: Option<u64>, status: Status) -> Result<Vec<Suggestion>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {COLUMNS} FROM suggestions WHERE status = ?1 AND (?2 IS NULL OR guild_id = ?2) ORDER BY id"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params![status.as_str(), guild_id.map(id_sql)], raw)?;
        rows.map(|r| suggestion(r?)).collect()
    }

    /// Approves or rejects a pending suggestion of this server. Only the first decision counts.
    pub fn decide(&self, guild_id: u64, id: i64, status: Status, decision: &Decision) -> Result<Decided, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changed = tx
            .prepare_cached(
                "UPDATE suggestions SET status = ?3, decided_at = ?4, decided_by = ?5, decided_by_name = ?6,
                                        reason = ?7, told = 0
                 WHERE id = ?1 AND guild_id = ?2 AND status = 'pending'",
            )?
            .execute(params![
                id,
                id_sql(guild_id),
                status.as_str(),
                instant_text(decision.at),
                id_sql(decision.by_id),
                decision.by_name,
                decision.reason,
            ])?;
        let now = read_one(&tx, id)?.filter(|s| s.guild_id == guild_id);
        tx.commit()?;
        Ok(match now {
            None => Decided::NotFound,
            Some(s) if changed == 1 => Decided::Done(s),
            Some(s) => Decided::Already(s),
        })
    }

    /// A moderator's correction: new text, talk and speaker for a suggestion that is not
    /// rejected. An approved one stays approved and is served as edited at once.
    pub fn edit(
        &self,
        guild_id: u64,
        id: i64,
        text: &str,
        talk: &str,
        speaker: Option<&str>,
    ) -> Result<Edited, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(before) = read_one(&tx, id)?.filter(|s| s.guild_id == guild_id) else {
            return Ok(Edited::NotFound);
        };
        if before.status == Status::Rejected {
            return Ok(Edited::Closed(before));
        }
        let folded = fold_key(text);
        let twin: Option<i64> = tx
            .prepare_cached("SELECT id FROM suggestions WHERE guild_id = ?1 AND folded = ?2 AND id != ?3")?
            .query_row(params![id_sql(guild_id), folded, id], |r| r.get(0))
            .optional()?;
        if twin.is_some() {
            return Ok(Edited::Duplicate);
        }
        tx.prepare_cached(
            "UPDATE suggestions SET text = ?2, folded = ?3, talk = ?4, speaker = ?5
             WHERE id = ?1 AND status != 'rejected'",
        )?
        .execute(params![id, text, folded, talk, speaker])?;
        let after = read_one(&tx, id)?.ok_or_else(|| StoreError::Corrupt("a suggestion vanished".into()))?;
        tx.commit()?;
        Ok(Edited::Done(after))
    }

    /// Marks an approved suggestion global (for the operator to publish) or back to this
    /// server only; `None` when there is no approved suggestion `id` here.
    pub fn set_global(&self, guild_id: u64, id: i64, global: bool) -> Result<Option<Suggestion>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changed = tx
            .prepare_cached(
                "UPDATE suggestions SET global = ?3 WHERE id = ?1 AND guild_id = ?2 AND status = 'approved'",
            )?
            .execute(params![id, id_sql(guild_id), global])?;
        let now = read_one(&tx, id)?;
        tx.commit()?;
        Ok(now.filter(|_| changed == 1))
    }

    /// Remembers where a suggestion's review message is.
    pub fn set_review_message(&self, id: i64, channel_id: u64, message_id: u64) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("UPDATE suggestions SET review_channel = ?2, review_message = ?3 WHERE id = ?1")?
            .execute(params![id, id_sql(channel_id), id_sql(message_id)])?;
        Ok(())
    }

    /// Decisions on `author_id`'s suggestions they have not been told of, oldest first, at most
    /// `limit`.
    pub fn untold(&self, author_id: u64, limit: usize) -> Result<Vec<Suggestion>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {COLUMNS} FROM suggestions WHERE author_id = ?1 AND told = 0 AND status != 'pending'
             ORDER BY decided_at, id LIMIT ?2"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params![id_sql(author_id), limit as i64], raw)?;
        rows.map(|r| suggestion(r?)).collect()
    }

    /// Records that the author has been told of these decisions.
    pub fn mark_told(&self, ids: &[i64]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for id in ids {
            tx.prepare_cached("UPDATE suggestions SET told = 1 WHERE id = ?1 AND status != 'pending'")?
                .execute([id])?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// One suggestion by id, within an open connection or transaction.
fn read_one(conn: &rusqlite::Connection, id: i64) -> Result<Option<Suggestion>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM suggestions WHERE id = ?1");
    let found = conn.prepare_cached(&sql)?.query_row([id], raw).optional()?;
    found.map(suggestion).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(author: u64, text: &str, at: DateTime<Utc>) -> NewSuggestion {
        NewSuggestion {
            guild_id: 7,
            author_id: author,
            author_name: format!("member {author}"),
            credit: true,
            kind: InsightKind::Insight,
            text: text.into(),
            talk: "t".into(),
            speaker: None,
            at,
        }
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-01-01T10:00:00Z").unwrap().with_timezone(&Utc) + Duration::minutes(minutes)
    }

    fn by(id: u64) -> Decision {
        Decision { by_id: id, by_name: format!("mod {id}"), at: at(90), reason: None }
    }

    #[test]
    fn limits_and_duplicates_refuse_before_storing() {
        let store = Sqlite::open_in_memory().unwrap();
        let limits = Limits { pending_per_member: 2, per_hour: 3, pending_per_server: 4 };
        let one = store.suggest(&new(1, "First thought here", at(0)), limits).unwrap().unwrap();
        assert_eq!(one.status, Status::Pending);
        assert_eq!(
            store.suggest(&new(2, "first THOUGHT, here!", at(1)), limits).unwrap(),
            Err(Refusal::Duplicate { id: one.id, status: Status::Pending })
        );
        store.suggest(&new(1, "Second thought here", at(2)), limits).unwrap().unwrap();
        assert_eq!(
            store.suggest(&new(1, "Third thought here", at(3)), limits).unwrap(),
            Err(Refusal::PendingPerMember(2))
        );
        assert!(matches!(store.decide(7, one.id, Status::Approved, &by(9)).unwrap(), Decided::Done(_)));
        let three = store.suggest(&new(1, "Third thought here", at(4)), limits).unwrap().unwrap();
        assert!(matches!(store.decide(7, three.id, Status::Rejected, &by(9)).unwrap(), Decided::Done(_)));
        assert_eq!(
            store.suggest(&new(1, "Fourth thought here", at(5)), limits).unwrap(),
            Err(Refusal::PerHour { limit: 3, next_at: at(60) })
        );
        assert!(store.suggest(&new(1, "Fourth thought here", at(61)), limits).unwrap().is_ok());
        store.suggest(&new(3, "Another member's note", at(62)), limits).unwrap().unwrap();
        store.suggest(&new(4, "A fourth member's note", at(62)), limits).unwrap().unwrap();
        assert_eq!(
            store.suggest(&new(5, "A fifth member's note", at(63)), limits).unwrap(),
            Err(Refusal::ServerQueueFull(4))
        );
        // Another server is another queue.
        assert!(store.suggest(&NewSuggestion { guild_id: 8, ..new(5, "First thought here", at(63)) }, limits).is_ok());
    }

    #[test]
    fn the_first_decision_wins_and_the_author_is_told_once() {
        let store = Sqlite::open_in_memory().unwrap();
        let s = store.suggest(&new(1, "First thought here", at(0)), Limits::default()).unwrap().unwrap();
        assert_eq!(store.decide(8, s.id, Status::Approved, &by(9)).unwrap(), Decided::NotFound, "another server");
        let Decided::Done(done) = store.decide(7, s.id, Status::Approved, &by(9)).unwrap() else { panic!() };
        assert_eq!(done.decision.as_ref().unwrap().by_name, "mod 9");
        let Decided::Already(already) = store.decide(7, s.id, Status::Rejected, &by(10)).unwrap() else { panic!() };
        assert_eq!((already.status, already.decision.unwrap().by_id), (Status::Approved, 9));
        let untold = store.untold(1, 10).unwrap();
        assert_eq!(untold.len(), 1);
        store.mark_told(&[s.id]).unwrap();
        assert!(store.untold(1, 10).unwrap().is_empty());
        assert_eq!(store.suggestions(Some(7), Status::Approved).unwrap().len(), 1);
        assert_eq!(store.set_global(7, s.id, true).unwrap().map(|s| s.global), Some(true));
    }

    #[test]
    fn edits_keep_approval_refuse_twins_and_closed_ones() {
        let store = Sqlite::open_in_memory().unwrap();
        let a = store.suggest(&new(1, "First thought here", at(0)), Limits::default()).unwrap().unwrap();
        let b = store.suggest(&new(2, "Second thought here", at(0)), Limits::default()).unwrap().unwrap();
        store.decide(7, a.id, Status::Approved, &by(9)).unwrap();
        let Edited::Done(edited) = store.edit(7, a.id, "First thought, edited", "t2", Some("s")).unwrap() else {
            panic!()
        };
        assert_eq!(
            (edited.status, edited.talk.as_str(), edited.speaker.as_deref()),
            (Status::Approved, "t2", Some("s"))
        );
        assert_eq!(store.edit(7, b.id, "first thought edited", "t", None).unwrap(), Edited::Duplicate);
        store.decide(7, b.id, Status::Rejected, &by(9)).unwrap();
        assert!(matches!(store.edit(7, b.id, "Something else entirely", "t", None).unwrap(), Edited::Closed(_)));
        assert_eq!(store.edit(8, a.id, "Something else entirely", "t", None).unwrap(), Edited::NotFound);
    }
}
