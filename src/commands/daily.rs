//! `/daily set | show | off | now | preview` (admins): a daily highlight post in a channel of
//! this server. The command reads and writes the schedule in the store; the running bot wakes
//! the delivery loop and checks the channel when the [`Outcome`]'s effects say so.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::common::{self, CONFERENCE, CONFERENCE_OPTION};
use super::definition::{no_buttons, subcommand, text, OptionDef, OptionKind, SUBCOMMAND};
use super::{choices, Choice, Command, Context, Effect, Invocation, Outcome};
use crate::catalogue::Catalogue;
use crate::community::{self, Shared};
use crate::daily::deck::{self, Filter, Item};
use crate::daily::due::{self, Action};
use crate::daily::{DailyEntry, Entry, Origin, PostRecord, Schedule, Status};
use crate::reply::{echo, md, Embed, Field, Reply, COLOR};
use crate::store::{Store, StoreError};

const CHANNEL: &str = "channel";
const TIME: &str = "time";
const TIMEZONE: &str = "timezone";
const TOPIC: &str = "topic";
const COUNT: &str = "count";

pub const COMMAND: Command = Command {
    name: "daily",
    description: "A daily highlight post in a channel of this server (admins)",
    options: &[
        subcommand(
            "set",
            "Post a highlight every day in a channel at a local time",
            &[
                OptionDef {
                    kind: OptionKind::Channel,
                    min: None,
                    max: None,
                    ..text(CHANNEL, "Where to post", true, false)
                },
                OptionDef { max: Some(5), ..text(TIME, "Local time, 24-hour HH:MM, e.g. 09:00", true, false) },
                OptionDef { max: Some(64), ..text(TIMEZONE, "IANA time zone, e.g. Europe/Berlin", true, true) },
                text(TOPIC, "Only highlights of this topic", false, true),
                CONFERENCE_OPTION,
            ],
        ),
        subcommand("show", "The schedule, the next post, and any delivery problem", &[]),
        subcommand("off", "Stop the daily highlight", &[]),
        subcommand("now", "Post today's highlight now (it counts as today's)", &[]),
        subcommand(
            "preview",
            "The next highlights and when they will be posted (only you see it)",
            &[OptionDef {
                kind: OptionKind::Integer,
                min: Some(1),
                max: Some(10),
                ..text(COUNT, "How many (1–10, default 3)", false, false)
            }],
        ),
    ],
    admin: true,
    run: |ctx, inv| run(ctx, Args::read(inv)),
    complete,
    button: no_buttons,
};

/// How many items `/daily preview` shows when not told, and at most.
const PREVIEW_DEFAULT: usize = 3;
const PREVIEW_MAX: usize = 10;

/// The subcommand and its options. `set`'s values stay text: they are validated together, as
/// `[[daily]]` config entries are, so both give the same clear errors.
pub enum Args {
    Set { channel: String, time: String, timezone: String, topic: Option<String>, conference: Option<String> },
    Show,
    Off,
    Now,
    Preview { count: usize },
    Unknown,
}

impl Args {
    fn read(inv: &Invocation) -> Args {
        let text = |option: &str| inv.get(option).unwrap_or("").to_owned();
        match inv.get(SUBCOMMAND) {
            Some("set") => Args::Set {
                channel: text(CHANNEL),
                time: text(TIME),
                timezone: text(TIMEZONE),
                topic: inv.get(TOPIC).map(String::from),
                conference: inv.get(CONFERENCE).map(String::from),
            },
            Some("show") => Args::Show,
            Some("off") => Args::Off,
            Some("now") => Args::Now,
            Some("preview") => Args::Preview {
                count: inv.get(COUNT).and_then(|n| n.parse().ok()).unwrap_or(PREVIEW_DEFAULT).clamp(1, PREVIEW_MAX),
            },
            _ => Args::Unknown,
        }
    }
}

