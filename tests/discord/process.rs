//! The real executable: SIGHUP reloads, SIGTERM finishes the interaction in flight and exits
//! 0 quickly, and the token never reaches the logs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;

/// The child's stderr, collected line by line as it comes.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<String>>);

impl Log {
    fn follow(child: &mut Child) -> Log {
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

    fn text(&self) -> String {
        self.0.lock().unwrap().clone()
    }

    async fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.text().contains(needle) {
            assert!(Instant::now() < deadline, "no “{needle}” in the log:\n{}", self.text());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_and_sigterm_finishes_in_flight_work_then_exits_zero() {
    let fake = FakeDiscord::start().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_confbot"))
        .args(["--log", "debug", "run"])
        .env("DISCORD_TOKEN", TOKEN)
        .env("DISCORD_API_BASE", &fake.base)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Log::follow(&mut child);
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
