//! Every slash command as a pure function from the catalogue and its options to a [`Reply`].
//!
//! The table in [`table`] is the single list of commands: Discord registration, the CLI's
//! `ask` parser, `/help` and the tests all read it. A command arrives as an [`Invocation`] —
//! from a slash command, a button's custom_id, or a line typed at the CLI — and [`run`] answers
//! it with an [`Outcome`]: the reply plus what was matched, for scripts and tests.

mod about;
mod complete;
pub mod custom_id;
mod help;
pub(crate) mod insight;
mod parse;
pub(crate) mod resolve;
mod search;
mod speaker;
mod table;
pub(crate) mod talk;
mod topic;
mod topics;

pub use complete::{complete, Choice};
pub use parse::{parse_line, ParseError};
pub use table::{find, Definition, OptionDef, OptionKind, COMMANDS};

use serde_json::Value;

use crate::catalogue::{Catalogue, InsightIx};
use crate::reply::Reply;

/// A command with its options as text, however it was entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    pub name: String,
    /// Option name and value, in the order given. `page` (0-based) is never registered with
    /// Discord: it arrives from pagination buttons.
    pub options: Vec<(String, String)>,
}

impl Invocation {
    pub fn new(name: &str) -> Invocation {
        Invocation { name: name.to_owned(), options: Vec::new() }
    }

    pub fn with(mut self, option: &str, value: impl Into<String>) -> Invocation {
        self.options.push((option.to_owned(), value.into()));
        self
    }

    /// The value of an option, trimmed; `None` when absent or blank.
    pub fn get(&self, option: &str) -> Option<&str> {
        self.options.iter().find(|(name, _)| name == option).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    fn page(&self) -> usize {
        self.get("page").and_then(|p| p.parse().ok()).unwrap_or(0)
    }
}

/// What a command needs besides the catalogue: randomness and what this channel saw last.
pub struct Context<'a> {
    pub catalogue: &'a Catalogue,
    pub rng: &'a mut fastrand::Rng,
    /// The insight last shown in this channel, so `/insight` does not repeat it at once.
    pub last_insight: Option<InsightIx>,
}

/// A command's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub reply: Reply,
    /// False when the command could not do what was asked (nothing found, bad option).
    pub ok: bool,
    /// What was matched, in the shape documented in docs/cli.md.
    pub resolved: Value,
    /// The insight shown, if any, for the caller to remember per channel.
    pub shown_insight: Option<InsightIx>,
}

impl Outcome {
    fn found(reply: Reply, resolved: Value) -> Outcome {
        Outcome { reply, ok: true, resolved, shown_insight: None }
    }

    fn missed(reply: Reply, resolved: Value) -> Outcome {
        Outcome { reply, ok: false, resolved, shown_insight: None }
    }
}

/// Answers one invocation. Never panics on user input; unknown commands and bad options get
/// an ephemeral reply with advice.
pub fn run(ctx: &mut Context<'_>, invocation: &Invocation) -> Outcome {
    match invocation.name.as_str() {
        "topics" => topics::run(ctx.catalogue, invocation),
        "topic" => topic::run(ctx.catalogue, invocation),
        "talk" => talk::run(ctx.catalogue, invocation),
        "speaker" => speaker::run(ctx.catalogue, invocation),
        "insight" => insight::run(ctx, invocation),
        "search" => search::run(ctx.catalogue, invocation),
        "about" => about::run(ctx.catalogue),
        "help" => help::run(),
        name if find(name).is_some() => Outcome::missed(
            Reply::problem(format!("/{name} works only in Discord"), "It changes the running bot's settings."),
            Value::Null,
        ),
        name => Outcome::missed(
            Reply::problem(format!("Unknown command /{}", crate::reply::echo(name)), "Use /help to see every command."),
            Value::Null,
        ),
    }
}

/// Titles of talks for `resolved` lists.
fn titles(catalogue: &Catalogue, talks: &[usize]) -> Vec<String> {
    talks.iter().map(|&t| catalogue.talks[t].title.clone()).collect()
}

/// One line for a talk in a list: title, speakers and, when several conferences are loaded,
/// the conference.
fn talk_line(catalogue: &Catalogue, talk: usize) -> String {
    let t = &catalogue.talks[talk];
    let mut line = format!("**{}**", t.title);
    let speakers = catalogue.speaker_names(talk);
    if !speakers.is_empty() {
        line.push_str(" — ");
        line.push_str(&speakers);
    }
    if catalogue.conferences.len() > 1 {
        line.push_str(" · ");
        line.push_str(&catalogue.conferences[t.conference].name);
    }
    line
}

/// The reply for a conference option that names nothing, or several things.
fn bad_conference(message: String) -> Outcome {
    Outcome::missed(Reply::problem("Unknown conference", message), Value::Null)
}
