//! Right answers on the catalogues organisers really bring: each test is a wrong answer found
//! on the real exports (the pyvideo archive, the 36C3 and DebConf 23 schedules), replayed on a
//! trimmed copy in tests/fixtures/.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use confbot::catalogue::{self, Catalogue, LinkKind};
use confbot::commands::{self, parse_line, Context, Outcome};
use confbot::import::{self, Format};
use confbot::sources::{self, Source};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn load(paths: &[PathBuf]) -> Catalogue {
    sources::load(&paths.iter().cloned().map(Source::Path).collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{e}"))
}

fn ask(c: &Catalogue, line: &str) -> Outcome {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut ctx = Context::new(c, &mut rng);
    commands::run(&mut ctx, &parse_line(line).unwrap())
}

fn confbot(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_confbot")).args(args).env_remove("RUST_LOG").output().expect("confbot runs")
}

fn talk<'a>(c: &'a Catalogue, title: &str) -> &'a catalogue::Talk {
    c.talks.iter().find(|t| t.title == title).unwrap_or_else(|| panic!("no talk {title:?}"))
}

/// `/topics`, `/topic` and `/insight topic:` answered nothing over the whole pyvideo archive.
#[test]
fn pyvideo_tags_become_topics_and_topic_django_lists_the_django_talks() {
    let c = load(&[fixture("pyvideo-tags")]);
    let topics = ask(&c, "/topics");
    assert!(topics.ok);
    let listed: Vec<(String, u64)> = topics.resolved["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t["talks"].as_u64().unwrap()))
        .collect();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(
        listed_sorted,
        [("Databases".into(), 3), ("Django".into(), 4), ("Machine Learning".into(), 3), ("testing".into(), 3)],
        "django/Django, database/Databases and machine-learning/Machine Learning are one topic each; event \
         names (pycon, europython-online, PyCon SK), years (pycon2010), \"talk\" and \"python\" are none"
    );

    let django = ask(&c, "/topic name: django");
    assert!(django.ok);
    assert_eq!(django.resolved["topic"], "Django");
    let mut titles: Vec<&str> =
        django.resolved["talks"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            "DjangoProject.com - Ricerca Full-Text con PostgreSQL",
            "The Front-End Revolution",
            "Yet another package for multi-tenancy in Django",
            "django-rdflib and postgresql - the best of both worlds",
        ]
    );
    // /insight topic: now finds the topic; imports bring no insights, and the answer says so.
    let insight = ask(&c, "/insight topic: django");
    assert_eq!(insight.reply.embeds[0].title.as_deref(), Some("No insights yet"));
}

/// The archive's `.schemas` folder became a conference called "Video".
#[test]
fn the_schemas_folder_is_not_a_conference() {
    let imported = import::import(None, &fixture("pyvideo-tags"), &mut |_, _| {}).unwrap();
    let names: Vec<&str> = imported.doc.conferences.iter().map(|c| c.get_ref().name.get_ref().as_str()).collect();
    assert_eq!(names.len(), 10, "{names:?}");
    assert!(!names.contains(&"Video"), "{names:?}");
    assert_eq!(imported.report.adjusted("event folder without videos"), 0);
}

/// 369 pyvideo summaries kept RST links (`` `x <http://…>`__ ``), and `**init**.py` would be
/// bold "init".
#[test]
fn summaries_lose_rst_and_markdown_markup_and_keep_link_text() {
    let c = load(&[fixture("pyvideo-tags")]);
    for t in &c.talks {
        for p in &t.summary {
            for mark in ["`", "**", "<http", "](http", "\n.. ", "__ ", ">`_"] {
                assert!(!p.contains(mark), "{:?} keeps {mark:?}: {p}", t.title);
            }
        }
    }
    let front_end = talk(&c, "The Front-End Revolution");
    assert_eq!(
        front_end.summary,
        ["You can find more about this talk on djangocon.eu. This video is hosted by opbeat.com."]
    );
    let script = talk(&c, "Script, Library, or Executable: You can have it all!");
    assert!(script.summary.iter().any(|p| p.contains("the Unix wc tool")), "{:?}", script.summary);
    // A link to the talk's own material is kept as a link of the talk, by its text.
    let packaging = talk(&c, "How to build, test and publish an open source Python library");
    assert!(packaging.summary.last().unwrap().ends_with("Detailed notes to accompany this talk"));
    let notes = packaging.links.iter().find(|l| l.kind == LinkKind::Code).expect("a code link");
    assert_eq!(notes.url.as_deref(), Some("https://github.com/simonw/pygotham-packaging"));
    assert_eq!(notes.label.as_deref(), Some("Detailed notes to accompany this talk"));
}

