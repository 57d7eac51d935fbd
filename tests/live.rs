//! Live during the event, black-box: the real store and live pass against the fake Discord
//! channel of `tests/daily.rs`, on virtual time — announcements exactly once through kills,
//! schedule changes noticed once, reminders once, closed DMs without a retry loop, and a whole
//! conference for a hundred servers with random restarts.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use confbot::catalogue::{parse_str, Catalogue};
use confbot::daily::Origin;
use confbot::live::outbox::Kind;
use confbot::live::Following;
use confbot::services::live::tick;
use confbot::store::{Store, Toggle};

use crate::daily::{dm_channel_of, utc, Fake, Script};

const PROGRAMME: u64 = 500;

/// NightConf (tests/fixtures/schedule/nightconf.toml), with `edit` applied to its text.
fn nightconf(edit: impl Fn(String) -> String) -> Catalogue {
    parse_str("nightconf.toml", &edit(include_str!("fixtures/schedule/nightconf.toml").to_owned())).unwrap()
}

fn follow(store: &Store, guild: u64, rooms: Vec<(String, u64)>) {
    let f = Following {
        guild_id: guild,
        conference: "nightconf".into(),
        channel_id: PROGRAMME + guild,
        rooms: Vec::new(),
        minutes_before: 5,
    };
    store.follow(&f, Origin::Discord, utc("2024-10-01T00:00:00Z")).unwrap();
    for (room, channel) in rooms {
        store.set_room_channel(guild, &room, Some(channel)).unwrap();
    }
}

/// Runs passes at `now` until the pass asks to be woken later.
async fn settle(store: &Store, c: &Catalogue, fake: &Fake, now: DateTime<Utc>) -> DateTime<Utc> {
    fake.set_now(now);
    for _ in 0..20 {
        let next = tick(store, c, fake, now).await.unwrap();
        if next > now {
            return next;
        }
    }
    panic!("no rest at {now}");
}

/// Polls a future once, then drops it: the process died wherever it was waiting.
async fn die_during(pass: impl Future<Output = Result<DateTime<Utc>, confbot::store::StoreError>>) {
    tokio::select! {
        biased;
        outcome = pass => panic!("expected the pass to hang, it finished: {outcome:?}"),
        _ = std::future::ready(()) => {}
    }
}

/// The titles of the embeds posted in `channel`, message by message.
fn posted(fake: &Fake, channel: u64) -> Vec<Vec<String>> {
    fake.messages()
        .iter()
        .filter(|m| m.channel_id == channel)
        .map(|m| {
            m.body["embeds"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap_or("").to_owned()).collect()
        })
        .collect()
}

#[tokio::test]
async fn sessions_are_announced_once_before_they_start_and_never_late() {
    let c = nightconf(|t| t);
    let store = Store::open_in_memory().unwrap();
    follow(&store, 1, vec![("Workshop Room".into(), 900)]);
    let fake = Fake::new(utc("2024-10-26T07:00:00Z"));
    // The first pass only records the schedule; nothing is due an hour before the opening.
    let next = settle(&store, &c, &fake, utc("2024-10-26T07:00:00Z")).await;
    assert_eq!(next, utc("2024-10-26T07:55:00Z"), "wakes when the opening's window opens");
    assert!(fake.messages().is_empty());
    settle(&store, &c, &fake, next).await;
    assert_eq!(posted(&fake, PROGRAMME + 1), [["Opening"]]);
    // 10:25 CEST: two sessions start at 10:30, one message; the workshop also in its room.
    settle(&store, &c, &fake, utc("2024-10-26T08:25:00Z")).await;
    settle(&store, &c, &fake, utc("2024-10-26T08:26:00Z")).await;
    assert_eq!(
        posted(&fake, PROGRAMME + 1),
        vec![vec!["Opening"], vec!["Analytical Engines", "Compilers for Everyone"]]
    );
    assert_eq!(posted(&fake, 900), [["Compilers for Everyone"]]);
    let body = &fake.messages()[1].body;
    assert!(body["content"].as_str().unwrap().contains("<t:1729931400:R>"), "{body}");
    assert_eq!(body["allowed_mentions"]["parse"], serde_json::json!([]));
    // Down from 22:00 to 22:31Z: the late session started at 22:30Z, so it is not announced.
    settle(&store, &c, &fake, utc("2024-10-26T22:31:00Z")).await;
    assert_eq!(posted(&fake, PROGRAMME + 1).len(), 2, "nothing announced late");
}

