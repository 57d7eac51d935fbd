//! The importers keep each talk's time and place (issue #13). Every fixture's sessions are
//! checked against values worked out here from the export's raw text (serde_json for JSON,
//! plain string search for XML, chrono for the instants), after the import is written as TOML
//! and loaded back, so the catalogue's own reading of `start`, `duration`, `day` and `room`
//! is what is checked. Synthetic exports cover both daylight-saving nights.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use confbot::catalogue::{self, Catalogue, SessionKind};
use confbot::import::{self, Imported, Options};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schedules").join(name)
}

/// Imports `path` (with `--timezone` when given), writes it as TOML and loads that back: the
/// catalogue validates.
fn import_at(path: &Path, zone: Option<&str>) -> (Imported, Catalogue) {
    let options = Options { timezone: zone.map(|z| z.parse().unwrap()), ..Default::default() };
    let imported = import::import_sources(&[path.to_owned()], &options, &mut |_, _| {}).expect("imports");
    let text = catalogue::write::to_toml(&imported.doc).expect("serialises");
    let c = catalogue::parse_str("imported.toml", &text).unwrap_or_else(|e| panic!("does not load:\n{e}\n{text}"));
    (imported, c)
}

fn import_fixture(name: &str, zone: Option<&str>) -> (Imported, Catalogue) {
    import_at(&fixture(name), zone)
}

/// What the export says of one session, worked out from its raw text.
#[derive(Debug)]
struct Expected {
    title: String,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    room: String,
    /// The conference day it belongs to.
    day: Option<NaiveDate>,
}

fn talk<'a>(c: &'a Catalogue, title: &str) -> &'a catalogue::Talk {
    c.talks.iter().find(|t| t.title == title.trim()).unwrap_or_else(|| panic!("no talk {title:?}"))
}

/// Checks every expected session; returns how many had a start.
fn check_all(c: &Catalogue, expected: &[Expected]) -> usize {
    assert_eq!(c.talks.len(), expected.len(), "one talk per session");
    for e in expected {
        let t = talk(c, &e.title);
        assert_eq!(t.room.as_deref(), Some(e.room.as_str()), "{}: room", e.title);
        let utc = |d: DateTime<FixedOffset>| d.with_timezone(&Utc);
        assert_eq!(t.slot.map(|s| utc(s.start)), e.start, "{}: start", e.title);
        if e.start.is_some() {
            assert_eq!(t.slot.and_then(|s| s.end).map(utc), e.end, "{}: end", e.title);
            assert_eq!(t.slot.map(|s| s.day), e.day, "{}: day", e.title);
        }
    }
    expected.iter().filter(|e| e.start.is_some()).count()
}

/// "00:30", "1:30" or "01:30:00" as a duration, read here independently of the importer.
fn hh_mm(text: &str) -> Duration {
    let mut parts = text.split(':').map(|p| p.parse::<i64>().unwrap());
    let (h, m) = (parts.next().unwrap(), parts.next().unwrap());
    Duration::minutes(h * 60 + m)
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}")).with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d").unwrap()
}

fn local_in(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    zone.from_local_datetime(&local).earliest().unwrap().with_timezone(&Utc)
}

/// The sessions of a frab/pretalx `schedule.json` (days → rooms → events), or of schedule 2
/// (`schedule.events`, each filed under the day whose span holds it).
fn json_sessions(name: &str) -> Vec<Expected> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap();
    let conf = &v["schedule"]["conference"];
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    let mut out = Vec::new();
    for day in conf["days"].as_array().unwrap() {
        let Some(rooms) = day["rooms"].as_object() else { continue };
        for e in rooms.values().flat_map(|r| r.as_array().unwrap()) {
            let start = instant(e["date"].as_str().unwrap());
            out.push(Expected {
                title: s(&e["title"]),
                start: Some(start),
                end: Some(start + hh_mm(e["duration"].as_str().unwrap())),
                room: s(&e["room"]),
                day: Some(date(day["date"].as_str().unwrap())),
            });
        }
    }
    for e in v["schedule"]["events"].as_array().into_iter().flatten() {
        let start = instant(e["start"].as_str().unwrap());
        let day =
            conf["days"].as_array().unwrap().iter().find(|d| {
                instant(d["start"].as_str().unwrap()) <= start && start < instant(d["end"].as_str().unwrap())
            });
        out.push(Expected {
            title: s(&e["title"]),
            start: Some(start),
            end: Some(instant(e["end"].as_str().unwrap())),
            room: s(&e["room"]["name"]),
            day: day.map(|d| date(d["date"].as_str().unwrap())),
        });
    }
    out
}

