//! Hostile and broken exports: each test is a defect found by feeding the importers what no
//! organiser meant to publish (deep nesting, huge or special files, thousands of equal titles,
//! nulls, control characters) or by killing an import mid-write. Inputs are made in temporary
//! folders by the tests themselves.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use confbot::catalogue::{self, Catalogue};
use confbot::import::{self, Format, ImportError, Imported};
use confbot::sources::{self, Source};
use serde_json::json;

/// Imports on another thread, so that an import that hangs fails the test instead.
fn import_within(format: Option<Format>, path: &Path, limit: Duration) -> Result<Imported, ImportError> {
    let (tx, rx) = mpsc::channel();
    let path = path.to_owned();
    std::thread::spawn(move || {
        let _ = tx.send(import::import(format, &path, &mut |_, _| {}));
    });
    rx.recv_timeout(limit).unwrap_or_else(|_| panic!("the import did not end within {limit:?}"))
}

fn confbot(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_confbot"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("confbot runs")
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A frab schedule.xml with one event whose title holds `title_xml`.
fn schedule_xml(title_xml: &str) -> String {
    format!(
        "<?xml version='1.0'?>\n<schedule>\n<conference><acronym>deep</acronym><title>Deep</title></conference>\n\
         <day date='2024-05-01'><room name='A'><event id='1'><title>{title_xml}</title></event>\
         <event id='2'><title>Shallow</title></event></room></day>\n</schedule>\n"
    )
}

#[test]
fn deeply_nested_xml_is_refused_with_its_position_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schedule.xml");
    // The issue's file: 12,000 nested <b> in a title (84 KB); and far deeper.
    for depth in [12_000, 200_000] {
        write(&file, &schedule_xml(&format!("{}x{}", "<b>".repeat(depth), "</b>".repeat(depth))));
        let e = import::import(None, &file, &mut |_, _| {}).unwrap_err();
        // <title> is the 5th level (schedule/day/room/event/title), so the 96th <b> is the
        // 101st: on line 4 after `<day …><room …><event …><title>` (59 characters) and 95 `<b>`.
        assert_eq!(e.reason(), "elements nested deeper than 100 levels at line 4, column 345", "{depth}");
        assert!(e.to_string().contains("schedule.xml"), "{e}");
    }
    // As deep as allowed: imported.
    write(&file, &schedule_xml(&format!("{}Deep talk{}", "<b>".repeat(95), "</b>".repeat(95))));
    let imported = import::import(None, &file, &mut |_, _| {}).unwrap();
    assert_eq!(imported.report.talks, 1, "the nested title is no text of <title>; the other talk is kept");

    // The command exits with the message, not a signal.
    write(&file, &schedule_xml(&format!("{}x{}", "<b>".repeat(12_000), "</b>".repeat(12_000))));
    let run = confbot(&["import".as_ref(), "auto".as_ref(), file.as_os_str()]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("elements nested deeper than 100 levels at line 4, column 345"), "{err}");
}

#[test]
fn deeply_nested_json_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schedule.json");
    let depth = 100_000;
    write(
        &file,
        &format!("{{\"schedule\": {{\"conference\": {{\"title\": {}0{}}}}}}}", "[".repeat(depth), "]".repeat(depth)),
    );
    let e = import::import(None, &file, &mut |_, _| {}).unwrap_err();
    assert!(e.reason().contains("recursion limit exceeded"), "{e}");
}

