//! `/daily set | show | off | now | preview`, through the store and the delivery loop.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use confbot::catalogue::Catalogue;
use confbot::commands::{find, Invocation, OptionKind};
use confbot::daily::{Origin, Status};
use confbot::reply::{render, violations};
use confbot::store::Store;

use super::{catalogue, ids, schedule, simulate, utc, Answer, Fake};

const GUILD: u64 = 7;

fn daily(sub: &str, options: &[(&str, &str)]) -> Invocation {
    options.iter().fold(Invocation::new("daily").with("subcommand", sub), |inv, (k, v)| inv.with(k, *v))
}

/// Everything the reply says, for assertions.
fn text(answer: &Answer) -> String {
    let m = render(&answer.reply);
    assert!(violations(&m).is_empty(), "{:?}", violations(&m));
    serde_json::to_string(&m).unwrap()
}

fn run(store: &Store, c: &Catalogue, now: DateTime<Utc>, inv: &Invocation) -> Answer {
    let answer = super::daily_command(store, c, now, GUILD, inv);
    assert!(answer.reply.ephemeral, "admin answers are private");
    answer
}

/// Tuesday 4 June 2024, 08:00 in Berlin.
fn morning() -> DateTime<Utc> {
    utc("2024-06-04T06:00:00Z")
}

#[test]
fn the_definition_has_every_subcommand_and_is_for_admins() {
    let def = find("daily").unwrap();
    assert!(def.admin);
    let subs: Vec<&str> = def.options.iter().map(|o| o.name).collect();
    assert_eq!(subs, ["set", "show", "off", "now", "preview"]);
    let OptionKind::Subcommand(set) = def.option("set").unwrap().kind else { panic!("set is a subcommand") };
    assert_eq!(set.iter().find(|o| o.name == "channel").unwrap().kind, OptionKind::Channel);
    let line = confbot::commands::parse_line("/daily set channel: 123 time: 09:00 timezone: Europe/Berlin").unwrap();
    assert_eq!(line.get("subcommand"), Some("set"));
    assert_eq!(line.get("timezone"), Some("Europe/Berlin"));
    let zones = confbot::commands::complete(&catalogue(ids("a", 2)), "daily", "timezone", "berl");
    assert_eq!(zones[0].value, "Europe/Berlin");
}

#[test]
fn set_explains_bad_settings_and_changes_nothing() {
    let store = Store::open_in_memory().unwrap();
    let c = catalogue(ids("a", 4));
    let bad =
        daily("set", &[("channel", "<#555>"), ("time", "9am"), ("timezone", "Europe/Berln"), ("topic", "nope nope")]);
    let answer = run(&store, &c, morning(), &bad);
    let said = text(&answer);
    assert!(!answer.wake);
    assert!(said.contains("HH:MM") && said.contains("Europe/Berlin") && said.contains("/topics"), "{said}");
    assert!(store.entry(GUILD).unwrap().is_none());
    let no_channel = daily("set", &[("channel", "general"), ("time", "09:00"), ("timezone", "UTC")]);
    assert!(text(&run(&store, &c, morning(), &no_channel)).contains("Copy Channel ID"));
}

#[test]
fn set_persists_across_restarts_and_overrides_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let c = catalogue(ids("a", 4));
    {
        let store = Store::open(&path).unwrap();
        store.sync_config(&[schedule(GUILD, "UTC", "06:00")], morning()).unwrap();
        let set =
            daily("set", &[("channel", "<#555>"), ("time", "18:30"), ("timezone", "europe/berlin"), ("topic", "Even")]);
        let answer = run(&store, &c, morning(), &set);
        assert!(answer.wake);
        assert_eq!(answer.check_channel, Some(555), "the edge checks the bot can post there");
        assert!(confbot::commands::daily::cannot_post(555, &["Send Messages"]).contains("missing Send Messages"));
        let said = text(&answer);
        assert!(
            said.contains("<#555>") && said.contains("18:30 Europe/Berlin") && said.contains("topic Even"),
            "{said}"
        );
        assert!(said.contains("Tue 4 Jun 2024 18:30 CEST (16:30 UTC)"), "{said}");
    }
    let store = Store::open(&path).unwrap();
    store.sync_config(&[schedule(GUILD, "UTC", "06:00")], morning()).unwrap();
    let entry = store.entry(GUILD).unwrap().unwrap();
    assert_eq!(entry.origin, Origin::Discord);
    assert_eq!((entry.schedule.channel_id, entry.schedule.topic.as_deref()), (555, Some("even")));
    assert_eq!(entry.schedule.when(), "18:30 Europe/Berlin");
}

