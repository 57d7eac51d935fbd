//! `/next [conference:] [room:] [track:]`: the next session in each room, or, for one room,
//! the sessions coming up there.

use std::collections::HashSet;

use serde_json::json;

use super::common::{self, CONFERENCE, CONFERENCE_OPTION, PAGE};
use super::custom_id::{self, StaleButton};
use super::programme::{self, Filters, ROOM, ROOM_OPTION, TRACK, TRACK_OPTION};
use super::{choices, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::timetable::Session;
use crate::catalogue::Catalogue;
use crate::reply::{md, paginate, Reply};

pub const COMMAND: Command = Command {
    name: "next",
    description: "What comes next: in each room, or in one",
    options: &[CONFERENCE_OPTION, ROOM_OPTION, TRACK_OPTION],
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
        Ok(Args { filters: Filters::read(c, inv, |f| button(f, c, 0))?, page: inv.page() })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let f = &args.filters;
    if programme::scheduled(c, f.conference).is_empty() {
        return programme::no_times(c, f.conference);
    }
    let upcoming = c.timetable.after(ctx.now).iter().filter(|s| programme::keep(c, s, f));
    // One room: everything coming up there. Otherwise the first session of each room (talks
    // without a room each stand alone).
    let next: Vec<Session> = if f.room.is_some() {
        upcoming.copied().collect()
    } else {
        let mut seen = HashSet::new();
        upcoming
            .filter(|s| {
                let talk = &c.talks[s.talk];
                talk.room.as_deref().is_none_or(|room| seen.insert((talk.conference, room)))
            })
            .copied()
            .collect()
    };
    let resolved = json!({"sessions": programme::sessions_json(c, &next)});
    let place = match (&f.room, &f.track) {
        (Some(room), _) => format!(" in {}", md(room)),
        (None, Some(track)) => format!(" in track {}", md(track)),
        (None, None) => String::new(),
    };
    if next.is_empty() {
        let mut reply = Reply::problem(
            format!("Nothing more is scheduled{place}"),
            "The programme is over. `/schedule` shows it day by day.",
        );
        reply.embeds[0].color = Some(crate::reply::COLOR);
        return Outcome::found(reply, resolved);
    }
    let (heading, offset) = programme::heading(c, &next[0]);
    let lines: Vec<String> = next
        .iter()
        .map(|s| format!("{} ({})", programme::line(c, s, offset), programme::stamp(s.start, 'R')))
        .collect();
    let mut page = paginate(&lines, args.page, |p| button(f, c, p));
    programme::numbered(c, &next, &mut page);
    let description = format!("{heading}\n\n{}", page.lines.join("\n"));
    let title = if f.room.is_some() { format!("Coming up{place}") } else { format!("Next{place}, room by room") };
    Outcome::found(page.reply(title, description, "Use /talk to see one in full"), resolved)
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        CONFERENCE => choices::conferences(c, partial),
        ROOM => programme::room_choices(c, partial),
        TRACK => programme::track_choices(c, partial),
        _ => Vec::new(),
    }
}

/// The button that shows `page` of what comes next, with the same filters.
pub fn button(f: &Filters, c: &Catalogue, page: usize) -> String {
    let conference = common::conference_id(c, f.conference).unwrap_or("");
    let room = custom_id::escape(f.room.as_deref().unwrap_or(""));
    let track = custom_id::escape(f.track.as_deref().unwrap_or(""));
    custom_id::encode(COMMAND.name, &[&page.to_string(), conference, &room, &track])
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f = custom_id::fields(fields, 4)?;
    let inv = Invocation::new(COMMAND.name).with(PAGE, custom_id::page(f[0])?);
    let inv = custom_id::with_id(inv, CONFERENCE, f[1]);
    Ok(custom_id::with_text(custom_id::with_text(inv, ROOM, f[2]), TRACK, f[3]))
}
