//! `/topics`: every topic with its number of talks.

use serde_json::json;

use super::{bad_conference, custom_id, resolve, Invocation, Outcome};
use crate::catalogue::Catalogue;
use crate::reply::{paginate, Reply};

pub fn run(c: &Catalogue, inv: &Invocation) -> Outcome {
    let within = match resolve::conference_filter(c, inv.get("conference")) {
        Ok(w) => w,
        Err(message) => return bad_conference(message),
    };
    let counted: Vec<(usize, usize)> = (0..c.topics.len())
        .map(|t| {
            (t, c.talks_of_topic(t).iter().filter(|&&k| within.is_none_or(|w| c.talks[k].conference == w)).count())
        })
        .filter(|&(_, n)| n > 0 || within.is_none())
        .collect();
    let resolved = json!({
        "topics": counted.iter().map(|&(t, n)| json!({"name": c.topics[t].name, "talks": n})).collect::<Vec<_>>()
    });
    if counted.is_empty() {
        return Outcome::missed(
            Reply::problem("No topics yet", "This catalogue has no topics. Try `/search` or `/speaker`."),
            resolved,
        );
    }
    let lines: Vec<String> = counted
        .iter()
        .map(|&(t, n)| format!("**{}** — {n} talk{}", c.topics[t].name, if n == 1 { "" } else { "s" }))
        .collect();
    let conference_id = within.map(|w| c.conferences[w].id.as_str());
    let page = paginate(&lines, inv.page(), |p| custom_id::topics_page(conference_id, p));
    let title = match within {
        Some(w) => format!("Topics of {}", c.conferences[w].name),
        None => "Topics".to_owned(),
    };
    let description = page.lines.join("\n");
    let reply = page.reply(title, description, "Use /topic to see the talks of a topic");
    Outcome::found(reply, resolved)
}
