//! `confbot serve`: Discord's HTTP interactions endpoint. Discord POSTs each interaction, signed;
//! the worker checks the signature ([`signature`]), answers PING itself, and hands everything
//! else to [`interaction::handle`] — the gateway's own handler — which answers through the REST
//! callback endpoint. The HTTP answer is then 202 Accepted, with no body.
//!
//! A worker keeps nothing of its own between requests except the state store, so any number can
//! run behind a load balancer (docs/deploy.md). The daily and live loops run only in workers
//! started with `--background`, and there under the scheduler lease: one process at a time
//! posts, the others stand by (`services::lease`).

use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;
use serenity::http::Http;
use serenity::model::application::Interaction;
use tokio::net::TcpListener;

use super::signature::{PublicKey, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::{daily, interaction, register, shutdown, Bot, Injected, RunError};
use crate::config::Config;
use crate::services::Clock;

/// The largest request body read. Discord's interactions are a few kilobytes (a button carries
/// the whole message it was clicked on); anything bigger is refused with 413 before it is parsed.
pub const BODY_MAX: usize = 1 << 20;

/// How long a request waits for the interaction's first answer (its callback) before the 202.
/// Waiting means Discord has the callback before the HTTP answer, and each worker takes only as
/// much as it can answer; the bound stays under Discord's 3 seconds, since a slow command has
/// deferred by then (`interaction::DEFER_AFTER`) and finishes on its own.
const ANSWER_WAIT: Duration = Duration::from_millis(2500);

/// What `confbot serve` does besides answering.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Run the daily and live loops in this worker (one worker in a deployment).
    pub background: bool,
}

/// What every request shares.
struct Endpoint {
    key: PublicKey,
    bot: Arc<Bot>,
    http: Arc<Http>,
    /// "Now" for the replay window: the bot's clock, so tests can move it.
    clock: Clock,
}

/// Serves interactions on `listener` until `shutdown` resolves; then stops accepting, lets the
/// requests in flight finish and the interactions being answered drain (each step bounded).
pub async fn serve(
    config: Config,
    listener: TcpListener,
    options: Options,
    injected: Injected,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    let token = config.token.clone().ok_or(RunError::NoToken)?;
    let key = PublicKey::parse(config.public_key.as_deref().ok_or(RunError::NoPublicKey)?)?;
    let hangups = super::hangup_signals();
    tokio::pin!(shutdown);
    let Some(loaded) = super::load(&config, shutdown.as_mut()).await? else { return Ok(()) };
    let clock = injected.clock.unwrap_or(Clock::System);
    let daily = daily::Daily::open(&config, &loaded.catalogue, clock)?;
    let http = Arc::new(super::rest(&config, &token));
    // Without a gateway there is no `ready` to say who the bot is: ask, once per worker. A worker
    // that cannot reach Discord at start could not answer anyone either, so this is fatal.
    let me = tokio::select! {
        me = register::identify(&http) => me?,
        () = &mut shutdown => return Ok(()),
    };
    let bot = Arc::new(super::Bot::new(&config, loaded.catalogue, loaded.sources, &injected, daily));
    bot.user_id.store(me, std::sync::atomic::Ordering::Relaxed);
    if options.background {
        let (started, h) = (bot.clone(), http.clone());
        bot.background.start_once(|closing| daily::start(started, h, me, closing));
        tracing::info!("daily and live posts run in this worker (--background)");
    }
    let hangups = super::listen_for_changes(bot.clone(), hangups);
    let syncing = super::sync_exports(&bot, loaded.fetch, &config, loaded.remotes.len());

    let endpoint = Arc::new(Endpoint { key, bot: bot.clone(), http, clock });
    let app = Router::new().fallback(receive).layer(DefaultBodyLimit::max(BODY_MAX)).with_state(endpoint);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!("listening for interactions on http://{addr}");
    }
    let (close, closed) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = closed.await;
        })
        .into_future();
    tokio::pin!(server);
    let result = tokio::select! {
        () = &mut shutdown => {
            tracing::info!("shutting down");
            Ok(())
        }
        ended = &mut server => ended.map_err(RunError::Listen),
    };
    let _ = close.send(());
    // Requests in flight wait at most ANSWER_WAIT; a client that holds its connection open
    // without a request does not hold the exit up.
    if tokio::time::timeout(shutdown::DRAIN, server).await.is_err() {
        tracing::warn!("requests still open after {:?}; closing them", shutdown::DRAIN);
    }
    hangups.abort();
    if let Some(syncing) = syncing {
        syncing.abort();
    }
    tokio::join!(bot.background.stop(), shutdown::drain(&bot.inflight));
    result
}

/// One request: any path (the reverse proxy picks it), POST only.
async fn receive(State(endpoint): State<Arc<Endpoint>>, method: Method, headers: HeaderMap, body: Bytes) -> Response {
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let given = |name: &str| headers.get(name).map(axum::http::HeaderValue::as_bytes);
    let now = endpoint.clock.now().timestamp();
    if let Err(why) = endpoint.key.check(given(SIGNATURE_HEADER), given(TIMESTAMP_HEADER), &body, now) {
        // Discord itself sends bad signatures when the URL is saved, to see them refused.
        tracing::debug!("refused a request: {why}");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => return unreadable(&e),
    };
    if value.get("type").and_then(Value::as_u64) == Some(PING) {
        return ([(header::CONTENT_TYPE, "application/json")], r#"{"type":1}"#).into_response();
    }
    let interaction: Interaction = match serde_json::from_value(value) {
        Ok(interaction) => interaction,
        Err(e) => return unreadable(&e),
    };
    let answering = tokio::spawn(interaction::handle(endpoint.bot.clone(), endpoint.http.clone(), interaction));
    if tokio::time::timeout(ANSWER_WAIT, answering).await.is_err() {
        tracing::debug!("still answering after {ANSWER_WAIT:?}; accepted, it finishes on its own");
    }
    StatusCode::ACCEPTED.into_response()
}

/// Interaction type 1: Discord checking that the endpoint answers.
const PING: u64 = 1;

/// A signed body that is not an interaction serenity can read: Discord's format moved on, or a bug.
fn unreadable(e: &serde_json::Error) -> Response {
    tracing::warn!("a signed request is not an interaction confbot can read: {e}");
    StatusCode::BAD_REQUEST.into_response()
}
