//! The rules a suggestion meets before it is stored, and the limits that stop a flood. Each
//! limit is documented with its reason in docs/insights.md; change them together.

use crate::search::fold;

/// The shortest text: below ten characters there is no insight, only a reaction ("great talk").
pub const TEXT_MIN: usize = 10;
/// The longest text: a card reads it at a glance, and a quote longer than this is a transcript.
/// It also keeps every review message far inside Discord's embed limits.
pub const TEXT_MAX: usize = 500;
/// A rejection's reason: one line the member reads in their notice.
pub const REASON_MAX: usize = 100;

/// How much one member, and one server, may have in the moderators' hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Pending suggestions per member and server: enough for every note from a talk or two,
    /// while one member cannot bury the review channel.
    pub pending_per_member: usize,
    /// Suggestions per member and server in any rolling hour, decided or not: a burst of
    /// copy-paste stops, a member writing up a day of talks does not notice.
    pub per_hour: usize,
    /// Pending suggestions per server: the review queue stays readable, and many accounts
    /// together cannot grow the state file without bound.
    pub pending_per_server: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { pending_per_member: 5, per_hour: 10, pending_per_server: 200 }
    }
}

/// Why a text was refused; the `Display` is the advice the member reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("Write the insight or quote in `text:`.")]
    Empty,
    #[error("It is {0} characters long; write at least {TEXT_MIN}.")]
    TooShort(usize),
    #[error("It is {0} characters long; {TEXT_MAX} at most. Keep the one idea that matters.")]
    TooLong(usize),
    #[error("It has no words: emoji and punctuation alone make no insight.")]
    NoWords,
    #[error("It holds an invisible or control character (a line break, a direction mark). Type it as plain text.")]
    Hidden,
    #[error("It mentions someone or a channel. Suggestions mention nobody; name the speaker in words.")]
    Mention,
    #[error("It holds a link. Suggestions carry no links: the talk's own links come with every card.")]
    Link,
}

/// The text as it will be stored (trimmed), or why it is refused. Checked in the order a member
/// would fix things: something written, plain characters, the length, then its content.
pub fn check_text(text: &str) -> Result<String, TextProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TextProblem::Empty);
    }
    // Direction marks and zero-width characters too: they hide what a moderator approves.
    if text
        .chars()
        .any(|c| crate::reply::is_hidden(c) || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}'))
    {
        return Err(TextProblem::Hidden);
    }
    let len = text.chars().count();
    if len < TEXT_MIN {
        return Err(TextProblem::TooShort(len));
    }
    if len > TEXT_MAX {
        return Err(TextProblem::TooLong(len));
    }
    if !text.chars().any(char::is_alphanumeric) {
        return Err(TextProblem::NoWords);
    }
    let lower = text.to_lowercase();
    // Replies never ping (allowed_mentions is empty) and `md` escapes `@` and `<`, but a
    // mention in a shared insight still reads as one to members whose client renders it.
    if ["@everyone", "@here", "<@", "<#", "</"].iter().any(|m| lower.contains(m)) {
        return Err(TextProblem::Mention);
    }
    if ["://", "www.", "discord.gg/", "discord.com/invite", "](", "mailto:"].iter().any(|l| lower.contains(l)) {
        return Err(TextProblem::Link);
    }
    Ok(text.to_owned())
}

/// What two texts must share to be the same suggestion: case, accents, punctuation and spacing
/// aside ([`fold`]).
pub fn fold_key(text: &str) -> String {
    fold(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_checked() {
        let ok = "Type hints are documentation the computer checks.";
        assert_eq!(check_text(&format!("  {ok}  ")), Ok(ok.to_owned()));
        let cases: &[(&str, TextProblem)] = &[
            ("", TextProblem::Empty),
            ("   \t  ", TextProblem::Empty),
            ("too short", TextProblem::TooShort(9)),
            (&"é".repeat(501), TextProblem::TooLong(501)),
            ("🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉", TextProblem::NoWords),
            ("!!! ??? ... !!! ???", TextProblem::NoWords),
            ("two lines\nof text here", TextProblem::Hidden),
            ("escape \u{1b}[31m red text", TextProblem::Hidden),
            ("right to left \u{202e} override", TextProblem::Hidden),
            ("zero\u{200b}width joiner here", TextProblem::Hidden),
            ("hello @everyone look at this", TextProblem::Mention),
            ("ask <@123456> about it later", TextProblem::Mention),
            ("see the slides at https://example.org", TextProblem::Link),
            ("see WWW.example.org for more", TextProblem::Link),
            ("[click here](javascript:alert)", TextProblem::Link),
        ];
        for (text, problem) in cases {
            assert_eq!(check_text(text).as_ref(), Err(problem), "{text:?}");
        }
        assert!(check_text(&"a".repeat(500)).is_ok());
        assert!(check_text("Simon's @simonw handle is fine").is_ok());
    }

    #[test]
    fn duplicates_fold_together() {
        assert_eq!(fold_key("Type hints: documentation!"), fold_key("  type HINTS documentation"));
        assert_ne!(fold_key("Type hints"), fold_key("Type hint"));
    }
}
