//! Writing a catalogue document as TOML that reads well by hand.

use super::schema::FileDoc;

/// Serialises a document; sections come in the order conferences, topics, speakers, talks,
/// insights, each entry a `[[table]]`.
pub fn to_toml(doc: &FileDoc) -> Result<String, toml::ser::Error> {
    toml::to_string_pretty(doc)
}
