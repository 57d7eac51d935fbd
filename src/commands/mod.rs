//! Every slash command, one file each, as plain functions from the catalogue and the command's
//! typed arguments to an [`Outcome`]: the reply, what was matched, and any [`Effect`] the
//! running bot must carry out.
//!
//! A command's file holds everything about it: its definition (`COMMAND`), its option names
//! as constants, its `Args` read from an [`Invocation`], `run`, its autocomplete and its
//! buttons. [`COMMANDS`] is the one list of them: Discord registration, the CLI's `ask`
//! parser, `/help` and the tests all read it. A command arrives as an [`Invocation`] — from a
//! slash command, a button's custom_id, or a line typed at the CLI — and [`run`] answers it.
//!
//! # Layout
//! - one file per command: `topics`, `topic`, `talk`, `speaker`, `insight`, `search`, `about`,
//!   `help`, `reload`, `daily`, `insights`;
//! - [`definition`]: the [`Command`] shape and its options;
//! - [`common`]: what several commands share (the conference filter, list lines, admin checks);
//! - [`choices`]: autocomplete choices for each kind of entity;
//! - [`custom_id`]: the versioned envelope of every button's custom_id;
//! - [`parse`](mod@parse): a command typed as in Discord, read into an [`Invocation`].

mod about;
pub mod choices;
pub mod common;
pub mod custom_id;
pub mod daily;
pub mod definition;
mod help;
pub mod insight;
pub mod insights;
pub mod live;
mod mine;
mod next;
mod now;
mod parse;
pub mod programme;
pub mod reload;
pub mod remind;
mod schedule;
mod search;
mod speaker;
pub mod talk;
mod topic;
mod topics;

pub use choices::Choice;
pub use custom_id::StaleButton;
pub use definition::{Command, OptionDef, OptionKind};
pub use parse::{parse_line, ParseError};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::catalogue::Catalogue;
use crate::reply::{limits, Modal, Reply};
use crate::store::Store;

/// The commands confbot answers, in the order `/help` lists them.
pub const COMMANDS: &[Command] = &[
    topics::COMMAND,
    topic::COMMAND,
    talk::COMMAND,
    speaker::COMMAND,
    insight::COMMAND,
    search::COMMAND,
    now::COMMAND,
    next::COMMAND,
    schedule::COMMAND,
    mine::COMMAND,
    remind::COMMAND,
    about::COMMAND,
    help::COMMAND,
    reload::COMMAND,
    daily::COMMAND,
    live::COMMAND,
    insights::COMMAND,
];

/// A command by name.
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// A command with its options as text, however it was entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    pub name: String,
    /// Option name and value, in the order given. A subcommand is `("subcommand", name)`
    /// before its options; `page` (0-based) is never registered with Discord: it arrives from
    /// pagination buttons.
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

    /// The page asked for by a pagination button; 0 when absent or unreadable.
    pub fn page(&self) -> usize {
        self.get(common::PAGE).and_then(|p| p.parse().ok()).unwrap_or(0)
    }
}

/// What a command needs besides its arguments.
pub struct Context<'a> {
    pub catalogue: &'a Catalogue,
    pub rng: &'a mut fastrand::Rng,
    /// The insight last shown in this channel, so `/insight` does not repeat it at once.
    pub last_insight: Option<String>,
    /// "Now", for commands that schedule (the bot's clock; tests and `ask` may set it).
    pub now: DateTime<Utc>,
    /// Present inside the running bot; the offline CLI has none.
    pub bot: Option<Caller<'a>>,
    /// Who asks, when known (in Discord; `ask --state` as an offline member).
    pub member: Option<Member>,
}

/// The member who asks: what `/insights` needs to credit them, limit them and let them review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Their Discord user id.
    pub id: u64,
    /// The name the server shows for them (nickname, else global name, else username).
    pub name: String,
    /// Manage Messages, Manage Server or Administrator here, as Discord computed it for this
    /// interaction: may review members' suggestions.
    pub moderator: bool,
}

/// Who asks, where, and the state the bot keeps: what admin commands need.
pub struct Caller<'a> {
    pub store: &'a Store,
    /// The server asked in; `None` in a DM.
    pub guild: Option<u64>,
    /// The member has Manage Server (or Administrator) there, as Discord computed it.
    pub manager: bool,
}

impl<'a> Context<'a> {
    /// A context for answering offline, at the real "now", with no channel memory.
    pub fn new(catalogue: &'a Catalogue, rng: &'a mut fastrand::Rng) -> Context<'a> {
        Context { catalogue, rng, last_insight: None, now: Utc::now(), bot: None, member: None }
    }
}

/// What the running bot must do for a command, besides replying: the command decides, the
/// Discord edge carries it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Load the catalogue files again and swap them in; the reply becomes
    /// [`reload::reply`] of the result. Slow: the edge defers first.
    Reload,
    /// Wake the daily delivery loop: a schedule changed or a post was asked for.
    WakeDaily,
    /// Wake the live loop: a server's announcement settings changed.
    WakeLive,
    /// Check that the bot can post in this channel, and add [`daily::cannot_post`] to the
    /// reply if it cannot. Takes REST calls: the edge defers first.
    CheckChannel(u64),
    /// Post suggestion `id` in its server's review channel ([`insights::for_review`]) and
    /// remember the message. A REST call: the edge defers first.
    PostForReview(i64),
    /// Answer a button with this form instead of a message; what is typed in it comes back
    /// as the options of the invocation its custom_id names.
    OpenModal(Modal),
}

