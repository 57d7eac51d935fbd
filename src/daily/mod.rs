//! Daily highlight posts: one item a day per server, in a channel and at a local time of its
//! choosing — exactly once per local day, no repeats before the deck is exhausted, through
//! restarts, downtime and daylight saving. docs/daily.md explains the guarantees.
//!
//! Everything here is pure or takes "now" as an argument, except [`run`], the loop that the
//! Discord edge starts once per process with a [`Transport`] of its own.
//!
//! # Layout
//! - [`schedule`]: a schedule and its calendar arithmetic (gaps, folds, parsing times and zones);
//! - [`config`]: the `[[daily]]` config entries and their validation;
//! - [`deck`]: which item comes next — a seeded shuffle that survives reloads;
//! - [`post`]: the post as a [`Reply`](crate::reply::Reply);
//! - [`due`]: the decision at an instant: wait, post, or finish an unfinished intent;
//! - [`transport`]: what the loop needs from Discord (send with a nonce, list recent messages);
//! - [`deliver`]: one pass of the loop and the delivery protocol;
//! - [`run`](mod@run): the loop itself, with its injectable [`Clock`];
//! - [`command`]: `/daily set | show | off | now | preview`.

pub mod command;
pub mod config;
pub mod deck;
pub mod deliver;
pub mod due;
pub mod post;
pub mod run;
pub mod schedule;
pub mod transport;

pub use config::{ConfigError, DailyEntry};
pub use deliver::tick;
pub use run::{run, Clock};
pub use schedule::Schedule;
pub use transport::{Delivery, Seen, SendError, Transport};