/// Answers `/daily` for a manager of the server it was used in.
pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let in_a_dm = ("Daily highlights belong to a server", "Use `/daily` in a channel of the server you manage.");
    let (guild_id, store) = match common::managed_server(ctx, in_a_dm) {
        Ok(server) => server,
        Err(refused) => return refused,
    };
    let (c, now) = (ctx.catalogue, ctx.now);
    let answer = match args {
        Args::Set { channel, time, timezone, topic, conference } => {
            let channel = channel.trim_start_matches("<#").trim_end_matches('>').to_owned();
            let entry =
                DailyEntry { guild_id, channel_id: channel.parse().unwrap_or(0), time, timezone, topic, conference };
            set(store, c, now, &entry)
        }
        Args::Show => show(store, c, now, guild_id).map(quiet),
        Args::Off => off(store, now, guild_id),
        Args::Now => post_now(store, now, guild_id),
        Args::Preview { count } => preview(store, c, now, guild_id, count).map(quiet),
        Args::Unknown => {
            Ok(quiet(Reply::problem("Which /daily?", "Use `/daily set`, `show`, `off`, `now` or `preview`.")))
        }
    };
    answer.unwrap_or_else(|e| {
        tracing::error!(guild = guild_id, "/daily: state store failed: {e}");
        let advice = match e {
            // This server's row is damaged (a hand edit, an old file): say so, and how to mend it.
            StoreError::Corrupt(_) => format!(
                "This server's daily settings cannot be read ({}). `/daily set` writes them afresh.",
                echo(&e.to_string())
            ),
            _ => "Try again in a moment; if it persists, tell the bot's operator.".into(),
        };
        quiet(Reply::problem("Could not read the bot's state", advice))
    })
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        TIMEZONE => choices::zones(partial),
        TOPIC => choices::topics(c, partial),
        CONFERENCE => choices::conferences(c, partial),
        _ => Vec::new(),
    }
}

fn quiet(reply: Reply) -> Outcome {
    Outcome::found(reply, Value::Null)
}

fn acting(reply: Reply, effects: Vec<Effect>) -> Outcome {
    Outcome { effects, ..Outcome::found(reply, Value::Null) }
}

fn said(text: String) -> Reply {
    Reply { content: Some(text), ephemeral: true, ..Reply::default() }
}

fn set(store: &Store, c: &Catalogue, now: DateTime<Utc>, entry: &DailyEntry) -> Result<Outcome, StoreError> {
    let schedule = match entry.validate(c) {
        Ok(s) => s,
        Err(problems) => {
            let reply = Reply::problem("The daily highlight was not changed", problems.join("\n"));
            return Ok(Outcome::missed(reply, Value::Null));
        }
    };
    store.set_schedule(&schedule, now)?;
    let Some(entry) = store.entry(entry.guild_id)? else {
        return Err(StoreError::Corrupt("a schedule vanished as it was saved".into()));
    };
    let next = next_post(store, &entry, now)?;
    let text = format!(
        "Daily highlight set: <#{}> every day at {}{}. Next post: {}.",
        schedule.channel_id,
        schedule.when(),
        filter_text(c, &schedule).map(|f| format!(", {f}")).unwrap_or_default(),
        both_times(&schedule, next)
    );
    Ok(acting(said(text), vec![Effect::WakeDaily, Effect::CheckChannel(schedule.channel_id)]))
}

fn off(store: &Store, now: DateTime<Utc>, guild_id: u64) -> Result<Outcome, StoreError> {
    Ok(if store.disable(guild_id, now)? {
        acting(said("Daily highlights are off. `/daily set` turns them on again.".into()), vec![Effect::WakeDaily])
    } else {
        quiet(said("Daily highlights were already off here.".into()))
    })
}

fn post_now(store: &Store, now: DateTime<Utc>, guild_id: u64) -> Result<Outcome, StoreError> {
    let Some(Entry { schedule: s, .. }) = store.entry(guild_id)?.filter(|e| e.schedule.enabled) else {
        return Ok(quiet(Reply::problem("No daily highlight is set here", "Use `/daily set` first.")));
    };
    let date = s.local_date(now);
    let text = match store.post_for(guild_id, date)? {
        Some(p) if p.status == Status::Sent => {
            format!("Today's highlight is already posted: {}", message_link(guild_id, &p))
        }
        Some(p) if p.status == Status::Pending => "Today's highlight is being delivered right now.".into(),
        Some(_) => {
            store.request_now(guild_id, date)?;
            format!("Trying again to post today's highlight in <#{}>.", s.channel_id)
        }
        None => {
            store.request_now(guild_id, date)?;
            format!("Posting today's highlight in <#{}> now; it counts as today's.", s.channel_id)
        }
    };
    Ok(acting(said(text), vec![Effect::WakeDaily]))
}

