//! Approved insights as a catalogue file: `[[insights]]` entries that name their talk and
//! speaker by catalogue id, so the file loads beside the catalogue it refers to and keeps
//! working after that conference is imported again (imports keep their ids).

use super::Suggestion;
use crate::catalogue::schema::{unspanned, FileDoc, InsightDoc};

/// The catalogue id of an exported insight: stable, so exporting again after a merge gives the
/// same entries, and the bot stops serving its own copy once the catalogue carries it.
pub fn export_id(guild_id: u64, id: i64) -> String {
    format!("shared-{guild_id}-{id}")
}

/// The document holding these suggestions as insights, in the order given.
pub fn to_document(suggestions: &[Suggestion]) -> FileDoc {
    let insights = suggestions
        .iter()
        .map(|s| {
            unspanned(InsightDoc {
                id: unspanned(export_id(s.guild_id, s.id)),
                kind: s.kind,
                text: unspanned(s.text.clone()),
                talk: unspanned(s.talk.clone()),
                speaker: s.speaker.clone().map(unspanned),
            })
        })
        .collect();
    FileDoc { insights, ..FileDoc::default() }
}
