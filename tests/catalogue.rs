//! Loading and validating catalogues: the embedded default is faithful to the seed, and broken
//! files are refused with every problem located by file, line and column.

use confbot::catalogue::{parse_str, Availability, Catalogue, InsightKind, LinkKind};
use confbot::sources::{self, Source};

fn problems(text: &str) -> Vec<String> {
    match parse_str("test.toml", text) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.iter().map(std::string::ToString::to_string).collect(),
    }
}

#[test]
fn embedded_catalogue_holds_every_seed_fact() {
    let c = Catalogue::embedded();
    let counts = c.counts();
    assert_eq!((counts.conferences, counts.topics, counts.talks, counts.speakers, counts.insights), (1, 6, 11, 11, 4));
    let topics: Vec<&str> = c.topics.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(topics, ["Performance", "Debugging", "API Design", "AI", "Typing System", "Fun"]);
    let seed = include_str!("fixtures/seed-pycon-us-2024-highlights.txt");
    for talk in &c.talks {
        let speakers = c.speaker_names(c.talk_by_id(&talk.id).unwrap());
        let line = format!("- {} - {}", talk.title, speakers);
        assert!(seed.contains(&line), "the seed has no line {line:?}");
        for point in &talk.summary {
            // The seed wraps some points over several lines; compare with line breaks as spaces.
            let flat = seed.replace('\n', " ").replace(" ,", ",");
            assert!(flat.contains(point.as_str()), "summary point not in the seed: {point:?}");
        }
    }
    assert_eq!(c.insights.iter().filter(|i| i.kind == InsightKind::Insight).count(), 3);
    let quote = c.insights.iter().find(|i| i.kind == InsightKind::Quote).unwrap();
    assert_eq!(quote.text, "You shouldn’t need a CS degree to automate stuff with a computer");
    assert_eq!(c.speakers[quote.speaker.unwrap()].name, "Simon Willison");
    for insight in c.insights.iter().filter(|i| i.kind == InsightKind::Insight) {
        assert!(seed.contains(&format!("- Insight: {}", insight.text)), "{}", insight.text);
    }
    assert!(c.speakers.iter().any(|s| s.name == "Łukasz Langa"));

    let talk = |id: &str| &c.talks[c.talk_by_id(id).unwrap()];
    let pending = talk("theory-of-type-hints-revisited");
    assert_eq!(pending.links.len(), 1);
    assert_eq!(pending.links[0].availability, Availability::Pending);
    let typeform = talk("typeform-type-hint-for-type-expressions");
    assert!(typeform
        .links
        .iter()
        .any(|l| l.label.as_deref() == Some("YouTube") && l.availability == Availability::Public));
    assert!(typeform.links.iter().any(|l| l.url.as_deref() == Some("https://peps.python.org/pep-0747/")));
    let apis = talk("the-design-of-everyday-apis");
    assert!(apis.links.iter().any(|l| l.kind == LinkKind::Slides));
    let hublio =
        c.talks.iter().filter(|t| t.links.iter().any(|l| l.availability == Availability::AttendeesOnly)).count();
    assert_eq!(hublio, 8, "eight talks have a Hublio video for attendees");
}

#[test]
fn broken_files_name_file_line_column_and_hint() {
    let cases: &[(&str, &str)] = &[
        ("[[talks]]\nid = \"a\"\ntitel = \"x\"\n", "test.toml:3:1: unknown key `titel`"),
        ("[[speakers]]\nid = \"a\"\nname = \"A\"\n[[speakers]]\nid = \"a\"\nname = \"B\"\n", "test.toml:5:6: duplicate speaker id \"a\", first declared at test.toml:2:6"),
        ("[[conferences]]\nid = \"c\"\nname = \"C\"\n[[talks]]\nid = \"t\"\ntitle = \"T\"\nspeakers = [\"nobody\"]\n", "test.toml:7:13: unknown speaker \"nobody\""),
        ("[[topics]]\nid = \"t\"\nname = \"  \"\n", "test.toml:3:8: topic name is empty"),
        ("[[speakers]]\nid = \"s\"\nname = \"S\"\nurl = \"not a url\"\n", "test.toml:4:7: malformed URL \"not a url\""),
        ("[[speakers]]\nid = \"Bad Id\"\nname = \"S\"\n", "test.toml:2:6: speaker id \"Bad Id\" has characters"),
        ("[[conferences]]\nid = \"c\"\nname = \"C\"\nstart = 2024-05-15T10:00:00\n", "test.toml:4:9: expected a date"),
        ("speakers = 3\n", "test.toml:1:12: `speakers` must be a list, like [\"a\", \"b\"], not a number"),
        ("[[talks]]\nid = \"t\"\ntitle = \"T\"\n", "does not say which conference it belongs to"),
    ];
    for (text, expected) in cases {
        let found = problems(text);
        assert!(found.iter().any(|p| p.contains(expected)), "expected {expected:?} in {found:#?}");
        assert!(found.iter().all(|p| p.contains("hint:")), "every problem has a hint: {found:#?}");
    }
}

