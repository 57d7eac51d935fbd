//! Autocomplete: from the partial text of an option to at most 25 choices, best first. Each
//! choice shows a readable name and sends back an id, which the command resolves exactly.

use serde::Serialize;

use super::resolve::id_value;
use crate::catalogue::Catalogue;
use crate::reply::limits;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub name: String,
    pub value: String,
}

/// Choices for `option` of `command` given what the user has typed so far. Unknown commands
/// and options get no choices.
pub fn complete(c: &Catalogue, command: &str, option: &str, partial: &str) -> Vec<Choice> {
    let n = limits::CHOICES;
    let partial = partial.trim();
    let mut choices: Vec<Choice> = match (command, option) {
        ("speaker", "name") | ("insight", "speaker") => {
            let ixs: Vec<usize> = if partial.is_empty() {
                top_by(c.speakers.len(), n, |s| c.talks_of_speaker(s).len())
            } else {
                c.speaker_index.lookup(partial, n).matches.iter().map(|m| m.ix).collect()
            };
            ixs.into_iter().map(|s| choice(&c.speakers[s].name, &id_value(&c.speakers[s].id))).collect()
        }
        ("talk", "title") => {
            let ixs: Vec<usize> = if partial.is_empty() {
                (0..c.talks.len().min(n)).collect()
            } else {
                c.title_index.lookup(partial, n).into_iter().map(|(t, _)| t).collect()
            };
            ixs.into_iter()
                .map(|t| {
                    let speakers = c.speaker_names(t);
                    let name = if speakers.is_empty() {
                        c.talks[t].title.clone()
                    } else {
                        format!("{} — {speakers}", c.talks[t].title)
                    };
                    choice(&name, &id_value(&c.talks[t].id))
                })
                .collect()
        }
        ("topic", "name") | ("insight", "topic") | ("daily", "topic") => {
            let ixs: Vec<usize> = if partial.is_empty() {
                top_by(c.topics.len(), n, |t| c.talks_of_topic(t).len())
            } else {
                c.topic_index.lookup(partial, n).into_iter().map(|(t, _)| t).collect()
            };
            ixs.into_iter().map(|t| choice(&c.topics[t].name, &id_value(&c.topics[t].id))).collect()
        }
        (_, "conference") => {
            let ixs: Vec<usize> = if partial.is_empty() {
                (0..c.conferences.len().min(n)).collect()
            } else {
                c.conference_index.lookup(partial, n).into_iter().map(|(t, _)| t).collect()
            };
            ixs.into_iter().map(|i| choice(&c.conferences[i].name, &id_value(&c.conferences[i].id))).collect()
        }
        ("daily", "timezone") => {
            crate::daily::schedule::zone_choices(partial, n).into_iter().map(|name| choice(name, name)).collect()
        }
        _ => Vec::new(),
    };
    choices.truncate(n);
    choices
}

/// The `n` indexes below `len` with the highest `key`, ties in index order.
fn top_by(len: usize, n: usize, key: impl Fn(usize) -> usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..len).collect();
    all.sort_by_key(|&i| std::cmp::Reverse(key(i)));
    all.truncate(n);
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