/// The text between the first `open` and the next `close` after it.
fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let from = text.find(open)? + open.len();
    Some(&text[from..from + text[from..].find(close)?])
}

fn unescape(text: &str) -> String {
    text.trim().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// The sessions of a schedule XML, by string search: each `<day date=…>` and its events'
/// `<title>`, `<date>` (when present), `<start>`, `<duration>` and `<room>`. Without `<date>`,
/// the start is the day's date and `<start>` in `zone`; with no zone either, no start.
fn xml_sessions(name: &str, zone: Option<Tz>) -> Vec<Expected> {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let mut out = Vec::new();
    for day in text.split("<day ").skip(1) {
        let day_date = date(between(day, "date=\"", "\"").unwrap());
        for e in day.split("<event ").skip(1) {
            let field = |tag: &str| between(e, &format!("<{tag}>"), &format!("</{tag}>")).map(unescape);
            let clock = NaiveTime::parse_from_str(&field("start").unwrap(), "%H:%M").unwrap();
            let start = match (field("date"), zone) {
                (Some(d), _) => Some(instant(&d)),
                (None, Some(tz)) => Some(local_in(tz, day_date.and_time(clock))),
                (None, None) => None,
            };
            out.push(Expected {
                title: field("title").unwrap(),
                start,
                end: start.map(|s| s + hh_mm(&field("duration").unwrap())),
                room: field("room").unwrap(),
                day: Some(day_date),
            });
        }
    }
    out
}

/// The sessions of a Sessionize "All data" export, local times read in `zone`.
fn sessionize_sessions(name: &str, zone: Option<Tz>) -> Vec<Expected> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap();
    let rooms = v["rooms"].as_array().unwrap();
    let local = |t: &Value| NaiveDateTime::parse_from_str(t.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap();
    v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Expected {
            title: s["title"].as_str().unwrap().to_owned(),
            start: zone.map(|tz| local_in(tz, local(&s["startsAt"]))),
            end: zone.map(|tz| local_in(tz, local(&s["endsAt"]))),
            room: rooms.iter().find(|r| r["id"] == s["roomId"]).unwrap()["name"].as_str().unwrap().to_owned(),
            day: Some(local(&s["startsAt"]).date()),
        })
        .collect()
}

/// The first and last sessions by start, to name them in the tests.
fn first_and_last(expected: &[Expected]) -> (&Expected, &Expected) {
    let timed = || expected.iter().filter(|e| e.start.is_some());
    (timed().min_by_key(|e| e.start).unwrap(), timed().max_by_key(|e| e.start).unwrap())
}

#[test]
fn frab_json_camp2019_keeps_times_rooms_and_days() {
    let expected = json_sessions("frab-camp2019.json");
    let (imported, c) = import_fixture("frab-camp2019.json", None);
    assert_eq!(check_all(&c, &expected), 9);
    let (first, last) = first_and_last(&expected);
    assert_eq!((first.title.as_str(), last.title.trim()), ("Opening Ceremony", "Beyond the Pile of Knobs"));
    assert_eq!(c.conferences[0].timezone.map(Tz::name), Some("Europe/Berlin"));
    assert_eq!(c.conferences[0].rooms, ["Curie", "Meitner"]);
    let lightning = talk(&c, "Lightning Talks");
    assert_eq!(lightning.slot.unwrap().end.unwrap().to_rfc3339(), "2019-08-22T15:00:00+02:00", "three hours");
    assert_eq!(lightning.kind, Some(SessionKind::Talk), "type `lecture`: the kind is the export's, not the title's");
    let knoten = talk(&c, "Knoten 101");
    assert_eq!((knoten.track.as_deref(), knoten.language.as_deref()), (Some("Hardware & Making"), Some("de")));
    assert_eq!(knoten.url.as_deref(), Some("https://fahrplan.events.ccc.de/camp/2019/Fahrplan/events/10189.html"));
    let schedule = imported.report.schedule.as_ref().unwrap();
    assert_eq!((schedule.timed, schedule.roomed), (9, 9));
}

