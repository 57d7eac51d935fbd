//! The document every importer fills: conferences, topics, people and talks as the export
//! gives them, then finished into a [`FileDoc`] with stable ids and one speaker per person.
//!
//! Speaker identity: every spelling is tidied (NFC, single spaces) and keyed by
//! [`search::fold`](crate::search::fold) — case, accents, punctuation and spacing dropped.
//! Spellings with the same key are one person; spellings with different keys are never
//! merged. The canonical name is the spelling used by most talks; ties go to a mixed-case
//! spelling over an all-lowercase or all-capitals one, then to the one with more diacritics,
//! then to the one met first. The other spellings become aliases.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

use super::ids::{self, IdSet};
use super::links;
use super::people::{self, Entry};
use super::report::{ImportReport, Sessions};
use super::tags;
use super::text;
use super::times::MINUTES_MAX;
use crate::catalogue::schema::{
    unspanned, ConferenceDoc, FileDoc, LinkDoc, SessionKind, SpeakerDoc, TalkDoc, TopicDoc,
};
use crate::search::fold;

/// A conference as an export describes it.
#[derive(Debug, Clone, Default)]
pub struct ConferenceInfo {
    /// Preferred id (an acronym or folder name); the name is used when it has no letters.
    pub id_hint: String,
    pub name: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub place: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    /// The zone its schedule is in; talks are then written in its local time.
    pub timezone: Option<Tz>,
}

/// When and where a talk is, as the export gives it.
#[derive(Debug, Clone, Default)]
pub struct SessionInfo {
    /// The start, with the offset in force then.
    pub start: Option<DateTime<FixedOffset>>,
    /// The length in minutes; a negative one is reported and left out.
    pub minutes: Option<i64>,
    /// The conference day the export files it under, when it says (a session past midnight
    /// belongs to the day before).
    pub day: Option<NaiveDate>,
    pub room: Option<String>,
    pub track: Option<String>,
    pub language: Option<String>,
    pub level: Option<String>,
    pub kind: Option<SessionKind>,
    /// The talk's page in the schedule.
    pub url: Option<String>,
}

/// A talk as an export describes it, its people and topics already added to the draft.
#[derive(Debug, Default)]
pub struct TalkInfo {
    /// The export's own id for the talk, to drop a talk listed twice.
    pub source_key: Option<String>,
    /// Preferred id (a slug the export gives); the title is tried next.
    pub id_hint: Option<String>,
    pub title: String,
    /// The conference id [`Draft::conference`] returned.
    pub conference: String,
    pub speakers: Vec<PersonIx>,
    /// Topics [`Draft::topic`] returned.
    pub topics: Vec<TopicIx>,
    /// Free-form tags, which become topics by the rule of [`tags`] when the draft is finished.
    pub tags: Vec<String>,
    pub recorded: Option<NaiveDate>,
    /// Abstract, description…: become the summary, in this order.
    pub texts: Vec<String>,
    pub links: Vec<LinkDoc>,
    pub session: SessionInfo,
}

/// A person of the draft, before their canonical spelling is chosen.
pub type PersonIx = usize;
/// A topic of the draft, before its id is given.
pub type TopicIx = usize;

/// A talk of the draft: its document without speakers and topics, which get their ids when
/// the draft is finished.
#[derive(Debug)]
struct Talk {
    doc: TalkDoc,
    /// The index of its conference in `Draft::conferences`.
    conference: usize,
    speakers: Vec<PersonIx>,
    topics: Vec<TopicIx>,
    tags: Vec<String>,
    /// Its start as written: in its conference's zone, or in the export's offset.
    local: Option<NaiveDateTime>,
}

#[derive(Debug, Default)]
struct Person {
    /// Each tidy spelling met and how many talks used it, in the order first met.
    spellings: Vec<(String, usize)>,
    bio: Option<String>,
    url: Option<String>,
}

/// The longest speaker bio kept, in characters.
const BIO_MAX: usize = 1000;

