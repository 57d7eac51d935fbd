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

use tokio::sync::Notify;

use crate::catalogue::Catalogue;
use crate::services::{Clock, Transport};
use crate::store::Store;

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
    let (store, transport) = (&store, &transport);
    super::pass::run_passes("daily", clock, wake, shutdown, |now| {
        let catalogue = catalogue();
        async move { tick(store, &catalogue, transport, now).await }
    })
    .await;
}