#[tokio::test]
async fn an_announcement_survives_a_kill_at_each_step() {
    let c = nightconf(|t| t);
    let at = utc("2024-10-26T07:56:00Z");
    for (step, script) in [
        ("after the intent, before Discord", Some(Script::HangBeforeCreate)),
        ("after Discord created it, before the answer", Some(Script::HangAfterCreate)),
        (
            "a 5xx after Discord created it",
            Some(Script::FailAfterCreate(confbot::services::SendError::Server("502".into()))),
        ),
        ("after the record", None),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let fake = Fake::new(at);
        {
            let store = Store::open(&path).unwrap();
            follow(&store, 1, Vec::new());
            settle(&store, &c, &fake, at - Duration::hours(1)).await;
            fake.set_now(at);
            match script {
                Some(s @ (Script::HangBeforeCreate | Script::HangAfterCreate)) => {
                    fake.push(s);
                    die_during(tick(&store, &c, &fake, at)).await;
                }
                Some(s) => {
                    fake.push(s);
                    tick(&store, &c, &fake, at).await.unwrap();
                }
                None => {
                    settle(&store, &c, &fake, at).await;
                }
            }
        }
        // Restarted a minute later, and again at the session's start.
        let store = Store::open(&path).unwrap();
        for later in [1, 2, 4] {
            let now = at + Duration::minutes(later);
            fake.set_now(now);
            let _ = settle(&store, &c, &fake, now).await;
        }
        assert_eq!(posted(&fake, PROGRAMME + 1), [["Opening"]], "{step}");
        assert!(store.pending_outgoing().unwrap().is_empty(), "{step}");
    }
}

#[tokio::test]
async fn a_moved_talk_is_noticed_once_and_announced_at_its_new_time() {
    let before = nightconf(|t| t);
    // The workshop moves from 10:30 to 14:00 and to the main hall; the closing is cancelled.
    let after = nightconf(|t| {
        let moved = t.replace(
            "start = 2024-10-26T10:30:00\nduration = \"1h30m\"\nroom = \"Workshop Room\"",
            "start = 2024-10-26T14:00:00\nduration = \"1h30m\"\nroom = \"Main Hall\"",
        );
        let cut = moved.find("[[talks]]\nid = \"closing\"").unwrap();
        moved[..cut].to_owned()
    });
    let store = Store::open_in_memory().unwrap();
    follow(&store, 1, Vec::new());
    let fake = Fake::new(utc("2024-10-26T06:00:00Z"));
    settle(&store, &before, &fake, utc("2024-10-26T06:00:00Z")).await;
    // A member bookmarked the closing.
    assert_eq!(store.toggle_bookmark(42, "closing", 50, utc("2024-10-26T06:00:00Z")).unwrap(), Toggle::Added);
    // The same catalogue again: no notice.
    settle(&store, &before, &fake, utc("2024-10-26T06:01:00Z")).await;
    assert!(fake.messages().is_empty());
    // The new catalogue: one notice per change, in the programme channel.
    settle(&store, &after, &fake, utc("2024-10-26T06:02:00Z")).await;
    let notices = posted(&fake, PROGRAMME + 1);
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert!(notices[0][0].contains("Moved: Compilers for Everyone"), "{notices:?}");
    assert!(notices[1][0].contains("Cancelled: Closing"), "{notices:?}");
    let moved = &fake.messages()[0].body;
    let fields = moved["embeds"][0]["fields"].to_string();
    assert!(fields.contains("Before") && fields.contains("Workshop Room") && fields.contains("Main Hall"), "{fields}");
    // The member who bookmarked the cancelled talk is told, by DM.
    assert_eq!(posted(&fake, dm_channel_of(42)).len(), 1);
    // Loaded again, and after a restart: nothing new.
    settle(&store, &after, &fake, utc("2024-10-26T06:03:00Z")).await;
    assert_eq!(fake.messages().len(), 3);
    // Not announced at 10:25 any more; announced before 14:00.
    settle(&store, &after, &fake, utc("2024-10-26T08:26:00Z")).await;
    assert_eq!(posted(&fake, PROGRAMME + 1)[2], ["Analytical Engines"]);
    settle(&store, &after, &fake, utc("2024-10-26T11:56:00Z")).await;
    assert_eq!(posted(&fake, PROGRAMME + 1)[3], ["Compilers for Everyone"]);
    // The cancelled closing is never announced.
    settle(&store, &after, &fake, utc("2024-10-27T14:56:00Z")).await;
    assert!(!posted(&fake, PROGRAMME + 1).iter().flatten().any(|t| t == "Closing"));
}

