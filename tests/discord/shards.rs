//! Gateway shards across processes (`confbot run --shards`, issue #15): one fake Discord, bots
//! that each run some of its shards, every guild's events on its own shard only.
//!
//! serenity starts the shards of one process 5 s apart. With one shard per process nothing
//! waits; only the test of two shards in one process pays those 5 s, waiting for shard 1's
//! IDENTIFY rather than for a fixed time.

use std::sync::atomic::Ordering;
use std::time::Duration;

use confbot::config::{Config, Token};

use super::process::{signal, spawn};
use super::*;
use crate::fake_discord::gateway::{shard_of, Identified};
use crate::fake_discord::payloads::{guild_create, GUILD_ID};

/// A second guild, on the other shard of two from [`GUILD_ID`]'s.
const OTHER_GUILD: u64 = GUILD_ID + (1 << 22);
/// Each process's own token, so that the fake can tell which one sent a request.
const TOKEN_ZERO: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gshard.zero00000000000000000000000000000000";
const TOKEN_ONE: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gshard.one000000000000000000000000000000000";

fn sharded(shards: &str, token: &str) -> Config {
    Config {
        guild_ids: vec![GUILD_ID, OTHER_GUILD],
        shards: Some(shards.parse().unwrap()),
        token: Some(Token::new(token)),
        ..Config::default()
    }
}

/// A `/help` the fake dispatched and saw answered.
struct Answered {
    /// The interaction's id.
    id: String,
    /// Its callback's path.
    path: String,
    /// The `Authorization` the callback came with: which process answered.
    by: String,
}

/// Dispatches `/help` in `guild` (a DM when `None`) and waits for its answer.
async fn help_in(fake: &FakeDiscord, guild: Option<u64>) -> Answered {
    let id = payloads::snowflake();
    let interaction = payloads::command(id, &token(id), "help", &[], MEMBER_PERMISSIONS);
    let interaction = match guild {
        Some(guild) => payloads::in_guild(interaction, guild),
        None => payloads::in_dm(interaction),
    };
    let path = callback_path(&interaction);
    fake.dispatch("INTERACTION_CREATE", interaction);
    let answer = fake.wait_for("the callback", Duration::from_secs(10), |r| r.path == path && r.status == 204).await;
    Answered { id: id.to_string(), path, by: answer.authorization.unwrap_or_default() }
}

