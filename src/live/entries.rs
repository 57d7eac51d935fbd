//! `[[live]]` entries of the bot's config: a server follows a conference's programme, as
//! `/live set` and `/live room` do. Read and checked together, every problem at once, with
//! the same rules as the commands.

use serde::Deserialize;

use super::Following;
use crate::catalogue::Catalogue;
use crate::daily::EntryProblems;

/// How long before a session it is announced, unless told.
pub const MINUTES_DEFAULT: u32 = 5;
/// The longest lead time accepted.
pub const MINUTES_MAX: u32 = 120;

/// One `[[live]]` table as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveEntry {
    pub guild_id: u64,
    /// The conference, by id or name.
    pub conference: String,
    /// The programme channel.
    pub channel_id: u64,
    #[serde(default)]
    pub minutes_before: Option<u32>,
    /// Rooms with their own channel: `rooms = [{ room = "Saal 1", channel_id = 123 }]`.
    #[serde(default)]
    pub rooms: Vec<RoomEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomEntry {
    pub room: String,
    pub channel_id: u64,
}

/// Reads and checks every `[[live]]` table against the catalogue.
pub fn follows(values: &[toml::Value], c: &Catalogue) -> Result<Vec<Following>, EntryProblems> {
    let mut problems = Vec::new();
    let mut follows = Vec::new();
    for (ix, value) in values.iter().enumerate() {
        let mut say = |what: String| problems.push(format!("[[live]] #{}: {what}", ix + 1));
        let entry = match LiveEntry::deserialize(value.clone()) {
            Ok(entry) => entry,
            Err(e) => {
                say(e.message().to_owned());
                continue;
            }
        };
        let conference = match crate::daily::entries::conference_id(c, &entry.conference) {
            Ok(id) => id,
            Err(why) => {
                say(format!("conference: {why}"));
                continue;
            }
        };
        let Some(ix) = c.conference_by_id(&conference) else { continue };
        if c.days(ix).is_empty() {
            say(format!(
                "conference {conference:?} has no talk with a time: import its schedule export to announce it"
            ));
        }
        let minutes = entry.minutes_before.unwrap_or(MINUTES_DEFAULT);
        if !(1..=MINUTES_MAX).contains(&minutes) {
            say(format!("minutes_before must be from 1 to {MINUTES_MAX}, not {minutes}"));
        }
        if entry.channel_id == 0 || entry.rooms.iter().any(|r| r.channel_id == 0) {
            say("a channel_id is 0: copy the channel's id (Developer Mode, right-click, Copy Channel ID)".into());
        }
        for room in &entry.rooms {
            if !c.conferences[ix].rooms.contains(&room.room) {
                let known = c.conferences[ix].rooms.join(", ");
                say(format!("room {:?} is not one of {conference:?}'s rooms ({known})", room.room));
            }
        }
        follows.push(Following {
            guild_id: entry.guild_id,
            conference,
            channel_id: entry.channel_id,
            rooms: entry.rooms.iter().map(|r| (r.room.clone(), r.channel_id)).collect(),
            minutes_before: minutes,
        });
    }
    if problems.is_empty() {
        Ok(follows)
    } else {
        Err(EntryProblems(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_checked_together() {
        let c = crate::catalogue::parse_str(
            "n.toml",
            "[[conferences]]\nid = \"n\"\nname = \"N\"\ntimezone = \"UTC\"\nrooms = [\"A\"]\n\n\
             [[talks]]\nid = \"t\"\ntitle = \"T\"\nstart = 2024-01-01T10:00:00\nroom = \"A\"\n",
        )
        .unwrap();
        let good: toml::Value = toml::from_str(
            "guild_id = 1\nconference = \"n\"\nchannel_id = 2\nrooms = [{ room = \"A\", channel_id = 3 }]",
        )
        .unwrap();
        let follows = follows(std::slice::from_ref(&good), &c).unwrap();
        assert_eq!(follows[0].rooms, [("A".to_owned(), 3)]);
        assert_eq!(follows[0].minutes_before, MINUTES_DEFAULT);
        let bad: toml::Value = toml::from_str(
            "guild_id = 1\nconference = \"n\"\nchannel_id = 2\nminutes_before = 500\nrooms = [{ room = \"B\", channel_id = 3 }]",
        )
        .unwrap();
        let typo: toml::Value = toml::from_str("guild_id = 1\nconference = \"n\"\nchanel_id = 2").unwrap();
        let e = super::follows(&[good, bad, typo], &c).unwrap_err().to_string();
        assert!(e.contains("[[live]] #2: minutes_before must be from 1 to 120"), "{e}");
        assert!(e.contains("[[live]] #2: room \"B\""), "{e}");
        assert!(e.contains("[[live]] #3: unknown field `chanel_id`"), "{e}");
    }
}
