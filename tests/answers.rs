//! Right answers on the catalogues organisers bring: several conferences at once, shared
//! titles, and imported exports. Each test is a wrong answer seen on real data, now right.

use confbot::catalogue::{parse_str, Catalogue};
use confbot::commands::{self, complete, custom_id, parse_line, Context, Outcome};
use confbot::sources::{self, Source};
use serde_json::Value;

fn ask(c: &Catalogue, line: &str) -> Outcome {
    let mut rng = fastrand::Rng::with_seed(3);
    let mut ctx = Context::new(c, &mut rng);
    commands::run(&mut ctx, &parse_line(line).unwrap())
}

/// Three CCC events side by side, as trimmed real exports (tests/fixtures/schedules).
fn congresses() -> Catalogue {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schedules");
    let files = ["31c3_schedule.xml", "hub-schedule2.json", "frab-camp2019.json"];
    sources::load(&files.map(|f| Source::Path(dir.join(f)))).unwrap()
}

fn title(o: &Outcome) -> String {
    o.reply.embeds.first().and_then(|e| e.title.clone()).unwrap_or_default()
}

fn buttons(o: &Outcome) -> Vec<String> {
    o.reply
        .buttons
        .iter()
        .filter_map(|b| match b {
            confbot::reply::Button::Action { custom_id, .. } => Some(custom_id.clone()),
            confbot::reply::Button::Link { .. } => None,
        })
        .collect()
}

/// `/topics conference: 31c3` answered with 38C3's topics: a fuzzy name match beat the id.
#[test]
fn a_conference_answers_to_its_id_and_short_forms_before_anything_fuzzy() {
    let c = congresses();
    for typed in ["31c3", "31C3", "31. chaos communication congress", "id:31c3"] {
        let o = ask(&c, &format!("/topics conference: {typed}"));
        assert_eq!(title(&o), "Topics of 31. Chaos Communication Congress", "{typed}");
        assert_eq!(
            o.resolved["conference"],
            serde_json::json!({"id": "31c3", "name": "31. Chaos Communication Congress"})
        );
    }
    assert_eq!(ask(&c, "/topics conference: 38c3").resolved["conference"]["id"], "38c3");
    assert_eq!(ask(&c, "/topics conference: camp 2019").resolved["conference"]["id"], "camp2019");
    assert_eq!(ask(&c, "/topics").resolved["conference"], Value::Null);
}

/// `conference: ddd` said "Several conferences match…" with no way to choose.
#[test]
fn an_ambiguous_conference_is_offered_as_buttons_that_rerun_the_command() {
    let c = congresses();
    let o = ask(&c, "/search query: security conference: ccc");
    assert!(!o.ok);
    assert!(title(&o).starts_with("Which conference did you mean"), "{}", title(&o));
    assert_eq!(o.resolved["conference"], Value::Null);
    let ids = buttons(&o);
    assert_eq!(ids.len(), 2, "{ids:?}");
    for id in ids {
        let inv = custom_id::decode(&id).unwrap();
        assert_eq!(inv.name, "search");
        assert_eq!(inv.get("query"), Some("security"));
        assert!(inv.get("conference").unwrap().starts_with("id:"));
    }
}

/// `/topic name: security conference: 36c3` answered "0 talks": another conference's
/// "Security" topic won over the congress's own track.
#[test]
fn a_topic_is_found_among_the_filtered_conferences_topics() {
    let c = congresses();
    let o = ask(&c, "/topic name: security conference: 31c3");
    assert!(o.ok);
    assert_eq!(o.resolved["topic"], "Security & Hacking");
    let talks = o.resolved["talks"].as_array().unwrap();
    assert!(!talks.is_empty(), "{}", title(&o));
    let conference = c.conference_by_id("31c3").unwrap();
    for t in talks {
        assert!(c.talks.iter().any(|k| k.conference == conference && k.title == t.as_str().unwrap()), "{t}");
    }
}

/// Every command with the filter answers from that conference only.
#[test]
fn filters_are_strict() {
    let c = congresses();
    let conference = c.conference_by_id("31c3").unwrap();
    let of_31c3 = |t: &str| c.talks.iter().any(|k| k.conference == conference && k.title == t);
    for result in ask(&c, "/search query: the conference: 31c3").resolved["results"].as_array().unwrap() {
        assert!(of_31c3(result.as_str().unwrap()), "{result}");
    }
    let talk = ask(&c, "/talk title: opening conference: 31c3");
    assert!(of_31c3(talk.resolved["talk"]["title"].as_str().unwrap_or("")), "{}", talk.resolved);
    let elsewhere = c.talks.iter().find(|t| t.conference != conference).unwrap();
    let o = ask(&c, &format!("/talk title: id:{} conference: 31c3", elsewhere.id));
    assert!(!o.ok, "a talk of another conference, by id, is not an answer within 31c3");
}

