//! The list of commands and their options: the contract that Discord registration, the CLI,
//! `/help` and scripts share. Names and descriptions follow Discord's rules (checked in tests).

/// How Discord should treat an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    String,
    Integer,
    Channel,
    /// A subcommand, with its own options.
    Subcommand(&'static [OptionDef]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionDef {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: OptionKind,
    pub required: bool,
    pub autocomplete: bool,
    /// Bounds on a string's length or an integer's value.
    pub min: Option<u32>,
    pub max: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Definition {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionDef],
    /// Needs Manage Server: registered with that default permission and checked on every use.
    pub admin: bool,
}

impl Definition {
    pub fn option(&self, name: &str) -> Option<&'static OptionDef> {
        self.options.iter().find(|o| o.name == name)
    }
}

const fn text(name: &'static str, description: &'static str, required: bool, autocomplete: bool) -> OptionDef {
    OptionDef { name, description, kind: OptionKind::String, required, autocomplete, min: Some(1), max: Some(100) }
}

const CONFERENCE: OptionDef = text("conference", "Only this conference", false, true);

/// The commands confbot answers, in the order `/help` lists them.
pub const COMMANDS: &[Definition] = &[
    Definition {
        name: "topics",
        description: "List every topic with its number of talks",
        options: &[CONFERENCE],
        admin: false,
    },
    Definition {
        name: "topic",
        description: "List the talks of a topic",
        options: &[text("name", "The topic", true, true), CONFERENCE],
        admin: false,
    },
    Definition {
        name: "talk",
        description: "Show one talk: speakers, summary, insights and links",
        options: &[text("title", "The talk's title (approximate is fine)", true, true), CONFERENCE],
        admin: false,
    },
    Definition {
        name: "speaker",
        description: "Find a speaker and their talks (typos and partial names are fine)",
        options: &[text("name", "The speaker's name", true, true)],
        admin: false,
    },
    Definition {
        name: "insight",
        description: "A random insight or quote from a talk",
        options: &[
            text("topic", "Only insights from this topic", false, true),
            text("speaker", "Only insights from this speaker", false, true),
            CONFERENCE,
        ],
        admin: false,
    },
    Definition {
        name: "search",
        description: "Search titles, summaries and insights by keyword",
        options: &[OptionDef { max: Some(200), ..text("query", "Words to look for", true, false) }, CONFERENCE],
        admin: false,
    },
    Definition { name: "about", description: "What confbot knows: conferences and counts", options: &[], admin: false },
    Definition { name: "help", description: "How to use confbot", options: &[], admin: false },
    Definition { name: "reload", description: "Reload the catalogue files (admins)", options: &[], admin: true },
    Definition {
        name: "daily",
        description: "A daily highlight post in a channel of this server (admins)",
        options: &[
            subcommand(
                "set",
                "Post a highlight every day in a channel at a local time",
                &[
                    OptionDef {
                        kind: OptionKind::Channel,
                        min: None,
                        max: None,
                        ..text("channel", "Where to post", true, false)
                    },
                    OptionDef { max: Some(5), ..text("time", "Local time, 24-hour HH:MM, e.g. 09:00", true, false) },
                    OptionDef { max: Some(64), ..text("timezone", "IANA time zone, e.g. Europe/Berlin", true, true) },
                    text("topic", "Only highlights of this topic", false, true),
                    CONFERENCE,
                ],
            ),
            subcommand("show", "The schedule, the next post, and any delivery problem", &[]),
            subcommand("off", "Stop the daily highlight", &[]),
            subcommand("now", "Post today's highlight now (it counts as today's)", &[]),
            subcommand(
                "preview",
                "The next highlights and when they will be posted (only you see it)",
                &[OptionDef {
                    kind: OptionKind::Integer,
                    min: Some(1),
                    max: Some(10),
                    ..text("count", "How many (1–10, default 3)", false, false)
                }],
            ),
        ],
        admin: true,
    },
];

const fn subcommand(name: &'static str, description: &'static str, options: &'static [OptionDef]) -> OptionDef {
    OptionDef {
        name,
        description,
        kind: OptionKind::Subcommand(options),
        required: false,
        autocomplete: false,
        min: None,
        max: None,
    }
}

/// The definition of a command, by name.
pub fn find(name: &str) -> Option<&'static Definition> {
    COMMANDS.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_name(name: &str) -> bool {
        (1..=32).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    }

    fn check_options(options: &[OptionDef]) {
        assert!(options.len() <= 25);
        let first_optional = options.iter().position(|o| !o.required).unwrap_or(options.len());
        assert!(options[first_optional..].iter().all(|o| !o.required), "required options come first");
        for o in options {
            assert!(valid_name(o.name), "{}", o.name);
            assert!((1..=100).contains(&o.description.chars().count()), "{}", o.name);
            if let OptionKind::Subcommand(inner) = o.kind {
                check_options(inner);
            }
        }
    }

    #[test]
    fn definitions_follow_discords_rules() {
        assert!(COMMANDS.len() <= 100);
        for c in COMMANDS {
            assert!(valid_name(c.name), "{}", c.name);
            assert!((1..=100).contains(&c.description.chars().count()), "{}", c.name);
            check_options(c.options);
        }
        let mut names: Vec<_> = COMMANDS.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
    }
}
