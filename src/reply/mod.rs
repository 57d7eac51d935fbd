//! The one place that shapes replies within Discord's limits.
//!
//! Commands build a [`Reply`] — what they want to say — without worrying about lengths. [`render`]
//! turns it into the exact [`Message`] payload sent to Discord, cutting text at words, dropping
//! what cannot fit, and disabling every mention. Nothing reaches Discord without passing here.

pub mod limits;
mod modal;
mod payload;

pub use modal::{modal_violations, render_modal, InputPayload, InputRow, Modal, ModalPayload, TextInput};
pub use payload::{
    violations, ActionRow, AllowedMentions, AuthorPayload, Component, EmbedPayload, FieldPayload, Message, TextPayload,
};

/// What a command wants to say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub content: Option<String>,
    pub embeds: Vec<Embed>,
    /// Laid out in rows of five; what does not fit in five rows is dropped.
    pub buttons: Vec<Button>,
    /// Shown only to the user who asked (errors, "not found", admin answers).
    pub ephemeral: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Embed {
    pub title: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<Field>,
    pub footer: Option<String>,
    pub author: Option<String>,
    pub color: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Button {
    /// Comes back to the bot as a component interaction carrying `custom_id`.
    Action { label: String, custom_id: String, style: Style, disabled: bool },
    /// Opens a URL; never comes back.
    Link { label: String, url: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Primary = 1,
    Secondary = 2,
}

/// Colours of confbot's embeds.
pub const COLOR: u32 = 0x3776AB;
pub const ERROR_COLOR: u32 = 0xD9534F;

impl Reply {
    /// A private answer for a user mistake or a miss, with advice on what to do next.
    pub fn problem(title: impl Into<String>, advice: impl Into<String>) -> Reply {
        Reply {
            embeds: vec![Embed {
                title: Some(title.into()),
                description: Some(advice.into()),
                color: Some(ERROR_COLOR),
                ..Embed::default()
            }],
            ephemeral: true,
            ..Reply::default()
        }
    }

    /// A reply made of one embed.
    pub fn embed(embed: Embed) -> Reply {
        Reply { embeds: vec![embed], ..Reply::default() }
    }
}

impl Field {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Field {
        Field { name: name.into(), value: value.into(), inline: false }
    }
    pub fn inline(name: impl Into<String>, value: impl Into<String>) -> Field {
        Field { name: name.into(), value: value.into(), inline: true }
    }
}

impl Button {
    pub fn action(label: impl Into<String>, custom_id: impl Into<String>) -> Button {
        Button::Action { label: label.into(), custom_id: custom_id.into(), style: Style::Secondary, disabled: false }
    }
}

/// Makes user-typed text safe to echo inside a reply: no control characters, no markdown that
/// could break out of the surrounding formatting, and short.
pub fn echo(user_text: &str) -> String {
    let cleaned: String = user_text
        .chars()
        .map(|c| if is_bidi_control(c) { ' ' } else { c })
        .filter(|c| !matches!(c, '`' | '*' | '_' | '~' | '|' | '>' | '#' | '[' | ']' | '\\'))
        .collect();
    limits::truncate(cleaned.split_whitespace().collect::<Vec<_>>().join(" ").as_str(), 100)
}

/// Catalogue text made safe to show as Discord Markdown: it reads exactly as written. Markdown
/// characters are escaped (so `__init__` stays `__init__`, and `[x](https://…)` in a title is
/// not a link: links are only what the catalogue declares as links), and control and bidi
/// characters are dropped (newlines kept).
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    for c in text.chars() {
        if c == '\n' {
            out.push(c);
            line_start = true;
            continue;
        }
        if is_bidi_control(c) {
            continue;
        }
        let special = matches!(c, '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' | '<' | '@')
            || (line_start && matches!(c, '>' | '#' | '-'));
        if special {
            out.push('\\');
        }
        out.push(c);
        line_start = line_start && c == ' ';
    }
    out
}

/// A Markdown link to `url` labelled `label`: the label escaped, and the address written so that
/// nothing in it (a `)`, a space) can end the link early or start another.
pub fn link(label: &str, url: &str) -> String {
    let mut safe = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '(' => safe.push_str("%28"),
            ')' => safe.push_str("%29"),
            '<' => safe.push_str("%3C"),
            '>' => safe.push_str("%3E"),
            ' ' => safe.push_str("%20"),
            c if is_bidi_control(c) => {}
            c => safe.push(c),
        }
    }
    format!("[{}]({safe})", md(label))
}

