//! The `confbot` executable as a user runs it: `ask`, `complete`, `check`.

use std::io::Write;
use std::process::{Command, Stdio};

fn confbot(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_confbot"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("confbot runs");
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn ask_answers_as_text_from_any_directory() {
    let (code, out, _) = confbot(&["ask", "/speaker name: lukasz langa"], None);
    assert_eq!(code, 0);
    assert!(out.contains("Łukasz Langa"), "{out}");
    assert!(out.contains("Build in-browser 3D experiences with WebGL and PyScript"), "{out}");
}

#[test]
fn ask_json_is_one_object_per_command_in_order() {
    let input = "/speaker name: simon wilison\n/topic name: AI\n\n# a comment\n/nonsense\n/insight topic:AI\n/talk title: rewind\n/search query: typing\n/topics\n";
    let (code, out, _) = confbot(&["ask", "--json", "--seed", "3"], Some(input));
    assert_eq!(code, 0, "a batch reports failures in its output only");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[0]["command"], "/speaker name: simon wilison");
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[0]["resolved"]["speaker"], "Simon Willison");
    assert!(lines[0]["resolved"]["suggestions"].as_array().unwrap().len() <= 10);
    assert_eq!(lines[0]["message"]["allowed_mentions"], serde_json::json!({"parse": []}));
    assert_eq!(lines[1]["resolved"]["topic"], "AI");
    assert_eq!(lines[2]["ok"], false);
    assert_eq!(lines[2]["message"]["flags"], 64);
    assert_eq!(lines[3]["resolved"]["insight"]["kind"], "quote");
    assert_eq!(lines[4]["resolved"]["talk"]["title"], "Rewind: Python Time-Travel Debugger");
    assert_eq!(lines[4]["resolved"]["talk"]["speakers"], serde_json::json!(["Toby Ho"]));
    assert_eq!(lines[4]["resolved"]["talk"]["topic"], "Debugging");
    assert!(lines[5]["resolved"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "TypeForm: Type Hint for Type Expressions"));
    assert_eq!(lines[6]["resolved"]["topics"].as_array().unwrap().len(), 6);
}

#[test]
fn ask_with_a_seed_is_repeatable() {
    let run = || confbot(&["ask", "--json", "--seed", "42"], Some("/insight\n/insight\n/insight\n")).1;
    assert_eq!(run(), run());
}

#[test]
fn a_failed_single_command_exits_non_zero_with_advice() {
    let (code, out, _) = confbot(&["ask", "/speaker name: zzzzqqq"], None);
    assert_eq!(code, 1);
    assert!(out.contains("No speaker matches"), "{out}");
}

#[test]
fn complete_prints_choices_as_json() {
    let (code, out, _) = confbot(&["complete", "speaker", "name", "wil"], None);
    assert_eq!(code, 0);
    let choices: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(choices[0], serde_json::json!({"name": "Simon Willison", "value": "id:simon-willison"}));
}

#[test]
fn check_reports_counts_or_every_problem() {
    let (code, out, _) = confbot(&["check"], None);
    assert_eq!(code, 0);
    assert!(out.contains("11 talks, 11 speakers, 4 insights"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[speakers]]\nid = \"x\"\nname = \"\"\n[[speakers]]\nid = \"x\"\nname = \"Y\"\n").unwrap();
    let (code, _, err) = confbot(&["check", "--data", bad.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert!(err.contains("2 problems"), "{err}");
    assert!(err.contains("bad.toml:3:8: speaker name is empty"), "{err}");
    assert!(err.contains("bad.toml:5:6: duplicate speaker id"), "{err}");
}

#[test]
fn help_explains_every_subcommand() {
    let (code, out, _) = confbot(&["--help"], None);
    assert_eq!(code, 0);
    for sub in ["ask", "complete", "check"] {
        assert!(out.contains(sub), "{out}");
    }
    let (_, out, _) = confbot(&["ask", "--help"], None);
    assert!(out.contains("--json") && out.contains("--seed") && out.contains("--data"), "{out}");
}

/// Regression (hostile-data issue): `bench --queries` with a huge number grew memory without
/// bound; counts are now bounded and refused with the allowed range.
#[test]
fn bench_and_eval_counts_are_bounded() {
    for args in [&["bench", "--queries", "99999999999"][..], &["eval", "--data", "x", "--rounds", "1000000"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_confbot")).args(args).output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not in 1..="), "{err}");
    }
}

/// Regression (issue: every problem at once): there was no way to check a config offline,
/// config errors came one at a time, and `[[daily]]` problems carried no line.
#[test]
fn check_config_reports_every_problem_with_its_line_offline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("confbot.toml");
    let run = |text: &str| {
        std::fs::write(&path, text).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_confbot"))
            .args(["check", "--config"])
            .arg(&path)
            .env_remove("DISCORD_TOKEN")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, err, _) = run("log = 3\nguildids = [1]\n");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("confbot.toml:1:1: `log` must be text")
            && err.contains("confbot.toml:2:1: unknown key `guildids`"),
        "{err}"
    );
    let daily = "[[daily]]\nguild_id = 1\nchannel_id = 2\ntime = \"09:00\"\ntimezone = \"UTC\"\n\n\
                 [[daily]]\nguild_id = 5\nchannel_id = 6\ntime = \"99:99\"\ntimezone = \"Europe/Berln\"\n";
    let (code, err, _) = run(daily);
    assert_eq!(code, Some(1));
    assert!(err.contains("confbot.toml:7: [[daily]] #2 (guild 5): time:"), "{err}");
    assert!(
        err.contains("confbot.toml:7: [[daily]] #2 (guild 5): timezone:") && err.contains("Europe/Berlin"),
        "{err}"
    );
    let (code, _, out) = run(&daily.replace("99:99", "10:00").replace("Berln", "Berlin"));
    assert_eq!(code, Some(0));
    assert!(out.starts_with("ok:") && out.contains("2 [[daily]] schedule(s)"), "{out}");
}

