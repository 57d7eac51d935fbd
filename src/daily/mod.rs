//! Daily highlight posts as pure rules: one item a day per server, in a channel and at a local
//! time of its choosing — exactly once per local day, no repeats before the deck is exhausted,
//! through restarts, downtime and daylight saving. docs/daily.md explains the guarantees.
//!
//! Nothing here does I/O or reads the clock: the store ([`crate::store`]) persists these
//! types, `/daily` ([`crate::commands`]) edits them, and the delivery loop
//! ([`crate::services::daily`]) acts on the decisions made here.
//!
//! # Layout
//! - [`schedule`]: a server's schedule and its local days;
//! - [`entries`]: `[[daily]]` config entries and `/daily set` options, validated into schedules;
//! - [`deck`]: which item comes next — a seeded shuffle that survives reloads;
//! - [`log`]: the post log's records;
//! - [`due`]: the decision at an instant: wait, post, or finish an unfinished intent.

pub mod deck;
pub mod due;
pub mod entries;
pub mod log;
pub mod schedule;

pub use deck::{DeckState, Pick};
pub use entries::{DailyEntry, EntryProblems};
pub use log::{fnv1a, NewPost, PostRecord, Status};
pub use schedule::{Entry, Origin, Schedule};
