//! Daily posts, black-box: a fake Discord channel with virtual time drives the real store,
//! decision and delivery code through years of days, crashes, downtime and failures.
//!
//! # Layout
//! - this file: the harness — a fake Discord channel (nonce dedupe like Discord's, scripted
//!   failures and hangs) and catalogue builders;
//! - `simulation`: 10,000 days per zone, with and without downtime, and the real loop on
//!   tokio's paused clock;
//! - `crash`: a kill between each step of delivery, then a restart on the same state file;
//! - `failures`: 429, 5xx and 403 handling;
//! - `command`: `/daily set | show | off | now | preview`;
//! - `cost`: what the store costs per post on each backend (measured by hand).

mod command;
mod cost;
mod crash;
mod failures;
mod simulation;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use confbot::catalogue::{parse_str, Catalogue};
use confbot::daily::Schedule;
use confbot::services::{Clock, Delivery, Seen, SendError, Transport};
use confbot::store::Store;
use confbot::zones::{parse_time, parse_zone};
use serde_json::Value;

/// How long Discord remembers a nonce under `enforce_nonce` (it says "a few minutes").
pub const NONCE_WINDOW: Duration = Duration::minutes(5);

/// A message the fake channel holds.
#[derive(Debug, Clone)]
pub struct Posted {
    pub id: u64,
    pub channel_id: u64,
    pub nonce: String,
    pub at: DateTime<Utc>,
    pub body: Value,
}

impl Posted {
    pub fn footer(&self) -> Option<&str> {
        self.body["embeds"][0]["footer"]["text"].as_str()
    }
}

/// What the fake does with the next send.
#[derive(Debug, Clone)]
pub enum Script {
    /// Refuse without creating anything.
    Fail(SendError),
    /// Create the message, then answer with an error anyway (a 5xx after the write).
    FailAfterCreate(SendError),
    /// Never answer, creating nothing: the process dies with the request unsent.
    HangBeforeCreate,
    /// Create the message, then never answer: the process dies before reading the answer.
    HangAfterCreate,
}

#[derive(Default)]
struct State {
    now: Option<DateTime<Utc>>,
    clock: Option<Clock>,
    messages: Vec<Posted>,
    next_id: u64,
    script: VecDeque<Script>,
    /// Every send attempt: when, and with which nonce.
    attempts: Vec<(DateTime<Utc>, String)>,
    lookups: usize,
    lookup_error: Option<SendError>,
    /// Users whose DMs are closed to the bot (Discord answers 50007).
    closed_dms: Vec<u64>,
    dm_opens: usize,
}

/// The DM channel the fake opens with a user.
pub fn dm_channel_of(user_id: u64) -> u64 {
    7_000_000_000 + user_id
}

/// A fake Discord channel service on virtual time. Cheap to clone; clones share state, so a
/// "restarted bot" can be given the same Discord.
#[derive(Clone, Default)]
pub struct Fake(Arc<Mutex<State>>);

enum Then {
    Answer(Result<u64, SendError>),
    Hang,
}

impl Fake {
    pub fn new(now: DateTime<Utc>) -> Fake {
        let fake = Fake::default();
        fake.set_now(now);
        fake
    }

    /// A fake that reads the time from `clock` (for the real loop on tokio's paused clock).
    pub fn with_clock(clock: Clock) -> Fake {
        let fake = Fake::default();
        fake.state().clock = Some(clock);
        fake
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set_now(&self, now: DateTime<Utc>) {
        self.state().now = Some(now);
    }

    pub fn push(&self, script: Script) {
        self.state().script.push_back(script);
    }

    pub fn clear_script(&self) {
        self.state().script.clear();
    }

    pub fn set_lookup_error(&self, e: Option<SendError>) {
        self.state().lookup_error = e;
    }

    pub fn messages(&self) -> Vec<Posted> {
        self.state().messages.clone()
    }

    pub fn attempts(&self) -> Vec<(DateTime<Utc>, String)> {
        self.state().attempts.clone()
    }

    pub fn lookups(&self) -> usize {
        self.state().lookups
    }

    /// The user's DMs are closed: sending to them fails with 50007.
    pub fn close_dms(&self, user_id: u64) {
        self.state().closed_dms.push(user_id);
    }

    pub fn dm_opens(&self) -> usize {
        self.state().dm_opens
    }

    fn decide(&self, d: &Delivery) -> Then {
        let mut s = self.state();
        let now = s.clock.map(|c| c.now()).or(s.now).unwrap_or_else(Utc::now);
        s.attempts.push((now, d.nonce.clone()));
        // Discord's enforce_nonce: the same nonce within the window returns the first message.
        // (Messages are appended in time order, so only the newest few need looking at.)
        let mut remembered = s.messages.iter().rev().take_while(|m| now - m.at < NONCE_WINDOW);
        if let Some(m) = remembered.find(|m| m.nonce == d.nonce && m.channel_id == d.channel_id) {
            return Then::Answer(Ok(m.id));
        }
        if s.closed_dms.iter().any(|&u| dm_channel_of(u) == d.channel_id) {
            return Then::Answer(Err(SendError::DmClosed));
        }
        let script = s.script.pop_front();
        let create = |s: &mut State| {
            s.next_id += 1;
            let id = 1_000_000 + s.next_id;
            s.messages.push(Posted { id, channel_id: d.channel_id, nonce: d.nonce.clone(), at: now, body: d.body() });
            id
        };
        match script {
            None => Then::Answer(Ok(create(&mut s))),
            Some(Script::Fail(e)) => Then::Answer(Err(e)),
            Some(Script::FailAfterCreate(e)) => {
                create(&mut s);
                Then::Answer(Err(e))
            }
            Some(Script::HangBeforeCreate) => Then::Hang,
            Some(Script::HangAfterCreate) => {
                create(&mut s);
                Then::Hang
            }
        }
    }
}

impl Transport for Fake {
    async fn send(&self, delivery: &Delivery) -> Result<u64, SendError> {
        let then = self.decide(delivery);
        match then {
            Then::Answer(r) => r,
            Then::Hang => std::future::pending().await,
        }
    }

