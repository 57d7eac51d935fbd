//! Synced exports (issue #14, item 4): a loopback HTTP server started by each test serves a
//! pretalx export; confbot fetches it with conditional GETs, keeps the last good copy on disk,
//! reloads only on a real change, and backs off after failures. Time is stepped by hand:
//! `Exports::poll` is given "now", and `next_due` says when the next fetch is.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use confbot::catalogue::{Catalogue, Counts, LoadError};
use confbot::config::{Config, ConfigError};
use confbot::services::sync::{self, Exports, Http, Polled, Reload};
use confbot::sources::remote::{ExportUrl, Remote, Validators};
use confbot::sources::{self, Source};
use tokio::time::Instant;

const DEMOCON: &str = include_str!("fixtures/schedules/pretalx-democon.json");
const TITLE: &str = "Focused 5thgeneration hardware";
const REFRESH: Duration = Duration::from_secs(300);
/// The size cap in these tests: above the fixture (6.6 KB), far below the bot's 64 MiB.
const CAP: u64 = 32 * 1024;
const LAST_MODIFIED: &str = "Mon, 14 Dec 2020 08:00:00 GMT";

/// What the server answers with.
#[derive(Clone)]
enum Mode {
    /// The export, with an ETag; a matching If-None-Match gets a 304.
    Export {
        body: String,
        etag: String,
    },
    /// This body, as 200, with no validators.
    Body(Vec<u8>),
    /// This body streamed in chunks, so no Content-Length is sent.
    Streamed(Vec<u8>),
    Status(u16),
    /// Never answers.
    Hang,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
}

#[derive(Clone)]
struct Server {
    mode: Arc<Mutex<Mode>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn export(State(server): State<Server>, headers: HeaderMap) -> Response {
    let text = |name| headers.get(name).and_then(|v: &header::HeaderValue| v.to_str().ok()).map(str::to_owned);
    server
        .seen
        .lock()
        .unwrap()
        .push(Seen { if_none_match: text(header::IF_NONE_MATCH), if_modified_since: text(header::IF_MODIFIED_SINCE) });
    let mode = server.mode.lock().unwrap().clone();
    match mode {
        Mode::Export { body, etag } => {
            let validators = [(header::ETAG, etag.clone()), (header::LAST_MODIFIED, LAST_MODIFIED.to_owned())];
            if text(header::IF_NONE_MATCH).as_deref() == Some(etag.as_str()) {
                (StatusCode::NOT_MODIFIED, validators).into_response()
            } else {
                (validators, body).into_response()
            }
        }
        Mode::Body(bytes) => bytes.into_response(),
        Mode::Streamed(bytes) => {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = bytes.chunks(1024).map(|c| Ok(c.to_vec())).collect();
            axum::body::Body::from_stream(futures_util::stream::iter(chunks)).into_response()
        }
        Mode::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Mode::Hang => std::future::pending().await,
    }
}

/// Serves on `addr` (port 0: any free port), allowing the address to be taken again at once.
async fn serve(addr: SocketAddr, mode: Mode) -> (Server, SocketAddr, tokio::task::JoinHandle<()>) {
    let server = Server { mode: Arc::new(Mutex::new(mode)), seen: Arc::default() };
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket.bind(addr).unwrap();
    let listener = socket.listen(64).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/democon/schedule/export/schedule.json", axum::routing::get(export));
    let task = tokio::spawn({
        let app = app.with_state(server.clone());
        async move { axum::serve(listener, app).await.unwrap() }
    });
    (server, addr, task)
}

fn url(addr: SocketAddr) -> ExportUrl {
    // The query stands for a token: it must never reach a log or an error.
    ExportUrl::parse(&format!("http://{addr}/democon/schedule/export/schedule.json?token=s3cret")).unwrap()
}

fn good(etag: &str) -> Mode {
    Mode::Export { body: DEMOCON.to_owned(), etag: etag.to_owned() }
}

fn retitled(etag: &str) -> Mode {
    Mode::Export { body: DEMOCON.replace(TITLE, "Focused 6thgeneration hardware"), etag: etag.to_owned() }
}

/// The reload path as the bot has it: load the sources again and swap on success.
struct Live {
    sources: Vec<Source>,
    current: Mutex<Arc<Catalogue>>,
    reloads: AtomicU32,
}

impl Live {
    fn new(sources: Vec<Source>) -> Live {
        let catalogue = sources::load(&sources).expect("the first load");
        Live { sources, current: Mutex::new(Arc::new(catalogue)), reloads: AtomicU32::new(0) }
    }

    fn has(&self, title: &str) -> bool {
        self.current.lock().unwrap().talks.iter().any(|t| t.title == title)
    }

