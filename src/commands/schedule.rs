//! `/schedule [conference:] [day:] [room:] [track:]`: one day's programme.
//!
//! `day:` takes "today", "tomorrow", "yesterday", a weekday, a date (2019-12-28) or "day 2",
//! read in the conference's own zone. Without it: today while the conference is on, else its
//! first day. Without `conference:`, the one conference with a schedule, or the one on today;
//! when that leaves several, the answer asks which.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde_json::json;

use super::common::{self, CONFERENCE, CONFERENCE_OPTION, PAGE};
use super::custom_id::{self, StaleButton};
use super::definition::text;
use super::programme::{self, Filters, ROOM, ROOM_OPTION, TRACK, TRACK_OPTION};
use super::{choices, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::timetable::Session;
use crate::catalogue::{Catalogue, ConferenceIx};
use crate::reply::{echo, limits, md, paginate, Button, Reply};

const DAY: &str = "day";

pub const COMMAND: Command = Command {
    name: "schedule",
    description: "One day's programme",
    options: &[
        CONFERENCE_OPTION,
        text(DAY, "today, tomorrow, a weekday, a date (2024-05-17) or \"day 2\"", false, true),
        ROOM_OPTION,
        TRACK_OPTION,
    ],
    admin: false,
    run: |ctx, inv| common::answer(ctx, inv, Args::read, run),
    complete,
    button: decode,
};

pub struct Args {
    pub filters: Filters,
    pub day: Option<String>,
    pub page: usize,
}

impl Args {
    fn read(c: &Catalogue, inv: &Invocation) -> Result<Args, Outcome> {
        let filters = Filters::read(c, inv, |f| button(c, f, None, 0))?;
        Ok(Args { filters, day: inv.get(DAY).map(str::to_owned), page: inv.page() })
    }
}

pub fn run(ctx: &mut Context<'_>, args: Args) -> Outcome {
    let c = ctx.catalogue;
    let mut f = args.filters;
    let conference = match which_conference(c, f.conference, ctx.now) {
        Ok(w) => w,
        Err(refused) => return refused,
    };
    f.conference = Some(conference);
    let name = &c.conferences[conference].name;
    let days = c.days(conference);
    let today = programme::today(c, conference, ctx.now);
    let day = match &args.day {
        Some(typed) => match parse_day(typed, today, days) {
            Ok(d) => d,
            Err(why) => {
                let reply = Reply::problem(
                    format!("“{}” is not a day I can read", echo(typed)),
                    format!("{why} {}", runs(c, conference, days)),
                );
                return Outcome::missed(with_day_buttons(reply, c, &f, days, None), json!({"sessions": []}));
            }
        },
        None if days.contains(&today) => today,
        None => days[0],
    };
    if !days.contains(&day) {
        let reply = Reply::problem(
            format!("{} has no sessions on {}", md(name), day.format("%a %-d %b %Y")),
            runs(c, conference, days),
        );
        return Outcome::missed(with_day_buttons(reply, c, &f, days, None), json!({"sessions": []}));
    }
    let sessions: Vec<Session> =
        c.timetable.all().iter().filter(|s| s.day == day && programme::keep(c, s, &f)).copied().collect();
    let resolved = json!({"sessions": programme::sessions_json(c, &sessions), "day": day.to_string()});
    let number = days.iter().position(|&d| d == day).unwrap_or(0) + 1;
    let heading = format!("{name} — day {number}, {}", day.format("%a %-d %b %Y"));
    let narrowed =
        [f.room.as_deref().map(|r| format!("room {}", md(r))), f.track.as_deref().map(|t| format!("track {}", md(t)))];
    let narrowed: Vec<String> = narrowed.into_iter().flatten().collect();
    let narrowed = if narrowed.is_empty() { String::new() } else { format!(" ({})", narrowed.join(", ")) };
    let Some(first) = sessions.first() else {
        let mut reply = Reply::problem(format!("Nothing on {heading}{narrowed}"), "Try another day, room or track.");
        reply.embeds[0].color = Some(crate::reply::COLOR);
        return Outcome::found(with_day_buttons(reply, c, &f, days, Some(day)), resolved);
    };
    let (heading_zone, offset) = programme::heading(c, first);
    let lines: Vec<String> = sessions.iter().map(|s| programme::line(c, s, offset)).collect();
    let mut page = paginate(&lines, args.page, |p| button(c, &f, Some(day), p));
    programme::numbered(c, &sessions, &mut page);
    let description = format!("{heading_zone}\n\n{}", page.lines.join("\n"));
    let count = sessions.len();
    let title = format!("{heading}{narrowed} — {count} session{}", if count == 1 { "" } else { "s" });
    let reply = page.reply(title, description, "Use /talk to see one in full");
    Outcome::found(with_day_buttons(reply, c, &f, days, Some(day)), resolved)
}

/// The conference a schedule is for: the one asked for, else the only one with a schedule,
/// else the only one on today; otherwise the answer offers them.
fn which_conference(c: &Catalogue, asked: Option<ConferenceIx>, now: DateTime<Utc>) -> Result<ConferenceIx, Outcome> {
    let scheduled = programme::scheduled(c, asked);
    match scheduled.as_slice() {
        [] => return Err(programme::no_times(c, asked)),
        [only] => return Ok(*only),
        _ => {}
    }
    let on_today: Vec<ConferenceIx> =
        scheduled.iter().copied().filter(|&w| c.days(w).contains(&programme::today(c, w, now))).collect();
    if let [only] = on_today.as_slice() {
        return Ok(*only);
    }
    // Offer the conferences nearest to today first.
    let mut offered = if on_today.is_empty() { scheduled } else { on_today };
    let distance = |w: ConferenceIx| {
        let days = c.days(w);
        let today = programme::today(c, w, now);
        days.iter().map(|d| (*d - today).num_days().abs()).min().unwrap_or(i64::MAX)
    };
    offered.sort_by_key(|&w| distance(w));
    offered.truncate(limits::BUTTONS_PER_ROW);
    let names: Vec<String> = offered.iter().map(|&w| format!("• {}", md(&c.conferences[w].name))).collect();
    let mut reply = Reply::problem(
        "Which conference?",
        format!("Several have a schedule:\n{}\n\nPick one below, or give `conference:`.", names.join("\n")),
    );
    reply.buttons = offered
        .iter()
        .map(|&w| {
            Button::action(
                &c.conferences[w].name,
                button(c, &Filters { conference: Some(w), ..Filters::default() }, None, 0),
            )
        })
        .collect();
    Err(Outcome::missed(reply, json!({"sessions": []})))
}

/// "36C3 runs from Fri 27 Dec to Mon 30 Dec 2019 (days 1–4)."
fn runs(c: &Catalogue, conference: ConferenceIx, days: &[NaiveDate]) -> String {
    let (first, last) = (days[0], days[days.len() - 1]);
    let name = md(&c.conferences[conference].name);
    if first == last {
        format!("{name} is on {} only.", first.format("%a %-d %b %Y"))
    } else {
        format!(
            "{name} runs from {} to {} (days 1–{}).",
            first.format("%a %-d %b"),
            last.format("%a %-d %b %Y"),
            days.len()
        )
    }
}

/// Buttons for the conference's other days, after any page buttons.
fn with_day_buttons(
    mut reply: Reply,
    c: &Catalogue,
    f: &Filters,
    days: &[NaiveDate],
    shown: Option<NaiveDate>,
) -> Reply {
    let room = (limits::BUTTONS_PER_ROW * 5).saturating_sub(reply.buttons.len()).min(8);
    reply.buttons.extend(
        days.iter().enumerate().filter(|(_, d)| Some(**d) != shown).take(room).map(|(i, d)| {
            Button::action(format!("Day {} · {}", i + 1, d.format("%a %-d %b")), button(c, f, Some(*d), 0))
        }),
    );
    reply
}

/// Reads `day:` against the conference's days and today's date there.
pub fn parse_day(typed: &str, today: NaiveDate, days: &[NaiveDate]) -> Result<NaiveDate, String> {
    let t = typed.trim().to_lowercase();
    match t.as_str() {
        "today" => return Ok(today),
        "tomorrow" => return Ok(today + Duration::days(1)),
        "yesterday" => return Ok(today - Duration::days(1)),
        _ => {}
    }
    if let Ok(date) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        return Ok(date);
    }
    let number = t.strip_prefix("day").map(str::trim).unwrap_or(&t);
    if let Ok(n) = number.parse::<usize>() {
        return match n.checked_sub(1).and_then(|i| days.get(i)) {
            Some(d) => Ok(*d),
            None => Err(format!("There is no day {n}.")),
        };
    }
    if let Ok(weekday) = t.parse::<Weekday>() {
        // The conference's day of that name, else the next one from today.
        if let Some(d) = days.iter().find(|d| d.weekday() == weekday) {
            return Ok(*d);
        }
        return Ok((0..7).map(|i| today + Duration::days(i)).find(|d| d.weekday() == weekday).unwrap_or(today));
    }
    Err("Write today, tomorrow, a weekday, a date such as 2024-05-17, or \"day 2\".".into())
}