#[tokio::test]
async fn show_off_now_and_preview() {
    let store = Store::open_in_memory().unwrap();
    let c = Arc::new(catalogue(ids("a", 5)));
    let said = text(&run(&store, &c, morning(), &daily("show", &[])));
    assert!(said.contains("/daily set"), "{said}");
    run(&store, &c, morning(), &daily("set", &[("channel", "555"), ("time", "09:00"), ("timezone", "Europe/Berlin")]));

    let show = text(&run(&store, &c, morning(), &daily("show", &[])));
    assert!(show.contains("Tue 4 Jun 2024 09:00 CEST (07:00 UTC)"), "{show}");
    assert!(show.contains("5 of 5 items left before it repeats"), "{show}");

    // The preview is what will be posted.
    let preview = text(&run(&store, &c, morning(), &daily("preview", &[("count", "4")])));
    assert!(preview.contains("Tue 4 Jun 09:00") && preview.contains("Fri 7 Jun 09:00"), "{preview}");
    let fake = Fake::new(morning());
    simulate(&store, &fake, |_| c.clone(), morning(), morning() + Duration::hours(2), &[]).await;
    let posted = &fake.messages()[0];
    let first = posted.body["embeds"][0]["description"].as_str().unwrap().trim_start_matches("> ").to_owned();
    let first_line = preview.split("\\n").nth(1).unwrap().to_owned();
    assert!(first_line.contains(&first), "{first_line} / {first}");

    // After the post: the last post with its link, one item fewer.
    let later = morning() + Duration::hours(2);
    let show = text(&run(&store, &c, later, &daily("show", &[])));
    assert!(show.contains(&format!("discord.com/channels/{GUILD}/555/{}", posted.id)), "{show}");
    assert!(show.contains("4 of 5 items left") && show.contains("Wed 5 Jun 2024 09:00"), "{show}");

    // /daily now when today is done says so and posts nothing.
    let again = run(&store, &c, later, &daily("now", &[]));
    assert!(text(&again).contains("already posted"));

    // Off: nothing more is posted, and show says so.
    assert!(run(&store, &c, later, &daily("off", &[])).wake);
    assert!(text(&run(&store, &c, later, &daily("show", &[]))).contains("(off)"));
    simulate(&store, &fake, |_| c.clone(), later, later + Duration::days(3), &[]).await;
    assert_eq!(fake.messages().len(), 1);
    assert!(text(&run(&store, &c, later, &daily("now", &[]))).contains("No daily highlight is set here"));
}

#[tokio::test]
async fn now_posts_at_once_and_counts_as_todays() {
    let store = Store::open_in_memory().unwrap();
    let c = Arc::new(catalogue(ids("a", 5)));
    run(&store, &c, morning(), &daily("set", &[("channel", "555"), ("time", "09:00"), ("timezone", "Europe/Berlin")]));
    let answer = run(&store, &c, morning(), &daily("now", &[]));
    assert!(answer.wake && text(&answer).contains("counts as today"));
    let fake = Fake::new(morning());
    simulate(&store, &fake, |_| c.clone(), morning(), morning() + Duration::hours(30), &[]).await;
    let at: Vec<_> = fake.messages().iter().map(|m| m.at).collect();
    // 08:00 (asked), nothing at 09:00, then 09:00 the next day.
    assert_eq!(at, [morning(), utc("2024-06-05T07:00:00Z")]);
    assert!(store.recent_posts(GUILD, 5).unwrap().iter().all(|p| p.status == Status::Sent));
}
