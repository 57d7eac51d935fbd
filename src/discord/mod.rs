//! The Discord edge: the only module that names serenity types.
//!
//! [`run`] builds the client, answers interactions until `shutdown` resolves, then closes
//! within a few seconds. With an API base (tests, API proxies) serenity's rate limiter is off,
//! because it would ignore the base, and every REST call goes through [`retry`].
//!
//! # Layout
//! - [`interaction`]: the one `interaction_create`: commands, autocomplete, buttons;
//! - [`endpoint`]: `confbot serve`, the same interactions arriving as signed HTTP POSTs;
//! - [`signature`]: the Ed25519 check and replay window of those requests;
//! - [`register`]: the command set, bulk-overwritten on shard 0's first `ready` or by `confbot register`;
//! - [`reload`]: the live catalogue, `/reload`, SIGHUP and synced exports;
//! - [`retry`]: 429 and 5xx handling for every REST call;
//! - [`background`]: work started once per process, on its first `ready` (the daily delivery loop);
//! - [`daily`]: daily highlights: the state store, the REST transport, the loop started once;
//! - [`permissions`]: whether the bot can post in a channel;
//! - [`review`]: members' suggestions posted for review, and their authors told of decisions;
//! - [`shutdown`]: the bounded shutdown and the count of in-flight interactions.

pub mod background;
pub mod daily;
pub mod endpoint;
pub mod events;
pub mod interaction;
pub mod permissions;
pub mod register;
pub mod reload;
pub mod retry;
pub mod review;
pub mod shutdown;
pub mod signature;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use serenity::all::{ClientBuilder, Context, EventHandler, GatewayIntents, HttpBuilder, Interaction, Ready};
use serenity::async_trait;

use crate::catalogue::LoadError;
use crate::config::{Config, Shards};
use crate::services::{sync, Clock};
use crate::sources;

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("DISCORD_TOKEN is not set: put the bot token from the developer portal in the environment")]
    NoToken,
    #[error("{0}")]
    Catalogue(LoadError),
    #[error("loading the catalogue stopped: {0}")]
    Loader(tokio::task::JoinError),
    #[error("the gateway task stopped: {0}")]
    Gateway(tokio::task::JoinError),
    #[error("the Discord client failed: {0}")]
    Client(#[from] serenity::Error),
    #[error(transparent)]
    DailyEntries(#[from] crate::daily::EntryProblems),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Sync(String),
    #[error(
        "no public key: put the application's public key (developer portal → General Information) in \
         DISCORD_PUBLIC_KEY or the config's `public_key`"
    )]
    NoPublicKey,
    #[error(transparent)]
    PublicKey(#[from] signature::KeyError),
    #[error("cannot listen for interactions: {0}")]
    Listen(std::io::Error),
}

/// What every handler shares.
pub struct Bot {
    pub live: reload::Live,
    pub guild_ids: Vec<u64>,
    pub inflight: Arc<shutdown::Inflight>,
    pub background: background::Background,
    pub daily: daily::Daily,
    /// The gateway shards this process runs; `None` when unsharded (shard 0 of 1).
    pub shards: Option<Shards>,
    /// Commands are registered once per process, and only by shard 0.
    registration: register::Registration,
    /// `ready`s handled so far ([`Injected::readies`]).
    readies: Arc<AtomicU32>,
    /// The bot's user id, known from the first `ready` (0 before).
    user_id: AtomicU64,
}

impl Bot {
    /// The bot's user id, once `ready` has said it.
    pub fn user_id(&self) -> Option<u64> {
        Some(self.user_id.load(Ordering::Relaxed)).filter(|&id| id != 0)
    }
}

/// What a caller can inject into [`run_with`]; [`run`] uses the defaults.
#[derive(Clone, Default)]
pub struct Injected {
    /// "Now" for daily posts; the system clock when `None`.
    pub clock: Option<Clock>,
    /// Counts background starts (tests check it stays at 1 across shard restarts).
    pub background_starts: Arc<AtomicU32>,
    /// Counts `ready`s handled to the end, registration included (tests wait on it).
    pub readies: Arc<AtomicU32>,
}