fn complete(c: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        CONFERENCE => choices::conferences(c, partial),
        ROOM => programme::room_choices(c, partial),
        TRACK => programme::track_choices(c, partial),
        DAY => day_choices(c, partial),
        _ => Vec::new(),
    }
}

/// "today", "tomorrow", then each conference's days as "Day 2 · Sat 28 Dec 2019 · 36C3".
fn day_choices(c: &Catalogue, partial: &str) -> Vec<Choice> {
    let mut named: Vec<(String, String)> =
        vec![("today".into(), "today".into()), ("tomorrow".into(), "tomorrow".into())];
    let several = programme::scheduled(c, None).len() > 1;
    for w in programme::scheduled(c, None) {
        for (i, d) in c.days(w).iter().enumerate() {
            let mut name = format!("Day {} · {}", i + 1, d.format("%a %-d %b %Y"));
            if several {
                name.push_str(&format!(" · {}", c.conferences[w].name));
            }
            named.push((name, d.to_string()));
        }
    }
    let wanted = partial.to_lowercase();
    named
        .into_iter()
        .filter(|(name, value)| name.to_lowercase().contains(&wanted) || value.contains(&wanted))
        .take(limits::CHOICES)
        .map(|(name, value)| Choice { name: limits::truncate(&name, limits::CHOICE_NAME), value })
        .collect()
}

