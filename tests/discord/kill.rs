//! The real executable killed with SIGKILL at each step of delivering a daily post, then
//! restarted on the same state file and the same (fake) Discord: the day's post exists
//! exactly once every time. Then the same with two workers sharing one PostgreSQL database
//! (one SQLite file when no PostgreSQL is given): the lease holder is killed at each step and
//! the standby takes over within the lease's TTL plus a few seconds, posting exactly once.
//!
//! The bot has no test hooks: the fake decides where it stops. Before the intent, the fake
//! holds the command registration, so `ready` never reaches the delivery loop; after the
//! intent, it holds the `POST /messages` without creating the message; after the send, it
//! creates the message and holds the answer; after the record, the test waits until the
//! state file says `sent`. The schedule is stored as set an hour ago for the current minute,
//! so the post is due the moment the bot starts.

use std::path::Path;
use std::process::Child;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use confbot::daily::Schedule;
use confbot::daily::Status;
use confbot::store::Store;

use super::process::{signal, spawn, Log};
use super::*;
use crate::fake_discord::payloads::{CHANNEL_ID, GUILD_ID};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    BeforeIntent,
    AfterIntent,
    AfterSend,
    AfterRecord,
}

/// A schedule for the current local minute (due now), in a zone where it is not near
/// midnight, so the restart happens on the same local day.
fn due_now() -> (Schedule, NaiveDate) {
    let now = Utc::now();
    let zones = ["UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata"];
    let zone: Tz = zones
        .iter()
        .map(|z| z.parse::<Tz>().unwrap())
        .find(|z| (5..23 * 60 + 50).contains(&(now.with_timezone(z).time().num_seconds_from_midnight() / 60)))
        .unwrap();
    let local = now.with_timezone(&zone);
    let schedule = Schedule {
        guild_id: GUILD_ID,
        channel_id: CHANNEL_ID,
        time: local.time().with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap(),
        zone,
        topic: None,
        conference: None,
        enabled: true,
    };
    (schedule, local.date_naive())
}

fn start(fake: &FakeDiscord, config: &Path) -> (Child, Log) {
    spawn(fake, &["--log", "info,confbot=debug", "run", "--config", config.to_str().unwrap()])
}

/// The lease's TTL in these tests: a restart after a SIGKILL waits for it to expire.
const LEASE_SECONDS: u64 = 3;

/// Where the workers keep state: what `state =` says in their config.
struct State(String);

impl State {
    fn store(&self) -> Store {
        if self.0.starts_with("postgres") {
            Store::connect(&self.0).unwrap()
        } else {
            Store::open(Path::new(&self.0)).unwrap()
        }
    }
}

/// The day's row, as another process sees it.
fn status(state: &State, date: NaiveDate) -> Option<Status> {
    state.store().post_for(GUILD_ID, date).ok()?.map(|p| p.status)
}

