//! `/search query: [conference:]`: keyword search over titles, speakers, topics, summaries and
//! insights, best first (the ranking and where it stops: `search::KeywordIndex::search`).

use serde_json::json;

use super::common::{self, CONFERENCE, CONFERENCE_OPTION, PAGE};
use super::custom_id::{self, StaleButton};
use super::definition::{text, OptionDef};
use super::{choices, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::{Catalogue, ConferenceIx};
use crate::reply::{echo, paginate_with, Reply};

const QUERY: &str = "query";

pub const COMMAND: Command = Command {
    name: "search",
    description: "Search titles, summaries and insights by keyword",
    options: &[OptionDef { max: Some(200), ..text(QUERY, "Words to look for", true, false) }, CONFERENCE_OPTION],
    admin: false,
    run: |ctx, inv| common::answer(ctx, inv, Args::read, run),
    complete,
    button: decode,
};

/// Titles listed in `resolved.results`.
const RESOLVED: usize = 50;

pub struct Args {
    pub query: String,
    pub conference: Option<ConferenceIx>,
    pub page: usize,
}

impl Args {
    fn read(c: &Catalogue, inv: &Invocation) -> Result<Args, Outcome> {
        let Some(query) = inv.get(QUERY) else {
            return Err(Outcome::missed(
                Reply::problem("Search for what?", "Give some words, e.g. `/search query: subinterpreters`."),
                json!({"results": []}),
            ));
        };
        Ok(Args {
            query: query.to_owned(),
            conference: common::conference_filter(c, inv, |id| button(query, Some(id), 0))?,
            page: inv.page(),
        })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let (query, within) = (args.query.as_str(), args.conference);
    let hits = c.keyword_index().search(query, |t| common::within(c, t, within));
    let results = hits.talks;
    let resolved = json!({"results": common::titles(c, &results[..results.len().min(RESOLVED)])});
    if results.is_empty() {
        return Outcome::missed(
            Reply::problem(
                format!("Nothing found for “{}”", echo(query)),
                "Try other or fewer words; `/topics` lets you browse.",
            ),
            resolved,
        );
    }
    let conference_id = common::conference_id(c, within);
    let page = paginate_with(
        results.len(),
        |i| common::talk_line(c, results[i]),
        args.page,
        |p| button(query, conference_id, p),
    );
    let n = results.len();
    // A capped list says so, without claiming how many weaker ones it left out.
    let capped = hits.total > n;
    let title = if capped {
        format!("Best {n} results for “{}”", echo(query))
    } else {
        format!("{n} result{} for “{}”", if n == 1 { "" } else { "s" }, echo(query))
    };
    let description = page
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}. {l}", page.index * crate::reply::PAGE_LINES + i + 1))
        .collect::<Vec<_>>()
        .join("\n");
    let footer =
        if capped { "More talks match: add a word to narrow them down" } else { "Use /talk to see one in full" };
    let reply = page.reply(title, description, footer);
    Outcome::found(reply, resolved)
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        CONFERENCE => choices::conferences(c, partial),
        _ => Vec::new(),
    }
}

/// The button that shows `page` of the results; the query comes last and is cut to fit.
pub fn button(query: &str, conference: Option<&str>, page: usize) -> String {
    custom_id::encode(COMMAND.name, &[&page.to_string(), conference.unwrap_or(""), query])
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f = custom_id::fields(fields, 3)?;
    let inv = Invocation::new(COMMAND.name).with(QUERY, f[2]).with(PAGE, custom_id::page(f[0])?);
    Ok(custom_id::with_id(inv, CONFERENCE, f[1]))
}