#[test]
fn pretalx_json_with_and_without_a_zone() {
    // rC3 names no zone: the starts keep their offsets, and the room order is the export's
    // (the parsed JSON object would sort "backspace" first).
    let expected = json_sessions("pretalx-rc3.json");
    let (_, c) = import_fixture("pretalx-rc3.json", None);
    assert_eq!(check_all(&c, &expected), 4);
    assert_eq!(c.conferences[0].timezone, None);
    let raw = std::fs::read_to_string(fixture("pretalx-rc3.json")).unwrap();
    let mut rooms: Vec<&str> = expected.iter().map(|e| e.room.as_str()).collect();
    rooms.dedup();
    rooms.sort_by_key(|r| raw.find(&format!("\"{r}\": [")).unwrap());
    rooms.dedup();
    assert_eq!(c.conferences[0].rooms, rooms);
    assert_eq!(rooms[0], "r3s - Monheim/Rhein");
    assert_eq!(talk(&c, "Dosentelefon zur Interspace-Kommunikation").kind, Some(SessionKind::Workshop));

    // DemoCon says UTC while its dates are +01:00: the dates are the instants, and the
    // disagreement with `start` is reported.
    let expected = json_sessions("pretalx-democon.json");
    let (imported, c) = import_fixture("pretalx-democon.json", None);
    assert_eq!(check_all(&c, &expected), 4);
    assert_eq!(c.conferences[0].rooms, ["Gray Room", "Tan Room"], "conference.rooms order");
    assert_eq!(
        imported.report.adjusted("start time that disagrees with the date in the conference's zone (date kept)"),
        4
    );
    assert_eq!(
        talk(&c, "Managed stable function").slot.unwrap().end.unwrap().to_rfc3339(),
        "2020-12-14T09:30:00+00:00"
    );
}

#[test]
fn hub_schedule2_files_a_session_past_midnight_under_its_day() {
    let expected = json_sessions("hub-schedule2.json");
    let (_, c) = import_fixture("hub-schedule2.json", None);
    assert_eq!(check_all(&c, &expected), 2);
    let late = talk(&c, "A Competitive Time-Trial AI for Need for Speed:");
    let slot = late.slot.unwrap();
    assert_eq!(slot.start.to_rfc3339(), "2024-12-28T00:15:00+01:00");
    assert_eq!(slot.day, NaiveDate::from_ymd_opt(2024, 12, 27).unwrap(), "the first day runs to 06:00");
    assert_eq!(late.room.as_deref(), Some("Saal ZIGZAG"));
    assert_eq!(talk(&c, "38C3: Opening Ceremony").kind, Some(SessionKind::Other));
    // Only the rooms talks use, in the order conference.rooms lists them.
    assert_eq!(c.conferences[0].rooms, ["Saal 1", "Saal ZIGZAG"]);
}

#[test]
fn frab_xml_31c3_and_36c3() {
    let expected = xml_sessions("31c3_schedule.xml", None);
    let (_, c) = import_fixture("31c3_schedule.xml", None);
    assert_eq!(check_all(&c, &expected), 8);
    let (first, last) = first_and_last(&expected);
    assert_eq!(first.title, "31C3 Opening Event");
    assert_eq!(talk(&c, &last.title).slot.unwrap().start.to_rfc3339(), "2014-12-28T12:45:00+01:00");
    assert_eq!(c.conferences[0].rooms, ["Saal 1", "Saal 2"]);

    let expected = xml_sessions("36c3_schedule.xml", None);
    let (_, c) = import_fixture("36c3_schedule.xml", None);
    assert_eq!(check_all(&c, &expected), 8);
    // Two sessions run past midnight; a duration written "1:30".
    let hack = talk(&c, "Hack_Curio").slot.unwrap();
    assert_eq!(hack.end.unwrap().to_rfc3339(), "2019-12-28T00:30:00+01:00");
    let borg = talk(&c, "Borgbackup");
    assert_eq!(borg.slot.unwrap().end.unwrap().to_rfc3339(), "2019-12-28T00:00:00+01:00");
    assert_eq!(borg.kind, Some(SessionKind::Panel), "type `discussion`");
    assert_eq!(c.conferences[0].rooms, ["Ada", "Borg", "Eliza", "Lecture room 11"]);
}

