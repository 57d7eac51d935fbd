//! Services: the work confbot does on its own, not in answer to a command — today the daily
//! highlight posts, next the live programme. Each is a loop the Discord edge starts once per
//! process, given a [`Transport`] to post through and a [`Clock`] to read.
//!
//! # Layout
//! - [`daily`]: the daily-post delivery loop;
//! - [`live`]: announcements, change notices and reminders during the event;
//! - [`pass`]: the loop both run: a pass, then sleep until the next thing is due;
//! - [`transport`]: what a loop needs from Discord (send with a nonce, list recent messages);
//! - [`clock`]: "now", real or virtual;
//! - [`sync`]: exports fetched from URLs and kept in sync (docs/live.md).

pub mod clock;
pub mod daily;
pub mod lease;
pub mod live;
pub mod pass;
pub mod sync;
pub mod transport;

pub use clock::Clock;
pub use transport::{Delivery, Seen, SendError, Transport};