struct Handler(Arc<Bot>);

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        // Known before any interaction can need it (the channel check of /daily set).
        self.0.user_id.store(ready.user.id.get(), Ordering::Relaxed);
        let shard = ctx.shard_id.0;
        let on = match self.0.shards {
            Some(shards) => format!(" on shard {shard} of {}", shards.total),
            None => String::new(),
        };
        let ready_as = format!("ready as {} in {} guilds{on}", ready.user.name, ready.guilds.len());
        // Shard 0 runs in exactly one of the processes sharing the gateway: registering on its
        // `ready` registers once for the whole bot.
        if shard == 0 {
            match self.0.registration.once(&ctx.http, &self.0.guild_ids).await {
                Ok(register::Registered::Now(n)) => tracing::info!("{ready_as}, {n} commands registered"),
                Ok(register::Registered::Before) => tracing::info!("{ready_as}; commands already registered"),
                Err(e) => {
                    tracing::error!("{ready_as}, but registering commands failed: {}", retry::describe(&e));
                }
            }
        } else {
            tracing::info!("{ready_as}; the process running shard 0 registers the commands");
        }
        let bot = self.0.clone();
        let http = ctx.http.clone();
        let me = ready.user.id.get();
        if self.0.background.start_once(|closing| daily::start(bot, http, me, closing)) {
            tracing::debug!("background work started");
        }
        self.0.readies.fetch_add(1, Ordering::SeqCst);
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        interaction::handle(self.0.clone(), ctx.http.clone(), interaction).await;
    }
}

/// Runs the bot until `shutdown` resolves; returns once the gateway is closed and in-flight
/// interactions are answered (each step bounded).
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), RunError> {
    run_with(config, Injected::default(), shutdown).await
}

/// [`run`] with what the caller injects: a clock, and counters the tests wait on.
pub async fn run_with(config: Config, injected: Injected, shutdown: impl Future<Output = ()>) -> Result<(), RunError> {
    let token = config.token.clone().ok_or(RunError::NoToken)?;
    // Listen for SIGHUP before loading: its default action would kill the process, and one
    // that lands while loading is kept and coalesced into a single reload once serving.
    let hangups = hangup_signals();
    tokio::pin!(shutdown);
    let Some(loaded) = load(&config, shutdown.as_mut()).await? else { return Ok(()) };
    let daily = daily::Daily::open(&config, &loaded.catalogue, injected.clock.unwrap_or(Clock::System))?;
    let http = rest(&config, &token);
    // With an API base, the gateway URL must come from that base: serenity falls back to the
    // real Discord's gateway when the request fails, which would send the token elsewhere.
    let pinned_gateway = match &config.api_base {
        Some(base) => tokio::select! {
            url = gateway_from(&http, base) => Some(url),
            () = &mut shutdown => return Ok(()),
        },
        None => None,
    };
    let bot = Arc::new(Bot::new(&config, loaded.catalogue, loaded.sources, &injected, daily));
    let mut client =
        ClientBuilder::new_with_http(http, GatewayIntents::GUILDS).event_handler(Handler(bot.clone())).await?;
    if let Some(url) = pinned_gateway {
        *client.ws_url.lock().await = url;
    }
    let shards = client.shard_manager.clone();
    let range = config.shards;
    let mut gateway = tokio::spawn(async move {
        match range {
            Some(Shards { first, last, total }) => {
                tracing::info!("running gateway shards {first} to {last} of {total}");
                // serenity 0.12 reads the range's end as included: `first..last` starts FIRST
                // to LAST (`0..0` is shard 0 alone). It starts them 5 s apart.
                client.start_shard_range(first..last, total).await
            }
            None => client.start().await,
        }
    });
    let hangups = listen_for_changes(bot.clone(), hangups);
    // Synced exports run from the start, not from `ready`: they need no gateway.
    let syncing = sync_exports(&bot, loaded.fetch, &config, loaded.remotes.len());

    let result = tokio::select! {
        () = &mut shutdown => {
            tracing::info!("shutting down");
            Ok(())
        }
        ended = &mut gateway => match ended {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(RunError::Client(e)),
            Err(e) => Err(RunError::Gateway(e)),
        },
    };
    hangups.abort();
    if let Some(syncing) = syncing {
        syncing.abort();
    }
    // The daily loop stops (bounded) while the gateway closes and interactions drain.
    tokio::join!(bot.background.stop(), shutdown::close(&shards, &bot.inflight));
    gateway.abort();
    result
}

