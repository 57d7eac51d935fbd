//! Years of simulated days: exactly one post per local day at the right instant, no repeats
//! within a deck, through DST gaps and folds, catalogue reloads and downtime.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use confbot::services::{self, Clock};

use confbot::daily::Status;
use confbot::store::Store;

use super::{catalogue, ids, schedule, simulate, utc, Fake};

/// The zones and wall-clock times simulated, chosen for their DST quirks.
const ZONES: &[(&str, &str)] = &[
    // 02:30 does not exist on the spring-forward day and happens twice on the fall-back day.
    ("Europe/Berlin", "02:30"),
    ("America/New_York", "01:30"),
    // DST shifts by 30 minutes: 02:00 → 02:30 in October.
    ("Australia/Lord_Howe", "02:15"),
    // +05:45, no DST.
    ("Asia/Kathmandu", "09:00"),
    // +12:45/+13:45, DST switches at 02:45.
    ("Pacific/Chatham", "02:50"),
    // Switches at midnight: 00:00 does not exist on the spring-forward day.
    ("America/Santiago", "00:00"),
];

/// Days per zone; `CONFBOT_SIM_DAYS` runs more (the default keeps the suite fast).
fn days() -> i64 {
    std::env::var("CONFBOT_SIM_DAYS").ok().and_then(|d| d.parse().ok()).unwrap_or(1_700)
}

/// Days per zone on `store`'s backend. PostgreSQL answers each call in a round trip, where
/// in-memory SQLite answers in microseconds: it runs the first 200 days (every DST switch
/// of both hemispheres once); `CONFBOT_SIM_DAYS` sets both.
fn days_on(store: &Store) -> i64 {
    match (store.backend(), std::env::var("CONFBOT_SIM_DAYS")) {
        ("PostgreSQL", Err(_)) => 200,
        _ => days(),
    }
}

