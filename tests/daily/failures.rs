//! Delivery failures: 429 and 5xx are retried with backoff within the day, without ever posting
//! twice; 403 and 404 are recorded, shown, and not retried in a loop.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use confbot::commands::Invocation;
use confbot::daily::Status;
use confbot::services::SendError;
use confbot::store::Store;

use super::{catalogue, ids, schedule, simulate, utc, Fake, Script};

/// 09:00 in Berlin on 1 June 2024.
fn nine() -> DateTime<Utc> {
    utc("2024-06-01T07:00:00Z")
}

/// A store with one Berlin 09:00 schedule, a fake, and a run of the day from 08:00 until
/// `until`; returns the send attempts' offsets from 09:00 in seconds.
async fn day(scripts: Vec<Script>, until: DateTime<Utc>) -> (Store, Fake, Vec<i64>) {
    let store = Store::open_in_memory().unwrap();
    store.sync_config(&[schedule(1, "Europe/Berlin", "09:00")], nine() - Duration::days(1)).unwrap();
    let fake = Fake::new(nine());
    for s in scripts {
        fake.push(s);
    }
    let c = Arc::new(catalogue(ids("a", 6)));
    simulate(&store, &fake, |_| c.clone(), nine() - Duration::hours(1), until, &[]).await;
    let offsets = fake.attempts().iter().map(|(at, _)| (*at - nine()).num_seconds()).collect();
    (store, fake, offsets)
}

#[tokio::test]
async fn rate_limits_wait_for_retry_after() {
    let limited = SendError::RateLimited { retry_after: Some(StdDuration::from_secs(30)) };
    let (store, fake, offsets) =
        day(vec![Script::Fail(limited.clone()), Script::Fail(limited)], nine() + Duration::hours(1)).await;
    assert_eq!(offsets, [0, 30, 60]);
    assert_eq!(fake.messages().len(), 1);
    let post = &store.recent_posts(1, 1).unwrap()[0];
    assert_eq!((post.status, post.attempts), (Status::Sent, 3));
}

#[tokio::test]
async fn server_errors_back_off_and_a_5xx_that_wrote_the_message_is_not_repeated() {
    let e = || SendError::Server("503 Service Unavailable".into());
    let (_, fake, offsets) =
        day(vec![Script::Fail(e()), Script::Fail(e()), Script::Fail(e())], nine() + Duration::hours(1)).await;
    // 2 s, then 4 s, then 8 s later.
    assert_eq!(offsets, [0, 2, 6, 14]);
    assert_eq!(fake.messages().len(), 1);
    // Discord wrote the message and still answered 500: the retry finds it instead of sending.
    let (store, fake, offsets) =
        day(vec![Script::FailAfterCreate(SendError::Server("500".into()))], nine() + Duration::hours(1)).await;
    assert_eq!(offsets, [0]);
    assert_eq!(fake.lookups(), 1);
    assert_eq!(fake.messages().len(), 1);
    assert_eq!(store.recent_posts(1, 1).unwrap()[0].message_id, Some(fake.messages()[0].id));
}

#[tokio::test]
async fn an_outage_all_day_is_retried_with_bounded_effort_then_the_day_is_missed() {
    let scripts = (0..500).map(|_| Script::Fail(SendError::Server("502 Bad Gateway".into()))).collect();
    let (store, fake, offsets) = day(scripts, nine() + Duration::hours(16)).await;
    assert!(fake.messages().is_empty());
    // 15 hours until midnight at 15 minutes at most between tries: about 60, not thousands.
    assert!((50..90).contains(&offsets.len()), "{} attempts", offsets.len());
    let missed = &store.recent_posts(1, 1).unwrap()[0];
    assert_eq!(missed.status, Status::Missed);
    assert!(missed.error.as_deref().unwrap().contains("502"), "{:?}", missed.error);
    // The outage ends; the next day posts once.
    fake.clear_script();
    let c = Arc::new(catalogue(ids("a", 6)));
    simulate(&store, &fake, |_| c.clone(), nine() + Duration::hours(16), nine() + Duration::hours(25), &[]).await;
    assert_eq!(fake.messages().len(), 1);
    assert_eq!(store.recent_posts(1, 1).unwrap()[0].status, Status::Sent);
}