/// Regression (issue: every problem at once, in plain words): a broken catalogue took six
/// rounds of `check`, a type error hid every other problem, and the wording was Rust's.
#[test]
fn type_errors_do_not_hide_each_other_and_read_plainly() {
    let text = "[[conferences]]\nid = \"c\"\nname = \"C\"\nyear = \"2025\"\n\n[[talks]]\nid = \"t\"\ntitel = \"T\"\n\n\
                [[insights]]\nid = \"i\"\nkind = \"qoute\"\ntext = \"x\"\ntalk = \"t\"\n\n[[speakers]]\nid = \"s\"\n";
    let found = problems(text);
    let expected = [
        "test.toml:4:8: `year` must be a number like 2025, not text",
        "test.toml:8:1: unknown key `titel`\n  hint: did you mean `title`?",
        "test.toml:12:8: `kind` cannot be “qoute”\n  hint: use one of: insight, quote",
        "test.toml:16:1: this entry has no `name`",
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (got, want) in found.iter().zip(expected) {
        assert!(got.starts_with(want), "{got:?} should start with {want:?}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = "[[conferences]]\nid = \"c\"\nname = \"\"\n[[talks]]\nid = \"t\"\ntitle = \"\"\nspeakers = [\"x\", \"y\"]\ntopics = [\"z\"]\n";
    let found = problems(text);
    assert_eq!(found.len(), 5, "{found:#?}");
}

#[test]
fn several_files_and_directories_load_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[[conferences]]\nid = \"a\"\nname = \"Conf A\"\n[[speakers]]\nid = \"ann\"\nname = \"Ann Example\"\n[[talks]]\nid = \"a1\"\nconference = \"a\"\ntitle = \"Talk A\"\nspeakers = [\"ann\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.toml"),
        "[[conferences]]\nid = \"b\"\nname = \"Conf B\"\n[[talks]]\nid = \"b1\"\nconference = \"b\"\ntitle = \"Talk B\"\nspeakers = [\"ann\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a catalogue").unwrap();
    let c = sources::load(&[Source::Path(dir.path().to_owned()), Source::Embedded]).unwrap();
    assert_eq!(c.counts().conferences, 3);
    let ann = c.speaker_by_id("ann").unwrap();
    assert_eq!(c.talks_of_speaker(ann).len(), 2, "a speaker's talks span files");

    std::fs::write(dir.path().join("c.toml"), "[[conferences]]\nid = \"a\"\nname = \"Again\"\n").unwrap();
    let err = sources::load(&[Source::Path(dir.path().to_owned())]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("c.toml:2:6: duplicate conference id \"a\""), "{text}");
    assert!(text.contains("a.toml:2:6"), "points at the first declaration: {text}");
}

#[test]
fn missing_paths_are_reported() {
    let err = sources::load(&[Source::Path("/nonexistent/confbot.toml".into())]).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/confbot.toml: no such file or directory"));
}

/// Regression (hostile-data issue): hidden control characters, URLs that are not whole
/// addresses, and URLs too long for Discord are `check` errors, each located.
#[test]
fn hidden_characters_and_bad_urls_are_refused_with_their_place() {
    let long = format!("https://example.org/{}", "a".repeat(5000));
    let text = format!(
        "[[conferences]]\nid = \"c\"\nname = \"C\"\nurl = \"https:example.com\"\n\n\
         [[talks]]\nid = \"t\"\ntitle = \"Bell\\u0007 and \\u001b[31mred\"\n\
         links = [{{ kind = \"video\", url = \"{long}\" }}]\n"
    );
    let found = problems(&text);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("test.toml:4:7: malformed URL"), "{found:#?}");
    assert!(found[1].starts_with("test.toml:9:34: URL is 5020 characters long; at most 512"), "{found:#?}");
    assert!(
        found[2].starts_with("test.toml:8:9: talk title contains an invisible control character (U+0007)"),
        "{found:#?}"
    );
}

