//! `/topic name: [conference:]`: the talks of one topic.

use serde_json::json;

use super::common::{self, CONFERENCE, CONFERENCE_OPTION, PAGE};
use super::custom_id::{self, StaleButton};
use super::definition::text;
use super::{choices, topics, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::resolve::{self, id_value, Found};
use crate::catalogue::{Catalogue, ConferenceIx};
use crate::reply::{echo, md, paginate, Button, Reply};

const NAME: &str = "name";

pub const COMMAND: Command = Command {
    name: "topic",
    description: "List the talks of a topic",
    options: &[text(NAME, "The topic", true, true), CONFERENCE_OPTION],
    admin: false,
    run: |ctx, inv| common::answer(ctx, inv, Args::read, run),
    complete,
    button: decode,
};

pub struct Args {
    pub name: String,
    pub conference: Option<ConferenceIx>,
    pub page: usize,
}

impl Args {
    fn read(c: &Catalogue, inv: &Invocation) -> Result<Args, Outcome> {
        let Some(name) = inv.get(NAME) else {
            return Err(Outcome::missed(
                Reply::problem("Which topic?", "Give a topic name, e.g. `/topic name: AI`. `/topics` lists them."),
                json!({"topic": null, "talks": []}),
            ));
        };
        // Several conferences match: each button shows this topic there (or its topics, when
        // the topic itself is unclear).
        let topic = match resolve::topic(c, name) {
            Found::One(t) => Some(c.topics[t].id.as_str()),
            _ => None,
        };
        let retry = |id: &str| match topic {
            Some(t) => button(t, Some(id), 0),
            None => topics::button(Some(id), false, 0),
        };
        Ok(Args { name: name.to_owned(), conference: common::conference_filter(c, inv, retry)?, page: inv.page() })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let within = args.conference;
    let name = args.name.as_str();
    let topic = match resolve::topic_within(c, name, within) {
        Found::One(t) => t,
        Found::Maybe(options) => {
            let buttons = options
                .iter()
                .take(5)
                .map(|&t| Button::action(&c.topics[t].name, button(&c.topics[t].id, None, 0)))
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
    let talks: Vec<usize> = c.talks_of_topic(topic).iter().copied().filter(|&t| common::within(c, t, within)).collect();
    let resolved = json!({"topic": c.topics[topic].name, "talks": common::titles(c, &talks)});
    let lines: Vec<String> = talks.iter().map(|&t| common::talk_line(c, t)).collect();
    let conference_id = common::conference_id(c, within);
    let page = paginate(&lines, args.page, |p| button(&c.topics[topic].id, conference_id, p));
    let description = if lines.is_empty() {
        "No talks in this topic yet.".to_owned()
    } else {
        page.lines.iter().map(|l| format!("• {l}")).collect::<Vec<_>>().join("\n")
    };
    let heading = c.topics[topic].description.as_deref().map(|d| format!("{}\n\n", md(d))).unwrap_or_default();
    let count = talks.len();
    let title = format!("{} — {count} talk{}", c.topics[topic].name, if count == 1 { "" } else { "s" });
    let reply = page.reply(title, format!("{heading}{description}"), "Use /talk to see one in full");
    Outcome::found(reply, resolved)
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        NAME => choices::topics(c, partial),
        CONFERENCE => choices::conferences(c, partial),
        _ => Vec::new(),
    }
}

/// The button that shows `page` of a topic's talks, of one conference or all.
pub fn button(topic_id: &str, conference: Option<&str>, page: usize) -> String {
    custom_id::encode(COMMAND.name, &[&page.to_string(), conference.unwrap_or(""), topic_id])
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f = custom_id::fields(fields, 3)?;
    let inv = Invocation::new(COMMAND.name).with(NAME, id_value(f[2])).with(PAGE, custom_id::page(f[0])?);
    Ok(custom_id::with_id(inv, CONFERENCE, f[1]))
}
