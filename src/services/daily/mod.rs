//! Daily highlights, delivered: one task per process that sleeps until something is due,
//! delivers it, and goes back to sleep — woken early when a schedule changes, stopped by
//! `shutdown`. The rules it follows are in [`crate::daily`].
//!
//! # Layout
//! - [`deliver`]: one pass of the loop ([`tick`]) and the delivery protocol;
//! - [`post`]: the post itself, built from the commands' cards.

pub mod deliver;
pub mod post;

pub use deliver::tick;

use std::future::Future;
use std::sync::Arc;

use chrono::Duration;
use tokio::sync::Notify;

use crate::catalogue::Catalogue;
use crate::services::{Clock, Transport};
use crate::store::Store;

/// The longest the loop sleeps without looking again: the wall clock may jump (suspend,
/// NTP), and tokio's timers follow a monotonic clock.
pub const MAX_SLEEP: Duration = Duration::hours(1);
/// After a store error, the loop waits this long before trying again.
const ERROR_PAUSE: Duration = Duration::seconds(30);

/// Runs the daily posts until `shutdown` completes. Call it once per process (not on every
/// gateway `ready`). `catalogue` returns the current catalogue (it may be swapped by a
/// reload); `wake` is notified after `/daily set`, `off` or `now` so changes apply at once.
///
/// Dropping this future at any point is safe: an unfinished intent is reconciled by the next
/// run, and the day still posts exactly once.
pub async fn run<T, C>(
    store: Arc<Store>,
    catalogue: C,
    transport: T,
    clock: Clock,
    wake: Arc<Notify>,
    shutdown: impl Future<Output = ()>,
) where
    T: Transport,
    C: Fn() -> Arc<Catalogue>,
{
    tokio::pin!(shutdown);
    loop {
        let now = clock.now();
        let next = match tick(&store, &catalogue(), &transport, now).await {
            Ok(next) => next,
            Err(e) => {
                tracing::error!("daily: state store failed: {e}; trying again shortly");
                now + ERROR_PAUSE
            }
        };
        let nap = (next - clock.now()).clamp(Duration::zero(), MAX_SLEEP).to_std().unwrap_or_default();
        if nap.is_zero() {
            // It acted; look again at once, but let shutdown in first.
            tokio::select! {
                biased;
                _ = &mut shutdown => break,
                _ = tokio::task::yield_now() => continue,
            }
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(nap) => {}
        }
    }
    tracing::info!("daily: stopped");
}
