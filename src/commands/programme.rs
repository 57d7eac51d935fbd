//! What the schedule commands (`/now`, `/next`, `/schedule`) and the talk card share: the
//! `room:` and `track:` options, how a time is shown, and a session's line and JSON.
//!
//! Every time is shown twice: as a Discord timestamp, which each reader's client shows in
//! their own zone, and as the conference's wall-clock time with its zone named ("11:00 CET,
//! Europe/Berlin"), written the same in every locale. A conference without a zone shows the
//! offset its times were given with ("UTC+01:00").

use chrono::{DateTime, FixedOffset, Offset, Utc};
use serde_json::{json, Value};

use super::choices::{self, Choice};
use super::definition::{text, OptionDef};
use super::{Invocation, Outcome};
use crate::catalogue::timetable::Session;
use crate::catalogue::{Catalogue, ConferenceIx, TalkIx};
use crate::reply::{echo, md, Reply};

pub const ROOM: &str = "room";
pub const ROOM_OPTION: OptionDef = text(ROOM, "Only this room", false, true);
pub const TRACK: &str = "track";
pub const TRACK_OPTION: OptionDef = text(TRACK, "Only this track", false, true);

/// An instant as a Discord timestamp: `F` long date and time, `R` relative, `t` short time.
pub fn stamp(at: DateTime<Utc>, style: char) -> String {
    format!("<t:{}:{style}>", at.timestamp())
}

/// An instant in the conference's wall-clock time: in its zone, else at the offset the talk's
/// time was given with.
pub fn local(c: &Catalogue, talk: TalkIx, at: DateTime<Utc>) -> DateTime<FixedOffset> {
    let t = &c.talks[talk];
    match c.conferences[t.conference].timezone {
        Some(tz) => {
            let there = at.with_timezone(&tz);
            there.with_timezone(&there.offset().fix())
        }
        None => at.with_timezone(&t.slot.map_or(Utc.fix(), |s| *s.start.offset())),
    }
}

/// Today's date where a conference is: in its zone, else at the offset of its first session.
pub fn today(c: &Catalogue, conference: ConferenceIx, now: DateTime<Utc>) -> chrono::NaiveDate {
    match c.conferences[conference].timezone {
        Some(tz) => now.with_timezone(&tz).date_naive(),
        None => {
            let first = c.timetable.all().iter().find(|s| c.talks[s.talk].conference == conference);
            first.map_or(now.date_naive(), |s| local(c, s.talk, now).date_naive())
        }
    }
}

/// The zone's name at an instant: "CET, Europe/Berlin", or "UTC+01:00" without a zone.
pub fn zone_name(c: &Catalogue, talk: TalkIx, at: DateTime<Utc>) -> String {
    let offset = offset_text(local(c, talk, at).offset().local_minus_utc());
    match c.conferences[c.talks[talk].conference].timezone {
        Some(tz) => {
            let abbreviation = at.with_timezone(&tz).format("%Z").to_string();
            // Some zones have no letters for their offset ("+03"): say the offset plainly.
            if abbreviation.starts_with(['+', '-']) {
                format!("{offset}, {}", tz.name())
            } else {
                format!("{abbreviation}, {}", tz.name())
            }
        }
        None => offset,
    }
}

