//! Free-form tags (pyvideo's `tags`) into topics, at archive scale: 2,941 distinct tags over
//! 22,000 talks, many spelt several ways, and the most used naming the event or the kind of
//! session rather than a subject.
//!
//! The rule, in order (docs/importing.md has it with the archive's numbers):
//!
//! 1. A tag starting with `#` is a run of hashtags (`#pycascades#pycon#python`), one tag each.
//! 2. Spellings are one tag when equal after [`fold`] with the spaces taken out (case,
//!    accents, punctuation, hyphens and spacing: "Machine Learning" = "machine-learning" =
//!    "MachineLearning"), and a plural is one tag with its singular when both are used
//!    ("databases" = "database", "libraries" = "library"). `+` and an inner `#` count as
//!    letters, so "C++" and "C#" stay apart from "C".
//! 3. Dropped wherever they appear: tags without a letter; tags holding a year
//!    ("pycon2010", "SciPy 2016"); kinds of session, places in the venue and placeholders
//!    ([`NOT_SUBJECTS`]: "talk", "keynote", "tutorial", "Room 215", "Track Básico", "general");
//!    the subject of the whole archive, given by the importer (pyvideo: "python").
//! 4. A tag *labels an event* at a conference when its words (numbers and "online",
//!    "virtual"… left out) run together to a run of consecutive words of the conference's name
//!    or folder ("pyconau" at "PyCon AU 2020", "europython-online" at "EuroPython 2020",
//!    "minsk" at "Minsk Python Meetup"), or when it is on at least [`BLANKET_SHARE`] of the
//!    conference's talks (of at least [`BLANKET_MIN_TALKS`]): a tag on every talk says which
//!    event, not what a talk is about. A tag that labels an event somewhere is dropped
//!    everywhere unless it is a subject (not a label) at [`SUBJECT_CONFERENCES`] conferences
//!    or more and at more conferences than it labels: so "pycon" and "pydata" go, while
//!    "Django" stays a topic, also at DjangoCon Europe where every talk carries it.
//! 5. A tag on more than half of all talks (of an import of at least 20) tells none apart.
//! 6. A topic needs [`MIN_TALKS`] talks.
//!
//! The topic's name is the spelling with a capital letter if one is used, then the most used,
//! then the one with more words ("Data Analysis" over "DataAnalysis"), then the first met.

use std::collections::{HashMap, HashSet};

use super::report::ImportReport;
use super::text;
use crate::search::fold;

/// The fewest talks a tag needs to become a topic: fewer is a tag someone typed once or
/// twice, and a `/topic` answer of one talk is what `/talk` already gives.
pub const MIN_TALKS: usize = 3;
/// The share of a conference's talks a tag must be on to label the conference.
pub const BLANKET_SHARE: f64 = 0.85;
/// The fewest talks a conference needs for a tag on all of them to label it: at a meetup of
/// four talks, four talks about Django are about Django.
pub const BLANKET_MIN_TALKS: usize = 10;
/// The conferences at which a tag must be a subject to stay a topic where it also names an
/// event (and more than it names).
pub const SUBJECT_CONFERENCES: usize = 3;

/// Tags (folded, spaces taken out, plural as written) that say what kind of session a talk
/// was, for whom (its level, as Sessionize's "Level" category), where or in which track it
/// was given, or nothing at all. Tags starting with the word
/// "room" or "track" are places too.
pub const NOT_SUBJECTS: &[&str] = &[
    "talk",
    "talks",
    "lightningtalk",
    "lightningtalks",
    "keynote",
    "keynotes",
    "tutorial",
    "tutorials",
    "workshop",
    "workshops",
    "poster",
    "posters",
    "panel",
    "lecture",
    "presentation",
    "session",
    "plenary",
    "webinar",
    "sprint",
    "sprints",
    "conference",
    "meetup",
    "video",
    "openingremarks",
    "closingremarks",
    "charla",
    "ponencia",
    "taller",
    "vortrag",
    "beginner",
    "beginners",
    "intermediate",
    "advanced",
    "expert",
    "general",
    "misc",
    "miscellaneous",
    "other",
    "others",
    "uncategorized",
    "none",
    "tba",
    "tbd",
];

