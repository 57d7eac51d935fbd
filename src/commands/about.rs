//! `/about`: what confbot knows.

use serde_json::json;

use super::Outcome;
use crate::catalogue::Catalogue;
use crate::reply::{Embed, Field, Reply, COLOR};

/// Conferences named one by one; beyond this, only their number.
const LISTED: usize = 15;

pub fn run(c: &Catalogue) -> Outcome {
    let counts = c.counts();
    let mut lines: Vec<String> = c
        .conferences
        .iter()
        .take(LISTED)
        .map(|conf| {
            let mut line = format!("**{}**", conf.name);
            if let Some(place) = &conf.place {
                line.push_str(&format!(" — {place}"));
            }
            if let (Some(start), Some(end)) = (conf.start, conf.end) {
                line.push_str(&format!(", {} – {}", start.format("%-d %b"), end.format("%-d %b %Y")));
            }
            line
        })
        .collect();
    if c.conferences.len() > LISTED {
        lines.push(format!("…and {} more", c.conferences.len() - LISTED));
    }
    let reply = Reply::embed(Embed {
        title: Some("About confbot".into()),
        description: Some(format!(
            "Conference highlights on Discord: talks, speakers, insights and quotes.\n\n{}",
            lines.join("\n")
        )),
        fields: vec![
            Field::inline("Talks", counts.talks.to_string()),
            Field::inline("Speakers", counts.speakers.to_string()),
            Field::inline("Topics", counts.topics.to_string()),
            Field::inline("Insights", counts.insights.to_string()),
        ],
        footer: Some(format!("confbot {} · /help for commands", env!("CARGO_PKG_VERSION"))),
        color: Some(COLOR),
        ..Embed::default()
    });
    Outcome::found(reply, json!({"counts": counts}))
}
