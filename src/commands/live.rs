//! `/live set | room | show | off` (admins): announcements before each session of a
//! conference, in a programme channel and, per room, in the room's channel; schedule-change
//! notices in the programme channel. The live service (`services::live`) posts them.

use serde_json::Value;

use super::common::{self, CONFERENCE};
use super::definition::{no_buttons, subcommand, text, OptionDef, OptionKind, SUBCOMMAND};
use super::programme::{self, ROOM};
use super::{choices, Choice, Command, Context, Effect, Invocation, Outcome};
use crate::catalogue::resolve::{self, Found};
use crate::catalogue::Catalogue;
use crate::daily::Origin;
use crate::live::Following;
use crate::reply::{echo, md, Embed, Field, Reply, COLOR};
use crate::store::{Store, StoreError};

const CHANNEL: &str = "channel";
const MINUTES: &str = "minutes_before";

use crate::live::entries::{MINUTES_DEFAULT, MINUTES_MAX};

const CHANNEL_OPTION: OptionDef =
    OptionDef { kind: OptionKind::Channel, min: None, max: None, ..text(CHANNEL, "Where to post", true, false) };

pub const COMMAND: Command = Command {
    name: "live",
    description: "Announce each session before it starts, and schedule changes (admins)",
    options: &[
        subcommand(
            "set",
            "Follow a conference's programme in a channel",
            &[
                text(CONFERENCE, "The conference", true, true),
                CHANNEL_OPTION,
                OptionDef {
                    kind: OptionKind::Integer,
                    min: Some(1),
                    max: Some(MINUTES_MAX),
                    ..text(MINUTES, "Minutes before each session (default 5)", false, false)
                },
            ],
        ),
        subcommand(
            "room",
            "Also announce one room's sessions in its own channel",
            &[text(ROOM, "The room", true, true), OptionDef { required: false, ..CHANNEL_OPTION }],
        ),
        subcommand("show", "What this server follows, and what was posted last", &[]),
        subcommand("off", "Stop announcing", &[]),
    ],
    admin: true,
    run: |ctx, inv| run(ctx, inv),
    complete,
    button: no_buttons,
};

fn run(ctx: &mut Context<'_>, inv: &Invocation) -> Outcome {
    let in_a_dm = ("Announcements belong to a server", "Use `/live` in a channel of the server you manage.");
    let (guild_id, store) = match common::managed_server(ctx, in_a_dm) {
        Ok(server) => server,
        Err(refused) => return refused,
    };
    let c = ctx.catalogue;
    let answer = match inv.get(SUBCOMMAND) {
        Some("set") => set(store, c, ctx.now, guild_id, inv),
        Some("room") => room(store, c, guild_id, inv),
        Some("show") => show(store, c, guild_id).map(|r| Outcome::found(r, Value::Null)),
        Some("off") => off(store, guild_id),
        _ => Ok(Outcome::missed(
            Reply::problem("Which /live?", "Use `/live set`, `room`, `show` or `off`."),
            Value::Null,
        )),
    };
    answer.unwrap_or_else(|e| {
        tracing::error!(guild = guild_id, "/live: state store failed: {e}");
        Outcome::missed(
            Reply::problem(
                "Could not read the bot's state",
                "Try again in a moment; if it persists, tell the bot's operator.",
            ),
            Value::Null,
        )
    })
}

fn quiet(reply: Reply) -> Reply {
    Reply { ephemeral: true, ..reply }
}

fn refuse(title: &str, advice: impl Into<String>) -> Result<Outcome, StoreError> {
    Ok(Outcome::missed(Reply::problem(title, advice), Value::Null))
}

/// A channel option's id: Discord sends digits; a typed `<#123>` mention is understood too.
fn channel_id(inv: &Invocation) -> Option<u64> {
    inv.get(CHANNEL)
        .map(|c| c.trim_start_matches("<#").trim_end_matches('>'))
        .and_then(|c| c.parse().ok())
        .filter(|&c| c > 0)
}

