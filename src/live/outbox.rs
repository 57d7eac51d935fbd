//! The outbox's records: every message confbot posts on its own during the event — an
//! announcement, a change notice, a reminder DM — from its intent (key, nonce, exact payload)
//! to its outcome. The `key` says what the message is about; the store refuses a second
//! intent with the same key, which is what makes each of them exactly once.

use chrono::{DateTime, Utc};

pub use crate::daily::Status;

/// What an outgoing message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Announcement,
    Notice,
    Reminder,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Announcement => "announcement",
            Kind::Notice => "notice",
            Kind::Reminder => "reminder",
        }
    }

    pub fn parse(text: &str) -> Result<Kind, String> {
        Ok(match text {
            "announcement" => Kind::Announcement,
            "notice" => Kind::Notice,
            "reminder" => Kind::Reminder,
            other => return Err(format!("outbox kind {other:?}")),
        })
    }
}

/// Where it goes: a server's channel, or a user's DMs (whose channel is opened when sending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Channel { guild_id: u64, channel_id: u64 },
    User { user_id: u64 },
}

/// An intent about to be logged.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutgoing {
    pub key: String,
    pub kind: Kind,
    pub target: Target,
    pub nonce: String,
    pub payload: String,
    /// After this instant the message is no longer worth sending (a session has started).
    pub not_after: DateTime<Utc>,
    pub at: DateTime<Utc>,
}

/// One row of the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub id: i64,
    pub key: String,
    pub kind: Kind,
    pub target: Target,
    /// The channel it is posted in: the target's, or the DM channel once opened.
    pub channel_id: Option<u64>,
    pub nonce: String,
    pub payload: String,
    pub status: Status,
    pub message_id: Option<u64>,
    pub error: Option<String>,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub not_after: DateTime<Utc>,
}

/// A nonce for an intent: at most 25 characters, the same for every attempt, different for
/// every intent (Discord dedupes a repeated nonce for a few minutes).
pub fn nonce(key: &str) -> String {
    format!("l{:016x}", crate::daily::fnv1a(key))
}
