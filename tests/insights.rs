//! Insights from the community (issue #17), end to end against the fake Discord: a member
//! suggests, moderators review in the review channel (approve, edit, reject with a reason, two
//! at once), the insight is served by `/insight` and the member is told; bad input and the
//! per-member limits are refused with nothing stored; the export round-trips through `check`.
//! Offline: `ask --state`, a reload that loses the talk, the hourly limit at a controlled "now".

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, Utc};
use confbot::catalogue::{parse_str, Catalogue};
use confbot::commands::{self, Caller, Context, Invocation, Member};
use confbot::community::{Decision, Status};
use confbot::config::Config;
use confbot::store::Store;
use serde_json::Value;

use crate::discord::{checked, custom_ids, is_ephemeral, title, token, Answer, Bot};
use crate::fake_discord::payloads::{
    self, ADMIN_PERMISSIONS, APP_ID, CHANNEL_ID, GUILD_ID, MEMBER_PERMISSIONS, MODERATOR_PERMISSIONS,
};

/// One conference, no insights of its own: every insight served is a member's.
const CATALOGUE: &str = r#"
[[conferences]]
id = "democon"
name = "DemoCon 2024"

[[topics]]
id = "testing"
name = "Testing"

[[speakers]]
id = "ada"
name = "Ada Lovelace"

[[speakers]]
id = "grace"
name = "Grace Hopper"

[[talks]]
id = "engines"
title = "Analytical Engines"
speakers = ["ada"]
topics = ["testing"]

[[talks]]
id = "compilers"
title = "Compilers for Everyone"
speakers = ["ada", "grace"]
"#;

/// The member who suggests (the fake's default member) and two moderators.
const AUTHOR: u64 = 800_000_000_000_000_001;
const MOD_ONE: (u64, &str) = (800_000_000_000_000_010, "Mod One");
const MOD_TWO: (u64, &str) = (800_000_000_000_000_011, "Mod Two");
const ADMIN: (u64, &str) = (800_000_000_000_000_012, "The Admin");

const TEXT: &str = "Tests are the specification the computer can check.";

struct Server {
    bot: Bot,
    dir: tempfile::TempDir,
}

impl Server {
    fn catalogue(&self) -> PathBuf {
        self.dir.path().join("democon.toml")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state.db")
    }
}

/// The bot serving [`CATALOGUE`] with a state file, its review channel set by an admin.
async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("democon.toml"), CATALOGUE).unwrap();
    let config = Config {
        guild_ids: vec![GUILD_ID],
        data: vec![dir.path().join("democon.toml")],
        state: Some(confbot::config::StateAt::File(dir.path().join("state.db"))),
        ..Config::default()
    };
    let bot = Bot::start(config).await;
    let set =
        slash(&bot, "review-channel", &[("channel", &CHANNEL_ID.to_string())], ADMIN_PERMISSIONS, Some(ADMIN)).await;
    assert!(is_ephemeral(&set) && text_of(&set).contains(&format!("<#{CHANNEL_ID}>")), "{set}");
    Server { bot, dir }
}

/// Runs `/insights sub` and returns the final answer: the edit of a deferred one (with the
/// deferral's flags, which fixed its visibility), else the callback's message.
async fn slash(bot: &Bot, sub: &str, options: &[(&str, &str)], permissions: &str, who: Option<(u64, &str)>) -> Value {
    let id = payloads::snowflake();
    let mut interaction = payloads::subcommand(id, &token(id), "insights", sub, options, permissions);
    if let Some((user, name)) = who {
        interaction = payloads::as_user(interaction, user, name);
    }
    let answer = bot.interact(interaction).await;
    settled(bot, &answer, &token(id)).await
}

