//! The fake's guild and text channels: messages posted by the bot (with Discord's
//! `enforce_nonce` dedupe), message listing, the guild/channel/member objects the permission
//! check reads, and "holds" that stop a request mid-way so a test can kill the bot there.
//!
//! Two channels: [`CHANNEL_ID`], where the bot may post, and [`LOCKED_CHANNEL_ID`], whose
//! permission overwrite denies the bot's role Send Messages and Embed Links (posting there is
//! answered 403 50013, as Discord does).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::payloads::{self, APP_ID, CHANNEL_ID, GUILD_ID};

pub const LOCKED_CHANNEL_ID: u64 = 920_000_000_000_000_002;
/// The bot's managed role in the guild.
pub const BOT_ROLE_ID: u64 = 940_000_000_000_000_001;
/// How long Discord remembers a nonce under `enforce_nonce` ("a few minutes").
pub const NONCE_WINDOW: Duration = Duration::from_secs(300);

/// View Channel, Send Messages, Embed Links, Read Message History: what the bot is invited with.
const BOT_ROLE_PERMISSIONS: &str = "84992"; // 1024 + 2048 + 16384 + 65536

/// A message the fake holds.
#[derive(Debug, Clone)]
pub struct Stored {
    pub channel_id: u64,
    pub nonce: Option<String>,
    pub at: Instant,
    /// As `GET /channels/{id}/messages` returns it (no nonce, as Discord does not promise one).
    pub message: Value,
}

/// A request the fake does not answer: it records it, optionally creates the message (for a
/// channel POST), and then never responds, as if the process was killed before reading.
#[derive(Debug, Clone)]
pub struct Hold {
    pub method: &'static str,
    pub path_contains: String,
    pub create: bool,
}

/// What the fake knows about channels.
#[derive(Default)]
pub struct Channels {
    pub messages: Vec<Stored>,
    pub holds: Vec<Hold>,
    /// Users whose DMs are closed to the bot: sending to them is refused with 50007.
    pub closed_dms: Vec<u64>,
}

/// The DM channel the fake opens with a user.
pub fn dm_channel_of(user_id: u64) -> u64 {
    960_000_000_000_000_000 + user_id % 1_000_000_000
}

/// `POST /users/@me/channels`: the DM channel with `recipient_id`.
pub fn open_dm(body: &Value) -> (u16, Value) {
    let user: u64 = body["recipient_id"].as_str().and_then(|u| u.parse().ok()).unwrap_or(0);
    if user == 0 {
        return (400, json!({"message": "Invalid Form Body", "code": 50035}));
    }
    (
        200,
        json!({"id": dm_channel_of(user).to_string(), "type": 1, "last_message_id": null, "recipients": [payloads::human(user)]}),
    )
}

/// `POST /channels/{id}/messages`: a 403/404 for channels the bot cannot use, the existing
/// message for a repeated nonce within the window, or a new message.
pub fn post(channels: &mut Channels, channel_id: u64, body: &Value) -> (u16, Value) {
    match channel_id {
        CHANNEL_ID => {}
        LOCKED_CHANNEL_ID => return (403, json!({"message": "Missing Permissions", "code": 50013})),
        dm if channels.closed_dms.iter().any(|&u| dm_channel_of(u) == dm) => {
            return (403, json!({"message": "Cannot send messages to this user", "code": 50007}))
        }
        dm if dm / 1_000_000_000 == dm_channel_of(0) / 1_000_000_000 => {}
        _ => return (404, json!({"message": "Unknown Channel", "code": 10003})),
    }
    let nonce = body["nonce"].as_str().map(str::to_owned);
    if body["enforce_nonce"] == true {
        let repeat = channels.messages.iter().find(|m| {
            m.channel_id == channel_id && m.nonce.is_some() && m.nonce == nonce && m.at.elapsed() < NONCE_WINDOW
        });
        if let Some(m) = repeat {
            return (200, with_nonce(&m.message, m.nonce.as_deref()));
        }
    }
    let message = channel_message(payloads::snowflake_now(), channel_id, body);
    channels.messages.push(Stored { channel_id, nonce: nonce.clone(), at: Instant::now(), message: message.clone() });
    (200, with_nonce(&message, nonce.as_deref()))
}

