//! A bounded shutdown: close the gateway, let in-flight interactions finish, then return.
//!
//! serenity's `shutdown_all` can wait forever while a shard cannot connect, and a handler can
//! hang on a slow REST call, so each step has its own time limit.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serenity::gateway::ShardManager;
use tokio::sync::Notify;

/// How long closing the gateway may take.
pub const CLOSE_GATEWAY: Duration = Duration::from_secs(2);
/// How long in-flight interactions get to finish once the gateway is closed.
pub const DRAIN: Duration = Duration::from_secs(3);

/// Counts interactions being answered.
#[derive(Default)]
pub struct Inflight {
    count: AtomicUsize,
    idle: Notify,
}

/// Held while one interaction is answered; dropping it (even in a panic) ends the count.
pub struct Guard(Arc<Inflight>);

impl Inflight {
    pub fn enter(self: &Arc<Self>) -> Guard {
        self.count.fetch_add(1, Ordering::SeqCst);
        Guard(self.clone())
    }

    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Returns once nothing is in flight.
    pub async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            // Registered before the check, so a guard dropped in between still wakes us.
            notified.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// Closes the gateway (bounded), then waits for in-flight interactions (bounded).
pub async fn close(shards: &ShardManager, inflight: &Inflight) {
    if tokio::time::timeout(CLOSE_GATEWAY, shards.shutdown_all()).await.is_err() {
        tracing::warn!("the gateway did not close within {CLOSE_GATEWAY:?}; leaving anyway");
    }
    drain(inflight).await;
}

/// Waits for in-flight interactions to be answered, at most [`DRAIN`].
pub async fn drain(inflight: &Inflight) {
    let pending = inflight.count();
    if pending > 0 {
        tracing::info!("waiting for {pending} interaction(s) to finish");
    }
    if tokio::time::timeout(DRAIN, inflight.idle()).await.is_err() {
        tracing::warn!("{} interaction(s) still unanswered after {DRAIN:?}", inflight.count());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_waits_for_every_guard() {
        let inflight = Arc::new(Inflight::default());
        let a = inflight.enter();
        let b = inflight.enter();
        let waiter = tokio::spawn({
            let inflight = inflight.clone();
            async move { inflight.idle().await }
        });
        drop(a);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(b);
        tokio::time::timeout(Duration::from_secs(1), waiter).await.unwrap().unwrap();
    }
}