    /// Like Discord's `GET /messages`: no nonce in what comes back.
    async fn recent(&self, channel_id: u64, since: DateTime<Utc>) -> Result<Vec<Seen>, SendError> {
        let mut s = self.state();
        s.lookups += 1;
        if let Some(e) = s.lookup_error.clone() {
            return Err(e);
        }
        Ok(s.messages
            .iter()
            .rev()
            .filter(|m| m.channel_id == channel_id && m.at >= since)
            .map(|m| Seen {
                id: m.id,
                nonce: None,
                title: m.body["embeds"][0]["title"].as_str().map(String::from),
                footer: m.footer().map(String::from),
                description: m.body["embeds"][0]["description"].as_str().map(String::from),
            })
            .collect())
    }

    async fn dm_channel(&self, user_id: u64) -> Result<u64, SendError> {
        self.state().dm_opens += 1;
        Ok(dm_channel_of(user_id))
    }
}

/// Drives `tick` over virtual time from `start` to `end`, jumping straight to each instant
/// it asks to be woken at. `down` lists intervals when the bot is not running.
pub async fn simulate(
    store: &Store,
    fake: &Fake,
    catalogue_at: impl Fn(DateTime<Utc>) -> Arc<Catalogue>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    down: &[(DateTime<Utc>, DateTime<Utc>)],
) {
    let mut now = start;
    let mut same = 0;
    while now < end {
        if let Some(&(_, up)) = down.iter().find(|(from, to)| *from <= now && now < *to) {
            now = up;
            continue;
        }
        fake.set_now(now);
        let next = confbot::services::daily::tick(store, &catalogue_at(now), fake, now).await.unwrap();
        same = if next <= now { same + 1 } else { 0 };
        assert!(same < 50, "the loop spins at {now}");
        // The real loop would sleep until `next`, or be woken at the start of an up-time.
        now = next.max(now);
    }
}

/// A catalogue of one conference with a talk per insight id; talks alternate between two topics.
pub fn catalogue<S: AsRef<str>>(ids: impl IntoIterator<Item = S>) -> Catalogue {
    let mut text = String::from(
        "[[conferences]]\nid = \"conf\"\nname = \"Conf\"\n\n[[topics]]\nid = \"even\"\nname = \"Even\"\n\n\
         [[topics]]\nid = \"odd\"\nname = \"Odd\"\n\n[[speakers]]\nid = \"ada\"\nname = \"Ada Lovelace\"\n",
    );
    for (n, id) in ids.into_iter().enumerate() {
        let id = id.as_ref();
        let topic = if n % 2 == 0 { "even" } else { "odd" };
        text.push_str(&format!(
            "\n[[talks]]\nid = \"talk-{id}\"\ntitle = \"Talk {id}\"\nspeakers = [\"ada\"]\n\
             topics = [\"{topic}\"]\n\n[[insights]]\nid = \"{id}\"\nkind = \"insight\"\n\
             text = \"Insight number {id}.\"\ntalk = \"talk-{id}\"\n"
        ));
    }
    parse_str("test.toml", &text).expect("the test catalogue is valid")
}

/// A schedule for tests.
pub fn schedule(guild_id: u64, zone: &str, time: &str) -> Schedule {
    Schedule {
        guild_id,
        channel_id: guild_id * 100,
        time: parse_time(time).unwrap(),
        zone: parse_zone(zone).unwrap(),
        topic: None,
        conference: None,
        enabled: true,
    }
}

/// Insight ids `prefix0`, `prefix1`, …
pub fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// What `/daily` answered, and what it asked the running bot to do.
pub struct Answer {
    pub reply: confbot::reply::Reply,
    pub wake: bool,
    pub check_channel: Option<u64>,
}

/// Runs `/daily` as a manager of `guild` would, at `now`.
pub fn daily_command(
    store: &Store,
    c: &Catalogue,
    now: DateTime<Utc>,
    guild: u64,
    inv: &confbot::commands::Invocation,
) -> Answer {
    use confbot::commands::{self, Caller, Context, Effect};
    let mut rng = fastrand::Rng::with_seed(1);
    let caller = Caller { store, guild: Some(guild), manager: true };
    let mut ctx = Context { now, bot: Some(caller), ..Context::new(c, &mut rng) };
    let outcome = commands::run(&mut ctx, inv);
    Answer {
        reply: outcome.reply,
        wake: outcome.effects.contains(&Effect::WakeDaily),
        check_channel: outcome.effects.iter().find_map(|e| match e {
            Effect::CheckChannel(channel) => Some(*channel),
            _ => None,
        }),
    }
}
