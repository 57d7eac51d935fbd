//! Turning an option's text into a catalogue entry. Buttons and autocomplete send ids marked
//! `id:` and get exactly that entry; typed text is matched by name, approximately, and only a
//! text that names nothing falls back to being read as a bare id (as config files and scripts
//! may write them). So a typed word never lands on an entry whose id happens to be that word.

use super::{Catalogue, ConferenceIx, SpeakerIx, TalkIx, TopicIx};
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

/// Marks an option value as an id.
pub const ID_PREFIX: &str = "id:";

/// The option value that names the entry with this id.
pub fn id_value(id: &str) -> String {
    format!("{ID_PREFIX}{id}")
}

/// Marked ids resolve by id alone; typed text by name first, then as a bare id.
fn by_id_or_name(
    text: &str,
    by_id: impl Fn(&str) -> Option<usize>,
    by_name: impl FnOnce() -> Found<usize>,
) -> Found<usize> {
    if let Some(id) = text.strip_prefix(ID_PREFIX) {
        return by_id(id.trim()).map_or(Found::Nothing, Found::One);
    }
    match by_name() {
        Found::Nothing => by_id(text).map_or(Found::Nothing, Found::One),
        found => found,
    }
}

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
    by_id_or_name(text, |id| c.conference_by_id(id), || decide(c.conference_index.lookup(text, 5)))
}

pub fn topic(c: &Catalogue, text: &str) -> Found<TopicIx> {
    by_id_or_name(text, |id| c.topic_by_id(id), || decide(c.topic_index.lookup(text, 5)))
}

/// Talks by id or title; `within` restricts to one conference.
pub fn talk(c: &Catalogue, text: &str, within: Option<ConferenceIx>) -> Found<TalkIx> {
    by_id_or_name(
        text,
        |id| c.talk_by_id(id),
        || {
            let scored: Vec<(usize, f64)> = c
                .title_index
                .lookup(text, 50)
                .into_iter()
                .filter(|(t, _)| within.is_none_or(|conf| c.talks[*t].conference == conf))
                .take(5)
                .collect();
            // Several talks may share a title ("Keynote"): exact title ties are a choice to offer.
            decide(scored)
        },
    )
}

/// Speakers by id or name; the raw lookup is returned too for `resolved.suggestions`.
pub fn speaker(c: &Catalogue, text: &str, limit: usize) -> (Found<SpeakerIx>, Lookup) {
    let exactly = |ix: SpeakerIx| {
        let lookup = Lookup { matches: vec![crate::search::Match { ix, score: 1.0 }], confident: true };
        (Found::One(ix), lookup)
    };
    if let Some(id) = text.strip_prefix(ID_PREFIX) {
        return c.speaker_by_id(id.trim()).map_or((Found::Nothing, Lookup::default()), exactly);
    }
    let lookup = c.speaker_index.lookup(text, limit);
    match lookup.matches.as_slice() {
        [] => c.speaker_by_id(text).map_or((Found::Nothing, lookup), exactly),
        [first, ..] if lookup.confident => (Found::One(first.ix), lookup),
        matches => (Found::Maybe(matches.iter().map(|m| m.ix).collect()), lookup),
    }
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
