//! Daily highlights on Discord: the state store opened at start-up, the REST transport the
//! delivery loop posts through, and the loop started once per process. `/daily` itself is an
//! ordinary command (`commands/daily.rs`); its effects are carried out in `interaction`.
//!
//! Retries: the transport makes ONE attempt per call and does not go through [`retry`]. The
//! delivery loop owns retries for daily posts — 429 and 5xx come back as transient
//! [`SendError`]s and are retried with a backoff kept in the store (2 s doubling, until the
//! local day ends), after first looking for the message. Retrying here as well would only
//! delay the record and multiply attempts. Against the real Discord, serenity's own rate
//! limiter still waits out 429s before the loop sees them. The calls made while answering
//! `/daily` (the channel check) do go through [`retry`], as every interaction call does.

use std::sync::Arc;

use serenity::http::{Http, HttpError, MessagePagination};
use serenity::model::channel::Nonce;
use serenity::model::id::{ChannelId, MessageId};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::background::Closing;
use super::{retry, Bot, RunError};
use crate::catalogue::Catalogue;
use crate::config::{Config, StateAt};
use crate::daily;
use crate::services::{self, transport, Clock, Delivery, Seen, SendError, Transport};
use crate::store::Store;

/// What `/daily` and the delivery loop share.
pub struct Daily {
    pub store: Arc<Store>,
    /// Poked after `/daily set | now | off` and reloads, so the loop looks again at once.
    pub wake: Arc<Notify>,
    /// Poked after `/live` settings change and reloads: the live loop looks again at once.
    pub live_wake: Arc<Notify>,
    /// "Now" for the loops and commands (the system clock, except in tests).
    pub clock: Clock,
    /// The scheduler lease's TTL (config `lease`).
    pub lease: std::time::Duration,
    /// This process among those sharing the store: the lease's holder, an event's sender.
    pub worker: String,
}

impl Daily {
    /// Opens the state store and makes the config's `[[daily]]` entries the starting point.
    /// A bad entry stops start-up with every problem listed.
    pub fn open(config: &Config, catalogue: &Catalogue, clock: Clock) -> Result<Daily, RunError> {
        let schedules = daily::entries::parse_entries(&config.daily)
            .and_then(|entries| daily::entries::schedules(&entries, catalogue))
            .map_err(|e| config.locate_daily(e))?;
        let store = match &config.state {
            Some(StateAt::File(path)) => Store::open(path)?,
            Some(StateAt::Postgres(url)) => Store::connect(url.expose())?,
            None => {
                tracing::warn!(
                    "no `state` path in the config: daily-post state is kept in memory only, so each day is \
                     posted exactly once within this run but a restart may post it again. Set `state` to keep it."
                );
                Store::open_in_memory()?
            }
        };
        let follows = crate::live::entries::follows(&config.live, catalogue).map_err(|e| config.locate_daily(e))?;
        store.sync_config(&schedules, clock.now())?;
        store.sync_live_config(&follows, clock.now())?;
        if !schedules.is_empty() {
            tracing::info!("daily: {} schedule(s) in the config", schedules.len());
        }
        Ok(Daily {
            store: Arc::new(store),
            wake: Arc::new(Notify::new()),
            live_wake: Arc::new(Notify::new()),
            clock,
            lease: config.lease(),
            worker: services::lease::holder_id(),
        })
    }
}

