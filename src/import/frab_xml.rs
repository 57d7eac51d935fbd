//! frab `schedule.xml` and Pentabarf XML (FOSDEM): `<schedule>` with `<conference>` and
//! `<day>/<room>/<event>`.
//!
//! Mapping: `<conference>` `acronym` (or title) → id, `title` → name, `start`/`end` → dates,
//! `venue`/`city` → place; each `<event>` → a talk: `title`, `subtitle` + `abstract` +
//! `description` (HTML in Pentabarf) → summary, the day's `date` → recorded, `track` → topic,
//! `persons/person` → speakers, `url` → a "Schedule" link to the talk's page, `links/link` and
//! `attachments/attachment` → links (recordings, slides and code recognised from title and
//! address; feedback forms and frab's `missing.png` placeholder left out). Relative addresses
//! (`/system/event_attachments/…`) are joined to the conference's `base_url`.
//!
//! Time and place (docs/importing.md): `<conference><time_zone_name>` → timezone (else
//! `--timezone`); an event's `<date>` (an instant with its offset) → start, else `<start>`
//! ("HH:MM") on its `<day>`'s date in the zone — a clock before the day's `start` (or the
//! conference's `<day_change>`) is past midnight, on the next date. Pentabarf (FOSDEM) gives
//! neither `<date>` nor a zone: without `--timezone` such talks keep their room but no start.
//! `<duration>` → duration, the `<day>` → day, `<room>` (or the `<room name=>` it is listed
//! in) → room, in the order the days list them; `<track>`, `<language>`, `<type>` (→ kind),
//! `<url>` (→ the talk's page, also kept as its "Schedule" link) as they are.

use chrono::NaiveTime;
use chrono_tz::Tz;

use super::draft::{date_prefix, ConferenceInfo, Draft, SessionInfo, TalkInfo};
use super::links;
use super::times::{self, Day, EventTime};
use super::xml::{self, Element};
use crate::catalogue::{LinkKind, SessionKind};

/// What every event of one schedule shares.
struct Context<'a> {
    conference: String,
    base: Option<&'a str>,
    zone: Option<Tz>,
    day_change: Option<NaiveTime>,
}

/// Imports the text of a schedule XML file; `Err` says why it is not one.
pub fn import(draft: &mut Draft, text: &str, fallback_name: &str) -> Result<(), String> {
    let root = xml::parse(text)?;
    if root.name != "schedule" {
        return Err(format!("the root element is <{}>, expected <schedule>", root.name));
    }
    let conf = root.child("conference").cloned().unwrap_or_default();
    let base = conf.text_of("base_url");
    let name = conf.text_of("title").unwrap_or_else(|| fallback_name.to_owned());
    draft.schedule = true;
    let zone = draft.zone(conf.text_of("time_zone_name").as_deref(), &name);
    let conference = draft.conference(ConferenceInfo {
        id_hint: conf.text_of("acronym").unwrap_or_else(|| name.clone()),
        name,
        start: conf.text_of("start").as_deref().and_then(date_prefix),
        end: conf.text_of("end").as_deref().and_then(date_prefix),
        place: [conf.text_of("venue"), conf.text_of("city")].into_iter().flatten().reduce(|a, b| format!("{a}, {b}")),
        url: conf.text_of("url").or_else(|| conf.text_of("base_url")),
        description: None,
        timezone: zone,
    });
    let days: Vec<&Element> = root.all("day").collect();
    if days.is_empty() {
        draft.report.skip("schedule without any day", "");
    }
    let rooms = days.iter().flat_map(|d| d.all("room")).filter_map(|r| r.attr("name"));
    draft.room_order(&conference, rooms.collect::<Vec<_>>());
    let cx = Context {
        conference,
        base: base.as_deref(),
        zone,
        day_change: conf.text_of("day_change").as_deref().and_then(times::clock),
    };
    for day in days {
        let listed = Day {
            date: day.attr("date").as_deref().and_then(date_prefix),
            start: day.attr("start").as_deref().and_then(times::instant),
            end: day.attr("end").as_deref().and_then(times::instant),
        };
        for room in day.all("room") {
            for event in room.all("event") {
                talk(draft, &cx, event, &listed, room.attr("name"));
            }
        }
    }
    Ok(())
}