/// Track and category names (folded) that name no subject: schedules file what has no track
/// under them (DebConf 23: "No Track" for meals, "Other").
const PLACEHOLDER_TOPICS: &[&str] =
    &["no track", "none", "other", "others", "misc", "miscellaneous", "general", "default", "tbd", "tba", "n a"];

/// A catalogue document under construction, with the report of what went into it.
#[derive(Debug, Default)]
pub struct Draft {
    conferences: Vec<ConferenceDoc>,
    /// Each conference's zone, beside `conferences`.
    zones: Vec<Option<Tz>>,
    /// The order each conference's export lists its rooms in, beside `conferences`.
    rooms_listed: Vec<Vec<String>>,
    /// The names each conference goes by (its id hint and its name), for the tag rule.
    conference_names: Vec<tags::Event>,
    conference_ids: IdSet,
    /// Topic names, in the order first met.
    topics: Vec<String>,
    topic_by_key: HashMap<String, TopicIx>,
    people: Vec<Person>,
    person_by_key: HashMap<String, PersonIx>,
    /// Where each tidy spelling is in its person's `spellings`.
    spelling_at: HashMap<String, (PersonIx, usize)>,
    talks: Vec<Talk>,
    talk_ids: IdSet,
    source_keys: HashSet<(String, String)>,
    /// The first and last recording date of each conference's talks, by conference id.
    recorded_span: HashMap<String, (NaiveDate, NaiveDate)>,
    /// Tags naming what every talk of the source is about (pyvideo: "python"): never topics.
    pub archive_subjects: &'static [&'static str],
    /// The name every conference is given instead of the export's (`confbot import --name`;
    /// [`import_sources`](super::import_sources) allows it for one conference only).
    pub conference_name: Option<String>,
    /// The zone for exports that name none (`confbot import --timezone`).
    pub timezone: Option<Tz>,
    /// Set by the schedule importers: the summary then counts talks with times and rooms.
    pub schedule: bool,
    pub report: ImportReport,
}

/// Sessions filed under the day before start before noon: days change in the small hours.
fn noon() -> NaiveTime {
    NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()
}

impl Draft {
    /// Adds a conference and returns its id.
    pub fn conference(&mut self, info: ConferenceInfo) -> String {
        let name = text::line(self.conference_name.as_deref().unwrap_or(&info.name));
        let name = if name.is_empty() { text::line(&info.id_hint) } else { name };
        let id = self.conference_ids.claim(&[&info.id_hint, &name], "conference");
        let (start, end) = match (info.start, info.end) {
            (Some(s), Some(e)) if s > e => (Some(e), Some(s)),
            other => other,
        };
        let url = info.url.as_deref().and_then(|u| links::absolute(u, None));
        self.conference_names.push(tags::Event { names: vec![info.id_hint.clone(), name.clone()] });
        self.conferences.push(ConferenceDoc {
            id: unspanned(id.clone()),
            name: unspanned(if name.is_empty() { id.clone() } else { name }),
            year: start.map(|d| d.year()),
            start: start.map(|d| unspanned(toml_date(d))),
            end: end.map(|d| unspanned(toml_date(d))),
            place: info.place.map(|p| text::line(&p)).filter(|p| !p.is_empty()),
            url: url.map(unspanned),
            description: info.description.map(|d| text::paragraphs(&d).join("\n\n")).filter(|d| !d.is_empty()),
            timezone: info.timezone.map(|tz| unspanned(tz.name().to_owned())),
            rooms: Vec::new(),
        });
        self.zones.push(info.timezone);
        self.rooms_listed.push(Vec::new());
        id
    }

