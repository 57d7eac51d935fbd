//! One pass of the delivery loop at a given "now": finish unfinished intents, then post what is
//! due, following the protocol that makes each local day post exactly once.
//!
//! The protocol, step by step (a kill between any two steps is safe):
//! 1. log the intent — date, item, nonce, the exact payload — and advance the deck, in one
//!    transaction (a second intent for the same day is refused by SQLite);
//! 2. send with `nonce` and `enforce_nonce: true`;
//! 3. record the message id.
//!
//! An intent still pending at the next pass (a crash, a timeout, a 5xx) is reconciled: first
//! look for the message among the bot's recent messages in the channel (found → record it);
//! if absent, send again with the same nonce, so a message created in the meantime is
//! deduplicated by Discord. Looking first matters because Discord only dedupes nonces for a
//! few minutes, while a restart may take longer. A past day's intent is only looked for.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::post;
use crate::catalogue::Catalogue;
use crate::community;
use crate::daily::deck::{self, Filter, Item};
use crate::daily::due::{self, Action};
use crate::daily::{Entry, NewPost, PostRecord, Status};
use crate::reply::Message;
use crate::services::{transport, Delivery, SendError, Transport};
use crate::store::{Store, StoreError};

/// How long a send or lookup may take before it counts as a transient failure.
pub const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// How far before the intent lookups start, to allow for clock skew with Discord.
const LOOKUP_SLACK: Duration = Duration::minutes(5);
/// After a store error on a guild's rows, that guild is looked at again this much later.
const AFTER_ERROR: Duration = Duration::seconds(30);
/// A past day's lookup that keeps failing is abandoned after this many attempts.
const MAX_CLOSE_ATTEMPTS: u32 = 20;

