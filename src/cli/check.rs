//! `confbot check`: validate catalogue files, or with `--config` a whole bot configuration,
//! offline, printing every problem at once with its file, line and column.

use std::path::Path;

use super::DataArgs;
use crate::config::Config;
use crate::{daily, sources};

pub fn run(data: &DataArgs, config: Option<&Path>) -> anyhow::Result<i32> {
    let Some(path) = config else {
        return Ok(match data.load() {
            Ok(c) => {
                println!("ok: {}", c.counts());
                0
            }
            Err(e) => {
                eprint!("{e}");
                1
            }
        });
    };
    // The environment's token is neither needed nor shown: only the file is checked.
    let config = match Config::from_file_only(path) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return Ok(1);
        }
    };
    let mut paths = config.data.clone();
    paths.extend(data.data.iter().cloned());
    // Offline: a URL source is checked from its last good copy, if one was fetched; never fetched.
    let (fetched, unfetched): (Vec<_>, Vec<_>) =
        config.remotes().into_iter().partition(crate::sources::remote::Remote::has_copy);
    for remote in &unfetched {
        println!("note: {} has no copy fetched yet; `confbot run` fetches it (not checked offline)", remote.url);
    }
    if paths.is_empty() && fetched.is_empty() && !unfetched.is_empty() {
        return Ok(match daily::entries::parse_entries(&config.daily) {
            Ok(entries) => {
                println!(
                    "ok: {} — {} [[daily]] entry(ies), checked against data once fetched",
                    path.display(),
                    entries.len()
                );
                0
            }
            Err(e) => {
                eprintln!("{}", config.locate_daily(e));
                1
            }
        });
    }
    let catalogue = match sources::load(&sources::from_data(&paths, &fetched)) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{}: its data does not load: {e}", path.display());
            return Ok(1);
        }
    };
    // Both sections are checked, so every problem of either is reported at once.
    let schedules = daily::entries::parse_entries(&config.daily)
        .and_then(|entries| daily::entries::schedules(&entries, &catalogue));
    let follows = crate::live::entries::follows(&config.live, &catalogue);
    let checked = match (schedules, follows) {
        (Ok(s), Ok(f)) => Ok((s, f)),
        (Err(a), Err(b)) => Err(daily::EntryProblems(a.0.into_iter().chain(b.0).collect())),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match checked {
        Ok((schedules, follows)) => {
            println!(
                "ok: {} — {} [[daily]] schedule(s), {} [[live]] follow(s); serving {}",
                path.display(),
                schedules.len(),
                follows.len(),
                catalogue.counts()
            );
            Ok(0)
        }
        Err(e) => {
            eprintln!("{}", config.locate_daily(e));
            Ok(1)
        }
    }
}
