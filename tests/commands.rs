//! The command core end to end: every seed talk is answerable, and no input — catalogue entry
//! or hostile option — yields a payload that breaks Discord's limits.

use confbot::catalogue::{parse_str, Catalogue};
use confbot::commands::{self, complete, custom_id, parse_line, Context, Invocation, Outcome, COMMANDS};
use confbot::reply::{self, limits, violations};

fn ask(c: &Catalogue, line: &str) -> Outcome {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut ctx = Context::new(c, &mut rng);
    commands::run(&mut ctx, &parse_line(line).unwrap())
}

fn run(c: &Catalogue, inv: &Invocation) -> Outcome {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut ctx = Context::new(c, &mut rng);
    commands::run(&mut ctx, inv)
}

fn assert_valid(what: &str, outcome: &Outcome) {
    let message = reply::render(&outcome.reply);
    let problems = violations(&message);
    assert!(problems.is_empty(), "{what}: {problems:?}");
    assert!(message.allowed_mentions.parse.is_empty());
    if !outcome.ok {
        assert_eq!(message.flags & limits::EPHEMERAL, limits::EPHEMERAL, "{what}: failures are ephemeral");
    }
}

#[test]
fn every_seed_talk_is_found_by_title_and_by_speaker() {
    let c = Catalogue::embedded();
    for (ix, talk) in c.talks.iter().enumerate() {
        let by_title = ask(&c, &format!("/talk title: {}", talk.title));
        if talk.title == "Keynote" {
            assert!(by_title.ok);
        }
        assert_eq!(by_title.resolved["talk"]["title"], talk.title.as_str(), "{}", talk.title);
        for &s in &talk.speakers {
            let name = &c.speakers[s].name;
            let found = ask(&c, &format!("/speaker name: {name}"));
            assert_eq!(found.resolved["speaker"], name.as_str());
            let text = serde_json::to_string(&reply::render(&found.reply)).unwrap();
            assert!(text.contains(&talk.title.replace('"', "\\\"")), "{name}'s card lists {}", talk.title);
        }
        let by_id = run(&c, &Invocation::new("talk").with("title", format!("id:{}", talk.id)));
        assert_eq!(by_id.resolved["talk"]["title"], c.talks[ix].title.as_str());
    }
}

#[test]
fn approximate_speaker_names_resolve() {
    let c = Catalogue::embedded();
    for (query, expected) in [
        ("lukasz langa", "Łukasz Langa"),
        ("simon wilison", "Simon Willison"),
        ("Langa Łukasz", "Łukasz Langa"),
        ("willison", "Simon Willison"),
        ("pablo salgado", "Pablo Galindo Salgado"),
        ("JODIE BURCHELL", "Jodie Burchell"),
        ("Jodi Burchel", "Jodie Burchell"),
        ("anth shaw", "Anthony Shaw"),
    ] {
        assert_eq!(ask(&c, &format!("/speaker name: {query}")).resolved["speaker"], expected, "{query}");
    }
    let none = ask(&c, "/speaker name: Grace Hopper");
    assert!(!none.ok);
    assert_eq!(none.resolved["speaker"], serde_json::Value::Null);
}

#[test]
fn unsure_lookups_offer_choices_as_buttons() {
    let dir_text = "[[conferences]]\nid = \"c\"\nname = \"C\"\n\
        [[speakers]]\nid = \"a\"\nname = \"Anna Smith\"\n[[speakers]]\nid = \"b\"\nname = \"Anna Jones\"\n\
        [[talks]]\nid = \"t1\"\ntitle = \"One\"\nspeakers = [\"a\"]\n[[talks]]\nid = \"t2\"\ntitle = \"Two\"\nspeakers = [\"b\"]\n";
    let c = parse_str("two-annas.toml", dir_text).unwrap();
    let outcome = ask(&c, "/speaker name: anna");
    assert!(!outcome.ok);
    let message = reply::render(&outcome.reply);
    let ids: Vec<String> =
        message.components.iter().flat_map(|r| &r.components).filter_map(|b| b.custom_id.clone()).collect();
    assert_eq!(ids.len(), 2, "{message:?}");
    for id in ids {
        let inv = custom_id::decode(&id).unwrap();
        assert!(run(&c, &inv).ok, "a did-you-mean button answers");
    }
}

