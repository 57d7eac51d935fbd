//! `/reload` (admins): load the catalogue files again. The command only asks for it (an
//! [`Effect::Reload`]); the running bot loads off the async threads, swaps the new catalogue in
//! when it has no problem, and answers with [`reply`]. SIGHUP does the same.

use serde_json::Value;

use super::common;
use super::definition::{no_buttons, no_choices};
use super::{Command, Context, Effect, Outcome};
use crate::catalogue::{Counts, LoadError};
use crate::reply::{Embed, Reply, COLOR};

pub const COMMAND: Command = Command {
    name: "reload",
    description: "Reload the catalogue files (admins)",
    options: &[],
    admin: true,
    run: |ctx, _| run(ctx),
    complete: no_choices,
    button: no_buttons,
};

pub fn run(ctx: &mut Context<'_>) -> Outcome {
    if let Err(refused) =
        common::managed_server(ctx, ("Reloading belongs to a server", "Use `/reload` in a server you manage."))
    {
        return refused;
    }
    let asking = Reply { content: Some("Reloading the catalogue…".into()), ephemeral: true, ..Reply::default() };
    Outcome { effects: vec![Effect::Reload], ..Outcome::found(asking, Value::Null) }
}

/// The answer once the reload is done, for the admin who asked (ephemeral either way).
pub fn reply(result: &Result<Counts, LoadError>) -> Reply {
    match result {
        Ok(counts) => Reply {
            embeds: vec![Embed {
                title: Some("Catalogue reloaded".into()),
                description: Some(format!("Now serving {counts}.")),
                color: Some(COLOR),
                ..Embed::default()
            }],
            ephemeral: true,
            ..Reply::default()
        },
        Err(e) => {
            let problems: Vec<String> = e.problems.iter().map(std::string::ToString::to_string).collect();
            Reply::problem(
                "Reload failed: still serving the previous catalogue",
                format!("```\n{}\n```", problems.join("\n").replace("```", "'''")),
            )
        }
    }
}
