//! `confbot serve`, Discord's HTTP interactions endpoint, against the fake Discord: signatures
//! and the replay window, answers identical to the gateway's, and two workers behind one
//! address surviving the loss of one.
//!
//! Each worker runs on its own tokio runtime in its own thread, so killing it drops everything
//! it runs — listener, connections, interactions half answered — as a dead process would.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::TimeZone;
use confbot::config::{Config, Token};
use confbot::discord::endpoint::{self, Options};
use confbot::discord::{Injected, RunError};
use confbot::services::Clock;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::discord::{callback_path, custom_ids, is_ephemeral, token, Bot, TOKEN};
use crate::fake_discord::payloads::{self, MEMBER_PERMISSIONS};
use crate::fake_discord::FakeDiscord;

/// The application's signing key, as Discord holds it; the worker is given its public half.
fn discord_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

/// "Now" for the workers whose clock the tests set: 2024-05-17 10:00 UTC.
fn t0() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2024, 5, 17, 10, 0, 0).unwrap()
}

/// A `serve` worker on its own runtime and thread, on a loopback port of its own.
pub struct Worker {
    pub addr: SocketAddr,
    /// `true` stops it as SIGTERM would; `false` (or dropping the worker) kills it.
    end: Option<oneshot::Sender<bool>>,
    ended: Option<oneshot::Receiver<Result<(), String>>>,
}

impl Worker {
    pub fn start(fake: &FakeDiscord, config: Config, clock: Option<Clock>, options: Options) -> Worker {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config {
            api_base: Some(fake.base.clone()),
            token: Some(Token::new(TOKEN)),
            public_key: Some(hex::encode(discord_key().verifying_key().to_bytes())),
            ..config
        };
        let (end, ending) = oneshot::channel::<bool>();
        let (done, ended) = oneshot::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            let (stop, stopped) = oneshot::channel::<()>();
            let serving = runtime.spawn(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let injected = Injected { clock, ..Default::default() };
                endpoint::serve(config, listener, options, injected, async {
                    let _ = stopped.await;
                })
                .await
            });
            let graceful = runtime.block_on(async { ending.await.unwrap_or(false) });
            let outcome = if graceful {
                let _ = stop.send(());
                match runtime.block_on(async { tokio::time::timeout(Duration::from_secs(8), serving).await }) {
                    Ok(Ok(result)) => result.map_err(|e: RunError| e.to_string()),
                    Ok(Err(e)) => Err(format!("the worker panicked: {e}")),
                    Err(_) => Err("the worker did not stop within 8 s".into()),
                }
            } else {
                Ok(())
            };
            // Every task of the worker is dropped here: a kill leaves nothing running.
            runtime.shutdown_timeout(Duration::from_millis(500));
            let _ = done.send(outcome);
        });
        Worker { addr, end: Some(end), ended: Some(ended) }
    }

    pub fn url(&self) -> String {
        format!("http://{}/interactions", self.addr)
    }

    /// Kills the worker and returns once nothing of it runs.
    pub async fn kill(mut self) {
        let _ = self.end.take().unwrap().send(false);
        let _ = self.ended.take().unwrap().await;
    }

    /// Stops the worker as SIGTERM would and returns its result.
    pub async fn stop(mut self) -> Result<(), String> {
        let _ = self.end.take().unwrap().send(true);
        self.ended.take().unwrap().await.unwrap_or_else(|_| Err("the worker thread died".into()))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(end) = self.end.take() {
            let _ = end.send(false);
        }
    }
}

/// An HTTP client as Discord would be one: no proxy from the environment, and a new connection
/// for every request, so a balancer in front spreads them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().pool_max_idle_per_host(0).build().unwrap()
}

