//! JSON shaped like real Discord's v10 payloads: READY, users, members, interactions and
//! messages. serenity drops a dispatch it cannot deserialise, so every required field is here.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

/// The bot's application id, which is also its user id (as on Discord).
pub const APP_ID: u64 = 900_000_000_000_000_001;
pub const GUILD_ID: u64 = 910_000_000_000_000_001;
pub const CHANNEL_ID: u64 = 920_000_000_000_000_001;
pub const BOT_NAME: &str = "confbot-test";
/// Manage Server and more, as an admin's computed permissions.
pub const ADMIN_PERMISSIONS: &str = "1099511627775";
/// View Channel, Send Messages, Embed Links, Use Application Commands: an ordinary member.
pub const MEMBER_PERMISSIONS: &str = "2147502080";

const TIMESTAMP: &str = "2024-05-17T10:00:00.000000+00:00";

/// A fresh snowflake-like id, unique within the test process.
pub fn snowflake() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1_000_000_000_000_000_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

pub fn bot_user() -> Value {
    json!({
        "id": APP_ID.to_string(), "username": BOT_NAME, "discriminator": "0", "global_name": null,
        "avatar": null, "bot": true, "flags": 0, "public_flags": 0,
        "verified": true, "mfa_enabled": false, "email": null,
    })
}

pub fn human(id: u64) -> Value {
    json!({
        "id": id.to_string(), "username": format!("user{id}"), "discriminator": "0",
        "global_name": "A Member", "avatar": null, "public_flags": 0,
    })
}

pub fn ready(session_id: &str, gateway_url: &str, guilds: &[u64]) -> Value {
    json!({
        "v": 10,
        "user": bot_user(),
        "guilds": guilds.iter().map(|g| json!({"id": g.to_string(), "unavailable": true})).collect::<Vec<_>>(),
        "session_id": session_id,
        "resume_gateway_url": gateway_url,
        "shard": [0, 1],
        "application": { "id": APP_ID.to_string(), "flags": 0 },
    })
}

fn member(permissions: &str) -> Value {
    json!({
        "user": human(800_000_000_000_000_001),
        "nick": null, "avatar": null, "roles": [], "joined_at": TIMESTAMP, "premium_since": null,
        "deaf": false, "mute": false, "flags": 0, "pending": false, "permissions": permissions,
        "communication_disabled_until": null,
    })
}

/// The fields every interaction in a guild text channel carries.
fn interaction(kind: u8, id: u64, token: &str, permissions: &str) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "guild_id": GUILD_ID.to_string(),
        "channel": { "id": CHANNEL_ID.to_string(), "type": 0, "name": "general", "permissions": permissions },
        "channel_id": CHANNEL_ID.to_string(),
        "member": member(permissions),
        "token": token,
        "version": 1,
        "app_permissions": "2147535872",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": { "0": GUILD_ID.to_string() },
        "context": 0,
        "attachment_size_limit": 26_214_400,
    })
}

/// A slash command. `options` are `(name, value)` strings.
pub fn command(id: u64, token: &str, name: &str, options: &[(&str, &str)], permissions: &str) -> Value {
    let mut i = interaction(2, id, token, permissions);
    i["data"] = json!({
        "id": "930000000000000001", "name": name, "type": 1, "guild_id": GUILD_ID.to_string(),
        "options": options.iter().map(|(n, v)| json!({"name": n, "type": 3, "value": v})).collect::<Vec<_>>(),
    });
    i
}

/// An autocomplete request while `focused` is being typed.
pub fn autocomplete(id: u64, token: &str, name: &str, focused: &str, partial: &str) -> Value {
    let mut i = interaction(4, id, token, MEMBER_PERMISSIONS);
    i["data"] = json!({
        "id": "930000000000000001", "name": name, "type": 1, "guild_id": GUILD_ID.to_string(),
        "options": [{"name": focused, "type": 3, "value": partial, "focused": true}],
    });
    i
}

/// A button click, carrying the whole message it was clicked on (as Discord sends it).
pub fn button(id: u64, token: &str, custom_id: &str, message: Value) -> Value {
    let mut i = interaction(3, id, token, MEMBER_PERMISSIONS);
    i["data"] = json!({ "custom_id": custom_id, "component_type": 2 });
    i["message"] = message;
    i
}

/// The message Discord stores for a reply body (the `data` of a callback, a webhook edit or a
/// channel post), as it is later returned or embedded in a component interaction.
pub fn message(id: u64, body: &Value) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "guild_id": GUILD_ID.to_string(),
        "author": bot_user(),
        "content": body.get("content").cloned().unwrap_or(json!("")),
        "timestamp": TIMESTAMP,
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds").cloned().unwrap_or(json!([])),
        "components": body.get("components").cloned().unwrap_or(json!([])),
        "pinned": false,
        "type": 20,
        "flags": body.get("flags").cloned().unwrap_or(json!(0)),
        "application_id": APP_ID.to_string(),
        "webhook_id": APP_ID.to_string(),
    })
}