    /// The zone a conference's times are in: the one its export names, else `--timezone`.
    /// A name that is no IANA zone is reported (and `--timezone` used). When `--timezone`
    /// names another zone than the export, the export's is kept and the difference reported:
    /// the export's local times were written in its zone, and one flag may cover several
    /// exports.
    pub fn zone(&mut self, named: Option<&str>, conference: &str) -> Option<Tz> {
        let named = named.map(str::trim).filter(|n| !n.is_empty());
        let export = named.and_then(|n| {
            crate::zones::parse_zone(n)
                .map_err(|_| self.report.skip("time zone named by the export that is no IANA zone", n))
                .ok()
        });
        match (export, self.timezone) {
            (Some(e), Some(f)) if e != f => {
                self.report.adjust_whole(
                    "--timezone differs from the zone the export names (the export's kept)",
                    format!("{conference}: {} in the export, --timezone {}", e.name(), f.name()),
                );
                Some(e)
            }
            (Some(e), _) => Some(e),
            (None, Some(f)) => {
                self.report.adjust("time zone from --timezone (the export names none)", conference);
                Some(f)
            }
            (None, None) => None,
        }
    }

    /// The order the export lists a conference's rooms in; rooms it does not list follow,
    /// in the order first met. Only rooms a talk names are written.
    pub fn room_order(&mut self, id: &str, names: impl IntoIterator<Item = String>) {
        if let Some(ix) = self.conferences.iter().rposition(|c| c.id.get_ref() == id) {
            let listed = &mut self.rooms_listed[ix];
            for name in names.into_iter().map(|n| text::line(&n)).filter(|n| !n.is_empty()) {
                if !listed.contains(&name) {
                    listed.push(name);
                }
            }
        }
    }

    /// Sets a conference's address when it has none yet.
    pub fn conference_url(&mut self, id: &str, url: &str) {
        // The conference being read is nearly always the last one added.
        if let Some(c) = self.conferences.iter_mut().rev().find(|c| c.id.get_ref() == id) {
            if c.url.is_none() {
                c.url = links::absolute(url, None).map(unspanned);
            }
        }
    }

    /// The topic named `name`, added when new; `None` for a blank name or a placeholder
    /// ("No Track", "Other": reported). Names equal after folding are one topic.
    pub fn topic(&mut self, name: &str) -> Option<TopicIx> {
        let name = text::line(name);
        let key = fold(&name);
        if key.is_empty() {
            return None;
        }
        if PLACEHOLDER_TOPICS.contains(&key.as_str()) {
            self.report.skip("track or category that names no subject (\"No Track\", \"Other\")", name);
            return None;
        }
        if let Some(&ix) = self.topic_by_key.get(&key) {
            return Some(ix);
        }
        self.topics.push(name);
        self.topic_by_key.insert(key, self.topics.len() - 1);
        Some(self.topics.len() - 1)
    }

    /// The people a speaker entry names (see [`people::read`]), each spelling counted once
    /// per call; placeholders and blanks are reported and give no one.
    pub fn speakers(&mut self, raw: &str) -> Vec<PersonIx> {
        match people::read(raw) {
            Entry::Empty => {
                self.report.skip("empty speaker name", "");
                Vec::new()
            }
            Entry::Placeholder(name) => {
                self.report.skip("speaker entry that names no one (placeholder)", name);
                Vec::new()
            }
            Entry::People(names) => {
                if names.len() > 1 {
                    self.report.adjust("combined speaker entry split into people", raw);
                }
                names.into_iter().map(|n| self.person(n)).collect()
            }
        }
    }

    fn person(&mut self, name: String) -> PersonIx {
        if let Some(&(ix, at)) = self.spelling_at.get(&name) {
            self.people[ix].spellings[at].1 += 1;
            return ix;
        }
        let key = fold(&name);
        let ix = *self.person_by_key.entry(key).or_insert_with(|| {
            self.people.push(Person::default());
            self.people.len() - 1
        });
        let spellings = &mut self.people[ix].spellings;
        self.spelling_at.insert(name.clone(), (ix, spellings.len()));
        spellings.push((name, 1));
        ix
    }

