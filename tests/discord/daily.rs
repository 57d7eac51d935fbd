//! Daily highlights through the Discord edge, in-process: a schedule posts on time exactly
//! once; `/daily` is for admins, refused in DMs, persists across a restart and checks the
//! channel; a refused post is recorded, shown and not retried; the time zone autocompletes.

use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Tz;
use confbot::config::Config;
use confbot::services::Clock;

use super::*;
use crate::fake_discord::channels::LOCKED_CHANNEL_ID;
use crate::fake_discord::payloads::{ADMIN_PERMISSIONS, CHANNEL_ID, GUILD_ID};

fn daily_entry(time: &str, zone: &str) -> toml::Value {
    toml::from_str(&format!(
        "guild_id = {GUILD_ID}\nchannel_id = {CHANNEL_ID}\ntime = \"{time}\"\ntimezone = \"{zone}\"\n"
    ))
    .unwrap()
}

fn posts_to(fake: &FakeDiscord, channel: u64) -> Vec<Request> {
    let path = format!("/api/v10/channels/{channel}/messages");
    fake.requests().into_iter().filter(|r| r.method == "POST" && r.path == path).collect()
}

/// The text of an answer (content and embeds), for loose checks.
fn text_of(data: &Value) -> String {
    data.to_string()
}

/// The edited original response of a deferred command.
async fn edited(bot: &Bot, answer_token: &str) -> Value {
    let edit = format!("/api/v10/webhooks/{}/{answer_token}/messages/@original", payloads::APP_ID);
    bot.fake.wait_for("the edited answer", StdDuration::from_secs(5), |r| r.path == edit).await.body
}

