//! What several commands share: the `conference:` option and its filter, the hidden `page`
//! option, the line and label of a talk in a list, and the check that guards admin commands.

use serde_json::Value;

use super::definition::{text, OptionDef};
use super::{Caller, Context, Invocation, Outcome};
use crate::catalogue::resolve::{self, Found};
use crate::catalogue::{Catalogue, ConferenceIx, TalkIx};
use crate::reply::{echo, limits, md, Button, Reply};
use crate::store::Store;

/// The `conference:` option, which most commands take to narrow their answer.
pub const CONFERENCE: &str = "conference";
pub const CONFERENCE_OPTION: OptionDef = text(CONFERENCE, "Only this conference", false, true);

/// The page a pagination button asks for (0-based). Never registered with Discord.
pub const PAGE: &str = "page";

/// Reads a command's typed arguments, then runs it: a refusal from reading (a missing or
/// unknown value) is the answer.
pub fn answer<A>(
    ctx: &mut Context<'_>,
    inv: &Invocation,
    read: fn(&Catalogue, &Invocation) -> Result<A, Outcome>,
    run: fn(&mut Context<'_>, A) -> Outcome,
) -> Outcome {
    match read(ctx.catalogue, inv) {
        Ok(args) => run(ctx, args),
        Err(refused) => refused,
    }
}

/// The conference filter of an invocation: `Ok(None)` when absent, the reply to send when it
/// names nothing or several conferences. For several, each is offered as a button made by
/// `retry` from its id: the same command again, within that conference.
pub fn conference_filter(
    c: &Catalogue,
    inv: &Invocation,
    retry: impl Fn(&str) -> String,
) -> Result<Option<ConferenceIx>, Outcome> {
    let Some(text) = inv.get(CONFERENCE) else { return Ok(None) };
    let reply = match resolve::conference(c, text) {
        Found::One(ix) => return Ok(Some(ix)),
        Found::Maybe(options) => {
            let shown: Vec<ConferenceIx> = options.into_iter().take(limits::BUTTONS_PER_ROW).collect();
            let names: Vec<String> = shown.iter().map(|&w| format!("• {}", md(&c.conferences[w].name))).collect();
            let mut reply = Reply::problem(
                format!("Which conference did you mean by “{}”?", echo(text)),
                format!("{}\n\nPick one below.", names.join("\n")),
            );
            reply.buttons =
                shown.iter().map(|&w| Button::action(&c.conferences[w].name, retry(&c.conferences[w].id))).collect();
            reply
        }
        Found::Nothing => Reply::problem(
            "Unknown conference",
            format!("No conference is called “{}”. `/about` lists them, and the option autocompletes.", echo(text)),
        ),
    };
    Err(Outcome::missed(reply, Value::Null))
}

/// The id of the filtered conference, for buttons that keep the filter.
pub fn conference_id(c: &Catalogue, within: Option<ConferenceIx>) -> Option<&str> {
    within.map(|w| c.conferences[w].id.as_str())
}

/// Whether a talk passes the conference filter.
pub fn within(c: &Catalogue, talk: TalkIx, conference: Option<ConferenceIx>) -> bool {
    conference.is_none_or(|w| c.talks[talk].conference == w)
}

/// Sorts talks newest first: by the day recorded, else the conference's dates or year; ties
/// keep their order.
pub fn newest_first(c: &Catalogue, talks: &mut [TalkIx]) {
    let when = |t: TalkIx| {
        let talk = &c.talks[t];
        let conference = &c.conferences[talk.conference];
        (talk.recorded.or(conference.start).or(conference.end), conference.year)
    };
    talks.sort_by_key(|&t| std::cmp::Reverse(when(t)));
}

/// Titles of talks for `resolved` lists.
pub fn titles(c: &Catalogue, talks: &[TalkIx]) -> Vec<String> {
    talks.iter().map(|&t| c.talks[t].title.clone()).collect()
}

/// "Title — Speaker, Speaker": how a talk is named on buttons and in autocomplete, since
/// titles are often shared ("Keynote").
pub fn talk_label(c: &Catalogue, talk: TalkIx) -> String {
    let speakers = c.speaker_names(talk);
    if speakers.is_empty() {
        c.talks[talk].title.clone()
    } else {
        format!("{} — {speakers}", c.talks[talk].title)
    }
}

/// One line for a talk in a list: title, speakers and, when several conferences are loaded,
/// the conference; then, when the schedule gives them, when (a Discord timestamp and the
/// conference's own time) and where.
pub fn talk_line(c: &Catalogue, talk: TalkIx) -> String {
    let mut line = talk_name(c, talk);
    let t = &c.talks[talk];
    if let Some(slot) = t.slot {
        let start = slot.start.with_timezone(&chrono::Utc);
        let local = super::programme::local(c, talk, start);
        let zone = super::programme::zone_name(c, talk, start);
        let abbreviation = zone.split(',').next().unwrap_or_default();
        line.push_str(&format!(
            " · {} ({} {abbreviation})",
            super::programme::stamp(start, 'f'),
            local.format("%a %H:%M")
        ));
    }
    if let Some(room) = &t.room {
        line.push_str(" · ");
        line.push_str(&md(room));
    }
    line
}

/// A talk's title, speakers and, when several conferences are loaded, its conference.
pub fn talk_name(c: &Catalogue, talk: TalkIx) -> String {
    let t = &c.talks[talk];
    let mut line = format!("**{}**", md(&t.title));
    let speakers = c.speaker_names(talk);
    if !speakers.is_empty() {
        line.push_str(" — ");
        line.push_str(&md(&speakers));
    }
    if c.conferences.len() > 1 {
        line.push_str(" · ");
        line.push_str(&md(&c.conferences[t.conference].name));
    }
    line
}

/// The server and state store an admin command acts on, once the caller is known to manage
/// that server. A DM gets `in_a_dm` (title, advice): it has no server to manage.
pub fn managed_server<'a>(ctx: &Context<'a>, in_a_dm: (&str, &str)) -> Result<(u64, &'a Store), Outcome> {
    let refuse = |title: &str, advice: &str| Outcome::missed(Reply::problem(title, advice), Value::Null);
    match &ctx.bot {
        None => Err(refuse("This works only in Discord", "It changes the running bot's settings.")),
        Some(Caller { guild: None, .. }) => Err(refuse(in_a_dm.0, in_a_dm.1)),
        Some(Caller { manager: false, .. }) => {
            Err(refuse("Only server managers can do that", "It needs the Manage Server permission."))
        }
        Some(Caller { store, guild: Some(guild), manager: true }) => Ok((*guild, *store)),
    }
}