    /// Gives a person a bio and an address, when they have none yet.
    pub fn person_details(&mut self, ix: PersonIx, bio: Option<&str>, url: Option<&str>) {
        let person = &mut self.people[ix];
        if person.bio.is_none() {
            let bio = bio.map(|b| text::paragraphs(b).join("\n\n")).filter(|b| !b.is_empty());
            person.bio = bio.map(|b| crate::reply::limits::truncate(&b, BIO_MAX));
        }
        if person.url.is_none() {
            person.url = url.and_then(|u| links::absolute(u, None));
        }
    }

    /// Adds a talk; a talk with no title, or listed twice under the same source id, is
    /// skipped and reported.
    pub fn talk(&mut self, info: TalkInfo) {
        let title = text::line(&info.title);
        if title.is_empty() {
            self.report.skip("talk without a title", info.source_key.unwrap_or_default());
            return;
        }
        if let Some(key) = &info.source_key {
            if !self.source_keys.insert((info.conference.clone(), key.clone())) {
                self.report.skip("talk listed twice (same id)", title);
                return;
            }
        }
        // Order kept, repeats dropped; sets, as a hostile talk may list thousands.
        let mut seen = HashSet::new();
        let mut speakers = Vec::new();
        for s in info.speakers {
            if seen.insert(s) {
                speakers.push(s);
            } else {
                self.report.adjust("speaker listed twice in one talk (kept once)", &title);
            }
        }
        let mut seen = HashSet::new();
        let topics: Vec<TopicIx> = info.topics.into_iter().filter(|&t| seen.insert(t)).collect();
        let texts: Vec<&str> = info.texts.iter().map(String::as_str).collect();
        let summary = text::summary(&texts);
        if summary.cut {
            self.report.adjust("long description shortened to its first paragraphs", &title);
        }
        if summary.marked {
            self.report.adjust("RST or Markdown markup turned into plain text", &title);
        }
        let mut found = info.links;
        for (label, url) in &summary.links {
            if let Some(link) = links::from_summary(label, url) {
                self.report.adjust("link in a description kept as a link of the talk", url);
                found.push(link);
            }
        }
        let mut seen = HashSet::new();
        let mut links: Vec<LinkDoc> =
            found.into_iter().filter(|l| seen.insert(l.url.as_ref().map(|u| u.get_ref().clone()))).collect();
        // Durable addresses first: a signed address that has expired must not be the one a
        // card links its title to.
        let expiring = |l: &LinkDoc| l.url.as_ref().is_some_and(|u| links::expires(u.get_ref()));
        if links.iter().skip_while(|l| !expiring(l)).any(|l| !expiring(l)) {
            self.report.adjust("expiring signed address put after the durable ones", &title);
            links.sort_by_key(expiring);
        }
        if let Some(day) = info.recorded {
            let span = self.recorded_span.entry(info.conference.clone()).or_insert((day, day));
            *span = (span.0.min(day), span.1.max(day));
        }
        let hint = info.id_hint.as_deref().unwrap_or(&title);
        let id = self.talk_ids.claim(&[&scoped(&info.conference, hint)], "talk");
        // The conference being read is nearly always the last one added.
        let conference = self.conferences.iter().rposition(|c| *c.id.get_ref() == info.conference).unwrap_or_default();
        let mut doc = TalkDoc {
            id: unspanned(id),
            title: unspanned(title),
            conference: Some(unspanned(info.conference)),
            speakers: Vec::new(),
            topics: Vec::new(),
            recorded: info.recorded.map(|d| unspanned(toml_date(d))),
            start: None,
            duration: None,
            end: None,
            day: None,
            room: None,
            track: None,
            language: None,
            level: None,
            kind: None,
            url: None,
            summary: summary.paragraphs,
            links: links.into_iter().map(unspanned).collect(),
        };
        let local = self.session(conference, &mut doc, info.session);
        if let Some(local) = local {
            // A conference without dates spans its sessions' days too.
            let day = doc.day.as_ref().and_then(from_toml).unwrap_or(local.date());
            let id = self.conferences[conference].id.get_ref().clone();
            let span = self.recorded_span.entry(id).or_insert((day, day));
            *span = (span.0.min(day), span.1.max(day));
        }
        self.talks.push(Talk { doc, conference, speakers, topics, tags: info.tags, local });
    }