#[test]
fn files_larger_than_the_limit_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schedule.json");
    write(&file, "{\"schedule\": {\"conference\": {\"title\": \"Big\"}}}");
    // Sparse: 64 MiB and one byte of file, none of it on disk.
    std::fs::File::options().write(true).open(&file).unwrap().set_len(64 * 1024 * 1024 + 1).unwrap();
    let e = import::import(None, &file, &mut |_, _| {}).unwrap_err();
    assert_eq!(e.reason(), "cannot read: the file (67108865 bytes) is larger than the 64 MiB an import reads");

    // A pyvideo video file has a limit of its own: the talk is reported, the others kept.
    let archive = dir.path().join("pyvideo");
    write(&archive.join("ev/category.json"), r#"{"title": "Ev"}"#);
    write(&archive.join("ev/videos/a.json"), r#"{"title": "Kept"}"#);
    let big = archive.join("ev/videos/big.json");
    write(&big, r#"{"title": "Big"}"#);
    std::fs::File::options().write(true).open(&big).unwrap().set_len(2 * 1024 * 1024).unwrap();
    let imported = import::import(None, &archive, &mut |_, _| {}).unwrap();
    assert_eq!(imported.report.talks, 1);
    let unreadable = &imported.report.skipped["unreadable video file"];
    assert_eq!(
        unreadable.examples,
        ["cannot read: the file (2097152 bytes) is larger than the 1 MiB an import reads (ev/videos/big.json)"]
    );
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("schedule.json");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("note: mkfifo is unavailable; skipping the FIFO cases");
    } else {
        let limit = Duration::from_secs(20);
        for format in [None, Some(Format::ScheduleJson), Some(Format::Sessionize)] {
            let e = import_within(format, &fifo, limit).unwrap_err();
            assert_eq!(e.reason(), "cannot read: not a regular file (a FIFO)", "{format:?}");
        }
        // In a pyvideo folder, as a video file and as NO_PUBLISH.json.
        let archive = dir.path().join("pyvideo");
        write(&archive.join("ev/category.json"), r#"{"title": "Ev"}"#);
        write(&archive.join("ev/videos/a.json"), r#"{"title": "Kept"}"#);
        std::fs::rename(&fifo, archive.join("ev/videos/fifo.json")).unwrap();
        let imported = import_within(None, &archive, limit).unwrap();
        assert_eq!(imported.report.talks, 1);
        assert_eq!(
            imported.report.skipped["unreadable video file"].examples,
            ["cannot read: not a regular file (a FIFO) (ev/videos/fifo.json)"]
        );
        std::fs::rename(archive.join("ev/videos/fifo.json"), archive.join("NO_PUBLISH.json")).unwrap();
        let e = import_within(None, &archive, limit).unwrap_err();
        assert!(e.path().ends_with("NO_PUBLISH.json") && e.reason().contains("a FIFO"), "{e}");
    }
    // A link to a device that never ends.
    let zero = dir.path().join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let e = import_within(Some(Format::ScheduleJson), &zero, Duration::from_secs(20)).unwrap_err();
    assert_eq!(e.reason(), "cannot read: not a regular file (a device)");
    let e = import_within(None, &zero, Duration::from_secs(20)).unwrap_err();
    assert_eq!(e.reason(), "cannot read: not a regular file (a device)");
}

/// A frab schedule.json holding `events` in one room.
fn schedule_json(events: Vec<serde_json::Value>) -> String {
    json!({"schedule": {"conference": {"acronym": "rep", "title": "Repeats", "start": "2024-05-01",
        "days": [{"date": "2024-05-01", "rooms": {"A": events}}]}}})
    .to_string()
}

#[test]
fn twenty_thousand_equal_titles_import_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schedule.json");
    let n = 20_000;
    let events = (0..n).map(|i| json!({"guid": format!("g{i}"), "title": "Lightning talk", "date": "2024-05-01"}));
    write(&file, &schedule_json(events.collect()));
    let started = Instant::now();
    let imported = import::import(None, &file, &mut |_, _| {}).unwrap();
    eprintln!("{n} talks with one title imported in {:.2} s", started.elapsed().as_secs_f64());
    let ids: Vec<&str> = imported.doc.talks.iter().map(|t| t.get_ref().id.get_ref().as_str()).collect();
    assert_eq!(ids.len(), n);
    // The ids a scan from -2 always gave: the conference-scoped title, then counted.
    assert_eq!(
        &ids[..4],
        ["rep-lightning-talk", "rep-lightning-talk-2", "rep-lightning-talk-3", "rep-lightning-talk-4"]
    );
    assert_eq!(ids[n - 1], format!("rep-lightning-talk-{n}"));
    let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), n);
}

