//! What every worker sharing the state store must hear: a schedule changed (`/daily`), live
//! settings changed (`/live`, `/remind`), the catalogue was reloaded (`/reload`, SIGHUP). The
//! scheduler runs in whichever process holds the lease, and `/daily set` may be answered by
//! another, so each change is acted on here and sent on through the store (PostgreSQL's
//! LISTEN/NOTIFY, or a table the processes sharing a SQLite file read).
//!
//! A notification names the event and, for a reload, the worker that sent it: that worker
//! reloaded already and does not do it twice.

use std::sync::Arc;
use std::time::Duration;

use super::Bot;

/// Something every worker must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A daily schedule changed or a post was asked for: wake the daily loop.
    Daily,
    /// Live settings or bookmarks changed: wake the live loop.
    Live,
    /// The catalogue was reloaded: load it again here too.
    Reload,
}

impl Event {
    fn name(self) -> &'static str {
        match self {
            Event::Daily => "daily",
            Event::Live => "live",
            Event::Reload => "reload",
        }
    }
}

/// Acts on `event` in this process (a reload has been done by the caller) and tells the others.
pub fn tell(bot: &Bot, event: Event) {
    match event {
        Event::Daily => bot.daily.wake.notify_one(),
        Event::Live => bot.daily.live_wake.notify_one(),
        Event::Reload => {}
    }
    let payload = format!("{} {}", event.name(), bot.daily.worker);
    if let Err(e) = bot.daily.store.notify(&payload) {
        // The change is in the store: the other workers' loops see it at their next pass.
        tracing::warn!("could not tell the other workers ({e}); they notice at their next look");
    }
}

/// Acts on the other workers' events until the process ends. With state in memory, returns at
/// once: no other process shares it.
pub async fn listen(bot: Arc<Bot>) {
    loop {
        let store = bot.daily.store.clone();
        let listened = tokio::task::spawn_blocking(move || store.listen()).await;
        let mut events = match listened {
            Ok(Ok(Some(events))) => events,
            Ok(Ok(None)) => return,
            Ok(Err(e)) => {
                tracing::warn!("cannot listen for the other workers' events ({e}); trying again shortly");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            Err(e) => {
                tracing::error!("the event listener failed: {e}");
                return;
            }
        };
        // Anything may have changed while nobody listened: look again.
        bot.daily.wake.notify_one();
        bot.daily.live_wake.notify_one();
        while let Some(payload) = events.recv().await {
            let (name, from) = payload.split_once(' ').unwrap_or((payload.as_str(), ""));
            match name {
                "daily" => bot.daily.wake.notify_one(),
                "live" => bot.daily.live_wake.notify_one(),
                "reload" if from != bot.daily.worker => {
                    let _ = bot.reload("a reload in another worker").await;
                }
                _ => {}
            }
        }
        tracing::warn!("lost the connection that hears the other workers' events; listening again");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
