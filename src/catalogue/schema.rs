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
