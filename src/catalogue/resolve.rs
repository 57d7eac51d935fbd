//! Turning an option's text into a catalogue entry. Buttons and autocomplete send ids marked
//! `id:` and get exactly that entry; typed text is matched by name, approximately, and only a
//! text that names nothing falls back to being read as a bare id (as config files and scripts
//! may write them). So a typed word never lands on an entry whose id happens to be that word.

use super::{Catalogue, ConferenceIx, SpeakerIx, TalkIx, TopicIx};
use crate::search::{fold, Lookup};

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

/// Conferences, exact before approximate: a marked id; then the id, the full name or a short
/// form, compared folded (case, accents and punctuation aside) — "36c3", "31C3", "pycon us
/// 2019", "PyCon-US-2019"; then a name or id holding every word typed ("pycon 2019", "ddd");
/// only then the approximate name index. Several equally good answers are offered, newest
/// first, never picked for the user.
pub fn conference(c: &Catalogue, text: &str) -> Found<ConferenceIx> {
    if let Some(id) = text.strip_prefix(ID_PREFIX) {
        return c.conference_by_id(id.trim()).map_or(Found::Nothing, Found::One);
    }
    let typed = fold(text);
    if typed.is_empty() {
        return Found::Nothing;
    }
    let all = 0..c.conferences.len();
    let exact: Vec<ConferenceIx> = all.clone().filter(|&w| short_forms(c, w).contains(&typed)).collect();
    if !exact.is_empty() {
        return newest_first(c, exact);
    }
    let words: Vec<&str> = typed.split(' ').collect();
    let holding: Vec<ConferenceIx> = all
        .filter(|&w| {
            let own = format!("{} {}", fold(&c.conferences[w].name), fold(&c.conferences[w].id));
            let own: Vec<&str> = own.split(' ').collect();
            words.iter().all(|word| own.contains(word))
        })
        .collect();
    if !holding.is_empty() {
        return newest_first(c, holding);
    }
    decide(c.conference_index.lookup(text, 5))
}

/// What a conference answers to exactly, folded: its id, its name, and its name's acronym with
/// the number it carries, plain and with a repeated initial counted ("36. Chaos Communication
/// Congress" → "36ccc" and "36c3", as the community writes it).
fn short_forms(c: &Catalogue, w: ConferenceIx) -> Vec<String> {
    let conference = &c.conferences[w];
    let name = fold(&conference.name);
    let mut forms = vec![fold(&conference.id), name.clone()];
    let number: String = name.split(' ').filter(|t| t.chars().all(|ch| ch.is_ascii_digit())).collect();
    let initials: String =
        name.split(' ').filter(|t| !t.chars().all(|ch| ch.is_ascii_digit())).filter_map(|t| t.chars().next()).collect();
    if initials.chars().count() >= 2 {
        let mut counted = String::new();
        let chars: Vec<char> = initials.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let run = chars[i..].iter().take_while(|&&ch| ch == chars[i]).count();
            counted.push(chars[i]);
            if run > 1 {
                counted.push_str(&run.to_string());
            }
            i += run;
        }
        for short in [initials, counted] {
            forms.push(format!("{number}{short}"));
            forms.push(format!("{short}{number}"));
            // Without the number it names the series: several editions, offered to choose.
            forms.push(short);
        }
    }
    forms
}

/// One conference, or several offered with the newest first.
fn newest_first(c: &Catalogue, mut found: Vec<ConferenceIx>) -> Found<ConferenceIx> {
    if let [only] = found.as_slice() {
        return Found::One(*only);
    }
    let when = |w: ConferenceIx| {
        let conference = &c.conferences[w];
        (conference.start.or(conference.end), conference.year)
    };
    found.sort_by(|&a, &b| when(b).cmp(&when(a)).then(a.cmp(&b)));
    Found::Maybe(found)
}

pub fn topic(c: &Catalogue, text: &str) -> Found<TopicIx> {
    topic_within(c, text, None)
}

/// Topics by id or name; with `within`, only topics that conference has talks in compete, so
/// "security" in a congress finds its "Security & Hacking" track rather than another
/// conference's "Security" with no talks there.
pub fn topic_within(c: &Catalogue, text: &str, within: Option<ConferenceIx>) -> Found<TopicIx> {
    let inside = |t: TopicIx| within.is_none_or(|w| c.talks_of_topic(t).iter().any(|&k| c.talks[k].conference == w));
    by_id_or_name(
        text,
        |id| c.topic_by_id(id).filter(|&t| inside(t)),
        || decide(c.topic_index.lookup_where(text, 5, inside)),
    )
}

/// Talks by id or title; `within` restricts to one conference.
pub fn talk(c: &Catalogue, text: &str, within: Option<ConferenceIx>) -> Found<TalkIx> {
    let inside = |t: TalkIx| within.is_none_or(|conf| c.talks[t].conference == conf);
    by_id_or_name(
        text,
        |id| c.talk_by_id(id).filter(|&t| inside(t)),
        || {
            // Only the conference's own talks compete: the best of them, however many talks
            // of other conferences share the words.
            let scored = c.title_index.lookup_where(text, 5, inside);
            // Several talks may share a title ("Keynote"): exact title ties are a choice to offer.
            decide(scored)
        },
    )
}

/// Speakers by id or name; the raw lookup is returned too for `resolved.suggestions`.
pub fn speaker(c: &Catalogue, text: &str, limit: usize) -> (Found<SpeakerIx>, Lookup) {
    speaker_within(c, text, limit, None)
}

/// [`speaker`] among those with a talk at `within` only.
pub fn speaker_within(
    c: &Catalogue,
    text: &str,
    limit: usize,
    within: Option<ConferenceIx>,
) -> (Found<SpeakerIx>, Lookup) {
    let Some(w) = within else { return any_speaker(c, text, limit) };
    let spoke = |s: SpeakerIx| c.talks_of_speaker(s).iter().any(|&t| c.talks[t].conference == w);
    let (found, mut lookup) = any_speaker(c, text, limit.max(50));
    lookup.matches.retain(|m| spoke(m.ix));
    lookup.matches.truncate(limit);
    let found = match found {
        Found::One(s) if spoke(s) => Found::One(s),
        _ => match lookup.matches.as_slice() {
            [] => Found::Nothing,
            [only] => Found::One(only.ix),
            matches => Found::Maybe(matches.iter().map(|m| m.ix).collect()),
        },
    };
    (found, lookup)
}

fn any_speaker(c: &Catalogue, text: &str, limit: usize) -> (Found<SpeakerIx>, Lookup) {
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
