//! The real executable killed with SIGKILL at each step of delivering a daily post, then
//! restarted on the same state file and the same (fake) Discord: the day's post exists
//! exactly once every time.
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

/// The day's row in the state file, as another process sees it.
fn status(state: &Path, date: NaiveDate) -> Option<Status> {
    Store::open(state).ok()?.post_for(GUILD_ID, date).ok()?.map(|p| p.status)
}

async fn wait_status(state: &Path, date: NaiveDate, want: Status, log: &Log) {
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while status(state, date) != Some(want) {
        assert!(Instant::now() < deadline, "the post never became {want:?}; log:\n{}", log.text());
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

async fn kill_at(step: Step) {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let config = dir.path().join("confbot.toml");
    std::fs::write(&config, format!("state = {:?}\nguild_ids = [{GUILD_ID}]\n", state.display().to_string())).unwrap();
    let (schedule, date) = due_now();
    Store::open(&state).unwrap().set_schedule(&schedule, Utc::now() - Duration::hours(1)).unwrap();

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
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let at_kill = status(&state, date);
    let expected = match step {
        Step::BeforeIntent => None,
        Step::AfterIntent | Step::AfterSend => Some(Status::Pending),
        Step::AfterRecord => Some(Status::Sent),
    };
    assert_eq!(at_kill, expected, "state at the kill");
    let messages_at_kill = fake.messages_in(CHANNEL_ID).len();

    let (mut child, log) = start(&fake, &config);
    wait_status(&state, date, Status::Sent, &log).await;
    log.wait_for("ready as").await;
    // A second post, if the bot were to make one, would follow at once.
    tokio::time::sleep(StdDuration::from_millis(700)).await;
    signal(&child, "TERM");
    let code = child.wait().unwrap();
    assert!(code.success(), "exit {code:?}; log:\n{}", log.text());

    let messages = fake.messages_in(CHANNEL_ID);
    let sends = requests_to(&fake, &posts).into_iter().filter(|r| r.method == "POST").count();
    println!(
        "SIGKILL {step:?}: state at kill {at_kill:?}, messages at kill {messages_at_kill}; \
         after restart: {} message(s), {sends} POST(s)",
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
    kill_at(Step::BeforeIntent).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_intent_posts_once_on_restart() {
    kill_at(Step::AfterIntent).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_send_records_the_existing_message() {
    kill_at(Step::AfterSend).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_record_posts_nothing_more() {
    kill_at(Step::AfterRecord).await;
}