/// Writes a pyvideo archive of one event folder `ev` holding `videos` (file name, text).
fn pyvideo_event(root: &Path, videos: &[(&str, &str)]) -> PathBuf {
    let archive = root.join("pyvideo");
    write(&archive.join("ev/category.json"), r#"{"title": "Event", "description": null}"#);
    for (name, text) in videos {
        write(&archive.join("ev/videos").join(name), text);
    }
    archive
}

#[test]
fn pyvideo_null_empty_and_odd_fields_are_absent_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let archive = pyvideo_event(
        dir.path(),
        &[
            (
                "nulls.json",
                r#"{"id": null, "title": "All nulls", "speakers": null, "tags": null, "videos": null,
                    "related_urls": null, "description": null, "summary": null, "recorded": null}"#,
            ),
            (
                "empty.json",
                r#"{"id": "", "title": "All empty", "speakers": [], "tags": [], "videos": [],
                    "related_urls": [], "description": "", "summary": "", "recorded": ""}"#,
            ),
            (
                "odd.json",
                r#"{"id": {"x": 1}, "title": "Odd types", "speakers": [7, {"name": "X"}, "Ann Lee", null],
                    "tags": 3, "videos": {"url": "https://youtu.be/x"}, "related_urls": [1, "https://x.org/s.pdf"],
                    "description": ["a"], "summary": false, "recorded": 20240501}"#,
            ),
            ("number-title.json", r#"{"title": 1984, "speakers": "Grace Hopper", "recorded": "2024-05-02"}"#),
            ("untitled.json", r#"{"title": "  ", "speakers": ["Nobody Here"]}"#),
            ("no-title.json", r#"{"speakers": ["Nobody Here"]}"#),
            ("list.json", r#"[{"title": "Not an object"}]"#),
            ("broken.json", r#"{"title": "Broken", "speakers": ["#),
        ],
    );
    let imported = import::import(None, &archive, &mut |_, _| {}).unwrap();
    let r = &imported.report;
    let titles: Vec<&str> = imported.doc.talks.iter().map(|t| t.get_ref().title.get_ref().as_str()).collect();
    assert_eq!(titles, ["All empty", "All nulls", "1984", "Odd types"], "in file name order");
    // Only a missing or blank title drops a talk, and the report says which.
    assert_eq!(r.skipped("talk without a title"), 2);
    assert_eq!(r.skipped["talk without a title"].examples, ["no-title", "untitled"]);
    // Files that are no video at all are reported whole, with their reason uncut.
    assert_eq!(
        r.skipped["unreadable video file"].examples,
        [
            "invalid JSON: EOF while parsing a list at line 1 column 33 (ev/videos/broken.json)",
            "expected a JSON object, found a list (ev/videos/list.json)"
        ]
    );
    // Odd fields are named whole.
    let odd = &r.adjusted["video file field of an unexpected type left out"];
    assert_eq!(odd.count, 8, "id, speakers, tags, videos, related_urls, description, summary, recorded: {odd:?}");
    assert_eq!(
        odd.examples,
        ["description (ev/videos/odd.json)", "summary (ev/videos/odd.json)", "recorded (ev/videos/odd.json)"]
    );
    let catalogue = loads(&imported);
    let talk = |title: &str| catalogue.talks.iter().find(|t| t.title == title).unwrap();
    assert_eq!(catalogue.speaker_names(catalogue.talk_by_id(&talk("Odd types").id).unwrap()), "Ann Lee");
    assert_eq!(talk("Odd types").recorded, None, "a number is no date");
    assert_eq!(talk("Odd types").links.len(), 1, "the slides; not the odd entries");
    assert_eq!(catalogue.speaker_names(catalogue.talk_by_id(&talk("1984").id).unwrap()), "Grace Hopper");
    assert!(talk("All nulls").speakers.is_empty() && talk("All nulls").summary.is_empty());
    assert_eq!(r.skipped("empty speaker name"), 1, "the null entry");
}

#[test]
fn hostile_html_descriptions_convert_in_linear_time_and_memory() {
    // 100,000 nested links in a 1 MB description took minutes and 24 GB before the process
    // was killed; 300,000 `<` without `>` took seconds.
    let nested = format!("<p>Nested</p>{}x{}", "<a href=x>".repeat(100_000), "</a>".repeat(5_000));
    let open = format!("<p>Open</p></{}", "<".repeat(300_000));
    let dir = tempfile::tempdir().unwrap();
    let archive = pyvideo_event(
        dir.path(),
        &[
            ("nested.json", &json!({"title": "Nested", "description": nested}).to_string()),
            ("open.json", &json!({"title": "Open", "description": open}).to_string()),
        ],
    );
    let started = Instant::now();
    let imported = import_within(None, &archive, Duration::from_secs(120)).unwrap();
    eprintln!("hostile HTML descriptions imported in {:.2} s", started.elapsed().as_secs_f64());
    let summaries: Vec<&str> = imported.doc.talks.iter().map(|t| t.get_ref().summary[0].as_str()).collect();
    assert_eq!(summaries[0], "Nested");
    assert!(summaries[1].starts_with("Open</<<<"), "{}", summaries[1]);
}

/// Writes the imported document as TOML and loads it, as `confbot check` would.
fn loads(imported: &Imported) -> Catalogue {
    let text = catalogue::write::to_toml(&imported.doc).unwrap();
    catalogue::parse_str("imported.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Every text of a catalogue a person reads.
fn texts(c: &Catalogue) -> Vec<String> {
    let mut all = Vec::new();
    for x in &c.conferences {
        all.extend(
            [Some(&x.name), x.place.as_ref(), x.url.as_ref(), x.description.as_ref()].into_iter().flatten().cloned(),
        );
    }
    all.extend(c.topics.iter().map(|t| t.name.clone()));
    for s in &c.speakers {
        all.extend([Some(&s.name), s.bio.as_ref(), s.url.as_ref()].into_iter().flatten().cloned());
        all.extend(s.aliases.iter().cloned());
    }
    for t in &c.talks {
        all.push(t.title.clone());
        all.extend(t.summary.iter().cloned());
        for l in &t.links {
            all.extend([l.label.as_ref(), l.url.as_ref()].into_iter().flatten().cloned());
        }
    }
    all
}

/// Control characters and bidi overrides, spelt as JSON escapes.
const NASTY: &str = r"\u0000\u001b[31m\u0007\u007f\u0085\u009b\u202e\u2066\u0008";

/// True when `text` has a control character (C0 but none, C1, DEL) or a bidi embedding,
/// override or isolate.
fn hostile(text: &str) -> bool {
    text.chars().any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

#[test]
fn control_and_bidi_characters_are_stripped_by_every_importer() {
    let dir = tempfile::tempdir().unwrap();
    let n = NASTY;
    let frab = dir.path().join("frab.json");
    write(
        &frab,
        &format!(
            r#"{{"schedule": {{"base_url": "https://x.org/", "conference": {{"acronym": "c{n}", "title": "Conf{n}", "venue": "Hall{n}",
            "days": [{{"date": "2024-05-01", "rooms": {{"A": [{{"guid": "1", "title": "Frab{n} talk", "track": "Track{n}",
            "abstract": "Para{n}one\n\nPara two{n}", "url": "https://x.org/t{n}",
            "persons": [{{"public_name": "Ann{n} Lee", "biography": "Bio{n}"}}],
            "links": [{{"title": "Slides{n}", "url": "/s{n}.pdf"}}]}}]}}}}]}}}}}}"#
        ),
    );
    let sessionize = dir.path().join("sz_sessionize_all.json");
    write(
        &sessionize,
        &format!(
            r#"{{"sessions": [{{"id": "1", "title": "Sessionize{n} talk", "description": "Desc{n}", "startsAt": "2024-05-01T10:00:00",
            "speakers": ["s1"], "categoryItems": [1], "recordingUrl": "https://youtu.be/a{n}"}}],
            "speakers": [{{"id": "s1", "fullName": "Bo{n} Chen", "bio": "Bio{n}", "links": [{{"url": "https://bo.org/{n}"}}]}}],
            "categories": [{{"title": "Track", "items": [{{"id": 1, "name": "Topic{n}"}}]}}]}}"#
        ),
    );
    let archive = pyvideo_event(
        dir.path(),
        &[(
            "v.json",
            &format!(
                r#"{{"title": "Pyvideo{n} talk", "speakers": ["Cy{n} Diaz"], "description": "<p>Html{n}</p><p>two&#x202E;&#127;</p>",
                "videos": [{{"type": "youtube{n}", "url": "https://www.youtube.com/watch?v=a{n}"}}],
                "related_urls": [{{"label": "Code{n}", "url": "https://github.com/a/b{n}"}}]}}"#
            ),
        )],
    );
    // XML 1.0 has no control characters, not even as references; exports carry them anyway.
    let xml = dir.path().join("schedule.xml");
    let x = "\u{1b}[31m\u{7}\u{7f}\u{85}\u{9b}\u{202e}\u{2066}\u{8}&#x202E;&#127;";
    write(
        &xml,
        &format!(
            "<schedule><conference><acronym>x{x}</acronym><title>Xml{x}</title><city>City{x}</city></conference>\
             <day date='2024-05-01'><room name='A'><event id='1'><title>Xml{x} talk</title><track>Track{x}</track>\
             <abstract>Abs{x}</abstract><persons><person id='1'>Di{x} Eng</person></persons>\
             <links><link href='https://x.org/v{x}.mp4'>Video{x}</link></links></event></room></day></schedule>"
        ),
    );
    for (path, talks) in [(frab, 1), (sessionize, 1), (archive, 1), (xml, 1)] {
        let imported = import::import(None, &path, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(imported.report.talks, talks, "{}", path.display());
        let catalogue = loads(&imported);
        let all = texts(&catalogue);
        assert!(all.len() >= 8, "{all:?}");
        let bad: Vec<&String> = all.iter().filter(|t| hostile(t)).collect();
        assert!(bad.is_empty(), "{}: {bad:?}", path.display());
        assert!(!imported.report.to_string().lines().any(hostile), "{}", imported.report);
        // What was removed leaves the words readable.
        let title = &catalogue.talks[0].title;
        assert!(title.ends_with(" talk") && title.contains("[31m"), "{title:?}");
        let speaker = &catalogue.speakers[0].name;
        assert!(speaker.ends_with(['e', 'n', 'z', 'g']) && !speaker.contains("  "), "{speaker:?}");
    }
}

