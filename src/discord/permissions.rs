//! Whether the bot can post a daily highlight in a channel, asked of Discord over REST.
//!
//! No probe message is posted (it would be seen). The bot's permissions in the channel are
//! computed as Discord does — the guild's roles and owner, the bot's member roles, then the
//! channel's permission overwrites — from `GET /guilds/{id}`, `GET /channels/{id}` and
//! `GET /guilds/{id}/members/{bot}`. The bot is not in the gateway cache's way: confbot runs
//! without serenity's cache.

use serenity::http::{Http, HttpError};
use serenity::model::channel::Channel;
use serenity::model::id::{ChannelId, GuildId, UserId};
use serenity::model::permissions::Permissions;

use super::retry;

/// What a daily post needs, named as Discord's settings name them. Read Message History is
/// for the lookup after a crash (`GET /messages`): without it the bot cannot tell whether an
/// interrupted post went out, and would rather skip the day than risk posting it twice.
const NEEDED: [(Permissions, &str); 4] = [
    (Permissions::VIEW_CHANNEL, "View Channel"),
    (Permissions::SEND_MESSAGES, "Send Messages"),
    (Permissions::EMBED_LINKS, "Embed Links"),
    (Permissions::READ_MESSAGE_HISTORY, "Read Message History"),
];

/// The permissions the bot lacks to post in `channel` (empty when it can), or why it could
/// not tell.
pub async fn missing_to_post(
    http: &Http,
    guild: GuildId,
    channel: u64,
    bot_user: u64,
) -> Result<Vec<&'static str>, String> {
    if channel == 0 || bot_user == 0 {
        return Err("no such channel".into());
    }
    let found = retry::send("get channel", || http.get_channel(ChannelId::new(channel))).await;
    let channel = match found {
        Ok(Channel::Guild(c)) if c.guild_id == guild => c,
        Ok(_) => return Err("it is not a channel of this server".into()),
        // Discord answers 403/404 for a channel the bot cannot see at all.
        Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(r)))
            if matches!(r.status_code.as_u16(), 403 | 404) =>
        {
            return Ok(NEEDED.iter().map(|(_, name)| *name).collect());
        }
        Err(e) => return Err(retry::describe(&e)),
    };
    let (server, me) = tokio::try_join!(
        retry::send("get guild", || http.get_guild(guild)),
        retry::send("get own member", || http.get_member(guild, UserId::new(bot_user))),
    )
    .map_err(|e| retry::describe(&e))?;
    let granted = server.user_permissions_in(&channel, &me);
    Ok(missing(granted))
}

/// The needed permissions absent from `granted`. Administrator grants everything (serenity's
/// computation already applies it).
fn missing(granted: Permissions) -> Vec<&'static str> {
    NEEDED.iter().filter(|(p, _)| !granted.contains(*p)).map(|(_, name)| *name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_is_missing() {
        let all = Permissions::VIEW_CHANNEL
            | Permissions::SEND_MESSAGES
            | Permissions::EMBED_LINKS
            | Permissions::READ_MESSAGE_HISTORY;
        assert!(missing(all).is_empty());
        assert_eq!(
            missing(Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY),
            vec!["Send Messages", "Embed Links"]
        );
    }
}
