//! One scheduler at a time across every process that shares a state store: the daily and live
//! loops run only while this process holds the scheduler lease, a row with holder, epoch and
//! expiry (`Store::lease`).
//!
//! The holder renews it every third of its TTL. A renewal that fails — another process took the
//! lease, or the store cannot be reached — stops the work at once: by then this process can no
//! longer prove it holds the lease, and another may take it once the TTL has passed. A standby
//! tries at the same pace and takes over within the TTL plus one try of the holder's death. A
//! clean shutdown releases the lease, so a standby need not wait at all.
//!
//! The epoch goes up each time the lease changes hands; the store stamps claims of pending work
//! with it (`Store::claim_post`), so a process that lost the lease cannot take work back from
//! the one that holds it now.

use std::future::Future;
use std::sync::Arc;

use chrono::Duration;
use tokio::sync::watch;

use super::Clock;
use crate::store::Store;

/// The lease the daily and live loops run under.
pub const SCHEDULER: &str = "scheduler";
/// How long a lease lasts without renewal, unless the config says otherwise.
pub const DEFAULT_TTL: Duration = Duration::seconds(15);

/// This process in the lease table: host, process id and a random part, so a restarted process
/// is a new holder and the logs say which machine holds it.
pub fn holder_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map_or_else(|| "host".to_owned(), |h| h.trim().to_owned());
    format!("{host}/{}/{:08x}", std::process::id(), fastrand::u32(..))
}

/// Resolves when the lease the work runs under is lost (or the process is closing).
#[derive(Clone)]
pub struct Lost(watch::Receiver<bool>);

impl Lost {
    pub async fn wait(mut self) {
        let _ = self.0.wait_for(|lost| *lost).await;
    }
}

/// Runs `work` whenever this process holds lease `name`, until `shutdown` completes. `work` is
/// given the epoch and a [`Lost`] it must stop on; it is started again after each new
/// acquisition. Returns once the work has stopped and the lease is released.
pub async fn run<W, F>(
    store: Arc<Store>,
    name: &str,
    holder: &str,
    ttl: Duration,
    clock: Clock,
    shutdown: impl Future<Output = ()>,
    mut work: W,
) where
    W: FnMut(i64, Lost) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let pace = (ttl / 3).to_std().unwrap_or(std::time::Duration::from_secs(1));
    tokio::pin!(shutdown);
    let mut standing_by = false;
    loop {
        let taken = match store.lease(name, holder, clock.now(), ttl) {
            Ok(None) if !standing_by => {
                tracing::info!("{name}: another process holds the lease; standing by");
                standing_by = true;
                None
            }
            Ok(taken) => taken,
            Err(e) => {
                tracing::error!("{name}: cannot take the lease: {e}; trying again shortly");
                None
            }
        };
        let Some(epoch) = taken else {
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(pace) => continue,
            }
        };
        standing_by = false;
        store.set_epoch(epoch);
        tracing::info!(epoch, "{name}: this process holds the lease and runs the scheduled work");
        let (lose, lost) = watch::channel(false);
        let mut task = tokio::spawn(work(epoch, Lost(lost)));
        // Renew until it fails, the work ends by itself, or shutdown.
        let closing = loop {
            tokio::select! {
                _ = &mut shutdown => break true,
                _ = &mut task => break false,
                _ = tokio::time::sleep(pace) => {}
            }
            match store.lease(name, holder, clock.now(), ttl) {
                Ok(Some(renewed)) if renewed == epoch => {}
                Ok(_) => {
                    tracing::warn!(epoch, "{name}: another process took the lease; stopping the scheduled work");
                    break false;
                }
                Err(e) => {
                    tracing::error!(epoch, "{name}: cannot renew the lease ({e}); stopping the scheduled work");
                    break false;
                }
            }
        };
        lose.send_replace(true);
        if let Err(e) = task.await {
            tracing::error!("{name}: the scheduled work failed: {e}");
        }
        if closing {
            if let Err(e) = store.release(name, holder) {
                tracing::warn!("{name}: could not release the lease ({e}); another process takes it after its TTL");
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Two holders on one store: the first runs, the second stands by; when the first stops
    /// cleanly, the second takes over at once with a new epoch.
    #[tokio::test(start_paused = true)]
    async fn one_holder_runs_and_a_clean_stop_hands_over() {
        let store = Arc::new(Store::open_in_memory().unwrap());
        let clock = Clock::starting_at("2026-01-01T00:00:00Z".parse().unwrap());
        let running = Arc::new(AtomicUsize::new(0));
        let work = |running: Arc<AtomicUsize>| {
            move |_epoch, lost: Lost| {
                let running = running.clone();
                async move {
                    running.fetch_add(1, Ordering::SeqCst);
                    lost.wait().await;
                    running.fetch_sub(1, Ordering::SeqCst);
                }
            }
        };
        let (stop_a, stopped_a) = tokio::sync::oneshot::channel::<()>();
        let a = tokio::spawn(run(
            store.clone(),
            SCHEDULER,
            "a",
            DEFAULT_TTL,
            clock,
            async {
                stopped_a.await.ok();
            },
            work(running.clone()),
        ));
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let b = tokio::spawn(run(
            store.clone(),
            SCHEDULER,
            "b",
            DEFAULT_TTL,
            clock,
            std::future::pending(),
            work(running.clone()),
        ));
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        assert_eq!(running.load(Ordering::SeqCst), 1, "only one holder runs");
        assert_eq!(store.lease(SCHEDULER, "c", clock.now(), DEFAULT_TTL).unwrap(), None);
        stop_a.send(()).unwrap();
        a.await.unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        assert_eq!(running.load(Ordering::SeqCst), 1, "b took over");
        assert_eq!(store.lease(SCHEDULER, "b", clock.now(), DEFAULT_TTL).unwrap(), Some(2));
        b.abort();
    }

    /// A holder that dies without releasing: the lease is taken after its TTL, with a new
    /// epoch, and the dead holder's epoch can no longer claim work.
    #[test]
    fn an_expired_lease_changes_hands_and_fences_the_old_epoch() {
        let store = Store::open_in_memory().unwrap();
        let t0: chrono::DateTime<chrono::Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(store.lease(SCHEDULER, "a", t0, DEFAULT_TTL).unwrap(), Some(1));
        assert_eq!(store.lease(SCHEDULER, "a", t0 + Duration::seconds(5), DEFAULT_TTL).unwrap(), Some(1));
        assert_eq!(store.lease(SCHEDULER, "b", t0 + Duration::seconds(19), DEFAULT_TTL).unwrap(), None);
        assert_eq!(store.lease(SCHEDULER, "b", t0 + Duration::seconds(20), DEFAULT_TTL).unwrap(), Some(2));
        // The old holder's renewal is refused now.
        assert_eq!(store.lease(SCHEDULER, "a", t0 + Duration::seconds(21), DEFAULT_TTL).unwrap(), None);
    }
}
