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

use super::draft::{date_prefix, ConferenceInfo, Draft, TalkInfo};
use super::links;
use super::xml::{self, Element};
use crate::catalogue::LinkKind;

/// Imports the text of a schedule XML file; `Err` says why it is not one.
pub fn import(draft: &mut Draft, text: &str, fallback_name: &str) -> Result<(), String> {
    let root = xml::parse(text)?;
    if root.name != "schedule" {
        return Err(format!("the root element is <{}>, expected <schedule>", root.name));
    }
    let conf = root.child("conference").cloned().unwrap_or_default();
    let base = conf.text_of("base_url");
    let name = conf.text_of("title").unwrap_or_else(|| fallback_name.to_owned());
    let conference = draft.conference(ConferenceInfo {
        id_hint: conf.text_of("acronym").unwrap_or_else(|| name.clone()),
        name,
        start: conf.text_of("start").as_deref().and_then(date_prefix),
        end: conf.text_of("end").as_deref().and_then(date_prefix),
        place: [conf.text_of("venue"), conf.text_of("city")].into_iter().flatten().reduce(|a, b| format!("{a}, {b}")),
        url: conf.text_of("url").or_else(|| conf.text_of("base_url")),
        description: None,
        timezone: None,
    });
    let days: Vec<&Element> = root.all("day").collect();
    if days.is_empty() {
        draft.report.skip("schedule without any day", "");
    }
    for day in days {
        let date = day.attr("date").as_deref().and_then(date_prefix);
        for event in day.all("room").flat_map(|r| r.all("event")) {
            talk(draft, &conference, event, date, base.as_deref());
        }
    }
    Ok(())
}

fn talk(draft: &mut Draft, conference: &str, e: &Element, day: Option<chrono::NaiveDate>, base: Option<&str>) {
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
    draft.talk(TalkInfo {
        source_key: e.attr("guid").or_else(|| e.attr("id")),
        id_hint: None,
        title: e.text_of("title").unwrap_or_default(),
        conference: conference.to_owned(),
        speakers,
        topics,
        tags: Vec::new(),
        recorded: e.text_of("date").as_deref().and_then(date_prefix).or(day),
        texts,
        links: found,
        session: Default::default(),
    });
}