/// Does everything due at `now` and returns when to look again: `now` itself if it acted
/// (the next pass sees the new state), otherwise the earliest instant anything is due (at
/// most a day away: every schedule is due at least daily).
pub async fn tick<T: Transport>(
    store: &Store,
    catalogue: &Catalogue,
    transport: &T,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, StoreError> {
    let (entries, unreadable) = store.entries()?;
    let mut wake = now + Duration::days(1);
    let mut acted = false;
    for (guild, e) in &unreadable {
        // Skipped, not fatal: the other servers post on time. `/daily show` tells the server's
        // admins, and `/daily set` replaces the row.
        tracing::error!(guild, "daily: this server's schedule cannot be read, so it is skipped: {e}");
    }
    // One guild's trouble (a store error on its rows) must not stop the others: it is
    // logged, and that guild is looked at again a little later.
    let mut outcome = |guild: u64, result: Result<(), StoreError>, wake: &mut DateTime<Utc>| match result {
        Ok(()) => acted = true,
        Err(e) => {
            tracing::error!(guild, "daily: {e}");
            *wake = (*wake).min(now + AFTER_ERROR);
        }
    };
    for pending in store.pending()? {
        let schedule = entries.iter().find(|e| e.schedule.guild_id == pending.guild_id).map(|e| &e.schedule);
        let result = match due::decide_pending(now, schedule, &pending) {
            Action::Wait(at) => {
                wake = wake.min(at);
                continue;
            }
            // Claimed before anything is sent: a process that lost the lease leaves it alone.
            _ if !store.claim_post(pending.id)? => continue,
            Action::Close => reconcile(store, transport, &pending, now, false).await,
            Action::Resume | Action::Post { .. } => reconcile(store, transport, &pending, now, true).await,
        };
        outcome(pending.guild_id, result, &mut wake);
    }
    for entry in &entries {
        let s = &entry.schedule;
        let today = match store.post_for(s.guild_id, s.local_date(now)) {
            Ok(today) => today,
            Err(e) => {
                outcome(s.guild_id, Err(e), &mut wake);
                continue;
            }
        };
        match due::decide(now, entry, today.as_ref()) {
            Action::Wait(at) => wake = wake.min(at),
            Action::Post { date, late } => {
                let result = post_day(store, catalogue, transport, entry, date, late, now).await;
                outcome(s.guild_id, result, &mut wake);
            }
            // Pending rows were handled above; the next pass decides again.
            Action::Resume | Action::Close => {}
        }
    }
    Ok(if acted { now } else { wake })
}

/// Steps 1–3 for a local date that has no row yet.
async fn post_day<T: Transport>(
    store: &Store,
    catalogue: &Catalogue,
    transport: &T,
    entry: &Entry,
    date: NaiveDate,
    late: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let s = &entry.schedule;
    let filter = Filter { topic: s.topic.clone(), conference: s.conference.clone() };
    // The server's approved shared insights as of now: one approved a moment ago is dealt.
    let shared = community::served(catalogue, &store.suggestions(Some(s.guild_id), community::Status::Approved)?);
    let eligible = deck::eligible(catalogue, &shared, &filter);
    let deck_state = store.deck(s.guild_id)?;
    let Some((pick, item)) =
        deck::next(&deck_state, &eligible).and_then(|p| Item::from_id(catalogue, &shared, &p.id).map(|i| (p, i)))
    else {
        tracing::warn!(guild = s.guild_id, %date, "daily: nothing to post, no item matches the schedule's filter");
        return store.log_failure(s.guild_id, date, s.channel_id, "nothing to post: no item matches the filter", now);
    };
    let message = crate::reply::render(&post::render(catalogue, &shared, item, pick.position, pick.total));
    let payload = serde_json::to_string(&message).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let new = NewPost {
        guild_id: s.guild_id,
        local_date: date,
        channel_id: s.channel_id,
        pick,
        nonce: nonce(s.guild_id, date),
        payload,
        late,
        at: now,
    };
    let record = match store.begin_post(&new) {
        Ok(record) => record,
        // Another pass logged it first: that pass owns the delivery.
        Err(StoreError::AlreadyLogged) => return Ok(()),
        Err(e) => return Err(e),
    };
    if late {
        tracing::info!(guild = s.guild_id, %date, "daily: posting late — the bot was not running at {}", s.when());
    }
    send(store, transport, &record, message, now).await
}

/// Step 2–3 for an intent: send, then record the outcome.
async fn send<T: Transport>(
    store: &Store,
    transport: &T,
    post: &PostRecord,
    message: Message,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let delivery = Delivery { channel_id: post.channel_id, nonce: post.nonce.clone(), message };
    let outcome = tokio::time::timeout(SEND_TIMEOUT, transport.send(&delivery))
        .await
        .unwrap_or_else(|_| Err(SendError::Server("no answer in time".into())));
    match outcome {
        Ok(message_id) => {
            tracing::info!(guild = post.guild_id, date = %post.local_date, message_id, "daily: posted");
            store.mark_sent(post.id, message_id, now)
        }
        Err(e) => failed(store, post, &e, now),
    }
}

/// Records a failed send or lookup: transient ones are retried later the same day.
fn failed(store: &Store, post: &PostRecord, e: &SendError, now: DateTime<Utc>) -> Result<(), StoreError> {
    if e.is_transient() {
        let retry_after = match e {
            SendError::RateLimited { retry_after } => *retry_after,
            _ => None,
        };
        let at = now + due::backoff(post.attempts, retry_after);
        tracing::warn!(guild = post.guild_id, date = %post.local_date, "daily: {e}; retrying at {at}");
        store.retry_later(post.id, &e.to_string(), at)
    } else {
        tracing::error!(guild = post.guild_id, date = %post.local_date, "daily: {e}; not retrying today");
        store.give_up(post.id, Status::Failed, &e.to_string(), now)
    }
}

/// Finishes an unfinished intent: look for its message, then (today only) send it again.
async fn reconcile<T: Transport>(
    store: &Store,
    transport: &T,
    post: &PostRecord,
    now: DateTime<Utc>,
    may_send: bool,
) -> Result<(), StoreError> {
    let message: Message = serde_json::from_str(&post.payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let since = post.intended_at - LOOKUP_SLACK;
    let found = tokio::time::timeout(SEND_TIMEOUT, transport.recent(post.channel_id, since))
        .await
        .unwrap_or_else(|_| Err(SendError::Server("no answer in time".into())));
    match found {
        Ok(seen) => {
            if let Some(id) = seen.iter().find(|m| transport::is_ours(m, &post.nonce, &message)).map(|m| m.id) {
                tracing::info!(guild = post.guild_id, date = %post.local_date, id, "daily: found the post; recorded");
                return store.mark_sent(post.id, id, now);
            }
        }
        Err(e) if !may_send && e.is_transient() && post.attempts >= MAX_CLOSE_ATTEMPTS => {
            return store.give_up(post.id, Status::Missed, &format!("could not confirm the post: {e}"), now);
        }
        // Sending blind after the dedupe window could post twice: wait until the lookup works.
        Err(e) => return failed(store, post, &e, now),
    }
    if may_send {
        send(store, transport, post, message, now).await
    } else {
        let why = post.error.clone().unwrap_or_else(|| "the bot stopped before delivering it".into());
        tracing::warn!(guild = post.guild_id, date = %post.local_date, "daily: day ended undelivered: {why}");
        store.give_up(post.id, Status::Missed, &format!("day ended undelivered: {why}"), now)
    }
}

/// The nonce of a guild's post for a local date: the same for every attempt, at most 25
/// characters, as Discord requires.
pub fn nonce(guild_id: u64, date: NaiveDate) -> String {
    let h = crate::daily::fnv1a(&format!("{guild_id}/{date}"));
    format!("d{}{h:016x}", date.format("%y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::Seen;

    #[test]
    fn a_post_is_recognised_by_nonce_or_by_footer_and_text() {
        let c = Catalogue::embedded();
        let message = crate::reply::render(&post::render(&c, &[], Item::Insight(0), 2, 4));
        let embed = &message.embeds[0];
        let footer = embed.footer.as_ref().map(|f| f.text.clone());
        let record = PostRecord {
            id: 1,
            guild_id: 1,
            local_date: "2024-06-01".parse().unwrap(),
            channel_id: 2,
            item: "insight:x".into(),
            cycle: 0,
            position: 2,
            total: 4,
            nonce: "n1".into(),
            payload: String::new(),
            status: Status::Pending,
            message_id: None,
            error: None,
            attempts: 0,
            late: false,
            intended_at: chrono::Utc::now(),
            next_attempt_at: None,
            finished_at: None,
        };
        let seen = |nonce: Option<&str>, footer: Option<String>, description: Option<String>| Seen {
            id: 9,
            nonce: nonce.map(String::from),
            title: embed.title.clone(),
            footer,
            description,
        };
        assert!(transport::is_ours(&seen(Some("n1"), None, None), &record.nonce, &message));
        assert!(transport::is_ours(&seen(None, footer.clone(), embed.description.clone()), &record.nonce, &message));
        assert!(!transport::is_ours(&seen(Some("n2"), footer.clone(), Some("other".into())), &record.nonce, &message));
        assert!(!transport::is_ours(
            &seen(None, Some("Daily highlight · 1 of 4".into()), embed.description.clone()),
            &record.nonce,
            &message
        ));
    }

    #[test]
    fn nonces_are_per_day_and_fit() {
        let d: NaiveDate = "2024-06-01".parse().unwrap();
        let a = nonce(u64::MAX, d);
        assert!(a.len() <= 25, "{a}");
        assert_eq!(a, nonce(u64::MAX, d));
        assert_ne!(a, nonce(u64::MAX, d.succ_opt().unwrap()));
        assert_ne!(a, nonce(1, d));
    }
}
