//! Reading catalogue files and validating them as a whole.
//!
//! Every problem in every file is collected before giving up, so an organiser fixes a broken
//! catalogue in one pass; a catalogue with any problem is never returned, so the bot never
//! serves half of one.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use toml::Spanned;

use super::schema::{FileDoc, InsightDoc, TalkDoc};
use super::{Catalogue, Conference, Insight, Link, Speaker, Talk, Topic};

/// Shown as the file name of the compiled-in catalogue.
pub const EMBEDDED_NAME: &str = "<embedded>/pycon-us-2024.toml";
pub(super) const EMBEDDED_TOML: &str = include_str!("../../data/pycon-us-2024.toml");

/// The longest id accepted. Ids travel inside button custom_ids (≤ 100 characters) and
/// autocomplete values (≤ 100), so they must stay short.
pub const MAX_ID_LEN: usize = 64;

/// Where catalogue data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Embedded,
    Path(PathBuf),
}

/// One thing wrong with the data, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line and column; absent for data that did not come from a TOML text.
    pub position: Option<(usize, usize)>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{}:{}: {}", self.file, line, column, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Why a catalogue could not be loaded: every problem found, in file order.
#[derive(Debug, Clone, thiserror::Error)]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(f, "the catalogue has {n} problem{}:", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

/// A parsed file waiting for validation, with what is needed to report positions.
struct Parsed {
    name: String,
    text: Text,
    doc: FileDoc,
}

/// Where the text of a parsed document is, to turn spans into lines and columns.
enum Text {
    /// Given in memory (`parse_str`, the embedded catalogue).
    Kept(String),
    /// Read again from the file only if a problem must be located: keeping every file's text
    /// while validating would cost as much memory as the catalogue's own text.
    File(PathBuf, std::sync::OnceLock<Option<String>>),
    /// Built in memory by an importer: no positions.
    None,
}

impl Parsed {
    fn problem(&self, span: Range<usize>, message: impl Into<String>, hint: Option<&str>) -> Problem {
        let text = match &self.text {
            Text::Kept(t) => Some(t.as_str()),
            Text::File(path, cache) if span != (0..0) => {
                cache.get_or_init(|| std::fs::read_to_string(path).ok()).as_deref()
            }
            _ => None,
        };
        let position = text.filter(|_| span != (0..0)).map(|t| line_column(t, span.start));
        Problem { file: self.name.clone(), position, message: message.into(), hint: hint.map(str::to_owned) }
    }
}

/// 1-based line and column (in characters) of a byte offset in a TOML text.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Loads and validates the given sources together. Directories contribute every catalogue
/// file directly inside them, in name order.
pub fn load_sources(sources: &[Source]) -> Result<Catalogue, LoadError> {
    let mut parsed = Vec::new();
    let mut problems = Vec::new();
    let mut foreign = Vec::new();
    let mut files = Vec::new();
    for source in sources {
        match source {
            Source::Embedded => match parse_toml(EMBEDDED_NAME, EMBEDDED_TOML.to_owned()) {
                Ok(p) => parsed.push(p),
                Err(p) => problems.push(p),
            },
            Source::Path(path) => {
                for file in expand(path, &mut problems) {
                    if crate::import::looks_foreign(&file) {
                        foreign.push(file);
                    } else {
                        files.push(file);
                    }
                }
            }
        }
    }
    for result in read_files(&files) {
        match result {
            Ok(p) => parsed.push(p),
            Err(p) => problems.push(p),
        }
    }
    if !foreign.is_empty() {
        // Exports are imported together, so a speaker or track they share is one entity.
        let (doc, errors) = crate::import::import_paths(&foreign);
        for e in errors {
            problems.push(Problem { file: e.path().to_owned(), position: None, message: e.reason(), hint: None });
        }
        let names: Vec<String> = foreign.iter().map(|f| f.display().to_string()).collect();
        parsed.push(Parsed { name: names.join(" + "), text: Text::None, doc });
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    validate(parsed)
}

/// Parses and validates one TOML text, named `name` in messages.
pub fn parse_str(name: &str, text: &str) -> Result<Catalogue, LoadError> {
    let parsed = parse_toml(name, text.to_owned()).map_err(|p| LoadError { problems: vec![p] })?;
    validate(vec![parsed])
}

/// Validates documents that importers produced in memory (no source text, so no positions).
pub fn from_documents(docs: Vec<(String, FileDoc)>) -> Result<Catalogue, LoadError> {
    validate(docs.into_iter().map(|(name, doc)| Parsed { name, text: Text::None, doc }).collect())
}

fn expand(path: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let problem = |message: String, hint: &str| Problem {
        file: path.display().to_string(),
        position: None,
        message,
        hint: Some(hint.to_owned()),
    };
    // A pyvideo folder or `FORMAT:PATH` is one source, read whole by its importer.
    if crate::import::is_import_source(path) {
        return vec![path.to_owned()];
    }
    if !path.is_dir() {
        if !path.exists() {
            problems.push(problem("no such file or directory".into(), "check the --data path"));
            return Vec::new();
        }
        return vec![path.to_owned()];
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(problem(format!("cannot read directory: {e}"), "check its permissions"));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && crate::import::is_catalogue_candidate(p))
        .collect();
    files.sort();
    if files.is_empty() {
        problems.push(problem(
            "directory holds no catalogue files".into(),
            "put .toml catalogues (or schedule exports) in it, or name the file itself",
        ));
    }
    files
}

/// Reads and parses files on every core, results in the order given: a large catalogue split
/// into many files (`confbot import … -o DIR/`) loads in a fraction of the time. Threads take
/// the next file as they finish one, so a few large files do not leave a core idle.
fn read_files(files: &[PathBuf]) -> Vec<Result<Parsed, Problem>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    if threads <= 1 {
        return files.iter().map(|f| read_file(f)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(file) = files.get(i) else { return done };
            done.push((i, read_file(file)));
        }
    };
    let mut done: Vec<(usize, Result<Parsed, Problem>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(take)).collect();
        handles.into_iter().flat_map(|h| h.join().expect("parsing does not panic")).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn read_file(path: &Path) -> Result<Parsed, Problem> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Problem {
        file: name.clone(),
        position: None,
        message: format!("cannot read file: {e}"),
        hint: None,
    })?;
    let mut parsed = parse_toml(&name, text)?;
    parsed.text = Text::File(path.to_owned(), std::sync::OnceLock::new());
    Ok(parsed)
}