/// Words that make no difference to which event a tag names ("europython-online").
const EVENT_WORDS: &[&str] = &["online", "virtual", "remote", "conf", "conference", "edition"];

/// A conference as the tag rule sees it: the names it goes by (folder or acronym, and title).
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub names: Vec<String>,
}

/// One talk's tags, and the index of its conference in the events given to [`topics`].
#[derive(Debug, Clone, Copy)]
pub struct Tagged<'a> {
    pub event: usize,
    pub tags: &'a [String],
}

/// What one tag on one talk turned out to be.
struct Use {
    talk: usize,
    key: String,
    spelling: String,
    label: bool,
}

/// The topics of each talk (by name, in the order of its tags), by the rule in the module
/// documentation. `subjects` are tags naming what every talk of the archive is about
/// (compared after folding). What was dropped and merged is noted in `report`.
pub fn topics(
    events: &[Event],
    talks: &[Tagged<'_>],
    subjects: &[&str],
    report: &mut ImportReport,
) -> Vec<Vec<String>> {
    let subjects: HashSet<String> = subjects.iter().map(|s| squash(&words(s))).collect();
    let runs: Vec<HashSet<String>> = events.iter().map(|e| name_runs(&e.names)).collect();
    let mut uses = Vec::new();
    for (t, talk) in talks.iter().enumerate() {
        let mut seen = HashSet::new();
        for part in talk.tags.iter().flat_map(|tag| split(tag)) {
            let Some(key) = read(part, &subjects, report) else { continue };
            if !seen.insert(key.clone()) {
                continue;
            }
            let label = is_name(part, &runs[talk.event]);
            uses.push(Use { talk: t, key, spelling: text::line(part.trim_start_matches('#')), label });
        }
    }
    merge_plurals(&mut uses);
    // A plural and its singular on one talk are one use.
    let mut once = HashSet::new();
    uses.retain(|u| once.insert((u.talk, u.key.clone())));
    mark_blanket(&mut uses, talks, events.len());

    // Where each tag labels an event and where it is a subject.
    let mut labels: HashMap<&str, HashSet<usize>> = HashMap::new();
    let mut subject_of: HashMap<&str, HashSet<usize>> = HashMap::new();
    for u in &uses {
        let map = if u.label { &mut labels } else { &mut subject_of };
        map.entry(u.key.as_str()).or_default().insert(talks[u.talk].event);
    }
    let names_event = |key: &str| {
        let labelled = labels.get(key).map_or(0, HashSet::len);
        let subject = subject_of.get(key).map_or(0, HashSet::len);
        labelled > 0 && (subject < SUBJECT_CONFERENCES || subject <= labelled)
    };
    let mut kept: Vec<&Use> = Vec::with_capacity(uses.len());
    for u in &uses {
        if names_event(&u.key) {
            report.skip("tag that labels an event (names it, or is on nearly every talk of it)", &u.spelling);
        } else {
            kept.push(u);
        }
    }

    let mut talks_of: HashMap<&str, usize> = HashMap::new();
    for u in &kept {
        *talks_of.entry(u.key.as_str()).or_default() += 1;
    }
    let most = talks.len() / 2;
    let mut spellings: HashMap<&str, Vec<(&str, usize)>> = HashMap::new();
    // Keys in the order first met, so that the report is the same on every run.
    let mut order: Vec<&str> = Vec::new();
    let mut chosen: Vec<&Use> = Vec::with_capacity(kept.len());
    for u in kept {
        let n = talks_of[u.key.as_str()];
        if talks.len() >= 20 && n > most {
            report.skip("tag on more than half of all talks", &u.spelling);
        } else if n < MIN_TALKS {
            report.skip("tag on fewer than 3 talks (not a topic)", &u.spelling);
        } else {
            let list = spellings.entry(u.key.as_str()).or_insert_with(|| {
                order.push(u.key.as_str());
                Vec::new()
            });
            match list.iter_mut().find(|(s, _)| *s == u.spelling) {
                Some((_, count)) => *count += 1,
                None => list.push((&u.spelling, 1)),
            }
            chosen.push(u);
        }
    }
    let mut names: HashMap<&str, String> = HashMap::new();
    for key in order {
        let list = &spellings[key];
        let name = canonical(list);
        if list.len() > 1 {
            let others: Vec<&str> = list.iter().map(|(s, _)| *s).filter(|s| *s != name).collect();
            report.adjust("tag spellings merged into one topic", format!("{name} = {}", others.join(" = ")));
        }
        names.insert(key, name.to_owned());
    }
    let mut out = vec![Vec::new(); talks.len()];
    for u in chosen {
        out[u.talk].push(names[u.key.as_str()].clone());
    }
    out
}

/// The tags one tag string holds: a run of hashtags is several.
fn split(tag: &str) -> Vec<&str> {
    let tag = tag.trim();
    if tag.starts_with('#') {
        tag.split('#').map(str::trim).filter(|t| !t.is_empty()).collect()
    } else {
        vec![tag]
    }
}

/// The key of a tag, or `None` (noted in the report) when it is dropped wherever it appears.
fn read(tag: &str, subjects: &HashSet<String>, report: &mut ImportReport) -> Option<String> {
    let words = words(tag);
    if !words.iter().any(|w| w.bytes().any(|c| !c.is_ascii_digit())) {
        report.skip("tag without letters (blank or a number)", tag);
        return None;
    }
    if words.iter().any(|w| is_year(w)) {
        report.skip("tag naming a year or an edition (\"pycon2010\")", tag);
        return None;
    }
    let key = squash(&words);
    let place = words.len() > 1 && (words[0] == "room" || words[0] == "track");
    if place || NOT_SUBJECTS.contains(&key.as_str()) {
        report.skip("tag naming a kind of session, a room or a track, or no subject", tag);
        return None;
    }
    if subjects.contains(&key) {
        report.skip("tag naming what the whole archive is about (\"python\")", tag);
        return None;
    }
    Some(key)
}

/// The folded words of a tag, letters and digits apart ("pycon2010" → "pycon", "2010");
/// `+` and an inner `#` spelled out so that "C++" and "C#" are not "C".
fn words(tag: &str) -> Vec<String> {
    let spelled = tag.trim().trim_start_matches('#').replace('+', " plus ").replace('#', " sharp ");
    let folded = fold(&spelled);
    let mut out = Vec::new();
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        let mut current = String::new();
        let mut digits = None;
        for c in word.chars() {
            let is_digit = c.is_ascii_digit();
            if digits.is_some_and(|d| d != is_digit) {
                out.push(std::mem::take(&mut current));
            }
            digits = Some(is_digit);
            current.push(c);
        }
        out.push(current);
    }
    out
}

