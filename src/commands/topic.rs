//! `/topic name:`: the talks of one topic.

use serde_json::json;

use super::resolve::{self, Found};
use super::{bad_conference, custom_id, talk_line, titles, Invocation, Outcome};
use crate::catalogue::Catalogue;
use crate::reply::{echo, paginate, Button, Reply};

pub fn run(c: &Catalogue, inv: &Invocation) -> Outcome {
    let Some(name) = inv.get("name") else {
        return Outcome::missed(
            Reply::problem("Which topic?", "Give a topic name, e.g. `/topic name: AI`. `/topics` lists them."),
            json!({"topic": null, "talks": []}),
        );
    };
    let within = match resolve::conference_filter(c, inv.get("conference")) {
        Ok(w) => w,
        Err(message) => return bad_conference(message),
    };
    let topic = match resolve::topic(c, name) {
        Found::One(t) => t,
        Found::Maybe(options) => {
            let buttons = options
                .iter()
                .take(5)
                .map(|&t| Button::action(&c.topics[t].name, custom_id::topic_page(&c.topics[t].id, None, 0)))
                .collect();
            let mut reply = Reply::problem(format!("Which topic did you mean by “{}”?", echo(name)), "Pick one below.");
            reply.buttons = buttons;
            return Outcome::missed(reply, json!({"topic": null, "talks": []}));
        }
        Found::Nothing => {
            return Outcome::missed(
                Reply::problem(
                    format!("No topic matches “{}”", echo(name)),
                    "`/topics` lists every topic; `/search` looks through titles and summaries.",
                ),
                json!({"topic": null, "talks": []}),
            )
        }
    };
    let talks: Vec<usize> = c
        .talks_of_topic(topic)
        .iter()
        .copied()
        .filter(|&t| within.is_none_or(|w| c.talks[t].conference == w))
        .collect();
    let resolved = json!({"topic": c.topics[topic].name, "talks": titles(c, &talks)});
    let lines: Vec<String> = talks.iter().map(|&t| talk_line(c, t)).collect();
    let conference_id = within.map(|w| c.conferences[w].id.as_str());
    let page = paginate(&lines, inv.page(), |p| custom_id::topic_page(&c.topics[topic].id, conference_id, p));
    let description = if lines.is_empty() {
        "No talks in this topic yet.".to_owned()
    } else {
        page.lines.iter().map(|l| format!("• {l}")).collect::<Vec<_>>().join("\n")
    };
    let heading = c.topics[topic].description.as_deref().map(|d| format!("{d}\n\n")).unwrap_or_default();
    let count = talks.len();
    let title = format!("{} — {count} talk{}", c.topics[topic].name, if count == 1 { "" } else { "s" });
    let reply = page.reply(title, format!("{heading}{description}"), "Use /talk to see one in full");
    Outcome::found(reply, resolved)
}
