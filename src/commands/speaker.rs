//! `/speaker name:`: a speaker and their talks across conferences, found by approximate name.

use serde_json::json;

use super::common::{self, CONFERENCE, CONFERENCE_OPTION, PAGE};
use super::custom_id::{self, StaleButton};
use super::definition::text;
use super::{choices, talk, topics, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::resolve::{self, id_value, Found};
use crate::catalogue::{Catalogue, ConferenceIx, TalkIx};
use crate::reply::{echo, md, paginate, Button, Embed, Reply, COLOR};

const NAME: &str = "name";

pub const COMMAND: Command = Command {
    name: "speaker",
    description: "Find a speaker and their talks (typos and partial names are fine)",
    options: &[text(NAME, "The speaker's name", true, true), CONFERENCE_OPTION],
    admin: false,
    run: |ctx, inv| common::answer(ctx, inv, Args::read, run),
    complete,
    button: decode,
};

/// Names offered as "did you mean" buttons, and listed in `resolved.suggestions`.
const BUTTONS: usize = 5;
const SUGGESTIONS: usize = 10;

pub struct Args {
    pub name: String,
    /// Only speakers with a talk there, and only those talks.
    pub conference: Option<ConferenceIx>,
    pub page: usize,
}

impl Args {
    fn read(c: &Catalogue, inv: &Invocation) -> Result<Args, Outcome> {
        let Some(name) = inv.get(NAME) else {
            return Err(Outcome::missed(
                Reply::problem("Which speaker?", "Give a name, e.g. `/speaker name: Simon Willison`."),
                json!({"speaker": null, "suggestions": []}),
            ));
        };
        let retry = |id: &str| match resolve::speaker(c, name, 1).0 {
            Found::One(s) => button(&c.speakers[s].id, Some(id), 0),
            _ => topics::button(Some(id), false, 0),
        };
        Ok(Args { name: name.to_owned(), conference: common::conference_filter(c, inv, retry)?, page: inv.page() })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let name = args.name.as_str();
    let within = args.conference;
    let (found, lookup) = resolve::speaker_within(c, name, SUGGESTIONS, within);
    let suggestions: Vec<&str> = lookup.matches.iter().map(|m| c.speakers[m.ix].name.as_str()).collect();
    match found {
        Found::One(s) => {
            let resolved = json!({"speaker": c.speakers[s].name, "suggestions": suggestions});
            Outcome::found(show(c, s, within, args.page), resolved)
        }
        Found::Maybe(options) => {
            let lines: Vec<String> = options
                .iter()
                .take(BUTTONS)
                .map(|&s| {
                    let n = c.talks_of_speaker(s).len();
                    format!("• **{}** — {n} talk{}", md(&c.speakers[s].name), if n == 1 { "" } else { "s" })
                })
                .collect();
            let mut reply = Reply::problem(format!("Did you mean…? (“{}”)", echo(name)), lines.join("\n"));
            reply.buttons = options
                .iter()
                .take(BUTTONS)
                .map(|&s| {
                    Button::action(&c.speakers[s].name, button(&c.speakers[s].id, common::conference_id(c, within), 0))
                })
                .collect();
            Outcome::missed(reply, json!({"speaker": null, "suggestions": suggestions}))
        }
        Found::Nothing => Outcome::missed(
            Reply::problem(
                format!("No speaker matches “{}”", echo(name)),
                "Check the spelling, or try the family name alone. `/search` finds words in titles and summaries.",
            ),
            json!({"speaker": null, "suggestions": suggestions}),
        ),
    }
}

fn show(c: &Catalogue, s: usize, within: Option<ConferenceIx>, page: usize) -> Reply {
    let speaker = &c.speakers[s];
    let mut talks: Vec<TalkIx> =
        c.talks_of_speaker(s).iter().copied().filter(|&t| common::within(c, t, within)).collect();
    common::newest_first(c, &mut talks);
    let lines: Vec<String> = talks.iter().map(|&t| common::talk_line(c, t)).collect();
    let conference = common::conference_id(c, within);
    let page = paginate(&lines, page, |p| button(&speaker.id, conference, p));
    let mut description = String::new();
    if let Some(bio) = &speaker.bio {
        description.push_str(&md(bio));
        description.push_str("\n\n");
    }
    if !speaker.aliases.is_empty() {
        description.push_str(&format!("Also known as: {}\n\n", md(&speaker.aliases.join(", "))));
    }
    let n = talks.len();
    description.push_str(&format!("**{n} talk{}**\n", if n == 1 { "" } else { "s" }));
    description.push_str(&page.lines.iter().map(|l| format!("• {l}")).collect::<Vec<_>>().join("\n"));
    let quotes =
        talks.iter().flat_map(|&t| c.insights_of_talk(t)).filter(|&&i| c.insights[i].speaker == Some(s)).count();
    let footer = match (page.footer(), quotes) {
        (Some(f), _) => f,
        (None, 0) => "Use /talk to see a talk in full".into(),
        (None, q) => format!("{q} insight{} — try /insight speaker: {}", if q == 1 { "" } else { "s" }, speaker.name),
    };
    let mut buttons = page.buttons;
    if page.count == 1 {
        buttons.extend(talks.iter().take(5).map(|&t| Button::action(&c.talks[t].title, talk::button(&c.talks[t].id))));
    }
    Reply {
        embeds: vec![Embed {
            title: Some(speaker.name.clone()),
            url: speaker.url.clone(),
            description: Some(description),
            footer: Some(footer),
            color: Some(COLOR),
            ..Embed::default()
        }],
        buttons,
        ..Reply::default()
    }
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        NAME => choices::speakers(c, partial),
        CONFERENCE => choices::conferences(c, partial),
        _ => Vec::new(),
    }
}

/// The button that shows `page` of a speaker's talks, of one conference or all.
pub fn button(speaker_id: &str, conference: Option<&str>, page: usize) -> String {
    match conference {
        Some(w) => custom_id::encode(COMMAND.name, &[&page.to_string(), speaker_id, w]),
        None => custom_id::encode(COMMAND.name, &[&page.to_string(), speaker_id]),
    }
}

/// `page:speaker` (every conference), or `page:speaker:conference`.
fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f: Vec<&str> = fields.splitn(3, ':').collect();
    let (Some(page), Some(speaker)) = (f.first(), f.get(1)) else { return Err(StaleButton::Foreign) };
    let inv = Invocation::new(COMMAND.name).with(NAME, id_value(speaker)).with(PAGE, custom_id::page(page)?);
    Ok(custom_id::with_id(inv, CONFERENCE, f.get(2).copied().unwrap_or("")))
}
