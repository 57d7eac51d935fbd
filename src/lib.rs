//! confbot: a Discord bot that serves conference highlights.
//!
//! # Layout
//!
//! Layers point one way: a module uses only the layers below it (docs/architecture.md).
//!
//! ```text
//!  edges      cli/  discord/  config       the terminal and Discord; the bot's settings
//!     │
//!  services   services/                     loops that run on their own (daily, live, export sync)
//!     │
//!  commands   commands/                     one file per slash command, answers as data
//!     │
//!  state      store/                        what the bot remembers: SQLite, or PostgreSQL
//!     │
//!  sources    sources/  import/             files, folders and exports into documents
//!     │
//!  core       catalogue/  search/  community/  daily/  live/  zones  reply/
//! ```
//!
//! - [`reply`]: the one place that shapes replies within Discord's limits;
//! - [`zones`]: IANA time zones and wall-clock arithmetic;
//! - [`search`]: name normalisation, fuzzy speaker matching, title lookup, keyword search;
//! - [`catalogue`]: the talk catalogue — model, TOML format, validation, name resolution;
//! - [`community`]: insights members suggest and moderators approve — rules, limits, serving;
//! - [`daily`]: daily highlights as pure rules — schedules, decks, the post log, what is due;
//! - [`live`]: live during the event as pure rules — announcements and reminders due, schedule changes;
//! - [`import`]: one module per external format (pyvideo, pretalx/frab, Pentabarf, Sessionize);
//! - [`sources`]: where a catalogue comes from — files, folders, exports, URLs — and loading it;
//! - [`store`]: persistent state (schedules, decks, the post log, live state, members' suggestions,
//!   the scheduler lease) behind one interface, in SQLite or PostgreSQL;
//! - [`commands`]: every slash command, one file each, as a function from arguments to an outcome;
//! - [`services`]: the daily and live loops under the scheduler lease, their transport and clock; the
//!   sync of exports from URLs;
//! - [`config`]: the bot's configuration: defaults, then `config/confbot.toml`, then the environment;
//! - [`discord`]: the Discord edge: gateway, HTTP interactions endpoint, registration, interactions, effects, shutdown;
//! - [`cli`]: the command-line interface, whose offline `ask` answers exactly as the bot does.
//!
//! Nothing outside `discord/` knows about Discord's client library.

pub mod catalogue;
pub mod cli;
pub mod commands;
pub mod community;
pub mod config;
pub mod daily;
pub mod discord;
pub mod import;
pub mod live;
pub mod reply;
pub mod search;
pub mod services;
pub mod sources;
pub mod store;
pub mod zones;