    /// Writes a talk's time and place into its document: the start in the conference's local
    /// time when it has a zone (with its offset otherwise), the room added to the conference's
    /// rooms when new, and the day only when it is not the local date the talk starts on.
    /// Returns the start as written.
    fn session(&mut self, conference: usize, doc: &mut TalkDoc, s: SessionInfo) -> Option<NaiveDateTime> {
        let title = doc.title.get_ref().clone();
        let mut written = None;
        if let Some(start) = s.start {
            // In the conference's local time, unless that wall-clock time happens twice there
            // (the night clocks go back): then the zone's offset then says which.
            let (local, offset) = match self.zones.get(conference).copied().flatten() {
                Some(tz) => {
                    let there = start.with_timezone(&tz);
                    let local = there.naive_local();
                    let unique = tz.from_local_datetime(&local).single().is_some();
                    (local, (!unique).then(|| there.offset().fix()))
                }
                None => (start.naive_local(), Some(*start.offset())),
            };
            // TOML writes four-digit years.
            if (1..=9999).contains(&local.year()) {
                doc.start = Some(unspanned(toml_datetime(local, offset)));
                written = Some(local);
            } else {
                self.report.skip("start outside the years 1 to 9999", format!("{title}: {start}"));
            }
        }
        if let Some(local) = written {
            if let Some(day) = s.day.filter(|&d| d != local.date()) {
                if Some(day) == local.date().pred_opt() && local.time() < noon() {
                    doc.day = Some(unspanned(toml_date(day)));
                } else {
                    self.report.skip(
                        "conference day that is neither the start's date nor the day before it (left out)",
                        format!("{title}: {day}"),
                    );
                }
            }
            match s.minutes {
                Some(m) if m < 0 => self.report.skip("negative duration", &title),
                Some(m) if m > MINUTES_MAX => self.report.skip("duration longer than a week (left out)", &title),
                Some(m) => doc.duration = Some(unspanned(duration_text(m))),
                None => {}
            }
        }
        if let Some(room) = s.room.map(|r| text::line(&r)).filter(|r| !r.is_empty()) {
            let rooms = &mut self.conferences[conference].rooms;
            if !rooms.iter().any(|r| *r.get_ref() == room) {
                rooms.push(unspanned(room.clone()));
            }
            doc.room = Some(unspanned(room));
        }
        let line = |t: Option<String>| t.map(|t| text::line(&t)).filter(|t| !t.is_empty());
        // "No Track" files what has no track: no track to show.
        doc.track = line(s.track).filter(|t| !PLACEHOLDER_TOPICS.contains(&fold(t).as_str()));
        doc.language = line(s.language);
        doc.level = line(s.level);
        doc.kind = s.kind;
        doc.url = s.url.as_deref().and_then(|u| links::absolute(u, None)).map(unspanned);
        written
    }

    /// A talk whose day falls outside its conference's dates would not load. One that starts
    /// before noon the day after a conference day is a session past midnight, filed under
    /// that day; any other loses its time (reported).
    fn check_days(&mut self) {
        for t in &mut self.talks {
            let Some(local) = t.local else { continue };
            let c = &self.conferences[t.conference];
            let (first, last) = (c.start.as_ref().and_then(from_toml), c.end.as_ref().and_then(from_toml));
            let inside = |d: NaiveDate| first.is_none_or(|f| d >= f) && last.is_none_or(|l| d <= l);
            let day = t.doc.day.as_ref().and_then(from_toml).unwrap_or(local.date());
            if inside(day) {
                continue;
            }
            let title = t.doc.title.get_ref();
            let before = local.date().pred_opt().filter(|&d| t.doc.day.is_none() && local.time() < noon() && inside(d));
            if let Some(d) = before {
                t.doc.day = Some(unspanned(toml_date(d)));
                self.report.adjust("session past midnight filed under its conference's last day", title);
            } else {
                (t.doc.start, t.doc.duration, t.doc.day, t.local) = (None, None, None, None);
                self.report.skip("start outside its conference's dates (left out)", format!("{title}: {day}"));
            }
        }
    }

