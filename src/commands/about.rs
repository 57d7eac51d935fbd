//! `/about`: what confbot knows.

use chrono::Datelike;
use serde_json::json;

use super::definition::{no_buttons, no_choices};
use super::{Command, Context, Outcome};
use crate::reply::{md, Embed, Field, Reply, COLOR};

pub const COMMAND: Command = Command {
    name: "about",
    description: "What confbot knows: conferences and counts",
    options: &[],
    admin: false,
    run: |ctx, _| run(ctx),
    complete: no_choices,
    button: no_buttons,
};

/// Conferences named one by one; beyond this, only their number.
const LISTED: usize = 15;

pub fn run(ctx: &mut Context<'_>) -> Outcome {
    let c = ctx.catalogue;
    let counts = c.counts();
    let mut lines: Vec<String> = c
        .conferences
        .iter()
        .take(LISTED)
        .map(|conf| {
            let mut line = format!("**{}**", md(&conf.name));
            if let Some(place) = &conf.place {
                line.push_str(&format!(" — {}", md(place)));
            }
            match (conf.start, conf.end) {
                (Some(start), Some(end)) if start == end => line.push_str(&format!(", {}", start.format("%-d %b %Y"))),
                (Some(start), Some(end)) if start.year() == end.year() => {
                    line.push_str(&format!(", {} – {}", start.format("%-d %b"), end.format("%-d %b %Y")));
                }
                (Some(start), Some(end)) => {
                    line.push_str(&format!(", {} – {}", start.format("%-d %b %Y"), end.format("%-d %b %Y")));
                }
                (Some(day), None) | (None, Some(day)) => line.push_str(&format!(", {}", day.format("%-d %b %Y"))),
                (None, None) => {}
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