#[tokio::test]
async fn a_reminder_is_sent_once_and_closed_dms_are_not_retried() {
    let c = nightconf(|t| t);
    let store = Store::open_in_memory().unwrap();
    let t0 = utc("2024-10-26T06:00:00Z");
    store.toggle_bookmark(7, "engines", 50, t0).unwrap();
    store.toggle_bookmark(8, "engines", 50, t0).unwrap();
    store.set_remind_minutes(8, 15).unwrap();
    let fake = Fake::new(t0);
    fake.close_dms(8);
    let next = settle(&store, &c, &fake, t0).await;
    assert_eq!(next, utc("2024-10-26T08:15:00Z"), "member 8's reminder, 15 minutes before 10:30 CEST");
    settle(&store, &c, &fake, next).await;
    settle(&store, &c, &fake, utc("2024-10-26T08:20:00Z")).await;
    settle(&store, &c, &fake, utc("2024-10-26T08:25:00Z")).await;
    assert_eq!(posted(&fake, dm_channel_of(7)), [["Analytical Engines"]]);
    assert!(posted(&fake, dm_channel_of(8)).is_empty());
    let attempts_to_8 = fake.attempts().len() - 1;
    assert_eq!(attempts_to_8, 1, "one attempt at a closed DM, no retry loop");
    assert!(store.take_dm_notice(8).unwrap().is_some(), "member 8 is told next time");
    assert_eq!(fake.dm_opens(), 2, "one DM channel opened per reminder");
    let rows = store.recent_outgoing(10).unwrap();
    assert!(rows.iter().all(|r| r.kind == Kind::Reminder));
}