/// POSTs `body` with the headers Discord sends: `signature` over `timestamp` + `body`.
pub async fn post(client: &reqwest::Client, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> (u16, String) {
    let mut request = client.post(url).header("content-type", "application/json").body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("the endpoint answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The two headers for `body` signed by `key` at `at` (Unix seconds).
pub fn signed(key: &SigningKey, at: i64, body: &[u8]) -> Vec<(&'static str, String)> {
    let timestamp = at.to_string();
    let signature = key.sign(&[timestamp.as_bytes(), body].concat());
    vec![("x-signature-ed25519", hex::encode(signature.to_bytes())), ("x-signature-timestamp", timestamp)]
}

/// Sends `interaction` signed now (by the system clock) and returns the HTTP status.
pub async fn send(client: &reqwest::Client, url: &str, interaction: &Value) -> u16 {
    let body = serde_json::to_vec(interaction).unwrap();
    post(client, url, &signed(&discord_key(), chrono::Utc::now().timestamp(), &body), body).await.0
}

/// The callback the fake received for `interaction`.
async fn callback(fake: &FakeDiscord, interaction: &Value) -> Value {
    let path = callback_path(interaction);
    fake.wait_for(&format!("a callback on {path}"), Duration::from_secs(10), |r| r.path == path && r.status == 204)
        .await
        .body
}

fn command(name: &str, options: &[(&str, &str)]) -> Value {
    let id = payloads::snowflake();
    payloads::command(id, &token(id), name, options, MEMBER_PERMISSIONS)
}

/// Valid, wrong key, tampered body, stale both ways, missing and malformed headers, PING,
/// unreadable bodies and an oversized one: only a signed, fresh request is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_signed_fresh_requests_are_answered() {
    let fake = FakeDiscord::start().await;
    let worker = Worker::start(&fake, Config::default(), Some(Clock::starting_at(t0())), Options::default());
    let (client, url, key, now) = (client(), worker.url(), discord_key(), t0().timestamp());
    let ping = br#"{"id":"1","application_id":"2","type":1,"token":"t","version":1}"#.to_vec();
    let pong = |(status, body): (u16, String)| {
        status == 200 && serde_json::from_str::<Value>(&body).ok() == Some(json!({"type": 1}))
    };

    assert!(pong(post(&client, &url, &signed(&key, now, &ping), ping.clone()).await), "a signed PING");
    // Within the window either way: Discord's clock and ours need not agree to the second.
    assert!(pong(post(&client, &url, &signed(&key, now - 299, &ping), ping.clone()).await));
    assert!(pong(post(&client, &url, &signed(&key, now + 299, &ping), ping.clone()).await));

    let good = signed(&key, now, &ping);
    let wrong_key = signed(&SigningKey::from_bytes(&[7; 32]), now, &ping);
    let mut tampered = ping.clone();
    tampered[ping.len() - 2] = b'2';
    type Case = (&'static str, Vec<(&'static str, String)>, Vec<u8>);
    let refused: Vec<Case> = vec![
        ("wrong key", wrong_key, ping.clone()),
        ("tampered body", good.clone(), tampered),
        ("stale", signed(&key, now - 301, &ping), ping.clone()),
        ("from the future", signed(&key, now + 301, &ping), ping.clone()),
        ("no headers", vec![], ping.clone()),
        ("no signature", vec![good[1].clone()], ping.clone()),
        ("no timestamp", vec![good[0].clone()], ping.clone()),
        ("signature not hex", vec![("x-signature-ed25519", "zz".repeat(64)), good[1].clone()], ping.clone()),
        ("signature too short", vec![("x-signature-ed25519", good[0].1[..126].into()), good[1].clone()], ping.clone()),
        ("timestamp not a number", vec![good[0].clone(), ("x-signature-timestamp", "soon".into())], ping.clone()),
        ("empty body", good.clone(), vec![]),
    ];
    for (case, headers, body) in refused {
        let (status, text) = post(&client, &url, &headers, body).await;
        assert_eq!((status, text.as_str()), (401, ""), "{case}");
    }

    // Signed but not an interaction: refused without a panic, and the worker goes on.
    for body in [b"not json".to_vec(), br#"{"type":2}"#.to_vec(), br#"[1,2,3]"#.to_vec()] {
        let (status, _) = post(&client, &url, &signed(&key, now, &body), body.clone()).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    }
    let huge = vec![b' '; endpoint::BODY_MAX + 1];
    assert_eq!(post(&client, &url, &signed(&key, now, &huge), huge).await.0, 413);
    let filler = "a".repeat(600_000);
    let refused = client.post(&url).header("x-filler", filler).body(ping.clone()).send().await;
    // hyper refuses headers over its buffer (431) or drops the connection: either way, no answer.
    assert!(refused.map_or(true, |r| r.status().is_client_error()), "a huge header is refused");
    assert_eq!(client.get(&url).send().await.unwrap().status().as_u16(), 405);
    assert!(pong(post(&client, &url, &signed(&key, now, &ping), ping.clone()).await), "still serving");

    assert!(fake.requests().iter().all(|r| !r.path.contains("/interactions/")), "no refused request was answered");
    assert_eq!(worker.stop().await, Ok(()));
}

/// A slash command, an autocomplete and a button through `serve` get the very callbacks the
/// gateway gives, sent to the same REST callback endpoint; the HTTP answer is 202.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_as_the_gateway_does() {
    let gateway = Bot::guild().await;
    let fake = FakeDiscord::start().await;
    let worker = Worker::start(&fake, Config::default(), None, Options::default());
    let (client, url) = (client(), worker.url());

    for (name, options) in [("help", vec![]), ("speaker", vec![("name", "simon willison")]), ("topics", vec![])] {
        let through_gateway = gateway.command(name, &options).await;
        let interaction = command(name, &options);
        assert_eq!(send(&client, &url, &interaction).await, 202, "/{name}");
        let through_serve = callback(&fake, &interaction).await;
        assert_eq!(through_serve["type"].as_u64(), Some(through_gateway.kind), "/{name}");
        assert_eq!(through_serve["data"], through_gateway.data, "/{name}");
    }

    let id = payloads::snowflake();
    let typing = payloads::autocomplete(id, &token(id), "speaker", "name", "simon");
    let through_gateway = gateway.interact(typing.clone()).await;
    let id = payloads::snowflake();
    let typing = payloads::autocomplete(id, &token(id), "speaker", "name", "simon");
    assert_eq!(send(&client, &url, &typing).await, 202);
    let through_serve = callback(&fake, &typing).await;
    assert_eq!((through_serve["type"].as_u64(), &through_serve["data"]), (Some(8), &through_gateway.data));
    assert!(!through_gateway.data["choices"].as_array().unwrap().is_empty());

    // A "did you mean" button: answered by closing the private question (type 7).
    let question = gateway.command("talk", &[("title", "python")]).await;
    let pick = custom_ids(&question.data).into_iter().next().expect("a choice button");
    let through_gateway = gateway.click(&question, &pick).await;
    let id = payloads::snowflake();
    let click = payloads::button(id, &token(id), &pick, payloads::message(payloads::snowflake(), &question.data));
    assert_eq!(send(&client, &url, &click).await, 202);
    let through_serve = callback(&fake, &click).await;
    assert_eq!(
        (through_serve["type"].as_u64(), &through_serve["data"]),
        (Some(through_gateway.kind), &through_gateway.data)
    );

    assert_eq!(worker.stop().await, Ok(()));
    gateway.stop().await;
}