/// The catalogue and where it comes from, loaded at start-up.
struct Loaded {
    catalogue: crate::catalogue::Catalogue,
    sources: Vec<sources::Source>,
    remotes: Vec<sources::remote::Remote>,
    fetch: sync::Http,
}

/// Loads the catalogue the config names, fetching first a URL source with no copy on disk yet
/// (a first start); `None` when `shutdown` resolves first.
async fn load(config: &Config, mut shutdown: Pin<&mut impl Future<Output = ()>>) -> Result<Option<Loaded>, RunError> {
    let remotes = config.remotes();
    let sources = sources::from_data(&config.data, &remotes);
    let fetch = sync::Http::new(sync::http::TIMEOUT, crate::import::limits::FILE_MAX).map_err(RunError::Sync)?;
    let primed = tokio::select! {
        primed = sync::prime(&fetch, &remotes) => primed.map_err(RunError::Catalogue)?,
        () = &mut shutdown => return Ok(None),
    };
    let loading = sources.clone();
    tracing::info!("loading the catalogue");
    let catalogue = tokio::select! {
        loaded = tokio::task::spawn_blocking(move || sources::load(&loading)) => {
            match loaded.map_err(RunError::Loader)? {
                Ok(catalogue) => catalogue,
                Err(e) => {
                    primed.iter().for_each(sources::remote::Remote::forget);
                    return Err(RunError::Catalogue(e));
                }
            }
        }
        () = &mut shutdown => {
            tracing::info!("shutting down while loading the catalogue");
            return Ok(None);
        }
    };
    tracing::info!("serving {}", catalogue.counts());
    Ok(Some(Loaded { catalogue, sources, remotes, fetch }))
}

/// serenity's REST client for the config: with an API base, pointed there with serenity's rate
/// limiter off (it would ignore the base) and every call retried by [`retry`].
fn rest(config: &Config, token: &crate::config::Token) -> serenity::http::Http {
    match &config.api_base {
        Some(base) => {
            tracing::info!("REST calls go to {base}, with confbot's own retries");
            HttpBuilder::new(token.expose()).proxy(base.trim_end_matches('/')).ratelimiter_disabled(true).build()
        }
        None => HttpBuilder::new(token.expose()).build(),
    }
}

impl Bot {
    fn new(
        config: &Config,
        catalogue: crate::catalogue::Catalogue,
        sources: Vec<sources::Source>,
        injected: &Injected,
        daily: daily::Daily,
    ) -> Bot {
        Bot {
            live: reload::Live::new(catalogue, sources),
            guild_ids: config.guild_ids.clone(),
            inflight: Default::default(),
            background: background::Background::new(injected.background_starts.clone()),
            daily,
            shards: config.shards,
            registration: Default::default(),
            readies: injected.readies.clone(),
            user_id: AtomicU64::new(0),
        }
    }
}

/// Keeps the config's URL sources in sync, reloading on a change; `None` without any.
/// Aborting the task at shutdown is safe: every file it writes is written atomically.
fn sync_exports(
    bot: &Arc<Bot>,
    fetch: sync::Http,
    config: &Config,
    remotes: usize,
) -> Option<tokio::task::JoinHandle<()>> {
    (remotes > 0).then(|| {
        let exports =
            sync::Exports::new(fetch, config.refresh(), bot.live.sources().to_vec(), tokio::time::Instant::now());
        tracing::info!("syncing {remotes} export(s) every {}s", config.refresh().as_secs());
        tokio::spawn(sync::run(exports, reload::Syncing(bot.clone())))
    })
}