#[test]
fn topics_topic_insight_search_about_help_answer() {
    let c = Catalogue::embedded();
    let topics = ask(&c, "/topics");
    assert_eq!(topics.resolved["topics"].as_array().unwrap().len(), 6);
    // Largest first now (issue: topics at archive scale); the AI topic is among them with its two talks.
    let listed = topics.resolved["topics"].as_array().unwrap();
    assert!(listed.contains(&serde_json::json!({"name": "AI", "talks": 2})), "{listed:?}");
    assert!(listed.windows(2).all(|w| w[0]["talks"].as_u64() >= w[1]["talks"].as_u64()), "{listed:?}");
    let ai = ask(&c, "/topic name: ai");
    assert_eq!(ai.resolved["topic"], "AI");
    assert_eq!(ai.resolved["talks"], serde_json::json!(["Keynote", "Lies, damned lies and large language models"]));
    assert_eq!(ask(&c, "/topic name: typing").resolved["topic"], "Typing System");
    let insight = ask(&c, "/insight topic: AI");
    assert_eq!(insight.resolved["insight"]["kind"], "quote");
    assert_eq!(insight.resolved["insight"]["speaker"], "Simon Willison");
    let by_speaker = ask(&c, "/insight speaker: yury");
    assert_eq!(by_speaker.resolved["insight"]["talk"], "Overcoming GIL with subinterpreters and immutability");
    let search = ask(&c, "/search query: subinterpreters");
    assert_eq!(search.resolved["results"].as_array().unwrap().len(), 2);
    assert!(ask(&c, "/about").ok);
    assert!(ask(&c, "/help").ok);
    assert!(!ask(&c, "/reload").ok, "admin commands need Discord");
}

#[test]
fn insight_never_repeats_in_a_row_when_there_is_a_choice() {
    let c = Catalogue::embedded();
    let mut rng = fastrand::Rng::with_seed(1);
    let mut last = None;
    for _ in 0..200 {
        let mut ctx = Context { last_insight: last.clone(), ..Context::new(&c, &mut rng) };
        let outcome = commands::run(&mut ctx, &Invocation::new("insight"));
        assert!(outcome.shown_insight.is_some());
        assert_ne!(outcome.shown_insight, last);
        last = outcome.shown_insight;
    }
    // With a single candidate, repeating it is the only answer.
    let only =
        commands::run(&mut Context::new(&c, &mut rng), &Invocation::new("insight").with("topic", "ai")).shown_insight;
    let mut ctx = Context { last_insight: only.clone(), ..Context::new(&c, &mut rng) };
    assert_eq!(commands::run(&mut ctx, &Invocation::new("insight").with("topic", "ai")).shown_insight, only);
}

/// A catalogue whose entries are as long and as hostile as the format allows.
fn hostile_catalogue() -> Catalogue {
    let long = "word ".repeat(1000);
    let mut text = String::from("[[conferences]]\nid = \"c\"\nname = \"@everyone Conf\"\n");
    text.push_str("[[topics]]\nid = \"big\"\nname = \"Big **topic** @here\"\n");
    for s in 0..30 {
        text.push_str(&format!("[[speakers]]\nid = \"s{s}\"\nname = \"Speaker {s} <@123> {}\"\n", "ñ".repeat(300)));
    }
    for t in 0..60 {
        let speakers: Vec<String> = (0..30).map(|s| format!("\"s{s}\"")).collect();
        text.push_str(&format!(
            "[[talks]]\nid = \"t{t}\"\ntitle = \"Talk {t} {long}\"\nspeakers = [{}]\ntopics = [\"big\"]\nsummary = [\"{long}\", \"{long}\"]\nlinks = [{}]\n",
            speakers.join(", "),
            (0..6).map(|i| format!("{{ kind = \"video\", label = \"{long}\", url = \"https://example.org/{i}/{}\" }}", "x".repeat(480))).collect::<Vec<_>>().join(", ")
        ));
        for i in 0..2 {
            text.push_str(&format!(
                "[[insights]]\nid = \"i{t}-{i}\"\ntext = \"{long} @everyone\"\ntalk = \"t{t}\"\nspeaker = \"s0\"\n"
            ));
        }
    }
    parse_str("hostile.toml", &text).unwrap()
}

const HOSTILE: &[&str] = &[
    "",
    " ",
    "@everyone",
    "<@&123456> @here",
    "**bold** `code` ~~strike~~ ||spoiler|| > quote",
    "\u{0}\u{1}\u{7}\u{1b}[31m",
    "👩‍👩‍👧‍👦🏳️‍🌈🎉",
    "\u{202e}txet lanoitcerid-ib\u{202c} שלום مرحبا",
    "c1:topic:99999999999999999999::big",
    ":::",
    "page:",
];

