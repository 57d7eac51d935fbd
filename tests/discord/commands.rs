//! Registration, every command, autocomplete, buttons and /reload, answered through the fake.

use std::time::Duration;

use confbot::config::Config;
use serde_json::{json, Value};

use super::*;
use crate::fake_discord::payloads::{ADMIN_PERMISSIONS, GUILD_ID};

/// A command's options as `(name, value)` pairs.
type Options<'a> = &'a [(&'a str, &'a str)];

fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_".contains(c))
}

/// Checks one command or option list against Discord's registration rules.
fn check_registered(command: &Value) {
    let name = command["name"].as_str().unwrap();
    assert!(valid_name(name), "{name}");
    let description = command["description"].as_str().unwrap().chars().count();
    assert!((1..=100).contains(&description), "{name}");
    let options = command["options"].as_array().cloned().unwrap_or_default();
    assert!(options.len() <= 25, "{name}");
    let first_optional = options.iter().position(|o| o["required"] != true).unwrap_or(options.len());
    assert!(options[first_optional..].iter().all(|o| o["required"] != true), "{name}: required options first");
    for o in &options {
        check_registered(o);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_is_guild_only_and_clears_global_commands() {
    let bot = Bot::guild().await;
    let guild_path = format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands");
    let global_path = format!("/api/v10/applications/{APP_ID}/commands");
    let guild = requests_to(&bot.fake, &guild_path);
    let global = requests_to(&bot.fake, &global_path);
    assert_eq!(guild.len(), 1);
    assert_eq!(global.len(), 1);
    assert!(guild[0].at <= global[0].at, "the guild set is in place before the global one is cleared");
    assert_eq!(global[0].body, json!([]), "global commands are cleared, never filled");

    let body = guild[0].body.as_array().unwrap();
    let names: Vec<&str> = body.iter().map(|c| c["name"].as_str().unwrap()).collect();
    let expected: Vec<&str> = confbot::commands::COMMANDS.iter().map(|c| c.name).collect();
    assert_eq!(names, expected);
    body.iter().for_each(check_registered);
    let reload = body.iter().find(|c| c["name"] == "reload").unwrap();
    assert_eq!(reload["default_member_permissions"], "32", "Manage Server");
    let speaker = body.iter().find(|c| c["name"] == "speaker").unwrap();
    assert_eq!(
        speaker["options"][0],
        json!({
            "type": 3, "name": "name", "description": "The speaker's name", "required": true,
            "autocomplete": true, "min_length": 1, "max_length": 100,
        })
    );
    // Admin commands (the table's `admin`) need Manage Server; the others nothing.
    for c in body {
        let admin = confbot::commands::find(c["name"].as_str().unwrap()).unwrap().admin;
        assert_eq!(c.get("default_member_permissions").is_some(), admin, "{}", c["name"]);
    }

    // The token authorises every call; only GUILDS is asked for.
    assert!(bot.fake.requests().iter().all(|r| r.authorization.as_deref() == Some(&format!("Bot {TOKEN}"))));
    assert_eq!(bot.fake.shared.gateway.lock().unwrap().intents, Some(1));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guild_that_refuses_does_not_stop_the_others() {
    // The fake refuses guild 42 (the bot is not in it); the harness waits for the global clear.
    let fake_guild = 42;
    let bot = Bot::start_with(Config { guild_ids: vec![fake_guild, GUILD_ID], ..Config::default() }, |fake| {
        fake.inject("PUT", &format!("/guilds/{fake_guild}/commands"), 403, 0.0, 10);
    })
    .await;
    let refused = requests_to(&bot.fake, &format!("/api/v10/applications/{APP_ID}/guilds/{fake_guild}/commands"));
    assert_eq!(refused.iter().map(|r| r.status).collect::<Vec<_>>(), vec![403], "a 403 is not retried");
    let guild = requests_to(&bot.fake, &format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands"));
    assert_eq!(guild.len(), 1);
    assert_eq!(guild[0].status, 200);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_guild_ids_commands_are_registered_globally() {
    let bot = Bot::start(Config::default()).await;
    let global = requests_to(&bot.fake, &format!("/api/v10/applications/{APP_ID}/commands"));
    assert_eq!(global.len(), 1);
    assert_eq!(global[0].body.as_array().unwrap().len(), confbot::commands::COMMANDS.len());
    assert!(!bot.fake.requests().iter().any(|r| r.path.contains("/guilds/")));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_is_answered_within_the_window() {
    let bot = Bot::guild().await;
    let cases: &[(&str, Options, &str)] = &[
        ("speaker", &[("name", "simon wilison")], "Simon Willison"),
        ("talk", &[("title", "keynote")], "Keynote"),
        ("topic", &[("name", "AI")], "AI — 2 talks"),
        ("topics", &[], ""),
        ("insight", &[], ""),
        ("search", &[("query", "python")], "results for"),
        ("about", &[], "About confbot"),
        ("help", &[], "confbot commands"),
    ];
    for (name, options, expected_title) in cases {
        let answer = bot.command(name, options).await;
        assert_eq!(answer.kind, 4, "/{name} is answered with a message");
        assert!(answer.latency < WINDOW, "/{name} took {:?}", answer.latency);
        checked(&answer.data);
        assert!(!is_ephemeral(&answer.data), "/{name} is public");
        assert!(title(&answer.data).contains(expected_title), "/{name}: {}", title(&answer.data));
    }
    // A miss is private, with advice.
    let miss = bot.command("speaker", &[("name", "zzzzqqq")]).await;
    assert!(is_ephemeral(&miss.data));
    // So is a command this version does not know (an old registration, say).
    let unknown = bot.command("nope", &[]).await;
    assert!(is_ephemeral(&unknown.data) && title(&unknown.data).contains("Unknown command"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_offers_at_most_25_choices_in_time() {
    let bot = Bot::guild().await;
    for (command, option, partial, first) in [
        ("speaker", "name", "sim", Some("id:simon-willison")),
        ("talk", "title", "", None),
        ("topic", "name", "a", None),
        ("insight", "speaker", "", None),
        ("topics", "conference", "pycon", Some("id:pycon-us-2024")),
    ] {
        let id = payloads::snowflake();
        let answer = bot.interact(payloads::autocomplete(id, &token(id), command, option, partial)).await;
        assert_eq!(answer.kind, 8);
        assert!(answer.latency < WINDOW);
        let choices = answer.data["choices"].as_array().unwrap();
        assert!(!choices.is_empty() && choices.len() <= 25, "/{command} {option}: {choices:?}");
        if let Some(first) = first {
            assert_eq!(choices[0]["value"], first);
        }
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons_are_answered_and_update_where_it_reads_better() {
    let bot = Bot::guild().await;
    let insight = bot.command("insight", &[]).await;
    let ids = custom_ids(&insight.data);
    let another = ids.iter().find(|id| id.starts_with("c1:insight:")).expect("an Another insight button");

    // "Another insight" replaces the card, with a different insight (no repeat in a channel).
    let next = bot.click(&insight, another).await;
    assert_eq!(next.kind, 7, "update the message");
    checked(&next.data);
    assert!(next.data.get("flags").is_none());
    assert_ne!(next.data["embeds"][0]["description"], insight.data["embeds"][0]["description"]);

    // "Talk details" opens a new message.
    let details = ids.iter().find(|id| id.starts_with("c1:talk:")).unwrap();
    let talk = bot.click(&insight, details).await;
    assert_eq!(talk.kind, 4);
    assert_eq!(title(&talk.data), insight.data["embeds"][0]["fields"][0]["value"].as_str().unwrap());

    // A page button updates the list in place.
    let page = bot.click(&talk, "c1:topics:0:").await;
    assert_eq!(page.kind, 7);
    assert!(title(&page.data).contains("topic") || title(&page.data).contains("Topic"), "{}", title(&page.data));

    // A private "did you mean" is closed, and the chosen talk posted for everyone.
    let question = bot.command("talk", &[("title", "python")]).await;
    assert!(is_ephemeral(&question.data) && title(&question.data).starts_with("Which talk"));
    let candidate = custom_ids(&question.data)[0].clone();
    let id = payloads::snowflake();
    let click = payloads::button(id, &token(id), &candidate, payloads::message(payloads::snowflake(), &question.data));
    let closed = bot.interact(click).await;
    assert_eq!(closed.kind, 7);
    assert_eq!(closed.data["components"], json!([]), "the question's buttons are gone");
    let followup = format!("/api/v10/webhooks/{APP_ID}/{}", token(id));
    let posted = bot.fake.wait_for("the public answer", Duration::from_secs(5), |r| r.path == followup).await;
    checked(&posted.body);
    assert!(!is_ephemeral(&posted.body));
    assert!(!title(&posted.body).is_empty() && !title(&posted.body).starts_with("Which"));

    // Old and foreign buttons get a polite private reply.
    for stale in ["c0:topic:1::ai", "someone-elses-button", "c1:topic:x::ai"] {
        let answer = bot.click(&talk, stale).await;
        assert_eq!(answer.kind, 4, "{stale}");
        assert!(is_ephemeral(&answer.data), "{stale}");
        assert_eq!(title(&answer.data), "This button no longer works");
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_is_for_admins_and_keeps_the_old_catalogue_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalogue.toml");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pycon-us-2024.toml"), &file).unwrap();
    let bot = Bot::start(Config { guild_ids: vec![GUILD_ID], data: vec![file.clone()], ..Config::default() }).await;

    // A member is refused, privately.
    let refused = bot.command("reload", &[]).await;
    assert_eq!(refused.kind, 4);
    assert!(is_ephemeral(&refused.data));
    assert!(title(&refused.data).contains("server managers"));

    // An admin gets a deferred answer, then the edited original.
    let ok = admin_reload(&bot).await;
    checked(&ok);
    assert_eq!(title(&ok), "Catalogue reloaded");
    assert!(ok.get("flags").is_none(), "an edit does not try to change visibility");

    std::fs::write(&file, "[[talks]]\nid = \"x\"\ntitle = 3\n").unwrap();
    let failed = admin_reload(&bot).await;
    checked(&failed);
    assert!(title(&failed).starts_with("Reload failed"));
    let description = failed["embeds"][0]["description"].as_str().unwrap();
    assert!(description.contains("catalogue.toml:3:"), "{description}");
    // Still serving the old catalogue.
    let about = bot.command("speaker", &[("name", "simon willison")]).await;
    assert_eq!(title(&about.data), "Simon Willison");
    bot.stop().await;
}

/// Runs /reload as an admin: a deferred private answer, then the edited original's body.
async fn admin_reload(bot: &Bot) -> Value {
    let id = payloads::snowflake();
    let deferred = bot.interact(payloads::command(id, &token(id), "reload", &[], ADMIN_PERMISSIONS)).await;
    assert_eq!(deferred.kind, 5);
    assert!(is_ephemeral(&deferred.data));
    let edit = format!("/api/v10/webhooks/{APP_ID}/{}/messages/@original", token(id));
    bot.fake.wait_for("the edited original", Duration::from_secs(5), |r| r.path == edit).await.body
}

/// Regression (hostile-data issue): an 84 KB schedule with 12,000 nested `<b>` in a title
/// killed the running bot on `/reload` (stack overflow). Now it is refused with its position
/// and the old catalogue keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deeply_nested_export_on_reload_keeps_the_bot_and_its_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pycon-us-2024.toml"), dir.path().join("catalogue.toml"))
        .unwrap();
    let bot =
        Bot::start(Config { guild_ids: vec![GUILD_ID], data: vec![dir.path().to_owned()], ..Config::default() }).await;
    let deep = format!(
        "<?xml version=\"1.0\"?>\n<schedule><conference><title>Deep</title></conference><day index=\"1\" date=\"2024-01-01\">\
         <room name=\"A\"><event id=\"1\"><title>{}x{}</title></event></room></day></schedule>\n",
        "<b>".repeat(12_000),
        "</b>".repeat(12_000)
    );
    std::fs::write(dir.path().join("deep.xml"), deep).unwrap();
    let failed = admin_reload(&bot).await;
    checked(&failed);
    assert!(title(&failed).starts_with("Reload failed"), "{failed}");
    let description = failed["embeds"][0]["description"].as_str().unwrap();
    assert!(description.contains("deep.xml") && description.contains("nested deeper than"), "{description}");
    let still = bot.command("speaker", &[("name", "simon willison")]).await;
    assert_eq!(title(&still.data), "Simon Willison");
    bot.stop().await;
}

/// The schedule through the gateway, at an instant of the test's: the bot's clock answers
/// `/now`, and a day button shows the other day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_answers_at_the_bots_instant() {
    use chrono::TimeZone;
    let data = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schedule/nightconf.toml"));
    let config = Config { guild_ids: vec![GUILD_ID], data: vec![data], ..Config::default() };
    // 10:40 CEST on the first day: two sessions are on.
    let clock = confbot::services::Clock::starting_at(chrono::Utc.with_ymd_and_hms(2024, 10, 26, 8, 40, 0).unwrap());
    let bot = Bot::launch(crate::fake_discord::FakeDiscord::start().await, config, |_| {}, Some(clock)).await;
    let now = bot.command("now", &[]).await;
    assert_eq!(now.kind, 4);
    let shown = serde_json::to_string(&checked(&now.data)).unwrap();
    assert!(shown.contains("Analytical Engines") && shown.contains("Compilers for Everyone"), "{shown}");
    assert!(!shown.contains("Opening"), "{shown}");
    let schedule = bot.command("schedule", &[("room", "Workshop Room")]).await;
    assert!(title(&schedule.data).contains("day 1"), "{}", schedule.data);
    let day2 = custom_ids(&schedule.data).into_iter().find(|id| id.contains("2024-10-27")).expect("a day 2 button");
    let clicked = bot.click(&schedule, &day2).await;
    let shown = serde_json::to_string(&checked(&clicked.data)).unwrap();
    assert!(shown.contains("The Hour That Happens Twice") && !shown.contains("Closing"), "room kept: {shown}");
    let id = crate::fake_discord::payloads::snowflake();
    let choices =
        bot.interact(crate::fake_discord::payloads::autocomplete(id, &token(id), "schedule", "day", "")).await;
    assert_eq!(choices.kind, 8);
    assert!(choices.data["choices"].as_array().unwrap().iter().any(|c| c["value"] == "2024-10-26"));
    bot.stop().await;
}

/// Live through the gateway: `/live set` makes the running bot announce the sessions about to
/// start in the programme channel; "🔔 Remind me" on a talk card bookmarks it, `/remind` sets
/// the lead time, the reminder arrives by DM once, `/mine` lists the bookmark, and a second
/// press removes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_announcements_and_reminders_through_the_gateway() {
    use crate::fake_discord::channels::dm_channel_of;
    use crate::fake_discord::payloads::CHANNEL_ID;
    use chrono::TimeZone;
    let dir = tempfile::tempdir().unwrap();
    let data = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schedule/nightconf.toml"));
    let config = Config {
        guild_ids: vec![GUILD_ID],
        data: vec![data],
        state: Some(confbot::config::StateAt::File(dir.path().join("state.db"))),
        ..Config::default()
    };
    // 10:26 CEST: the 10:30 sessions are inside their five-minute window.
    let clock = confbot::services::Clock::starting_at(chrono::Utc.with_ymd_and_hms(2024, 10, 26, 8, 26, 0).unwrap());
    let bot = Bot::launch(crate::fake_discord::FakeDiscord::start().await, config, |_| {}, Some(clock)).await;
    let set = bot
        .subcommand(
            "live",
            "set",
            &[("conference", "nightconf"), ("channel", &CHANNEL_ID.to_string())],
            ADMIN_PERMISSIONS,
        )
        .await;
    assert!(is_ephemeral(&set.data), "{}", set.data);
    // A room channel the bot cannot post in gets the same answer as `/daily set`.
    let locked = crate::fake_discord::channels::LOCKED_CHANNEL_ID.to_string();
    let id = crate::fake_discord::payloads::snowflake();
    let options = [("room", "Main Hall"), ("channel", locked.as_str())];
    let room = bot
        .interact(crate::fake_discord::payloads::subcommand(
            id,
            &token(id),
            "live",
            "room",
            &options,
            ADMIN_PERMISSIONS,
        ))
        .await;
    assert_eq!(room.kind, 5, "deferred while the channel is checked");
    let edit = format!("/api/v10/webhooks/{APP_ID}/{}/messages/@original", token(id));
    let edited = bot.fake.wait_for("the edited answer", Duration::from_secs(5), |r| r.path == edit).await.body;
    assert!(edited.to_string().contains("I cannot post in"), "{edited}");
    let announced = bot
        .fake
        .wait_for("the announcement", Duration::from_secs(10), |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{CHANNEL_ID}/messages")
        })
        .await;
    let text = announced.body.to_string();
    assert!(text.contains("Analytical Engines") && text.contains("Compilers for Everyone"), "{text}");
    assert_eq!(announced.body["allowed_mentions"]["parse"], json!([]));
    // Reminders two hours ahead, so the 10:30 session's reminder is due at once.
    let remind = bot.command("remind", &[("minutes", "120")]).await;
    assert!(is_ephemeral(&remind.data));
    let card = bot.command("talk", &[("title", "Analytical Engines")]).await;
    let bell = custom_ids(&card.data).into_iter().find(|id| id.starts_with("c1:remind:")).expect("a Remind me button");
    let pressed = bot.click(&card, &bell).await;
    assert!(is_ephemeral(&pressed.data));
    assert!(pressed.data["content"].as_str().unwrap().contains("Bookmarked"), "{}", pressed.data);
    let user = 800_000_000_000_000_001u64;
    let dm = bot
        .fake
        .wait_for("the reminder DM", Duration::from_secs(10), |r| {
            r.method == "POST" && r.path == format!("/api/v10/channels/{}/messages", dm_channel_of(user))
        })
        .await;
    assert!(dm.body.to_string().contains("Analytical Engines"), "{}", dm.body);
    let mine = bot.command("mine", &[]).await;
    assert!(is_ephemeral(&mine.data) && mine.data.to_string().contains("Analytical Engines"), "{}", mine.data);
    let again = bot.click(&card, &bell).await;
    assert!(again.data["content"].as_str().unwrap().contains("Removed"), "{}", again.data);
    let fake = bot.stop().await;
    let dms = requests_to(&fake, &format!("/api/v10/channels/{}/messages", dm_channel_of(user)));
    assert_eq!(dms.iter().filter(|r| r.method == "POST" && r.status == 200).count(), 1, "one reminder");
    let posts = requests_to(&fake, &format!("/api/v10/channels/{CHANNEL_ID}/messages"));
    assert_eq!(posts.iter().filter(|r| r.method == "POST" && r.status == 200).count(), 1, "one announcement");
}
