//! `confbot insights export`: members' approved insights as a catalogue file (`[[insights]]`
//! naming talks and speakers by id) that `confbot check` accepts beside the catalogue it
//! refers to. docs/catalogue.md shows how an organiser merges it.

use std::path::Path;

use anyhow::Context as _;

use super::DataArgs;
use crate::catalogue::write::{to_toml, write_atomically};
use crate::community::{self, Status, Target};

pub fn export(state: &Path, data: &DataArgs, guild: Option<u64>, output: &Path) -> anyhow::Result<i32> {
    if !state.exists() {
        anyhow::bail!("{}: no such state file (the bot's `state` setting names it)", state.display());
    }
    let catalogue = data.load()?;
    let store = super::open_state(state)?;
    let approved = store.suggestions(guild, Status::Approved)?;
    // Without --guild, what moderators marked global: the operator publishes those everywhere.
    let chosen: Vec<_> = approved.into_iter().filter(|s| guild.is_some() || s.global).collect();
    let (kept, missing): (Vec<_>, Vec<_>) = chosen.into_iter().partition(|s| s.target(&catalogue) != Target::Missing);
    for s in &missing {
        eprintln!(
            "left out: suggestion #{} (server {}) names talk `{}`{}, which this catalogue does not have",
            s.id,
            s.guild_id,
            s.talk,
            s.speaker.as_deref().map(|sp| format!(" and speaker `{sp}`")).unwrap_or_default()
        );
    }
    let header = format!(
        "# Insights shared by members and approved by moderators ({}), exported by `confbot insights export`.\n\
         # Ids are stable: export again to update. Merge: docs/catalogue.md.\n\n",
        guild.map_or_else(|| "marked global".to_owned(), |g| format!("server {g}"))
    );
    let text = format!("{header}{}", to_toml(&community::to_document(&kept))?);
    write_atomically(output, text.as_bytes()).with_context(|| format!("cannot write {}", output.display()))?;
    eprintln!("wrote {} insight(s) to {}", kept.len(), output.display());
    Ok(0)
}
