//! Turning an option's text into a catalogue entry: an exact id (what buttons and autocomplete
//! send), an exact name, then an approximate match.

use crate::catalogue::{Catalogue, ConferenceIx, SpeakerIx, TalkIx, TopicIx};
use crate::search::Lookup;

/// How sure a lookup is.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<T> {
    One(T),
    /// Close candidates, best first, none clearly right.
    Maybe(Vec<T>),
    Nothing,
}

/// Scores at or above this, with a clear lead, are taken as the answer.
const SURE: f64 = 0.85;
/// The lead over the runner-up that makes a match clear.
const LEAD: f64 = 0.05;

fn decide(scored: Vec<(usize, f64)>) -> Found<usize> {
    match scored.as_slice() {
        [] => Found::Nothing,
        [(ix, s)] if *s >= SURE - LEAD => Found::One(*ix),
        [(ix, s), (_, t), ..] if *s >= SURE && s - t >= LEAD => Found::One(*ix),
        [(ix, s), (_, t), ..] if *s >= 0.999 && *t < 0.999 => Found::One(*ix),
        _ => Found::Maybe(scored.into_iter().map(|(ix, _)| ix).collect()),
    }
}

pub fn conference(c: &Catalogue, text: &str) -> Found<ConferenceIx> {
    if let Some(ix) = c.conference_by_id(text) {
        return Found::One(ix);
    }
    decide(c.conference_index.lookup(text, 5))
}

pub fn topic(c: &Catalogue, text: &str) -> Found<TopicIx> {
    if let Some(ix) = c.topic_by_id(text) {
        return Found::One(ix);
    }
    decide(c.topic_index.lookup(text, 5))
}

/// Talks by id or title; `within` restricts to one conference.
pub fn talk(c: &Catalogue, text: &str, within: Option<ConferenceIx>) -> Found<TalkIx> {
    if let Some(ix) = c.talk_by_id(text) {
        return Found::One(ix);
    }
    let scored: Vec<(usize, f64)> = c
        .title_index
        .lookup(text, 50)
        .into_iter()
        .filter(|(t, _)| within.is_none_or(|conf| c.talks[*t].conference == conf))
        .take(5)
        .collect();
    // Several talks may share a title ("Keynote"): exact title ties are a choice to offer.
    decide(scored)
}

/// Speakers by id or name; the raw lookup is returned too for `resolved.suggestions`.
pub fn speaker(c: &Catalogue, text: &str, limit: usize) -> (Found<SpeakerIx>, Lookup) {
    if let Some(ix) = c.speaker_by_id(text) {
        let lookup = Lookup { matches: vec![crate::search::Match { ix, score: 1.0 }], confident: true };
        return (Found::One(ix), lookup);
    }
    let lookup = c.speaker_index.lookup(text, limit);
    let found = match lookup.matches.as_slice() {
        [] => Found::Nothing,
        [first, ..] if lookup.confident => Found::One(first.ix),
        matches => Found::Maybe(matches.iter().map(|m| m.ix).collect()),
    };
    (found, lookup)
}

/// The conference filter of an invocation: `Ok(None)` when absent, an error reply text when
/// it names nothing.
pub fn conference_filter(c: &Catalogue, text: Option<&str>) -> Result<Option<ConferenceIx>, String> {
    let Some(text) = text else { return Ok(None) };
    match conference(c, text) {
        Found::One(ix) => Ok(Some(ix)),
        Found::Maybe(options) => Err(format!(
            "Several conferences match: {}.",
            options.iter().take(5).map(|&i| c.conferences[i].name.as_str()).collect::<Vec<_>>().join(", ")
        )),
        Found::Nothing => Err("No conference has that name or id. `/about` lists them.".into()),
    }
}
