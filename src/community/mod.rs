//! Insights shared by a server's members (issue #17): what a suggestion is, the rules it must
//! meet, and how the approved ones join the catalogue's insights for that server.
//!
//! A suggestion names its talk and speaker by catalogue id, not index, so it outlives reloads:
//! [`served`] resolves the approved ones against the catalogue of the moment, and one whose talk
//! is gone is kept but not served ([`Target::Missing`]) until the talk returns or a moderator
//! points it at another.
//!
//! # Layout
//! - this file: the suggestion, its status, and serving;
//! - `rules`: the member limits and the checks on the text, each with its reason;
//! - `export`: approved insights as a catalogue file an organiser can merge.

mod export;
mod rules;

pub use export::{export_id, to_document};
pub use rules::{check_text, fold_key, Limits, TextProblem, REASON_MAX, TEXT_MAX, TEXT_MIN};

use chrono::{DateTime, Utc};

use crate::catalogue::{Catalogue, Insight, InsightKind, SpeakerIx, TalkIx};

/// Where a suggestion stands. Only pending ones can be decided, and only once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Approved,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "pending" => Some(Status::Pending),
            "approved" => Some(Status::Approved),
            "rejected" => Some(Status::Rejected),
            _ => None,
        }
    }
}

/// A member's suggestion, as the state store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub id: i64,
    pub guild_id: u64,
    pub author_id: u64,
    /// The author's display name in that server when they suggested it.
    pub author_name: String,
    /// Whether the author agreed to be credited ("shared by …").
    pub credit: bool,
    pub kind: InsightKind,
    /// As typed (trimmed), or as a moderator edited it.
    pub text: String,
    /// Catalogue ids.
    pub talk: String,
    pub speaker: Option<String>,
    pub status: Status,
    /// Marked by a moderator for the operator to publish to every server (`insights export`).
    pub global: bool,
    pub created_at: DateTime<Utc>,
    pub decision: Option<Decision>,
    /// Where its review message is: (channel, message).
    pub review: Option<(u64, u64)>,
}

/// Who approved or rejected a suggestion, when, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub by_id: u64,
    pub by_name: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// A suggestion checked and ready to store (it gets its id there).
#[derive(Debug, Clone, PartialEq)]
pub struct NewSuggestion {
    pub guild_id: u64,
    pub author_id: u64,
    pub author_name: String,
    pub credit: bool,
    pub kind: InsightKind,
    pub text: String,
    pub talk: String,
    pub speaker: Option<String>,
    pub at: DateTime<Utc>,
}

/// What a suggestion's ids name in a catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Found {
        talk: TalkIx,
        speaker: Option<SpeakerIx>,
    },
    /// The talk (or a quote's speaker) is no longer in the catalogue.
    Missing,
}

impl Suggestion {
    /// Its talk and speaker in `c`. A quote needs its speaker; an insight keeps its talk even
    /// if the speaker it named has gone.
    pub fn target(&self, c: &Catalogue) -> Target {
        let Some(talk) = c.talk_by_id(&self.talk) else { return Target::Missing };
        let speaker = self.speaker.as_deref().and_then(|s| c.speaker_by_id(s));
        if self.kind == InsightKind::Quote && speaker.is_none() {
            return Target::Missing;
        }
        Target::Found { talk, speaker }
    }

    /// The name it is credited with, if the author agreed.
    pub fn credit_name(&self) -> Option<&str> {
        self.credit.then_some(self.author_name.as_str())
    }
}

/// An approved suggestion ready to serve beside the catalogue's insights.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The suggestion's id in the store.
    pub id: i64,
    /// Resolved in the catalogue it is served with; its `id` is `shared:<id>`.
    pub insight: Insight,
    pub credit: Option<String>,
}

/// The id a shared insight goes by in answers and daily decks: `shared:<id>`. The colon keeps
/// it apart from every catalogue id, which may not contain one.
pub fn shared_id(id: i64) -> String {
    format!("shared:{id}")
}

/// The approved suggestions `c` can serve, in the order given. Skipped: those whose talk is
/// missing, and those the catalogue now carries itself (an organiser merged the export, whose
/// ids are [`export_id`]s), so nothing is served twice.
pub fn served(c: &Catalogue, approved: &[Suggestion]) -> Vec<Shared> {
    approved
        .iter()
        .filter(|s| s.status == Status::Approved)
        .filter(|s| c.insight_by_id(&export_id(s.guild_id, s.id)).is_none())
        .filter_map(|s| match s.target(c) {
            Target::Found { talk, speaker } => Some(Shared {
                id: s.id,
                insight: Insight { id: shared_id(s.id), kind: s.kind, text: s.text.clone(), talk, speaker },
                credit: s.credit_name().map(str::to_owned),
            }),
            Target::Missing => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn suggestion(id: i64, talk: &str, status: Status) -> Suggestion {
        Suggestion {
            id,
            guild_id: 7,
            author_id: 1,
            author_name: "Ada".into(),
            credit: true,
            kind: InsightKind::Insight,
            text: format!("A thing worth remembering number {id}"),
            talk: talk.into(),
            speaker: None,
            status,
            global: false,
            created_at: Utc::now(),
            decision: None,
            review: None,
        }
    }

    #[test]
    fn only_approved_suggestions_with_their_talk_are_served() {
        let c = Catalogue::embedded();
        let talk = c.talks[0].id.clone();
        let all = [
            suggestion(1, &talk, Status::Approved),
            suggestion(2, &talk, Status::Pending),
            suggestion(3, "no-such-talk", Status::Approved),
            Suggestion { credit: false, ..suggestion(4, &talk, Status::Approved) },
        ];
        let served = served(&c, &all);
        assert_eq!(served.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(served[0].insight.id, "shared:1");
        assert_eq!(served[0].insight.talk, 0);
        assert_eq!(served[0].credit.as_deref(), Some("Ada"));
        assert_eq!(served[1].credit, None);
        assert_eq!(all[2].target(&c), Target::Missing);
    }

    #[test]
    fn a_quote_whose_speaker_is_gone_is_missing() {
        let c = Catalogue::embedded();
        let talk = c.talks[0].id.clone();
        let quote = Suggestion {
            kind: InsightKind::Quote,
            speaker: Some("nobody".into()),
            ..suggestion(1, &talk, Status::Approved)
        };
        assert_eq!(quote.target(&c), Target::Missing);
        let insight = Suggestion { speaker: Some("nobody".into()), ..suggestion(2, &talk, Status::Approved) };
        assert_eq!(insight.target(&c), Target::Found { talk: 0, speaker: None });
    }
}
