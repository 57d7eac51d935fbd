//! The live catalogue, reloaded by `/reload`, SIGHUP and a changed synced export: load the files again and swap the
//! result in atomically. A catalogue with any problem is never served: the old one stays, and the caller
//! reports every problem with file:line:column.

use std::sync::{Arc, RwLock};

use super::Bot;
use crate::catalogue::{self, Catalogue, Counts, LoadError};
use crate::sources::{self, Source};

/// The catalogue being served. Readers take an `Arc` snapshot, so an interaction sees one
/// catalogue from start to end even if a reload lands meanwhile.
pub struct Live {
    current: RwLock<Arc<Catalogue>>,
    sources: Vec<Source>,
}

impl Live {
    /// Serves `catalogue` at once, and builds its keyword index (for `/search`) in the background.
    pub fn new(catalogue: Catalogue, sources: Vec<Source>) -> Live {
        let catalogue = Arc::new(catalogue);
        let warming = catalogue.clone();
        std::thread::spawn(move || {
            warming.keyword_index();
        });
        Live { current: RwLock::new(catalogue), sources }
    }

    /// What the catalogue is loaded from.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The catalogue to answer with.
    pub fn get(&self) -> Arc<Catalogue> {
        // A poisoned lock still holds a whole catalogue: the swap below is a single assignment.
        self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Loads the sources again (off the async threads) and swaps the result in on success.
    pub async fn reload(&self) -> Result<Counts, LoadError> {
        let sources = self.sources.clone();
        let loaded =
            // A reload is deferred anyway: the new catalogue goes live with its keyword index built.
            tokio::task::spawn_blocking(move || {
                sources::load(&sources).inspect(|c| {
                    c.keyword_index();
                })
            })
            .await
            .map_err(|e| LoadError {
                problems: vec![catalogue::Problem {
                    file: "<reload>".into(),
                    position: None,
                    message: format!("the loader stopped: {e}"),
                    hint: None,
                }],
            })??;
        let counts = loaded.counts();
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(loaded);
        Ok(counts)
    }
}

/// The reload path of synced exports (`services::sync`): the same [`Bot::reload`] as `/reload`
/// and SIGHUP, so a change from a sync is seen wherever a reload is.
pub struct Syncing(pub Arc<Bot>);

impl crate::services::sync::Reload for Syncing {
    async fn reload(&self, why: String) -> Result<Counts, LoadError> {
        self.0.reload(&why).await
    }
}

impl Bot {
    /// Reloads the catalogue for `why` (`/reload`, SIGHUP, a synced export), logs the outcome, and on success
    /// wakes the daily loop, whose next pass reads the new catalogue.
    pub async fn reload(&self, why: &str) -> Result<Counts, LoadError> {
        let result = self.live.reload().await;
        match &result {
            Ok(counts) => {
                tracing::info!("catalogue reloaded on {why}: {counts}");
                self.daily.wake.notify_one();
                // Schedule changes are noticed by the live loop's next pass: make it now.
                self.daily.live_wake.notify_one();
            }
            Err(e) => tracing::warn!("the reload on {why} kept the previous catalogue: {e}"),
        }
        result
    }
}