fn set(
    store: &Store,
    c: &Catalogue,
    now: chrono::DateTime<chrono::Utc>,
    guild_id: u64,
    inv: &Invocation,
) -> Result<Outcome, StoreError> {
    let typed = inv.get(CONFERENCE).unwrap_or("");
    let conference = match resolve::conference(c, typed) {
        Found::One(w) => w,
        Found::Maybe(options) => {
            let names: Vec<String> = options.iter().take(5).map(|&w| md(&c.conferences[w].name)).collect();
            return refuse(
                "Which conference?",
                format!("“{}” could be {}. The option autocompletes.", echo(typed), names.join(", ")),
            );
        }
        Found::Nothing => {
            return refuse(
                "Unknown conference",
                format!("No conference is called “{}”. The option autocompletes.", echo(typed)),
            )
        }
    };
    if programme::scheduled(c, Some(conference)).is_empty() {
        let name = md(&c.conferences[conference].name);
        return refuse(
            &format!("{name} has no times"),
            "Announcements need a schedule: import the conference's pretalx, frab or Sessionize export with `confbot import`.",
        );
    }
    let Some(channel) = channel_id(inv) else {
        return refuse("Which channel?", "Pick the programme channel in the `channel:` option.");
    };
    let minutes = inv.get(MINUTES).and_then(|m| m.parse().ok()).unwrap_or(MINUTES_DEFAULT).clamp(1, MINUTES_MAX);
    let id = c.conferences[conference].id.clone();
    store.follow(
        &Following { guild_id, conference: id, channel_id: channel, rooms: Vec::new(), minutes_before: minutes },
        Origin::Discord,
        now,
    )?;
    let reply = Reply::embed(Embed {
        title: Some(format!("Following {}", c.conferences[conference].name)),
        description: Some(format!(
            "Each session is announced in <#{channel}> {minutes} minute{} before it starts, and schedule changes are posted there. `/live room` adds a room's own channel.",
            if minutes == 1 { "" } else { "s" }
        )),
        color: Some(COLOR),
        ..Embed::default()
    });
    let mut outcome = Outcome::found(quiet(reply), Value::Null);
    outcome.effects = vec![Effect::WakeLive, Effect::CheckChannel(channel)];
    Ok(outcome)
}

fn room(store: &Store, c: &Catalogue, guild_id: u64, inv: &Invocation) -> Result<Outcome, StoreError> {
    let follows: Vec<Following> = store.following()?.into_iter().filter(|f| f.guild_id == guild_id).collect();
    if follows.is_empty() {
        return refuse(
            "Follow a conference first",
            "`/live set conference: channel:` picks the programme channel; rooms come after.",
        );
    }
    let followed: Vec<&str> = follows
        .iter()
        .filter_map(|f| c.conference_by_id(&f.conference))
        .flat_map(|w| c.conferences[w].rooms.iter().map(String::as_str))
        .collect();
    let typed = inv.get(ROOM).unwrap_or("");
    let Some(name) = followed.iter().find(|r| r.eq_ignore_ascii_case(typed)) else {
        let known = if followed.is_empty() {
            "none".to_owned()
        } else {
            followed.iter().map(|r| md(r)).collect::<Vec<_>>().join(", ")
        };
        return refuse(
            &format!("No room is called “{}”", echo(typed)),
            format!("The rooms of what this server follows: {known}."),
        );
    };
    let channel = channel_id(inv);
    store.set_room_channel(guild_id, name, channel)?;
    let text = match channel {
        Some(ch) => format!("{}'s sessions are also announced in <#{ch}>.", md(name)),
        None => format!("{}'s sessions are announced only in the programme channel now.", md(name)),
    };
    let mut outcome = Outcome::found(
        quiet(Reply::embed(Embed { description: Some(text), color: Some(COLOR), ..Embed::default() })),
        Value::Null,
    );
    outcome.effects = channel.map(Effect::CheckChannel).into_iter().chain([Effect::WakeLive]).collect();
    Ok(outcome)
}

fn show(store: &Store, c: &Catalogue, guild_id: u64) -> Result<Reply, StoreError> {
    let follows: Vec<Following> = store.following()?.into_iter().filter(|f| f.guild_id == guild_id).collect();
    if follows.is_empty() {
        return Ok(quiet(Reply::problem(
            "Not following any programme",
            "`/live set conference: channel:` starts announcements.",
        )));
    }
    let fields = follows
        .iter()
        .map(|f| {
            let name = c
                .conference_by_id(&f.conference)
                .map_or_else(|| format!("{} (not in the catalogue)", f.conference), |w| c.conferences[w].name.clone());
            let rooms: Vec<String> = f.rooms.iter().map(|(r, ch)| format!("{} → <#{ch}>", md(r))).collect();
            let rooms = if rooms.is_empty() { String::new() } else { format!("\n{}", rooms.join("\n")) };
            Field::new(
                md(&name),
                format!("<#{}>, {} minutes before each session{rooms}", f.channel_id, f.minutes_before),
            )
        })
        .collect();
    Ok(quiet(Reply::embed(Embed {
        title: Some("Live programme".into()),
        fields,
        color: Some(COLOR),
        ..Embed::default()
    })))
}

fn off(store: &Store, guild_id: u64) -> Result<Outcome, StoreError> {
    let n = store.unfollow(guild_id)?;
    let text = if n == 0 {
        "This server was not following any programme."
    } else {
        "Announcements and change notices stopped."
    };
    Ok(Outcome::found(
        quiet(Reply::embed(Embed { description: Some(text.into()), color: Some(COLOR), ..Embed::default() })),
        Value::Null,
    ))
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        CONFERENCE => choices::conferences(c, partial),
        ROOM => programme::room_choices(c, partial),
        _ => Vec::new(),
    }
}