/// The warning for a channel the bot cannot post in; `missing` names the permissions, as
/// Discord's settings show them (e.g. "Send Messages").
pub fn cannot_post(channel_id: u64, missing: &[&str]) -> String {
    format!(
        "⚠ I cannot post in <#{channel_id}> yet: I am missing {}. Give me those permissions there, \
         or choose another channel.",
        missing.join(", ")
    )
}

fn show(store: &Store, c: &Catalogue, now: DateTime<Utc>, guild_id: u64) -> Result<Reply, StoreError> {
    let Some(entry) = store.entry(guild_id)? else {
        return Ok(said("No daily highlight is set here. Set one with `/daily set channel: time: timezone:`.".into()));
    };
    let s = &entry.schedule;
    let origin = match entry.origin {
        Origin::Config => "the config file",
        Origin::Discord => "`/daily set`",
    };
    let mut fields = vec![
        Field::inline("Channel", format!("<#{}>", s.channel_id)),
        Field::inline("Time", s.when()),
        Field::inline("Items", filter_text(c, s).unwrap_or_else(|| "everything".into())),
    ];
    if s.enabled {
        fields.push(Field::new("Next post", both_times(s, next_post(store, &entry, now)?)));
    } else {
        fields.push(Field::new("Next post", "none — daily highlights are off"));
    }
    let eligible = deck::eligible(c, &shared(store, c, guild_id)?, &filter(s));
    let state = store.deck(guild_id)?;
    fields.push(Field::inline(
        "Deck",
        format!("{} of {} items left before it repeats", deck::left_in_cycle(&state, &eligible), eligible.len()),
    ));
    let recent = store.recent_posts(guild_id, 1)?;
    if let Some(last) = recent.first() {
        fields.push(Field::new("Last post", last_post_text(guild_id, last)));
        if let Some(problem) = problem_text(last) {
            fields.push(Field::new("⚠ Delivery problem", problem));
        }
    }
    Ok(Reply {
        embeds: vec![Embed {
            title: Some(format!("Daily highlight{}", if s.enabled { "" } else { " (off)" })),
            fields,
            footer: Some(format!("Settings from {origin}")),
            color: Some(COLOR),
            ..Embed::default()
        }],
        ephemeral: true,
        ..Reply::default()
    })
}

fn preview(store: &Store, c: &Catalogue, now: DateTime<Utc>, guild_id: u64, count: usize) -> Result<Reply, StoreError> {
    let Some(entry) = store.entry(guild_id)? else {
        return Ok(Reply::problem("No daily highlight is set here", "Use `/daily set` first."));
    };
    let s = &entry.schedule;
    let shared = shared(store, c, guild_id)?;
    let eligible = deck::eligible(c, &shared, &filter(s));
    let picks = deck::upcoming(&store.deck(guild_id)?, &eligible, count);
    if picks.is_empty() {
        return Ok(Reply::problem("Nothing to post", "No item matches this schedule's topic or conference."));
    }
    let mut at = next_post(store, &entry, now)?;
    let mut lines = Vec::new();
    for pick in &picks {
        let when = at.with_timezone(&s.zone).format("%a %-d %b %H:%M");
        let what = Item::from_id(c, &shared, &pick.id).map(|i| item_line(c, &shared, i)).unwrap_or_default();
        lines.push(format!("**{when}** · {}/{} · {what}", pick.position, pick.total));
        at = s.next_after(at).1;
    }
    let off = if s.enabled { "" } else { "\n*Daily highlights are off; this is what they would post.*" };
    Ok(Reply {
        embeds: vec![Embed {
            title: Some("Next daily highlights".into()),
            description: Some(format!("In <#{}>:\n{}{off}", s.channel_id, lines.join("\n"))),
            footer: Some(format!("Times are {}", s.zone.name())),
            color: Some(COLOR),
            ..Embed::default()
        }],
        ephemeral: true,
        ..Reply::default()
    })
}

