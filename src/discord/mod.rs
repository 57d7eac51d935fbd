//! The Discord edge: the only module that names serenity types.
//!
//! [`run`] builds the client, answers interactions until `shutdown` resolves, then closes
//! within a few seconds. With an API base (tests, API proxies) serenity's rate limiter is off,
//! because it would ignore the base, and every REST call goes through [`retry`].
//!
//! # Layout
//! - [`interaction`]: the one `interaction_create`: commands, autocomplete, buttons;
//! - [`register`]: the command set, bulk-overwritten on every `ready`;
//! - [`reload`]: the live catalogue, `/reload` and SIGHUP;
//! - [`retry`]: 429 and 5xx handling for every REST call;
//! - [`background`]: work started once per process (the daily scheduler);
//! - [`shutdown`]: the bounded shutdown and the count of in-flight interactions.

pub mod background;
pub mod interaction;
pub mod register;
pub mod reload;
pub mod retry;
pub mod shutdown;

use std::future::Future;
use std::sync::Arc;

use serenity::all::{ClientBuilder, Context, EventHandler, GatewayIntents, HttpBuilder, Interaction, Ready};
use serenity::async_trait;

pub use background::{Job, PostError, Poster};

use crate::catalogue::{self, LoadError};
use crate::config::Config;

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("DISCORD_TOKEN is not set: put the bot token from the developer portal in the environment")]
    NoToken,
    #[error("{0}")]
    Catalogue(LoadError),
    #[error("the Discord client failed: {0}")]
    Client(String),
}

/// What every handler shares.
pub struct Bot {
    pub live: reload::Live,
    pub guild_ids: Vec<u64>,
    pub last_insight: interaction::LastInsight,
    pub inflight: Arc<shutdown::Inflight>,
    pub background: background::Background,
}

struct Handler(Arc<Bot>);

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let guilds = ready.guilds.len();
        match register::register(&ctx.http, &self.0.guild_ids).await {
            Ok(n) => tracing::info!("ready as {} in {guilds} guilds, {n} commands registered", ready.user.name),
            Err(e) => tracing::error!(
                "ready as {} in {guilds} guilds, but registering commands failed: {}",
                ready.user.name,
                retry::describe(&e)
            ),
        }
        if self.0.background.start_once(ctx.http.clone()) {
            tracing::debug!("background work started");
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        interaction::handle(self.0.clone(), ctx.http.clone(), interaction).await;
    }
}

/// Runs the bot until `shutdown` resolves; returns once the gateway is closed and in-flight
/// interactions are answered (each step bounded).
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), RunError> {
    run_with(config, Vec::new(), shutdown).await
}

/// [`run`] with background jobs, started on the first `ready` only.
pub async fn run_with(config: Config, jobs: Vec<Job>, shutdown: impl Future<Output = ()>) -> Result<(), RunError> {
    let token = config.token.clone().ok_or(RunError::NoToken)?;
    let sources = config.sources();
    let loading = sources.clone();
    let catalogue = tokio::task::spawn_blocking(move || catalogue::load_sources(&loading))
        .await
        .map_err(|e| RunError::Client(e.to_string()))?
        .map_err(RunError::Catalogue)?;
    tracing::info!("serving {}", catalogue.counts());

    let http = match &config.api_base {
        Some(base) => {
            tracing::info!("REST calls go to {base}, with confbot's own retries");
            HttpBuilder::new(token.expose()).proxy(base.trim_end_matches('/')).ratelimiter_disabled(true).build()
        }
        None => HttpBuilder::new(token.expose()).build(),
    };
    let bot = Arc::new(Bot {
        live: reload::Live::new(catalogue, sources),
        guild_ids: config.guild_ids.clone(),
        last_insight: Default::default(),
        inflight: Default::default(),
        background: background::Background::new(jobs),
    });
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .event_handler(Handler(bot.clone()))
        .await
        .map_err(|e| RunError::Client(e.to_string()))?;
    let shards = client.shard_manager.clone();
    let mut gateway = tokio::spawn(async move { client.start().await });
    let hangups = tokio::spawn(reload_on_hangup(bot.clone()));

    let result = tokio::select! {
        () = shutdown => {
            tracing::info!("shutting down");
            Ok(())
        }
        ended = &mut gateway => match ended {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(RunError::Client(e.to_string())),
            Err(e) => Err(RunError::Client(e.to_string())),
        },
    };
    hangups.abort();
    bot.background.close();
    shutdown::close(&shards, &bot.inflight).await;
    gateway.abort();
    result
}

/// A log filter with serenity's HTTP spans switched off, unless `filter` names serenity.
///
/// Those spans carry each request's route, which holds the interaction token (a credential
/// for 15 minutes), and any event logged inside a span (say, a debug line from the HTTP
/// library) prints the span's fields with it.
pub fn quiet_client_logs(filter: &str) -> String {
    if filter.contains("serenity") {
        filter.to_owned()
    } else {
        format!("{filter},serenity=info,serenity::http=warn")
    }
}

/// SIGHUP reloads the catalogue, as `/reload` does; errors are logged and the old one stays.
async fn reload_on_hangup(bot: Arc<Bot>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; use /reload instead");
            return;
        };
        while hangups.recv().await.is_some() {
            match bot.live.reload().await {
                Ok(counts) => tracing::info!("catalogue reloaded on SIGHUP: {counts}"),
                Err(e) => tracing::warn!("SIGHUP reload kept the previous catalogue: {e}"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = bot;
}
