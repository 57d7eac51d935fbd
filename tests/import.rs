//! The importers on trimmed real exports (tests/fixtures/): counts, specific facts, a round
//! trip through TOML, and loading exports directly with `--data`.

use std::path::{Path, PathBuf};

use confbot::catalogue::{self, Catalogue, LinkKind};
use confbot::import::{self, Format, Imported};
use confbot::sources::{self, Source};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Imports a fixture, writes it as TOML and loads that back as `confbot check` would.
fn import_checked(name: &str) -> (Imported, Catalogue) {
    let imported = import::import(None, &fixture(name), &mut |_, _| {}).expect("the fixture imports");
    let text = catalogue::write::to_toml(&imported.doc).expect("the document serialises");
    let catalogue = catalogue::parse_str(name, &text).unwrap_or_else(|e| panic!("{name} does not load:\n{e}\n{text}"));
    let counts = catalogue.counts();
    let r = &imported.report;
    assert_eq!(
        (counts.conferences, counts.talks, counts.speakers, counts.topics, counts.links),
        (r.conferences, r.talks, r.speakers, r.topics, r.links),
        "the report counts what the catalogue holds"
    );
    (imported, catalogue)
}

fn speaker<'a>(c: &'a Catalogue, name: &str) -> &'a catalogue::Speaker {
    c.speakers.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no speaker {name:?}"))
}

fn talk<'a>(c: &'a Catalogue, title: &str) -> &'a catalogue::Talk {
    c.talks.iter().find(|t| t.title == title).unwrap_or_else(|| panic!("no talk {title:?}"))
}

#[test]
fn pyvideo_archive() {
    let (imported, c) = import_checked("pyvideo");
    let r = &imported.report;
    assert_eq!((r.conferences, r.talks, r.speakers, r.topics), (10, 10, 10, 0));
    assert_eq!(r.skipped("talk listed in NO_PUBLISH.json"), 1);
    assert!(!c.talks.iter().any(|t| t.title.contains("simplificação textual")), "NO_PUBLISH talk stays out");
    assert_eq!(r.skipped("speaker entry that names no one (placeholder)"), 1);
    let lightning = talk(&c, "DjangoCon 2008 Lightning Talks");
    assert!(lightning.speakers.is_empty(), "a talk without speakers is kept");

    // One person, two spellings across events: one speaker with an alias and all talks.
    let stefan = speaker(&c, "Stefan van der Walt");
    assert_eq!(stefan.aliases, ["Stefan Van der Walt"]);
    assert_eq!(c.talks_of_speaker(c.speaker_by_id(&stefan.id).unwrap()).len(), 3);
    // "(he/him)" is not part of a name.
    let jannis = c.speaker_by_id(&speaker(&c, "Jannis Leidel").id).unwrap();
    assert_eq!(c.talks_of_speaker(jannis).len(), 2);
    // "A and B" is two people.
    let serverless = talk(&c, "Serverless is for Pragmatists: CI/CD in the Age of IaC");
    assert_eq!(c.speaker_names(c.talk_by_id(&serverless.id).unwrap()), "Anna Spysz, Chase Douglas");

    let cython = talk(&c, "A low latency deepdive of Python with Cython");
    let video = &cython.links[0];
    assert_eq!((video.kind, video.label.as_deref()), (LinkKind::Video, Some("YouTube")));
    assert_eq!(video.url.as_deref(), Some("https://www.youtube.com/watch?v=4mEWoCB7oMY"));
    let pycon = &c.conferences[cython.conference];
    assert_eq!((pycon.id.as_str(), pycon.name.as_str()), ("pycon-us-2024", "PyCon US 2024"));
    assert_eq!(pycon.url.as_deref(), Some("https://us.pycon.org/2024/"), "from the Conference Website link");
    assert_eq!(cython.recorded.map(|d| d.to_string()).as_deref(), Some("2024-05-19"));

    // HTML descriptions become plain text.
    let ellipses = talk(&c, "Ellipses and Arcane Syntax");
    assert_eq!(ellipses.summary, ["How does the elipses work? Let's find out."]);
}

