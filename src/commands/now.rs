//! `/now [conference:] [room:]`: the sessions on right now, by room.

use serde_json::json;

use super::common::{self, CONFERENCE, CONFERENCE_OPTION, PAGE};
use super::custom_id::{self, StaleButton};
use super::programme::{self, Filters, ROOM, ROOM_OPTION};
use super::{choices, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::timetable::Session;
use crate::catalogue::Catalogue;
use crate::reply::{md, paginate, Reply};

pub const COMMAND: Command = Command {
    name: "now",
    description: "What is on right now, room by room",
    options: &[CONFERENCE_OPTION, ROOM_OPTION],
    admin: false,
    run: |ctx, inv| common::answer(ctx, inv, Args::read, run),
    complete,
    button: decode,
};

pub struct Args {
    pub filters: Filters,
    pub page: usize,
}

impl Args {
    fn read(c: &Catalogue, inv: &Invocation) -> Result<Args, Outcome> {
        let retry = |f: &Filters| button(common::conference_id(c, f.conference), None, 0);
        Ok(Args { filters: Filters::read(c, inv, retry)?, page: inv.page() })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let f = &args.filters;
    if programme::scheduled(c, f.conference).is_empty() {
        return programme::no_times(c, f.conference);
    }
    let mut on: Vec<Session> = c.timetable.on_at(ctx.now).filter(|s| programme::keep(c, s, f)).copied().collect();
    // By room, in the conference's order of rooms; sessions without a room last.
    let rank = |s: &Session| {
        let talk = &c.talks[s.talk];
        let room = talk.room.as_ref().and_then(|r| c.conferences[talk.conference].rooms.iter().position(|x| x == r));
        (talk.conference, room.unwrap_or(usize::MAX), s.start)
    };
    on.sort_by_key(rank);
    let resolved = json!({"sessions": programme::sessions_json(c, &on)});
    let place = match &f.room {
        Some(room) => format!(" in {}", md(room)),
        None => String::new(),
    };
    if on.is_empty() {
        let upcoming: Vec<&Session> =
            c.timetable.after(ctx.now).iter().filter(|s| programme::keep(c, s, f)).take(3).collect();
        let advice = if let Some(first) = upcoming.first() {
            let (heading, offset) = programme::heading(c, first);
            let lines: Vec<String> = upcoming.iter().map(|s| format!("• {}", programme::line(c, s, offset))).collect();
            format!("Next up ({}):\n{}", heading.trim_end_matches('.'), lines.join("\n"))
        } else {
            "Nothing more is scheduled: the programme is over.".to_owned()
        };
        let mut reply = Reply::problem(format!("Nothing is on right now{place}"), advice);
        reply.embeds[0].color = Some(crate::reply::COLOR);
        return Outcome::found(reply, resolved);
    }
    let (heading, offset) = programme::heading(c, &on[0]);
    let lines: Vec<String> = on
        .iter()
        .map(|s| {
            let ends = c.talks[s.talk]
                .slot
                .and_then(|slot| slot.end)
                .map(|_| format!(" · ends {}", programme::stamp(s.until, 'R')));
            format!("{}{}", programme::line(c, s, offset), ends.unwrap_or_default())
        })
        .collect();
    let conference_id = common::conference_id(c, f.conference);
    let mut page = paginate(&lines, args.page, |p| button(conference_id, f.room.as_deref(), p));
    programme::numbered(c, &on, &mut page);
    let description = format!("{heading}\n\n{}", page.lines.join("\n"));
    let count = on.len();
    let title = format!("On now{place} — {count} session{}", if count == 1 { "" } else { "s" });
    Outcome::found(page.reply(title, description, "Use /next for what comes after"), resolved)
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        CONFERENCE => choices::conferences(c, partial),
        ROOM => programme::room_choices(c, partial),
        _ => Vec::new(),
    }
}

/// The button that shows `page` of what is on, within a conference and a room.
pub fn button(conference: Option<&str>, room: Option<&str>, page: usize) -> String {
    custom_id::encode(
        COMMAND.name,
        &[&page.to_string(), conference.unwrap_or(""), &custom_id::escape(room.unwrap_or(""))],
    )
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f = custom_id::fields(fields, 3)?;
    let inv = Invocation::new(COMMAND.name).with(PAGE, custom_id::page(f[0])?);
    let inv = custom_id::with_id(inv, CONFERENCE, f[1]);
    Ok(custom_id::with_text(inv, ROOM, f[2]))
}