#[test]
fn an_import_that_finds_no_talks_says_so_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.toml");
    std::fs::write(&out, "# an earlier catalogue\n").unwrap();
    let empty = pyvideo_event(dir.path(), &[]);
    let untitled = dir.path().join("schedule.json");
    write(&untitled, &schedule_json(vec![json!({"guid": "1", "title": ""}), json!({"guid": "2"})]));
    for (source, why) in [(&empty, "it lists none"), (&untitled, "every talk in it was left out (see above)")] {
        for output in [Some(&out), None] {
            let mut args: Vec<&std::ffi::OsStr> = vec!["import".as_ref(), "auto".as_ref(), source.as_os_str()];
            if let Some(o) = output {
                args.extend(["-o".as_ref(), o.as_os_str()]);
            }
            let run = confbot(&args);
            let err = String::from_utf8_lossy(&run.stderr);
            assert_eq!(run.status.code(), Some(1), "{err}");
            assert!(
                err.contains(&format!("found no talks in {}: {why}; nothing was written", source.display())),
                "{err}"
            );
            assert!(run.stdout.is_empty(), "{}", String::from_utf8_lossy(&run.stdout));
            assert_eq!(std::fs::read_to_string(&out).unwrap(), "# an earlier catalogue\n", "the old output stays");
        }
    }
}