async fn wait_status(state: &State, date: NaiveDate, want: Status, log: &Log) {
    let deadline = Instant::now() + StdDuration::from_secs(LEASE_SECONDS + 10);
    while status(state, date) != Some(want) {
        assert!(Instant::now() < deadline, "the post never became {want:?}; log:\n{}", log.text());
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

/// Who carries on after the kill: the same worker restarted, or a second one standing by.
#[derive(Debug, Clone, Copy, PartialEq)]
enum After {
    Restart,
    Standby,
}

async fn kill_at(step: Step, after: After) {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let state = match after {
        After::Restart => State(dir.path().join("state.db").display().to_string()),
        After::Standby => match crate::postgres::scratch_url() {
            Some(url) => State(url),
            None => State(dir.path().join("state.db").display().to_string()),
        },
    };
    let config = dir.path().join("confbot.toml");
    let text = format!("state = {:?}\nguild_ids = [{GUILD_ID}]\nlease = \"{LEASE_SECONDS}s\"\n", state.0);
    std::fs::write(&config, text).unwrap();
    let (schedule, date) = due_now();
    state.store().set_schedule(&schedule, Utc::now() - Duration::hours(1)).unwrap();

    let posts = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    match step {
        Step::BeforeIntent => fake.hold("PUT", "/commands", false),
        Step::AfterIntent => fake.hold("POST", &posts, false),
        Step::AfterSend => fake.hold("POST", &posts, true),
        Step::AfterRecord => {}
    }
    let (mut child, log) = start(&fake, &config);
    let held = |r: &Request| r.status == 0;
    match step {
        Step::BeforeIntent => drop(fake.wait_for("the held registration", StdDuration::from_secs(10), held).await),
        Step::AfterIntent | Step::AfterSend => {
            drop(fake.wait_for("the held post", StdDuration::from_secs(10), held).await);
        }
        Step::AfterRecord => wait_status(&state, date, Status::Sent, &log).await,
    }
    // The standby starts while the first worker holds the lease (except before the intent,
    // where the first never got that far and the standby takes the lease at once).
    let standby = (after == After::Standby).then(|| start(&fake, &config));
    if let (Some((_, standby_log)), false) = (&standby, step == Step::BeforeIntent) {
        standby_log.wait_for("standing by").await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let killed_at = Instant::now();

    let at_kill = status(&state, date);
    let expected = match step {
        Step::BeforeIntent => None,
        Step::AfterIntent | Step::AfterSend => Some(Status::Pending),
        Step::AfterRecord => Some(Status::Sent),
    };
    assert_eq!(at_kill, expected, "state at the kill");
    let messages_at_kill = fake.messages_in(CHANNEL_ID).len();

    let (mut child, log) = standby.unwrap_or_else(|| start(&fake, &config));
    wait_status(&state, date, Status::Sent, &log).await;
    let took_over = killed_at.elapsed();
    log.wait_for("ready as").await;
    // A second post, if the bot were to make one, would follow at once.
    tokio::time::sleep(StdDuration::from_millis(700)).await;
    signal(&child, "TERM");
    let code = child.wait().unwrap();
    assert!(code.success(), "exit {code:?}; log:\n{}", log.text());

    let messages = fake.messages_in(CHANNEL_ID);
    let sends = requests_to(&fake, &posts).into_iter().filter(|r| r.method == "POST").count();
    println!(
        "SIGKILL {step:?}, then {after:?} on {}: state at kill {at_kill:?}, messages at kill {messages_at_kill}; \
         after: {} message(s), {sends} POST(s), sent {took_over:.1?} after the kill (lease {LEASE_SECONDS} s)",
        if state.0.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
        messages.len()
    );
    assert_eq!(messages.len(), 1, "exactly one message for the day; log:\n{}", log.text());
    let footer = messages[0]["embeds"][0]["footer"]["text"].as_str().unwrap_or_default();
    assert!(footer.starts_with("Daily highlight · 1 of "), "{footer}");
    if step == Step::AfterSend {
        assert!(log.text().contains("found the post"), "reconciled by looking; log:\n{}", log.text());
    }
    if matches!(step, Step::AfterSend | Step::AfterRecord) {
        assert_eq!(sends, 1, "the message exists, so it is not sent again");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_before_the_intent_posts_once_on_restart() {
    kill_at(Step::BeforeIntent, After::Restart).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_intent_posts_once_on_restart() {
    kill_at(Step::AfterIntent, After::Restart).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_send_records_the_existing_message() {
    kill_at(Step::AfterSend, After::Restart).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_record_posts_nothing_more() {
    kill_at(Step::AfterRecord, After::Restart).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_before_the_intent_the_standby_posts_once() {
    kill_at(Step::BeforeIntent, After::Standby).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_after_the_intent_the_standby_posts_once() {
    kill_at(Step::AfterIntent, After::Standby).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_after_the_send_the_standby_records_it() {
    kill_at(Step::AfterSend, After::Standby).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_after_the_record_nothing_more() {
    kill_at(Step::AfterRecord, After::Standby).await;
}
