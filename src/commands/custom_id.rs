//! The envelope of every button's custom_id: self-contained and versioned, so a click needs no
//! server-side session and survives restarts. Each command encodes and decodes its own fields
//! (see its `button` functions); this module adds and checks the version and the command.
//!
//! Format: `c1:<command>:<field>:<field>…`. Fields are catalogue ids (no `:`) except that a
//! command's last field may be free text (`/search`'s query), which may contain anything. At
//! most 100 characters: the end of the last field is cut to fit.

use super::{find, Invocation};
use crate::catalogue::resolve::id_value;
use crate::reply::limits;

const VERSION: &str = "c1";

/// A custom_id for `command` with these fields, cut to Discord's 100 characters.
pub fn encode(command: &str, fields: &[&str]) -> String {
    let id = format!("{VERSION}:{command}:{}", fields.join(":"));
    if id.chars().count() <= limits::CUSTOM_ID {
        id
    } else {
        id.chars().take(limits::CUSTOM_ID).collect()
    }
}

/// Why a custom_id was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaleButton {
    #[error("this button comes from an older version of confbot")]
    OldVersion,
    #[error("this button was not made by confbot")]
    Foreign,
}

/// The invocation a button stands for.
pub fn decode(custom_id: &str) -> Result<Invocation, StaleButton> {
    let mut parts = custom_id.splitn(2, ':');
    match parts.next() {
        Some(VERSION) => {}
        Some(v) if v.starts_with('c') && v[1..].parse::<u32>().is_ok() => return Err(StaleButton::OldVersion),
        _ => return Err(StaleButton::Foreign),
    }
    let rest = parts.next().ok_or(StaleButton::Foreign)?;
    let (command, fields) = rest.split_once(':').ok_or(StaleButton::Foreign)?;
    let command = find(command).ok_or(StaleButton::Foreign)?;
    (command.button)(fields)
}

/// Exactly `n` fields; the last takes the rest, `:` included.
pub fn fields(text: &str, n: usize) -> Result<Vec<&str>, StaleButton> {
    let parts: Vec<&str> = text.splitn(n, ':').collect();
    if parts.len() == n {
        Ok(parts)
    } else {
        Err(StaleButton::Foreign)
    }
}

/// A page field, as the invocation's `page` option.
pub fn page(field: &str) -> Result<String, StaleButton> {
    field.parse::<usize>().map(|p| p.to_string()).map_err(|_| StaleButton::Foreign)
}

/// Adds `option` naming the entity with this id, unless the field is empty.
pub fn with_id(inv: Invocation, option: &str, id: &str) -> Invocation {
    if id.is_empty() {
        inv
    } else {
        inv.with(option, id_value(id))
    }
}

/// A free-text field (a room, a track) made safe to sit among others: `%` and `:` escaped.
pub fn escape(text: &str) -> String {
    text.replace('%', "%25").replace(':', "%3A")
}

/// Adds `option` with the text of an [`escape`]d field, unless the field is empty.
pub fn with_text(inv: Invocation, option: &str, field: &str) -> Invocation {
    if field.is_empty() {
        inv
    } else {
        inv.with(option, field.replace("%3A", ":").replace("%25", "%"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{insight, search, speaker, talk, topic, topics};

    #[test]
    fn round_trips() {
        // Each button decodes into what the same command typed with marked ids would be.
        let cases = [
            (topic::button("ai", None, 2), "/topic name: id:ai page: 2"),
            (topics::button(Some("pycon-us-2024"), false, 1), "/topics page: 1 conference: id:pycon-us-2024"),
            (topics::button(None, true, 2), "/topics page: 2 sort: name"),
            (speaker::button("simon-willison", None, 0), "/speaker name: id:simon-willison page: 0"),
            (speaker::button("s", Some("c"), 1), "/speaker name: id:s page: 1 conference: id:c"),
            (talk::button("keynote-simon-willison"), "/talk title: id:keynote-simon-willison"),
            (insight::button(Some("ai"), None, None), "/insight topic: id:ai"),
            (search::button("a:b c", None, 3), "/search query: a:b c page: 3"),
        ];
        for (id, typed) in cases {
            assert!(id.len() <= 100);
            assert_eq!(decode(&id), Ok(crate::commands::parse_line(typed).unwrap()), "{id}");
        }
    }

    #[test]
    fn long_queries_are_cut_to_fit() {
        let id = search::button(&"é".repeat(500), Some("pycon-us-2024"), 12);
        assert_eq!(id.chars().count(), 100);
        assert!(decode(&id).is_ok());
    }

    #[test]
    fn stale_and_foreign_ids_are_recognised() {
        assert_eq!(decode("c0:topic:1::ai"), Err(StaleButton::OldVersion));
        assert_eq!(decode("something-else"), Err(StaleButton::Foreign));
        assert_eq!(decode("c1:topic:x::ai"), Err(StaleButton::Foreign));
        assert_eq!(decode("c1:nope:1"), Err(StaleButton::Foreign));
        assert_eq!(decode("c1:about:1"), Err(StaleButton::Foreign));
        assert_eq!(decode(""), Err(StaleButton::Foreign));
    }
}
