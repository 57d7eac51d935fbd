//! frab and pretalx `schedule.json` (the c3voc schema: `schedule.conference.days[].rooms`),
//! and the c3voc "schedule 2" hub format (`schedule.events` and `schedule.persons`).
//!
//! Mapping: conference `acronym` → id, `title` → name, `start`/`end` → dates, `url` (or
//! `base_url`) → address; each event → a talk: `title`, `subtitle` + `abstract` +
//! `description` → summary, `date` → recorded, `track` → topic, `persons` (or `participants`
//! with role speaker) → speakers with their `biography`, `url` → a "Schedule" link, `links`
//! and `attachments` → links (recordings, slides and code recognised; feedback forms left out).
//!
//! Time and place (docs/importing.md): conference `time_zone_name` → timezone (else
//! `--timezone`); an event's `date` (an instant with its offset) → start, else its `start`
//! (an instant in schedule 2, else "HH:MM" on the day it is listed under, in the zone);
//! `duration` ("HH:MM", "H:MM", "HH:MM:SS", ISO 8601) or schedule 2's `end` → duration; the
//! day it is listed under (schedule 2: the day whose span holds its start) → day; `room` (a
//! name, or an object with one) → room, in the order `conference.rooms` or the days' `rooms`
//! list them; `track`, `language`, `type` (→ kind) and `url` (→ the talk's page, also kept as
//! its "Schedule" link) as they are.

use std::collections::HashMap;

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::draft::{date_prefix, ConferenceInfo, Draft, SessionInfo, TalkInfo};
use super::json::{as_text, list, text};
use super::links;
use super::times::{self, Day, EventTime};
use crate::catalogue::{LinkKind, SessionKind};

/// What every event of one schedule shares: its zone, days and tracks.
struct Context<'a> {
    conference: String,
    zone: Option<Tz>,
    day_change: Option<NaiveTime>,
    days: Vec<Day>,
    tracks: HashMap<String, String>,
    bios: HashMap<String, &'a Value>,
    base: Option<String>,
}

/// Imports a parsed `schedule.json` (`source` is its text, read again for the order of its
/// rooms); `Err` says why it is not one.
pub fn import(draft: &mut Draft, v: &Value, source: &str, fallback_name: &str) -> Result<(), String> {
    let schedule = v.get("schedule").unwrap_or(v);
    let Some(conf) = schedule.get("conference").filter(|c| c.is_object()) else {
        return Err("no schedule.conference object: not a frab/pretalx schedule.json".into());
    };
    draft.schedule = true;
    let name = text(conf, "title").unwrap_or_else(|| fallback_name.to_owned());
    let zone = draft.zone(text(conf, "time_zone_name").as_deref(), &name);
    let conference = draft.conference(ConferenceInfo {
        id_hint: text(conf, "acronym").unwrap_or_else(|| fallback_name.to_owned()),
        name,
        start: text(conf, "start").as_deref().and_then(date_prefix),
        end: text(conf, "end").as_deref().and_then(date_prefix),
        place: text(conf, "venue").or_else(|| text(conf, "city")),
        url: text(conf, "url").or_else(|| text(schedule, "base_url")),
        description: None,
        timezone: zone,
    });
    let mut rooms: Vec<String> =
        list(conf, "rooms").iter().filter_map(|r| text(r, "name").or_else(|| as_text(r))).collect();
    rooms.extend(listed_rooms(source));
    draft.room_order(&conference, rooms);
    let days: Vec<Day> = list(conf, "days")
        .iter()
        .map(|d| Day {
            date: text(d, "date").as_deref().and_then(date_prefix),
            start: text(d, "day_start").or_else(|| text(d, "start")).as_deref().and_then(times::instant),
            end: text(d, "day_end").or_else(|| text(d, "end")).as_deref().and_then(times::instant),
        })
        .collect();
    let cx = Context {
        conference,
        zone,
        day_change: text(conf, "day_change").as_deref().and_then(times::clock),
        days,
        tracks: list(conf, "tracks").iter().filter_map(|t| Some((text(t, "slug")?, text(t, "name")?))).collect(),
        bios: list(schedule, "persons").iter().filter_map(|p| Some((text(p, "guid")?, p))).collect(),
        base: text(schedule, "base_url"),
    };
    // Each event with the index of the day it is listed under.
    let mut events: Vec<(&Value, Option<usize>)> = list(schedule, "events").iter().map(|e| (e, None)).collect();
    // The hub format lists events apart; its days carry no rooms.
    let hub = !events.is_empty();
    for (ix, day) in list(conf, "days").iter().enumerate() {
        match day.get("rooms") {
            Some(Value::Object(rooms)) => {
                for room in rooms.values() {
                    events.extend(room.as_array().into_iter().flatten().map(|e| (e, Some(ix))));
                }
            }
            _ if hub => {}
            _ => draft.report.skip("day without rooms", text(day, "date").unwrap_or_default()),
        }
    }
    if events.is_empty() {
        draft.report.skip("schedule without any event", "");
    }
    for (event, day) in events {
        talk(draft, &cx, event, day);
    }
    Ok(())
}

