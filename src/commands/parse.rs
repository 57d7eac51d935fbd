//! Reading a command written as in Discord — `/speaker name: simon wilison` — into an
//! [`Invocation`]. Option names come from the command table, so values may contain spaces and
//! colons; an option's value runs until the next known `name:`.

use super::common::PAGE;
use super::definition::SUBCOMMAND;
use super::{find, Invocation, OptionKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty line: write a command such as `/speaker name: Simon Willison`")]
    Empty,
    #[error("unknown command `/{0}`: `/help` lists the commands")]
    UnknownCommand(String),
    #[error("`/{command}` has no option `{option}`; its options are: {known}")]
    UnknownOption { command: String, option: String, known: String },
    #[error("`/{command}` needs `{option}:`, e.g. `/{command} {option}: …`")]
    Missing { command: String, option: String },
}

/// Parses one line. A bare value after a command with a single required option is taken as
/// that option (`/speaker simon` means `/speaker name: simon`).
pub fn parse_line(line: &str) -> Result<Invocation, ParseError> {
    let line = line.trim();
    let line = line.strip_prefix('/').unwrap_or(line);
    let (name, mut rest) = split_word(line);
    if name.is_empty() {
        return Err(ParseError::Empty);
    }
    let name = name.to_lowercase();
    let def = find(&name).ok_or_else(|| ParseError::UnknownCommand(name.clone()))?;
    let mut invocation = Invocation::new(&name);
    let mut options = def.options;
    if def.options.iter().any(|o| matches!(o.kind, OptionKind::Subcommand(_))) {
        let (word, after) = split_word(rest);
        let chosen = def.options.iter().find(|o| o.name == word.to_lowercase());
        match chosen {
            Some(o) => {
                invocation.options.push((SUBCOMMAND.into(), o.name.into()));
                if let OptionKind::Subcommand(inner) = o.kind {
                    options = inner;
                }
                rest = after;
            }
            None => {
                return Err(ParseError::Missing { command: name, option: "a subcommand".into() });
            }
        }
    }
    let known: Vec<&str> = options.iter().map(|o| o.name).chain([PAGE]).collect();
    let mut pieces = keyed_pieces(rest, &known);
    if pieces.is_empty() && !rest.trim().is_empty() {
        // No `key:` at all. Take the text as the only required option, if there is one.
        let required: Vec<_> = options.iter().filter(|o| o.required).collect();
        match (required.as_slice(), rest.split_once(':')) {
            ([only], None) => pieces.push((only.name.to_owned(), rest.trim().to_owned())),
            (_, Some((key, _))) => {
                return Err(ParseError::UnknownOption {
                    command: name,
                    option: key.trim().to_owned(),
                    known: known.join(", "),
                })
            }
            _ => {
                return Err(ParseError::UnknownOption {
                    command: name,
                    option: rest.trim().to_owned(),
                    known: known.join(", "),
                })
            }
        }
    }
    invocation.options.extend(pieces);
    if let Some(missing) = options.iter().find(|o| o.required && invocation.get(o.name).is_none()) {
        return Err(ParseError::Missing { command: name, option: missing.name.to_owned() });
    }
    Ok(invocation)
}

fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    }
}

/// Splits `a: x y b: z` into [(a, "x y"), (b, "z")] for the known keys; text before the first
/// key is ignored only if blank.
fn keyed_pieces(text: &str, known: &[&str]) -> Vec<(String, String)> {
    let mut starts: Vec<(usize, usize, &str)> = Vec::new(); // (key start, value start, key)
    let lower = text.to_ascii_lowercase();
    for key in known {
        let pattern = format!("{key}:");
        let mut from = 0;
        while let Some(found) = lower[from..].find(&pattern) {
            let at = from + found;
            let boundary = at == 0 || lower[..at].ends_with(char::is_whitespace);
            if boundary {
                starts.push((at, at + pattern.len(), key));
            }
            from = at + pattern.len();
        }
    }
    starts.sort();
    if starts.first().is_some_and(|(at, _, _)| !text[..*at].trim().is_empty()) {
        return Vec::new();
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, &(_, value_start, key))| {
            let end = starts.get(i + 1).map_or(text.len(), |next| next.0);
            (key.to_owned(), text[value_start..end].trim().to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_discord_style_lines() {
        let cases = [
            ("/speaker name: simon wilison", "speaker", vec![("name", "simon wilison")]),
            ("/insight topic:AI", "insight", vec![("topic", "AI")]),
            ("/insight", "insight", vec![]),
            ("speaker Łukasz", "speaker", vec![("name", "Łukasz")]),
            (
                "/talk title: Rewind: Python Time-Travel Debugger",
                "talk",
                vec![("title", "Rewind: Python Time-Travel Debugger")],
            ),
            (
                "/search query: typing conference: pycon-us-2024",
                "search",
                vec![("query", "typing"), ("conference", "pycon-us-2024")],
            ),
            ("/topic name: AI page: 2", "topic", vec![("name", "AI"), ("page", "2")]),
        ];
        for (line, name, options) in cases {
            let inv = parse_line(line).unwrap();
            assert_eq!(inv.name, name, "{line}");
            let got: Vec<(&str, &str)> = inv.options.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            assert_eq!(got, options, "{line}");
        }
    }

    #[test]
    fn explains_mistakes() {
        assert_eq!(parse_line("  "), Err(ParseError::Empty));
        assert!(matches!(parse_line("/nope"), Err(ParseError::UnknownCommand(_))));
        assert!(matches!(parse_line("/speaker"), Err(ParseError::Missing { .. })));
        assert!(matches!(parse_line("/topics colour: red"), Err(ParseError::UnknownOption { .. })));
    }
}
