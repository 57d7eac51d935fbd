//! Sessionize "All data" JSON (`/api/v2/{id}/view/All`): `sessions`, `speakers`,
//! `categories`, `rooms`.
//!
//! The conference is named by the export's `name` (or `title`) when it has one; the "All data"
//! export has none, so `confbot import --name` names it, or else the file does, words
//! capitalised and short words without vowels in capitals ("ddd-melbourne-2024_sessionize_all.json"
//! → "DDD Melbourne 2024", reported so it can be checked). It is dated by its sessions. Each session → a talk: `title`, `description` → summary, `startsAt`
//! → recorded, `speakers` (ids into `speakers`, with `fullName`, `bio` and the first link) →
//! speakers, `recordingUrl` → a public video link. Category items become topics when their
//! category is a kind of subject (its title says track, tag, topic, theme, subject or
//! category); "Session format", "Level" and the like are not topics. Service sessions (breaks,
//! lunch) are skipped.
//!
//! Time and place (docs/importing.md): `startsAt`/`endsAt` are local times without an offset,
//! and the "All data" export names no zone: they are read in the zone the export names
//! (`timeZone`, when a view gives one), else in `--timezone`; without either, talks keep their
//! room but no start. `endsAt` → duration; `roomId` → the name in `rooms`, in their `sort`
//! order (a `room` name when a view embeds one); category items → kind ("Session format",
//! "Type"), level ("Level"), language ("Language") and track ("Track"), by their category's
//! title.

use std::collections::HashMap;

use serde_json::Value;

use super::draft::{date_prefix, ConferenceInfo, Draft, PersonIx, SessionInfo, TalkInfo};
use super::json::{as_text, list, text};
use super::links;
use super::times::{self, EventTime};
use crate::catalogue::SessionKind;

/// What a category's items say of a session, told by the category's title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Says {
    Kind,
    Level,
    Language,
    Track,
}

/// Words in a category's title, and what its items then say; the first match wins.
const SAYS: &[(&str, Says)] = &[
    ("format", Says::Kind),
    ("type", Says::Kind),
    ("level", Says::Level),
    ("language", Says::Language),
    ("sprache", Says::Language),
    ("track", Says::Track),
];

/// Words in a category's title that make its items topics.
const TOPIC_CATEGORIES: &[&str] = &["track", "tag", "topic", "theme", "subject", "categor"];