/// The names of the rooms the days list, in the order the text gives them (parsed JSON
/// objects are sorted by key); empty when the text has another shape.
fn listed_rooms(source: &str) -> Vec<String> {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Root {
        schedule: Option<Box<Root>>,
        conference: Option<Conference>,
    }
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Conference {
        days: Vec<DayRooms>,
    }
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct DayRooms {
        rooms: Keys,
    }
    let Ok(root) = serde_json::from_str::<Root>(source.trim_start_matches('\u{feff}')) else { return Vec::new() };
    let conference = root.schedule.and_then(|s| s.conference).or(root.conference).unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    for name in conference.days.into_iter().flat_map(|d| d.rooms.0) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The keys of a JSON object in the order written; nothing for any other value.
#[derive(Default)]
struct Keys(Vec<String>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Names;
        impl<'de> Visitor<'de> for Names {
            type Value = Keys;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of rooms")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some((key, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                    keys.push(key);
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(Names)
    }
}

fn talk(draft: &mut Draft, cx: &Context<'_>, e: &Value, listed_under: Option<usize>) {
    let (tracks, bios, base) = (&cx.tracks, &cx.bios, &cx.base);
    let mut speakers = Vec::new();
    for p in list(e, "persons").iter().chain(list(e, "participants")) {
        let role = text(p, "role").unwrap_or_default().to_lowercase();
        let name = text(p, "public_name").or_else(|| text(p, "name")).or_else(|| text(p, "full_public_name"));
        if !role.is_empty() && role != "speaker" {
            draft.report.skip("participant who is not a speaker", name.unwrap_or_default());
            continue;
        }
        let people = draft.speakers(name.as_deref().unwrap_or_default());
        let person = text(p, "guid").and_then(|g| bios.get(&g).copied()).unwrap_or(p);
        for &ix in &people {
            draft.person_details(ix, text(person, "biography").as_deref(), text(person, "url").as_deref());
        }
        speakers.extend(people);
    }
    let track = match e.get("track") {
        Some(t @ Value::Object(_)) => {
            text(t, "name").or_else(|| text(t, "slug").map(|s| tracks.get(&s).cloned().unwrap_or(s)))
        }
        Some(t) => super::json::as_text(t),
        None => None,
    };
    let topics = track.as_deref().and_then(|t| draft.topic(t)).into_iter().collect();
    let mut found = Vec::new();
    if let Some(url) = text(e, "url") {
        found.extend(links::link(LinkKind::Website, Some("Schedule".into()), &url));
    }
    for l in list(e, "links").iter().chain(list(e, "attachments")) {
        let raw = text(l, "url").or_else(|| text(l, "href")).unwrap_or_default();
        let url = links::absolute(&raw, base.as_deref()).unwrap_or(raw);
        let kind = text(l, "type").unwrap_or_default().to_lowercase();
        if kind == "feedback" || kind == "origin" {
            continue;
        }
        let title = text(l, "title").or_else(|| (kind == "slides").then(|| "Slides".to_owned()));
        match links::titled(title.as_deref(), &url) {
            Some(link) => found.push(link),
            None => draft.report.skip("link left out (feedback form or not an http(s) address)", url),
        }
    }
    let texts = ["subtitle", "abstract", "description"].iter().filter_map(|k| text(e, k)).collect();
    let title = text(e, "title").unwrap_or_default();
    let session = session(draft, cx, e, listed_under, &title, track);
    draft.talk(TalkInfo {
        source_key: text(e, "guid").or_else(|| text(e, "id")).or_else(|| text(e, "code")),
        id_hint: None,
        title,
        conference: cx.conference.clone(),
        speakers,
        topics,
        tags: Vec::new(),
        recorded: text(e, "date").or_else(|| text(e, "start")).as_deref().and_then(date_prefix),
        texts,
        links: found,
        session,
    });
}

/// An event's time and place.
fn session(
    draft: &mut Draft,
    cx: &Context<'_>,
    e: &Value,
    listed_under: Option<usize>,
    title: &str,
    track: Option<String>,
) -> SessionInfo {
    let date = text(e, "date");
    let start_text = text(e, "start");
    let listed = listed_under.and_then(|ix| cx.days.get(ix));
    let start = times::start(
        &mut draft.report,
        EventTime {
            title,
            date: date.as_deref(),
            start: start_text.as_deref(),
            day: listed,
            zone: cx.zone,
            day_change: cx.day_change,
        },
    );
    let minutes = match (text(e, "duration"), text(e, "end"), start) {
        (Some(d), _, _) => times::minutes(&d).or_else(|| {
            draft.report.skip("duration that is not a duration (left out)", format!("{title}: {d}"));
            None
        }),
        (None, Some(end), Some(start)) => times::minutes_until(start, &end, cx.zone),
        _ => None,
    };
    // The day it is listed under; schedule 2 lists events apart, under the day whose span
    // holds their start.
    let day = listed.or_else(|| start.and_then(|t| cx.days.iter().find(|d| d.contains(t))));
    let room = match e.get("room") {
        Some(r @ Value::Object(_)) => text(r, "name"),
        Some(r) => as_text(r),
        None => None,
    };
    SessionInfo {
        start,
        minutes,
        day: day.and_then(|d| d.conference_date(cx.zone)),
        room,
        track,
        language: text(e, "language"),
        level: None,
        kind: text(e, "type").as_deref().and_then(SessionKind::from_export),
        url: text(e, "url"),
    }
}
