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

/// A snowflake for a message created now, as Discord makes them (milliseconds since 2015 in
/// the top bits), so `after=` lookups by time work; strictly increasing within the process.
pub fn snowflake_now() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
        .saturating_sub(1_420_070_400_000);
    let fresh = ms << 22;
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = fresh.max(last + 1);
        match LAST.compare_exchange(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
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

/// READY for shard `[id, total]`, its guilds listed as unavailable until their GUILD_CREATE.
pub fn ready(session_id: &str, gateway_url: &str, guilds: &[u64], shard: [u32; 2]) -> Value {
    json!({
        "v": 10,
        "user": bot_user(),
        "guilds": guilds.iter().map(|g| json!({"id": g.to_string(), "unavailable": true})).collect::<Vec<_>>(),
        "session_id": session_id,
        "resume_gateway_url": gateway_url,
        "shard": shard,
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

/// A slash command with a subcommand. An option named `channel` is sent as a channel (type
/// 7) with its `data.resolved.channels` entry, as Discord sends it; `count` as an integer.
pub fn subcommand(id: u64, token: &str, name: &str, sub: &str, options: &[(&str, &str)], permissions: &str) -> Value {
    let mut i = interaction(2, id, token, permissions);
    let mut resolved = serde_json::Map::new();
    let inner: Vec<Value> = options
        .iter()
        .map(|(n, v)| match *n {
            "channel" => {
                resolved.insert(
                    v.to_string(),
                    json!({"id": v, "name": "a-channel", "type": 0, "permissions": permissions, "parent_id": null}),
                );
                json!({"name": n, "type": 7, "value": v})
            }
            "count" => json!({"name": n, "type": 4, "value": v.parse::<i64>().unwrap_or(0)}),
            _ => json!({"name": n, "type": 3, "value": v}),
        })
        .collect();
    i["data"] = json!({
        "id": "930000000000000001", "name": name, "type": 1, "guild_id": GUILD_ID.to_string(),
        "options": [{"name": sub, "type": 1, "options": inner}],
    });
    if !resolved.is_empty() {
        i["data"]["resolved"] = json!({ "channels": resolved });
    }
    i
}

/// The same command sent from a DM with the bot: no guild, no member, a `user` instead.
pub fn in_dm(mut interaction: Value) -> Value {
    let map = interaction.as_object_mut().unwrap();
    for key in ["guild_id", "member", "guild_locale"] {
        map.remove(key);
    }
    map.insert("user".into(), human(800_000_000_000_000_001));
    map.insert(
        "channel".into(),
        json!({"id": "920000000000000009", "type": 1, "recipients": [human(800_000_000_000_000_001)]}),
    );
    map.insert("channel_id".into(), json!("920000000000000009"));
    map.insert("context".into(), json!(1));
    if let Some(data) = map.get_mut("data").and_then(Value::as_object_mut) {
        data.remove("guild_id");
    }
    interaction
}

/// The same interaction sent in guild `guild_id` instead of [`GUILD_ID`].
pub fn in_guild(mut interaction: Value, guild_id: u64) -> Value {
    let id = json!(guild_id.to_string());
    interaction["guild_id"] = id.clone();
    interaction["authorizing_integration_owners"]["0"] = id.clone();
    if interaction["data"]["guild_id"].is_string() {
        interaction["data"]["guild_id"] = id;
    }
    interaction
}

/// GUILD_CREATE for guild `id`: the guild as `GET /guilds/{id}` returns it, with the fields
/// only the gateway sends (no members or channels: confbot reads neither from the gateway).
pub fn guild_create(id: u64) -> Value {
    let mut guild = super::channels::guild();
    guild["id"] = json!(id.to_string());
    // The @everyone role has the guild's id.
    guild["roles"][0]["id"] = json!(id.to_string());
    let extra = json!({
        "joined_at": TIMESTAMP, "large": false, "unavailable": false, "member_count": 2,
        "voice_states": [], "members": [], "channels": [], "threads": [], "presences": [],
        "stage_instances": [], "guild_scheduled_events": [], "incidents_data": null,
    });
    for (key, value) in extra.as_object().unwrap() {
        guild[key] = value.clone();
    }
    guild
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

/// Manage Messages (and View Channel, Send Messages, Use Application Commands): a moderator
/// who does not manage the server.
pub const MODERATOR_PERMISSIONS: &str = "2147510272";

/// The same interaction from another member: user `id`, shown as `name`.
pub fn as_user(mut interaction: Value, id: u64, name: &str) -> Value {
    let user = &mut interaction["member"]["user"];
    user["id"] = json!(id.to_string());
    user["username"] = json!(format!("user{id}"));
    user["global_name"] = json!(name);
    interaction
}

/// A button click with the clicker's `permissions` (a moderator's, say).
pub fn button_as(id: u64, token: &str, custom_id: &str, message: Value, permissions: &str) -> Value {
    let mut i = interaction(3, id, token, permissions);
    i["data"] = json!({ "custom_id": custom_id, "component_type": 2 });
    i["message"] = message;
    i
}

/// A submitted form (MODAL_SUBMIT, type 5): `values` are `(text input custom_id, value)`, each
/// in its own action row as Discord sends them; `message` is the one whose button opened it.
pub fn modal_submit(
    id: u64,
    token: &str,
    custom_id: &str,
    values: &[(&str, &str)],
    message: Option<Value>,
    permissions: &str,
) -> Value {
    let mut i = interaction(5, id, token, permissions);
    let rows: Vec<Value> = values
        .iter()
        .map(|(input, value)| json!({"type": 1, "components": [{"type": 4, "custom_id": input, "value": value}]}))
        .collect();
    i["data"] = json!({ "custom_id": custom_id, "components": rows });
    if let Some(m) = message {
        i["message"] = m;
    }
    i
}