    fn reloads(&self) -> u32 {
        self.reloads.load(Ordering::SeqCst)
    }
}

impl Reload for Live {
    async fn reload(&self, why: String) -> Result<Counts, LoadError> {
        assert!(!why.contains("s3cret"), "{why}");
        self.reloads.fetch_add(1, Ordering::SeqCst);
        let loaded = sources::load(&self.sources)?;
        let counts = loaded.counts();
        *self.current.lock().unwrap() = Arc::new(loaded);
        Ok(counts)
    }
}

/// A first start against `addr`: the copy is fetched (primed), then loaded.
async fn first_start(cache: &std::path::Path, addr: SocketAddr) -> (Remote, Vec<Source>, Live) {
    let remote = Remote::new(url(addr), cache);
    let http = Http::new(Duration::from_secs(10), CAP).unwrap();
    let primed = sync::prime(&http, std::slice::from_ref(&remote)).await.unwrap();
    assert_eq!(primed, vec![remote.clone()]);
    let sources = sources::from_data(&[], std::slice::from_ref(&remote));
    let live = Live::new(sources.clone());
    (remote, sources, live)
}

#[tokio::test]
async fn first_fetch_loads_304_keeps_and_a_change_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr, _task) = serve("127.0.0.1:0".parse().unwrap(), good("\"v1\"")).await;
    let (remote, sources, live) = first_start(dir.path(), addr).await;
    assert!(live.has(TITLE), "the first fetch is served");
    assert_eq!(
        remote.validators(),
        Validators { etag: Some("\"v1\"".into()), last_modified: Some(LAST_MODIFIED.into()) }
    );
    assert_eq!(server.requests().len(), 1);
    assert!(server.requests()[0].if_none_match.is_none(), "a first fetch is unconditional");

    let http = Http::new(Duration::from_secs(10), CAP).unwrap();
    let start = Instant::now();
    let mut exports = Exports::new(http, REFRESH, sources, start);
    assert_eq!(exports.next_due(), Some(start), "the first poll is at once");
    let polled = exports.poll(start, &live).await;
    assert_eq!(polled.len(), 1);
    assert_eq!(polled[0].1, Polled::NotModified);
    let asked = server.requests().last().cloned().unwrap();
    assert_eq!(asked.if_none_match.as_deref(), Some("\"v1\""));
    assert_eq!(asked.if_modified_since.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(live.reloads(), 0, "304: nothing reloaded");

    // The export changes; nothing is asked before the refresh is due.
    server.set(retitled("\"v2\""));
    assert!(exports.poll(start + REFRESH - Duration::from_secs(1), &live).await.is_empty());
    assert_eq!(server.requests().len(), 2);
    let now = exports.next_due().unwrap();
    assert_eq!(now, start + REFRESH);
    assert_eq!(exports.poll(now, &live).await[0].1, Polled::Changed);
    assert_eq!(live.reloads(), 1);
    assert!(live.has("Focused 6thgeneration hardware") && !live.has(TITLE));
    assert_eq!(remote.validators().etag.as_deref(), Some("\"v2\""));
    assert!(std::fs::read_to_string(remote.copy()).unwrap().contains("6thgeneration"));
    assert!(!remote.staging().exists(), "the staged body is gone once adopted");

    // The same bytes under a new ETag: validators saved, no reload; then 304 on the new one.
    server.set(retitled("\"v3\""));
    let now = exports.next_due().unwrap();
    assert_eq!(exports.poll(now, &live).await[0].1, Polled::Same);
    assert_eq!(live.reloads(), 1, "identical content never reloads");
    assert_eq!(remote.validators().etag.as_deref(), Some("\"v3\""));
    let now = exports.next_due().unwrap();
    assert_eq!(exports.poll(now, &live).await[0].1, Polled::NotModified);
    assert_eq!(server.requests().last().unwrap().if_none_match.as_deref(), Some("\"v3\""));
    assert_eq!(live.reloads(), 1);
}

