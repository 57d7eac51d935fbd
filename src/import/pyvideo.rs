//! pyvideo.org's data archive (github.com/pyvideo/data): one conference per event folder
//! (`category.json` and `videos/*.json`), talks listed in `NO_PUBLISH.json` never imported.
//!
//! Mapping: folder name → conference id, `category.json` title and description → name and
//! description, talks' recording dates
//! → the conference's dates; video file name → talk id; `speakers` → people (placeholders
//! dropped, "A and B" split); `description` (or `summary`) → summary; `videos` → public video
//! links labelled by host; `related_urls` → links (the "Conference Website" one becomes the
//! conference's address); `tags` → topics, by the archive-scale rule of `tags` ("python", the
//! subject of every talk here, is never one). Folders whose name starts with a dot (the
//! archive's `.schemas`) are not events.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::draft::{date_prefix, ConferenceInfo, Draft, TalkInfo};
use super::{json, limits, links, ImportError};

/// The archive's list of video ids that must never be shown.
pub const NO_PUBLISH: &str = "NO_PUBLISH.json";

/// What every talk of the archive is about: a tag saying so tells no talk apart (pyvideo.org
/// indexes Python talks only; 271 talks are tagged "python" or "Python").
pub const SUBJECTS: &[&str] = &["python"];

/// True for an event folder: it has `category.json`, and its name does not start with a dot
/// (the archive's `.schemas` holds the JSON schemas of its files, `category.json` among them).
pub fn is_event(dir: &Path) -> bool {
    !dir.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) && dir.join("category.json").is_file()
}

/// True for the archive folder (it has event folders, or `NO_PUBLISH.json` beside folders).
pub fn is_archive(dir: &Path) -> bool {
    dir.is_dir()
        && !is_event(dir)
        && (dir.join(NO_PUBLISH).is_file() || !event_dirs(dir).unwrap_or_default().is_empty())
}

fn event_dirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| is_event(p)).collect();
    dirs.sort();
    Ok(dirs)
}

/// Imports the archive or one event folder. `progress(done, total)` is called after each
/// event folder.
pub fn import(draft: &mut Draft, path: &Path, progress: &mut dyn FnMut(usize, usize)) -> Result<(), ImportError> {
    draft.archive_subjects = SUBJECTS;
    let io = |source| ImportError::Io { path: path.display().to_string(), error: source };
    let (events, archive_root) = if is_event(path) {
        (vec![path.to_owned()], path.parent().map(Path::to_owned))
    } else {
        let events = event_dirs(path).map_err(io)?;
        if events.is_empty() {
            return Err(ImportError::Format {
                path: path.display().to_string(),
                message: "not a pyvideo archive: no folder in it has a category.json".into(),
            });
        }
        (events, Some(path.to_owned()))
    };
    // Anything named NO_PUBLISH.json must be read: a FIFO or a directory there is an error,
    // not a reason to import every talk.
    let hidden = match archive_root.map(|r| r.join(NO_PUBLISH)).filter(|p| p.symlink_metadata().is_ok()) {
        Some(file) => no_publish(&file)?,
        None => HashSet::new(),
    };
    // Reading and parsing the files is most of the work: a few event folders at a time are
    // read on every core, then added to the draft in folder order, so ids stay deterministic.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut done = 0;
    for batch in events.chunks(threads) {
        let read: Vec<Event> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch.iter().map(|dir| scope.spawn(move || read_event(dir))).collect();
            handles.into_iter().map(|h| h.join().expect("reading an event does not panic")).collect()
        });
        for event in read {
            add_event(draft, event, &hidden);
            done += 1;
            progress(done, events.len());
        }
    }
    Ok(())
}

fn no_publish(file: &Path) -> Result<HashSet<i64>, ImportError> {
    let text = limits::read_text(file, limits::FILE_MAX)
        .map_err(|error| ImportError::Io { path: file.display().to_string(), error })?;
    // Refusing to import beats importing what must stay hidden.
    let ids: Vec<Value> = serde_json::from_str(&text).map_err(|e| ImportError::Format {
        path: file.display().to_string(),
        message: format!("expected a JSON list of video ids: {e}"),
    })?;
    Ok(ids.iter().filter_map(video_id).collect())
}

