//! `/mine [action:]`: your bookmarked talks in time order, with overlaps marked; `action:
//! clear` deletes them all (they are your data).

use serde_json::{json, Value};

use super::common::PAGE;
use super::custom_id::{self, StaleButton};
use super::definition::text;
use super::{programme, Choice, Command, Context, Invocation, Outcome};
use crate::catalogue::timetable::Session;
use crate::catalogue::Catalogue;
use crate::reply::{md, paginate, Reply};
use crate::store::StoreError;

const ACTION: &str = "action";

pub const COMMAND: Command = Command {
    name: "mine",
    description: "Your bookmarked talks, in time order (action: clear deletes them)",
    options: &[text(ACTION, "list (default) or clear", false, true)],
    admin: false,
    run,
    complete,
    button: decode,
};

fn run(ctx: &mut Context<'_>, inv: &Invocation) -> Outcome {
    let (Some(bot), Some(member)) = (&ctx.bot, &ctx.member) else {
        return Outcome::missed(
            Reply::problem("Bookmarks work only in Discord", "They belong to your Discord account."),
            Value::Null,
        );
    };
    let (store, user) = (bot.store, member.id);
    let answer: Result<Outcome, StoreError> = match inv.get(ACTION).map(str::to_lowercase).as_deref() {
        None | Some("list") => store.bookmarks_of(user).map(|ids| list(ctx.catalogue, &ids, inv.page())),
        Some("clear") => store.clear_bookmarks(user).map(|n| {
            let text = match n {
                0 => "You had no bookmarks.".to_owned(),
                n => format!("Deleted your {n} bookmark{}; no reminders will come.", if n == 1 { "" } else { "s" }),
            };
            Outcome::found(Reply { content: Some(text), ephemeral: true, ..Reply::default() }, json!({"cleared": n}))
        }),
        Some(_) => {
            Ok(Outcome::missed(Reply::problem("Which action?", "`list` (the default) or `clear`."), Value::Null))
        }
    };
    answer.unwrap_or_else(|e| {
        tracing::error!("/mine: state store failed: {e}");
        Outcome::missed(Reply::problem("Could not read the bot's state", "Try again in a moment."), Value::Null)
    })
}

/// The bookmarks in time order, each with a warning when it overlaps the one before.
fn list(c: &Catalogue, ids: &[String], page: usize) -> Outcome {
    let mut sessions: Vec<Session> =
        ids.iter().filter_map(|id| c.talk_by_id(id)).filter_map(|t| c.timetable.of_talk(t).copied()).collect();
    sessions.sort_by_key(|s| (s.start, s.talk));
    let missing = ids.len() - sessions.len();
    let resolved = json!({"sessions": programme::sessions_json(c, &sessions)});
    if sessions.is_empty() {
        let advice = "Press 🔔 Remind me on a talk (`/talk`, `/schedule`, `/now`, `/next`) to bookmark it.";
        let mut reply = Reply::problem("No bookmarks yet", advice);
        reply.embeds[0].color = Some(crate::reply::COLOR);
        return Outcome::found(reply, resolved);
    }
    let (heading, offset) = programme::heading(c, &sessions[0]);
    let lines: Vec<String> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let overlap = sessions[..i].iter().rev().find(|p| p.until > s.start);
            let warn =
                overlap.map(|p| format!("\n  ⚠ overlaps **{}**", md(&c.talks[p.talk].title))).unwrap_or_default();
            format!("{}{warn}", programme::line(c, s, offset))
        })
        .collect();
    let mut page = paginate(&lines, page, button);
    programme::numbered(c, &sessions, &mut page);
    let shown = page.lines.join("\n");
    let gone = if missing > 0 {
        format!("\n\n{missing} bookmarked talk(s) are no longer in the schedule.")
    } else {
        String::new()
    };
    let mut reply = page.reply(
        format!("Your bookmarks — {}", sessions.len()),
        format!("{heading}\n\n{shown}{gone}"),
        "Press 🔔 on a talk to remove it; /mine action: clear deletes them all",
    );
    reply.ephemeral = true;
    Outcome::found(reply, resolved)
}

fn complete(_: &Catalogue, option: &str, partial: &str) -> Vec<Choice> {
    match option {
        ACTION => super::choices::names(["list", "clear"], partial),
        _ => Vec::new(),
    }
}

fn button(page: usize) -> String {
    custom_id::encode(COMMAND.name, &[&page.to_string()])
}

fn decode(fields: &str) -> Result<Invocation, StaleButton> {
    Ok(Invocation::new(COMMAND.name).with(PAGE, custom_id::page(fields)?))
}
