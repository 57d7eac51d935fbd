//! Showing a Discord message payload on a terminal, readably: what a user would see.

use chrono::{DateTime, Utc};

use crate::reply::{Message, EPHEMERAL_NOTE};

/// The message as terminal text. Nothing from the data or the command line reaches the terminal
/// raw: control characters (an ESC starts a terminal escape sequence) and bidi overrides are
/// shown as visible escapes, so `ask` can never recolour, move or rewrite the screen. Discord
/// timestamps are shown as a Discord client in UTC would show them, relative ones from `now`.
pub fn show(command: &str, m: &Message, now: DateTime<Utc>) -> String {
    visible(&timestamps(&layout(command, m), now))
}

/// `<t:UNIX:STYLE>` as text: "Fri 27 Dec 2019 10:00 UTC", or "in 20 minutes" for style R.
fn timestamps(text: &str, now: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<t:") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 3..];
        let parsed = tail.find('>').and_then(|end| {
            let (unix, style) = tail[..end].split_once(':')?;
            let when = DateTime::<Utc>::from_timestamp(unix.parse().ok()?, 0)?;
            Some((end, when, style))
        });
        match parsed {
            Some((end, when, style)) => {
                out.push_str(&match style {
                    "R" => relative(when - now),
                    "t" => when.format("%H:%M UTC").to_string(),
                    "d" => when.format("%Y-%m-%d").to_string(),
                    _ => when.format("%a %-d %b %Y %H:%M UTC").to_string(),
                });
                rest = &tail[end + 1..];
            }
            None => {
                out.push_str("<t:");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn relative(d: chrono::Duration) -> String {
    let minutes = d.num_minutes();
    let amount = match minutes.abs() {
        m @ 0..=89 => format!("{m} minute{}", if m == 1 { "" } else { "s" }),
        m @ 90..=2159 => format!("{} hours", (m + 30) / 60),
        m => format!("{} days", (m + 720) / 1440),
    };
    if minutes < 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// Every control character but the line breaks written as `\u{…}`, and bidi overrides too.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if crate::reply::is_hidden(c) && c != '\n' {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn layout(command: &str, m: &Message) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_never_reach_the_terminal() {
        let reply = crate::reply::Reply {
            content: Some("red \u{1b}[31m alarm \u{7} \u{202e}olleh".into()),
            ..Default::default()
        };
        let mut m = crate::reply::render(&reply);
        // `render` already strips them from content; a payload built elsewhere may not.
        m.content = reply.content;
        let shown = show("/ask \u{1b}]0;pwned\u{7}", &m, Utc::now());
        assert!(!shown.chars().any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202e}'), "{shown:?}");
        assert!(shown.contains("\\u{1b}[31m") && shown.contains("\\u{202e}olleh"), "{shown}");
    }

    #[test]
    fn discord_timestamps_are_shown_in_utc() {
        let now = DateTime::parse_from_rfc3339("2019-12-27T10:40:00Z").unwrap().with_timezone(&Utc);
        let text = "<t:1577440800:F> (<t:1577440800:R>) <t:1577444400:t> <t:oops:F> <t:";
        assert_eq!(timestamps(text, now), "Fri 27 Dec 2019 10:00 UTC (40 minutes ago) 11:00 UTC <t:oops:F> <t:");
    }
}