/// A talk's main video link was an expired signed archive.org address, although a YouTube
/// recording exists.
#[test]
fn durable_links_come_before_expiring_signed_ones() {
    let c = load(&[fixture("pyvideo-tags")]);
    let genie = talk(&c, "Genie");
    let urls: Vec<&str> = genie.links.iter().filter_map(|l| l.url.as_deref()).collect();
    assert_eq!(urls[0], "https://www.youtube.com/watch?v=dFyD8--zs84");
    assert!(urls[1].contains("Signature=") && urls[1].contains("Expires="), "{urls:?}");
    let card = ask(&c, "/talk title: Genie");
    assert_eq!(card.reply.embeds[0].url.as_deref(), Some("https://www.youtube.com/watch?v=dFyD8--zs84"));
}

/// 36C3 has 1,351 `<url>` entries and none became a link; DebConf 23 none of 117. Relative
/// attachment paths were dropped.
#[test]
fn xml_exports_keep_each_talks_page_and_join_relative_attachments() {
    let c = load(&[fixture("schedules/36c3_schedule.xml")]);
    assert_eq!(c.talks.len(), 8);
    for t in &c.talks {
        let page = t.links.iter().find(|l| l.kind == LinkKind::Website).unwrap_or_else(|| panic!("{}", t.title));
        let url = page.url.as_deref().unwrap();
        assert!(
            url.starts_with("https://fahrplan.events.ccc.de/congress/2019/Fahrplan/events/") || url.contains("wiki"),
            "{url}"
        );
        assert_eq!(page.label.as_deref(), Some("Schedule"));
    }
    let sim = talk(&c, "SIM card technology from A-Z");
    let slides = sim.links.iter().find(|l| l.kind == LinkKind::Slides).expect("the relative attachment");
    assert_eq!(
        slides.url.as_deref(),
        Some("https://fahrplan.events.ccc.de/system/event_attachments/attachments/000/004/063/original/36c3-sim_card_technology_from_A_to_Z.pdf?1577525210")
    );
    let plundervolt = talk(&c, "Plundervolt: Flipping Bits from Software without Rowhammer");
    assert!(plundervolt.links.iter().all(|l| !l.url.as_deref().unwrap_or_default().ends_with("missing.png")));
    let swapped = talk(&c, "Hack_Curio");
    assert!(swapped.links.iter().any(|l| l.url.as_deref() == Some("https://hackcur.io/")));
    // `<link>https://www.borgbackup.org/</link>`: no href, the address is the text.
    let borg = talk(&c, "Borgbackup");
    assert!(borg.links.iter().any(|l| l.url.as_deref() == Some("https://www.borgbackup.org/")), "{:?}", borg.links);

    let debconf = load(&[fixture("schedules/debconf23_schedule.xml")]);
    assert_eq!(debconf.talks.len(), 5);
    assert!(debconf.talks.iter().all(|t| t.links.iter().any(|l| l.kind == LinkKind::Website
        && l.url.as_deref().is_some_and(|u| u.starts_with("https://debconf23.debconf.org/")))));
    let names: Vec<&str> = debconf.topics.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"Security") && !names.contains(&"No Track") && !names.contains(&"Other"), "{names:?}");
    let heritage = talk(&debconf, "Software Heritage: building a community to safeguard the Software Commons");
    assert!(heritage.summary[0].starts_with("Since its inception in 2015, the Software Heritage project has been"));
}

/// A folder of exports holding one unrelated JSON file (c3voc's schema) was refused whole.
#[test]
fn a_folder_with_a_json_schema_imports_its_exports() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["frab-camp2019.json", "36c3_schedule.xml"] {
        std::fs::copy(fixture("schedules").join(name), dir.path().join(name)).unwrap();
    }
    // The head of c3voc's schema.json: it names "schedule" and "conference", as exports do.
    let schema = r##"{
  "$schema": "http://json-schema.org/draft-06/schema#",
  "$id": "https://c3voc.de/schedule/schema.json",
  "type": "object",
  "properties": {"schedule": {"$ref": "#/definitions/Schedule"}},
  "definitions": {"Schedule": {"properties": {"conference": {"$ref": "#/definitions/Conference"}}}}
}"##;
    std::fs::write(dir.path().join("schema.json"), schema).unwrap();
    let c = load(&[dir.path().to_owned()]);
    assert_eq!(c.counts().conferences, 2);
    assert_eq!(import::detect(&dir.path().join("schema.json")), None);

    let out = dir.path().join("out.toml");
    let run = confbot(&["import".as_ref(), "auto".as_ref(), dir.path().as_os_str(), "-o".as_ref(), out.as_os_str()]);
    let summary = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{summary}{}", String::from_utf8_lossy(&run.stderr));
    assert!(summary.contains("imported 2 conferences"), "{summary}");
    assert!(summary.contains("schema.json: a JSON Schema, not an export"), "{summary}");
}

