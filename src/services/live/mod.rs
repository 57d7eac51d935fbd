//! Live during the event: one task per process that, on each pass, notices schedule changes,
//! finishes unfinished sends, announces the sessions about to start and sends the reminders
//! due — each exactly once. The rules are in [`crate::live`]; docs/live.md has the guarantees.
//!
//! The protocol is the daily posts' (see [`crate::services::daily::deliver`]): the intent —
//! its key, nonce and exact payload — is logged in one transaction before anything is sent;
//! the message id is recorded after; an intent still pending at the next pass is looked for in
//! its channel, then sent again with the same nonce, while it is still worth sending.
//!
//! # Layout
//! - [`post`]: the messages themselves.

pub mod post;

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Notify;

use crate::catalogue::Catalogue;
use crate::daily::due::backoff;
use crate::live::outbox::{self, Kind, NewOutgoing, Outgoing, Status, Target};
use crate::live::{changes, due, Change, ChangeKind, Snapshot};
use crate::reply::{limits, Message};
use crate::services::{transport, Clock, Delivery, SendError, Transport};
use crate::store::{Store, StoreError};

/// How long a send or lookup may take before it counts as a transient failure.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// How far before an intent lookups start, to allow for clock skew with Discord.
const LOOKUP_SLACK: Duration = Duration::minutes(5);
/// A change notice is still worth sending this long after the change was noticed.
const NOTICE_WINDOW: Duration = Duration::hours(12);
/// More changes than this to one conference at once are one summary notice, not a flood.
pub const NOTICES_MAX: usize = 10;

/// Runs the live programme until `shutdown` completes; like [`crate::services::daily::run`].
/// `wake` is notified after `/live` settings change and after every catalogue swap, so
/// changes are noticed at once.
pub async fn run<T, C>(
    store: Arc<Store>,
    catalogue: C,
    transport: T,
    clock: Clock,
    wake: Arc<Notify>,
    shutdown: impl Future<Output = ()>,
) where
    T: Transport,
    C: Fn() -> Arc<Catalogue>,
{
    let (store, transport) = (&store, &transport);
    super::pass::run_passes("live", clock, wake, shutdown, |now| {
        let catalogue = catalogue();
        async move { tick(store, &catalogue, transport, now).await }
    })
    .await;
}

