//! The real executable: SIGTERM finishes the interaction in flight and exits 0, quickly, and
//! the token never reaches the logs.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_work_and_exits_zero() {
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
    let global = format!("/api/v10/applications/{APP_ID}/commands");
    fake.wait_for("registration", Duration::from_secs(10), |r| r.path == global && r.status == 200).await;

    // An interaction whose first callback fails: it is still being retried when SIGTERM lands.
    let id = payloads::snowflake();
    let interaction = payloads::command(id, &token(id), "help", &[], MEMBER_PERMISSIONS);
    let path = callback_path(&interaction);
    fake.inject("POST", &path, 503, 0.0, 1);
    fake.dispatch("INTERACTION_CREATE", interaction);
    fake.wait_for("the failed callback", Duration::from_secs(5), |r| r.path == path).await;
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());

    let stopping = Instant::now();
    let code = loop {
        if let Some(code) = child.try_wait().unwrap() {
            break code;
        }
        assert!(stopping.elapsed() < Duration::from_secs(8), "still running 8 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(code.success(), "exit {code:?}; log:\n{log}");
    println!("exited {:?} after SIGTERM", stopping.elapsed());
    assert_eq!(
        requests_to(&fake, &path).iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![503, 204],
        "the in-flight interaction was answered before exit"
    );
    assert!(log.contains("ready as confbot-test in 1 guilds, 9 commands registered"), "{log}");
    assert!(!log.contains(TOKEN) && !log.contains(&TOKEN[..24]), "the token leaked into the log");
    let leaks: Vec<&str> = log.lines().filter(|l| l.contains(&token(id))).collect();
    assert!(leaks.is_empty(), "an interaction token leaked into the log: {leaks:#?}");
}