/// A TCP balancer on loopback: each connection goes to the next backend in turn, skipping one
/// that refuses the connection, as a reverse proxy's passive health check does.
pub struct Balancer {
    pub addr: SocketAddr,
    /// The backend index each connection went to, in order.
    pub routed: Arc<Mutex<Vec<usize>>>,
}

impl Balancer {
    pub async fn start(backends: Vec<SocketAddr>) -> Balancer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let routed = Arc::new(Mutex::new(Vec::new()));
        let log = routed.clone();
        tokio::spawn(async move {
            let mut next = 0;
            while let Ok((mut downstream, _)) = listener.accept().await {
                for attempt in 0..backends.len() {
                    let i = (next + attempt) % backends.len();
                    if let Ok(mut upstream) = tokio::net::TcpStream::connect(backends[i]).await {
                        log.lock().unwrap().push(i);
                        tokio::spawn(async move {
                            let _ = tokio::io::copy_bidirectional(&mut downstream, &mut upstream).await;
                        });
                        break;
                    }
                }
                next = (next + 1) % backends.len();
            }
        });
        Balancer { addr, routed }
    }

    pub fn url(&self) -> String {
        format!("http://{}/interactions", self.addr)
    }
}

/// Two workers share one address and one state: a SQLite file, and (when a server is given) a
/// PostgreSQL database. Worker A stores a member's reminder lead time, then dies in the middle
/// of a stream of commands; every command after that is answered by B, and B serves what A
/// stored: the bookmark made through B lists under `/mine`, and the lead time A wrote is in the
/// shared state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_behind_one_address_survive_losing_one() {
    for place in crate::postgres::places() {
        survive_losing_one(&place).await;
    }
}

