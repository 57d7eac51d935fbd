//! What the state store costs per daily post on each backend, measured, not asserted: 500
//! servers due at one instant, delivered by the real delivery pass through the in-memory fake,
//! so the time is the store's (and rendering, the same on both). SQLite is a file with
//! `synchronous = FULL`, as the bot runs it; PostgreSQL is the test server on loopback. By hand:
//! `cargo test --release --test confbot-tests daily::cost -- --ignored --nocapture`.

use std::time::Instant;

use chrono::Duration;

use super::{catalogue, ids, schedule, utc, Fake};
use crate::postgres::places;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run by hand with --ignored --nocapture"]
async fn store_cost_per_daily_post() {
    const SERVERS: u64 = 500;
    let nine = utc("2024-06-01T09:00:00Z");
    let c = catalogue(ids("a", 40));
    for place in places() {
        let store = place.open();
        let schedules: Vec<_> = (1..=SERVERS).map(|g| schedule(g, "UTC", "09:00")).collect();
        store.sync_config(&schedules, nine - Duration::days(1)).unwrap();
        let fake = Fake::new(nine);
        let started = Instant::now();
        let mut passes = 0;
        while confbot::services::daily::tick(&store, &c, &fake, nine).await.unwrap() <= nine {
            passes += 1;
            assert!(passes < 10);
        }
        let took = started.elapsed();
        assert_eq!(fake.messages().len() as u64, SERVERS);
        println!(
            "{}: {SERVERS} daily posts in {took:.2?}, {:.2} ms a post (intent, deck step, record)",
            place.name(),
            took.as_secs_f64() * 1000.0 / SERVERS as f64
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run by hand with --ignored --nocapture"]
async fn store_round_trip() {
    for place in places() {
        let store = place.open();
        store.sync_config(&[schedule(1, "UTC", "09:00")], utc("2024-06-01T09:00:00Z")).unwrap();
        let started = Instant::now();
        for _ in 0..2_000 {
            store.entry(1).unwrap();
        }
        println!("{}: one read {:.3} ms", place.name(), started.elapsed().as_secs_f64() / 2.0);
    }
}