#[test]
fn debconf23_days_are_local_dates_in_kolkata() {
    let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
    let mut expected = xml_sessions("debconf23_schedule.xml", None);
    // Wafer dates the first day the 9th, the UTC date of its start (03:00 on the 10th in
    // Kochi, where the conference began on the 10th): the day is the start's local date.
    for e in &mut expected {
        e.day = e.start.map(|s| s.with_timezone(&kolkata).date_naive());
    }
    let (imported, c) = import_fixture("debconf23_schedule.xml", None);
    assert_eq!(check_all(&c, &expected), 5);
    assert_eq!(c.conferences[0].timezone, Some(kolkata));
    let opening = talk(&c, "Opening Ceremony").slot.unwrap();
    assert_eq!(opening.start.to_rfc3339(), "2023-09-10T10:30:00+05:30");
    assert_eq!(opening.day.to_string(), "2023-09-10");
    let breakfast = talk(&c, "Breakfast");
    assert_eq!(breakfast.track, None, "\"No Track\" is no track");
    assert_eq!(breakfast.room.as_deref(), Some("Elsewhere"));
    assert_eq!(
        imported.report.adjusted("start time that disagrees with the date in the conference's zone (date kept)"),
        0
    );
}

#[test]
fn pentabarf_fosdem_needs_a_zone() {
    // FOSDEM's Pentabarf XML gives neither <date> nor a zone: rooms are kept, starts are not.
    let (imported, c) = import_fixture("fosdem_2021.xml", None);
    assert_eq!(check_all(&c, &xml_sessions("fosdem_2021.xml", None)), 0);
    let reason = "start without a time zone: the export names none (give --timezone ZONE)";
    assert_eq!(imported.report.skipped(reason), 5);
    let schedule = imported.report.schedule.as_ref().unwrap();
    assert_eq!((schedule.timed, schedule.roomed, schedule.untimed.len()), (0, 5, 5));
    assert!(imported.report.to_string().contains("schedule: 0 of 5 talks have a start, 5 a room"));

    let brussels: Tz = "Europe/Brussels".parse().unwrap();
    let expected = xml_sessions("fosdem_2021.xml", Some(brussels));
    let (imported, c) = import_fixture("fosdem_2021.xml", Some("Europe/Brussels"));
    assert_eq!(check_all(&c, &expected), 5);
    assert_eq!(imported.report.skipped(reason), 0);
    let (first, last) = first_and_last(&expected);
    assert_eq!(talk(&c, &first.title).slot.unwrap().start.to_rfc3339(), "2021-02-06T09:00:00+01:00");
    assert_eq!(last.title, "Quantum Computing on Cloud");
    assert_eq!(c.conferences[0].rooms, ["K.fosdem", "M.community", "M.misc"]);
}