impl Effect {
    /// Whether carrying it out may take longer than Discord's 3 seconds to answer.
    pub fn is_slow(&self) -> bool {
        matches!(self, Effect::Reload | Effect::CheckChannel(_) | Effect::PostForReview(_))
    }
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
    pub shown_insight: Option<String>,
    /// What the running bot must do, in order.
    pub effects: Vec<Effect>,
}

impl Outcome {
    pub fn found(reply: Reply, resolved: Value) -> Outcome {
        Outcome { reply, ok: true, resolved, shown_insight: None, effects: Vec::new() }
    }

    pub fn missed(reply: Reply, resolved: Value) -> Outcome {
        Outcome { reply, ok: false, resolved, shown_insight: None, effects: Vec::new() }
    }
}

/// Answers one invocation. Never panics on user input; unknown commands and bad options get
/// an ephemeral reply with advice.
pub fn run(ctx: &mut Context<'_>, invocation: &Invocation) -> Outcome {
    let Some(command) = find(&invocation.name) else {
        let name = crate::reply::echo(&invocation.name);
        return Outcome::missed(
            Reply::problem(format!("Unknown command /{name}"), "Use /help to see every command."),
            Value::Null,
        );
    };
    if command.admin && ctx.bot.is_none() {
        return Outcome::missed(
            Reply::problem(
                format!("/{} works only in Discord", command.name),
                "It changes the running bot's settings.",
            ),
            Value::Null,
        );
    }
    let invocation = within_limits(command, invocation);
    let mut outcome = (command.run)(ctx, &invocation);
    if command.option(common::CONFERENCE).is_some() {
        // Every command with the filter says which conference it answered for (docs/cli.md).
        let conference = match common::conference_filter(ctx.catalogue, &invocation, |_| String::new()) {
            Ok(Some(w)) => {
                let conference = &ctx.catalogue.conferences[w];
                serde_json::json!({"id": conference.id, "name": conference.name})
            }
            _ => Value::Null,
        };
        if !outcome.resolved.is_object() {
            outcome.resolved = serde_json::json!({});
        }
        outcome.resolved["conference"] = conference;
    }
    outcome
}

/// The longest text an option may carry when its definition sets no limit (`page`, and the
/// options of a subcommand that is not the one chosen).
const UNDECLARED_MAX: usize = 100;

/// The invocation with every option cut to the length its definition allows, as Discord itself
/// does. Whatever a caller sends (a fake client, a hand-made custom_id, a script), no command
/// works on more text than it was designed for, so none costs more than it was measured at.
fn within_limits(command: &Command, invocation: &Invocation) -> Invocation {
    let declared = |name: &str| {
        let mut all = command.options.iter().flat_map(|o| match o.kind {
            OptionKind::Subcommand(inner) => inner,
            _ => std::slice::from_ref(o),
        });
        all.find(|o| o.name == name && o.kind == OptionKind::String).and_then(|o| o.max)
    };
    let mut inv = invocation.clone();
    for (name, value) in &mut inv.options {
        let max = declared(name).map_or(UNDECLARED_MAX, |m| m as usize);
        if value.chars().count() > max {
            *value = value.chars().take(max).collect();
        }
    }
    inv
}

/// Choices for `option` of `command` given what the user has typed so far, at most 25, best
/// first. Unknown commands and options get no choices.
pub fn complete(c: &Catalogue, command: &str, option: &str, partial: &str) -> Vec<Choice> {
    // Discord sends at most an option's declared length; a longer partial costs without helping.
    let partial: String = partial.trim().chars().take(UNDECLARED_MAX).collect();
    let mut choices = find(command).map(|cmd| (cmd.complete)(c, option, &partial)).unwrap_or_default();
    choices.truncate(limits::CHOICES);
    choices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_cut_to_their_declared_length() {
        let search = find("search").unwrap();
        let long = parse_line(&format!("/search query: {} page: {}", "x".repeat(6000), "9".repeat(500))).unwrap();
        let cut = within_limits(search, &long);
        assert_eq!(cut.options[0].1.chars().count(), 200);
        assert_eq!(cut.options[1].1.chars().count(), UNDECLARED_MAX);
        let daily = find("daily").unwrap();
        let set = parse_line(&format!("/daily set channel: 1 time: {} timezone: UTC", "1".repeat(50))).unwrap();
        assert_eq!(within_limits(daily, &set).options[2].1.chars().count(), 5);
    }

    #[test]
    fn admin_commands_refuse_members_without_manage_server() {
        let c = Catalogue::embedded();
        let store = Store::open_in_memory().unwrap();
        let mut rng = fastrand::Rng::with_seed(1);
        for command in COMMANDS.iter().filter(|c| c.admin) {
            let bot = Caller { store: &store, guild: Some(7), manager: false };
            let mut ctx = Context { bot: Some(bot), ..Context::new(&c, &mut rng) };
            let outcome = run(&mut ctx, &Invocation::new(command.name).with(definition::SUBCOMMAND, "show"));
            assert!(!outcome.ok && outcome.effects.is_empty(), "/{}", command.name);
            assert!(outcome.reply.ephemeral, "/{}", command.name);
        }
    }
}
