//! Background work (the daily delivery loop) started once per process, and stopped within a
//! bounded time at shutdown.
//!
//! `ready` fires again after every shard restart, and once per shard when a process runs
//! several (`run --shards`): background loops must start only on the first.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long the background task gets to stop by itself before it is dropped. Dropping the
/// daily loop at any point is safe: an unfinished intent is reconciled on the next start.
pub const STOP: Duration = Duration::from_secs(2);

/// Resolves when the bot is shutting down.
#[derive(Clone)]
pub struct Closing(watch::Receiver<bool>);

impl Closing {
    pub async fn wait(mut self) {
        let _ = self.0.wait_for(|closing| *closing).await;
    }
}

/// The once-per-process guard around the background task.
pub struct Background {
    task: Mutex<Option<JoinHandle<()>>>,
    /// How many times work was started: 1 after the first `ready`, and it stays 1.
    starts: Arc<AtomicU32>,
    closing: watch::Sender<bool>,
}

impl Background {
    /// `starts` is shared with whoever wants to watch it (the tests).
    pub fn new(starts: Arc<AtomicU32>) -> Background {
        Background { task: Mutex::new(None), starts, closing: watch::Sender::new(false) }
    }

    /// Runs `start` the first time it is called; later calls do nothing and return false.
    pub fn start_once(&self, start: impl FnOnce(Closing) -> JoinHandle<()>) -> bool {
        let mut task = self.task.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.starts.load(Ordering::SeqCst) > 0 {
            return false;
        }
        self.starts.fetch_add(1, Ordering::SeqCst);
        *task = Some(start(Closing(self.closing.subscribe())));
        true
    }

    /// Tells the task to stop and waits for it, at most [`STOP`].
    pub async fn stop(&self) {
        self.closing.send_replace(true);
        let task = self.task.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let Some(mut task) = task else { return };
        if tokio::time::timeout(STOP, &mut task).await.is_err() {
            tracing::warn!("background work did not stop within {STOP:?}; dropping it (safe: it resumes on start)");
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn starts_once_and_stops() {
        let background = Background::new(Arc::default());
        assert!(background.start_once(|closing| tokio::spawn(closing.wait())));
        assert!(!background.start_once(|_| unreachable!("started twice")));
        tokio::time::timeout(Duration::from_secs(1), background.stop()).await.unwrap();
    }
}