    /// Puts each conference's rooms in the order its export lists them.
    fn order_rooms(&mut self) {
        for (c, listed) in self.conferences.iter_mut().zip(&self.rooms_listed) {
            if listed.is_empty() {
                continue;
            }
            let at: HashMap<&str, usize> = listed.iter().enumerate().map(|(i, r)| (r.as_str(), i)).collect();
            c.rooms.sort_by_key(|r| at.get(r.get_ref().as_str()).copied().unwrap_or(usize::MAX));
        }
    }

    /// The finished document and report. Tags become topics; conferences without dates span
    /// their talks' recording dates; each person gets a canonical name and aliases; topics and
    /// speakers get ids namespaced by the first conference whose talks name them.
    pub fn finish(mut self) -> (FileDoc, ImportReport) {
        self.date_conferences();
        self.check_days();
        self.order_rooms();
        if self.schedule {
            let mut sessions = Sessions::default();
            for t in &self.talks {
                sessions.count(t.doc.title.get_ref(), t.doc.start.is_some(), t.doc.room.is_some());
            }
            self.report.schedule = Some(sessions);
        }
        self.tags_to_topics();
        let namespaces = self.first_conferences();
        let mut topic_ids = IdSet::default();
        let mut topics = Vec::new();
        let mut topic_id = vec![String::new(); self.topics.len()];
        for (ix, name) in std::mem::take(&mut self.topics).into_iter().enumerate() {
            let Some(conference) = &namespaces.topics[ix] else { continue };
            let id = topic_ids.claim(&[&scoped(conference, &name)], "topic");
            topic_id[ix] = id.clone();
            topics.push(unspanned(TopicDoc { id: unspanned(id), name: unspanned(name), description: None }));
        }
        let mut speaker_ids = IdSet::default();
        let mut speakers = Vec::with_capacity(self.people.len());
        let mut speaker_id = vec![String::new(); self.people.len()];
        for (ix, person) in std::mem::take(&mut self.people).into_iter().enumerate() {
            let Some(conference) = &namespaces.people[ix] else { continue };
            let (name, aliases) = canonical(person.spellings);
            if !aliases.is_empty() {
                self.report
                    .adjust("speaker spellings merged into one person", format!("{name} = {}", aliases.join(" = ")));
            }
            let id = speaker_ids.claim(&[&scoped(conference, &name)], "speaker");
            speaker_id[ix] = id.clone();
            speakers.push(unspanned(SpeakerDoc {
                id: unspanned(id),
                name: unspanned(name),
                aliases: aliases.into_iter().map(unspanned).collect(),
                bio: person.bio,
                url: person.url.map(unspanned),
            }));
        }
        let talks: Vec<_> = std::mem::take(&mut self.talks)
            .into_iter()
            .map(|t| {
                let mut doc = t.doc;
                doc.speakers = t.speakers.iter().map(|&p| unspanned(speaker_id[p].clone())).collect();
                doc.topics = t.topics.iter().map(|&p| unspanned(topic_id[p].clone())).collect();
                unspanned(doc)
            })
            .collect();
        let mut report = self.report;
        report.conferences = self.conferences.len();
        report.topics = topics.len();
        report.speakers = speakers.len();
        report.talks = talks.len();
        report.links = talks.iter().map(|t| t.get_ref().links.len()).sum();
        let doc = FileDoc {
            conferences: self.conferences.into_iter().map(unspanned).collect(),
            topics,
            speakers,
            talks,
            insights: Vec::new(),
        };
        (doc, report)
    }

