//! Importers from the formats organisers already have, one module per format. Each produces a
//! catalogue document ([`FileDoc`]) that `confbot check` accepts, and an [`ImportReport`].
//!
//! # Layout
//! - `pyvideo`, `frab_json` (frab, pretalx, c3voc hub), `frab_xml` (frab, Pentabarf),
//!   `sessionize`: one format each, mapping the export onto a [`Draft`](draft::Draft);
//! - `draft`: the shared document builder — ids, summaries, and one speaker per person;
//! - `people`, `text`, `links`, `ids`, `json`, `xml`: the tolerant reading of names, free text,
//!   links, ids and loosely typed files;
//! - `times`: instants, local times, clock times, durations and conference days as exports
//!   write them;
//! - `limits`: the caps on file size and XML nesting, and the one function that reads a file;
//! - `report`: the summary an import ends with.
//!
//! Detection: a directory is a pyvideo archive or event folder; a file is recognised by its
//! content (`<schedule` → schedule XML; JSON with `"schedule"` → schedule.json; JSON with
//! `"sessions"` → Sessionize). `FORMAT:PATH` (e.g. `pretalx:export.json`) names the format.

mod draft;
mod frab_json;
mod frab_xml;
mod ids;
mod json;
pub mod limits;
mod links;
mod markup;
mod people;
pub mod pyvideo;
mod report;
mod sessionize;
mod tags;
mod text;
mod times;
mod xml;

use std::io::Read;
use std::path::{Path, PathBuf};

pub use report::{ImportReport, Sessions, Tally};
pub use text::is_hostile;

use crate::catalogue::schema::FileDoc;

/// Why a source could not be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
}

/// An imported document and the summary of how it was made.
#[derive(Debug)]
pub struct Imported {
    pub doc: FileDoc,
    pub report: ImportReport,
}

/// The formats confbot imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The pyvideo.org data archive, or one event folder of it.
    Pyvideo,
    /// frab / pretalx `schedule.json`, including the c3voc "schedule 2" hub format.
    ScheduleJson,
    /// frab `schedule.xml` and Pentabarf XML (FOSDEM).
    ScheduleXml,
    /// Sessionize "All data" JSON.
    Sessionize,
}

/// The names a format may be given by, on the command line and in `FORMAT:PATH`.
pub const FORMAT_NAMES: &[(&str, Option<Format>)] = &[
    ("auto", None),
    ("pyvideo", Some(Format::Pyvideo)),
    ("pretalx", Some(Format::ScheduleJson)),
    ("frab-json", Some(Format::ScheduleJson)),
    ("frab", None),
    ("frab-xml", Some(Format::ScheduleXml)),
    ("pentabarf", Some(Format::ScheduleXml)),
    ("sessionize", Some(Format::Sessionize)),
];

impl ImportError {
    /// The file the error is about.
    pub fn path(&self) -> &str {
        match self {
            ImportError::Io { path, .. } | ImportError::Format { path, .. } => path,
        }
    }

    /// What is wrong, without the file name.
    pub fn reason(&self) -> String {
        match self {
            ImportError::Io { error, .. } => format!("cannot read: {error}"),
            ImportError::Format { message, .. } => message.clone(),
        }
    }
}