fn squash(words: &[String]) -> String {
    words.concat()
}

fn is_year(word: &str) -> bool {
    word.len() == 4 && word.parse::<u32>().is_ok_and(|y| (1950..=2049).contains(&y))
}

/// Every run of consecutive words of the names, run together ("PyCon AU 2020" → "pycon",
/// "au", "pyconau"), numbers left out.
fn name_runs(names: &[String]) -> HashSet<String> {
    let mut runs = HashSet::new();
    for name in names {
        let words: Vec<String> = words(name).into_iter().filter(|w| !w.bytes().all(|c| c.is_ascii_digit())).collect();
        for start in 0..words.len() {
            for end in start + 1..=words.len().min(start + 6) {
                runs.insert(words[start..end].concat());
            }
        }
    }
    runs
}

/// True when the tag's words, numbers and [`EVENT_WORDS`] left out, run together to a run of
/// the conference's names.
fn is_name(tag: &str, runs: &HashSet<String>) -> bool {
    let core: String = words(tag)
        .into_iter()
        .filter(|w| !w.bytes().all(|c| c.is_ascii_digit()) && !EVENT_WORDS.contains(&w.as_str()))
        .collect();
    !core.is_empty() && runs.contains(&core)
}

/// Gives a plural the key of its singular when the singular is a tag too.
fn merge_plurals(uses: &mut [Use]) {
    let keys: HashSet<String> = uses.iter().map(|u| u.key.clone()).collect();
    let singular = |key: &str| -> Option<String> {
        let candidates = [
            key.strip_suffix("ies").map(|s| format!("{s}y")),
            key.strip_suffix('s').filter(|s| !s.ends_with('s')).map(str::to_owned),
            key.strip_suffix("es").map(str::to_owned),
        ];
        candidates.into_iter().flatten().find(|c| c.len() >= 2 && keys.contains(c))
    };
    for u in uses.iter_mut() {
        if let Some(s) = singular(&u.key) {
            u.key = s;
        }
    }
}