/// A video id written as a number (`5984`, even `5984.0`) or as a string of one.
fn video_id(v: &Value) -> Option<i64> {
    let whole = |f: f64| (f.fract() == 0.0 && f.abs() < 9e15).then_some(f as i64);
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(whole)),
        Value::String(s) => s.trim().parse().ok().or_else(|| s.trim().parse().ok().and_then(whole)),
        _ => None,
    }
}

/// An event's `category.json`: its title and description, when readable.
struct Category {
    title: Option<String>,
    description: Option<String>,
}

/// One video file, read field by field so that one odd field never costs the talk: a field
/// that is missing, null, empty or of an unexpected type is absent (unexpected types are named
/// in the report). Only a missing or blank title drops the talk, reported by the draft.
#[derive(Default)]
struct Video {
    id: Option<i64>,
    title: Option<String>,
    /// Speaker entries, null ones as empty names (reported as such).
    speakers: Vec<String>,
    description: Option<String>,
    summary: Option<String>,
    recorded: Option<String>,
    videos: Vec<Recording>,
    related: Vec<Related>,
    tags: Vec<String>,
    /// The fields of an unexpected type that were left out.
    odd: Vec<&'static str>,
}

/// An entry of `videos`: `{type, url}`.
struct Recording {
    kind: Option<String>,
    url: Option<String>,
}

/// An entry of `related_urls`: `{label, url}` or, in old files, a bare string.
struct Related {
    label: Option<String>,
    url: String,
}

impl Video {
    fn read(v: &Value) -> Result<Video, String> {
        let Value::Object(fields) = v else {
            return Err(format!("expected a JSON object, found {}", json::kind(v)));
        };
        let mut video = Video::default();
        let odd = &mut video.odd;
        let given = |key: &str| fields.get(key).filter(|v| !json::is_blank(v));
        let text = |key: &'static str, odd: &mut Vec<&'static str>| {
            let value = given(key)?;
            json::as_text(value).or_else(|| {
                note(odd, key);
                None
            })
        };
        video.title = text("title", odd);
        video.description = text("description", odd);
        video.summary = text("summary", odd);
        video.recorded = match given("recorded") {
            Some(Value::String(date)) => Some(date.trim().to_owned()),
            Some(_) => {
                note(odd, "recorded");
                None
            }
            None => None,
        };
        if let Some(id) = given("id") {
            video.id = video_id(id);
            if video.id.is_none() {
                note(odd, "id");
            }
        }
        // A list of names; a single name is read as a list of one.
        let entries = match given("speakers") {
            Some(Value::Array(items)) => items.as_slice(),
            one => one.map(std::slice::from_ref).unwrap_or_default(),
        };
        for entry in entries {
            match entry {
                Value::String(name) if !name.trim().is_empty() => video.speakers.push(name.clone()),
                // Counted as an empty speaker name, as an export's empty entries are.
                _ if json::is_blank(entry) => video.speakers.push(String::new()),
                _ => note(odd, "speakers"),
            }
        }
        match given("tags") {
            Some(Value::Array(items)) => {
                for item in items {
                    match item {
                        Value::String(tag) => video.tags.push(tag.clone()),
                        _ if json::is_blank(item) => {}
                        _ => note(odd, "tags"),
                    }
                }
            }
            Some(Value::String(tag)) => video.tags.push(tag.clone()),
            Some(_) => note(odd, "tags"),
            None => {}
        }
        for item in list(given("videos"), "videos", odd) {
            match item {
                Value::Object(_) => {
                    video.videos.push(Recording { kind: json::text(item, "type"), url: json::text(item, "url") });
                }
                Value::String(url) => video.videos.push(Recording { kind: None, url: Some(url.trim().to_owned()) }),
                _ => note(odd, "videos"),
            }
        }
        for item in list(given("related_urls"), "related_urls", odd) {
            match item {
                Value::Object(_) => video.related.push(Related {
                    label: json::text(item, "label"),
                    url: json::text(item, "url").unwrap_or_default(),
                }),
                Value::String(url) => video.related.push(Related { label: None, url: url.trim().to_owned() }),
                _ => note(odd, "related_urls"),
            }
        }
        Ok(video)
    }
}

/// The items of a given list field; none when it is absent, or not a list (noted).
fn list<'a>(value: Option<&'a Value>, key: &'static str, odd: &mut Vec<&'static str>) -> &'a [Value] {
    match value {
        Some(Value::Array(items)) => items,
        Some(_) => {
            note(odd, key);
            &[]
        }
        None => &[],
    }
}

fn note(odd: &mut Vec<&'static str>, key: &'static str) {
    if !odd.contains(&key) {
        odd.push(key);
    }
}

