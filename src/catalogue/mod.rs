//! The talk catalogue: conferences, topics, speakers, talks and insights, loaded once and then
//! read-only. Entities refer to each other by index, so lookups are plain array accesses.
//!
//! # Layout
//! - `schema`: the TOML file format (what people and importers write);
//! - `parse`: TOML text into documents, and the [`Problem`]s found, located by line and column;
//! - `validate`: every document checked together, and the [`Catalogue`] built;
//! - `resolve`: typed text (a name, a title, a marked id) to the entry it means;
//! - `write`: turning a catalogue draft back into tidy TOML.
//!
//! Finding files and telling their formats apart is [`crate::sources`]' job: the catalogue
//! knows nothing of importers.

mod parse;
pub mod resolve;
pub mod schema;
mod session;
pub mod timetable;
mod validate;
pub mod write;

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use chrono_tz::Tz;

pub use parse::{
    from_documents, line_column, parse_str, plain_words, LoadError, Parsed, Problem, EMBEDDED_NAME, MAX_ID_LEN,
};
pub use schema::{Availability, InsightKind, LinkKind, SessionKind};
pub use session::parse_duration;
pub use validate::{validate, MAX_URL_LEN};

use timetable::Timetable;

use crate::search::{Document, KeywordIndex, SpeakerEntry, SpeakerIndex, TextIndex};

pub type ConferenceIx = usize;
pub type TopicIx = usize;
pub type SpeakerIx = usize;
pub type TalkIx = usize;
pub type InsightIx = usize;