impl Format {
    /// Reads a format name: `Ok(None)` for `auto` and `frab` (JSON or XML, told by content).
    pub fn from_name(name: &str) -> Result<Option<Format>, String> {
        let lower = name.trim().to_lowercase();
        FORMAT_NAMES.iter().find(|(n, _)| *n == lower).map(|(_, f)| *f).ok_or_else(|| {
            let names: Vec<&str> = FORMAT_NAMES.iter().map(|(n, _)| *n).collect();
            format!("unknown format {name:?}; use one of: {}", names.join(", "))
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Pyvideo => "pyvideo",
            Format::ScheduleJson => "frab/pretalx schedule.json",
            Format::ScheduleXml => "frab/Pentabarf schedule.xml",
            Format::Sessionize => "Sessionize JSON",
        }
    }
}

/// How much of a file is read to recognise its format.
const SNIFF_BYTES: u64 = 64 * 1024;

/// Recognises a format from the start of a file's text. A JSON Schema (c3voc publishes the
/// schemas of schedule.json beside the exports) is no export, though it names their fields.
pub fn detect_text(head: &str) -> Option<Format> {
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('<') {
        return head.contains("<schedule").then_some(Format::ScheduleXml);
    }
    if !head.starts_with('{') || is_json_schema(head) {
        return None;
    }
    if head.contains("\"schedule\"") || head.contains("\"conference\"") {
        Some(Format::ScheduleJson)
    } else if head.contains("\"sessions\"") {
        Some(Format::Sessionize)
    } else {
        None
    }
}

/// True when the start of a JSON text declares a JSON Schema: its `"$schema"` is a
/// json-schema.org meta-schema (an export's own `"$schema"` names the schema it follows).
fn is_json_schema(head: &str) -> bool {
    head.match_indices("\"$schema\"").any(|(at, key)| {
        let rest = head[at + key.len()..].trim_start();
        rest.strip_prefix(':').is_some_and(|v| {
            let value = v.trim_start().strip_prefix('"').unwrap_or_default();
            value.split('"').next().is_some_and(|url| url.contains("json-schema.org/"))
        })
    })
}

/// Why a file is not imported: what it is instead, for messages and import summaries.
pub fn not_an_export(path: &Path) -> &'static str {
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(SNIFF_BYTES).read_to_end(&mut head));
    match read {
        Ok(_) if is_json_schema(String::from_utf8_lossy(&head).trim_start_matches('\u{feff}').trim_start()) => {
            "a JSON Schema, not an export"
        }
        _ => "not a format confbot imports",
    }
}

/// Recognises the format of a path: pyvideo for an archive or event directory, otherwise
/// from the file's first bytes. `None` for TOML catalogues, anything unknown, and anything
/// but a directory or a regular file (a FIFO is never opened: that would wait for a writer).
pub fn detect(path: &Path) -> Option<Format> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        return (pyvideo::is_event(path) || pyvideo::is_archive(path)).then_some(Format::Pyvideo);
    }
    if path.extension().is_some_and(|e| e == "toml") || !meta.is_file() {
        return None;
    }
    let mut head = Vec::new();
    std::fs::File::open(path).ok()?.take(SNIFF_BYTES).read_to_end(&mut head).ok()?;
    detect_text(&String::from_utf8_lossy(&head))
}

/// Splits `FORMAT:PATH` (e.g. `pretalx:schedule.json`) when FORMAT is a known format name and
/// PATH is not empty. Returns the format (`None` for `auto`/`frab`) and the path.
pub fn split_override(path: &Path) -> Option<(Option<Format>, PathBuf)> {
    let text = path.to_str()?;
    let (name, rest) = text.split_once(':')?;
    let format = Format::from_name(name).ok()?;
    (!rest.is_empty()).then(|| (format, PathBuf::from(rest)))
}

/// Imports `path` as `format`, or as the detected format when `None`. `progress(done, total)`
/// is called as a pyvideo archive is read, event by event.
pub fn import(
    format: Option<Format>,
    path: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported, ImportError> {
    import_sources(std::slice::from_ref(&path.to_owned()), &Options { format, ..Options::default() }, progress)
}

/// How `confbot import` asks for an import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The sources' format; `None` detects each (a source may also be `FORMAT:PATH`).
    pub format: Option<Format>,
    /// The name of the import's one conference, for exports that name none (Sessionize).
    pub name: Option<String>,
    /// The zone of exports that name none (`--timezone`): their local times are read in it.
    pub timezone: Option<chrono_tz::Tz>,
}