fn parse_toml(name: &str, text: String) -> Result<Parsed, Problem> {
    match toml::from_str::<FileDoc>(&text) {
        Ok(doc) => Ok(Parsed { name: name.to_owned(), text: Text::Kept(text), doc }),
        Err(e) => {
            let position = e.span().map(|s| line_column(&text, s.start));
            Err(Problem {
                file: name.to_owned(),
                position,
                message: e.message().trim().to_owned(),
                hint: Some(parse_hint(e.message()).to_owned()),
            })
        }
    }
}

fn parse_hint(message: &str) -> &'static str {
    if message.contains("unknown field") {
        "check the spelling of the key; docs/catalogue.md lists every key"
    } else if message.contains("missing field") {
        "add the key; docs/catalogue.md says which keys are required"
    } else if message.contains("unknown variant") {
        "use one of the listed values"
    } else {
        "see docs/catalogue.md for the format"
    }
}

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
fn validate(files: Vec<Parsed>) -> Result<Catalogue, LoadError> {
    let mut problems = Vec::new();
    let (mut conf_ids, mut topic_ids, mut speaker_ids, mut talk_ids, mut insight_ids) =
        (Table::default(), Table::default(), Table::default(), Table::default(), Table::default());

    let mut conferences = Vec::new();
    let mut topics = Vec::new();
    let mut speakers = Vec::new();
    for file in &files {
        for c in &file.doc.conferences {
            let c = c.get_ref();
            if conf_ids.declare("conference", &c.id, file, &mut problems) {
                conferences.push(Conference {
                    id: c.id.get_ref().clone(),
                    name: required_text(file, &c.name, "conference name", &mut problems),
                    year: c.year,
                    start: date(file, c.start.as_ref(), &mut problems),
                    end: date(file, c.end.as_ref(), &mut problems),
                    place: c.place.clone(),
                    url: url(file, c.url.as_ref(), &mut problems),
                    description: c.description.clone(),
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
            let t = t.get_ref();
            if topic_ids.declare("topic", &t.id, file, &mut problems) {
                topics.push(Topic {
                    id: t.id.get_ref().clone(),
                    name: required_text(file, &t.name, "topic name", &mut problems),
                    description: t.description.clone(),
                });
            }
        }
        for s in &file.doc.speakers {
            let s = s.get_ref();
            if speaker_ids.declare("speaker", &s.id, file, &mut problems) {
                let mut aliases = Vec::new();
                for alias in &s.aliases {
                    aliases.push(required_text(file, alias, "speaker alias", &mut problems));
                }
                speakers.push(Speaker {
                    id: s.id.get_ref().clone(),
                    name: required_text(file, &s.name, "speaker name", &mut problems),
                    aliases,
                    bio: s.bio.clone(),
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
            talks.push(talk(file, t, only_conference, [&conf_ids, &topic_ids, &speaker_ids], &mut problems));
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
            let l = l.get_ref();
            Link {
                kind: l.kind,
                label: l.label.clone(),
                availability: l.availability,
                url: url(file, l.url.as_ref(), problems),
            }
        })
        .collect();
    Talk {
        id: t.id.get_ref().clone(),
        conference: conference.unwrap_or(0),
        title: required_text(file, &t.title, "talk title", problems),
        speakers,
        topics,
        recorded: date(file, t.recorded.as_ref(), problems),
        summary: t.summary.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
        links,
    }
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

fn required_text(file: &Parsed, value: &Spanned<String>, what: &str, problems: &mut Vec<Problem>) -> String {
    let text = value.get_ref().trim();
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
    match url::Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(text.to_owned()),
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

fn date(
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
    fn line_column_counts_characters() {
        let text = "a = 1\nłódź = \"x\"";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, text.find('=').unwrap()), (1, 3));
        let second = text.rfind('=').unwrap();
        assert_eq!(line_column(text, second), (2, 6));
    }

    #[test]
    fn embedded_catalogue_is_valid() {
        let c = Catalogue::embedded();
        assert_eq!(c.counts().talks, 11);
    }
}