/// A conference of real size — 3 days, 10 rooms, a session every 20 minutes from 09:00 to
/// 23:40 in Berlin (1,320 sessions, across the night the clocks go back) — for 100 servers,
/// some with a room channel, with the bot killed at random moments and down for random spells.
/// Every session must be announced exactly once in each channel that should see it, unless
/// the bot was down for its whole window; counted independently of the code under test.
#[tokio::test]
async fn a_whole_conference_for_a_hundred_servers_with_random_restarts() {
    let mut text = String::from(
        "[[conferences]]\nid = \"nightconf\"\nname = \"SimConf\"\nstart = 2024-10-25\nend = 2024-10-27\n\
         timezone = \"Europe/Berlin\"\nrooms = [",
    );
    text.push_str(&(1..=10).map(|r| format!("\"R{r}\"")).collect::<Vec<_>>().join(", "));
    text.push_str("]\n");
    let mut starts = Vec::new();
    for day in 25..=27 {
        for slot in 0..44 {
            let (h, m) = (9 + slot / 3, (slot % 3) * 20);
            for room in 1..=10 {
                text.push_str(&format!(
                    "\n[[talks]]\nid = \"d{day}-s{slot}-r{room}\"\ntitle = \"Session {day}/{slot}/{room}\"\n\
                     start = 2024-10-{day}T{h:02}:{m:02}:00\nduration = \"20m\"\nroom = \"R{room}\"\n"
                ));
            }
            starts.push((day, h, m));
        }
    }
    let c = parse_str("sim.toml", &text).unwrap();
    assert_eq!(c.timetable.all().len(), 1320);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut store = Store::open(&path).unwrap();
    for guild in 1..=100u64 {
        let rooms = if guild % 10 == 0 { vec![("R3".to_owned(), 10_000 + guild)] } else { Vec::new() };
        follow(&store, guild, rooms);
    }
    let fake = Fake::new(utc("2024-10-25T06:00:00Z"));
    let mut rng = fastrand::Rng::with_seed(2024);
    // Down spells: a dozen, 1 to 90 minutes each, at random over the three days.
    let begin = utc("2024-10-25T06:00:00Z");
    let end = utc("2024-10-27T23:00:00Z");
    let mut down: Vec<(DateTime<Utc>, DateTime<Utc>)> = (0..12)
        .map(|_| {
            let from = begin + Duration::minutes(rng.i64(0..(end - begin).num_minutes()));
            (from, from + Duration::minutes(rng.i64(1..=90)))
        })
        .collect();
    down.sort();
    let mut now = begin;
    let mut kills = 0;
    while now < end {
        if let Some(&(_, up)) = down.iter().find(|(from, to)| *from <= now && now < *to) {
            // Restart: a new process opens the same state file.
            drop(store);
            store = Store::open(&path).unwrap();
            now = up;
            continue;
        }
        fake.set_now(now);
        if rng.u8(..40) == 0 {
            // Killed mid-pass, with a send in flight; back at once.
            fake.push(if rng.bool() { Script::HangBeforeCreate } else { Script::HangAfterCreate });
            let pass = tick(&store, &c, &fake, now);
            let hung = tokio::select! {
                biased;
                _ = pass => false,
                _ = std::future::ready(()) => true,
            };
            // A pass with nothing to send finishes: then the kill came between passes.
            fake.clear_script();
            kills += usize::from(hung);
            drop(store);
            store = Store::open(&path).unwrap();
            now += Duration::seconds(30);
            continue;
        }
        let next = tick(&store, &c, &fake, now).await.unwrap();
        now = next.max(now + Duration::seconds(1));
    }
    // The independent count: Berlin is UTC+2 until 01:00Z on the 27th, then UTC+1.
    let up_during = |from: DateTime<Utc>, to: DateTime<Utc>| {
        // Some instant of [from, to) is outside every down spell.
        let mut t = from;
        while t < to {
            match down.iter().find(|(a, b)| *a <= t && t < *b) {
                Some(&(_, b)) => t = b,
                None => return true,
            }
        }
        false
    };
    let mut expected_programme = 0;
    let mut expected_room = 0;
    for &(day, h, m) in &starts {
        let offset = if day < 27 || (day == 27 && h < 3) { 2 } else { 1 };
        let start = utc(&format!("2024-10-{day}T{h:02}:{m:02}:00+0{offset}:00"));
        if start <= begin || start > end || !up_during(start - Duration::minutes(5), start) {
            continue;
        }
        expected_programme += 10;
        expected_room += 1;
    }
    let mut duplicates = 0;
    let mut programme_total = 0;
    let mut room_total = 0;
    let messages = fake.messages();
    for guild in 1..=100u64 {
        let mut seen = std::collections::HashSet::new();
        for message in messages.iter().filter(|m| m.channel_id == PROGRAMME + guild) {
            for e in message.body["embeds"].as_array().unwrap() {
                programme_total += 1;
                if !seen.insert(e["title"].as_str().unwrap().to_owned()) {
                    duplicates += 1;
                }
            }
        }
        if guild % 10 == 0 {
            room_total += messages
                .iter()
                .filter(|m| m.channel_id == 10_000 + guild)
                .map(|m| m.body["embeds"].as_array().unwrap().len())
                .sum::<usize>();
        }
    }
    let misses = (expected_programme * 100) as i64 - programme_total as i64;
    println!(
        "simulation: {} sessions, 100 servers, {kills} kills, {} down spells; {programme_total} announced in programme channels \
         (expected {}), {room_total} in room channels (expected {}), {duplicates} duplicates, {misses} misses",
        c.timetable.all().len(),
        down.len(),
        expected_programme * 100,
        expected_room * 10
    );
    assert!(kills > 0);
    assert_eq!(duplicates, 0);
    assert_eq!(programme_total, expected_programme * 100, "every owed session announced once in every server");
    assert_eq!(room_total, expected_room * 10);
}

