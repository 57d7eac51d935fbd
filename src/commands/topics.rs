//! `/topics [conference:]`: every topic with its number of talks.

use serde_json::json;

use super::common::{self, CONFERENCE, CONFERENCE_OPTION, PAGE};
use super::custom_id::{self, StaleButton};
use super::definition::text;
use super::{choices, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::{Catalogue, ConferenceIx};
use crate::reply::{md, paginate, Reply};

pub const COMMAND: Command = Command {
    name: "topics",
    description: "List every topic with its number of talks",
    options: &[CONFERENCE_OPTION, text(SORT, "Order: by number of talks (default) or by name", false, true)],
    admin: false,
    run: |ctx, inv| common::answer(ctx, inv, Args::read, run),
    complete,
    button: decode,
};

const SORT: &str = "sort";
/// The values `sort:` takes; anything else sorts by number of talks.
const BY_TALKS: &str = "talks";
const BY_NAME: &str = "name";

pub struct Args {
    pub conference: Option<ConferenceIx>,
    /// Alphabetical instead of largest first.
    pub by_name: bool,
    pub page: usize,
}

impl Args {
    fn read(c: &Catalogue, inv: &Invocation) -> Result<Args, Outcome> {
        let by_name = inv.get(SORT).is_some_and(|s| s.eq_ignore_ascii_case(BY_NAME));
        let retry = |id: &str| button(Some(id), by_name, 0);
        Ok(Args { conference: common::conference_filter(c, inv, retry)?, by_name, page: inv.page() })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let within = args.conference;
    let mut counted: Vec<(usize, usize)> = (0..c.topics.len())
        .map(|t| (t, c.talks_of_topic(t).iter().filter(|&&k| common::within(c, k, within)).count()))
        .filter(|&(_, n)| n > 0 || within.is_none())
        .collect();
    if args.by_name {
        counted.sort_by_cached_key(|&(t, _)| crate::search::fold(&c.topics[t].name));
    } else {
        counted.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    }
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
    let page = paginate(&lines, args.page, |p| button(conference_id, args.by_name, p));
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
        SORT => [BY_TALKS, BY_NAME]
            .into_iter()
            .filter(|v| v.starts_with(&partial.to_lowercase()))
            .map(|v| Choice { name: v.into(), value: v.into() })
            .collect(),
        _ => Vec::new(),
    }
}

/// The button that shows `page` of the topics, of one conference or all, in an order.
pub fn button(conference: Option<&str>, by_name: bool, page: usize) -> String {
    let mut fields = vec![page.to_string(), conference.unwrap_or("").to_owned()];
    if by_name {
        fields.push(BY_NAME.to_owned());
    }
    custom_id::encode(COMMAND.name, &fields.iter().map(String::as_str).collect::<Vec<_>>())
}

/// `page:conference`, or `page:conference:name` for alphabetical order.
fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f: Vec<&str> = fields.splitn(3, ':').collect();
    let (Some(page), Some(conference)) = (f.first(), f.get(1)) else { return Err(StaleButton::Foreign) };
    let inv =
        custom_id::with_id(Invocation::new(COMMAND.name).with(PAGE, custom_id::page(page)?), CONFERENCE, conference);
    Ok(if f.get(2) == Some(&BY_NAME) { inv.with(SORT, BY_NAME) } else { inv })
}