fn offset_text(seconds: i32) -> String {
    if seconds == 0 {
        return "UTC".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// "Fri 27 Dec 2019, 11:00–11:40 (CET, Europe/Berlin)": the conference's own time, spelt out.
pub fn wall_clock(c: &Catalogue, talk: TalkIx) -> Option<String> {
    let slot = c.talks[talk].slot?;
    let start = slot.start.with_timezone(&Utc);
    let from = local(c, talk, start);
    let until = slot.end.map(|e| local(c, talk, e.with_timezone(&Utc)));
    let range = match until {
        Some(u) if u.date_naive() == from.date_naive() => format!("{}–{}", from.format("%H:%M"), u.format("%H:%M")),
        Some(u) => format!("{}–{}", from.format("%H:%M"), u.format("%a %-d %b %H:%M")),
        None => from.format("%H:%M").to_string(),
    };
    Some(format!("{}, {range} ({})", from.format("%a %-d %b %Y"), zone_name(c, talk, start)))
}

/// The card's "When" field: the Discord timestamps, then the conference's own time.
pub fn when_field(c: &Catalogue, talk: TalkIx) -> Option<String> {
    let slot = c.talks[talk].slot?;
    let start = slot.start.with_timezone(&Utc);
    Some(format!("{} ({})\n{}", stamp(start, 'F'), stamp(start, 'R'), wall_clock(c, talk)?))
}

/// "On now", "Starts in 20 minutes" or "Ended", while its conference is on: the days of its
/// schedule, with a day's margin either side.
pub fn status(c: &Catalogue, talk: TalkIx, now: DateTime<Utc>) -> Option<String> {
    let session = c.timetable.of_talk(talk)?;
    let days = c.days(c.talks[talk].conference);
    let (first, last) = (*days.first()?, *days.last()?);
    let today = local(c, talk, now).date_naive();
    if today < first - chrono::Duration::days(1) || today > last + chrono::Duration::days(1) {
        return None;
    }
    Some(if now < session.start {
        format!("Starts in {}", span(session.start - now))
    } else if now < session.until {
        match c.talks[talk].slot.and_then(|s| s.end) {
            Some(_) => format!("On now, ends in {}", span(session.until - now)),
            None => "On now".to_owned(),
        }
    } else {
        "Ended".to_owned()
    })
}

/// A duration in words: "20 minutes", "1 hour 5 minutes", "2 days".
fn span(d: chrono::Duration) -> String {
    let minutes = (d.num_seconds() + 59) / 60;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match minutes {
        ..=59 => plural(minutes.max(1), "minute"),
        60..=1439 => match minutes % 60 {
            0 => plural(minutes / 60, "hour"),
            m => format!("{} {}", plural(minutes / 60, "hour"), plural(m, "minute")),
        },
        _ => plural(minutes / 1440, "day"),
    }
}

/// One session in a list: "`11:00–11:40` <t:…:t> · **Room** · **Title** — Speakers". The
/// times are in the zone the list's heading names, at the offset `heading` was in force; a
/// session at another offset (the day clocks change) says its own.
pub fn line(c: &Catalogue, s: &Session, heading: FixedOffset) -> String {
    let talk = &c.talks[s.talk];
    let from = local(c, s.talk, s.start);
    let mut time = match talk.slot.and_then(|slot| slot.end) {
        Some(end) => format!("{}–{}", from.format("%H:%M"), local(c, s.talk, end.with_timezone(&Utc)).format("%H:%M")),
        None => from.format("%H:%M").to_string(),
    };
    if *from.offset() != heading {
        time.push(' ');
        time.push_str(zone_name(c, s.talk, s.start).split(',').next().unwrap_or_default());
    }
    let mut line = format!("`{time}` {}", stamp(s.start, 't'));
    if let Some(room) = &talk.room {
        line.push_str(&format!(" · **{}**", md(room)));
    }
    line.push_str(" · ");
    line.push_str(&super::common::talk_name(c, s.talk));
    line
}

/// The heading of a list of sessions: "Times in CEST, Europe/Berlin; …", and the offset its
/// lines are written at.
pub fn heading(c: &Catalogue, first: &Session) -> (String, FixedOffset) {
    let zone = zone_name(c, first.talk, first.start);
    (format!("Times in {zone}; the others in your own time."), *local(c, first.talk, first.start).offset())
}

/// A time as `resolved` gives it: RFC 3339 with the conference's offset.
pub fn rfc3339(c: &Catalogue, talk: TalkIx, at: DateTime<Utc>) -> String {
    local(c, talk, at).to_rfc3339()
}

/// `resolved.sessions`: each session's id, title, speakers, room, start and end.
pub fn sessions_json(c: &Catalogue, sessions: &[Session]) -> Value {
    Value::Array(
        sessions
            .iter()
            .map(|s| {
                let talk = &c.talks[s.talk];
                json!({
                    "id": talk.id,
                    "title": talk.title,
                    "speakers": talk.speakers.iter().map(|&p| c.speakers[p].name.as_str()).collect::<Vec<_>>(),
                    "room": talk.room,
                    "start": rfc3339(c, s.talk, s.start),
                    "end": talk.slot.and_then(|slot| slot.end).map(|e| rfc3339(c, s.talk, e.with_timezone(&Utc))),
                })
            })
            .collect(),
    )
}

/// The sessions that pass the conference, room and track filters.
pub fn keep(c: &Catalogue, s: &Session, filters: &Filters) -> bool {
    let talk = &c.talks[s.talk];
    filters.conference.is_none_or(|w| talk.conference == w)
        && filters.room.as_ref().is_none_or(|r| talk.room.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(r)))
        && filters.track.as_ref().is_none_or(|t| talk.track.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(t)))
}

/// The conference, room and track a schedule command is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub conference: Option<ConferenceIx>,
    pub room: Option<String>,
    pub track: Option<String>,
}