/// When the next post goes out: now if one is due or being delivered, else when it is due.
/// For a schedule that is off, when it would go out if it were on.
fn next_post(store: &Store, entry: &Entry, now: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
    let s = &entry.schedule;
    let today = store.post_for(s.guild_id, s.local_date(now))?;
    let on = Entry { schedule: Schedule { enabled: true, ..s.clone() }, ..entry.clone() };
    Ok(match due::decide(now, &on, today.as_ref()) {
        Action::Wait(at) => at,
        _ => now,
    })
}

/// The server's approved shared insights, which its deck deals beside the catalogue's.
fn shared(store: &Store, c: &Catalogue, guild_id: u64) -> Result<Vec<Shared>, StoreError> {
    Ok(community::served(c, &store.suggestions(Some(guild_id), community::Status::Approved)?))
}

fn filter(s: &Schedule) -> Filter {
    Filter { topic: s.topic.clone(), conference: s.conference.clone() }
}

/// "topic AI, conference PyCon US 2024", or `None` for no filter.
fn filter_text(c: &Catalogue, s: &Schedule) -> Option<String> {
    let topic = s.topic.as_deref().map(|t| match c.topic_by_id(t) {
        Some(ix) => format!("topic {}", md(&c.topics[ix].name)),
        None => format!("topic {t} (no longer in the catalogue)"),
    });
    let conference = s.conference.as_deref().map(|w| match c.conference_by_id(w) {
        Some(ix) => format!("conference {}", md(&c.conferences[ix].name)),
        None => format!("conference {w} (no longer in the catalogue)"),
    });
    let parts: Vec<String> = topic.into_iter().chain(conference).collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// "Tue 25 Nov 2025 09:00 CET (08:00 UTC)".
fn both_times(s: &Schedule, at: DateTime<Utc>) -> String {
    format!("{} ({} UTC)", at.with_timezone(&s.zone).format("%a %-d %b %Y %H:%M %Z"), at.format("%H:%M"))
}

fn message_link(guild_id: u64, p: &PostRecord) -> String {
    match p.message_id {
        Some(m) => format!("https://discord.com/channels/{guild_id}/{}/{m}", p.channel_id),
        None => format!("<#{}>", p.channel_id),
    }
}

fn last_post_text(guild_id: u64, p: &PostRecord) -> String {
    let date = p.local_date.format("%a %-d %b %Y");
    let late = if p.late { " (late: the bot was not running at the posting time)" } else { "" };
    match p.status {
        Status::Sent => format!("{date}: posted{late} — {}", message_link(guild_id, p)),
        Status::Pending => format!("{date}: being delivered (attempt {})", p.attempts + 1),
        Status::Failed => format!("{date}: not posted"),
        Status::Missed => format!("{date}: missed"),
    }
}

fn problem_text(p: &PostRecord) -> Option<String> {
    let error = echo(p.error.as_deref()?);
    Some(match p.status {
        Status::Sent => return None,
        Status::Failed if error.contains("permission") => {
            format!("{error}. Give the bot View Channel, Send Messages, Embed Links and Read Message History there, then `/daily now`.")
        }
        Status::Failed if error.contains("does not exist") => {
            format!("{error}. Choose another channel with `/daily set`.")
        }
        Status::Pending => format!("{error}. Retrying with backoff until the day ends."),
        _ => error,
    })
}

/// One line for an item in a preview.
fn item_line(c: &Catalogue, shared: &[Shared], item: Item) -> String {
    match (item, item.insight(c, shared)) {
        (Item::Talk(t), _) => format!("🎤 {}", md(&c.talks[t].title)),
        (_, Some(insight)) => {
            let text = crate::reply::limits::truncate(&insight.text, 120);
            format!("“{}” — {}", md(&text), md(&c.talks[insight.talk].title))
        }
        (_, None) => String::new(),
    }
}