#[tokio::test]
async fn a_forbidden_channel_is_recorded_shown_and_not_retried_until_asked() {
    let scripts = vec![Script::Fail(SendError::Forbidden("50013 Missing Permissions".into()))];
    let (store, fake, offsets) = day(scripts, nine() + Duration::hours(12)).await;
    assert_eq!(offsets, [0], "tried once");
    assert!(fake.messages().is_empty());
    let c = catalogue(ids("a", 6));
    let now = nine() + Duration::hours(12);
    let show = super::daily_command(&store, &c, now, 1, &Invocation::new("daily").with("subcommand", "show"));
    let text = format!("{:?}", show.reply);
    assert!(text.contains("Delivery problem") && text.contains("Missing Permissions"), "{text}");
    assert!(text.contains("Send Messages"), "advice on what to fix: {text}");
    // The admin fixes the permission and asks again: it posts, as today's post.
    let now_answer = super::daily_command(&store, &c, now, 1, &Invocation::new("daily").with("subcommand", "now"));
    assert!(now_answer.wake);
    let c = Arc::new(c);
    simulate(&store, &fake, |_| c.clone(), now, now + Duration::minutes(1), &[]).await;
    assert_eq!(fake.messages().len(), 1);
    let post = &store.recent_posts(1, 1).unwrap()[0];
    assert_eq!((post.status, post.local_date), (Status::Sent, "2024-06-01".parse().unwrap()));
}

#[tokio::test]
async fn a_missing_channel_fails_for_the_day_and_the_next_day_tries_again() {
    let scripts = vec![Script::Fail(SendError::NotFound("10003 Unknown Channel".into()))];
    let (store, fake, offsets) = day(scripts, nine() + Duration::hours(25)).await;
    assert_eq!(offsets, [0, 24 * 3600]);
    assert_eq!(fake.messages().len(), 1);
    let log = store.recent_posts(1, 2).unwrap();
    assert_eq!((log[1].status, log[0].status), (Status::Failed, Status::Sent));
    // The refused item was never seen: it is still dealt in this cycle.
    assert_eq!(log[0].position, 1);
}

#[tokio::test]
async fn a_filter_the_catalogue_no_longer_matches_is_reported_not_retried_all_day() {
    let store = Store::open_in_memory().unwrap();
    let mut s = schedule(1, "Europe/Berlin", "09:00");
    s.topic = Some("gone".into());
    store.set_schedule(&s, nine() - Duration::days(1)).unwrap();
    let fake = Fake::new(nine());
    let c = Arc::new(catalogue(ids("a", 4)));
    simulate(&store, &fake, |_| c.clone(), nine() - Duration::hours(1), nine() + Duration::hours(12), &[]).await;
    assert!(fake.attempts().is_empty());
    let failed = &store.recent_posts(1, 1).unwrap()[0];
    assert_eq!(failed.status, Status::Failed);
    let show = super::daily_command(&store, &c, nine(), 1, &Invocation::new("daily").with("subcommand", "show"));
    let text = format!("{:?}", show.reply);
    assert!(text.contains("no longer in the catalogue") && text.contains("nothing to post"), "{text}");
}

/// Regression (hostile-data issue): an unknown zone or a time `99:99` in one server's row
/// stopped daily posts for every server. The row is skipped and named; the others post on
/// time; `/daily show` tells that server's admins; `/daily set` replaces the row.
#[tokio::test]
async fn an_unreadable_schedule_row_stops_only_its_own_server() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = Store::open(&path).unwrap();
    let config =
        [schedule(1, "Europe/Berlin", "09:00"), schedule(2, "Europe/Berlin", "09:00"), schedule(3, "UTC", "07:00")];
    store.sync_config(&config, nine() - Duration::days(1)).unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("UPDATE schedules SET time = '99:99' WHERE guild_id = 1", []).unwrap();
    raw.execute("UPDATE schedules SET timezone = 'Mars/Olympus' WHERE guild_id = 3", []).unwrap();
    drop(raw);

    let fake = Fake::new(nine());
    let c = Arc::new(catalogue(ids("a", 6)));
    simulate(&store, &fake, |_| c.clone(), nine() - Duration::hours(1), nine() + Duration::minutes(5), &[]).await;
    let posted: Vec<(u64, i64)> =
        fake.messages().iter().map(|m| (m.channel_id, (m.at - nine()).num_seconds())).collect();
    assert_eq!(posted, [(schedule(2, "UTC", "09:00").channel_id, 0)], "guild 2 posts on time, alone");

    let show = super::daily_command(&store, &c, nine(), 1, &Invocation::new("daily").with("subcommand", "show"));
    let said = serde_json::to_string(&confbot::reply::render(&show.reply)).unwrap();
    assert!(said.contains("cannot be read") && said.contains("/daily set"), "{said}");
    let set = [("channel", "<#99>"), ("time", "10:00"), ("timezone", "Europe/Berlin")];
    let inv = set.iter().fold(Invocation::new("daily").with("subcommand", "set"), |inv, (k, v)| inv.with(k, *v));
    assert!(super::daily_command(&store, &c, nine(), 1, &inv).wake);
    assert_eq!(store.entries().unwrap().1.len(), 1, "only guild 3's row is still unreadable");
}
