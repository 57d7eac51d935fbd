//! The loop every service runs: do what is due, sleep until the next thing is (or until woken),
//! and stop when told. Each service supplies its pass.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Notify;

use super::Clock;
use crate::store::StoreError;

/// The longest a loop sleeps without looking again: the wall clock may jump (suspend, NTP),
/// and tokio's timers follow a monotonic clock.
pub const MAX_SLEEP: Duration = Duration::hours(1);
/// After a store error, the loop waits this long before trying again.
const ERROR_PAUSE: Duration = Duration::seconds(30);

/// Runs `pass` at "now" until `shutdown` completes. A pass returns when to look again: `now`
/// itself when it acted (the next pass sees the new state at once). `wake` cuts a sleep short.
pub async fn run_passes<F, P>(
    name: &str,
    clock: Clock,
    wake: Arc<Notify>,
    shutdown: impl Future<Output = ()>,
    mut pass: P,
) where
    P: FnMut(DateTime<Utc>) -> F,
    F: Future<Output = Result<DateTime<Utc>, StoreError>>,
{
    tokio::pin!(shutdown);
    loop {
        let now = clock.now();
        let next = match pass(now).await {
            Ok(next) => next,
            Err(e) => {
                tracing::error!("{name}: state store failed: {e}; trying again shortly");
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
    tracing::info!("{name}: stopped");
}
