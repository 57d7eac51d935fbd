//! Button custom_ids: self-contained and versioned, so a click needs no server-side session and
//! survives restarts. A custom_id decodes into the [`Invocation`] the button stands for.
//!
//! Format: `c1:<command>:<field>:<field>…`; ids are catalogue ids (no `:`), the free-text
//! query of `/search` comes last so it may contain anything. At most 100 characters: the
//! query is cut to fit.

use super::resolve::id_value;
use super::Invocation;
use crate::reply::limits;

const VERSION: &str = "c1";

/// A custom_id that shows `page` of `/topic` for a topic id.
pub fn topic_page(topic_id: &str, conference: Option<&str>, page: usize) -> String {
    format!("{VERSION}:topic:{page}:{}:{topic_id}", conference.unwrap_or(""))
}

pub fn topics_page(conference: Option<&str>, page: usize) -> String {
    format!("{VERSION}:topics:{page}:{}", conference.unwrap_or(""))
}

pub fn speaker(speaker_id: &str, page: usize) -> String {
    format!("{VERSION}:speaker:{page}:{speaker_id}")
}

pub fn talk(talk_id: &str) -> String {
    format!("{VERSION}:talk:{talk_id}")
}

pub fn insight(topic: Option<&str>, speaker: Option<&str>, conference: Option<&str>) -> String {
    format!("{VERSION}:insight:{}:{}:{}", topic.unwrap_or(""), speaker.unwrap_or(""), conference.unwrap_or(""))
}

pub fn search_page(query: &str, conference: Option<&str>, page: usize) -> String {
    let head = format!("{VERSION}:search:{page}:{}:", conference.unwrap_or(""));
    let room = limits::CUSTOM_ID.saturating_sub(head.chars().count());
    format!("{head}{}", query.chars().take(room).collect::<String>())
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
    let (command, args) = rest.split_once(':').ok_or(StaleButton::Foreign)?;
    let fields = |n: usize| -> Result<Vec<&str>, StaleButton> {
        let parts: Vec<&str> = args.splitn(n, ':').collect();
        if parts.len() == n {
            Ok(parts)
        } else {
            Err(StaleButton::Foreign)
        }
    };
    // Every field but the search query is a catalogue id.
    let optional = |inv: Invocation, key: &str, id: &str| if id.is_empty() { inv } else { inv.with(key, id_value(id)) };
    let page = |p: &str| p.parse::<usize>().map(|p| p.to_string()).map_err(|_| StaleButton::Foreign);
    Ok(match command {
        "topic" => {
            let f = fields(3)?;
            optional(
                Invocation::new("topic").with("name", id_value(f[2])).with("page", page(f[0])?),
                "conference",
                f[1],
            )
        }
        "topics" => {
            let f = fields(2)?;
            optional(Invocation::new("topics").with("page", page(f[0])?), "conference", f[1])
        }
        "speaker" => {
            let f = fields(2)?;
            Invocation::new("speaker").with("name", id_value(f[1])).with("page", page(f[0])?)
        }
        "talk" => Invocation::new("talk").with("title", id_value(args)),
        "insight" => {
            let f = fields(3)?;
            let inv = optional(Invocation::new("insight"), "topic", f[0]);
            let inv = optional(inv, "speaker", f[1]);
            optional(inv, "conference", f[2])
        }
        "search" => {
            let f = fields(3)?;
            optional(Invocation::new("search").with("query", f[2]).with("page", page(f[0])?), "conference", f[1])
        }
        _ => return Err(StaleButton::Foreign),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let cases = [
            (topic_page("ai", None, 2), Invocation::new("topic").with("name", "id:ai").with("page", "2")),
            (
                topics_page(Some("pycon-us-2024"), 1),
                Invocation::new("topics").with("page", "1").with("conference", "id:pycon-us-2024"),
            ),
            (
                speaker("simon-willison", 0),
                Invocation::new("speaker").with("name", "id:simon-willison").with("page", "0"),
            ),
            (talk("keynote-simon-willison"), Invocation::new("talk").with("title", "id:keynote-simon-willison")),
            (insight(Some("ai"), None, None), Invocation::new("insight").with("topic", "id:ai")),
            (search_page("a:b c", None, 3), Invocation::new("search").with("query", "a:b c").with("page", "3")),
        ];
        for (id, expected) in cases {
            assert!(id.len() <= 100);
            assert_eq!(decode(&id), Ok(expected), "{id}");
        }
    }

    #[test]
    fn long_queries_are_cut_to_fit() {
        let id = search_page(&"é".repeat(500), Some("pycon-us-2024"), 12);
        assert_eq!(id.chars().count(), 100);
        assert!(decode(&id).is_ok());
    }

    #[test]
    fn stale_and_foreign_ids_are_recognised() {
        assert_eq!(decode("c0:topic:1::ai"), Err(StaleButton::OldVersion));
        assert_eq!(decode("something-else"), Err(StaleButton::Foreign));
        assert_eq!(decode("c1:topic:x::ai"), Err(StaleButton::Foreign));
        assert_eq!(decode("c1:nope:1"), Err(StaleButton::Foreign));
        assert_eq!(decode(""), Err(StaleButton::Foreign));
    }
}