/// The button that shows `page` of a day's programme, with the same filters.
pub fn button(c: &Catalogue, f: &Filters, day: Option<NaiveDate>, page: usize) -> String {
    let conference = common::conference_id(c, f.conference).unwrap_or("");
    let day = day.map(|d| d.to_string()).unwrap_or_default();
    let room = custom_id::escape(f.room.as_deref().unwrap_or(""));
    let track = custom_id::escape(f.track.as_deref().unwrap_or(""));
    custom_id::encode(COMMAND.name, &[&page.to_string(), conference, &day, &room, &track])
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    let f = custom_id::fields(fields, 5)?;
    let mut inv = Invocation::new(COMMAND.name).with(PAGE, custom_id::page(f[0])?);
    inv = custom_id::with_id(inv, CONFERENCE, f[1]);
    if !f[2].is_empty() {
        inv = inv.with(DAY, f[2]);
    }
    Ok(custom_id::with_text(custom_id::with_text(inv, ROOM, f[3]), TRACK, f[4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_against_the_conference() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let days = [d("2019-12-27"), d("2019-12-28"), d("2019-12-29"), d("2019-12-30")];
        let today = d("2019-12-28");
        for (typed, want) in [
            ("today", "2019-12-28"),
            ("Tomorrow", "2019-12-29"),
            ("yesterday", "2019-12-27"),
            ("day 2", "2019-12-28"),
            ("Day4", "2019-12-30"),
            ("3", "2019-12-29"),
            ("friday", "2019-12-27"),
            ("Mon", "2019-12-30"),
            ("2019-12-30", "2019-12-30"),
            ("2020-01-05", "2020-01-05"),
        ] {
            assert_eq!(parse_day(typed, today, &days), Ok(d(want)), "{typed}");
        }
        assert!(parse_day("day 9", today, &days).unwrap_err().contains("no day 9"));
        assert!(parse_day("soon", today, &days).is_err());
        assert!(parse_day("day 0", today, &days).is_err());
    }
}
