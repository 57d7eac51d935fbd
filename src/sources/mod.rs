//! Where a catalogue comes from: the embedded one, catalogue files, folders of them, and the
//! exports organisers already have. This module finds the files, tells catalogues from exports,
//! reads them (in parallel), hands exports to [`crate::import`], and has
//! [`crate::catalogue::validate`] check everything together.

pub mod remote;

use std::path::{Path, PathBuf};

use crate::catalogue::schema::FileDoc;
use crate::catalogue::{self, Catalogue, LoadError, Parsed, Problem};
use crate::import;

/// The sources named by `--data` or the config's `data`: the embedded catalogue when none.
pub fn from_paths(paths: &[PathBuf]) -> Vec<Source> {
    if paths.is_empty() {
        vec![Source::Embedded]
    } else {
        paths.iter().cloned().map(Source::Path).collect()
    }
}

/// The sources of a configuration: its paths, then its URL sources (each read from its copy
/// on disk); the embedded catalogue when there are neither.
pub fn from_data(paths: &[PathBuf], remotes: &[remote::Remote]) -> Vec<Source> {
    if remotes.is_empty() {
        return from_paths(paths);
    }
    paths.iter().cloned().map(Source::Path).chain(remotes.iter().cloned().map(Source::Remote)).collect()
}

/// Where catalogue data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Embedded,
    Path(PathBuf),
    /// An export fetched from a URL, loaded from its last good copy on disk
    /// (`services::sync` keeps that copy up to date).
    Remote(remote::Remote),
}