/// The gateway URL the API base gives, asked until it answers: 1 s, doubling to 30 s between
/// tries. The first failure is logged as a warning that names the base; the rest quietly.
async fn gateway_from(http: &serenity::http::Http, base: &str) -> String {
    let mut pause = std::time::Duration::from_secs(1);
    for attempt in 1.. {
        match http.get_gateway().await {
            Ok(gateway) => {
                if attempt > 1 {
                    tracing::info!("the API base {base} answers again");
                }
                return gateway.url;
            }
            Err(e) if attempt == 1 => tracing::warn!(
                "the API base {base} does not answer GET /gateway ({}); retrying it, and only it, with backoff",
                retry::describe(&e)
            ),
            Err(e) => tracing::debug!("GET /gateway on {base} failed again: {}", retry::describe(&e)),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_secs(30));
    }
    unreachable!("the loop returns once the base answers")
}

/// Libraries whose detailed logs carry credentials, and the most they may log: serenity's
/// HTTP spans hold each request's route, which holds the interaction token (valid for 15
/// minutes), and print it with any event inside them; the websocket and HTTP libraries trace
/// raw gateway frames and requests, interaction tokens included.
const QUIET: &[(&str, &str)] = &[
    ("serenity", "info"),
    ("serenity::http", "warn"),
    ("tungstenite", "info"),
    ("tokio_tungstenite", "info"),
    ("reqwest", "info"),
    ("hyper", "info"),
    ("hyper_util", "info"),
    ("rustls", "info"),
];

/// `filter` with the libraries that would log credentials held to [`QUIET`]'s levels, whatever
/// the filter asked for them: no token reaches the log at any level.
pub fn quiet_client_logs(filter: &str) -> String {
    let loud = |directive: &str| {
        let target = directive.split('=').next().unwrap_or("").trim();
        QUIET.iter().any(|(quiet, _)| target == *quiet || target.starts_with(&format!("{quiet}::")))
    };
    let mut kept: Vec<String> =
        filter.split(',').filter(|d| !d.trim().is_empty() && !loud(d)).map(str::to_owned).collect();
    kept.extend(QUIET.iter().map(|(target, level)| format!("{target}={level}")));
    kept.join(",")
}

/// Reloads on SIGHUP, and acts on the other workers' events ([`events`]), until aborted.
#[cfg(unix)]
fn listen_for_changes(bot: Arc<Bot>, hangups: Option<tokio::signal::unix::Signal>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tokio::join!(reload_on_hangup(bot.clone(), hangups), events::listen(bot));
    })
}

#[cfg(not(unix))]
fn listen_for_changes(bot: Arc<Bot>, _: Option<()>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(events::listen(bot))
}

/// SIGHUP as a stream, listening from now on; `None` where there is no SIGHUP.
#[cfg(unix)]
fn hangup_signals() -> Option<tokio::signal::unix::Signal> {
    use tokio::signal::unix::{signal, SignalKind};
    signal(SignalKind::hangup()).map_err(|e| tracing::warn!("cannot listen for SIGHUP ({e}); use /reload instead")).ok()
}

#[cfg(not(unix))]
fn hangup_signals() -> Option<()> {
    None
}

/// SIGHUP reloads the catalogue, as `/reload` does; errors are logged and the old one stays.
/// Several signals while a reload runs are coalesced into one more reload.
#[cfg(unix)]
async fn reload_on_hangup(bot: Arc<Bot>, hangups: Option<tokio::signal::unix::Signal>) {
    let Some(mut hangups) = hangups else { return };
    while hangups.recv().await.is_some() {
        if bot.reload("SIGHUP").await.is_ok() {
            events::tell(&bot, events::Event::Reload);
        }
    }
}
