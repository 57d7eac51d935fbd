//! `/search query:`: keyword search over titles, summaries and insights, best first.

use serde_json::json;

use super::{bad_conference, custom_id, resolve, talk_line, titles, Invocation, Outcome};
use crate::catalogue::Catalogue;
use crate::reply::{echo, paginate_with, Reply};

/// Titles listed in `resolved.results`.
const RESOLVED: usize = 50;

pub fn run(c: &Catalogue, inv: &Invocation) -> Outcome {
    let Some(query) = inv.get("query") else {
        return Outcome::missed(
            Reply::problem("Search for what?", "Give some words, e.g. `/search query: subinterpreters`."),
            json!({"results": []}),
        );
    };
    let within = match resolve::conference_filter(c, inv.get("conference")) {
        Ok(w) => w,
        Err(message) => return bad_conference(message),
    };
    let results: Vec<usize> = c
        .keyword_index()
        .search(query)
        .into_iter()
        .filter(|&t| within.is_none_or(|w| c.talks[t].conference == w))
        .collect();
    let resolved = json!({"results": titles(c, &results[..results.len().min(RESOLVED)])});
    if results.is_empty() {
        return Outcome::missed(
            Reply::problem(
                format!("Nothing found for “{}”", echo(query)),
                "Try other or fewer words; `/topics` lets you browse.",
            ),
            resolved,
        );
    }
    let conference_id = within.map(|w| c.conferences[w].id.as_str());
    let page = paginate_with(
        results.len(),
        |i| talk_line(c, results[i]),
        inv.page(),
        |p| custom_id::search_page(query, conference_id, p),
    );
    let n = results.len();
    let title = format!("{n} result{} for “{}”", if n == 1 { "" } else { "s" }, echo(query));
    let description = page
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}. {l}", page.index * crate::reply::PAGE_LINES + i + 1))
        .collect::<Vec<_>>()
        .join("\n");
    let reply = page.reply(title, description, "Use /talk to see one in full");
    Outcome::found(reply, resolved)
}
