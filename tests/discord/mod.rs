//! confbot's Discord edge driven end to end against the fake Discord on loopback.
//!
//! The bot runs in-process (`discord::run_with`, stopped by a future) except for the SIGTERM
//! and SIGKILL tests (`process`, `kill`) and one test of `run --shards` (`shards`), which run
//! the real executable. Several bots may share one fake, as shard processes share Discord. No test touches the
//! real Discord.

mod commands;
mod daily;
mod kill;
mod latency;
mod process;
mod robustness;
mod shards;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use confbot::config::{Config, Token};
use confbot::discord::{self, RunError};
use confbot::services::Clock;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::fake_discord::payloads::{self, APP_ID, MEMBER_PERMISSIONS};
use crate::fake_discord::{FakeDiscord, Request};

/// A token shaped like a real one, so a leak would be easy to spot in logs.
pub const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GfakeT.0123456789abcdefghijklmnopqrstuvwxyzAB";
/// Discord's window for answering an interaction.
pub const WINDOW: Duration = Duration::from_secs(3);

/// The bot running against its own fake Discord.
pub struct Bot {
    pub fake: FakeDiscord,
    /// How many times the background job was started.
    pub background_starts: Arc<AtomicU32>,
    /// How many `ready`s the bot has handled to the end.
    pub readies: Arc<AtomicU32>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), RunError>>,
}

/// A callback as the fake received it, with the time since the interaction was dispatched.
pub struct Answer {
    pub kind: u64,
    pub data: Value,
    pub latency: Duration,
}

impl Bot {
    /// Starts the bot with `config` (token and API base filled in) and waits until its
    /// commands are registered.
    pub async fn start(config: Config) -> Bot {
        Bot::start_with(config, |_| {}).await
    }

    /// [`Bot::start`], preparing the fake (e.g. injecting failures) before the bot connects.
    pub async fn start_with(config: Config, prepare: impl FnOnce(&FakeDiscord)) -> Bot {
        Bot::launch(FakeDiscord::start().await, config, prepare, None).await
    }

    /// [`Bot::start_with`] on a given fake (which may outlive the bot, as Discord outlives a
    /// restart) and with a clock of the test's for daily posts.
    pub async fn launch(
        fake: FakeDiscord,
        config: Config,
        prepare: impl FnOnce(&FakeDiscord),
        clock: Option<Clock>,
    ) -> Bot {
        prepare(&fake);
        let bot = Bot::spawn(fake, config, clock);
        // Registration ends with the global PUT: the set itself, or the clearing after guilds.
        bot.fake
            .wait_for("registration", Duration::from_secs(10), |r| {
                r.method == "PUT" && r.path == format!("/api/v10/applications/{APP_ID}/commands") && r.status == 200
            })
            .await;
        bot.started().await;
        bot
    }

    /// Starts the bot against `fake` and returns at once. The config's token is kept if it has
    /// one ([`TOKEN`] otherwise), so that bots sharing a fake can be told apart by it.
    pub fn spawn(fake: FakeDiscord, config: Config, clock: Option<Clock>) -> Bot {
        let token = config.token.clone().unwrap_or_else(|| Token::new(TOKEN));
        let config = Config { api_base: Some(fake.base.clone()), token: Some(token), ..config };
        let injected = discord::Injected { clock, ..Default::default() };
        let (background_starts, readies) = (injected.background_starts.clone(), injected.readies.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(discord::run_with(config, injected, async {
            let _ = stopped.await;
        }));
        Bot { fake, background_starts, readies, stop: Some(stop), task }
    }

    /// Waits until the first `ready` has been handled: background work started, commands
    /// registered if this bot registers.
    pub async fn started(&self) {
        self.readied(1).await;
        assert_eq!(self.background_starts.load(Ordering::SeqCst), 1, "background work started at the first ready");
    }

    /// Waits until the bot has handled `n` `ready`s (one per shard start or restart).
    pub async fn readied(&self, n: u32) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.readies.load(Ordering::SeqCst) < n {
            assert!(
                Instant::now() < deadline,
                "only {} ready(s) handled, not {n}",
                self.readies.load(Ordering::SeqCst)
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub async fn guild() -> Bot {
        Bot::start(Config { guild_ids: vec![payloads::GUILD_ID], ..Config::default() }).await
    }

    /// Dispatches an interaction and waits for its successful callback.
    pub async fn interact(&self, interaction: Value) -> Answer {
        let path = callback_path(&interaction);
        let sent = Instant::now();
        self.fake.dispatch("INTERACTION_CREATE", interaction);
        let r = self
            .fake
            .wait_for(&format!("a callback on {path}"), Duration::from_secs(10), |r| r.path == path && r.status == 204)
            .await;
        Answer { kind: r.body["type"].as_u64().unwrap_or(0), data: r.body["data"].clone(), latency: r.at - sent }
    }

    /// Runs a slash command as an ordinary member.
    pub async fn command(&self, name: &str, options: &[(&str, &str)]) -> Answer {
        let id = payloads::snowflake();
        self.interact(payloads::command(id, &token(id), name, options, MEMBER_PERMISSIONS)).await
    }

    /// Clicks a button on the message a callback created.
    pub async fn click(&self, on: &Answer, custom_id: &str) -> Answer {
        let id = payloads::snowflake();
        let message = payloads::message(payloads::snowflake(), &on.data);
        self.interact(payloads::button(id, &token(id), custom_id, message)).await
    }

    /// Runs a slash command with subcommand `sub` and its options, with `permissions`
    /// (e.g. [`payloads::ADMIN_PERMISSIONS`]).
    pub async fn subcommand(&self, name: &str, sub: &str, options: &[(&str, &str)], permissions: &str) -> Answer {
        let id = payloads::snowflake();
        self.interact(payloads::subcommand(id, &token(id), name, sub, options, permissions)).await
    }

    /// Stops the bot as SIGTERM would and checks that it returns Ok within a few seconds.
    pub async fn stop(mut self) -> FakeDiscord {
        let _ = self.stop.take().unwrap().send(());
        let ended = tokio::time::timeout(Duration::from_secs(8), &mut self.task).await;
        let result = ended.expect("the bot stops within a few seconds").expect("the bot task does not panic");
        result.expect("the bot stops without error");
        // The fake outlives the bot, as Discord outlives a restart.
        self.fake.clone()
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn token(id: u64) -> String {
    format!("interaction-token-{id}")
}

pub fn callback_path(interaction: &Value) -> String {
    format!(
        "/api/v10/interactions/{}/{}/callback",
        interaction["id"].as_str().unwrap(),
        interaction["token"].as_str().unwrap()
    )
}

/// Every request to `path`, in order.
pub fn requests_to(fake: &FakeDiscord, path: &str) -> Vec<Request> {
    fake.requests().into_iter().filter(|r| r.path == path).collect()
}

/// The custom_ids of a message body's buttons.
pub fn custom_ids(data: &Value) -> Vec<String> {
    data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_owned))
        .collect()
}

/// The message body parsed as confbot's payload, checked against every Discord limit.
pub fn checked(data: &Value) -> confbot::reply::Message {
    let m: confbot::reply::Message = serde_json::from_value(data.clone()).expect("a message payload");
    assert_eq!(confbot::reply::violations(&m), Vec::<String>::new());
    assert_eq!(data["allowed_mentions"], serde_json::json!({"parse": []}));
    m
}

pub fn title(data: &Value) -> String {
    data["embeds"][0]["title"].as_str().unwrap_or_default().to_owned()
}

pub fn is_ephemeral(data: &Value) -> bool {
    data["flags"].as_u64().unwrap_or(0) & 64 != 0
}
