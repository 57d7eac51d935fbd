//! The Discord message payload (content, embeds, components, flags, allowed_mentions) and the
//! rendering that guarantees its limits. The JSON shape is Discord's, so it can be sent as is.

use serde::{Deserialize, Serialize};

use super::limits::{self, len, truncate};
use super::{Button, Reply};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub content: Option<String>,
    #[serde(default)]
    pub embeds: Vec<EmbedPayload>,
    #[serde(default)]
    pub components: Vec<ActionRow>,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub flags: u64,
    pub allowed_mentions: AllowedMentions,
}

fn is_zero(flags: &u64) -> bool {
    *flags == 0
}

/// `{"parse": []}`: no @everyone, role or user mention in any text ever pings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AllowedMentions {
    pub parse: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbedPayload {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub fields: Vec<FieldPayload>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub footer: Option<TextPayload>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub author: Option<AuthorPayload>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub color: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldPayload {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub inline: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextPayload {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorPayload {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRow {
    #[serde(rename = "type")]
    pub kind: u8,
    pub components: Vec<Component>,
}

/// A button: style 1–4 with a custom_id, or style 5 with a url.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    #[serde(rename = "type")]
    pub kind: u8,
    pub style: u8,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub custom_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub disabled: bool,
}

/// Shown when a reply would otherwise be empty, which Discord rejects.
const NOTHING: &str = "Nothing to show.";
/// Stands in for an empty field name or value, which Discord rejects.
const BLANK: &str = "—";

pub(super) fn render(reply: &Reply) -> Message {
    let content = reply.content.as_deref().map(|c| truncate(c.trim(), limits::CONTENT)).filter(|c| !c.is_empty());
    let mut embeds: Vec<EmbedPayload> = reply.embeds.iter().take(limits::EMBEDS).map(embed).collect();
    fit_total(&mut embeds);
    let content = match (&content, embeds.is_empty()) {
        (None, true) => Some(NOTHING.to_owned()),
        _ => content,
    };
    Message {
        content,
        embeds,
        components: rows(&reply.buttons),
        flags: if reply.ephemeral { limits::EPHEMERAL } else { 0 },
        allowed_mentions: AllowedMentions::default(),
    }
}

fn embed(e: &super::Embed) -> EmbedPayload {
    let text = |t: &Option<String>, max| t.as_deref().map(|t| truncate(t.trim(), max)).filter(|t| !t.is_empty());
    EmbedPayload {
        title: text(&e.title, limits::EMBED_TITLE),
        url: e.url.clone().filter(|u| is_link(u)),
        description: text(&e.description, limits::EMBED_DESCRIPTION),
        fields: e
            .fields
            .iter()
            .take(limits::EMBED_FIELDS)
            .map(|f| FieldPayload {
                name: non_blank(truncate(f.name.trim(), limits::FIELD_NAME)),
                value: non_blank(truncate(f.value.trim(), limits::FIELD_VALUE)),
                inline: f.inline,
            })
            .collect(),
        footer: text(&e.footer, limits::FOOTER).map(|text| TextPayload { text }),
        author: text(&e.author, limits::AUTHOR).map(|name| AuthorPayload { name }),
        color: e.color,
    }
}

fn non_blank(s: String) -> String {
    if s.is_empty() {
        BLANK.to_owned()
    } else {
        s
    }
}

/// Characters Discord counts towards the 6000 shared by all embeds of a message.
pub fn embed_chars(e: &EmbedPayload) -> usize {
    let opt = |t: &Option<String>| t.as_deref().map_or(0, len);
    opt(&e.title)
        + opt(&e.description)
        + e.fields.iter().map(|f| len(&f.name) + len(&f.value)).sum::<usize>()
        + e.footer.as_ref().map_or(0, |f| len(&f.text))
        + e.author.as_ref().map_or(0, |a| len(&a.name))
}

/// Shrinks the embeds until they share at most 6000 characters: fields go first, from the end
/// of the last embed, then descriptions are cut, then whole embeds go.
fn fit_total(embeds: &mut Vec<EmbedPayload>) {
    let total = |embeds: &Vec<EmbedPayload>| embeds.iter().map(embed_chars).sum::<usize>();
    while total(embeds) > limits::EMBED_TOTAL {
        let excess = total(embeds) - limits::EMBED_TOTAL;
        let Some(last) = embeds.last_mut() else { return };
        if last.fields.len() > 1 {
            last.fields.pop();
        } else if let Some(d) = last.description.as_mut().filter(|d| len(d) > excess + 1) {
            *d = truncate(d, len(d) - excess);
        } else if embeds.len() > 1 {
            embeds.pop();
        } else {
            // One embed whose title, field, footer and author alone exceed the total: cannot
            // happen with the per-part limits (256 + 4096 + 256 + 1024 + 2048 + 256 > 6000
            // only through the footer), so cut the footer and description to make room.
            let last = &mut embeds[0];
            last.footer = None;
            if let Some(d) = last.description.as_mut() {
                *d = truncate(d, len(d).saturating_sub(excess));
            }
            if total(embeds) > limits::EMBED_TOTAL {
                embeds[0].fields.clear();
            }
            return;
        }
    }
}

fn rows(buttons: &[Button]) -> Vec<ActionRow> {
    let components: Vec<Component> = buttons.iter().filter_map(component).collect();
    components
        .chunks(limits::BUTTONS_PER_ROW)
        .take(limits::ROWS)
        .map(|chunk| ActionRow { kind: 1, components: chunk.to_vec() })
        .collect()
}

/// A button Discord will accept, or nothing: an over-long custom_id or bad URL drops the
/// button rather than the whole message.
fn component(button: &Button) -> Option<Component> {
    let label = |l: &str| {
        let l = truncate(l.trim(), limits::BUTTON_LABEL);
        if l.is_empty() {
            "…".to_owned()
        } else {
            l
        }
    };
    match button {
        Button::Action { label: l, custom_id, style, disabled } => {
            (!custom_id.is_empty() && len(custom_id) <= limits::CUSTOM_ID).then(|| Component {
                kind: 2,
                style: *style as u8,
                label: label(l),
                custom_id: Some(custom_id.clone()),
                url: None,
                disabled: *disabled,
            })
        }
        Button::Link { label: l, url } => (is_link(url) && len(url) <= limits::BUTTON_URL).then(|| Component {
            kind: 2,
            style: 5,
            label: label(l),
            custom_id: None,
            url: Some(url.clone()),
            disabled: false,
        }),
    }
}

fn is_link(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Every limit this module promises, checked on a finished payload: the property tests use it,
/// and so can anything that builds a payload by other means.
pub fn violations(m: &Message) -> Vec<String> {
    let mut v = Vec::new();
    let mut check = |ok: bool, what: &str| {
        if !ok {
            v.push(what.to_owned());
        }
    };
    check(m.content.as_deref().is_none_or(|c| len(c) <= limits::CONTENT && !c.is_empty()), "content length");
    check(m.content.is_some() || !m.embeds.is_empty(), "empty message");
    check(m.embeds.len() <= limits::EMBEDS, "embed count");
    check(m.embeds.iter().map(embed_chars).sum::<usize>() <= limits::EMBED_TOTAL, "embed total");
    for e in &m.embeds {
        check(e.title.as_deref().is_none_or(|t| len(t) <= limits::EMBED_TITLE), "title");
        check(e.description.as_deref().is_none_or(|t| len(t) <= limits::EMBED_DESCRIPTION), "description");
        check(e.fields.len() <= limits::EMBED_FIELDS, "field count");
        for f in &e.fields {
            check(!f.name.is_empty() && len(&f.name) <= limits::FIELD_NAME, "field name");
            check(!f.value.is_empty() && len(&f.value) <= limits::FIELD_VALUE, "field value");
        }
        check(e.footer.as_ref().is_none_or(|f| len(&f.text) <= limits::FOOTER), "footer");
        check(e.author.as_ref().is_none_or(|a| len(&a.name) <= limits::AUTHOR), "author");
    }
    check(m.components.len() <= limits::ROWS, "row count");
    for row in &m.components {
        check(!row.components.is_empty() && row.components.len() <= limits::BUTTONS_PER_ROW, "buttons per row");
        for b in &row.components {
            check(!b.label.is_empty() && len(&b.label) <= limits::BUTTON_LABEL, "button label");
            check(b.custom_id.as_deref().is_none_or(|c| !c.is_empty() && len(c) <= limits::CUSTOM_ID), "custom_id");
            check(b.custom_id.is_some() != b.url.is_some(), "button target");
        }
    }
    check(m.allowed_mentions.parse.is_empty(), "allowed_mentions");
    v
}