#[test]
fn one_pyvideo_event_folder_keeps_no_publish_from_the_archive() {
    let imported = import::import(None, &fixture("pyvideo/scipy-la-2016"), &mut |_, _| {}).unwrap();
    assert_eq!((imported.report.conferences, imported.report.talks), (1, 1));
    assert_eq!(imported.report.skipped("talk listed in NO_PUBLISH.json"), 1);
}

#[test]
fn frab_json_camp2019() {
    let (imported, c) = import_checked("schedules/frab-camp2019.json");
    assert_eq!((imported.report.talks, imported.report.topics), (9, 5));
    let conference = &c.conferences[0];
    assert_eq!((conference.id.as_str(), conference.name.as_str()), ("camp2019", "Chaos Communication Camp 2019"));
    assert_eq!(conference.start.map(|d| d.to_string()).as_deref(), Some("2019-08-21"));
    let opening = talk(&c, "Opening Ceremony");
    assert_eq!(c.speaker_names(c.talk_by_id(&opening.id).unwrap()), "jinxx, smtw");
    assert_eq!(c.topic_names(c.talk_by_id(&opening.id).unwrap()), "CCC");
    // A relative attachment path is joined to the schedule's address.
    let slides = talk(&c, "Hacking Containers and Kubernetes").links.iter().find(|l| l.kind == LinkKind::Slides);
    assert!(slides
        .and_then(|l| l.url.as_deref())
        .is_some_and(|u| u.starts_with("https://fahrplan.events.ccc.de/system/")));
}

#[test]
fn pretalx_json() {
    let (imported, c) = import_checked("schedules/pretalx-rc3.json");
    assert_eq!(imported.report.talks, 4);
    assert_eq!(c.conferences[0].id, "rc3-channels-2020");
    assert!(c.speakers.iter().any(|s| s.name == "Chris Fiege"));
    let (imported, _) = import_checked("schedules/pretalx-democon.json");
    assert_eq!((imported.report.talks, imported.report.speakers), (4, 5));
}

#[test]
fn hub_schedule2() {
    let (imported, c) = import_checked("schedules/hub-schedule2.json");
    assert_eq!((imported.report.talks, imported.report.speakers), (2, 3));
    assert_eq!(imported.report.skipped("participant who is not a speaker"), 1, "contributors are not speakers");
    let opening = talk(&c, "38C3: Opening Ceremony");
    assert_eq!(c.topic_names(c.talk_by_id(&opening.id).unwrap()), "CCC", "track slug resolved to its name");
    assert!(speaker(&c, "Gabriela Bogk").bio.as_deref().is_some_and(|b| b.starts_with("Gabriela, the hacker")));
}

#[test]
fn frab_xml_31c3() {
    let (imported, c) = import_checked("schedules/31c3_schedule.xml");
    assert_eq!((imported.report.talks, imported.report.topics), (8, 4));
    assert_eq!(c.conferences[0].id, "31c3");
    assert!(c.topics.iter().any(|t| t.name == "Ethics, Society & Politics"));
    let opening = talk(&c, "31C3 Opening Event");
    assert_eq!(c.speaker_names(c.talk_by_id(&opening.id).unwrap()), "erdgeist, Geraldine de Bastion");
}

#[test]
fn pentabarf_xml_fosdem() {
    let (imported, c) = import_checked("schedules/fosdem_2021.xml");
    assert_eq!((imported.report.talks, imported.report.topics), (5, 3));
    assert_eq!(imported.report.skipped("link left out (feedback form or not an http(s) address)"), 5);
    let welcome = talk(&c, "Welcome to FOSDEM 2021");
    assert!(welcome.speakers.is_empty());
    assert_eq!(welcome.summary, ["FOSDEM welcome and opening talk.", "Welcome to FOSDEM 2021!"]);
    assert!(welcome.links.iter().all(|l| l.kind == LinkKind::Video));
    assert_eq!(c.conferences[0].place.as_deref(), Some("Online"));
}