#[tokio::test]
async fn failed_fetches_keep_the_catalogue_and_back_off_until_one_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr, _task) = serve("127.0.0.1:0".parse().unwrap(), good("\"v1\"")).await;
    let (remote, sources, live) = first_start(dir.path(), addr).await;
    let copy = std::fs::read(remote.copy()).unwrap();
    let http = Http::new(Duration::from_secs(10), CAP).unwrap();
    let start = Instant::now();
    let mut exports = Exports::new(http, REFRESH, sources, start);
    exports.poll(start, &live).await;

    let oversize = format!("{{\"schedule\": \"{}\"}}", "x".repeat(CAP as usize));
    let failures = [
        (Mode::Status(500), "HTTP 500"),
        (Mode::Status(404), "HTTP 404"),
        (Mode::Body(b"<!DOCTYPE html><html><body>Log in</body></html>".to_vec()), "HTML"),
        (Mode::Body(b"{\"schedule\": {\"version\": \"v1\"}}".to_vec()), "does not validate"),
        (Mode::Body(DEMOCON.as_bytes()[..3000].to_vec()), "does not validate"),
        (Mode::Body(oversize.clone().into_bytes()), "larger than the cap"),
        (Mode::Streamed(oversize.into_bytes()), "larger than the cap"),
    ];
    let mut now = exports.next_due().unwrap();
    for (k, (mode, expected)) in failures.into_iter().enumerate() {
        server.set(mode);
        let asked = server.requests().len();
        // Not due yet: no request.
        assert!(exports.poll(now - Duration::from_secs(1), &live).await.is_empty());
        assert_eq!(server.requests().len(), asked);
        let polled = exports.poll(now, &live).await;
        assert_eq!(server.requests().len(), asked + 1, "one request per due poll");
        let Polled::Failed { why, retry_in } = &polled[0].1 else { panic!("{expected}: {polled:?}") };
        assert!(why.contains(expected), "{expected}: {why}");
        assert!(!why.contains("s3cret"), "{why}");
        // Failure n waits between refresh·2^(n-1) and refresh·2^n, capped at an hour.
        let n = k as u32 + 1;
        let cap = Duration::from_secs(3600);
        let (low, high) = ((REFRESH * (1 << (n - 1))).min(cap / 2).max(REFRESH), (REFRESH * (1 << n)).min(cap));
        assert!(*retry_in >= low && *retry_in <= high, "failure {n}: {retry_in:?} not in {low:?}..={high:?}");
        assert_eq!(exports.next_due(), Some(now + *retry_in));
        now += *retry_in;
        assert!(live.has(TITLE), "the old catalogue stays");
        assert_eq!(live.reloads(), 0);
        assert_eq!(std::fs::read(remote.copy()).unwrap(), copy, "the last good copy stays on disk");
        assert!(!remote.staging().exists());
    }

    // Success again: reloaded, and the normal refresh is back.
    server.set(retitled("\"v2\""));
    assert_eq!(exports.poll(now, &live).await[0].1, Polled::Changed);
    assert_eq!(live.reloads(), 1);
    assert!(live.has("Focused 6thgeneration hardware"));
    assert_eq!(exports.next_due(), Some(now + REFRESH), "the backoff is reset");
}

#[tokio::test(start_paused = true)]
async fn a_timeout_keeps_the_catalogue_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr, _task) = serve("127.0.0.1:0".parse().unwrap(), Mode::Hang).await;
    // A copy from an earlier run is on disk.
    let remote = Remote::new(url(addr), dir.path());
    remote.save(DEMOCON.as_bytes(), &Validators { etag: Some("\"v1\"".into()), last_modified: None }).unwrap();
    let sources = sources::from_data(&[], std::slice::from_ref(&remote));
    let live = Live::new(sources.clone());
    let real = std::time::Instant::now();
    let mut exports = Exports::new(Http::new(sync::http::TIMEOUT, CAP).unwrap(), REFRESH, sources, Instant::now());
    let polled = exports.poll(Instant::now(), &live).await;
    let Polled::Failed { why, .. } = &polled[0].1 else { panic!("{polled:?}") };
    assert!(why.contains("timeout"), "{why}");
    assert_eq!(server.requests().len(), 1);
    assert!(real.elapsed() < Duration::from_secs(10), "the 30 s timeout passed on tokio's paused clock");
    assert!(live.has(TITLE) && live.reloads() == 0);
}

#[tokio::test]
async fn a_restart_without_network_serves_the_disk_copy_and_sends_the_validators() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr, task) = serve("127.0.0.1:0".parse().unwrap(), good("\"v1\"")).await;
    first_start(dir.path(), addr).await;
    assert_eq!(server.requests().len(), 1);
    // The network goes away, and the bot restarts.
    task.abort();
    let _ = task.await;

    let remote = Remote::new(url(addr), dir.path());
    let http = Http::new(Duration::from_secs(10), CAP).unwrap();
    assert!(sync::prime(&http, std::slice::from_ref(&remote)).await.unwrap().is_empty(), "no fetch: a copy is on disk");
    let sources = sources::from_data(&[], std::slice::from_ref(&remote));
    let live = Live::new(sources.clone());
    assert!(live.has(TITLE), "served from the disk copy");
    let start = Instant::now();
    let mut exports = Exports::new(http, REFRESH, sources, start);
    let polled = exports.poll(start, &live).await;
    assert!(matches!(polled[0].1, Polled::Failed { .. }), "{polled:?}");
    assert!(live.has(TITLE) && live.reloads() == 0);

    // The network is back: the retry is conditional on the saved validators.
    let (server, _, _task) = serve(addr, good("\"v1\"")).await;
    let now = exports.next_due().unwrap();
    assert_eq!(exports.poll(now, &live).await[0].1, Polled::NotModified);
    let asked = server.requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].if_none_match.as_deref(), Some("\"v1\""));
    assert_eq!(asked[0].if_modified_since.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(live.reloads(), 0);
}