#[test]
fn no_command_breaks_discord_limits_on_any_input() {
    let huge = "x".repeat(10_000);
    let mut inputs: Vec<String> = HOSTILE.iter().map(std::string::ToString::to_string).collect();
    inputs.push(huge);
    for c in [Catalogue::embedded(), hostile_catalogue()] {
        // Every entry of the catalogue, by id and by name.
        let mut invocations = vec![
            Invocation::new("topics"),
            Invocation::new("about"),
            Invocation::new("help"),
            Invocation::new("insight"),
        ];
        for t in &c.talks {
            invocations.push(Invocation::new("talk").with("title", format!("id:{}", t.id)));
            invocations.push(Invocation::new("talk").with("title", &t.id));
            invocations.push(Invocation::new("talk").with("title", &t.title));
        }
        for s in &c.speakers {
            invocations.push(Invocation::new("speaker").with("name", format!("id:{}", s.id)));
            invocations.push(Invocation::new("speaker").with("name", &s.name).with("page", "3"));
        }
        for t in &c.topics {
            for page in ["0", "1", "999", "-1", "x"] {
                invocations.push(Invocation::new("topic").with("name", format!("id:{}", t.id)).with("page", page));
            }
        }
        // Every option of every command with every hostile value.
        for def in COMMANDS {
            for option in def.options {
                for input in &inputs {
                    invocations.push(Invocation::new(def.name).with(option.name, input.as_str()));
                    let choices = complete(&c, def.name, option.name, input);
                    assert!(choices.len() <= limits::CHOICES);
                    for choice in choices {
                        assert!((1..=100).contains(&choice.name.chars().count()), "{choice:?}");
                        assert!((1..=100).contains(&choice.value.chars().count()), "{choice:?}");
                    }
                }
            }
        }
        for input in &inputs {
            invocations.push(Invocation::new(input));
            if let Ok(inv) = custom_id::decode(input) {
                invocations.push(inv);
            }
        }
        for inv in &invocations {
            let outcome = run(&c, inv);
            assert_valid(&format!("{inv:?}"), &outcome);
            // Every button the reply carries must answer in turn.
            for button in &outcome.reply.buttons {
                if let reply::Button::Action { custom_id, .. } = button {
                    if custom_id.chars().count() <= limits::CUSTOM_ID {
                        let next = custom_id::decode(custom_id).expect("confbot decodes its own buttons");
                        assert_valid(custom_id, &run(&c, &next));
                    }
                }
            }
        }
    }
}

#[test]
fn long_lists_paginate_with_working_buttons() {
    let c = hostile_catalogue();
    let first = run(&c, &Invocation::new("topic").with("name", "big"));
    assert_eq!(first.resolved["talks"].as_array().unwrap().len(), 60);
    let message = reply::render(&first.reply);
    assert!(message.embeds[0].footer.as_ref().unwrap().text.contains("Page 1 of 6"));
    let next = message.components[0].components.iter().find(|b| b.label.contains("Next")).unwrap();
    let page2 = run(&c, &custom_id::decode(next.custom_id.as_ref().unwrap()).unwrap());
    let footer = reply::render(&page2.reply).embeds[0].footer.clone().unwrap().text;
    assert!(footer.contains("Page 2 of 6"), "{footer}");
}

#[test]
fn autocomplete_ranks_and_bounds_choices() {
    let c = Catalogue::embedded();
    let names = |cmd: &str, opt: &str, partial: &str| -> Vec<String> {
        complete(&c, cmd, opt, partial).into_iter().map(|ch| ch.name).collect()
    };
    assert_eq!(names("speaker", "name", "lang").first().map(String::as_str), Some("Łukasz Langa"));
    assert_eq!(names("topic", "name", "ty"), ["Typing System"]);
    assert!(names("talk", "title", "profil")[0].starts_with("Profiling at the speed of light"));
    assert_eq!(complete(&c, "speaker", "name", "").len(), 11);
    let choice = &complete(&c, "talk", "title", "rewind")[0];
    assert_eq!(choice.value, "id:rewind-python-time-travel-debugger", "values are ids the command resolves exactly");
    assert!(complete(&c, "help", "nothing", "x").is_empty());
}

#[test]
fn a_typed_word_never_lands_on_an_entry_whose_id_it_happens_to_be() {
    let text = "[[conferences]]\nid = \"c\"\nname = \"C\"\n\
        [[speakers]]\nid = \"ann\"\nname = \"Ann Example\"\n[[speakers]]\nid = \"bob\"\nname = \"Bob Example\"\n\
        [[talks]]\nid = \"keynote\"\ntitle = \"Keynote\"\nspeakers = [\"ann\"]\n\
        [[talks]]\nid = \"keynote-2\"\ntitle = \"Keynote\"\nspeakers = [\"bob\"]\n";
    let c = parse_str("keynotes.toml", text).unwrap();
    let typed = ask(&c, "/talk title: keynote");
    assert!(!typed.ok, "two talks are titled Keynote: the user is asked which");
    assert_eq!(typed.resolved["suggestions"].as_array().unwrap().len(), 2);
    let picked = run(&c, &Invocation::new("talk").with("title", "id:keynote-2"));
    assert_eq!(picked.resolved["talk"]["speakers"], serde_json::json!(["Bob Example"]));
    let bare = ask(&c, "/speaker name: bob");
    assert_eq!(bare.resolved["speaker"], "Bob Example");
    assert!(!run(&c, &Invocation::new("talk").with("title", "id:nope")).ok, "a stale id finds nothing");
}
