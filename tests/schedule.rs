//! The schedule: times and rooms in the catalogue, and `/now`, `/next`, `/schedule` and `/talk`
//! at chosen instants — around a DST change, past midnight, the first and last sessions.
//! Expected instants are worked out by hand from the fixture, in UTC, never through the code
//! under test.

use chrono::{DateTime, Utc};
use confbot::catalogue::{parse_str, Catalogue};
use confbot::commands::{self, custom_id, parse_line, Context, Outcome};
use confbot::reply::{self, limits, violations};
use serde_json::Value;

const NIGHTCONF: &str = include_str!("fixtures/schedule/nightconf.toml");

fn nightconf() -> Catalogue {
    parse_str("nightconf.toml", NIGHTCONF).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Answers `line` as if it were `now`, and checks the payload keeps Discord's limits.
pub fn ask_at(c: &Catalogue, now: &str, line: &str) -> Outcome {
    let mut rng = fastrand::Rng::with_seed(1);
    let mut ctx = Context::new(c, &mut rng);
    ctx.now = utc(now);
    let outcome = commands::run(&mut ctx, &parse_line(line).unwrap());
    let message = reply::render(&outcome.reply);
    assert!(violations(&message).is_empty(), "{line} at {now}: {:?}", violations(&message));
    assert!(message.allowed_mentions.parse.is_empty());
    if !outcome.ok {
        assert_eq!(message.flags & limits::EPHEMERAL, limits::EPHEMERAL, "{line}: failures are ephemeral");
    }
    outcome
}

/// The ids of `resolved.sessions`, in order.
pub fn ids(outcome: &Outcome) -> Vec<String> {
    outcome.resolved["sessions"]
        .as_array()
        .unwrap_or_else(|| panic!("no sessions in {}", outcome.resolved))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

fn text(outcome: &Outcome) -> String {
    serde_json::to_string(&reply::render(&outcome.reply)).unwrap()
}

#[test]
fn now_across_the_night_the_clocks_go_back() {
    let c = nightconf();
    // (instant, what is on): Berlin is UTC+2 until 2024-10-27T01:00Z, then UTC+1.
    let cases = [
        ("2024-10-26T07:59:59Z", vec![]),
        ("2024-10-26T08:00:00Z", vec!["opening"]),
        // The opening ends as the next two start: an end is not "on".
        ("2024-10-26T08:30:00Z", vec!["engines", "compilers"]),
        ("2024-10-26T09:59:00Z", vec!["compilers"]),
        // 00:45 CEST on the 27th: the late session, filed under the 26th.
        ("2024-10-26T22:45:00Z", vec!["late-night"]),
        // 02:40 CEST, the first time round: nothing.
        ("2024-10-27T00:40:00Z", vec![]),
        // 02:40 CET, the second time round: the session given at +01:00.
        ("2024-10-27T01:40:00Z", vec!["second-half-hour"]),
        // The closing has no length: on until an hour later at most.
        ("2024-10-27T15:30:00Z", vec!["closing"]),
        ("2024-10-27T16:00:00Z", vec![]),
    ];
    for (at, want) in cases {
        let outcome = ask_at(&c, at, "/now");
        assert!(outcome.ok, "{at}");
        assert_eq!(ids(&outcome), want, "/now at {at}");
    }
    let over = ask_at(&c, "2024-10-28T12:00:00Z", "/now");
    assert!(text(&over).contains("programme is over"), "{}", text(&over));
}

#[test]
fn sessions_resolve_with_their_offsets_and_rooms() {
    let c = nightconf();
    let outcome = ask_at(&c, "2024-10-27T01:40:00Z", "/now room: workshop");
    let s = &outcome.resolved["sessions"][0];
    assert_eq!(s["start"], "2024-10-27T02:30:00+01:00");
    assert_eq!(s["end"], "2024-10-27T02:50:00+01:00");
    assert_eq!(s["room"], "Workshop Room");
    assert_eq!(s["speakers"], serde_json::json!([]));
    let late = ask_at(&c, "2024-10-26T12:00:00Z", "/talk title: late night lightning");
    assert_eq!(late.resolved["talk"]["start"], "2024-10-27T00:30:00+02:00");
    assert_eq!(late.resolved["talk"]["end"], "2024-10-27T01:15:00+02:00");
    assert_eq!(late.resolved["talk"]["room"], "Main Hall");
    let closing = ask_at(&c, "2024-10-26T12:00:00Z", "/talk title: closing");
    assert_eq!(closing.resolved["talk"]["end"], Value::Null, "no length given, none invented");
    let opening = ask_at(&c, "2024-10-26T12:00:00Z", "/talk title: opening");
    assert_eq!(opening.resolved["talk"]["url"], "https://nightconf.example/talk/opening");
}

#[test]
fn next_gives_each_room_its_next_session_or_one_room_in_full() {
    let c = nightconf();
    assert_eq!(ids(&ask_at(&c, "2024-10-26T08:10:00Z", "/next")), ["engines", "compilers"]);
    assert_eq!(ids(&ask_at(&c, "2024-10-26T08:10:00Z", "/next room: Main Hall")), ["engines", "late-night", "closing"]);
    assert_eq!(ids(&ask_at(&c, "2024-10-26T08:10:00Z", "/next track: tools")), ["compilers"]);
    // Between the two 02:40s: the session at 02:30 CET is still to come.
    assert_eq!(ids(&ask_at(&c, "2024-10-27T00:40:00Z", "/next")), ["second-half-hour", "closing"]);
    let done = ask_at(&c, "2024-10-27T15:01:00Z", "/next");
    assert!(done.ok && ids(&done).is_empty());
}

#[test]
fn schedule_days_follow_the_conference_day_not_the_calendar() {
    let c = nightconf();
    let day1 = ["opening", "engines", "compilers", "late-night"];
    let day2 = ["second-half-hour", "closing"];
    assert_eq!(ids(&ask_at(&c, "2024-10-20T12:00:00Z", "/schedule")), day1, "before: the first day");
    assert_eq!(ids(&ask_at(&c, "2024-10-26T12:00:00Z", "/schedule day: today")), day1);
    assert_eq!(ids(&ask_at(&c, "2024-10-26T12:00:00Z", "/schedule day: tomorrow")), day2);
    assert_eq!(ids(&ask_at(&c, "2024-10-26T12:00:00Z", "/schedule day: day 2")), day2);
    assert_eq!(ids(&ask_at(&c, "2024-10-26T12:00:00Z", "/schedule day: Sunday")), day2);
    // 00:10 CEST on the 27th is the 27th in Berlin: "today" is day 2, although the late
    // session running now is day 1's.
    assert_eq!(ids(&ask_at(&c, "2024-10-26T22:10:00Z", "/schedule day: today")), day2);
    assert_eq!(
        ids(&ask_at(&c, "2024-10-26T12:00:00Z", "/schedule day: 2024-10-26 room: main hall")),
        ["opening", "engines", "late-night"]
    );
    let outside = ask_at(&c, "2024-10-26T12:00:00Z", "/schedule day: 2024-11-02");
    assert!(!outside.ok);
    assert!(text(&outside).contains("runs from Sat 26 Oct to Sun 27 Oct 2024"), "{}", text(&outside));
    let unreadable = ask_at(&c, "2024-10-26T12:00:00Z", "/schedule day: someday");
    assert!(!unreadable.ok && text(&unreadable).contains("day 2"));
}

#[test]
fn lists_name_the_zone_and_say_when_the_offset_changes() {
    let c = nightconf();
    let day2 = text(&ask_at(&c, "2024-10-26T12:00:00Z", "/schedule day: 2"));
    assert!(day2.contains("Times in CET, Europe/Berlin"), "{day2}");
    let day1 = text(&ask_at(&c, "2024-10-26T12:00:00Z", "/schedule day: 1"));
    assert!(day1.contains("Times in CEST, Europe/Berlin"), "{day1}");
    // Discord timestamps for each reader's own zone.
    assert!(day1.contains("<t:1729929600:t>"), "the opening at 08:00Z: {day1}");
    let card = text(&ask_at(&c, "2024-10-26T08:10:00Z", "/talk title: analytical engines"));
    assert!(card.contains("<t:1729931400:F>") && card.contains("<t:1729931400:R>"), "{card}");
    assert!(card.contains("Sat 26 Oct 2024, 10:30–11:15 (CEST, Europe/Berlin)"), "{card}");
    assert!(card.contains("Starts in 20 minutes"), "{card}");
    assert!(card.contains("Main Hall"), "{card}");
    let on = text(&ask_at(&c, "2024-10-26T08:40:00Z", "/talk title: analytical engines"));
    assert!(on.contains("On now, ends in 35 minutes"), "{on}");
    let ended = text(&ask_at(&c, "2024-10-26T12:00:00Z", "/talk title: analytical engines"));
    assert!(ended.contains("Ended"), "{ended}");
    let long_before = text(&ask_at(&c, "2024-01-01T12:00:00Z", "/talk title: analytical engines"));
    assert!(!long_before.contains("Starts in"), "only during the conference: {long_before}");
}

#[test]
fn catalogues_without_times_answer_plainly() {
    let c = Catalogue::embedded();
    for line in ["/now", "/next", "/schedule", "/schedule day: tomorrow"] {
        let outcome = ask_at(&c, "2024-05-17T16:00:00Z", line);
        assert!(!outcome.ok, "{line}");
        assert_eq!(outcome.resolved["sessions"], serde_json::json!([]), "{line}");
        assert!(text(&outcome).contains("confbot import"), "{line}");
    }
    let talk = ask_at(&c, "2024-05-17T16:00:00Z", "/talk title: keynote");
    assert_eq!(talk.resolved["talk"]["start"], Value::Null);
    assert!(!text(&talk).contains("\"When\""));
}

#[test]
fn unknown_rooms_and_tracks_list_the_real_ones() {
    let c = nightconf();
    let outcome = ask_at(&c, "2024-10-26T08:10:00Z", "/now room: Ballroom");
    assert!(!outcome.ok);
    assert!(text(&outcome).contains("Main Hall, Workshop Room"), "{}", text(&outcome));
    let track = ask_at(&c, "2024-10-26T08:10:00Z", "/next track: cooking");
    assert!(!track.ok && text(&track).contains("History"));
    // Close enough is understood.
    assert!(ask_at(&c, "2024-10-26T08:10:00Z", "/now room: main hal").ok);
}

#[test]
fn buttons_keep_the_filters_even_with_colons_in_names() {
    let c = parse_str("colon.toml", &NIGHTCONF.replace("Workshop Room", "Room 1: Lab")).unwrap();
    let first = ask_at(&c, "2024-10-26T08:10:00Z", "/schedule day: day 1 room: Room 1: Lab");
    assert_eq!(ids(&first), ["compilers"]);
    let day2 = first.reply.buttons.iter().find_map(|b| match b {
        confbot::reply::Button::Action { label, custom_id, .. } if label.starts_with("Day 2") => {
            Some(custom_id.clone())
        }
        _ => None,
    });
    let inv = custom_id::decode(&day2.expect("a Day 2 button")).unwrap();
    let mut rng = fastrand::Rng::with_seed(1);
    let mut ctx = Context::new(&c, &mut rng);
    ctx.now = utc("2024-10-26T08:10:00Z");
    assert_eq!(ids(&commands::run(&mut ctx, &inv)), ["second-half-hour"]);
}

#[test]
fn autocomplete_offers_rooms_tracks_and_days() {
    let c = nightconf();
    let names = |command: &str, option: &str, partial: &str| -> Vec<String> {
        commands::complete(&c, command, option, partial).into_iter().map(|ch| ch.name).collect()
    };
    assert_eq!(names("now", "room", ""), ["Main Hall", "Workshop Room"]);
    assert_eq!(names("next", "track", "too"), ["Tools"]);
    let days = names("schedule", "day", "");
    assert_eq!(days, ["today", "tomorrow", "Day 1 · Sat 26 Oct 2024", "Day 2 · Sun 27 Oct 2024"]);
}

#[test]
fn schedule_problems_are_located_and_reported_together() {
    let text = r#"
[[conferences]]
id = "pyconde"
name = "PyCon DE"
start = 2024-04-22
end = 2024-04-24
place = "Berlin, Germany"
rooms = ["A", "B", "a"]

[[conferences]]
id = "us"
name = "Somewhere in the US"
timezone = "America/New_York"
rooms = ["Hall"]

[[talks]]
id = "t1"
title = "One"
conference = "pyconde"
start = 2024-04-22T10:00:00
duration = "-10m"
room = "C"

[[talks]]
id = "t2"
title = "Two"
conference = "pyconde"
start = 2024-05-01T10:00:00+02:00
end = 2024-05-01T09:00:00+02:00

[[talks]]
id = "t3"
title = "Three"
conference = "pyconde"
start = 2024-04-23T10:00:00
duration = "forty"

[[talks]]
id = "t4"
title = "In the gap"
conference = "us"
start = 2024-03-10T02:30:00
room = "Hal"
"#;
    let e = parse_str("bad.toml", text).unwrap_err().to_string();
    for want in [
        "bad.toml:8:20: room \"a\" is named twice",
        "bad.toml:21:12: the duration is negative",
        "bad.toml:20:9: talks have local times, but conference \"pyconde\" has no `timezone`",
        "timezone = \"Europe/Berlin\"",
        "bad.toml:22:8: unknown room \"C\"",
        "bad.toml:28:9: talk is on 2024-05-01, outside its conference's dates (2024-04-22 to 2024-04-24)",
        "bad.toml:29:7: talk ends before it starts",
        "bad.toml:36:12: \"forty\" is not a duration",
        "bad.toml:42:9: 2024-03-10 02:30:00 does not exist in America/New_York",
        "did you mean \"Hall\"?",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
    // One missing zone is one problem, however many talks have local times.
    assert_eq!(e.matches("has no `timezone`").count(), 1, "{e}");
}
