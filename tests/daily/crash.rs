//! Crash recovery: the process dies between each step of delivery, then restarts on the same
//! state file, sooner or later. Each time the day gets exactly one message — or, when the
//! restart comes after the local day ended and nothing had reached Discord, none (downtime
//! never posts a past day late).
//!
//! A kill is simulated by abandoning the delivery future where it stands (its send never
//! answers) and dropping the store, which closes the SQLite file or the PostgreSQL connections
//! as a dying process would. A kill inside a transaction needs no test of its own: the
//! database rolls it back, which is the "before the intent" case. Each test runs on SQLite and,
//! when a server is given, on PostgreSQL.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use confbot::catalogue::Catalogue;
use confbot::daily::{PostRecord, Status};
use confbot::services::{self, SendError};
use confbot::store::Store;

use crate::postgres::{places, Place};

use super::{catalogue, ids, schedule, utc, Fake, Script};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kill {
    /// Before the intent is logged.
    BeforeIntent,
    /// After the intent is logged, before the request reaches Discord.
    AfterIntent,
    /// After Discord created the message, before the bot reads the answer.
    AfterSend,
    /// After the message id is recorded.
    AfterRecord,
}

/// Polls a future once, then drops it: the process died wherever it was waiting.
async fn die_during(delivery: impl Future<Output = Result<DateTime<Utc>, confbot::store::StoreError>>) {
    tokio::select! {
        biased;
        outcome = delivery => panic!("expected the delivery to hang, it finished: {outcome:?}"),
        _ = std::future::ready(()) => {}
    }
}

/// 09:00 in Berlin on 1 June 2024.
fn nine() -> DateTime<Utc> {
    utc("2024-06-01T07:00:00Z")
}

/// Runs passes at `now` until nothing is left to do.
async fn settle(store: &Store, c: &Catalogue, fake: &Fake, now: DateTime<Utc>) {
    fake.set_now(now);
    for _ in 0..10 {
        if services::daily::tick(store, c, fake, now).await.unwrap() > now {
            return;
        }
    }
    panic!("no rest at {now}");
}

/// Kills the bot at `kill` during the 09:00 delivery and restarts it `restart_after` later.
async fn crash_and_restart(place: &Place, fake: &Fake, kill: Kill, restart_after: Duration) -> Vec<PostRecord> {
    let c = catalogue(ids("a", 6));
    {
        let store = place.open();
        store.sync_config(&[schedule(1, "Europe/Berlin", "09:00")], nine() - Duration::days(1)).unwrap();
        fake.set_now(nine());
        match kill {
            Kill::BeforeIntent => {}
            Kill::AfterIntent => {
                fake.push(Script::HangBeforeCreate);
                die_during(services::daily::tick(&store, &c, fake, nine())).await;
            }
            Kill::AfterSend => {
                fake.push(Script::HangAfterCreate);
                die_during(services::daily::tick(&store, &c, fake, nine())).await;
            }
            Kill::AfterRecord => settle(&store, &c, fake, nine()).await,
        }
    }
    let store = place.open();
    let back = nine() + restart_after;
    settle(&store, &c, fake, back).await;
    // And the next day is ordinary.
    let next = store.entry(1).unwrap().unwrap().schedule.next_after(back).1;
    settle(&store, &c, fake, next).await;
    store.recent_posts(1, 10).unwrap()
}

