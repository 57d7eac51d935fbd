//! What the delivery loop needs from Discord, and nothing more: send a message with a nonce,
//! and list the bot's recent messages in a channel. The Discord edge implements it over REST;
//! tests implement it with a fake channel.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::reply::Message;

/// One message to post: `POST /channels/{channel_id}/messages` with [`Delivery::body`].
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub channel_id: u64,
    /// At most 25 characters; the same for every attempt of a day's post.
    pub nonce: String,
    pub message: Message,
}

impl Delivery {
    /// The exact JSON body: the rendered message plus `nonce` and `enforce_nonce: true`, so
    /// Discord answers a repeated send within its dedupe window with the message it already
    /// created instead of creating a second one.
    pub fn body(&self) -> Value {
        let mut body = serde_json::to_value(&self.message).unwrap_or_else(|_| Value::Object(Default::default()));
        if let Value::Object(map) = &mut body {
            map.insert("nonce".into(), Value::String(self.nonce.clone()));
            map.insert("enforce_nonce".into(), Value::Bool(true));
        }
        body
    }
}

/// A message the bot posted in a channel, as far as reconciling needs to see it. The edge
/// fills `nonce` when Discord returns one (it does in the send's answer and the gateway's
/// MESSAGE_CREATE, not reliably in `GET /messages`), and the first embed's title, footer and
/// description, which identify a post without it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Seen {
    pub id: u64,
    pub nonce: Option<String>,
    pub title: Option<String>,
    pub footer: Option<String>,
    pub description: Option<String>,
}

/// Why a send or lookup failed, as far as the loop cares.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SendError {
    /// 429: wait at least `retry_after`, then retry within the day.
    #[error("rate limited")]
    RateLimited { retry_after: Option<std::time::Duration> },
    /// 5xx, a timeout or a dropped connection: the message may or may not exist; retry.
    #[error("Discord failed: {0}")]
    Server(String),
    /// 403: the bot may not see or post in the channel. Not retried today.
    #[error("no permission to post in the channel: {0}")]
    Forbidden(String),
    /// 404: the channel does not exist (any more). Not retried today.
    #[error("the channel does not exist: {0}")]
    NotFound(String),
    /// Any other 4xx: Discord refused the request itself. Repeating it cannot help.
    #[error("Discord refused the post: {0}")]
    Refused(String),
    /// 50007: the user does not accept DMs from the bot. Not retried.
    #[error("the user does not accept direct messages")]
    DmClosed,
}

impl SendError {
    /// Whether trying again later may help.
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::RateLimited { .. } | SendError::Server(_))
    }
}

/// Discord as the delivery loop sees it. The futures must be `Send` so the loop can run on
/// its own task.
pub trait Transport: Send + Sync {
    /// Posts `delivery.body()` to `/channels/{channel_id}/messages` and returns the message id.
    fn send(&self, delivery: &Delivery) -> impl Future<Output = Result<u64, SendError>> + Send;

    /// The bot's own messages in `channel_id` created at or after `since`, newest first:
    /// `GET /channels/{id}/messages?after={snowflake_at(since)}&limit=100`, keeping those whose
    /// author is the bot.
    fn recent(
        &self,
        channel_id: u64,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Seen>, SendError>> + Send;

    /// The DM channel with a user (`POST /users/@me/channels`), for reminders. Opening it
    /// twice gives the same channel. A transport that cannot DM refuses.
    fn dm_channel(&self, user_id: u64) -> impl Future<Output = Result<u64, SendError>> + Send {
        async move { Err(SendError::Refused(format!("cannot open a DM with {user_id} here"))) }
    }
}

/// Whether a message seen in a channel is the one sent with `nonce` and `message`: by its
/// nonce when Discord returns it, else by its first embed's title, footer and description.
pub fn is_ours(seen: &Seen, nonce: &str, message: &Message) -> bool {
    if seen.nonce.as_deref() == Some(nonce) {
        return true;
    }
    let embed = message.embeds.first();
    let footer = embed.and_then(|e| e.footer.as_ref()).map(|f| f.text.as_str());
    footer.is_some()
        && seen.footer.as_deref() == footer
        && seen.title.as_deref() == embed.and_then(|e| e.title.as_deref())
        && seen.description.as_deref() == embed.and_then(|e| e.description.as_deref())
}

/// The first Discord snowflake of an instant, for `after=` in message lookups.
pub fn snowflake_at(at: DateTime<Utc>) -> u64 {
    const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;
    let ms = (at.timestamp_millis() - DISCORD_EPOCH_MS).max(0) as u64;
    ms << 22
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_carries_the_nonce_and_enforces_it() {
        let message = crate::reply::render(&crate::reply::Reply { content: Some("hi".into()), ..Default::default() });
        let body = Delivery { channel_id: 1, nonce: "abc".into(), message }.body();
        assert_eq!(body["nonce"], "abc");
        assert_eq!(body["enforce_nonce"], true);
        assert_eq!(body["content"], "hi");
        assert_eq!(body["allowed_mentions"]["parse"], serde_json::json!([]));
    }

    #[test]
    fn snowflakes_start_at_discords_epoch() {
        let at = DateTime::parse_from_rfc3339("2015-01-01T00:00:01Z").unwrap().with_timezone(&Utc);
        assert_eq!(snowflake_at(at), 1000 << 22);
        // A known id: 175928847299117063 was created 2016-04-30T11:18:25.796Z.
        let known = DateTime::parse_from_rfc3339("2016-04-30T11:18:25.796Z").unwrap().with_timezone(&Utc);
        assert_eq!(snowflake_at(known), 175928847299117063 >> 22 << 22);
    }
}