async fn survive_losing_one(place: &crate::postgres::Place) {
    let data = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schedule/nightconf.toml"));
    let config = Config { data: vec![data], state: Some(place.state_at()), ..Config::default() };
    let fake = FakeDiscord::start().await;
    let a = Worker::start(&fake, config.clone(), None, Options::default());
    let b = Worker::start(&fake, config, None, Options::default());
    let balancer = Balancer::start(vec![a.addr, b.addr]).await;
    let (client, url) = (client(), balancer.url());

    // Straight to A: the member's lead time, written to the shared file.
    let remind = command("remind", &[("minutes", "15")]);
    assert_eq!(send(&client, &a.url(), &remind).await, 202);
    assert!(is_ephemeral(&callback(&fake, &remind).await["data"]));

    // A stream through the balancer; A dies after the sixth.
    let mut sent = Vec::new();
    let mut a = Some(a);
    for n in 0..12 {
        if n == 6 {
            let routed = balancer.routed.lock().unwrap().clone();
            assert!(routed.contains(&0) && routed.contains(&1), "both workers served: {routed:?}");
            a.take().unwrap().kill().await;
        }
        let interaction = command("help", &[]);
        assert_eq!(send(&client, &url, &interaction).await, 202, "request {n}");
        sent.push(interaction);
    }
    for interaction in &sent {
        assert_eq!(callback(&fake, interaction).await["type"], 4);
    }
    let routed = balancer.routed.lock().unwrap().clone();
    assert!(routed[routed.len() - 6..].iter().all(|&i| i == 1), "after the kill, B answers all: {routed:?}");

    // State A wrote is there for B: a bookmark through B, listed by /mine through B.
    let card_for = command("talk", &[("title", "Analytical Engines")]);
    assert_eq!(send(&client, &url, &card_for).await, 202);
    let card = callback(&fake, &card_for).await["data"].clone();
    let bell = custom_ids(&card).into_iter().find(|id| id.starts_with("c1:remind:")).expect("a Remind me button");
    let id = payloads::snowflake();
    let press = payloads::button(id, &token(id), &bell, payloads::message(payloads::snowflake(), &card));
    assert_eq!(send(&client, &url, &press).await, 202);
    let pressed = callback(&fake, &press).await;
    assert!(pressed["data"]["content"].as_str().unwrap_or("").contains("Bookmarked"), "{pressed}");
    let mine = command("mine", &[]);
    assert_eq!(send(&client, &url, &mine).await, 202);
    let listed = callback(&fake, &mine).await;
    assert!(listed["data"].to_string().contains("Analytical Engines"), "{listed}");
    assert_eq!(b.stop().await, Ok(()));
    let store = place.open();
    assert_eq!(store.remind_minutes(800_000_000_000_000_001).unwrap(), 15, "A's write survived A on {}", place.name());
}

/// `/reload` answered by one worker reloads the other too — through LISTEN/NOTIFY on
/// PostgreSQL, through the file's events table on SQLite: a talk added to the catalogue is found
/// through B after A was asked to reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_on_one_worker_reloads_the_others() {
    for place in crate::postgres::places() {
        reload_reaches_the_other(&place).await;
    }
}

