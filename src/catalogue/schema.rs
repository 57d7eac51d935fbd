//! The on-disk shape of a catalogue file: what organisers write by hand and importers emit.
//!
//! Every table and every reference carries its span in the file, so validation can point at
//! the exact line and column. Unknown keys are rejected (`deny_unknown_fields`) because a
//! misspelt key silently ignored is a fact silently lost.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// One catalogue file. All sections are optional so data can be split across files freely.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileDoc {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conferences: Vec<Spanned<ConferenceDoc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<Spanned<TopicDoc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speakers: Vec<Spanned<SpeakerDoc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub talks: Vec<Spanned<TalkDoc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insights: Vec<Spanned<InsightDoc>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConferenceDoc {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Spanned<toml::value::Datetime>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Spanned<toml::value::Datetime>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The IANA zone its local times are in, e.g. "Europe/Berlin".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Spanned<String>>,
    /// Every room its talks may name, each written once here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TopicDoc {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpeakerDoc {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TalkDoc {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    /// May be omitted when the catalogue (all files together) has exactly one conference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conference: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speakers: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Spanned<toml::value::Datetime>>,
    /// When it starts: a local date-time in the conference's `timezone`
    /// (`2019-12-27T11:00:00`) or one with an offset (`2019-12-27T11:00:00+01:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Spanned<toml::value::Datetime>>,
    /// How long it lasts: `"40m"`, `"1h30m"` or `"01:30"`. Or give `end`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Spanned<toml::value::Datetime>>,
    /// The conference day it belongs to, when that is not the local date it starts on: a
    /// session at 00:30 is often the last of the day before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<Spanned<toml::value::Datetime>>,
    /// One of its conference's `rooms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SessionKind>,
    /// The talk's own page in the conference's schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Spanned<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summary: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Spanned<LinkDoc>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LinkDoc {
    pub kind: LinkKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Left out when writing if public, the default.
    #[serde(default, skip_serializing_if = "Availability::is_public")]
    pub availability: Availability,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InsightDoc {
    pub id: Spanned<String>,
    #[serde(default)]
    pub kind: InsightKind,
    pub text: Spanned<String>,
    pub talk: Spanned<String>,
    /// Defaults to the talk's only speaker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<Spanned<String>>,
}

/// What a link points at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    #[default]
    Video,
    Slides,
    Reference,
    Code,
    Website,
}

/// What kind of session a talk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionKind {
    Talk,
    Keynote,
    Workshop,
    Lightning,
    Panel,
    Meeting,
    Break,
    Other,
}

/// Who can open a link today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Availability {
    #[default]
    Public,
    AttendeesOnly,
    Pending,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InsightKind {
    #[default]
    Insight,
    Quote,
}

/// Wraps a value for writing: importers have no source position to give.
pub fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

impl LinkKind {
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Video => "Video",
            LinkKind::Slides => "Slides",
            LinkKind::Reference => "Reference",
            LinkKind::Code => "Code",
            LinkKind::Website => "Website",
        }
    }
}

impl SessionKind {
    pub fn label(self) -> &'static str {
        match self {
            SessionKind::Talk => "talk",
            SessionKind::Keynote => "keynote",
            SessionKind::Workshop => "workshop",
            SessionKind::Lightning => "lightning talk",
            SessionKind::Panel => "panel",
            SessionKind::Meeting => "meeting",
            SessionKind::Break => "break",
            SessionKind::Other => "other",
        }
    }

    /// The kind an export's free-form session type names ("lecture", "Lightning Talk",
    /// "Workshop (2h)"…), or `None` when it names none of them.
    pub fn from_export(text: &str) -> Option<SessionKind> {
        let t = text.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        Some(if has(&["keynote", "plenary"]) {
            SessionKind::Keynote
        } else if has(&["lightning"]) {
            SessionKind::Lightning
        } else if has(&["workshop", "tutorial", "hands-on", "training", "sprint"]) {
            SessionKind::Workshop
        } else if has(&["panel", "podium", "discussion"]) {
            SessionKind::Panel
        } else if has(&["meeting", "bof", "birds of a feather", "meetup"]) {
            SessionKind::Meeting
        } else if has(&["break", "lunch", "coffee", "dinner", "breakfast", "meal", "pause"]) {
            SessionKind::Break
        } else if has(&["talk", "lecture", "presentation", "session", "vortrag", "conference"]) {
            SessionKind::Talk
        } else if has(&["other", "misc"]) {
            SessionKind::Other
        } else {
            return None;
        })
    }
}

impl Availability {
    pub fn is_public(&self) -> bool {
        *self == Availability::Public
    }

    pub fn label(self) -> &'static str {
        match self {
            Availability::Public => "public",
            Availability::AttendeesOnly => "attendees only",
            Availability::Pending => "pending",
        }
    }
}

impl InsightKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InsightKind::Insight => "insight",
            InsightKind::Quote => "quote",
        }
    }
}

/// Moves every span in a document `by` bytes later: for a document parsed from a piece of a
/// larger text that starts `by` bytes in, so that its spans point into the whole text.
pub fn shift_spans(doc: &mut FileDoc, by: usize) {
    let moved = |span: std::ops::Range<usize>| span.start + by..span.end + by;
    let text = |s: &mut Spanned<String>| *s = Spanned::new(moved(s.span()), std::mem::take(s.get_mut()));
    let maybe = |s: &mut Option<Spanned<String>>| s.iter_mut().for_each(text);
    let date = |s: &mut Option<Spanned<toml::value::Datetime>>| {
        if let Some(d) = s {
            *d = Spanned::new(moved(d.span()), *d.get_ref());
        }
    };
    // Entries are rebuilt around their fixed values: a span cannot be changed in place.
    fn entries<T>(list: &mut Vec<Spanned<T>>, by: usize, mut fix: impl FnMut(&mut T)) {
        *list = std::mem::take(list)
            .into_iter()
            .map(|s| {
                let span = s.span();
                let mut value = s.into_inner();
                fix(&mut value);
                Spanned::new(span.start + by..span.end + by, value)
            })
            .collect();
    }
    entries(&mut doc.conferences, by, |c| {
        text(&mut c.id);
        text(&mut c.name);
        date(&mut c.start);
        date(&mut c.end);
        maybe(&mut c.url);
        maybe(&mut c.timezone);
        c.rooms.iter_mut().for_each(text);
    });
    entries(&mut doc.topics, by, |t| {
        text(&mut t.id);
        text(&mut t.name);
    });
    entries(&mut doc.speakers, by, |s| {
        text(&mut s.id);
        text(&mut s.name);
        s.aliases.iter_mut().for_each(text);
        maybe(&mut s.url);
    });
    entries(&mut doc.talks, by, |t| {
        text(&mut t.id);
        text(&mut t.title);
        maybe(&mut t.conference);
        t.speakers.iter_mut().for_each(text);
        t.topics.iter_mut().for_each(text);
        date(&mut t.recorded);
        date(&mut t.start);
        maybe(&mut t.duration);
        date(&mut t.end);
        date(&mut t.day);
        maybe(&mut t.room);
        maybe(&mut t.url);
        entries(&mut t.links, by, |l| maybe(&mut l.url));
    });
    entries(&mut doc.insights, by, |i| {
        text(&mut i.id);
        text(&mut i.text);
        text(&mut i.talk);
        maybe(&mut i.speaker);
    });
}