/// Characters that are invisible yet change what is shown around them: control characters
/// (an ESC starts a terminal escape sequence) and the bidi embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069). Loading refuses them, imports strip them, `ask` escapes them;
/// each caller keeps the line breaks it allows.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// [`is_hidden`], or a left-to-right/right-to-left mark: what a reply never shows.
fn is_bidi_control(c: char) -> bool {
    is_hidden(c) || matches!(c, '\u{200e}' | '\u{200f}')
}

/// A page of a long list: the lines to show and the buttons to move between pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub lines: Vec<String>,
    /// 0-based page shown, after clamping to the pages that exist.
    pub index: usize,
    pub count: usize,
    pub buttons: Vec<Button>,
}

/// Lines per page of a list: ten lines of at most [`LINE`] characters always fit a description.
pub const PAGE_LINES: usize = 10;
const LINE: usize = 300;

/// Cuts `lines` into pages and returns page `requested` (clamped). `custom_id(page)` makes the
/// custom_id of a button that shows that page.
pub fn paginate(lines: &[String], requested: usize, custom_id: impl Fn(usize) -> String) -> Page {
    paginate_with(lines.len(), |i| lines[i].clone(), requested, custom_id)
}

/// [`paginate`] for a list of `len` lines of which only the shown ones are made, by
/// `line(i)`: a search can match thousands of talks, and formatting every line would cost
/// more than the search.
pub fn paginate_with(
    len: usize,
    line: impl Fn(usize) -> String,
    requested: usize,
    custom_id: impl Fn(usize) -> String,
) -> Page {
    let count = len.div_ceil(PAGE_LINES).max(1);
    let index = requested.min(count - 1);
    let shown =
        (index * PAGE_LINES..len.min((index + 1) * PAGE_LINES)).map(|i| limits::truncate(&line(i), LINE)).collect();
    let mut buttons = Vec::new();
    if count > 1 {
        buttons.push(Button::Action {
            label: "◀ Previous".into(),
            custom_id: custom_id(index.saturating_sub(1)),
            style: Style::Secondary,
            disabled: index == 0,
        });
        buttons.push(Button::Action {
            label: "Next ▶".into(),
            custom_id: custom_id(index + 1),
            style: Style::Secondary,
            disabled: index + 1 == count,
        });
    }
    Page { lines: shown, index, count, buttons }
}

impl Page {
    /// "Page 2 of 5", or nothing for a single page.
    pub fn footer(&self) -> Option<String> {
        (self.count > 1).then(|| format!("Page {} of {}", self.index + 1, self.count))
    }

    /// The reply showing this page: one embed titled `title` holding `description`, with the
    /// page buttons; the footer says which page, or `hint` when there is only one.
    pub fn reply(self, title: String, description: String, hint: &str) -> Reply {
        Reply {
            embeds: vec![Embed {
                title: Some(title),
                description: Some(description),
                footer: Some(self.footer().unwrap_or_else(|| hint.to_owned())),
                color: Some(COLOR),
                ..Embed::default()
            }],
            buttons: self.buttons,
            ..Reply::default()
        }
    }
}

/// How the CLI marks a reply only its asker would see.
pub const EPHEMERAL_NOTE: &str = "(only you can see this)";

/// Turns a reply into the payload Discord receives, within every limit.
pub fn render(reply: &Reply) -> Message {
    payload::render(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_text_reads_as_written() {
        assert_eq!(md("__init__"), r"\_\_init\_\_");
        assert_eq!(md("[click](https://evil.com)"), r"\[click\](https://evil.com)");
        assert_eq!(md("> not a quote\n# nor a heading - fine"), "\\> not a quote\n\\# nor a heading - fine");
        assert_eq!(md("bell\u{7}esc\u{1b}[31m"), r"bellesc\[31m");
        assert_eq!(md("Rewind: Python Time-Travel Debugger"), "Rewind: Python Time-Travel Debugger");
        assert_eq!(
            link("Slides", "https://x.org/a)[x](javascript:1"),
            "[Slides](https://x.org/a%29[x]%28javascript:1)"
        );
        assert_eq!(link("a [b]", "https://x.org/a b"), r"[a \[b\]](https://x.org/a%20b)");
    }
}
