//! `confbot import FORMAT SOURCE... -o FILE.toml [--timezone ZONE]`: converts exports into one
//! catalogue file, checks that the catalogue loads, and prints the import's summary (with how
//! many talks kept a time and a room). `--timezone` is the zone of exports that name none. A folder that is not a
//! pyvideo one stands for the exports in it ([`sources::exports`]); the files in it that are
//! not exports are left out and listed in the summary.
//!
//! Exit codes: 0 when written; 1 when the source holds no talks (nothing is written, so an
//! earlier output stays) or the result does not load; an error for a source that cannot be read.
//! Outputs are written atomically ([`catalogue::write`]): a killed import leaves the old
//! file or folder, or the complete new one, never part of one.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::catalogue::{self, schema::FileDoc};
use crate::import::{self, Format, Options};
use crate::sources;

pub fn run(
    format: &str,
    sources: &[PathBuf],
    output: Option<&Path>,
    name: Option<&str>,
    timezone: Option<&str>,
) -> anyhow::Result<i32> {
    let format = Format::from_name(format).map_err(anyhow::Error::msg)?;
    // An unknown zone is an error before anything is read, with the closest names.
    let timezone =
        timezone.map(crate::zones::parse_zone).transpose().map_err(|e| anyhow::anyhow!("--timezone: {e}"))?;
    let mut files = Vec::new();
    let mut left_out = Vec::new();
    for source in sources {
        let (found, notes) = sources::exports(source).map_err(anyhow::Error::msg)?;
        files.extend(found);
        left_out.extend(notes);
    }
    let detected: Vec<Option<Format>> = files.iter().map(|f| format.or_else(|| import::detect(f))).collect();
    let started = Instant::now();
    let bar = (detected.contains(&Some(Format::Pyvideo)) && std::io::stderr().is_terminal()).then(progress_bar);
    let options = Options { format, name: name.map(str::to_owned), timezone };
    let mut imported = import::import_sources(&files, &options, &mut |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for note in left_out {
        imported.report.skip_whole("file in a source folder that is not an export", note);
    }
    let shown_sources = sources.iter().map(|s| s.display().to_string()).collect::<Vec<_>>().join(", ");
    if imported.report.talks == 0 {
        // A catalogue without talks is no use, and writing it would replace a good one.
        eprint!("{}", imported.report);
        let why = if imported.report.skipped.keys().any(|r| r.contains("talk") || r.contains("video")) {
            "every talk in it was left out (see above)"
        } else {
            "it lists none"
        };
        eprintln!("found no talks in {shown_sources}: {why}; nothing was written");
        return Ok(1);
    }
    let kind = match detected.first() {
        Some(&first) if detected.iter().all(|&d| d == first) => first.map_or("schedule", Format::name),
        _ => "several formats",
    };
    // The sources' names go into a TOML comment: a line break or control character from a
    // file name must not end the comment (or reach a terminal).
    let shown: String = shown_sources.chars().filter(|&c| !crate::reply::is_hidden(c)).collect();
    let header =
        format!("{HEADER_START} from {shown} ({kind}).\n# Edit freely: docs/catalogue.md describes every key.\n\n");
    let into_dir = output.is_some_and(|o| o.is_dir() || o.to_string_lossy().ends_with('/'));
    let files: Vec<(String, FileDoc)> = if into_dir {
        split_by_conference(imported.doc)
    } else {
        vec![(output.map_or_else(|| "<stdout>".to_owned(), |o| o.display().to_string()), imported.doc)]
    };
    let mut texts = Vec::with_capacity(files.len());
    let mut reread = Vec::with_capacity(files.len());
    for (name, doc) in &files {
        let text = format!("{header}{}", catalogue::write::to_toml(doc).context("writing the catalogue as TOML")?);
        // An importer bug must not leave files that `confbot check` rejects: read them back first.
        reread.push((name.clone(), toml::from_str(&text).with_context(|| format!("reading back {name}"))?));
        texts.push((name.clone(), text));
    }
    if let Err(e) = catalogue::from_documents(reread) {
        eprint!("the imported catalogue does not load (a confbot bug; please report it):\n{e}");
        return Ok(1);
    }
    let elapsed = started.elapsed();
    let size: usize = texts.iter().map(|(_, t)| t.len()).sum();
    match output {
        Some(path) if into_dir => {
            if let Some(foreign) = foreign_entry(path) {
                anyhow::bail!(
                    "{} holds {foreign}, which `confbot import` did not write: the import replaces the folder \
                     whole, so name a new or empty folder (or one an earlier import wrote)",
                    path.display()
                );
            }
            catalogue::write::replace_dir_atomically(path, &texts)
                .with_context(|| format!("writing {}", path.display()))?;
            print!("{}", imported.report);
            println!(
                "wrote {} files into {} ({} KB) in {:.1} s",
                texts.len(),
                path.display(),
                size / 1024,
                elapsed.as_secs_f64()
            );
        }
        Some(path) => {
            catalogue::write::write_atomically(path, texts[0].1.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            print!("{}", imported.report);
            println!("wrote {} ({} KB) in {:.1} s", path.display(), size / 1024, elapsed.as_secs_f64());
        }
        None => {
            print!("{}", texts[0].1);
            eprint!("{}", imported.report);
        }
    }
    Ok(0)
}

/// The first entry of an existing output folder that an import did not write (anything but a
/// `.toml` file starting with an import's header), as replacing the folder would delete it.
fn foreign_entry(dir: &Path) -> Option<String> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut names: Vec<_> = entries.filter_map(std::result::Result::ok).collect();
    names.sort_by_key(std::fs::DirEntry::file_name);
    names
        .into_iter()
        .map(|e| e.path())
        .find(|p| !written_by_import(p))
        .map(|p| format!("{:?}", p.file_name().unwrap_or_default()))
}

fn written_by_import(file: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; HEADER_START.len()];
    file.extension().is_some_and(|e| e == "toml")
        && std::fs::symlink_metadata(file).is_ok_and(|m| m.is_file())
        && std::fs::File::open(file).and_then(|mut f| f.read_exact(&mut head)).is_ok()
        && head == HEADER_START.as_bytes()
}

/// How every file an import writes begins.
const HEADER_START: &str = "# Imported by `confbot import`";

/// One file per conference (`<id>.toml`: the conference and its talks) and `_speakers.toml`
/// with the topics and speakers they share. Ids never start with `_`, so names cannot clash.
fn split_by_conference(doc: FileDoc) -> Vec<(String, FileDoc)> {
    let mut files: Vec<(String, FileDoc)> = vec![(
        "_speakers.toml".to_owned(),
        FileDoc { topics: doc.topics, speakers: doc.speakers, ..FileDoc::default() },
    )];
    let mut by_id = std::collections::HashMap::new();
    for c in doc.conferences {
        let id = c.get_ref().id.get_ref().clone();
        by_id.insert(id.clone(), files.len());
        files.push((format!("{id}.toml"), FileDoc { conferences: vec![c], ..FileDoc::default() }));
    }
    for t in doc.talks {
        let ix = t.get_ref().conference.as_ref().and_then(|c| by_id.get(c.get_ref()).copied()).unwrap_or(0);
        files[ix].1.talks.push(t);
    }
    files
}

fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template("{spinner} importing events {bar:40} {pos}/{len} {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