#[test]
fn sessionize_all_data() {
    let (imported, c) = import_checked("schedules/ddd-melbourne-2024_sessionize_all.json");
    assert_eq!((imported.report.talks, imported.report.speakers), (4, 4));
    assert_eq!(c.conferences[0].name, "DDD Melbourne 2024", "named after the file, acronym in capitals");
    assert!(c.topics.iter().any(|t| t.name == "AI"), "Tags are topics");
    assert!(!c.topics.iter().any(|t| t.name.contains("minutes") || t.name.contains("intermediate")));
    let copilot = talk(&c, "Will AI Coding Assistants like GitHub CoPilot Make Me Irrelevant?");
    assert_eq!(copilot.links[0].label.as_deref(), Some("YouTube"));
    let (imported, _) = import_checked("schedules/global-azure-austria-2024_sessionize_all.json");
    assert_eq!((imported.report.talks, imported.report.topics), (3, 0));
}

#[test]
fn formats_are_detected_from_content() {
    let cases = [
        ("pyvideo", Format::Pyvideo),
        ("pyvideo/chipy", Format::Pyvideo),
        ("schedules/frab-camp2019.json", Format::ScheduleJson),
        ("schedules/hub-schedule2.json", Format::ScheduleJson),
        ("schedules/31c3_schedule.xml", Format::ScheduleXml),
        ("schedules/fosdem_2021.xml", Format::ScheduleXml),
        ("schedules/ddd-melbourne-2024_sessionize_all.json", Format::Sessionize),
    ];
    for (name, format) in cases {
        assert_eq!(import::detect(&fixture(name)), Some(format), "{name}");
    }
    assert_eq!(import::detect(&fixture("pyvideo/NO_PUBLISH.json")), None);
}

