//! Autocomplete choices for each kind of entity: from the partial text of an option to at most
//! 25 choices, best first. Each choice shows a readable name and sends back a marked id, which
//! the command resolves exactly. Commands pick the kind each of their options completes.

use serde::Serialize;

use super::common::talk_label;
use crate::catalogue::resolve::id_value;
use crate::catalogue::Catalogue;
use crate::reply::limits;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub name: String,
    pub value: String,
}

const N: usize = limits::CHOICES;

/// Speakers by approximate name; the busiest first when nothing is typed.
pub fn speakers(c: &Catalogue, partial: &str) -> Vec<Choice> {
    speakers_where(c, partial, |_| true)
}

/// [`speakers`] that `keep` accepts.
pub fn speakers_where(c: &Catalogue, partial: &str, keep: impl Fn(usize) -> bool) -> Vec<Choice> {
    let ixs: Vec<usize> = if partial.is_empty() {
        top_by((0..c.speakers.len()).filter(|&s| keep(s)), |s| c.talks_of_speaker(s).len())
    } else {
        let matches = c.speaker_index.lookup(partial, 4 * N).matches;
        matches.iter().map(|m| m.ix).filter(|&s| keep(s)).take(N).collect()
    };
    ixs.into_iter().map(|s| choice(&c.speakers[s].name, &id_value(&c.speakers[s].id))).collect()
}

/// Talks by approximate title, each named with its speakers (titles are often shared).
pub fn talks(c: &Catalogue, partial: &str) -> Vec<Choice> {
    let ixs: Vec<usize> = if partial.is_empty() {
        (0..c.talks.len().min(N)).collect()
    } else {
        c.title_index.lookup(partial, N).into_iter().map(|(t, _)| t).collect()
    };
    ixs.into_iter().map(|t| choice(&talk_label(c, t), &id_value(&c.talks[t].id))).collect()
}

/// Topics by approximate name; the largest first when nothing is typed.
pub fn topics(c: &Catalogue, partial: &str) -> Vec<Choice> {
    topics_where(c, partial, |_| true)
}

/// [`topics`] that `keep` accepts.
pub fn topics_where(c: &Catalogue, partial: &str, keep: impl Fn(usize) -> bool) -> Vec<Choice> {
    let ixs: Vec<usize> = if partial.is_empty() {
        top_by((0..c.topics.len()).filter(|&t| keep(t)), |t| c.talks_of_topic(t).len())
    } else {
        c.topic_index.lookup_where(partial, N, keep).into_iter().map(|(t, _)| t).collect()
    };
    ixs.into_iter().map(|t| choice(&c.topics[t].name, &id_value(&c.topics[t].id))).collect()
}

/// Conferences by approximate name.
pub fn conferences(c: &Catalogue, partial: &str) -> Vec<Choice> {
    let ixs: Vec<usize> = if partial.is_empty() {
        (0..c.conferences.len().min(N)).collect()
    } else {
        c.conference_index.lookup(partial, N).into_iter().map(|(t, _)| t).collect()
    };
    ixs.into_iter().map(|i| choice(&c.conferences[i].name, &id_value(&c.conferences[i].id))).collect()
}

/// Plain names (rooms, tracks) containing what was typed, in their order; all when nothing is.
pub fn names<'a>(names: impl IntoIterator<Item = &'a str>, partial: &str) -> Vec<Choice> {
    let wanted = partial.to_lowercase();
    names.into_iter().filter(|n| n.to_lowercase().contains(&wanted)).take(N).map(|n| choice(n, n)).collect()
}

/// IANA time zones containing what was typed, else the closest names.
pub fn zones(partial: &str) -> Vec<Choice> {
    crate::zones::zone_choices(partial, N).into_iter().map(|name| choice(name, name)).collect()
}

/// The (at most 25) of `ixs` with the highest `key`, ties in index order.
fn top_by(ixs: impl Iterator<Item = usize>, key: impl Fn(usize) -> usize) -> Vec<usize> {
    let mut all: Vec<usize> = ixs.collect();
    all.sort_by_key(|&i| std::cmp::Reverse(key(i)));
    all.truncate(N);
    all
}

/// A choice within Discord's 1–100 characters for both name and value. Entities send their
/// marked id (`id:` and at most 64 characters, checked when loading), so values always fit.
fn choice(name: &str, value: &str) -> Choice {
    let name = limits::truncate(name.trim(), limits::CHOICE_NAME);
    Choice {
        name: if name.is_empty() { value.to_owned() } else { name },
        value: value.chars().take(limits::CHOICE_VALUE).collect(),
    }
}