/// Marks as labels the tags on at least [`BLANKET_SHARE`] of a conference's talks.
fn mark_blanket(uses: &mut [Use], talks: &[Tagged<'_>], events: usize) {
    let mut talks_at = vec![0usize; events];
    for t in talks {
        talks_at[t.event] += 1;
    }
    let mut count: HashMap<(usize, &str), usize> = HashMap::new();
    for u in uses.iter() {
        *count.entry((talks[u.talk].event, u.key.as_str())).or_default() += 1;
    }
    let blanket: HashSet<(usize, String)> = count
        .into_iter()
        .filter(|&((event, _), n)| {
            let all = talks_at[event];
            all >= BLANKET_MIN_TALKS && n as f64 >= BLANKET_SHARE * all as f64
        })
        .map(|((event, key), _)| (event, key.to_owned()))
        .collect();
    for u in uses.iter_mut() {
        if blanket.contains(&(talks[u.talk].event, u.key.clone())) {
            u.label = true;
        }
    }
}

/// The spelling a topic is named by (see the module documentation); `spellings` in the order
/// first met, with their number of talks.
fn canonical<'a>(spellings: &[(&'a str, usize)]) -> &'a str {
    let capital = |s: &str| s.chars().any(char::is_uppercase);
    let words = |s: &str| s.split_whitespace().count();
    let mut best = spellings[0];
    for &candidate in &spellings[1..] {
        let better = (capital(candidate.0), candidate.1, words(candidate.0)) > (capital(best.0), best.1, words(best.0));
        if better {
            best = candidate;
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(names: &[&str]) -> Event {
        Event { names: names.iter().map(|n| (*n).to_owned()).collect() }
    }

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    /// Topics for talks given as (event index, tags).
    fn run(events: &[Event], talks: &[(usize, Vec<String>)], subjects: &[&str]) -> (Vec<Vec<String>>, ImportReport) {
        let tagged: Vec<Tagged<'_>> = talks.iter().map(|(e, t)| Tagged { event: *e, tags: t }).collect();
        let mut report = ImportReport::default();
        (topics(events, &tagged, subjects, &mut report), report)
    }

    #[test]
    fn spellings_fold_and_plurals_merge() {
        let events = [event(&["a", "A"]), event(&["b", "B"])];
        let talks = vec![
            (0, tags(&["django", "databases", "Machine Learning"])),
            (0, tags(&["Django", "database", "machine-learning"])),
            (1, tags(&["DJango", "Databases", "#MachineLearning"])),
            (1, tags(&["C++", "C#"])),
            (1, tags(&["c", "C++"])),
            (0, tags(&["C", "C++", "libraries", "library", "Library"])),
        ];
        let (topics, report) = run(&events, &talks, &[]);
        assert_eq!(topics[0], ["Django", "Databases", "Machine Learning"]);
        assert_eq!(topics[2], ["Django", "Databases", "Machine Learning"]);
        assert_eq!(topics[3], ["C++"]);
        assert_eq!(topics[4], ["C++"], "C is on two talks only: not a topic");
        assert!(topics[5].contains(&"C++".to_owned()));
        assert_eq!(report.skipped("tag on fewer than 3 talks (not a topic)"), 4, "C twice, C# once, library once");
        assert!(report.adjusted("tag spellings merged into one topic") >= 3);
    }

    #[test]
    fn years_numbers_sessions_and_places_are_dropped() {
        let events = [event(&["pycon-us-2010", "PyCon US 2010"])];
        let talks: Vec<_> = (0..3)
            .map(|_| {
                (
                    0,
                    tags(&[
                        "pycon2010",
                        "2010",
                        "",
                        "talk",
                        "Lightning Talks",
                        "Room 215",
                        "Track Básico",
                        "Beginners",
                        "testing",
                    ]),
                )
            })
            .collect();
        let (topics, report) = run(&events, &talks, &[]);
        assert_eq!(topics[0], ["testing"]);
        assert_eq!(report.skipped("tag naming a year or an edition (\"pycon2010\")"), 3);
        assert_eq!(report.skipped("tag without letters (blank or a number)"), 6);
        assert_eq!(report.skipped("tag naming a kind of session, a room or a track, or no subject"), 15);
    }

    #[test]
    fn event_names_go_unless_they_are_subjects_elsewhere() {
        let events = [
            event(&["pycon-au-2020", "PyCon AU 2020"]),
            event(&["europython-2020", "EuroPython 2020"]),
            event(&["django-day-copenhagen-2020", "Django Day Copenhagen 2020"]),
            event(&["x-2011", "X 2011"]),
            event(&["y-2012", "Y 2012"]),
            event(&["z-2013", "Z 2013"]),
        ];
        let mut talks = Vec::new();
        for e in 0..6 {
            talks.push((e, tags(&["pyconau", "europython-online", "PyConAU", "Django", "pycon"])));
        }
        let (topics, report) = run(&events, &talks, &[]);
        // "pyconau" and "pycon" name PyCon AU and are subjects at 5 other conferences: they
        // stay; "europython online" likewise. So do the names of one event only:
        assert!(topics[3].contains(&"Django".to_owned()));
        assert!(topics[2].contains(&"Django".to_owned()), "a subject at 5 conferences, named by 1");
        let names_only = vec![
            (0, tags(&["pyconau"])),
            (0, tags(&["PyConAU"])),
            (0, tags(&["pyconau", "pycon"])),
            (1, tags(&["europython-online", "pycon"])),
            (1, tags(&["europython online"])),
            (1, tags(&["EuroPython"])),
            (3, tags(&["pycon"])),
        ];
        let (topics, report2) = run(&events, &names_only, &[]);
        assert!(topics.iter().all(Vec::is_empty), "{topics:?}");
        assert_eq!(report2.skipped("tag that labels an event (names it, or is on nearly every talk of it)"), 9);
        assert_eq!(report.skipped("tag that labels an event (names it, or is on nearly every talk of it)"), 0);
    }

    #[test]
    fn a_tag_on_nearly_every_talk_of_an_event_labels_it() {
        let events = [event(&["minsk-python-meetup", "Minsk Python Meetup"]), event(&["other", "Other"])];
        let mut talks: Vec<_> = (0..10).map(|_| (0, tags(&["belarus", "minsk", "web"]))).collect();
        talks.push((0, tags(&["web"])));
        talks.extend((0..2).map(|_| (1, tags(&["belarus"]))));
        talks.extend((0..30).map(|_| (1, tags(&[]))));
        let (topics, report) = run(&events, &talks, &[]);
        // "web" is on all 11 talks of the meetup and nowhere else: a label. "belarus" on 10
        // of 11 (91%), and a subject at one other conference only.
        assert!(topics.iter().all(Vec::is_empty), "{topics:?}");
        assert_eq!(report.skipped("tag that labels an event (names it, or is on nearly every talk of it)"), 33);
    }

    #[test]
    fn the_archive_subject_and_tags_on_most_talks_are_dropped() {
        let events = [event(&["a"]), event(&["b"])];
        let mut talks = Vec::new();
        for e in 0..2 {
            talks.extend((0..8).map(|_| (e, tags(&["Python", "python,", "everything"]))));
            talks.extend((0..7).map(|_| (e, tags(&["#Python"]))));
        }
        let (topics, report) = run(&events, &talks, &["python"]);
        assert!(topics.iter().all(Vec::is_empty));
        assert_eq!(report.skipped("tag naming what the whole archive is about (\"python\")"), 46);
        // "everything" is on 8 of 15 talks at each conference (not every talk of one), but
        // on 16 of all 30.
        assert_eq!(report.skipped("tag on more than half of all talks"), 16);
    }

    #[test]
    fn canonical_names_prefer_capitals_then_use_then_words() {
        assert_eq!(canonical(&[("django", 188), ("Django", 108)]), "Django");
        assert_eq!(canonical(&[("data analysis", 32), ("DataAnalysis", 3), ("Data Analysis", 3)]), "Data Analysis");
        assert_eq!(canonical(&[("Open-Source", 19), ("open source", 27), ("OpenSource", 19)]), "Open-Source");
        assert_eq!(canonical(&[("web", 3)]), "web");
    }
}
