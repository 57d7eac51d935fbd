//! `/remind minutes:` sets how long before a bookmarked talk confbot DMs you, and the
//! "🔔 Remind me" button on talk cards and schedule lists bookmarks a talk (a second press
//! removes it). The live service sends the DMs; `/mine` lists the bookmarks.

use serde_json::{json, Value};

use super::custom_id::{self, StaleButton};
use super::definition::{no_choices, text, OptionDef, OptionKind};
use super::{Command, Context, Invocation, Outcome};
use crate::catalogue::resolve::{id_value, ID_PREFIX};
use crate::catalogue::TalkIx;
use crate::reply::{md, Button, Reply};
use crate::store::{Store, StoreError, Toggle};

const MINUTES: &str = "minutes";
/// The talk a "Remind me" button names; never registered with Discord.
const TALK: &str = "talk";

/// The most bookmarks one member holds: a whole conference's worth of picks, and a bound on
/// what one account can make the bot remember and send.
pub const BOOKMARKS_MAX: usize = 100;
const MINUTES_MAX: u32 = 120;

pub const COMMAND: Command = Command {
    name: "remind",
    description: "How many minutes before a bookmarked talk I DM you (default 10)",
    options: &[OptionDef {
        kind: OptionKind::Integer,
        min: Some(1),
        max: Some(MINUTES_MAX),
        ..text(MINUTES, "Minutes before the talk starts (1–120)", true, false)
    }],
    admin: false,
    run,
    complete: no_choices,
    button: decode,
};

fn run(ctx: &mut Context<'_>, inv: &Invocation) -> Outcome {
    let (Some(bot), Some(member)) = (&ctx.bot, &ctx.member) else {
        return Outcome::missed(
            Reply::problem("Reminders work only in Discord", "They come as direct messages from the bot."),
            Value::Null,
        );
    };
    let (store, user) = (bot.store, member.id);
    let answer = match inv.get(TALK) {
        Some(talk) => toggle(ctx, store, user, talk),
        None => set_minutes(store, user, inv.get(MINUTES)),
    };
    answer.unwrap_or_else(|e| {
        tracing::error!("/remind: state store failed: {e}");
        Outcome::missed(Reply::problem("Could not read the bot's state", "Try again in a moment."), Value::Null)
    })
}

fn set_minutes(store: &Store, user: u64, typed: Option<&str>) -> Result<Outcome, StoreError> {
    let Some(minutes) = typed.and_then(|m| m.trim().parse::<u32>().ok()).filter(|m| (1..=MINUTES_MAX).contains(m))
    else {
        return Ok(Outcome::missed(
            Reply::problem(
                "How many minutes?",
                format!("Give a whole number from 1 to {MINUTES_MAX}, e.g. `/remind minutes: 15`."),
            ),
            Value::Null,
        ));
    };
    store.set_remind_minutes(user, minutes)?;
    let text = format!(
        "I'll DM you {minutes} minute{} before each talk you bookmark with 🔔.",
        if minutes == 1 { "" } else { "s" }
    );
    let mut outcome = Outcome::found(quiet(text), json!({"minutes": minutes}));
    outcome.effects = vec![super::Effect::WakeLive];
    Ok(outcome)
}

fn toggle(ctx: &Context<'_>, store: &Store, user: u64, talk: &str) -> Result<Outcome, StoreError> {
    let c = ctx.catalogue;
    let id = talk.strip_prefix(ID_PREFIX).unwrap_or(talk);
    let Some(t) = c.talk_by_id(id) else {
        return Ok(Outcome::missed(
            Reply::problem(
                "That talk is gone",
                "The catalogue changed since this button was made. `/schedule` shows it as it is now.",
            ),
            Value::Null,
        ));
    };
    let Some(session) = c.timetable.of_talk(t) else {
        return Ok(Outcome::missed(
            Reply::problem(
                "This talk has no time",
                "There is nothing to remind you of: the schedule gives it no start.",
            ),
            Value::Null,
        ));
    };
    let title = md(&c.talks[t].title);
    let text = match store.toggle_bookmark(user, id, BOOKMARKS_MAX, ctx.now)? {
        Toggle::Removed => format!("Removed **{title}** from your bookmarks."),
        Toggle::Full => {
            return Ok(Outcome::missed(
                Reply::problem(
                    "Too many bookmarks",
                    format!("You hold {BOOKMARKS_MAX}, the most there can be. `/mine` lists them; press 🔔 on one to remove it."),
                ),
                Value::Null,
            ))
        }
        Toggle::Added if session.start <= ctx.now => format!("Bookmarked **{title}**; it has already started, so no reminder comes."),
        Toggle::Added => {
            let minutes = store.remind_minutes(user)?;
            format!(
                "Bookmarked **{title}**. I'll DM you {minutes} minutes before it starts ({}). Press 🔔 again to remove it; `/remind` changes the time.",
                super::programme::stamp(session.start, 'R')
            )
        }
    };
    // The live loop plans its next wake-up from the bookmarks: let it look again.
    let mut outcome = Outcome::found(quiet(text), json!({"bookmarked": c.talks[t].id}));
    outcome.effects = vec![super::Effect::WakeLive];
    Ok(outcome)
}

fn quiet(text: String) -> Reply {
    Reply { content: Some(text), ephemeral: true, ..Reply::default() }
}

/// The "🔔 Remind me" button for a talk, labelled `label`.
pub fn button(c: &crate::catalogue::Catalogue, talk: TalkIx, label: &str) -> Button {
    Button::action(label, custom_id::encode(COMMAND.name, &[&c.talks[talk].id]))
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    Ok(Invocation::new(COMMAND.name).with(TALK, id_value(fields)))
}

/// What to tell a member whose DMs were found closed, once.
pub fn closed_dms_notice(store: &Store, user: u64) -> Result<Option<String>, StoreError> {
    Ok(store.take_dm_notice(user)?.map(|_| {
        "⚠ I could not send you a reminder: your direct messages are closed to me. Allow direct messages from this server's members (Privacy settings) to get them.".to_owned()
    }))
}