/// One pass at `now`; returns when to look again.
pub async fn tick<T: Transport>(
    store: &Store,
    c: &Catalogue,
    transport: &T,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, StoreError> {
    let following = store.following()?;
    let bookmarks = store.all_bookmarks()?;
    notice_changes(store, c, &following, &bookmarks, now)?;
    // Nothing due: the loop sleeps its longest; a reload or a `/live` change wakes it.
    let mut wake = now + Duration::days(1);
    let mut acted = false;
    for row in store.pending_outgoing()? {
        if let Some(at) = row.next_attempt_at.filter(|&at| at > now) {
            wake = wake.min(at);
            continue;
        }
        // Claimed before anything is sent: a process that lost the lease leaves it alone.
        if !store.claim_outgoing(row.id)? {
            continue;
        }
        deliver(store, transport, &row, now, true).await?;
        acted = true;
    }
    for a in due::announcements(c, &following, now) {
        acted |= announce(store, c, transport, &a, now).await?;
    }
    for r in due::reminders(c, &bookmarks, now) {
        let key = format!("remind:{}:{}:{}", r.user_id, c.talks[r.talk].id, r.start.timestamp());
        let reply = post::reminder(c, r.talk, r.start);
        let new = outgoing(key, Kind::Reminder, Target::User { user_id: r.user_id }, &reply, r.start, now)?;
        if let Some(row) = store.begin_outgoing(&new)? {
            deliver(store, transport, &row, now, false).await?;
            acted = true;
        }
    }
    if acted {
        return Ok(now);
    }
    for next in
        [due::next_announcement(c, &following, now), due::next_reminder(c, &bookmarks, now)].into_iter().flatten()
    {
        wake = wake.min(next);
    }
    Ok(wake)
}

/// Compares each followed conference's schedule with the one last compared, and logs a notice
/// per change for every server following it — with the new snapshot, in one transaction. A
/// conference seen for the first time, or gone from the catalogue, gives no notices: a whole
/// programme is not news, and a file that failed to load is not a cancellation.
fn notice_changes(
    store: &Store,
    c: &Catalogue,
    following: &[due::Following],
    bookmarks: &[due::Bookmark],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut conferences: Vec<&str> = following.iter().map(|f| f.conference.as_str()).collect();
    conferences.sort_unstable();
    conferences.dedup();
    for conference in conferences {
        let Some(ix) = c.conference_by_id(conference) else { continue };
        let new = Snapshot::of(c, ix);
        if new.talks.is_empty() {
            continue;
        }
        let old = store.snapshot(conference)?;
        let changes = match &old {
            Some(old) if *old == new => continue,
            Some(old) => changes::diff(old, &new),
            None => Vec::new(),
        };
        let mut notices = Vec::new();
        for f in following.iter().filter(|f| f.conference == conference) {
            let target = Target::Channel { guild_id: f.guild_id, channel_id: f.channel_id };
            if changes.len() > NOTICES_MAX {
                let key = format!("changes:{}:{conference}:{}", f.guild_id, crate::daily::fnv1a(&keys(&changes)));
                let reply = post::many_changes(c, conference, &changes);
                notices.push(outgoing(key, Kind::Notice, target, &reply, now + NOTICE_WINDOW, now)?);
                continue;
            }
            for change in &changes {
                let key = format!("change:{}:{conference}:{}", f.guild_id, change.key());
                let reply = post::notice(c, conference, change);
                notices.push(outgoing(key, Kind::Notice, target, &reply, now + NOTICE_WINDOW, now)?);
            }
        }
        // Members who bookmarked a cancelled talk are told instead of reminded.
        for change in changes.iter().filter(|ch| ch.kind == ChangeKind::Cancelled) {
            let Some(old) = &change.old else { continue };
            let Some(start) = old.start.filter(|&s| s > now) else { continue };
            for b in bookmarks.iter().filter(|b| b.talk_id == old.id) {
                let key = format!("cancelled:{}:{}:{}", b.user_id, old.id, start.timestamp());
                let reply = post::cancelled_reminder(c, conference, old);
                notices.push(outgoing(key, Kind::Reminder, Target::User { user_id: b.user_id }, &reply, start, now)?);
            }
        }
        if !changes.is_empty() {
            tracing::info!(conference, changes = changes.len(), "live: the schedule changed");
        }
        // A talk a re-import gave a new id keeps its bookmarks, so its reminder follows it.
        let renamed: Vec<(String, String)> = changes
            .iter()
            .filter_map(|ch| Some((ch.old.as_ref()?.id.clone(), ch.new.as_ref()?.id.clone())))
            .filter(|(old, new)| old != new)
            .collect();
        store.save_snapshot(conference, &new, &notices, &renamed, now)?;
    }
    Ok(())
}

fn keys(changes: &[Change]) -> String {
    changes.iter().map(Change::key).collect::<Vec<_>>().join("\n")
}

/// Logs and sends one announcement (in messages of at most ten sessions), leaving out the
/// sessions already announced in that channel. Returns whether it sent anything.
async fn announce<T: Transport>(
    store: &Store,
    c: &Catalogue,
    transport: &T,
    a: &due::Announcement,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let sessions: Vec<(String, DateTime<Utc>)> = a.talks.iter().map(|&t| (c.talks[t].id.clone(), a.start)).collect();
    let done = store.announced(a.guild_id, a.channel_id, &sessions)?;
    let fresh: Vec<usize> = a.talks.iter().zip(&done).filter(|(_, &d)| !d).map(|(&t, _)| t).collect();
    let mut sent = false;
    for chunk in fresh.chunks(limits::EMBEDS) {
        let sessions: Vec<(String, DateTime<Utc>)> = chunk.iter().map(|&t| (c.talks[t].id.clone(), a.start)).collect();
        let key = format!("announce:{}:{}:{}:{}", a.guild_id, a.channel_id, a.start.timestamp(), sessions[0].0);
        let target = Target::Channel { guild_id: a.guild_id, channel_id: a.channel_id };
        let new = outgoing(key, Kind::Announcement, target, &post::announcement(c, chunk, a.start), a.start, now)?;
        // Another pass (or process) logged one of these first: it owns their delivery.
        if let Some(row) = store.begin_announcement(&new, &sessions)? {
            deliver(store, transport, &row, now, false).await?;
            sent = true;
        }
    }
    Ok(sent)
}

/// An intent for `reply`, not worth sending after `not_after`.
fn outgoing(
    key: String,
    kind: Kind,
    target: Target,
    reply: &crate::reply::Reply,
    not_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<NewOutgoing, StoreError> {
    let payload =
        serde_json::to_string(&crate::reply::render(reply)).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(NewOutgoing { nonce: outbox::nonce(&key), key, kind, target, payload, not_after, at: now })
}

/// Steps 2–3 for an intent: find its channel (opening a DM), look for it first when it may
/// have been sent before, then send while it is still worth sending, and record the outcome.
async fn deliver<T: Transport>(
    store: &Store,
    transport: &T,
    row: &Outgoing,
    now: DateTime<Utc>,
    look_first: bool,
) -> Result<(), StoreError> {
    let message: Message = serde_json::from_str(&row.payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let channel = match (row.channel_id, row.target) {
        (Some(channel), _) => channel,
        (None, Target::User { user_id }) => match timed(transport.dm_channel(user_id)).await {
            Ok(channel) => {
                store.set_outgoing_channel(row.id, channel)?;
                channel
            }
            Err(e) => return failed(store, row, &e, now),
        },
        (None, Target::Channel { channel_id, .. }) => channel_id,
    };
    if look_first {
        match timed(transport.recent(channel, row.created_at - LOOKUP_SLACK)).await {
            Ok(seen) => {
                if let Some(id) = seen.iter().find(|m| transport::is_ours(m, &row.nonce, &message)).map(|m| m.id) {
                    tracing::info!(key = row.key, id, "live: found the message; recorded");
                    return store.outgoing_sent(row.id, id, now);
                }
            }
            // Sending blind could post twice: wait until the lookup works.
            Err(e) => return failed(store, row, &e, now),
        }
    }
    if now >= row.not_after {
        tracing::warn!(key = row.key, "live: not sent in time; given up");
        return store.outgoing_done(row.id, Status::Missed, "too late to be worth sending", now);
    }
    let delivery = Delivery { channel_id: channel, nonce: row.nonce.clone(), message };
    match timed(transport.send(&delivery)).await {
        Ok(message_id) => {
            tracing::info!(key = row.key, message_id, "live: sent");
            store.outgoing_sent(row.id, message_id, now)
        }
        Err(e) => failed(store, row, &e, now),
    }
}

async fn timed<V>(f: impl Future<Output = Result<V, SendError>>) -> Result<V, SendError> {
    tokio::time::timeout(SEND_TIMEOUT, f).await.unwrap_or_else(|_| Err(SendError::Server("no answer in time".into())))
}

/// Records a failed send: a transient one is retried with backoff while still worth it; a
/// closed DM is remembered, to tell the member, and never retried.
fn failed(store: &Store, row: &Outgoing, e: &SendError, now: DateTime<Utc>) -> Result<(), StoreError> {
    if let (SendError::DmClosed, Target::User { user_id }) = (e, row.target) {
        store.dms_closed(user_id, now)?;
    }
    if e.is_transient() {
        let retry_after = match e {
            SendError::RateLimited { retry_after } => *retry_after,
            _ => None,
        };
        let at = now + backoff(row.attempts, retry_after);
        if at < row.not_after {
            tracing::warn!(key = row.key, "live: {e}; retrying at {at}");
            return store.outgoing_retry(row.id, &e.to_string(), at);
        }
        tracing::warn!(key = row.key, "live: {e}; no time left to retry");
        return store.outgoing_done(row.id, Status::Missed, &e.to_string(), now);
    }
    tracing::error!(key = row.key, "live: {e}; not retrying");
    store.outgoing_done(row.id, Status::Failed, &e.to_string(), now)
}