fn talk(draft: &mut Draft, cx: &Context<'_>, e: &Element, listed: &Day, room: Option<String>) {
    let (conference, base, day) = (&cx.conference, cx.base, listed.date);
    let mut speakers = Vec::new();
    for person in e.child("persons").into_iter().flat_map(|p| p.all("person")) {
        speakers.extend(draft.speakers(&person.text));
    }
    let topics = e.text_of("track").and_then(|t| draft.topic(&t)).into_iter().collect();
    let mut found = Vec::new();
    if let Some(url) = e.text_of("url") {
        match links::absolute(&url, base) {
            Some(url) => found.extend(links::link(LinkKind::Website, Some("Schedule".into()), &url)),
            None => draft.report.skip("talk page without a usable http(s) address", url),
        }
    }
    let link_elements = e
        .child("links")
        .into_iter()
        .flat_map(|l| l.all("link"))
        .chain(e.child("attachments").into_iter().flat_map(|a| a.all("attachment")));
    for l in link_elements {
        let mut href = l.attr("href").unwrap_or_default();
        let mut title = l.text.trim().to_owned();
        if href.ends_with("/original/missing.png") {
            // frab's placeholder for an attachment whose file is gone.
            draft.report.skip("attachment placeholder (missing.png)", href);
            continue;
        }
        if href.is_empty() || (links::absolute(&href, base).is_none() && links::absolute(&title, None).is_some()) {
            // `<link>https://c3voc.de/</link>`, and
            // `<link href="Hack_Curio, Decoding…">https://hackcur.io/</link>`.
            if !href.is_empty() {
                draft.report.adjust("link whose address and title were swapped", &title);
            }
            std::mem::swap(&mut href, &mut title);
        }
        let url = links::absolute(&href, base).unwrap_or(href);
        match links::titled((!title.is_empty()).then_some(title.as_str()), &url) {
            Some(link) => found.push(link),
            None => draft.report.skip("link left out (feedback form or not an http(s) address)", url),
        }
    }
    let texts = ["subtitle", "abstract", "description"].iter().filter_map(|k| e.text_of(k)).collect();
    let title = e.text_of("title").unwrap_or_default();
    let session = session(draft, cx, e, listed, room, &title);
    draft.talk(TalkInfo {
        source_key: e.attr("guid").or_else(|| e.attr("id")),
        id_hint: None,
        title,
        conference: conference.to_owned(),
        speakers,
        topics,
        tags: Vec::new(),
        recorded: e.text_of("date").as_deref().and_then(date_prefix).or(day),
        texts,
        links: found,
        session,
    });
}

/// An event's time and place; `room` is the name of the `<room>` it is listed in.
fn session(
    draft: &mut Draft,
    cx: &Context<'_>,
    e: &Element,
    listed: &Day,
    room: Option<String>,
    title: &str,
) -> SessionInfo {
    let (date, start_text) = (e.text_of("date"), e.text_of("start"));
    let start = times::start(
        &mut draft.report,
        EventTime {
            title,
            date: date.as_deref(),
            start: start_text.as_deref(),
            day: Some(listed),
            zone: cx.zone,
            day_change: cx.day_change,
        },
    );
    let minutes = e.text_of("duration").and_then(|d| {
        let m = times::minutes(&d);
        if m.is_none() {
            draft.report.skip("duration that is not a duration (left out)", format!("{title}: {d}"));
        }
        m
    });
    SessionInfo {
        start,
        minutes,
        day: listed.conference_date(cx.zone),
        room: e.text_of("room").or(room),
        track: e.text_of("track"),
        language: e.text_of("language"),
        level: None,
        kind: e.text_of("type").as_deref().and_then(SessionKind::from_export),
        url: e.text_of("url").and_then(|u| links::absolute(&u, cx.base)),
    }
}
