//! `/help`: every command from the table, with an example.

use serde_json::Value;

use super::definition::{no_buttons, no_choices, OptionKind};
use super::{Command, Outcome, COMMANDS};
use crate::reply::{Embed, Reply, COLOR};

pub const COMMAND: Command = Command {
    name: "help",
    description: "How to use confbot",
    options: &[],
    admin: false,
    run: |_, _| run(),
    complete: no_choices,
    button: no_buttons,
};

pub fn run() -> Outcome {
    let lines: Vec<String> = COMMANDS
        .iter()
        .map(|c| {
            // Subcommands are alternatives (`/daily set|show`); options are named values.
            let subcommands: Vec<&str> =
                c.options.iter().filter(|o| matches!(o.kind, OptionKind::Subcommand(_))).map(|o| o.name).collect();
            let options: Vec<String> = if subcommands.is_empty() {
                c.options
                    .iter()
                    .map(|o| if o.required { format!("{}:", o.name) } else { format!("[{}:]", o.name) })
                    .collect()
            } else {
                vec![subcommands.join("|")]
            };
            let usage =
                if options.is_empty() { format!("/{}", c.name) } else { format!("/{} {}", c.name, options.join(" ")) };
            format!("`{usage}` — {}", c.description)
        })
        .collect();
    let reply = Reply::embed(Embed {
        title: Some("confbot commands".into()),
        description: Some(format!(
            "{}\n\nNames and titles may be approximate: `/speaker name: lukasz langa` finds Łukasz Langa.",
            lines.join("\n")
        )),
        color: Some(COLOR),
        ..Embed::default()
    });
    Outcome::found(reply, Value::Null)
}
