//! `/topics [conference:]`: every topic with its number of talks.

use serde_json::json;

use super::common::{self, CONFERENCE, CONFERENCE_OPTION, PAGE};
use super::custom_id::{self, StaleButton};
use super::{choices, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::{Catalogue, ConferenceIx};
use crate::reply::{md, paginate, Reply};

pub const COMMAND: Command = Command {
    name: "topics",
    description: "List every topic with its number of talks",
    options: &[CONFERENCE_OPTION],
    admin: false,
    run: |ctx, inv| common::answer(ctx, inv, Args::read, run),
    complete,
    button: decode,
};

pub struct Args {
    pub conference: Option<ConferenceIx>,
    pub page: usize,
}

impl Args {
    fn read(c: &Catalogue, inv: &Invocation) -> Result<Args, Outcome> {
        Ok(Args { conference: common::conference_filter(c, inv)?, page: inv.page() })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let within = args.conference;
    let counted: Vec<(usize, usize)> = (0..c.topics.len())
        .map(|t| (t, c.talks_of_topic(t).iter().filter(|&&k| common::within(c, k, within)).count()))
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
        .map(|&(t, n)| format!("**{}** — {n} talk{}", md(&c.topics[t].name), if n == 1 { "" } else { "s" }))
        .collect();
    let conference_id = common::conference_id(c, within);
    let page = paginate(&lines, args.page, |p| button(conference_id, p));
    let title = match within {
        Some(w) => format!("Topics of {}", c.conferences[w].name),
        None => "Topics".to_owned(),
    };
    let description = page.lines.join("\n");
    let reply = page.reply(title, description, "Use /topic to see the talks of a topic");
    Outcome::found(reply, resolved)
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        CONFERENCE => choices::conferences(c, partial),
        _ => Vec::new(),
    }
}

/// The button that shows `page` of the topics, of one conference or all.
pub fn button(conference: Option<&str>, page: usize) -> String {
    custom_id::encode(COMMAND.name, &[&page.to_string(), conference.unwrap_or("")])
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f = custom_id::fields(fields, 2)?;
    Ok(custom_id::with_id(Invocation::new(COMMAND.name).with(PAGE, custom_id::page(f[0])?), CONFERENCE, f[1]))
}
