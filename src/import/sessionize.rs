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

use std::collections::HashMap;

use serde_json::Value;

use super::draft::{date_prefix, ConferenceInfo, Draft, PersonIx, TalkInfo};
use super::json::{as_text, list, text};
use super::links;

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
    let conference = draft.conference(ConferenceInfo {
        id_hint: file_stem.trim_end_matches("_sessionize_all").to_owned(),
        name,
        start: starts().min(),
        end: starts().max(),
        ..Default::default()
    });
    let mut topic_items: HashMap<String, String> = HashMap::new();
    for category in list(v, "categories") {
        let title = text(category, "title").unwrap_or_default();
        let is_topic = TOPIC_CATEGORIES.iter().any(|w| title.to_lowercase().contains(w));
        for item in list(category, "items") {
            let (Some(id), Some(name)) = (text(item, "id"), text(item, "name")) else { continue };
            if is_topic {
                topic_items.insert(id, name);
            } else {
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
        for item in list(s, "categoryItems") {
            if let Some(name) = as_text(item).and_then(|i| topic_items.get(&i).cloned()) {
                topics.extend(draft.topic(&name));
            }
        }
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
            session: Default::default(),
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
