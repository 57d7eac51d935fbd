//! Discord's documented limits on message payloads, in one place, lengths counted in characters.
//!
//! Message: <https://discord.com/developers/docs/resources/message#create-message-jsonform-params>
//! Embeds: <https://discord.com/developers/docs/resources/message#embed-object-embed-limits>
//! Components: <https://discord.com/developers/docs/interactions/message-components>
//! Autocomplete: <https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-choice-structure>

/// Characters of `content` in one message.
pub const CONTENT: usize = 2000;
/// Embeds in one message.
pub const EMBEDS: usize = 10;
/// Characters across every embed's title, description, field names and values, footer and author.
pub const EMBED_TOTAL: usize = 6000;
pub const EMBED_TITLE: usize = 256;
pub const EMBED_DESCRIPTION: usize = 4096;
pub const EMBED_FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
pub const AUTHOR: usize = 256;
/// Action rows in one message, and buttons in one row.
pub const ROWS: usize = 5;
pub const BUTTONS_PER_ROW: usize = 5;
pub const CUSTOM_ID: usize = 100;
pub const BUTTON_LABEL: usize = 80;
/// Link buttons take URLs of at most this many characters.
pub const BUTTON_URL: usize = 512;
/// Autocomplete: choices per answer, and characters of a choice's name and value.
pub const CHOICES: usize = 25;
pub const CHOICE_NAME: usize = 100;
pub const CHOICE_VALUE: usize = 100;
/// Characters of a modal's title; text inputs in one modal (one per action row).
pub const MODAL_TITLE: usize = 45;
pub const MODAL_INPUTS: usize = 5;
/// Characters of a text input's label, placeholder, and value (also its largest max_length).
pub const INPUT_LABEL: usize = 45;
pub const INPUT_PLACEHOLDER: usize = 100;
pub const INPUT_VALUE: usize = 4000;
/// Message flag that shows a reply only to the user who asked.
pub const EPHEMERAL: u64 = 1 << 6;

/// Cuts `text` to at most `max` characters, at a word boundary when one is near, ending in `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let keep: String = text.chars().take(max - 1).collect();
    // Prefer the last space in the final fifth, so we do not cut a word in half needlessly.
    let cut = match keep.rfind(char::is_whitespace) {
        Some(i) if keep[..i].chars().count() >= (max - 1) * 4 / 5 => &keep[..i],
        _ => keep.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// The number of characters Discord counts.
pub fn len(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_limit_and_prefers_words() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("hello wonderful world", 16), "hello wonderful…");
        assert_eq!(truncate("abcdefghij", 5), "abcd…");
        assert_eq!(truncate("ééééé", 3).chars().count(), 3);
        assert_eq!(truncate("anything", 0), "");
        for max in 1..40 {
            assert!(len(&truncate("a b c d e f g h i j k l m n o p q r s t", max)) <= max);
        }
    }
}
