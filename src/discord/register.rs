//! Command registration: the whole command set from [`commands::COMMANDS`], bulk-overwritten
//! by `confbot register`, or by `confbot run` on shard 0's first `ready` ([`Registration`]).
//!
//! With guild ids, commands go to each guild (visible at once) and this application's global
//! commands are cleared, so nobody sees every command twice; without, they go global.

use serde_json::{json, Value};
use serenity::http::Http;
use serenity::model::id::GuildId;

use super::retry;
use crate::commands::{self, Command, OptionDef, OptionKind};

/// The Manage Server permission bit, as Discord's permission strings spell it.
pub const MANAGE_GUILD: u64 = 1 << 5;

/// The JSON array for a bulk overwrite.
pub fn body() -> Value {
    Value::Array(commands::COMMANDS.iter().map(command).collect())
}

fn command(def: &Command) -> Value {
    let mut c = json!({
        "type": 1,
        "name": def.name,
        "description": def.description,
        "options": def.options.iter().map(option).collect::<Vec<_>>(),
    });
    if def.admin {
        // Hidden from members without Manage Server by default; still checked on every use,
        // because a server owner can change who sees it.
        c["default_member_permissions"] = json!(MANAGE_GUILD.to_string());
        c["dm_permission"] = json!(false);
    }
    c
}

fn option(o: &OptionDef) -> Value {
    let kind = match o.kind {
        OptionKind::Subcommand(_) => 1,
        OptionKind::String => 3,
        OptionKind::Integer => 4,
        OptionKind::Channel => 7,
    };
    let mut v = json!({ "type": kind, "name": o.name, "description": o.description });
    if let OptionKind::Subcommand(inner) = o.kind {
        v["options"] = Value::Array(inner.iter().map(option).collect());
        return v;
    }
    v["required"] = json!(o.required);
    if o.autocomplete {
        v["autocomplete"] = json!(true);
    }
    let (min, max) = match o.kind {
        OptionKind::String => ("min_length", "max_length"),
        _ => ("min_value", "max_value"),
    };
    if let Some(n) = o.min {
        v[min] = json!(n);
    }
    if let Some(n) = o.max {
        v[max] = json!(n);
    }
    if o.kind == OptionKind::Channel {
        // Text and announcement channels: the only ones a bot can post to.
        v["channel_types"] = json!([0, 5]);
    }
    v
}

/// Registers the command set and returns how many commands each place received.
///
/// A guild that refuses (the bot was removed, a typo in `guild_ids`) is logged and skipped;
/// global commands are cleared only once some guild has the set, so a wholly wrong
/// configuration never leaves users with no commands at all.
pub async fn register(http: &Http, guild_ids: &[u64]) -> Result<usize, serenity::Error> {
    let body = body();
    if guild_ids.is_empty() {
        let set = retry::send("register global commands", || http.create_global_commands(&body)).await?;
        return Ok(set.len());
    }
    let mut registered = None;
    let mut last_error = None;
    // The config refuses 0, which GuildId::new would panic on.
    for &id in guild_ids.iter().filter(|&&id| id != 0) {
        let guild = GuildId::new(id);
        match retry::send("register guild commands", || http.create_guild_commands(guild, &body)).await {
            Ok(set) => registered = Some(set.len()),
            Err(e) => {
                tracing::error!("guild {id} refused the commands: {}", retry::describe(&e));
                last_error = Some(e);
            }
        }
    }
    match (registered, last_error) {
        (Some(n), _) => {
            let empty = json!([]);
            retry::send("clear global commands", || http.create_global_commands(&empty)).await?;
            Ok(n)
        }
        (None, Some(e)) => Err(e),
        (None, None) => Ok(0),
    }
}

/// Registration at most once per process, from shard 0's `ready`.
///
/// Only shard 0 registers, so that of several processes sharing the gateway (`run --shards`)
/// exactly one does, and only its first `ready`: `ready` fires again after every shard restart,
/// and re-uploading the same set then is a request for nothing. A failed attempt is not
/// remembered, so the next `ready` tries again.
#[derive(Default)]
pub struct Registration(tokio::sync::Mutex<bool>);

/// What [`Registration::once`] did.
pub enum Registered {
    /// Uploaded this many commands.
    Now(usize),
    /// Nothing: this process registered at an earlier `ready`.
    Before,
}

impl Registration {
    /// Registers unless this process already has; a caller arriving while another registers
    /// waits for it, then does nothing.
    pub async fn once(&self, http: &Http, guild_ids: &[u64]) -> Result<Registered, serenity::Error> {
        let mut done = self.0.lock().await;
        if *done {
            return Ok(Registered::Before);
        }
        let n = register(http, guild_ids).await?;
        *done = true;
        Ok(Registered::Now(n))
    }
}

/// Asks Discord who the bot is, where no gateway `ready` says it (`confbot serve`, `confbot
/// register`): sets the application id, which follow-ups, edits and registration need, and
/// returns the bot's user id.
pub async fn identify(http: &Http) -> Result<u64, serenity::Error> {
    let application = retry::send("application info", || http.get_current_application_info()).await?;
    http.set_application_id(application.id);
    let me = retry::send("bot user", || http.get_current_user()).await?;
    Ok(me.id.get())
}

/// `confbot register`: uploads the command set once, as a gateway `ready` would, so that
/// `serve` workers need not each do it. Returns how many commands were registered.
pub async fn once(config: &crate::config::Config) -> Result<usize, super::RunError> {
    let token = config.token.clone().ok_or(super::RunError::NoToken)?;
    let http = super::rest(config, &token);
    identify(&http).await?;
    Ok(register(&http, &config.guild_ids).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_follows_discords_rules() {
        let body = body();
        let commands = body.as_array().unwrap();
        assert_eq!(commands.len(), commands::COMMANDS.len());
        for c in commands {
            let options = c["options"].as_array().unwrap();
            assert!(options.len() <= 25);
            let first_optional = options.iter().position(|o| o["required"] == false).unwrap_or(options.len());
            assert!(options[first_optional..].iter().all(|o| o["required"] == false));
        }
        let reload = commands.iter().find(|c| c["name"] == "reload").unwrap();
        assert_eq!(reload["default_member_permissions"], "32");
        let speaker = commands.iter().find(|c| c["name"] == "speaker").unwrap();
        assert_eq!(speaker["options"][0]["autocomplete"], true);
        assert_eq!(speaker["options"][0]["max_length"], 100);
    }
}