/// Starts the daily and live loops under the scheduler lease: they run while this process
/// holds it (one process of all those sharing the state store), and stop when `closing`
/// resolves. Called once per process.
pub fn start(bot: Arc<Bot>, http: Arc<Http>, bot_user: u64, closing: Closing) -> JoinHandle<()> {
    let store = bot.daily.store.clone();
    let clock = bot.daily.clock;
    let transport = Rest { http, bot_user };
    let ttl = chrono::Duration::from_std(bot.daily.lease).unwrap_or(services::lease::DEFAULT_TTL);
    let holder = bot.daily.worker.clone();
    let work = move |_epoch, lost: services::lease::Lost| {
        // The catalogue is read afresh on every pass, so a reload is seen at once.
        let catalogue = {
            let bot = bot.clone();
            move || bot.live.get()
        };
        let daily = services::daily::run(
            bot.daily.store.clone(),
            catalogue.clone(),
            transport.clone(),
            clock,
            bot.daily.wake.clone(),
            lost.clone().wait(),
        );
        let live = services::live::run(
            bot.daily.store.clone(),
            catalogue,
            transport.clone(),
            clock,
            bot.daily.live_wake.clone(),
            lost.wait(),
        );
        // Each loop on a task of its own, so a fault in one does not stop the other.
        let (daily, live) = (tokio::spawn(daily), tokio::spawn(live));
        async move {
            let (daily, live) = tokio::join!(daily, live);
            for (name, ended) in [("daily", daily), ("live", live)] {
                if let Err(e) = ended {
                    tracing::error!("the {name} loop failed: {e}");
                }
            }
        }
    };
    tokio::spawn(async move {
        services::lease::run(store, services::lease::SCHEDULER, &holder, ttl, clock, closing.wait(), work).await;
    })
}

/// The delivery loops' view of Discord, over serenity's REST client.
#[derive(Clone)]
pub struct Rest {
    http: Arc<Http>,
    /// Only the bot's own messages count when looking for a post.
    bot_user: u64,
}

impl Transport for Rest {
    async fn send(&self, delivery: &Delivery) -> Result<u64, SendError> {
        if delivery.channel_id == 0 {
            return Err(SendError::NotFound("0 is not a channel id".into()));
        }
        let body = delivery.body();
        let sent = self.http.send_message(ChannelId::new(delivery.channel_id), Vec::new(), &body).await;
        sent.map(|m| m.id.get()).map_err(|e| send_error(&e))
    }

    async fn recent(&self, channel_id: u64, since: chrono::DateTime<chrono::Utc>) -> Result<Vec<Seen>, SendError> {
        if channel_id == 0 {
            return Err(SendError::NotFound("0 is not a channel id".into()));
        }
        let after = MessagePagination::After(MessageId::new(transport::snowflake_at(since).max(1)));
        let found = self.http.get_messages(ChannelId::new(channel_id), Some(after), Some(100)).await;
        let messages = found.map_err(|e| send_error(&e))?;
        Ok(messages
            .into_iter()
            .filter(|m| m.author.id.get() == self.bot_user)
            .map(|m| {
                let embed = m.embeds.first();
                Seen {
                    id: m.id.get(),
                    nonce: m.nonce.map(|n| match n {
                        Nonce::String(s) => s,
                        Nonce::Number(n) => n.to_string(),
                    }),
                    title: embed.and_then(|e| e.title.clone()),
                    footer: embed.and_then(|e| e.footer.as_ref()).map(|f| f.text.clone()),
                    description: embed.and_then(|e| e.description.clone()),
                }
            })
            .collect())
    }

    async fn dm_channel(&self, user_id: u64) -> Result<u64, SendError> {
        if user_id == 0 {
            return Err(SendError::NotFound("0 is not a user id".into()));
        }
        let opened =
            self.http.create_private_channel(&serde_json::json!({ "recipient_id": user_id.to_string() })).await;
        opened.map(|c| c.id.get()).map_err(|e| send_error(&e))
    }
}

/// A serenity error as the delivery loop sees it.
fn send_error(error: &serenity::Error) -> SendError {
    let text = retry::describe(error);
    match error {
        // "Cannot send messages to this user": their DMs are closed to the bot.
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) if r.error.code == 50007 => SendError::DmClosed,
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => match r.status_code.as_u16() {
            // serenity drops retry-after; the loop's own backoff (2 s and up) applies.
            429 => SendError::RateLimited { retry_after: None },
            403 => SendError::Forbidden(text),
            404 => SendError::NotFound(text),
            500..=599 => SendError::Server(text),
            _ => SendError::Refused(text),
        },
        // No answer, or one serenity could not read: the message may exist; look, then retry.
        _ => SendError::Server(text),
    }
}