/// Sessionize conferences were named by lower-casing the file name.
#[test]
fn sessionize_names_come_from_the_export_or_the_name_option() {
    let file = fixture("schedules/ddd-melbourne-2024_sessionize_all.json");
    let imported = import::import(None, &file, &mut |_, _| {}).unwrap();
    assert_eq!(imported.doc.conferences[0].get_ref().name.get_ref(), "DDD Melbourne 2024");
    assert_eq!(imported.report.adjusted("conference named after its file (give --name to name it)"), 1);

    let options = import::Options { name: Some("DDD Melbourne 2024 (Sessionize)".into()), ..Default::default() };
    let named = import::import_sources(std::slice::from_ref(&file), &options, &mut |_, _| {}).unwrap();
    assert_eq!(named.doc.conferences[0].get_ref().name.get_ref(), "DDD Melbourne 2024 (Sessionize)");
    assert_eq!(named.report.adjusted("conference named after its file (give --name to name it)"), 0);

    let dir = tempfile::tempdir().unwrap();
    let with_name = dir.path().join("export.json");
    let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    value["name"] = "DDD Melbourne".into();
    std::fs::write(&with_name, value.to_string()).unwrap();
    let imported = import::import(Some(Format::Sessionize), &with_name, &mut |_, _| {}).unwrap();
    assert_eq!(imported.doc.conferences[0].get_ref().name.get_ref(), "DDD Melbourne");

    // One name for two conferences is refused.
    let two = [file, fixture("schedules/global-azure-austria-2024_sessionize_all.json")];
    let e = import::import_sources(&two, &options, &mut |_, _| {}).unwrap_err();
    assert!(e.to_string().contains("--name names one conference, and this import holds 2"), "{e}");
}

/// Catalogues imported apart could not be loaded together: topic ids like `ccc` and talk ids
/// like `opening-ceremony` clashed.
#[test]
fn separately_imported_catalogues_load_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for name in ["schedules/frab-camp2019.json", "schedules/36c3_schedule.xml", "schedules/debconf23_schedule.xml"] {
        let imported = import::import(None, &fixture(name), &mut |_, _| {}).unwrap();
        let out = dir.path().join(format!("{}.toml", outputs.len()));
        std::fs::write(&out, catalogue::write::to_toml(&imported.doc).unwrap()).unwrap();
        outputs.push(out);
    }
    let c = load(&outputs);
    assert_eq!(c.counts().conferences, 3);
    for id in ["camp2019-opening-ceremony", "36c3-opening-ceremony", "debconf23-opening-ceremony"] {
        assert!(c.talk_by_id(id).is_some(), "no talk {id}");
    }
    let topic_ids: Vec<&str> = c.topics.iter().map(|t| t.id.as_str()).collect();
    for id in ["camp2019-ccc", "36c3-ccc", "36c3-security", "debconf23-security"] {
        assert!(topic_ids.contains(&id), "no topic {id} in {topic_ids:?}");
    }
}

/// `confbot import` took one source only, and its hint for a folder gave the `--data` syntax.
#[test]
fn the_import_command_takes_several_sources_into_one_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ccc.toml");
    let camp = fixture("schedules/frab-camp2019.json");
    let congress = fixture("schedules/36c3_schedule.xml");
    let run = confbot(&[
        "import".as_ref(),
        "frab".as_ref(),
        camp.as_os_str(),
        congress.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    let summary = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{summary}{}", String::from_utf8_lossy(&run.stderr));
    assert!(summary.contains("imported 2 conferences, 17 talks"), "{summary}");
    let c = load(&[out]);
    assert_eq!(c.topics.iter().filter(|t| t.name == "CCC").count(), 1, "imported together: one CCC topic");

    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), "nothing to import").unwrap();
    let run = confbot(&["import".as_ref(), "auto".as_ref(), empty.path().as_os_str()]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(err.contains("confbot import FORMAT FILE... -o OUT") && !err.contains("FORMAT:PATH"), "{err}");
}
