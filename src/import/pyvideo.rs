//! pyvideo.org's data archive (github.com/pyvideo/data): one conference per event folder
//! (`category.json` and `videos/*.json`), talks listed in `NO_PUBLISH.json` never imported.
//!
//! Mapping: folder name → conference id, `category.json` title and description → name and
//! description, talks' recording dates
//! → the conference's dates; video file name → talk id; `speakers` → people (placeholders
//! dropped, "A and B" split); `description` (or `summary`) → summary; `videos` → public video
//! links labelled by host; `related_urls` → links (the "Conference Website" one becomes the
//! conference's address). Tags are not imported as topics: they are free-form and mostly name
//! the event or the kind of session ("pycon", "talk", "pycon2010"), 2,900 of them over the
//! archive; the report counts them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::draft::{date_prefix, ConferenceInfo, Draft, TalkInfo};
use super::{links, ImportError};

/// The archive's list of video ids that must never be shown.
pub const NO_PUBLISH: &str = "NO_PUBLISH.json";

/// True for an event folder (it has `category.json`).
pub fn is_event(dir: &Path) -> bool {
    dir.join("category.json").is_file()
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
    let hidden = match archive_root.map(|r| r.join(NO_PUBLISH)).filter(|p| p.is_file()) {
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
    let text =
        std::fs::read_to_string(file).map_err(|error| ImportError::Io { path: file.display().to_string(), error })?;
    // Refusing to import beats importing what must stay hidden.
    let ids: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(|e| ImportError::Format {
        path: file.display().to_string(),
        message: format!("expected a JSON list of video ids: {e}"),
    })?;
    Ok(ids.iter().filter_map(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))).collect())
}

#[derive(Deserialize)]
struct Category {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// One video file; every field optional, ids as numbers or strings.
#[derive(Deserialize)]
struct Video {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    speakers: Option<Vec<Option<String>>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    recorded: Option<String>,
    #[serde(default)]
    videos: Vec<Recording>,
    #[serde(default)]
    related_urls: Vec<Related>,
    #[serde(default)]
    tags: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Recording {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// `related_urls` holds objects `{label, url}` or, in old files, bare strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum Related {
    Labelled {
        #[serde(default)]
        label: Option<String>,
        #[serde(default)]
        url: Option<String>,
    },
    Bare(String),
}

/// One event folder as read from disk, before it goes into the draft.
struct Event {
    folder: String,
    category: Option<Category>,
    videos: Vec<(PathBuf, Result<Video, String>)>,
}

fn read_event(dir: &Path) -> Event {
    let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir.join("videos")) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    Event {
        folder,
        category: read_json::<Category>(&dir.join("category.json")).ok(),
        videos: files
            .into_iter()
            .map(|f| {
                let v = read_json::<Video>(&f);
                (f, v)
            })
            .collect(),
    }
}

fn add_event(draft: &mut Draft, event: Event, hidden: &HashSet<i64>) {
    let Event { folder, category, videos } = event;
    let (title, description) = match category {
        Some(c) => (c.title.filter(|t| !t.trim().is_empty()), c.description),
        None => (None, None),
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
    if videos.is_empty() {
        draft.report.adjust("event folder without videos", &folder);
    }
    for (file, video) in videos {
        match video {
            Ok(video) => talk(draft, &conference, &file, video, hidden),
            Err(e) => draft.report.skip("unreadable video file", format!("{}: {e}", file.display())),
        }
    }
}

fn talk(draft: &mut Draft, conference: &str, file: &Path, v: Video, hidden: &HashSet<i64>) {
    let id = v.id.as_ref().and_then(|i| i.as_i64().or_else(|| i.as_str().and_then(|s| s.trim().parse().ok())));
    if id.is_some_and(|i| hidden.contains(&i)) {
        draft.report.skip("talk listed in NO_PUBLISH.json", file.display().to_string());
        return;
    }
    let mut speakers = Vec::new();
    for name in v.speakers.unwrap_or_default() {
        speakers.extend(draft.speakers(name.as_deref().unwrap_or_default()));
    }
    if !v.tags.is_empty() {
        draft.report.skip("talk whose tags were not imported as topics", "");
    }
    let mut links = Vec::new();
    for r in &v.videos {
        match r.url.as_deref().and_then(|u| links::video(u, r.kind.as_deref())) {
            Some(l) => links.push(l),
            None => draft.report.skip("recording without a usable http(s) address", r.url.clone().unwrap_or_default()),
        }
    }
    for r in v.related_urls {
        let (label, url) = match r {
            Related::Labelled { label, url } => (label, url.unwrap_or_default()),
            Related::Bare(url) => (None, url),
        };
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
        recorded: v.recorded.as_deref().and_then(date_prefix),
        texts: v.description.into_iter().chain(v.summary).collect(),
        links,
    });
}

fn read_json<T: serde::de::DeserializeOwned>(file: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}
