//! Showing a Discord message payload on a terminal, readably: what a user would see.

use crate::reply::{Message, EPHEMERAL_NOTE};

pub fn show(command: &str, m: &Message) -> String {
    let mut out = format!("› {}\n", command.trim());
    if m.flags & crate::reply::limits::EPHEMERAL != 0 {
        out.push_str(EPHEMERAL_NOTE);
        out.push('\n');
    }
    if let Some(content) = &m.content {
        out.push_str(content);
        out.push('\n');
    }
    for e in &m.embeds {
        if let Some(author) = &e.author {
            out.push_str(&format!("  {}\n", author.name));
        }
        if let Some(title) = &e.title {
            out.push_str(&format!("┃ {title}\n"));
        }
        if let Some(url) = &e.url {
            out.push_str(&format!("┃ <{url}>\n"));
        }
        if let Some(d) = &e.description {
            for line in d.lines() {
                out.push_str(&format!("┃ {line}\n"));
            }
        }
        for f in &e.fields {
            out.push_str(&format!("┃ — {}\n", f.name));
            for line in f.value.lines() {
                out.push_str(&format!("┃   {line}\n"));
            }
        }
        if let Some(footer) = &e.footer {
            out.push_str(&format!("┃ ({})\n", footer.text));
        }
    }
    for row in &m.components {
        let buttons: Vec<String> = row
            .components
            .iter()
            .map(|b| match &b.url {
                Some(url) => format!("[{} ↗ {url}]", b.label),
                None if b.disabled => format!("[{} (disabled)]", b.label),
                None => format!("[{}]", b.label),
            })
            .collect();
        out.push_str(&format!("  {}\n", buttons.join(" ")));
    }
    out
}