/// One event folder as read from disk, before it goes into the draft.
struct Event {
    folder: String,
    /// `Err` says why `category.json` could not be read.
    category: Result<Category, String>,
    /// `Err` says why the `videos` folder could not be listed (a missing one is no error).
    listing: Result<(), String>,
    videos: Vec<(PathBuf, Result<Video, String>)>,
}

fn read_event(dir: &Path) -> Event {
    let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (mut files, listing): (Vec<PathBuf>, _) = match std::fs::read_dir(dir.join("videos")) {
        Ok(entries) => (
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect(),
            Ok(()),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), Ok(())),
        Err(e) => (Vec::new(), Err(e.to_string())),
    };
    files.sort();
    let category = read_json(&dir.join("category.json"), limits::FILE_MAX)
        .map(|v| Category { title: json::text(&v, "title"), description: json::text(&v, "description") });
    Event {
        folder,
        category,
        listing,
        videos: files
            .into_iter()
            .map(|f| {
                let v = read_json(&f, limits::VIDEO_FILE_MAX).and_then(|v| Video::read(&v));
                (f, v)
            })
            .collect(),
    }
}

fn add_event(draft: &mut Draft, event: Event, hidden: &HashSet<i64>) {
    let Event { folder, category, listing, videos } = event;
    let (title, description) = match category {
        Ok(c) => (c.title, c.description),
        Err(e) => {
            draft.report.skip_whole("unreadable category.json (folder name used)", format!("{e} ({folder})"));
            (None, None)
        }
    };
    if title.is_none() {
        draft.report.adjust("event without a readable title (folder name used)", &folder);
    }
    let conference = draft.conference(ConferenceInfo {
        id_hint: folder.clone(),
        name: title.unwrap_or(folder.clone()),
        description,
        ..Default::default()
    });
    if let Err(e) = listing {
        draft.report.skip_whole("unreadable videos folder", format!("{e} ({folder})"));
    } else if videos.is_empty() {
        draft.report.adjust("event folder without videos", &folder);
    }
    for (file, video) in videos {
        let shown = || format!("{folder}/videos/{}", file.file_name().unwrap_or_default().to_string_lossy());
        match video {
            Ok(video) => {
                for field in &video.odd {
                    draft.report.adjust_whole(
                        "video file field of an unexpected type left out",
                        format!("{field} ({})", shown()),
                    );
                }
                talk(draft, &conference, &file, video, hidden);
            }
            Err(e) => draft.report.skip_whole("unreadable video file", format!("{e} ({})", shown())),
        }
    }
}

fn talk(draft: &mut Draft, conference: &str, file: &Path, v: Video, hidden: &HashSet<i64>) {
    if v.id.is_some_and(|i| hidden.contains(&i)) {
        draft.report.skip("talk listed in NO_PUBLISH.json", file.display().to_string());
        return;
    }
    let mut speakers = Vec::new();
    for name in &v.speakers {
        speakers.extend(draft.speakers(name));
    }
    let mut links = Vec::new();
    for r in &v.videos {
        match r.url.as_deref().and_then(|u| links::video(u, r.kind.as_deref())) {
            Some(l) => links.push(l),
            None => draft.report.skip("recording without a usable http(s) address", r.url.clone().unwrap_or_default()),
        }
    }
    for Related { label, url } in v.related {
        if label.as_deref().is_some_and(|l| l.to_lowercase().contains("conference")) {
            draft.conference_url(conference, &url);
            continue;
        }
        match links::titled(label.as_deref(), &url) {
            Some(l) => links.push(l),
            None => draft.report.skip("related link without a usable http(s) address", url),
        }
    }
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
    draft.talk(TalkInfo {
        source_key: stem.clone(),
        id_hint: stem,
        title: v.title.unwrap_or_default(),
        conference: conference.to_owned(),
        speakers,
        topics: Vec::new(),
        tags: v.tags,
        recorded: v.recorded.as_deref().and_then(date_prefix),
        texts: v.description.into_iter().chain(v.summary).collect(),
        links,
        session: Default::default(),
    });
}

/// Reads a JSON file of at most `max` bytes; `Err` says why it could not be.
fn read_json(file: &Path, max: u64) -> Result<Value, String> {
    let text = limits::read_text(file, max).map_err(|e| format!("cannot read: {e}"))?;
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| format!("invalid JSON: {e}"))
}