/// A catalogue where titles repeat across and within conferences, as in the pyvideo archive.
fn shared_titles() -> Catalogue {
    let mut text = String::new();
    for (conf, year) in [("pycon-us-2019", 2019), ("pybeach-2025", 2025)] {
        text.push_str(&format!("[[conferences]]\nid = \"{conf}\"\nname = \"{conf}\"\nyear = {year}\n\n"));
    }
    let talks = [
        ("k1", "pycon-us-2019", "Keynote", "Ann Author"),
        ("k2", "pycon-us-2019", "Keynote", "Bob Builder"),
        ("k3", "pybeach-2025", "Keynote", "Cat Coder"),
        ("l1", "pycon-us-2019", "Lightning Talks - Friday", "Dee Dev"),
        ("l2", "pycon-us-2019", "Lightning Talks - Saturday", "Dee Dev"),
        ("l3", "pycon-us-2019", "Sunday Lightning Talks", "Dee Dev"),
        ("l4", "pybeach-2025", "Lightning Talks", "Eve Ops"),
    ];
    for (id, conf, title, speaker) in talks {
        let sid = speaker.to_lowercase().replace(' ', "-");
        if !text.contains(&format!("id = \"{sid}\"")) {
            text.push_str(&format!("[[speakers]]\nid = \"{sid}\"\nname = \"{speaker}\"\n\n"));
        }
        text.push_str(&format!(
            "[[talks]]\nid = \"{id}\"\nconference = \"{conf}\"\ntitle = \"{title}\"\nspeakers = [\"{sid}\"]\nrecorded = {}-05-01\n\n",
            &conf[conf.len() - 4..]
        ));
    }
    parse_str("shared.toml", &text).unwrap()
}

/// `/talk title: keynote conference: PyCon US 2019` answered PyBeach 2025's keynote, and
/// `lightning talks` within PyCon US 2019 answered "No talk matches".
#[test]
fn shared_titles_are_offered_within_the_filter_never_picked() {
    let c = shared_titles();
    let o = ask(&c, "/talk title: keynote conference: PyCon US 2019");
    assert!(!o.ok, "two keynotes share the title: a choice, not a pick");
    let ids = buttons(&o);
    assert_eq!(ids, ["c1:talk:k1", "c1:talk:k2"]);
    let only = ask(&c, "/talk title: keynote conference: pybeach 2025");
    assert_eq!(only.resolved["talk"]["id"], "k3");
    let lightning = ask(&c, "/talk title: lightning talks conference: pycon us 2019");
    let mut offered = buttons(&lightning);
    offered.sort();
    assert_eq!(offered, ["c1:talk:l1", "c1:talk:l2", "c1:talk:l3"]);
}

/// A speaker's talks come newest first, and `/speaker` takes the conference filter.
#[test]
fn a_speakers_talks_are_newest_first_and_filterable() {
    let c = shared_titles();
    let mut text = String::from("[[conferences]]\nid = \"a\"\nname = \"A\"\nyear = 2010\n[[conferences]]\nid = \"b\"\nname = \"B\"\nyear = 2020\n");
    text.push_str("[[speakers]]\nid = \"s\"\nname = \"Sam Speaker\"\n");
    for (id, conf, day) in [("old", "a", "2010-01-01"), ("new", "b", "2020-01-01"), ("mid", "a", "2015-01-01")] {
        text.push_str(&format!("[[talks]]\nid = \"{id}\"\nconference = \"{conf}\"\ntitle = \"Talk {id}\"\nspeakers = [\"s\"]\nrecorded = {day}\n"));
    }
    let two = parse_str("two.toml", &text).unwrap();
    let o = ask(&two, "/speaker name: sam speaker");
    let shown = o.reply.embeds[0].description.clone().unwrap();
    let (new, mid, old) =
        (shown.find("Talk new").unwrap(), shown.find("Talk mid").unwrap(), shown.find("Talk old").unwrap());
    assert!(new < mid && mid < old, "{shown}");
    let within = ask(&two, "/speaker name: sam speaker conference: a");
    let shown = within.reply.embeds[0].description.clone().unwrap();
    assert!(!shown.contains("Talk new") && shown.contains("Talk old"), "{shown}");
    assert_eq!(within.resolved["conference"]["id"], "a");
    assert!(ask(&c, "/speaker name: cat coder conference: pycon us 2019").resolved["speaker"].is_null());
}

/// `/insight` on an imported catalogue answered nothing useful; its autocomplete offered
/// topics and speakers with no insight at all.
#[test]
fn insight_explains_an_empty_catalogue_and_completes_only_what_has_insights() {
    let o = ask(&congresses(), "/insight");
    assert_eq!(title(&o), "No insights yet");
    let text = o.reply.embeds[0].description.clone().unwrap();
    assert!(text.contains("[[insights]]") && text.contains("docs/catalogue.md"), "{text}");
    let c = Catalogue::embedded();
    let with_insights = |topic: &str| {
        c.insights.iter().any(|i| c.talks[i.talk].topics.iter().any(|&t| format!("id:{}", c.topics[t].id) == topic))
    };
    let offered = complete(&c, "insight", "topic", "");
    assert!(!offered.is_empty() && offered.len() < c.topics.len());
    assert!(offered.iter().all(|choice| with_insights(&choice.value)), "{offered:?}");
}