/// The command registrations so far: `(path, token)` of every PUT.
fn registrations(fake: &FakeDiscord) -> Vec<(String, String)> {
    let mut puts: Vec<(String, String)> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/commands"))
        .map(|r| (r.path, r.authorization.unwrap_or_default()))
        .collect();
    puts.sort();
    puts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shard_processes_answer_their_own_guilds_and_register_once() {
    assert_eq!((shard_of(GUILD_ID, 2), shard_of(OTHER_GUILD, 2)), (0, 1));
    let fake = FakeDiscord::start().await;
    fake.set_guilds(&[GUILD_ID, OTHER_GUILD]);
    let zero = Bot::spawn(fake.clone(), sharded("0-0/2", TOKEN_ZERO), None);
    let one = Bot::spawn(fake.clone(), sharded("1-1/2", TOKEN_ONE), None);
    // Each handles its shard's `ready` (zero registering first) and starts its background work.
    zero.started().await;
    one.started().await;

    let mut identified = fake.identified();
    identified.sort_by_key(|i| i.shard);
    let identify = |shard, token: &str| Identified { shard, token: format!("Bot {token}") };
    assert_eq!(identified, vec![identify([0, 2], TOKEN_ZERO), identify([1, 2], TOKEN_ONE)]);
    let guild_creates: Vec<(u32, Option<String>)> =
        fake.dispatched().into_iter().filter(|d| d.event == "GUILD_CREATE").map(|d| (d.shard, d.id)).collect();
    assert_eq!(guild_creates.len(), 2);
    assert!(guild_creates.contains(&(0, Some(GUILD_ID.to_string()))), "{guild_creates:?}");
    assert!(guild_creates.contains(&(1, Some(OTHER_GUILD.to_string()))), "{guild_creates:?}");

    // Each interaction reaches only its guild's shard, and that shard's process answers it.
    let cases = [(Some(GUILD_ID), 0, TOKEN_ZERO), (Some(OTHER_GUILD), 1, TOKEN_ONE), (None, 0, TOKEN_ZERO)];
    let mut answered = Vec::new();
    for (guild, shard, token) in cases {
        let answer = help_in(&fake, guild).await;
        assert_eq!(answer.by, format!("Bot {token}"), "/help in {guild:?} answered by the wrong process");
        let sent_on: Vec<u32> =
            fake.dispatched().into_iter().filter(|d| d.id.as_ref() == Some(&answer.id)).map(|d| d.shard).collect();
        assert_eq!(sent_on, vec![shard], "/help in {guild:?} went to shard {shard} only");
        answered.push(answer.path);
    }

    // Stopping drains what each process has in flight: a second answer would be in by now.
    let fake = zero.stop().await;
    one.stop().await;
    for path in answered {
        assert_eq!(requests_to(&fake, &path).len(), 1, "{path} answered once");
    }
    let zero_token = format!("Bot {TOKEN_ZERO}");
    let applications = format!("/api/v10/applications/{APP_ID}");
    assert_eq!(
        registrations(&fake),
        vec![
            (format!("{applications}/commands"), zero_token.clone()),
            (format!("{applications}/guilds/{GUILD_ID}/commands"), zero_token.clone()),
            (format!("{applications}/guilds/{OTHER_GUILD}/commands"), zero_token),
        ],
        "registered once, by the process running shard 0"
    );
}

/// serenity's shard range includes its end: `--shards 0-1/2` runs both shards, and the two
/// `ready`s register once and start background work once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_process_runs_both_ends_of_its_range_and_registers_once() {
    let fake = FakeDiscord::start().await;
    fake.set_guilds(&[GUILD_ID, OTHER_GUILD]);
    let bot = Bot::spawn(fake.clone(), sharded("0-1/2", TOKEN_ZERO), None);
    // serenity starts shard 1 five seconds after shard 0.
    bot.readied(2).await;
    let mut shards: Vec<[u32; 2]> = fake.identified().into_iter().map(|i| i.shard).collect();
    shards.sort();
    assert_eq!(shards, vec![[0, 2], [1, 2]]);
    assert_eq!(help_in(&fake, Some(OTHER_GUILD)).await.by, format!("Bot {TOKEN_ZERO}"));
    assert_eq!(registrations(&fake).len(), 3, "one PUT per guild and the global clearing, once");
    assert_eq!(bot.background_starts.load(Ordering::SeqCst), 1);
    bot.stop().await;
}

/// The real executable: `--shards` reaches serenity, and the log names the shard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shards_flag_runs_that_shard_and_the_log_names_it() {
    let fake = FakeDiscord::start().await;
    fake.set_guilds(&[GUILD_ID, OTHER_GUILD]);
    let (mut child, log) = spawn(&fake, &["run", "--shards", "1/2"]);
    log.wait_for("running gateway shards 1 to 1 of 2").await;
    log.wait_for("ready as confbot-test in 1 guilds on shard 1 of 2; the process running shard 0 registers").await;
    assert_eq!(fake.identified().into_iter().map(|i| i.shard).collect::<Vec<_>>(), vec![[1, 2]]);
    assert!(registrations(&fake).is_empty(), "shard 1's process does not register");
    signal(&child, "TERM");
    let code = child.wait().unwrap();
    let text = log.text();
    assert!(code.success(), "exit {code:?}; log:\n{text}");
    // serenity warns of a dispatch it cannot read, such as a malformed GUILD_CREATE (checked
    // directly by `the_fakes_guild_create_is_read_by_serenity`).
    assert!(!text.contains("Err deserializing"), "{text}");
}

/// Without `--shards` the bot stays one unsharded session: shard 0 of 1 with every guild.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_shards_the_bot_is_shard_zero_of_one() {
    let fake = FakeDiscord::start().await;
    fake.set_guilds(&[GUILD_ID, OTHER_GUILD]);
    let bot =
        Bot::launch(fake, Config { guild_ids: vec![GUILD_ID, OTHER_GUILD], ..Config::default() }, |_| {}, None).await;
    assert_eq!(bot.fake.identified().into_iter().map(|i| i.shard).collect::<Vec<_>>(), vec![[0, 1]]);
    assert_eq!(help_in(&bot.fake, Some(OTHER_GUILD)).await.by, format!("Bot {TOKEN}"));
    bot.stop().await;
}

/// The fake's GUILD_CREATE must be one serenity reads: one it could not would be dropped with
/// a warning, and the routing test would prove nothing about it.
#[test]
fn the_fakes_guild_create_is_read_by_serenity() {
    let event: serenity::model::event::GuildCreateEvent = serde_json::from_value(guild_create(OTHER_GUILD)).unwrap();
    assert_eq!(event.guild.id.get(), OTHER_GUILD);
}
