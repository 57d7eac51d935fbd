//! The summary an import ends with: what was made, and what was left out or changed, and why.

use std::collections::BTreeMap;
use std::fmt;

/// How many times something happened, with the first few cases to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: usize,
    pub examples: Vec<String>,
}

/// How many examples a tally keeps.
const EXAMPLES: usize = 3;

/// What an import produced and everything it skipped or adjusted, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub conferences: usize,
    pub talks: usize,
    pub speakers: usize,
    pub topics: usize,
    pub links: usize,
    /// Left out, by reason (e.g. "talk listed in NO_PUBLISH.json").
    pub skipped: BTreeMap<&'static str, Tally>,
    /// Kept but changed, by reason (e.g. "speaker spellings merged into one person").
    pub adjusted: BTreeMap<&'static str, Tally>,
    /// How many talks got a time and a room; `None` when no source was a schedule (pyvideo).
    pub schedule: Option<Sessions>,
}

/// How many talks kept their time and place, and the first few that did not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sessions {
    /// Talks with a start.
    pub timed: usize,
    /// Talks with a room.
    pub roomed: usize,
    /// The first titles of talks without a start (at most [`NAMED`]).
    pub untimed: Vec<String>,
    /// The first titles of talks without a room (at most [`NAMED`]).
    pub unroomed: Vec<String>,
}

/// How many talks without a time or room the summary names.
pub const NAMED: usize = 5;

impl Sessions {
    /// Counts one talk; `title` is kept while fewer than [`NAMED`] are.
    pub fn count(&mut self, title: &str, timed: bool, roomed: bool) {
        let name = |list: &mut Vec<String>| {
            if list.len() < NAMED {
                list.push(crate::reply::limits::truncate(&printable(title), EXAMPLE_MAX));
            }
        };
        if timed {
            self.timed += 1;
        } else {
            name(&mut self.untimed);
        }
        if roomed {
            self.roomed += 1;
        } else {
            name(&mut self.unroomed);
        }
    }
}

impl ImportReport {
    /// Notes that something was left out.
    pub fn skip(&mut self, reason: &'static str, example: impl Into<String>) {
        note(&mut self.skipped, reason, example.into());
    }

    /// Notes that something was kept but changed.
    pub fn adjust(&mut self, reason: &'static str, example: impl Into<String>) {
        note(&mut self.adjusted, reason, example.into());
    }

    /// Like [`skip`](Self::skip), for an example that is a message naming a file or field:
    /// kept whole, as a message cut short names neither.
    pub fn skip_whole(&mut self, reason: &'static str, example: impl Into<String>) {
        note_whole(&mut self.skipped, reason, example.into());
    }

    /// Like [`adjust`](Self::adjust), the example kept whole.
    pub fn adjust_whole(&mut self, reason: &'static str, example: impl Into<String>) {
        note_whole(&mut self.adjusted, reason, example.into());
    }

    /// The number of things skipped for `reason`.
    pub fn skipped(&self, reason: &str) -> usize {
        self.skipped.get(reason).map_or(0, |t| t.count)
    }

    /// The number of things adjusted for `reason`.
    pub fn adjusted(&self, reason: &str) -> usize {
        self.adjusted.get(reason).map_or(0, |t| t.count)
    }
}

/// The most characters of an example shown, unless it is kept whole.
const EXAMPLE_MAX: usize = 70;

fn note(map: &mut BTreeMap<&'static str, Tally>, reason: &'static str, example: String) {
    let tally = map.entry(reason).or_default();
    tally.count += 1;
    if tally.examples.len() < EXAMPLES {
        let example = crate::reply::limits::truncate(&printable(&example), EXAMPLE_MAX);
        if !example.is_empty() && !tally.examples.contains(&example) {
            tally.examples.push(example);
        }
    }
}

/// Examples are printed to a terminal: one line, no control or bidi characters from the export.
fn printable(example: &str) -> String {
    super::text::clean(example).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn note_whole(map: &mut BTreeMap<&'static str, Tally>, reason: &'static str, example: String) {
    let tally = map.entry(reason).or_default();
    tally.count += 1;
    let example = printable(&example);
    if tally.examples.len() < EXAMPLES && !example.is_empty() && !tally.examples.contains(&example) {
        tally.examples.push(example);
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "imported {} conferences, {} talks, {} speakers, {} topics, {} links",
            self.conferences, self.talks, self.speakers, self.topics, self.links
        )?;
        if let Some(s) = &self.schedule {
            writeln!(f, "schedule: {} of {} talks have a start, {} a room", s.timed, self.talks, s.roomed)?;
            for (what, names, with) in [("start", &s.untimed, s.timed), ("room", &s.unroomed, s.roomed)] {
                let without = self.talks.saturating_sub(with);
                if without == 0 {
                    continue;
                }
                let shown: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
                write!(f, "  without a {what}: {}", shown.join(", "))?;
                match without.saturating_sub(names.len()) {
                    0 => writeln!(f)?,
                    more => writeln!(f, " and {more} more")?,
                }
            }
        }
        for (title, map) in [("skipped", &self.skipped), ("adjusted", &self.adjusted)] {
            if map.is_empty() {
                continue;
            }
            writeln!(f, "{title}:")?;
            for (reason, tally) in map {
                write!(f, "  {:>6}  {reason}", tally.count)?;
                if !tally.examples.is_empty() {
                    let shown: Vec<String> = tally.examples.iter().map(|e| format!("{e:?}")).collect();
                    write!(f, " (e.g. {})", shown.join(", "))?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
