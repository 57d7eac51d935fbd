//! The `[[daily]]` entries of `config/confbot.toml`, and their validation into [`Schedule`]s.
//! `/daily set` validates its options the same way, so both give the same clear errors.

use serde::{Deserialize, Serialize};

use super::Schedule;
use crate::catalogue::resolve::{self, Found};
use crate::catalogue::Catalogue;
use crate::zones::{parse_time, parse_zone};

/// One `[[daily]]` table, as written in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DailyEntry {
    pub guild_id: u64,
    pub channel_id: u64,
    /// Local time, "HH:MM", 24-hour.
    pub time: String,
    /// IANA name, e.g. "Europe/Berlin".
    pub timezone: String,
    /// Only items of this topic (name or id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Only items of this conference (name or id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conference: Option<String>,
}

/// Config entries that cannot be used, each problem on its own line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid config entries:\n{}", .0.join("\n"))]
pub struct EntryProblems(pub Vec<String>);

impl DailyEntry {
    /// The schedule this entry describes, or every problem with it. Topic and conference are
    /// resolved against the catalogue and stored by id.
    pub fn validate(&self, c: &Catalogue) -> Result<Schedule, Vec<String>> {
        let mut problems = Vec::new();
        let time = parse_time(&self.time).map_err(|e| problems.push(format!("time: {e}"))).ok();
        let zone = parse_zone(&self.timezone).map_err(|e| problems.push(format!("timezone: {e}"))).ok();
        let topic = self.topic.as_deref().map(|t| topic_id(c, t)).transpose();
        let topic = topic.map_err(|e| problems.push(format!("topic: {e}"))).ok().flatten();
        let conference = self.conference.as_deref().map(|w| conference_id(c, w)).transpose();
        let conference = conference.map_err(|e| problems.push(format!("conference: {e}"))).ok().flatten();
        if self.channel_id == 0 {
            problems.push("channel_id: give the channel's id (right-click the channel → Copy Channel ID)".into());
        }
        match (time, zone) {
            (Some(time), Some(zone)) if problems.is_empty() => Ok(Schedule {
                guild_id: self.guild_id,
                channel_id: self.channel_id,
                time,
                zone,
                topic,
                conference,
                enabled: true,
            }),
            _ => Err(problems),
        }
    }
}

/// Validates every entry, reporting all problems at once. A guild has one daily schedule, so
/// two entries for the same guild are a mistake.
pub fn schedules(entries: &[DailyEntry], c: &Catalogue) -> Result<Vec<Schedule>, EntryProblems> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (ix, entry) in entries.iter().enumerate() {
        let at = format!("[[daily]] #{} (guild {})", ix + 1, entry.guild_id);
        if entries[..ix].iter().any(|e| e.guild_id == entry.guild_id) {
            problems.push(format!("{at}: a second entry for this guild; a server has one daily schedule"));
        }
        match entry.validate(c) {
            Ok(s) => out.push(s),
            Err(found) => problems.extend(found.into_iter().map(|p| format!("{at}: {p}"))),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(EntryProblems(problems))
    }
}

/// Reads `[[daily]]` tables kept as raw TOML values (as `config::Config::daily` holds them),
/// reporting every bad table at once.
pub fn parse_entries(values: &[toml::Value]) -> Result<Vec<DailyEntry>, EntryProblems> {
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    for (ix, value) in values.iter().enumerate() {
        match DailyEntry::deserialize(value.clone()) {
            Ok(entry) => entries.push(entry),
            Err(e) => problems.push(format!("[[daily]] #{}: {}", ix + 1, e.message())),
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(EntryProblems(problems))
    }
}

/// A topic named by id or (approximate) name, as its id.
pub fn topic_id(c: &Catalogue, text: &str) -> Result<String, String> {
    match resolve::topic(c, text) {
        Found::One(t) => Ok(c.topics[t].id.clone()),
        Found::Maybe(options) => Err(format!(
            "“{}” could be several topics: {}",
            crate::reply::echo(text),
            options.iter().take(5).map(|&t| c.topics[t].name.as_str()).collect::<Vec<_>>().join(", ")
        )),
        Found::Nothing => Err(format!("no topic matches “{}”; `/topics` lists them", crate::reply::echo(text))),
    }
}

/// A conference named by id or (approximate) name, as its id.
pub fn conference_id(c: &Catalogue, text: &str) -> Result<String, String> {
    resolve::conference_filter(c, Some(text)).map(|ix| ix.map(|w| c.conferences[w].id.clone()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(time: &str, zone: &str, topic: Option<&str>) -> DailyEntry {
        DailyEntry {
            guild_id: 1,
            channel_id: 2,
            time: time.into(),
            timezone: zone.into(),
            topic: topic.map(String::from),
            conference: None,
        }
    }

    #[test]
    fn entries_read_from_toml() {
        #[derive(Deserialize)]
        struct File {
            daily: Vec<DailyEntry>,
        }
        let text = "[[daily]]\nguild_id = 123\nchannel_id = 456\ntime = \"09:00\"\ntimezone = \"Europe/Berlin\"\ntopic = \"AI\"\n";
        let file: File = toml::from_str(text).unwrap();
        assert_eq!(file.daily[0].topic.as_deref(), Some("AI"));
        assert!(toml::from_str::<File>(&text.replace("topic", "topik")).is_err());
    }

    #[test]
    fn raw_tables_are_read_with_every_problem_named() {
        let good: toml::Value =
            toml::from_str("guild_id = 1\nchannel_id = 2\ntime = \"09:00\"\ntimezone = \"UTC\"").unwrap();
        let bad: toml::Value =
            toml::from_str("guild_id = 1\nchannel = 2\ntime = \"09:00\"\ntimezone = \"UTC\"").unwrap();
        assert_eq!(parse_entries(std::slice::from_ref(&good)).unwrap()[0].channel_id, 2);
        let e = parse_entries(&[good, bad]).unwrap_err().to_string();
        assert!(e.contains("[[daily]] #2") && e.contains("channel"), "{e}");
    }

    #[test]
    fn problems_are_all_reported_with_advice() {
        let c = Catalogue::embedded();
        let topic = c.topics[0].name.clone();
        let ok = entry("09:00", "Europe/Berlin", Some(&topic)).validate(&c).unwrap();
        assert_eq!(ok.topic.as_deref(), Some(c.topics[0].id.as_str()));
        let problems = entry("9 am", "Europe/Berln", Some("zzzz qqqq")).validate(&c).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("HH:MM"));
        assert!(problems[1].contains("Europe/Berlin"));
        assert!(problems[2].contains("/topics"));
        let twice = schedules(&[entry("09:00", "UTC", None), entry("10:00", "UTC", None)], &c).unwrap_err();
        assert!(twice.to_string().contains("#2 (guild 1): a second entry"), "{twice}");
    }
}