#[tokio::test]
async fn a_first_start_that_cannot_fetch_says_why_and_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, addr, _task) = serve("127.0.0.1:0".parse().unwrap(), Mode::Status(503)).await;
    let remote = Remote::new(url(addr), dir.path());
    let http = Http::new(Duration::from_secs(10), CAP).unwrap();
    let err = sync::prime(&http, std::slice::from_ref(&remote)).await.unwrap_err().to_string();
    assert!(err.contains("HTTP 503") && err.contains("/democon/schedule/export/schedule.json"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    assert!(!remote.has_copy());
    let err = sources::load(&sources::from_data(&[], &[remote])).unwrap_err().to_string();
    assert!(err.contains("no copy of this export has been fetched yet"), "{err}");
}

fn config(text: &str) -> Result<Config, ConfigError> {
    Config::from_layers(Some(("confbot.toml", text)), |_| None)
}

#[test]
fn the_config_takes_urls_beside_paths_and_a_refresh() {
    let c = config(
        "data = [\"data/a.toml\", \"https://pretalx.example/dc/schedule/export/schedule.json?token=s3cret\"]\n\
         refresh = \"90s\"\nstate = \"/var/lib/confbot/state.sqlite\"\n",
    )
    .unwrap();
    assert_eq!(c.data, vec![std::path::PathBuf::from("data/a.toml")]);
    assert_eq!(c.urls.len(), 1);
    assert_eq!(c.refresh(), Duration::from_secs(90));
    assert!(!format!("{c:?}").contains("s3cret"));
    assert_eq!(c.export_cache().unwrap(), std::path::Path::new("/var/lib/confbot/state-exports"));
    assert!(c.remotes()[0].copy().starts_with("/var/lib/confbot/state-exports"));
    let c = config("data = [\"https://h.example/x.json\"]\nstate = \"s.sqlite\"\n").unwrap();
    assert_eq!(c.refresh(), confbot::config::DEFAULT_REFRESH);
    // Plain paths work as before, with no state needed.
    assert_eq!(config("data = [\"a.toml\"]").unwrap().data.len(), 1);
}

#[test]
fn config_problems_are_located_all_at_once() {
    let err = config(
        "log = \"info\"\ndata = [\"http://pretalx.example/x.json?token=s3cret\", \"https://ok.example/x.json\"]\n\
         refresh = \"5 minutes\"\n",
    )
    .unwrap_err();
    let ConfigError::Invalid(problems) = &err else { panic!("{err}") };
    let text = err.to_string();
    assert_eq!(problems.len(), 3, "{text}");
    assert!(text.contains("confbot.toml:2:1: data: http://pretalx.example/x.json is plain http"), "{text}");
    assert!(text.contains("confbot.toml:2:1: data: a URL source needs `state`"), "{text}");
    assert!(text.contains("confbot.toml:3:1: refresh: “5 minutes” is not a period"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    let err = config("refresh = \"5m\"\n").unwrap_err().to_string();
    assert!(err.contains("confbot.toml:1:1: refresh: no `data` entry is a URL"), "{err}");
    let err = config("data = [\"https://h/x\"]\nstate = \"s\"\nrefresh = \"1s\"\n").unwrap_err().to_string();
    assert!(err.contains("out of range"), "{err}");
}

#[test]
fn check_config_is_offline() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("confbot.toml");
    // Port 9 on loopback: nothing listens, and nothing is asked.
    std::fs::write(
        &file,
        format!(
            "data = [\"http://127.0.0.1:9/democon/schedule.json\"]\nstate = \"{}\"\n",
            dir.path().join("state.sqlite").display()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_confbot"))
        .args(["check", "--config", file.to_str().unwrap()])
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("no copy fetched yet") && stdout.contains("ok:"), "{stdout}");
    // Once a copy is on disk, check loads it.
    let config = Config::from_file_only(&file).unwrap();
    config.remotes()[0].save(DEMOCON.as_bytes(), &Validators::default()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_confbot"))
        .args(["check", "--config", file.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("serving 1 conference"), "{stdout}");
}
