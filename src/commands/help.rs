//! `/help`: every command from the table, with an example.

use serde_json::Value;

use super::definition::{no_buttons, no_choices};
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
            let options: Vec<String> = c
                .options
                .iter()
                .map(|o| if o.required { format!("{}:", o.name) } else { format!("[{}:]", o.name) })
                .collect();
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