/// Runs `/daily sub` as an admin; a deferred answer (after `set`) is followed to its edit.
async fn admin(bot: &Bot, sub: &str, options: &[(&str, &str)]) -> Value {
    let id = payloads::snowflake();
    let answer = bot.interact(payloads::subcommand(id, &token(id), "daily", sub, options, ADMIN_PERMISSIONS)).await;
    assert!(is_ephemeral(&answer.data), "/daily answers privately: {}", answer.data);
    if answer.kind == 5 {
        edited(bot, &token(id)).await
    } else {
        assert_eq!(answer.kind, 4);
        answer.data
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_posts_exactly_once_at_its_time() {
    // The next whole minute (posting times are HH:MM) seen through a clock that reads 3 s
    // before it, so the test waits 3 s, not up to a minute. The bot is up well before that.
    let zone: Tz = "Asia/Kathmandu".parse().unwrap(); // +05:45
    let target = Utc.timestamp_opt((Utc::now().timestamp() / 60 + 1) * 60, 0).unwrap();
    let local = target.with_timezone(&zone).format("%H:%M").to_string();
    let started = tokio::time::Instant::now();
    let clock = Clock::Virtual { start_utc: target - Duration::seconds(3), start: started };
    let config =
        Config { guild_ids: vec![GUILD_ID], daily: vec![daily_entry(&local, "Asia/Kathmandu")], ..Config::default() };
    let bot = Bot::launch(FakeDiscord::start().await, config, |_| {}, Some(clock)).await;

    let due = started.into_std() + StdDuration::from_secs(3);
    assert!(Instant::now() < due, "the bot took more than 3 s to start; the drift would mean nothing");
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    let post = bot.fake.wait_for("the daily post", StdDuration::from_secs(8), |r| r.path == path).await;
    let drift = post.at.saturating_duration_since(due);
    println!("daily post drift: {drift:?} after the target instant ({local} Asia/Kathmandu)");
    assert!(post.at >= due, "posted {:?} early", due - post.at);
    assert!(drift < StdDuration::from_millis(500), "posted {drift:?} late");

    assert_eq!(post.status, 200);
    let nonce = post.body["nonce"].as_str().expect("a nonce");
    assert!(!nonce.is_empty() && nonce.len() <= 25, "{nonce}");
    assert_eq!(post.body["enforce_nonce"], true);
    assert_eq!(post.body["allowed_mentions"], serde_json::json!({"parse": []}));
    let footer = post.body["embeds"][0]["footer"]["text"].as_str().unwrap_or_default();
    let (n, m) = footer.strip_prefix("Daily highlight · ").and_then(|r| r.split_once(" of ")).expect(footer);
    assert_eq!(n, "1");
    assert!(m.parse::<usize>().unwrap() > 1, "{footer}");
    checked(&post.body);

    // Nothing more for that day.
    tokio::time::sleep(StdDuration::from_millis(1500)).await;
    assert_eq!(posts_to(&bot.fake, CHANNEL_ID).len(), 1);
    assert_eq!(bot.fake.messages_in(CHANNEL_ID).len(), 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_is_for_admins_in_servers_and_persists_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        guild_ids: vec![GUILD_ID],
        state: Some(confbot::config::StateAt::File(dir.path().join("state.db"))),
        ..Config::default()
    };
    let bot = Bot::launch(FakeDiscord::start().await, config.clone(), |_| {}, None).await;
    let channel = CHANNEL_ID.to_string();
    let set = [("channel", channel.as_str()), ("time", "09:00"), ("timezone", "Europe/Berlin")];

    // A member without Manage Server is refused, and nothing is stored.
    let refused = bot.subcommand("daily", "set", &set, MEMBER_PERMISSIONS).await;
    assert_eq!(refused.kind, 4);
    assert!(is_ephemeral(&refused.data));
    assert_eq!(title(&refused.data), "Only server managers can do that");
    assert!(text_of(&admin(&bot, "show", &[]).await).contains("No daily highlight is set here"));

    // In a DM there is no server to schedule for.
    let id = payloads::snowflake();
    let dm = payloads::in_dm(payloads::subcommand(id, &token(id), "daily", "show", &[], ADMIN_PERMISSIONS));
    let answer = bot.interact(dm).await;
    assert!(is_ephemeral(&answer.data));
    assert_eq!(title(&answer.data), "Daily highlights belong to a server");

    // A typo in the zone is explained; the real thing is set, with no channel warning.
    let typo = admin(&bot, "set", &[set[0], set[1], ("timezone", "Europe/Berln")]).await;
    assert!(text_of(&typo).contains("Did you mean Europe/Berlin"), "{typo}");
    let done = admin(&bot, "set", &set).await;
    let done = text_of(&done);
    assert!(done.contains("Daily highlight set") && !done.contains('⚠'), "{done}");

    // A restart (same state file, same Discord) keeps it.
    let fake = bot.stop().await;
    let bot = Bot::launch(fake, config, |_| {}, None).await;
    let shown = text_of(&admin(&bot, "show", &[]).await);
    assert!(shown.contains(&format!("<#{CHANNEL_ID}>")) && shown.contains("09:00"), "{shown}");
    assert!(shown.contains("Europe/Berlin") && shown.contains("`/daily set`"), "{shown}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_the_bot_cannot_post_in_is_reported_and_a_403_is_not_retried() {
    let bot = Bot::guild().await;
    let locked = LOCKED_CHANNEL_ID.to_string();
    let set = admin(&bot, "set", &[("channel", locked.as_str()), ("time", "09:00"), ("timezone", "UTC")]).await;
    let set = text_of(&set);
    assert!(set.contains("Daily highlight set"), "{set}");
    assert!(set.contains("I cannot post in") && set.contains("Send Messages, Embed Links"), "{set}");
    assert!(!set.contains("View Channel"), "the bot can see the channel: {set}");

    let now = text_of(&admin(&bot, "now", &[]).await);
    assert!(now.contains("today's highlight"), "{now}");
    let path = format!("/api/v10/channels/{LOCKED_CHANNEL_ID}/messages");
    let refused = bot.fake.wait_for("the refused post", StdDuration::from_secs(5), |r| r.path == path).await;
    assert_eq!(refused.status, 403);

    // Recorded (just after the answer arrives) and shown with what to fix ...
    let mut show = String::new();
    for _ in 0..50 {
        show = text_of(&admin(&bot, "show", &[]).await);
        if show.contains("Delivery problem") {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    assert!(show.contains("Delivery problem") && show.contains("permission"), "{show}");
    // ... and not retried in a loop (the loop's first retry would come after 2 s).
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    assert_eq!(posts_to(&bot.fake, LOCKED_CHANNEL_ID).len(), 1);
    bot.stop().await;
}

#[tokio::test]
async fn a_bad_daily_entry_stops_start_up_with_every_problem() {
    let config = Config {
        token: Some(confbot::config::Token::new(TOKEN)),
        api_base: Some("http://127.0.0.1:9".into()), // never reached
        daily: vec![daily_entry("9am", "Europe/Berln")],
        ..Config::default()
    };
    let err = confbot::discord::run(config, std::future::pending()).await.unwrap_err().to_string();
    assert!(err.contains("invalid config entries") && err.contains("[[daily]] #1"), "{err}");
    assert!(err.contains("HH:MM") && err.contains("Did you mean Europe/Berlin"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_time_zone_autocompletes_inside_daily_set() {
    let bot = Bot::guild().await;
    let id = payloads::snowflake();
    let mut typing = payloads::autocomplete(id, &token(id), "daily", "timezone", "Europe/Berl");
    // Discord nests a subcommand's options, the focused one among them.
    let focused = typing["data"]["options"][0].clone();
    typing["data"]["options"] = serde_json::json!([{ "name": "set", "type": 1, "options": [focused] }]);
    let answer = bot.interact(typing).await;
    assert_eq!(answer.kind, 8);
    assert!(answer.latency < WINDOW);
    let choices = answer.data["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25);
    assert_eq!(choices[0]["value"], "Europe/Berlin", "{choices:?}");
    bot.stop().await;
}

/// An announcement from a `[[live]]` config entry, end to end: the bot wakes for the window of
/// the first session and posts. Reports the drift from the window's opening to the POST.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_announcement_is_posted_when_its_window_opens() {
    // NightConf's opening is at 10:00 CEST (08:00Z); announced 5 minutes before, at 07:55Z.
    let started = tokio::time::Instant::now();
    let clock = Clock::Virtual { start_utc: Utc.with_ymd_and_hms(2024, 10, 26, 7, 54, 57).unwrap(), start: started };
    let live: toml::Value =
        toml::from_str(&format!("guild_id = {GUILD_ID}\nconference = \"nightconf\"\nchannel_id = {CHANNEL_ID}\n"))
            .unwrap();
    let data = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schedule/nightconf.toml"));
    let config = Config { guild_ids: vec![GUILD_ID], data: vec![data], live: vec![live], ..Config::default() };
    let bot = Bot::launch(FakeDiscord::start().await, config, |_| {}, Some(clock)).await;
    let due = started.into_std() + StdDuration::from_secs(3);
    assert!(Instant::now() < due, "the bot took more than 3 s to start; the drift would mean nothing");
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    let post = bot.fake.wait_for("the announcement", StdDuration::from_secs(8), |r| r.path == path).await;
    let drift = post.at.saturating_duration_since(due);
    println!("live announcement drift: {drift:?} after the window opened");
    assert!(post.at >= due, "announced {:?} early", due - post.at);
    assert_eq!(post.status, 200);
    assert!(post.body["embeds"][0]["title"] == "Opening", "{}", post.body);
    checked(&post.body);
    bot.stop().await;
}
