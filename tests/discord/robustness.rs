//! Gateway drops, RECONNECT, INVALID_SESSION, 429s, 5xx, 4xx and malformed interactions.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;

use super::*;

/// Dispatches a /help and returns the path of its callback.
fn help() -> (Value, String) {
    let id = payloads::snowflake();
    let interaction = payloads::command(id, &token(id), "help", &[], MEMBER_PERMISSIONS);
    let path = callback_path(&interaction);
    (interaction, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_mid_session_loses_no_interaction() {
    let bot = Bot::guild().await;
    bot.fake.reconnect();
    // Dispatched while the bot is reconnecting: Discord replays it after RESUME.
    let (interaction, _) = help();
    let answer = bot.interact(interaction).await;
    assert_eq!(answer.kind, 4);
    assert_eq!(bot.fake.gateway_counts().0, 1, "resumed, not identified again");
    assert_eq!(bot.fake.gateway_counts().1, 1);
    // And the resumed session keeps answering.
    assert_eq!(bot.command("about", &[]).await.kind, 4);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_socket_is_resumed() {
    let bot = Bot::guild().await;
    bot.fake.drop_socket();
    bot.fake.wait_gateway("a RESUME", Duration::from_secs(10), |g| g.resumes == 1 && g.connected()).await;
    assert_eq!(bot.command("help", &[]).await.kind, 4);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_session_identifies_again_and_registration_and_background_work_happen_once() {
    let bot = Bot::guild().await;
    assert_eq!(bot.background_starts.load(Ordering::SeqCst), 1);
    bot.fake.invalid_session();
    // serenity's shard queuer waits about 5 s before the new IDENTIFY.
    bot.fake.wait_gateway("a second IDENTIFY", Duration::from_secs(15), |g| g.identifies == 2 && g.connected()).await;
    assert_eq!(bot.command("help", &[]).await.kind, 4);
    // `ready` ran again, but neither registration nor background work happened twice: both
    // are once per process.
    bot.readied(2).await;
    let guild_path = format!("/api/v10/applications/{APP_ID}/guilds/{}/commands", payloads::GUILD_ID);
    assert_eq!(requests_to(&bot.fake, &guild_path).len(), 1);
    assert_eq!(bot.background_starts.load(Ordering::SeqCst), 1);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_are_acknowledged_and_the_session_stays() {
    let bot = Bot::guild().await;
    bot.fake.wait_gateway("two heartbeats", Duration::from_secs(5), |g| g.heartbeats >= 2).await;
    assert_eq!(bot.fake.gateway_counts().0, 1, "no reconnect: every heartbeat was ACKed");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heartbeat_timeout_is_survived() {
    let bot = Bot::guild().await;
    let before = bot.fake.gateway_counts().2;
    bot.fake.withhold_acks();
    // serenity notices the missing ACK at its next heartbeat and restarts the shard: a new
    // connection and, after the shard queuer's pause, a new IDENTIFY.
    bot.fake
        .wait_gateway("a new session after the missed ACK", Duration::from_secs(15), |g| {
            g.identifies == 2 && g.connected()
        })
        .await;
    assert!(bot.fake.gateway_counts().2 > before);
    assert_eq!(bot.command("help", &[]).await.kind, 4);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_while_the_gateway_is_unreachable() {
    let bot = Bot::guild().await;
    bot.fake.go_down();
    bot.fake.wait_gateway("a refused reconnect", Duration::from_secs(10), |g| g.refused >= 1).await;
    let stopping = std::time::Instant::now();
    bot.stop().await;
    let took = stopping.elapsed();
    println!("stopped in {took:?} with the gateway down");
    assert!(took < Duration::from_secs(6), "shutdown took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_no_sooner_than_its_retry_after() {
    let bot = Bot::guild().await;
    let (interaction, path) = help();
    bot.fake.inject("POST", &path, 429, 1.0, 1);
    let answer = bot.interact(interaction).await;
    assert_eq!(answer.kind, 4);
    let calls = requests_to(&bot.fake, &path);
    assert_eq!(calls.iter().map(|r| r.status).collect::<Vec<_>>(), vec![429, 204]);
    let waited = calls[1].at - calls[0].at;
    assert!(waited >= Duration::from_secs(1), "retried after {waited:?}");
    assert!(answer.latency < WINDOW, "still within the window: {:?}", answer.latency);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_after_a_growing_backoff() {
    let bot = Bot::guild().await;
    let (interaction, path) = help();
    bot.fake.inject("POST", &path, 502, 0.0, 2);
    bot.interact(interaction).await;
    let calls = requests_to(&bot.fake, &path);
    assert_eq!(calls.iter().map(|r| r.status).collect::<Vec<_>>(), vec![502, 502, 204]);
    let first = calls[1].at - calls[0].at;
    let second = calls[2].at - calls[1].at;
    assert!(first >= Duration::from_millis(200), "{first:?}");
    assert!(second >= Duration::from_millis(400), "{second:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_client_errors_are_reported_once_not_retried() {
    let bot = Bot::guild().await;
    let (interaction, path) = help();
    bot.fake.inject("POST", &path, 400, 0.0, 10);
    bot.fake.dispatch("INTERACTION_CREATE", interaction);
    bot.fake.wait_for("the refused callback", Duration::from_secs(5), |r| r.path == path).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(requests_to(&bot.fake, &path).len(), 1);
    // The bot carries on.
    assert_eq!(bot.command("about", &[]).await.kind, 4);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_unknown_interactions_are_ignored() {
    let bot = Bot::guild().await;
    bot.fake.dispatch("INTERACTION_CREATE", json!({"id": "1", "type": 2, "nonsense": true}));
    bot.fake.dispatch("INTERACTION_CREATE", json!({"type": 99}));
    let (mut ping, _) = help();
    ping["type"] = json!(1); // PING comes only to HTTP endpoints: nothing to answer
    bot.fake.dispatch("INTERACTION_CREATE", ping);
    assert_eq!(bot.command("help", &[]).await.kind, 4, "still answering");
    bot.stop().await;
}

/// Regression (hostile-data issue): six `/search`es with 6,000-character queries on a large
/// catalogue ran on the async threads and held every other interaction past Discord's window.
/// Commands now run off the async threads, cut to their declared option lengths, and are
/// deferred if they run long: a `/help` sent behind them is still answered in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn costly_searches_do_not_starve_other_interactions() {
    let dir = tempfile::tempdir().unwrap();
    let mut toml = String::from("[[conferences]]\nid = \"big\"\nname = \"Big Conf\"\n\n");
    for i in 0..3000 {
        toml.push_str(&format!(
            "[[talks]]\nid = \"t{i}\"\ntitle = \"Talk {i} on python data science and the web\"\n\
             summary = [\"Async python, data pipelines, web frameworks and typing, part {i}.\"]\n\n"
        ));
    }
    std::fs::write(dir.path().join("big.toml"), toml).unwrap();
    let config =
        Config { guild_ids: vec![payloads::GUILD_ID], data: vec![dir.path().join("big.toml")], ..Config::default() };
    let bot = Bot::start(config).await;
    let query = "python data web typing async ".repeat(200);
    let mut searches = Vec::new();
    for _ in 0..6 {
        let id = payloads::snowflake();
        let interaction = payloads::command(id, &token(id), "search", &[("query", query.as_str())], MEMBER_PERMISSIONS);
        searches.push(callback_path(&interaction));
        bot.fake.dispatch("INTERACTION_CREATE", interaction);
    }
    let (interaction, _) = help();
    let answer = bot.interact(interaction).await;
    assert_eq!(answer.kind, 4);
    assert!(answer.latency < WINDOW, "/help waited {:?} behind the searches", answer.latency);
    for path in searches {
        let r = bot
            .fake
            .wait_for("a search callback", Duration::from_secs(10), |r| r.path == path && r.status == 204)
            .await;
        assert!(matches!(r.body["type"].as_u64(), Some(4 | 5)), "answered or deferred: {}", r.body);
    }
    bot.stop().await;
}