/// Regression (hostile-data issue): text from a catalogue is shown as written, never as
/// Markdown, and a link's address cannot break out of its link.
#[test]
fn catalogue_text_is_never_markdown_and_links_stay_links() {
    let c = parse_str(
        "test.toml",
        "[[conferences]]\nid = \"c\"\nname = \"C\"\n\n[[topics]]\nid = \"x\"\nname = \"X\"\n\n\
         [[talks]]\nid = \"t\"\ntitle = \"[click](https://evil.com) and __init__\"\ntopics = [\"x\"]\n\
         links = [{ kind = \"slides\", url = \"https://example.org/a)[x](javascript:1\" }]\n",
    )
    .unwrap();
    let mut rng = fastrand::Rng::with_seed(1);
    let ask = |line: &str, rng: &mut fastrand::Rng| {
        let mut ctx = confbot::commands::Context::new(&c, rng);
        let outcome = confbot::commands::run(&mut ctx, &confbot::commands::parse_line(line).unwrap());
        serde_json::to_string(&confbot::reply::render(&outcome.reply)).unwrap()
    };
    let listed = ask("/topic name: X", &mut rng);
    assert!(listed.contains(r"\\[click\\](https://evil.com) and \\_\\_init\\_\\_"), "{listed}");
    let card = ask("/talk title: id:t", &mut rng);
    assert!(card.contains("[Slides](https://example.org/a%29[x]%28javascript:1)"), "{card}");
    let fields = &card[..card.find("components").unwrap()];
    assert!(!fields.contains("](javascript"), "only the declared link is a link: {card}");
}

/// Regression (hostile-data issue): a FIFO or a link to `/dev/zero` named as a catalogue hung or
/// read until memory ran out, and deep TOML gave "recursion limit" with no position.
#[cfg(unix)]
#[test]
fn only_regular_files_are_read_and_deep_toml_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.toml");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let zero = dir.path().join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let deep = dir.path().join("deep.toml");
    std::fs::write(
        &deep,
        format!("[[conferences]]\nid = \"c\"\nname = \"C\"\nx = {}1{}\n", "[".repeat(20_000), "]".repeat(20_000)),
    )
    .unwrap();
    let err = sources::load(&[Source::Path(fifo), Source::Path(zero), Source::Path(deep)]).unwrap_err().to_string();
    assert!(err.contains("fifo.toml: cannot read file: not a regular file (a FIFO)"), "{err}");
    assert!(err.contains("zero.toml: cannot read file: not a regular file (a device)"), "{err}");
    assert!(err.contains("deep.toml:4:37: values nested deeper than 32 levels"), "{err}");
}

/// A large single file is parsed in pieces on every core (issue: load big single files as fast
/// as folders): the result and every problem's position are those of parsing it whole.
#[test]
fn a_large_file_parsed_in_pieces_is_the_same_catalogue_with_the_same_positions() {
    let mut text = String::from("[[conferences]]\nid = \"c\"\nname = \"C\"\n\n");
    for i in 0..9000 {
        text.push_str(&format!(
            "[[speakers]]\nid = \"s{i}\"\nname = \"Speaker {i}\"\n\n[[talks]]\nid = \"t{i}\"\ntitle = \"Talk number {i}\"\n\
             speakers = [\"s{i}\"]\nsummary = [\"{}\"]\nlinks = [{{ kind = \"video\", url = \"https://example.org/{i}\" }}]\n\n",
            "Words about the talk. ".repeat(8)
        ));
    }
    text.push_str("[[talks]]\nid = \"bad\"\ntitle = \"Broken\"\nspeakers = [\"nobody\"]\n");
    assert!(text.len() > 3 << 20, "big enough to be cut into pieces");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    std::fs::write(&path, &text).unwrap();
    let whole = problems(&text);
    let pieces: Vec<String> = sources::load(&[Source::Path(path.clone())])
        .unwrap_err()
        .problems
        .iter()
        .map(|p| p.to_string().replacen(&path.display().to_string(), "test.toml", 1))
        .collect();
    assert_eq!(whole.len(), 1, "{whole:?}");
    assert_eq!(pieces, whole);
    let fixed = text.replace("[\"nobody\"]", "[\"s1\"]");
    std::fs::write(&path, &fixed).unwrap();
    let loaded = sources::load(&[Source::Path(path)]).unwrap();
    let direct = parse_str("big.toml", &fixed).unwrap();
    assert_eq!(loaded.counts(), direct.counts());
    let ids = |c: &Catalogue| {
        c.talks
            .iter()
            .map(|t| format!("{}:{}:{:?}", t.id, t.title, t.links.first().map(|l| &l.url)))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&loaded).len(), 9001);
    assert_eq!(ids(&loaded), ids(&direct));
}

/// Regression: `--data foo:PATH` said "no such file or directory" instead of naming the formats.
#[test]
fn an_unknown_format_name_lists_the_known_ones() {
    let err = sources::load(&[Source::Path("foo:export.json".into())]).unwrap_err().to_string();
    assert!(err.contains("unknown format \"foo\"; use one of: auto, pyvideo"), "{err}");
}
