//! confbot: a Discord bot that serves conference highlights.
//!
//! # Layout
//! - [`catalogue`]: the talk catalogue — model, TOML format, loading and validation;
//! - [`search`]: name normalisation, fuzzy speaker matching, title lookup, keyword search;
//! - [`commands`]: every slash command as a pure function from catalogue and options to a reply;
//! - [`reply`]: the one place that shapes replies within Discord's limits;
//! - [`daily`]: daily highlight posts — schedules, decks, the exactly-once delivery loop, `/daily`;
//! - [`store`]: persistent state in SQLite (schedules, decks, the post log);
//! - [`import`]: one module per external format (pyvideo, pretalx/frab, Pentabarf, Sessionize);
//! - [`config`]: the bot's configuration: defaults, then `config/confbot.toml`, then the environment;
//! - [`discord`]: the Discord client edge: gateway, registration, interactions, reload, shutdown;
//! - [`cli`]: the command-line interface, whose offline `ask` answers exactly as the bot does.
//!
//! Nothing outside `discord/` knows about Discord's client library.

pub mod catalogue;
pub mod cli;
pub mod commands;
pub mod config;
pub mod daily;
pub mod discord;
pub mod import;
pub mod reply;
pub mod search;
pub mod store;