/// Loads and validates the given sources together. Directories contribute every catalogue
/// file and every recognised export directly inside them, in name order; a `.json` or `.xml`
/// file there that is not an export (a JSON Schema beside the exports) is left out and
/// logged, not refused.
pub fn load(sources: &[Source]) -> Result<Catalogue, LoadError> {
    let mut parsed = Vec::new();
    let mut problems = Vec::new();
    let mut foreign = Vec::new();
    let mut files = Vec::new();
    let mut left_out = Vec::new();
    for source in sources {
        match source {
            Source::Embedded => match Parsed::embedded() {
                Ok(p) => parsed.push(p),
                Err(found) => problems.extend(found),
            },
            Source::Remote(remote) if remote.has_copy() => foreign.push(remote.copy()),
            Source::Remote(remote) => problems.push(Problem {
                file: remote.url.to_string(),
                position: None,
                message: "no copy of this export has been fetched yet".into(),
                hint: Some("`confbot run` fetches it at start-up; check the URL and the network".into()),
            }),
            Source::Path(path) => {
                for file in expand(path, &mut problems, &mut left_out) {
                    if looks_foreign(&file) {
                        foreign.push(file);
                    } else {
                        files.push(file);
                    }
                }
            }
        }
    }
    for note in &left_out {
        tracing::warn!("left out {note}");
    }
    for result in read_files(&files) {
        match result {
            Ok(p) => parsed.push(p),
            Err(found) => problems.extend(found),
        }
    }
    if !foreign.is_empty() {
        // Exports are imported together, so a speaker or track they share is one entity.
        let (doc, errors) = import_paths(&foreign);
        for e in errors {
            problems.push(Problem { file: e.path().to_owned(), position: None, message: e.reason(), hint: None });
        }
        let names: Vec<String> = foreign.iter().map(|f| f.display().to_string()).collect();
        parsed.push(Parsed::imported(names.join(" + "), doc));
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    catalogue::validate(parsed)
}

fn expand(path: &Path, problems: &mut Vec<Problem>, left_out: &mut Vec<String>) -> Vec<PathBuf> {
    let problem = |message: String, hint: &str| Problem {
        file: path.display().to_string(),
        position: None,
        message,
        hint: Some(hint.to_owned()),
    };
    // A pyvideo folder or `FORMAT:PATH` is one source, read whole by its importer.
    if is_import_source(path) {
        return vec![path.to_owned()];
    }
    if !path.is_dir() {
        if !path.exists() {
            // `foo:export.json` with a format name confbot does not know: say which it knows.
            let named = path.to_str().and_then(|p| p.split_once(':')).filter(|(name, rest)| {
                !rest.is_empty() && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
            match named.map(|(name, _)| import::Format::from_name(name)) {
                Some(Err(unknown)) => {
                    problems.push(problem(unknown, "write FORMAT:PATH with one of those names, or the path alone"));
                }
                _ => problems.push(problem("no such file or directory".into(), "check the --data path")),
            }
            return Vec::new();
        }
        return vec![path.to_owned()];
    }
    let mut files = match files_in(path) {
        Ok(files) => files,
        Err(e) => {
            problems.push(problem(format!("cannot read directory: {e}"), "check its permissions"));
            return Vec::new();
        }
    };
    files.retain(|f| {
        let candidate = is_catalogue_candidate(f);
        if !candidate && is_export_name(f) {
            left_out.push(not_an_export(f));
        }
        candidate
    });
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
fn read_files(files: &[PathBuf]) -> Vec<Result<Parsed, Vec<Problem>>> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(files.len().max(1));
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
    let mut done: Vec<(usize, Result<Parsed, Vec<Problem>>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(take)).collect();
        handles.into_iter().flat_map(|h| h.join().expect("parsing does not panic")).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn read_file(path: &Path) -> Result<Parsed, Vec<Problem>> {
    let name = path.display().to_string();
    // Regular files only, and at most as large as an export may be: a FIFO or a device named
    // `*.toml` must not hang or fill memory.
    let text = import::limits::read_text(path, import::limits::FILE_MAX).map_err(|e| {
        vec![Problem { file: name.clone(), position: None, message: format!("cannot read file: {e}"), hint: None }]
    })?;
    Parsed::from_file(path, text)
}

/// The exports a source of `confbot import` stands for: itself when it is a file, a pyvideo
/// archive or event folder, or `FORMAT:PATH`; for another folder, the exports directly in it,
/// in name order, with a note on each `.json`/`.xml`/`.toml` file left out. `Err` says why a
/// folder gives nothing to import, and what to type instead.
pub fn exports(path: &Path) -> Result<(Vec<PathBuf>, Vec<String>), String> {
    if is_import_source(path) || !path.is_dir() {
        return Ok((vec![path.to_owned()], Vec::new()));
    }
    let files = files_in(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut notes = Vec::new();
    let mut found = Vec::new();
    for file in files {
        if file.extension().is_some_and(|e| e == "toml") {
            notes.push(format!("{}: a catalogue, not an export (load it with --data)", file.display()));
        } else if is_catalogue_candidate(&file) {
            found.push(file);
        } else if is_export_name(&file) {
            notes.push(not_an_export(&file));
        }
    }
    if found.is_empty() {
        return Err(format!(
            "{} holds no export confbot imports (schedule.json, schedule.xml, Sessionize JSON) and is no pyvideo \
             archive or event folder; name the exports themselves: confbot import FORMAT FILE... -o OUT",
            path.display()
        ));
    }
    Ok((found, notes))
}

/// The regular files directly in `dir`, in name order.
fn files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)?;
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    Ok(files)
}

/// The note on a file named like an export that is not one: "schema.json: a JSON Schema, …".
fn not_an_export(file: &Path) -> String {
    format!("{}: {}", file.display(), import::not_an_export(file))
}

/// True for a file named like an export (`.json`, `.xml`), whatever it holds.
fn is_export_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json" || e == "xml")
}

/// True for files a data directory may hold: catalogues and recognised schedule exports.
pub fn is_catalogue_candidate(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
        || (path.extension().is_some_and(|e| e == "json" || e == "xml") && import::detect(path).is_some())
}

/// True when `--data PATH` names an import source as a whole: `FORMAT:PATH`, or a pyvideo
/// archive or event folder (which the loader must not list as a directory of catalogues).
pub fn is_import_source(path: &Path) -> bool {
    (import::split_override(path).is_some() && !path.exists()) || (path.is_dir() && import::detect(path).is_some())
}

/// True when a file should go through an importer rather than the TOML loader.
pub fn looks_foreign(path: &Path) -> bool {
    is_import_source(path) || path.extension().is_none_or(|e| e != "toml")
}

/// Imports the exports and archives given as `--data` (format detected, or `FORMAT:PATH`)
/// into one document, logging its summary.
pub fn import_paths(paths: &[PathBuf]) -> (FileDoc, Vec<import::ImportError>) {
    let (imported, errors) = import::import_all(paths);
    let r = &imported.report;
    tracing::info!(
        "imported {} source(s): {} conferences, {} talks, {} speakers, {} topics",
        paths.len(),
        r.conferences,
        r.talks,
        r.speakers,
        r.topics
    );
    (imported.doc, errors)
}
