//! The shape of a command: its definition (the contract that Discord registration, the CLI,
//! `/help` and scripts share) and the functions that answer it. Names and descriptions follow
//! Discord's rules (checked in tests).

use super::choices::Choice;
use super::custom_id::StaleButton;
use super::{Context, Invocation, Outcome};
use crate::catalogue::Catalogue;

/// The option under which an [`Invocation`] carries the chosen subcommand's name, before
/// that subcommand's own options.
pub const SUBCOMMAND: &str = "subcommand";

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

/// A slash command: its definition as Discord registers it, and the functions that answer it.
/// Each command's file declares one as `COMMAND`; [`super::COMMANDS`] lists them all.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionDef],
    /// Needs Manage Server: registered with that default permission and checked on every use.
    pub admin: bool,
    /// Reads the invocation into the command's typed arguments and answers it.
    pub run: fn(&mut Context<'_>, &Invocation) -> Outcome,
    /// Choices for `option` given what has been typed: `(catalogue, option, partial)`.
    pub complete: fn(&Catalogue, &str, &str) -> Vec<Choice>,
    /// The invocation one of the command's buttons stands for, from the custom_id's fields
    /// after `c1:<name>:`.
    pub button: fn(&str) -> Result<Invocation, StaleButton>,
}

impl Command {
    pub fn option(&self, name: &str) -> Option<&'static OptionDef> {
        self.options.iter().find(|o| o.name == name)
    }
}

/// For commands whose options have no autocomplete.
pub fn no_choices(_: &Catalogue, _: &str, _: &str) -> Vec<Choice> {
    Vec::new()
}

/// For commands that put no buttons of their own on their replies.
pub fn no_buttons(_: &str) -> Result<Invocation, StaleButton> {
    Err(StaleButton::Foreign)
}

pub const fn text(name: &'static str, description: &'static str, required: bool, autocomplete: bool) -> OptionDef {
    OptionDef { name, description, kind: OptionKind::String, required, autocomplete, min: Some(1), max: Some(100) }
}

pub const fn subcommand(name: &'static str, description: &'static str, options: &'static [OptionDef]) -> OptionDef {
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
        use crate::commands::COMMANDS;
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
