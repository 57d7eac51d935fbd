//! frab and pretalx `schedule.json` (the c3voc schema: `schedule.conference.days[].rooms`),
//! and the c3voc "schedule 2" hub format (`schedule.events` and `schedule.persons`).
//!
//! Mapping: conference `acronym` → id, `title` → name, `start`/`end` → dates, `url` (or
//! `base_url`) → address; each event → a talk: `title`, `subtitle` + `abstract` +
//! `description` → summary, `date` → recorded, `track` → topic, `persons` (or `participants`
//! with role speaker) → speakers with their `biography`, `url` → a "Schedule" link, `links`
//! and `attachments` → links (recordings, slides and code recognised; feedback forms left out).

use std::collections::HashMap;

use serde_json::Value;

use super::draft::{date_prefix, ConferenceInfo, Draft, TalkInfo};
use super::json::{list, text};
use super::links;
use crate::catalogue::LinkKind;

/// Imports a parsed `schedule.json`; `Err` says why it is not one.
pub fn import(draft: &mut Draft, v: &Value, fallback_name: &str) -> Result<(), String> {
    let schedule = v.get("schedule").unwrap_or(v);
    let Some(conf) = schedule.get("conference").filter(|c| c.is_object()) else {
        return Err("no schedule.conference object: not a frab/pretalx schedule.json".into());
    };
    let conference = draft.conference(ConferenceInfo {
        id_hint: text(conf, "acronym").unwrap_or_else(|| fallback_name.to_owned()),
        name: text(conf, "title").unwrap_or_else(|| fallback_name.to_owned()),
        start: text(conf, "start").as_deref().and_then(date_prefix),
        end: text(conf, "end").as_deref().and_then(date_prefix),
        place: text(conf, "venue").or_else(|| text(conf, "city")),
        url: text(conf, "url").or_else(|| text(schedule, "base_url")),
        description: None,
        timezone: None,
    });
    let tracks: HashMap<String, String> =
        list(conf, "tracks").iter().filter_map(|t| Some((text(t, "slug")?, text(t, "name")?))).collect();
    let bios: HashMap<String, &Value> =
        list(schedule, "persons").iter().filter_map(|p| Some((text(p, "guid")?, p))).collect();
    let base = text(schedule, "base_url");
    let mut events: Vec<&Value> = list(schedule, "events").iter().collect();
    // The hub format lists events apart; its days carry no rooms.
    let hub = !events.is_empty();
    for day in list(conf, "days") {
        match day.get("rooms") {
            Some(Value::Object(rooms)) => {
                for room in rooms.values() {
                    events.extend(room.as_array().into_iter().flatten());
                }
            }
            _ if hub => {}
            _ => draft.report.skip("day without rooms", text(day, "date").unwrap_or_default()),
        }
    }
    if events.is_empty() {
        draft.report.skip("schedule without any event", "");
    }
    for event in events {
        talk(draft, &conference, event, &tracks, &bios, &base);
    }
    Ok(())
}

fn talk(
    draft: &mut Draft,
    conference: &str,
    e: &Value,
    tracks: &HashMap<String, String>,
    bios: &HashMap<String, &Value>,
    base: &Option<String>,
) {
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
    let topics = track.and_then(|t| draft.topic(&t)).into_iter().collect();
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
    draft.talk(TalkInfo {
        source_key: text(e, "guid").or_else(|| text(e, "id")).or_else(|| text(e, "code")),
        id_hint: None,
        title: text(e, "title").unwrap_or_default(),
        conference: conference.to_owned(),
        speakers,
        topics,
        tags: Vec::new(),
        recorded: text(e, "date").or_else(|| text(e, "start")).as_deref().and_then(date_prefix),
        texts,
        links: found,
        session: Default::default(),
    });
}