#[test]
fn sessionize_local_times_in_the_given_zone() {
    for (name, zone) in [
        ("ddd-melbourne-2024_sessionize_all.json", "Australia/Melbourne"),
        ("global-azure-austria-2024_sessionize_all.json", "Europe/Vienna"),
    ] {
        let (imported, c) = import_fixture(name, None);
        assert_eq!(check_all(&c, &sessionize_sessions(name, None)), 0, "{name}: no zone, no starts");
        assert_eq!(imported.report.schedule.as_ref().unwrap().roomed, c.talks.len());

        let tz: Tz = zone.parse().unwrap();
        let expected = sessionize_sessions(name, Some(tz));
        let (imported, c) = import_fixture(name, Some(zone));
        assert_eq!(check_all(&c, &expected), expected.len(), "{name}");
        assert_eq!(imported.report.adjusted("time zone from --timezone (the export names none)"), 1);
        assert_eq!(c.conferences[0].timezone, Some(tz));
    }
    let (_, c) = import_fixture("ddd-melbourne-2024_sessionize_all.json", Some("Australia/Melbourne"));
    let copilot = talk(&c, "Will AI Coding Assistants like GitHub CoPilot Make Me Irrelevant?");
    // Melbourne is on summer time (+11:00) in March.
    assert_eq!(copilot.slot.unwrap().start.to_rfc3339(), "2024-03-16T09:00:00+11:00");
    assert_eq!(copilot.level.as_deref(), Some("Mostly intermediate"), "the Level category");
    assert_eq!(c.conferences[0].rooms, ["Grand Ultra Ballroom", "Supper (top)", "Yarra (big paintings)"], "by `sort`");
}

/// Writes `text` as `name` in a fresh folder and imports it.
fn import_text(name: &str, text: &str, zone: Option<&str>) -> (Imported, Catalogue) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    import_at(&path, zone)
}

fn frab_json(zone: &str, day: &str, events: &[(&str, &str, &str, &str)]) -> String {
    let events: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(i, (title, date, start, duration))| {
            serde_json::json!({"id": i, "guid": format!("g{i}"), "title": title, "date": date, "start": start,
                "duration": duration, "room": "Hall", "type": "lecture", "persons": []})
        })
        .collect();
    serde_json::json!({"schedule": {"version": "1", "conference": {"acronym": "dst", "title": "DST",
        "time_zone_name": zone, "days": [{"index": 1, "date": day, "rooms": {"Hall": events}}]}}})
    .to_string()
}

fn slot_of(c: &Catalogue, title: &str) -> (String, String) {
    let s = talk(c, title).slot.unwrap_or_else(|| panic!("{title}: no slot"));
    (s.start.with_timezone(&Utc).to_rfc3339(), s.end.unwrap().with_timezone(&Utc).to_rfc3339())
}

#[test]
fn offsets_survive_both_daylight_saving_nights_in_berlin() {
    // Spring forward: 02:00 CET becomes 03:00 CEST.
    let text = frab_json(
        "Europe/Berlin",
        "2024-03-30",
        &[
            ("before", "2024-03-31T01:30:00+01:00", "01:30", "01:00"),
            ("after", "2024-03-31T03:00:00+02:00", "03:00", "00:30"),
        ],
    );
    let (_, c) = import_text("spring.json", &text, None);
    assert_eq!(slot_of(&c, "before"), ("2024-03-31T00:30:00+00:00".into(), "2024-03-31T01:30:00+00:00".into()));
    assert_eq!(slot_of(&c, "after"), ("2024-03-31T01:00:00+00:00".into(), "2024-03-31T01:30:00+00:00".into()));
    assert_eq!(talk(&c, "before").slot.unwrap().day.to_string(), "2024-03-30", "past midnight, filed under its day");

    // Fall back: 02:30 happens twice; the offsets say which, and both load.
    let text = frab_json(
        "Europe/Berlin",
        "2024-10-26",
        &[
            ("first 02:30", "2024-10-27T02:30:00+02:00", "02:30", "00:30"),
            ("second 02:30", "2024-10-27T02:30:00+01:00", "02:30", "00:30"),
        ],
    );
    let (_, c) = import_text("fall.json", &text, None);
    assert_eq!(slot_of(&c, "first 02:30").0, "2024-10-27T00:30:00+00:00");
    assert_eq!(slot_of(&c, "second 02:30").0, "2024-10-27T01:30:00+00:00");
    assert_eq!(talk(&c, "second 02:30").slot.unwrap().start.to_rfc3339(), "2024-10-27T02:30:00+01:00");
}

