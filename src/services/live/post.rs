//! The messages confbot posts live: an announcement of the sessions about to start, a notice
//! of a schedule change, and a reminder DM. Each is built as a [`Reply`] from the commands'
//! pieces and goes through `reply::render` like every other message.

use chrono::{DateTime, Utc};

use crate::catalogue::{Availability, Catalogue, LinkKind, TalkIx};
use crate::commands::{programme, talk};
use crate::live::{Change, ChangeKind, SnapshotTalk};
use crate::reply::{limits, md, Button, Embed, Field, Reply, COLOR};

/// An announcement: the sessions starting at `start` in one channel, an embed each (at most
/// ten: the caller sends more as further messages), with their links as buttons.
pub fn announcement(c: &Catalogue, talks: &[TalkIx], start: DateTime<Utc>) -> Reply {
    let Some(&first) = talks.first() else { return Reply::default() };
    let local = programme::local(c, first, start);
    let content = format!(
        "**Starting {}** · {} ({})",
        programme::stamp(start, 'R'),
        local.format("%H:%M"),
        programme::zone_name(c, first, start)
    );
    let mut buttons = Vec::new();
    let embeds = talks
        .iter()
        .take(limits::EMBEDS)
        .map(|&t| {
            let t_ = &c.talks[t];
            let page = t_.url.clone();
            let stream = t_
                .links
                .iter()
                .find(|l| l.kind == LinkKind::Video && l.availability == Availability::Public && l.url.is_some())
                .and_then(|l| l.url.clone());
            let short = limits::truncate(&t_.title, 40);
            if let Some(url) = page.clone() {
                buttons.push(Button::Link { label: format!("Talk page · {short}"), url });
            }
            if let Some(url) = stream {
                buttons.push(Button::Link { label: format!("Stream · {short}"), url });
            }
            session_embed(c, t, page)
        })
        .collect();
    buttons.truncate(limits::BUTTONS_PER_ROW * 5);
    Reply { content: Some(content), embeds, buttons, ..Reply::default() }
}

/// A session's embed: title, speakers, room and time.
fn session_embed(c: &Catalogue, t: TalkIx, url: Option<String>) -> Embed {
    let talk = &c.talks[t];
    let mut fields = Vec::new();
    if !talk.speakers.is_empty() {
        fields.push(Field::inline(
            if talk.speakers.len() == 1 { "Speaker" } else { "Speakers" },
            md(&c.speaker_names(t)),
        ));
    }
    if let Some(room) = &talk.room {
        fields.push(Field::inline("Room", md(room)));
    }
    if let Some(when) = programme::when_field(c, t) {
        fields.push(Field::new("When", when));
    }
    Embed {
        title: Some(talk.title.clone()),
        url,
        fields,
        footer: Some(format!("{} · programme", c.conferences[talk.conference].name)),
        color: Some(COLOR),
        ..Embed::default()
    }
}

/// A change notice: the talk before and after, side by side.
pub fn notice(c: &Catalogue, conference: &str, change: &Change) -> Reply {
    let conference_name = c.conference_by_id(conference).map_or(conference, |w| c.conferences[w].name.as_str());
    let talk = change.talk();
    let (heading, colour) = match change.kind {
        ChangeKind::Moved => ("Moved", COLOR),
        ChangeKind::Retitled => ("Renamed", COLOR),
        ChangeKind::Added => ("Added", COLOR),
        ChangeKind::Cancelled => ("Cancelled", crate::reply::ERROR_COLOR),
    };
    let mut fields = Vec::new();
    if let Some(old) = &change.old {
        fields.push(Field::inline("Before", slot_text(c, conference, old)));
    }
    if let Some(new) = &change.new {
        fields.push(Field::inline(if change.old.is_some() { "Now" } else { "When" }, slot_text(c, conference, new)));
    }
    let description = match (&change.old, &change.new) {
        (Some(old), Some(new)) if old.title != new.title => Some(format!("Was “{}”.", md(&old.title))),
        _ => None,
    };
    Reply {
        embeds: vec![Embed {
            title: Some(format!("Schedule change · {heading}: {}", talk.title)),
            description,
            fields,
            footer: Some(format!("{conference_name} · schedule change")),
            color: Some(colour),
            ..Embed::default()
        }],
        ..Reply::default()
    }
}

/// Many changes at once (a re-import that moved a whole day): one notice that says so.
pub fn many_changes(c: &Catalogue, conference: &str, changes: &[Change]) -> Reply {
    let name = c.conference_by_id(conference).map_or(conference, |w| c.conferences[w].name.as_str());
    let count = |k: ChangeKind| changes.iter().filter(|ch| ch.kind == k).count();
    let parts: Vec<String> = [
        (ChangeKind::Moved, "moved"),
        (ChangeKind::Retitled, "renamed"),
        (ChangeKind::Added, "added"),
        (ChangeKind::Cancelled, "cancelled"),
    ]
    .iter()
    .filter(|(k, _)| count(*k) > 0)
    .map(|(k, word)| format!("{} {word}", count(*k)))
    .collect();
    Reply::embed(Embed {
        title: Some(format!("The schedule of {} changed", md(name))),
        description: Some(format!("{}. `/schedule` shows it as it is now.", parts.join(", "))),
        footer: Some(format!("{name} · schedule change")),
        color: Some(COLOR),
        ..Embed::default()
    })
}

/// "Fri 27 Dec 11:00 CET · Room": a snapshot's time and room, as the conference's clock and a
/// Discord timestamp.
fn slot_text(c: &Catalogue, conference: &str, t: &SnapshotTalk) -> String {
    let when = match t.start {
        Some(start) => {
            let stamp = programme::stamp(start, 'F');
            match c.conference_by_id(conference).and_then(|w| c.conferences[w].timezone) {
                Some(tz) => {
                    format!("{stamp}\n{} ({})", start.with_timezone(&tz).format("%a %-d %b %H:%M %Z"), tz.name())
                }
                None => stamp,
            }
        }
        None => "no time".to_owned(),
    };
    match &t.room {
        Some(room) => format!("{when}\n{}", md(room)),
        None => when,
    }
}

/// A reminder DM: the talk's card under "Starting soon".
pub fn reminder(c: &Catalogue, t: TalkIx, start: DateTime<Utc>) -> Reply {
    let mut reply = talk::card(c, t);
    reply.content = Some(format!("⏰ **Starting {}** — you asked to be reminded.", programme::stamp(start, 'R')));
    reply
}

/// A bookmarked talk was cancelled.
pub fn cancelled_reminder(c: &Catalogue, conference: &str, old: &SnapshotTalk) -> Reply {
    let change = Change { kind: ChangeKind::Cancelled, old: Some(old.clone()), new: None };
    let mut reply = notice(c, conference, &change);
    reply.content = Some("❌ A talk you bookmarked was cancelled.".to_owned());
    reply
}