/// `run --shards` is documented, and a range that cannot be run is refused before anything
/// starts (no token needed), from the flag and from the config file alike.
#[test]
fn run_shards_is_documented_and_checked() {
    let (code, out, _) = confbot(&["run", "--help"], None);
    assert_eq!(code, 0);
    assert!(out.contains("--shards <FIRST-LAST/TOTAL>") && out.contains("registers the commands"), "{out}");
    for (shards, message) in [
        ("3-1/4", "the first shard (3) comes after the last (1)"),
        ("2/2", "with 2 shard(s) they are numbered 0 to 1"),
        ("0/0", "TOTAL must be at least 1"),
        ("0-1", "names no TOTAL"),
        ("one/2", "is not a shard range"),
    ] {
        let (code, _, err) = confbot(&["run", "--shards", shards], None);
        assert_eq!(code, 2, "--shards {shards}: {err}");
        assert!(err.contains("--shards") && err.contains(message), "--shards {shards}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("confbot.toml");
    std::fs::write(&config, "shards = \"1-4/4\"\n").unwrap();
    let (code, _, err) = confbot(&["check", "--config", config.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert!(err.contains("confbot.toml:1:1: shards: “1-4/4”: with 4 shard(s) they are numbered 0 to 3"), "{err}");
}

/// A PostgreSQL `state` that cannot be reached stops `run`, `state migrate` and `ask --state`
/// with a plain error: no panic, and never the password in the URL.
#[test]
fn an_unreachable_postgres_stops_plainly_and_keeps_the_password_secret() {
    let url = "postgres://bob:s3cret-pw@127.0.0.1:1/confbot";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.db");
    std::fs::write(&file, "").unwrap();
    let runs: [(&[&str], &str); 3] = [
        (&["run"], "CONFBOT_STATE"),
        (&["state", "migrate", "--from", file.to_str().unwrap()], "CONFBOT_STATE_TO"),
        (&["ask", "--state", url, "/help"], "UNUSED"),
    ];
    for (args, var) in runs {
        let out = Command::new(env!("CARGO_BIN_EXE_confbot"))
            .args(args)
            .env(var, url)
            .env("DISCORD_TOKEN", "x")
            .env("DISCORD_API_BASE", "http://127.0.0.1:9")
            .env("RUST_BACKTRACE", "0")
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_ne!(out.status.code(), Some(0), "{args:?}: {all}");
        assert!(!all.contains("panicked"), "{args:?}: {all}");
        assert!(!all.contains("s3cret-pw"), "{args:?} printed the password: {all}");
        assert!(all.contains("PostgreSQL"), "{args:?}: {all}");
        // Said once, not once per layer of the error.
        assert_eq!(all.matches("error connecting to server").count(), 1, "{args:?}: {all}");
    }
}

/// Regression: a state file that cannot be opened said its cause three times.
#[test]
fn a_state_file_that_cannot_be_opened_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("confbot.toml");
    std::fs::write(&config, "state = \"/nonexistent-dir/confbot/state.db\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_confbot"))
        .args(["run", "--config", config.to_str().unwrap()])
        .env("DISCORD_TOKEN", "x")
        .env("DISCORD_API_BASE", "http://127.0.0.1:9")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("unable to open database file").count(), 1, "{err}");
    assert!(err.contains("cannot open the state file /nonexistent-dir/confbot/state.db"), "{err}");
}