#[test]
fn offsets_survive_both_daylight_saving_nights_in_new_york() {
    let text = frab_json(
        "America/New_York",
        "2024-03-09",
        &[
            ("spring before", "2024-03-10T01:30:00-05:00", "01:30", "01:00"),
            ("spring after", "2024-03-10T03:30:00-04:00", "03:30", "00:30"),
        ],
    );
    let (_, c) = import_text("ny-spring.json", &text, None);
    // 01:30 EST + 1h = 03:30 EDT.
    assert_eq!(slot_of(&c, "spring before"), ("2024-03-10T06:30:00+00:00".into(), "2024-03-10T07:30:00+00:00".into()));
    assert_eq!(slot_of(&c, "spring after").0, "2024-03-10T07:30:00+00:00");
    let text = frab_json(
        "America/New_York",
        "2024-11-02",
        &[
            ("fall EDT", "2024-11-03T01:30:00-04:00", "01:30", "00:30"),
            ("fall EST", "2024-11-03T01:30:00-05:00", "01:30", "00:30"),
        ],
    );
    let (_, c) = import_text("ny-fall.json", &text, None);
    assert_eq!(slot_of(&c, "fall EDT").0, "2024-11-03T05:30:00+00:00");
    assert_eq!(slot_of(&c, "fall EST").0, "2024-11-03T06:30:00+00:00");
}

#[test]
fn local_times_across_daylight_saving_nights_without_offsets() {
    // Pentabarf-style XML: clock times on dated days, read in the zone.
    let event = |id: u32, start: &str| {
        format!("<event id=\"{id}\"><start>{start}</start><duration>01:00</duration><room>Hall</room><title>t{id}</title></event>")
    };
    let xml = format!(
        "<schedule><conference><title>X</title><time_zone_name>Europe/Berlin</time_zone_name></conference>\
         <day index=\"1\" date=\"2024-03-31\"><room name=\"Hall\">{}{}{}</room></day>\
         <day index=\"2\" date=\"2024-10-27\"><room name=\"Hall\">{}{}</room></day></schedule>",
        event(1, "01:30"),
        event(2, "02:30"),
        event(3, "03:00"),
        event(4, "02:30"),
        event(5, "03:30"),
    );
    let (imported, c) = import_text("dst.xml", &xml, None);
    assert_eq!(slot_of(&c, "t1"), ("2024-03-31T00:30:00+00:00".into(), "2024-03-31T01:30:00+00:00".into()));
    assert!(talk(&c, "t2").slot.is_none(), "02:30 does not exist that night");
    assert_eq!(talk(&c, "t2").room.as_deref(), Some("Hall"), "the talk and its room are kept");
    assert_eq!(imported.report.skipped("start the clocks skip over (left out)"), 1);
    assert_eq!(slot_of(&c, "t3").0, "2024-03-31T01:00:00+00:00");
    assert_eq!(slot_of(&c, "t4").0, "2024-10-27T00:30:00+00:00", "the first 02:30, as the catalogue reads it");
    assert_eq!(slot_of(&c, "t5").0, "2024-10-27T02:30:00+00:00");

    // Sessionize with --timezone: the end's wall-clock time is kept across the fold.
    let sessionize = serde_json::json!({
        "sessions": [
            {"id": "1", "title": "fold", "startsAt": "2024-11-03T01:00:00", "endsAt": "2024-11-03T02:00:00", "roomId": 7, "speakers": []},
            {"id": "2", "title": "gap", "startsAt": "2024-03-10T01:30:00", "endsAt": "2024-03-10T03:30:00", "roomId": 7, "speakers": []}
        ],
        "speakers": [], "categories": [], "rooms": [{"id": 7, "name": "Main", "sort": 0}]
    });
    let (_, c) = import_text("ny_sessionize_all.json", &sessionize.to_string(), Some("America/New_York"));
    let ny: Tz = "America/New_York".parse().unwrap();
    let fold = talk(&c, "fold").slot.unwrap();
    assert_eq!(fold.start.with_timezone(&Utc).to_rfc3339(), "2024-11-03T05:00:00+00:00");
    assert_eq!(fold.end.unwrap().with_timezone(&ny).time().to_string(), "02:00:00");
    assert_eq!(fold.end.unwrap() - fold.start, Duration::hours(2), "the clocks went back an hour");
    let gap = talk(&c, "gap").slot.unwrap();
    assert_eq!(gap.end.unwrap() - gap.start, Duration::hours(1));
    assert_eq!(gap.end.unwrap().with_timezone(&ny).time().to_string(), "03:30:00");
}