    /// Turns the talks' tags into topics (see [`tags`]).
    fn tags_to_topics(&mut self) {
        if self.talks.iter().all(|t| t.tags.is_empty()) {
            return;
        }
        let tagged: Vec<tags::Tagged<'_>> =
            self.talks.iter().map(|t| tags::Tagged { event: t.conference, tags: &t.tags }).collect();
        let chosen = tags::topics(&self.conference_names, &tagged, self.archive_subjects, &mut self.report);
        for (t, names) in chosen.into_iter().enumerate() {
            for name in names {
                if let Some(ix) = self.topic(&name) {
                    if !self.talks[t].topics.contains(&ix) {
                        self.talks[t].topics.push(ix);
                    }
                }
            }
        }
    }

    /// For each topic and person, the id of the first conference whose talks name them
    /// (`None` for those no talk names).
    fn first_conferences(&self) -> Namespaces {
        let mut n = Namespaces { topics: vec![None; self.topics.len()], people: vec![None; self.people.len()] };
        for t in &self.talks {
            let conference = &self.conferences[t.conference].id;
            for &ix in &t.topics {
                n.topics[ix].get_or_insert_with(|| conference.get_ref().clone());
            }
            for &ix in &t.speakers {
                n.people[ix].get_or_insert_with(|| conference.get_ref().clone());
            }
        }
        n
    }

    fn date_conferences(&mut self) {
        for c in &mut self.conferences {
            if c.start.is_some() {
                continue;
            }
            if let Some(&(first, last)) = self.recorded_span.get(c.id.get_ref()) {
                c.start = Some(unspanned(toml_date(first)));
                c.end = Some(unspanned(toml_date(last)));
                c.year = Some(first.year());
            }
        }
    }
}

/// The conference each topic and person is namespaced by.
struct Namespaces {
    topics: Vec<Option<String>>,
    people: Vec<Option<String>>,
}

/// `text` to slug into an id namespaced by `conference` (an id): prefixed with the
/// conference, unless its slug already starts with it (pyvideo's "djangocon-2008-…" files).
fn scoped(conference: &str, text: &str) -> String {
    let slug = ids::slug(text);
    if slug == conference || slug.starts_with(&format!("{conference}-")) {
        text.to_owned()
    } else {
        format!("{conference} {text}")
    }
}

/// The canonical spelling and the aliases, by the rule in this module's documentation.
fn canonical(mut spellings: Vec<(String, usize)>) -> (String, Vec<String>) {
    let cased = |s: &str| s.chars().any(char::is_uppercase) && s.chars().any(char::is_lowercase);
    let marks = |s: &str| s.chars().filter(|c| !c.is_ascii()).count();
    // A stable sort keeps the first-met order among full ties.
    spellings.sort_by(|(a, na), (b, nb)| {
        nb.cmp(na).then_with(|| cased(b).cmp(&cased(a))).then_with(|| marks(b).cmp(&marks(a)))
    });
    let mut names = spellings.into_iter().map(|(s, _)| s);
    let name = names.next().unwrap_or_default();
    (name, names.collect())
}

/// The calendar date of a TOML date.
fn from_toml(d: &toml::Spanned<toml::value::Datetime>) -> Option<NaiveDate> {
    let d = d.get_ref().date?;
    NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
}

/// A TOML date from a calendar date.
pub fn toml_date(d: NaiveDate) -> toml::value::Datetime {
    toml::value::Datetime {
        date: Some(toml::value::Date { year: d.year() as u16, month: d.month() as u8, day: d.day() as u8 }),
        time: None,
        offset: None,
    }
}