#[derive(Debug, Clone)]
pub struct Conference {
    pub id: String,
    pub name: String,
    pub year: Option<i32>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub place: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    /// The zone its schedule's local times are in.
    pub timezone: Option<Tz>,
    /// The rooms its talks are in, in the order the file names them.
    pub rooms: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Speaker {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub bio: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Talk {
    pub id: String,
    pub conference: ConferenceIx,
    pub title: String,
    pub speakers: Vec<SpeakerIx>,
    pub topics: Vec<TopicIx>,
    pub recorded: Option<NaiveDate>,
    /// When it is on, if the catalogue says.
    pub slot: Option<Slot>,
    /// One of its conference's rooms.
    pub room: Option<String>,
    pub track: Option<String>,
    pub language: Option<String>,
    pub level: Option<String>,
    pub kind: Option<SessionKind>,
    /// Its page in the conference's schedule.
    pub url: Option<String>,
    pub summary: Vec<String>,
    pub links: Vec<Link>,
}

/// When a talk is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The start, with the offset in force there and then.
    pub start: DateTime<FixedOffset>,
    /// The end, when the catalogue gives a duration or an end.
    pub end: Option<DateTime<FixedOffset>>,
    /// The conference day it belongs to: the local date it starts on, unless the catalogue
    /// files it under another (a session past midnight under the day before).
    pub day: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub kind: LinkKind,
    pub label: Option<String>,
    pub availability: Availability,
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Insight {
    pub id: String,
    pub kind: InsightKind,
    pub text: String,
    pub talk: TalkIx,
    pub speaker: Option<SpeakerIx>,
}

/// Which entities an id names; ids are unique per kind across all loaded files.
#[derive(Debug, Default)]
struct Ids {
    conferences: HashMap<String, ConferenceIx>,
    topics: HashMap<String, TopicIx>,
    speakers: HashMap<String, SpeakerIx>,
    talks: HashMap<String, TalkIx>,
    insights: HashMap<String, InsightIx>,
}

/// A validated, indexed catalogue. Build one with [`crate::sources::load`] or [`parse_str`].
#[derive(Debug)]
pub struct Catalogue {
    pub conferences: Vec<Conference>,
    pub topics: Vec<Topic>,
    pub speakers: Vec<Speaker>,
    pub talks: Vec<Talk>,
    pub insights: Vec<Insight>,
    ids: Ids,
    talks_by_speaker: Vec<Vec<TalkIx>>,
    talks_by_topic: Vec<Vec<TalkIx>>,
    insights_by_talk: Vec<Vec<InsightIx>>,
    /// Fuzzy speaker-name index (names and aliases).
    pub speaker_index: SpeakerIndex,
    /// Approximate lookup over talk titles, topic names and conference names.
    pub title_index: TextIndex,
    pub topic_index: TextIndex,
    pub conference_index: TextIndex,
    /// Built on first use: see [`Catalogue::keyword_index`].
    keyword_index: OnceLock<KeywordIndex>,
    /// The talks that have a time, in start order.
    pub timetable: Timetable,
}

impl Catalogue {
    /// Builds the derived indexes. The parts are assumed valid (the loader checked them).
    fn assemble(
        conferences: Vec<Conference>,
        topics: Vec<Topic>,
        speakers: Vec<Speaker>,
        talks: Vec<Talk>,
        insights: Vec<Insight>,
    ) -> Catalogue {
        let mut talks_by_speaker = vec![Vec::new(); speakers.len()];
        let mut talks_by_topic = vec![Vec::new(); topics.len()];
        for (ix, talk) in talks.iter().enumerate() {
            for &s in &talk.speakers {
                talks_by_speaker[s].push(ix);
            }
            for &t in &talk.topics {
                talks_by_topic[t].push(ix);
            }
        }
        let mut insights_by_talk = vec![Vec::new(); talks.len()];
        for (ix, insight) in insights.iter().enumerate() {
            insights_by_talk[insight.talk].push(ix);
        }
        let ids = Ids {
            conferences: index_ids(conferences.iter().map(|c| &c.id)),
            topics: index_ids(topics.iter().map(|t| &t.id)),
            speakers: index_ids(speakers.iter().map(|s| &s.id)),
            talks: index_ids(talks.iter().map(|t| &t.id)),
            insights: index_ids(insights.iter().map(|i| &i.id)),
        };
        // The speaker and title indexes are built on two cores; the keyword index waits for its
        // first use (see `keyword_index`).
        let (speaker_index, title_index) = std::thread::scope(|scope| {
            let titles = scope.spawn(|| TextIndex::build(talks.iter().map(|t| t.title.as_str())));
            let speaker_index = speaker_index(&speakers, &talks_by_speaker);
            (speaker_index, titles.join().expect("building the title index does not panic"))
        });
        let topic_index = TextIndex::build(topics.iter().map(|t| t.name.as_str()));
        let conference_index = TextIndex::build(conferences.iter().map(|c| c.name.as_str()));
        let timetable = Timetable::build(&conferences, &talks);
        Catalogue {
            conferences,
            topics,
            speakers,
            talks,
            insights,
            ids,
            talks_by_speaker,
            talks_by_topic,
            insights_by_talk,
            speaker_index,
            title_index,
            topic_index,
            conference_index,
            keyword_index: OnceLock::new(),
            timetable,
        }
    }

    /// The keyword index over titles, speakers, topics, summaries and insights, for `/search`.
    /// It is the largest index and only `/search` reads it, so it is built on first use rather
    /// than at load: start-up does not wait for it, and the bot warms it in the background once
    /// a catalogue is live.
    pub fn keyword_index(&self) -> &KeywordIndex {
        self.keyword_index.get_or_init(|| KeywordIndex::build((0..self.talks.len()).map(|ix| self.document(ix))))
    }

    /// A talk as keyword search sees it. Topic and speaker names count too: `/search query:
    /// typing` finds the talks of "Typing System" even when no summary says "typing".
    pub fn document(&self, ix: TalkIx) -> Document<'_> {
        let talk = &self.talks[ix];
        let insights = self.insights_of_talk(ix).iter().map(|&i| self.insights[i].text.as_str());
        Document {
            title: &talk.title,
            speakers: talk.speakers.iter().map(|&s| self.speakers[s].name.as_str()).collect(),
            topics: talk.topics.iter().map(|&t| self.topics[t].name.as_str()).collect(),
            text: talk.summary.iter().map(String::as_str).chain(insights).collect(),
            recency: self.recency(ix),
        }
    }

    /// When a talk was given, as days since the common era, for "newer first": the day it was
    /// recorded, else its conference's first day, else the first of January of its year.
    fn recency(&self, ix: TalkIx) -> i32 {
        let talk = &self.talks[ix];
        let conference = &self.conferences[talk.conference];
        talk.recorded
            .or(conference.start)
            .or_else(|| conference.year.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)))
            .map_or(i32::MIN, |d| d.num_days_from_ce())
    }

    /// The speaker index built again from scratch, exactly as loading builds it: what `bench`
    /// and `eval` time.
    pub fn build_speaker_index(&self) -> SpeakerIndex {
        speaker_index(&self.speakers, &self.talks_by_speaker)
    }

    /// The catalogue compiled into the binary: PyCon US 2024 highlights.
    pub fn embedded() -> Catalogue {
        validate(vec![Parsed::embedded().expect("the embedded catalogue parses")])
            .expect("the embedded catalogue is valid")
    }

    pub fn conference_by_id(&self, id: &str) -> Option<ConferenceIx> {
        self.ids.conferences.get(id).copied()
    }
    pub fn topic_by_id(&self, id: &str) -> Option<TopicIx> {
        self.ids.topics.get(id).copied()
    }
    pub fn speaker_by_id(&self, id: &str) -> Option<SpeakerIx> {
        self.ids.speakers.get(id).copied()
    }
    pub fn talk_by_id(&self, id: &str) -> Option<TalkIx> {
        self.ids.talks.get(id).copied()
    }
    pub fn insight_by_id(&self, id: &str) -> Option<InsightIx> {
        self.ids.insights.get(id).copied()
    }
    pub fn talks_of_speaker(&self, speaker: SpeakerIx) -> &[TalkIx] {
        &self.talks_by_speaker[speaker]
    }
    pub fn talks_of_topic(&self, topic: TopicIx) -> &[TalkIx] {
        &self.talks_by_topic[topic]
    }
    pub fn insights_of_talk(&self, talk: TalkIx) -> &[InsightIx] {
        &self.insights_by_talk[talk]
    }

    /// The speakers' names of a talk, joined for display.
    pub fn speaker_names(&self, talk: TalkIx) -> String {
        let names: Vec<&str> = self.talks[talk].speakers.iter().map(|&s| self.speakers[s].name.as_str()).collect();
        names.join(", ")
    }

    /// The topics' names of a talk, joined for display.
    pub fn topic_names(&self, talk: TalkIx) -> String {
        let names: Vec<&str> = self.talks[talk].topics.iter().map(|&t| self.topics[t].name.as_str()).collect();
        names.join(", ")
    }

    /// The days a conference's sessions are on, in order.
    pub fn days(&self, conference: ConferenceIx) -> &[NaiveDate] {
        self.timetable.days(conference)
    }

    /// Counts for `confbot check` and `/about`.
    pub fn counts(&self) -> Counts {
        Counts {
            conferences: self.conferences.len(),
            topics: self.topics.len(),
            speakers: self.speakers.len(),
            talks: self.talks.len(),
            insights: self.insights.len(),
            links: self.talks.iter().map(|t| t.links.len()).sum(),
        }
    }
}

/// How many entities of each kind a catalogue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub conferences: usize,
    pub topics: usize,
    pub speakers: usize,
    pub talks: usize,
    pub insights: usize,
    pub links: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} conferences, {} topics, {} talks, {} speakers, {} insights, {} links",
            self.conferences, self.topics, self.talks, self.speakers, self.insights, self.links
        )
    }
}

/// The fuzzy index over every speaker's name and aliases, each weighted by their number of talks
/// (a prolific speaker is the likelier one meant).
fn speaker_index(speakers: &[Speaker], talks_by_speaker: &[Vec<TalkIx>]) -> SpeakerIndex {
    SpeakerIndex::build(speakers.iter().enumerate().map(|(ix, s)| SpeakerEntry {
        ix,
        name: &s.name,
        aliases: &s.aliases,
        weight: talks_by_speaker[ix].len() as u32,
    }))
}

fn index_ids<'a>(ids: impl Iterator<Item = &'a String>) -> HashMap<String, usize> {
    ids.enumerate().map(|(ix, id)| (id.clone(), ix)).collect()
}