/// Imports several sources into one document, as [`import_all`] does, but fails on the first
/// source that cannot be read. `progress(done, total)` is called as a pyvideo archive is read.
/// With [`Options::name`], the import must hold exactly one conference, which is so named.
pub fn import_sources(
    paths: &[PathBuf],
    options: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported, ImportError> {
    let mut draft = draft::Draft::default();
    draft.conference_name.clone_from(&options.name);
    draft.timezone = options.timezone;
    for path in paths {
        let (format, real) = match split_override(path).filter(|_| options.format.is_none() && !path.exists()) {
            Some((format, real)) => (format, real),
            None => (options.format, path.clone()),
        };
        import_into(&mut draft, format, &real, progress)?;
    }
    let (doc, report) = draft.finish();
    if options.name.is_some() && doc.conferences.len() != 1 {
        return Err(ImportError::Format {
            path: paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
            message: format!(
                "--name names one conference, and this import holds {}; leave it out to keep the names the exports give",
                doc.conferences.len()
            ),
        });
    }
    Ok(Imported { doc, report })
}

/// Imports several sources into one document, so that the people, topics and ids they share
/// are one catalogue's: a speaker at two conferences is one speaker. Each source given as
/// `FORMAT:PATH` or detected. Sources that cannot be read are returned as errors; the others
/// are imported.
pub fn import_all(paths: &[PathBuf]) -> (Imported, Vec<ImportError>) {
    let mut draft = draft::Draft::default();
    let mut errors = Vec::new();
    for path in paths {
        let (format, real) = match split_override(path).filter(|_| !path.exists()) {
            Some((format, real)) => (format, real),
            None => (None, path.clone()),
        };
        if let Err(e) = import_into(&mut draft, format, &real, &mut |_, _| {}) {
            errors.push(e);
        }
    }
    let (doc, report) = draft.finish();
    (Imported { doc, report }, errors)
}

fn import_into(
    draft: &mut draft::Draft,
    format: Option<Format>,
    path: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), ImportError> {
    let shown = path.display().to_string();
    let Some(format) = format.or_else(|| detect(path)) else {
        // Not found, or neither a directory nor a regular file: say so rather than "not a format".
        if let Err(error) = std::fs::metadata(path).and_then(|m| if m.is_dir() { Ok(()) } else { limits::regular(&m) })
        {
            return Err(ImportError::Io { path: shown, error });
        }
        let message = if path.is_dir() {
            "a folder that is not a pyvideo archive or event folder (a folder of schedule exports is read by \
             `confbot import auto DIR` or `--data DIR`)"
                .to_owned()
        } else {
            format!(
                "{} (pyvideo folder, schedule.json, schedule.xml, Sessionize JSON); if it is one, give its format: \
                 `confbot import FORMAT FILE`, or `--data FORMAT:FILE`",
                not_an_export(path)
            )
        };
        return Err(ImportError::Format { path: shown, message });
    };
    if format == Format::Pyvideo {
        return pyvideo::import(draft, path, progress);
    }
    let text =
        limits::read_text(path, limits::FILE_MAX).map_err(|error| ImportError::Io { path: shown.clone(), error })?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let fail = |message: String| ImportError::Format { path: shown.clone(), message };
    let json = || serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}'));
    match format {
        Format::ScheduleXml => frab_xml::import(draft, &text, &stem).map_err(fail),
        Format::ScheduleJson => {
            let value = json().map_err(|e| fail(format!("invalid JSON: {e}")))?;
            frab_json::import(draft, &value, &text, &stem).map_err(fail)
        }
        Format::Sessionize => {
            let value = json().map_err(|e| fail(format!("invalid JSON: {e}")))?;
            sessionize::import(draft, &value, &stem).map_err(fail)
        }
        Format::Pyvideo => unreachable!("handled above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_from_content() {
        assert_eq!(detect_text("<?xml version='1.0'?>\n<schedule>"), Some(Format::ScheduleXml));
        assert_eq!(detect_text("\u{feff} {\"$schema\": \"x\", \"schedule\": {"), Some(Format::ScheduleJson));
        assert_eq!(detect_text("{\"sessions\": [], \"speakers\": []}"), Some(Format::Sessionize));
        assert_eq!(detect_text("[2845, 5984]"), None);
        assert_eq!(detect_text("<html>"), None);
        assert_eq!(detect_text("[[talks]]"), None);
        let schema =
            "{\n  \"$schema\": \"http://json-schema.org/draft-06/schema#\",\n  \"properties\": {\"schedule\": {}}}";
        assert_eq!(detect_text(schema), None, "a JSON Schema is not an export");
        let export = "{\"$schema\": \"https://c3voc.de/schedule/schema.json\", \"schedule\": {}}";
        assert_eq!(detect_text(export), Some(Format::ScheduleJson));
    }

    #[test]
    fn format_names_and_overrides() {
        assert_eq!(Format::from_name("Pretalx"), Ok(Some(Format::ScheduleJson)));
        assert_eq!(Format::from_name("frab"), Ok(None));
        assert!(Format::from_name("csv").is_err());
        assert_eq!(
            split_override(Path::new("pentabarf:fosdem.xml")),
            Some((Some(Format::ScheduleXml), PathBuf::from("fosdem.xml")))
        );
        assert_eq!(split_override(Path::new("data/x.toml")), None);
        assert_eq!(split_override(Path::new("csv:x")), None);
        assert_eq!(split_override(Path::new("pyvideo:")), None);
    }
}