/// The posting instant of `date`, computed independently of the code under test: the earliest
/// UTC instant whose local wall-clock time is `time` on `date`, or — when that wall-clock time
/// does not exist — the first instant after it.
fn expected(zone: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let wall = date.and_time(time);
    let probe = Utc.from_utc_datetime(&wall);
    let offset =
        |u: DateTime<Utc>| Duration::seconds(i64::from(u.with_timezone(&zone).offset().fix().local_minus_utc()));
    let mut offsets: Vec<Duration> = [-2, 0, 2].iter().map(|d| offset(probe + Duration::days(*d))).collect();
    offsets.sort();
    offsets.dedup();
    let candidates: Vec<DateTime<Utc>> = offsets.iter().map(|o| Utc.from_utc_datetime(&(wall - *o))).collect();
    if let Some(first) = candidates.iter().filter(|u| u.with_timezone(&zone).naive_local() == wall).min() {
        return *first;
    }
    // A gap: binary-search the first whole second whose local time is past the wall clock.
    let at = |secs: i64| Utc.timestamp_opt(secs, 0).unwrap();
    let mut lo = (candidates[candidates.len() - 1] - Duration::hours(3)).timestamp();
    let mut hi = (candidates[0] + Duration::hours(3)).timestamp();
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if at(mid).with_timezone(&zone).naive_local() >= wall {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    at(hi)
}

/// Per guild: the fake's messages by local date.
fn by_date(fake: &Fake, zones: &BTreeMap<u64, Tz>) -> BTreeMap<(u64, NaiveDate), Vec<DateTime<Utc>>> {
    let mut out: BTreeMap<(u64, NaiveDate), Vec<DateTime<Utc>>> = BTreeMap::new();
    for m in fake.messages() {
        let guild = m.channel_id / 100;
        out.entry((guild, m.at.with_timezone(&zones[&guild]).date_naive())).or_default().push(m.at);
    }
    out
}

/// Every cycle of every guild's deck holds distinct items; the footer matches the log.
fn assert_decks(store: &Store, guilds: impl Iterator<Item = u64>) -> usize {
    let mut cycles = 0;
    for guild in guilds {
        let log = store.recent_posts(guild, usize::MAX).unwrap();
        let mut seen: BTreeMap<u32, HashSet<String>> = BTreeMap::new();
        for p in log.iter().filter(|p| p.status == Status::Sent) {
            assert!(seen.entry(p.cycle).or_default().insert(p.item.clone()), "guild {guild}: {} repeated", p.item);
        }
        cycles += seen.len();
        let mut in_order: Vec<_> = log.iter().filter(|p| p.status == Status::Sent).collect();
        in_order.sort_by_key(|p| p.local_date);
        assert!(in_order.windows(2).all(|w| w[0].item != w[1].item), "guild {guild}: same item two days running");
    }
    cycles
}

/// A store with one schedule per zone of [`ZONES`], switched on at `start`, and a fake.
fn every_zone(store: Store, start: DateTime<Utc>) -> (Store, Fake, BTreeMap<u64, Tz>, Vec<confbot::daily::Schedule>) {
    let schedules: Vec<_> =
        ZONES.iter().enumerate().map(|(n, (zone, time))| schedule(n as u64 + 1, zone, time)).collect();
    let zones = schedules.iter().map(|s| (s.guild_id, s.zone)).collect();
    store.sync_config(&schedules, start).unwrap();
    (store, Fake::new(start), zones, schedules)
}

#[tokio::test]
async fn ten_thousand_days_in_every_zone_post_once_a_day_at_the_right_instant() {
    for store in crate::postgres::stores() {
        every_day_in_every_zone(store).await;
    }
}

async fn every_day_in_every_zone(store: Store) {
    let days = days_on(&store);
    let start = utc("2023-12-30T00:00:00Z");
    let end = start + Duration::days(days);
    let (store, fake, zones, schedules) = every_zone(store, start);
    // Halfway, a reload removes 5 items and adds 8.
    let before = Arc::new(catalogue(ids("a", 30)));
    let after = Arc::new(catalogue(ids("a", 25).into_iter().chain(ids("b", 8))));
    let reload = start + Duration::days(days / 2);
    simulate(&store, &fake, |now| if now < reload { before.clone() } else { after.clone() }, start, end, &[]).await;

    let posts = by_date(&fake, &zones);
    let (mut total, mut duplicates, mut misses, mut drift) = (0, 0, 0, 0);
    for s in &schedules {
        let first = s.local_date(start).succ_opt().unwrap();
        let last = s.local_date(end).pred_opt().unwrap();
        let mut date = first;
        while date <= last {
            total += 1;
            match posts.get(&(s.guild_id, date)).map(Vec::as_slice) {
                None | Some([]) => misses += 1,
                Some([at]) if *at != expected(s.zone, date, s.time) => {
                    drift += 1;
                    eprintln!("{} {date}: posted {at}, expected {}", s.zone, expected(s.zone, date, s.time));
                }
                Some([_]) => {}
                Some(_) => duplicates += 1,
            }
            date = date.succ_opt().unwrap();
        }
    }
    let cycles = assert_decks(&store, zones.keys().copied());
    println!(
        "{}: simulated {total} days in {} zones: {duplicates} duplicates, {misses} misses, {drift} off-time posts, \
         {cycles} deck cycles",
        store.backend(),
        ZONES.len()
    );
    assert!(total >= ZONES.len() * (days as usize - 2));
    assert_eq!((duplicates, misses, drift), (0, 0, 0));
    // Every message's footer agrees with its place in the log.
    let sent = store.recent_posts(1, 3).unwrap();
    let footers: Vec<String> = fake
        .messages()
        .iter()
        .rev()
        .filter(|m| m.channel_id == 100)
        .take(3)
        .map(|m| m.footer().unwrap().to_owned())
        .collect();
    let logged: Vec<String> = sent.iter().map(|p| format!("Daily highlight · {} of {}", p.position, p.total)).collect();
    assert_eq!(footers, logged);
}

/// A deterministic pseudo-random stream for downtime windows.
fn windows(seed: u64, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = Vec::new();
    let mut at = start + Duration::hours(6);
    while at < end {
        at += Duration::minutes(rng.i64(60..(5 * 24 * 60)));
        // Down for 1 minute to 3 days.
        let down = Duration::minutes(rng.i64(1..(3 * 24 * 60)));
        out.push((at, at + down));
        at += down;
    }
    out
}

#[tokio::test]
async fn downtime_posts_late_the_same_day_never_twice_and_never_floods() {
    for store in crate::postgres::stores() {
        downtime(store).await;
    }
}

async fn downtime(store: Store) {
    let per_zone = days_on(&store);
    let start = utc("2024-01-01T00:00:00Z");
    let end = start + Duration::days(per_zone);
    let (store, fake, zones, schedules) = every_zone(store, start);
    let down = windows(5, start, end);
    let up = |t: DateTime<Utc>| !down.iter().any(|(a, b)| *a <= t && t < *b);
    let c = Arc::new(catalogue(ids("a", 17)));
    simulate(&store, &fake, |_| c.clone(), start, end, &down).await;

    let posts = by_date(&fake, &zones);
    let (mut days, mut wrong, mut late) = (0, 0, 0);
    for s in &schedules {
        let mut date = s.local_date(start).succ_opt().unwrap();
        while date < s.local_date(end) {
            days += 1;
            let due = expected(s.zone, date, s.time);
            let midnight = expected(s.zone, date.succ_opt().unwrap(), NaiveTime::MIN);
            // When the bot should post: at the time if it is up, else when it comes back the
            // same local day, else never.
            let want = if up(due) {
                Some(due)
            } else {
                down.iter().find(|(a, b)| *a <= due && due < *b).map(|(_, b)| *b).filter(|b| *b < midnight)
            };
            let got = posts.get(&(s.guild_id, date)).cloned().unwrap_or_default();
            late += usize::from(want.is_some_and(|w| w > due));
            if got != want.into_iter().collect::<Vec<_>>() {
                wrong += 1;
                eprintln!("{} {date}: want {want:?}, got {got:?}", s.zone);
            }
            date = date.succ_opt().unwrap();
        }
    }
    println!("{}: downtime: {days} days, {} outages, {late} late posts, {wrong} wrong", store.backend(), down.len());
    assert_eq!(wrong, 0);
    // About one day in 300 has its posting time in an outage (more than 100 in 1,700 days).
    assert!(late * 400 > days, "{late} late posts in {days} days");
    for s in &schedules {
        let log = store.recent_posts(s.guild_id, usize::MAX).unwrap();
        assert!(log.iter().all(|p| p.status == Status::Sent));
        assert!(log.iter().filter(|p| p.late).count() as i64 > per_zone / 170);
    }
    assert_decks(&store, zones.keys().copied());
}

#[tokio::test(start_paused = true)]
async fn the_real_loop_on_paused_time_posts_daily_and_applies_changes_at_once() {
    let store = Arc::new(Store::open_in_memory().unwrap());
    let start = utc("2024-03-25T12:00:00Z");
    store.sync_config(&[schedule(1, "Europe/Berlin", "09:00")], start).unwrap();
    let clock = Clock::starting_at(start);
    let fake = Fake::with_clock(clock);
    let wake = Arc::new(tokio::sync::Notify::new());
    let c = Arc::new(catalogue(ids("a", 5)));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(services::daily::run(
        store.clone(),
        move || c.clone(),
        fake.clone(),
        clock,
        wake.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    tokio::time::sleep(std::time::Duration::from_secs(10 * 24 * 3600)).await;
    let sent = fake.messages();
    assert_eq!(sent.len(), 10, "{:?}", sent.iter().map(|m| m.at).collect::<Vec<_>>());
    // DST began on 31 March: 09:00 is 08:00 UTC before and 07:00 UTC after.
    assert_eq!(sent[0].at, utc("2024-03-26T08:00:00Z"));
    assert_eq!(sent[9].at, utc("2024-04-04T07:00:00Z"));

    // A schedule made in Discord ten minutes from now posts at once: the loop is woken.
    let now = clock.now();
    assert_eq!(now, utc("2024-04-04T12:00:00Z"));
    store.set_schedule(&schedule(2, "Europe/Berlin", "14:10"), now).unwrap();
    wake.notify_one();
    tokio::time::sleep(std::time::Duration::from_secs(11 * 60)).await;
    let second: Vec<_> = fake.messages().into_iter().filter(|m| m.channel_id == 200).collect();
    assert_eq!(second.iter().map(|m| m.at).collect::<Vec<_>>(), [utc("2024-04-04T12:10:00Z")]);

    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), task).await.unwrap().unwrap();
}