#[tokio::test]
async fn a_kill_at_each_step_still_posts_the_day_exactly_once() {
    let restarts = [
        ("10 s later, inside Discord's nonce window", Duration::seconds(10)),
        ("30 min later, outside the nonce window", Duration::minutes(30)),
        ("the next local day", Duration::hours(16)),
    ];
    let mut runs = 0;
    let backends = places().len();
    for kill in [Kill::BeforeIntent, Kill::AfterIntent, Kill::AfterSend, Kill::AfterRecord] {
        for ((label, after), place) in restarts.iter().flat_map(|r| places().into_iter().map(move |p| (*r, p))) {
            let label = format!("{label}, on {}", place.name());
            let fake = Fake::new(nine());
            let log = crash_and_restart(&place, &fake, kill, after).await;
            let june1 = "2024-06-01".parse().unwrap();
            let messages: Vec<_> = fake
                .messages()
                .into_iter()
                .filter(|m| m.at.with_timezone(&chrono_tz::Europe::Berlin).date_naive() == june1)
                .collect();
            let next_day = after >= Duration::hours(15);
            // Nothing reached Discord and the day is over: it stays unposted.
            let want = usize::from(!(next_day && matches!(kill, Kill::BeforeIntent | Kill::AfterIntent)));
            assert_eq!(messages.len(), want, "{kill:?}, restart {label}");
            let row = log.iter().find(|p| p.local_date == june1);
            match (want, row) {
                (1, Some(row)) => {
                    assert_eq!((row.status, row.message_id), (Status::Sent, Some(messages[0].id)), "{kill:?} {label}");
                }
                (0, None) => assert_eq!(kill, Kill::BeforeIntent),
                (0, Some(row)) => assert_eq!(row.status, Status::Missed, "{kill:?} {label}"),
                other => panic!("{kill:?} {label}: {other:?}"),
            }
            // The day after: exactly one post too.
            assert_eq!(log.iter().filter(|p| p.status == Status::Sent && p.local_date > june1).count(), 1);
            assert_eq!(fake.messages().len(), want + 1, "{kill:?} {label}");
            runs += 1;
        }
    }
    assert_eq!(runs, 12 * backends);
}

#[tokio::test]
async fn a_restart_that_cannot_look_up_waits_instead_of_sending_blind() {
    for place in places() {
        waits_without_lookup(&place).await;
    }
}

async fn waits_without_lookup(place: &Place) {
    let fake = Fake::new(nine());
    let c = catalogue(ids("a", 6));
    {
        let store = place.open();
        store.sync_config(&[schedule(1, "Europe/Berlin", "09:00")], nine() - Duration::days(1)).unwrap();
        fake.push(Script::HangAfterCreate);
        die_during(services::daily::tick(&store, &c, &fake, nine())).await;
    }
    let store = place.open();
    fake.set_lookup_error(Some(SendError::Server("502 Bad Gateway".into())));
    let back = nine() + Duration::minutes(20);
    settle(&store, &c, &fake, back).await;
    assert_eq!(fake.attempts().len(), 1, "no blind re-send outside the nonce window");
    let pending = store.pending().unwrap();
    assert_eq!(pending.len(), 1);
    assert!(pending[0].error.as_deref().unwrap().contains("502"));
    fake.set_lookup_error(None);
    let retry = pending[0].next_attempt_at.unwrap();
    settle(&store, &c, &fake, retry).await;
    assert_eq!(fake.messages().len(), 1);
    assert_eq!(store.recent_posts(1, 1).unwrap()[0].status, Status::Sent);
}

#[tokio::test]
async fn state_survives_reopening_and_drop_at_any_point_of_the_real_loop() {
    for place in places() {
        survives_reopening(&place).await;
    }
}

async fn survives_reopening(place: &Place) {
    // The real loop, dropped mid-delivery as `confbot run` would be by SIGKILL, restarted.
    let fake = Fake::new(nine());
    {
        let store = std::sync::Arc::new(place.open());
        store.sync_config(&[schedule(1, "Europe/Berlin", "09:00")], nine() - Duration::days(1)).unwrap();
        fake.push(Script::HangAfterCreate);
        let c = std::sync::Arc::new(catalogue(ids("a", 6)));
        let clock = services::Clock::Virtual { start_utc: nine(), start: tokio::time::Instant::now() };
        let wake = std::sync::Arc::new(tokio::sync::Notify::new());
        let run = services::daily::run(store, move || c.clone(), fake.clone(), clock, wake, std::future::pending());
        // The loop hangs in the send (the fake never answers); give up on it after 50 ms.
        let _ = tokio::time::timeout(std::time::Duration::from_millis(50), run).await;
    }
    let store = place.open();
    settle(&store, &catalogue(ids("a", 6)), &fake, nine() + Duration::minutes(1)).await;
    assert_eq!(fake.messages().len(), 1);
    assert_eq!(store.recent_posts(1, 5).unwrap()[0].message_id, Some(fake.messages()[0].id));
}