async fn settled(bot: &Bot, answer: &Answer, answer_token: &str) -> Value {
    if answer.kind != 5 {
        checked(&answer.data);
        return answer.data.clone();
    }
    let edit = format!("/api/v10/webhooks/{APP_ID}/{answer_token}/messages/@original");
    let mut body = bot.fake.wait_for("the edited answer", Duration::from_secs(10), |r| r.path == edit).await.body;
    checked(&body);
    body["flags"] = answer.data["flags"].clone();
    body
}

/// `/insights add` as the author.
async fn add(bot: &Bot, options: &[(&str, &str)]) -> Value {
    slash(bot, "add", options, MEMBER_PERMISSIONS, None).await
}

/// The review messages posted so far, oldest first.
fn reviews(bot: &Bot) -> Vec<Value> {
    bot.fake.messages_in(CHANNEL_ID)
}

/// The custom_id of the button labelled `label` on a message.
fn button(message: &Value, label: &str) -> String {
    let buttons = message["components"].as_array().into_iter().flatten().flat_map(|r| r["components"].as_array());
    let found = buttons.flatten().find(|b| b["label"] == label);
    found.and_then(|b| b["custom_id"].as_str()).unwrap_or_else(|| panic!("no {label} button on {message}")).to_owned()
}

/// Presses `label` on `message` as `who` with `permissions`.
async fn press(bot: &Bot, message: &Value, label: &str, permissions: &str, who: (u64, &str)) -> Answer {
    let id = payloads::snowflake();
    let click = payloads::button_as(id, &token(id), &button(message, label), message.clone(), permissions);
    bot.interact(payloads::as_user(click, who.0, who.1)).await
}

/// Submits the form `modal` (a type 9 callback's data), opened from `message`.
async fn submit(bot: &Bot, modal: &Value, values: &[(&str, &str)], message: &Value, who: (u64, &str)) -> Answer {
    let id = payloads::snowflake();
    let custom_id = modal["custom_id"].as_str().unwrap();
    let form = payloads::modal_submit(id, &token(id), custom_id, values, Some(message.clone()), MODERATOR_PERMISSIONS);
    bot.interact(payloads::as_user(form, who.0, who.1)).await
}

/// The message a callback of type 4 or 7 shows, as Discord would store it.
fn shown(answer: &Answer) -> Value {
    payloads::message(payloads::snowflake(), &answer.data)
}

fn text_of(v: &Value) -> String {
    v.to_string()
}

