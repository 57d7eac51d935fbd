//! Modals: the forms Discord shows over the chat when a button asks for text (a moderator's
//! edit, a rejection's reason). Commands describe one as a [`Modal`]; [`render_modal`] makes
//! the exact payload within Discord's limits, as [`super::render`] does for messages.

use serde::{Deserialize, Serialize};

use super::limits::{self, len, truncate};

/// A form with up to five text inputs; its answers come back under `custom_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modal {
    pub custom_id: String,
    pub title: String,
    pub inputs: Vec<TextInput>,
}

/// One text input. Its `id` is the option name its answer arrives under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextInput {
    pub id: String,
    pub label: String,
    /// A paragraph box rather than one line.
    pub long: bool,
    pub required: bool,
    pub min: usize,
    pub max: usize,
    /// Filled in beforehand (e.g. the text being edited).
    pub value: Option<String>,
    pub placeholder: Option<String>,
}

/// Discord's modal payload: the `data` of an interaction callback of type 9.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModalPayload {
    pub custom_id: String,
    pub title: String,
    pub components: Vec<InputRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRow {
    #[serde(rename = "type")]
    pub kind: u8,
    pub components: Vec<InputPayload>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputPayload {
    #[serde(rename = "type")]
    pub kind: u8,
    pub custom_id: String,
    /// 1 short, 2 paragraph.
    pub style: u8,
    pub label: String,
    pub min_length: usize,
    pub max_length: usize,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub placeholder: Option<String>,
}

/// The payload Discord accepts for `modal`: texts cut to their limits, inputs beyond five and
/// inputs with an over-long custom_id dropped, and bounds made consistent.
pub fn render_modal(modal: &Modal) -> ModalPayload {
    let non_empty = |text: &str, max: usize| {
        let t = truncate(text.trim(), max);
        if t.is_empty() {
            "…".to_owned()
        } else {
            t
        }
    };
    let components = modal
        .inputs
        .iter()
        .filter(|i| !i.id.is_empty() && len(&i.id) <= limits::CUSTOM_ID)
        .take(limits::MODAL_INPUTS)
        .map(|i| {
            let max = i.max.clamp(1, limits::INPUT_VALUE);
            let min = i.min.min(max);
            // A prefilled value longer than the input allows would make Discord refuse the form.
            let value = i.value.as_deref().map(|v| v.chars().take(max).collect::<String>()).filter(|v| !v.is_empty());
            InputRow {
                kind: 1,
                components: vec![InputPayload {
                    kind: 4,
                    custom_id: i.id.clone(),
                    style: if i.long { 2 } else { 1 },
                    label: non_empty(&i.label, limits::INPUT_LABEL),
                    min_length: min,
                    max_length: max,
                    required: i.required,
                    value,
                    placeholder: i.placeholder.as_deref().map(|p| truncate(p, limits::INPUT_PLACEHOLDER)),
                }],
            }
        })
        .collect();
    ModalPayload {
        custom_id: modal.custom_id.chars().take(limits::CUSTOM_ID).collect(),
        title: non_empty(&modal.title, limits::MODAL_TITLE),
        components,
    }
}

/// Every limit [`render_modal`] promises, checked on a finished payload.
pub fn modal_violations(m: &ModalPayload) -> Vec<String> {
    let mut v = Vec::new();
    let mut check = |ok: bool, what: &str| {
        if !ok {
            v.push(what.to_owned());
        }
    };
    check(!m.custom_id.is_empty() && len(&m.custom_id) <= limits::CUSTOM_ID, "custom_id");
    check(!m.title.is_empty() && len(&m.title) <= limits::MODAL_TITLE, "title");
    check((1..=limits::MODAL_INPUTS).contains(&m.components.len()), "input count");
    for row in &m.components {
        check(row.components.len() == 1, "inputs per row");
        for i in &row.components {
            check(!i.label.is_empty() && len(&i.label) <= limits::INPUT_LABEL, "label");
            check(i.min_length <= i.max_length && i.max_length <= limits::INPUT_VALUE, "bounds");
            check(i.value.as_deref().is_none_or(|v| len(v) <= i.max_length), "value");
            check(i.placeholder.as_deref().is_none_or(|p| len(p) <= limits::INPUT_PLACEHOLDER), "placeholder");
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modals_are_kept_within_limits() {
        let input = |id: &str| TextInput {
            id: id.into(),
            label: "L".repeat(80),
            long: true,
            required: true,
            min: 9000,
            max: 9000,
            value: Some("v".repeat(5000)),
            placeholder: Some("p".repeat(300)),
        };
        let modal = Modal {
            custom_id: "c".repeat(150),
            title: "T".repeat(90),
            inputs: (0..7).map(|i| input(&format!("i{i}"))).chain([input(&"x".repeat(101))]).collect(),
        };
        let payload = render_modal(&modal);
        assert_eq!(modal_violations(&payload), Vec::<String>::new());
        assert_eq!(payload.components.len(), 5);
        assert_eq!(payload.components[0].components[0].style, 2);
    }
}