impl Filters {
    /// Reads `conference:` (as [`super::common::conference_filter`] does, offering `retry`'s
    /// button for each of several), then `room:` and `track:`: each is matched to a name the
    /// schedule uses, exactly or approximately; an unknown one gets the names there are.
    pub fn read(c: &Catalogue, inv: &Invocation, retry: impl Fn(&Filters) -> String) -> Result<Filters, Outcome> {
        let retry = |id: &str| retry(&Filters { conference: c.conference_by_id(id), ..Filters::default() });
        let conference = super::common::conference_filter(c, inv, retry)?;
        // The names are gathered only for an option that was given: tracks take a scan.
        Ok(Filters {
            conference,
            room: inv.get(ROOM).map(|r| named(r, &rooms(c, conference), "room")).transpose()?,
            track: inv.get(TRACK).map(|t| named(t, &tracks(c, conference), "track")).transpose()?,
        })
    }
}

/// The rooms of a conference (or of all), in their conferences' order, each once.
pub fn rooms(c: &Catalogue, conference: Option<ConferenceIx>) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for (ix, conf) in c.conferences.iter().enumerate() {
        if conference.is_none_or(|w| w == ix) {
            for room in &conf.rooms {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(room)) {
                    names.push(room);
                }
            }
        }
    }
    names
}

/// The tracks the timed talks of a conference (or of all) are in, each once, by first start.
pub fn tracks(c: &Catalogue, conference: Option<ConferenceIx>) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for s in c.timetable.all() {
        let talk = &c.talks[s.talk];
        if let Some(track) = talk.track.as_deref().filter(|_| conference.is_none_or(|w| w == talk.conference)) {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(track)) {
                names.push(track);
            }
        }
    }
    names
}

/// The name of `names` that `typed` means: the same but for case, else the one it is closest
/// to when that is close enough; otherwise the answer lists them.
fn named(typed: &str, names: &[&str], what: &str) -> Result<String, Outcome> {
    if let Some(exact) = names.iter().find(|n| n.eq_ignore_ascii_case(typed)) {
        return Ok((*exact).to_owned());
    }
    let lower = typed.to_lowercase();
    let best = names
        .iter()
        .map(|n| {
            let name = n.to_lowercase();
            let score = if name.contains(&lower) { 0.95 } else { strsim::jaro_winkler(&lower, &name) };
            (score, *n)
        })
        .filter(|(score, _)| *score >= 0.88)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, name)) = best {
        return Ok(name.to_owned());
    }
    let known = if names.is_empty() {
        format!("No talk with a time names a {what} here.")
    } else {
        let shown: Vec<String> = names.iter().take(25).map(|n| md(n)).collect();
        let more = names.len().saturating_sub(25);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        format!("The {what}s are: {}{more}. The option autocompletes.", shown.join(", "))
    };
    Err(Outcome::missed(
        Reply::problem(format!("No {what} is called “{}”", echo(typed)), known),
        json!({"sessions": []}),
    ))
}

/// Autocomplete for `room:`: the rooms containing what was typed, else all.
pub fn room_choices(c: &Catalogue, partial: &str) -> Vec<Choice> {
    choices::names(rooms(c, None), partial)
}

/// Autocomplete for `track:`.
pub fn track_choices(c: &Catalogue, partial: &str) -> Vec<Choice> {
    choices::names(tracks(c, None), partial)
}

/// The conferences whose talks have times, within the filter.
pub fn scheduled(c: &Catalogue, conference: Option<ConferenceIx>) -> Vec<ConferenceIx> {
    (0..c.conferences.len()).filter(|&w| !c.days(w).is_empty() && conference.is_none_or(|x| x == w)).collect()
}

/// The answer when nothing has a time: why, and how to get times.
pub fn no_times(c: &Catalogue, conference: Option<ConferenceIx>) -> Outcome {
    let whose = conference.map_or_else(|| "this catalogue".to_owned(), |w| md(&c.conferences[w].name));
    Outcome::missed(
        Reply::problem(
            format!("No talk in {whose} has a time"),
            "Schedules come from the conference's export: `confbot import` keeps the times and rooms of pretalx, frab, Pentabarf and Sessionize exports.",
        ),
        json!({"sessions": []}),
    )
}

/// Numbers the lines of a page of `sessions` and adds a "🔔 n" button for each: bookmarking
/// straight from a list.
pub fn numbered(c: &Catalogue, sessions: &[Session], page: &mut crate::reply::Page) {
    let first = page.index * crate::reply::PAGE_LINES;
    for (i, line) in page.lines.iter_mut().enumerate() {
        let Some(s) = sessions.get(first + i) else { break };
        *line = format!("**{}.** {line}", i + 1);
        page.buttons.push(super::remind::button(c, s.talk, &format!("🔔 {}", i + 1)));
    }
}
