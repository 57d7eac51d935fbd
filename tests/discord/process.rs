//! The real executable: SIGHUP reloads, SIGTERM finishes the interaction in flight and exits
//! 0 quickly, and the token never reaches the logs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;

/// The child's stderr, collected line by line as it comes.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<String>>);

impl Log {
    pub fn follow(child: &mut Child) -> Log {
        let log = Log::default();
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut text = sink.0.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        log
    }

    pub fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }

    pub async fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.text().contains(needle) {
            assert!(Instant::now() < deadline, "no “{needle}” in the log:\n{}", self.text());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// The real executable with `args`, pointed at `fake`, its stderr followed.
pub fn spawn(fake: &FakeDiscord, args: &[&str]) -> (Child, Log) {
    spawn_at(&fake.base, args, None)
}

/// The real executable with `args`, its API base at `base`, `RUST_LOG` set or removed.
fn spawn_at(base: &str, args: &[&str], rust_log: Option<&str>) -> (Child, Log) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_confbot"));
    command.args(args).env("DISCORD_TOKEN", TOKEN).env("DISCORD_API_BASE", base);
    match rust_log {
        Some(filter) => command.env("RUST_LOG", filter),
        None => command.env_remove("RUST_LOG"),
    };
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let log = Log::follow(&mut child);
    (child, log)
}

pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_and_sigterm_finishes_in_flight_work_then_exits_zero() {
    let fake = FakeDiscord::start().await;
    let (mut child, log) = spawn(&fake, &["--log", "debug", "run"]);
    let ready = format!("ready as confbot-test in 1 guilds, {} commands registered", confbot::commands::COMMANDS.len());
    log.wait_for(&ready).await;

    signal(&child, "HUP");
    log.wait_for("catalogue reloaded on SIGHUP").await;

    // An interaction whose first callback fails: it is still being retried when SIGTERM lands.
    let id = payloads::snowflake();
    let interaction = payloads::command(id, &token(id), "help", &[], MEMBER_PERMISSIONS);
    let path = callback_path(&interaction);
    fake.inject("POST", &path, 503, 0.0, 1);
    fake.dispatch("INTERACTION_CREATE", interaction);
    fake.wait_for("the failed callback", Duration::from_secs(5), |r| r.path == path).await;
    signal(&child, "TERM");

    let stopping = Instant::now();
    let code = loop {
        if let Some(code) = child.try_wait().unwrap() {
            break code;
        }
        assert!(stopping.elapsed() < Duration::from_secs(8), "still running 8 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    println!("exited {:?} after SIGTERM", stopping.elapsed());
    log.wait_for("shutting down").await;
    let log = log.text();
    assert!(code.success(), "exit {code:?}; log:\n{log}");
    assert_eq!(
        requests_to(&fake, &path).iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![503, 204],
        "the in-flight interaction was answered before exit"
    );
    assert!(!log.contains(TOKEN) && !log.contains(&TOKEN[..24]), "the token leaked into the log");
    let leaks: Vec<&str> = log.lines().filter(|l| l.contains(&token(id))).collect();
    assert!(leaks.is_empty(), "an interaction token leaked into the log: {leaks:#?}");
}

/// A config whose catalogue takes a moment to load: a few thousand talks.
fn slow_config(dir: &std::path::Path) -> String {
    let mut toml = String::from("[[conferences]]\nid = \"big\"\nname = \"Big Conf\"\n\n");
    for i in 0..4000 {
        toml.push_str(&format!(
            "[[speakers]]\nid = \"s{i}\"\nname = \"Speaker Number{i}\"\n\n[[talks]]\nid = \"t{i}\"\n\
             title = \"Talk {i} about things\"\nspeakers = [\"s{i}\"]\nsummary = [\"Words {i}.\"]\n\n"
        ));
    }
    std::fs::write(dir.join("big.toml"), toml).unwrap();
    let config = dir.join("confbot.toml");
    std::fs::write(&config, format!("data = [{:?}]\n", dir.join("big.toml"))).unwrap();
    config.display().to_string()
}

fn exit_code_within(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(code) = child.try_wait().unwrap() {
            return code;
        }
        assert!(started.elapsed() < limit, "still running {limit:?} after the signal");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Regression (hostile-data issue): SIGTERM while the catalogue loads ended the process by the
/// signal, and SIGHUP killed it. Now both are handled from the start: SIGTERM exits 0, and
/// SIGHUP becomes one reload once the bot serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signals_while_loading_are_handled() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = slow_config(dir.path());

    let (mut child, log) = spawn(&fake, &["run", "--config", &config]);
    log.wait_for("loading the catalogue").await;
    signal(&child, "TERM");
    let code = exit_code_within(&mut child, Duration::from_secs(8));
    assert!(code.success(), "exit {code:?}; log:\n{}", log.text());

    let (mut child, log) = spawn(&fake, &["run", "--config", &config]);
    log.wait_for("loading the catalogue").await;
    signal(&child, "HUP");
    signal(&child, "HUP");
    log.wait_for("catalogue reloaded on SIGHUP").await;
    assert!(child.try_wait().unwrap().is_none(), "SIGHUP while loading must not end the bot");
    signal(&child, "TERM");
    let code = exit_code_within(&mut child, Duration::from_secs(8));
    assert!(code.success(), "exit {code:?}; log:\n{}", log.text());
}

/// Regression (hostile-data issue): with an API base that does not answer, serenity fell back
/// to the real Discord gateway. Now the bot keeps asking the configured base, says so once, and
/// stops cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_base_that_does_not_answer_is_retried_never_bypassed() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (mut child, log) = spawn_at(&base, &["--log", "debug", "run"], None);
    log.wait_for(&format!("the API base {base} does not answer GET /gateway")).await;
    signal(&child, "TERM");
    let code = exit_code_within(&mut child, Duration::from_secs(8));
    let text = log.text();
    assert!(code.success(), "exit {code:?}; log:\n{text}");
    assert!(!text.contains("gateway.discord.gg") && !text.contains("discord.com"), "{text}");
    assert_eq!(text.matches("does not answer").count(), 1, "one clear line, not one per retry:\n{text}");
}

/// Regression (hostile-data issue): at `RUST_LOG=trace` the raw gateway frames carried
/// interaction tokens into the log. No level may show a token: not the bot's, not an
/// interaction's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_at_any_log_level() {
    for filter in ["trace", "serenity=trace,trace", "tokio_tungstenite=trace,tungstenite=trace,hyper=trace,trace"] {
        let fake = FakeDiscord::start().await;
        let (mut child, log) = spawn_at(&fake.base, &["run"], Some(filter));
        log.wait_for("commands registered").await;
        let id = payloads::snowflake();
        let interaction = payloads::command(id, &token(id), "help", &[], MEMBER_PERMISSIONS);
        let path = callback_path(&interaction);
        fake.dispatch("INTERACTION_CREATE", interaction);
        fake.wait_for("the callback", Duration::from_secs(10), |r| r.path == path).await;
        signal(&child, "TERM");
        assert!(exit_code_within(&mut child, Duration::from_secs(8)).success());
        let text = log.text();
        let leaks: Vec<&str> =
            text.lines().filter(|l| l.contains(&token(id)) || l.contains(&TOKEN[..24])).take(3).collect();
        assert!(leaks.is_empty(), "RUST_LOG={filter}: a token reached the log: {leaks:#?}");
    }
}