#[test]
fn hostile_times_are_reported_and_the_talks_kept() {
    let text = frab_json(
        "Europe/Berlin",
        "2024-05-01",
        &[
            ("good", "2024-05-01T10:00:00+02:00", "10:00", "00:30"),
            ("bad clock", "", "25:99", "00:30"),
            ("bad date", "2024-13-45T99:00:00+02:00", "nonsense", "00:30"),
            ("negative", "2024-05-01T11:00:00+02:00", "11:00", "-00:10"),
            ("huge", "2024-05-01T12:00:00+02:00", "12:00", "99999:00"),
            ("garbage duration", "2024-05-01T13:00:00+02:00", "13:00", "soon"),
            ("far future", "99999-05-01T10:00:00+02:00", "", "00:30"),
            ("wrong day", "2024-05-05T10:00:00+02:00", "10:00", "00:30"),
        ],
    );
    let (imported, c) = import_text("hostile.json", &text, None);
    assert_eq!(c.talks.len(), 8, "every talk is kept");
    let r = &imported.report;
    assert!(talk(&c, "good").slot.is_some());
    assert!(talk(&c, "bad clock").slot.is_none() && talk(&c, "bad date").slot.is_none());
    assert_eq!(r.skipped("start that is not a time (left out)"), 2);
    assert_eq!(r.skipped("negative duration"), 1);
    assert_eq!(r.skipped("duration longer than a week (left out)"), 1);
    assert_eq!(r.skipped("duration that is not a duration (left out)"), 1);
    for title in ["negative", "huge", "garbage duration"] {
        assert_eq!(talk(&c, title).slot.unwrap().end, None, "{title}: start kept, duration left out");
    }
    assert!(talk(&c, "far future").slot.is_none());
    // Filed under the 1st but on the 5th: not a session past midnight, so the day is left
    // out; the start stays, and the conference is dated by its talks.
    assert_eq!(r.skipped("conference day that is neither the start's date nor the day before it (left out)"), 1);
    assert_eq!(talk(&c, "wrong day").slot.unwrap().day.to_string(), "2024-05-05");
    assert_eq!(talk(&c, "good").room.as_deref(), Some("Hall"));
}

#[test]
fn the_export_zone_wins_over_timezone_and_a_bad_zone_is_reported() {
    let text = frab_json("Europe/Berlin", "2024-05-01", &[("t", "2024-05-01T10:00:00+02:00", "10:00", "00:30")]);
    let (imported, c) = import_text("zone.json", &text, Some("America/New_York"));
    assert_eq!(c.conferences[0].timezone.map(Tz::name), Some("Europe/Berlin"));
    assert_eq!(imported.report.adjusted("--timezone differs from the zone the export names (the export's kept)"), 1);

    let text = frab_json("Mars/Olympus", "2024-05-01", &[("t", "", "10:00", "00:30")]);
    let (imported, c) = import_text("badzone.json", &text, None);
    assert_eq!(imported.report.skipped("time zone named by the export that is no IANA zone"), 1);
    assert!(talk(&c, "t").slot.is_none(), "a clock time without a zone is not placed");
    let (_, c) = import_text("badzone.json", &text, Some("Europe/Berlin"));
    assert_eq!(talk(&c, "t").slot.unwrap().start.to_rfc3339(), "2024-05-01T10:00:00+02:00", "--timezone fills in");
}