/// A pyvideo archive of `events` event folders of `talks` talks each, with long descriptions
/// so that writing the catalogue takes a while.
fn archive(root: &Path, events: usize, talks: usize) -> PathBuf {
    let archive = root.join(format!("pyvideo-{events}"));
    for e in 0..events {
        let folder = archive.join(format!("event-{e:02}"));
        write(&folder.join("category.json"), &json!({"title": format!("Event {e}")}).to_string());
        for t in 0..talks {
            let video = json!({
                "id": e * 1000 + t,
                "title": format!("Talk {t} of event {e}"),
                "speakers": [format!("Speaker {}", (e * talks + t) % 97)],
                "recorded": "2024-05-01",
                "description": format!("Talk {t} is about {}.", "many things ".repeat(40)),
                "videos": [{"type": "youtube", "url": format!("https://www.youtube.com/watch?v={e}x{t}")}],
            });
            write(&folder.join(format!("videos/talk-{t}.json")), &video.to_string());
        }
    }
    archive
}

/// What an output path holds: a file's text, or a folder's files and their texts.
fn snapshot(path: &Path) -> Option<Vec<(String, String)>> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return Some(vec![(String::new(), std::fs::read_to_string(path).unwrap())]);
    }
    let mut files: Vec<(String, String)> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap_or_default())
        })
        .collect();
    files.sort();
    Some(files)
}