#[test]
fn data_accepts_exports_directly_and_together() {
    let load = |paths: &[PathBuf]| {
        sources::load(&paths.iter().cloned().map(Source::Path).collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{e}"))
    };
    // A directory of exports: shared tracks ("CCC") and people are one entity each.
    let all = load(&[fixture("schedules")]);
    assert_eq!(all.counts().conferences, 10);
    assert_eq!(all.topics.iter().filter(|t| t.name == "CCC").count(), 1);
    // FORMAT:PATH names the format; a pyvideo folder is one source.
    let named = PathBuf::from(format!("pretalx:{}", fixture("schedules/pretalx-rc3.json").display()));
    let mixed = load(&[named, fixture("pyvideo")]);
    assert_eq!(mixed.counts().conferences, 11);
}

#[test]
fn unreadable_sources_get_one_clear_error() {
    let missing = fixture("schedules/no-such.json");
    let e = import::import(None, &missing, &mut |_, _| {}).unwrap_err();
    assert!(e.to_string().contains("no-such.json") && e.to_string().contains("cannot read"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("schedule.json");
    std::fs::write(&broken, "{\"schedule\": {\"conference\": [").unwrap();
    let e = import::import(None, &broken, &mut |_, _| {}).unwrap_err();
    assert!(e.to_string().contains("schedule.json") && e.to_string().contains("invalid JSON"), "{e}");

    let other = dir.path().join("notes.json");
    std::fs::write(&other, "[1, 2]").unwrap();
    let e = import::import(None, &other, &mut |_, _| {}).unwrap_err();
    assert!(e.to_string().contains("not a format confbot imports"), "{e}");
    let e = import::import(Some(Format::Sessionize), &other, &mut |_, _| {}).unwrap_err();
    assert!(e.to_string().contains("Sessionize"), "{e}");

    let err = sources::load(&[Source::Path(broken)]).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert!(err.problems[0].file.ends_with("schedule.json"));
}

#[test]
fn the_import_command_writes_a_catalogue_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fosdem.toml");
    let bin = env!("CARGO_BIN_EXE_confbot");
    let run = std::process::Command::new(bin)
        .args(["import", "pentabarf"])
        .arg(fixture("schedules/fosdem_2021.xml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{summary}{}", String::from_utf8_lossy(&run.stderr));
    assert!(summary.contains("imported 1 conferences, 5 talks"), "{summary}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("# Imported by `confbot import`"));
    let check = std::process::Command::new(bin).arg("check").arg("--data").arg(&out).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn the_import_command_splits_an_archive_into_one_file_per_conference() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pyvideo/");
    let bin = env!("CARGO_BIN_EXE_confbot");
    let run = std::process::Command::new(bin)
        .args(["import", "pyvideo"])
        .arg(fixture("pyvideo"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names.len(), 11, "{names:?}");
    assert_eq!(names[0], "_speakers.toml");
    assert!(names.contains(&"pycon-us-2024.toml".to_owned()));
    let c = sources::load(&[Source::Path(out)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((c.counts().conferences, c.counts().talks, c.counts().speakers), (10, 10, 10));
}

/// The full exports in ../shared, when present (a fresh clone has none).
fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: ../shared is absent; skipping the test over the full exports");
        None
    }
}

#[test]
fn full_schedule_exports_import_and_load() {
    let Some(shared) = shared() else { return };
    let files = [
        "schedules/c3voc_voc-schedule/frab-camp2019.json",
        "schedules/c3voc_voc-schedule/pretalx-rc3.json",
        "schedules/c3voc_voc-schedule/pretalx-democon.json",
        "schedules/c3voc_voc-schedule/hub-schedule2.json",
        "schedules/frab_31c3/31c3_schedule.xml",
        "schedules/giggity_testdata/fosdem_2021.xml",
        "schedules/sessionize_ddd-melbourne/ddd-melbourne-2024_sessionize_all.json",
        "schedules/sessionize_global-azure-austria/global-azure-austria-2024_sessionize_all.json",
    ];
    for file in files {
        let imported = import::import(None, &shared.join(file), &mut |_, _| {}).unwrap();
        let text = catalogue::write::to_toml(&imported.doc).unwrap();
        catalogue::parse_str(file, &text).unwrap_or_else(|e| panic!("{e}"));
    }
    let fosdem = import::import(None, &shared.join(files[5]), &mut |_, _| {}).unwrap();
    assert_eq!(fosdem.report.talks, 773);
}

/// The whole pyvideo archive (slow in a debug build: run with `cargo test -- --ignored`).
#[test]
#[ignore]
fn full_pyvideo_archive_imports_and_loads() {
    let Some(shared) = shared() else { return };
    let imported = import::import(None, &shared.join("pyvideo"), &mut |_, _| {}).unwrap();
    assert!(imported.report.talks > 21_000 && imported.report.conferences > 500);
    assert_eq!(imported.report.skipped("talk listed in NO_PUBLISH.json"), 2);
    let text = catalogue::write::to_toml(&imported.doc).unwrap();
    let c = catalogue::parse_str("pyvideo.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let gael = c.speakers.iter().find(|s| s.name == "Gael Varoquaux" || s.name == "Gaël Varoquaux").unwrap();
    assert!(!gael.aliases.is_empty(), "both spellings are one speaker");
    // Tags become topics (604 in the archive of December 2025), the `.schemas` folder no event.
    assert!(c.topics.len() > 500, "{} topics", c.topics.len());
    let django = c.topics.iter().position(|t| t.name == "Django").expect("a Django topic");
    assert!(c.talks_of_topic(django).len() > 250);
    assert!(!c
        .topics
        .iter()
        .any(|t| ["pycon", "python", "talk", "europython"].contains(&t.name.to_lowercase().as_str())));
    assert!(!c.conferences.iter().any(|c| c.name == "Video"));
    let rst_links = c.talks.iter().filter(|t| t.summary.iter().any(|p| p.contains(">`_"))).count();
    assert!(rst_links <= 1, "{rst_links} summaries keep an RST link");
}