/// Runs a slash command as the author and returns the private notice sent after it, if any.
async fn next_command_notice(bot: &Bot) -> Value {
    let id = payloads::snowflake();
    bot.interact(payloads::command(id, &token(id), "about", &[], MEMBER_PERMISSIONS)).await;
    let path = format!("/api/v10/webhooks/{APP_ID}/{}", token(id));
    let notice =
        bot.fake.wait_for("the notice", Duration::from_secs(10), |r| r.method == "POST" && r.path == path).await;
    checked(&notice.body);
    notice.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggested_reviewed_approved_then_served_and_the_author_told() {
    let s = server().await;
    let bot = &s.bot;
    let none = bot.command("insight", &[]).await;
    assert_eq!(title(&none.data), "No insights yet");

    let sent = add(bot, &[("text", TEXT), ("talk", "id:engines")]).await;
    assert!(is_ephemeral(&sent), "{sent}");
    assert!(text_of(&sent).contains("Sent for review"), "{sent}");

    // The review message: the text, the talk, the author, and the three buttons.
    let review = reviews(bot).pop().expect("a review message");
    let posted = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    let sent_body = bot.fake.requests().into_iter().rev().find(|r| r.method == "POST" && r.path == posted).unwrap();
    checked(&sent_body.body);
    assert!(title(&review).contains("Suggested insight #1"), "{review}");
    assert!(text_of(&review).contains("Analytical Engines") && text_of(&review).contains("A Member"), "{review}");
    let ids = custom_ids(&review);
    assert_eq!(ids, ["c1:insights:approve:1", "c1:insights:edit:1", "c1:insights:reject:1"]);

    // Not yet served.
    assert_eq!(title(&bot.command("insight", &[]).await.data), "No insights yet");

    // A member without Manage Messages cannot approve, and nothing changes.
    let refused = press(bot, &review, "Approve", MEMBER_PERMISSIONS, (AUTHOR, "A Member")).await;
    assert_eq!(refused.kind, 4);
    assert!(is_ephemeral(&refused.data) && title(&refused.data).contains("Only moderators"), "{}", refused.data);
    assert_eq!(title(&bot.command("insight", &[]).await.data), "No insights yet");

    // A moderator approves: the review message is updated in place.
    let approved = press(bot, &review, "Approve", MODERATOR_PERMISSIONS, MOD_ONE).await;
    assert_eq!(approved.kind, 7, "{}", approved.data);
    checked(&approved.data);
    assert!(text_of(&approved.data).contains("Approved by Mod One"), "{}", approved.data);
    assert_eq!(custom_ids(&approved.data), ["c1:insights:edit:1", "c1:insights:global:1:1"]);

    // The author hears of it privately with their next command.
    let notice = next_command_notice(bot).await;
    assert!(is_ephemeral(&notice) && text_of(&notice).contains("was approved by Mod One"), "{notice}");

    // Served at once by /insight, credited, and its filters work on it.
    let served = bot.command("insight", &[]).await;
    checked(&served.data);
    assert!(!is_ephemeral(&served.data));
    let description = served.data["embeds"][0]["description"].as_str().unwrap();
    assert!(description.contains("Tests are the specification") && description.contains("shared by A Member"));
    assert!(text_of(&bot.command("insight", &[("topic", "testing")]).await.data).contains("shared by A Member"));
    assert!(text_of(&bot.command("insight", &[("speaker", "ada")]).await.data).contains("shared by A Member"));
    assert_eq!(title(&bot.command("insight", &[("speaker", "grace")]).await.data), "No insight matches");

    // A moderator marks it global, for the operator's export.
    let global = press(bot, &shown(&approved), "Mark global", MODERATOR_PERMISSIONS, MOD_TWO).await;
    assert_eq!(global.kind, 7);
    assert!(text_of(&global.data).contains("marked global"), "{}", global.data);

    // The export round trip: approved insights as a catalogue file that `check` accepts beside
    // the catalogue it names.
    let (catalogue, state) = (s.catalogue(), s.state());
    let fake = s.bot.stop().await;
    drop(fake);
    assert!(Store::open(&state).unwrap().untold(AUTHOR, 10).unwrap().is_empty(), "told once, and recorded");
    let out = s.dir.path().join("shared.toml");
    for guild in [Some(GUILD_ID), None] {
        let mut args = vec!["insights", "export", "--state", path_str(&state), "--data", path_str(&catalogue)];
        let guild_text = guild.map(|g| g.to_string()).unwrap_or_default();
        if guild.is_some() {
            args.extend(["--guild", &guild_text]);
        }
        args.extend(["-o", path_str(&out)]);
        let (code, _, err) = confbot(&args);
        assert_eq!(code, 0, "{err}");
        let written = std::fs::read_to_string(&out).unwrap();
        assert!(written.contains(&format!("id = \"shared-{GUILD_ID}-1\"")) && written.contains("talk = \"engines\""));
        let (code, ok, err) = confbot(&["check", "--data", path_str(&catalogue), "--data", path_str(&out)]);
        assert_eq!(code, 0, "{err}");
        assert!(ok.contains("1 insights"), "{ok}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_asks_for_a_reason_and_the_author_reads_it() {
    let s = server().await;
    let bot = &s.bot;
    add(bot, &[("text", TEXT), ("talk", "Analytical Engines")]).await;
    let review = reviews(bot).pop().unwrap();

    // Reject opens a form asking for an optional reason.
    let form = press(bot, &review, "Reject", MODERATOR_PERMISSIONS, MOD_ONE).await;
    assert_eq!(form.kind, 9, "{}", form.data);
    assert_eq!(form.data["custom_id"], "c1:insights:rejected:1");
    let input = &form.data["components"][0]["components"][0];
    assert_eq!((input["custom_id"].as_str(), input["required"].as_bool()), (Some("reason"), Some(false)));
    let payload: confbot::reply::ModalPayload = serde_json::from_value(form.data.clone()).unwrap();
    assert!(confbot::reply::modal_violations(&payload).is_empty());

    let rejected =
        submit(bot, &form.data, &[("reason", "The talk said the opposite @everyone")], &review, MOD_ONE).await;
    assert_eq!(rejected.kind, 7, "{}", rejected.data);
    checked(&rejected.data);
    assert!(text_of(&rejected.data).contains("Rejected by Mod One: The talk said the opposite \\\\@everyone"));
    assert!(custom_ids(&rejected.data).is_empty(), "a rejected suggestion is closed");

    let notice = next_command_notice(bot).await;
    assert!(text_of(&notice).contains("was not accepted by Mod One: The talk said the opposite"), "{notice}");

    // Not served; approving it now is refused as already decided.
    assert_eq!(title(&bot.command("insight", &[]).await.data), "No insights yet");
    let late = press(bot, &review, "Approve", MODERATOR_PERMISSIONS, MOD_TWO).await;
    assert!(is_ephemeral(&late.data) && title(&late.data).contains("already rejected"), "{}", late.data);
    s.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_moderators_approving_at_once_one_wins() {
    let s = server().await;
    let bot = &s.bot;
    add(bot, &[("text", TEXT), ("talk", "id:engines")]).await;
    let review = reviews(bot).pop().unwrap();
    let (a, b) = tokio::join!(
        press(bot, &review, "Approve", MODERATOR_PERMISSIONS, MOD_ONE),
        press(bot, &review, "Approve", ADMIN_PERMISSIONS, MOD_TWO),
    );
    let mut kinds = [a.kind, b.kind];
    kinds.sort();
    assert_eq!(kinds, [4, 7], "one updates the review message, the other is told");
    let (winner, loser) = if a.kind == 7 { (&a, &b) } else { (&b, &a) };
    let winner_name = if a.kind == 7 { "Mod One" } else { "Mod Two" };
    assert!(text_of(&winner.data).contains(&format!("Approved by {winner_name}")));
    assert!(is_ephemeral(&loser.data), "{}", loser.data);
    assert!(title(&loser.data).contains("already approved"), "{}", loser.data);
    assert!(text_of(&loser.data).contains(&format!("{winner_name} decided it first")), "{}", loser.data);
    s.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_opens_a_form_and_can_point_at_another_talk() {
    let s = server().await;
    let bot = &s.bot;
    add(bot, &[("text", TEXT), ("talk", "id:engines")]).await;
    let review = reviews(bot).pop().unwrap();
    let form = press(bot, &review, "Edit", MODERATOR_PERMISSIONS, MOD_ONE).await;
    assert_eq!(form.kind, 9);
    assert_eq!(form.data["components"][0]["components"][0]["value"], TEXT);
    assert_eq!(form.data["components"][1]["components"][0]["value"], "id:engines");

    // A bad edit is refused privately and changes nothing.
    let bad = submit(bot, &form.data, &[("text", "short"), ("talk", "id:engines")], &review, MOD_ONE).await;
    assert!(bad.kind == 4 && is_ephemeral(&bad.data), "{}", bad.data);

    let edited = "Tests are a specification\nthat the computer checks for you.";
    let saved =
        submit(bot, &form.data, &[("text", edited), ("talk", "Compilers for Everyone")], &review, MOD_ONE).await;
    assert_eq!(saved.kind, 7, "{}", saved.data);
    assert!(text_of(&saved.data).contains("Tests are a specification that the computer checks for you."));
    assert!(text_of(&saved.data).contains("Compilers for Everyone"));
    // Still pending: approving serves the edited text on the new talk.
    press(bot, &shown(&saved), "Approve", MODERATOR_PERMISSIONS, MOD_ONE).await;
    let served = bot.command("insight", &[]).await;
    assert!(text_of(&served.data).contains("that the computer checks for you"), "{}", served.data);
    assert!(text_of(&served.data).contains("Compilers for Everyone"), "{}", served.data);
    s.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_the_member_limits_are_refused_with_nothing_stored() {
    let s = server().await;
    let bot = &s.bot;
    let long = "word ".repeat(130);
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("text", "   "), ("talk", "id:engines")], "Write the insight"),
        (&[("text", long.as_str()), ("talk", "id:engines")], "500 at most"),
        (&[("text", "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉"), ("talk", "id:engines")], "no words"),
        (&[("text", "a hidden \u{1b}[31m escape"), ("talk", "id:engines")], "invisible or control"),
        (&[("text", "hey @everyone look at this"), ("talk", "id:engines")], "mentions"),
        (&[("text", "slides at https://evil.example"), ("talk", "id:engines")], "link"),
        (&[("text", TEXT), ("talk", "The Talk That Never Was")], "No talk is called"),
        (&[("text", TEXT), ("talk", "id:compilers"), ("kind", "quote")], "A quote needs its speaker"),
        (&[("text", TEXT), ("talk", "id:engines"), ("speaker", "grace hopper")], "not a speaker of that talk"),
    ];
    for (options, expected) in cases {
        let answer = add(bot, options).await;
        assert!(is_ephemeral(&answer), "{options:?}: {answer}");
        assert!(text_of(&answer).contains(expected), "{options:?} should say {expected:?}: {answer}");
    }
    assert!(reviews(bot).is_empty(), "nothing was posted for review");
    let pending = slash(bot, "pending", &[], MODERATOR_PERMISSIONS, Some(MOD_ONE)).await;
    assert!(text_of(&pending).contains("Nothing waits"), "{pending}");

    // Five pending per member; the same suggestion twice (after folding) is refused.
    for n in 1..=5 {
        let text = format!("Insight number {n} about analytical engines");
        let answer = add(bot, &[("text", &text), ("talk", "id:engines")]).await;
        assert!(text_of(&answer).contains("Sent for review"), "{answer}");
    }
    let sixth = add(bot, &[("text", "One more thought about engines"), ("talk", "id:engines")]).await;
    assert!(text_of(&sixth).contains("enough waiting for review"), "{sixth}");
    let twin = slash(
        bot,
        "add",
        &[("text", "insight NUMBER 1, about analytical engines!"), ("talk", "id:compilers")],
        MEMBER_PERMISSIONS,
        Some((800_000_000_000_000_020, "Someone Else")),
    )
    .await;
    assert!(text_of(&twin).contains("suggested already"), "{twin}");
    assert_eq!(reviews(bot).len(), 5);

    // The moderators' list; members may not read it.
    let pending = slash(bot, "pending", &[], MODERATOR_PERMISSIONS, Some(MOD_ONE)).await;
    assert!(title(&pending).contains("Waiting for review: 5"), "{pending}");
    let denied = slash(bot, "pending", &[], MEMBER_PERMISSIONS, None).await;
    assert!(title(&denied).contains("Only moderators"), "{denied}");
    let not_admin = slash(bot, "review-channel", &[("channel", "1")], MODERATOR_PERMISSIONS, Some(MOD_ONE)).await;
    assert!(title(&not_admin).contains("Only server managers"), "{not_admin}");
    s.bot.stop().await;
}

// Offline: the command core with a store, "now" and the member given, and the executable.

fn ask(c: &Catalogue, store: &Store, now: DateTime<Utc>, member: Member, line: &str) -> commands::Outcome {
    let mut rng = fastrand::Rng::with_seed(1);
    let mut ctx = Context {
        now,
        bot: Some(Caller { store, guild: Some(7), manager: false }),
        member: Some(member),
        ..Context::new(c, &mut rng)
    };
    commands::run(&mut ctx, &commands::parse_line(line).unwrap())
}

fn author() -> Member {
    Member { id: 1, name: "Ada *Fan*".into(), moderator: false }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn ten_an_hour_per_member_then_the_next_is_welcome_an_hour_later() {
    let c = parse_str("democon.toml", CATALOGUE).unwrap();
    let store = Store::open_in_memory().unwrap();
    let mut at = utc("2025-05-01T10:00:00Z");
    for n in 0..10 {
        let line = format!("/insights add text: Thought {n} on analytical engines talk: id:engines");
        let outcome = ask(&c, &store, at, author(), &line);
        assert!(outcome.ok, "{n}: {:?}", outcome.reply);
        // Decided at once, so the pending limit never bites: the hourly one does.
        let id = outcome.resolved["suggestion"]["id"].as_i64().unwrap();
        let by = Decision { by_id: 9, by_name: "Mod".into(), at, reason: None };
        store.decide(7, id, Status::Approved, &by).unwrap();
        at += chrono::Duration::minutes(1);
    }
    let line = "/insights add text: One thought too many talk: id:engines";
    let refused = ask(&c, &store, at, author(), line);
    assert!(!refused.ok && format!("{:?}", refused.reply).contains("from 11:00 UTC"), "{:?}", refused.reply);
    assert!(ask(&c, &store, utc("2025-05-01T11:00:01Z"), author(), line).ok);
}

#[test]
fn a_reload_that_loses_the_talk_keeps_the_insight_unserved_until_it_returns() {
    let c = parse_str("democon.toml", CATALOGUE).unwrap();
    let store = Store::open_in_memory().unwrap();
    let now = utc("2025-05-01T10:00:00Z");
    let added = ask(&c, &store, now, author(), &format!("/insights add text: {TEXT} talk: id:engines credit: no"));
    let id = added.resolved["suggestion"]["id"].as_i64().unwrap();
    store
        .decide(7, id, Status::Approved, &Decision { by_id: 9, by_name: "Mod".into(), at: now, reason: None })
        .unwrap();
    let served = ask(&c, &store, now, author(), "/insight");
    assert_eq!(served.resolved["insight"]["id"], format!("shared:{id}"));
    assert_eq!(served.resolved["insight"]["shared_by"], Value::Null, "the author declined the credit");
    assert!(format!("{:?}", served.reply).contains("shared by a member"));

    let without = parse_str("democon.toml", &CATALOGUE.replace("id = \"engines\"", "id = \"engines-2\"")).unwrap();
    let gone = ask(&without, &store, now, author(), "/insight");
    assert_eq!(gone.reply.embeds[0].title.as_deref(), Some("No insights yet"));
    let moderator = Member { id: 9, name: "Mod".into(), moderator: true };
    let pending = ask(&without, &store, now, moderator, "/insights pending");
    assert!(format!("{:?}", pending.reply).contains("its talk is gone"), "{:?}", pending.reply);
    assert_eq!(store.suggestion(7, id).unwrap().unwrap().talk, "engines", "kept as it was");
    assert!(ask(&c, &store, now, author(), "/insight").ok, "served again once the talk returns");
}

fn confbot(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_confbot")).args(args).env_remove("RUST_LOG").output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn ask_state_adds_offline_and_the_export_survives_a_reimport() {
    let dir = tempfile::tempdir().unwrap();
    let (state, first, again, out) = (
        dir.path().join("state.db"),
        dir.path().join("democon.toml"),
        dir.path().join("again.toml"),
        dir.path().join("shared.toml"),
    );
    let export = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schedules/pretalx-democon.json");
    let (code, _, err) = confbot(&["import", "pretalx", export, "-o", path_str(&first)]);
    assert_eq!(code, 0, "{err}");
    let c = confbot::sources::load(&confbot::sources::from_paths(std::slice::from_ref(&first))).unwrap();
    let talk = &c.talks[0].id;

    let line = format!("/insights add text: {TEXT} talk: id:{talk}");
    let (code, json, err) =
        confbot(&["ask", "--json", "--data", path_str(&first), "--state", path_str(&state), "--guild", "7", &line]);
    assert_eq!(code, 0, "{err}");
    let answer: Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(answer["resolved"], serde_json::json!({"suggestion": {"id": 1, "status": "pending"}}));
    let (code, json, _) =
        confbot(&["ask", "--json", "--data", path_str(&first), "--state", path_str(&state), "--guild", "7", &line]);
    assert_eq!(code, 1, "the same again is refused: {json}");
    assert!(json.contains("suggested already") && json.contains(r#""suggestion":null"#), "{json}");
    let (_, json, _) = confbot(&["ask", "--json", "/insights add text: no state here talk: x"]);
    assert!(json.contains("Suggestions need the bot's state"), "{json}");

    // A moderator approves (in Discord; here through the store), then the operator exports.
    let store = Store::open(&state).unwrap();
    let by = Decision { by_id: 9, by_name: "Mod".into(), at: Utc::now(), reason: None };
    store.decide(7, 1, Status::Approved, &by).unwrap();
    drop(store);
    let args = ["insights", "export", "--state", path_str(&state), "--data", path_str(&first), "--guild", "7", "-o"];
    let (code, _, err) = confbot(&[&args[..], &[path_str(&out)]].concat());
    assert_eq!(code, 0, "{err}");

    // The conference is imported again: the exported insight still names its talk.
    let (code, _, err) = confbot(&["import", "pretalx", export, "-o", path_str(&again)]);
    assert_eq!(code, 0, "{err}");
    let (code, ok, err) = confbot(&["check", "--data", path_str(&again), "--data", path_str(&out)]);
    assert_eq!(code, 0, "{err}");
    assert!(ok.contains(" 1 insights"), "{ok}");

    // Merged into the catalogue, the bot stops serving its own copy: no insight twice.
    let merged = confbot::sources::load(&confbot::sources::from_paths(&[again.clone(), out.clone()])).unwrap();
    let store = Store::open(&state).unwrap();
    let mut rng = fastrand::Rng::with_seed(1);
    let mut ctx = Context {
        bot: Some(Caller { store: &store, guild: Some(7), manager: false }),
        ..Context::new(&merged, &mut rng)
    };
    let served = commands::run(&mut ctx, &Invocation::new("insight"));
    assert_eq!(served.resolved["insight"]["id"], "shared-7-1", "served from the catalogue now");
}

#[test]
fn an_approved_insight_joins_the_servers_daily_deck_at_once() {
    let c = parse_str("democon.toml", CATALOGUE).unwrap();
    let store = Store::open_in_memory().unwrap();
    let now = utc("2025-05-01T10:00:00Z");
    let manager = |line: &str| {
        let mut rng = fastrand::Rng::with_seed(1);
        let mut ctx = Context {
            now,
            bot: Some(Caller { store: &store, guild: Some(7), manager: true }),
            ..Context::new(&c, &mut rng)
        };
        format!("{:?}", commands::run(&mut ctx, &commands::parse_line(line).unwrap()).reply)
    };
    manager("/daily set channel: 70 time: 09:00 timezone: UTC");
    let before = manager("/daily preview count: 2");
    assert!(before.contains("🎤") && !before.contains("Tests are"), "talks while there is no insight: {before}");
    let added = ask(&c, &store, now, author(), &format!("/insights add text: {TEXT} talk: id:engines"));
    let id = added.resolved["suggestion"]["id"].as_i64().unwrap();
    store
        .decide(7, id, Status::Approved, &Decision { by_id: 9, by_name: "Mod".into(), at: now, reason: None })
        .unwrap();
    let after = manager("/daily preview count: 2");
    assert!(after.contains("Tests are the specification") && !after.contains("🎤"), "{after}");
}