/// A TOML date-time: local when `offset` is `None`, else with that offset.
pub fn toml_datetime(t: NaiveDateTime, offset: Option<FixedOffset>) -> toml::value::Datetime {
    let time =
        toml::value::Time { hour: t.hour() as u8, minute: t.minute() as u8, second: t.second() as u8, nanosecond: 0 };
    let offset = offset.map(|o| match o.local_minus_utc() {
        0 => toml::value::Offset::Z,
        secs => toml::value::Offset::Custom { minutes: (secs / 60) as i16 },
    });
    toml::value::Datetime { date: toml_date(t.date()).date, time: Some(time), offset }
}

/// A duration as the catalogue writes it: "40m", "1h", "1h30m".
pub fn duration_text(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// The calendar date at the start of `text` ("2024-05-19", "2024-05-19T10:00:00+02:00").
pub fn date_prefix(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim().get(..10)?, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_spelling_is_most_used_then_cased_then_accented() {
        let s = |v: &[(&str, usize)]| v.iter().map(|(a, n)| (a.to_string(), *n)).collect::<Vec<_>>();
        assert_eq!(canonical(s(&[("Gael Varoquaux", 1), ("Gaël Varoquaux", 1)])).0, "Gaël Varoquaux");
        assert_eq!(canonical(s(&[("Gael Varoquaux", 3), ("Gaël Varoquaux", 1)])).0, "Gael Varoquaux");
        assert_eq!(canonical(s(&[("jim fulton", 1), ("Jim Fulton", 1)])).0, "Jim Fulton");
        assert_eq!(canonical(s(&[("JIm Fulton", 1), ("Jim Fulton", 1)])).0, "JIm Fulton", "full tie: first met");
    }

    #[test]
    fn spellings_that_fold_alike_are_one_person_and_others_are_not() {
        let mut d = Draft::default();
        let conference = d.conference(ConferenceInfo { id_hint: "c".into(), name: "C".into(), ..Default::default() });
        let talk = |d: &mut Draft, title: &str, who: &str| {
            let speakers = d.speakers(who);
            d.talk(TalkInfo { title: title.into(), conference: conference.clone(), speakers, ..Default::default() });
        };
        talk(&mut d, "One", "Gaël Varoquaux");
        talk(&mut d, "Two", "Gae\u{308}l  Varoquaux");
        talk(&mut d, "Three", "GAEL VAROQUAUX");
        talk(&mut d, "Four", "Gael Varoquax");
        talk(&mut d, "Five", "Various speakers");
        let (doc, report) = d.finish();
        let names: Vec<(&str, usize)> =
            doc.speakers.iter().map(|s| (s.get_ref().name.get_ref().as_str(), s.get_ref().aliases.len())).collect();
        assert_eq!(names, [("Gaël Varoquaux", 1), ("Gael Varoquax", 0)]);
        assert_eq!(report.talks, 5);
        assert_eq!(report.skipped("speaker entry that names no one (placeholder)"), 1);
        assert_eq!(doc.talks[1].get_ref().speakers[0].get_ref(), "c-gael-varoquaux", "namespaced by its conference");
    }

    #[test]
    fn duplicate_talks_and_speakers_are_reported() {
        let mut d = Draft::default();
        let conference = d.conference(ConferenceInfo { id_hint: "x".into(), ..Default::default() });
        let ann = d.speakers("Ann Lee");
        for _ in 0..2 {
            d.talk(TalkInfo {
                source_key: Some("7".into()),
                title: "T".into(),
                conference: conference.clone(),
                speakers: [ann.clone(), ann.clone()].concat(),
                ..Default::default()
            });
        }
        d.talk(TalkInfo { title: "  ".into(), conference: conference.clone(), ..Default::default() });
        let (doc, report) = d.finish();
        assert_eq!(doc.talks.len(), 1);
        assert_eq!(doc.talks[0].get_ref().speakers.len(), 1);
        assert_eq!(report.skipped("talk listed twice (same id)"), 1);
        assert_eq!(report.skipped("talk without a title"), 1);
        assert_eq!(report.adjusted("speaker listed twice in one talk (kept once)"), 1);
    }
}
