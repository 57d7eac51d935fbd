//! The post log's records: one row per server and local day, from the intent (with its nonce
//! and exact payload) to its outcome. The store persists them; the rules in [`due`](super::due)
//! read them.

use chrono::{DateTime, NaiveDate, Utc};

use super::deck::Pick;

/// Where a post stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Intent logged; the message may or may not exist yet.
    Pending,
    /// Discord accepted it; `message_id` is set.
    Sent,
    /// Refused for good (missing channel or permission, nothing to post); not retried today.
    Failed,
    /// The local day ended before the post could be delivered.
    Missed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sent => "sent",
            Status::Failed => "failed",
            Status::Missed => "missed",
        }
    }

    /// Reads the stored name back; an unknown name is described for the caller's error.
    pub fn parse(text: &str) -> Result<Status, String> {
        Ok(match text {
            "pending" => Status::Pending,
            "sent" => Status::Sent,
            "failed" => Status::Failed,
            "missed" => Status::Missed,
            other => return Err(format!("post status {other:?}")),
        })
    }
}

/// One row of the post log.
#[derive(Debug, Clone, PartialEq)]
pub struct PostRecord {
    pub id: i64,
    pub guild_id: u64,
    pub local_date: NaiveDate,
    pub channel_id: u64,
    /// Stable item id (`insight:<id>` or `talk:<id>`).
    pub item: String,
    pub cycle: u32,
    pub position: usize,
    pub total: usize,
    pub nonce: String,
    /// The message JSON exactly as first sent, so a re-send is byte-identical.
    pub payload: String,
    pub status: Status,
    pub message_id: Option<u64>,
    pub error: Option<String>,
    pub attempts: u32,
    /// Intended after its posting time because the bot was not running then.
    pub late: bool,
    pub intended_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// An intent about to be logged.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPost {
    pub guild_id: u64,
    pub local_date: NaiveDate,
    pub channel_id: u64,
    pub pick: Pick,
    pub nonce: String,
    pub payload: String,
    pub late: bool,
    pub at: DateTime<Utc>,
}

/// FNV-1a: a hash that never changes between builds, for nonces that must be the same on
/// every attempt, restarts and upgrades included.
pub fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