async fn reload_reaches_the_other(place: &crate::postgres::Place) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("conf.toml");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schedule/nightconf.toml");
    std::fs::copy(fixture, &data).unwrap();
    let config = Config { data: vec![data.clone()], state: Some(place.state_at()), ..Config::default() };
    let fake = FakeDiscord::start().await;
    let a = Worker::start(&fake, config.clone(), None, Options::default());
    let b = Worker::start(&fake, config, None, Options::default());
    let client = client();
    let ask_b = || async {
        let talk = command("talk", &[("title", "Late Addition")]);
        assert_eq!(send(&client, &b.url(), &talk).await, 202);
        // The talk's own card, not "which talk did you mean".
        let answer = callback(&fake, &talk).await;
        answer["data"]["embeds"][0]["title"].as_str().is_some_and(|t| t.starts_with("Late Addition"))
    };
    assert!(!ask_b().await, "not in the catalogue yet");

    let mut text = std::fs::read_to_string(&data).unwrap();
    text.push_str("\n[[talks]]\nid = \"late\"\ntitle = \"Late Addition\"\nconference = \"nightconf\"\n");
    std::fs::write(&data, text).unwrap();
    let id = payloads::snowflake();
    let reload = payloads::command(id, &token(id), "reload", &[], payloads::ADMIN_PERMISSIONS);
    assert_eq!(send(&client, &a.url(), &reload).await, 202);
    callback(&fake, &reload).await; // deferred: a reload may take a while
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ask_b().await {
        assert!(Instant::now() < deadline, "B never reloaded, on {}", place.name());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.kill().await;
    b.kill().await;
}

/// How fast one worker, then two behind the balancer, answer `/help` with signature checks:
/// interactions per second and the latency from sending the request to its 202, which comes
/// once the callback has reached (the fake) Discord. Run with
/// `cargo test --release --test confbot-tests serve::throughput -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: run it by hand"]
async fn throughput() {
    let fake = FakeDiscord::start().await;
    let a = Worker::start(&fake, Config::default(), None, Options::default());
    let b = Worker::start(&fake, Config::default(), None, Options::default());
    let balancer = Balancer::start(vec![a.addr, b.addr]).await;
    let pooled = reqwest::Client::builder().no_proxy().build().unwrap();
    let client = pooled.clone();
    // Warm up: the catalogue loaded, connections made.
    for url in [a.url(), b.url()] {
        for _ in 0..50 {
            send(&client, &url, &command("help", &[])).await;
        }
    }
    for (label, url, client) in [
        ("one worker, kept-alive connections", a.url(), pooled),
        // As through the balancer, which spreads connections: a new one for every request.
        ("one worker, a connection per request", a.url(), self::client()),
        ("two workers behind the balancer", balancer.url(), self::client()),
    ] {
        for concurrency in [1, 8, 32] {
            let (rate, p50, p99) = measure(&client, &url, concurrency, 2000).await;
            println!("{label}, {concurrency} concurrent: {rate:.0} interactions/s, p50 {p50:?}, p99 {p99:?}");
        }
    }
}

async fn measure(client: &reqwest::Client, url: &str, concurrency: usize, total: usize) -> (f64, Duration, Duration) {
    let key = discord_key();
    let started = Instant::now();
    let per = total / concurrency;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, key) = (client.clone(), url.to_owned(), key.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per);
                for _ in 0..per {
                    let body = serde_json::to_vec(&command("help", &[])).unwrap();
                    let headers = signed(&key, chrono::Utc::now().timestamp(), &body);
                    let sent = Instant::now();
                    let (status, _) = post(&client, &url, &headers, body).await;
                    assert_eq!(status, 202);
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort();
    (rate, all[all.len() / 2], all[all.len() * 99 / 100])
}

/// `confbot register` uploads the command set once, to the servers named, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_uploads_the_commands_once() {
    let fake = FakeDiscord::start().await;
    let base = fake.base.clone();
    let guild = payloads::GUILD_ID.to_string();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_confbot"))
            .args(["register", "--guild", &guild])
            .env("DISCORD_TOKEN", TOKEN)
            .env("DISCORD_API_BASE", base)
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let count = confbot::commands::COMMANDS.len();
    assert_eq!(stdout.trim(), format!("registered {count} commands in 1 server(s)"));
    let puts: Vec<_> = fake.requests().into_iter().filter(|r| r.method == "PUT").collect();
    let guild_path = format!("/api/v10/applications/{}/guilds/{}/commands", payloads::APP_ID, payloads::GUILD_ID);
    assert_eq!(puts.len(), 2, "{:?}", fake.summary());
    assert_eq!((puts[0].path.as_str(), puts[0].body.as_array().map(Vec::len)), (guild_path.as_str(), Some(count)));
    assert_eq!(puts[1].body, json!([]), "global commands cleared, as `run` does");
    assert!(!String::from_utf8_lossy(&output.stderr).contains(TOKEN), "the token never reaches the log");
}