/// Runs `confbot import pyvideo SOURCE -o OUTPUT` to the end.
fn import_to(source: &Path, output: &Path) {
    let run = confbot(&["import".as_ref(), "pyvideo".as_ref(), source.as_os_str(), "-o".as_ref(), output.as_os_str()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

/// When a test kills an import.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// This long after it started.
    After(Duration),
    /// This long after its output folder first changed: writing has begun.
    AfterWriting(Duration),
}

#[test]
fn a_killed_import_leaves_the_old_output_or_the_complete_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let small = archive(dir.path(), 2, 3);
    let big = archive(dir.path(), 30, 40);
    for form in ["catalogue.toml", "catalogue/"] {
        // What the old and the new output are, written by imports that were not interrupted.
        let old_ref = dir.path().join(format!("old-{form}"));
        let new_ref = dir.path().join(format!("new-{form}"));
        import_to(&small, &old_ref);
        let started = Instant::now();
        import_to(&big, &new_ref);
        let full = started.elapsed();
        let (old, new) = (snapshot(&old_ref).unwrap(), snapshot(&new_ref).unwrap());
        let new_catalogue = sources::load(&[Source::Path(new_ref.clone())]).unwrap();
        assert_eq!(new_catalogue.counts().conferences, 30);

        let out_dir = dir.path().join(format!("out-{}", form.trim_end_matches('/')));
        let output = out_dir.join(form);
        // Spread over the whole run, and close after writing begins, which a delay from the
        // start would rarely hit: the assertion holds whenever the kill lands.
        let mut moments: Vec<Moment> = (1..=6).map(|i| Moment::After(full * i / 6)).collect();
        moments.extend([0, 100, 300, 1000, 5000, 30_000].map(|us| Moment::AfterWriting(Duration::from_micros(us))));
        let (mut saw_old, mut saw_new) = (0, 0);
        for moment in moments {
            // The old output, as the small import wrote it.
            let _ = std::fs::remove_dir_all(&out_dir);
            std::fs::create_dir_all(&out_dir).unwrap();
            if old_ref.is_dir() {
                std::fs::create_dir(&output).unwrap();
                for (name, text) in &old {
                    std::fs::write(output.join(name), text).unwrap();
                }
            } else {
                std::fs::copy(&old_ref, &output).unwrap();
            }
            let before = listing(&out_dir);
            let mut child = Command::new(env!("CARGO_BIN_EXE_confbot"))
                .args(["import".as_ref(), "pyvideo".as_ref(), big.as_os_str(), "-o".as_ref(), output.as_os_str()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let started = Instant::now();
            match moment {
                Moment::After(delay) => std::thread::sleep(delay),
                Moment::AfterWriting(delay) => {
                    while listing(&out_dir) == before && child.try_wait().unwrap().is_none() {
                        std::thread::sleep(Duration::from_micros(20));
                    }
                    std::thread::sleep(delay);
                }
            }
            let _ = child.kill();
            child.wait().unwrap();
            let killed = format!("{form}: killed {:?} after its start ({moment:?})", started.elapsed());
            let after = snapshot(&output).unwrap_or_else(|| panic!("{killed}: no output at all"));
            if after == old {
                saw_old += 1;
            } else if after == new {
                saw_new += 1;
            } else {
                panic!("{killed}: the output is neither the old one nor the complete new one");
            }
            // Temporary files are never where a loader looks: the output loads as it is, and
            // so does the folder holding a catalogue file.
            let c = sources::load(&[Source::Path(output.clone())]).unwrap_or_else(|e| panic!("{e}"));
            assert!([2, 30].contains(&c.counts().conferences));
            if !form.ends_with('/') {
                let c = sources::load(&[Source::Path(out_dir.clone())]).unwrap_or_else(|e| panic!("{e}"));
                assert!([2, 30].contains(&c.counts().conferences));
            }
        }
        eprintln!("{form}: the old output was left {saw_old} times, the complete new one {saw_new} times");
    }
}

/// The paths under a folder and the size of each file, to see writing begin.
fn listing(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok) {
        match entry.metadata() {
            Ok(m) if m.is_dir() => found.extend(listing(&entry.path())),
            Ok(m) => found.push((entry.path(), m.len())),
            Err(_) => {}
        }
    }
    found.sort();
    found
}