/// `GET /channels/{id}/messages?after=&limit=`: newest first, ids above `after`.
pub fn list(channels: &Channels, channel_id: u64, query: &str) -> (u16, Value) {
    let param = |name: &str| {
        query.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == name).and_then(|(_, v)| v.parse().ok())
    };
    let after: u64 = param("after").unwrap_or(0);
    let limit = param("limit").unwrap_or(50) as usize;
    let mut found: Vec<&Stored> =
        channels.messages.iter().filter(|m| m.channel_id == channel_id && id_of(&m.message) > after).collect();
    found.sort_by_key(|m| std::cmp::Reverse(id_of(&m.message)));
    (200, Value::Array(found.into_iter().take(limit).map(|m| m.message.clone()).collect()))
}

/// The messages in `channel_id`, oldest first.
pub fn messages_in(channels: &Channels, channel_id: u64) -> Vec<Value> {
    channels.messages.iter().filter(|m| m.channel_id == channel_id).map(|m| m.message.clone()).collect()
}

fn id_of(message: &Value) -> u64 {
    message["id"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn with_nonce(message: &Value, nonce: Option<&str>) -> Value {
    let mut m = message.clone();
    if let Some(n) = nonce {
        m["nonce"] = json!(n);
    }
    m
}

/// A message the bot posted through REST (type 0, no webhook).
fn channel_message(id: u64, channel_id: u64, body: &Value) -> Value {
    let mut m = payloads::message(id, body);
    m["channel_id"] = json!(channel_id.to_string());
    m["type"] = json!(0);
    m["flags"] = json!(0);
    if let Some(map) = m.as_object_mut() {
        map.remove("webhook_id");
        map.remove("application_id");
    }
    m
}

/// `GET /channels/{id}`: a guild text channel; the locked one denies the bot's role.
pub fn channel(channel_id: u64) -> Option<Value> {
    let overwrites = match channel_id {
        CHANNEL_ID => json!([]),
        LOCKED_CHANNEL_ID => json!([{
            "id": BOT_ROLE_ID.to_string(), "type": 0, "allow": "0", "deny": "18432",
        }]),
        _ => return None,
    };
    Some(json!({
        "id": channel_id.to_string(), "type": 0, "guild_id": GUILD_ID.to_string(),
        "name": if channel_id == CHANNEL_ID { "general" } else { "announcements" },
        "position": 0, "permission_overwrites": overwrites, "nsfw": false, "topic": null,
        "last_message_id": null, "rate_limit_per_user": 0, "parent_id": null, "flags": 0,
    }))
}

fn role(id: u64, name: &str, permissions: &str, managed: bool) -> Value {
    json!({
        "id": id.to_string(), "name": name, "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null}, "hoist": false, "icon": null,
        "unicode_emoji": null, "position": if managed { 1 } else { 0 }, "permissions": permissions,
        "managed": managed, "mentionable": false, "flags": 0,
    })
}

/// `GET /guilds/{id}`: the guild with its roles; @everyone may only view channels.
pub fn guild() -> Value {
    json!({
        "id": GUILD_ID.to_string(), "name": "Test Server", "icon": null, "icon_hash": null,
        "splash": null, "discovery_splash": null, "owner_id": "800000000000000002",
        "region": null, "afk_channel_id": null, "afk_timeout": 300, "widget_enabled": false,
        "widget_channel_id": null, "verification_level": 0, "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [role(GUILD_ID, "@everyone", "1024", false), role(BOT_ROLE_ID, "confbot", BOT_ROLE_PERMISSIONS, true)],
        "emojis": [], "features": [], "mfa_level": 0, "application_id": null,
        "system_channel_id": null, "system_channel_flags": 0, "rules_channel_id": null,
        "max_presences": null, "max_members": 500000, "vanity_url_code": null, "description": null,
        "banner": null, "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": "en-US",
        "public_updates_channel_id": null, "max_video_channel_users": 25, "max_stage_video_channel_users": 50,
        "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
    })
}

/// `GET /guilds/{id}/members/{bot}`: the bot's member, with its managed role.
pub fn bot_member() -> Value {
    json!({
        "user": payloads::bot_user(), "nick": null, "avatar": null, "roles": [BOT_ROLE_ID.to_string()],
        "joined_at": "2024-05-17T10:00:00.000000+00:00", "premium_since": null, "deaf": false,
        "mute": false, "flags": 0, "pending": false, "communication_disabled_until": null,
    })
}

/// Whether `user` is the bot (the only member the fake knows).
pub fn is_bot(user: &str) -> bool {
    user == APP_ID.to_string()
}
