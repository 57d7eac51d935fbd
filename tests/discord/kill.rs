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

/// What the bot posts on its own in the test: the day's highlight, or the announcement of a
/// session about to start.
#[derive(Debug, Clone, Copy, PartialEq)]
enum What {
    Daily,
    Announcement,
}

/// The delivery's row, as another process sees it: the day's post, or the outbox's only row.
fn status(store: &Store, what: What, date: NaiveDate) -> Option<String> {
    match what {
        What::Daily => store.post_for(GUILD_ID, date).ok()?.map(|p| format!("{:?}", p.status)),
        What::Announcement => store.recent_outgoing(10).ok()?.first().map(|o| format!("{:?}", o.status)),
    }
}

/// A conference in UTC with one session starting ten minutes from now, announced fifteen
/// minutes before: due the moment the bot starts, and still due for ten minutes.
fn session_soon(dir: &Path) -> String {
    let start = (Utc::now() + Duration::minutes(10)).with_second(0).unwrap().with_nanosecond(0).unwrap();
    let today = Utc::now().date_naive();
    let data = dir.join("soon.toml");
    let toml = format!(
        "[[conferences]]\nid = \"soon\"\nname = \"SoonConf\"\nstart = {today}\nend = {}\ntimezone = \"UTC\"\n\n\
         [[talks]]\nid = \"keynote\"\ntitle = \"The Keynote\"\nconference = \"soon\"\nstart = {}\nduration = \"45m\"\n",
        today.succ_opt().unwrap(),
        start.format("%Y-%m-%dT%H:%M:%S"),
    );
    std::fs::write(&data, toml).unwrap();
    format!(
        "data = [{:?}]\n\n[[live]]\nguild_id = {GUILD_ID}\nconference = \"soon\"\nchannel_id = {CHANNEL_ID}\nminutes_before = 15\n",
        data.display().to_string()
    )
}

async fn wait_status(state: &State, what: What, date: NaiveDate, want: Status, log: &Log) {
    let want = format!("{want:?}");
    let store = state.store();
    let deadline = Instant::now() + StdDuration::from_secs(LEASE_SECONDS + 10);
    while status(&store, what, date).as_ref() != Some(&want) {
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

async fn kill_at(step: Step, after: After, what: What) {
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
    let mut text = format!("state = {:?}\nguild_ids = [{GUILD_ID}]\nlease = \"{LEASE_SECONDS}s\"\n", state.0);
    let (schedule, date) = due_now();
    match what {
        What::Daily => state.store().set_schedule(&schedule, Utc::now() - Duration::hours(1)).unwrap(),
        What::Announcement => text.push_str(&session_soon(dir.path())),
    }
    std::fs::write(&config, text).unwrap();

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
        Step::AfterRecord => wait_status(&state, what, date, Status::Sent, &log).await,
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

    let at_kill = status(&state.store(), what, date);
    let expected = match step {
        Step::BeforeIntent => None,
        Step::AfterIntent | Step::AfterSend => Some(format!("{:?}", Status::Pending)),
        Step::AfterRecord => Some(format!("{:?}", Status::Sent)),
    };
    assert_eq!(at_kill, expected, "state at the kill");
    let messages_at_kill = fake.messages_in(CHANNEL_ID).len();

    let (mut child, log) = standby.unwrap_or_else(|| start(&fake, &config));
    wait_status(&state, what, date, Status::Sent, &log).await;
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
        "{what:?}: SIGKILL {step:?}, then {after:?} on {}: state at kill {at_kill:?}, messages at kill {messages_at_kill}; \
         after: {} message(s), {sends} POST(s), sent {took_over:.1?} after the kill (lease {LEASE_SECONDS} s)",
        if state.0.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
        messages.len()
    );
    assert_eq!(messages.len(), 1, "exactly one message for the day; log:\n{}", log.text());
    let embed = &messages[0]["embeds"][0];
    match what {
        What::Daily => {
            let footer = embed["footer"]["text"].as_str().unwrap_or_default();
            assert!(footer.starts_with("Daily highlight · 1 of "), "{footer}");
        }
        What::Announcement => assert!(messages[0].to_string().contains("The Keynote"), "{}", messages[0]),
    }
    if step == Step::AfterSend {
        let found = if what == What::Daily { "daily: found the post" } else { "live: found the message" };
        assert!(log.text().contains(found), "reconciled by looking; log:\n{}", log.text());
    }
    if matches!(step, Step::AfterSend | Step::AfterRecord) {
        assert_eq!(sends, 1, "the message exists, so it is not sent again");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_before_the_intent_posts_once_on_restart() {
    kill_at(Step::BeforeIntent, After::Restart, What::Daily).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_intent_posts_once_on_restart() {
    kill_at(Step::AfterIntent, After::Restart, What::Daily).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_send_records_the_existing_message() {
    kill_at(Step::AfterSend, After::Restart, What::Daily).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_the_record_posts_nothing_more() {
    kill_at(Step::AfterRecord, After::Restart, What::Daily).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_before_the_intent_the_standby_posts_once() {
    kill_at(Step::BeforeIntent, After::Standby, What::Daily).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_after_the_intent_the_standby_posts_once() {
    kill_at(Step::AfterIntent, After::Standby, What::Daily).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_after_the_send_the_standby_records_it() {
    kill_at(Step::AfterSend, After::Standby, What::Daily).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_after_the_record_nothing_more() {
    kill_at(Step::AfterRecord, After::Standby, What::Daily).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_after_the_announcement_intent_the_standby_announces_once() {
    kill_at(Step::AfterIntent, After::Standby, What::Announcement).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_after_the_announcement_went_out_the_standby_records_it() {
    kill_at(Step::AfterSend, After::Standby, What::Announcement).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_holder_killed_after_the_announcement_was_recorded_nothing_more() {
    kill_at(Step::AfterRecord, After::Standby, What::Announcement).await;
}