/// Imports a parsed "All data" export; `Err` says why it is not one.
pub fn import(draft: &mut Draft, v: &Value, file_stem: &str) -> Result<(), String> {
    if !v.get("sessions").is_some_and(Value::is_array) {
        return Err("no \"sessions\" list: not a Sessionize \"All data\" export".into());
    }
    let stem = file_stem.trim_end_matches("_sessionize_all").trim_end_matches("_all");
    let name = match text(v, "name").or_else(|| text(v, "title")) {
        Some(name) => name,
        None => {
            if draft.conference_name.is_none() {
                draft.report.adjust("conference named after its file (give --name to name it)", file_stem);
            }
            name_from_file(stem)
        }
    };
    let sessions = list(v, "sessions");
    let starts = || sessions.iter().filter_map(|s| text(s, "startsAt")).filter_map(|d| date_prefix(&d));
    draft.schedule = true;
    let named = ["timeZone", "timezone", "time_zone_name"].iter().find_map(|k| text(v, k));
    let zone = draft.zone(named.as_deref(), &name);
    let conference = draft.conference(ConferenceInfo {
        id_hint: file_stem.trim_end_matches("_sessionize_all").to_owned(),
        name,
        start: starts().min(),
        end: starts().max(),
        timezone: zone,
        ..Default::default()
    });
    let mut rooms: Vec<(i64, usize, String, String)> = list(v, "rooms")
        .iter()
        .enumerate()
        .filter_map(|(ix, r)| {
            let sort = r.get("sort").and_then(serde_json::Value::as_i64).unwrap_or(i64::MAX);
            Some((sort, ix, text(r, "id")?, text(r, "name")?))
        })
        .collect();
    rooms.sort();
    draft.room_order(&conference, rooms.iter().map(|r| r.3.clone()));
    let room_names: HashMap<String, String> = rooms.into_iter().map(|(_, _, id, name)| (id, name)).collect();
    let mut topic_items: HashMap<String, String> = HashMap::new();
    let mut said: HashMap<String, (Says, String)> = HashMap::new();
    for category in list(v, "categories") {
        let title = text(category, "title").unwrap_or_default();
        let lower = title.to_lowercase();
        let is_topic = TOPIC_CATEGORIES.iter().any(|w| lower.contains(w));
        let says = SAYS.iter().find(|(w, _)| lower.contains(w)).map(|&(_, s)| s);
        for item in list(category, "items") {
            let (Some(id), Some(name)) = (text(item, "id"), text(item, "name")) else { continue };
            if let Some(says) = says {
                said.insert(id.clone(), (says, name.clone()));
            }
            if is_topic {
                topic_items.insert(id, name);
            } else if says.is_none() {
                draft.report.skip("category item that is not a subject (format, level…)", format!("{title}: {name}"));
            }
        }
    }
    let mut people: HashMap<String, Vec<PersonIx>> = HashMap::new();
    for s in list(v, "speakers") {
        let Some(id) = text(s, "id") else { continue };
        let name = text(s, "fullName").unwrap_or_else(|| {
            [text(s, "firstName"), text(s, "lastName")].into_iter().flatten().collect::<Vec<_>>().join(" ")
        });
        let ixs = draft.speakers(&name);
        let url = list(s, "links").iter().find_map(|l| text(l, "url"));
        for &ix in &ixs {
            draft.person_details(ix, text(s, "bio").as_deref(), url.as_deref());
        }
        people.insert(id, ixs);
    }
    for s in sessions {
        let title = text(s, "title").unwrap_or_default();
        if s.get("isServiceSession").and_then(Value::as_bool) == Some(true) {
            draft.report.skip("service session (break, lunch…)", title);
            continue;
        }
        let mut speakers = Vec::new();
        for id in list(s, "speakers") {
            // "All data" lists speaker ids; other Sessionize views embed {id, name}.
            let key = as_text(id).or_else(|| text(id, "id")).unwrap_or_default();
            match people.get(&key) {
                Some(ixs) => speakers.extend(ixs.iter().copied()),
                None => match text(id, "name") {
                    Some(name) => speakers.extend(draft.speakers(&name)),
                    None => draft.report.skip("session speaker id not in the speakers list", key),
                },
            }
        }
        let mut topics = Vec::new();
        let mut session = SessionInfo::default();
        for item in list(s, "categoryItems").iter().filter_map(as_text) {
            if let Some(name) = topic_items.get(&item) {
                topics.extend(draft.topic(name));
            }
            let Some((says, name)) = said.get(&item) else { continue };
            match says {
                Says::Kind => session.kind = session.kind.or_else(|| SessionKind::from_export(name)),
                Says::Level => session.level = session.level.take().or_else(|| Some(name.clone())),
                Says::Language => session.language = session.language.take().or_else(|| Some(name.clone())),
                Says::Track => session.track = session.track.take().or_else(|| Some(name.clone())),
            }
        }
        let starts_at = text(s, "startsAt");
        session.start = times::start(
            &mut draft.report,
            EventTime { title: &title, date: None, start: starts_at.as_deref(), day: None, zone, day_change: None },
        );
        session.minutes = session.start.zip(text(s, "endsAt")).and_then(|(t, end)| times::minutes_until(t, &end, zone));
        session.room = text(s, "roomId").and_then(|id| room_names.get(&id).cloned()).or_else(|| text(s, "room"));
        let links = text(s, "recordingUrl").and_then(|u| links::video(&u, None)).into_iter().collect();
        draft.talk(TalkInfo {
            source_key: text(s, "id"),
            id_hint: None,
            title,
            conference: conference.clone(),
            speakers,
            topics,
            tags: Vec::new(),
            recorded: text(s, "startsAt").as_deref().and_then(date_prefix),
            texts: text(s, "description").into_iter().collect(),
            links,
            session,
        });
    }
    Ok(())
}

/// A conference name from a file name: words spaced and capitalised, and short words without
/// a vowel (acronyms such as "ddd", "ndc") in capitals.
fn name_from_file(stem: &str) -> String {
    let words = stem.split(['_', '-', ' ', '.']).filter(|w| !w.is_empty());
    let word = |w: &str| {
        let letters = w.chars().all(char::is_alphabetic);
        if letters && w.chars().count() <= 4 && !w.chars().any(|c| "aeiouyAEIOUY".contains(c)) {
            return w.to_uppercase();
        }
        let mut chars = w.chars();
        match chars.next() {
            Some(first) if w.chars().all(|c| !c.is_uppercase()) => first.to_uppercase().chain(chars).collect(),
            _ => w.to_owned(),
        }
    };
    words.map(word).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_file_names() {
        assert_eq!(name_from_file("ddd-melbourne-2024"), "DDD Melbourne 2024");
        assert_eq!(name_from_file("global-azure-austria-2024"), "Global Azure Austria 2024");
        assert_eq!(name_from_file("ndc_oslo_2023"), "NDC Oslo 2023");
        assert_eq!(name_from_file("PyConDE"), "PyConDE");
    }
}