#[tokio::test]
async fn rate_limits_are_waited_out_while_the_announcement_still_makes_sense() {
    use confbot::services::SendError;
    let c = nightconf(|t| t);
    let store = Store::open_in_memory().unwrap();
    follow(&store, 1, Vec::new());
    let at = utc("2024-10-26T07:55:00Z");
    let fake = Fake::new(at);
    settle(&store, &c, &fake, at - Duration::hours(1)).await;
    fake.push(Script::Fail(SendError::RateLimited { retry_after: Some(std::time::Duration::from_secs(30)) }));
    let next = settle(&store, &c, &fake, at).await;
    assert_eq!(next, at + Duration::seconds(30), "Discord's retry_after is honoured");
    assert!(fake.messages().is_empty());
    settle(&store, &c, &fake, next).await;
    assert_eq!(posted(&fake, PROGRAMME + 1), [["Opening"]]);
    assert_eq!(fake.attempts().len(), 2);
    // The 10:30 sessions: rate limited until after they start — then given up, not sent late.
    let at = utc("2024-10-26T08:29:50Z");
    fake.push(Script::Fail(SendError::RateLimited { retry_after: Some(std::time::Duration::from_secs(30)) }));
    settle(&store, &c, &fake, at).await;
    settle(&store, &c, &fake, at + Duration::seconds(30)).await;
    assert_eq!(posted(&fake, PROGRAMME + 1).len(), 1, "nothing sent after the sessions began");
    let missed = store.recent_outgoing(1).unwrap();
    assert_eq!(missed[0].status, confbot::live::outbox::Status::Missed);
}

#[tokio::test]
async fn a_talk_given_a_new_id_by_a_re_import_keeps_its_bookmarks_and_reminder() {
    let before = nightconf(|t| t);
    let after = nightconf(|t| {
        t.replace(
            "id = \"engines\"\ntitle = \"Analytical Engines\"",
            "id = \"engines-2\"\ntitle = \"The Analytical Engine\"",
        )
    });
    let store = Store::open_in_memory().unwrap();
    follow(&store, 1, Vec::new());
    let t0 = utc("2024-10-26T06:00:00Z");
    let fake = Fake::new(t0);
    settle(&store, &before, &fake, t0).await;
    store.toggle_bookmark(9, "engines", 50, t0).unwrap();
    settle(&store, &after, &fake, t0 + Duration::minutes(1)).await;
    let notices = posted(&fake, PROGRAMME + 1);
    assert_eq!(notices.len(), 1, "one change: {notices:?}");
    assert!(notices[0][0].contains("Renamed: The Analytical Engine"), "{notices:?}");
    assert_eq!(store.bookmarks_of(9).unwrap(), ["engines-2"]);
    settle(&store, &after, &fake, utc("2024-10-26T08:20:00Z")).await;
    assert_eq!(posted(&fake, dm_channel_of(9)), [["The Analytical Engine"]]);
}
