//! Live during the event, as pure rules: which announcements are due at an instant, which
//! reminders, and what changed between two versions of a schedule. The store persists what
//! was sent; `services::live` sends it.
//!
//! # Layout
//! - `due`: announcements and reminders due at an instant, grouped by channel and minute;
//! - `changes`: a conference's schedule as a snapshot, and the changes between two;
//! - `entries`: `[[live]]` tables of the config;
//! - `outbox`: the records of what is sent.

pub mod changes;
pub mod due;
pub mod entries;
pub mod outbox;

pub use changes::{Change, ChangeKind, Snapshot, SnapshotTalk};
pub use due::{Announcement, Bookmark, Following, Reminder};
