//! Validating parsed documents as a whole and building the [`Catalogue`].
//!
//! Every problem in every file is collected before giving up, so an organiser fixes a broken
//! catalogue in one pass; a catalogue with any problem is never returned, so the bot never
//! serves half of one.

use std::collections::HashMap;
use std::ops::Range;

use chrono::NaiveDate;
use toml::Spanned;

use super::parse::{LoadError, Parsed, Problem, MAX_ID_LEN};
use super::schema::{InsightDoc, TalkDoc};
use super::session;
use super::{Catalogue, Conference, Insight, Link, Speaker, Talk, Topic};

/// Where an id was first declared, to point at both places of a duplicate. The line and
/// column are worked out only when a duplicate is reported: counting lines for every id
/// would make loading a large file quadratic.
struct Declared<'a> {
    ix: usize,
    file: &'a Parsed,
    span: Range<usize>,
}

/// Id tables built while validating, with the positions of the first declaration.
#[derive(Default)]
struct Table<'a> {
    ids: HashMap<&'a str, Declared<'a>>,
}

impl<'a> Table<'a> {
    fn declare(&mut self, kind: &str, id: &'a Spanned<String>, file: &'a Parsed, problems: &mut Vec<Problem>) -> bool {
        let value = id.get_ref().as_str();
        if let Some(message) = id_problem(value) {
            problems.push(file.problem(id.span(), format!("{kind} id {value:?} {message}"), Some(ID_HINT)));
            return false;
        }
        if let Some(first) = self.ids.get(value) {
            let at = match first.file.problem(first.span.clone(), "", None).position {
                Some((l, c)) => format!("{}:{l}:{c}", first.file.name),
                None => first.file.name.clone(),
            };
            problems.push(file.problem(
                id.span(),
                format!("duplicate {kind} id {value:?}, first declared at {at}"),
                Some("ids must be unique across all loaded files; rename one of them"),
            ));
            return false;
        }
        let ix = self.ids.len();
        self.ids.insert(value, Declared { ix, file, span: id.span() });
        true
    }

    fn resolve(&self, kind: &str, id: &Spanned<String>, file: &Parsed, problems: &mut Vec<Problem>) -> Option<usize> {
        let found = self.ids.get(id.get_ref().as_str()).map(|d| d.ix);
        if found.is_none() {
            let hint = closest(id.get_ref(), self.ids.keys().copied())
                .map(|c| format!("did you mean {c:?}? Declare the {kind} in a [[{kind}s]] table or fix the reference"))
                .unwrap_or_else(|| format!("declare the {kind} in a [[{kind}s]] table or fix the reference"));
            problems.push(file.problem(id.span(), format!("unknown {kind} {:?}", id.get_ref()), Some(&hint)));
        }
        found
    }
}

const ID_HINT: &str =
    "ids use lowercase letters, digits, '-', '_' and '.', at most 64 characters, e.g. \"simon-willison\"";

fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("is empty")
    } else if id.chars().count() > MAX_ID_LEN {
        Some("is longer than 64 characters")
    } else if !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c)) {
        Some("has characters other than a-z, 0-9, '-', '_' and '.'")
    } else {
        None
    }
}

fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(wanted, c), c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Everything checked across files, in a fixed order: declarations first, then references.
pub fn validate(files: Vec<Parsed>) -> Result<Catalogue, LoadError> {
    let mut problems = Vec::new();
    let (mut conf_ids, mut topic_ids, mut speaker_ids, mut talk_ids, mut insight_ids) =
        (Table::default(), Table::default(), Table::default(), Table::default(), Table::default());

    let mut conferences = Vec::new();
    let mut topics = Vec::new();
    let mut speakers = Vec::new();
    for file in &files {
        for c in &file.doc.conferences {
            let (span, c) = (c.span(), c.get_ref());
            if conf_ids.declare("conference", &c.id, file, &mut problems) {
                conferences.push(Conference {
                    id: c.id.get_ref().clone(),
                    name: required_text(file, &c.name, "conference name", &mut problems),
                    year: c.year,
                    start: date(file, c.start.as_ref(), &mut problems),
                    end: date(file, c.end.as_ref(), &mut problems),
                    place: optional_text(file, &span, c.place.as_ref(), "conference place", &mut problems),
                    url: url(file, c.url.as_ref(), &mut problems),
                    description: optional_text(
                        file,
                        &span,
                        c.description.as_ref(),
                        "conference description",
                        &mut problems,
                    ),
                    timezone: c.timezone.as_ref().and_then(|z| {
                        crate::zones::parse_zone(z.get_ref())
                            .map_err(|e| {
                                problems.push(file.problem(
                                    z.span(),
                                    e,
                                    Some("use an IANA zone name such as Europe/Berlin"),
                                ));
                            })
                            .ok()
                    }),
                    rooms: rooms(file, &c.rooms, &mut problems),
                });
                if let (Some(start), Some(end)) = (
                    conferences.last().and_then(|c: &Conference| c.start),
                    conferences.last().and_then(|c: &Conference| c.end),
                ) {
                    if start > end {
                        problems.push(file.problem(
                            c.id.span(),
                            "conference ends before it starts",
                            Some("swap `start` and `end`"),
                        ));
                    }
                }
            }
        }
        for t in &file.doc.topics {
            let (span, t) = (t.span(), t.get_ref());
            if topic_ids.declare("topic", &t.id, file, &mut problems) {
                topics.push(Topic {
                    id: t.id.get_ref().clone(),
                    name: required_text(file, &t.name, "topic name", &mut problems),
                    description: optional_text(file, &span, t.description.as_ref(), "topic description", &mut problems),
                });
            }
        }
        for s in &file.doc.speakers {
            let (span, s) = (s.span(), s.get_ref());
            if speaker_ids.declare("speaker", &s.id, file, &mut problems) {
                let mut aliases = Vec::new();
                for alias in &s.aliases {
                    aliases.push(required_text(file, alias, "speaker alias", &mut problems));
                }
                speakers.push(Speaker {
                    id: s.id.get_ref().clone(),
                    name: required_text(file, &s.name, "speaker name", &mut problems),
                    aliases,
                    bio: optional_text(file, &span, s.bio.as_ref(), "speaker bio", &mut problems),
                    url: url(file, s.url.as_ref(), &mut problems),
                });
            }
        }
    }

    let mut talks = Vec::new();
    for file in &files {
        // A talk without `conference` belongs to its file's only conference, or else to the
        // catalogue's only one.
        let only_conference = match file.doc.conferences.as_slice() {
            [only] => conf_ids.ids.get(only.get_ref().id.get_ref().as_str()).map(|d| d.ix),
            _ => (conferences.len() == 1).then_some(0),
        };
        for t in &file.doc.talks {
            if !talk_ids.declare("talk", &t.get_ref().id, file, &mut problems) {
                continue;
            }
            talks.push(talk(
                file,
                t,
                only_conference,
                &conferences,
                [&conf_ids, &topic_ids, &speaker_ids],
                &mut problems,
            ));
        }
    }
    let mut insights = Vec::new();
    for file in &files {
        for i in &file.doc.insights {
            if insight_ids.declare("insight", &i.get_ref().id, file, &mut problems) {
                insights.push(insight(file, i.get_ref(), &talk_ids, &speaker_ids, &talks, &mut problems));
            }
        }
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    // The parsed documents are no longer needed: free them before the indexes are built, so
    // the two never weigh on memory at once.
    drop((conf_ids, topic_ids, speaker_ids, talk_ids, insight_ids));
    drop(files);
    release_freed_memory();
    Ok(Catalogue::assemble(conferences, topics, speakers, talks, insights))
}

/// Hands memory the allocator holds but no longer uses back to the system. The parsed
/// documents were allocated by the parsing threads, in their own glibc arenas, and freed in
/// scattered pieces: glibc keeps those pages, and the indexes, built on other threads, do not
/// reuse them — on the pyvideo archive that is 40 MB of resident memory serving nothing.
#[allow(unsafe_code)] // the crate's one unsafe call; see the SAFETY note
fn release_freed_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only returns free pages to the kernel; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn talk(
    file: &Parsed,
    spanned: &Spanned<TalkDoc>,
    only_conference: Option<usize>,
    conferences: &[Conference],
    [conf_ids, topic_ids, speaker_ids]: [&Table<'_>; 3],
    problems: &mut Vec<Problem>,
) -> Talk {
    let t = spanned.get_ref();
    let conference = match &t.conference {
        Some(c) => conf_ids.resolve("conference", c, file, problems),
        None if only_conference.is_some() => only_conference,
        None => {
            problems.push(file.problem(
                t.id.span(),
                format!("talk {:?} does not say which conference it belongs to", t.id.get_ref()),
                Some("add `conference = \"<id>\"`; it may be left out when the file declares exactly one conference"),
            ));
            None
        }
    };
    let mut speakers = Vec::new();
    for s in &t.speakers {
        if let Some(ix) = speaker_ids.resolve("speaker", s, file, problems) {
            if speakers.contains(&ix) {
                problems.push(file.problem(
                    s.span(),
                    format!("speaker {:?} is listed twice", s.get_ref()),
                    Some("remove the repeat"),
                ));
            } else {
                speakers.push(ix);
            }
        }
    }
    let mut topics = Vec::new();
    for topic in &t.topics {
        if let Some(ix) = topic_ids.resolve("topic", topic, file, problems) {
            if !topics.contains(&ix) {
                topics.push(ix);
            }
        }
    }
    let links = t
        .links
        .iter()
        .map(|l| {
            let (span, l) = (l.span(), l.get_ref());
            Link {
                kind: l.kind,
                label: optional_text(file, &span, l.label.as_ref(), "link label", problems),
                availability: l.availability,
                url: url(file, l.url.as_ref(), problems),
            }
        })
        .collect();
    let conf = conference.and_then(|c| conferences.get(c));
    let line = |value: Option<&String>, what: &str, problems: &mut Vec<Problem>| {
        optional_text(file, &spanned.span(), value, what, problems).filter(|s| !s.is_empty())
    };
    Talk {
        id: t.id.get_ref().clone(),
        conference: conference.unwrap_or(0),
        slot: session::slot(file, t, conf, problems),
        room: session::room(file, t.room.as_ref(), conf, problems),
        track: line(t.track.as_ref(), "talk track", problems),
        language: line(t.language.as_ref(), "talk language", problems),
        level: line(t.level.as_ref(), "talk level", problems),
        kind: t.kind,
        url: url(file, t.url.as_ref(), problems),
        title: required_text(file, &t.title, "talk title", problems),
        speakers,
        topics,
        recorded: date(file, t.recorded.as_ref(), problems),
        summary: t
            .summary
            .iter()
            .filter_map(|s| optional_text(file, &spanned.span(), Some(s), "talk summary", problems))
            .filter(|s| !s.is_empty())
            .collect(),
        links,
    }
}

/// A conference's rooms: each named once, none blank.
fn rooms(file: &Parsed, rooms: &[Spanned<String>], problems: &mut Vec<Problem>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for room in rooms {
        let name = required_text(file, room, "room name", problems);
        if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            problems.push(file.problem(
                room.span(),
                format!("room {name:?} is named twice"),
                Some("name each room once"),
            ));
        } else if !name.is_empty() {
            names.push(name);
        }
    }
    names
}

fn insight(
    file: &Parsed,
    i: &InsightDoc,
    talk_ids: &Table<'_>,
    speaker_ids: &Table<'_>,
    talks: &[Talk],
    problems: &mut Vec<Problem>,
) -> Insight {
    let talk = talk_ids.resolve("talk", &i.talk, file, problems);
    let speaker = match &i.speaker {
        Some(s) => speaker_ids.resolve("speaker", s, file, problems),
        None => talk.and_then(|t| talks.get(t)).and_then(|t| (t.speakers.len() == 1).then(|| t.speakers[0])),
    };
    Insight {
        id: i.id.get_ref().clone(),
        kind: i.kind,
        text: required_text(file, &i.text, "insight text", problems),
        talk: talk.unwrap_or(0),
        speaker,
    }
}

/// The longest URL accepted: Discord refuses longer link-button URLs, and a longer one would be
/// cut mid-address in an embed field.
pub const MAX_URL_LEN: usize = 512;

/// A control character (other than newline and tab) or a bidi override: invisible, and in a
/// terminal or an embed it can rewrite what is shown around it.
fn hidden_character(text: &str) -> Option<char> {
    text.chars().find(|&c| crate::reply::is_hidden(c) && c != '\n' && c != '\t')
}

fn hidden_problem(file: &Parsed, span: Range<usize>, what: &str, c: char, problems: &mut Vec<Problem>) {
    problems.push(file.problem(
        span,
        format!("{what} contains an invisible control character (U+{:04X})", u32::from(c)),
        Some("delete it: retype the text around it, or remove the escape such as \\u001b"),
    ));
}

/// Optional free text, trimmed; located at its entry, since TOML gives it no span of its own.
fn optional_text(
    file: &Parsed,
    entry: &Range<usize>,
    value: Option<&String>,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let text = value?.trim();
    if let Some(c) = hidden_character(text) {
        hidden_problem(file, entry.clone(), what, c, problems);
    }
    Some(text.to_owned())
}

fn required_text(file: &Parsed, value: &Spanned<String>, what: &str, problems: &mut Vec<Problem>) -> String {
    let text = value.get_ref().trim();
    if let Some(c) = hidden_character(text) {
        hidden_problem(file, value.span(), what, c, problems);
    }
    if text.is_empty() {
        problems.push(file.problem(
            value.span(),
            format!("{what} is empty"),
            Some("write the text, or remove the entry"),
        ));
    }
    text.to_owned()
}

fn url(file: &Parsed, value: Option<&Spanned<String>>, problems: &mut Vec<Problem>) -> Option<String> {
    let value = value?;
    let text = value.get_ref().trim();
    if text.chars().count() > MAX_URL_LEN {
        problems.push(file.problem(
            value.span(),
            format!("URL is {} characters long; at most {MAX_URL_LEN} are accepted", text.chars().count()),
            Some("use a shorter address (a link shortener, or the page that links to it)"),
        ));
        return None;
    }
    // `https:example.com` parses (the URL standard forgives it) but is not what was meant.
    let lower = text.to_ascii_lowercase();
    let written_whole = lower.starts_with("http://") || lower.starts_with("https://");
    match url::Url::parse(text) {
        Ok(u) if written_whole && matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            Some(u.as_str().to_owned())
        }
        _ => {
            problems.push(file.problem(
                value.span(),
                format!("malformed URL {text:?}"),
                Some("write a full http:// or https:// address, or leave the url out"),
            ));
            None
        }
    }
}

pub(super) fn date(
    file: &Parsed,
    value: Option<&Spanned<toml::value::Datetime>>,
    problems: &mut Vec<Problem>,
) -> Option<NaiveDate> {
    let value = value?;
    let d = value.get_ref();
    match (d.date, d.time) {
        (Some(date), None) => NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into()),
        _ => {
            problems.push(file.problem(
                value.span(),
                format!("expected a date, found {d}"),
                Some("write a bare date such as 2024-05-15"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_is_valid() {
        let c = Catalogue::embedded();
        assert_eq!(c.counts().talks, 11);
    }
}
