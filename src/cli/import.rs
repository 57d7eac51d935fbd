//! `confbot import FORMAT SOURCE -o FILE.toml`: converts an export into a catalogue file,
//! checks that the catalogue loads, and prints the import's summary.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;

use crate::catalogue;
use crate::import::{self, Format};

pub fn run(format: &str, source: &Path, output: Option<&Path>) -> anyhow::Result<i32> {
    let format = Format::from_name(format).map_err(anyhow::Error::msg)?;
    let detected = format.or_else(|| import::detect(source));
    let started = Instant::now();
    let bar = (detected == Some(Format::Pyvideo) && std::io::stderr().is_terminal()).then(progress_bar);
    let imported = import::import(format, source, &mut |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let kind = detected.map_or("schedule", Format::name);
    let mut text = format!(
        "# Imported by `confbot import` from {} ({kind}).\n# Edit freely: docs/catalogue.md describes every key.\n\n",
        source.display()
    );
    text.push_str(&catalogue::write::to_toml(&imported.doc).context("writing the catalogue as TOML")?);
    let name = output.map_or_else(|| "<stdout>".to_owned(), |o| o.display().to_string());
    // An importer bug must not leave a file that `confbot check` rejects.
    if let Err(e) = catalogue::parse_str(&name, &text) {
        eprint!("the imported catalogue does not load (a confbot bug; please report it):\n{e}");
        return Ok(1);
    }
    let elapsed = started.elapsed();
    match output {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
            print!("{}", imported.report);
            println!("wrote {} ({} KB) in {:.1} s", path.display(), text.len() / 1024, elapsed.as_secs_f64());
        }
        None => {
            print!("{text}");
            eprint!("{}", imported.report);
        }
    }
    Ok(0)
}

fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template("{spinner} importing events {bar:40} {pos}/{len} {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