#[test]
fn the_import_command_takes_a_timezone() {
    let bin = env!("CARGO_BIN_EXE_confbot");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fosdem.toml");
    let run = std::process::Command::new(bin)
        .args(["import", "pentabarf"])
        .arg(fixture("fosdem_2021.xml"))
        .args(["--timezone", "Europe/Brussels", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{summary}{}", String::from_utf8_lossy(&run.stderr));
    assert!(summary.contains("schedule: 5 of 5 talks have a start, 5 a room"), "{summary}");
    assert!(std::fs::read_to_string(&out).unwrap().contains("timezone = \"Europe/Brussels\""));

    let run = std::process::Command::new(bin)
        .args(["import", "pentabarf"])
        .arg(fixture("fosdem_2021.xml"))
        .args(["--timezone", "Europe/Brusels"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(err.contains("--timezone") && err.contains("Europe/Brussels"), "{err}");
}

/// `/now`, `/next` and `/schedule` over every format's fixture, at instants chosen around each
/// session — just before and at its start, just before its end, at its end — and on each day,
/// checked against what the raw export says (the `Expected` sessions above), not against the
/// timetable's own reading.
#[test]
fn now_next_and_schedule_agree_with_the_exports() {
    let brussels: Tz = "Europe/Brussels".parse().unwrap();
    let melbourne: Tz = "Australia/Melbourne".parse().unwrap();
    let cases: Vec<(&str, Option<&str>, Vec<Expected>)> = vec![
        ("frab-camp2019.json", None, json_sessions("frab-camp2019.json")),
        ("pretalx-democon.json", None, json_sessions("pretalx-democon.json")),
        ("31c3_schedule.xml", None, xml_sessions("31c3_schedule.xml", None)),
        ("36c3_schedule.xml", None, xml_sessions("36c3_schedule.xml", None)),
        ("fosdem_2021.xml", Some("Europe/Brussels"), xml_sessions("fosdem_2021.xml", Some(brussels))),
        (
            "ddd-melbourne-2024_sessionize_all.json",
            Some("Australia/Melbourne"),
            sessionize_sessions("ddd-melbourne-2024_sessionize_all.json", Some(melbourne)),
        ),
    ];
    let mut checked = 0;
    for (name, zone, expected) in cases {
        let (_, c) = import_fixture(name, zone);
        let timed: Vec<&Expected> = expected.iter().filter(|e| e.start.is_some()).collect();
        assert!(!timed.is_empty(), "{name}");
        let titles = |outcome: &confbot::commands::Outcome| -> Vec<String> {
            let mut t: Vec<String> = outcome.resolved["sessions"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: {}", outcome.resolved))
                .iter()
                .map(|s| s["title"].as_str().unwrap().to_owned())
                .collect();
            t.sort();
            t
        };
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        let at = |now: DateTime<Utc>, line: &str| {
            let mut rng = fastrand::Rng::with_seed(1);
            let mut ctx = confbot::commands::Context::new(&c, &mut rng);
            ctx.now = now;
            confbot::commands::run(&mut ctx, &confbot::commands::parse_line(line).unwrap())
        };
        let mut instants = Vec::new();
        for e in &timed {
            let start = e.start.unwrap();
            instants.extend([start - Duration::seconds(1), start]);
            if let Some(end) = e.end {
                instants.extend([end - Duration::seconds(1), end]);
            }
        }
        for now in instants {
            // On now: started, not ended (every fixture session has a length).
            let on: Vec<String> = timed
                .iter()
                .filter(|e| e.start.unwrap() <= now && e.end.is_some_and(|end| now < end))
                .map(|e| e.title.trim().to_owned())
                .collect();
            assert_eq!(titles(&at(now, "/now")), sorted(on), "{name}: /now at {now}");
            // Next: in each room, the first session that starts after now.
            let mut next: Vec<&Expected> = Vec::new();
            let mut later: Vec<&&Expected> = timed.iter().filter(|e| e.start.unwrap() > now).collect();
            later.sort_by_key(|e| e.start);
            for e in later {
                if !next.iter().any(|n| n.room == e.room) {
                    next.push(e);
                }
            }
            let next = next.iter().map(|e| e.title.trim().to_owned()).collect();
            assert_eq!(titles(&at(now, "/next")), sorted(next), "{name}: /next at {now}");
            checked += 2;
        }
        let mut days: Vec<NaiveDate> = timed.iter().filter_map(|e| e.day).collect();
        days.sort();
        days.dedup();
        for day in days {
            let on_day = timed.iter().filter(|e| e.day == Some(day)).map(|e| e.title.trim().to_owned()).collect();
            let outcome = at(timed[0].start.unwrap(), &format!("/schedule day: {day}"));
            assert_eq!(titles(&outcome), sorted(on_day), "{name}: /schedule day: {day}");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}
